//! The spam defences' part of a submission, run inside the submit transaction: the
//! duplicate check, then the pure screening (`abuse::screen`) over the lists in force.
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::input::AuthorUrl;
use super::{ModerationError, NewComment};
use crate::abuse::{self, Finding, form_token};
use crate::config::SpamConfig;
use crate::keys::Keys;

/// What the submission is checked against, besides the comment itself.
pub struct Context<'a> {
    pub keys: &'a Keys,
    pub spam: &'a SpamConfig,
    pub site: &'a str,
    pub page_id: i64,
    pub email_norm: &'a str,
    /// The keyed hash of the client address, for exact-address bans.
    pub ip_hash: Option<&'a str>,
    pub dup_key: &'a str,
    pub now: DateTime<Utc>,
}

/// Refuses a duplicate; otherwise returns what the spam defences found.
pub async fn screen<C: ConnectionTrait>(
    tx: &C,
    new: &NewComment,
    cx: &Context<'_>,
) -> Result<Vec<Finding>, ModerationError> {
    if abuse::store::is_duplicate(tx, cx.page_id, cx.dup_key).await? {
        return Err(ModerationError::Duplicate);
    }
    let token = form_token::check(
        cx.keys,
        new.client.form_token.as_deref(),
        cx.site,
        new.uri.as_str(),
        cx.now,
        cx.spam.min_fill_secs,
        cx.spam.form_token_max_age_secs,
    );
    let lists = abuse::store::load_lists(tx, cx.now).await?;
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
    Ok(abuse::screen(
        &submission,
        &lists,
        cx.spam.max_links,
        cx.now,
    ))
}

/// A unique-index violation on insert means an identical submission raced past the check.
pub fn duplicate_or_db(e: sea_orm::DbErr) -> ModerationError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ModerationError::Duplicate,
        _ => ModerationError::Db(e),
    }
}
