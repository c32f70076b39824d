//! The reference runtime: the runtime side of the contract (`POST /a2a` and `POST /` with
//! JSON-RPC `message/send` in the 0.3 dialect, `GET /agent-card` and
//! `/.well-known/agent-card.json`, `POST /mcp` with the `commit_memory`/`recall_memory`
//! tools), text and file parts (inline base64 or by URI), sessions keyed on `contextId`, a
//! workspace memory persisted under `MOLECULE_MEMORY_ROOT`, and a deterministic canary-mode
//! answerer.
//!
//! The stand-in runs one of these per platform workspace; the container tier runs it as a
//! `FROM scratch` image. It writes its JSON from the contract and shares no wire types with
//! the clients.

mod answer;
mod memory;
mod parts;
mod probe;
mod server;
mod store;

use std::collections::BTreeSet;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

pub use answer::{EMPTY_PROMPT, Turn, answer, answer_with, summarize};
pub use memory::MemoryStore;
pub use parts::{FilePart, UserMessage, read_parts};
pub use probe::probe;
pub use server::{RuntimeHandle, router, serve, spawn};
pub use store::store_listing;

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
    /// Canary tokens come back misspelt (`PONG` → `PNOG`).
    MisspellsAnswer,
    /// Replies carry an error marker (`Agent error: …`).
    ErrorMarker,
}

impl RuntimeFault {
    pub const ALL: [RuntimeFault; 7] = [
        RuntimeFault::SessionKeyedOnTaskId,
        RuntimeFault::FileOnlyEmptyPrompt,
        RuntimeFault::CaptionDropsFile,
        RuntimeFault::MemoryNotPersisted,
        RuntimeFault::AgentCardMissing,
        RuntimeFault::MisspellsAnswer,
        RuntimeFault::ErrorMarker,
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
}

impl RuntimeConfig {
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
        }
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

    pub fn has(&self, fault: RuntimeFault) -> bool {
        self.faults.contains(&fault)
    }
}

impl RuntimeConfig {
    /// Settings from the environment, as the container and the CLI start it:
    /// `WORKSPACE_ID`, `MOLECULE_CANARY_MODE`, `MOLECULE_MEMORY_ROOT`, `CANARY_FAULTS`.
    /// Request logging is on. In canary mode, operator-scope LLM credentials in the
    /// environment are refused (see [`operator_llm_env`]).
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// [`RuntimeConfig::from_env`] over any variable lookup (testable without touching the
    /// process environment).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |k: &str| lookup(k).filter(|v| !v.is_empty());
        let mut cfg = RuntimeConfig::new(get("WORKSPACE_ID").unwrap_or_else(|| "local".to_owned()));
        cfg.canary_mode = get("MOLECULE_CANARY_MODE").as_deref() == Some("1");
        cfg.memory_root = get("MOLECULE_MEMORY_ROOT").map(PathBuf::from);
        cfg.log_requests = true;
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
