use jsonschema::Validator;

use super::*;

/// The official 0.3 schema, rooted at one definition (see a2a-schema/SOURCE.md).
fn v03_validator(definition: &str) -> Validator {
    let mut schema = shared_json("a2a-schema/a2a-v0.3.0.json");
    schema["$ref"] = json!(format!("#/definitions/{definition}"));
    jsonschema::draft7::new(&schema)
        .unwrap_or_else(|e| panic!("the 0.3 schema rooted at {definition} does not compile: {e}"))
}

/// The refs-fixed 1.0 bundle, rooted at `SendMessageRequest` (the send *params*).
fn v10_validator() -> Validator {
    let mut schema = shared_json("a2a-schema/a2a-v1.0.0-refs-fixed.json");
    schema["$ref"] = json!("#/$defs/SendMessageRequest");
    jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("the refs-fixed 1.0 schema does not compile: {e}"))
}

static V03_SEND: LazyLock<Validator> = LazyLock::new(|| v03_validator("SendMessageRequest"));
static V10_PARAMS: LazyLock<Validator> = LazyLock::new(v10_validator);

fn schema_errors(validator: &Validator, instance: &Value) -> Vec<String> {
    validator.iter_errors(instance).map(|e| format!("{} (at {})", e, e.instance_path())).collect()
}

#[track_caller]
fn assert_valid_v03(envelope: &Value) {
    let errors = schema_errors(&V03_SEND, envelope);
    assert!(errors.is_empty(), "0.3 schema rejects\n{envelope:#}\n{errors:#?}");
}

/// A deterministic text message: the staging harness's smoke envelope.
fn pong() -> SendMessage {
    SendMessage::text("Reply with exactly: PONG").with_id("e2e-msg-1").with_message_id("e2e-0000abcd")
}

#[test]
fn text_message_is_the_harness_shape_with_the_schema_kind() {
    assert_eq!(
        pong().to_v03(),
        json!({
            "jsonrpc": "2.0",
            "method": "message/send",
            "id": "e2e-msg-1",
            "params": {"message": {
                "kind": "message",
                "role": "user",
                "messageId": "e2e-0000abcd",
                "parts": [{"kind": "text", "text": "Reply with exactly: PONG"}],
            }},
        })
    );
}

#[test]
fn default_ids_have_the_harness_shape() {
    let message = SendMessage::text("hi");
    for id in [message.id(), message.message_id()] {
        let hex = id.strip_prefix("e2e-").unwrap_or_else(|| panic!("{id:?} lacks the e2e- prefix"));
        assert!(hex.len() == 8 && hex.chars().all(|c| c.is_ascii_hexdigit()), "{id:?}");
    }
    assert_ne!(message.id(), SendMessage::text("hi").id(), "two messages share a request id");
    assert_eq!(SendMessage::new().to_v03()["params"]["message"]["parts"], json!([]));
}

#[test]
fn liveness_probe_sends_max_tokens_alone() {
    let probe =
        SendMessage::text("Reply with exactly: ok").with_id("e2e-liveness-00beef").with_max_tokens(32);
    assert_eq!(probe.to_v03()["params"]["configuration"], json!({"max_tokens": 32}));
    assert_eq!(probe.to_v10()["params"].get("configuration"), None, "1.0 has no max_tokens");
}

#[test]
fn file_with_caption_puts_the_text_first_as_cp_sim_does() {
    let envelope = SendMessage::text("summarize this").with_part(canary_file()).to_v03();
    assert_eq!(
        envelope["params"]["message"]["parts"],
        json!([
            {"kind": "text", "text": "summarize this"},
            {"kind": "file", "file": {
                "name": "canary-0000beef.txt",
                "mimeType": "text/plain",
                "bytes": "UHJvamVjdCBzdGF0dXM6IG5vbWluYWwuIExpZ2h0aG91c2Ugc2NvcmUgOTgu",
            }},
        ])
    );
}

#[test]
fn non_object_data_is_wrapped_in_0_3_and_kept_in_1_0() {
    let message = SendMessage::new().with_part(Part::Data(json!([1, 2])));
    assert_eq!(
        message.to_v03()["params"]["message"]["parts"][0],
        json!({"kind": "data", "data": {"value": [1, 2]}})
    );
    assert_eq!(message.to_v10()["params"]["message"]["parts"][0], json!({"data": [1, 2]}));
}

