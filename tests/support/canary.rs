//! The session-continuity canaries and layer diagnostics (contract §9), spoken the way
//! local-e2e's `cp_sim` speaks them: straight A2A to a runtime, no platform in between.
//!
//! The runtime is found as A2A says ([`super::card`]): its card names the JSON-RPC endpoint,
//! and offers MCP or not. Each check is a function of a runtime's base URL that returns what
//! it saw (or that it does not apply: an optional surface the card does not offer), or a
//! [`Failure`] naming the check, the reply that broke it and, by type, the rejection. The pass rules live in [`super::verdict`]
//! (pure, pinned offline). The container tier runs the checks against a container or
//! `CANARY_RUNTIME_URL`; the fault proof runs them against the reference image with each
//! runtime fault switched on.
//!
//! Where this differs from the platform's canaries (local-e2e/cp_sim at 41409fb2): the
//! endpoint comes from the card, not `/a2a`; no `"taskId": null` (the 0.3 schema wants a
//! string or nothing); the two-turns diagnostic never sends turn one's task id (a runtime may
//! rightly refuse it); the recall probe runs only where the card offers MCP; a generic reply
//! to a file fails canary 2; canary 3's file holds facts made up per run and the reply must
//! carry one; no echo of the prompt counts as an answer; the exact-answer diagnostic is ours.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use molecule_e2e::runtime::RuntimeFault;
use reqwest::Url;
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use super::canary_deep::{memory_three_sessions, tool_use};
use super::canary_diag::{agent_card, exact_answer, recall_unknown_key, two_turns_one_context};
use super::canary_stream::stream_cancel;
use super::card::{self, CARD_PATHS, CardError, Endpoints};
use super::verdict::{self, CanaryFile, Rejection, ReplyShape, Spelling, excerpt};

/// The platform's smoke prompt; the exact-answer diagnostic wants `PONG` back, spelt right.
pub use molecule_e2e::scenario::common::PONG_PROMPT;

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
    /// Diagnostic: the agent card is found (well-known path, then the images' paths), is a
    /// JSON object and names a JSON-RPC interface.
    AgentCard,
    /// Diagnostic: two turns in one context (no task id), both answered in that context.
    TwoTurnsOneContext,
    /// Diagnostic: `recall_memory` of a random key answers instead of crashing.
    RecallUnknownKey,
    /// Diagnostic: the smoke prompt's `PONG` comes back spelt right, with no error marker.
    ExactAnswer,
    /// Canary 5: facts taught, amended and added over two sessions, all read in a third.
    MemoryThreeSessions,
    /// Canary 6: the seeded tool is called on the argument asked for, and its result used.
    ToolUse,
    /// Canary 7: a stream the client hangs up on ends `canceled`, frees the runtime, and
    /// nothing is written after the cancel.
    StreamCancel,
}

