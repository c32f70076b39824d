//! a2a pins: the envelopes the builder makes (against the official 0.3 schema, the refs-fixed
//! 1.0 schema, the SDK's own requests and reviewed snapshots), and the reply parser (against
//! every captured exchange in `shared/a2a-vectors/`, the platform's own answer shapes, and
//! arbitrary JSON).

use std::sync::LazyLock;

use serde_json::{Value, json};

use molecule_e2e::a2a::{Dialect, Part, Reply, ReplyError, ReplyPart, SendMessage};

/// The official schemas and the captured exchanges, vendored from the steering repository's
/// `shared/` (provenance in `tests/data/a2a-schema/SOURCE.md` and `a2a-vectors/README.md`), so
/// a clone of this repository alone runs the offline tier.
const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

#[track_caller]
fn shared_text(relative: &str) -> String {
    let path = format!("{SHARED}/{relative}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The vendored copies are the files `tests/data/SHA256SUMS` records (sha256 taken from
/// `shared/` when they were vendored), in any clone; and where `shared/` is checked out (see
/// [`crate::contract::shared_dir`]: absent is said loudly, and fails under `CI`) they are
/// byte-identical to it and the record still matches it.
#[test]
fn vendored_schemas_and_vectors_match_their_record_and_shared() {
    use sha2::{Digest, Sha256};
    let sums_path = format!("{SHARED}/SHA256SUMS");
    let sums = std::fs::read_to_string(&sums_path).unwrap_or_else(|e| panic!("cannot read {sums_path}: {e}"));
    let recorded: Vec<(&str, &str)> = sums.lines().filter_map(|l| l.split_once("  ")).collect();
    let hex = |bytes: &[u8]| -> String { Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect() };
    let mut vendored = Vec::new();
    for dir in ["a2a-schema", "a2a-vectors"] {
        for entry in std::fs::read_dir(format!("{SHARED}/{dir}")).expect("vendored dir").flatten() {
            vendored.push(format!("{dir}/{}", entry.file_name().to_string_lossy()));
        }
    }
    vendored.sort();
    let mut listed: Vec<String> = recorded.iter().map(|(_, f)| f.to_string()).collect();
    listed.sort();
    assert_eq!(vendored, listed, "tests/data and its SHA256SUMS must list the same files");
    assert!(recorded.len() >= 12, "only {} files recorded", recorded.len());
    let upstream = crate::contract::shared_dir();
    for (sum, file) in &recorded {
        let mine = std::fs::read(format!("{SHARED}/{file}")).expect("vendored file");
        assert_eq!(hex(&mine), *sum, "tests/data/{file} is not the recorded copy");
        if let Some(dir) = &upstream {
            let theirs = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("shared/{file}: {e}"));
            assert!(theirs == mine, "tests/data/{file} differs from shared/{file}");
        }
    }
}

#[track_caller]
fn shared_json(relative: &str) -> Value {
    let text = shared_text(relative);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{SHARED}/{relative} is not JSON: {e}"))
}

/// A missing `shared/` must fail the run and say where it looked, never skip.
#[test]
fn a_missing_shared_file_fails_naming_where_it_looked() {
    let payload = std::panic::catch_unwind(|| shared_text("a2a-vectors/no-such-file.json"))
        .err()
        .unwrap_or_else(|| panic!("reading a missing file did not panic"));
    let message = payload.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("/tests/data/a2a-vectors/no-such-file.json"), "{message}");
}

/// One exchange of `v10-jsonrpc.json` by name.
#[track_caller]
fn vector(name: &str) -> Value {
    static VECTORS: LazyLock<Value> = LazyLock::new(|| shared_json("a2a-vectors/v10-jsonrpc.json"));
    match VECTORS.get(name) {
        Some(exchange) => exchange.clone(),
        None => panic!("no exchange {name:?} in {SHARED}/a2a-vectors/v10-jsonrpc.json"),
    }
}

/// 1x1 PNG the vectors attach as `dot.png`.
const DOT_PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

fn dot_png() -> Part {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(DOT_PNG).unwrap_or_default();
    Part::FileBytes { name: "dot.png".into(), mime_type: "image/png".into(), bytes }
}

