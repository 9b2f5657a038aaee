//! The canonical form of an email address: what makes two spellings of one mailbox count
//! as one wherever that matters to abuse (rate limits, the daily confirmation mail, email
//! bans). A leaf: it imports no other module of the service.
use sha2::{Digest, Sha256};

/// Longest address kept as it is; anything longer (never a valid address) is held as a
/// fixed-length digest, so a client cannot make a key of any size.
const MAX_KEPT: usize = 254;

/// Trimmed and lower-cased, without a `+tag` and without dots in the local part, so that
/// `Ada.L+news@Example.org` and `adal@example.org` are one mailbox. Over-long input becomes
/// `sha256:` and 64 hex digits.
pub fn canonical(email: &str) -> String {
    let e = email.trim().to_lowercase();
    let canonical = match e.rsplit_once('@') {
        Some((local, domain)) => {
            let local = local.split('+').next().unwrap_or(local).replace('.', "");
            format!("{local}@{domain}")
        }
        None => e,
    };
    if canonical.len() <= MAX_KEPT {
        return canonical;
    }
    format!(
        "sha256:{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    )
}

/// Without the `+tag` only (dots kept): what an email ban compares, so banning
/// `troll@example.org` also catches `troll+2@example.org`.
pub fn without_tag(email: &str) -> String {
    let e = email.trim().to_lowercase();
    match e.rsplit_once('@') {
        Some((local, domain)) => {
            let local = local.split('+').next().unwrap_or(local);
            format!("{local}@{domain}")
        }
        None => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_mailbox_are_one_key() {
        assert_eq!(canonical(" Ada.L+news@Example.ORG"), "adal@example.org");
        assert_eq!(canonical("adal@example.org"), "adal@example.org");
        assert_eq!(without_tag("Troll+2@Example.org"), "troll@example.org");
        assert_eq!(without_tag("t.roll@example.org"), "t.roll@example.org");
    }

    #[test]
    fn an_over_long_address_is_a_bounded_key() {
        let a = canonical(&format!("{}@example.org", "a".repeat(60 * 1024)));
        let b = canonical(&format!("{}@example.org", "b".repeat(60 * 1024)));
        assert_eq!(a.len(), 71);
        assert_ne!(a, b);
    }
}
