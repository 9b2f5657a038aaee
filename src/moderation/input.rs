//! Domain newtypes for what a commenter sends. Each holds only valid values; limits count
//! characters after trimming, and nothing is ever truncated.
use std::fmt;

/// A failed check, as the message shown beside the field.
pub type FieldError = String;

fn trimmed_chars(s: &str, min: usize, max: usize) -> Result<&str, FieldError> {
    let t = s.trim();
    let n = t.chars().count();
    if n == 0 && min > 0 {
        return Err("is required".into());
    }
    if n < min {
        return Err(format!("must be at least {min} characters"));
    }
    if n > max {
        return Err(format!("must be at most {max} characters (got {n})"));
    }
    Ok(t)
}

macro_rules! newtype {
    ($name:ident) => {
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_inner(self) -> String {
                self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

newtype!(AuthorName);
newtype!(AuthorEmail);
newtype!(AuthorUrl);
newtype!(CommentText);
newtype!(PageUri);
newtype!(PageTitle);

pub const NAME_MAX: usize = 100;
pub const EMAIL_MAX: usize = 254;
pub const URL_MAX: usize = 500;
pub const TEXT_MIN: usize = 2;
pub const TEXT_MAX: usize = 10_000;
pub const URI_MAX: usize = 2000;
pub const TITLE_MAX: usize = 300;

impl AuthorName {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let t = trimmed_chars(s, 1, NAME_MAX)?;
        if t.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        Ok(Self(t.to_owned()))
    }
}

impl AuthorEmail {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        if s.contains(['\r', '\n', '\0']) {
            return Err("must not contain line breaks or NUL".into());
        }
        let t = trimmed_chars(s, 1, EMAIL_MAX)?;
        if t.chars().any(|c| c.is_control() || c.is_whitespace())
            || !validator::ValidateEmail::validate_email(&t)
        {
            return Err("must be a valid email address".into());
        }
        Ok(Self(t.to_owned()))
    }

    /// The form used to compare addresses: the whole address lower-cased.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

impl AuthorUrl {
    /// An empty value means "no website".
    pub fn parse_optional(s: Option<&str>) -> Result<Option<Self>, FieldError> {
        let Some(t) = s.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let t = trimmed_chars(t, 1, URL_MAX)?;
        let parsed = url::Url::parse(t)
            .map_err(|_| FieldError::from("must be a valid http or https URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err("must be a valid http or https URL".into());
        }
        if t.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err("must not contain spaces or control characters".into());
        }
        Ok(Some(Self(t.to_owned())))
    }
}

impl AuthorUrl {
    /// As [`AuthorUrl::parse_optional`], but a website typed without a scheme
    /// (`example.org/me`) is `http://example.org/me`, as WordPress and Isso read it.
    pub fn parse_lenient(s: Option<&str>) -> Result<Option<Self>, FieldError> {
        match s.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) if !t.contains("://") => Self::parse_optional(Some(&format!("http://{t}"))),
            other => Self::parse_optional(other),
        }
    }
}

impl CommentText {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let t = trimmed_chars(s, TEXT_MIN, TEXT_MAX)?;
        if t.contains('\0') {
            return Err("must not contain NUL characters".into());
        }
        Ok(Self(t.to_owned()))
    }
}

impl PageUri {
    /// A site-relative path. It is appended to a configured origin, so it can never point
    /// anywhere else.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        if s.is_empty() {
            return Err("is required".into());
        }
        let n = s.chars().count();
        if n > URI_MAX {
            return Err(format!("must be at most {URI_MAX} characters (got {n})"));
        }
        if !s.starts_with('/') || s.starts_with("//") {
            return Err("must be a path starting with a single /".into());
        }
        if s.chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\' || c == '#')
        {
            return Err("must not contain spaces, control characters, \\ or #".into());
        }
        Ok(Self(s.to_owned()))
    }
}

impl PageTitle {
    pub fn parse_optional(s: Option<&str>) -> Result<Option<Self>, FieldError> {
        let Some(t) = s.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let t = trimmed_chars(t, 1, TITLE_MAX)?;
        if t.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        Ok(Some(Self(t.to_owned())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_characters_after_trimming() {
        assert!(AuthorName::parse(&format!("  {}  ", "é".repeat(100))).is_ok());
        assert!(AuthorName::parse(&"é".repeat(101)).is_err());
        assert!(AuthorName::parse("   ").is_err());
        assert!(CommentText::parse(" a ").is_err());
        assert!(CommentText::parse("ab").is_ok());
        assert!(CommentText::parse(&"😀".repeat(10_000)).is_ok());
        assert!(CommentText::parse(&"😀".repeat(10_001)).is_err());
    }

    #[test]
    fn emails_reject_header_breaking_characters() {
        assert!(AuthorEmail::parse("a@example.org").is_ok());
        assert!(AuthorEmail::parse("a@example.org\r\nBcc: x@y.z").is_err());
        assert!(AuthorEmail::parse("not-an-email").is_err());
        let email = |tld: &str| {
            format!(
                "{}@{}.{}.{}.{tld}",
                "a".repeat(64),
                "b".repeat(60),
                "c".repeat(60),
                "d".repeat(60)
            )
        };
        assert_eq!(email("eeeeee").len(), 254);
        assert!(AuthorEmail::parse(&email("eeeeee")).is_ok());
        assert!(AuthorEmail::parse(&email("eeeeeee")).is_err());
    }

    #[test]
    fn uris_are_paths_only() {
        assert!(PageUri::parse("/blog/post?id=3").is_ok());
        for bad in [
            "",
            "blog",
            "//evil.example",
            "https://evil.example/",
            "/a b",
            "/a#b",
            "/a\\b",
        ] {
            assert!(PageUri::parse(bad).is_err(), "{bad:?}");
        }
        assert!(PageUri::parse(&format!("/{}", "a".repeat(1999))).is_ok());
        assert!(PageUri::parse(&format!("/{}", "a".repeat(2000))).is_err());
    }

    #[test]
    fn urls_are_http_or_https() {
        assert!(AuthorUrl::parse_optional(Some("https://example.org")).is_ok());
        assert!(AuthorUrl::parse_optional(Some("")).ok().flatten().is_none());
        assert!(AuthorUrl::parse_optional(Some("javascript:alert(1)")).is_err());
        assert!(AuthorUrl::parse_optional(Some("ftp://example.org")).is_err());
        let lenient = |s| {
            AuthorUrl::parse_lenient(Some(s))
                .ok()
                .flatten()
                .map(AuthorUrl::into_inner)
        };
        assert_eq!(
            lenient("example.org/me").as_deref(),
            Some("http://example.org/me")
        );
        assert_eq!(
            lenient("https://example.org").as_deref(),
            Some("https://example.org")
        );
        assert!(AuthorUrl::parse_lenient(Some("javascript:alert(1)")).is_err());
        assert!(AuthorUrl::parse_lenient(Some(" ")).ok().flatten().is_none());
    }
}