fn doc_pdf() -> Part {
    Part::FileUri {
        name: "doc.pdf".into(),
        mime_type: "application/pdf".into(),
        uri: "https://example.com/doc.pdf".into(),
    }
}

fn canary_file() -> Part {
    Part::FileBytes {
        name: "canary-0000beef.txt".into(),
        mime_type: "text/plain".into(),
        bytes: b"Project status: nominal. Lighthouse score 98.".to_vec(),
    }
}

mod envelope {
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
}

mod reply {
    use super::*;

    /// What an exchange's response must parse to.
    #[derive(Debug)]
    enum Want {
        /// A task in this normalised state whose text contains the fragment.
        Task(&'static str, &'static str),
        /// A message whose text contains the fragment.
        Message(&'static str),
        /// A JSON-RPC error with this code.
        Rpc(i64),
        /// Not an answer to a send; the error names this.
        NotAReply(&'static str),
    }

    const VECTORS: &[(&str, Want)] = &[
        ("v10_send_text", Want::Task("completed", "echo: text='hello'")),
        ("v10_send_text_followup_same_context", Want::Task("completed", "echo: text='second turn'")),
        ("v10_send_file_parts", Want::Task("completed", "raw[70 bytes] filename='dot.png'")),
        ("v10_send_message_reply", Want::Message("echo: text='msg: reply with a message'")),
        ("v10_send_input_required", Want::Task("input-required", "need more input")),
        ("v10_send_continue_task", Want::Task("completed", "echo: text='ask: need input'")),
        ("v10_get_task", Want::Task("completed", "echo: text='hello'")),
        ("v10_get_task_not_found", Want::Rpc(-32001)),
        ("v10_send_no_version_header", Want::Rpc(-32009)),
        ("v10_send_version_0_3_header", Want::Rpc(-32009)),
        ("v10_send_unknown_task", Want::Rpc(-32001)),
        ("v10_send_mismatched_context", Want::Rpc(-32602)),
        ("v10_send_empty_parts", Want::Rpc(-32602)),
        ("v10_send_kind_style_part", Want::Rpc(-32602)),
        ("v10_cancel_completed", Want::Rpc(-32002)),
        ("v10_list_tasks", Want::NotAReply("neither a task nor a message")),
        ("v10_old_method_on_v1_only", Want::Rpc(-32601)),
        ("err_parse", Want::Rpc(-32700)),
        ("err_invalid_request", Want::Rpc(-32600)),
        ("err_method_not_found", Want::Rpc(-32601)),
        ("err_invalid_params", Want::Rpc(-32602)),
        ("v03_send_text", Want::Task("completed", "echo: text='hello'")),
        ("v03_send_followup_same_context", Want::Task("completed", "echo: text='second turn'")),
        ("v03_send_file_parts", Want::Task("completed", "url='https://example.com/doc.pdf'")),
        ("v03_send_message_reply", Want::Message("echo: text='msg: reply with a message'")),
        ("v03_get_task", Want::Task("completed", "echo: text='hello'")),
        ("v03_get_task_not_found", Want::Rpc(-32001)),
        ("v03_send_with_version_1_0_header", Want::Rpc(-32603)),
        ("v03_send_missing_kind", Want::Task("completed", "echo: text='no kind'")),
        ("v03_send_v1_style_parts", Want::Rpc(-32600)),
        ("v10_on_compat_server", Want::Task("completed", "echo: text='hello'")),
        ("v03_cancel_completed", Want::Rpc(-32002)),
        ("v10_return_immediately", Want::Task("submitted", "")),
        ("v10_header_1_0_0", Want::Task("completed", "echo: text='hi'")),
        ("v10_header_1_1", Want::Task("completed", "echo: text='hi'")),
        ("v10_header_2_0", Want::Rpc(-32009)),
        ("v10_no_id_notification", Want::Task("completed", "echo: text='hi'")),
        ("v10_snake_case_fields", Want::Task("completed", "echo: text='snake'")),
        ("v10_role_numeric", Want::Task("completed", "echo: text='numeric role'")),
        ("v10_part_two_members", Want::Rpc(-32602)),
        ("v10_missing_message_id", Want::Rpc(-32602)),
        ("v10_client_context_id", Want::Task("completed", "contextId=my-own-ctx-1")),
        ("v10_send_to_terminal_task", Want::Rpc(-32004)),
    ];

    /// Why `got` is not `want`, or `None` when it is.
    fn mismatch(want: &Want, got: &Result<Reply, ReplyError>) -> Option<String> {
        let text = |r: &Reply| r.text().unwrap_or_default();
        let ok = match (want, got) {
            (Want::Task(state, fragment), Ok(reply @ Reply::Task(task))) => {
                task.state == *state && text(reply).contains(fragment)
            }
            (Want::Message(fragment), Ok(reply @ Reply::Message(message))) => {
                message.role.as_deref() == Some("agent") && text(reply).contains(fragment)
            }
            (Want::Rpc(code), Ok(Reply::RpcError(error))) => error.code == *code && !error.message.is_empty(),
            (Want::NotAReply(fragment), Err(error)) => error.to_string().contains(fragment),
            _ => false,
        };
        (!ok).then(|| format!("want {want:?}, got {got:?}"))
    }

    #[test]
    fn every_vector_parses_to_its_variant() {
        let mut failures = Vec::new();
        for (name, want) in VECTORS {
            let exchange = vector(name);
            let status = exchange.get("status").and_then(Value::as_u64).unwrap_or(200);
            let got = Reply::parse(u16::try_from(status).unwrap_or(0), &exchange["response"]);
            failures.extend(mismatch(want, &got).map(|why| format!("{name}: {why}")));
        }
        assert!(
            failures.is_empty(),
            "{} of {} vectors misparse:\n{}",
            failures.len(),
            VECTORS.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn the_vector_table_names_every_exchange() {
        let all = shared_json("a2a-vectors/v10-jsonrpc.json");
        let mut in_file: Vec<&str> =
            all.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
        let mut in_table: Vec<&str> = VECTORS.iter().map(|(name, _)| *name).collect();
        in_file.sort_unstable();
        in_table.sort_unstable();
        assert_eq!(in_table, in_file);
        assert_eq!(in_file.len(), 43);
    }

    #[test]
    fn dialects_are_told_apart_by_shape() {
        let dialect =
            |name: &str| Reply::parse(200, &vector(name)["response"]).ok().and_then(|r| r.dialect());
        assert_eq!(dialect("v03_send_text"), Some(Dialect::V03));
        assert_eq!(dialect("v03_send_message_reply"), Some(Dialect::V03));
        assert_eq!(dialect("v10_send_text"), Some(Dialect::V10));
        assert_eq!(dialect("v10_send_message_reply"), Some(Dialect::V10));
        assert_eq!(dialect("v10_get_task"), Some(Dialect::V10), "a bare 1.0 task (GetTask)");
    }

    #[test]
    fn a_task_reads_ids_artifacts_history_and_status_message() {
        let Ok(Reply::Task(task)) = Reply::parse(200, &vector("v10_send_input_required")["response"]) else {
            panic!("v10_send_input_required is not a task");
        };
        assert_eq!(task.id, "3db01a35-4fa7-4852-ba9c-05438087871c");
        assert_eq!(task.context_id.as_deref(), Some("e89d2e84-fdbb-433b-80eb-cb4101e52dda"));
        assert_eq!(task.state, "input-required");
        let status = task.status_message.as_ref().map(|m| (m.role.as_deref(), m.parts.clone()));
        assert_eq!(status, Some((Some("agent"), vec![ReplyPart::Text("need more input".into())])));
        assert_eq!(task.artifacts.len(), 1);
        assert_eq!(task.artifacts[0].name.as_deref(), Some("echo"));
        assert_eq!(task.history.len(), 1);
        assert_eq!(task.history[0].role.as_deref(), Some("user"));
        assert_eq!(task.history[0].message_id.as_deref(), Some("m-5"));
    }

    /// cp_sim's order (contract §9): artifacts, then the status message; never the history,
    /// which holds the user's own words.
    #[test]
    fn task_text_reads_artifacts_then_status_message_but_not_history() {
        let body = json!({"jsonrpc": "2.0", "id": "1", "result": {
            "kind": "task", "id": "t", "contextId": "c",
            "status": {"state": "completed", "message": {"kind": "message", "role": "agent", "messageId": "s",
                "parts": [{"kind": "text", "text": "from status"}]}},
            "artifacts": [{"artifactId": "a", "parts": [{"kind": "text", "text": "from artifact"},
                {"kind": "file", "file": {"uri": "u"}}]}],
            "history": [{"kind": "message", "role": "user", "messageId": "h",
                "parts": [{"kind": "text", "text": "PONG?"}]}],
        }});
        let reply = Reply::parse(200, &body);
        assert_eq!(reply.map(|r| r.text()), Ok(Some("from artifact\nfrom status".to_owned())));
    }

    #[test]
    fn file_and_data_parts_are_read_in_both_dialects() {
        let history_parts = |name: &str| match Reply::parse(200, &vector(name)["response"]) {
            Ok(Reply::Task(task)) => task.history.first().map(|m| m.parts.clone()).unwrap_or_default(),
            other => panic!("{name}: {other:?}"),
        };
        let want = || {
            vec![
                ReplyPart::Text("see attachments".into()),
                ReplyPart::File {
                    name: Some("dot.png".into()),
                    mime_type: Some("image/png".into()),
                    bytes: Some(DOT_PNG.into()),
                    uri: None,
                },
                ReplyPart::File {
                    name: Some("doc.pdf".into()),
                    mime_type: Some("application/pdf".into()),
                    bytes: None,
                    uri: Some("https://example.com/doc.pdf".into()),
                },
                ReplyPart::Data(json!({"k": "v", "n": 1.0})),
            ]
        };
        // The SDK keeps data as a protobuf Value on both paths, so the 1 sent comes back as 1.0
        // (contract a2a.md §1.4).
        assert_eq!(history_parts("v10_send_file_parts"), want());
        assert_eq!(history_parts("v03_send_file_parts"), want());
    }

    /// The SDK's own clients' captures: the agent card is not a reply, every send is a task.
    #[rstest::rstest]
    #[case::v03("a2a-vectors/sdk_v03.json", &["task"])]
    #[case::v1_nostream("a2a-vectors/sdk_v1_nostream.json", &["not-a-reply", "task", "task"])]
    fn sdk_client_responses_parse(#[case] file: &str, #[case] want: &[&str]) {
        let exchanges = shared_json(file);
        let got: Vec<&str> = exchanges
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|e| e["dir"] == "response")
            .map(|e| Reply::parse(200, &e["body"]).map_or("not-a-reply", |r| r.kind()))
            .collect();
        assert_eq!(got, want, "{file}");
    }

    /// The JSON of each `data:` line of a server-sent-event stream.
    #[track_caller]
    fn sse_events(stream: &str) -> Vec<Value> {
        stream
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .map(|data| {
                serde_json::from_str(data.trim()).unwrap_or_else(|e| panic!("bad SSE data {data:?}: {e}"))
            })
            .collect()
    }

    /// What each event parses to: a variant's kind, or the stream event it was named as.
    fn event_kinds(events: &[Value]) -> Vec<String> {
        events
            .iter()
            .map(|event| match Reply::parse(200, event) {
                Ok(reply) => reply.kind().to_owned(),
                Err(ReplyError::StreamEvent { event }) => event.to_owned(),
                Err(other) => format!("error: {other}"),
            })
            .collect()
    }

    #[rstest::rstest]
    #[case::v03("a2a-vectors/sse_v03.txt", &["task", "artifact-update", "status-update"])]
    #[case::v10("a2a-vectors/sse_v10.txt", &["task", "artifactUpdate", "statusUpdate"])]
    fn stream_events_parse_or_are_named_as_events(#[case] file: &str, #[case] want: &[&str]) {
        let events = sse_events(&shared_text(file));
        assert_eq!(event_kinds(&events), want, "{file}");
        let first = events.first().map(|e| Reply::parse(200, e));
        let Some(Ok(Reply::Task(task))) = &first else {
            panic!("{file}: the first event is not a task: {first:?}")
        };
        assert_eq!(task.state, "submitted");
    }

    #[test]
    fn sdk_stream_captures_parse_or_are_named_as_events() {
        let exchanges = shared_json("a2a-vectors/sdk_v1_stream.json");
        let streams: Vec<&str> = exchanges
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| e["body"].as_str())
            .collect();
        assert_eq!(streams.len(), 2);
        for stream in streams {
            let kinds = event_kinds(&sse_events(stream));
            assert_eq!(kinds.first().map(String::as_str), Some("task"), "{kinds:?}");
            assert!(
                kinds.iter().all(|k| ["task", "artifactUpdate", "statusUpdate"].contains(&k.as_str())),
                "{kinds:?}"
            );
        }
    }

    #[test]
    fn rest_1_0_body_parses_as_a_task() {
        let raw = shared_text("a2a-vectors/rest_v10.txt");
        let body = raw.split_once("\r\n\r\n").or_else(|| raw.split_once("\n\n")).map(|(_, body)| body);
        let body: Value = body
            .and_then(|b| serde_json::from_str(b.trim()).ok())
            .unwrap_or_else(|| panic!("no JSON body in rest_v10.txt:\n{raw}"));
        let Ok(Reply::Task(task)) = Reply::parse(200, &body) else { panic!("not a task: {body}") };
        assert_eq!((task.dialect, task.state.as_str()), (Dialect::V10, "completed"));
        assert!(Reply::Task(task).text().unwrap_or_default().contains("echo: text='rest hi'"));
    }

    // Contract shapes: the platform's own answers (§5, §6.4) and the built-in mock runtime (§6.3).

    #[test]
    fn poll_queued_envelope_is_queued_with_exactly_three_keys() {
        let body = json!({"status": "queued", "delivery_mode": "poll", "method": "message/send"});
        let Ok(Reply::Queued(queued)) = Reply::parse(200, &body) else { panic!("not queued") };
        assert_eq!((queued.status.as_str(), queued.delivery_mode.as_str()), ("queued", "poll"));
        assert_eq!(queued.method, "message/send");
        assert_eq!(queued.keys, ["delivery_mode", "method", "status"]);
        let extra =
            json!({"status": "queued", "delivery_mode": "poll", "method": "message/send", "queue_id": "q"});
        let Ok(Reply::Queued(queued)) = Reply::parse(200, &extra) else { panic!("not queued") };
        assert_eq!(queued.keys, ["delivery_mode", "method", "queue_id", "status"], "an extra key must show");
        assert_eq!(Reply::Queued(queued).text(), None);
    }

    #[test]
    fn waking_body_is_waking_with_its_retry_after() {
        let body = json!({"error": "workspace is waking from hibernation — retry in ~15 seconds",
            "waking": true, "retry_after": 15});
        let Ok(Reply::Waking(waking)) = Reply::parse(503, &body) else { panic!("not waking") };
        assert_eq!(waking.retry_after, Some(15));
        assert!(waking.error.contains("waking from hibernation"));
    }

    #[test]
    fn busy_body_is_busy_with_its_queue_id() {
        let body = json!({"queued": true, "queue_id": "q-1", "queue_depth": 2,
            "message": "workspace agent busy — request queued, will dispatch when capacity available"});
        let reply = Reply::parse(202, &body);
        let Ok(Reply::Busy(busy)) = &reply else { panic!("not busy: {reply:?}") };
        assert_eq!((busy.queue_id.as_deref(), busy.queue_depth), (Some("q-1"), Some(2)));
        assert!(busy.message.as_deref().unwrap_or_default().contains("request queued"));
        assert_eq!(reply.map(|r| r.kind()), Ok("busy"));
    }

    #[test]
    fn busy_fallback_is_busy_with_nothing_queued() {
        let body =
            json!({"error": "workspace agent busy — retry after a short backoff", "busy": true, "retry_after": 30});
        let Ok(Reply::Busy(busy)) = Reply::parse(503, &body) else { panic!("not busy") };
        assert_eq!(busy.queue_id, None);
        assert!(busy.message.as_deref().unwrap_or_default().contains("retry after"));
    }

    #[test]
    fn mock_runtime_reply_is_a_message() {
        let body = json!({"jsonrpc": "2.0", "id": "e2e-msg-1",
            "result": {"parts": [{"kind": "text", "text": "PONG"}]}});
        let reply = Reply::parse(200, &body);
        let Ok(Reply::Message(message)) = &reply else { panic!("not a message: {reply:?}") };
        assert_eq!((message.dialect, message.role.as_deref()), (Dialect::V03, None));
        assert_eq!(reply.ok().and_then(|r| r.text()).as_deref(), Some("PONG"));
    }

    #[rstest::rstest]
    #[case::null_data(
        json!({"jsonrpc": "2.0", "id": "a6",
            "error": {"code": -32001, "data": null, "message": "Task not found"}}),
        None
    )]
    #[case::no_data(
        json!({"jsonrpc": "2.0", "id": 19, "error": {"code": -32601, "message": "Method not found"}}),
        None
    )]
    #[case::object_data(
        json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "m", "data": {"k": 1}}}),
        Some(json!({"k": 1})))]
    #[case::array_data(vector("v10_get_task_not_found")["response"].clone(),
        Some(json!([{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "TASK_NOT_FOUND",
            "domain": "a2a-protocol.org", "metadata": {}}])))]
    #[case::string_data(
        json!({"jsonrpc": "2.0", "id": "a9", "error": {"code": -32600, "message": "Invalid Request",
            "data": "1 validation error for SendMessageRequest"}}),
        Some(json!("1 validation error for SendMessageRequest"))
    )]
    fn rpc_error_keeps_data_whatever_its_shape(#[case] body: Value, #[case] data: Option<Value>) {
        let reply = Reply::parse(200, &body);
        let Ok(Reply::RpcError(error)) = &reply else { panic!("not an rpc error: {reply:?}") };
        assert_eq!(error.data, data);
        assert_eq!(error.id.as_ref(), body.get("id"));
        assert_eq!(reply.map(|r| (r.kind(), r.text())), Ok(("rpc-error", None)));
    }

    #[test]
    fn a_parse_error_has_no_id() {
        let Ok(Reply::RpcError(error)) = Reply::parse(200, &vector("err_parse")["response"]) else {
            panic!()
        };
        assert_eq!((error.id, error.code), (None, -32700));
    }

    #[rstest::rstest]
    #[case::not_found(json!({"error": "workspace not found"}), "workspace not found")]
    #[case::no_url(json!({"error": "workspace has no URL", "status": "provisioning"}), "has no URL")]
    #[case::restarting(
        json!({"error": "workspace agent unreachable — container restart triggered", "restarting": true}),
        "container restart triggered")]
    fn plain_platform_error_is_not_a_reply_and_names_its_text(#[case] body: Value, #[case] text: &str) {
        match Reply::parse(503, &body) {
            Err(error @ ReplyError::Platform { .. }) => assert!(error.to_string().contains(text), "{error}"),
            other => panic!("want a platform error naming {text:?}, got {other:?}"),
        }
    }

    #[rstest::rstest]
    #[case::null(json!(null), "not a JSON object but null")]
    #[case::string(json!("PONG"), "not a JSON object but a string")]
    #[case::array(json!([{"result": {}}]), "not a JSON object but an array")]
    #[case::empty(json!({}), "no `result`, `error`")]
    #[case::both(
        json!({"result": {"kind": "message", "parts": []}, "error": {"code": 1}}),
        "both `result` and `error`"
    )]
    #[case::result_not_object(json!({"result": "PONG"}), "`result` is a string")]
    #[case::unknown_kind(json!({"result": {"kind": "card"}}), "unknown result kind \"card\"")]
    #[case::task_without_id(
        json!({"result": {"kind": "task", "status": {"state": "completed"}}}),
        "a task without an `id`"
    )]
    #[case::task_with_a_numeric_id(
        json!({"result": {"kind": "task", "id": 7, "status": {"state": "completed"}}}),
        "a task whose `id` is a number, expected a string"
    )]
    #[case::task_status_not_an_object(
        json!({"result": {"kind": "task", "id": "t-1", "status": "completed"}}),
        "task t-1: `status` is a string, expected an object"
    )]
    #[case::error_without_code(json!({"error": {"message": "m"}}), "no `code`; its message: \"m\"")]
    #[case::error_code_as_a_string(
        json!({"error": {"code": "-32600", "message": "Invalid Request"}}),
        "`code` is a string, expected an integer; its message: \"Invalid Request\""
    )]
    #[case::error_code_fractional(json!({"error": {"code": 1.5}}), "`code` is the number 1.5, not an integer")]
    #[case::error_not_an_object(json!({"error": 42}), "`error` is a number instead of an object")]
    #[case::kind_not_a_string(json!({"result": {"kind": 3}}), "result `kind` is a number instead of a string")]
    #[case::task_and_message(json!({"result": {"task": {}, "message": {}}}), "both `task` and `message`")]
    fn other_bodies_are_not_replies_and_say_why(#[case] body: Value, #[case] why: &str) {
        match Reply::parse(200, &body) {
            Err(error) => assert!(error.to_string().contains(why), "want {why:?} in {error}"),
            Ok(reply) => panic!("want an error naming {why:?}, got {reply:?}"),
        }
    }
}

