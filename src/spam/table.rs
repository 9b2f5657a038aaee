//! The model's in-memory table of feature counts, keyed by the feature's 64-bit hash. Open
//! addressing with linear probing over one array of 16-byte slots (key, spam, ham): a
//! look-up while scoring reads one cache line, where a general hash map reads a control
//! byte and then its slot, two cache misses in a table far larger than the cache. When each
//! feature was last trained, which only training and pruning read, is kept in an array of
//! its own beside the slots.

/// One feature's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub spam: u32,
    pub ham: u32,
    /// The training step that last touched it, for pruning.
    pub seen: u32,
}

impl Counts {
    /// Messages trained with this feature, of either kind.
    pub fn total(&self) -> u32 {
        self.spam.saturating_add(self.ham)
    }
}

/// One slot: a key of 0 marks it empty (a feature whose key is 0 is stored as 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Slot {
    key: u64,
    spam: u32,
    ham: u32,
}

/// The table grows when it would be fuller than this (in eighths): probes stay short.
const MAX_LOAD_EIGHTHS: usize = 6;

#[derive(Debug, Clone, Default)]
pub struct Table {
    slots: Vec<Slot>,
    /// `seen[i]` is the training step that last touched `slots[i]`.
    seen: Vec<u32>,
    len: usize,
}

/// The stored form of a key: never 0, which marks an empty slot.
fn stored(key: u64) -> u64 {
    key.max(1)
}

