//! The runtime's HTTP side: routes, JSON-RPC dispatch (A2A at `/` and `/a2a`, MCP at
//! `/mcp`), the session store, request logging, lifecycle.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::RuntimeConfig;
use super::RuntimeFault;
use super::answer::{Turn, answer_with};
use super::memory::{MemoryStore, key_value_of};
use super::parts::read_parts;
use super::store::{SessionStore, persist};

struct Runtime {
    cfg: RuntimeConfig,
    /// Conversations, keyed on `contextId` (or `taskId` under the fault).
    sessions: SessionStore,
    /// The memory tool's facts, shared by every conversation of this workspace.
    memory: MemoryStore,
}

type Shared = Arc<Runtime>;

/// The runtime's routes, for embedding or serving.
pub fn router(cfg: RuntimeConfig) -> Router {
    let memory = match &cfg.memory_root {
        Some(root) => MemoryStore::on_disk(root, &cfg.workspace_id),
        None => MemoryStore::in_memory(),
    }
    .discarding_commits(cfg.has(RuntimeFault::MemoryNotPersisted));
    let sessions = SessionStore::new(cfg.memory_root.as_deref());
    let log_requests = cfg.log_requests;
    let rt = Arc::new(Runtime { cfg, sessions, memory });
    let app = Router::new()
        .route("/", post(a2a))
        .route("/a2a", post(a2a))
        .route("/mcp", post(mcp))
        .route("/agent-card", get(agent_card))
        .route("/.well-known/agent-card.json", get(agent_card))
        .route("/health", get(|| async { "ok" }))
        .with_state(rt);
    if log_requests { app.layer(middleware::from_fn(log_request)) } else { app }
}

/// One stdout line per request (method, path, status, duration; never bodies, which may
/// carry user files), so a container's last log lines show what it was asked.
async fn log_request(req: Request, next: Next) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let started = Instant::now();
    let res = next.run(req).await;
    println!("{method} {path} {} {}ms", res.status().as_u16(), started.elapsed().as_millis());
    res
}

/// A running runtime. Dropping the handle stops it.
pub struct RuntimeHandle {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RuntimeHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL a platform registers for this runtime (`http://127.0.0.1:<port>`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stop serving and wait until the listener is closed.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RuntimeHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Bind `cfg.listen` and serve in the background.
pub async fn spawn(cfg: RuntimeConfig) -> std::io::Result<RuntimeHandle> {
    let listener = TcpListener::bind(cfg.listen).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let app = router(cfg);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok(RuntimeHandle { addr, shutdown: Some(tx), task: Some(task) })
}

/// Serve on `listener` until the process ends (the CLI's `runtime` subcommand).
pub async fn serve(cfg: RuntimeConfig, listener: TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(cfg)).await
}

async fn agent_card(State(rt): State<Shared>) -> Response {
    if rt.cfg.has(RuntimeFault::AgentCardMissing) {
        return StatusCode::NOT_FOUND.into_response();
    }
    Json(json!({
        "name": rt.cfg.agent_name,
        "description": "Molecule reference runtime (canary mode: deterministic answers, no LLM)",
        "url": "/",
        "version": env!("CARGO_PKG_VERSION"),
        "protocolVersion": "0.3.0",
        "preferredTransport": "JSONRPC",
        "capabilities": {"streaming": false, "pushNotifications": false},
        "defaultInputModes": ["text/plain", "application/octet-stream"],
        "defaultOutputModes": ["text/plain"],
        "skills": [
            {"id": "canary", "name": "Canary", "description": "Answers canary prompts deterministically", "tags": ["canary"]},
            {"id": "files", "name": "Files", "description": "Reads and summarizes attached text files", "tags": ["files"]},
            {"id": "memory", "name": "Memory", "description": "Remembers and recalls facts across conversations", "tags": ["memory"]},
        ],
    }))
    .into_response()
}

fn rpc_error(id: Value, code: i64, message: &str) -> Response {
    Json(json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})).into_response()
}

/// Parse a JSON-RPC 2.0 request: `(id, method, request)` or the error response to send.
#[allow(clippy::result_large_err)] // the Err side is the response itself, built once per request
fn parse_rpc(body: &[u8]) -> Result<(Value, String, Value), Response> {
    let req: Value = serde_json::from_slice(body).map_err(|_| rpc_error(Value::Null, -32700, "Parse error"))?;
    let id = req.get("id").cloned().unwrap_or(Value::Null);
    if req.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(rpc_error(id, -32600, "Invalid Request: jsonrpc must be \"2.0\""));
    }
    let Some(method) = req.get("method").and_then(Value::as_str).map(str::to_owned) else {
        return Err(rpc_error(id, -32600, "Invalid Request: method is required"));
    };
    Ok((id, method, req))
}

