//! The runtime's HTTP side: routes (by [`super::Layout`]), JSON-RPC dispatch (A2A in both
//! dialects, MCP at `/mcp` when offered), the stores, request logging, lifecycle.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::card::{agent_card as card_json, endpoint, origin};
use super::lifeline::{Lifeline, StoppableListener};
use super::memory::{Amend, MemoryStore, key_value_of};
use super::rpc::{self, RpcError};
use super::store::{SessionStore, persist};
use super::tasks::TaskStore;
use super::state::Runtime;
use super::{Dialect, RuntimeConfig, RuntimeFault};

type Shared = Arc<Runtime>;

/// The runtime's routes, for embedding or serving.
pub fn router(cfg: RuntimeConfig) -> Router {
    router_at(cfg, None, Lifeline::new())
}

fn router_at(cfg: RuntimeConfig, listening: Option<SocketAddr>, lifeline: Lifeline) -> Router {
    let memory = match &cfg.memory_root {
        Some(root) => MemoryStore::on_disk(root, &cfg.workspace_id),
        None => MemoryStore::in_memory(),
    }
    .discarding_commits(cfg.has(RuntimeFault::MemoryNotPersisted))
    .amending(amend_of(&cfg));
    let sessions = SessionStore::new(cfg.memory_root.as_deref());
    let log_requests = cfg.log_requests;
    let rt = Arc::new(Runtime { cfg, sessions, memory, tasks: TaskStore::default(), listening, lifeline });
    let layout = rt.cfg.layout;
    let mut app = Router::new().route("/health", get(|| async { "ok" }));
    for path in layout.rpc_paths() {
        app = app.route(path, post(a2a));
    }
    for path in layout.card_paths() {
        app = app.route(path, get(agent_card));
    }
    if rt.cfg.offer_mcp {
        app = app.route("/mcp", post(mcp));
    }
    let app = app.with_state(rt);
    if log_requests { app.layer(middleware::from_fn(log_request)) } else { app }
}

/// How commits land, as the memory faults break it.
fn amend_of(cfg: &RuntimeConfig) -> Amend {
    if cfg.has(RuntimeFault::MemoryKeepsOverwritten) {
        Amend::KeepBoth
    } else if cfg.has(RuntimeFault::MemoryIgnoresAmend) {
        Amend::FirstWins
    } else if cfg.has(RuntimeFault::MemoryCommitDropsOthers) {
        Amend::DropOthers
    } else {
        Amend::Overwrite
    }
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

/// A running runtime. Dropping the handle stops it, as stopping its container would: the
/// turns in flight are cut off with their connections.
pub struct RuntimeHandle {
    addr: SocketAddr,
    lifeline: Lifeline,
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

    /// The A2A turns in flight: what the runtime's heartbeat reports as `active_tasks`.
    pub fn active_turns(&self) -> usize {
        self.lifeline.turns()
    }

    /// Stop serving and wait until the listener is closed.
    pub async fn stop(mut self) {
        self.lifeline.stop();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RuntimeHandle {
    fn drop(&mut self) {
        self.lifeline.stop();
    }
}

/// Bind `cfg.listen` and serve in the background.
pub async fn spawn(cfg: RuntimeConfig) -> std::io::Result<RuntimeHandle> {
    let listener = TcpListener::bind(cfg.listen).await?;
    let addr = listener.local_addr()?;
    let lifeline = Lifeline::new();
    let app = router_at(cfg, Some(addr), lifeline.clone());
    let (listener, until) = (StoppableListener { inner: listener, lifeline: lifeline.clone() }, lifeline.clone());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).with_graceful_shutdown(async move { until.stopped().await }).await;
    });
    Ok(RuntimeHandle { addr, lifeline, task: Some(task) })
}

/// Serve on `listener` until the process ends (the CLI's `runtime` subcommand).
pub async fn serve(cfg: RuntimeConfig, listener: TcpListener) -> std::io::Result<()> {
    let addr = listener.local_addr().ok();
    axum::serve(listener, router_at(cfg, addr, Lifeline::new())).await
}

