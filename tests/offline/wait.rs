//! Waiting with a deadline: the ready value comes back, a timeout names what was awaited and
//! the last state seen, a probe error ends the wait at once, and there is always one probe.
//! The polling rule's overshoot bound is pinned on tokio's paused clock (virtual time: an hour
//! of waiting costs nothing). Every real-time deadline here is at most 300 ms; the tests never
//! sleep themselves.

use std::cell::Cell;
use std::time::{Duration, Instant};

use molecule_e2e::E2eError;
use molecule_e2e::wait::{Deadline, POLL_CEILING, POLL_FLOOR, Probe, Wait, grace, poll_interval, short, within};

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

// ---------------------------------------------------------------------------------------------
// The one polling rule: pauses grow with the time waited, between a floor and a ceiling.

#[rstest::rstest]
#[case::at_the_start(Duration::ZERO)]
#[case::a_quarter_second(Duration::from_millis(250))]
#[case::two_seconds(Duration::from_secs(2))]
#[case::a_minute(Duration::from_secs(60))]
#[case::an_hour(Duration::from_secs(3600))]
fn a_pause_is_at_most_a_tenth_of_the_time_waited_within_floor_and_ceiling(#[case] elapsed: Duration) {
    for unit in [0.0, 0.25, 0.5, 0.999_999] {
        let p = poll_interval(elapsed, POLL_FLOOR, POLL_CEILING, unit);
        assert!(p >= POLL_FLOOR, "{p:?} below the floor at {elapsed:?}");
        assert!(p <= POLL_CEILING, "{p:?} above the ceiling at {elapsed:?}");
        assert!(p <= (elapsed / 10).max(POLL_FLOOR), "{p:?} more than a tenth of {elapsed:?}");
        assert!(p >= (elapsed / 20).clamp(POLL_FLOOR, POLL_CEILING / 2), "{p:?}: jitter halves at most, at {elapsed:?}");
    }
}

#[test]
fn jitter_spreads_the_pause_over_half_its_range() {
    let at = Duration::from_secs(20);
    assert_eq!(poll_interval(at, POLL_FLOOR, POLL_CEILING, 0.0), Duration::from_secs(1));
    assert_eq!(poll_interval(at, POLL_FLOOR, POLL_CEILING, 0.5), Duration::from_millis(1500));
    assert!(poll_interval(at, POLL_FLOOR, POLL_CEILING, 0.999_999) > Duration::from_millis(1999));
}

#[test]
fn the_grace_after_a_deadline_is_a_twentieth_of_it_within_bounds() {
    assert_eq!(grace(Duration::ZERO), Duration::from_millis(50));
    assert_eq!(grace(Duration::from_secs(2)), Duration::from_millis(100));
    assert_eq!(grace(Duration::from_secs(20)), Duration::from_secs(1));
    assert_eq!(grace(Duration::from_secs(3600)), Duration::from_secs(1));
}

/// How long after `ready_at` a wait with `deadline` ends, each probe taking `request`
/// (virtual time, on the paused clock), and the probe start times.
async fn overshoot(ready_at: Duration, deadline: Duration, request: Duration) -> (Duration, Vec<Duration>) {
    let start = tokio::time::Instant::now();
    let probes = std::cell::RefCell::new(Vec::new());
    Wait::new("ws 3f2a… online", deadline)
        .until(|| {
            probes.borrow_mut().push(start.elapsed());
            async move {
                tokio::time::sleep(request).await;
                Ok(if start.elapsed() >= ready_at { Probe::Ready(()) } else { Probe::Pending("provisioning".into()) })
            }
        })
        .await
        .expect("ready before the deadline");
    (start.elapsed() - ready_at, probes.into_inner())
}

const REQUEST: Duration = Duration::from_millis(20);

