//! Spam and abuse defences for new comments: word lists, bans, the honeypot, the form's
//! time trap and the duplicate fingerprint. The checks are pure functions over a comment and
//! the lists the store loaded, so they are unit-tested and cheap; this module knows nothing
//! of HTTP (request rate limits live in `http::rate_limit`).
pub mod bans;
pub mod error;
pub mod form_token;
pub mod lists_cache;
pub mod manage;
pub mod screen;
pub mod store;
pub mod words;

use sha2::{Digest, Sha256};

pub use bans::{Ban, BanKind, BanTarget};
pub use error::AbuseError;
pub use form_token::TokenCheck;
pub use lists_cache::ListsCache;
pub use screen::{Finding, Lists, Submission, Verdict, screen};
pub use words::{RuleKind, fold};

/// The fingerprint that makes two comments duplicates: same author email (normalised),
/// same parent, same text once runs of whitespace are collapsed. The page is a separate,
/// indexed column next to it. The parent is part of the key, as in WordPress: the same
/// short reply to two different comments is not a duplicate.
pub fn duplicate_key(email_norm: &str, parent_id: Option<i64>, text: &str) -> String {
    let mut h = Sha256::new();
    h.update(email_norm.as_bytes());
    h.update([0]);
    h.update(parent_id.unwrap_or(0).to_be_bytes());
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            h.update(b" ");
        }
        h.update(word.as_bytes());
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::duplicate_key;

    #[test]
    fn whitespace_does_not_make_a_comment_new() {
        let a = duplicate_key("a@x.org", None, "Nice  post,\n\nthanks!");
        assert_eq!(a, duplicate_key("a@x.org", None, " Nice post,\tthanks! "));
        assert_ne!(a, duplicate_key("a@x.org", None, "nice post, thanks!"));
        assert_ne!(a, duplicate_key("b@x.org", None, "Nice post, thanks!"));
        assert_ne!(a, duplicate_key("a@x.org", Some(4), "Nice post, thanks!"));
        assert_eq!(a.len(), 64);
    }
}
