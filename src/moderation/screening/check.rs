//! The spam defences' part of a submission: the form token, then the pure screening
//! (`abuse::screen`) over the lists in force. The duplicate check is one of the submission's
//! pre-checks (`store::prechecks`), backed by the unique fingerprint index.
use chrono::{DateTime, Utc};

use super::input::AuthorUrl;
use super::{ModerationError, NewComment};
use crate::abuse::{self, Finding, Lists, form_token};
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

/// What the spam defences found.
pub fn screen(new: &NewComment, cx: &Context<'_>, lists: &Lists) -> Vec<Finding> {
    let token = form_token::check(
        cx.keys,
        new.client.form_token.as_deref(),
        cx.site,
        new.uri.as_str(),
        cx.now,
        cx.spam.min_fill_secs,
        cx.spam.form_token_max_age_secs,
    );
    let submission = abuse::Submission {
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
    abuse::screen(&submission, lists, cx.spam.max_links, cx.now)
}

/// A unique-index violation on insert means an identical submission raced past the check.
pub fn duplicate_or_db(e: sea_orm::DbErr) -> ModerationError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ModerationError::Duplicate,
        _ => ModerationError::Db(e),
    }
}
