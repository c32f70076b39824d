//! `message/stream` (0.3) and `SendStreamingMessage` (1.0) as Server-Sent Events, as
//! a2a-sdk streams them: the Task first, a `working` status, the answer one word per
//! artifact chunk, a final status. The answer is paced ([`TICK`] per word, standing in for
//! a model's generation time) so a client can hang up mid-stream. When it does, the task is
//! `canceled` and nothing more is written (runtime policy: A2A lets a runtime run on, but a
//! platform's user who closed the chat expects the work to stop); the stream faults break
//! exactly that.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::a2a::incoming;
use super::answer::{Turn, answer_with};
use super::parts::{WirePart, user_message};
use super::rpc::{Request, RpcError, success};
use super::state::Runtime;
use super::store::persist;
use super::tasks::{StoredMessage, TaskRecord, TaskState, new_id};
use super::{Dialect, RuntimeFault};

/// The time each word of a streamed answer takes.
pub const TICK: Duration = Duration::from_millis(20);

/// Whether `method` is answered as a stream.
pub fn is_stream(method: &str) -> bool {
    matches!(method, "message/stream" | "SendStreamingMessage")
}

/// Answer a streaming send: the Task now, the rest as the answer is written.
pub fn respond(rt: Arc<Runtime>, req: &Request, dialect: Dialect) -> Result<Response, RpcError> {
    let msg = incoming(&req.params, dialect)?;
    if msg.task_id.is_some() {
        return Err(RpcError::unsupported("a streamed message cannot continue a task here; send it without taskId"));
    }
    let context_id = msg.context_id.clone().unwrap_or_else(|| new_id("ctx"));
    let task_id = new_id("task");
    let key = if rt.cfg.has(RuntimeFault::SessionKeyedOnTaskId) { task_id.clone() } else { context_id.clone() };
    let user = user_message(&msg.parts);
    let turn = Turn::user(user.text).with_files(user.files);
    let (reply, snapshot) = rt.sessions.turn(&key, turn, |history| answer_with(&rt.cfg, history, &rt.memory));
    let mut task = TaskRecord::new(&task_id, &context_id);
    task.state = TaskState::Working;
    task.history.push(StoredMessage { agent: false, message_id: msg.message_id, parts: msg.parts, context_id: context_id.clone(), task_id: Some(task_id.clone()) });
    let first = frame(&req.id, envelope(dialect, "task", task.to_json(dialect, None)));
    rt.tasks.put(task);
    let (tx, rx) = mpsc::channel(1);
    let words = reply.split_whitespace().map(str::to_owned).collect();
    let ids = Ids { rpc: req.id.clone(), task: task_id, context: context_id, artifact: new_id("artifact") };
    tokio::spawn(async move {
        if let Some((path, body)) = snapshot
            && let Err(e) = persist(&path, body).await
        {
            eprintln!("session store: {e}");
        }
        produce(rt, ids, words, tx, dialect).await;
    });
    let body = Body::from_stream(Frames { first: Some(first), rx });
    Ok(([(header::CONTENT_TYPE, "text/event-stream"), (header::CACHE_CONTROL, "no-cache")], body).into_response())
}

struct Ids {
    rpc: Value,
    task: String,
    context: String,
    artifact: String,
}

/// What a runtime does once its client hung up, as the stream faults break it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HangUp {
    /// Cancel the task and stop writing. Right.
    Cancel,
    /// `stream-ignores-disconnect`: write the answer to the end and complete.
    RunOn,
    /// `cancel-leaves-working`: stop writing; the task stays `working`.
    LeaveWorking,
    /// `stream-writes-after-cancel`: cancel the task, and keep writing the answer.
    CancelAndWrite,
}

fn hang_up_of(rt: &Runtime) -> HangUp {
    let has = |f| rt.cfg.has(f);
    if has(RuntimeFault::StreamIgnoresDisconnect) {
        HangUp::RunOn
    } else if has(RuntimeFault::CancelLeavesWorking) {
        HangUp::LeaveWorking
    } else if has(RuntimeFault::StreamWritesAfterCancel) {
        HangUp::CancelAndWrite
    } else {
        HangUp::Cancel
    }
}

