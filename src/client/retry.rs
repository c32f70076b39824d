//! The retry policies, one place for both. A2A and register (contract §4): retry only
//! 502/503/504 answers whose body says the failure is passing, a bounded number of times,
//! honouring `Retry-After`, and never past the deadline (the surrounding wait's, or the policy's
//! own budget). Workspace create ([`send_cold_retrying`]): only the edge's cold-origin window,
//! an empty-body 503 or a reset before any answer, since a create is not idempotent. Everything
//! else fails at once. The decisions ([`RetryPolicy::after_transient`], [`is_cold_origin_answer`],
//! [`is_cold_origin_failure`], [`RetryPolicy::cold_pause`]) are pure; the senders do the sleeping.

use std::future::Future;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

use super::http::{Answer, api_error};
use crate::error::{Call, E2eError, Result};
use crate::wait::{Deadline, sleep_for, within};

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
    /// The most one retried call may take, every attempt and pause included, when no nearer
    /// deadline (a wait's) is in scope.
    pub budget: Duration,
}

/// What to do after a transient failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Pause this long, then try again.
    Retry(Duration),
    /// Stop; the reason reads after "gave up after N attempts: ".
    GiveUp(String),
}

impl RetryPolicy {
    /// Staging: the harness's patience (it sleeps 10 s between attempts; curl gives A2A 90 s).
    pub fn staging(attempts: u32) -> Self {
        RetryPolicy {
            attempts,
            min_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(15),
            budget: Duration::from_secs(300),
        }
    }

    /// The embedded stand-in: the same bounded count, millisecond delays.
    pub fn hermetic(attempts: u32) -> Self {
        RetryPolicy {
            attempts,
            min_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            budget: Duration::from_secs(20),
        }
    }

    pub fn with_budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
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

    /// After a transient failure: `backoff` is the policy's next delay (`None` once the
    /// attempts are spent), `retry_after` the server's header, `left` the time to the
    /// deadline. The server's `Retry-After` replaces the backoff; a pause that would end at or
    /// past the deadline is not taken: the call gives up at once, saying why.
    pub fn after_transient(&self, backoff: Option<Duration>, retry_after: Option<Duration>, left: Duration) -> Next {
        let Some(backoff) = backoff else {
            return Next::GiveUp(format!("every attempt the policy allows ({}) answered a passing failure", self.attempts));
        };
        let (pause, asked) = match retry_after {
            Some(ra) => (ra, "the server's Retry-After"),
            None => (backoff, "the backoff"),
        };
        if pause >= left {
            return Next::GiveUp(format!(
                "{asked} ({:.1}s) ends past the deadline ({:.1}s left)",
                pause.as_secs_f64(),
                left.as_secs_f64()
            ));
        }
        Next::Retry(pause)
    }

    /// The deadline a retried call works under: its budget, or the one in scope if nearer.
    pub fn deadline(&self, call: &Call) -> Deadline {
        Deadline::after(self.budget, format!("the {:.0}s retry budget of {call}", self.budget.as_secs_f64())).or_nearer()
    }
}

/// Send with `attempt` (any status accepted) until the answer is not a transient failure,
/// under `policy`; returns that answer and the attempts made. Each request is cut to the
/// deadline. Giving up (attempts spent, a pause past the deadline, or no answer after a
/// transient failure) is an [`E2eError::GaveUp`] naming the attempts and the last answer; a
/// first attempt that gets no answer fails as itself.
pub async fn send_retrying<F, Fut>(policy: &RetryPolicy, call: &Call, mut attempt: F) -> Result<(Answer, u32)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Answer>>,
{
    let deadline = policy.deadline(call);
    within(deadline.clone(), async {
        let mut delays = policy.delays();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let a = match attempt().await {
                Ok(a) => a,
                Err(e) if attempts == 1 => return Err(e),
                Err(e) => return Err(gave_up(call, attempts, "the last attempt got no answer".into(), e)),
            };
            if !is_transient(a.status, &a.body) {
                return Ok((a, attempts));
            }
            match policy.after_transient(delays.next(), a.retry_after(), deadline.left()) {
                Next::Retry(pause) => sleep_for(pause).await,
                Next::GiveUp(why) => return Err(gave_up(call, attempts, why, api_error(call.clone(), a.status, &a.body))),
            }
        }
    })
    .await
}

fn gave_up(call: &Call, attempts: u32, why: String, last: E2eError) -> E2eError {
    E2eError::GaveUp { call: call.clone(), attempts, why, last: Box::new(last) }
}

/// How many times `POST /workspaces` is tried across the edge's cold-origin write window
/// (`CREATE_MAX_ATTEMPTS`, FS:883-951 at aeec8e47; c1e3398d).
pub const COLD_CREATE_ATTEMPTS: u32 = 8;
/// The pause when the edge names none, and the most a `Retry-After` may ask
/// (`create_parse_retry_after` in tests/e2e/lib/workspace_create_retry.sh at aeec8e47).
pub const COLD_DEFAULT_PAUSE: Duration = Duration::from_secs(2);
pub const COLD_MAX_PAUSE: Duration = Duration::from_secs(10);

/// An answer from the edge, not the platform: a 503 with an empty body (the Go handler always
/// writes one). A 503 with a body, a 502 or a 504 may come from a handler that already
/// created the workspace, so they are never retried.
pub fn is_cold_origin_answer(status: u16, body: &[u8]) -> bool {
    status == 503 && body.iter().all(u8::is_ascii_whitespace)
}

