//! The A2A methods, in both dialects, answered as an a2a-sdk runtime answers them: a send
//! becomes a Task in the task store (or a bare Message, by setting), follow-ups must name
//! a task that exists and is still open, `tasks/get` and `tasks/cancel` read and change the
//! store, and the methods this agent does not offer (resubscribing, push notifications, the
//! extended card) get the A2A error that says so. Streaming sends are answered in
//! `stream.rs`; a send naming the seeded tool records its call in the task's history.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::answer::{Turn, answer_with};
use super::parts::{WirePart, user_message, wire_parts};
use super::rpc::{Request, RpcError};
use super::state::Runtime;
use super::tasks::{StoredMessage, TaskRecord, TaskState, new_id};
use super::{Dialect, ReplyShape, RuntimeFault};

/// A method's result, and the session snapshot to write once the answer is out.
pub type Answered = (Value, Option<(PathBuf, String)>);

/// Answer one A2A request in `dialect` (already negotiated).
pub fn handle(rt: &Runtime, req: &Request, dialect: Dialect) -> Result<Answered, RpcError> {
    let p = &req.params;
    let plain = |v: Value| (v, None);
    match req.method.as_str() {
        "message/send" | "SendMessage" => send(rt, p, dialect),
        "tasks/get" | "GetTask" => {
            let id = task_id_param(p)?;
            let task = rt.tasks.get(id).ok_or_else(|| RpcError::task_not_found(id))?;
            Ok(plain(task.to_json(dialect, history_length(p)?)))
        }
        "tasks/cancel" | "CancelTask" => Ok(plain(rt.tasks.cancel(task_id_param(p)?, dialect)?.to_json(dialect, None))),
        "ListTasks" => Ok(plain(list_tasks(rt, p)?)),
        // message/stream and SendStreamingMessage are answered as SSE before this (stream.rs).
        "message/stream" | "tasks/resubscribe" | "SendStreamingMessage" | "SubscribeToTask" => {
            Err(RpcError::unsupported("resubscribing to a task is not supported; message/stream is"))
        }
        "agent/getAuthenticatedExtendedCard" | "GetExtendedAgentCard" => Err(RpcError::extended_card_not_configured()),
        m if m.contains("PushNotificationConfig") || m.contains("pushNotificationConfig") => Err(RpcError::push_not_supported()),
        m => Err(RpcError::method_not_found(m)),
    }
}

/// `params.id` of `tasks/get` / `tasks/cancel` (a string).
fn task_id_param(p: &Value) -> Result<&str, RpcError> {
    p.get("id").and_then(Value::as_str).ok_or_else(|| RpcError::invalid_params("params.id (the task id, a string) is required"))
}

/// `historyLength`: absent, or a non-negative integer.
fn history_length(p: &Value) -> Result<Option<usize>, RpcError> {
    let v = p.get("historyLength").or_else(|| p.pointer("/configuration/historyLength"));
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(n) => n
            .as_u64()
            .map(|n| Some(n as usize))
            .ok_or_else(|| RpcError::invalid_params(format!("historyLength must be a non-negative integer, got {n}"))),
    }
}

/// The user message of a send, checked as the SDK's models check it.
pub(super) struct Incoming {
    pub(super) message_id: String,
    pub(super) context_id: Option<String>,
    pub(super) task_id: Option<String>,
    pub(super) parts: Vec<WirePart>,
}

pub(super) fn incoming(p: &Value, dialect: Dialect) -> Result<Incoming, RpcError> {
    let Some(msg) = p.get("message").filter(|m| m.is_object()) else {
        return Err(RpcError::invalid_params("params.message (an object) is required"));
    };
    let str_field = |k: &str| msg.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    let message_id = str_field("messageId").ok_or_else(|| RpcError::invalid_params("message.messageId is required"))?;
    let role = msg.get("role").ok_or_else(|| RpcError::invalid_params("message.role is required"))?;
    let role_ok = match dialect {
        Dialect::V03 => matches!(role.as_str(), Some("user" | "agent")),
        Dialect::V10 => matches!(role.as_str(), Some("ROLE_USER" | "ROLE_AGENT")) || matches!(role.as_i64(), Some(1 | 2)),
    };
    if !role_ok {
        return Err(RpcError::invalid_params(format!("message.role {role} is not a role of this A2A version")));
    }
    let Some(parts) = msg.get("parts").and_then(Value::as_array) else {
        return Err(RpcError::invalid_params("message.parts (an array) is required"));
    };
    if dialect == Dialect::V10 && parts.is_empty() {
        return Err(RpcError::invalid_params("message.parts must hold at least one part"));
    }
    let parts = wire_parts(parts).map_err(RpcError::invalid_params)?;
    Ok(Incoming { message_id, context_id: str_field("contextId"), task_id: str_field("taskId"), parts })
}

