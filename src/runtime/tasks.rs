//! The task store: every Task the runtime answered with, as a2a-sdk's `InMemoryTaskStore`
//! keeps them, so `tasks/get`, `tasks/cancel` and a follow-up message naming a task see
//! the same task, and unknown or finished tasks are refused as the SDK refuses them.
//! Rendering is per dialect; the store itself is dialect-neutral.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use super::Dialect;
use super::parts::WirePart;
use super::rpc::RpcError;

/// A task's state (A2A 0.3 `TaskState` / 1.0 `TaskState`), the ones this runtime reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    /// A streamed answer still being written.
    Working,
    InputRequired,
    Completed,
    Canceled,
}

impl TaskState {
    /// completed, failed, canceled and rejected end a task: no message may continue it.
    pub fn is_terminal(self) -> bool {
        matches!(self, TaskState::Completed | TaskState::Canceled)
    }

    pub fn name(self, dialect: Dialect) -> &'static str {
        match (self, dialect) {
            (TaskState::Working, Dialect::V03) => "working",
            (TaskState::Working, Dialect::V10) => "TASK_STATE_WORKING",
            (TaskState::InputRequired, Dialect::V03) => "input-required",
            (TaskState::Completed, Dialect::V03) => "completed",
            (TaskState::Canceled, Dialect::V03) => "canceled",
            (TaskState::InputRequired, Dialect::V10) => "TASK_STATE_INPUT_REQUIRED",
            (TaskState::Completed, Dialect::V10) => "TASK_STATE_COMPLETED",
            (TaskState::Canceled, Dialect::V10) => "TASK_STATE_CANCELED",
        }
    }
}

/// One message of a conversation, either side.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMessage {
    pub agent: bool,
    pub message_id: String,
    pub parts: Vec<WirePart>,
    pub context_id: String,
    pub task_id: Option<String>,
}

impl StoredMessage {
    /// An agent message answering with `text`.
    pub fn agent_text(text: &str, context_id: &str, task_id: Option<&str>) -> Self {
        StoredMessage {
            agent: true,
            message_id: new_id("msg"),
            parts: vec![WirePart::Text(text.to_owned())],
            context_id: context_id.to_owned(),
            task_id: task_id.map(str::to_owned),
        }
    }

    pub fn to_json(&self, dialect: Dialect) -> Value {
        let mut m = Map::new();
        let role = match (self.agent, dialect) {
            (true, Dialect::V03) => "agent",
            (false, Dialect::V03) => "user",
            (true, Dialect::V10) => "ROLE_AGENT",
            (false, Dialect::V10) => "ROLE_USER",
        };
        if dialect == Dialect::V03 {
            m.insert("kind".into(), json!("message"));
        }
        m.insert("role".into(), json!(role));
        m.insert("messageId".into(), json!(self.message_id));
        m.insert("contextId".into(), json!(self.context_id));
        if let Some(t) = &self.task_id {
            m.insert("taskId".into(), json!(t));
        }
        m.insert("parts".into(), self.parts.iter().map(|p| p.to_json(dialect)).collect());
        Value::Object(m)
    }
}

/// A task as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    pub id: String,
    pub context_id: String,
    pub state: TaskState,
    /// The agent's message in `status.message` (the open-task shape puts its answer here).
    pub status_message: Option<StoredMessage>,
    /// `(artifactId, parts)`: the task shape puts its answer in one artifact per turn.
    pub artifacts: Vec<(String, Vec<WirePart>)>,
    /// Every message of the task, oldest first.
    pub history: Vec<StoredMessage>,
    pub timestamp: String,
}

impl TaskRecord {
    pub fn new(id: impl Into<String>, context_id: impl Into<String>) -> Self {
        TaskRecord {
            id: id.into(),
            context_id: context_id.into(),
            state: TaskState::Completed,
            status_message: None,
            artifacts: Vec::new(),
            history: Vec::new(),
            timestamp: now(),
        }
    }

    /// The task in `dialect`; `history_length` keeps the latest N history messages
    /// (0 omits `history`, as a2a-sdk does).
    pub fn to_json(&self, dialect: Dialect, history_length: Option<usize>) -> Value {
        let mut status = Map::new();
        status.insert("state".into(), json!(self.state.name(dialect)));
        if let Some(m) = &self.status_message {
            status.insert("message".into(), m.to_json(dialect));
        }
        status.insert("timestamp".into(), json!(self.timestamp));
        let mut t = Map::new();
        if dialect == Dialect::V03 {
            t.insert("kind".into(), json!("task"));
        }
        t.insert("id".into(), json!(self.id));
        t.insert("contextId".into(), json!(self.context_id));
        t.insert("status".into(), Value::Object(status));
        if !self.artifacts.is_empty() {
            let artifacts = self.artifacts.iter().map(|(id, parts)| {
                json!({"artifactId": id, "name": "answer", "parts": parts.iter().map(|p| p.to_json(dialect)).collect::<Vec<_>>()})
            });
            t.insert("artifacts".into(), artifacts.collect());
        }
        let keep = history_length.unwrap_or(usize::MAX).min(self.history.len());
        if keep > 0 {
            let tail = &self.history[self.history.len() - keep..];
            t.insert("history".into(), tail.iter().map(|m| m.to_json(dialect)).collect());
        }
        Value::Object(t)
    }

