//! The reference runtime: the runtime side of the contract (`POST /a2a` and `POST /` with
//! JSON-RPC A2A in the 0.3 dialect and the 1.0 one (`A2A-Version: 1.0`), `GET /agent-card`
//! and `/.well-known/agent-card.json`, `POST /mcp` with the `commit_memory`/`recall_memory`
//! tools, offered on the card; which of these it serves is its [`Layout`]), answering as an a2a-sdk runtime does by default: a Task, completed, the answer in
//! an artifact, kept in a task store (`tasks/get`, `tasks/cancel`); a bare Message by
//! setting. Text and file parts (inline base64 or by URI), sessions keyed on `contextId`, a
//! workspace memory persisted under `MOLECULE_MEMORY_ROOT`, a seeded tool (`fingerprint`)
//! whose calls are recorded, `message/stream` as SSE (a hung-up stream cancels its task), and
//! a deterministic canary-mode answerer.
//!
//! The stand-in runs one of these per platform workspace; the container tier runs it as a
//! `FROM scratch` image. It writes its JSON from the contract and shares no wire types with
//! the clients.

mod a2a;
mod answer;
mod card;
mod lifeline;
mod memory;
mod parts;
mod probe;
mod rpc;
mod server;
mod state;
mod store;
mod stream;
mod tasks;
mod tool;

use std::collections::BTreeSet;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

pub use card::MCP_EXTENSION_URI;
pub use answer::{EMPTY_PROMPT, Turn, answer, answer_with, summarize};
pub use memory::MemoryStore;
pub use parts::{FilePart, UserMessage, read_parts};
pub use probe::probe;
pub use server::{RuntimeHandle, router, serve, spawn};
pub use store::store_listing;
pub use tool::{TOOL_NAME, tool_prompt};

/// The two A2A wire dialects the runtime serves (the runtime's own, sharing no types with
/// the clients).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// `message/send`, `kind` discriminators: what the platform speaks.
    V03,
    /// `SendMessage` with `A2A-Version: 1.0`: current SDKs.
    V10,
}

/// How the runtime answers a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplyShape {
    /// A Task in state `completed`, the answer in an artifact: a stock a2a-sdk runtime.
    #[default]
    Task,
    /// A bare agent Message (no task is stored).
    Message,
    /// A Task left in `input-required`, the answer in its status message: a multi-turn
    /// agent (the A2A TCK's own SUT), whose tasks a follow-up or `tasks/cancel` can reach.
    OpenTask,
}

impl ReplyShape {
    pub const ALL: [ReplyShape; 3] = [ReplyShape::Task, ReplyShape::Message, ReplyShape::OpenTask];

    /// The name in `MOLECULE_REPLY_SHAPE` / `STANDIN_REPLY_SHAPE`.
    pub fn name(self) -> &'static str {
        match self {
            ReplyShape::Task => "task",
            ReplyShape::Message => "message",
            ReplyShape::OpenTask => "input-required",
        }
    }

    /// Parse a setting; `var` names it in the error.
    pub fn parse(var: &str, value: &str) -> Result<Self, String> {
        let v = value.trim();
        ReplyShape::ALL.into_iter().find(|s| s.name() == v).ok_or_else(|| {
            let names: Vec<_> = ReplyShape::ALL.iter().map(|s| s.name()).collect();
            format!("{var}={v:?} is not a reply shape; known: {}", names.join(", "))
        })
    }

    /// `STANDIN_REPLY_SHAPE` for the stand-in's in-process runtimes. The default is a Message:
    /// the platform's own staging harness at the reference commit reads the answer from
    /// `result.parts[0].text` (tests/e2e/test_staging_full_saas.sh, the A2A and delegation
    /// steps) and passes against the real platform, so that is what its proxy hands back. A
    /// bad value panics with the known names: a run must not silently test the other shape.
    pub fn from_standin_env() -> Self {
        match crate::config::env_value("STANDIN_REPLY_SHAPE").unwrap_or_else(|e| panic!("{e}")) {
            Some(v) => ReplyShape::parse("STANDIN_REPLY_SHAPE", &v).unwrap_or_else(|e| panic!("{e}")),
            None => ReplyShape::Message,
        }
    }
}

