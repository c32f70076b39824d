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
