//! A2A JSON-RPC envelopes and replies, in both wire dialects (`shared/contract/a2a.md`).
//! Pure: no I/O, so every envelope can be pinned by a snapshot and every reply shape by a
//! vector.
//!
//! * [`SendMessage`] builds the `message/send` (0.3) or `SendMessage` (1.0) request. The
//!   platform and its runtimes speak 0.3; 1.0 is for current SDK peers.
//! * [`Reply::parse`] tells apart every answer the suite can get to a send: an agent
//!   [`Message`] or [`Task`] (either dialect), a JSON-RPC [`RpcError`], and the platform's own
//!   non-JSON-RPC answers ([`Queued`] for poll mode, [`Waking`], [`Busy`], [`Parked`]; contract §5, §6.4).
//! * [`echoes_prompt`] tells an answer from the prompt come back (the one echo rule).
//! * [`follow`] decides what a caller does next with an answer: follow a queued turn, send
//!   again after an interrupt acknowledgement, or stop on one that never becomes a reply.
//! * [`error_markers`] finds the strings that turn an answer into a failure (contract §6.5).

mod echo;
mod envelope;
mod evidence;
pub mod follow;
mod parts;
mod reply;

pub use echo::echoes_prompt;
pub use envelope::SendMessage;
pub use parts::{Part, ReplyPart};
pub use reply::{Artifact, Busy, Message, Parked, Queued, Reply, ReplyError, RpcError, Task, Waking, json_type};

/// The header a 1.0 client must send: a 1.0 server reads its absence as 0.3 and answers
/// `-32009 VersionNotSupported` (contract a2a.md §1.10).
pub const A2A_VERSION_HEADER: &str = "A2A-Version";

/// The value of [`A2A_VERSION_HEADER`] for the 1.0 dialect (only `Major.Minor` is sent).
pub const A2A_VERSION_1_0: &str = "1.0";

/// The two incompatible wire dialects (contract a2a.md §0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// `message/send`, `kind` discriminators, lowercase enums: what the platform speaks.
    V03,
    /// `SendMessage`, no `kind`, `ROLE_*`/`TASK_STATE_*` enums, `{task}`/`{message}` results.
    V10,
}

impl Dialect {
    /// The JSON-RPC method that sends a message in this dialect.
    pub fn send_method(self) -> &'static str {
        match self {
            Dialect::V03 => "message/send",
            Dialect::V10 => "SendMessage",
        }
    }
}

/// The strings that mark an agent's answer as a failure even when the call succeeded
/// (contract §6.5): the harness's known-answer gate, then its specific fail messages. All
/// are matched case-insensitively.
pub const ERROR_MARKERS: &[&str] = &[
    "Agent error",
    "Exception",
    "error result",
    "MISSING_BYOK_CREDENTIAL",
    "[hermes-agent error 401]",
    "hermes-agent unreachable",
    "model_not_found",
    "Encrypted content is not supported",
    "Unknown provider",
    "Invalid API key",
    "exceeded your current quota",
    "insufficient_quota",
    "message contained no text content",
    // An agent that cannot reach its LLM says so bare, without "Agent error"
    // (tests/e2e/lib/completion_assert.sh at aeec8e47).
    "Not logged in",
    "Please run /login",
    // The claude-code runtime's wrapped backend failure (FS:2086-2094 at aeec8e47).
    "_ResultError",
];

/// The [`ERROR_MARKERS`] found in `text`, in list order. Empty means the text is clean. Case
/// is ignored because runtimes reword the case of provider errors ("invalid api key").
pub fn error_markers(text: &str) -> Vec<&'static str> {
    let haystack = text.to_lowercase();
    ERROR_MARKERS.iter().copied().filter(|m| haystack.contains(&m.to_lowercase())).collect()
}

#[cfg(test)]
mod tests {
    use super::error_markers;

    #[test]
    fn markers_match_whatever_the_case() {
        assert_eq!(error_markers("AGENT ERROR: boom"), ["Agent error"]);
        assert_eq!(
            error_markers("invalid api key; insufficient_quota"),
            ["Invalid API key", "insufficient_quota"]
        );
        assert!(error_markers("PONG").is_empty());
        assert_eq!(error_markers("PONG\nNot logged in · Please run /login"), ["Not logged in", "Please run /login"]);
        assert_eq!(error_markers("Agent error (_ResultError): HTTP 401"), ["Agent error", "_ResultError"]);
    }
}
