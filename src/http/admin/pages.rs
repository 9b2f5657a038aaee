//! The audit log (every moderator) and the moderators page (admins only).
use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::auth::{Posted, SignedIn};
use super::render::{Chrome, render};
use super::views::{AuditPage, AuditRow, Link, ModeratorRow, ModeratorsPage, iso, when};
use crate::http::AppState;
use crate::http::error::{AdminPage, ApiError};
use crate::team::NewModerator;
use entity::enums::{ActorKind, Role};

const AUDIT_PER_PAGE: u64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    page: Option<u64>,
    comment: Option<i64>,
}

/// Who acted, as a person reads it: a moderator by name, otherwise what kind of actor.
fn actor_label(kind: ActorKind, id: Option<i64>, names: &HashMap<i64, String>) -> String {
    match (kind, id) {
        (ActorKind::Moderator, Some(id)) => names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("Moderator #{id}")),
        (ActorKind::Token, Some(id)) => format!("API token #{id}"),
        (ActorKind::OneClick, _) => "One-click link from a mail".into(),
        (ActorKind::System, _) => "replyd".into(),
        (ActorKind::Cli, _) => "Command line".into(),
        _ => crate::moderation::audit::label(kind, id),
    }
}

pub async fn audit(
    State(state): State<AppState>,
    user: SignedIn,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AdminPage> {
    let page_no = q.page.unwrap_or(1).clamp(1, 100_000);
    let (rows, total) = state
        .moderation
        .audit_log(q.comment, (page_no - 1) * AUDIT_PER_PAGE, AUDIT_PER_PAGE)
        .await?;
    let names = state.team.names().await?;
    let rows: Vec<AuditRow> = rows
        .into_iter()
        .map(|r| AuditRow {
            when: when(r.created_at),
            when_iso: iso(r.created_at),
            actor: actor_label(r.actor_kind, r.actor_id, &names),
            action: r.action.replace('_', " "),
            comment_id: r.comment_id,
            change: match (r.from_status, r.to_status) {
                (Some(f), Some(t)) if f != t => format!("{} → {}", f.as_str(), t.as_str()),
                (None, Some(t)) => format!("→ {}", t.as_str()),
                (Some(f), None) => format!("{} → deleted", f.as_str()),
                _ => String::new(),
            },
        })
        .collect();
    let pager = audit_pager(page_no, total, q.comment);
    let summary = match q.comment {
        Some(c) => format!("{total} entries for comment #{c}."),
        None => format!("{total} entries."),
    };
    let view = AuditPage {
        chrome: Chrome::signed_in(&user, "audit"),
        rows,
        summary,
        pager,
    };
    Ok(render(StatusCode::OK, &view))
}

/// Links to newer and older audit entries, keeping the comment filter.
fn audit_pager(page_no: u64, total: u64, comment: Option<i64>) -> Vec<Link> {
    let filter = comment.map(|c| format!("&comment={c}")).unwrap_or_default();
    let link = |label: &str, n: u64| Link {
        label: label.to_owned(),
        href: format!("/admin/audit?page={n}{filter}"),
        current: false,
    };
    let mut pager = Vec::new();
    if page_no > 1 {
        pager.push(link("Newer entries", page_no - 1));
    }
    if page_no * AUDIT_PER_PAGE < total {
        pager.push(link("Older entries", page_no + 1));
    }
    pager
}

#[derive(Debug, Default, Deserialize)]
pub struct ModeratorsQuery {
    done: Option<String>,
}

async fn moderators_page(
    state: &AppState,
    user: &SignedIn,
    status: StatusCode,
    notice: String,
    error: Option<String>,
    typed: (String, String),
) -> Result<Response, AdminPage> {
    let rows = state
        .team
        .list(&user.acting())
        .await?
        .into_iter()
        .map(|m| ModeratorRow {
            id: m.id,
            is_me: m.id == user.moderator().id,
            name: m.name,
            email: m.email,
            role: if m.role == Role::Admin {
                "admin"
            } else {
                "moderator"
            },
            active: m.disabled_at.is_none(),
        })
        .collect();
    let view = ModeratorsPage {
        chrome: Chrome::signed_in(user, "moderators"),
        notice,
        error,
        rows,
        email: typed.0,
        name: typed.1,
    };
    Ok(render(status, &view))
}

pub async fn moderators(
    State(state): State<AppState>,
    user: SignedIn,
    Query(q): Query<ModeratorsQuery>,
) -> Result<Response, AdminPage> {
    let notice = match q.done.as_deref() {
        Some("added") => "Moderator added.",
        Some("deactivated") => "Moderator deactivated: their sessions ended.",
        Some("reactivated") => "Moderator reactivated.",
        _ => "",
    };
    moderators_page(
        &state,
        &user,
        StatusCode::OK,
        notice.into(),
        None,
        Default::default(),
    )
    .await
}

pub async fn add_moderator(
    State(state): State<AppState>,
    form: Posted,
) -> Result<Response, AdminPage> {
    let f = &form.fields;
    let role = if f.get("role") == Some("admin") {
        Role::Admin
    } else {
        Role::Moderator
    };
    let new = NewModerator {
        email: f.get("email").unwrap_or_default(),
        name: f.get("name").unwrap_or_default(),
        password: f.get("password").unwrap_or_default(),
        role,
    };
    match state.team.add(&form.user.acting(), new).await {
        Ok(_) => Ok(Redirect::to("/admin/moderators?done=added").into_response()),
        Err(e) => match AdminPage::from(e) {
            AdminPage(ApiError::Invalid(why)) => {
                let typed = (f.text("email"), f.text("name"));
                moderators_page(
                    &state,
                    &form.user,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    String::new(),
                    Some(why),
                    typed,
                )
                .await
            }
            other => Err(other),
        },
    }
}

pub async fn set_active(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: Posted,
) -> Result<Redirect, AdminPage> {
    let active = form.fields.get("active") == Some("1");
    state
        .team
        .set_active(&form.user.acting(), id, active)
        .await?;
    let done = if active { "reactivated" } else { "deactivated" };
    Ok(Redirect::to(&format!("/admin/moderators?done={done}")))
}
