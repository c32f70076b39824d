//! The session-continuity canaries and layer diagnostics (contract §9), spoken the way
//! local-e2e's `cp_sim` speaks them: straight A2A to a runtime, no platform in between.
//!
//! Each check is a function of a runtime's base URL that returns what it saw, or an error
//! naming the check and the reply that broke it. The container tier runs them against a
//! container or `CANARY_RUNTIME_URL`; the fault proof runs them against the reference image
//! with each runtime fault switched on.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

/// Phrases that mean a file-only message became an empty prompt (cp_sim's list).
pub const EMPTY_PROMPT_PHRASES: [&str; 4] =
    ["(empty prompt — nothing to do)", "empty prompt", "message contained no text content", "no text content"];

/// Phrases that mean the runtime answered a caption without the file that came with it.
pub const DROPPED_FILE_PHRASES: [&str; 9] = [
    "don't see",
    "do not see",
    "no file",
    "didn't attach",
    "did not attach",
    "nothing to summarize",
    "please paste",
    "please provide",
    "what would you like me to summarize",
];

/// The file the file canaries send.
pub const STATUS_TEXT: &str = "Project status: nominal. Lighthouse score 98.";

/// One check of the container tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Check {
    /// Canary 1: "Hi, my name is Hongming." then "What's my name?" in the same context.
    NameContinuity,
    /// Canary 2: a file with no text part.
    FileOnly,
    /// Canary 3: a file with the caption "summarize this".
    FileWithCaption,
    /// Canary 4: remember a fact in context A, recall it in context B.
    CrossSessionMemory,
    /// Diagnostic: `GET /agent-card` is a JSON object.
    AgentCard,
    /// Diagnostic: two turns in one context, the second naming the first's task, no error.
    TwoTurnsOneContext,
    /// Diagnostic: `recall_memory` of a random key answers instead of crashing.
    RecallUnknownKey,
}

impl Check {
    pub const CANARIES: [Check; 4] = [Check::NameContinuity, Check::FileOnly, Check::FileWithCaption, Check::CrossSessionMemory];
    pub const ALL: [Check; 7] = [
        Check::NameContinuity,
        Check::FileOnly,
        Check::FileWithCaption,
        Check::CrossSessionMemory,
        Check::AgentCard,
        Check::TwoTurnsOneContext,
        Check::RecallUnknownKey,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Check::NameContinuity => "name-continuity",
            Check::FileOnly => "file-only",
            Check::FileWithCaption => "file-with-caption",
            Check::CrossSessionMemory => "cross-session-memory",
            Check::AgentCard => "agent-card",
            Check::TwoTurnsOneContext => "two-turns-one-context",
            Check::RecallUnknownKey => "recall-unknown-key",
        }
    }

    /// The runtime fault (by its `CANARY_FAULTS` name) this check exists to catch.
    pub fn guards(self) -> Option<&'static str> {
        match self {
            Check::NameContinuity => Some("session-keyed-on-task-id"),
            Check::FileOnly => Some("file-only-empty-prompt"),
            Check::FileWithCaption => Some("caption-drops-file"),
            Check::CrossSessionMemory => Some("memory-not-persisted"),
            // The readiness probe (compose health check, fixture wait) guards it too.
            Check::AgentCard => Some("agent-card-missing"),
            Check::TwoTurnsOneContext | Check::RecallUnknownKey => None,
        }
    }

    /// Run the check against `rt`.
    pub async fn run(self, rt: &CpSim) -> Result<Outcome, String> {
        let res = match self {
            Check::NameContinuity => name_continuity(rt).await,
            Check::FileOnly => file_only(rt).await,
            Check::FileWithCaption => file_with_caption(rt).await,
            Check::CrossSessionMemory => cross_session_memory(rt).await,
            Check::AgentCard => agent_card(rt).await,
            Check::TwoTurnsOneContext => two_turns_one_context(rt).await,
            Check::RecallUnknownKey => match recall_unknown_key(rt).await {
                Err(e) if !rt.strict_mcp => {
                    return Ok(Outcome::Skipped(format!("{e} (not enforced: set CANARY_STRICT_MCP=1 to make this fail)")));
                }
                other => other,
            },
        };
        res.map(Outcome::Passed).map_err(|e| format!("{} {} FAILED against {}: {e}", self.kind(), self.name(), rt.base))
    }

    fn kind(self) -> &'static str {
        if Check::CANARIES.contains(&self) { "canary" } else { "diagnostic" }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a passing check saw, or why it did not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed(String),
    /// A diagnostic that failed but is not enforced (recall of an unknown key without
    /// `CANARY_STRICT_MCP=1`); printed loudly, counted as a pass.
    Skipped(String),
}

