//! Every A2A envelope the suite sends validates against the official 0.3 schema (and its
//! 1.0 form against the 1.0 bundle): the scenarios' sends (each built as its call site
//! builds it, with the scenario's own prompt constants) and every turn of the canaries
//! (built by the canaries' own envelope function).

use std::sync::LazyLock;

use jsonschema::Validator;
use molecule_e2e::a2a::SendMessage;
use molecule_e2e::scenario::common::{KNOWN_ANSWER_PROMPT, PONG_PROMPT, WAKE_PROMPT, message_id};
use molecule_e2e::scenario::external::BYO_PROMPT;
use molecule_e2e::scenario::full::CHILD_PROMPT;
use serde_json::Value;

use crate::runtime_a2a::{v03, v10};
use crate::support::canary::{InlineFile, send_envelope};
use crate::support::verdict::CanaryFile;

static V03_SEND: LazyLock<Validator> = LazyLock::new(|| v03("SendMessageRequest"));
static V10_PARAMS: LazyLock<Validator> = LazyLock::new(|| v10("SendMessageRequest"));

#[track_caller]
fn assert_valid(v: &Validator, name: &str, instance: &Value) {
    let errors: Vec<String> = v.iter_errors(instance).map(|e| format!("{e} (at {})", e.instance_path())).collect();
    assert!(errors.is_empty(), "{name}: the schema rejects\n{instance:#}\n{errors:#?}");
}

/// The scenarios' sends, one per call site (src/scenario/*.rs).
fn scenario_sends() -> Vec<(&'static str, SendMessage)> {
    let nonce = "0123456789";
    vec![
        ("saas: A2A PONG", SendMessage::text(PONG_PROMPT).with_id("e2e-msg-1").with_message_id(message_id("e2e"))),
        ("saas: known answer", SendMessage::text(KNOWN_ANSWER_PROMPT).with_id("e2e-known-answer-1").with_message_id(message_id("e2e"))),
        ("full: provider probe", SendMessage::text(KNOWN_ANSWER_PROMPT).with_id("e2e-probe").with_message_id(message_id("e2e-probe"))),
        ("full: delegation", SendMessage::text(CHILD_PROMPT).with_id("e2e-deleg-1").with_message_id(message_id("e2e-deleg"))),
        ("external: BYO poll", SendMessage::text(BYO_PROMPT).with_id("e2e-byo-1").with_message_id(message_id("e2e"))),
        (
            "external: round trip",
            SendMessage::text(format!("BYO round trip {nonce}: reply with the nonce")).with_id("e2e-byo-rt-1").with_message_id(message_id("e2e-rt")),
        ),
        ("external: reply", SendMessage::text(format!("reply: {nonce}")).with_id("e2e-byo-rt-2").with_message_id(message_id("e2e-rt"))),
        ("lifecycle: wake", SendMessage::text(WAKE_PROMPT).with_id("e2e-wake-1").with_message_id(message_id("e2e-wake"))),
        ("lifecycle: after wake", SendMessage::text(PONG_PROMPT).with_id("e2e-wake-2").with_message_id(message_id("e2e-wake"))),
    ]
}

#[test]
fn every_scenario_send_validates_in_both_dialects() {
    for (name, msg) in scenario_sends() {
        assert_valid(&V03_SEND, name, &msg.to_v03());
        assert_valid(&V10_PARAMS, name, &msg.to_v10()["params"]);
    }
}

#[test]
fn every_canary_turn_validates_against_the_0_3_schema() {
    let status = CanaryFile::status("canary-0a1b2c3d.txt");
    let doc = CanaryFile::quarterly_fresh("canary-doc-0a1b2c3d.txt");
    let texts = [
        "Hi, my name is Hongming.",
        "What's my name?",
        "Please use the memory tool to remember: my favorite color is blue.",
        "Use the memory tool to recall my favorite color, then tell me what it is.",
        "ping",
        "ping again",
        PONG_PROMPT,
    ];
    let ctx = "canary-ctx-0123456789ab";
    for text in texts {
        assert_valid(&V03_SEND, text, &send_envelope("canary-0123456789ab", ctx, Some(text), None));
    }
    let file_only = send_envelope("canary-0123456789ab", ctx, None, Some(&InlineFile::from(&status)));
    assert_valid(&V03_SEND, "file only", &file_only);
    let caption = send_envelope("canary-0123456789ab", ctx, Some("summarize this"), Some(&InlineFile::from(&doc)));
    assert_valid(&V03_SEND, "file with caption", &caption);
    assert!(file_only["params"]["message"].get("taskId").is_none(), "a canary never sends a task id");
}
