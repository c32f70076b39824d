//! The runtime's state, shared by its HTTP side (`server.rs`) and its A2A methods (`a2a.rs`):
//! its own module, so neither of those imports the other back.

use std::net::SocketAddr;

use super::RuntimeConfig;
use super::lifeline::Lifeline;
use super::memory::MemoryStore;
use super::store::SessionStore;
use super::tasks::TaskStore;

/// One runtime: its configuration and its stores.
pub struct Runtime {
    pub(super) cfg: RuntimeConfig,
    /// Conversations, keyed on `contextId` (or the task under the fault).
    pub(super) sessions: SessionStore,
    /// The memory tool's facts, shared by every conversation of this workspace.
    pub(super) memory: MemoryStore,
    /// Every Task answered, for `tasks/get`, `tasks/cancel` and follow-ups.
    pub(super) tasks: TaskStore,
    /// Where the listener is bound, for the card when a request carries no `Host`.
    pub(super) listening: Option<SocketAddr>,
    /// Its stop signal and its turns in flight.
    pub(super) lifeline: Lifeline,
}
