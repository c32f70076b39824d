//! The HTTP clients against wiremock: every error shape of the contract becomes a named
//! [`E2eError`] (never a panic), requests carry their credentials and routing header, A2A
//! retries exactly the transient failures (contract §4, §6.4), and the control-plane and
//! runtime clients read the shapes the contract gives. Ends with a randomized decoder test.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use molecule_e2e::client::{
    ActivityQuery, ControlPlane, Http, Next, ORG_HEADER, RetryPolicy, RuntimeClient, Tenant, is_transient,
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

// ---------------------------------------------------------------------------------------------
// Error shapes of the contract → named errors.

#[rstest]
#[case::model_required(
    json!({"error": "model is required", "runtime": "hermes", "template": "", "code": "MODEL_REQUIRED"}),
    "MODEL_REQUIRED",
    "model is required"
)]
#[case::unregistered_model(
    json!({"error": "model \"openai/gpt-4o\" is not a registered model for runtime \"codex\"", "runtime": "codex", "model": "openai/gpt-4o", "code": "UNREGISTERED_MODEL_FOR_RUNTIME"}),
    "UNREGISTERED_MODEL_FOR_RUNTIME",
    "model \"openai/gpt-4o\" is not a registered model for runtime \"codex\""
)]
#[case::runtime_unsupported(
    json!({"error": "unsupported workspace runtime", "runtime": "langgraph", "code": "RUNTIME_UNSUPPORTED"}),
    "RUNTIME_UNSUPPORTED",
    "unsupported workspace runtime"
)]
#[case::runtime_unresolved(
    json!({"error": "could not resolve runtime", "template": "seo-agent", "code": "RUNTIME_UNRESOLVED"}),
    "RUNTIME_UNRESOLVED",
    "could not resolve runtime"
)]
#[tokio::test]
async fn create_422_is_an_api_error_with_its_code(#[case] body: Value, #[case] code: &str, #[case] error: &str) {
    let server = answering(ResponseTemplate::new(422).set_body_json(&body)).await;
    let e = tenant(&server)
        .create_workspace(&CreateWorkspace::platform("E2E Parent", "codex", "openai/gpt-4o"))
        .await
        .expect_err("a 422 is refused");
    let text = expect_api(e, 422, Some(code), Some(error));
    assert!(text.starts_with("create_workspace (POST /workspaces): HTTP 422"), "{text}");
}

