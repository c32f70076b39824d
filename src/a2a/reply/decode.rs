//! The wire side of the reply parser: the platform's own answers, JSON-RPC errors, and Tasks and
//! Messages in either dialect, read field by field without ever panicking.

use serde_json::{Map, Value};

use super::{Artifact, Busy, Message, Parked, Queued, Reply, ReplyError, RpcError, Task, Waking, json_type, unrecognised};
use crate::a2a::Dialect;
use crate::a2a::parts::{ReplyPart, str_field};

/// The proxy's own answers (contract §5, §6.4), told apart by the keys only it sends.
pub(super) fn platform_answer(object: &Map<String, Value>) -> Option<Reply> {
    let flag = |key: &str| object.get(key).and_then(Value::as_bool) == Some(true);
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    if flag("waking") {
        return Some(Reply::Waking(Waking {
            error: text("error").unwrap_or_default(),
            retry_after: object.get("retry_after").and_then(Value::as_u64),
        }));
    }
    if flag("queued") {
        let queue_id = match object.get("queue_id") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        return Some(Reply::Busy(Busy {
            queue_id,
            queue_depth: object.get("queue_depth").and_then(Value::as_u64),
            message: text("message"),
        }));
    }
    if flag("busy") {
        return Some(Reply::Busy(Busy { queue_id: None, queue_depth: None, message: text("error") }));
    }
    // Canvas cap-and-queue: the same `status: queued` as poll mode, but nothing was queued for
    // anyone to fetch; told apart by its delivery mode (`a2a_proxy.go:579-583` at aeec8e47).
    if text("status").as_deref() == Some("queued") && text("delivery_mode").as_deref() == Some("push-async") {
        return Some(Reply::Parked(Parked { method: text("method").unwrap_or_default() }));
    }
    if text("status").as_deref() == Some("queued") && object.contains_key("delivery_mode") {
        let mut keys: Vec<String> = object.keys().cloned().collect();
        keys.sort();
        return Some(Reply::Queued(Queued {
            status: "queued".to_owned(),
            delivery_mode: text("delivery_mode").unwrap_or_default(),
            method: text("method").unwrap_or_default(),
            keys,
        }));
    }
    None
}

pub(super) fn rpc_error(http_status: u16, id: Option<&Value>, error: &Value) -> Result<RpcError, ReplyError> {
    let Some(error) = error.as_object() else {
        return Err(unrecognised(format!(
            "HTTP {http_status}: `error` is {} instead of an object",
            json_type(error)
        )));
    };
    let code = match error.get("code") {
        Some(Value::Number(n)) if n.is_i64() => n.as_i64().unwrap_or_default(),
        Some(Value::Number(n)) => {
            return Err(unrecognised(format!(
                "HTTP {http_status}: the error object's `code` is the number {n}, not an integer"
            )));
        }
        Some(other) => {
            return Err(unrecognised(format!(
                "HTTP {http_status}: the error object's `code` is {}, expected an integer{}",
                json_type(other),
                message_note(error)
            )));
        }
        None => {
            return Err(unrecognised(format!(
                "HTTP {http_status}: the error object has no `code`{}",
                message_note(error)
            )));
        }
    };
    let message = match error.get("message") {
        Some(Value::String(m)) => m.clone(),
        None | Some(Value::Null) => String::new(),
        Some(other) => format!("(`message` is {})", json_type(other)),
    };
    let not_null = |v: Option<&Value>| v.filter(|v| !v.is_null()).cloned();
    Ok(RpcError { id: not_null(id), code, message, data: not_null(error.get("data")) })
}

/// `; message "…"` when a malformed error object still carries one: the server's words.
fn message_note(error: &Map<String, Value>) -> String {
    match error.get("message") {
        Some(Value::String(m)) => format!("; its message: {:?}", crate::redact::cut(&crate::redact::scrub(m), 300)),
        _ => String::new(),
    }
}

