//! `GET /metrics` (Prometheus text format). Requests are recorded by `edge::inner`, by their
//! matched route pattern, never by their raw path, so the label set stays bounded.
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::http::AppState;
use crate::metrics::Metrics;

/// The `/metrics` route, when `[server] metrics` is on. It carries no CORS headers (CORS
/// only covers `/api/`) and no authentication: it is meant to be firewalled.
pub fn router(enabled: bool) -> Router<AppState> {
    if enabled {
        Router::new().route("/metrics", get(scrape))
    } else {
        Router::new()
    }
}

async fn scrape(State(state): State<AppState>) -> Response {
    if let Err(e) = state.metrics.refresh_depths(&state.db).await {
        // The depths keep their last value; the rest of the metrics are still worth having.
        tracing::warn!(error = %e, "could not read queue depths for /metrics");
    }
    let (entries, bytes) = state.moderation.threads().usage();
    state.metrics.set_cache_usage(entries, bytes);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, Metrics::CONTENT_TYPE)],
        state.metrics.render(),
    )
        .into_response()
}