#[tokio::test]
async fn create_strip_list_400_names_the_key_in_its_excerpt() {
    let body = json!({
        "error": "direct vendor key writes are blocked for platform-managed workspaces; set this workspace's billing mode to 'byok' via /admin/workspaces/:id/llm-billing-mode",
        "key": "MINIMAX_API_KEY",
        "workspace_id": "ws-1",
    });
    let server = answering(ResponseTemplate::new(400).set_body_json(&body)).await;
    let e = tenant(&server)
        .create_workspace(&CreateWorkspace::platform("E2E Parent", "claude-code", "MiniMax-M2.7"))
        .await
        .expect_err("refused");
    let text = expect_api(e, 400, None, Some(body["error"].as_str().unwrap()));
    assert!(text.contains(r#""key":"MINIMAX_API_KEY""#), "the excerpt names the refused key: {text}");
}

#[tokio::test]
async fn create_requires_201_exactly() {
    let server = answering(ResponseTemplate::new(200).set_body_json(json!({"id": "ws-1"}))).await;
    let e = tenant(&server).create_workspace(&CreateWorkspace::external("ext-e2e", "external")).await.unwrap_err();
    expect_api(e, 200, None, None);
}

#[tokio::test]
async fn missing_org_header_is_the_tenant_guards_named_400() {
    let server = MockServer::start().await;
    Mock::given(NoOrgHeader)
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "missing tenant routing header",
            "code": "TENANT_ORG_HEADER_REQUIRED",
            "required_header": "X-Molecule-Org-Id",
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(header(ORG_HEADER, ORG)).respond_with(ResponseTemplate::new(200).set_body_json(workspace_row("ws-1"))).expect(1).mount(&server).await;
    let t = tenant(&server);
    t.get_workspace("ws-1").await.expect("with the header the call passes");
    let e = t.without_org_header().get_workspace("ws-1").await.expect_err("without it the guard refuses");
    let text = expect_api(e, 400, Some("TENANT_ORG_HEADER_REQUIRED"), Some("missing tenant routing header"));
    assert!(text.contains("get_workspace (GET /workspaces/ws-1)"), "{text}");
}

#[tokio::test]
async fn wrong_org_404_with_an_empty_body_is_an_api_error() {
    let server = answering(ResponseTemplate::new(404)).await;
    let e = tenant(&server).get_workspace("ws-1").await.expect_err("404");
    let text = expect_api(e, 404, None, None);
    assert_eq!(text, "get_workspace (GET /workspaces/ws-1): HTTP 404; body: (empty body)");
}

#[tokio::test]
async fn invalid_admin_token_401_carries_the_platforms_words() {
    let server = answering(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid admin auth token"}))).await;
    let e = tenant(&server).list_workspaces().await.expect_err("401");
    let text = expect_api(e, 401, None, Some("invalid admin auth token"));
    assert!(text.contains("list_workspaces (GET /workspaces): HTTP 401 error=\"invalid admin auth token\""), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
}

#[tokio::test]
async fn stale_memory_version_is_the_contracts_409() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/workspaces/ws-1/memory"))
        .and(body_partial_json(json!({"key": "k", "value": {"step": 2}, "if_match_version": 1})))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({
            "error": "if_match_version mismatch", "expected_version": 1, "current_version": 2,
        })))
        .expect(1)
        .mount(&server)
        .await;
    let e = tenant(&server).memory_set("ws-1", "k", &json!({"step": 2}), Some(1)).await.expect_err("409");
    let text = expect_api(e, 409, None, Some("if_match_version mismatch"));
    assert!(text.contains("memory_set (POST /workspaces/ws-1/memory)") && text.contains("current_version"), "{text}");
}

#[tokio::test]
async fn memory_set_returns_the_new_version() {
    let server = answering(ResponseTemplate::new(200).set_body_json(json!({"status": "ok", "key": "k", "version": 3}))).await;
    assert_eq!(tenant(&server).memory_set("ws-1", "k", &json!(1), None).await.expect("ok"), 3);
}

#[tokio::test]
async fn html_500_is_an_api_error_with_the_html_excerpt() {
    let server = answering(html(500)).await;
    let e = tenant(&server)
        .create_workspace(&CreateWorkspace::platform("E2E Parent", "hermes", "openai/gpt-4o"))
        .await
        .expect_err("500");
    let text = expect_api(e, 500, None, None);
    assert!(text.contains("<h1>500 Internal Server Error</h1>nginx"), "{text}");
}

#[tokio::test]
async fn html_200_is_a_named_decode_error() {
    let server = answering(html(200)).await;
    let e = tenant(&server).get_workspace("ws-1").await.expect_err("HTML is not a row");
    let text = expect_decode(e, 200, "content type is \"text/html\"");
    assert!(text.starts_with("get_workspace (GET /workspaces/ws-1): HTTP 200 answer is not JSON"), "{text}");
    assert!(text.contains("nginx"), "the excerpt shows what came back: {text}");
}

#[tokio::test]
async fn truncated_json_is_a_named_decode_error() {
    let server = answering(ResponseTemplate::new(201).set_body_raw(r#"{"id":"x""#, "application/json")).await;
    let e = tenant(&server)
        .create_workspace(&CreateWorkspace::external("ext-e2e", "external"))
        .await
        .expect_err("truncated");
    let text = expect_decode(e, 201, "EOF");
    assert!(text.contains(r#"{"id":"x""#), "{text}");
}

#[tokio::test]
async fn wrong_content_type_is_named_in_the_decode_error() {
    let server = answering(ResponseTemplate::new(200).set_body_string("OK")).await;
    let e = tenant(&server).billing_mode("ws-1").await.expect_err("not JSON");
    expect_decode(e, 200, "text/plain");
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_decode_error_naming_the_field() {
    let server = answering(ResponseTemplate::new(200).set_body_json(json!({"id": "ws-1", "url": null}))).await;
    let e = tenant(&server).get_workspace("ws-1").await.expect_err("no status");
    let text = expect_decode(e, 200, "no \"status\" field");
    assert!(text.contains("answer is not a workspace row"), "{text}");
}

#[tokio::test]
async fn connection_refused_is_a_named_transport_error() {
    let base = format!("http://127.0.0.1:{}", closed_port());
    let t = Tenant::new(&base, ORG, SecretString::from(TOKEN)).expect("a client");
    let text = expect_transport(t.get_workspace("ws-1").await.unwrap_err(), TransportKind::ConnectionRefused);
    assert!(text.starts_with("get_workspace (GET /workspaces/ws-1): connection refused"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
    let cp = ControlPlane::new(&base, None).expect("a client");
    expect_transport(cp.health().await.unwrap_err(), TransportKind::ConnectionRefused);
}

#[tokio::test]
async fn a_slow_answer_is_a_named_timeout_on_http() {
    let server = slow(Duration::from_secs(2)).await;
    let http = Http::new(&server.uri()).expect("a client").with_timeout(Duration::from_millis(100));
    let started = Instant::now();
    let e = http.json("probe", Method::GET, "/slow?secret=no", None).await.unwrap_err();
    let text = expect_transport(e, TransportKind::Timeout);
    assert!(text.starts_with("probe (GET /slow): timed out"), "no query string in the message: {text}");
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_slow_answer_is_a_named_timeout_on_tenant_and_control_plane() {
    let server = slow(Duration::from_secs(2)).await;
    let t = tenant(&server).with_timeout(Duration::from_millis(100));
    expect_transport(t.list_workspaces().await.unwrap_err(), TransportKind::Timeout);
    let c = cp(&server).with_timeout(Duration::from_millis(100));
    expect_transport(c.list_orgs().await.unwrap_err(), TransportKind::Timeout);
}

#[tokio::test]
async fn a_bad_base_url_is_refused_up_front() {
    for base in ["ftp://example.test", "not a url"] {
        match Tenant::new(base, ORG, SecretString::from(TOKEN)) {
            Err(E2eError::Unmet(m)) => assert!(m.contains(base), "{m}"),
            other => panic!("{base:?} should be refused, got {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What the tenant client sends.

#[tokio::test]
async fn tenant_calls_carry_the_bearer_and_the_org_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/workspaces/ws-1"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("x-molecule-org-id", ORG))
        .respond_with(ResponseTemplate::new(200).set_body_json(workspace_row("ws-1")))
        .expect(1)
        .mount(&server)
        .await;
    let row = tenant(&server).get_workspace("ws-1").await.expect("a row");
    assert!(row.is_ready(), "{row:?}");
}

#[tokio::test]
async fn as_workspace_swaps_the_bearer_and_with_caller_names_the_caller() {
    let server = MockServer::start().await;
    Mock::given(path("/workspaces/child/activity"))
        .and(header("authorization", "Bearer client-ws-token-71aa30"))
        .and(header(ORG_HEADER, ORG))
        .and(header("x-workspace-id", "parent"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let t = tenant(&server).as_workspace(&SecretString::from("client-ws-token-71aa30")).with_caller("parent").expect("caller");
    assert_eq!(t.org_id(), ORG);
    assert!(t.activity("child", &ActivityQuery::default()).await.expect("rows").is_empty());
}

#[tokio::test]
async fn create_sends_the_wire_body_and_decodes_the_token() {
    let req = CreateWorkspace::platform("E2E Parent", "hermes", "openai/gpt-4o").with_secrets(
        [("MODEL_PROVIDER".to_owned(), SecretString::from("openai:gpt-4o"))].into_iter().collect(),
    );
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/workspaces"))
        .and(body_json(req.to_body()))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "ws-9", "status": "provisioning", "workspace_access": "none", "auth_token": "client-created-token-4411",
        })))
        .expect(1)
        .mount(&server)
        .await;
    let created = tenant(&server).create_workspace(&req).await.expect("created");
    assert_eq!((created.id.as_str(), created.status.as_str(), created.external), ("ws-9", "provisioning", false));
    assert_eq!(created.token().map(|t| t.expose_secret()), Some("client-created-token-4411"));
    assert!(!format!("{created:?}").contains("client-created-token-4411"));
}

#[tokio::test]
async fn delete_workspace_confirms_by_name() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/workspaces/ws-1"))
        .and(query_param("confirm", "true"))
        .and(header("x-confirm-name", "E2E Parent"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "removed", "cascade_deleted": 0})))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(tenant(&server).delete_workspace("ws-1", "E2E Parent").await.expect("removed").status, "removed");
}

#[tokio::test]
async fn ids_are_percent_encoded_so_they_cannot_change_the_path() {
    let server = MockServer::start().await;
    Mock::given(path("/workspaces/..%2Fadmin%3Fx")).respond_with(ResponseTemplate::new(200).set_body_json(workspace_row("x"))).expect(1).mount(&server).await;
    tenant(&server).get_workspace("../admin?x").await.expect("the odd id stays one segment");
}

#[tokio::test]
async fn activity_sends_its_filters_and_reads_both_list_shapes() {
    let server = MockServer::start().await;
    let row = json!({"id": "a-2", "activity_type": "a2a_receive", "request_body": envelope()});
    Mock::given(path("/workspaces/ws-1/activity"))
        .and(query_param("type", "a2a_receive"))
        .and(query_param("since_id", "a-1"))
        .and(query_param("limit", "5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([row])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/workspaces/ws-2/activity"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"events": [row]})))
        .expect(1)
        .mount(&server)
        .await;
    let t = tenant(&server);
    let q = ActivityQuery::of_type("a2a_receive").since(Some("a-1")).limit(5);
    let rows = t.activity("ws-1", &q).await.expect("rows");
    assert_eq!(rows[0].message_text().as_deref(), Some("PONG?"));
    assert_eq!(rows[0].message_id(), Some("e2e-0a1b2c3d"));
    assert_eq!(t.activity("ws-2", &ActivityQuery::default()).await.expect("rows").len(), 1);
}

#[tokio::test]
async fn lifecycle_acks_accept_an_empty_204() {
    let server = answering(ResponseTemplate::new(204)).await;
    assert_eq!(tenant(&server).pause("ws-1").await.expect("ack").status, "");
}

#[tokio::test]
async fn register_reads_the_delivery_mode_from_the_answer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/registry/register"))
        .and(body_partial_json(json!({"id": "ws-1", "delivery_mode": "poll"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "registered", "delivery_mode": "poll"})))
        .expect(1)
        .mount(&server)
        .await;
    let r = tenant(&server).register(&molecule_e2e::payload::register_body("ws-1", "poll")).await.expect("registered");
    assert_eq!(r.delivery_mode.as_deref(), Some("poll"));
}

// ---------------------------------------------------------------------------------------------
// A2A and the transient-retry policy (contract §4, §6.4).

fn a2a_mock(responder: impl Respond + 'static) -> Mock {
    Mock::given(method("POST")).and(path("/workspaces/ws-1/a2a")).and(body_json(envelope())).respond_with(responder)
}

#[tokio::test]
async fn a2a_retries_transient_503_and_502_then_answers() {
    let server = MockServer::start().await;
    a2a_mock(Sequence::new(vec![
        ResponseTemplate::new(503).set_body_json(json!({"error": "workspace agent unreachable — container restart triggered", "restarting": true})),
        ResponseTemplate::new(502).set_body_string("Bad Gateway"),
        ResponseTemplate::new(200).set_body_json(reply()),
    ]))
    .expect(3)
    .mount(&server)
    .await;
    let a = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(5)).await.expect("answered");
    assert_eq!((a.status, a.attempts), (200, 3));
    assert_eq!(a.body, reply());
}

#[tokio::test]
async fn a2a_fails_at_once_on_a_non_transient_503() {
    let server = MockServer::start().await;
    a2a_mock(ResponseTemplate::new(503).set_body_json(json!({"error": "workspace has no URL", "status": "paused"})))
        .expect(1)
        .mount(&server)
        .await;
    let e = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(5)).await.expect_err("no retry");
    let text = expect_api(e, 503, None, Some("workspace has no URL"));
    assert!(text.starts_with("a2a (POST /workspaces/ws-1/a2a): HTTP 503"), "{text}");
}

#[rstest]
#[case::one_attempt(1)]
#[case::three_attempts(3)]
#[tokio::test]
async fn a2a_retries_stop_at_the_bound(#[case] attempts: u32) {
    let server = MockServer::start().await;
    a2a_mock(ResponseTemplate::new(502).set_body_string("error code: 502"))
        .expect(u64::from(attempts))
        .mount(&server)
        .await;
    let e = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(attempts)).await.expect_err("gave up");
    let text = e.to_string();
    match e {
        E2eError::GaveUp { attempts: made, last, .. } => {
            assert_eq!(made, attempts, "{text}");
            expect_api(*last, 502, None, None);
        }
        other => panic!("expected E2eError::GaveUp, got {other:?}"),
    }
    let plural = if attempts == 1 { "" } else { "s" };
    assert!(text.contains(&format!("gave up after {attempts} attempt{plural}")), "{text}");
    assert!(text.contains("error code: 502"), "{text}");
}

#[tokio::test]
async fn a2a_retry_after_replaces_the_backoff() {
    let server = MockServer::start().await;
    a2a_mock(Sequence::new(vec![
        ResponseTemplate::new(503).insert_header("retry-after", "0").set_body_string("Service Unavailable"),
        ResponseTemplate::new(200).set_body_json(reply()),
    ]))
    .expect(2)
    .mount(&server)
    .await;
    // A backoff of half a minute: only the server's `Retry-After: 0` makes this fast.
    let patient = RetryPolicy { min_delay: Duration::from_secs(30), max_delay: Duration::from_secs(30), ..RetryPolicy::staging(2) };
    let (t, env) = (tenant(&server), envelope());
    let call = t.a2a("ws-1", &env, &patient);
    let a = tokio::time::timeout(Duration::from_secs(5), call).await.expect("Retry-After: 0 was honoured").expect("answered");
    assert_eq!((a.status, a.attempts), (200, 2));
}

#[rstest]
#[case::none_uses_the_backoff(None, Next::Retry(Duration::from_millis(20)))]
#[case::zero(Some(Duration::ZERO), Next::Retry(Duration::ZERO))]
#[case::one_second(Some(Duration::from_secs(1)), Next::Retry(Duration::from_secs(1)))]
#[case::an_hour_is_honoured_when_it_fits(Some(Duration::from_secs(3600)), Next::Retry(Duration::from_secs(3600)))]
fn retry_after_replaces_the_backoff_when_the_deadline_allows(#[case] retry_after: Option<Duration>, #[case] next: Next) {
    let left = Duration::from_secs(7200);
    assert_eq!(RetryPolicy::hermetic(5).after_transient(Some(Duration::from_millis(20)), retry_after, left), next);
}

#[tokio::test]
async fn the_waking_503_is_an_answer_not_a_retry() {
    let server = MockServer::start().await;
    let waking = json!({"error": "workspace is waking from hibernation — retry in ~15 seconds", "waking": true, "retry_after": 15});
    a2a_mock(ResponseTemplate::new(503).insert_header("retry-after", "15").set_body_json(&waking)).expect(1).mount(&server).await;
    let a = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(5)).await.expect("an answer");
    assert_eq!((a.status, a.attempts, a.retry_after), (503, 1, Some(Duration::from_secs(15))));
    assert_eq!(a.body, waking);
}

