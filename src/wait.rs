//! Waiting for the platform: poll a condition until a deadline, print a progress line at most
//! every few seconds, and on timeout say what was awaited and what was last seen.
//!
//! One polling rule serves every wait ([`poll_interval`]): the pause between probes grows with
//! the time already waited (a tenth of it, jittered), never below a floor that keeps the
//! request rate sane and never above a ceiling. A wait whose condition came true after T
//! therefore ends by about 1.1 × T plus the floor and one request, whatever its deadline.
//!
//! A wait also lends its deadline to the requests its probes make ([`Deadline`], a task-local
//! the HTTP layer reads): no request outlives the wait it serves. This module holds the
//! suite's only sleeps.

use std::future::Future;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{E2eError, Result};

/// The pause between probes never falls below this (a sane request rate for any platform).
pub const POLL_FLOOR: Duration = Duration::from_millis(50);
/// …and never exceeds this (a long wait still looks every few seconds).
pub const POLL_CEILING: Duration = Duration::from_secs(10);
/// The pause is at most this fraction (1/N) of the time already waited.
pub const POLL_FRACTION: u32 = 10;

/// The pause before the next probe, `elapsed` into a wait: between half of and all of
/// `elapsed / 10` clamped to `[floor, ceiling]`, never below `floor`. `unit` (in `[0, 1)`)
/// places it in that range: the jitter that keeps concurrent waits from polling in step.
/// Pure, so the bound is testable without a clock.
pub fn poll_interval(elapsed: Duration, floor: Duration, ceiling: Duration, unit: f64) -> Duration {
    let ceiling = ceiling.max(floor);
    let base = (elapsed / POLL_FRACTION).clamp(floor, ceiling);
    let low = (base / 2).max(floor);
    low + (base - low).mul_f64(unit.clamp(0.0, 1.0))
}

/// How far past its deadline a wait lets the probe that started at the deadline run, so that
/// probe can still be answered: 5 % of the deadline, between 50 ms and 1 s.
pub fn grace(timeout: Duration) -> Duration {
    (timeout / 20).clamp(Duration::from_millis(50), Duration::from_secs(1))
}

/// What one probe saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe<T> {
    /// The condition holds.
    Ready(T),
    /// Not yet; the string is the state seen (shown in progress lines and the timeout).
    Pending(String),
}

/// A wait: what for, how long at most.
#[derive(Debug, Clone)]
pub struct Wait {
    what: String,
    timeout: Duration,
    floor: Duration,
    ceiling: Duration,
    progress_every: Duration,
}

impl Wait {
    /// `what` names the thing and the condition, as progress lines print it
    /// (`ws 3f2a… (hermes) online`).
    pub fn new(what: impl Into<String>, timeout: Duration) -> Self {
        Wait {
            what: what.into(),
            timeout,
            floor: POLL_FLOOR,
            ceiling: POLL_CEILING,
            progress_every: Duration::from_secs(5),
        }
    }

    /// Another floor and ceiling for the one rule ([`poll_interval`]); the growth with the
    /// time waited stays. Only hermetic tests need this (a tighter floor against a local
    /// stand-in).
    pub fn interval(mut self, floor: Duration, ceiling: Duration) -> Self {
        self.floor = floor;
        self.ceiling = ceiling.max(floor);
        self
    }

    pub fn progress_every(mut self, every: Duration) -> Self {
        self.progress_every = every;
        self
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Poll `probe` until it is ready, it fails, or the deadline passes. A probe error ends the
    /// wait at once (map passing errors to [`Probe::Pending`] inside the probe if they are
    /// expected). Always probes at least once, even past the deadline, and once more at the
    /// deadline. Every request a probe makes is cut to the time left (plus [`grace`]).
    pub async fn until<T, F, Fut>(&self, mut probe: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Probe<T>>>,
    {
        let start = Instant::now();
        let deadline = Deadline::at(start + self.timeout + grace(self.timeout), format!("the wait for {}", self.what));
        let mut last_progress = start;
        loop {
            let last_seen = match within(deadline.clone(), probe()).await? {
                Probe::Ready(v) => return Ok(v),
                Probe::Pending(state) => state,
            };
            let elapsed = start.elapsed();
            if elapsed >= self.timeout {
                return Err(E2eError::WaitTimeout { what: self.what.clone(), waited: elapsed, last_seen });
            }
            if last_progress.elapsed() >= self.progress_every {
                last_progress = Instant::now();
                // Past the test harness's capture: a staging wait can last an hour, and its
                // progress must show while it lasts. Scrubbed whole (the `what` names ids too).
                let line = format!("{}: {last_seen}, {}s of {}s", self.what, elapsed.as_secs(), self.timeout.as_secs());
                let _ = writeln!(std::io::stderr(), "{}", crate::redact::scrub(&line));
            }
            let next = poll_interval(elapsed, self.floor, self.ceiling, fastrand::f64());
            sleep_for(next.min(self.timeout - elapsed)).await;
        }
    }
}

/// A point in time the current work must be done by, and whose it is (for error messages).
#[derive(Debug, Clone)]
pub struct Deadline {
    at: Instant,
    whose: Arc<str>,
}

tokio::task_local! {
    static DEADLINE: Deadline;
}

impl Deadline {
    /// `whose` names the deadline in errors: `the wait for org e2e-x running`.
    pub fn at(at: Instant, whose: impl Into<Arc<str>>) -> Self {
        Deadline { at, whose: whose.into() }
    }

    pub fn after(d: Duration, whose: impl Into<Arc<str>>) -> Self {
        Deadline::at(Instant::now() + d, whose)
    }

    pub fn instant(&self) -> Instant {
        self.at
    }

    /// Time left, zero once passed.
    pub fn left(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    pub fn whose(&self) -> &str {
        &self.whose
    }

    /// The deadline the current task works under (the nearest of those in scope), if any.
    pub fn current() -> Option<Deadline> {
        DEADLINE.try_with(Deadline::clone).ok()
    }

    /// The nearer of `self` and the one already in scope.
    pub fn or_nearer(self) -> Deadline {
        match Deadline::current() {
            Some(cur) if cur.at <= self.at => cur,
            _ => self,
        }
    }
}

/// Run `fut` under `deadline` (or the deadline already in scope, when that is nearer): every
/// request `fut` makes on this task is cut to the time left. Spawned tasks do not inherit it.
pub async fn within<F: Future>(deadline: Deadline, fut: F) -> F::Output {
    DEADLINE.scope(deadline.or_nearer(), fut).await
}

/// The suite's one sleep: only between attempts of a bounded retry or poll.
pub async fn sleep_for(d: Duration) {
    tokio::time::sleep(d).await;
}

/// The short form of an id for progress lines (`3f2a…`).
pub fn short(id: &str) -> String {
    if id.chars().count() <= 8 { id.to_owned() } else { format!("{}…", id.chars().take(4).collect::<String>()) }
}