/// Where the runtime serves A2A and its card (`MOLECULE_A2A_LAYOUT`). A client that finds
/// the runtime by its card judges every layout the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// Every path at once: JSON-RPC at `POST /` and `POST /a2a`, the card at
    /// `/.well-known/agent-card.json` and `/agent-card`, its `url` the root. The stand-in's
    /// proxy posts to the registered URL itself; cp_sim posts to `/a2a`.
    #[default]
    Both,
    /// A stock a2a-sdk app (and the platform's own Python runtime): JSON-RPC at `POST /`,
    /// the card at `/.well-known/agent-card.json` only.
    Root,
    /// Under a path, as the platform's template images serve it: JSON-RPC at `POST /a2a`,
    /// the card at `/agent-card` only, its `url` ending in `/a2a`.
    A2aPath,
}

impl Layout {
    pub const ALL: [Layout; 3] = [Layout::Both, Layout::Root, Layout::A2aPath];

    /// The name in `MOLECULE_A2A_LAYOUT`.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Both => "both",
            Layout::Root => "root",
            Layout::A2aPath => "a2a",
        }
    }

    /// The JSON-RPC paths served.
    pub fn rpc_paths(self) -> &'static [&'static str] {
        match self {
            Layout::Both => &["/", "/a2a"],
            Layout::Root => &["/"],
            Layout::A2aPath => &["/a2a"],
        }
    }

    /// The card paths served.
    pub fn card_paths(self) -> &'static [&'static str] {
        match self {
            Layout::Both => &["/.well-known/agent-card.json", "/agent-card"],
            Layout::Root => &["/.well-known/agent-card.json"],
            Layout::A2aPath => &["/agent-card"],
        }
    }

    /// Parse a setting; `var` names it in the error.
    pub fn parse(var: &str, value: &str) -> Result<Self, String> {
        let v = value.trim();
        Layout::ALL.into_iter().find(|l| l.name() == v).ok_or_else(|| {
            let names: Vec<_> = Layout::ALL.iter().map(|l| l.name()).collect();
            format!("{var}={v:?} is not a layout; known: {}", names.join(", "))
        })
    }
}

/// A named way for the runtime to break its side of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuntimeFault {
    /// Conversation state keyed on `taskId` (per turn) instead of `contextId`.
    SessionKeyedOnTaskId,
    /// A file-only message becomes an empty prompt.
    FileOnlyEmptyPrompt,
    /// A caption drops the file it came with.
    CaptionDropsFile,
    /// `commit_memory` is acknowledged but not persisted.
    MemoryNotPersisted,
    /// `GET /agent-card` is not served.
    AgentCardMissing,
    /// Exact-token answers (the smoke test's `PONG`, the known answer) come back misspelt
    /// (`PONG` → `PNOG`).
    MisspellsAnswer,
    /// Exact-token answers carry an error marker (`Agent error: …`).
    ErrorMarker,
    /// Exact-token prompts come back repeated (`Got it: "… the single token: PONG"`), as a
    /// runtime behind a model that echoes its input answers.
    EchoesPrompt,
    /// A caption's file is known by its name only: the reply names it and asks for its
    /// text (`I can't open canary-doc-….txt. Please paste …`).
    ReadsOnlyFileName,
    /// The card offers the MCP memory surface, and `POST /mcp` answers 500.
    McpBroken,
    /// Amending a remembered fact keeps the old value next to the new one (append-only).
    MemoryKeepsOverwritten,
    /// Amending a remembered fact is acknowledged and dropped: the first write wins.
    MemoryIgnoresAmend,
    /// Every commit replaces the whole memory: facts of earlier sessions are lost.
    MemoryCommitDropsOthers,
    /// The seeded tool is never called: the answer guesses its value.
    ToolNeverCalled,
    /// The seeded tool is called with the whole prompt instead of the argument asked for.
    ToolWrongArguments,
    /// The seeded tool is called right and its result left out of the answer.
    ToolResultIgnored,
    /// A `message/stream` whose client went away runs on to `completed`.
    StreamIgnoresDisconnect,
    /// A disconnected stream stops, and its task is left `working` for ever.
    CancelLeavesWorking,
    /// A disconnected stream's task is marked `canceled`, and the answer keeps being written.
    StreamWritesAfterCancel,
}