#[rstest]
#[case::busy_queued(202, json!({"queued": true, "queue_id": "q-1", "queue_depth": 1, "message": "workspace agent busy — request queued, will dispatch when capacity available"}))]
#[case::poll_queued(200, json!({"status": "queued", "delivery_mode": "poll", "method": "message/send"}))]
#[tokio::test]
async fn a2a_2xx_alternates_are_answers(#[case] status: u16, #[case] body: Value) {
    let server = MockServer::start().await;
    a2a_mock(ResponseTemplate::new(status).set_body_json(&body)).expect(1).mount(&server).await;
    let a = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(5)).await.expect("an answer");
    assert_eq!((a.status, a.body), (status, body));
}

#[rstest]
#[case::not_found(404, json!({"error": "workspace not found"}), "workspace not found")]
#[case::budget(402, json!({"error": "workspace budget limit exceeded", "exceeded_periods": ["day"]}), "workspace budget limit exceeded")]
#[case::not_routable(502, json!({"error": "workspace URL is not publicly routable"}), "workspace URL is not publicly routable")]
#[tokio::test]
async fn a2a_refusals_are_api_errors_without_retry(#[case] status: u16, #[case] body: Value, #[case] error: &str) {
    let server = MockServer::start().await;
    a2a_mock(ResponseTemplate::new(status).set_body_json(&body)).expect(1).mount(&server).await;
    let e = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(5)).await.expect_err("refused");
    expect_api(e, status, None, Some(error));
}

