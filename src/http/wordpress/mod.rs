//! WordPress's own comment form, unchanged but for its `action`:
//! `POST /wp/{site}/wp-comments-post.php` takes what `comment_form()` sends and answers as
//! WordPress does: a 302 back to the post with `#comment-N`, or an HTML page that names what
//! is wrong with a link back (409 for a duplicate, 429 with the wait). It is a second front
//! door beside `api::submission`: the same extractors, one `TryFrom` into `NewComment`, the
//! same limits, screening and moderation.
pub(super) mod form;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::{HeaderMap, header};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

pub use form::WpCommentForm;
use form::{WpSubmission, labelled};

use crate::config::SiteConfig;
use crate::http::AppState;
use crate::http::error::{ApiError, Page, PageBack};
use crate::http::extract::{Submitter, ValidatedForm};
use crate::http::limit;
use crate::moderation::{NewComment, Submitted};
use entity::enums::CommentStatus;

pub fn router() -> Router<AppState> {
    Router::new().route("/wp/{site}/wp-comments-post.php", post(submit))
}

/// Post a comment from WordPress's comment form.
async fn submit(State(state): State<AppState>, incoming: WpIncoming) -> Response {
    let WpIncoming { new, back, form } = incoming;
    match state.moderation.submit(new).await {
        // 302, as `wp_safe_redirect` answers.
        Ok(s) => found(&accepted(&state, &form, &s)),
        Err(e) => refused(ApiError::from(e), back),
    }
}

/// A comment from WordPress's form, its page and reply target found, validated, limited.
pub struct WpIncoming {
    pub new: NewComment,
    /// The page the form was on, for the error pages' "Back" link.
    pub back: String,
    pub form: Box<WpCommentForm>,
}

impl FromRequest<AppState> for WpIncoming {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let Ok(submitter) = Submitter::from_request_parts(&mut parts, state).await;
        let Path(site_id) = Path::<String>::from_request_parts(&mut parts, state)
            .await
            .map_err(|_| Page(ApiError::NoRoute).into_response())?;
        let site = state
            .config
            .site(&site_id)
            .ok_or_else(|| Page(ApiError::UnknownSite).into_response())?;
        let referer = referer_page(site, &parts.headers);
        let ValidatedForm(form) =
            ValidatedForm::<WpCommentForm>::from_request(Request::from_parts(parts, body), state)
                .await?;
        let fallback = referer.clone().map_or_else(
            || format!("{}/", site.home_origin()),
            |uri| format!("{}{uri}", site.home_origin()),
        );
        let uri = page_uri(state, site, &form, referer)
            .await
            .map_err(|e| refused(e, fallback.clone()))?;
        let back = format!("{}{uri}", site.home_origin());
        let parent_id = reply_target(state, site, &form)
            .await
            .map_err(|e| refused(e, back.clone()))?;
        let sub = WpSubmission {
            form: &form,
            site: &site.id,
            uri,
            parent_id,
        };
        let new = NewComment::try_from((sub, submitter, &*state.config))
            .map_err(|e| refused(e, back.clone()))?;
        limit::check_comment(state, &new)
            .await
            .map_err(|e| refused(e, back.clone()))?;
        Ok(WpIncoming {
            new,
            back,
            form: Box::new(form),
        })
    }
}

fn found(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(v) => (StatusCode::FOUND, [(header::LOCATION, v)]).into_response(),
        Err(_) => Page(ApiError::Internal(anyhow::anyhow!("unencodable redirect"))).into_response(),
    }
}

/// The error page WordPress's `wp_die()` would show, with every bad field named and a link
/// back to the post.
fn refused(e: ApiError, back: String) -> Response {
    let fields = e.fields().map(labelled).unwrap_or_default();
    PageBack {
        error: e,
        back,
        fields,
    }
    .into_response()
}

/// The page: the post imported from WordPress as `comment_post_ID`, or else the page the
/// form was sent from, when that is on one of the site's origins.
async fn page_uri(
    state: &AppState,
    site: &SiteConfig,
    form: &WpCommentForm,
    referer: Option<String>,
) -> Result<String, ApiError> {
    let post_id = form.post_id();
    if post_id > 0
        && let Some(page) = state
            .moderation
            .page_by_wp_post_id(&site.id, post_id)
            .await?
    {
        return Ok(page.uri);
    }
    referer.ok_or_else(|| {
        ApiError::Invalid(format!(
            "This comment form does not say which page of {} it belongs to: no post {post_id} \
             was imported from WordPress, and the form was not sent from one of the site's pages.",
            site.name
        ))
    })
}

/// The comment replied to: one imported from WordPress under that id, or else replyd's own
/// comment of that id. 0 is a new top-level comment.
async fn reply_target(
    state: &AppState,
    site: &SiteConfig,
    form: &WpCommentForm,
) -> Result<Option<i64>, ApiError> {
    let parent = form.parent();
    if parent == 0 {
        return Ok(None);
    }
    let imported = state.moderation.comment_by_wp_id(&site.id, parent).await?;
    Ok(Some(imported.unwrap_or(parent)))
}

/// WordPress's own query parameters that mark a visit, not a page.
const TRANSIENT: [&str; 3] = ["replytocom", "unapproved", "moderation-hash"];

/// The page of the `Referer`, when it is on one of the site's origins: its path and what is
/// left of its query once WordPress's reply and moderation markers are gone.
fn referer_page(site: &SiteConfig, headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let url = url::Url::parse(referer).ok()?;
    let origin = url.origin();
    if !site.origins.iter().any(|o| o.origin() == origin) {
        return None;
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !TRANSIENT.contains(&k.as_ref()) && !k.starts_with("replyd"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut uri = url.path().to_owned();
    if !kept.is_empty() {
        uri.push('?');
        uri.push_str(
            &url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(kept)
                .finish(),
        );
    }
    Some(uri)
}

/// Where WordPress sends the commenter: the post (or a `redirect_to` on the site's own
/// origin) with `#comment-N`; a held comment also carries `unapproved` and
/// `moderation-hash`, as WordPress adds them.
fn accepted(state: &AppState, form: &WpCommentForm, s: &Submitted) -> String {
    let Some(site) = state.config.site(&s.site) else {
        return format!("/#comment-{}", s.id);
    };
    let own = |to: &str| {
        url::Url::parse(to)
            .ok()
            .filter(|u| site.origins.iter().any(|o| o.origin() == u.origin()))
            .map(|mut u| {
                u.set_fragment(None);
                u.to_string()
            })
    };
    let base = form
        .redirect_to
        .as_deref()
        .and_then(own)
        .unwrap_or_else(|| format!("{}{}", site.home_origin(), s.uri));
    if s.status == CommentStatus::Approved {
        return format!("{base}#comment-{}", s.id);
    }
    let sep = if base.contains('?') { '&' } else { '?' };
    let hash = state
        .keys
        .sign("replyd/wp-moderation-hash", &s.id.to_string());
    let hash: String = hash
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .collect();
    format!(
        "{base}{sep}unapproved={}&moderation-hash={hash}#comment-{}",
        s.id, s.id
    )
}
