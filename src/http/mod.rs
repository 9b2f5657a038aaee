//! The only module that speaks HTTP: the router, its layers, extractors, error mapping,
//! and the surfaces (JSON API, HTML pages).
pub mod admin;
pub mod api;
pub mod assets;
mod body_limit;
pub mod cacheable;
pub mod client;
mod edge;
pub mod embed;
pub mod error;
pub mod extract;
pub mod feeds;
pub mod isso;
pub mod limit;
pub mod metrics;
pub mod privacy;
pub mod render;
pub mod serve;
pub mod subscriptions;
pub mod wordpress;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::cors::{AllowCredentials, AllowOrigin, CorsLayer};

pub use crate::state::AppState;
use error::ApiError;

pub fn router(state: AppState) -> Router {
    let api = api::routers();
    let cfg = &state.config;
    let cors = cors(cfg);

    Router::new()
        .merge(api.public)
        .merge(api.admin)
        .merge(admin::router())
        .merge(api::openapi_route(api.openapi))
        .merge(embed::router())
        .merge(subscriptions::router())
        .merge(wordpress::router())
        .merge(isso::router())
        .merge(feeds::router())
        .merge(privacy::router())
        .merge(metrics::router(cfg.server.metrics))
        .route("/", get(embed::demo::demo))
        .route("/assets/page.css", get(embed::demo::page_css))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .fallback(|| async { ApiError::NoRoute })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        // Innermost: declared-size refusals, the handler's time limit and its metrics.
        .layer(axum::middleware::from_fn_with_state(
            edge::Inner {
                metrics: state.metrics.clone(),
                body_limit: cfg.server.body_limit_bytes,
                timeout: Duration::from_secs(cfg.server.request_timeout_secs),
            },
            edge::inner,
        ))
        .layer(DefaultBodyLimit::max(cfg.server.body_limit_bytes))
        .layer(cors)
        // Large bodies (threads, scripts) are compressed for clients that ask; small ones
        // are not worth the CPU.
        .layer(
            CompressionLayer::new()
                .compress_when(DefaultPredicate::new().and(SizeAbove::new(1024))),
        )
        // Outermost: the request id and span, security headers and the shared-cache policy.
        .layer(axum::middleware::from_fn_with_state(
            edge::RequestIds::new(),
            edge::outer,
        ))
        .with_state(state)
}

/// Browsers on the sites' own origins may call the public API; nobody else, and never the
/// moderator API or the dashboard. Isso's client (`/isso/{site}/`) sends its credentials (the
/// edit cookie), so there each site's own origins alone are allowed, with credentials.
fn cors(cfg: &crate::config::Config) -> CorsLayer {
    let serialise = |o: &url::Url| HeaderValue::from_str(&o.origin().ascii_serialization()).ok();
    let origins: Vec<HeaderValue> = cfg
        .sites
        .iter()
        .flat_map(|s| s.origins.iter())
        .filter_map(serialise)
        .collect();
    let by_site: Vec<(String, Vec<HeaderValue>)> = cfg
        .sites
        .iter()
        .map(|s| {
            (
                s.id.clone(),
                s.origins.iter().filter_map(serialise).collect(),
            )
        })
        .collect();
    let by_site = std::sync::Arc::new(by_site);
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, parts| {
            let path = parts.uri.path();
            if let Some(site) = isso::site_of(path) {
                return by_site
                    .iter()
                    .any(|(id, allowed)| id == site && allowed.contains(origin));
            }
            path.starts_with("/api/")
                && !path.starts_with("/api/v1/admin")
                && origins.contains(origin)
        }))
        .allow_credentials(AllowCredentials::predicate(|_, parts| {
            isso::site_of(parts.uri.path()).is_some()
        }))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([header::CONTENT_TYPE])
        .expose_headers([header::DATE, HeaderName::from_static("x-set-cookie")])
        .max_age(Duration::from_secs(3600))
}

/// Percent-encodes one query-string value.
pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