#[tokio::test]
async fn a2a_json_rpc_error_with_a_non_2xx_status_names_its_code_and_message() {
    let server = MockServer::start().await;
    let body = json!({"jsonrpc": "2.0", "id": "e2e-msg-1", "error": {"code": -32603, "message": "Internal error"}});
    a2a_mock(ResponseTemplate::new(400).set_body_json(&body)).expect(1).mount(&server).await;
    let e = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(5)).await.expect_err("refused");
    let text = expect_api(e, 400, Some("-32603"), Some("Internal error"));
    assert!(text.starts_with("a2a (POST /workspaces/ws-1/a2a): HTTP 400 code=-32603"), "{text}");
}

#[tokio::test]
async fn a2a_html_500_is_an_api_error_and_a_non_json_200_a_decode_error() {
    let server = MockServer::start().await;
    a2a_mock(html(500)).expect(1).mount(&server).await;
    let e = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(5)).await.unwrap_err();
    expect_api(e, 500, None, None);

    let server = MockServer::start().await;
    a2a_mock(html(200)).expect(1).mount(&server).await;
    let e = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(5)).await.unwrap_err();
    expect_decode(e, 200, "text/html");
}

#[tokio::test]
async fn a2a_sends_extra_headers() {
    let server = MockServer::start().await;
    Mock::given(header("a2a-version", "1.0"))
        .and(header(ORG_HEADER, ORG))
        .respond_with(ResponseTemplate::new(200).set_body_json(reply()))
        .expect(1)
        .mount(&server)
        .await;
    let a = tenant(&server)
        .a2a_with_headers("ws-1", &envelope(), &[("a2a-version", "1.0")], &RetryPolicy::hermetic(1))
        .await
        .expect("answered");
    assert_eq!(a.attempts, 1);
}

