//! The send envelope, builder-lite: [`SendMessage::text`] is the staging harness's shape
//! (contract §6.1) plus the `"kind":"message"` the official 0.3 schema requires, so every
//! envelope the suite sends is schema-valid by default; each `with_*` adds one field a richer
//! caller needs, so a test states only the field it is about.

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{A2A_VERSION_1_0, A2A_VERSION_HEADER, Dialect, Part};

/// A `message/send` (0.3) or `SendMessage` (1.0) request from the user role.
#[derive(Debug, Clone, PartialEq)]
pub struct SendMessage {
    id: String,
    message_id: String,
    parts: Vec<Part>,
    context_id: Option<String>,
    task_id: Option<String>,
    kind: bool,
    configuration: Option<Configuration>,
}

/// `params.configuration`. Each field is sent only when set, so the liveness probe's
/// `{"max_tokens":32}` stays exactly that.
#[derive(Debug, Clone, Default, PartialEq)]
struct Configuration {
    accepted_output_modes: Option<Vec<String>>,
    blocking: Option<bool>,
    max_tokens: Option<u32>,
}

/// `e2e-<8 hex>`: the harness's id shape, unique enough for one run's messages.
fn fresh_id() -> String {
    let high = (Uuid::new_v4().as_u128() >> 96) as u32;
    format!("e2e-{high:08x}")
}

impl Default for SendMessage {
    fn default() -> Self {
        SendMessage::new()
    }
}

impl SendMessage {
    /// A message with one text part and fresh `e2e-<8 hex>` request and message ids.
    pub fn text(text: impl Into<String>) -> Self {
        SendMessage::new().with_part(Part::Text(text.into()))
    }

    /// A message with no parts yet (add them with [`SendMessage::with_part`]).
    pub fn new() -> Self {
        SendMessage {
            id: fresh_id(),
            message_id: fresh_id(),
            parts: Vec::new(),
            context_id: None,
            task_id: None,
            kind: true,
            configuration: None,
        }
    }

    /// Appends a part. A file with a caption is `SendMessage::text(caption).with_part(file)`:
    /// text first, as cp_sim sends it.
    pub fn with_part(mut self, part: Part) -> Self {
        self.parts.push(part);
        self
    }

    /// The JSON-RPC request id (the harness uses fixed ones such as `e2e-msg-1`).
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    pub fn with_message_id(mut self, id: impl Into<String>) -> Self {
        self.message_id = id.into();
        self
    }

    /// The conversation: runtimes key their session state on it (contract §9).
    pub fn with_context_id(mut self, id: impl Into<String>) -> Self {
        self.context_id = Some(id.into());
        self
    }

    /// Continues a task; the server must know it (otherwise -32001 TaskNotFound).
    pub fn with_task_id(mut self, id: impl Into<String>) -> Self {
        self.task_id = Some(id.into());
        self
    }

    /// Drops the 0.3 message's `"kind":"message"`, giving the staging harness's exact shape
    /// (servers tolerate it; the 0.3 schema does not). 1.0 has no `kind` either way.
    pub fn without_kind(mut self) -> Self {
        self.kind = false;
        self
    }

    /// `acceptedOutputModes` and blocking; 1.0 sends the inverse, `returnImmediately`.
    pub fn with_configuration(mut self, accepted_output_modes: &[&str], blocking: bool) -> Self {
        let config = self.configuration.get_or_insert_with(Configuration::default);
        config.accepted_output_modes = Some(accepted_output_modes.iter().map(|m| m.to_string()).collect());
        config.blocking = Some(blocking);
        self
    }

    /// `params.configuration.max_tokens`, the harness's liveness probe. Not an A2A field: it is
    /// sent in 0.3 only, because 1.0's configuration is a closed proto message.
    pub fn with_max_tokens(mut self, n: u32) -> Self {
        self.configuration.get_or_insert_with(Configuration::default).max_tokens = Some(n);
        self
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn message_id(&self) -> &str {
        &self.message_id
    }

    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The envelope in `dialect`.
    pub fn to_json(&self, dialect: Dialect) -> Value {
        match dialect {
            Dialect::V03 => self.to_v03(),
            Dialect::V10 => self.to_v10(),
        }
    }

    /// The 0.3 envelope: what the platform proxy and its runtimes accept.
    pub fn to_v03(&self) -> Value {
        let mut message = Map::new();
        message.insert("role".into(), json!("user"));
        message.insert("messageId".into(), json!(self.message_id));
        message.insert("parts".into(), self.parts.iter().map(Part::to_v03).collect());
        if self.kind {
            message.insert("kind".into(), json!("message"));
        }
        self.insert_ids(&mut message);
        let mut params = Map::new();
        params.insert("message".into(), Value::Object(message));
        if let Some(config) = &self.configuration {
            let mut c = Map::new();
            if let Some(modes) = &config.accepted_output_modes {
                c.insert("acceptedOutputModes".into(), json!(modes));
            }
            if let Some(blocking) = config.blocking {
                c.insert("blocking".into(), json!(blocking));
            }
            if let Some(n) = config.max_tokens {
                c.insert("max_tokens".into(), json!(n));
            }
            params.insert("configuration".into(), Value::Object(c));
        }
        self.envelope(Dialect::V03, params)
    }

    /// The 1.0 envelope; send it with [`Self::headers`] or a 1.0 server answers -32009.
    pub fn to_v10(&self) -> Value {
        let mut message = Map::new();
        message.insert("role".into(), json!("ROLE_USER"));
        message.insert("messageId".into(), json!(self.message_id));
        message.insert("parts".into(), self.parts.iter().map(Part::to_v10).collect());
        self.insert_ids(&mut message);
        let mut params = Map::new();
        params.insert("message".into(), Value::Object(message));
        let config = self.configuration.as_ref().map(|config| {
            let mut c = Map::new();
            if let Some(modes) = &config.accepted_output_modes {
                c.insert("acceptedOutputModes".into(), json!(modes));
            }
            if let Some(blocking) = config.blocking {
                c.insert("returnImmediately".into(), json!(!blocking));
            }
            c
        });
        if let Some(c) = config.filter(|c| !c.is_empty()) {
            params.insert("configuration".into(), Value::Object(c));
        }
        self.envelope(Dialect::V10, params)
    }

    /// The headers the dialect needs beyond `Content-Type: application/json`.
    pub fn headers(&self, dialect: Dialect) -> Vec<(&'static str, &'static str)> {
        match dialect {
            Dialect::V03 => Vec::new(),
            Dialect::V10 => vec![(A2A_VERSION_HEADER, A2A_VERSION_1_0)],
        }
    }

    fn insert_ids(&self, message: &mut Map<String, Value>) {
        if let Some(context_id) = &self.context_id {
            message.insert("contextId".into(), json!(context_id));
        }
        if let Some(task_id) = &self.task_id {
            message.insert("taskId".into(), json!(task_id));
        }
    }

    fn envelope(&self, dialect: Dialect, params: Map<String, Value>) -> Value {
        json!({
            "jsonrpc": "2.0",
            "method": dialect.send_method(),
            "id": self.id,
            "params": params,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::fresh_id;

    #[test]
    fn fresh_ids_have_the_harness_shape_and_differ() {
        let (a, b) = (fresh_id(), fresh_id());
        for id in [&a, &b] {
            let hex = id.strip_prefix("e2e-").unwrap_or_else(|| panic!("{id} lacks the e2e- prefix"));
            assert!(hex.len() == 8 && hex.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        }
        assert_ne!(a, b);
    }
}
