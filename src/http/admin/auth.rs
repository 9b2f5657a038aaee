//! Who is asking: the session cookie, the signed-in extractor (admins-only variant too),
//! and CSRF checks for every POST. Signed-in forms carry a synchronizer token bound to the
//! session; anonymous forms (login, setup, one-click) carry a signed double-submit token
//! bound to a random cookie.
use crate::http::urlencode;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt;

use crate::http::AppState;
use crate::http::error::{AdminPage, ApiError};
use crate::moderation::Actor;
use crate::team::{Acting, Session};
use entity::moderator;

pub const SESSION_COOKIE: &str = "replyd_session";
const FORM_COOKIE: &str = "replyd_form";
const CSRF_PURPOSE: &str = "admin-csrf";
const FORM_PURPOSE: &str = "admin-form";

/// A request from a signed-in moderator.
pub struct SignedIn {
    pub session: Session,
    /// The session id from the cookie (needed to end it).
    pub cookie: String,
    /// This session's CSRF token, for the page's forms.
    pub csrf: String,
}

impl SignedIn {
    pub fn moderator(&self) -> &moderator::Model {
        &self.session.moderator
    }

    /// This moderator, as the team's rules see them.
    pub fn acting(&self) -> Acting {
        self.session.acting()
    }

    pub fn actor(&self) -> Actor {
        self.acting().actor()
    }
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value for the admin area. `None` as value clears the cookie.
pub fn set_cookie(state: &AppState, name: &str, value: Option<&str>) -> HeaderValue {
    let secure = if state.config.server.public_url.scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    let s = match value {
        Some(v) => format!("{name}={v}; Path=/admin; HttpOnly; SameSite=Strict{secure}"),
        None => format!("{name}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let found = match cookie(&parts.headers, SESSION_COOKIE) {
            Some(c) => state
                .team
                .session(&c)
                .await
                .map_err(|e| AdminPage::from(e).into_response())?
                .map(|s| (c, s)),
            None => None,
        };
        let Some((cookie, session)) = found else {
            // After logging in, come back to the page, never to a form's POST target.
            let next = if parts.method == axum::http::Method::GET {
                parts.uri.path_and_query().map(|p| p.as_str().to_owned())
            } else {
                None
            }
            .unwrap_or_else(|| "/admin/".into());
            let to = format!("/admin/login?next={}", urlencode(&next));
            return Err(Redirect::to(&to).into_response());
        };
        let csrf = state.keys.sign(CSRF_PURPOSE, &session.id_hash);
        Ok(SignedIn {
            session,
            cookie,
            csrf,
        })
    }
}

/// A request from a signed-in admin; moderators get 403.
pub struct AdminOnly(pub SignedIn);

impl FromRequestParts<AppState> for AdminOnly {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user = SignedIn::from_request_parts(parts, state).await?;
        if !user.acting().is_admin() {
            return Err(AdminPage(ApiError::Forbidden).into_response());
        }
        Ok(AdminOnly(user))
    }
}

/// The fields of a URL-encoded form, repeated names kept (for bulk selections).
#[derive(Debug, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_owned()
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    async fn read(req: Request, state: &AppState) -> Result<Fields, Response> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Fields(
            url::form_urlencoded::parse(&body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }
}

/// A POSTed form from a signed-in moderator whose CSRF token checked out.
pub struct Posted {
    pub user: SignedIn,
    pub fields: Fields,
}

impl FromRequest<AppState> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = SignedIn::from_request_parts(&mut parts, state).await?;
        let fields = Fields::read(Request::from_parts(parts, body), state).await?;
        let token = fields.get("csrf").unwrap_or_default();
        if !state
            .keys
            .verify(CSRF_PURPOSE, &user.session.id_hash, token)
        {
            return Err(AdminPage(ApiError::Csrf).into_response());
        }
        Ok(Posted { user, fields })
    }
}

/// The anonymous form token for a page, and the cookie to set when the browser has none.
pub fn anonymous_token(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    let existing = cookie(headers, FORM_COOKIE).filter(|c| c.len() == 22);
    let (nonce, set) = match existing {
        Some(n) => (n, None),
        None => {
            let raw: [u8; 16] = rand::rng().random();
            let n = URL_SAFE_NO_PAD.encode(raw);
            let set = set_cookie(state, FORM_COOKIE, Some(&n));
            (n, Some(set))
        }
    };
    (state.keys.sign(FORM_PURPOSE, &nonce), set)
}

/// A POSTed anonymous form whose double-submit token matches its cookie.
pub struct AnonForm(pub Fields);

impl FromRequest<AppState> for AnonForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let nonce = cookie(req.headers(), FORM_COOKIE).unwrap_or_default();
        let fields = Fields::read(req, state).await?;
        let token = fields.get("csrf").unwrap_or_default();
        if nonce.is_empty() || !state.keys.verify(FORM_PURPOSE, &nonce, token) {
            return Err(AdminPage(ApiError::Csrf).into_response());
        }
        Ok(AnonForm(fields))
    }
}

/// Whether the signed-in state exists without redirecting (for the login page).
pub async fn current(state: &AppState, headers: &HeaderMap) -> bool {
    match cookie(headers, SESSION_COOKIE) {
        Some(c) => matches!(state.team.session(&c).await, Ok(Some(_))),
        None => false,
    }
}

/// A safe place to go back to after a POST: a dashboard path, never another site.
pub fn local_path(back: Option<&str>, default: &str) -> String {
    match back {
        Some(b) if b.starts_with("/admin/") && !b.starts_with("//") && !b.contains('\\') => {
            b.to_owned()
        }
        _ => default.to_owned(),
    }
}
