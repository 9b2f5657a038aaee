//! The one signed-token envelope behind every token replyd hands out: its text form, the
//! canonical check, the MAC and the expiry. What the fields mean is each caller's business;
//! this module must not know of comments, mail or HTTP.
//!
//! The text is `FIELD.FIELD....EXPIRES.v1.TAG`: the fields (integers in canonical decimal, or
//! words of `[a-z0-9_-]`), the expiry in unix seconds, the version, then the MAC as unpadded
//! base64url. The MAC covers the version, the purpose (never in the text), any bound context
//! (never in the text either) and the message. A text is read only when rebuilding it from
//! what was read gives the same bytes, so every token has exactly one spelling: no leading
//! zero, no `+`, no other base64 bits, no other case. That is what lets single use key on it.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::Keys;

const VERSION: &str = "v1";
/// An HMAC-SHA-256 tag.
const TAG_LEN: usize = 32;
/// Longer texts are refused unread; real tokens are far shorter.
const MAX_LEN: usize = 256;

/// What a token is for. It is part of the MAC and never part of the text, so a token made
/// for one purpose is forged for every other, whatever its fields say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The time trap in comment forms: [a layout word, issued at in ms], bound to the page.
    FormToken,
    /// A one-click moderation link in a mail: [comment id, action].
    OneClick,
    /// An author's proof that a comment is theirs: [comment id].
    OwnComment,
    /// An unsubscribe link: [subscriber id, scope].
    Unsubscribe,
    /// An address confirmation link: [subscriber id].
    Confirm,
    /// The first-run setup link: no fields.
    Setup,
    /// A privacy request's confirmation link: [request id, export or delete].
    Privacy,
    /// A returning commenter's proof: [comment id], bound to the site and the email.
    Returning,
}

impl Purpose {
    /// Every purpose, for tests that go through them all.
    #[cfg(test)]
    pub const ALL: [Purpose; 8] = [
        Purpose::FormToken,
        Purpose::OneClick,
        Purpose::OwnComment,
        Purpose::Unsubscribe,
        Purpose::Confirm,
        Purpose::Setup,
        Purpose::Privacy,
        Purpose::Returning,
    ];

    fn label(self) -> &'static str {
        match self {
            Purpose::FormToken => "replyd/form-token",
            Purpose::OneClick => "replyd/one-click",
            Purpose::OwnComment => "replyd/own-comment",
            Purpose::Unsubscribe => "replyd/mail-unsubscribe",
            Purpose::Confirm => "replyd/mail-confirm",
            Purpose::Setup => "replyd/admin-setup",
            Purpose::Privacy => "replyd/privacy-request",
            Purpose::Returning => "replyd/returning-commenter",
        }
    }

    /// The kinds of this purpose's fields, in order: the text of a token is read by it.
    fn shape(self) -> &'static [Kind] {
        match self {
            Purpose::FormToken => &[Kind::Word, Kind::Int],
            Purpose::OneClick | Purpose::Unsubscribe | Purpose::Privacy => &[Kind::Int, Kind::Word],
            Purpose::OwnComment | Purpose::Confirm | Purpose::Returning => &[Kind::Int],
            Purpose::Setup => &[],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Word,
}

/// One value a token carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Int(i64),
    /// Lowercase ASCII letters, digits, `_` and `-`; never empty.
    Word(String),
}

