//! Deadlines honoured (issue 11 item 5), against wiremock: a request's timeout is the smaller
//! of its own and what is left of the wait it serves; retries stop at the deadline and the
//! error names the attempts and the last answer; register retries follow A2A's transient rule.
//! The waits here are 1 s long (the same code path as staging's 20 s wait ending within 22 s:
//! 1 s must end within 1.1 s, plus 0.1 s for a loaded machine's scheduling); the tests that
//! give up early end in milliseconds.

use std::time::{Duration, Instant};

use molecule_e2e::client::{RetryPolicy, Tenant};
use molecule_e2e::error::{E2eError, TransportKind};
use molecule_e2e::payload::register_body;
use molecule_e2e::wait::{Deadline, Probe, Wait, within};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const WAIT: Duration = Duration::from_secs(1);
/// 10 % past the wait's deadline (the 22 s for a 20 s wait), plus a constant for the
/// scheduling of a test among hundreds on two cores.
const ENDS_BY: Duration = Duration::from_millis(1200);

fn tenant(server: &MockServer) -> Tenant {
    Tenant::new(&server.uri(), "org-deadlines", SecretString::from("deadline-test-token-6c1f")).expect("a tenant client")
}

fn envelope() -> Value {
    json!({"jsonrpc": "2.0", "id": "e2e-1", "method": "message/send", "params": {"message": {"role": "user"}}})
}

/// A server that accepts every request and never answers (within the test's lifetime).
async fn silent() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3600))).mount(&server).await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3600))).mount(&server).await;
    server
}

/// A [`E2eError::GaveUp`] after `attempts`, whose last answer had `status`; returns its text.
#[track_caller]
fn expect_gave_up(e: E2eError, attempts: u32, status: u16) -> String {
    let text = e.to_string();
    match &e {
        E2eError::GaveUp { attempts: made, last, .. } => {
            assert_eq!(*made, attempts, "{text}");
            assert_eq!(last.status(), Some(status), "{text}");
        }
        other => panic!("expected E2eError::GaveUp, got {other:?}"),
    }
    assert_eq!(e.status(), Some(status), "the status reads through the wrapper: {text}");
    let plural = if attempts == 1 { "" } else { "s" };
    assert!(text.contains(&format!("gave up after {attempts} attempt{plural}")), "{text}");
    text
}

#[tokio::test]
async fn a_wait_on_a_server_that_never_answers_ends_within_a_tenth_past_its_deadline() {
    let server = silent().await;
    let t = tenant(&server);
    let started = Instant::now();
    let e = Wait::new("ws 3f2a… online", WAIT)
        .until(|| async {
            let row = t.get_workspace("ws-1").await?;
            Ok(Probe::<()>::Pending(row.status))
        })
        .await
        .expect_err("no answer");
    let took = started.elapsed();
    assert!(took <= ENDS_BY, "a {WAIT:?} wait took {took:?}");
    assert!(took >= WAIT, "the request had the whole wait: {took:?}");
    let text = e.to_string();
    assert!(matches!(e, E2eError::Transport { kind: TransportKind::Timeout, .. }), "{e:?}");
    assert!(text.contains("no answer before the deadline of the wait for ws 3f2a… online"), "{text}");
}

#[tokio::test]
async fn a_probe_that_treats_no_answer_as_pending_times_out_within_a_tenth_past_the_deadline() {
    let server = silent().await;
    let t = tenant(&server);
    let started = Instant::now();
    let e = Wait::new("tenant e2e-x /health", WAIT)
        .until(|| async {
            Ok(match t.health().await {
                Ok(()) => Probe::Ready(()),
                Err(e) => Probe::Pending(e.to_string()),
            })
        })
        .await
        .expect_err("never healthy");
    let took = started.elapsed();
    assert!(took <= ENDS_BY, "a {WAIT:?} wait took {took:?}");
    assert!(matches!(&e, E2eError::WaitTimeout { last_seen, .. } if last_seen.contains("timed out")), "{e:?}");
}

#[tokio::test]
async fn an_a2a_call_on_a_silent_server_ends_at_the_wait_deadline_not_after_90_s() {
    let server = silent().await;
    let t = tenant(&server);
    let started = Instant::now();
    let e = within(Deadline::after(WAIT, "the wait for a reply"), t.a2a("ws-1", &envelope(), &RetryPolicy::hermetic(8)))
        .await
        .expect_err("no answer");
    let took = started.elapsed();
    assert!((WAIT..=ENDS_BY).contains(&took), "took {took:?}");
    assert!(e.to_string().contains("no answer before the deadline of the wait for a reply"), "{e}");
}

#[tokio::test]
async fn a_503_asking_for_an_hour_gives_up_at_once_naming_the_attempts() {
    let server = MockServer::start().await;
    Mock::given(path("/workspaces/ws-1/a2a"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "3600").set_body_string("Service Unavailable"))
        .expect(1)
        .mount(&server)
        .await;
    let t = tenant(&server);
    let started = Instant::now();
    let e = Wait::new("ws 3f2a… answers", WAIT)
        .until(|| async { t.a2a("ws-1", &envelope(), &RetryPolicy::staging(8)).await.map(Probe::Ready) })
        .await
        .expect_err("gave up");
    assert!(started.elapsed() < WAIT, "no pause past the deadline: {:?}", started.elapsed());
    let text = expect_gave_up(e, 1, 503);
    assert!(text.contains("Retry-After (3600.0s) ends past the deadline"), "{text}");
    assert!(text.contains("last answer: a2a (POST /workspaces/ws-1/a2a): HTTP 503"), "{text}");
}