impl Table {
    /// A table that holds `n` features before it grows.
    pub fn with_capacity(n: usize) -> Table {
        if n == 0 {
            return Table::default();
        }
        let slots = (n * 8)
            .div_ceil(MAX_LOAD_EIGHTHS)
            .next_power_of_two()
            .max(16);
        Table {
            slots: vec![Slot::default(); slots],
            seen: vec![0; slots],
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Slots allocated, used or not.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Bytes held per slot: the slot and its last-trained step.
    pub const SLOT_BYTES: usize = std::mem::size_of::<Slot>() + std::mem::size_of::<u32>();

    /// The first slot a key probes: its top bits (the key is a hash already).
    fn home(&self, key: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        // The shift leaves `bits` bits, so the index is below the slot count.
        (key >> (64 - bits)) as usize
    }

    fn next(&self, i: usize) -> usize {
        (i + 1) & (self.slots.len() - 1)
    }

    /// Where the key is, or the empty slot where it would go; `None` if the table has no
    /// slots. The load bound guarantees an empty slot, so the probe ends.
    fn probe(&self, key: u64) -> Option<(usize, bool)> {
        if self.slots.is_empty() {
            return None;
        }
        let mut i = self.home(key);
        loop {
            match self.slots[i].key {
                0 => return Some((i, false)),
                k if k == key => return Some((i, true)),
                _ => i = self.next(i),
            }
        }
    }

    fn find(&self, key: u64) -> Option<usize> {
        self.probe(stored(key))
            .and_then(|(i, found)| found.then_some(i))
    }

    /// A feature's spam and ham counts: what scoring reads, one slot and nothing else.
    pub fn votes(&self, key: u64) -> Option<(u32, u32)> {
        self.find(key)
            .map(|i| (self.slots[i].spam, self.slots[i].ham))
    }

    /// A feature's counts, with when it was last trained.
    pub fn get(&self, key: u64) -> Option<Counts> {
        self.find(key).map(|i| self.counts_at(i))
    }

    fn counts_at(&self, i: usize) -> Counts {
        Counts {
            spam: self.slots[i].spam,
            ham: self.slots[i].ham,
            seen: self.seen[i],
        }
    }

    /// Makes room for `more` features beyond those held.
    pub fn reserve(&mut self, more: usize) {
        let needed = self.len + more;
        if needed * 8 > self.slots.len() * MAX_LOAD_EIGHTHS {
            self.rebuild(needed.max(self.slots.len()));
        }
    }

    /// Sets a feature's counts, adding it if new.
    pub fn insert(&mut self, key: u64, counts: Counts) {
        let i = self.slot_for(key);
        self.set(i, counts);
    }

    /// Changes a feature's counts in place, adding it (at zero) if new; a feature left at
    /// zero of both kinds is removed.
    pub fn update(&mut self, key: u64, change: impl FnOnce(&mut Counts)) {
        let i = self.slot_for(key);
        let mut c = self.counts_at(i);
        change(&mut c);
        if c.spam == 0 && c.ham == 0 {
            self.remove_at(i);
        } else {
            self.set(i, c);
        }
    }

    fn set(&mut self, i: usize, c: Counts) {
        self.slots[i].spam = c.spam;
        self.slots[i].ham = c.ham;
        self.seen[i] = c.seen;
    }

    /// The slot holding `key`, claimed (at zero) if it was not there.
    fn slot_for(&mut self, key: u64) -> usize {
        self.reserve(1);
        let key = stored(key);
        // `reserve` left at least one slot, so the probe finds one.
        let (i, found) = self.probe(key).unwrap_or((0, false));
        if !found {
            self.slots[i] = Slot {
                key,
                spam: 0,
                ham: 0,
            };
            self.seen[i] = 0;
            self.len += 1;
        }
        i
    }

    /// Empties slot `i` and shifts back the slots after it that probed past it, so that
    /// every key stays reachable from its home slot (deletion without tombstones).
    fn remove_at(&mut self, mut i: usize) {
        self.slots[i] = Slot::default();
        self.len -= 1;
        let mut j = self.next(i);
        while self.slots[j].key != 0 {
            let home = self.home(self.slots[j].key);
            // Slot j may move to the hole at i unless its home lies cyclically in (i, j].
            let stays = if i <= j {
                i < home && home <= j
            } else {
                i < home || home <= j
            };
            if !stays {
                self.slots[i] = self.slots[j];
                self.seen[i] = self.seen[j];
                self.slots[j] = Slot::default();
                i = j;
            }
            j = self.next(j);
        }
    }

    /// Every feature's key and counts, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, Counts)> + '_ {
        (0..self.slots.len())
            .filter(|i| self.slots[*i].key != 0)
            .map(|i| (self.slots[i].key, self.counts_at(i)))
    }

    /// Keeps the features for which `keep` holds, in place: the others are emptied, then
    /// each survivor moves to the first free slot from its home. Walked in order from an
    /// empty slot, that slot is never past where the survivor already is, so every key
    /// stays reachable and nothing is allocated.
    pub fn retain(&mut self, mut keep: impl FnMut(&Counts) -> bool) {
        for i in 0..self.slots.len() {
            if self.slots[i].key != 0 && !keep(&self.counts_at(i)) {
                self.slots[i] = Slot::default();
                self.len -= 1;
            }
        }
        // The load bound keeps at least one slot empty.
        let Some(start) = self.slots.iter().position(|s| s.key == 0) else {
            return;
        };
        let mask = self.slots.len() - 1;
        for step in 1..self.slots.len() {
            let i = (start + step) & mask;
            let slot = self.slots[i];
            if slot.key == 0 {
                continue;
            }
            self.slots[i] = Slot::default();
            if let Some((j, _)) = self.probe(slot.key) {
                self.slots[j] = slot;
                self.seen[j] = self.seen[i];
            }
        }
    }

    fn rebuild(&mut self, capacity: usize) {
        let old = std::mem::replace(self, Table::with_capacity(capacity));
        for (k, c) in old.iter() {
            self.insert(k, c);
        }
    }
}

/// Two tables are equal when they hold the same features with the same counts, whatever
/// their sizes or the order the features came in.
impl PartialEq for Table {
    fn eq(&self, other: &Table) -> bool {
        self.len == other.len && self.iter().all(|(k, c)| other.get(k) == Some(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(spam: u32, ham: u32) -> Counts {
        Counts { spam, ham, seen: 7 }
    }

    /// Keys that all share their top bits, so they probe into one run of slots.
    fn clashing(n: u64) -> Vec<u64> {
        (1..=n).map(|i| (0xabu64 << 56) | i).collect()
    }

    #[test]
    fn inserted_features_are_found_and_others_are_not() {
        let mut t = Table::default();
        assert_eq!(t.votes(42), None);
        for k in 0..5000u64 {
            t.insert(k.wrapping_mul(0x9e37_79b9_7f4a_7c15), c(k as u32, 1));
        }
        assert_eq!(t.len(), 5000);
        for k in 0..5000u64 {
            let key = k.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            assert_eq!(t.votes(key), Some((k as u32, 1)), "{k}");
            assert_eq!(t.get(key), Some(c(k as u32, 1)));
        }
        assert_eq!(t.get(12_345), None);
        assert!(t.len() * 8 <= t.capacity() * MAX_LOAD_EIGHTHS);
    }

    #[test]
    fn removing_from_a_run_of_clashing_keys_keeps_the_rest_reachable() {
        let keys = clashing(12);
        for gone in [0usize, 5, 11] {
            let mut t = Table::with_capacity(64);
            for (i, k) in keys.iter().enumerate() {
                t.insert(*k, c(i as u32 + 1, 0));
            }
            t.update(keys[gone], |c| c.spam = 0);
            assert_eq!(t.len(), 11);
            for (i, k) in keys.iter().enumerate() {
                let want = (i != gone).then_some((i as u32 + 1, 0));
                assert_eq!(t.votes(*k), want, "removed {gone}, looked for {i}");
            }
        }
    }

    #[test]
    fn runs_that_wrap_around_the_end_survive_removal() {
        // Top bits all ones: the home slot is the last one, so the run wraps to slot 0.
        let keys: Vec<u64> = (1..=6).map(|i| u64::MAX - i).collect();
        let mut t = Table::with_capacity(8);
        for k in &keys {
            t.insert(*k, c(1, 1));
        }
        t.update(keys[1], |c| {
            c.spam = 0;
            c.ham = 0;
        });
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.votes(*k).is_some(), i != 1, "{i}");
        }
    }

    #[test]
    fn a_key_of_zero_is_a_feature_like_any_other() {
        let mut t = Table::default();
        t.insert(0, c(3, 4));
        assert_eq!(t.votes(0), Some((3, 4)));
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn retain_and_equality_ignore_size_and_order() {
        let mut a = Table::default();
        let mut b = Table::with_capacity(10_000);
        for k in 1..=100u64 {
            a.insert(k << 40, c(k as u32, 0));
            b.insert((101 - k) << 40, c(101 - k as u32, 0));
        }
        assert_eq!(a, b);
        a.retain(|c| c.spam > 50);
        assert_eq!(a.len(), 50);
        assert_ne!(a, b);
        b.retain(|c| c.spam > 50);
        assert_eq!(a, b);
        for k in 51..=100u64 {
            assert_eq!(a.votes(k << 40), Some((k as u32, 0)));
        }
    }

    #[test]
    fn retain_keeps_survivors_of_a_clashing_run_reachable() {
        let keys = clashing(40);
        let mut t = Table::with_capacity(64);
        for (i, k) in keys.iter().enumerate() {
            t.insert(*k, c(i as u32 + 1, 0));
        }
        t.retain(|c| c.spam.is_multiple_of(3));
        assert_eq!(t.len(), 13);
        for (i, k) in keys.iter().enumerate() {
            let n = i as u32 + 1;
            assert_eq!(t.votes(*k), n.is_multiple_of(3).then_some((n, 0)), "{i}");
            assert_eq!(t.get(*k).map(|c| c.seen), n.is_multiple_of(3).then_some(7));
        }
    }
}