/// A create that never reached a handler: refused, never connected, or reset before any
/// answer (curl 6, 7, 35, 56). A timeout is never one: the origin may have created it.
pub fn is_cold_origin_failure(e: &E2eError) -> bool {
    use crate::error::TransportKind as K;
    match e {
        E2eError::Transport { kind: K::ConnectionRefused | K::Connect, .. } => true,
        E2eError::Transport { kind: K::Other | K::Body, detail, .. } => {
            let d = detail.to_ascii_lowercase();
            ["connection closed before message completed", "connection reset", "broken pipe"].iter().any(|m| d.contains(m))
        }
        _ => false,
    }
}

impl RetryPolicy {
    /// The pause after a cold-origin answer: the edge's `Retry-After` (2 s when it names none,
    /// at most 10 s, as the harness reads it), never above this policy's ceiling (a hermetic
    /// target's is milliseconds).
    pub fn cold_pause(&self, retry_after: Option<Duration>) -> Duration {
        retry_after.unwrap_or(COLD_DEFAULT_PAUSE).min(COLD_MAX_PAUSE).min(self.max_delay)
    }
}

/// Send a non-idempotent create with `attempt` (any status accepted), trying again only over
/// the edge's cold-origin write window ([`is_cold_origin_answer`], [`is_cold_origin_failure`]),
/// at most [`COLD_CREATE_ATTEMPTS`] times and never past the deadline in scope. Every retry is
/// said on stderr, so weather that passed stays visible. Returns the first other answer and
/// the attempts made; a window that never closes is an [`E2eError::GaveUp`].
pub async fn send_cold_retrying<F, Fut>(policy: &RetryPolicy, call: &Call, mut attempt: F) -> Result<(Answer, u32)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Answer>>,
{
    let deadline = policy.deadline(call);
    within(deadline.clone(), async {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let (last, retry_after) = match attempt().await {
                Ok(a) if is_cold_origin_answer(a.status, &a.body) => {
                    let ra = a.retry_after();
                    (api_error(call.clone(), a.status, &a.body), ra)
                }
                Ok(a) => return Ok((a, attempts)),
                Err(e) if is_cold_origin_failure(&e) => (e, None),
                Err(e) => return Err(e),
            };
            if attempts >= COLD_CREATE_ATTEMPTS {
                let why = format!("the edge's cold-origin window stayed open for all {COLD_CREATE_ATTEMPTS} attempts");
                return Err(gave_up(call, attempts, why, last));
            }
            let pause = policy.cold_pause(retry_after);
            if pause >= deadline.left() {
                let why = format!("the next pause ({:.1}s) ends past {}", pause.as_secs_f64(), deadline.whose());
                return Err(gave_up(call, attempts, why, last));
            }
            eprintln!(
                "molecule-e2e: {call}: attempt {attempts}/{COLD_CREATE_ATTEMPTS} met the edge's cold-origin window ({}); \
                 retrying in {:.1}s",
                crate::redact::scrub(&last.to_string()),
                pause.as_secs_f64()
            );
            sleep_for(pause).await;
        }
    })
    .await
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
    fn only_an_empty_503_is_the_edge() {
        assert!(is_cold_origin_answer(503, b""));
        assert!(is_cold_origin_answer(503, b" \r\n"));
        assert!(!is_cold_origin_answer(503, br#"{"error":"service unavailable"}"#));
        assert!(!is_cold_origin_answer(502, b""));
        assert!(!is_cold_origin_answer(504, b""));
        assert!(!is_cold_origin_answer(201, b""));
    }

    #[test]
    fn a_reset_is_retried_and_a_timeout_never() {
        use crate::error::TransportKind as K;
        let t = |kind, detail: &str| E2eError::Transport { call: Call::new("create_workspace", "POST", "/workspaces"), kind, detail: detail.into() };
        assert!(is_cold_origin_failure(&t(K::ConnectionRefused, "refused")));
        assert!(is_cold_origin_failure(&t(K::Other, "error sending request: connection closed before message completed")));
        assert!(is_cold_origin_failure(&t(K::Other, "Connection reset by peer (os error 104)")));
        assert!(!is_cold_origin_failure(&t(K::Timeout, "operation timed out")));
        assert!(!is_cold_origin_failure(&t(K::Other, "builder error")));
    }

    #[test]
    fn the_cold_pause_is_the_edges_retry_after_capped() {
        let s = RetryPolicy::staging(8);
        assert_eq!(s.cold_pause(None), Duration::from_secs(2));
        assert_eq!(s.cold_pause(Some(Duration::from_secs(3))), Duration::from_secs(3));
        assert_eq!(s.cold_pause(Some(Duration::from_secs(3600))), Duration::from_secs(10));
        assert_eq!(RetryPolicy::hermetic(8).cold_pause(Some(Duration::from_secs(1))), Duration::from_millis(200));
    }

    #[test]
    fn delays_are_bounded_and_grow() {
        let d: Vec<_> = RetryPolicy::hermetic(5).delays().collect();
        assert_eq!(d.len(), 4);
        assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
        assert!(d.iter().all(|x| *x <= Duration::from_millis(200)));
    }
}
