//! The transient-retry policy for A2A and register (contract §4): retry only 502/503/504
//! answers whose body says the failure is passing, a bounded number of times, honouring
//! `Retry-After`, and never past the deadline (the surrounding wait's, or the policy's own
//! budget). Everything else fails at once. The decision ([`RetryPolicy::after_transient`]) is
//! pure; [`send_retrying`] does the sleeping.

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
