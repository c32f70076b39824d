//! Canary 7 (issue 23): streaming cancellation. For each A2A dialect the card declares,
//! `message/stream` (0.3) or `SendStreamingMessage` (1.0) asks for a long answer; the client
//! reads the first events and hangs up. The task must end `canceled` (`tasks/get`), nothing
//! may be written to it after that, and a new message must be answered promptly.
//!
//! What A2A decides here: the SSE events' shapes and the task states. What is runtime policy:
//! that hanging up cancels the task (A2A lets a runtime run on and be resubscribed to), and
//! the prompt that asks for a long answer. A card that does not declare
//! `capabilities.streaming` makes the check not applicable, as MCP's absence does.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::canary::{CpSim, Outcome, Why, ask, new_context, random_id};
use super::card::CARD_PATHS;
use super::verdict::excerpt;

/// The prompt: an answer long enough to hang up in the middle of.
pub const STREAM_PROMPT: &str = "Please count from 1 to 40, one number at a time.";
/// How long after the hang-up the task may take to leave `working` (a container's runtime;
/// [`CpSim::with_cancel_deadline`] changes it).
pub const CANCEL_DEADLINE: Duration = Duration::from_secs(1);
/// How long a canceled task is watched for writes.
const QUIET: Duration = Duration::from_millis(150);
/// How soon a new message must be answered after the hang-up.
const FREED_DEADLINE: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(25);

/// One of the two A2A dialects, as the stream check speaks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    V03,
    V10,
}

impl Dialect {
    fn stream_method(self) -> &'static str {
        if self == Dialect::V03 { "message/stream" } else { "SendStreamingMessage" }
    }

    fn get_method(self) -> &'static str {
        if self == Dialect::V03 { "tasks/get" } else { "GetTask" }
    }

    /// The state's name in 0.3 spelling (`TASK_STATE_CANCELED` → `canceled`).
    fn state_of(task: &Value) -> String {
        let s = task.pointer("/status/state").and_then(Value::as_str).unwrap_or_default();
        s.strip_prefix("TASK_STATE_").map_or_else(|| s.to_owned(), |rest| rest.to_ascii_lowercase().replace('_', "-"))
    }
}

/// The dialects a card declares: 1.0 by a `supportedInterfaces` entry with
/// `protocolVersion` 1.x, 0.3 by the top-level `protocolVersion` 0.3 or such an entry; a
/// card that names no version is 0.3 (the version before `supportedInterfaces`).
pub fn declared_dialects(card: &Value) -> Vec<Dialect> {
    let versions: Vec<&str> = card
        .get("supportedInterfaces")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| i.get("protocolVersion").and_then(Value::as_str))
        .chain(card.get("protocolVersion").and_then(Value::as_str))
        .collect();
    let mut out = Vec::new();
    if versions.is_empty() || versions.iter().any(|v| v.starts_with("0.3")) {
        out.push(Dialect::V03);
    }
    if versions.iter().any(|v| v.starts_with("1.")) {
        out.push(Dialect::V10);
    }
    out
}

/// The streaming request in `dialect`.
pub fn stream_envelope(dialect: Dialect, id: &str, context_id: &str, text: &str) -> Value {
    let message = match dialect {
        Dialect::V03 => json!({"role": "user", "messageId": id, "kind": "message", "contextId": context_id, "parts": [{"kind": "text", "text": text}]}),
        Dialect::V10 => json!({"role": "ROLE_USER", "messageId": id, "contextId": context_id, "parts": [{"text": text}]}),
    };
    json!({"jsonrpc": "2.0", "id": id, "method": dialect.stream_method(), "params": {"message": message}})
}

/// What one SSE event says: the task it is about, whether it is an artifact chunk, and
/// whether it ends the stream. An error event is an `Err`.
pub fn read_event(data: &Value) -> Result<(Option<String>, bool, bool), String> {
    if let Some(err) = data.get("error") {
        return Err(format!("the stream sent a JSON-RPC error: {err}"));
    }
    let r = data.get("result").ok_or_else(|| format!("an SSE event without result: {}", excerpt(&data.to_string())))?;
    // 1.0 wraps the event in its member; 0.3 names it by `kind`.
    let (kind, ev) = match ["task", "message", "statusUpdate", "artifactUpdate"].into_iter().find_map(|k| r.get(k).map(|v| (k, v))) {
        Some(found) => found,
        None => (r.get("kind").and_then(Value::as_str).unwrap_or_default(), r),
    };
    let task = match kind {
        "task" => ev.get("id"),
        _ => ev.get("taskId"),
    }
    .and_then(Value::as_str)
    .map(str::to_owned);
    let chunk = matches!(kind, "artifactUpdate" | "artifact-update");
    let state = Dialect::state_of(ev);
    let last = matches!(kind, "message") || ev.get("final") == Some(&json!(true)) || ["completed", "failed", "canceled", "rejected"].contains(&state.as_str());
    Ok((task, chunk, last))
}

/// Canary 7, in every dialect the card declares.
pub async fn stream_cancel(rt: &CpSim) -> Result<Outcome, Why> {
    let mut card = None;
    for path in CARD_PATHS {
        if let Ok(c) = rt.get_json(path).await {
            card = Some(c);
            break;
        }
    }
    let Some(card) = card else { return Ok(Outcome::NotApplicable("no agent card to declare streaming".to_owned())) };
    if card.pointer("/capabilities/streaming") != Some(&json!(true)) {
        return Ok(Outcome::NotApplicable("the agent card does not declare capabilities.streaming: true; streaming is optional in A2A".to_owned()));
    }
    let mut seen = Vec::new();
    for dialect in declared_dialects(&card) {
        seen.push(cancel_in(rt, dialect).await.map_err(|e| Why::from(format!("{}: {e}", dialect.stream_method())))?);
    }
    Ok(Outcome::Passed(seen.join("; ")))
}