pub(super) fn parse_result(http_status: u16, result: &Value) -> Result<Reply, ReplyError> {
    let Some(result) = result.as_object() else {
        return Err(unrecognised(format!(
            "HTTP {http_status}: `result` is {} instead of an object",
            json_type(result)
        )));
    };
    // 1.0 wraps the answer: `{"task": …}` or `{"message": …}`, exactly one.
    let task = result.get("task").and_then(Value::as_object);
    let message = result.get("message").and_then(Value::as_object);
    match (task, message) {
        (Some(_), Some(_)) => {
            return Err(unrecognised(format!(
                "HTTP {http_status}: the result holds both `task` and `message`"
            )));
        }
        (Some(task), None) => return parse_task(task, Some(Dialect::V10)).map(Reply::Task),
        (None, Some(message)) => return Ok(Reply::Message(parse_message(message, Some(Dialect::V10)))),
        (None, None) => {}
    }
    if result.contains_key("statusUpdate") {
        return Err(ReplyError::StreamEvent { event: "statusUpdate" });
    }
    if result.contains_key("artifactUpdate") {
        return Err(ReplyError::StreamEvent { event: "artifactUpdate" });
    }
    match result.get("kind") {
        Some(Value::String(kind)) => match kind.as_str() {
            "task" => parse_task(result, Some(Dialect::V03)).map(Reply::Task),
            "message" => Ok(Reply::Message(parse_message(result, Some(Dialect::V03)))),
            "status-update" => Err(ReplyError::StreamEvent { event: "status-update" }),
            "artifact-update" => Err(ReplyError::StreamEvent { event: "artifact-update" }),
            other => Err(unrecognised(format!("HTTP {http_status}: unknown result kind {other:?}"))),
        },
        Some(other) => Err(unrecognised(format!(
            "HTTP {http_status}: result `kind` is {} instead of a string",
            json_type(other)
        ))),
        // No `kind`: 1.0's bare Task (GetTask), a 0.3 sender that left it out, or the
        // platform's built-in `mock` runtime (`{"result":{"parts":[…]}}`).
        None if result.get("status").is_some_and(Value::is_object) && result.contains_key("id") => {
            parse_task(result, None).map(Reply::Task)
        }
        None if result.get("parts").is_some_and(Value::is_array) => {
            Ok(Reply::Message(parse_message(result, None)))
        }
        None => Err(unrecognised(format!(
            "HTTP {http_status}: the result is neither a task nor a message (keys {:?})",
            result.keys().collect::<Vec<_>>()
        ))),
    }
}

/// Reads a task; `dialect` is `None` when the shape did not say, and the state's spelling
/// decides (`TASK_STATE_*` or an integer is 1.0).
fn parse_task(task: &Map<String, Value>, dialect: Option<Dialect>) -> Result<Task, ReplyError> {
    let id = match task.get("id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        Some(Value::String(_)) => return Err(unrecognised("a task whose `id` is an empty string")),
        Some(other) => {
            return Err(unrecognised(format!("a task whose `id` is {}, expected a string", json_type(other))));
        }
        None => return Err(unrecognised("a task without an `id`")),
    };
    if let Some(status) = task.get("status").filter(|s| !s.is_object() && !s.is_null()) {
        return Err(unrecognised(format!("task {id}: `status` is {}, expected an object", json_type(status))));
    }
    let status = task.get("status").and_then(Value::as_object);
    let raw_state = status.and_then(|s| s.get("state"));
    let dialect = dialect.unwrap_or(match raw_state {
        Some(Value::Number(_)) => Dialect::V10,
        Some(Value::String(s)) if s.starts_with("TASK_STATE_") => Dialect::V10,
        _ => Dialect::V03,
    });
    let messages = |key: &str| -> Vec<Message> {
        task.get(key)
            .and_then(Value::as_array)
            .map(|items| {
                items.iter().filter_map(Value::as_object).map(|m| parse_message(m, Some(dialect))).collect()
            })
            .unwrap_or_default()
    };
    let artifacts = task
        .get("artifacts")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_object).map(parse_artifact).collect())
        .unwrap_or_default();
    Ok(Task {
        dialect,
        id,
        context_id: str_field(task, &["contextId", "context_id"]),
        state: normalise_state(raw_state),
        status_message: status
            .and_then(|s| s.get("message"))
            .and_then(Value::as_object)
            .map(|m| parse_message(m, Some(dialect))),
        artifacts,
        history: messages("history"),
    })
}

fn parse_artifact(artifact: &Map<String, Value>) -> Artifact {
    Artifact {
        artifact_id: str_field(artifact, &["artifactId", "artifact_id"]),
        name: str_field(artifact, &["name"]),
        parts: parse_parts(artifact.get("parts")),
    }
}

