//! The reference runtime over real HTTP, as an a2a-sdk runtime answers: a completed Task
//! with the answer in an artifact (or a bare Message, or an open Task, by setting), a task
//! store behind `tasks/get` / `tasks/cancel`, the SDK's refusals, an absolute card `url`,
//! and the 1.0 dialect. Every answer is checked against the official schemas.

use std::sync::LazyLock;

use jsonschema::Validator;
use molecule_e2e::runtime::{ReplyShape, RuntimeConfig, RuntimeHandle, spawn};
use serde_json::{Value, json};

fn schema(file: &str) -> Value {
    let path = format!("{}/tests/data/a2a-schema/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

/// The official 0.3 schema rooted at `definition`.
pub fn v03(definition: &str) -> Validator {
    let mut s = schema("a2a-v0.3.0.json");
    s["$ref"] = json!(format!("#/definitions/{definition}"));
    jsonschema::draft7::new(&s).unwrap_or_else(|e| panic!("0.3 schema at {definition}: {e}"))
}

/// The refs-fixed 1.0 bundle rooted at `definition`.
pub fn v10(definition: &str) -> Validator {
    let mut s = schema("a2a-v1.0.0-refs-fixed.json");
    s["$ref"] = json!(format!("#/$defs/{definition}"));
    jsonschema::validator_for(&s).unwrap_or_else(|e| panic!("1.0 schema at {definition}: {e}"))
}

static SEND_RESPONSE: LazyLock<Validator> = LazyLock::new(|| v03("SendMessageResponse"));
static GET_RESPONSE: LazyLock<Validator> = LazyLock::new(|| v03("GetTaskResponse"));
static CANCEL_RESPONSE: LazyLock<Validator> = LazyLock::new(|| v03("CancelTaskResponse"));
static CARD: LazyLock<Validator> = LazyLock::new(|| v03("AgentCard"));
static V10_SEND_RESPONSE: LazyLock<Validator> = LazyLock::new(|| v10("SendMessageResponse"));

#[track_caller]
fn assert_valid(v: &Validator, instance: &Value) {
    let errors: Vec<String> = v.iter_errors(instance).map(|e| format!("{e} (at {})", e.instance_path())).collect();
    assert!(errors.is_empty(), "schema rejects\n{instance:#}\n{errors:#?}");
}

struct Rt {
    handle: RuntimeHandle,
    http: reqwest::Client,
}

impl Rt {
    async fn start(shape: ReplyShape) -> Self {
        let handle = spawn(RuntimeConfig::new("rt-a2a").with_reply_shape(shape)).await.expect("runtime starts");
        let http = molecule_e2e::net::client_builder(&handle.url()).no_proxy().build().expect("client");
        Rt { handle, http }
    }

    async fn rpc(&self, method: &str, params: Value, version: Option<&str>) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": "r-1", "method": method, "params": params});
        self.raw(&body.to_string(), version).await
    }

    async fn raw(&self, body: &str, version: Option<&str>) -> Value {
        let mut rb = self.http.post(format!("{}/a2a", self.handle.url())).header("content-type", "application/json").body(body.to_owned());
        if let Some(v) = version {
            rb = rb.header("A2A-Version", v);
        }
        let res = rb.send().await.expect("runtime answers");
        assert_eq!(res.status(), 200, "JSON-RPC answers are 200, errors included");
        res.json().await.expect("JSON body")
    }
}

fn msg(text: &str) -> Value {
    json!({"message": {"kind": "message", "role": "user", "messageId": "m-1", "parts": [{"kind": "text", "text": text}]}})
}

fn code(v: &Value) -> i64 {
    v.pointer("/error/code").and_then(Value::as_i64).unwrap_or_else(|| panic!("no error in {v}"))
}

#[tokio::test]
async fn a_send_is_answered_with_a_completed_task_holding_the_answer_in_an_artifact() {
    let rt = Rt::start(ReplyShape::Task).await;
    let sent = rt.rpc("message/send", msg("Reply with exactly: ok"), None).await;
    assert_valid(&SEND_RESPONSE, &sent);
    let task = &sent["result"];
    assert_eq!((task["kind"].as_str(), task["status"]["state"].as_str()), (Some("task"), Some("completed")));
    assert_eq!(task["artifacts"][0]["parts"][0]["text"], "ok");
    let id = task["id"].as_str().unwrap();
    let got = rt.rpc("tasks/get", json!({"id": id}), None).await;
    assert_valid(&GET_RESPONSE, &got);
    assert_eq!(got["result"]["artifacts"], task["artifacts"]);
    // A finished task takes no new message and cannot be canceled, as in a2a-sdk.
    let mut again = msg("more");
    again["message"]["taskId"] = json!(id);
    assert_eq!(code(&rt.rpc("message/send", again, None).await), -32004);
    let cancel = rt.rpc("tasks/cancel", json!({"id": id}), None).await;
    assert_valid(&CANCEL_RESPONSE, &cancel);
    assert_eq!(code(&cancel), -32002);
}

#[tokio::test]
async fn unknown_tasks_are_refused_everywhere() {
    let rt = Rt::start(ReplyShape::Task).await;
    let mut follow_up = msg("hi");
    follow_up["message"]["taskId"] = json!("never-created");
    assert_eq!(code(&rt.rpc("message/send", follow_up, None).await), -32001);
    assert_eq!(code(&rt.rpc("tasks/get", json!({"id": "never-created"}), None).await), -32001);
    assert_eq!(code(&rt.rpc("tasks/cancel", json!({"id": "never-created"}), None).await), -32001);
}

#[tokio::test]
async fn the_message_shape_answers_a_bare_message_and_stores_no_task() {
    let rt = Rt::start(ReplyShape::Message).await;
    let mut m = msg("Reply with exactly: ok");
    m["message"]["contextId"] = json!("ctx-kept");
    let sent = rt.rpc("message/send", m, None).await;
    assert_valid(&SEND_RESPONSE, &sent);
    let reply = &sent["result"];
    assert_eq!((reply["kind"].as_str(), reply["contextId"].as_str()), (Some("message"), Some("ctx-kept")));
    assert_eq!(reply["parts"][0]["text"], "ok");
    assert!(reply.get("taskId").is_none(), "a Message reply names no task it never stored: {reply}");
}

#[tokio::test]
async fn an_open_task_takes_follow_ups_and_can_be_canceled() {
    let rt = Rt::start(ReplyShape::OpenTask).await;
    let first = rt.rpc("message/send", msg("Hi, my name is Hongming."), None).await;
    assert_valid(&SEND_RESPONSE, &first);
    let task = &first["result"];
    assert_eq!(task["status"]["state"], "input-required");
    let (id, ctx) = (task["id"].as_str().unwrap(), task["contextId"].as_str().unwrap());
    let mut next = msg("What's my name?");
    next["message"]["taskId"] = json!(id);
    let second = rt.rpc("message/send", next.clone(), None).await;
    assert_eq!(second["result"]["status"]["message"]["parts"][0]["text"], "Your name is Hongming.");
    assert_eq!(second["result"]["contextId"], ctx);
    next["message"]["contextId"] = json!("another-context");
    assert_eq!(code(&rt.rpc("message/send", next, None).await), -32602);
    let limited = rt.rpc("tasks/get", json!({"id": id, "historyLength": 1}), None).await;
    assert_eq!(limited["result"]["history"].as_array().map(Vec::len), Some(1));
    let canceled = rt.rpc("tasks/cancel", json!({"id": id}), None).await;
    assert_valid(&CANCEL_RESPONSE, &canceled);
    assert_eq!(canceled["result"]["status"]["state"], "canceled");
}

#[tokio::test]
async fn json_rpc_errors_follow_the_sdk() {
    let rt = Rt::start(ReplyShape::Task).await;
    assert_eq!(code(&rt.raw("{", None).await), -32700);
    assert_eq!(code(&rt.raw(r#"{"jsonrpc":"2.0","id":{"bad":1},"method":"message/send","params":{}}"#, None).await), -32600);
    assert_eq!(code(&rt.raw(r#"{"jsonrpc":"2.0","id":1,"method":"message/ssend","params":{}}"#, None).await), -32601);
    assert_eq!(code(&rt.rpc("message/send", json!({"message": {"kind": "message"}}), None).await), -32602);
    assert_eq!(code(&rt.rpc("tasks/resubscribe", json!({"id": "t-1"}), None).await), -32004);
    assert_eq!(code(&rt.rpc("tasks/pushNotificationConfig/set", json!({}), None).await), -32003);
}

#[tokio::test]
async fn the_1_0_dialect_is_served_with_its_header() {
    let rt = Rt::start(ReplyShape::Task).await;
    let params = json!({"message": {"role": "ROLE_USER", "messageId": "m-1", "parts": [{"text": "Reply with exactly: ok"}]}});
    let sent = rt.rpc("SendMessage", params.clone(), Some("1.0")).await;
    assert_valid(&V10_SEND_RESPONSE, &sent["result"]);
    let task = &sent["result"]["task"];
    assert_eq!(task["status"]["state"], "TASK_STATE_COMPLETED");
    assert_eq!(task["artifacts"][0]["parts"][0], json!({"text": "ok"}));
    let got = rt.rpc("GetTask", json!({"id": task["id"]}), Some("1.0")).await;
    assert_eq!(got["result"]["id"], task["id"]);
    // No header means 0.3, which does not know SendMessage's dialect.
    let refused = rt.rpc("SendMessage", params, None).await;
    assert_eq!(code(&refused), -32009);
    assert_eq!(refused["error"]["data"][0]["reason"], "VERSION_NOT_SUPPORTED");
    assert_eq!(code(&rt.rpc("message/send", msg("x"), Some("1.0")).await), -32009);
}

#[tokio::test]
async fn the_card_is_valid_0_3_with_an_absolute_url_from_the_address_served_on() {
    let rt = Rt::start(ReplyShape::Task).await;
    let card: Value = rt.http.get(format!("{}/.well-known/agent-card.json", rt.handle.url())).send().await.unwrap().json().await.unwrap();
    assert_valid(&CARD, &card);
    let url = format!("{}/", rt.handle.url());
    assert_eq!(card["url"], url);
    assert_eq!(card["supportedInterfaces"][0], json!({"url": url, "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}));
    // Asked for 1.0, the card is the 1.0 card alone, valid against the 1.0 bundle.
    let res = rt.http.get(format!("{}/.well-known/agent-card.json", rt.handle.url())).header("A2A-Version", "1.0").send().await.unwrap();
    assert_eq!(res.headers().get("vary").and_then(|v| v.to_str().ok()), Some("A2A-Version"));
    let v10_card: Value = res.json().await.unwrap();
    assert_valid(&v10("AgentCard"), &v10_card);
}

#[tokio::test]
async fn a_body_that_is_not_json_by_its_content_type_is_refused() {
    let rt = Rt::start(ReplyShape::Task).await;
    let res = rt.http.post(format!("{}/a2a", rt.handle.url())).header("content-type", "text/plain").body("{}").send().await.unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(code(&body), -32005);
}

/// Ids and timestamps the runtime mints, replaced by their key's name, so a snapshot pins
/// the shape and the words and nothing random.
fn minted_redacted(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let minted = ["id", "contextId", "taskId", "artifactId", "messageId", "timestamp"].contains(&k.as_str()) && v.is_string();
                    (k.clone(), if minted { json!(format!("[{k}]")) } else { minted_redacted(v) })
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(minted_redacted).collect()),
        other => other.clone(),
    }
}

#[track_caller]
fn assert_reply_snapshot(name: &str, reply: &Value) {
    let reply = minted_redacted(reply);
    crate::support::snapshot_settings().bind(|| insta::assert_json_snapshot!(name, reply));
}

#[tokio::test]
async fn the_runtime_replies_are_pinned_by_snapshots() {
    for (shape, name) in [(ReplyShape::Task, "runtime_reply_task"), (ReplyShape::Message, "runtime_reply_message"), (ReplyShape::OpenTask, "runtime_reply_open_task")] {
        let rt = Rt::start(shape).await;
        assert_reply_snapshot(name, &rt.rpc("message/send", msg("Reply with exactly: ok"), None).await);
    }
    let rt = Rt::start(ReplyShape::Task).await;
    let params = json!({"message": {"role": "ROLE_USER", "messageId": "m-1", "parts": [{"text": "Reply with exactly: ok"}]}});
    assert_reply_snapshot("runtime_reply_v10_task", &rt.rpc("SendMessage", params, Some("1.0")).await);
    assert_reply_snapshot("runtime_reply_v10_task_not_found", &rt.rpc("GetTask", json!({"id": "nope"}), Some("1.0")).await);
}

/// A stop mid-turn is a container stopped under it (the forced hibernate of a busy workspace):
/// the turn counts as in flight until then, and its caller's connection drops unanswered.
#[tokio::test]
async fn a_stopped_runtime_cuts_off_its_turn_in_flight() {
    let rt = Rt::start(ReplyShape::Task).await;
    let busy = molecule_e2e::scenario::busy::busy_prompt(30);
    let body = json!({"jsonrpc": "2.0", "id": "r-1", "method": "message/send", "params": {"message": {"role": "user", "messageId": "m-busy", "parts": [{"kind": "text", "text": busy}]}}});
    let send = tokio::spawn(rt.http.post(format!("{}/a2a", rt.handle.url())).json(&body).send());
    let (mut tick, start) = (tokio::time::interval(std::time::Duration::from_millis(5)), std::time::Instant::now());
    while rt.handle.active_turns() == 0 {
        tick.tick().await;
        assert!(!send.is_finished(), "the 30 s turn ended before it was seen in flight");
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "the turn was never counted in flight");
    }
    assert_eq!(rt.handle.active_turns(), 1);
    rt.handle.stop().await;
    let cut = send.await.expect("the send task");
    assert!(cut.is_err(), "the turn's caller must lose its connection, not get an answer: {cut:?}");
}
