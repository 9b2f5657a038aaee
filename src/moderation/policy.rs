//! The pure moderation decision: given what the store knows about a comment, which status
//! it gets and why. No I/O here, so every rule is unit-tested. A returning author who
//! proves an approved comment is never stored as spam by the learning filter alone: its
//! verdict holds the comment for a moderator instead (the word lists, bans and traps still
//! send it to spam), so a regular reader whose comment happens to read like spam is not
//! lost without anyone looking.
use super::verdict::{Finding, Reason, Verdict};
use crate::config::ModerationMode;
use entity::enums::CommentStatus;

/// What the policy needs to know about one submission.
#[derive(Debug, Clone)]
pub struct Facts {
    pub mode: ModerationMode,
    /// The author proved an approved comment on this site under the same email (a
    /// returning-commenter token, `returning`); a known email alone is not proof.
    pub author_known: bool,
    /// What the spam defences found (`screening`). Any spam finding sends the comment
    /// to spam; any hold finding keeps it from being published at once.
    pub findings: Vec<Finding>,
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
                "no proof of an earlier approved comment from this email on this site",
                1.0,
            ));
        }
        ModerationMode::FirstTime | ModerationMode::None => {}
    }
    let spared = |f: &Finding| {
        facts.author_known && f.verdict == Verdict::Spam && f.reason.rule == super::filter::RULE
    };
    let spam = facts
        .findings
        .iter()
        .any(|f| f.verdict == Verdict::Spam && !spared(f));
    let hold = !reasons.is_empty()
        || facts
            .findings
            .iter()
            .any(|f| f.verdict == Verdict::Hold || spared(f));
    reasons.extend(facts.findings.iter().map(|f| f.reason.clone()));
    if !spam && facts.findings.iter().any(spared) {
        reasons.push(Reason::new(
            "returning_author",
            "held, not spam: the author proved an earlier approved comment on this site",
            1.0,
        ));
    }
    let status = if spam {
        CommentStatus::Spam
    } else if !hold {
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
        decide(&Facts {
            mode,
            author_known,
            findings: Vec::new(),
        })
        .status
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
            findings: Vec::new(),
        });
        assert_eq!(d.reasons[0].rule, "first_time_author");
    }

    fn finding(verdict: Verdict, rule: &str) -> Finding {
        Finding {
            verdict,
            reason: Reason::new(rule, "x", 1.0),
        }
    }

    #[test]
    fn findings_hold_or_spam_whatever_the_mode() {
        let decide_with = |findings| {
            decide(&Facts {
                mode: ModerationMode::None,
                author_known: true,
                findings,
            })
        };
        let held = decide_with(vec![finding(Verdict::Hold, "too_many_links")]);
        assert_eq!(held.status, CommentStatus::Pending);
        assert_eq!(held.reasons[0].rule, "too_many_links");
        let spam = decide_with(vec![
            finding(Verdict::Hold, "form_token_missing"),
            finding(Verdict::Spam, "honeypot"),
        ]);
        assert_eq!(spam.status, CommentStatus::Spam);
        assert_eq!(spam.reasons.len(), 2);
        let noted = decide_with(vec![finding(Verdict::Note, "spam_filter")]);
        assert_eq!(noted.status, CommentStatus::Approved);
        assert_eq!(noted.reasons[0].rule, "spam_filter");
    }

    #[test]
    fn a_proven_returning_author_is_held_not_spammed_by_the_filter_alone() {
        let decide_with = |author_known, findings| {
            decide(&Facts {
                mode: ModerationMode::None,
                author_known,
                findings,
            })
        };
        let filtered = || vec![finding(Verdict::Spam, super::super::filter::RULE)];
        let known = decide_with(true, filtered());
        assert_eq!(known.status, CommentStatus::Pending);
        assert_eq!(known.reasons[0].rule, "spam_filter");
        assert_eq!(known.reasons[1].rule, "returning_author");
        assert_eq!(decide_with(false, filtered()).status, CommentStatus::Spam);
        // Another defence's spam verdict still stands.
        let trapped = decide_with(
            true,
            vec![finding(Verdict::Spam, "honeypot"), filtered()[0].clone()],
        );
        assert_eq!(trapped.status, CommentStatus::Spam);
        assert!(trapped.reasons.iter().all(|r| r.rule != "returning_author"));
    }
}