impl Field {
    fn kind(&self) -> Kind {
        match self {
            Field::Int(_) => Kind::Int,
            Field::Word(_) => Kind::Word,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token of this purpose's layout, or not spelled canonically.
    #[error("the token is malformed")]
    Malformed,
    #[error("the token's signature does not match")]
    Forged,
    #[error("the token has expired")]
    Expired,
}

/// A token's content: its purpose, its fields and when it expires. Made with [`new`] and
/// the field builders, turned into text with [`sign`], and read back with [`verify`].
///
/// [`new`]: SignedToken::new
/// [`sign`]: SignedToken::sign
/// [`verify`]: SignedToken::verify
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedToken {
    purpose: Purpose,
    fields: Vec<Field>,
    expires_at: i64,
}

impl SignedToken {
    /// A token for `purpose` that is valid before `expires_at` (to the second). Add the
    /// purpose's fields in order.
    pub fn new(purpose: Purpose, expires_at: DateTime<Utc>) -> SignedToken {
        SignedToken {
            purpose,
            fields: Vec::new(),
            expires_at: expires_at.timestamp(),
        }
    }

    pub fn int(mut self, value: i64) -> SignedToken {
        self.fields.push(Field::Int(value));
        self
    }

    /// Appends a word. One outside `[a-z0-9_-]+` makes a token that never verifies.
    pub fn word(mut self, word: impl Into<String>) -> SignedToken {
        self.fields.push(Field::Word(word.into()));
        self
    }

    pub fn purpose(&self) -> Purpose {
        self.purpose
    }

    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// Unix seconds; the token is valid strictly before.
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now.timestamp() >= self.expires_at
    }

    /// The canonical text, its MAC over `bound` as well. Verify with the same `bound`.
    pub fn sign(&self, keys: &Keys, bound: &[&str]) -> String {
        debug_assert!(fits(self.purpose.shape(), &self.fields), "{self:?}");
        let message = self.message();
        let tag = mac(keys, self.purpose, bound, &message)
            .finalize()
            .into_bytes();
        format!("{message}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    /// Reads `text` as a token for `purpose`, canonical and authentic, without looking at
    /// the clock (for callers whose notion of age is finer than the expiry).
    pub fn open(
        keys: &Keys,
        purpose: Purpose,
        bound: &[&str],
        text: &str,
    ) -> Result<SignedToken, TokenError> {
        let (token, message, tag) = parse(purpose, text)?;
        let expected = mac(keys, purpose, bound, &message).finalize().into_bytes();
        if !super::compare::same_bytes(&expected, &tag) {
            return Err(TokenError::Forged);
        }
        Ok(token)
    }

    /// Reads `text` as a token for `purpose`: canonical, then authentic, then unexpired.
    pub fn verify(
        keys: &Keys,
        purpose: Purpose,
        bound: &[&str],
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<SignedToken, TokenError> {
        let token = SignedToken::open(keys, purpose, bound, text)?;
        if token.is_expired(now) {
            return Err(TokenError::Expired);
        }
        Ok(token)
    }

    /// Everything but the tag: `FIELD....EXPIRES.v1`.
    fn message(&self) -> String {
        let mut out = String::new();
        for f in &self.fields {
            match f {
                Field::Int(i) => out.push_str(&i.to_string()),
                Field::Word(w) => out.push_str(w),
            }
            out.push('.');
        }
        out.push_str(&self.expires_at.to_string());
        out.push('.');
        out.push_str(VERSION);
        out
    }
}

/// Splits and reads `text` by the purpose's layout, then insists that the canonical text of
/// what was read is `text` itself, byte for byte. Returns the token, its message (the text
/// without the tag) and the tag.
fn parse(purpose: Purpose, text: &str) -> Result<(SignedToken, String, Vec<u8>), TokenError> {
    if text.len() > MAX_LEN {
        return Err(TokenError::Malformed);
    }
    let shape = purpose.shape();
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() != shape.len() + 3 {
        return Err(TokenError::Malformed);
    }
    let (values, rest) = parts.split_at(shape.len());
    // The version is checked with everything else: the canonical text spells it `v1`.
    let [expires, _version, tag_text] = rest else {
        return Err(TokenError::Malformed);
    };
    let fields = shape
        .iter()
        .zip(values)
        .map(|(kind, s)| read_field(*kind, s))
        .collect::<Option<Vec<_>>>()
        .ok_or(TokenError::Malformed)?;
    let expires_at = expires.parse().map_err(|_| TokenError::Malformed)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag_text)
        .map_err(|_| TokenError::Malformed)?;
    let token = SignedToken {
        purpose,
        fields,
        expires_at,
    };
    let message = token.message();
    let canonical = tag.len() == TAG_LEN
        && URL_SAFE_NO_PAD.encode(&tag) == *tag_text
        && text
            .strip_suffix(tag_text)
            .and_then(|m| m.strip_suffix('.'))
            == Some(message.as_str());
    if !canonical {
        return Err(TokenError::Malformed);
    }
    Ok((token, message, tag))
}

fn read_field(kind: Kind, s: &str) -> Option<Field> {
    match kind {
        Kind::Int => s.parse().ok().map(Field::Int),
        Kind::Word => is_word(s).then(|| Field::Word(s.to_owned())),
    }
}

fn is_word(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn fits(shape: &[Kind], fields: &[Field]) -> bool {
    shape.len() == fields.len()
        && shape.iter().zip(fields).all(|(k, f)| {
            *k == f.kind()
                && match f {
                    Field::Word(w) => is_word(w),
                    Field::Int(_) => true,
                }
        })
}

/// The MAC over the version, the purpose, the bound context and the message, each
/// length-prefixed so that no two different inputs feed the same bytes.
fn mac(keys: &Keys, purpose: Purpose, bound: &[&str], message: &str) -> Hmac<Sha256> {
    let mut m = keys.token.clone();
    put(&mut m, VERSION);
    put(&mut m, purpose.label());
    m.update(&len64(bound.len()));
    for b in bound {
        put(&mut m, b);
    }
    put(&mut m, message);
    m
}

fn put(m: &mut Hmac<Sha256>, s: &str) {
    m.update(&len64(s.len()));
    m.update(s.as_bytes());
}

fn len64(n: usize) -> [u8; 8] {
    u64::try_from(n).unwrap_or(u64::MAX).to_be_bytes()
}

#[cfg(test)]
#[path = "token_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "token_props.rs"]
mod props;