/// Reads a message; `dialect` is `None` when the shape did not say, and the role's spelling
/// decides, then the parts' (`kind` is 0.3; `raw`/`url` exist only in 1.0), then 0.3, the
/// platform's dialect.
fn parse_message(message: &Map<String, Value>, dialect: Option<Dialect>) -> Message {
    let raw_role = message.get("role");
    let dialect = dialect.unwrap_or_else(|| {
        let parts = message.get("parts").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        let any_part = |key: &str| parts.iter().any(|p| p.get(key).is_some());
        match raw_role {
            Some(Value::Number(_)) => Dialect::V10,
            Some(Value::String(r)) if r.starts_with("ROLE_") => Dialect::V10,
            Some(Value::String(_)) => Dialect::V03,
            _ if any_part("kind") => Dialect::V03,
            _ if any_part("raw") || any_part("url") => Dialect::V10,
            _ => Dialect::V03,
        }
    });
    Message {
        dialect,
        message_id: str_field(message, &["messageId", "message_id"]),
        context_id: str_field(message, &["contextId", "context_id"]),
        task_id: str_field(message, &["taskId", "task_id"]),
        role: normalise_role(raw_role),
        parts: parse_parts(message.get("parts")),
    }
}

fn parse_parts(parts: Option<&Value>) -> Vec<ReplyPart> {
    parts
        .and_then(Value::as_array)
        .map(|p| p.iter().filter_map(ReplyPart::parse).collect())
        .unwrap_or_default()
}

/// `ROLE_AGENT`, `2` and `agent` are all `"agent"`; unspecified or empty is `None`.
fn normalise_role(role: Option<&Value>) -> Option<String> {
    let name = match role? {
        Value::Number(n) => match n.as_i64()? {
            1 => "user".to_owned(),
            2 => "agent".to_owned(),
            _ => return None,
        },
        Value::String(s) => {
            let lower = s.strip_prefix("ROLE_").unwrap_or(s).to_lowercase();
            if lower.is_empty() || lower == "unspecified" {
                return None;
            }
            lower
        }
        _ => return None,
    };
    Some(name)
}

/// Task states by their 1.0 enum number (ProtoJSON accepts numbers for enums).
const STATES_BY_NUMBER: [&str; 9] = [
    "unknown",
    "submitted",
    "working",
    "completed",
    "failed",
    "canceled",
    "input-required",
    "rejected",
    "auth-required",
];

/// `TASK_STATE_INPUT_REQUIRED`, `6` and `input-required` are all `"input-required"`; the 0.3
/// proto's `TASK_STATE_CANCELLED` is `"canceled"`; missing or unspecified is `"unknown"`.
fn normalise_state(state: Option<&Value>) -> String {
    let unknown = || "unknown".to_owned();
    match state {
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| STATES_BY_NUMBER.get(i))
            .map_or_else(unknown, |s| (*s).to_owned()),
        Some(Value::String(s)) => {
            let name = match s.strip_prefix("TASK_STATE_") {
                Some(rest) => rest.to_lowercase().replace('_', "-"),
                None => s.to_lowercase(),
            };
            match name.as_str() {
                "" | "unspecified" => unknown(),
                "cancelled" => "canceled".to_owned(),
                _ => name,
            }
        }
        _ => unknown(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{normalise_role, normalise_state};

    #[test]
    fn states_of_both_dialects_normalise_to_the_0_3_names() {
        let cases = [
            (json!("completed"), "completed"),
            (json!("TASK_STATE_COMPLETED"), "completed"),
            (json!("TASK_STATE_INPUT_REQUIRED"), "input-required"),
            (json!("TASK_STATE_AUTH_REQUIRED"), "auth-required"),
            (json!("TASK_STATE_CANCELLED"), "canceled"),
            (json!("TASK_STATE_UNSPECIFIED"), "unknown"),
            (json!(""), "unknown"),
            (json!(6), "input-required"),
            (json!(3), "completed"),
            (json!(99), "unknown"),
            (json!(-1), "unknown"),
            (json!(null), "unknown"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise_state(Some(&raw)), want, "state {raw}");
        }
        assert_eq!(normalise_state(None), "unknown");
    }

    #[test]
    fn roles_of_both_dialects_normalise_to_the_0_3_names() {
        let cases = [
            (json!("agent"), Some("agent")),
            (json!("ROLE_AGENT"), Some("agent")),
            (json!("ROLE_USER"), Some("user")),
            (json!(1), Some("user")),
            (json!(2), Some("agent")),
            (json!(0), None),
            (json!("ROLE_UNSPECIFIED"), None),
            (json!(""), None),
            (json!([]), None),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise_role(Some(&raw)).as_deref(), want, "role {raw}");
        }
    }
}