/// A cp_sim-shaped client for one runtime.
#[derive(Debug, Clone)]
pub struct CpSim {
    pub base: String,
    http: reqwest::Client,
    /// `CANARY_STRICT_MCP=1`: a crashing `recall_memory` fails instead of skipping.
    pub strict_mcp: bool,
}

/// `prefix` followed by `n` random hex digits.
pub fn random_id(prefix: &str, n: usize) -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}{}", &hex[..n.min(hex.len())])
}

/// An inline file part's content.
pub struct InlineFile<'a> {
    pub name: &'a str,
    pub mime_type: &'a str,
    pub bytes: &'a [u8],
}

/// A reply: its JSON body and the text cp_sim would extract from it.
#[derive(Debug, Clone)]
pub struct Reply {
    pub body: Value,
    pub text: String,
}

impl CpSim {
    pub fn new(base: impl Into<String>) -> Self {
        let http = reqwest::Client::builder()
            // The runtime is local (container port or CANARY_RUNTIME_URL); a proxy from the
            // environment would only get in the way.
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        CpSim {
            base: base.into().trim_end_matches('/').to_owned(),
            http,
            strict_mcp: std::env::var("CANARY_STRICT_MCP").is_ok_and(|v| v == "1"),
        }
    }

    pub fn strict(mut self, strict_mcp: bool) -> Self {
        self.strict_mcp = strict_mcp;
        self
    }

    /// `message/send` to `<base>/a2a` as cp_sim sends it: `id = messageId = canary-<12hex>`,
    /// `kind:"message"`, the context, `taskId` (null unless given), a caption text part only
    /// if given, then the inline file part.
    pub async fn send(
        &self,
        context_id: &str,
        task_id: Option<&str>,
        text: Option<&str>,
        file: Option<&InlineFile<'_>>,
    ) -> Result<Reply, String> {
        let mut parts = Vec::new();
        if let Some(t) = text {
            parts.push(json!({"kind": "text", "text": t}));
        }
        if let Some(f) = file {
            let b64 = base64::engine::general_purpose::STANDARD.encode(f.bytes);
            parts.push(json!({"kind": "file", "file": {"name": f.name, "mimeType": f.mime_type, "bytes": b64}}));
        }
        let id = random_id("canary-", 12);
        let body = json!({
            "jsonrpc": "2.0",
            "id": id,
            "method": "message/send",
            "params": {
                "message": {"role": "user", "messageId": id, "kind": "message", "contextId": context_id, "taskId": task_id, "parts": parts},
                "configuration": {"acceptedOutputModes": ["text/plain"], "blocking": true},
            },
        });
        let body = self.post_json("/a2a", &body).await?;
        if let Some(err) = body.get("error") {
            return Err(format!("JSON-RPC error from message/send: {err}"));
        }
        let text = extract_text(body.get("result").unwrap_or(&Value::Null));
        Ok(Reply { body, text })
    }

    /// `tools/call` on `<base>/mcp`; the first text content, as cp_sim's memory probe reads it.
    pub async fn mcp_tool(&self, name: &str, arguments: Value) -> Result<String, String> {
        let body = json!({"jsonrpc": "2.0", "id": random_id("canary-", 12), "method": "tools/call",
                          "params": {"name": name, "arguments": arguments}});
        let body = self.post_json("/mcp", &body).await?;
        if let Some(err) = body.get("error") {
            return Err(format!("JSON-RPC error from tools/call {name}: {err}"));
        }
        body.pointer("/result/content")
            .and_then(Value::as_array)
            .and_then(|c| c.iter().find(|p| p.get("type").and_then(Value::as_str) == Some("text")))
            .and_then(|p| p.get("text")?.as_str())
            .map(str::to_owned)
            .ok_or_else(|| format!("tools/call {name} answered without a text content: {}", excerpt(&body.to_string())))
    }

