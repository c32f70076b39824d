//! Create-workspace bodies (contract §3.2) and the BYOK secrets plan (contract §7.5). Pure:
//! no I/O, so every arm's body can be pinned by a snapshot.

use std::collections::BTreeMap;
use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value, json};

use crate::catalog::{self, Vendor};
use crate::config::Keys;
use crate::generation::{Byok, Catalog};

/// The tier the platform harness asks for (a SaaS tenant forces 4 regardless).
pub const HARNESS_TIER: u8 = 2;

/// A `POST /workspaces` body.
#[derive(Clone)]
pub struct CreateWorkspace {
    pub name: String,
    /// Sent as `runtime`. Never together with `template` for a template arm.
    pub runtime: Option<String>,
    /// Sent as `template` (e.g. `seo-agent`), in place of `runtime`.
    pub template: Option<String>,
    pub tier: Option<u8>,
    pub model: Option<String>,
    pub external: bool,
    pub parent_id: Option<String>,
    /// Secrets sent in the body; strip-listed keys never belong here (see [`SecretsPlan`]).
    pub secrets: BTreeMap<String, SecretString>,
}

impl CreateWorkspace {
    /// A platform workspace: `runtime_or_template` is sent as `template` when the latest
    /// generation knows it as a template (seo-agent), else as `runtime`. The scenarios use
    /// [`CreateWorkspace::platform_in`] with the run's generation; this is for fixed bodies.
    pub fn platform(name: &str, runtime_or_template: &str, model: &str) -> Self {
        Self::platform_in(crate::generation::latest().catalog, name, runtime_or_template, model)
    }

    /// A platform workspace as generation `cat` names it: `runtime_or_template` is sent as
    /// `template` when the catalogue knows it as a template, else as `runtime`.
    pub fn platform_in(cat: &Catalog, name: &str, runtime_or_template: &str, model: &str) -> Self {
        let is_template = cat.template(runtime_or_template).is_some();
        CreateWorkspace {
            name: name.to_owned(),
            runtime: (!is_template).then(|| runtime_or_template.to_owned()),
            template: is_template.then(|| runtime_or_template.to_owned()),
            tier: Some(HARNESS_TIER),
            model: Some(model.to_owned()),
            external: false,
            parent_id: None,
            secrets: BTreeMap::new(),
        }
    }

    /// A bring-your-own workspace: runtime label, `external: true`, no model, no tier.
    pub fn external(name: &str, runtime: &str) -> Self {
        CreateWorkspace {
            name: name.to_owned(),
            runtime: Some(runtime.to_owned()),
            template: None,
            tier: None,
            model: None,
            external: true,
            parent_id: None,
            secrets: BTreeMap::new(),
        }
    }

    pub fn with_parent(mut self, parent_id: &str) -> Self {
        self.parent_id = Some(parent_id.to_owned());
        self
    }

    pub fn with_secrets(mut self, secrets: BTreeMap<String, SecretString>) -> Self {
        self.secrets = secrets;
        self
    }

    /// The body as sent on the wire (secret values included).
    pub fn to_body(&self) -> Value {
        self.render(|s| Value::String(s.expose_secret().to_owned()))
    }

    /// The body with secret values masked: for snapshots, logs and errors.
    pub fn redacted(&self) -> Value {
        self.render(|_| Value::String(crate::redact::MASK.to_owned()))
    }

    fn render(&self, secret: impl Fn(&SecretString) -> Value) -> Value {
        let mut body = Map::new();
        body.insert("name".into(), json!(self.name));
        if let Some(t) = self.tier {
            body.insert("tier".into(), json!(t));
        }
        if let Some(m) = &self.model {
            body.insert("model".into(), json!(m));
        }
        if !self.secrets.is_empty() || !self.external {
            let secrets: Map<String, Value> = self.secrets.iter().map(|(k, v)| (k.clone(), secret(v))).collect();
            body.insert("secrets".into(), Value::Object(secrets));
        }
        if let Some(r) = &self.runtime {
            body.insert("runtime".into(), json!(r));
        }
        if let Some(t) = &self.template {
            body.insert("template".into(), json!(t));
        }
        if self.external {
            body.insert("external".into(), json!(true));
        }
        if let Some(p) = &self.parent_id {
            body.insert("parent_id".into(), json!(p));
        }
        Value::Object(body)
    }
}

impl fmt::Debug for CreateWorkspace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CreateWorkspace({})", self.redacted())
    }
}

