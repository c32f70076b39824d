//! The reply parser. An answer to a send can come from three places: the agent (a Message or a
//! Task, in either dialect), the JSON-RPC layer (an error object), or the platform proxy
//! itself, which answers some sends with its own non-JSON-RPC bodies (contract §5, §6.4). The
//! parser names each by shape and never panics, whatever JSON it is given: a reply is
//! untrusted input, and a failed run must report what came back rather than crash.

use serde_json::Value;

use super::Dialect;
use super::parts::ReplyPart;

/// What a send was answered with.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// The agent answered directly with a message.
    Message(Message),
    /// The agent answered with a task (its result in the artifacts or the status message).
    Task(Task),
    /// Poll mode: the platform queued the envelope for the agent to fetch (contract §5).
    Queued(Queued),
    /// A hibernated workspace: the platform started waking it; retry later (contract §6.4).
    Waking(Waking),
    /// The agent was busy: the platform queued the request, or asked for a retry.
    Busy(Busy),
    /// A canvas caller's turn outlived the platform's sync budget: it answered 200
    /// `{"status":"queued","delivery_mode":"push-async"}` and the reply goes to the canvas's
    /// WebSocket only (5d357ab6, `a2a_proxy.go:553-585` at aeec8e47). No result can be fetched.
    Parked(Parked),
    /// A JSON-RPC error object, from the agent or its SDK.
    RpcError(RpcError),
}

/// A message read from either dialect. `role` is normalised to the 0.3 names (`"user"`,
/// `"agent"`), so callers need not care which dialect answered. (Its `Debug`, like that of
/// every type here that holds an agent's words, goes through [`crate::redact::scrub`].)
#[derive(Clone, PartialEq)]
pub struct Message {
    pub dialect: Dialect,
    pub message_id: Option<String>,
    pub context_id: Option<String>,
    pub task_id: Option<String>,
    pub role: Option<String>,
    pub parts: Vec<ReplyPart>,
}

/// A task read from either dialect.
#[derive(Clone, PartialEq)]
pub struct Task {
    pub dialect: Dialect,
    pub id: String,
    pub context_id: Option<String>,
    /// The 0.3 name in lowercase (`"completed"`, `"input-required"`, …), whichever dialect
    /// answered; `"unknown"` when the state is missing or unspecified.
    pub state: String,
    pub status_message: Option<Message>,
    pub artifacts: Vec<Artifact>,
    pub history: Vec<Message>,
}

#[derive(Clone, PartialEq)]
pub struct Artifact {
    pub artifact_id: Option<String>,
    pub name: Option<String>,
    pub parts: Vec<ReplyPart>,
}

/// HTTP 200 `{"status":"queued","delivery_mode":"poll","method":"message/send"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub status: String,
    pub delivery_mode: String,
    pub method: String,
    /// Every top-level key, sorted: the contract promises exactly these three, no ids.
    pub keys: Vec<String>,
}

/// HTTP 200 `{"status":"queued","delivery_mode":"push-async","method":"message/send"}`: the
/// platform's canvas cap-and-queue parked the turn past `A2A_CANVAS_SYNC_BUDGET` (default 90 s).
#[derive(Debug, Clone, PartialEq)]
pub struct Parked {
    pub method: String,
}

/// HTTP 503 `{"error":"workspace is waking from hibernation — …","waking":true,"retry_after":15}`.
#[derive(Clone, PartialEq)]
pub struct Waking {
    pub error: String,
    pub retry_after: Option<u64>,
}

/// HTTP 202 `{"queued":true,"queue_id","queue_depth","message"}`: the platform queued the
/// request for when the agent has capacity (or, today, because the target is settling), and
/// HTTP 200 `{"status":"queued","method","queued":true,"queue_id","queue_depth"}`: queued
/// behind a platform boot turn (aeec8e47). Either is followed at
/// `GET /workspaces/:id/a2a/queue/:queue_id` ([`crate::client::Tenant::a2a_answer`]). Also the 503 fallback `{"error":…,"busy":true,
/// "retry_after":30}`, where nothing was queued: then `queue_id` is `None` and `message` holds
/// the error text, and the caller must send again.
#[derive(Clone, PartialEq)]
pub struct Busy {
    pub queue_id: Option<String>,
    pub queue_depth: Option<u64>,
    pub message: Option<String>,
}

/// A JSON-RPC error. `data` is free-form: absent or null (a2a-sdk's 0.3 path), an object
/// (0.3 examples), an array of `@type` details (1.0), or even a string.
#[derive(Clone, PartialEq)]
pub struct RpcError {
    /// The response's `id`; `None` when absent or null (a parse error cannot echo one).
    pub id: Option<Value>,
    pub code: i64,
    pub message: String,
    /// `None` when absent or null.
    pub data: Option<Value>,
}

