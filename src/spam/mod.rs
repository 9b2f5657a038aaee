//! The spam filter that learns from a site's own moderators: a statistical text classifier
//! (features in `features`, counts in `model`, Robinson-Fisher scoring in `classify`) and
//! its offline evaluation (`eval`). Pure: no I/O, no HTTP, no database; `moderation` keeps
//! the models, trains them on decisions and asks them for scores.
mod buffer;
pub mod classify;
pub mod eval;
pub mod features;
pub mod model;
pub mod normalise;
mod table;
mod tokens;

pub use buffer::Features;
pub use classify::{Combining, Scored, score, score_keyed};
pub use features::{FeatureSet, Message, feature_buffer, features};
pub use model::{Counts, Cutoff, Label, Model};

/// How many features of each side a verdict names.
pub const EXPLAIN: usize = 3;

/// The thresholds that turn a score into a verdict.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// At or above: stored as spam.
    pub spam: f64,
    /// At or above (and below `spam`): held for a moderator.
    pub hold: f64,
    /// Until the model has this many decisions of each kind, it decides nothing.
    pub min_decisions: u32,
}

/// What the filter says about one comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Spam,
    Hold,
    Pass,
}

impl Thresholds {
    /// The verdict for `score` from a model trained on `spam` and `ham` decisions; an
    /// untrained model passes everything.
    pub fn verdict(&self, score: f64, spam: u32, ham: u32) -> Verdict {
        if spam < self.min_decisions || ham < self.min_decisions {
            Verdict::Pass
        } else if score >= self.spam {
            Verdict::Spam
        } else if score >= self.hold {
            Verdict::Hold
        } else {
            Verdict::Pass
        }
    }
}

/// Scores one message with the product's features and combining.
pub fn classify(model: &Model, message: &Message<'_>) -> Option<Scored> {
    let features = feature_buffer(message, FeatureSet::Full);
    let features: Vec<(u64, &str)> = features.iter_keyed().collect();
    score_keyed(model, &features, Combining::ChiSquare, EXPLAIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_few_decisions_of_either_kind_decide_nothing() {
        let t = Thresholds {
            spam: 0.9,
            hold: 0.5,
            min_decisions: 10,
        };
        assert_eq!(t.verdict(1.0, 9, 100), Verdict::Pass);
        assert_eq!(t.verdict(1.0, 100, 9), Verdict::Pass);
        assert_eq!(t.verdict(1.0, 10, 10), Verdict::Spam);
        assert_eq!(t.verdict(0.6, 10, 10), Verdict::Hold);
        assert_eq!(t.verdict(0.4, 10, 10), Verdict::Pass);
    }

    #[test]
    fn a_trained_model_tells_spam_from_ham_through_disguises() {
        let mut m = Model::default();
        fn spam(text: &str) -> Message<'_> {
            Message {
                name: "BEST DEALS",
                email: "deals@spam.example",
                website: Some("http://pills.example"),
                text,
            }
        }
        fn ham(text: &str) -> Message<'_> {
            Message {
                name: "Ada",
                email: "ada@example.org",
                website: None,
                text,
            }
        }
        for i in 0..10 {
            let s = format!("Buy cheap viagra now at http://pills.example/{i} best price");
            m.train(&features(&spam(&s), FeatureSet::Full), Label::Spam);
            let h = format!("Thanks for the article, part {i} made me rethink my tests");
            m.train(&features(&ham(&h), FeatureSet::Full), Label::Ham);
        }
        let disguised = spam("Вuy ch\u{200B}eap V1@GRA now");
        let s = classify(&m, &disguised).map(|s| s.score);
        assert!(s.is_some_and(|s| s > 0.9), "{s:?}");
        let h = classify(&m, &ham("Thanks, this article helped")).map(|s| s.score);
        assert!(h.is_some_and(|s| s < 0.1), "{h:?}");
    }
}