#[rstest]
#[case::service_unavailable(503, "Service Unavailable", true)]
#[case::bad_gateway(502, "<html>502 Bad Gateway</html>", true)]
#[case::gateway_timeout(504, "Gateway Timeout", true)]
#[case::cloudflare_502(502, "error code: 502", true)]
#[case::cloudflare_504(504, "error code: 504", true)]
#[case::agent_unreachable(503, r#"{"error":"workspace agent unreachable — container restart triggered"}"#, true)]
#[case::connection_refused(502, "dial tcp: connection refused", true)]
#[case::no_healthy_upstream(503, "no healthy upstream", true)]
#[case::agent_busy(503, r#"{"error":"workspace agent busy — retry after a short backoff","busy":true}"#, true)]
#[case::native_session(503, "native_session not ready", true)]
#[case::no_url_is_not_passing(503, r#"{"error":"workspace has no URL","status":"paused"}"#, false)]
#[case::waking_is_not_retried(503, r#"{"error":"workspace is waking from hibernation","waking":true}"#, false)]
#[case::not_routable(502, r#"{"error":"workspace URL is not publicly routable"}"#, false)]
#[case::empty_503(503, "", false)]
#[case::marker_on_a_500(500, "Bad Gateway", false)]
#[case::marker_on_a_429(429, "Service Unavailable", false)]
#[case::marker_on_a_200(200, "Service Unavailable", false)]
fn transient_failures_are_gateway_statuses_with_known_bodies(#[case] status: u16, #[case] body: &str, #[case] transient: bool) {
    assert_eq!(is_transient(status, body.as_bytes()), transient, "{status} {body:?}");
}

#[rstest]
#[case::staging(RetryPolicy::staging(8), 7, Duration::from_secs(15))]
#[case::hermetic(RetryPolicy::hermetic(5), 4, Duration::from_millis(200))]
#[case::single_attempt(RetryPolicy::hermetic(1), 0, Duration::ZERO)]
#[case::zero_attempts(RetryPolicy::hermetic(0), 0, Duration::ZERO)]
fn retry_policy_has_attempts_minus_one_bounded_delays(#[case] p: RetryPolicy, #[case] n: usize, #[case] cap: Duration) {
    let d: Vec<_> = p.delays().collect();
    assert_eq!(d.len(), n, "{d:?}");
    assert!(d.iter().all(|x| *x >= p.min_delay && *x <= cap), "{d:?}");
}

// ---------------------------------------------------------------------------------------------
// The control plane (contract §2).

#[tokio::test]
async fn create_org_sends_the_harness_body_with_the_admin_bearer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cp/admin/orgs"))
        .and(header("authorization", format!("Bearer {CP_TOKEN}").as_str()))
        .and(NoOrgHeader)
        .and(body_json(json!({"slug": "e2e-20260606-1", "name": "E2E e2e-20260606-1", "owner_user_id": "e2e-runner:e2e-20260606-1"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "org-1", "slug": "e2e-20260606-1", "instance_status": "provisioning"})))
        .expect(1)
        .mount(&server)
        .await;
    let org = cp(&server).create_org("e2e-20260606-1", "E2E e2e-20260606-1").await.expect("an org");
    assert_eq!((org.id.as_str(), org.instance_status.as_deref()), ("org-1", Some("provisioning")));
}

#[rstest]
#[case::no_id(json!({"slug": "e2e-x"}), "no \"id\" field")]
#[case::empty_id(json!({"id": "", "slug": "e2e-x"}), "\"id\" is an empty string")]
#[case::numeric_id(json!({"id": 7}), "\"id\" is a number, expected a string")]
#[case::null_id(json!({"id": null}), "\"id\" is null, expected a string")]
#[case::not_an_object(json!(["o-1"]), "the answer is an array, not an object")]
#[tokio::test]
async fn create_org_without_a_string_id_names_the_field_and_its_type(#[case] body: Value, #[case] reason: &str) {
    let server = answering(ResponseTemplate::new(200).set_body_json(&body)).await;
    let e = cp(&server).create_org("e2e-x", "E2E e2e-x").await.expect_err("no id");
    let text = expect_decode(e, 200, reason);
    assert!(text.starts_with("create_org (POST /cp/admin/orgs): HTTP 200 answer is not an org with an \"id\""), "{text}");
}