impl Check {
    pub const CANARIES: [Check; 7] = [
        Check::NameContinuity,
        Check::FileOnly,
        Check::FileWithCaption,
        Check::CrossSessionMemory,
        Check::MemoryThreeSessions,
        Check::ToolUse,
        Check::StreamCancel,
    ];
    pub const ALL: [Check; 11] = [
        Check::NameContinuity,
        Check::FileOnly,
        Check::FileWithCaption,
        Check::CrossSessionMemory,
        Check::AgentCard,
        Check::TwoTurnsOneContext,
        Check::RecallUnknownKey,
        Check::ExactAnswer,
        Check::MemoryThreeSessions,
        Check::ToolUse,
        Check::StreamCancel,
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
            Check::ExactAnswer => "exact-answer",
            Check::MemoryThreeSessions => "memory-three-sessions",
            Check::ToolUse => "tool-use",
            Check::StreamCancel => "stream-cancel",
        }
    }

    /// The runtime faults this check exists to catch.
    pub fn guards(self) -> &'static [RuntimeFault] {
        match self {
            Check::NameContinuity => &[RuntimeFault::SessionKeyedOnTaskId],
            Check::FileOnly => &[RuntimeFault::FileOnlyEmptyPrompt],
            Check::FileWithCaption => &[RuntimeFault::CaptionDropsFile, RuntimeFault::ReadsOnlyFileName],
            Check::CrossSessionMemory => &[RuntimeFault::MemoryNotPersisted],
            // The readiness probe (compose health check, fixture wait) guards it too.
            Check::AgentCard => &[RuntimeFault::AgentCardMissing],
            Check::ExactAnswer => &[RuntimeFault::MisspellsAnswer, RuntimeFault::ErrorMarker, RuntimeFault::EchoesPrompt],
            Check::RecallUnknownKey => &[RuntimeFault::McpBroken],
            Check::TwoTurnsOneContext => &[],
            // A memory that keeps nothing fails canary 4 and this one alike.
            Check::MemoryThreeSessions => &[
                RuntimeFault::MemoryKeepsOverwritten,
                RuntimeFault::MemoryIgnoresAmend,
                RuntimeFault::MemoryCommitDropsOthers,
                RuntimeFault::MemoryNotPersisted,
            ],
            Check::ToolUse => &[RuntimeFault::ToolNeverCalled, RuntimeFault::ToolWrongArguments, RuntimeFault::ToolResultIgnored],
            Check::StreamCancel => &[RuntimeFault::StreamIgnoresDisconnect, RuntimeFault::CancelLeavesWorking, RuntimeFault::StreamWritesAfterCancel],
        }
    }

    /// The first check guarding `fault`, if any.
    pub fn guarding(fault: RuntimeFault) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.guards().contains(&fault))
    }

    /// Every check guarding `fault`: with it on, exactly these fail.
    pub fn guarding_all(fault: RuntimeFault) -> Vec<Check> {
        Check::ALL.into_iter().filter(|c| c.guards().contains(&fault)).collect()
    }

    /// Run the check against `rt`.
    pub async fn run(self, rt: &CpSim) -> Result<Outcome, Failure> {
        let res = match self {
            Check::NameContinuity => name_continuity(rt).await,
            Check::FileOnly => file_only(rt).await,
            Check::FileWithCaption => file_with_caption(rt).await,
            Check::CrossSessionMemory => cross_session_memory(rt).await,
            Check::AgentCard => agent_card(rt).await,
            Check::TwoTurnsOneContext => two_turns_one_context(rt).await,
            Check::ExactAnswer => exact_answer(rt).await,
            Check::MemoryThreeSessions => memory_three_sessions(rt).await,
            Check::ToolUse => tool_use(rt).await,
            Check::StreamCancel => return stream_cancel(rt).await.map_err(|why| self.failed(rt, why)),
            Check::RecallUnknownKey => return recall_unknown_key(rt).await.map_err(|why| self.failed(rt, why)),
        };
        res.map(Outcome::Passed).map_err(|why| self.failed(rt, why))
    }

    fn failed(self, rt: &CpSim, why: Why) -> Failure {
        Failure { check: self, against: rt.base.clone(), rejection: why.rejection, detail: why.text }
    }
}

/// A check that failed: which, against what, the rejection by type when a reply was judged,
/// and the whole story (the reply, the endpoint) as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub check: Check,
    pub against: String,
    pub rejection: Option<Rejection>,
    pub detail: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if Check::CANARIES.contains(&self.check) { "canary" } else { "diagnostic" };
        write!(f, "{kind} {} FAILED against {}: {}", self.check, self.against, self.detail)
    }
}

/// Why a check failed, before it is named: a judged reply's rejection, or a call that broke.
pub struct Why {
    pub rejection: Option<Rejection>,
    pub text: String,
}

impl From<String> for Why {
    fn from(text: String) -> Self {
        Why { rejection: None, text }
    }
}

