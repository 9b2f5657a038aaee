//! The JSON API under `/api/v1`, and its OpenAPI document, generated from the handlers
//! themselves so that the document and the routes cannot drift apart. Handlers stay thin:
//! they never query the database or decide policy; the domain services do.
pub mod abuse;
pub mod admin;
mod ban_schema;
pub mod comments;
pub mod outbox;
pub mod own;
pub mod paging;
pub mod privacy;
pub mod reads;
pub mod reports;
pub mod request;
pub mod submission;
pub mod threads;
pub mod views;

use axum::Json;
use axum::Router;
use axum::routing::get;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "replyd", description = "Self-hosted comment moderation service."),
    modifiers(&BearerAuth),
    components(schemas(super::error::ErrorBody, super::error::ErrorDetail))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The public and the moderator routers, with the OpenAPI document describing both.
pub struct ApiRouters {
    pub public: Router<AppState>,
    pub admin: Router<AppState>,
    pub openapi: utoipa::openapi::OpenApi,
}

pub fn routers() -> ApiRouters {
    let (public, public_doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(comments::submit, reads::thread))
        .routes(routes!(reads::counts))
        .routes(routes!(reads::form_token))
        .routes(routes!(own::edit_own, own::delete_own))
        .routes(routes!(privacy::request))
        .routes(routes!(reports::report))
        .split_for_parts();
    let (admin, admin_doc) = OpenApiRouter::new()
        .routes(routes!(admin::list))
        .routes(routes!(admin::show, admin::edit, admin::delete))
        .routes(routes!(admin::approve))
        .routes(routes!(admin::reject))
        .routes(routes!(admin::spam))
        .routes(routes!(admin::audit))
        .routes(routes!(outbox::list))
        .routes(routes!(outbox::retry))
        .merge(abuse::routes())
        // Moderation after publication: closing pages, pinning comments.
        .routes(routes!(threads::close))
        .routes(routes!(threads::open))
        .routes(routes!(threads::pin))
        .routes(routes!(threads::unpin))
        .routes(routes!(reports::list))
        .routes(routes!(reports::dismiss))
        .split_for_parts();
    let mut openapi = public_doc;
    openapi.merge(admin_doc);
    ApiRouters {
        public,
        admin,
        openapi,
    }
}

/// Serves the OpenAPI document as JSON.
pub fn openapi_route(doc: utoipa::openapi::OpenApi) -> Router<AppState> {
    let doc = std::sync::Arc::new(doc);
    Router::new().route(
        "/api/v1/openapi.json",
        get(move || {
            let doc = doc.clone();
            async move { Json(doc.as_ref().clone()) }
        }),
    )
}
