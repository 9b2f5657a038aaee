//! What every reader shares: where its pages go, what it skipped and why, how far it has
//! read, and the mapping from a source's links, websites and addresses to replyd's.
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use super::error::ReadError;
use crate::moderation::ImportedPage;
use crate::moderation::input::PageUri;

/// A reader's side of an import.
pub struct Reading<'a> {
    /// Import pingbacks and trackbacks as comments (`--with-pings`).
    pub with_pings: bool,
    /// Bytes (or records) read so far, for the progress bar.
    pub progress: Arc<AtomicU64>,
    /// Comments not imported, by reason.
    pub skipped: BTreeMap<String, usize>,
    emit: &'a mut (dyn FnMut(ImportedPage) -> bool + Send),
}

impl<'a> Reading<'a> {
    pub fn new(
        with_pings: bool,
        progress: Arc<AtomicU64>,
        emit: &'a mut (dyn FnMut(ImportedPage) -> bool + Send),
    ) -> Reading<'a> {
        Reading {
            with_pings,
            progress,
            skipped: BTreeMap::new(),
            emit,
        }
    }

    /// Hands a page on; fails when the importer has stopped listening.
    pub fn emit(&mut self, page: ImportedPage) -> Result<(), ReadError> {
        if (self.emit)(page) {
            Ok(())
        } else {
            Err(ReadError::Stopped)
        }
    }

    pub fn skip(&mut self, why: &str) {
        *self.skipped.entry(why.to_owned()).or_default() += 1;
    }
}

pub const PINGS: &str = "pingbacks and trackbacks (--with-pings imports them)";
pub const NOTES: &str = "editorial notes (WordPress `note` comments)";

/// The page of a link: its path and query (`/?p=123`), without host or fragment.
pub fn page_uri(link: &str) -> Option<PageUri> {
    let link = link.trim();
    let uri = match url::Url::parse(link) {
        Ok(u) if u.has_host() => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        },
        _ if link.starts_with('/') && !link.starts_with("//") => {
            let base = url::Url::parse("http://x.invalid").ok()?;
            let u = base.join(link).ok()?;
            match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_owned(),
            }
        }
        _ => return None,
    };
    PageUri::parse(&uri).ok()
}

/// A commenter's website, if it is one a page may link to (http or https, with a host).
pub fn website(s: &str) -> Option<String> {
    let s = s.trim();
    let u = url::Url::parse(s).ok()?;
    (matches!(u.scheme(), "http" | "https") && u.has_host() && !s.contains(char::is_whitespace))
        .then(|| s.to_owned())
}

/// A client address as sources write it (`203.0.113.9`, `2001:db8::1`, `[::1]`).
pub fn address(s: &str) -> Option<IpAddr> {
    s.trim().trim_matches(['[', ']']).parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_the_path_and_query_of_its_link() {
        let uri = |l: &str| page_uri(l).map(PageUri::into_inner);
        assert_eq!(
            uri("https://blog.example/2024/05/hello/").as_deref(),
            Some("/2024/05/hello/")
        );
        assert_eq!(
            uri("http://blog.example/?p=123#x").as_deref(),
            Some("/?p=123")
        );
        assert_eq!(uri("https://blog.example").as_deref(), Some("/"));
        assert_eq!(uri("/über uns/").as_deref(), Some("/%C3%BCber%20uns/"));
        assert_eq!(uri("mailto:x@example.org"), None);
        assert_eq!(uri(""), None);
    }

    #[test]
    fn only_web_addresses_are_websites() {
        assert!(website("https://ada.example/").is_some());
        assert!(website("javascript:alert(1)").is_none());
        assert!(website("ada.example").is_none());
        assert_eq!(address("[2001:db8::1]").map(|a| a.is_ipv6()), Some(true));
        assert!(address("unknown").is_none());
    }
}