async fn agent_card(State(rt): State<Shared>, headers: HeaderMap) -> Response {
    if rt.cfg.has(RuntimeFault::AgentCardMissing) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let v10_only = headers.get("a2a-version").and_then(|v| v.to_str().ok()).is_some_and(|v| v.trim().starts_with("1."));
    let mcp_url = format!("{}/mcp", origin(&rt.cfg, host, rt.listening));
    let card = card_json(&rt.cfg, &endpoint(&rt.cfg, host, rt.listening), &mcp_url, v10_only);
    ([(header::VARY, "A2A-Version")], Json(card)).into_response()
}

/// The A2A endpoint. The method picks the dialect; `A2A-Version` (header or query) must
/// agree with it, a missing one meaning 0.3.
async fn a2a(
    State(rt): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<std::collections::HashMap<String, String>>,
    body: axum::body::Bytes,
) -> Response {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if let Err(e) = rpc::json_content_type(content_type) {
        return Json(rpc::failure(Value::Null, &e, Dialect::V10)).into_response();
    }
    let req = match rpc::parse(&body) {
        Ok(r) => r,
        Err((id, e)) => return Json(rpc::failure(id, &e, Dialect::V03)).into_response(),
    };
    let Some(dialect) = rpc::dialect_of(&req.method) else {
        return Json(rpc::failure(req.id, &RpcError::method_not_found(&req.method), Dialect::V03)).into_response();
    };
    let asked = headers.get("a2a-version").and_then(|v| v.to_str().ok()).or_else(|| query.get("A2A-Version").map(String::as_str));
    if super::stream::is_stream(&req.method) {
        let streamed = rpc::negotiate(&req.method, dialect, asked).and_then(|()| super::stream::respond(rt.clone(), &req, dialect));
        return streamed.unwrap_or_else(|e| Json(rpc::failure(req.id, &e, dialect)).into_response());
    }
    let answered = match rpc::negotiate(&req.method, dialect, asked) {
        Ok(()) => {
            // A send is a turn in flight until it is answered (or cut off by a stop).
            let _turn = matches!(req.method.as_str(), "message/send" | "SendMessage").then(|| rt.lifeline.turn());
            if let Some(work) = super::a2a::work_of(&req, dialect) {
                tokio::select! {
                    () = tokio::time::sleep(work) => {}
                    // Stopped mid-turn: whatever is answered here never reaches the caller,
                    // whose connection the stop cuts (`lifeline.rs`).
                    () = rt.lifeline.stopped() => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
                }
            }
            super::a2a::handle(&rt, &req, dialect)
        }
        Err(e) => Err(e),
    };
    match answered {
        Ok((result, snapshot)) => {
            if let Some((path, body)) = snapshot
                && let Err(e) = persist(&path, body).await
            {
                eprintln!("session store: {e}");
            }
            Json(rpc::success(req.id, result)).into_response()
        }
        Err(e) => Json(rpc::failure(req.id, &e, dialect)).into_response(),
    }
}

/// MCP over plain JSON-RPC (the streamable-HTTP transport's JSON answer): `initialize`,
/// `tools/list` and `tools/call` for `commit_memory` and `recall_memory`.
async fn mcp(State(rt): State<Shared>, body: axum::body::Bytes) -> Response {
    if rt.cfg.has(RuntimeFault::McpBroken) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "mcp-broken: the memory tools are down").into_response();
    }
    let rpc::Request { id, method, params } = match rpc::parse(&body) {
        Ok(r) => r,
        Err((id, e)) => return Json(rpc::failure(id, &e, Dialect::V03)).into_response(),
    };
    if id.is_null() && method.starts_with("notifications/") {
        // A notification (`notifications/initialized`): nothing to answer.
        return StatusCode::ACCEPTED.into_response();
    }
    let rpc_error = |code: i64, message: &str| Json(rpc::failure(id.clone(), &RpcError::new(code, message), Dialect::V03)).into_response();
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
            let name = params.get("name").and_then(Value::as_str).unwrap_or("");
            let args = params.get("arguments").cloned().unwrap_or(Value::Null);
            match call_tool(&rt.memory, name, &args) {
                Some(Ok(text)) => json!({"content": [{"type": "text", "text": text}], "isError": false}),
                Some(Err(text)) => json!({"content": [{"type": "text", "text": text}], "isError": true}),
                None => return rpc_error(-32602, &format!("Unknown tool: {name:?}")),
            }
        }
        _ => return rpc_error(-32601, "Method not found"),
    };
    Json(rpc::success(id, result)).into_response()
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