mod markers {
    use molecule_e2e::a2a::error_markers;

    #[rstest::rstest]
    #[case::agent_error("Agent error: provider returned 500", "Agent error")]
    #[case::exception("Traceback: RuntimeException raised", "Exception")]
    #[case::error_result("tool returned an ERROR RESULT", "error result")]
    #[case::byok("MISSING_BYOK_CREDENTIAL: set OPENAI_API_KEY", "MISSING_BYOK_CREDENTIAL")]
    #[case::hermes_401("[hermes-agent error 401] unauthorized", "[hermes-agent error 401]")]
    #[case::hermes_unreachable("hermes-agent unreachable at :8642", "hermes-agent unreachable")]
    #[case::model_not_found("{\"code\":\"model_not_found\"}", "model_not_found")]
    #[case::encrypted(
        "Encrypted content is not supported for this model",
        "Encrypted content is not supported"
    )]
    #[case::unknown_provider("unknown provider: foo", "Unknown provider")]
    #[case::invalid_key("Invalid API key provided", "Invalid API key")]
    #[case::quota("You exceeded your current quota", "exceeded your current quota")]
    #[case::insufficient_quota("insufficient_quota", "insufficient_quota")]
    #[case::no_text("message contained no text content", "message contained no text content")]
    fn error_markers_find_each_marker(#[case] text: &str, #[case] marker: &str) {
        assert!(
            error_markers(text).contains(&marker),
            "{marker:?} not found in {text:?}: {:?}",
            error_markers(text)
        );
    }

    #[rstest::rstest]
    #[case::pong("PONG")]
    #[case::pineapple("PINEAPPLE")]
    #[case::empty("")]
    #[case::polite("Sure! The file canary-0000beef.txt says the project status is nominal.")]
    #[case::near_misses("no errors here: the key is valid and the provider is known")]
    fn error_markers_ignore_clean_answers(#[case] text: &str) {
        assert_eq!(error_markers(text), Vec::<&str>::new(), "{text:?}");
    }

    #[test]
    fn error_markers_report_every_marker_in_list_order() {
        let text = "insufficient_quota after Agent error";
        assert_eq!(error_markers(text), ["Agent error", "insufficient_quota"]);
    }
}