/// How long a send asks the runtime to work before it answers ([`super::answer::work_asked`]);
/// `None` for every other request, and for a send that is not well formed (it is refused at once).
pub fn work_of(req: &Request, dialect: Dialect) -> Option<std::time::Duration> {
    if !matches!(req.method.as_str(), "message/send" | "SendMessage") {
        return None;
    }
    let msg = incoming(&req.params, dialect).ok()?;
    super::answer::work_asked(&user_message(&msg.parts).text)
}

fn send(rt: &Runtime, p: &Value, dialect: Dialect) -> Result<Answered, RpcError> {
    let msg = incoming(p, dialect)?;
    let history_length = history_length(p)?;
    // A follow-up continues a stored, open task; anything else starts a new one.
    let existing = match &msg.task_id {
        Some(id) => Some(rt.tasks.continuable(id, msg.context_id.as_deref(), dialect)?),
        None => None,
    };
    let context_id = match &existing {
        Some(t) => t.context_id.clone(),
        None => msg.context_id.clone().unwrap_or_else(|| new_id("ctx")),
    };
    let shape = rt.cfg.reply_shape;
    let task_id = existing.as_ref().map(|t| t.id.clone()).or_else(|| (shape != ReplyShape::Message).then(|| new_id("task")));
    // The fault keys the conversation on the task, which is new for every message that
    // does not continue one: exactly the bug of a runtime that forgets between turns.
    let key = match (&task_id, rt.cfg.has(RuntimeFault::SessionKeyedOnTaskId)) {
        (Some(t), true) => t.clone(),
        (None, true) => new_id("turn"),
        (_, false) => context_id.clone(),
    };
    let user = user_message(&msg.parts);
    // The seeded tool's call, recorded as evidence: the same pure call the answer is made from.
    let tool_call = super::tool::tool_use(&rt.cfg, user.text.trim()).and_then(|u| u.call);
    let turn = Turn::user(user.text).with_files(user.files);
    let (reply, snapshot) = rt.sessions.turn(&key, turn, |history| answer_with(&rt.cfg, history, &rt.memory));

    let mut agent = StoredMessage::agent_text(&reply, &context_id, task_id.as_deref());
    let Some(task_id) = task_id else {
        if let Some(call) = &tool_call {
            agent.parts.push(WirePart::Data(call.evidence()));
        }
        let m = agent.to_json(dialect);
        return Ok((wrap(dialect, "message", m), snapshot));
    };
    let user_msg = StoredMessage {
        agent: false,
        message_id: msg.message_id,
        parts: msg.parts,
        context_id: context_id.clone(),
        task_id: Some(task_id.clone()),
    };
    let mut task = existing.unwrap_or_else(|| TaskRecord::new(&task_id, &context_id));
    // The previous question moves into history, as a2a-sdk moves a superseded status message.
    if let Some(prev) = task.status_message.take() {
        task.history.push(prev);
    }
    task.history.push(user_msg);
    if let Some(call) = &tool_call {
        let mut trace = StoredMessage::agent_text("", &context_id, Some(&task_id));
        trace.parts = vec![WirePart::Data(call.evidence())];
        task.history.push(trace);
    }
    match shape {
        ReplyShape::OpenTask => {
            task.state = TaskState::InputRequired;
            task.status_message = Some(agent);
        }
        _ => {
            task.state = TaskState::Completed;
            task.artifacts.push((new_id("artifact"), vec![WirePart::Text(reply)]));
        }
    }
    task.touch();
    let out = task.to_json(dialect, history_length);
    rt.tasks.put(task);
    Ok((wrap(dialect, "task", out), snapshot))
}

/// 0.3 answers the Task or Message itself; 1.0 wraps it (`{"task": …}` / `{"message": …}`).
fn wrap(dialect: Dialect, member: &str, v: Value) -> Value {
    match dialect {
        Dialect::V03 => v,
        Dialect::V10 => json!({ member: v }),
    }
}

/// 1.0 `ListTasks`: the stored tasks, filtered by `contextId`, newest first, one page.
fn list_tasks(rt: &Runtime, p: &Value) -> Result<Value, RpcError> {
    let context = p.get("contextId").and_then(Value::as_str);
    let mut tasks = rt.tasks.all();
    tasks.retain(|t| context.is_none_or(|c| c == t.context_id));
    tasks.sort_by(|a, b| b.timestamp.cmp(&a.timestamp));
    let total = tasks.len();
    let hl = history_length(p)?;
    let tasks: Vec<Value> = tasks.iter().map(|t| t.to_json(Dialect::V10, hl)).collect();
    Ok(json!({"tasks": tasks, "nextPageToken": "", "pageSize": total, "totalSize": total}))
}
