//! Finding a runtime as A2A says: read its agent card, then call the JSON-RPC interface the
//! card names, and the optional surfaces (MCP) only if the card offers them.
//!
//! The card is looked for at A2A's well-known path first, then at the paths the platform's
//! images use. Its `url` is where the runtime believes it lives: the platform's runtime
//! names its container's hostname, which is not where a port mapping or `CANARY_RUNTIME_URL`
//! reaches it, so an advertised URL on another origin keeps its path and is called on the
//! origin the card was read from (and the discovery says so).

use molecule_e2e::runtime::MCP_EXTENSION_URI;
use reqwest::Url;
use serde_json::Value;

use super::verdict::excerpt;

/// Where the card is looked for, in order: A2A's well-known path (a2a-sdk, the platform's
/// Python runtime), the platform's template images' path, the pre-0.3 well-known name.
pub const CARD_PATHS: [&str; 3] = ["/.well-known/agent-card.json", "/agent-card", "/.well-known/agent.json"];

/// The transports A2A names; a binding outside them is read as a misspelt JSON-RPC (the
/// platform's runtime declares `https://a2a.g/v1` and serves JSON-RPC).
const KNOWN_TRANSPORTS: [&str; 3] = ["JSONRPC", "GRPC", "HTTP+JSON"];

/// What the card says the checks may call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// The absolute JSON-RPC URL for A2A.
    pub a2a: String,
    /// The MCP memory endpoint, when the card offers it ([`MCP_EXTENSION_URI`]).
    pub mcp: Option<String>,
    /// How they were found, for messages.
    pub how: String,
}

/// Why a card gave no endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardError {
    /// No card path answered 200 with JSON; what each said.
    NotFound(Vec<String>),
    /// The card is JSON but not an object.
    NotAnObject { path: String, body: String },
    /// The card names no interface the checks can speak (JSON-RPC).
    NoJsonRpc { path: String, offered: Vec<String> },
}

impl std::fmt::Display for CardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CardError::NotFound(tried) => write!(f, "no agent card: {}", tried.join("; ")),
            CardError::NotAnObject { path, body } => write!(f, "GET {path} is JSON but not an object: {body}"),
            CardError::NoJsonRpc { path, offered } => {
                write!(f, "the card at {path} names no JSON-RPC interface (offered: {})", if offered.is_empty() { "none".to_owned() } else { offered.join(", ") })
            }
        }
    }
}

/// The endpoints `card` (read at `base` + `path`) names.
pub fn read_card(base: &Url, path: &str, card: &Value) -> Result<Endpoints, CardError> {
    if !card.is_object() {
        return Err(CardError::NotAnObject { path: path.to_owned(), body: excerpt(&card.to_string()) });
    }
    let interfaces = interfaces(card);
    let offered = || interfaces.iter().map(|(url, t)| format!("{t} at {url}")).collect::<Vec<_>>();
    let mut notes = vec![format!("card at {path}")];
    let chosen = interfaces.iter().find(|(_, t)| t.eq_ignore_ascii_case("JSONRPC")).or_else(|| {
        let odd = interfaces.iter().find(|(_, t)| !KNOWN_TRANSPORTS.iter().any(|k| k.eq_ignore_ascii_case(t)))?;
        notes.push(format!("binding {:?} is not a transport A2A names; read as JSON-RPC", odd.1));
        Some(odd)
    });
    let Some((url, _)) = chosen else {
        return Err(CardError::NoJsonRpc { path: path.to_owned(), offered: offered() });
    };
    let a2a = reached(base, url, &mut notes).ok_or_else(|| CardError::NoJsonRpc { path: path.to_owned(), offered: offered() })?;
    let mcp = mcp_offer(card).map(|advertised| {
        let default = base.join("/mcp").map(String::from).unwrap_or_default();
        advertised.and_then(|u| reached(base, u, &mut notes)).unwrap_or(default)
    });
    notes.push(format!("A2A at {a2a}"));
    notes.push(match &mcp {
        Some(u) => format!("MCP offered at {u}"),
        None => "MCP not offered".to_owned(),
    });
    Ok(Endpoints { a2a, mcp, how: notes.join("; ") })
}

/// `(url, transport)` of every interface: the 0.3 `url` with `preferredTransport` (JSON-RPC
/// when absent, as 0.3 says), `additionalInterfaces`, and 1.0 `supportedInterfaces`.
fn interfaces(card: &Value) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    if let Some(url) = card.get("url").and_then(Value::as_str) {
        out.push((url, card.get("preferredTransport").and_then(Value::as_str).unwrap_or("JSONRPC")));
    }
    for (list, key) in [("additionalInterfaces", "transport"), ("supportedInterfaces", "protocolBinding")] {
        for i in card.get(list).and_then(Value::as_array).into_iter().flatten() {
            if let Some(url) = i.get("url").and_then(Value::as_str) {
                out.push((url, i.get(key).and_then(Value::as_str).unwrap_or("")));
            }
        }
    }
    out
}

/// `Some(advertised url)` when the card offers the MCP memory extension.
fn mcp_offer(card: &Value) -> Option<Option<&str>> {
    let extensions = card.pointer("/capabilities/extensions").and_then(Value::as_array)?;
    let ext = extensions.iter().find(|e| e.get("uri").and_then(Value::as_str) == Some(MCP_EXTENSION_URI))?;
    Some(ext.pointer("/params/url").and_then(Value::as_str))
}

/// `advertised` as this client reaches it: resolved against `base`, and on `base`'s origin.
fn reached(base: &Url, advertised: &str, notes: &mut Vec<String>) -> Option<String> {
    let url = base.join(advertised).ok()?;
    if url.origin() == base.origin() {
        return Some(url.into());
    }
    let mut here = base.clone();
    here.set_path(url.path());
    here.set_query(url.query());
    notes.push(format!("the card names {url}, another origin than the one it was read from; called at {here}"));
    Some(here.into())
}
