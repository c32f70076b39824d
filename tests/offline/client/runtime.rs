//! A runtime spoken to directly (contract §9).

use super::*;

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
