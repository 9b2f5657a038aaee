//! Retry delays: capped exponential backoff with jitter. Pure, so it is tested alone.
use std::time::Duration;

/// The delay before retry number `attempt` (1 = first retry). The exponential delay
/// `base * 2^(attempt-1)`, capped at `cap`, is then spread over its upper half by `jitter`
/// (0.0..1.0), so that mails failing together do not all come back together.
pub fn delay(attempt: u32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let exp = attempt.saturating_sub(1).min(32);
    let full = base.saturating_mul(1u32 << exp.min(31)).min(cap);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    full / 2 + full.mul_f64(jitter / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Duration = Duration::from_secs(30);
    const CAP: Duration = Duration::from_secs(3600);

    #[test]
    fn delays_double_per_attempt() {
        assert_eq!(delay(1, BASE, CAP, 1.0), Duration::from_secs(30));
        assert_eq!(delay(2, BASE, CAP, 1.0), Duration::from_secs(60));
        assert_eq!(delay(3, BASE, CAP, 1.0), Duration::from_secs(120));
    }

    #[test]
    fn delays_never_exceed_the_cap_even_for_huge_attempt_counts() {
        assert_eq!(delay(12, BASE, CAP, 1.0), CAP);
        assert_eq!(delay(u32::MAX, BASE, CAP, 1.0), CAP);
    }

    #[test]
    fn jitter_spreads_over_the_upper_half() {
        assert_eq!(delay(2, BASE, CAP, 0.0), Duration::from_secs(30));
        assert_eq!(delay(2, BASE, CAP, 0.5), Duration::from_secs(45));
        assert_eq!(delay(2, BASE, CAP, 7.0), Duration::from_secs(60));
        assert_eq!(delay(2, BASE, CAP, f64::NAN), Duration::from_secs(30));
    }

    #[test]
    fn attempt_zero_is_treated_as_the_first() {
        assert_eq!(delay(0, BASE, CAP, 1.0), BASE);
    }
}
