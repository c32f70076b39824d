//! A runtime spoken to directly, as the session-continuity canaries do (contract §9):
//! `POST /a2a`, `GET /agent-card`, `POST /mcp`.

use reqwest::Method;
use serde_json::{Value, json};

use super::http::{Accept, Http};
use crate::error::{Call, Result};

#[derive(Debug, Clone)]
pub struct RuntimeClient {
    http: Http,
}

impl RuntimeClient {
    pub fn new(base: &str) -> Result<Self> {
        Ok(RuntimeClient { http: Http::new(base)?.with_timeout(super::http::A2A_TIMEOUT) })
    }

    pub fn base(&self) -> &str {
        self.http.base()
    }

    /// `POST /a2a` with a JSON-RPC envelope; the runtime must answer 200 JSON (errors are
    /// JSON-RPC `error` members inside a 200). `headers` carries e.g. `A2A-Version: 1.0`.
    pub async fn a2a(&self, envelope: &Value, headers: &[(&'static str, &str)]) -> Result<Value> {
        let mut rb = self.http.request(Method::POST, "/a2a").json(envelope);
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        let a = self.http.send(Call::new("runtime_a2a", "POST", "/a2a"), rb, Accept::Only(&[200])).await?;
        a.json()
    }

    /// `GET /agent-card` (200 JSON).
    pub async fn agent_card(&self) -> Result<Value> {
        self.http.json_accepting("agent_card", Method::GET, "/agent-card", None, Accept::Only(&[200])).await?.json()
    }

    /// `POST /mcp` `tools/call` → the first `result.content[*]` text, `None` when the
    /// result holds no text.
    pub async fn mcp_tool(&self, tool: &str, arguments: Value) -> Result<Option<String>> {
        let body = json!({
            "jsonrpc": "2.0",
            "id": format!("mcp-{}", uuid::Uuid::new_v4().simple()),
            "method": "tools/call",
            "params": {"name": tool, "arguments": arguments},
        });
        let a = self.http.json_accepting("mcp_tools_call", Method::POST, "/mcp", Some(&body), Accept::Only(&[200])).await?;
        let v = a.json()?;
        if let Some(err) = v.get("error") {
            return Err(a.malformed("a tools/call result", format!("JSON-RPC error {err}")));
        }
        let content = v.pointer("/result/content").and_then(Value::as_array);
        Ok(content.and_then(|c| {
            c.iter()
                .find(|p| p.get("type").and_then(Value::as_str) == Some("text"))
                .and_then(|p| p.get("text")?.as_str().map(str::to_owned))
        }))
    }
}
