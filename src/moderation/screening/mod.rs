//! Screening: the spam and abuse checks every new comment passes before the moderation
//! decision. Word lists, bans, the honeypot, the form's time trap, the link count and the
//! duplicate fingerprint; the lists are kept in memory (`lists`) and managed by moderators
//! (`manage`). The checks are pure functions over a comment and the lists, so they are
//! unit-tested and cheap. Screening finds things; `policy` decides. It knows nothing of HTTP
//! or mail, and request rate limits are `limits`' business.
pub mod bans;
mod duplicate;
pub mod form_token;
pub mod lists;
mod manage;
mod rules;
mod store;
pub mod words;

use chrono::{DateTime, Utc};

pub use bans::{Ban, BanKind, BanTarget};
pub use duplicate::{
    duplicate_from_another_client, duplicate_key, duplicate_or_db, held_duplicate_key,
};
pub use form_token::TokenCheck;
pub use lists::ListsCache;
pub use manage::{BanRequest, MAX_BAN_SECS, NewBan, already_banned, insert_ban};
pub use rules::{Lists, Submission, screen as screen_submission};
pub use words::{RuleKind, fold};

use super::NewComment;
use super::input::AuthorUrl;
use super::verdict::Finding;
use crate::config::SpamConfig;
use crate::keys::Keys;

/// What the submission is checked against, besides the comment itself.
pub struct Context<'a> {
    pub keys: &'a Keys,
    pub spam: &'a SpamConfig,
    pub site: &'a str,
    pub email_norm: &'a str,
    /// The keyed hash of the client address, for exact-address bans.
    pub ip_hash: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// Whether a submission passed the cheap checks that let it spend the quotas everybody
/// shares (its page's and its site's): an empty honeypot and a valid form token (or a form
/// that cannot carry one). A submission that fails them is still screened and stored as
/// the policy says, but only its sender's quotas pay for it.
pub fn may_spend_shared_quota(
    new: &NewComment,
    keys: &Keys,
    spam: &SpamConfig,
    now: DateTime<Utc>,
) -> bool {
    if new
        .client
        .honeypot
        .as_deref()
        .is_some_and(|h| !h.trim().is_empty())
    {
        return false;
    }
    matches!(
        token_check(new, keys, spam, &new.site.id, now),
        TokenCheck::Valid | TokenCheck::NotCarried
    )
}

/// What the submission's form token says, for the page it names on `site`.
fn token_check(
    new: &NewComment,
    keys: &Keys,
    spam: &SpamConfig,
    site: &str,
    now: DateTime<Utc>,
) -> TokenCheck {
    match new.client.form {
        super::FormKind::Foreign if new.client.form_token.is_none() => TokenCheck::NotCarried,
        _ => form_token::check(
            keys,
            new.client.form_token.as_deref(),
            site,
            new.uri.as_str(),
            now,
            spam.min_fill_secs,
            spam.form_token_max_age_secs,
        ),
    }
}

/// What the spam defences found about a new comment: the form token, then the rules over
/// the lists in force.
pub fn screen(new: &NewComment, cx: &Context<'_>, lists: &Lists) -> Vec<Finding> {
    let token = token_check(new, cx.keys, cx.spam, cx.site, cx.now);
    let submission = Submission {
        name: new.author_name.as_str(),
        email: cx.email_norm,
        url: new.author_url.as_ref().map(AuthorUrl::as_str),
        text: new.text.as_str(),
        ip: new.client.ip,
        ip_hash: cx.ip_hash,
        user_agent: new.client.user_agent.as_deref(),
        honeypot: new.client.honeypot.as_deref(),
        token,
    };
    rules::screen(&submission, lists, cx.spam.max_links, cx.now)
}
