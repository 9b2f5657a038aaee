//! The trained counts: how many spam and ham messages contained each feature, and how many
//! of each were trained. Training adds a message's distinct features, untraining takes them
//! away again (so undoing a decision leaves the counts as if it never happened), and
//! pruning keeps the table under a size bound by forgetting the rarest, least recently
//! seen features first.
use std::collections::HashMap;

/// Which way a message is trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Ham,
    Spam,
}

/// One feature's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub spam: u32,
    pub ham: u32,
    /// The training step that last touched it, for pruning.
    pub seen: u32,
}

/// A model: counts per feature and the number of messages trained of each kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    pub spam: u32,
    pub ham: u32,
    /// Training operations so far: the clock that `Counts::seen` reads.
    pub step: u32,
    pub tokens: HashMap<String, Counts, foldhash::fast::RandomState>,
}

impl Model {
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
            let f = f.as_ref();
            if untrain {
                let Some(c) = self.tokens.get_mut(f) else {
                    continue;
                };
                bump(c, label, false);
                if c.spam == 0 && c.ham == 0 {
                    self.tokens.remove(f);
                }
            } else {
                let c = match self.tokens.get_mut(f) {
                    Some(c) => c,
                    None => self.tokens.entry(f.to_owned()).or_default(),
                };
                bump(c, label, true);
                c.seen = step;
            }
        }
    }

    pub fn train<S: AsRef<str>>(&mut self, features: &[S], label: Label) {
        self.apply(features, label, false);
    }

    pub fn untrain<S: AsRef<str>>(&mut self, features: &[S], label: Label) {
        self.apply(features, label, true);
    }

    /// Keeps at most `max` features: when over, drops features to 90 % of `max`, those
    /// counted least first and, among them, those seen longest ago.
    /// Returns the features it dropped.
    pub fn prune(&mut self, max: usize) -> Vec<String> {
        if self.tokens.len() <= max {
            return Vec::new();
        }
        let keep = max - max / 10;
        let mut order: Vec<(u32, u32, &String)> = self
            .tokens
            .iter()
            .map(|(k, c)| (c.spam.saturating_add(c.ham), c.seen, k))
            .collect();
        let drop = order.len() - keep;
        order.select_nth_unstable(drop - 1);
        let gone: Vec<String> = order[..drop].iter().map(|(_, _, k)| (*k).clone()).collect();
        for k in &gone {
            self.tokens.remove(k);
        }
        gone
    }

    /// Bytes this model holds in memory, roughly: keys, counts and the table's overhead.
    pub fn memory_bytes(&self) -> usize {
        let per_entry = std::mem::size_of::<(String, Counts)>() + 1;
        self.tokens
            .keys()
            .map(|k| k.capacity() + per_entry)
            .sum::<usize>()
            + self.tokens.capacity().saturating_sub(self.tokens.len()) * per_entry
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
        assert_eq!(m.tokens["b"].ham, 1);
        assert_eq!(m.tokens["b"].spam, 0);
        assert!(!m.tokens.contains_key("c"));
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
        let dropped = m.prune(20);
        assert_eq!(dropped.len(), 3);
        assert!(m.tokens.contains_key("common"));
        assert!(!m.tokens.contains_key("old"));
        assert!(!m.tokens.contains_key("new1"));
        assert!(m.prune(20).is_empty());
    }
}