async fn a2a(State(rt): State<Shared>, body: axum::body::Bytes) -> Response {
    let (id, method, req) = match parse_rpc(&body) {
        Ok(r) => r,
        Err(res) => return res,
    };
    if method != "message/send" {
        return rpc_error(id, -32601, "Method not found");
    }
    let Some(msg) = req.pointer("/params/message").filter(|m| m.is_object()) else {
        return rpc_error(id, -32602, "Invalid params: params.message is required");
    };
    let Some(parts) = msg.get("parts").and_then(Value::as_array) else {
        return rpc_error(id, -32602, "Invalid params: params.message.parts is required");
    };
    let user = match read_parts(parts) {
        Ok(m) => m,
        Err(e) => return rpc_error(id, -32602, &format!("Invalid params: {e}")),
    };

    let context_id = msg
        .get("contextId")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("ctx-{}", uuid::Uuid::new_v4()));
    let task_id = msg
        .get("taskId")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("task-{}", uuid::Uuid::new_v4()));
    let key = if rt.cfg.has(RuntimeFault::SessionKeyedOnTaskId) { &task_id } else { &context_id };

    let turn = Turn::user(user.text).with_files(user.files);
    let (reply, snapshot) = rt.sessions.turn(key, turn, |history| answer_with(&rt.cfg, history, &rt.memory));
    if let Some((path, body)) = snapshot
        && let Err(e) = persist(&path, body).await
    {
        eprintln!("session store: {e}");
    }

    Json(json!({
        "jsonrpc": "2.0",
        "id": id,
        "result": {
            "kind": "message",
            "role": "agent",
            "messageId": format!("msg-{}", uuid::Uuid::new_v4()),
            "contextId": context_id,
            "taskId": task_id,
            "parts": [{"kind": "text", "text": reply}],
        }
    }))
    .into_response()
}

/// MCP over plain JSON-RPC (the streamable-HTTP transport's JSON answer): `initialize`,
/// `tools/list` and `tools/call` for `commit_memory` and `recall_memory`.
async fn mcp(State(rt): State<Shared>, body: axum::body::Bytes) -> Response {
    let (id, method, req) = match parse_rpc(&body) {
        Ok(r) => r,
        Err(res) => return res,
    };
    if req.get("id").is_none() {
        // A notification (`notifications/initialized`): nothing to answer.
        return StatusCode::ACCEPTED.into_response();
    }
    let result = match method.as_str() {
        "initialize" => json!({
            "protocolVersion": "2025-03-26",
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "molecule-reference-runtime", "version": env!("CARGO_PKG_VERSION")},
        }),
        "tools/list" => json!({"tools": [
            {"name": "commit_memory", "description": "Remember a fact for this workspace",
             "inputSchema": {"type": "object", "properties": {"key": {"type": "string"}, "value": {"type": "string"}, "content": {"type": "string"}}}},
            {"name": "recall_memory", "description": "Recall a fact by key, or search by query",
             "inputSchema": {"type": "object", "properties": {"key": {"type": "string"}, "query": {"type": "string"}}}},
        ]}),
        "tools/call" => {
            let name = req.pointer("/params/name").and_then(Value::as_str).unwrap_or("");
            let args = req.pointer("/params/arguments").cloned().unwrap_or(Value::Null);
            match call_tool(&rt.memory, name, &args) {
                Some(Ok(text)) => json!({"content": [{"type": "text", "text": text}], "isError": false}),
                Some(Err(text)) => json!({"content": [{"type": "text", "text": text}], "isError": true}),
                None => return rpc_error(id, -32602, &format!("Unknown tool: {name:?}")),
            }
        }
        _ => return rpc_error(id, -32601, "Method not found"),
    };
    Json(json!({"jsonrpc": "2.0", "id": id, "result": result})).into_response()
}

/// Run one memory tool. `None` for an unknown tool; `Err` is a tool-level error (bad
/// arguments), answered as `isError: true` content rather than a protocol error.
fn call_tool(memory: &MemoryStore, name: &str, args: &Value) -> Option<Result<String, String>> {
    let arg = |k: &str| args.get(k).and_then(Value::as_str).filter(|s| !s.trim().is_empty());
    Some(match name {
        "commit_memory" => {
            let (key, value) = match (arg("key"), arg("value"), arg("content")) {
                (Some(k), Some(v), _) => (k.to_owned(), v.to_owned()),
                (_, _, Some(content)) => key_value_of(content),
                _ => return Some(Err("commit_memory needs arguments {key, value} or {content}".to_owned())),
            };
            memory.commit(&key, &value).map(|()| format!("Stored in memory: {key} = {value}"))
        }
        "recall_memory" => match (arg("key"), arg("query")) {
            (Some(key), _) => Ok(memory
                .recall(key)
                .unwrap_or_else(|| format!("Nothing is stored in memory under key {:?}.", key.trim()))),
            (None, Some(query)) => {
                let hits = memory.search(query);
                if hits.is_empty() {
                    Ok(format!("Nothing is stored in memory matching {:?}.", query.trim()))
                } else {
                    Ok(hits.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n"))
                }
            }
            (None, None) => Err("recall_memory needs arguments {key} or {query}".to_owned()),
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_tools_commit_recall_and_explain_misses() {
        let m = MemoryStore::in_memory();
        let ok = |r: Option<Result<String, String>>| r.unwrap().unwrap();
        assert_eq!(ok(call_tool(&m, "commit_memory", &json!({"key": "k", "value": "v"}))), "Stored in memory: k = v");
        assert_eq!(ok(call_tool(&m, "recall_memory", &json!({"key": "K"}))), "v");
        ok(call_tool(&m, "commit_memory", &json!({"content": "my favorite color is blue"})));
        assert_eq!(ok(call_tool(&m, "recall_memory", &json!({"query": "color"}))), "favorite color: blue");
        assert_eq!(ok(call_tool(&m, "recall_memory", &json!({"key": "nope"}))), "Nothing is stored in memory under key \"nope\".");
        assert!(call_tool(&m, "recall_memory", &json!({})).unwrap().is_err());
        assert!(call_tool(&m, "commit_memory", &json!("x")).unwrap().is_err());
        assert!(call_tool(&m, "delete_everything", &json!({})).is_none());
    }
}
