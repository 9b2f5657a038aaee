//! A new comment at the front door, as one extractor: the JSON body or the no-JS form, read
//! and validated, converted into the domain's `NewComment`, and checked against the rate
//! limits. Limits are checked only once a submission passed that cheap validation, so a
//! flood of invalid posts cannot spend a page's or a site's quota.
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};

use super::request::{CommentForm, CommentRequest};
use crate::http::AppState;
use crate::http::error::{ApiError, Page};
use crate::http::extract::{Submitter, ValidatedForm, ValidatedJson, is_form};
use crate::http::limit;
use crate::moderation::NewComment;

/// A comment ready for the domain, and which surface it came from.
pub enum Incoming {
    Json(NewComment),
    /// The no-JS form, kept to refill it or to know where to go back to.
    Form(NewComment, Box<CommentForm>),
}

impl FromRequest<AppState> for Incoming {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let Ok(submitter) = Submitter::from_request_parts(&mut parts, state).await;
        let form = is_form(&parts.headers);
        let req = Request::from_parts(parts, body);
        if form {
            let ValidatedForm(form) =
                ValidatedForm::<CommentForm>::from_request(req, state).await?;
            let new = NewComment::try_from((form.request(), submitter, &*state.config))
                .map_err(|e| form.refused(state, e))?;
            admit(state, &new)
                .await
                .map_err(|e| Page(e).into_response())?;
            return Ok(Incoming::Form(new, Box::new(form)));
        }
        let ValidatedJson(json) = ValidatedJson::<CommentRequest>::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let new = NewComment::try_from((json, submitter, &*state.config))
            .map_err(IntoResponse::into_response)?;
        admit(state, &new)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Incoming::Json(new))
    }
}

/// The rate limits of a valid submission: its address, its email, its page and its site.
async fn admit(state: &AppState, new: &NewComment) -> Result<(), ApiError> {
    limit::check_comment(state, new).await
}