/// Where an arm's LLM credentials come from (contract §7.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPath {
    /// The keyless platform-managed path: no secrets at all.
    Platform,
    /// The arm's own vendor key.
    Own(Vendor),
    /// No key (e.g. claude-code on the subscription default).
    None,
}

impl KeyPath {
    /// The platform harness's choice for a single-runtime run: first match wins.
    pub fn harness_default(platform_path: bool, keys: &Keys) -> KeyPath {
        if platform_path {
            return KeyPath::Platform;
        }
        [Vendor::Minimax, Vendor::Anthropic, Vendor::Google, Vendor::Openai]
            .into_iter()
            .find(|v| keys.has(*v))
            .map(KeyPath::Own)
            .unwrap_or(KeyPath::None)
    }

    /// The vendor whose key the path needs, if any.
    pub fn vendor(self) -> Option<Vendor> {
        match self {
            KeyPath::Own(v) => Some(v),
            _ => None,
        }
    }

    /// The secrets the path adds to a workspace (`SECRETS_JSON`), given the vendor's key.
    pub fn secrets(self, key: Option<&SecretString>) -> BTreeMap<String, SecretString> {
        let mut out = BTreeMap::new();
        let (KeyPath::Own(vendor), Some(key)) = (self, key) else { return out };
        let mut put = |k: &str, v: &SecretString| {
            out.insert(k.to_owned(), v.clone());
        };
        let plain = |s: &str| SecretString::from(s.to_owned());
        match vendor {
            Vendor::Minimax => put("MINIMAX_API_KEY", key),
            Vendor::Anthropic => put("ANTHROPIC_API_KEY", key),
            Vendor::Google => {
                put("GOOGLE_API_KEY", key);
                put("GEMINI_API_KEY", key);
            }
            Vendor::Openai => {
                put("OPENAI_API_KEY", key);
                put("OPENAI_BASE_URL", &plain("https://api.openai.com/v1"));
                put("MODEL_PROVIDER", &plain("openai:gpt-4o"));
                put("HERMES_INFERENCE_PROVIDER", &plain("custom"));
                put("HERMES_CUSTOM_BASE_URL", &plain("https://api.openai.com/v1"));
                put("HERMES_CUSTOM_API_KEY", key);
                put("HERMES_CUSTOM_API_MODE", &plain("chat_completions"));
            }
        }
        out
    }
}

/// Which secrets go in the create body and which are written after the workspace is
/// switched to BYOK, as the generation's BYOK flow wants: at 41409fb2 the platform refuses
/// strip-listed keys while the workspace is `platform_managed`, which it always is at create,
/// so they wait for the opt-in; at aeec8e47 every key travels in the create body (a BYOK model
/// without its key is refused there, and its keys are accepted there).
#[derive(Clone, Default)]
pub struct SecretsPlan {
    pub in_body: BTreeMap<String, SecretString>,
    /// Written one `POST /workspaces/:id/secrets` each, after `PUT …/llm-billing-mode byok`.
    pub after_byok: Vec<(String, SecretString)>,
}

impl SecretsPlan {
    pub fn split(byok: Byok, secrets: BTreeMap<String, SecretString>) -> Self {
        let mut plan = SecretsPlan::default();
        for (k, v) in secrets {
            if byok == Byok::BillingModeOptIn && catalog::is_strip_listed(&k) {
                plan.after_byok.push((k, v));
            } else {
                plan.in_body.insert(k, v);
            }
        }
        plan
    }

    /// Whether the workspace must be switched to BYOK billing.
    pub fn needs_byok(&self) -> bool {
        !self.after_byok.is_empty()
    }

    /// The key names of each half, for snapshots and logs.
    pub fn describe(&self) -> Value {
        json!({
            "in_body": self.in_body.keys().collect::<Vec<_>>(),
            "after_byok": self.after_byok.iter().map(|(k, _)| k).collect::<Vec<_>>(),
        })
    }
}

impl fmt::Debug for SecretsPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretsPlan({})", self.describe())
    }
}

/// The `POST /registry/register` body an external agent sends (contract §5).
pub fn register_body(workspace_id: &str, delivery_mode: &str) -> Value {
    json!({
        "id": workspace_id,
        "url": "https://example.invalid:443",
        "delivery_mode": delivery_mode,
        "agent_card": {"name": "e2e-ext", "skills": [{"id": "echo", "name": "Echo"}]},
    })
}
