//! The runtime's HTTP side: routes, JSON-RPC dispatch, the session store, lifecycle.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::RuntimeConfig;
use super::RuntimeFault;
use super::answer::{Turn, answer};

struct Runtime {
    cfg: RuntimeConfig,
    /// Conversations, keyed on `contextId` (or `taskId` under the fault).
    sessions: Mutex<HashMap<String, Vec<Turn>>>,
}

type Shared = Arc<Runtime>;

/// The runtime's routes, for embedding or serving.
pub fn router(cfg: RuntimeConfig) -> Router {
    let rt = Arc::new(Runtime { cfg, sessions: Mutex::new(HashMap::new()) });
    Router::new()
        .route("/", post(jsonrpc))
        .route("/a2a", post(jsonrpc))
        .route("/agent-card", get(agent_card))
        .route("/.well-known/agent-card.json", get(agent_card))
        .route("/health", get(|| async { "ok" }))
        .with_state(rt)
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
        "defaultInputModes": ["text/plain"],
        "defaultOutputModes": ["text/plain"],
        "skills": [{"id": "canary", "name": "Canary", "description": "Answers canary prompts deterministically", "tags": ["canary"]}],
    }))
    .into_response()
}

fn rpc_error(id: Value, code: i64, message: &str) -> Response {
    Json(json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})).into_response()
}

async fn jsonrpc(State(rt): State<Shared>, body: axum::body::Bytes) -> Response {
    let req: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return rpc_error(Value::Null, -32700, "Parse error"),
    };
    let id = req.get("id").cloned().unwrap_or(Value::Null);
    if req.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return rpc_error(id, -32600, "Invalid Request: jsonrpc must be \"2.0\"");
    }
    match req.get("method").and_then(Value::as_str) {
        Some("message/send") => {}
        Some(_) => return rpc_error(id, -32601, "Method not found"),
        None => return rpc_error(id, -32600, "Invalid Request: method is required"),
    }
    let Some(msg) = req.pointer("/params/message").filter(|m| m.is_object()) else {
        return rpc_error(id, -32602, "Invalid params: params.message is required");
    };
    let Some(parts) = msg.get("parts").and_then(Value::as_array) else {
        return rpc_error(id, -32602, "Invalid params: params.message.parts is required");
    };
    let text: Vec<&str> =
        parts.iter().filter(|p| p.get("kind").and_then(Value::as_str) == Some("text")).filter_map(|p| p.get("text")?.as_str()).collect();
    let prompt = text.join("\n");

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
    let key = if rt.cfg.has(RuntimeFault::SessionKeyedOnTaskId) { task_id.clone() } else { context_id.clone() };

    let reply = {
        let mut sessions = rt.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let history = sessions.entry(key).or_default();
        history.push(Turn { role: "user", text: prompt });
        let reply = answer(&rt.cfg, history);
        history.push(Turn { role: "agent", text: reply.clone() });
        reply
    };

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
