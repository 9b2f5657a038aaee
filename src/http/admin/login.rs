//! Logging in and out. Logins are rate-limited per client address; an unknown email and a
//! wrong password get the same answer in about the same time.
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::Deserialize;

use super::auth::set_cookie;
use super::auth::{AnonForm, Posted, SESSION_COOKIE, anonymous_token, current, local_path};
use super::error::AdminError;
use super::render::{Chrome, render};
use super::views::LoginPage;
use crate::accounts;
use crate::http::AppState;
use crate::http::client::ClientIp;

/// Above this many tracked addresses, stale ones are dropped on the next check.
const TRIM_ABOVE: usize = 10_000;

/// Login attempts per client address (a keyed governor limiter, held in `AppState`).
#[derive(Clone)]
pub struct LoginLimiter(Arc<DefaultKeyedRateLimiter<IpAddr>>);

impl std::fmt::Debug for LoginLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginLimiter(..)")
    }
}

impl LoginLimiter {
    pub fn new(per_minute: u32) -> LoginLimiter {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        LoginLimiter(Arc::new(RateLimiter::keyed(Quota::per_minute(n))))
    }

    /// `Err(seconds to wait)` when this address has used up its attempts.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        if self.0.len() > TRIM_ABOVE {
            self.0.retain_recent();
        }
        self.0.check_key(&ip).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                + 1
        })
    }
}

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
    let key = ip.unwrap_or(IpAddr::from([0, 0, 0, 0]));
    if let Err(retry_after_secs) = state.login_limiter.check(key) {
        return AdminError::TooMany { retry_after_secs }.into_response();
    }
    let AnonForm(fields) = match form {
        Ok(f) => f,
        Err(res) => return res,
    };
    let email = fields.text("email");
    let next = fields.get("next").map(str::to_owned);
    let found =
        match accounts::authenticate(&state.db.reader, &email, &fields.text("password")).await {
            Ok(found) => found,
            Err(e) => return AdminError::from(e).into_response(),
        };
    let Some(moderator) = found else {
        return login_page(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            email,
            next,
            Some("That email and password do not match an active moderator."),
        );
    };
    let id = match state.sessions.create(moderator.id).await {
        Ok(id) => id,
        Err(e) => return AdminError::from(e).into_response(),
    };
    let mut res = Redirect::to(&local_path(next.as_deref(), "/admin/")).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, Some(&id)),
    );
    res
}

pub async fn logout(State(state): State<AppState>, form: Posted) -> Result<Response, AdminError> {
    state.sessions.end(&form.user.cookie).await?;
    let mut res = Redirect::to("/admin/login").into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, set_cookie(&state, SESSION_COOKIE, None));
    Ok(res)
}
