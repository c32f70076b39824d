//! `POST /workspaces` across the edge's cold-origin write window (c1e3398d; FS:883-951 and
//! tests/e2e/lib/workspace_create_retry.sh at aeec8e47), against wiremock: only an empty-body
//! 503 (honouring `Retry-After`) or a reset is tried again, a bounded number of times, never a
//! 503 with a body and never after the client's own timeout.

use std::time::{Duration, Instant};

use molecule_e2e::client::{RetryPolicy, Tenant};
use molecule_e2e::error::E2eError;
use molecule_e2e::payload::CreateWorkspace;
use molecule_e2e::wait::{Deadline, within};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The hermetic policy with a 10 ms ceiling: eight attempts take a tenth of a second.
fn quick() -> RetryPolicy {
    RetryPolicy { max_delay: Duration::from_millis(10), ..RetryPolicy::hermetic(8) }
}

fn tenant(server: &MockServer) -> Tenant {
    Tenant::new(&server.uri(), "org-cold", SecretString::from("cold-create-test-token-3b9e")).expect("a tenant client").with_retry(quick())
}

fn created() -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(json!({"id": "ws-cold", "status": "provisioning"}))
}

fn req() -> CreateWorkspace {
    CreateWorkspace::external("E2E cold", "external")
}

async fn made(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

#[tokio::test]
async fn an_empty_503_with_retry_after_is_tried_again_and_the_create_lands() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/workspaces"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0").insert_header("server", "cloudflare"))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path("/workspaces")).respond_with(created()).mount(&server).await;
    let c = tenant(&server).create_workspace(&req()).await.expect("created on the third attempt");
    assert_eq!((c.id.as_str(), made(&server).await), ("ws-cold", 3));
}

#[tokio::test]
async fn a_503_with_a_body_is_not_tried_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/workspaces"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"error": "service unavailable"})))
        .mount(&server)
        .await;
    let e = tenant(&server).create_workspace(&req()).await.expect_err("a handler answered");
    assert!(matches!(&e, E2eError::Api { status: 503, .. }), "{e:?}");
    assert_eq!(made(&server).await, 1, "a non-idempotent create with a body is never re-sent");
}

#[tokio::test]
async fn an_empty_502_or_504_is_not_tried_again() {
    for status in [502, 504] {
        let server = MockServer::start().await;
        Mock::given(method("POST")).and(path("/workspaces")).respond_with(ResponseTemplate::new(status)).mount(&server).await;
        let e = tenant(&server).create_workspace(&req()).await.expect_err("maybe processed");
        assert_eq!((e.status(), made(&server).await), (Some(status), 1));
    }
}

#[tokio::test]
async fn a_window_that_never_closes_gives_up_after_eight_attempts_naming_them() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/workspaces")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let e = tenant(&server).create_workspace(&req()).await.expect_err("gave up");
    let text = e.to_string();
    assert!(matches!(&e, E2eError::GaveUp { attempts: 8, .. }) && text.contains("cold-origin"), "{text}");
    assert_eq!(made(&server).await, 8);
}

#[tokio::test]
async fn a_client_timeout_is_never_tried_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/workspaces"))
        .respond_with(created().set_delay(Duration::from_secs(3600)))
        .mount(&server)
        .await;
    let t = tenant(&server).with_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let e = within(Deadline::after(Duration::from_secs(5), "the create step"), t.create_workspace(&req())).await.expect_err("timed out");
    assert!(matches!(&e, E2eError::Transport { kind: molecule_e2e::error::TransportKind::Timeout, .. }), "{e:?}");
    assert_eq!(made(&server).await, 1, "the origin may have created it: no second POST");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_refused_connection_is_tried_again_until_the_deadline() {
    // Nothing listens here once the listener is dropped: every attempt is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let t = Tenant::new(&format!("http://127.0.0.1:{port}"), "org-cold", SecretString::from("cold-create-test-token-3b9e"))
        .expect("a tenant client")
        .with_retry(quick());
    let e = t.create_workspace(&req()).await.expect_err("never answered");
    assert!(matches!(&e, E2eError::GaveUp { attempts: 8, .. }), "{e:?}");
}
