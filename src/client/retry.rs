//! The transient-retry policy for A2A (contract §4): retry only 502/503/504 answers whose body
//! says the failure is passing, a bounded number of times, honouring `Retry-After`. Everything
//! else fails at once. Pure: the decision is separate from the sleeping.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

/// Bodies the platform (or its edge) sends for failures that pass on their own.
pub const TRANSIENT_MARKERS: &[&str] = &[
    "Service Unavailable",
    "Bad Gateway",
    "Gateway Timeout",
    "error code: 502",
    "error code: 504",
    "workspace agent unreachable",
    "connection refused",
    "no healthy upstream",
    "workspace agent busy",
    "native_session",
];

/// Whether an answer is a transient failure worth retrying.
pub fn is_transient(status: u16, body: &[u8]) -> bool {
    if !matches!(status, 502..=504) {
        return false;
    }
    let text = String::from_utf8_lossy(body);
    TRANSIENT_MARKERS.iter().any(|m| text.contains(m))
}

/// How many times, and how patiently, to retry a transient failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first included.
    pub attempts: u32,
    pub min_delay: Duration,
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// Staging: the harness's patience (it sleeps 10 s between attempts).
    pub fn staging(attempts: u32) -> Self {
        RetryPolicy { attempts, min_delay: Duration::from_secs(2), max_delay: Duration::from_secs(15) }
    }

    /// The embedded stand-in: the same bounded count, millisecond delays.
    pub fn hermetic(attempts: u32) -> Self {
        RetryPolicy { attempts, min_delay: Duration::from_millis(20), max_delay: Duration::from_millis(200) }
    }

    /// The delays between attempts, in order (`attempts - 1` of them).
    pub fn delays(&self) -> impl Iterator<Item = Duration> {
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .with_max_times(self.attempts.saturating_sub(1) as usize)
            .build()
    }

    /// How long to wait before the next attempt: the server's `Retry-After` when it sent one
    /// (capped at a minute so a bogus header cannot hang a run), else the backoff delay.
    pub fn next_delay(backoff: Duration, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(ra) => ra.min(Duration::from_secs(60)),
            None => backoff,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_gateway_statuses_with_known_bodies_are_transient() {
        assert!(is_transient(502, b"Bad Gateway"));
        assert!(is_transient(503, br#"{"error":"workspace agent unreachable \u2014 container restart triggered"}"#));
        assert!(is_transient(504, b"error code: 504"));
        assert!(!is_transient(503, br#"{"error":"workspace has no URL","status":"paused"}"#));
        assert!(!is_transient(500, b"Bad Gateway"));
        assert!(!is_transient(404, b"Service Unavailable"));
    }

    #[test]
    fn delays_are_bounded_and_grow() {
        let d: Vec<_> = RetryPolicy::hermetic(5).delays().collect();
        assert_eq!(d.len(), 4);
        assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
        assert!(d.iter().all(|x| *x <= Duration::from_millis(200)));
    }
}