#[rstest::rstest]
#[case::fast_standin(Duration::from_millis(200))]
#[case::org_ready(Duration::from_millis(500))]
#[case::workspace_online(Duration::from_secs(1))]
#[case::scaled_staging_10x(Duration::from_secs(10))]
#[case::scaled_staging_100x(Duration::from_secs(100))]
#[case::staging_org(Duration::from_secs(400))]
#[case::staging_workspace(Duration::from_secs(1800))]
#[tokio::test(start_paused = true)]
async fn a_wait_overshoots_by_at_most_a_tenth_of_what_it_waited_plus_the_floor(#[case] ready_at: Duration) {
    for deadline in [ready_at * 2, Duration::from_secs(3600)] {
        // Jitter draws differ per wait: several waits per case, each bounded.
        for _ in 0..8 {
            let (over, probes) = overshoot(ready_at, deadline, REQUEST).await;
            let bound = ready_at / 10 + POLL_FLOOR + 2 * REQUEST;
            assert!(over <= bound, "ready at {ready_at:?}, deadline {deadline:?}: overshoot {over:?} > {bound:?} ({probes:?})");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn probes_are_never_closer_than_the_floor_nor_further_apart_than_the_ceiling() {
    let (_, probes) = overshoot(Duration::from_secs(3000), Duration::from_secs(3600), REQUEST).await;
    for w in probes.windows(2) {
        let gap = w[1] - w[0];
        assert!(gap >= POLL_FLOOR + REQUEST, "probes {w:?} closer than the floor");
        assert!(gap <= POLL_CEILING + REQUEST, "probes {w:?} further apart than the ceiling");
        assert!(gap <= (w[0] + REQUEST) / 10 + POLL_FLOOR + REQUEST, "probes {w:?}: more than a tenth of the time waited");
    }
    // The first second polls at the floor's rate at most; the whole wait a few hundred times.
    let first_second = probes.iter().filter(|t| **t < Duration::from_secs(1)).count();
    assert!(first_second <= 15, "{first_second} probes in the first second");
    assert!(probes.len() < 500, "{} probes over 3000 s", probes.len());
}

#[tokio::test(start_paused = true)]
async fn the_deadline_does_not_change_how_often_a_wait_looks() {
    let ready_at = Duration::from_secs(30);
    let (_, short_deadline) = overshoot(ready_at, Duration::from_secs(40), REQUEST).await;
    let (_, long_deadline) = overshoot(ready_at, Duration::from_secs(3600), REQUEST).await;
    let (a, b) = (short_deadline.len() as f64, long_deadline.len() as f64);
    assert!((a - b).abs() <= 0.25 * a.max(b), "{a} probes with a 40 s deadline, {b} with an hour");
}

#[tokio::test(start_paused = true)]
async fn a_wait_that_times_out_probes_once_more_at_its_deadline() {
    let start = tokio::time::Instant::now();
    let probes = std::cell::RefCell::new(Vec::new());
    let r: Result<(), _> = Wait::new("org e2e-x running", Duration::from_secs(900))
        .until(|| {
            probes.borrow_mut().push(start.elapsed());
            async { Ok(Probe::Pending("provisioning".into())) }
        })
        .await;
    check_timed_out(r, "org e2e-x running", "provisioning", Duration::from_secs(900));
    let (last, end) = (probes.borrow().last().copied().unwrap_or_default(), start.elapsed());
    let at_deadline = Duration::from_secs(900)..=Duration::from_millis(900_005);
    assert!(at_deadline.contains(&last), "the last probe is at the deadline, not {last:?}");
    assert!(at_deadline.contains(&end), "and the wait ends there, not at {end:?}");
}

// ---------------------------------------------------------------------------------------------
// The deadline a wait lends to its probes' requests.

#[tokio::test(start_paused = true)]
async fn a_probe_runs_under_the_deadline_of_its_wait_plus_grace() {
    let timeout = Duration::from_secs(20);
    let seen = Wait::new("tenant e2e-x /health", timeout)
        .until(|| async { Ok(Probe::Ready(Deadline::current())) })
        .await
        .expect("ready")
        .expect("a deadline in scope");
    assert_eq!(seen.left(), timeout + grace(timeout));
    assert_eq!(seen.whose(), "the wait for tenant e2e-x /health");
    assert!(Deadline::current().is_none(), "the deadline ends with the wait");
}

#[tokio::test(start_paused = true)]
async fn the_nearer_deadline_wins_when_waits_nest() {
    let outer = Deadline::after(Duration::from_secs(5), "the outer wait");
    let inner = within(outer, async {
        Wait::new("inner", Duration::from_secs(60)).until(|| async { Ok(Probe::Ready(Deadline::current())) }).await
    })
    .await
    .expect("ready")
    .expect("a deadline");
    assert_eq!((inner.whose(), inner.left()), ("the outer wait", Duration::from_secs(5)));

    let outer = Deadline::after(Duration::from_secs(600), "the outer wait");
    let inner = within(outer, async {
        Wait::new("inner", Duration::from_secs(60)).until(|| async { Ok(Probe::Ready(Deadline::current())) }).await
    })
    .await
    .expect("ready")
    .expect("a deadline");
    assert_eq!((inner.whose(), inner.left()), ("the wait for inner", Duration::from_secs(61)));
}
