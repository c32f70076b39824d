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