    /// Mark the task's latest change.
    pub fn touch(&mut self) {
        self.timestamp = now();
    }
}

/// The runtime's tasks, by id.
#[derive(Debug, Default)]
pub struct TaskStore {
    tasks: Mutex<HashMap<String, TaskRecord>>,
}

impl TaskStore {
    pub fn get(&self, id: &str) -> Option<TaskRecord> {
        self.lock().get(id).cloned()
    }

    /// Every task (for `ListTasks`).
    pub fn all(&self) -> Vec<TaskRecord> {
        self.lock().values().cloned().collect()
    }

    pub fn put(&self, task: TaskRecord) {
        self.lock().insert(task.id.clone(), task);
    }

    /// Change the stored task `id` in place (a streamed answer's progress).
    pub fn update(&self, id: &str, change: impl FnOnce(&mut TaskRecord)) {
        if let Some(t) = self.lock().get_mut(id) {
            change(t);
            t.touch();
        }
    }

    /// The task a follow-up message may continue: it must exist, not be finished, and
    /// belong to `context_id` when the message names one (a2a-sdk: -32001, -32004, -32602).
    pub fn continuable(&self, id: &str, context_id: Option<&str>, dialect: Dialect) -> Result<TaskRecord, RpcError> {
        let task = self.get(id).ok_or_else(|| RpcError::task_not_found(id))?;
        if task.state.is_terminal() {
            return Err(RpcError::unsupported(format!("Task {id} is in terminal state: {}", task.state.name(dialect))));
        }
        if let Some(ctx) = context_id.filter(|c| *c != task.context_id) {
            return Err(RpcError::invalid_params(format!("message.contextId {ctx} does not match task {id}'s context")));
        }
        Ok(task)
    }

    /// Cancel a task that is still open; a finished one is not cancelable (-32002).
    pub fn cancel(&self, id: &str, dialect: Dialect) -> Result<TaskRecord, RpcError> {
        let mut tasks = self.lock();
        let task = tasks.get_mut(id).ok_or_else(|| RpcError::task_not_found(id))?;
        if task.state.is_terminal() {
            return Err(RpcError::task_not_cancelable(id, task.state.name(dialect)));
        }
        task.state = TaskState::Canceled;
        task.touch();
        Ok(task.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, TaskRecord>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A fresh id: `<prefix>-<uuid>`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4())
}

/// ISO-8601 UTC with milliseconds and `Z`, as A2A 1.0 asks.
fn now() -> String {
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::now_utc().format(&fmt).unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_task() -> TaskRecord {
        let mut t = TaskRecord::new("t-1", "c-1");
        t.state = TaskState::InputRequired;
        t.history.push(StoredMessage::agent_text("one", "c-1", Some("t-1")));
        t.history.push(StoredMessage::agent_text("two", "c-1", Some("t-1")));
        t
    }

    #[test]
    fn follow_ups_are_refused_on_unknown_finished_or_foreign_tasks() {
        let store = TaskStore::default();
        assert_eq!(store.continuable("t-1", None, Dialect::V03).unwrap_err().code, -32001);
        store.put(open_task());
        assert!(store.continuable("t-1", Some("c-1"), Dialect::V03).is_ok());
        assert_eq!(store.continuable("t-1", Some("c-2"), Dialect::V03).unwrap_err().code, -32602);
        store.put(TaskRecord::new("t-2", "c-1"));
        let e = store.continuable("t-2", None, Dialect::V10).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (-32004, "Unsupported operation: Task t-2 is in terminal state: TASK_STATE_COMPLETED"));
    }

    #[test]
    fn only_open_tasks_can_be_canceled() {
        let store = TaskStore::default();
        store.put(open_task());
        assert_eq!(store.cancel("t-1", Dialect::V03).unwrap().state, TaskState::Canceled);
        assert_eq!(store.cancel("t-1", Dialect::V03).unwrap_err().code, -32002);
        assert_eq!(store.cancel("nope", Dialect::V03).unwrap_err().code, -32001);
    }

    #[test]
    fn history_length_keeps_the_latest_messages() {
        let t = open_task();
        assert_eq!(t.to_json(Dialect::V03, None)["history"].as_array().unwrap().len(), 2);
        let one = t.to_json(Dialect::V03, Some(1));
        assert_eq!(one["history"][0]["parts"][0]["text"], "two");
        assert!(t.to_json(Dialect::V03, Some(0)).get("history").is_none());
        assert_eq!(t.to_json(Dialect::V10, None)["status"]["state"], "TASK_STATE_INPUT_REQUIRED");
        assert!(t.to_json(Dialect::V10, None).get("kind").is_none());
    }
}
