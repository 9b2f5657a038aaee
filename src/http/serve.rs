//! The HTTP server loop: hyper (HTTP/1.1 and HTTP/2) with a bound on open connections, a
//! first-request and an idle timeout per connection, a header-read timeout, HTTP/2
//! keep-alive and stream limits, the peer address handed to the router, a rate-limited log
//! of accept errors, and graceful shutdown that drains in-flight requests. At the cap, the
//! oldest connection that has not started a request is closed to make room, so sockets that
//! never finish their headers (slowloris) cannot keep real clients out.
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::config::ServerConfig;

/// How long in-flight requests get to finish after shutdown starts.
const DRAIN: Duration = Duration::from_secs(20);
/// How long a connection told to close gets to finish its request before it is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(5);
/// How long a connection accepted at the cap waits for the room another's closing makes.
const ROOM_WAIT: Duration = Duration::from_secs(1);

/// What bounds each connection, from `[server]`.
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    pub header_read: Duration,
    pub first_request: Duration,
    pub idle: Duration,
    pub max_connections: usize,
    pub h2_max_streams: u32,
    pub h2_keepalive: Duration,
}

impl ConnLimits {
    pub fn from_config(s: &ServerConfig) -> ConnLimits {
        ConnLimits {
            header_read: Duration::from_secs(s.header_read_timeout_secs),
            first_request: Duration::from_secs(s.first_request_timeout_secs),
            idle: Duration::from_secs(s.idle_timeout_secs),
            max_connections: s.max_connections,
            h2_max_streams: s.http2_max_streams,
            h2_keepalive: Duration::from_secs(s.http2_keepalive_secs),
        }
    }
}

/// Requests in flight on one connection, and when the last one ended.
struct Activity {
    started: Instant,
    in_flight: AtomicUsize,
    requests: AtomicU64,
    last_done_ms: AtomicU64,
}

impl Activity {
    fn new() -> Arc<Activity> {
        Arc::new(Activity {
            started: Instant::now(),
            in_flight: AtomicUsize::new(0),
            requests: AtomicU64::new(0),
            last_done_ms: AtomicU64::new(0),
        })
    }

    /// Whether no request has started on this connection yet.
    fn waiting(&self) -> bool {
        self.requests.load(Ordering::Acquire) == 0
    }

    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Whether the connection has been quiet too long: no request within `first` of
    /// opening, or none in flight for `idle` since the last one ended.
    fn expired(&self, limits: &ConnLimits) -> bool {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return false;
        }
        let now = self.elapsed_ms();
        if self.requests.load(Ordering::Acquire) == 0 {
            return now >= duration_ms(limits.first_request);
        }
        now.saturating_sub(self.last_done_ms.load(Ordering::Acquire)) >= duration_ms(limits.idle)
    }
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Marks one request in flight until dropped (when its response is ready).
struct InFlight(Arc<Activity>);

