//! First run: while no moderator exists, `replyd serve` logs a signed, expiring link to
//! this page, which creates the first admin and signs them in. Once any moderator exists
//! the link stops working.
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::auth::{AnonForm, SESSION_COOKIE, anonymous_token, set_cookie};
use super::render::{Chrome, render};
use super::views::SetupPage;
use crate::http::AppState;
use crate::http::error::{AdminPage, ApiError};
use crate::team::{FirstAdmin, TeamError};

/// The page for a forged, expired or spent link.
fn closed() -> AdminPage {
    TeamError::SetupClosed.into()
}

fn page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    typed: (String, String),
    error: Option<String>,
) -> Response {
    let (csrf, set) = anonymous_token(state, headers);
    let mut res = render(
        status,
        &SetupPage {
            chrome: Chrome::anonymous(csrf),
            email: typed.0,
            name: typed.1,
            error,
        },
    );
    if let Some(c) = set {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

pub async fn form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AdminPage> {
    if !state.team.setup_open(&token).await? {
        return Err(closed());
    }
    Ok(page(
        &state,
        &headers,
        StatusCode::OK,
        Default::default(),
        None,
    ))
}

pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    AnonForm(f): AnonForm,
) -> Result<Response, AdminPage> {
    let admin = FirstAdmin {
        email: f.get("email").unwrap_or_default(),
        name: f.get("name").unwrap_or_default(),
        password: f.get("password").unwrap_or_default(),
    };
    let id = match state.team.set_up_first_admin(&token, admin).await {
        Ok(id) => id,
        Err(TeamError::SetupClosed) => return Err(closed()),
        Err(e) => match AdminPage::from(e) {
            AdminPage(ApiError::Invalid(why)) => {
                let typed = (f.text("email"), f.text("name"));
                return Ok(page(
                    &state,
                    &headers,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    typed,
                    Some(why),
                ));
            }
            other => return Err(other),
        },
    };
    let mut res = Redirect::to("/admin/").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, Some(&id)),
    );
    Ok(res)
}