    pub async fn get_json(&self, path: &str) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let res = self.http.get(&url).send().await.map_err(|e| format!("GET {url}: {e}"))?;
        read_json("GET", &url, res).await
    }

    async fn post_json(&self, path: &str, body: &Value) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let res = self.http.post(&url).json(body).send().await.map_err(|e| format!("POST {url}: {e}"))?;
        read_json("POST", &url, res).await
    }
}

async fn read_json(method: &str, url: &str, res: reqwest::Response) -> Result<Value, String> {
    let status = res.status();
    let text = res.text().await.map_err(|e| format!("{method} {url}: reading the body: {e}"))?;
    if status != reqwest::StatusCode::OK {
        return Err(format!("{method} {url} answered {status}, expected 200; body: {}", excerpt(&text)));
    }
    serde_json::from_str(&text).map_err(|e| format!("{method} {url} answered 200 with non-JSON ({e}): {}", excerpt(&text)))
}

/// Text parts from `result.parts`, `result.artifacts[*].parts` and
/// `result.status.message.parts`, concatenated (cp_sim's extractor).
pub fn extract_text(result: &Value) -> String {
    let mut out = Vec::new();
    let mut take = |parts: Option<&Value>| {
        for p in parts.and_then(Value::as_array).into_iter().flatten() {
            if p.get("kind").or_else(|| p.get("type")).and_then(Value::as_str) == Some("text")
                && let Some(t) = p.get("text").and_then(Value::as_str)
            {
                out.push(t.to_owned());
            }
        }
    };
    take(result.get("parts"));
    for a in result.get("artifacts").and_then(Value::as_array).into_iter().flatten() {
        take(a.get("parts"));
    }
    take(result.pointer("/status/message/parts"));
    out.join("\n")
}

/// `word` appears in `text` as a whole word, ignoring case (the `\bword\b`/i of §9).
pub fn contains_word(text: &str, word: &str) -> bool {
    let (hay, needle) = (text.to_lowercase(), word.to_lowercase());
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    hay.match_indices(&needle).any(|(i, m)| !is_word(hay[..i].chars().next_back()) && !is_word(hay[i + m.len()..].chars().next()))
}

fn excerpt(s: &str) -> String {
    const MAX: usize = 600;
    if s.chars().count() <= MAX { s.to_owned() } else { format!("{}… ({} bytes)", s.chars().take(MAX).collect::<String>(), s.len()) }
}

fn seen(reply: &Reply) -> String {
    format!("reply text {:?}", excerpt(&reply.text))
}

fn new_context() -> String {
    random_id("canary-ctx-", 12)
}

async fn name_continuity(rt: &CpSim) -> Result<String, String> {
    let ctx = new_context();
    rt.send(&ctx, None, Some("Hi, my name is Hongming."), None).await?;
    let reply = rt.send(&ctx, None, Some("What's my name?"), None).await?;
    if contains_word(&reply.text, "hongming") {
        Ok(seen(&reply))
    } else {
        Err(format!(
            "the second turn of context {ctx} does not say the name from the first (want \\bhongming\\b, case-insensitive); \
             is the session keyed on taskId instead of contextId? {}",
            seen(&reply)
        ))
    }
}

fn status_file(name: &str) -> InlineFile<'_> {
    InlineFile { name, mime_type: "text/plain", bytes: STATUS_TEXT.as_bytes() }
}

fn empty_prompt_phrase(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    EMPTY_PROMPT_PHRASES.into_iter().find(|p| lower.contains(p))
}

