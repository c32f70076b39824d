//! Waiting for the platform: poll a condition with a deadline and backoff, print a progress
//! line at most every few seconds, and on timeout say what was awaited and what was last seen.
//! This module holds the suite's only sleeps.

use std::future::Future;
use std::time::{Duration, Instant};

use backon::{BackoffBuilder, ExponentialBuilder};

use crate::error::{E2eError, Result};

/// What one probe saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe<T> {
    /// The condition holds.
    Ready(T),
    /// Not yet; the string is the state seen (shown in progress lines and the timeout).
    Pending(String),
}

/// A wait: what for, how long at most, how often to look.
#[derive(Debug, Clone)]
pub struct Wait {
    what: String,
    timeout: Duration,
    min_interval: Duration,
    max_interval: Duration,
    progress_every: Duration,
}

impl Wait {
    /// `what` names the thing and the condition, as progress lines print it
    /// (`ws 3f2a… (hermes) online`).
    pub fn new(what: impl Into<String>, timeout: Duration) -> Self {
        // Poll intervals scale with the deadline: a 10 s stand-in wait looks every few tens of
        // milliseconds, an hour-long staging wait every few seconds.
        let min_interval = (timeout / 200).clamp(Duration::from_millis(10), Duration::from_secs(2));
        let max_interval = (timeout / 20).clamp(Duration::from_millis(100), Duration::from_secs(15));
        Wait { what: what.into(), timeout, min_interval, max_interval, progress_every: Duration::from_secs(5) }
    }

    pub fn interval(mut self, min: Duration, max: Duration) -> Self {
        self.min_interval = min;
        self.max_interval = max.max(min);
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
    /// expected). Always probes at least once, even past the deadline.
    pub async fn until<T, F, Fut>(&self, mut probe: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Probe<T>>>,
    {
        let start = Instant::now();
        let mut delays = ExponentialBuilder::default()
            .with_min_delay(self.min_interval)
            .with_max_delay(self.max_interval)
            .with_factor(1.5)
            .with_jitter()
            .without_max_times()
            .build();
        let mut last_progress = start;
        loop {
            let last_seen = match probe().await? {
                Probe::Ready(v) => return Ok(v),
                Probe::Pending(state) => state,
            };
            let elapsed = start.elapsed();
            if elapsed >= self.timeout {
                return Err(E2eError::WaitTimeout { what: self.what.clone(), waited: elapsed, last_seen });
            }
            if last_progress.elapsed() >= self.progress_every {
                last_progress = Instant::now();
                eprintln!(
                    "{}: {}, {}s of {}s",
                    self.what,
                    crate::redact::scrub(&last_seen),
                    elapsed.as_secs(),
                    self.timeout.as_secs()
                );
            }
            let next = delays.next().unwrap_or(self.max_interval);
            sleep_for(next.min(self.timeout.saturating_sub(elapsed))).await;
        }
    }
}

/// The suite's one sleep: only between attempts of a bounded retry or poll.
pub async fn sleep_for(d: Duration) {
    tokio::time::sleep(d).await;
}

/// The short form of an id for progress lines (`3f2a…`).
pub fn short(id: &str) -> String {
    if id.chars().count() <= 8 { id.to_owned() } else { format!("{}…", id.chars().take(4).collect::<String>()) }
}
