//! The pure moderation decision: given what the store knows about a comment, which status
//! it gets and why. No I/O here, so every rule is unit-tested.
use serde::{Deserialize, Serialize};

use crate::config::ModerationMode;
use entity::enums::CommentStatus;

/// One explanation of why a comment was held, kept with the comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The rule that fired, a stable snake_case name.
    pub rule: String,
    /// What matched, in words a moderator understands.
    pub detail: String,
    /// How much this rule counts towards holding the comment.
    pub score: f32,
}

impl Reason {
    pub fn new(rule: &str, detail: impl Into<String>, score: f32) -> Reason {
        Reason {
            rule: rule.into(),
            detail: detail.into(),
            score,
        }
    }
}

/// What the policy needs to know about one submission.
#[derive(Debug, Clone)]
pub struct Facts {
    pub mode: ModerationMode,
    /// The author's email already has an approved comment on this site.
    pub author_known: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub status: CommentStatus,
    pub reasons: Vec<Reason>,
}

pub fn decide(facts: &Facts) -> Decision {
    let mut reasons = Vec::new();
    match facts.mode {
        ModerationMode::All => {
            reasons.push(Reason::new(
                "site_moderates_all",
                "this site holds every comment for review",
                1.0,
            ));
        }
        ModerationMode::FirstTime if !facts.author_known => {
            reasons.push(Reason::new(
                "first_time_author",
                "first comment from this email on this site",
                1.0,
            ));
        }
        ModerationMode::FirstTime | ModerationMode::None => {}
    }
    let status = if reasons.is_empty() {
        CommentStatus::Approved
    } else {
        CommentStatus::Pending
    };
    Decision { status, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(mode: ModerationMode, author_known: bool) -> CommentStatus {
        decide(&Facts { mode, author_known }).status
    }

    #[test]
    fn each_mode_decides_as_documented() {
        assert_eq!(status(ModerationMode::All, true), CommentStatus::Pending);
        assert_eq!(
            status(ModerationMode::FirstTime, false),
            CommentStatus::Pending
        );
        assert_eq!(
            status(ModerationMode::FirstTime, true),
            CommentStatus::Approved
        );
        assert_eq!(status(ModerationMode::None, false), CommentStatus::Approved);
    }

    #[test]
    fn a_held_comment_says_why() {
        let d = decide(&Facts {
            mode: ModerationMode::FirstTime,
            author_known: false,
        });
        assert_eq!(d.reasons[0].rule, "first_time_author");
    }
}