impl Why {
    /// `rejection`, told with what was asked and the reply seen.
    pub fn rejected(rejection: Rejection, context: String) -> Self {
        Why { text: format!("{context}: {rejection}"), rejection: Some(rejection) }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a check that did not fail saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed(String),
    /// The check probes an optional surface (MCP) the runtime's card does not offer. Not a
    /// failure and not a skip, under `CI=1` and `E2E_REQUIRE_LIVE=1` alike: the runtime
    /// conforms without it. Printed with the reason.
    NotApplicable(String),
}

impl Outcome {
    /// The line the tier prints for `check`'s outcome.
    pub fn line(&self, check: Check) -> String {
        match self {
            Outcome::Passed(seen) => format!("{check}: passed against the runtime under test: {seen}"),
            Outcome::NotApplicable(why) => format!("{check}: NOT APPLICABLE (neither a failure nor a skip): {why}"),
        }
    }
}

/// A cp_sim-shaped client for one runtime, which it finds by its agent card.
#[derive(Debug, Clone)]
pub struct CpSim {
    pub base: String,
    http: reqwest::Client,
    /// The card's reading, made once per client.
    found: Arc<OnceCell<Result<Endpoints, CardError>>>,
    /// How long after a hang-up the stream canary waits for the task to leave `working`.
    pub cancel_deadline: Duration,
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

impl<'a> From<&'a CanaryFile> for InlineFile<'a> {
    fn from(f: &'a CanaryFile) -> Self {
        InlineFile { name: &f.name, mime_type: "text/plain", bytes: f.body.as_bytes() }
    }
}

/// The `message/send` cp_sim sends: `id = messageId`, `kind:"message"`, the context, a
/// caption text part only if given, then the inline file part; `acceptedOutputModes:
/// ["text/plain"]`, blocking. No `taskId`: cp_sim sends `null`, which the 0.3 schema refuses.
pub fn send_envelope(id: &str, context_id: &str, text: Option<&str>, file: Option<&InlineFile<'_>>) -> Value {
    let mut parts = Vec::new();
    if let Some(t) = text {
        parts.push(json!({"kind": "text", "text": t}));
    }
    if let Some(f) = file {
        let b64 = base64::engine::general_purpose::STANDARD.encode(f.bytes);
        parts.push(json!({"kind": "file", "file": {"name": f.name, "mimeType": f.mime_type, "bytes": b64}}));
    }
    json!({
        "jsonrpc": "2.0",
        "id": id,
        "method": "message/send",
        "params": {
            "message": {"role": "user", "messageId": id, "kind": "message", "contextId": context_id, "parts": parts},
            "configuration": {"acceptedOutputModes": ["text/plain"], "blocking": true},
        },
    })
}

/// The `tools/call recall_memory` cp_sim's memory probe sends.
pub fn recall_envelope(key: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": random_id("canary-mem-", 8), "method": "tools/call",
           "params": {"name": "recall_memory", "arguments": {"key": key}}})
}

/// How a call failed: the endpoint is not there, or the runtime broke answering it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// 404 / 405 / 501: nothing serves this path.
    Missing(String),
    /// Anything else: a 5xx, a dropped connection, a body that is not JSON, a JSON-RPC error.
    Broken(String),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Missing(s) | CallError::Broken(s) => f.write_str(s),
        }
    }
}

/// How long a blocking send's task may stay `submitted`/`working` before it counts as hung.
const TASK_DEADLINE: Duration = Duration::from_secs(60);

impl CpSim {
    pub fn new(base: impl Into<String>) -> Self {
        let base = base.into().trim_end_matches('/').to_owned();
        // The runtime is local (container port or CANARY_RUNTIME_URL); a proxy from the
        // environment would only get in the way.
        let http = molecule_e2e::net::client_builder(&base).no_proxy().timeout(Duration::from_secs(30)).build().unwrap_or_default();
        CpSim { base, http, found: Arc::default(), cancel_deadline: super::canary_stream::CANCEL_DEADLINE }
    }

    /// A shorter cancel deadline, for a runtime in this process: it notices a hang-up within
    /// a stream tick, and a fault run need not wait out the container tier's second.
    pub fn with_cancel_deadline(mut self, d: Duration) -> Self {
        self.cancel_deadline = d;
        self
    }

    /// The endpoints the card names, read once: the card at the first of [`CARD_PATHS`]
    /// that answers 200 with JSON.
    pub async fn endpoints(&self) -> &Result<Endpoints, CardError> {
        self.found.get_or_init(|| self.discover()).await
    }