impl InFlight {
    fn start(a: &Arc<Activity>) -> InFlight {
        a.requests.fetch_add(1, Ordering::AcqRel);
        a.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(a.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0
            .last_done_ms
            .store(self.0.elapsed_ms(), Ordering::Release);
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Connections that have not started a request yet, oldest first, each with the token that
/// closes it. A connection that has begun a request is never closed to make room.
struct Waiting {
    queue: Mutex<VecDeque<(Arc<Activity>, CancellationToken)>>,
    max: usize,
}

impl Waiting {
    fn new(max: usize) -> Waiting {
        Waiting {
            queue: Mutex::new(VecDeque::new()),
            max: max.max(1),
        }
    }

    fn push(&self, activity: &Arc<Activity>, close: &CancellationToken) {
        let mut q = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        // Entries of connections that started a request or ended are dropped in bulk, so
        // the queue stays within twice the cap.
        if q.len() >= self.max.saturating_mul(2) {
            q.retain(|(a, c)| a.waiting() && !c.is_cancelled() && Arc::strong_count(a) > 1);
        }
        q.push_back((activity.clone(), close.clone()));
    }

    /// A new connection's bookkeeping, queued as waiting for its first request.
    fn register(&self, limits: ConnLimits) -> Conn {
        let conn = Conn {
            limits,
            activity: Activity::new(),
            close: CancellationToken::new(),
        };
        self.push(&conn.activity, &conn.close);
        conn
    }

    /// Closes the oldest connection still waiting for its first request; false if none is.
    fn close_oldest(&self) -> bool {
        let mut q = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        while let Some((a, c)) = q.pop_front() {
            // A count of 1 is the queue's own: the connection has ended.
            if a.waiting() && !c.is_cancelled() && Arc::strong_count(&a) > 1 {
                c.cancel();
                return true;
            }
        }
        false
    }
}

/// A new connection's slot: the one it got at accept, or the one a closed waiting
/// connection gives back within `ROOM_WAIT`.
async fn room(
    slot: Option<tokio::sync::OwnedSemaphorePermit>,
    slots: Arc<Semaphore>,
) -> Option<tokio::sync::OwnedSemaphorePermit> {
    match slot {
        Some(s) => Some(s),
        None => tokio::time::timeout(ROOM_WAIT, slots.acquire_owned())
            .await
            .ok()?
            .ok(),
    }
}

/// One accepted connection's bookkeeping: its limits, its activity, and the token that
/// closes it to make room.
struct Conn {
    limits: ConnLimits,
    activity: Arc<Activity>,
    close: CancellationToken,
}

/// Logs accept errors at most once a second, with how many were not logged.
struct AcceptLog {
    last: Option<Instant>,
    suppressed: u64,
}

impl AcceptLog {
    fn error(&mut self, e: &std::io::Error) {
        let due = self
            .last
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(1));
        if !due {
            self.suppressed += 1;
            return;
        }
        tracing::warn!(error = %e, suppressed = self.suppressed, "accept failed");
        self.last = Some(Instant::now());
        self.suppressed = 0;
    }
}

fn builder(limits: &ConnLimits) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(limits.h2_max_streams)
        .keep_alive_interval(Some(limits.h2_keepalive))
        .keep_alive_timeout(limits.h2_keepalive);
    builder
}

pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnLimits,
    shutdown: CancellationToken,
) {
    let builder = Arc::new(builder(&limits));
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let waiting = Waiting::new(limits.max_connections);
    // Every connection task holds a sender; draining ends when all are dropped.
    let (alive, mut drained) = mpsc::channel::<()>(1);
    let mut log = AcceptLog {
        last: None,
        suppressed: 0,
    };
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Usually EMFILE: back off briefly instead of spinning.
                    log.error(&e);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        // At the cap the oldest connection without a request makes room; if every one has
        // begun a request, the new connection is closed at once, not left in the backlog.
        let slot = slots.clone().try_acquire_owned().ok();
        if slot.is_none() && !waiting.close_oldest() {
            tracing::debug!(%peer, "connection cap reached; closing");
            continue;
        }
        let conn = waiting.register(limits);
        let (builder, router, shutdown, alive, slots) = (
            builder.clone(),
            router.clone(),
            shutdown.clone(),
            alive.clone(),
            slots.clone(),
        );
        tokio::spawn(async move {
            let Some(slot) = room(slot, slots).await else {
                tracing::debug!(%peer, "no room made in time; closing");
                return;
            };
            serve_one(&builder, stream, peer, router, conn, shutdown).await;
            drop((slot, alive));
        });
    }
    drop((listener, alive));
    tokio::select! {
        _ = drained.recv() => tracing::info!("all connections drained"),
        () = tokio::time::sleep(DRAIN) => tracing::warn!("gave up waiting for connections to drain"),
    }
}

/// Serves one connection until it ends, goes quiet past its limits, or the server stops.
/// How often a connection checks its quiet time: a quarter of the shorter limit.
fn check_every(limits: &ConnLimits) -> Duration {
    limits
        .first_request
        .min(limits.idle)
        .max(Duration::from_millis(200))
        / 4
}

async fn serve_one(
    builder: &Builder<TokioExecutor>,
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    conn: Conn,
    shutdown: CancellationToken,
) {
    let _ = stream.set_nodelay(true);
    let Conn {
        limits,
        activity,
        close,
    } = conn;
    let tracked = activity.clone();
    let svc = router
        .map_request(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            req
        })
        .map_future(move |fut| {
            // In flight from the call until the response is ready.
            let guard = InFlight::start(&tracked);
            async move {
                let res = fut.await;
                drop(guard);
                res
            }
        });
    let conn =
        builder.serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(svc));
    tokio::pin!(conn);
    let mut interval = tokio::time::interval(check_every(&limits));
    loop {
        tokio::select! {
            res = conn.as_mut() => {
                if let Err(e) = res {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            _ = interval.tick() => if !activity.expired(&limits) { continue },
            // Closed to make room: nothing has started, so nothing is cut off.
            () = close.cancelled() => if activity.waiting() { return },
            () = shutdown.cancelled() => {}
        }
        break;
    }
    // Quiet too long, or shutting down: finish what is in flight, then close.
    conn.as_mut().graceful_shutdown();
    let wait = if shutdown.is_cancelled() {
        DRAIN
    } else {
        CLOSE_GRACE
    };
    let _ = tokio::time::timeout(wait, conn).await;
}