#[test]
fn configuration_maps_blocking_to_return_immediately_in_1_0() {
    let message = SendMessage::text("x").with_configuration(&["text/plain"], true);
    assert_eq!(
        message.to_v03()["params"]["configuration"],
        json!({"acceptedOutputModes": ["text/plain"], "blocking": true})
    );
    assert_eq!(
        message.to_v10()["params"]["configuration"],
        json!({"acceptedOutputModes": ["text/plain"], "returnImmediately": false})
    );
    let detached = SendMessage::text("x").with_configuration(&[], false).to_v10();
    assert_eq!(detached["params"]["configuration"]["returnImmediately"], json!(true));
}

#[test]
fn headers_carry_the_version_only_in_1_0() {
    assert_eq!(pong().headers(Dialect::V03), []);
    assert_eq!(pong().headers(Dialect::V10), [("A2A-Version", "1.0")]);
}

/// Every part kind and every option, each on its own envelope.
fn every_shape() -> Vec<(&'static str, SendMessage)> {
    vec![
        ("text", pong()),
        ("file_bytes", SendMessage::new().with_part(dot_png())),
        ("file_uri", SendMessage::new().with_part(doc_pdf())),
        ("data", SendMessage::new().with_part(Part::Data(json!({"k": "v", "n": 1})))),
        ("data_not_an_object", SendMessage::new().with_part(Part::Data(json!("plain")))),
        ("file_with_caption", SendMessage::text("summarize this").with_part(canary_file())),
        ("context_and_task", pong().with_context_id("canary-ctx-0123456789ab").with_task_id("t-1")),
        ("configuration", pong().with_configuration(&["text/plain"], true)),
        ("max_tokens", pong().with_max_tokens(32)),
        (
            "everything",
            SendMessage::text("all").with_part(dot_png()).with_part(doc_pdf()).with_context_id("c"),
        ),
    ]
}

#[test]
fn every_0_3_envelope_validates_against_the_schema_by_default() {
    for (name, message) in every_shape() {
        let envelope = message.to_v03();
        let errors = schema_errors(&V03_SEND, &envelope);
        assert!(errors.is_empty(), "{name}: the 0.3 schema rejects\n{envelope:#}\n{errors:#?}");
    }
}

/// The 0.3 schema requires `kind` on the message; staging omits it and a2a-sdk tolerates
/// that (contract a2a.md §1.2). Pin that this is the only difference.
#[test]
fn harness_shape_differs_from_the_schema_only_by_the_missing_kind() {
    let errors = schema_errors(&V03_SEND, &pong().without_kind().to_v03());
    assert!(!errors.is_empty(), "the schema should require `kind`");
    assert!(errors.iter().all(|e| e.contains("\"kind\"")), "{errors:#?}");
    assert_valid_v03(&pong().to_v03());
}

#[rstest::rstest]
#[case::the_1_0_envelope(pong().to_v10())]
#[case::no_message_id(strip(pong().to_v03(), "/params/message", "messageId"))]
#[case::a_part_without_kind(strip(pong().to_v03(), "/params/message/parts/0", "kind"))]
#[case::no_id(strip(pong().to_v03(), "", "id"))]
#[case::data_not_an_object(json!({"jsonrpc": "2.0", "method": "message/send", "id": "x", "params": {
    "message": {"kind": "message", "role": "user", "messageId": "m",
        "parts": [{"kind": "data", "data": 1}]}}}))]
fn a_broken_envelope_is_rejected_by_the_0_3_schema(#[case] envelope: Value) {
    assert!(!V03_SEND.is_valid(&envelope), "the 0.3 schema accepts a broken envelope:\n{envelope:#}");
}

fn strip(mut value: Value, pointer: &str, key: &str) -> Value {
    let removed = value.pointer_mut(pointer).and_then(Value::as_object_mut).and_then(|o| o.remove(key));
    assert!(removed.is_some(), "nothing to strip at {pointer}/{key}");
    value
}