/// A body that is not an answer to a send. Each variant says what came back instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyError {
    #[error("the reply is not a JSON object but {found}")]
    NotAnObject { found: &'static str },
    /// A plain `{"error":"…"}` body: the platform refused the call itself (`workspace not
    /// found`, `workspace has no URL`, `agent returned empty response body`, …).
    #[error("the platform answered with an error instead of a reply: {}", crate::redact::scrub(.error))]
    Platform { error: String },
    /// One event of a stream (`status-update`/`artifact-update`, 1.0 `statusUpdate`/
    /// `artifactUpdate`): a fragment, not a whole answer. A stream's task and message events
    /// parse as [`Reply::Task`] and [`Reply::Message`].
    #[error("the reply is a stream event ({event}), not a whole answer")]
    StreamEvent { event: &'static str },
    #[error("unrecognised reply: {}", crate::redact::scrub(.why))]
    Unrecognised { why: String },
}

fn unrecognised(why: impl Into<String>) -> ReplyError {
    ReplyError::Unrecognised { why: why.into() }
}

impl Reply {
    /// Names the body's shape. `http_status` is the status the body came with (200, 202 or
    /// 503: the HTTP client turns other statuses into its own errors first); it is used only
    /// to word the error, because the platform's shapes are recognised by their keys.
    pub fn parse(http_status: u16, body: &Value) -> Result<Reply, ReplyError> {
        let Some(object) = body.as_object() else {
            return Err(ReplyError::NotAnObject { found: json_type(body) });
        };
        if let Some(platform) = platform_answer(object) {
            return Ok(platform);
        }
        match (object.get("result"), object.get("error")) {
            (Some(_), Some(_)) => {
                Err(unrecognised(format!("HTTP {http_status}: both `result` and `error` are present")))
            }
            (Some(result), None) => parse_result(http_status, result),
            (None, Some(Value::String(error))) => Err(ReplyError::Platform { error: error.clone() }),
            (None, Some(error)) => rpc_error(http_status, object.get("id"), error).map(Reply::RpcError),
            // The 1.0 HTTP+JSON binding answers with the bare `SendMessageResponse`.
            (None, None) if object.contains_key("task") || object.contains_key("message") => {
                parse_result(http_status, body)
            }
            (None, None) => Err(unrecognised(format!(
                "HTTP {http_status}: no `result`, `error` or platform shape among keys {:?}",
                object.keys().collect::<Vec<_>>()
            ))),
        }
    }

    /// The answer's text, so a check can look for its token: a message's text parts; for a
    /// task, its artifacts' text parts, then its status message's (the order of cp_sim's
    /// extractor, contract §9). Parts are joined with a newline. The task's history is left
    /// out on purpose: it holds the user's own message, which would make an echo pass.
    /// `None` for the non-answers (queued, waking, busy, error).
    pub fn text(&self) -> Option<String> {
        let texts = |parts: &[ReplyPart]| -> Vec<String> {
            parts
                .iter()
                .filter_map(|p| match p {
                    ReplyPart::Text(t) => Some(t.clone()),
                    _ => None,
                })
                .collect()
        };
        match self {
            Reply::Message(message) => Some(texts(&message.parts).join("\n")),
            Reply::Task(task) => {
                let mut all: Vec<String> = task.artifacts.iter().flat_map(|a| texts(&a.parts)).collect();
                if let Some(status) = &task.status_message {
                    all.extend(texts(&status.parts));
                }
                Some(all.join("\n"))
            }
            Reply::Queued(_) | Reply::Waking(_) | Reply::Busy(_) | Reply::Parked(_) | Reply::RpcError(_) => None,
        }
    }

    /// A short name of the variant, for error messages ("expected a message, got busy").
    pub fn kind(&self) -> &'static str {
        match self {
            Reply::Message(_) => "message",
            Reply::Task(_) => "task",
            Reply::Queued(_) => "queued",
            Reply::Waking(_) => "waking",
            Reply::Busy(_) => "busy",
            Reply::Parked(_) => "parked",
            Reply::RpcError(_) => "rpc-error",
        }
    }

    /// The dialect the agent answered in; `None` for the platform's answers and for errors,
    /// whose shape is the same in both.
    pub fn dialect(&self) -> Option<Dialect> {
        match self {
            Reply::Message(m) => Some(m.dialect),
            Reply::Task(t) => Some(t.dialect),
            _ => None,
        }
    }
}

/// The JSON type of `value`, as an error names it (`a number`, `null`, …). Errors of the
/// clients name fields the same way (`client::json_type` is this function).
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

mod decode;
use decode::{parse_result, platform_answer, rpc_error};
