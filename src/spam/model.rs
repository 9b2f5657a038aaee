//! The trained counts: how many spam and ham messages contained each feature, and how many
//! of each were trained. Training adds a message's distinct features, untraining takes them
//! away again (so undoing a decision leaves the counts as if it never happened), and
//! pruning keeps the table under a size bound by forgetting the rarest, least recently
//! seen features first. In memory a feature is keyed by its 64-bit hash ([`key`]), in a
//! [`Table`] where a look-up while scoring reads one slot, not a string on the heap; the
//! database keeps the features' text.
use std::hash::BuildHasher;

pub use super::table::{Counts, Table};

/// Which way a message is trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Ham,
    Spam,
}

/// The in-memory key of a feature: a fixed-seed hash, the same in every process of one
/// build (only the text is stored, so a new hash function costs nothing but a reload).
pub fn key(feature: &str) -> u64 {
    foldhash::fast::FixedState::with_seed(0x5eed_5bad_f00d).hash_one(feature)
}

/// What pruning dropped: every feature counted in fewer messages than `total`, or in as
/// many and last seen at or before `seen`. The database forgets the same rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoff {
    pub total: u32,
    pub seen: u32,
}

/// A model: counts per feature and the number of messages trained of each kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    pub spam: u32,
    pub ham: u32,
    /// Training operations so far: the clock that `Counts::seen` reads.
    pub step: u32,
    pub tokens: Table,
}

impl Model {
    /// The counts of one feature, if the model has it.
    pub fn counts(&self, feature: &str) -> Option<Counts> {
        self.tokens.get(key(feature))
    }

    /// Adds (or, with `untrain`, removes) one message's features. The features are
    /// expected distinct, as `features` returns them.
    pub fn apply<S: AsRef<str>>(&mut self, features: &[S], label: Label, untrain: bool) {
        self.step = self.step.wrapping_add(1);
        let step = self.step;
        let total = match label {
            Label::Spam => &mut self.spam,
            Label::Ham => &mut self.ham,
        };
        *total = if untrain {
            total.saturating_sub(1)
        } else {
            total.saturating_add(1)
        };
        for f in features {
            let k = key(f.as_ref());
            if untrain {
                // What was never trained stays out (and a feature left at zero goes).
                if self.tokens.votes(k).is_some() {
                    self.tokens.update(k, |c| bump(c, label, false));
                }
            } else {
                self.tokens.update(k, |c| {
                    bump(c, label, true);
                    c.seen = step;
                });
            }
        }
    }

    pub fn train<S: AsRef<str>>(&mut self, features: &[S], label: Label) {
        self.apply(features, label, false);
    }

    pub fn untrain<S: AsRef<str>>(&mut self, features: &[S], label: Label) {
        self.apply(features, label, true);
    }

    /// Keeps at most `max` features: when over, drops features to 90 % of `max` or a
    /// little below (ties at the cut go together), those counted least first and, among
    /// them, those seen longest ago. Returns the cut, for the database to follow.
    pub fn prune(&mut self, max: usize) -> Option<Cutoff> {
        if self.tokens.len() <= max {
            return None;
        }
        let keep = max - max / 10;
        let mut order: Vec<(u32, u32)> = self
            .tokens
            .iter()
            .map(|(_, c)| (c.total(), c.seen))
            .collect();
        let drop = order.len() - keep;
        let (_, &mut (total, seen), _) = order.select_nth_unstable(drop - 1);
        let cut = Cutoff { total, seen };
        self.tokens.retain(|c| (c.total(), c.seen) > (total, seen));
        Some(cut)
    }

    /// Bytes this model holds in memory: the table's slots, used or not.
    pub fn memory_bytes(&self) -> usize {
        self.tokens.capacity() * Table::SLOT_BYTES
    }
}

fn bump(c: &mut Counts, label: Label, up: bool) {
    let n = match label {
        Label::Spam => &mut c.spam,
        Label::Ham => &mut c.ham,
    };
    *n = if up {
        n.saturating_add(1)
    } else {
        n.saturating_sub(1)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untraining_undoes_training_exactly() {
        let mut m = Model::default();
        m.train(&["a", "b"], Label::Ham);
        let before = m.clone();
        m.train(&["b", "c"], Label::Spam);
        m.untrain(&["b", "c"], Label::Spam);
        assert_eq!((m.spam, m.ham), (before.spam, before.ham));
        assert_eq!(m.tokens.len(), 2);
        assert_eq!(m.counts("b").map(|c| (c.spam, c.ham)), Some((0, 1)));
        assert!(m.counts("c").is_none());
    }

    #[test]
    fn untraining_what_was_never_trained_cannot_go_negative() {
        let mut m = Model::default();
        m.untrain(&["x"], Label::Spam);
        assert_eq!((m.spam, m.ham, m.tokens.len()), (0, 0, 0));
    }

    #[test]
    fn pruning_forgets_the_rarest_and_oldest_first() {
        let mut m = Model::default();
        m.train(&["common", "old"], Label::Ham);
        m.train(&["common", "new1"], Label::Spam);
        m.train(&["common", "new2"], Label::Spam);
        for i in 0..17 {
            m.train(&[format!("t{i}")], Label::Ham);
        }
        assert_eq!(m.tokens.len(), 21);
        let cut = m.prune(20);
        assert_eq!(cut, Some(Cutoff { total: 1, seen: 3 }));
        assert_eq!(m.tokens.len(), 18);
        assert!(m.counts("common").is_some());
        assert!(m.counts("old").is_none());
        assert!(m.counts("new1").is_none());
        assert!(m.counts("t0").is_some());
        assert_eq!(m.prune(20), None);
    }
}
