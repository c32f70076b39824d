//! The reference runtime: the runtime side of the contract (`POST /a2a` and `POST /` with
//! JSON-RPC `message/send` in the 0.3 dialect, `GET /agent-card` and
//! `/.well-known/agent-card.json`), sessions keyed on `contextId`, and a deterministic
//! canary-mode answerer.
//!
//! The stand-in runs one of these per platform workspace; the container tier runs it as a
//! `FROM scratch` image. It writes its JSON from the contract and shares no wire types with
//! the clients.

mod answer;
mod server;

use std::collections::BTreeSet;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

pub use answer::answer;
pub use server::{RuntimeHandle, router, serve, spawn};

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
        }
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
    pub fn from_env() -> Result<Self, String> {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let mut cfg = RuntimeConfig::new(get("WORKSPACE_ID").unwrap_or_else(|| "local".to_owned()));
        cfg.canary_mode = get("MOLECULE_CANARY_MODE").as_deref() == Some("1");
        cfg.memory_root = get("MOLECULE_MEMORY_ROOT").map(PathBuf::from);
        if let Some(list) = get("CANARY_FAULTS") {
            cfg.faults = parse_faults(&list)?;
        }
        Ok(cfg)
    }
}
