//! What the platform answers, decoded leniently: unknown fields are ignored, missing required
//! fields are a named decode error, and no input can make a decoder panic.

use std::fmt;

use secrecy::SecretString;
use serde::Deserialize;
use serde_json::Value;

use crate::redact;

fn secret(s: String) -> SecretString {
    let s = SecretString::from(s);
    redact::register(&s);
    s
}

/// An org row of `GET /cp/admin/orgs` (contract §2).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Org {
    pub id: String,
    pub slug: String,
    #[serde(default)]
    pub instance_status: Option<String>,
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    /// Present only on platforms that purge lazily.
    #[serde(default)]
    pub status: Option<String>,
}

impl Org {
    pub fn decode(v: &Value) -> Result<Org, String> {
        Org::deserialize(v).map_err(|e| e.to_string())
    }

    /// Whether the row still counts as present for the leak check (contract §2).
    pub fn is_present(&self) -> bool {
        self.status.as_deref() != Some("purged")
    }
}

/// `GET /cp/admin/orgs` → `{"orgs":[…]}`.
pub fn decode_orgs(v: &Value) -> Result<Vec<Org>, String> {
    let orgs = v.get("orgs").and_then(Value::as_array).ok_or("no \"orgs\" array")?;
    orgs.iter().map(Org::decode).collect()
}

/// A workspace row of `GET /workspaces/:id` (contract §3.3).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct WorkspaceRow {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub status: String,
    /// `""` when the workspace has none.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub url: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub runtime: String,
    #[serde(default)]
    pub parent_id: Option<String>,
    #[serde(default)]
    pub agent_card: Option<Value>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

impl WorkspaceRow {
    pub fn decode(v: &Value) -> Result<WorkspaceRow, String> {
        WorkspaceRow::deserialize(v).map_err(|e| e.to_string())
    }

    /// The harness's readiness rule: `online` with a non-empty `url`.
    pub fn is_ready(&self) -> bool {
        self.status == "online" && !self.url.is_empty()
    }

    /// `status` plus whether a url is set, for progress lines and timeouts.
    pub fn state(&self) -> String {
        if self.url.is_empty() { format!("{} (no url)", self.status) } else { self.status.clone() }
    }
}

/// The external connection block of a create answer (contract §3.2).
#[derive(Clone, Deserialize)]
pub struct Connection {
    #[serde(default)]
    pub workspace_id: Option<String>,
    #[serde(default)]
    pub platform_url: Option<String>,
    #[serde(deserialize_with = "secret_string")]
    pub auth_token: SecretString,
    #[serde(default)]
    pub registry_endpoint: Option<String>,
    #[serde(default)]
    pub heartbeat_endpoint: Option<String>,
}

fn secret_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
    Ok(secret(String::deserialize(d)?))
}

fn opt_secret<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()).map(secret))
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("workspace_id", &self.workspace_id)
            .field("platform_url", &self.platform_url)
            .field("auth_token", &redact::MASK)
            .field("registry_endpoint", &self.registry_endpoint)
            .finish_non_exhaustive()
    }
}

/// The 201 answer of `POST /workspaces`.
#[derive(Clone, Deserialize)]
pub struct Created {
    pub id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub external: bool,
    #[serde(default, deserialize_with = "opt_secret")]
    pub auth_token: Option<SecretString>,
    #[serde(default)]
    pub connection: Option<Connection>,
}

impl Created {
    pub fn decode(v: &Value) -> Result<Created, String> {
        let c = Created::deserialize(v).map_err(|e| e.to_string())?;
        if c.id.is_empty() {
            return Err("\"id\" is empty".into());
        }
        Ok(c)
    }

    /// The workspace's own token: `connection.auth_token`, else the top-level `auth_token`
    /// (the harness's fallback order).
    pub fn token(&self) -> Option<&SecretString> {
        self.connection.as_ref().map(|c| &c.auth_token).or(self.auth_token.as_ref())
    }
}

impl fmt::Debug for Created {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Created")
            .field("id", &self.id)
            .field("status", &self.status)
            .field("external", &self.external)
            .field("auth_token", &self.auth_token.as_ref().map(|_| redact::MASK))
            .field("connection", &self.connection)
            .finish()
    }
}

/// An activity row (contract §3.8).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ActivityRow {
    pub id: String,
    #[serde(default)]
    pub workspace_id: Option<String>,
    pub activity_type: String,
    #[serde(default)]
    pub source_id: Option<String>,
    #[serde(default)]
    pub target_id: Option<String>,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub error_detail: Option<String>,
    #[serde(default)]
    pub request_body: Option<Value>,
    #[serde(default)]
    pub response_body: Option<Value>,
    #[serde(default)]
    pub created_at: Option<String>,
}

impl ActivityRow {
    pub fn decode(v: &Value) -> Result<ActivityRow, String> {
        ActivityRow::deserialize(v).map_err(|e| e.to_string())
    }

    /// The `messageId` of the envelope the row holds, if any.
    pub fn message_id(&self) -> Option<&str> {
        self.request_body.as_ref()?.pointer("/params/message/messageId")?.as_str()
    }

    /// The text parts of the envelope the row holds, joined.
    pub fn message_text(&self) -> Option<String> {
        let parts = self.request_body.as_ref()?.pointer("/params/message/parts")?.as_array()?;
        let text: Vec<&str> = parts.iter().filter_map(|p| p.get("text")?.as_str()).collect();
        (!text.is_empty()).then(|| text.join("\n"))
    }
}

/// Activity answers are a bare array (some versions wrap it as `{"events":[…]}`).
pub fn decode_activity(v: &Value) -> Result<Vec<ActivityRow>, String> {
    let rows = v.as_array().or_else(|| v.get("events").and_then(Value::as_array)).ok_or("not a JSON array")?;
    rows.iter().map(ActivityRow::decode).collect()
}

/// The billing-mode resolution object (contract §3.7).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct BillingMode {
    #[serde(default)]
    pub workspace_id: Option<String>,
    pub resolved_mode: String,
    #[serde(default)]
    pub workspace_override: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

impl BillingMode {
    pub fn decode(v: &Value) -> Result<BillingMode, String> {
        BillingMode::deserialize(v).map_err(|e| e.to_string())
    }
}

/// The 200 answer of `POST /registry/register` (contract §5).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Registered {
    pub status: String,
    /// The harness reads the delivery mode from here (GET never returns it).
    #[serde(default)]
    pub delivery_mode: Option<String>,
}

impl Registered {
    pub fn decode(v: &Value) -> Result<Registered, String> {
        Registered::deserialize(v).map_err(|e| e.to_string())
    }
}

/// A status acknowledgement (`{"status":"paused","paused_count":1}` and friends).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Ack {
    pub status: String,
}

impl Ack {
    pub fn decode(v: &Value) -> Result<Ack, String> {
        Ack::deserialize(v).map_err(|e| e.to_string())
    }
}
