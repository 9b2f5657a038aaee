//! Process metrics in one registry held in `AppState` (no global recorder): HTTP requests,
//! queue and outbox depth, mail failures, rate-limit refusals and cache hits. Knows nothing of
//! HTTP frameworks; `http::metrics` serves it and records requests.
use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Metric, Registry};
use sea_orm::DbErr;

use crate::db::Db;

/// Request latency buckets, in seconds: 1 ms to 10 s.
const LATENCY_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: &'static str,
}

/// The methods a label may name; any other (a client can send any token) is `OTHER`, so
/// made-up methods cannot add series.
const METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE",
];

/// The label for a request method: one of [`METHODS`], or `OTHER`.
fn method_label(method: &str) -> &'static str {
    METHODS
        .into_iter()
        .find(|m| *m == method)
        .unwrap_or("OTHER")
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

/// Registers a clone of `metric` (the registry and the caller share its value) and returns it.
fn registered<M: Metric + Clone>(r: &mut Registry, name: &str, help: &str, metric: M) -> M {
    r.register(name, help, metric.clone());
    metric
}

/// Requests answered, by route, and how long they took.
struct HttpMetrics {
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
}

impl HttpMetrics {
    fn register(r: &mut Registry) -> Self {
        HttpMetrics {
            requests: registered(
                r,
                "http_requests",
                "HTTP requests by matched route, method and status class",
                Family::default(),
            ),
            latency: registered(
                r,
                "http_request_duration_seconds",
                "HTTP request latency by matched route and method",
                Family::new_with_constructor(latency_histogram as fn() -> Histogram),
            ),
        }
    }
}

/// What waits: the moderation queue and the outbox.
struct DepthMetrics {
    queue_pending: Gauge,
    outbox_pending: Gauge,
    outbox_dead: Gauge,
}

impl DepthMetrics {
    fn register(r: &mut Registry) -> Self {
        DepthMetrics {
            queue_pending: registered(
                r,
                "moderation_queue_pending",
                "Comments waiting for moderation",
                Gauge::default(),
            ),
            outbox_pending: registered(
                r,
                "outbox_pending",
                "Mails waiting in the outbox (due or scheduled for a retry)",
                Gauge::default(),
            ),
            outbox_dead: registered(
                r,
                "outbox_dead",
                "Mails given up (dead letters)",
                Gauge::default(),
            ),
        }
    }
}

/// Mail handed to the server, and attempts that failed.
struct MailMetrics {
    failures: Family<KindLabels, Counter>,
    sent: Counter,
}

impl MailMetrics {
    fn register(r: &mut Registry) -> Self {
        MailMetrics {
            failures: registered(
                r,
                "mail_send_failures",
                "Failed mail attempts by kind (temporary, permanent)",
                Family::default(),
            ),
            sent: registered(
                r,
                "mail_sent",
                "Mails handed to the mail server",
                Counter::default(),
            ),
        }
    }
}

/// Refusals by the rate limits, and shared checks that fell back to local ones.
struct LimitMetrics {
    rate_limited: Family<PolicyLabels, Counter>,
    shared_unavailable: Counter,
}

impl LimitMetrics {
    fn register(r: &mut Registry) -> Self {
        LimitMetrics {
            rate_limited: registered(
                r,
                "rate_limited",
                "Requests refused by a rate limit, by policy and scope (local, shared)",
                Family::default(),
            ),
            shared_unavailable: registered(
                r,
                "shared_rate_limit_unavailable",
                "Checks that fell back to this instance's own limits because Redis did not answer",
                Counter::default(),
            ),
        }
    }
}

/// The thread cache's hits and misses, and what it holds.
struct CacheMetrics {
    hits: Counter,
    misses: Counter,
    entries: Gauge,
    bytes: Gauge,
}

