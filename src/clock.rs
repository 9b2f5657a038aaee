//! The injected clock. Production reads the system time; tests move time by hand. Nothing
//! else in replyd reads the system time for a decision.
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

/// Wall-clock time with an adjustable offset, shared by everything in one app.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock::default()
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// How far this clock has been moved forward. Monotonic clocks built on it (the rate
    /// limiters') add it to their own reading, so `advance` moves them too.
    pub fn offset(&self) -> std::time::Duration {
        let ms = self.offset_ms.load(Ordering::Relaxed);
        std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0))
    }

    /// Moves this clock (and every clone of it) forward. Used by tests instead of sleeping.
    pub fn advance(&self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}