async fn file_only(rt: &CpSim) -> Result<String, String> {
    let name = random_id("canary-", 8) + ".txt";
    let reply = rt.send(&new_context(), None, None, Some(&status_file(&name))).await?;
    let lower = reply.text.to_lowercase();
    if reply.text.trim().is_empty() {
        return Err(format!("a file-only message ({name}) got an empty reply; {}", seen(&reply)));
    }
    if let Some(p) = empty_prompt_phrase(&reply.text) {
        return Err(format!("a file-only message ({name}) was treated as an empty prompt (reply contains {p:?}); {}", seen(&reply)));
    }
    let acknowledges = [name.to_lowercase().as_str(), "file", "attach"].iter().any(|w| lower.contains(w));
    let asks = ["what", "would you like", "?"].iter().any(|w| lower.contains(w));
    if acknowledges || asks {
        Ok(seen(&reply))
    } else {
        Err(format!("the reply to a file-only message ({name}) neither mentions the file nor asks what to do; {}", seen(&reply)))
    }
}

async fn file_with_caption(rt: &CpSim) -> Result<String, String> {
    let name = random_id("canary-", 8) + ".txt";
    let reply = rt.send(&new_context(), None, Some("summarize this"), Some(&status_file(&name))).await?;
    let lower = reply.text.to_lowercase();
    if reply.text.trim().is_empty() {
        return Err(format!("\"summarize this\" + {name} got an empty reply; {}", seen(&reply)));
    }
    if let Some(p) = empty_prompt_phrase(&reply.text) {
        return Err(format!("\"summarize this\" + {name} was treated as an empty prompt (reply contains {p:?}); {}", seen(&reply)));
    }
    if let Some(p) = DROPPED_FILE_PHRASES.iter().find(|p| lower.contains(*p)) {
        return Err(format!(
            "the caption \"summarize this\" was answered without its file {name} (reply contains {p:?}); {}",
            seen(&reply)
        ));
    }
    let mentions = [name.to_lowercase().as_str(), "file", "attach", "summary", "summarize", "content"].iter().any(|w| lower.contains(w));
    if mentions {
        Ok(seen(&reply))
    } else {
        Err(format!("the reply to \"summarize this\" + {name} mentions neither the file nor a summary; {}", seen(&reply)))
    }
}

async fn cross_session_memory(rt: &CpSim) -> Result<String, String> {
    let (a, b) = (new_context(), new_context());
    rt.send(&a, None, Some("Please use the memory tool to remember: my favorite color is blue."), None).await?;
    let reply = rt.send(&b, None, Some("Use the memory tool to recall my favorite color, then tell me what it is."), None).await?;
    if contains_word(&reply.text, "blue") {
        Ok(seen(&reply))
    } else {
        Err(format!(
            "a fact remembered in context {a} was not recalled in context {b} (want \\bblue\\b); is memory persisted and shared \
             across contexts? {}",
            seen(&reply)
        ))
    }
}

async fn agent_card(rt: &CpSim) -> Result<String, String> {
    let card = rt.get_json("/agent-card").await?;
    if card.is_object() {
        Ok(format!("agent card named {}", card.get("name").unwrap_or(&Value::Null)))
    } else {
        Err(format!("GET /agent-card is JSON but not an object: {}", excerpt(&card.to_string())))
    }
}

async fn two_turns_one_context(rt: &CpSim) -> Result<String, String> {
    let ctx = new_context();
    let first = rt.send(&ctx, None, Some("Layer diagnostic, turn one: reply with exactly: ok"), None).await?;
    // cp_sim passes the first reply's `result.id` (a Task); a Message reply carries `taskId`.
    let task = first
        .body
        .pointer("/result/id")
        .or_else(|| first.body.pointer("/result/taskId"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let second = rt.send(&ctx, task.as_deref(), Some("Layer diagnostic, turn two: reply with exactly: ok"), None).await?;
    Ok(format!("turn one {:?}, turn two {:?} (taskId {task:?})", excerpt(&first.text), excerpt(&second.text)))
}

async fn recall_unknown_key(rt: &CpSim) -> Result<String, String> {
    let key = random_id("canary-missing-", 12);
    let text = rt.mcp_tool("recall_memory", json!({"key": key})).await?;
    Ok(format!("recall_memory({key}) answered {:?}", excerpt(&text)))
}
