//! Banning authors from the queue: one comment's "Ban email", "Ban address" or "Ban
//! network" buttons, and the same for a bulk selection. The domain does each comment in
//! one transaction (bans, audit rows, optional spam); every form POSTs, then 303.
use axum::extract::{Path, State};
use axum::response::Redirect;

use super::actions::back;
use super::auth::{Fields, Posted};
use crate::http::AppState;
use crate::http::error::{AdminPage, ApiError};
use crate::moderation::{AuthorBan, BanWhat, ModerationError};

/// The durations offered in the dashboard's select, in days; empty means for ever.
pub const DURATIONS: [(&str, &str); 4] = [
    ("", "Forever"),
    ("1", "1 day"),
    ("7", "7 days"),
    ("30", "30 days"),
];

/// Reads the duration select (`name`) as seconds; `None` is for ever.
pub fn duration(fields: &Fields, name: &str) -> Result<Option<u64>, AdminPage> {
    match fields.get(name).unwrap_or_default() {
        "" | "forever" => Ok(None),
        d => match DURATIONS.iter().find(|(v, _)| *v == d) {
            Some((v, _)) => Ok(v.parse::<u64>().ok().map(|days| days * 86_400)),
            None => Err(AdminPage(ApiError::Invalid(
                "Choose how long the ban lasts from the list.".into(),
            ))),
        },
    }
}

fn parse_what(s: Option<&str>) -> Result<BanWhat, AdminPage> {
    s.and_then(BanWhat::parse).ok_or_else(|| {
        AdminPage(ApiError::Invalid(
            "Choose to ban the email, address or network.".into(),
        ))
    })
}

/// `POST /admin/comments/{id}/ban`: one of the ban buttons on a comment.
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: Posted,
) -> Result<Redirect, AdminPage> {
    let what = parse_what(form.fields.get("ban"))?;
    let ban = AuthorBan {
        duration_secs: duration(&form.fields, "duration")?,
        reason: form.fields.text("reason"),
        mark_spam: form.fields.get("spam") == Some("1"),
    };
    state
        .moderation
        .ban_author(&form.user.actor(), id, what, &ban)
        .await?;
    Ok(back(&form, &format!("ban_{}", what.name()), 1))
}

/// A bulk action `ban_email` / `ban_address` / `ban_network`: bans each selected
/// comment's author and marks the comment as spam.
pub async fn bulk(
    state: &AppState,
    form: &Posted,
    ids: &[i64],
    what: &str,
) -> Result<Redirect, AdminPage> {
    let what = parse_what(Some(what))?;
    let ban = AuthorBan {
        duration_secs: duration(&form.fields, "ban_for")?,
        reason: String::new(),
        mark_spam: true,
    };
    let actor = form.user.actor();
    let mut done = 0;
    for id in ids.iter().copied() {
        match state.moderation.ban_author(&actor, id, what, &ban).await {
            Ok(_) => done += 1,
            // Gone meanwhile, or nothing of that kind recorded: skip it, report the rest.
            Err(ModerationError::NotFound | ModerationError::Deleted) => {}
            Err(ModerationError::Invalid(f)) if f.contains_key("ban") => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(back(form, &format!("ban_{}", what.name()), done))
}
