//! The HTTP clients against wiremock: every error shape of the contract becomes a named
//! [`E2eError`] (never a panic), requests carry their credentials and routing header, A2A
//! retries exactly the transient failures (contract §4, §6.4), and the control-plane and
//! runtime clients read the shapes the contract gives. Ends with a randomized decoder test.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use molecule_e2e::client::{
    ActivityQuery, ControlPlane, Http, ORG_HEADER, RetryPolicy, RuntimeClient, Tenant,
    internals::{Next, is_transient},
};
use molecule_e2e::error::{E2eError, TransportKind};
use molecule_e2e::payload::CreateWorkspace;
use reqwest::Method;
use rstest::rstest;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use wiremock::matchers::{any, body_json, body_partial_json, header, method, path, query_param};
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

const ORG: &str = "org-7c1e0d2a";
const TOKEN: &str = "client-tenant-token-5b2f91";
const CP_TOKEN: &str = "client-cp-admin-token-83d0a4";

fn tenant(server: &MockServer) -> Tenant {
    Tenant::new(&server.uri(), ORG, SecretString::from(TOKEN)).expect("a tenant client")
}

fn cp(server: &MockServer) -> ControlPlane {
    ControlPlane::new(&server.uri(), Some(SecretString::from(CP_TOKEN))).expect("a control-plane client")
}

/// A server answering every request with `template`.
async fn answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(template).mount(&server).await;
    server
}

fn html(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_raw("<html><body><h1>500 Internal Server Error</h1>nginx</body></html>", "text/html")
}

fn workspace_row(id: &str) -> Value {
    json!({"id": id, "name": "E2E Parent", "status": "online", "url": "http://10.0.0.7:8000", "runtime": "hermes"})
}

fn envelope() -> Value {
    json!({
        "jsonrpc": "2.0",
        "method": "message/send",
        "id": "e2e-msg-1",
        "params": {"message": {"role": "user", "messageId": "e2e-0a1b2c3d", "parts": [{"kind": "text", "text": "PONG?"}]}},
    })
}

fn reply() -> Value {
    json!({"jsonrpc": "2.0", "id": "e2e-msg-1", "result": {"kind": "message", "role": "agent", "parts": [{"kind": "text", "text": "PONG"}]}})
}

/// An [`E2eError::Api`] with this status, code and `error`; returns its message.
#[track_caller]
fn expect_api(e: E2eError, status: u16, code: Option<&str>, error: Option<&str>) -> String {
    let text = e.to_string();
    assert_eq!(e.status(), Some(status), "{text}");
    assert_eq!(e.code(), code, "{text}");
    match &e {
        E2eError::Api { error: got, .. } => assert_eq!(got.as_deref(), error, "{text}"),
        other => panic!("expected E2eError::Api, got {other:?}"),
    }
    if let Some(c) = code {
        assert!(text.contains(&format!("code={c}")), "{text}");
    }
    text
}

/// An [`E2eError::Decode`] of an answer with this status whose reason mentions `reason`.
#[track_caller]
fn expect_decode(e: E2eError, status: u16, reason: &str) -> String {
    let text = e.to_string();
    match &e {
        E2eError::Decode { status: s, reason: r, .. } => {
            assert_eq!(*s, status, "{text}");
            assert!(r.contains(reason), "reason should mention {reason:?}: {text}");
        }
        other => panic!("expected E2eError::Decode, got {other:?}"),
    }
    text
}

/// An [`E2eError::Transport`] of this kind; returns its message.
#[track_caller]
fn expect_transport(e: E2eError, kind: TransportKind) -> String {
    let text = e.to_string();
    match &e {
        E2eError::Transport { kind: k, .. } => assert_eq!(*k, kind, "{text}"),
        other => panic!("expected E2eError::Transport({kind:?}), got {other:?}"),
    }
    assert!(text.contains(&kind.to_string()), "{text}");
    text
}

/// A request without the tenant routing header.
struct NoOrgHeader;

impl Match for NoOrgHeader {
    fn matches(&self, request: &Request) -> bool {
        !request.headers.contains_key(ORG_HEADER)
    }
}

/// Answers with each template in turn, then repeats the last.
struct Sequence {
    answers: Vec<ResponseTemplate>,
    next: Arc<AtomicUsize>,
}

impl Sequence {
    fn new(answers: Vec<ResponseTemplate>) -> Self {
        Sequence { answers, next: Arc::new(AtomicUsize::new(0)) }
    }
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.next.fetch_add(1, Ordering::SeqCst).min(self.answers.len() - 1);
        self.answers[i].clone()
    }
}

/// A port on 127.0.0.1 that nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let port = listener.local_addr().expect("its address").port();
    drop(listener);
    port
}

/// A server (not from the pool) that answers every request after `delay`.
async fn slow(delay: Duration) -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"orgs": []})).set_delay(delay))
        .mount(&server)
        .await;
    server
}

mod errors;
mod sends;
mod a2a_retry;
mod a2a_follow;
mod control_plane;
mod runtime;

// ---------------------------------------------------------------------------------------------
// Row decoders: lenient on extras, named on what is missing.

mod rows;

// ---------------------------------------------------------------------------------------------
// Randomized: no JSON, however odd, makes a decoder panic.

mod decoders;