#[tokio::test]
async fn create_org_duplicate_slug_is_a_409() {
    let server = answering(ResponseTemplate::new(409).set_body_json(json!({"error": "slug already taken"}))).await;
    let e = cp(&server).create_org("e2e-x", "E2E e2e-x").await.unwrap_err();
    expect_api(e, 409, None, Some("slug already taken"));
}

#[tokio::test]
async fn delete_tenant_sends_confirm_with_the_slug() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/cp/admin/tenants/e2e-x"))
        .and(body_json(json!({"confirm": "e2e-x"})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    cp(&server).delete_tenant("e2e-x").await.expect("deleted");
}

#[tokio::test]
async fn list_orgs_decodes_the_orgs_array_and_org_skips_purged_rows() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cp/admin/orgs"))
        .and(query_param("limit", "500"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"orgs": [
            {"id": "o-1", "slug": "e2e-a", "instance_status": "running", "last_error": null, "created_at": "2026-06-06T10:00:00Z", "plan": "free", "member_count": 1},
            {"id": "o-2", "slug": "e2e-b", "instance_status": "running", "status": "purged"},
        ]})))
        .mount(&server)
        .await;
    let c = cp(&server);
    let orgs = c.list_orgs().await.expect("orgs");
    assert_eq!(orgs.iter().map(|o| o.slug.as_str()).collect::<Vec<_>>(), ["e2e-a", "e2e-b"]);
    assert_eq!(orgs[0].created_at.as_deref(), Some("2026-06-06T10:00:00Z"));
    assert_eq!(c.org("e2e-a").await.expect("listed").map(|o| o.id), Some("o-1".to_owned()));
    assert_eq!(c.org("e2e-b").await.expect("listed"), None, "a purged row counts as gone");
    assert_eq!(c.org("e2e-c").await.expect("listed"), None);
}

#[rstest]
#[case::no_orgs_key(json!({"items": []}), "no \"orgs\" array")]
#[case::bare_array(json!([]), "no \"orgs\" array")]
#[case::row_without_slug(json!({"orgs": [{"id": "o-1"}]}), "no \"slug\" field")]
#[case::orgs_not_an_array(json!({"orgs": {"id": "o-1"}}), "\"orgs\" is an object, expected an array")]
#[case::numeric_org_id(json!({"orgs": [{"id": 12, "slug": "e2e-a"}]}), "\"id\" is a number, expected a string")]
#[tokio::test]
async fn list_orgs_of_the_wrong_shape_is_a_decode_error(#[case] body: Value, #[case] reason: &str) {
    let server = answering(ResponseTemplate::new(200).set_body_json(&body)).await;
    expect_decode(cp(&server).list_orgs().await.unwrap_err(), 200, reason);
}

#[tokio::test]
async fn tenant_admin_token_is_read_and_registered_for_scrubbing() {
    let server = MockServer::start().await;
    Mock::given(path("/cp/admin/orgs/e2e-x/admin-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"admin_token": "client-tenant-admin-9e21"})))
        .expect(1)
        .mount(&server)
        .await;
    let t = cp(&server).tenant_admin_token("e2e-x").await.expect("a token");
    assert_eq!(t.expose_secret(), "client-tenant-admin-9e21");
    assert_eq!(molecule_e2e::redact::scrub("got client-tenant-admin-9e21"), "got [REDACTED]");
}

#[tokio::test]
async fn tenant_admin_token_missing_is_a_decode_error() {
    let server = answering(ResponseTemplate::new(200).set_body_json(json!({"admin_token": ""}))).await;
    expect_decode(cp(&server).tenant_admin_token("e2e-x").await.unwrap_err(), 200, "\"admin_token\" is an empty string");
    let server = answering(ResponseTemplate::new(200).set_body_json(json!({"token": "x"}))).await;
    expect_decode(cp(&server).tenant_admin_token("e2e-x").await.unwrap_err(), 200, "no \"admin_token\" field");
    let server = answering(ResponseTemplate::new(200).set_body_json(json!({"admin_token": 123456789}))).await;
    let text = expect_decode(cp(&server).tenant_admin_token("e2e-x").await.unwrap_err(), 200, "\"admin_token\" is a number");
    assert!(!text.contains("123456789"), "a mistyped token is not quoted: {text}");
}

#[rstest]
#[case::ok(200, true)]
#[case::no_content_is_not_enough(204, false)]
#[case::server_error(503, false)]
#[tokio::test]
async fn cp_health_requires_exactly_200(#[case] status: u16, #[case] healthy: bool) {
    let server = answering(ResponseTemplate::new(status)).await;
    let r = cp(&server).health().await;
    match (r, healthy) {
        (Ok(()), true) => {}
        (Err(e), false) => {
            expect_api(e, status, None, None);
        }
        (r, _) => panic!("status {status}: {r:?}"),
    }
}

#[test]
fn require_token_says_what_is_missing() {
    let no_token = ControlPlane::new("http://127.0.0.1:9", None).expect("a client");
    match no_token.require_token() {
        Err(E2eError::Unmet(m)) => assert!(m.contains("MOLECULE_ADMIN_TOKEN"), "{m}"),
        other => panic!("expected Unmet, got {other:?}"),
    }
    ControlPlane::new("http://127.0.0.1:9", Some(SecretString::from("client-cp-other-88c1"))).unwrap().require_token().expect("set");
}

// ---------------------------------------------------------------------------------------------
// A runtime spoken to directly (contract §9).

fn mcp_answer(result: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"jsonrpc": "2.0", "id": "mcp-1", "result": result}))
}

