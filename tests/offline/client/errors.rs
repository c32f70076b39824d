//! Error shapes of the contract → named errors.

use super::*;

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
