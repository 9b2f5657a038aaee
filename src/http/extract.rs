//! The front door's extractors: bodies read and validated (`ValidatedJson`, `ValidatedForm`),
//! who is submitting (`Submitter`) and numeric path ids (`IdPath`). Each turns failure into
//! the answer its surface gives: the JSON error shape, or an HTML page on the no-JS path.
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use validator::Validate;

use super::AppState;
use super::client::ClientIp;
use super::error::{ApiError, Page};
use crate::moderation::{ClientInfo, FieldErrors};

/// A JSON body, deserialised and validated. Failure is a 400 (unreadable), 413, 415 or
/// 422 with every bad field named.
pub struct ValidatedJson<T>(pub T);

impl<T> FromRequest<AppState> for ValidatedJson<T>
where
    T: DeserializeOwned + Validate,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let ctype = content_type(req.headers());
        if !(ctype.starts_with("application/json") || ctype.is_empty()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let body = Bytes::from_request(req, state).await?;
        if !body.trim_ascii_start().starts_with(b"{") {
            return Err(ApiError::Malformed("expected a JSON object".into()));
        }
        let value: T =
            serde_json::from_slice(&body).map_err(|e| ApiError::Malformed(e.to_string()))?;
        value
            .validate()
            .map_err(|e| ApiError::Validation(field_errors(&e)))?;
        Ok(ValidatedJson(value))
    }
}

/// A form that can show itself again with what was typed and what was wrong with it.
pub trait FormPage {
    /// The 422 page naming each bad field, with the form refilled.
    fn field_page(&self, state: &AppState, errors: FieldErrors) -> Response;
}

/// A URL-encoded form, deserialised and validated. Failure is an HTML page: the form again
/// with each bad field named, or an error page when the body cannot be read at all.
pub struct ValidatedForm<T>(pub T);

impl<T> FromRequest<AppState> for ValidatedForm<T>
where
    T: DeserializeOwned + Validate + FormPage,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| Page(ApiError::from(e)).into_response())?;
        // The form decoder would replace invalid UTF-8 with U+FFFD and store the result.
        if let Some(field) = invalid_utf8_field(&body) {
            let why = format!("the field {field:?} is not valid UTF-8");
            return Err(Page(ApiError::Malformed(why)).into_response());
        }
        let form: T = serde_urlencoded::from_bytes(&body)
            .map_err(|e| Page(ApiError::Malformed(e.to_string())).into_response())?;
        if let Err(e) = form.validate() {
            return Err(form.field_page(state, field_errors(&e)));
        }
        Ok(ValidatedForm(form))
    }
}

/// The name (lossily shown) of the first key or value of a URL-encoded body whose
/// percent-decoded bytes are not UTF-8, if any.
pub fn invalid_utf8_field(body: &[u8]) -> Option<String> {
    body.split(|b| *b == b'&').find_map(|pair| {
        let mut kv = pair.splitn(2, |b| *b == b'=');
        let key = decode(kv.next().unwrap_or_default());
        let value = decode(kv.next().unwrap_or_default());
        let bad = std::str::from_utf8(&key).is_err() || std::str::from_utf8(&value).is_err();
        bad.then(|| String::from_utf8_lossy(&key).into_owned())
    })
}

/// Percent-decodes one form component (`+` is a space); a malformed escape stays as is.
fn decode(raw: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let escaped = (raw[i] == b'%')
            .then(|| Some(hex(*raw.get(i + 1)?)? * 16 + hex(*raw.get(i + 2)?)?))
            .flatten();
        match (raw[i], escaped) {
            (_, Some(byte)) => {
                out.push(u8::try_from(byte).unwrap_or(b'?'));
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (b, None) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Whether a request carries the no-JS form's content type.
pub fn is_form(headers: &HeaderMap) -> bool {
    content_type(headers).starts_with("application/x-www-form-urlencoded")
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// validator's errors as the field map of the 422 shape.
fn field_errors(errors: &validator::ValidationErrors) -> FieldErrors {
    errors
        .field_errors()
        .into_iter()
        .map(|(field, errs)| {
            let msgs = errs
                .iter()
                .map(|e| e.message.as_deref().unwrap_or("is not valid").to_owned())
                .collect();
            (field.to_string(), msgs)
        })
        .collect()
}

/// Who is submitting: the client address (through trusted proxies) and user agent. The
/// raw address is used for hashing and screening by the domain, then dropped.
#[derive(Debug, Clone)]
pub struct Submitter(pub ClientInfo);

impl FromRequestParts<AppState> for Submitter {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ClientIp(ip) = ClientIp::from_request_parts(parts, state).await?;
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(Submitter(ClientInfo {
            ip,
            user_agent,
            ..ClientInfo::default()
        }))
    }
}

/// A numeric `{id}` path segment; anything else is a 404 in the usual error shape.
pub struct IdPath(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(id) = Path::<i64>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        Ok(IdPath(id))
    }
}

#[cfg(test)]
mod tests {
    use super::invalid_utf8_field;

    #[test]
    fn invalid_utf8_in_any_component_is_found() {
        assert_eq!(invalid_utf8_field(b"site=blog&text=caf%C3%A9+ok"), None);
        assert_eq!(
            invalid_utf8_field(b"site=blog&uri=%2Fa%FF"),
            Some("uri".into())
        );
        assert_eq!(invalid_utf8_field(b"a%FE=1"), Some("a\u{fffd}".into()));
        assert_eq!(
            invalid_utf8_field(b"text=100%25&x=%"),
            None,
            "a bare % is no escape"
        );
    }
}

#[cfg(test)]
#[path = "extract_props.rs"]
mod props;