impl CacheMetrics {
    fn register(r: &mut Registry) -> Self {
        CacheMetrics {
            hits: registered(r, "cache_hits", "Response cache hits", Counter::default()),
            misses: registered(
                r,
                "cache_misses",
                "Response cache misses",
                Counter::default(),
            ),
            entries: registered(
                r,
                "thread_cache_entries",
                "Thread answers held by the cache",
                Gauge::default(),
            ),
            bytes: registered(
                r,
                "thread_cache_bytes",
                "What the thread answers held by the cache weigh, in bytes",
                Gauge::default(),
            ),
        }
    }
}

struct Inner {
    registry: Registry,
    http: HttpMetrics,
    depths: DepthMetrics,
    mail: MailMetrics,
    limits: LimitMetrics,
    cache: CacheMetrics,
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
    /// Every family registered once, in the order `/metrics` lists them.
    pub fn new() -> Metrics {
        let mut r = Registry::with_prefix("replyd");
        let http = HttpMetrics::register(&mut r);
        let depths = DepthMetrics::register(&mut r);
        let mail = MailMetrics::register(&mut r);
        let limits = LimitMetrics::register(&mut r);
        let cache = CacheMetrics::register(&mut r);
        let submission_batch = registered(
            &mut r,
            "submission_batch_size",
            "Comments written by each submission transaction (group commit)",
            Histogram::new([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]),
        );
        Metrics(Arc::new(Inner {
            registry: r,
            http,
            depths,
            mail,
            limits,
            cache,
            submission_batch,
        }))
    }

    /// One submission transaction that wrote `comments` comments.
    pub fn submission_batch(&self, comments: usize) {
        self.0.submission_batch.observe(comments as f64);
    }

    /// One answered HTTP request. `route` is the matched route pattern, never the raw path;
    /// `method` is folded into a fixed set.
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let status = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        let (route, method) = (route.to_owned(), method_label(method));
        self.0
            .http
            .latency
            .get_or_create(&RouteLabels {
                route: route.clone(),
                method,
            })
            .observe(seconds);
        self.0
            .http
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
        self.0.depths.queue_pending.set(g(queue_pending));
        self.0.depths.outbox_pending.set(g(outbox_pending));
        self.0.depths.outbox_dead.set(g(outbox_dead));
    }

    /// A mail attempt that failed: `temporary` (will be retried) or `permanent`.
    pub fn mail_failure(&self, kind: &'static str) {
        self.0
            .mail
            .failures
            .get_or_create(&KindLabels { kind })
            .inc();
    }

    pub fn mail_sent(&self) {
        self.0.mail.sent.inc();
    }

    /// A request refused by `policy`, in this process (`shared = false`) or across instances.
    pub fn rate_limited(&self, policy: &'static str, shared: bool) {
        let scope = if shared { "shared" } else { "local" };
        self.0
            .limits
            .rate_limited
            .get_or_create(&PolicyLabels { policy, scope })
            .inc();
    }

    /// A check that could not reach Redis and used only this instance's limits.
    pub fn shared_limit_unavailable(&self) {
        self.0.limits.shared_unavailable.inc();
    }

    /// A response served from the cache.
    pub fn cache_hit(&self) {
        self.0.cache.hits.inc();
    }

    /// A response the cache did not hold.
    pub fn cache_miss(&self) {
        self.0.cache.misses.inc();
    }

    /// What the thread cache holds, read when `/metrics` is scraped.
    pub fn set_cache_usage(&self, entries: usize, bytes: usize) {
        let g = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.0.cache.entries.set(g(entries));
        self.0.cache.bytes.set(g(bytes));
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

    #[test]
    fn made_up_methods_share_one_label() {
        let m = Metrics::new();
        for i in 0..50 {
            m.request("unmatched", &format!("BREW{i}"), 405, 0.001);
        }
        let text = m.render();
        assert!(!text.contains("BREW"), "{text}");
        assert!(
            text.contains("method=\"OTHER\",status=\"4xx\"} 50"),
            "{text}"
        );
    }
}
