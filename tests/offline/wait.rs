//! Waiting with a deadline: the ready value comes back, a timeout names what was awaited and
//! the last state seen, a probe error ends the wait at once, and there is always one probe.
//! Every deadline here is at most 300 ms; the tests never sleep themselves.

use std::cell::Cell;
use std::time::{Duration, Instant};

use molecule_e2e::E2eError;
use molecule_e2e::wait::{Probe, Wait, short};

const FAST_MIN: Duration = Duration::from_millis(1);
const FAST_MAX: Duration = Duration::from_millis(5);

fn wait(what: &str, timeout_ms: u64) -> Wait {
    Wait::new(what, Duration::from_millis(timeout_ms)).interval(FAST_MIN, FAST_MAX)
}

/// A timeout for `what`, whose last state seen is `last_seen`.
#[track_caller]
fn check_timed_out<T: std::fmt::Debug>(r: Result<T, E2eError>, what: &str, last_seen: &str, at_least: Duration) {
    match r {
        Err(E2eError::WaitTimeout { what: w, waited, last_seen: l }) => {
            assert_eq!(w, what);
            assert_eq!(l, last_seen);
            assert!(waited >= at_least, "waited {waited:?}, less than the {at_least:?} deadline");
            let text = E2eError::WaitTimeout { what: w, waited, last_seen: l }.to_string();
            assert!(text.contains(what) && text.contains(last_seen), "the message names both: {text}");
        }
        other => panic!("expected a WaitTimeout for {what:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn until_returns_the_ready_value() {
    let probes = Cell::new(0);
    let v = wait("ws 3f2a… (hermes) online", 300)
        .until(|| {
            probes.set(probes.get() + 1);
            let n = probes.get();
            async move {
                Ok(if n < 3 { Probe::Pending(format!("provisioning #{n}")) } else { Probe::Ready(format!("url-{n}")) })
            }
        })
        .await
        .expect("ready on the third probe");
    assert_eq!(v, "url-3");
    assert_eq!(probes.get(), 3, "no probe after ready");
}

#[tokio::test]
async fn a_timeout_names_what_was_awaited_and_the_last_state_seen() {
    let probes = Cell::new(0);
    let started = Instant::now();
    let r: Result<(), _> = wait("org e2e-x running", 100)
        .until(|| {
            probes.set(probes.get() + 1);
            let n = probes.get();
            async move { Ok(Probe::Pending(format!("provisioning #{n}"))) }
        })
        .await;
    let last = format!("provisioning #{}", probes.get());
    check_timed_out(r, "org e2e-x running", &last, Duration::from_millis(100));
    assert!(probes.get() > 1, "a 100 ms wait polling every few ms probes more than once");
    assert!(started.elapsed() < Duration::from_secs(2), "the deadline bounds the wait: {:?}", started.elapsed());
}

#[tokio::test]
async fn the_timeout_message_reads_as_a_sentence() {
    let r: Result<(), _> =
        wait("ws abcd… online", 20).until(|| async { Ok(Probe::Pending("failed (no url)".into())) }).await;
    let text = r.expect_err("never ready").to_string();
    assert!(text.starts_with("timed out after "), "{text}");
    assert!(text.ends_with("s waiting for ws abcd… online; last seen: failed (no url)"), "{text}");
}

#[tokio::test]
async fn a_probe_error_ends_the_wait_at_once() {
    let probes = Cell::new(0);
    let started = Instant::now();
    let r: Result<(), _> = wait("ws gone online", 300)
        .until(|| {
            probes.set(probes.get() + 1);
            async { Err(E2eError::Unmet("workspace was deleted".into())) }
        })
        .await;
    match r {
        Err(E2eError::Unmet(m)) => assert_eq!(m, "workspace was deleted"),
        other => panic!("the probe's error should come back as is, got {other:?}"),
    }
    assert_eq!(probes.get(), 1);
    assert!(started.elapsed() < Duration::from_millis(300), "no waiting after an error: {:?}", started.elapsed());
}

#[tokio::test]
async fn a_probe_error_after_pending_states_ends_the_wait_too() {
    let probes = Cell::new(0);
    let r: Result<(), _> = wait("ws flaky online", 300)
        .until(|| {
            probes.set(probes.get() + 1);
            let n = probes.get();
            async move {
                if n < 2 { Ok(Probe::Pending("provisioning".into())) } else { Err(E2eError::Unmet(format!("probe {n} failed"))) }
            }
        })
        .await;
    assert!(matches!(&r, Err(E2eError::Unmet(m)) if m == "probe 2 failed"), "{r:?}");
    assert_eq!(probes.get(), 2);
}

#[tokio::test]
async fn a_zero_timeout_still_probes_once_and_can_succeed() {
    let probes = Cell::new(0);
    let v = Wait::new("already there", Duration::ZERO)
        .until(|| {
            probes.set(probes.get() + 1);
            async { Ok(Probe::Ready(7)) }
        })
        .await
        .expect("one probe, ready");
    assert_eq!((v, probes.get()), (7, 1));
}

#[tokio::test]
async fn a_zero_timeout_that_is_pending_times_out_after_exactly_one_probe() {
    let probes = Cell::new(0);
    let r: Result<(), _> = Wait::new("never there", Duration::ZERO)
        .until(|| {
            probes.set(probes.get() + 1);
            async { Ok(Probe::Pending("offline".into())) }
        })
        .await;
    check_timed_out(r, "never there", "offline", Duration::ZERO);
    assert_eq!(probes.get(), 1);
}

#[test]
fn wait_reports_its_timeout() {
    assert_eq!(Wait::new("x", Duration::from_millis(250)).timeout(), Duration::from_millis(250));
    let w = Wait::new("x", Duration::from_secs(3600)).interval(FAST_MAX, FAST_MIN).progress_every(Duration::from_secs(1));
    assert_eq!(w.timeout(), Duration::from_secs(3600), "interval and progress do not move the deadline");
}

#[test]
fn short_ids_keep_four_characters() {
    assert_eq!(short("3f2a9b7c-1d2e-4f5a-8b9c-0d1e2f3a4b5c"), "3f2a…");
    assert_eq!(short("12345678"), "12345678");
    assert_eq!(short("123456789"), "1234…");
    assert_eq!(short(""), "");
    assert_eq!(short("ééééééééé"), "éééé…");
}
