//! `POST /api/v1/privacy`: a commenter without an account asks for what is stored under
//! their address, or for its erasure. The answer is always 202 (JSON, or a page for the
//! no-JS form), whether or not anything is stored, so it tells nobody anything; a link to
//! confirm is mailed to the address. Limited per client address (`rate_limit.privacy_per_hour`).
use askama::Template;
use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::http::AppState;
use crate::http::error::{ApiError, ErrorBody, Page, html};
use crate::http::extract::{FormPage, Submitter, ValidatedForm, ValidatedJson, is_form};
use crate::http::limit;
use crate::moderation::FieldErrors;
use crate::moderation::input::AuthorEmail;
use entity::enums::PrivacyKind;

/// A privacy request.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
pub struct PrivacyRequest {
    /// The site id.
    #[serde(default)]
    #[validate(length(min = 1, max = 64, message = "is required (at most 64 characters)"))]
    #[schema(required = true, min_length = 1, max_length = 64)]
    pub site: String,
    /// The address the comments were written under; the confirmation link goes there.
    #[serde(default)]
    #[schema(required = true, format = "email", max_length = 254)]
    pub email: String,
    /// `export` (mail me a link to download it all) or `delete` (erase it all).
    #[serde(default)]
    #[schema(required = true, example = "export", pattern = "^(export|delete)$")]
    pub request: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PrivacyAccepted {
    /// Always `accepted`.
    pub status: &'static str,
    pub message: &'static str,
}

const SENT: &str = "A link to confirm the request is on its way to that address. Nothing \
                    happens until it is used, and it works for a limited time.";

/// What the domain takes: a configured site, a valid address, a known request.
pub struct Asked {
    pub site: String,
    pub email: AuthorEmail,
    pub kind: PrivacyKind,
}

impl TryFrom<(&PrivacyRequest, &crate::config::Config)> for Asked {
    type Error = ApiError;

    fn try_from((r, config): (&PrivacyRequest, &crate::config::Config)) -> Result<Asked, ApiError> {
        let mut fields = FieldErrors::new();
        let email = AuthorEmail::parse(&r.email)
            .map_err(|m| fields.insert("email".into(), vec![m]))
            .ok();
        let kind = PrivacyKind::parse(r.request.trim());
        if kind.is_none() {
            fields.insert("request".into(), vec!["must be export or delete".into()]);
        }
        let (Some(email), Some(kind)) = (email, kind) else {
            return Err(ApiError::Validation(fields));
        };
        let site = config.site(&r.site).ok_or(ApiError::UnknownSite)?;
        Ok(Asked {
            site: site.id.clone(),
            email,
            kind,
        })
    }
}

#[derive(Template)]
#[template(path = "privacy_form.html")]
pub struct PrivacyFormPage<'a> {
    pub site: &'a str,
    pub site_name: &'a str,
    pub email: &'a str,
    pub request: &'a str,
    pub errors: Vec<String>,
}

impl FormPage for PrivacyRequest {
    fn field_page(&self, state: &AppState, errors: FieldErrors) -> Response {
        let name = state
            .config
            .site(&self.site)
            .map_or("", |s| s.name.as_str());
        let page = PrivacyFormPage {
            site: &self.site,
            site_name: name,
            email: &self.email,
            request: &self.request,
            errors: errors
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.join("; ")))
                .collect(),
        };
        html(StatusCode::UNPROCESSABLE_ENTITY, page.render())
    }
}

/// Ask for an export or the erasure of what is stored under an address.
#[utoipa::path(
    post, path = "/api/v1/privacy", tag = "privacy",
    request_body(content(
        (PrivacyRequest = "application/json"),
        (PrivacyRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 202, description = "Accepted: a confirmation link is mailed if the address has anything stored", body = PrivacyAccepted),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "Unknown site", content((ErrorBody = "application/json"), (String = "text/html"))),
        (status = 415, description = "Unsupported content type", body = ErrorBody),
        (status = 422, description = "Invalid address or request (a form gets an HTML page)", content((ErrorBody = "application/json"), (String = "text/html"))),
        (status = 429, description = "Too many requests from this address (`rate_limited`)", body = ErrorBody),
    )
)]
pub async fn request(State(state): State<AppState>, req: Request) -> Response {
    let form = is_form(req.headers());
    let (mut parts, body) = req.into_parts();
    let Ok(Submitter(client)) =
        <Submitter as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut parts, &state,
        )
        .await;
    let req = Request::from_parts(parts, body);
    if form {
        let ValidatedForm(r) =
            match ValidatedForm::<PrivacyRequest>::from_request(req, &state).await {
                Ok(r) => r,
                Err(page) => return page,
            };
        return match ask(&state, &r, client.ip).await {
            Ok(()) => html(StatusCode::ACCEPTED, SentPage { message: SENT }.render()),
            Err(ApiError::Validation(f)) => r.field_page(&state, f),
            Err(e) => Page(e).into_response(),
        };
    }
    let ValidatedJson(r) = match ValidatedJson::<PrivacyRequest>::from_request(req, &state).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    match ask(&state, &r, client.ip).await {
        Ok(()) => (
            StatusCode::ACCEPTED,
            Json(PrivacyAccepted {
                status: "accepted",
                message: SENT,
            }),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

async fn ask(
    state: &AppState,
    r: &PrivacyRequest,
    ip: Option<std::net::IpAddr>,
) -> Result<(), ApiError> {
    let asked = Asked::try_from((r, &*state.config))?;
    limit::check_privacy(state, ip).await?;
    state
        .moderation
        .request_privacy(&asked.site, &asked.email, asked.kind)
        .await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "privacy_sent.html")]
struct SentPage {
    message: &'static str,
}
