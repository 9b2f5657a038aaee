//! The features of one message, written end to end into one string: building them costs
//! no allocation per feature (a comment has hundreds: words, sparse bigrams, shapes), only
//! the buffer's growth. Each feature is a slice of the buffer, with its model key
//! computed once; duplicates are kept out as they come.
use std::fmt::Write;

use super::model::key;

/// Longer features (a long host name, say) are dropped: the database keeps 200 characters.
pub const MAX_FEATURE: usize = 200;

/// A message's distinct features, in the order they were found.
#[derive(Debug, Default)]
pub struct Features {
    buf: String,
    /// Where each kept feature ends in `buf`; it starts where the previous one ended.
    ends: Vec<usize>,
    /// The model key ([`key`]) of each kept feature, to skip repeats and to look it up.
    keys: Vec<u64>,
    seen: KeySet,
}

impl Features {
    pub fn with_capacity(bytes: usize) -> Features {
        Features {
            buf: String::with_capacity(bytes),
            ends: Vec::with_capacity(bytes / 4),
            keys: Vec::with_capacity(bytes / 4),
            seen: KeySet::with_capacity(bytes / 4),
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
        let fits = !f.is_empty() && f.len() <= MAX_FEATURE;
        let k = if fits { key(f) } else { 0 };
        if fits && self.seen.insert(k) {
            self.ends.push(self.buf.len());
            self.keys.push(k);
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

    /// Each feature with its model key.
    pub fn iter_keyed(&self) -> impl Iterator<Item = (u64, &str)> {
        self.keys.iter().copied().zip(self.iter())
    }

    pub fn to_strings(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }
}

/// A set of 64-bit hashes, by open addressing with linear probing: the keys are hashes
/// already, so they are not hashed again, and a message's few hundred fit in one small
/// table.
#[derive(Debug)]
pub struct KeySet {
    /// 0 marks an empty slot (a key of 0 is stored as 1).
    slots: Vec<u64>,
    len: usize,
    /// 64 minus log2 of the slot count: a key's top bits are its first slot.
    shift: u32,
}

impl Default for KeySet {
    fn default() -> KeySet {
        KeySet::with_capacity(0)
    }
}

impl KeySet {
    /// A set that holds `n` keys before it grows.
    pub fn with_capacity(n: usize) -> KeySet {
        let slots = (n.max(8) * 2).next_power_of_two();
        KeySet {
            slots: vec![0; slots],
            len: 0,
            shift: 64 - slots.trailing_zeros(),
        }
    }

    /// Adds `key`; false if it was there already.
    pub fn insert(&mut self, key: u64) -> bool {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let key = key.max(1);
        let mask = self.slots.len() - 1;
        // The shift keeps the index below the slot count, a power of two.
        let mut i = (key >> self.shift) as usize;
        loop {
            match self.slots[i] {
                0 => {
                    self.slots[i] = key;
                    self.len += 1;
                    return true;
                }
                k if k == key => return false,
                _ => i = (i + 1) & mask,
            }
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    fn grow(&mut self) {
        let old = std::mem::replace(self, KeySet::with_capacity(self.slots.len()));
        for k in old.slots.into_iter().filter(|k| *k != 0) {
            self.insert(k);
        }
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

    #[test]
    fn the_key_set_keeps_each_key_once_as_it_grows() {
        let mut set = KeySet::with_capacity(2);
        for k in 0..1000u64 {
            let key = k.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            assert!(set.insert(key), "{k}");
            assert!(!set.insert(key), "{k}");
        }
        assert_eq!(set.len(), 1000);
        // Keys that share their top bits probe on to the next free slot.
        let mut clash = KeySet::with_capacity(8);
        assert!(clash.insert(1 << 60) && clash.insert((1 << 60) + 1));
        assert!(!clash.insert(1 << 60) && !clash.insert((1 << 60) + 1));
        assert_eq!(clash.len(), 2);
    }
}
