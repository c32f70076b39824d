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

/// The JSON type a decoded field must have, matching what its serde attributes accept.
#[derive(Debug, Clone, Copy)]
pub enum Want {
    /// Present, a string.
    Str,
    /// Absent or a string (`#[serde(default)] String`: null is refused).
    DefStr,
    /// Absent, null or a string.
    OptStr,
    /// Absent or a boolean.
    DefBool,
    /// Absent, null or an object with these fields.
    OptObj(&'static [(&'static str, Want)]),
    /// Anything.
    Any,
}

impl Want {
    fn admits(self, v: Option<&Value>) -> bool {
        matches!(
            (self, v),
            (Want::Any, _)
                | (Want::Str, Some(Value::String(_)))
                | (Want::DefStr, None | Some(Value::String(_)))
                | (Want::OptStr, None | Some(Value::Null | Value::String(_)))
                | (Want::DefBool, None | Some(Value::Bool(_)))
                | (Want::OptObj(_), None | Some(Value::Null | Value::Object(_)))
        )
    }

    fn expected(self) -> &'static str {
        match self {
            Want::Str => "a string",
            Want::DefStr => "a string (or absent)",
            Want::OptStr => "a string or null",
            Want::DefBool => "a boolean (or absent)",
            Want::OptObj(_) => "an object or null",
            Want::Any => "anything",
        }
    }
}

/// The JSON type of a value, as an error names it: one wording for the parser and the clients.
pub use crate::a2a::json_type;

/// Check `v` against a field table and name the first offending field with its JSON type
/// (`"id" is a number, expected a string`), never its value.
pub fn check_shape(v: &Value, fields: &[(&str, Want)]) -> Result<(), String> {
    check_at(v, fields, "")
}

fn check_at(v: &Value, fields: &[(&str, Want)], at: &str) -> Result<(), String> {
    let Some(object) = v.as_object() else {
        return Err(if at.is_empty() {
            format!("the answer is {}, not an object", json_type(v))
        } else {
            format!("\"{}\" is {}, expected an object", at.trim_end_matches('.'), json_type(v))
        });
    };
    for (name, want) in fields {
        let found = object.get(*name);
        if !want.admits(found) {
            return Err(match found {
                None => format!("no \"{at}{name}\" field"),
                Some(f) => format!("\"{at}{name}\" is {}, expected {}", json_type(f), want.expected()),
            });
        }
        if let (Want::OptObj(inner), Some(found @ Value::Object(_))) = (want, found) {
            check_at(found, inner, &format!("{at}{name}."))?;
        }
    }
    Ok(())
}

/// Check the shape first (for an error that names the field and its type), then decode.
fn decode_checked<T: serde::de::DeserializeOwned>(v: &Value, fields: &[(&str, Want)]) -> Result<T, String> {
    check_shape(v, fields)?;
    T::deserialize(v).map_err(|e| super::http::serde_reason(&e))
}

/// A string field of an answer, or an error naming its JSON type when it is not one.
pub fn str_field<'a>(v: &'a Value, name: &str) -> Result<&'a str, String> {
    match v.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) => Err(format!("\"{name}\" is an empty string")),
        Some(other) => Err(format!("\"{name}\" is {}, expected a string", json_type(other))),
        None if v.is_object() => Err(format!("no \"{name}\" field")),
        None => Err(format!("the answer is {}, not an object", json_type(v))),
    }
}

const ORG: &[(&str, Want)] = &[
    ("id", Want::Str),
    ("slug", Want::Str),
    ("instance_status", Want::OptStr),
    ("last_error", Want::OptStr),
    ("created_at", Want::OptStr),
    ("status", Want::OptStr),
];

/// An org row of `GET /cp/admin/orgs` (contract §2). Its `Debug` is scrubbed: `last_error`
/// is the platform's free text.
#[derive(Clone, Deserialize, PartialEq, Eq)]
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

impl fmt::Debug for Org {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        redact::debug_struct(f, "Org", &[
            ("id", &self.id),
            ("slug", &self.slug),
            ("instance_status", &self.instance_status),
            ("last_error", &self.last_error),
            ("created_at", &self.created_at),
            ("status", &self.status),
        ])
    }
}

impl Org {
    pub fn decode(v: &Value) -> Result<Org, String> {
        decode_checked(v, ORG)
    }

    /// Whether the row still counts as present for the leak check (contract §2).
    pub fn is_present(&self) -> bool {
        self.status.as_deref() != Some("purged")
    }
}

/// `GET /cp/admin/orgs` → `{"orgs":[…]}`.
pub fn decode_orgs(v: &Value) -> Result<Vec<Org>, String> {
    let orgs = match v.get("orgs") {
        Some(Value::Array(orgs)) => orgs,
        Some(other) => return Err(format!("\"orgs\" is {}, expected an array", json_type(other))),
        None => return Err(format!("no \"orgs\" array in {}", json_type(v))),
    };
    orgs.iter().map(Org::decode).collect()
}

const WORKSPACE_ROW: &[(&str, Want)] = &[
    ("id", Want::Str),
    ("name", Want::OptStr),
    ("status", Want::Str),
    ("url", Want::OptStr),
    ("runtime", Want::OptStr),
    ("parent_id", Want::OptStr),
    ("agent_card", Want::Any),
];

