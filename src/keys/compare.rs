//! The one comparison of secret bytes (MAC tags of CSRF tokens, signed tokens and limiter
//! tags): constant time, so how long a refusal takes says nothing of how much matched.
use subtle::ConstantTimeEq;

/// Whether `a` and `b` are the same bytes, in time that depends only on their lengths.
/// Lengths are not secret here (every tag is 32 bytes), so a length mismatch is `false`
/// at once.
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    #[cfg(test)]
    CALLS.with(|c| c.set(c.get() + 1));
    bool::from(a.ct_eq(b))
}

#[cfg(test)]
thread_local! {
    /// How often [`same_bytes`] ran on this thread: tests show a code path goes through it.
    pub static CALLS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// [`CALLS`] on this thread so far.
#[cfg(test)]
pub fn calls() -> usize {
    CALLS.with(std::cell::Cell::get)
}

#[cfg(test)]
mod tests {
    use super::same_bytes;

    #[test]
    fn equal_unequal_and_different_lengths() {
        assert!(same_bytes(b"", b""));
        assert!(same_bytes(&[7; 32], &[7; 32]));
        let mut other = [7u8; 32];
        for i in [0, 15, 31] {
            other[i] ^= 1;
            assert!(!same_bytes(&[7; 32], &other), "differs at {i}");
            other[i] ^= 1;
        }
        assert!(!same_bytes(&[7; 32], &[7; 31]), "a prefix is not equal");
        assert!(!same_bytes(&[7; 31], &[7; 32]));
        assert!(!same_bytes(b"", &[0]));
    }
}
