//! Moderator actions from the dashboard: one comment or a selection at once. Each
//! comment's change is its own transaction and audit row; every form POSTs, then 303.
use axum::extract::{Path, State};
use axum::response::Redirect;

use super::auth::{Posted, local_path};
use crate::http::AppState;
use crate::http::error::{AdminPage, ApiError};
use crate::moderation::input::CommentText;
use crate::moderation::{Action, Actor, ModerationError, ReplyAuthor};

/// What a button asks for: a status change or deletion.
#[derive(Clone, Copy)]
enum Verb {
    Status(Action),
    Delete,
}

impl Verb {
    fn parse(s: &str) -> Option<Verb> {
        match s {
            "delete" => Some(Verb::Delete),
            other => Action::parse(other).map(Verb::Status),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Verb::Status(a) => a.name(),
            Verb::Delete => "delete",
        }
    }

    async fn run(self, state: &AppState, actor: &Actor, id: i64) -> Result<(), ModerationError> {
        match self {
            Verb::Status(a) => state.moderation.act(actor, id, a).await.map(|_| ()),
            Verb::Delete => state.moderation.delete(actor, id).await.map(|_| ()),
        }
    }
}

/// The page to return to, with what happened for the notice.
pub fn back(form: &Posted, done: &str, n: usize) -> Redirect {
    let base = local_path(form.fields.get("back"), "/admin/");
    let kept: Vec<String> = base
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or_default()
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.starts_with("done=") && !kv.starts_with("n="))
        .map(str::to_owned)
        .collect();
    let path = base.split_once('?').map_or(base.as_str(), |(p, _)| p);
    let mut qs = kept;
    qs.push(format!("done={done}"));
    qs.push(format!("n={n}"));
    Redirect::to(&format!("{path}?{}", qs.join("&")))
}

fn verb(form: &Posted) -> Result<Verb, AdminPage> {
    form.fields
        .get("action")
        .and_then(Verb::parse)
        .ok_or_else(|| {
            AdminPage(ApiError::Invalid(
                "Choose approve, reject, spam or delete.".into(),
            ))
        })
}

pub async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: Posted,
) -> Result<Redirect, AdminPage> {
    let verb = verb(&form)?;
    verb.run(&state, &form.user.actor(), id).await?;
    let mut to = back(&form, verb.name(), 1);
    if matches!(verb, Verb::Delete)
        && form
            .fields
            .get("back")
            .is_some_and(|b| b.starts_with(&format!("/admin/comments/{id}")))
    {
        to = Redirect::to("/admin/?done=delete&n=1");
    }
    Ok(to)
}

pub async fn bulk(State(state): State<AppState>, form: Posted) -> Result<Redirect, AdminPage> {
    let ids: Vec<i64> = form
        .fields
        .all("ids")
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    if ids.is_empty() {
        return Ok(back(&form, "none", 0));
    }
    if let Some(what) = form
        .fields
        .get("action")
        .and_then(|a| a.strip_prefix("ban_"))
    {
        return super::ban::bulk(&state, &form, &ids, what).await;
    }
    let verb = verb(&form)?;
    let actor = form.user.actor();
    let mut done = 0;
    for id in ids.iter().copied() {
        match verb.run(&state, &actor, id).await {
            Ok(()) => done += 1,
            // Someone else got there first: skip it, report the rest.
            Err(ModerationError::NotFound | ModerationError::Deleted) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(back(&form, verb.name(), done))
}

fn text(form: &Posted) -> Result<CommentText, AdminPage> {
    CommentText::parse(&form.fields.text("text"))
        .map_err(|why| AdminPage(ApiError::Invalid(format!("The text {why}."))))
}

pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: Posted,
) -> Result<Redirect, AdminPage> {
    let text = text(&form)?;
    state.moderation.edit(&form.user.actor(), id, text).await?;
    Ok(back(&form, "edit", 1))
}

pub async fn reply(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: Posted,
) -> Result<Redirect, AdminPage> {
    let text = text(&form)?;
    let me = form.user.moderator();
    let author = ReplyAuthor {
        name: me.name.clone(),
        email: me.email.clone(),
    };
    state
        .moderation
        .reply_as_moderator(&form.user.actor(), &author, id, text)
        .await?;
    Ok(back(&form, "reply", 1))
}
