//! The protocol side of the new canaries, judged by the official schemas (where the
//! reference runtime and the a2a-sdk runtime could disagree, these decide): every SSE event
//! of `message/stream` is a 0.3 `SendStreamingMessageResponse` and every event of
//! `SendStreamingMessage` a 1.0 `StreamResponse`; a task carrying the tool's evidence is a
//! valid 0.3 `GetTaskResponse`; and the pure rules of canaries 5-7 are pinned.

use std::sync::LazyLock;

use jsonschema::Validator;
use molecule_e2e::runtime::{ReplyShape, RuntimeConfig, spawn, tool_prompt};
use serde_json::{Value, json};

use crate::runtime_a2a::{v03, v10};
use crate::support::canary_deep::{fingerprint, judge_tool, tool_calls};
use crate::support::canary_stream::{Dialect, declared_dialects, read_event, stream_envelope};

static V03_EVENT: LazyLock<Validator> = LazyLock::new(|| v03("SendStreamingMessageResponse"));
static V10_EVENT: LazyLock<Validator> = LazyLock::new(|| v10("StreamResponse"));
static GET_RESPONSE: LazyLock<Validator> = LazyLock::new(|| v03("GetTaskResponse"));

#[track_caller]
fn assert_valid(v: &Validator, instance: &Value) {
    let errors: Vec<String> = v.iter_errors(instance).map(|e| format!("{e} (at {})", e.instance_path())).collect();
    assert!(errors.is_empty(), "schema rejects\n{instance:#}\n{errors:#?}");
}

/// Every `data:` line of a whole (short) stream, as JSON.
async fn whole_stream(url: &str, dialect: Dialect, text: &str) -> Vec<Value> {
    let http = molecule_e2e::net::client_builder(url).no_proxy().build().expect("client");
    let mut req = http.post(url).json(&stream_envelope(dialect, "s-1", "ctx-s", text));
    if dialect == Dialect::V10 {
        req = req.header("A2A-Version", "1.0");
    }
    let body = req.send().await.expect("stream").text().await.expect("body");
    body.lines().filter_map(|l| l.strip_prefix("data: ")).map(|d| serde_json::from_str(d).expect("JSON event")).collect()
}

#[tokio::test]
async fn every_stream_event_is_valid_in_its_dialect_and_the_stream_ends_completed() {
    let rt = spawn(RuntimeConfig::new("rt-stream")).await.expect("runtime starts");
    let url = format!("{}/", rt.url());
    for (dialect, validator) in [(Dialect::V03, &*V03_EVENT), (Dialect::V10, &*V10_EVENT)] {
        let events = whole_stream(&url, dialect, "Please count from 1 to 3, one number at a time.").await;
        // 1.0's `StreamResponse` is the result member; 0.3's schema is the whole response.
        for e in &events {
            assert_valid(validator, if dialect == Dialect::V03 { e } else { &e["result"] });
        }
        let read: Vec<_> = events.iter().map(|e| read_event(e).expect("an event")).collect();
        assert_eq!(read.iter().filter(|(_, chunk, _)| *chunk).count(), 3, "{dialect:?}: one chunk per word: {events:#?}");
        assert!(read.last().is_some_and(|(t, _, last)| t.is_some() && *last), "{dialect:?}: {events:#?}");
    }
    rt.stop().await;
}

#[tokio::test]
async fn a_task_with_the_tools_evidence_is_valid_0_3_and_judged_right() {
    let rt = spawn(RuntimeConfig::new("rt-tool").with_reply_shape(ReplyShape::Task)).await.expect("runtime starts");
    let http = reqwest::Client::new();
    let prompt = tool_prompt("canary-tool-0a1b2c3d");
    let send = json!({"jsonrpc": "2.0", "id": "t-1", "method": "message/send",
        "params": {"message": {"role": "user", "messageId": "m-1", "kind": "message", "parts": [{"kind": "text", "text": prompt}]}}});
    let sent: Value = http.post(rt.url()).json(&send).send().await.unwrap().json().await.unwrap();
    let get = json!({"jsonrpc": "2.0", "id": "g-1", "method": "tasks/get", "params": {"id": sent["result"]["id"]}});
    let got: Value = http.post(rt.url()).json(&get).send().await.unwrap().json().await.unwrap();
    assert_valid(&GET_RESPONSE, &got);
    let task = &got["result"];
    assert_eq!(tool_calls(task).len(), 1, "{task:#}");
    let answer = task["artifacts"][0]["parts"][0]["text"].as_str().unwrap();
    assert!(judge_tool(task, answer, &prompt, "canary-tool-0a1b2c3d").is_ok(), "{task:#}");
    assert!(judge_tool(task, "I ran it.", &prompt, "canary-tool-0a1b2c3d").is_err());
    assert!(judge_tool(&json!({"parts": []}), &fingerprint("canary-tool-0a1b2c3d"), &prompt, "canary-tool-0a1b2c3d").is_err());
    rt.stop().await;
}

#[test]
fn the_dialects_a_card_declares() {
    assert_eq!(declared_dialects(&json!({"url": "http://h/"})), [Dialect::V03]);
    let both = json!({"protocolVersion": "0.3.0", "supportedInterfaces": [{"protocolVersion": "1.0"}]});
    assert_eq!(declared_dialects(&both), [Dialect::V03, Dialect::V10]);
    assert_eq!(declared_dialects(&json!({"supportedInterfaces": [{"protocolVersion": "1.0"}]})), [Dialect::V10]);
}
