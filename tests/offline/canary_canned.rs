//! The container tier's checks against canned runtimes (a local wiremock server), served at
//! their root with the platform's own card shape: issue 24's four replies and their
//! verdicts, and MCP judged by what the card offers.

use base64::Engine as _;
use molecule_e2e::runtime::MCP_EXTENSION_URI;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::canary::{Check, CpSim, Outcome, PONG_PROMPT};
use crate::support::verdict::Rejection;

/// A runtime's answer to a message: its text parts, and its first file (name, content).
type Answerer = fn(&str, Option<(&str, String)>) -> String;

/// Answers `POST /` as a Message in the sender's context, with the text `answer` gives.
struct Canned(Answerer);

impl Respond for Canned {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let parts = body.pointer("/params/message/parts").and_then(Value::as_array).cloned().unwrap_or_default();
        let text: Vec<&str> = parts.iter().filter_map(|p| p.get("text").and_then(Value::as_str)).collect();
        let file = parts.iter().find_map(|p| {
            let f = p.get("file")?;
            let bytes = base64::engine::general_purpose::STANDARD.decode(f.get("bytes")?.as_str()?).ok()?;
            Some((f.get("name")?.as_str()?, String::from_utf8_lossy(&bytes).into_owned()))
        });
        let answer = (self.0)(&text.join("\n"), file);
        ResponseTemplate::new(200).set_body_json(json!({"jsonrpc": "2.0", "id": body["id"], "result": {
            "kind": "message", "role": "agent", "messageId": "canned", "contextId": body.pointer("/params/message/contextId"),
            "parts": [{"kind": "text", "text": answer}],
        }}))
    }
}

/// The card the platform's Python runtime serves (workspace/main.py before 9aa47643): no
/// 0.3 `url`, one interface with the binding `https://a2a.g/v1`, at its container's hostname.
fn platform_card(extensions: Option<Value>) -> Value {
    let mut card = json!({
        "name": "platform-runtime", "description": "d", "version": "1.0.0",
        "supportedInterfaces": [{"protocolBinding": "https://a2a.g/v1", "url": "http://ws-7f3a2b:8000"}],
        "capabilities": {"streaming": false, "pushNotifications": false},
        "skills": [], "defaultInputModes": ["text/plain"], "defaultOutputModes": ["text/plain"],
    });
    if let Some(ext) = extensions {
        card["capabilities"]["extensions"] = ext;
    }
    card
}

/// A runtime at its root: the card at the well-known path only, JSON-RPC at `POST /`.
async fn root_runtime(card: Value, answer: Answerer) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path("/.well-known/agent-card.json")).respond_with(ResponseTemplate::new(200).set_body_json(card)).mount(&server).await;
    Mock::given(method("POST")).and(path("/")).respond_with(Canned(answer)).mount(&server).await;
    server
}

/// The right answers to the stateless checks.
fn answers_right(text: &str, file: Option<(&str, String)>) -> String {
    match file {
        Some((name, content)) if !text.is_empty() => format!("Summary of {name}: {}", content.split(". ").take(2).collect::<Vec<_>>().join(". ")),
        Some((name, _)) => format!("I received {name}. What would you like me to do with it?"),
        None if text == PONG_PROMPT => "PONG".to_owned(),
        None => format!("pong to {text:?}"),
    }
}

#[tokio::test]
async fn a_root_served_runtime_is_reached_by_its_card_alone_and_its_right_answers_pass() {
    let rt = root_runtime(platform_card(None), answers_right).await;
    let client = CpSim::new(rt.uri());
    for c in [Check::AgentCard, Check::ExactAnswer, Check::FileOnly, Check::FileWithCaption, Check::TwoTurnsOneContext] {
        let v = c.run(&client).await;
        assert!(matches!(v, Ok(Outcome::Passed(_))), "{c}: {v:?}");
    }
    let Ok(Outcome::Passed(how)) = Check::AgentCard.run(&client).await else { unreachable!() };
    let here = format!("called at {}/", rt.uri());
    assert!(how.contains("\"https://a2a.g/v1\"") && how.contains(&here), "{how}");
}

#[tokio::test]
async fn an_echo_of_the_smoke_prompt_fails_the_exact_answer_diagnostic() {
    let rt = root_runtime(platform_card(None), |text, _| format!("Got it: \"{text}\"")).await;
    let failure = Check::ExactAnswer.run(&CpSim::new(rt.uri())).await.expect_err("an echo is no answer");
    assert_eq!(failure.rejection, Some(Rejection::Echo), "{failure}");
}

#[tokio::test]
async fn a_reply_naming_the_file_but_not_its_content_fails_canary_3() {
    let named = |_: &str, file: Option<(&str, String)>| {
        let name = file.map_or("nothing", |(n, _)| n).to_owned();
        format!("I can't open {name}. Please paste the text you want summarized.")
    };
    let rt = root_runtime(platform_card(None), named).await;
    let failure = Check::FileWithCaption.run(&CpSim::new(rt.uri())).await.expect_err("a dropped file");
    assert_eq!(failure.rejection, Some(Rejection::FileNotRead { names_file: true }), "{failure}");
}