/// The 1.0 bundle has no `required` and no `oneOf` (contract a2a.md §3), so the hand checks
/// carry the weight: method, header, role, ids, exactly one content member per part.
#[track_caller]
fn assert_valid_v10(message: &SendMessage) {
    let envelope = message.to_v10();
    let errors = schema_errors(&V10_PARAMS, &envelope["params"]);
    assert!(errors.is_empty(), "the 1.0 schema rejects the params of\n{envelope:#}\n{errors:#?}");
    assert_eq!(envelope["jsonrpc"], "2.0");
    assert_eq!(envelope["method"], "SendMessage");
    assert_eq!(envelope["id"], message.id());
    assert!(message.headers(Dialect::V10).contains(&("A2A-Version", "1.0")));
    let msg = &envelope["params"]["message"];
    assert_eq!(msg["role"], "ROLE_USER");
    assert_eq!(msg["messageId"], message.message_id());
    assert_eq!(msg.get("kind"), None, "1.0 has no kind: {msg}");
    let parts = msg["parts"].as_array().map(Vec::as_slice).unwrap_or_default();
    assert!(!parts.is_empty(), "1.0 requires at least one part: {msg}");
    for part in parts {
        let members: Vec<&str> =
            ["text", "raw", "url", "data"].into_iter().filter(|m| part.get(m).is_some()).collect();
        assert_eq!(members.len(), 1, "a 1.0 part needs exactly one of text/raw/url/data: {part}");
        assert_eq!(part.get("kind"), None, "1.0 parts have no kind: {part}");
    }
}

#[test]
fn every_1_0_envelope_passes_the_schema_and_the_hand_checks() {
    for (_, message) in every_shape() {
        assert_valid_v10(&message);
        assert_valid_v10(&message.without_kind());
    }
}

#[test]
fn the_1_0_schema_rejects_0_3_params() {
    let params = pong().to_v03()["params"].clone();
    assert!(!V10_PARAMS.is_valid(&params), "the 1.0 schema accepts 0.3 params:\n{params:#}");
}

/// The builder says what a2a-sdk's clients said, byte for byte where the ids allow.
#[rstest::rstest]
#[case::text(
    "v03_send_text",
    SendMessage::text("hello").with_id("a1").with_message_id("m-101")
)]
#[case::message_reply(
    "v03_send_message_reply",
    SendMessage::text("msg: reply with a message").with_id("a4").with_message_id("m-104")
)]
#[case::file_parts(
    "v03_send_file_parts",
    SendMessage::text("see attachments").with_id("a3").with_message_id("m-103")
        .with_part(dot_png()).with_part(doc_pdf()).with_part(Part::Data(json!({"k": "v", "n": 1})))
)]
fn builder_reproduces_the_sdk_0_3_requests(#[case] name: &str, #[case] message: SendMessage) {
    assert_eq!(message.to_v03(), vector(name)["request"], "{name}");
}

/// 1.0 vectors use integer ids, so only the method and params are compared.
#[rstest::rstest]
#[case::text("v10_send_text", SendMessage::text("hello").with_message_id("m-1"))]
#[case::client_context(
    "v10_client_context_id",
    SendMessage::text("x").with_message_id("m-39").with_context_id("my-own-ctx-1")
)]
#[case::continue_task(
    "v10_send_continue_task",
    SendMessage::text("here is more").with_message_id("m-6")
        .with_task_id("3db01a35-4fa7-4852-ba9c-05438087871c")
        .with_context_id("e89d2e84-fdbb-433b-80eb-cb4101e52dda")
)]
fn builder_reproduces_the_sdk_1_0_params(#[case] name: &str, #[case] message: SendMessage) {
    let request = vector(name)["request"].clone();
    let envelope = message.to_v10();
    assert_eq!(envelope["method"], request["method"], "{name}");
    assert_eq!(envelope["params"], request["params"], "{name}");
}

/// cp_sim's shape (contract §9): `kind`, a context, blocking text output, the file last.
fn cp_sim(message: SendMessage) -> SendMessage {
    message
        .with_id("canary-0123456789ab")
        .with_message_id("canary-0123456789ab")
        
        .with_context_id("canary-ctx-0123456789ab")
        .with_configuration(&["text/plain"], true)
        .with_part(canary_file())
}

#[track_caller]
fn assert_envelope_snapshot(name: &str, envelope: &Value) {
    crate::support::snapshot_settings().bind(|| insta::assert_json_snapshot!(name, envelope));
}

#[rstest::rstest]
#[case::text("a2a_envelope_text", pong().to_v03())]
#[case::file_only("a2a_envelope_file_only", cp_sim(SendMessage::new()).to_v03())]
#[case::file_with_caption(
    "a2a_envelope_file_with_caption",
    cp_sim(SendMessage::text("summarize this")).to_v03()
)]
#[case::v10_text("a2a_envelope_v10_text", pong().to_v10())]
fn envelopes_are_pinned_by_snapshots(#[case] name: &str, #[case] envelope: Value) {
    assert_envelope_snapshot(name, &envelope);
}
