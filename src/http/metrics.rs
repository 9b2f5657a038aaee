//! `GET /metrics` (Prometheus text format) and the layer that records every request by its
//! matched route pattern, never by its raw path, so the label set stays bounded.
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
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

/// Records the request's route, method, status class and latency.
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    // Folded into a fixed set by `Metrics::request`; only the string is copied here.
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let res = next.run(req).await;
    let seconds = started.elapsed().as_secs_f64();
    metrics.request(&route, &method, res.status().as_u16(), seconds);
    res
}
