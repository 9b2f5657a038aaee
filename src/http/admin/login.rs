//! Logging in and out. Logins are rate-limited per client address; an unknown email and a
//! wrong password get the same answer in about the same time.
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::auth::set_cookie;
use super::auth::{AnonForm, Posted, SESSION_COOKIE, anonymous_token, current, local_path};
use super::render::{Chrome, render};
use super::views::LoginPage;
use crate::http::AppState;
use crate::http::client::ClientIp;
use crate::http::error::{AdminPage, ApiError};
use crate::http::limit;

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    if current(&state, &headers).await {
        return Redirect::to(&local_path(q.next.as_deref(), "/admin/")).into_response();
    }
    login_page(
        &state,
        &headers,
        StatusCode::OK,
        String::new(),
        q.next,
        None,
    )
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    email: String,
    next: Option<String>,
    error: Option<&str>,
) -> Response {
    let (csrf, set) = anonymous_token(state, headers);
    let page = LoginPage {
        chrome: Chrome::anonymous(csrf),
        email,
        next: local_path(next.as_deref(), "/admin/"),
        error: error.map(str::to_owned),
    };
    let mut res = render(status, &page);
    if let Some(c) = set {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<AnonForm, Response>,
) -> Response {
    let AnonForm(fields) = match form {
        Ok(f) => f,
        Err(res) => return res,
    };
    let email = fields.text("email");
    if let Err(limited) = limit::check_login(&state, ip, &email).await {
        return AdminPage(ApiError::RateLimited(limited)).into_response();
    }
    let next = fields.get("next").map(str::to_owned);
    let found = match state.team.log_in(&email, &fields.text("password")).await {
        Ok(found) => found,
        Err(e) => return AdminPage::from(e).into_response(),
    };
    let Some(id) = found else {
        return login_page(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            email,
            next,
            Some("That email and password do not match an active moderator."),
        );
    };
    let mut res = Redirect::to(&local_path(next.as_deref(), "/admin/")).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, Some(&id)),
    );
    res
}

pub async fn logout(State(state): State<AppState>, form: Posted) -> Result<Response, AdminPage> {
    state.team.log_out(&form.user.cookie).await?;
    let mut res = Redirect::to("/admin/login").into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, set_cookie(&state, SESSION_COOKIE, None));
    Ok(res)
}