/// A workspace row of `GET /workspaces/:id` (contract §3.3). Its `Debug` is scrubbed: the
/// agent card is whatever the agent registered.
#[derive(Clone, Deserialize, PartialEq)]
pub struct WorkspaceRow {
    pub id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
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
    /// `workspace` or `platform` (the org's root) at aeec8e47; absent before.
    #[serde(default)]
    pub kind: Option<String>,
    /// The turns in flight, as the agent's heartbeat last reported them.
    #[serde(default)]
    pub active_tasks: i64,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

impl fmt::Debug for WorkspaceRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let card = self.agent_card.as_ref().map(redact::json);
        redact::debug_struct(f, "WorkspaceRow", &[
            ("id", &self.id),
            ("name", &self.name),
            ("status", &self.status),
            ("url", &self.url),
            ("runtime", &self.runtime),
            ("parent_id", &self.parent_id),
            ("agent_card", &card),
            ("kind", &self.kind),
            ("active_tasks", &self.active_tasks),
        ])
    }
}

impl WorkspaceRow {
    pub fn decode(v: &Value) -> Result<WorkspaceRow, String> {
        decode_checked(v, WORKSPACE_ROW)
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

const CONNECTION: &[(&str, Want)] = &[
    ("workspace_id", Want::OptStr),
    ("platform_url", Want::OptStr),
    ("auth_token", Want::Str),
    ("registry_endpoint", Want::OptStr),
    ("heartbeat_endpoint", Want::OptStr),
];

const CREATED: &[(&str, Want)] = &[
    ("id", Want::Str),
    ("status", Want::DefStr),
    ("external", Want::DefBool),
    ("auth_token", Want::OptStr),
    ("connection", Want::OptObj(CONNECTION)),
];

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
        let c: Created = decode_checked(v, CREATED)?;
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

const ACTIVITY_ROW: &[(&str, Want)] = &[
    ("id", Want::Str),
    ("workspace_id", Want::OptStr),
    ("activity_type", Want::Str),
    ("source_id", Want::OptStr),
    ("target_id", Want::OptStr),
    ("method", Want::OptStr),
    ("summary", Want::OptStr),
    ("status", Want::OptStr),
    ("error_detail", Want::OptStr),
    ("request_body", Want::Any),
    ("response_body", Want::Any),
    ("created_at", Want::OptStr),
];

/// An activity row (contract §3.8). Its `Debug` masks the bodies it holds.
#[derive(Clone, Deserialize, PartialEq)]
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
        decode_checked(v, ACTIVITY_ROW)
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

impl fmt::Debug for ActivityRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = |b: &Option<Value>| b.as_ref().map(redact::json);
        let raw = format!(
            "ActivityRow {{ id: {:?}, workspace_id: {:?}, activity_type: {:?}, source_id: {:?}, target_id: {:?}, \
             method: {:?}, summary: {:?}, status: {:?}, error_detail: {:?}, request_body: {:?}, \
             response_body: {:?}, created_at: {:?} }}",
            self.id,
            self.workspace_id,
            self.activity_type,
            self.source_id,
            self.target_id,
            self.method,
            self.summary,
            self.status,
            self.error_detail,
            body(&self.request_body),
            body(&self.response_body),
            self.created_at,
        );
        f.write_str(&redact::scrub(&raw))
    }
}

/// Activity answers are a bare array (some versions wrap it as `{"events":[…]}`).
pub fn decode_activity(v: &Value) -> Result<Vec<ActivityRow>, String> {
    let rows = v
        .as_array()
        .or_else(|| v.get("events").and_then(Value::as_array))
        .ok_or_else(|| format!("the answer is {}, not an array (nor {{\"events\":[…]}})", json_type(v)))?;
    rows.iter().map(ActivityRow::decode).collect()
}

const BILLING_MODE: &[(&str, Want)] = &[
    ("workspace_id", Want::OptStr),
    ("resolved_mode", Want::Str),
    ("workspace_override", Want::OptStr),
    ("source", Want::OptStr),
];

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
        decode_checked(v, BILLING_MODE)
    }
}

const REGISTERED: &[(&str, Want)] = &[("status", Want::Str), ("delivery_mode", Want::OptStr)];

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
        decode_checked(v, REGISTERED)
    }
}

const ACK: &[(&str, Want)] = &[("status", Want::Str)];

/// A status acknowledgement (`{"status":"paused","paused_count":1}` and friends).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Ack {
    pub status: String,
}

impl Ack {
    pub fn decode(v: &Value) -> Result<Ack, String> {
        decode_checked(v, ACK)
    }
}

/// What pause or resume answered where the platform guards a subtree (22ee2b0e): done, or
/// 409 refused with the live descendants it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guarded {
    Done(Ack),
    Refused { error: String, descendants: Vec<String> },
}

impl Guarded {
    /// The 409 body `{"error", "descendants":[{"id","name"}]}`; a 409 without `descendants`
    /// (e.g. "parent … is paused") is refused with none named.
    pub fn refused(v: &Value) -> Result<Guarded, String> {
        let error = v.get("error").and_then(Value::as_str).ok_or("no \"error\" string")?.to_owned();
        let ids = v.get("descendants").and_then(Value::as_array).map(|a| a.iter().filter_map(|d| d.get("id")?.as_str()).map(str::to_owned).collect());
        Ok(Guarded::Refused { error, descendants: ids.unwrap_or_default() })
    }
}