#[rstest]
#[case::first_text_part(json!({"content": [{"type": "image", "data": "AA=="}, {"type": "text", "text": "blue"}, {"type": "text", "text": "second"}]}), Some("blue"))]
#[case::no_text_part(json!({"content": [{"type": "image", "data": "AA=="}]}), None)]
#[case::empty_content(json!({"content": []}), None)]
#[case::no_content(json!({}), None)]
#[case::text_without_type_is_ignored(json!({"content": [{"text": "untyped"}]}), None)]
#[tokio::test]
async fn mcp_tool_reads_the_first_text_content(#[case] result: Value, #[case] text: Option<&str>) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/mcp"))
        .and(body_partial_json(json!({"jsonrpc": "2.0", "method": "tools/call", "params": {"name": "recall_memory", "arguments": {"key": "color"}}})))
        .respond_with(mcp_answer(result))
        .expect(1)
        .mount(&server)
        .await;
    let rt = RuntimeClient::new(&server.uri()).expect("a runtime client");
    assert_eq!(rt.mcp_tool("recall_memory", json!({"key": "color"})).await.expect("a result").as_deref(), text);
}

#[tokio::test]
async fn mcp_tool_json_rpc_error_is_a_decode_error() {
    let server = answering(ResponseTemplate::new(200).set_body_json(json!({"jsonrpc": "2.0", "id": "x", "error": {"code": -32601, "message": "no such tool"}}))).await;
    let e = RuntimeClient::new(&server.uri()).unwrap().mcp_tool("nope", json!({})).await.unwrap_err();
    expect_decode(e, 200, "no such tool");
}

#[tokio::test]
async fn runtime_a2a_requires_200() {
    let server = answering(ResponseTemplate::new(500).set_body_string("boom")).await;
    let e = RuntimeClient::new(&server.uri()).unwrap().a2a(&envelope(), &[]).await.unwrap_err();
    let text = expect_api(e, 500, None, None);
    assert!(text.starts_with("runtime_a2a (POST /a2a): HTTP 500"), "{text}");
}

#[tokio::test]
async fn runtime_agent_card_is_json() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path("/agent-card")).respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "ref"}))).mount(&server).await;
    assert_eq!(RuntimeClient::new(&server.uri()).unwrap().agent_card().await.expect("a card")["name"], "ref");
}

// ---------------------------------------------------------------------------------------------
// Row decoders: lenient on extras, named on what is missing.

mod rows {
    use molecule_e2e::client::{Ack, ActivityRow, BillingMode, Created, Org, Registered, WorkspaceRow, decode_activity};
    use secrecy::ExposeSecret;
    use serde_json::json;

    #[test]
    fn a_workspace_row_with_a_null_url_is_not_ready() {
        let row = WorkspaceRow::decode(&json!({"id": "w", "status": "online", "url": null, "runtime": null, "extra": 1})).unwrap();
        assert_eq!((row.url.as_str(), row.runtime.as_str()), ("", ""));
        assert!(!row.is_ready());
        assert_eq!(row.state(), "online (no url)");
        let row = WorkspaceRow::decode(&json!({"id": "w", "status": "online", "url": "http://x"})).unwrap();
        assert!(row.is_ready());
        assert_eq!(row.state(), "online");
    }

    #[test]
    fn created_needs_a_non_empty_id_and_prefers_the_connection_token() {
        assert!(Created::decode(&json!({"id": ""})).unwrap_err().contains("\"id\" is empty"));
        assert!(Created::decode(&json!({"status": "provisioning"})).unwrap_err().contains("no \"id\" field"));
        let e = Created::decode(&json!({"id": "w", "connection": {"auth_token": 5}})).unwrap_err();
        assert_eq!(e, "\"connection.auth_token\" is a number, expected a string");
        let e = Created::decode(&json!({"id": "w", "external": "client-row-mistyped-81f3"})).unwrap_err();
        assert_eq!(e, "\"external\" is a string, expected a boolean (or absent)");
        let c = Created::decode(&json!({"id": "w", "auth_token": "client-row-top-5521"})).unwrap();
        assert_eq!(c.token().map(|t| t.expose_secret()), Some("client-row-top-5521"));
        let c = Created::decode(&json!({"id": "w", "auth_token": ""})).unwrap();
        assert!(c.token().is_none(), "an empty token is no token");
        let c = Created::decode(&json!({"id": "w", "connection": {"auth_token": 5}}));
        assert!(c.is_err(), "a connection without a string token is refused");
    }

    #[test]
    fn org_presence_follows_the_purged_status() {
        let org = |status: Option<&str>| Org::decode(&json!({"id": "o", "slug": "s", "status": status})).unwrap();
        assert!(org(None).is_present());
        assert!(org(Some("active")).is_present());
        assert!(!org(Some("purged")).is_present());
    }

