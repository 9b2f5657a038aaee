//! The pure rules of screening: one comment plus the lists in force in, findings out. Each
//! finding says what it does (hold or spam) and why, so moderators see every decision
//! explained. No I/O, no clock reads: the caller passes `now`.
use std::net::IpAddr;

use chrono::{DateTime, Utc};

use super::bans::{Ban, BanTarget};
use super::form_token::TokenCheck;
use super::words::{first_match, fold};
use crate::moderation::markdown::count_links;
use crate::moderation::verdict::Finding;

/// The word lists (already case-folded) and the bans in force.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    pub moderation_words: Vec<String>,
    pub disallowed_words: Vec<String>,
    pub bans: Vec<Ban>,
}

impl Lists {
    /// Is this (normalised) email, or its domain, under a ban in force at `now`? Mail never
    /// goes to banned authors.
    pub fn email_banned(&self, email_norm: &str, now: DateTime<Utc>) -> bool {
        self.bans
            .iter()
            .any(|b| b.active_at(now) && b.matches(email_norm, None, None))
    }
}

/// What the pipeline looks at.
#[derive(Debug, Clone)]
pub struct Submission<'a> {
    pub name: &'a str,
    /// Lower-cased.
    pub email: &'a str,
    pub url: Option<&'a str>,
    pub text: &'a str,
    pub ip: Option<IpAddr>,
    /// `Keys::address_hash` of `ip`, computed by the caller so the pipeline stays pure.
    pub ip_hash: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    /// The hidden form field people leave empty.
    pub honeypot: Option<&'a str>,
    pub token: TokenCheck,
}

/// Runs every check and returns what fired, spam findings first.
pub fn screen(
    s: &Submission<'_>,
    lists: &Lists,
    max_links: usize,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(hp) = s.honeypot.map(str::trim).filter(|v| !v.is_empty()) {
        let shown: String = hp.chars().take(40).collect();
        out.push(Finding::spam(
            "honeypot",
            format!("the hidden field people leave empty was filled in ({shown:?})"),
        ));
    }
    for ban in lists.bans.iter().filter(|b| b.active_at(now)) {
        if ban.matches(s.email, s.ip, s.ip_hash) {
            out.push(ban_finding(ban));
        }
    }
    let fields = fields(s);
    if let Some(f) = word_finding(&fields, &lists.disallowed_words, "disallowed_word") {
        out.push(f);
    }
    if let Some(f) = word_finding(&fields, &lists.moderation_words, "moderation_word") {
        out.push(f);
    }
    let links = count_links(s.text);
    if links >= max_links {
        out.push(Finding::hold(
            "too_many_links",
            format!("{links} links (a comment with {max_links} or more is held)"),
            0.5,
        ));
    }
    if let Some(f) = token_finding(s.token) {
        out.push(f);
    }
    out
}

fn ban_finding(ban: &Ban) -> Finding {
    let mut detail = match (&ban.target, &ban.label) {
        (BanTarget::AddressHash(_), Some(label)) => format!("banned {label}"),
        (BanTarget::AddressHash(_), None) => "banned address".to_owned(),
        (t, _) => format!(
            "banned {} {}",
            t.kind().as_str().replace('_', " "),
            t.value()
        ),
    };
    if !ban.reason.is_empty() {
        detail.push_str(&format!(" ({})", ban.reason));
    }
    Finding::spam(&format!("banned_{}", ban.target.kind().as_str()), detail)
}

/// The searched fields, case-folded, with their names.
fn fields(s: &Submission<'_>) -> [(&'static str, String); 6] {
    [
        ("text", fold(s.text)),
        ("name", fold(s.name)),
        ("email", fold(s.email)),
        ("website", s.url.map(fold).unwrap_or_default()),
        ("address", s.ip.map(|ip| ip.to_string()).unwrap_or_default()),
        ("user agent", s.user_agent.map(fold).unwrap_or_default()),
    ]
}

fn word_finding(fields: &[(&str, String)], words: &[String], rule: &str) -> Option<Finding> {
    if words.is_empty() {
        return None;
    }
    // One pass per word over all fields at once; NUL cannot occur in a field or a word, so
    // no match spans two fields. Only a hit pays for finding which field it was in.
    let all = fields
        .iter()
        .map(|(_, v)| v.as_str())
        .collect::<Vec<_>>()
        .join("\0");
    let word = first_match(&all, words)?;
    let field = fields
        .iter()
        .find(|(_, v)| v.contains(word))
        .map_or("comment", |(name, _)| *name);
    let detail = format!("{word:?} in the {field}");
    Some(if rule == "disallowed_word" {
        Finding::spam(rule, detail)
    } else {
        Finding::hold(rule, detail, 0.8)
    })
}

