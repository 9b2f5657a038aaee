//! The proof first-time moderation asks of a returning commenter: a signed "returning
//! commenter" token, handed to the browser that posted a comment and bound to the site and
//! the author's normalised email. It proves something only once the comment it names is
//! approved, so typing a known email proves nothing, and neither does a token for a comment
//! of one's own that was never approved.
use chrono::{DateTime, Duration, Utc};

use crate::keys::Keys;
use crate::keys::token::{Field, Purpose, SignedToken};

/// How long a returning-commenter token is good for.
pub const VALID_FOR: Duration = Duration::days(365);

/// The token for `comment_id`, posted on `site` as `email_norm`: `ID.EXPIRES.v1.TAG`.
pub fn token(
    keys: &Keys,
    site: &str,
    email_norm: &str,
    comment_id: i64,
    now: DateTime<Utc>,
) -> String {
    SignedToken::new(Purpose::Returning, now + VALID_FOR)
        .int(comment_id)
        .sign(keys, &[site, email_norm])
}

/// The comment a token names, when it is a valid, unexpired token for this site and email;
/// whether that comment is approved is the store's question.
pub fn claimed_comment(
    keys: &Keys,
    site: &str,
    email_norm: &str,
    text: Option<&str>,
    now: DateTime<Utc>,
) -> Option<i64> {
    let text = text.filter(|t| !t.is_empty())?;
    let t = SignedToken::verify(keys, Purpose::Returning, &[site, email_norm], text, now).ok()?;
    match t.fields() {
        [Field::Int(id)] => Some(*id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::from_secret(b"0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn a_token_proves_its_comment_for_its_site_and_email_only() {
        let now = Utc::now();
        let t = token(&keys(), "blog", "ada@example.org", 42, now);
        let read = |site, email, at| claimed_comment(&keys(), site, email, Some(&t), at);
        assert_eq!(read("blog", "ada@example.org", now), Some(42));
        assert_eq!(read("news", "ada@example.org", now), None, "another site");
        assert_eq!(read("blog", "bob@example.org", now), None, "another email");
        assert_eq!(
            read("blog", "ada@example.org", now + VALID_FOR),
            None,
            "expired"
        );
        assert_eq!(
            claimed_comment(&keys(), "blog", "ada@example.org", None, now),
            None
        );
        let edit = crate::moderation::own::edit_token(&keys(), 42, now + VALID_FOR);
        let other_purpose = claimed_comment(&keys(), "blog", "ada@example.org", Some(&edit), now);
        assert_eq!(other_purpose, None, "an edit token is no proof");
    }
}
