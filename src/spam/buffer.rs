//! The features of one message, written end to end into one string: building them costs
//! no allocation per feature (a comment has hundreds: words, sparse bigrams, shapes), only
//! the buffer's growth. Each feature is a slice of the buffer; duplicates are kept out as
//! they come.
use std::collections::HashSet;
use std::fmt::Write;
use std::hash::BuildHasher;

/// Longer features (a long host name, say) are dropped: the database keeps 200 characters.
pub const MAX_FEATURE: usize = 200;

/// A message's distinct features, in the order they were found.
#[derive(Debug, Default)]
pub struct Features {
    buf: String,
    /// Where each kept feature ends in `buf`; it starts where the previous one ended.
    ends: Vec<usize>,
    /// Hashes of the kept features, to skip repeats.
    seen: HashSet<u64, foldhash::fast::FixedState>,
}

impl Features {
    pub fn with_capacity(bytes: usize) -> Features {
        Features {
            buf: String::with_capacity(bytes),
            ends: Vec::with_capacity(bytes / 4),
            seen: HashSet::with_capacity_and_hasher(bytes / 4, Default::default()),
        }
    }

    fn start(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }

    /// Keeps what was written since the last feature as one feature, unless it is empty,
    /// too long or a repeat.
    fn close(&mut self) {
        let start = self.start();
        let f = &self.buf[start..];
        let keep = !f.is_empty()
            && f.len() <= MAX_FEATURE
            && self
                .seen
                .insert(foldhash::fast::FixedState::default().hash_one(f));
        if keep {
            self.ends.push(self.buf.len());
        } else {
            self.buf.truncate(start);
        }
    }

    /// One feature made of these pieces, end to end.
    pub fn push_parts(&mut self, parts: &[&str]) {
        for p in parts {
            self.buf.push_str(p);
        }
        self.close();
    }

    pub fn push(&mut self, f: &str) {
        self.push_parts(&[f]);
    }

    /// One feature made of a prefix and characters.
    pub fn push_chars(&mut self, prefix: &str, chars: &[char]) {
        self.buf.push_str(prefix);
        self.buf.extend(chars);
        self.close();
    }

    /// One feature written with `format_args!`.
    pub fn push_fmt(&mut self, args: std::fmt::Arguments<'_>) {
        let _ = self.buf.write_fmt(args);
        self.close();
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(s, e)| &self.buf[s..*e])
    }

    pub fn to_strings(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_kept_once_each_and_in_order() {
        let mut f = Features::default();
        f.push("a");
        f.push_parts(&["b", " ", "c"]);
        f.push("a");
        f.push("");
        f.push(&"x".repeat(MAX_FEATURE + 1));
        f.push_chars("c:", &['x', 'y', 'z']);
        f.push_fmt(format_args!("n:{}", 3));
        f.push("b c");
        assert_eq!(f.to_strings(), ["a", "b c", "c:xyz", "n:3"]);
        assert_eq!(f.len(), 4);
    }
}
