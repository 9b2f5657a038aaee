//! Process metrics in one registry held in `AppState` (no global recorder): HTTP requests,
//! queue and outbox depth, mail failures, rate-limit refusals and cache hits. Knows nothing of
//! HTTP frameworks; `http::metrics` serves it and records requests.
use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use sea_orm::DbErr;

use crate::db::Db;

/// Request latency buckets, in seconds: 1 ms to 10 s.
const LATENCY_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PolicyLabels {
    policy: &'static str,
    /// `local` (this process's limiter) or `shared` (the Redis limit of all instances).
    scope: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    queue_pending: Gauge,
    outbox_pending: Gauge,
    outbox_dead: Gauge,
    mail_failures: Family<KindLabels, Counter>,
    mail_sent: Counter,
    rate_limited: Family<PolicyLabels, Counter>,
    shared_limit_unavailable: Counter,
    cache_hits: Counter,
    cache_misses: Counter,
    submission_batch: Histogram,
}

/// The app's metrics. Cheap to clone; every clone records into the same registry.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut r = Registry::with_prefix("replyd");
        let inner = Inner {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram as fn() -> Histogram),
            queue_pending: Gauge::default(),
            outbox_pending: Gauge::default(),
            outbox_dead: Gauge::default(),
            mail_failures: Family::default(),
            mail_sent: Counter::default(),
            rate_limited: Family::default(),
            shared_limit_unavailable: Counter::default(),
            cache_hits: Counter::default(),
            cache_misses: Counter::default(),
            submission_batch: Histogram::new([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]),
            registry: Registry::default(),
        };
        r.register(
            "http_requests",
            "HTTP requests by matched route, method and status class",
            inner.requests.clone(),
        );
        r.register(
            "http_request_duration_seconds",
            "HTTP request latency by matched route and method",
            inner.latency.clone(),
        );
        r.register(
            "moderation_queue_pending",
            "Comments waiting for moderation",
            inner.queue_pending.clone(),
        );
        r.register(
            "outbox_pending",
            "Mails waiting in the outbox (due or scheduled for a retry)",
            inner.outbox_pending.clone(),
        );
        r.register(
            "outbox_dead",
            "Mails given up (dead letters)",
            inner.outbox_dead.clone(),
        );
        r.register(
            "mail_send_failures",
            "Failed mail attempts by kind (temporary, permanent)",
            inner.mail_failures.clone(),
        );
        r.register(
            "mail_sent",
            "Mails handed to the mail server",
            inner.mail_sent.clone(),
        );
        r.register(
            "rate_limited",
            "Requests refused by a rate limit, by policy and scope (local, shared)",
            inner.rate_limited.clone(),
        );
        r.register(
            "shared_rate_limit_unavailable",
            "Checks that fell back to this instance's own limits because Redis did not answer",
            inner.shared_limit_unavailable.clone(),
        );
        r.register(
            "cache_hits",
            "Response cache hits",
            inner.cache_hits.clone(),
        );
        r.register(
            "cache_misses",
            "Response cache misses",
            inner.cache_misses.clone(),
        );
        r.register(
            "submission_batch_size",
            "Comments written by each submission transaction (group commit)",
            inner.submission_batch.clone(),
        );
        Metrics(Arc::new(Inner {
            registry: r,
            ..inner
        }))
    }

    /// One submission transaction that wrote `comments` comments.
    pub fn submission_batch(&self, comments: usize) {
        self.0.submission_batch.observe(comments as f64);
    }

    /// One answered HTTP request. `route` is the matched route pattern, never the raw path.
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let status = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        let (route, method) = (route.to_owned(), method.to_owned());
        self.0
            .latency
            .get_or_create(&RouteLabels {
                route: route.clone(),
                method: method.clone(),
            })
            .observe(seconds);
        self.0
            .requests
            .get_or_create(&RequestLabels {
                route,
                method,
                status,
            })
            .inc();
    }

    /// Reads the moderation queue and outbox depths (three indexed COUNTs) into the gauges.
    pub async fn refresh_depths(&self, db: &Db) -> Result<(), DbErr> {
        use entity::enums::CommentStatus;
        use entity::{comment, outbox};
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let queue = comment::Entity::find()
            .filter(comment::Column::Status.eq(CommentStatus::Pending))
            .count(&db.reader)
            .await?;
        let in_state = |state: &'static str| {
            outbox::Entity::find()
                .filter(outbox::Column::State.eq(state))
                .count(&db.reader)
        };
        let pending = in_state("pending").await?;
        let dead = in_state("dead").await?;
        self.set_depths(queue, pending, dead);
        Ok(())
    }

    /// Sets the depth gauges.
    pub fn set_depths(&self, queue_pending: u64, outbox_pending: u64, outbox_dead: u64) {
        let g = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.0.queue_pending.set(g(queue_pending));
        self.0.outbox_pending.set(g(outbox_pending));
        self.0.outbox_dead.set(g(outbox_dead));
    }

    /// A mail attempt that failed: `temporary` (will be retried) or `permanent`.
    pub fn mail_failure(&self, kind: &'static str) {
        self.0
            .mail_failures
            .get_or_create(&KindLabels { kind })
            .inc();
    }

    pub fn mail_sent(&self) {
        self.0.mail_sent.inc();
    }

    /// A request refused by `policy`, in this process (`shared = false`) or across instances.
    pub fn rate_limited(&self, policy: &'static str, shared: bool) {
        let scope = if shared { "shared" } else { "local" };
        self.0
            .rate_limited
            .get_or_create(&PolicyLabels { policy, scope })
            .inc();
    }

    /// A check that could not reach Redis and used only this instance's limits.
    pub fn shared_limit_unavailable(&self) {
        self.0.shared_limit_unavailable.inc();
    }

    /// A response served from the cache.
    pub fn cache_hit(&self) {
        self.0.cache_hits.inc();
    }

    /// A response the cache did not hold.
    pub fn cache_miss(&self) {
        self.0.cache_misses.inc();
    }

    /// The registry in the Prometheus text format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) =
            prometheus_client::encoding::prometheus_text::encode(&mut out, &self.0.registry)
        {
            tracing::warn!(error = %e, "could not encode metrics");
        }
        out
    }

    /// The `Content-Type` of [`Metrics::render`].
    pub const CONTENT_TYPE: &'static str =
        prometheus_client::encoding::prometheus_text::CONTENT_TYPE;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_requests_by_route_and_status_class_and_the_cache_counters() {
        let m = Metrics::new();
        m.request("/api/v1/comments", "POST", 201, 0.003);
        m.request("/api/v1/comments", "POST", 429, 0.001);
        m.cache_hit();
        m.cache_miss();
        m.cache_miss();
        let text = m.render();
        assert!(
            text.contains(
                "replyd_http_requests_total{route=\"/api/v1/comments\",method=\"POST\",status=\"2xx\"} 1"
            ),
            "{text}"
        );
        assert!(text.contains("status=\"4xx\"} 1"), "{text}");
        assert!(text.contains("replyd_cache_hits_total 1"), "{text}");
        assert!(text.contains("replyd_cache_misses_total 2"), "{text}");
        assert!(
            text.contains("replyd_http_request_duration_seconds_count{route=\"/api/v1/comments\",method=\"POST\"} 2"),
            "{text}"
        );
    }
}