/// Not applicable is the check's own verdict: it reads no `CI` or `E2E_REQUIRE_LIVE`, and the
/// tier prints it as neither a failure nor a skip.
#[tokio::test]
async fn a_card_without_mcp_makes_the_recall_check_not_applicable_with_its_reason() {
    let rt = root_runtime(platform_card(None), answers_right).await;
    let v = Check::RecallUnknownKey.run(&CpSim::new(rt.uri())).await;
    let Ok(outcome @ Outcome::NotApplicable(why)) = &v else { panic!("{v:?}") };
    assert!(why.contains(MCP_EXTENSION_URI), "{why}");
    assert!(outcome.line(Check::RecallUnknownKey).contains("NOT APPLICABLE"), "{outcome:?}");
    assert_eq!(rt.received_requests().await.unwrap_or_default().iter().filter(|r| r.url.path() == "/mcp").count(), 0, "probed an MCP nobody offered");
}

/// A card offering MCP at `/mcp`, answered with `res`: the recall check's verdict.
async fn recall_against(res: ResponseTemplate) -> Result<Outcome, crate::support::canary::Failure> {
    let server = MockServer::start().await;
    let offer = json!([{"uri": MCP_EXTENSION_URI, "params": {"url": format!("{}/mcp", server.uri())}}]);
    Mock::given(method("GET")).and(path("/.well-known/agent-card.json")).respond_with(ResponseTemplate::new(200).set_body_json(platform_card(Some(offer)))).mount(&server).await;
    Mock::given(method("POST")).and(path("/mcp")).respond_with(res).mount(&server).await;
    Check::RecallUnknownKey.run(&CpSim::new(server.uri())).await
}

fn rpc_error(code: i64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"jsonrpc": "2.0", "id": "x", "error": {"code": code, "message": "boom"}}))
}

#[tokio::test]
async fn mcp_offered_by_the_card_and_broken_or_missing_fails() {
    for (what, res, names) in [
        ("a 500", ResponseTemplate::new(500), "500"),
        ("an internal error", rpc_error(-32603), "-32603"),
        ("no /mcp", ResponseTemplate::new(404), "not served"),
        ("no such tool", rpc_error(-32602), "not served"),
    ] {
        let v = recall_against(res).await;
        assert!(v.as_ref().is_err_and(|f| f.to_string().contains(names)), "{what}: {v:?}");
    }
    let ok = ResponseTemplate::new(200).set_body_json(json!({"jsonrpc": "2.0", "id": "x", "result": {"content": [{"type": "text", "text": "nothing stored"}]}}));
    assert!(matches!(recall_against(ok).await, Ok(Outcome::Passed(_))));
}

#[tokio::test]
async fn a_runtime_with_no_card_fails_the_card_diagnostic_naming_every_path_tried() {
    let server = MockServer::start().await;
    let failure = Check::AgentCard.run(&CpSim::new(server.uri())).await.expect_err("no card");
    for p in ["/.well-known/agent-card.json", "/agent-card", "/.well-known/agent.json"] {
        assert!(failure.to_string().contains(p), "{failure}");
    }
    let grpc_only = json!({"name": "g", "supportedInterfaces": [{"protocolBinding": "GRPC", "url": "http://h:1"}]});
    Mock::given(method("GET")).and(path("/agent-card")).respond_with(ResponseTemplate::new(200).set_body_json(grpc_only)).mount(&server).await;
    let failure = Check::AgentCard.run(&CpSim::new(server.uri())).await.expect_err("no JSON-RPC");
    assert!(failure.to_string().contains("names no JSON-RPC interface (offered: GRPC at http://h:1)"), "{failure}");
}

/// The card's reading, pure: which interface is JSON-RPC, where it is reached, and MCP.
#[test]
fn the_card_names_the_json_rpc_interface_and_mcp_reached_on_the_origin_it_was_read_from() {
    use crate::support::card::read_card;
    let base = reqwest::Url::parse("http://127.0.0.1:4000/").expect("a URL");
    let read = |card: Value| read_card(&base, "/agent-card", &card).map(|e| (e.a2a, e.mcp));
    let mcp = |params: Value| json!([{"uri": MCP_EXTENSION_URI, "params": params}]);
    let cases = [
        (json!({"url": "http://ws-1:8000/a2a"}), ("http://127.0.0.1:4000/a2a", None)),
        (json!({"url": "/rpc", "preferredTransport": "JSONRPC"}), ("http://127.0.0.1:4000/rpc", None)),
        (
            json!({"url": "http://h/grpc", "preferredTransport": "GRPC", "additionalInterfaces": [{"url": "http://h/jsonrpc", "transport": "JSONRPC"}]}),
            ("http://127.0.0.1:4000/jsonrpc", None),
        ),
        (
            json!({"supportedInterfaces": [{"url": "http://h/v1", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}], "capabilities": {"extensions": mcp(json!({}))}}),
            ("http://127.0.0.1:4000/v1", Some("http://127.0.0.1:4000/mcp")),
        ),
        (
            json!({"url": "http://127.0.0.1:4000/", "capabilities": {"extensions": mcp(json!({"url": "http://ws-1:8000/tools/mcp"}))}}),
            ("http://127.0.0.1:4000/", Some("http://127.0.0.1:4000/tools/mcp")),
        ),
    ];
    for (card, (a2a, mcp_url)) in cases {
        assert_eq!(read(card.clone()), Ok((a2a.to_owned(), mcp_url.map(str::to_owned))), "{card}");
    }
    let other_extension = json!({"url": "/", "capabilities": {"extensions": [{"uri": "https://example.com/ext"}]}});
    assert_eq!(read(other_extension), Ok(("http://127.0.0.1:4000/".to_owned(), None)));
    assert!(matches!(read(json!(["not", "a card"])), Err(crate::support::card::CardError::NotAnObject { .. })));
}
