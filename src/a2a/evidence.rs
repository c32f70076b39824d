//! What a reply says when a check fails: [`Reply::evidence`], and the `Debug` of every reply
//! type that holds an agent's or server's words, rendered through [`crate::redact::scrub`].

use std::fmt;

use super::parts::ReplyPart;
use super::reply::{Artifact, Busy, Message, Reply, RpcError, Task, Waking};

impl Reply {
    /// What the reply is, with the evidence a failure needs: a JSON-RPC error's code, message
    /// and data; a task's id, state, status message and artifacts; a message's role and text;
    /// the fields of the platform's own answers. Scrubbed and cut.
    pub fn evidence(&self) -> String {
        let cut = |s: &str| crate::redact::cut(&crate::redact::scrub(s), 300);
        let texts = |parts: &[ReplyPart]| -> String {
            let t: Vec<&str> = parts
                .iter()
                .filter_map(|p| match p {
                    ReplyPart::Text(t) => Some(t.as_str()),
                    _ => None,
                })
                .collect();
            cut(&t.join("\n"))
        };
        match self {
            Reply::Message(m) => format!(
                "a message (role {}, {} part(s), text {:?})",
                m.role.as_deref().unwrap_or("unset"),
                m.parts.len(),
                texts(&m.parts)
            ),
            Reply::Task(t) => format!(
                "a task {} in state `{}` (status message {}, {} artifact(s), text {:?})",
                t.id,
                t.state,
                t.status_message.as_ref().map_or("none".to_owned(), |m| format!("{:?}", texts(&m.parts))),
                t.artifacts.len(),
                cut(&self.text().unwrap_or_default())
            ),
            Reply::RpcError(e) => format!(
                "JSON-RPC error {} {:?}{}",
                e.code,
                cut(&e.message),
                e.data.as_ref().map(|d| format!(" data {}", cut(&crate::redact::json(d).to_string()))).unwrap_or_default()
            ),
            Reply::Queued(q) => format!(
                "the poll-mode queued envelope (status {:?}, delivery_mode {:?}, method {:?}, keys {:?})",
                q.status, q.delivery_mode, q.method, q.keys
            ),
            Reply::Parked(p) => format!(
                "push-async: the platform parked the {:?} turn past its canvas sync budget (A2A_CANVAS_SYNC_BUDGET); \
                 its reply goes to the canvas WebSocket only",
                p.method
            ),
            Reply::Waking(w) => format!("waking (retry_after {:?}): {:?}", w.retry_after, cut(&w.error)),
            Reply::Busy(b) => format!(
                "busy (queue_id {:?}, queue_depth {:?}): {:?}",
                b.queue_id,
                b.queue_depth,
                cut(b.message.as_deref().unwrap_or(""))
            ),
        }
    }

}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::redact::debug_struct(f, "Message", &[
            ("dialect", &self.dialect),
            ("message_id", &self.message_id),
            ("context_id", &self.context_id),
            ("task_id", &self.task_id),
            ("role", &self.role),
            ("parts", &self.parts),
        ])
    }
}

impl fmt::Debug for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::redact::debug_struct(f, "Task", &[
            ("dialect", &self.dialect),
            ("id", &self.id),
            ("context_id", &self.context_id),
            ("state", &self.state),
            ("status_message", &self.status_message),
            ("artifacts", &self.artifacts),
            ("history", &self.history),
        ])
    }
}

impl fmt::Debug for Artifact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::redact::debug_struct(f, "Artifact", &[
            ("artifact_id", &self.artifact_id),
            ("name", &self.name),
            ("parts", &self.parts),
        ])
    }
}

impl fmt::Debug for Waking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::redact::debug_struct(f, "Waking", &[("error", &self.error), ("retry_after", &self.retry_after)])
    }
}

impl fmt::Debug for Busy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::redact::debug_struct(f, "Busy", &[
            ("queue_id", &self.queue_id),
            ("queue_depth", &self.queue_depth),
            ("message", &self.message),
        ])
    }
}

impl fmt::Debug for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::redact::debug_struct(f, "RpcError", &[
            ("id", &self.id),
            ("code", &self.code),
            ("message", &self.message),
            ("data", &self.data),
        ])
    }
}