#[tokio::test]
async fn without_a_wait_the_policy_budget_is_the_deadline() {
    let server = MockServer::start().await;
    Mock::given(path("/workspaces/ws-1/a2a"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "3600").set_body_string("Service Unavailable"))
        .expect(1)
        .mount(&server)
        .await;
    // Staging's policy: 8 attempts, a 300 s budget; an hour's Retry-After does not fit in it.
    let started = Instant::now();
    let e = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::staging(8)).await.expect_err("gave up");
    assert!(started.elapsed() < WAIT, "{:?}", started.elapsed());
    let text = expect_gave_up(e, 1, 503);
    assert!(text.contains("300.0s left") || text.contains("299."), "the budget's time left: {text}");
}

#[tokio::test]
async fn transient_retries_stop_at_the_deadline_with_the_last_answer() {
    let server = MockServer::start().await;
    Mock::given(path("/workspaces/ws-1/a2a"))
        .respond_with(ResponseTemplate::new(502).set_body_string("error code: 502"))
        .mount(&server)
        .await;
    // Pauses of 150 ms to 300 ms: a 1 s deadline leaves room for a few attempts, not 50.
    let policy = RetryPolicy { min_delay: Duration::from_millis(150), max_delay: Duration::from_millis(300), ..RetryPolicy::hermetic(50) };
    let started = Instant::now();
    let e = within(Deadline::after(WAIT, "the wait for a reply"), tenant(&server).a2a("ws-1", &envelope(), &policy))
        .await
        .expect_err("gave up");
    assert!(started.elapsed() < ENDS_BY, "{:?}", started.elapsed());
    let made = server.received_requests().await.map_or(0, |r| r.len()) as u32;
    // At least two (a retry happened); a loaded machine may fit no third in the second.
    assert!((2..=7).contains(&made), "{made} attempts in 1 s");
    let text = expect_gave_up(e, made, 502);
    assert!(text.contains("ends past the deadline"), "{text}");
    assert!(text.contains("error code: 502"), "{text}");
}

#[tokio::test]
async fn a_request_is_not_sent_once_its_deadline_has_passed() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let t = tenant(&server);
    let e = within(Deadline::after(Duration::ZERO, "the wait for nothing"), t.health()).await.expect_err("too late");
    assert!(matches!(e, E2eError::Transport { kind: TransportKind::Timeout, .. }), "{e:?}");
    assert!(e.to_string().contains("not sent: the deadline of the wait for nothing has passed"), "{e}");
}

fn registered() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"status": "registered", "delivery_mode": "poll"}))
}

#[tokio::test]
async fn register_retries_a_passing_failure_honouring_retry_after() {
    let server = MockServer::start().await;
    Mock::given(path("/registry/register"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0").set_body_string("no healthy upstream"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/registry/register")).respond_with(registered()).expect(1).mount(&server).await;
    // A backoff of half a minute: only the server's `Retry-After: 0` makes this fast.
    let patient = RetryPolicy { min_delay: Duration::from_secs(30), max_delay: Duration::from_secs(30), ..RetryPolicy::staging(3) };
    let r = within(
        Deadline::after(WAIT, "the register"),
        tenant(&server).register_retrying(&register_body("ws-1", "poll"), &patient),
    )
    .await
    .expect("registered on the second attempt");
    assert_eq!(r.delivery_mode.as_deref(), Some("poll"));
}

#[tokio::test]
async fn register_fails_at_once_on_a_gateway_status_whose_body_is_not_passing() {
    let server = MockServer::start().await;
    Mock::given(path("/registry/register"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"error": "workspace is being deleted"})))
        .expect(1)
        .mount(&server)
        .await;
    let e = tenant(&server)
        .register_retrying(&register_body("ws-1", "poll"), &RetryPolicy::hermetic(5))
        .await
        .expect_err("not retried");
    assert!(matches!(&e, E2eError::Api { status: 503, error: Some(m), .. } if m == "workspace is being deleted"), "{e:?}");
}

#[tokio::test]
async fn register_gives_up_after_its_attempts_naming_them() {
    let server = MockServer::start().await;
    Mock::given(path("/registry/register"))
        .respond_with(ResponseTemplate::new(502).set_body_string("Bad Gateway"))
        .expect(3)
        .mount(&server)
        .await;
    let e = tenant(&server)
        .register_retrying(&register_body("ws-1", "poll"), &RetryPolicy::hermetic(3))
        .await
        .expect_err("gave up");
    let text = expect_gave_up(e, 3, 502);
    assert!(text.contains("every attempt the policy allows (3)"), "{text}");
}

/// The staging stale deadline fits every generation's window plus one sweep: 135 s of margin
/// at 41409fb2 (90 s), 45 s at aeec8e47 (180 s) (docs/waits-and-teardown.md).
#[test]
fn the_staging_stale_deadline_fits_every_generations_window() {
    use molecule_e2e::config::Timeouts;
    use molecule_e2e::generation::{G41409FB2, GENERATIONS, GAEEC8E47};
    let deadline = Timeouts::STAGING.stale_poll_deadline;
    for g in GENERATIONS {
        assert!(g.cp.stale_margin(deadline).is_some(), "{g}: {deadline:?} does not fit {:?}", g.cp.stale_worst_case());
    }
    assert_eq!(G41409FB2.cp.stale_margin(deadline), Some(Duration::from_secs(135)));
    assert_eq!(GAEEC8E47.cp.stale_margin(deadline), Some(Duration::from_secs(45)));
}