mod fuzz {
    use proptest::prelude::*;
    use proptest::sample::Index;

    use super::*;

    /// A2A field names, so random objects reach deep into the parser's paths.
    const KEYS: &[&str] = &[
        "jsonrpc",
        "id",
        "result",
        "error",
        "code",
        "message",
        "data",
        "task",
        "kind",
        "parts",
        "text",
        "raw",
        "url",
        "file",
        "bytes",
        "uri",
        "name",
        "mimeType",
        "mediaType",
        "filename",
        "role",
        "messageId",
        "contextId",
        "taskId",
        "status",
        "state",
        "artifacts",
        "artifactId",
        "history",
        "statusUpdate",
        "artifactUpdate",
        "waking",
        "retry_after",
        "queued",
        "queue_id",
        "queue_depth",
        "busy",
        "delivery_mode",
        "method",
        "tasks",
    ];

    /// String values the parser compares against.
    const WORDS: &[&str] = &[
        "kind",
        "task",
        "message",
        "parts",
        "text",
        "file",
        "data",
        "status-update",
        "artifact-update",
        "queued",
        "poll",
        "completed",
        "TASK_STATE_COMPLETED",
        "TASK_STATE_",
        "ROLE_AGENT",
        "ROLE_",
        "agent",
        "user",
        "2.0",
        "",
        "é",
    ];

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            prop::sample::select(WORDS).prop_map(Value::from),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(8, 96, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(KEYS), inner), 0..7).prop_map(|pairs| {
                    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                }),
            ]
        })
    }

    /// Real answers: every captured response and the platform's own shapes. Mutating one node
    /// of these reaches the deep paths that random objects rarely do.
    static SKELETONS: LazyLock<Vec<Value>> = LazyLock::new(|| {
        let vectors = shared_json("a2a-vectors/v10-jsonrpc.json");
        let mut all: Vec<Value> =
            vectors.as_object().into_iter().flat_map(|o| o.values()).map(|e| e["response"].clone()).collect();
        all.extend([
            json!({"status": "queued", "delivery_mode": "poll", "method": "message/send"}),
            json!({"error": "workspace is waking from hibernation", "waking": true, "retry_after": 15}),
            json!({"queued": true, "queue_id": "q", "queue_depth": 1, "message": "busy"}),
            json!({"error": "busy", "busy": true, "retry_after": 30}),
            json!({"error": "workspace not found"}),
            json!({"jsonrpc": "2.0", "id": "x", "result": {"parts": [{"kind": "text", "text": "PONG"}]}}),
            json!({"task": {"id": "t", "status": {"state": "TASK_STATE_WORKING"},
                "artifacts": [{"parts": [{"url": "u"}]}]}}),
            json!({"jsonrpc": "2.0", "id": "x", "result": {"kind": "task", "id": "t",
                "status": {"state": "failed",
                "message": {"role": "agent", "parts": [{"kind": "file", "file": {"bytes": "YQ=="}},
                    {"kind": "data", "data": {}}]}}}}),
        ]);
        all
    });

    /// Every JSON pointer in `value`, the root included.
    fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
        match value {
            Value::Object(o) => o.iter().for_each(|(k, v)| pointers(v, format!("{at}/{k}"), out)),
            Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| pointers(v, format!("{at}/{i}"), out)),
            _ => {}
        }
        out.push(at);
    }

    /// A skeleton with one node replaced by `hole`, or removed when `remove` is set.
    fn mutated(skeleton: Index, node: Index, hole: Value, remove: bool) -> Value {
        let mut value = skeleton.get(&SKELETONS).clone();
        let mut all = Vec::new();
        pointers(&value, String::new(), &mut all);
        let pointer = node.get(&all).clone();
        let parent = pointer.rsplit_once('/').map(|(parent, key)| (parent.to_owned(), key.to_owned()));
        match (remove, parent) {
            (true, Some((parent, key))) => match value.pointer_mut(&parent) {
                Some(Value::Object(o)) => drop(o.remove(&key)),
                Some(Value::Array(a)) => {
                    if let Some(i) = key.parse::<usize>().ok().filter(|i| *i < a.len()) {
                        a.remove(i);
                    }
                }
                _ => {}
            },
            _ => {
                if let Some(slot) = value.pointer_mut(&pointer) {
                    *slot = hole;
                }
            }
        }
        value
    }

    fn answer_like() -> impl Strategy<Value = Value> {
        (any::<Index>(), any::<Index>(), json_value(), any::<bool>())
            .prop_map(|(skeleton, node, hole, remove)| mutated(skeleton, node, hole, remove))
    }

    #[track_caller]
    fn never_panics(status: u16, body: &Value) {
        match Reply::parse(status, body) {
            Ok(reply) => {
                let _ = (reply.text(), reply.kind(), reply.dialect());
            }
            Err(error) => {
                let _ = error.to_string();
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: crate::support::proptest_cases(192), failure_persistence: None, ..ProptestConfig::default()
        })]

        #[test]
        fn parse_never_panics_on_any_json(
            body in prop_oneof![json_value(), answer_like()],
            status in prop::sample::select(&[200u16, 202, 503][..]),
        ) {
            never_panics(status, &body);
            // The same body as a JSON-RPC result reaches the result paths.
            never_panics(status, &json!({"jsonrpc": "2.0", "id": 1, "result": body}));
        }
    }
}