    async fn discover(&self) -> Result<Endpoints, CardError> {
        let base = Url::parse(&format!("{}/", self.base)).map_err(|e| CardError::NotFound(vec![format!("{} is not a URL: {e}", self.base)]))?;
        let mut tried = Vec::new();
        for path in CARD_PATHS {
            match self.get_json(path).await {
                Ok(card) => return card::read_card(&base, path, &card),
                Err(e) => tried.push(e),
            }
        }
        Err(CardError::NotFound(tried))
    }

    /// Where A2A is sent: the card's JSON-RPC interface; with no usable card, the runtime's
    /// own URL, as the platform's proxy posts to a registered URL (the agent-card diagnostic
    /// fails on its own).
    pub async fn a2a_url(&self) -> String {
        match self.endpoints().await {
            Ok(e) => e.a2a.clone(),
            Err(_) => format!("{}/", self.base),
        }
    }

    /// Send one message in `context_id` and read the reply; a Task still `submitted` or
    /// `working` is followed with `tasks/get` until it leaves those states.
    pub async fn send(&self, context_id: &str, text: Option<&str>, file: Option<&InlineFile<'_>>) -> Result<ReplyShape, String> {
        let id = random_id("canary-", 12);
        let url = self.a2a_url().await;
        let body = self.post_json(&url, &send_envelope(&id, context_id, text, file)).await.map_err(|e| e.to_string())?;
        let mut reply = result_of(&body, "message/send")?;
        let started = Instant::now();
        while let ReplyShape::Task { id, state, .. } = &reply
            && verdict::PENDING_STATES.contains(&state.as_str())
        {
            if started.elapsed() > TASK_DEADLINE {
                return Err(format!("task {id} stayed {state:?} for {} s after a blocking send", TASK_DEADLINE.as_secs()));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            let get = json!({"jsonrpc": "2.0", "id": random_id("canary-", 12), "method": "tasks/get", "params": {"id": id}});
            let body = self.post_json(&url, &get).await.map_err(|e| e.to_string())?;
            reply = result_of(&body, "tasks/get")?;
        }
        Ok(reply)
    }

    /// `tools/call recall_memory` on the MCP endpoint `url`: the first text content.
    pub async fn recall(&self, url: &str, key: &str) -> Result<String, CallError> {
        let body = self.post_json(url, &recall_envelope(key)).await?;
        if let Some(err) = body.get("error") {
            let missing_tool = err.get("code").and_then(Value::as_i64).is_some_and(|c| c == -32601 || c == -32602);
            let why = format!("JSON-RPC error from tools/call recall_memory: {err}");
            return Err(if missing_tool { CallError::Missing(why) } else { CallError::Broken(why) });
        }
        body.pointer("/result/content")
            .and_then(Value::as_array)
            .and_then(|c| c.iter().find(|p| p.get("type").and_then(Value::as_str) == Some("text")))
            .and_then(|p| p.get("text")?.as_str())
            .map(str::to_owned)
            .ok_or_else(|| CallError::Broken(format!("tools/call recall_memory answered without a text content: {}", excerpt(&body.to_string()))))
    }

    pub async fn get_json(&self, path: &str) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let res = self.http.get(&url).send().await.map_err(|e| format!("GET {url}: {e}"))?;
        read_json("GET", &url, res).await.map_err(|e| e.to_string())
    }

    /// The HTTP client (the streaming canary reads an SSE body with it).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub async fn post_json(&self, url: &str, body: &Value) -> Result<Value, CallError> {
        let res = self.http.post(url).json(body).send().await.map_err(|e| CallError::Broken(format!("POST {url}: {e}")))?;
        read_json("POST", url, res).await
    }
}

/// The reply of a JSON-RPC call, or its error as a failure naming the method.
fn result_of(body: &Value, method: &str) -> Result<ReplyShape, String> {
    if let Some(err) = body.get("error") {
        return Err(format!("JSON-RPC error from {method}: {err}"));
    }
    verdict::read_result(body.get("result").unwrap_or(&Value::Null))
}

