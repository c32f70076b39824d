//! One row of the A2A queue (`a2a_queue`, aeec8e47) and its public projection.

use serde_json::{Value, json};
use uuid::Uuid;

/// One `a2a_queue` row.
pub struct QueueItem {
    pub id: Uuid,
    pub org_id: Uuid,
    pub workspace_id: Uuid,
    pub caller_id: Option<String>,
    pub envelope: Value,
    /// `queued`, `dispatched`, `completed`, `dropped` or `failed` (the table's CHECK).
    pub status: &'static str,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub enqueued_at: String,
    pub dispatched_at: Option<String>,
    pub completed_at: Option<String>,
    pub response_body: Option<Value>,
}

impl QueueItem {
    /// The public projection `GetA2AQueueStatus` serves (`QueueStatus`): no body, no caller;
    /// `response_body` only once completed.
    pub fn status_json(&self) -> Value {
        let mut v = json!({
            "queue_id": self.id.to_string(),
            "workspace_id": self.workspace_id.to_string(),
            "status": self.status,
            "priority": 50,
            "attempts": self.attempts,
            "enqueued_at": self.enqueued_at,
        });
        let mut put = |k: &str, x: Option<Value>| {
            if let Some(x) = x {
                v[k] = x;
            }
        };
        put("last_error", self.last_error.clone().map(Value::String));
        put("dispatched_at", self.dispatched_at.clone().map(Value::String));
        put("completed_at", self.completed_at.clone().map(Value::String));
        put("response_body", self.response_body.clone().filter(|_| self.status == "completed"));
        v
    }
}