impl RuntimeFault {
    pub const ALL: [RuntimeFault; 19] = [
        RuntimeFault::SessionKeyedOnTaskId,
        RuntimeFault::FileOnlyEmptyPrompt,
        RuntimeFault::CaptionDropsFile,
        RuntimeFault::MemoryNotPersisted,
        RuntimeFault::AgentCardMissing,
        RuntimeFault::MisspellsAnswer,
        RuntimeFault::ErrorMarker,
        RuntimeFault::EchoesPrompt,
        RuntimeFault::ReadsOnlyFileName,
        RuntimeFault::McpBroken,
        RuntimeFault::MemoryKeepsOverwritten,
        RuntimeFault::MemoryIgnoresAmend,
        RuntimeFault::MemoryCommitDropsOthers,
        RuntimeFault::ToolNeverCalled,
        RuntimeFault::ToolWrongArguments,
        RuntimeFault::ToolResultIgnored,
        RuntimeFault::StreamIgnoresDisconnect,
        RuntimeFault::CancelLeavesWorking,
        RuntimeFault::StreamWritesAfterCancel,
    ];

    /// The name used in `CANARY_FAULTS` and docs.
    pub fn name(self) -> &'static str {
        match self {
            RuntimeFault::SessionKeyedOnTaskId => "session-keyed-on-task-id",
            RuntimeFault::FileOnlyEmptyPrompt => "file-only-empty-prompt",
            RuntimeFault::CaptionDropsFile => "caption-drops-file",
            RuntimeFault::MemoryNotPersisted => "memory-not-persisted",
            RuntimeFault::AgentCardMissing => "agent-card-missing",
            RuntimeFault::MisspellsAnswer => "misspells-answer",
            RuntimeFault::ErrorMarker => "error-marker",
            RuntimeFault::EchoesPrompt => "echoes-prompt",
            RuntimeFault::ReadsOnlyFileName => "reads-only-file-name",
            RuntimeFault::McpBroken => "mcp-broken",
            RuntimeFault::MemoryKeepsOverwritten => "memory-keeps-overwritten",
            RuntimeFault::MemoryIgnoresAmend => "memory-ignores-amend",
            RuntimeFault::MemoryCommitDropsOthers => "memory-commit-drops-others",
            RuntimeFault::ToolNeverCalled => "tool-never-called",
            RuntimeFault::ToolWrongArguments => "tool-wrong-arguments",
            RuntimeFault::ToolResultIgnored => "tool-result-ignored",
            RuntimeFault::StreamIgnoresDisconnect => "stream-ignores-disconnect",
            RuntimeFault::CancelLeavesWorking => "cancel-leaves-working",
            RuntimeFault::StreamWritesAfterCancel => "stream-writes-after-cancel",
        }
    }
}

impl fmt::Display for RuntimeFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RuntimeFault {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        RuntimeFault::ALL.into_iter().find(|f| f.name() == s).ok_or_else(|| {
            let names: Vec<_> = RuntimeFault::ALL.iter().map(|f| f.name()).collect();
            format!("unknown runtime fault {s:?}; known: {}", names.join(", "))
        })
    }
}

/// Parse a comma-separated fault list (`CANARY_FAULTS`).
pub fn parse_faults(list: &str) -> Result<BTreeSet<RuntimeFault>, String> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(RuntimeFault::from_str).collect()
}

/// How a runtime instance is started.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// `WORKSPACE_ID`.
    pub workspace_id: String,
    /// The agent card's name.
    pub agent_name: String,
    /// `MOLECULE_CANARY_MODE=1`: deterministic answers from the conversation and memory only.
    pub canary_mode: bool,
    /// `MOLECULE_MEMORY_ROOT`: where memory and the session store persist; in-memory if unset.
    pub memory_root: Option<PathBuf>,
    pub faults: BTreeSet<RuntimeFault>,
    /// Where to listen; `127.0.0.1:0` picks a free loopback port.
    pub listen: SocketAddr,
    /// One stdout line per request (method, path, status). On for the CLI and the container,
    /// off for in-process runtimes so test output stays readable.
    pub log_requests: bool,
    /// `MOLECULE_REPLY_SHAPE` (`reply_shape`): Task (default), Message or open Task.
    pub reply_shape: ReplyShape,
    /// `MOLECULE_PUBLIC_URL`: the card's `url`; else built from the address it is reached on.
    pub public_url: Option<String>,
    /// `MOLECULE_A2A_LAYOUT`: where A2A and the card are served.
    pub layout: Layout,
    /// `MOLECULE_MCP` (`on`, the default, or `off`): serve `POST /mcp` and offer it on the
    /// card (`capabilities.extensions`, [`MCP_EXTENSION_URI`]). Off is a conforming runtime
    /// too: MCP is not part of A2A.
    pub offer_mcp: bool,
}

