//! The agent card: one card readable as 0.3 and as 1.0, as a2a-sdk serves it when a 0.3
//! interface is declared (the 1.0 `supportedInterfaces` plus the 0.3 top-level `url`,
//! `protocolVersion` and `preferredTransport`). Its URLs are absolute: clients refuse a
//! relative `url`.

use serde_json::{Value, json};

use super::{Layout, RuntimeConfig};

/// The card extension by which a runtime offers its MCP memory surface (`POST /mcp`, tools
/// `commit_memory` / `recall_memory`). MCP is not part of A2A, so a client learns of it only
/// from the card: `capabilities.extensions[*].uri`, the endpoint in `params.url`.
pub const MCP_EXTENSION_URI: &str = "https://molecule.ai/a2a/extensions/mcp-memory/v1";

/// The JSON-RPC endpoint clients should call: `MOLECULE_PUBLIC_URL` when set, else the
/// address the request reached (`Host`), else the address the runtime listens on.
/// The path follows the layout (`/` or `/a2a`).
pub fn endpoint(cfg: &RuntimeConfig, host: Option<&str>, listening: Option<std::net::SocketAddr>) -> String {
    if let Some(url) = &cfg.public_url {
        return url.clone();
    }
    format!("{}{}", origin(cfg, host, listening), if cfg.layout == Layout::A2aPath { "/a2a" } else { "/" })
}

/// The origin of `MOLECULE_PUBLIC_URL` when set, else `http://<host>` the request reached,
/// else the address listened on.
pub fn origin(cfg: &RuntimeConfig, host: Option<&str>, listening: Option<std::net::SocketAddr>) -> String {
    if let Some(url) = cfg.public_url.as_deref().and_then(|u| reqwest::Url::parse(u).ok()) {
        return url.origin().ascii_serialization();
    }
    match (host.filter(|h| !h.trim().is_empty()), listening) {
        (Some(h), _) => format!("http://{h}"),
        (None, Some(addr)) => format!("http://{addr}"),
        (None, None) => format!("http://{}", cfg.listen),
    }
}

/// The card, with `url` the JSON-RPC endpoint (A2A at `/` and `/a2a` alike). A request
/// that asks for 1.0 (`A2A-Version: 1.0`) gets the pure 1.0 card, as @a2a-js/sdk serves it;
/// anything else the merged card a2a-sdk serves, readable by 0.3 and 1.0 clients alike.
/// `mcp_url` is where `POST /mcp` is served; the card offers it when the runtime does.
pub fn agent_card(cfg: &RuntimeConfig, url: &str, mcp_url: &str, v10_only: bool) -> Value {
    let mut card = merged_card(cfg, url);
    if cfg.offer_mcp {
        card["capabilities"]["extensions"] = json!([{
            "uri": MCP_EXTENSION_URI,
            "description": "MCP memory tools (commit_memory, recall_memory) over JSON-RPC",
            "required": false,
            "params": {"url": mcp_url},
        }]);
    }
    if v10_only && let Some(obj) = card.as_object_mut() {
        for key in ["url", "protocolVersion", "preferredTransport", "additionalInterfaces"] {
            obj.remove(key);
        }
    }
    card
}

fn merged_card(cfg: &RuntimeConfig, url: &str) -> Value {
    json!({
        "name": cfg.agent_name,
        "description": "Molecule reference runtime (canary mode: deterministic answers, no LLM)",
        "url": url,
        "version": env!("CARGO_PKG_VERSION"),
        "protocolVersion": "0.3.0",
        "preferredTransport": "JSONRPC",
        "additionalInterfaces": [{"url": url, "transport": "JSONRPC"}],
        "supportedInterfaces": [
            {"url": url, "protocolBinding": "JSONRPC", "protocolVersion": "1.0"},
            {"url": url, "protocolBinding": "JSONRPC", "protocolVersion": "0.3"},
        ],
        "capabilities": {"streaming": true, "pushNotifications": false},
        "defaultInputModes": ["text/plain", "application/octet-stream"],
        "defaultOutputModes": ["text/plain"],
        "skills": [
            {"id": "canary", "name": "Canary", "description": "Answers canary prompts deterministically", "tags": ["canary"]},
            {"id": "files", "name": "Files", "description": "Reads and summarizes attached text files", "tags": ["files"]},
            {"id": "memory", "name": "Memory", "description": "Remembers and recalls facts across conversations", "tags": ["memory"]},
            {"id": super::TOOL_NAME, "name": "Fingerprint tool", "description": "Computes a fingerprint of a text with a tool; each call is recorded in the task history", "tags": ["tool"]},
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_is_absolute_and_overridable() {
        let cfg = RuntimeConfig::new("w");
        assert_eq!(endpoint(&cfg, Some("127.0.0.1:9999"), None), "http://127.0.0.1:9999/");
        assert_eq!(endpoint(&cfg, None, Some(([10, 0, 0, 1], 80).into())), "http://10.0.0.1:80/");
        let public = RuntimeConfig { public_url: Some("https://agent.example/a2a".into()), ..RuntimeConfig::new("w") };
        assert_eq!(endpoint(&public, Some("x"), None), "https://agent.example/a2a");
        assert_eq!(origin(&public, Some("x"), None), "https://agent.example");
        let card = agent_card(&cfg, "http://h/", "http://h/mcp", false);
        assert_eq!(card["supportedInterfaces"][0]["url"], "http://h/");
        assert_eq!(card["url"], "http://h/");
        assert_eq!(card["capabilities"]["extensions"][0]["params"]["url"], "http://h/mcp");
        let v10 = agent_card(&cfg, "http://h/", "http://h/mcp", true);
        assert!(v10.get("url").is_none() && v10.get("protocolVersion").is_none(), "{v10}");
        assert_eq!(v10["supportedInterfaces"], card["supportedInterfaces"]);
    }

    #[test]
    fn the_url_follows_the_layout_and_mcp_is_offered_only_when_served() {
        let a2a = RuntimeConfig::new("w").with_layout(Layout::A2aPath);
        assert_eq!(endpoint(&a2a, Some("h:1"), None), "http://h:1/a2a");
        assert_eq!(endpoint(&a2a.clone().with_layout(Layout::Root), Some("h:1"), None), "http://h:1/");
        let card = agent_card(&a2a.with_mcp(false), "http://h/a2a", "http://h/mcp", false);
        assert!(card["capabilities"].get("extensions").is_none(), "{card}");
    }
}