fn token_finding(t: TokenCheck) -> Option<Finding> {
    let (rule, detail, score) = match t {
        TokenCheck::Valid | TokenCheck::NotCarried => return None,
        TokenCheck::Missing => (
            "form_token_missing",
            "sent without the form's token".to_owned(),
            0.5,
        ),
        TokenCheck::Forged => (
            "form_token_forged",
            "the form token was not made by this server for this page".to_owned(),
            0.8,
        ),
        TokenCheck::TooFast { elapsed_ms } => (
            "form_token_too_fast",
            format!(
                "sent {:.1} s after the form was served",
                elapsed_ms as f64 / 1000.0
            ),
            0.7,
        ),
        TokenCheck::Expired { age_secs } => (
            "form_token_expired",
            format!("the form was served {} hours ago", age_secs / 3600),
            0.3,
        ),
    };
    Some(Finding::hold(rule, detail, score))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::moderation::verdict::Verdict;
    use entity::enums::BanKind;

    fn clean<'a>() -> Submission<'a> {
        Submission {
            name: "Ada",
            email: "ada@example.org",
            url: None,
            text: "A thoughtful comment with https://one.example",
            ip: "192.0.2.7".parse().ok(),
            ip_hash: Some("hash-of-192.0.2.7"),
            user_agent: Some("Firefox"),
            honeypot: Some(""),
            token: TokenCheck::Valid,
        }
    }

    fn rules(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.reason.rule.as_str()).collect()
    }

    fn lists() -> Lists {
        Lists {
            moderation_words: vec![fold("Crypto"), fold("192.0.2.")],
            disallowed_words: vec![fold("ВИАГРА")],
            bans: vec![Ban {
                id: 1,
                target: BanTarget::parse(BanKind::EmailDomain, "spam.example")
                    .unwrap_or_else(|e| panic!("{e}")),
                reason: String::new(),
                label: None,
                expires_at: None,
            }],
        }
    }

    #[test]
    fn a_clean_comment_has_no_findings() {
        assert!(screen(&clean(), &Lists::default(), 2, Utc::now()).is_empty());
    }

    #[test]
    fn every_check_explains_itself() {
        let s = Submission {
            email: "x@spam.example",
            text: "Cheap виагра and crypto at https://a.example and www.b.example",
            honeypot: Some("http://bot.example"),
            token: TokenCheck::TooFast { elapsed_ms: 800 },
            ..clean()
        };
        let f = screen(&s, &lists(), 2, Utc::now());
        assert_eq!(
            rules(&f),
            [
                "honeypot",
                "banned_email_domain",
                "disallowed_word",
                "moderation_word",
                "too_many_links",
                "form_token_too_fast"
            ]
        );
        assert_eq!(f[2].verdict, Verdict::Spam);
        assert_eq!(f[2].reason.detail, "\"виагра\" in the text");
        assert_eq!(f[3].verdict, Verdict::Hold);
        assert_eq!(f[5].reason.detail, "sent 0.8 s after the form was served");
    }

    #[test]
    fn an_address_hash_ban_names_its_comment_not_the_hash() {
        let mut l = Lists::default();
        l.bans.push(Ban {
            id: 2,
            target: BanTarget::AddressHash("hash-of-192.0.2.7".into()),
            reason: String::new(),
            label: Some("address of comment #4 (prefix 192.0.2.0/24)".into()),
            expires_at: None,
        });
        let f = screen(&clean(), &l, 2, Utc::now());
        assert_eq!(rules(&f), ["banned_address_hash"]);
        assert_eq!(f[0].verdict, Verdict::Spam);
        assert_eq!(
            f[0].reason.detail,
            "banned address of comment #4 (prefix 192.0.2.0/24)"
        );
        let other = Submission {
            ip_hash: Some("another"),
            ..clean()
        };
        assert!(screen(&other, &l, 2, Utc::now()).is_empty());
    }

    #[test]
    fn the_client_address_is_searched_and_expired_bans_skipped() {
        let mut l = lists();
        l.moderation_words = vec![fold("192.0.2.")];
        l.bans[0].expires_at = Some(Utc::now() - chrono::Duration::seconds(1));
        let s = Submission {
            email: "x@spam.example",
            ..clean()
        };
        let f = screen(&s, &l, 2, Utc::now());
        assert_eq!(rules(&f), ["moderation_word"]);
        assert_eq!(f[0].reason.detail, "\"192.0.2.\" in the address");
    }
}