impl RuntimeConfig {
    /// Defaults, with the reply shape from `STANDIN_REPLY_SHAPE` (default message): the
    /// stand-in builds its in-process runtimes with `new`, and this is how a run picks
    /// their shape. [`RuntimeConfig::from_env`] overrides it with `MOLECULE_REPLY_SHAPE`.
    pub fn new(workspace_id: impl Into<String>) -> Self {
        let workspace_id = workspace_id.into();
        RuntimeConfig {
            agent_name: format!("molecule-reference-runtime ({workspace_id})"),
            workspace_id,
            canary_mode: true,
            memory_root: None,
            faults: BTreeSet::new(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            log_requests: false,
            reply_shape: ReplyShape::from_standin_env(),
            public_url: None,
            layout: Layout::default(),
            offer_mcp: true,
        }
    }

    pub fn with_reply_shape(mut self, shape: ReplyShape) -> Self {
        self.reply_shape = shape;
        self
    }

    /// Persist memory and sessions under `root` instead of in this process.
    pub fn with_memory_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.memory_root = Some(root.into());
        self
    }

    pub fn with_faults(mut self, faults: impl IntoIterator<Item = RuntimeFault>) -> Self {
        self.faults.extend(faults);
        self
    }

    pub fn with_layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    pub fn with_mcp(mut self, offered: bool) -> Self {
        self.offer_mcp = offered;
        self
    }

    pub fn has(&self, fault: RuntimeFault) -> bool {
        self.faults.contains(&fault)
    }
}

impl RuntimeConfig {
    /// Settings from the environment, as the container and the CLI start it:
    /// `WORKSPACE_ID`, `MOLECULE_CANARY_MODE`, `MOLECULE_MEMORY_ROOT`, `CANARY_FAULTS`,
    /// `MOLECULE_REPLY_SHAPE` (`task` by default, `message`, `input-required`),
    /// `MOLECULE_PUBLIC_URL`, `MOLECULE_A2A_LAYOUT` (`both` by default, `root`, `a2a`),
    /// `MOLECULE_MCP` (`on` by default, `off`).
    /// Request logging is on. In canary mode, operator-scope LLM credentials in the
    /// environment are refused (see [`operator_llm_env`]).
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(crate::config::env_lookup)
    }

    /// [`RuntimeConfig::from_env`] over any variable lookup (testable without touching the
    /// process environment).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |k: &str| lookup(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        crate::config::check_read_by(&get, "RuntimeConfig").map_err(|e| e.to_string())?;
        let mut cfg = RuntimeConfig::new(get("WORKSPACE_ID").unwrap_or_else(|| "local".to_owned()));
        cfg.canary_mode = matches!(get("MOLECULE_CANARY_MODE").as_deref(), Some("1" | "true"));
        cfg.memory_root = get("MOLECULE_MEMORY_ROOT").map(PathBuf::from);
        cfg.log_requests = true;
        cfg.reply_shape = match get("MOLECULE_REPLY_SHAPE") {
            Some(v) => ReplyShape::parse("MOLECULE_REPLY_SHAPE", &v)?,
            None => ReplyShape::default(),
        };
        cfg.public_url = get("MOLECULE_PUBLIC_URL");
        if let Some(v) = get("MOLECULE_A2A_LAYOUT") {
            cfg.layout = Layout::parse("MOLECULE_A2A_LAYOUT", &v)?;
        }
        cfg.offer_mcp = match get("MOLECULE_MCP").as_deref().map(str::trim) {
            None | Some("on") => true,
            Some("off") => false,
            Some(v) => return Err(format!("MOLECULE_MCP={v:?} is neither on nor off")),
        };
        if let Some(list) = get("CANARY_FAULTS") {
            cfg.faults = parse_faults(&list)?;
        }
        if cfg.canary_mode {
            let set = operator_llm_env(get);
            if !set.is_empty() {
                return Err(format!(
                    "canary mode refuses operator-scope LLM credentials; unset {} (canary answers come from the conversation and memory only)",
                    set.join(", ")
                ));
            }
        }
        Ok(cfg)
    }
}