/// Write the answer word by word into the task and the stream; see [`HangUp`].
async fn produce(rt: Arc<Runtime>, ids: Ids, words: Vec<String>, tx: mpsc::Sender<Bytes>, dialect: Dialect) {
    let mut connected = tx.send(status_frame(&ids, dialect, TaskState::Working, false)).await.is_ok();
    let mut hung_up = None;
    let mut written = String::new();
    for (i, word) in words.iter().enumerate() {
        tokio::time::sleep(TICK).await;
        if connected && tx.is_closed() {
            connected = false;
        }
        if !connected && hung_up.is_none() {
            let how = hang_up_of(&rt);
            if matches!(how, HangUp::Cancel | HangUp::CancelAndWrite) {
                rt.tasks.update(&ids.task, |t| t.state = TaskState::Canceled);
            }
            if matches!(how, HangUp::Cancel | HangUp::LeaveWorking) {
                return;
            }
            hung_up = Some(how);
        }
        if !written.is_empty() {
            written.push(' ');
        }
        written.push_str(word);
        let so_far = written.clone();
        let artifact_id = ids.artifact.clone();
        rt.tasks.update(&ids.task, |t| t.artifacts = vec![(artifact_id, vec![WirePart::Text(so_far)])]);
        if connected {
            let chunk = artifact_frame(&ids, dialect, word, i > 0, i + 1 == words.len());
            connected = tx.send(chunk).await.is_ok();
        }
    }
    if hung_up != Some(HangUp::CancelAndWrite) {
        rt.tasks.update(&ids.task, |t| t.state = TaskState::Completed);
        if connected {
            let _ = tx.send(status_frame(&ids, dialect, TaskState::Completed, true)).await;
        }
    }
}

/// 0.3 streams the event itself (its `kind` names it); 1.0 wraps it in its member.
fn envelope(dialect: Dialect, member: &str, v: Value) -> Value {
    match dialect {
        Dialect::V03 => v,
        Dialect::V10 => json!({ member: v }),
    }
}

fn status_frame(ids: &Ids, dialect: Dialect, state: TaskState, last: bool) -> Bytes {
    let mut ev = json!({"taskId": ids.task, "contextId": ids.context, "status": {"state": state.name(dialect)}});
    if dialect == Dialect::V03 {
        ev["kind"] = json!("status-update");
        ev["final"] = json!(last);
    }
    frame(&ids.rpc, envelope(dialect, "statusUpdate", ev))
}

fn artifact_frame(ids: &Ids, dialect: Dialect, word: &str, append: bool, last: bool) -> Bytes {
    let text = if append { format!(" {word}") } else { word.to_owned() };
    let part = WirePart::Text(text).to_json(dialect);
    let mut ev = json!({"taskId": ids.task, "contextId": ids.context, "append": append, "lastChunk": last,
                        "artifact": {"artifactId": ids.artifact, "name": "answer", "parts": [part]}});
    if dialect == Dialect::V03 {
        ev["kind"] = json!("artifact-update");
    }
    frame(&ids.rpc, envelope(dialect, "artifactUpdate", ev))
}

/// One SSE event carrying a JSON-RPC success response.
fn frame(id: &Value, result: Value) -> Bytes {
    Bytes::from(format!("data: {}\n\n", success(id.clone(), result)))
}

/// The SSE body: the first frame, then whatever the producer sends. Dropped when the
/// client hangs up, which closes the channel: that is how the producer learns of it.
struct Frames {
    first: Option<Bytes>,
    rx: mpsc::Receiver<Bytes>,
}

impl futures_core::Stream for Frames {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(first) = self.first.take() {
            return Poll::Ready(Some(Ok(first)));
        }
        self.rx.poll_recv(cx).map(|next| next.map(Ok))
    }
}