    #[test]
    fn activity_rows_read_the_envelope_text() {
        let rows = decode_activity(&json!([{
            "id": "a", "activity_type": "a2a_receive",
            "request_body": {"params": {"message": {"messageId": "m-1", "parts": [{"kind": "text", "text": "one"}, {"kind": "file"}, {"kind": "text", "text": "two"}]}}},
        }]))
        .unwrap();
        assert_eq!(rows[0].message_text().as_deref(), Some("one\ntwo"));
        assert_eq!(rows[0].message_id(), Some("m-1"));
        let bare = ActivityRow::decode(&json!({"id": "b", "activity_type": "agent_log"})).unwrap();
        assert_eq!((bare.message_text(), bare.message_id()), (None, None));
        assert!(decode_activity(&json!({"rows": []})).unwrap_err().contains("the answer is an object, not an array"));
        let e = decode_activity(&json!([{"id": 9, "activity_type": "a2a_receive"}])).unwrap_err();
        assert_eq!(e, "\"id\" is a number, expected a string");
    }

    #[test]
    fn small_answers_name_what_they_lack() {
        assert!(BillingMode::decode(&json!({"workspace_id": "w"})).unwrap_err().contains("resolved_mode"));
        assert_eq!(BillingMode::decode(&json!({"resolved_mode": "byok", "source": "workspace_override"})).unwrap().resolved_mode, "byok");
        assert!(Registered::decode(&json!({"delivery_mode": "poll"})).unwrap_err().contains("status"));
        assert!(Ack::decode(&json!({"paused_count": 1})).unwrap_err().contains("status"));
        assert_eq!(Ack::decode(&json!({"status": "paused", "paused_count": 1})).unwrap().status, "paused");
    }
}

// ---------------------------------------------------------------------------------------------
// Randomized: no JSON, however odd, makes a decoder panic.

mod decoders {
    use molecule_e2e::client::{
        Ack, ActivityRow, BillingMode, Created, Org, Registered, WorkspaceRow, api_error, decode_activity, decode_orgs,
        is_transient,
    };
    use molecule_e2e::error::Call;
    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    /// Field names the decoders read, so random documents often hit the real paths.
    const FIELDS: &[&str] = &[
        "id", "slug", "name", "status", "url", "runtime", "parent_id", "agent_card", "orgs", "instance_status",
        "last_error", "created_at", "activity_type", "workspace_id", "source_id", "target_id", "method", "summary",
        "error_detail", "request_body", "response_body", "params", "message", "messageId", "parts", "text", "kind",
        "auth_token", "connection", "external", "platform_url", "registry_endpoint", "heartbeat_endpoint", "events",
        "resolved_mode", "workspace_override", "source", "delivery_mode", "error", "code",
    ];
    /// Short on purpose: a decoded token of six characters or more joins the process-wide
    /// scrub list, and a random one must never mask words other tests look for.
    const STRINGS: &[&str] = &["", "text", "byok", "poll", "x", "é\u{0}", "{}"];

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![3 => prop::sample::select(FIELDS).prop_map(str::to_owned), 1 => "[a-zA-Z_]{0,8}"]
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            prop::sample::select(STRINGS).prop_map(Value::from),
            ".{0,5}".prop_map(Value::from),
        ];
        leaf.prop_recursive(5, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((key(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    fn exercise(v: &Value) {
        let _ = Org::decode(v).map(|o| o.is_present());
        let _ = decode_orgs(v);
        let _ = WorkspaceRow::decode(v).map(|r| (r.is_ready(), r.state()));
        let _ = Created::decode(v).map(|c| (c.token().is_some(), format!("{c:?}")));
        let _ = BillingMode::decode(v);
        let _ = Registered::decode(v);
        let _ = Ack::decode(v);
        if let Ok(rows) = decode_activity(v) {
            for r in rows {
                let _ = (r.message_text(), r.message_id());
            }
        }
        if let Ok(r) = ActivityRow::decode(v) {
            let _ = (r.message_text(), r.message_id());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::support::proptest_cases(128)))]

        #[test]
        fn no_json_document_makes_a_decoder_panic(v in json_value()) {
            exercise(&v);
            // The same document where each decoder looks for nested data.
            exercise(&json!({"orgs": [v.clone()]}));
            exercise(&json!([v.clone()]));
            exercise(&json!({"events": [v.clone()]}));
            exercise(&json!({"id": "w", "status": "online", "connection": v.clone()}));
            let row = json!({"id": "a", "activity_type": "a2a_receive", "request_body": v.clone()});
            exercise(&row);
            let row = json!({"id": "a", "activity_type": "a2a_receive", "request_body": {"params": {"message": v.clone()}}});
            exercise(&row);
            let row = json!({"id": "a", "activity_type": "a2a_receive", "request_body": {"params": {"message": {"parts": v.clone()}}}});
            exercise(&row);
            let _ = molecule_e2e::redact::json(&v);
        }

        #[test]
        fn no_body_makes_error_mapping_panic(status in 100u16..600, body in prop::collection::vec(any::<u8>(), 0..256)) {
            let e = api_error(Call::new("probe", "GET", "/x"), status, &body);
            let _ = e.to_string();
            let _ = molecule_e2e::redact::excerpt(&body);
            let _ = is_transient(status, &body);
        }

        #[test]
        fn no_json_error_body_makes_error_mapping_panic(status in 100u16..600, v in json_value()) {
            let e = api_error(Call::new("probe", "GET", "/x"), status, v.to_string().as_bytes());
            prop_assert_eq!(e.status(), Some(status));
        }
    }
}
