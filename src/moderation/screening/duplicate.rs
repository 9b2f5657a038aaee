//! Duplicates: the fingerprint that makes two comments the same, and reading a unique-index
//! violation on insert as one. The check itself is one of the submission's pre-checks
//! (`store::prechecks`), backed by the partial unique fingerprint index.
use sha2::{Digest, Sha256};

use crate::moderation::ModerationError;
use crate::moderation::verdict::Finding;

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

/// A fingerprint of its own for a duplicate from another client, which is held rather than
/// refused (refusing would confirm whose email wrote the first): random, so it never
/// collides with the original under the unique index.
pub fn held_duplicate_key(dup_key: &str) -> String {
    let salt = uuid::Uuid::new_v4();
    hex::encode(Sha256::digest(format!("{dup_key}:held:{salt}")))
}

/// Why such a duplicate is held.
pub fn duplicate_from_another_client() -> Finding {
    Finding::hold(
        "duplicate_from_another_client",
        "the same text under the same email was already posted here from another client",
        1.0,
    )
}

/// A unique-index violation on insert means an identical submission raced past the check.
pub fn duplicate_or_db(e: sea_orm::DbErr) -> ModerationError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ModerationError::Duplicate,
        _ => ModerationError::Db(e),
    }
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