/// LLM provider credentials a canary-mode runtime refuses to start with, as the platform's
/// runtime entrypoint does: a canary must never spend (or leak) an operator's key.
pub const OPERATOR_LLM_ENV: [&str; 8] = [
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "MINIMAX_API_KEY",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "OPENROUTER_API_KEY",
    "CLAUDE_CODE_OAUTH_TOKEN",
    "GROQ_API_KEY",
];

/// The operator-scope LLM variables set in `lookup` (non-empty).
pub fn operator_llm_env(lookup: impl Fn(&str) -> Option<String>) -> Vec<&'static str> {
    OPERATOR_LLM_ENV.iter().copied().filter(|k| lookup(k).is_some_and(|v| !v.is_empty())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn reads_the_container_environment() {
        let cfg = RuntimeConfig::from_lookup(env(&[
            ("WORKSPACE_ID", "canary-1"),
            ("MOLECULE_CANARY_MODE", "1"),
            ("MOLECULE_MEMORY_ROOT", "/tmp/canary-memory"),
            ("CANARY_FAULTS", "memory-not-persisted, agent-card-missing"),
        ]))
        .unwrap();
        assert_eq!(cfg.workspace_id, "canary-1");
        assert!(cfg.canary_mode && cfg.log_requests);
        assert_eq!(cfg.memory_root.as_deref(), Some(std::path::Path::new("/tmp/canary-memory")));
        assert!(cfg.has(RuntimeFault::MemoryNotPersisted) && cfg.has(RuntimeFault::AgentCardMissing));
        assert_eq!((cfg.reply_shape, cfg.public_url), (ReplyShape::Task, None));
    }

    #[test]
    fn reads_the_reply_shape_and_public_url() {
        let cfg = RuntimeConfig::from_lookup(env(&[("MOLECULE_REPLY_SHAPE", "message"), ("MOLECULE_PUBLIC_URL", "http://a:1/")])).unwrap();
        assert_eq!((cfg.reply_shape, cfg.public_url.as_deref()), (ReplyShape::Message, Some("http://a:1/")));
        let open = RuntimeConfig::from_lookup(env(&[("MOLECULE_REPLY_SHAPE", "input-required")])).unwrap();
        assert_eq!(open.reply_shape, ReplyShape::OpenTask);
        let err = RuntimeConfig::from_lookup(env(&[("MOLECULE_REPLY_SHAPE", "Task")])).unwrap_err();
        assert!(err.contains("task, message, input-required"), "{err}");
    }

    #[test]
    fn reads_the_layout_and_the_mcp_offer() {
        let cfg = RuntimeConfig::from_lookup(env(&[("MOLECULE_A2A_LAYOUT", "root"), ("MOLECULE_MCP", "off")])).unwrap();
        assert_eq!((cfg.layout, cfg.offer_mcp), (Layout::Root, false));
        let cfg = RuntimeConfig::from_lookup(env(&[])).unwrap();
        assert_eq!((cfg.layout, cfg.offer_mcp), (Layout::Both, true));
        let err = RuntimeConfig::from_lookup(env(&[("MOLECULE_A2A_LAYOUT", "sdk")])).unwrap_err();
        assert!(err.contains("both, root, a2a"), "{err}");
        assert!(RuntimeConfig::from_lookup(env(&[("MOLECULE_MCP", "1")])).is_err());
    }

    #[test]
    fn canary_mode_refuses_operator_llm_credentials() {
        let err = RuntimeConfig::from_lookup(env(&[("MOLECULE_CANARY_MODE", "1"), ("ANTHROPIC_API_KEY", "sk")])).unwrap_err();
        assert!(err.contains("ANTHROPIC_API_KEY") && !err.contains("sk,"), "{err}");
        assert!(RuntimeConfig::from_lookup(env(&[("ANTHROPIC_API_KEY", "sk")])).is_ok());
        assert!(RuntimeConfig::from_lookup(env(&[("MOLECULE_CANARY_MODE", "1"), ("ANTHROPIC_API_KEY", "")])).is_ok());
    }

    #[test]
    fn unknown_fault_names_list_the_known_ones() {
        let err = parse_faults("nope").unwrap_err();
        assert!(err.contains("session-keyed-on-task-id"), "{err}");
        assert_eq!(parse_faults(" , ").unwrap().len(), 0);
    }
}