async fn read_json(method: &str, url: &str, res: reqwest::Response) -> Result<Value, CallError> {
    let status = res.status();
    let text = res.text().await.map_err(|e| CallError::Broken(format!("{method} {url}: reading the body: {e}")))?;
    if matches!(status.as_u16(), 404 | 405 | 501) {
        return Err(CallError::Missing(format!("{method} {url} answered {status}: nothing serves it")));
    }
    if status != reqwest::StatusCode::OK {
        return Err(CallError::Broken(format!("{method} {url} answered {status}, expected 200; body: {}", excerpt(&text))));
    }
    serde_json::from_str(&text)
        .map_err(|e| CallError::Broken(format!("{method} {url} answered 200 with non-JSON ({e}): {}", excerpt(&text))))
}

pub fn seen(text: &str) -> String {
    format!("reply text {:?}", excerpt(text))
}

pub fn new_context() -> String {
    random_id("canary-ctx-", 12)
}

/// A turn whose reply must be a finished answer with no error marker.
pub async fn ask(rt: &CpSim, ctx: &str, text: &str) -> Result<String, Why> {
    let reply = rt.send(ctx, Some(text), None).await?;
    let answer = verdict::answer_of(&reply)?.to_owned();
    verdict::clean(&answer).map_err(|r| Why::rejected(r, format!("asked {text:?}, {}", seen(&answer))))?;
    Ok(answer)
}

/// `reply`, the answer to `prompt`, carries `token` ([`verdict::judge_token`]); `hint` says
/// what its absence suggests.
pub fn expect(reply: &str, prompt: &str, token: &str, spelling: Spelling, hint: &str) -> Result<String, Why> {
    verdict::judge_token(reply, prompt, &[token], spelling)
        .map(|()| seen(reply))
        .map_err(|r| Why::rejected(r, format!("asked {prompt:?} wanting {token}{hint}; {}", seen(reply))))
}

async fn name_continuity(rt: &CpSim) -> Result<String, Why> {
    let ctx = new_context();
    ask(rt, &ctx, "Hi, my name is Hongming.").await?;
    let question = "What's my name?";
    let reply = ask(rt, &ctx, question).await?;
    let hint = format!(" (the name from the first turn of context {ctx}; is the session keyed on taskId instead of contextId?)");
    expect(&reply, question, "hongming", Spelling::Word, &hint)
}

async fn file_turn(rt: &CpSim, caption: Option<&str>, file: &CanaryFile) -> Result<String, Why> {
    let reply = rt.send(&new_context(), caption, Some(&InlineFile::from(file))).await?;
    Ok(verdict::answer_of(&reply)?.to_owned())
}

async fn file_only(rt: &CpSim) -> Result<String, Why> {
    let file = CanaryFile::status(random_id("canary-", 8) + ".txt");
    let reply = file_turn(rt, None, &file).await?;
    verdict::judge_file_only(&reply, &file)
        .map(|()| seen(&reply))
        .map_err(|r| Why::rejected(r, format!("file-only {}, {}", file.name, seen(&reply))))
}

async fn file_with_caption(rt: &CpSim) -> Result<String, Why> {
    const CAPTION: &str = "summarize this";
    let file = CanaryFile::quarterly_fresh(random_id("canary-doc-", 8) + ".txt");
    let reply = file_turn(rt, Some(CAPTION), &file).await?;
    verdict::judge_caption(&reply, CAPTION, &file).map(|()| seen(&reply)).map_err(|r| {
        Why::rejected(r, format!("{CAPTION:?} + {} (whose facts are {:?}), {}", file.name, file.facts, seen(&reply)))
    })
}

async fn cross_session_memory(rt: &CpSim) -> Result<String, Why> {
    let (a, b) = (new_context(), new_context());
    ask(rt, &a, "Please use the memory tool to remember: my favorite color is blue.").await?;
    let question = "Use the memory tool to recall my favorite color, then tell me what it is.";
    let reply = ask(rt, &b, question).await?;
    let hint = format!(" (remembered in context {a}, asked in {b}; is memory persisted and shared across contexts?)");
    expect(&reply, question, "blue", Spelling::Word, &hint)
}