/// Hang up on one stream, then judge the task and the runtime.
async fn cancel_in(rt: &CpSim, dialect: Dialect) -> Result<String, String> {
    let url = rt.a2a_url().await;
    let id = random_id("canary-", 12);
    let task_id = hang_up_after_first_chunk(rt, &url, dialect, &id).await?;
    let hung_up = Instant::now();
    let (task, state) = loop {
        let task = get_task(rt, &url, dialect, &task_id).await?;
        let state = Dialect::state_of(&task);
        if !["submitted", "working"].contains(&state.as_str()) {
            break (task, state);
        }
        if hung_up.elapsed() > rt.cancel_deadline {
            return Err(format!("task {task_id} stayed {state:?} {} ms after the client hung up: a disconnected stream must cancel its task", rt.cancel_deadline.as_millis()));
        }
        tokio::time::sleep(POLL).await;
    };
    if state != "canceled" {
        return Err(format!("task {task_id} ended {state:?} after the client hung up: the stream ignored the disconnect and ran on; {}", excerpt(&task.to_string())));
    }
    let canceled_after = hung_up.elapsed();
    // Nothing may be written to a canceled task: watch it for a while.
    while hung_up.elapsed() < canceled_after + QUIET {
        tokio::time::sleep(POLL).await;
        let now = get_task(rt, &url, dialect, &task_id).await?;
        if now.get("artifacts") != task.get("artifacts") || Dialect::state_of(&now) != state {
            return Err(format!("task {task_id} was written after it was canceled: was {}, then {}", excerpt(&task.to_string()), excerpt(&now.to_string())));
        }
    }
    let asked = Instant::now();
    let pong = ask(rt, &new_context(), "ping").await.map_err(|w| format!("after the hang-up, a new message failed: {}", w.text))?;
    if asked.elapsed() > FREED_DEADLINE {
        return Err(format!("after the hang-up, a new message took {} ms: the runtime was not freed", asked.elapsed().as_millis()));
    }
    Ok(format!("task {task_id} canceled {} ms after the hang-up, quiet after; a new message answered in {} ms ({:?})", canceled_after.as_millis(), asked.elapsed().as_millis(), excerpt(&pong)))
}

/// Open the stream, read events until the task's first artifact chunk, and drop the body
/// (the hang-up). The task's id comes from the events.
async fn hang_up_after_first_chunk(rt: &CpSim, url: &str, dialect: Dialect, id: &str) -> Result<String, String> {
    let mut req = rt.http().post(url).header("Accept", "text/event-stream").json(&stream_envelope(dialect, id, &new_context(), STREAM_PROMPT));
    if dialect == Dialect::V10 {
        req = req.header("A2A-Version", "1.0");
    }
    let mut res = req.send().await.map_err(|e| format!("POST {url}: {e}"))?;
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    if !ct.starts_with("text/event-stream") {
        let body = res.text().await.unwrap_or_default();
        return Err(format!("POST {url} answered {ct:?}, not an event stream: {}", excerpt(&body)));
    }
    let (mut buf, mut task_id) = (String::new(), None);
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let Some(bytes) = res.chunk().await.map_err(|e| format!("reading the stream: {e}"))? else {
            return Err("the stream ended before its first artifact chunk".to_owned());
        };
        buf.push_str(&String::from_utf8_lossy(&bytes));
        // SSE lines may end in CRLF (sse-starlette's do); a CR left at a chunk's end meets its LF here.
        buf = buf.replace("\r\n", "\n");
        while let Some(end) = buf.find("\n\n") {
            let event: String = buf.drain(..end + 2).collect();
            for data in event.lines().filter_map(|l| l.strip_prefix("data:")) {
                let v: Value = serde_json::from_str(data.trim()).map_err(|e| format!("an SSE event that is not JSON ({e}): {}", excerpt(data)))?;
                let (task, chunk, last) = read_event(&v)?;
                task_id = task_id.or(task);
                if last {
                    return Err(format!("the stream ended ({}) before the client could hang up: an answer to {STREAM_PROMPT:?} should take longer", excerpt(data)));
                }
                if let (true, Some(t)) = (chunk, &task_id) {
                    return Ok(t.clone());
                }
            }
        }
    }
    Err(format!("no artifact chunk with a task id within 10 s (task {task_id:?})"))
}

async fn get_task(rt: &CpSim, url: &str, dialect: Dialect, task_id: &str) -> Result<Value, String> {
    let body = json!({"jsonrpc": "2.0", "id": random_id("canary-", 12), "method": dialect.get_method(), "params": {"id": task_id}});
    let mut req = rt.http().post(url).json(&body);
    if dialect == Dialect::V10 {
        req = req.header("A2A-Version", "1.0");
    }
    let res = req.send().await.map_err(|e| format!("{} {task_id}: {e}", dialect.get_method()))?;
    let v: Value = res.json().await.map_err(|e| format!("{} {task_id}: {e}", dialect.get_method()))?;
    match (v.get("error"), v.get("result")) {
        (Some(err), _) => Err(format!("{} {task_id}: JSON-RPC error {err}", dialect.get_method())),
        (None, Some(r)) => Ok(r.get("task").unwrap_or(r).clone()),
        (None, None) => Err(format!("{} {task_id}: neither result nor error", dialect.get_method())),
    }
}
