//! The vocabulary of a screening decision, shared by the checks that find things
//! (`screening`) and the policy that decides (`policy`): what a finding does and why. A leaf:
//! it imports nothing of the domain, so neither side depends on the other through it.
use serde::{Deserialize, Serialize};

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

/// What a finding does to the comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Hold,
    Spam,
    /// Neither holds nor spams: shown to moderators only (the spam filter's score when it
    /// lets a comment through).
    Note,
}

/// One thing a check found: what it does, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub verdict: Verdict,
    pub reason: Reason,
}

impl Finding {
    pub fn hold(rule: &str, detail: impl Into<String>, score: f32) -> Finding {
        Finding {
            verdict: Verdict::Hold,
            reason: Reason::new(rule, detail, score),
        }
    }

    pub fn note(rule: &str, detail: impl Into<String>, score: f32) -> Finding {
        Finding {
            verdict: Verdict::Note,
            reason: Reason::new(rule, detail, score),
        }
    }

    pub fn spam(rule: &str, detail: impl Into<String>) -> Finding {
        Finding {
            verdict: Verdict::Spam,
            reason: Reason::new(rule, detail, 1.0),
        }
    }
}
