//! The platform's records as the stand-in keeps them: orgs, workspaces (the `workspaces`
//! table plus what the tenant keeps beside it: tokens, secrets, KV, files), activity rows,
//! memories; and the JSON each one is served as.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::Platform;
use crate::catalog;
use crate::runtime::RuntimeHandle;
use crate::standin::Fault;
use crate::standin::faults::ActiveFaults;

/// The workspace status enum (contract §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Provisioning,
    Online,
    Offline,
    Degraded,
    Failed,
    Removed,
    Paused,
    Hibernated,
    /// The platform passes through it while stopping compute; the stand-in hibernates
    /// atomically, so it never shows.
    #[allow(dead_code)]
    Hibernating,
    AwaitingAgent,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Provisioning => "provisioning",
            Status::Online => "online",
            Status::Offline => "offline",
            Status::Degraded => "degraded",
            Status::Failed => "failed",
            Status::Removed => "removed",
            Status::Paused => "paused",
            Status::Hibernated => "hibernated",
            Status::Hibernating => "hibernating",
            Status::AwaitingAgent => "awaiting_agent",
        }
    }
}

/// RFC 3339 UTC timestamp, `Z`-suffixed (what the platform's JSON carries).
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

pub fn now_rfc3339() -> String {
    rfc3339(OffsetDateTime::now_utc())
}

/// A random bearer token (two v4 uuids of entropy, no dashes).
pub fn new_token(prefix: &str) -> String {
    format!("{prefix}{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

/// The provider an org gets when create names none: the throwaway control plane's
/// `MOLECULE_DEFAULT_PROVIDER` (tests/e2e/ephemeral_cp_happy_path.sh:385 at aeec8e47), which
/// is what the platform harness runs against.
pub const DEFAULT_PROVIDER: &str = "molecules-server";

/// One teardown in the control plane's purge audit (`GET /cp/admin/purges`).
pub struct Purge {
    pub id: Uuid,
    pub org_id: Uuid,
    pub org_slug: String,
    /// `pending` (queued behind a lifecycle operation) or `completed`.
    pub status: &'static str,
    pub last_step: &'static str,
    pub completed_at: Option<String>,
}

/// One org: a control-plane row plus its tenant.
pub struct Org {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub admin_token: String,
    pub created_at: String,
    pub created: Instant,
    /// Torn down, but still listed (only under [`Fault::DeletedOrgListed`]).
    pub torn_down: bool,
    /// Live org API tokens (`POST /org/tokens`): accepted wherever the admin token is.
    pub api_tokens: Vec<String>,
    /// The compute provider org create named (or the control plane's default).
    pub provider: String,
}

impl Org {
    /// A new org as `POST /cp/admin/orgs` makes it: a fresh id and tenant admin token.
    pub fn new(slug: &str, name: &str) -> Org {
        Org {
            id: Uuid::new_v4(),
            slug: slug.to_owned(),
            name: name.to_owned(),
            admin_token: new_token("tenant-"),
            created_at: now_rfc3339(),
            created: Instant::now(),
            torn_down: false,
            api_tokens: Vec::new(),
            provider: DEFAULT_PROVIDER.to_owned(),
        }
    }
}

/// A stored chat upload.
pub struct StoredFile {
    pub name: String,
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// One memory-KV entry (`POST /workspaces/:id/memory`).
pub struct KvEntry {
    pub value: Value,
    pub version: i64,
    pub updated_at: String,
    pub expires: Option<(Instant, String)>,
}

/// One HMA memory (`POST /workspaces/:id/memories`).
pub struct Memory {
    pub id: Uuid,
    pub org_id: Uuid,
    pub workspace_id: Uuid,
    /// The team a TEAM memory is visible to: the root of the writer's tree.
    pub team_root: Uuid,
    pub content: String,
    pub scope: String,
    pub namespace: String,
    pub created_at: String,
}

pub struct Workspace {
    pub id: Uuid,
    pub org_id: Uuid,
    /// Creation order (lists are in creation order).
    pub seq: u64,
    pub name: String,
    pub role: Option<String>,
    pub tier: i64,
    pub status: Status,
    pub url: String,
    pub parent_id: Option<Uuid>,
    /// The row's runtime label (`external`, `kimi`, `claude-code`, …).
    pub runtime: String,
    /// The stored delivery mode (never shown on GET, contract §3.3); see
    /// [`Workspace::effective_delivery_mode`].
    pub delivery_mode: Option<String>,
    /// Live workspace tokens (create, `POST /admin/workspaces/:id/tokens`, register bootstrap).
    pub tokens: Vec<String>,
    /// The secret register and heartbeat hand the agent (`platform_inbound_secret`).
    pub inbound_secret: String,
    pub secrets: BTreeMap<String, String>,
    pub billing_override: Option<String>,
    pub agent_card: Option<Value>,
    /// Last register or heartbeat (external-like liveness and staleness).
    pub last_seen: Option<Instant>,
    pub online_since: Option<Instant>,
    pub removed_at: Option<String>,
    pub last_error: Option<String>,
    pub active_tasks: i64,
    pub max_concurrent_tasks: i64,
    pub last_error_rate: f64,
    pub budget_limit: Option<i64>,
    pub workspace_dir: Option<String>,
    pub compute: Value,
    pub x: f64,
    pub y: f64,
    /// `workspaces.kind`: `platform` for the org's root (aeec8e47), else `workspace`.
    pub kind: &'static str,
    /// Bumped by every (re)provision, pause, hibernate and delete: a background task whose
    /// generation no longer matches gives up.
    pub generation: u64,
    pub runtime_handle: Option<RuntimeHandle>,
    /// The stand-in faults the running runtime was started with: each proxied answer from it
    /// counts as a hit of each.
    pub runtime_faults: Vec<Fault>,
    /// A2A dispatches so far ([`Fault::Transient5xx`] fails the first two).
    pub a2a_dispatches: u32,
    /// The first-boot greeting was delivered (`workspaces.has_greeted`): later boots take a
    /// restart-context turn instead (`restart_context.go:84-96` at aeec8e47).
    pub greeted: bool,
    /// A platform boot turn (greeting or restart-context) is scheduled or in flight: callers'
    /// `message/send` are queued meanwhile (`restartContextPending`). The value names the
    /// turn, so only the task that owns it clears it.
    pub boot_turn: Option<u64>,
    /// Interrupt acknowledgements this workspace's agent answered (the interrupt faults).
    pub interrupt_acks: u32,
    pub kv: BTreeMap<String, KvEntry>,
    pub files: BTreeMap<String, StoredFile>,
    pub config_files: BTreeMap<String, String>,
}

impl Workspace {
    /// A fresh row: tier 4 (SaaS tenants force it), `provisioning`, no URL, no tokens.
    pub fn new(id: Uuid, org_id: Uuid, seq: u64, name: String, runtime: &str) -> Self {
        Workspace {
            id,
            org_id,
            seq,
            name,
            role: None,
            tier: 4,
            status: Status::Provisioning,
            url: String::new(),
            parent_id: None,
            runtime: runtime.to_owned(),
            delivery_mode: None,
            tokens: Vec::new(),
            inbound_secret: new_token("pis-"),
            secrets: BTreeMap::new(),
            billing_override: None,
            agent_card: None,
            last_seen: None,
            online_since: None,
            removed_at: None,
            last_error: None,
            active_tasks: 0,
            max_concurrent_tasks: 1,
            last_error_rate: 0.0,
            budget_limit: None,
            workspace_dir: None,
            compute: json!({}),
            x: 0.0,
            y: 0.0,
            kind: "workspace",
            generation: 0,
            runtime_handle: None,
            runtime_faults: Vec::new(),
            a2a_dispatches: 0,
            greeted: false,
            boot_turn: None,
            interrupt_acks: 0,
            kv: BTreeMap::new(),
            files: BTreeMap::new(),
            config_files: BTreeMap::new(),
        }
    }

    pub fn external_like(&self) -> bool {
        catalog::BYO_RUNTIMES.contains(&self.runtime.as_str())
    }

    /// The row's mode, else `poll` for external-like runtimes, else `push` (contract §5).
    pub fn effective_delivery_mode(&self) -> &str {
        match &self.delivery_mode {
            Some(m) => m,
            None if self.external_like() => "poll",
            None => "push",
        }
    }

    /// The label GET and list report ([`Fault::ExternalLabelCoerced`] loses kimi's label).
    pub fn runtime_label(&self, faults: &ActiveFaults) -> &str {
        if matches!(self.runtime.as_str(), "kimi" | "kimi-cli") && faults.fires(Fault::ExternalLabelCoerced) {
            "external"
        } else {
            &self.runtime
        }
    }

    /// The row of `GET /workspaces/:id` (contract §3.3); `list` adds the fields GET strips.
    pub fn row(&self, platform: &Platform, list: bool) -> Value {
        let uptime = match (self.status, self.online_since) {
            (Status::Online | Status::Degraded, Some(t)) => t.elapsed().as_secs(),
            _ => 0,
        };
        let mut row = json!({
            "id": self.id.to_string(),
            "name": self.name,
            "role": self.role,
            "tier": self.tier,
            "status": self.status.as_str(),
            "url": self.url,
            "parent_id": self.parent_id.map(|p| p.to_string()),
            "active_tasks": self.active_tasks,
            "max_concurrent_tasks": self.max_concurrent_tasks,
            "last_error_rate": self.last_error_rate,
            "uptime_seconds": uptime,
            "runtime": self.runtime_label(&platform.faults),
            "x": self.x,
            "y": self.y,
            "collapsed": false,
            "broadcast_enabled": false,
            "talk_to_user_enabled": true,
            "compute": self.compute,
            "agent_card": self.agent_card,
            "last_outbound_at": Value::Null,
        });
        if platform.cfg.platform.platform_root.installed && let Some(obj) = row.as_object_mut() {
            obj.insert("kind".into(), json!(self.kind));
        }
        if list && let Some(obj) = row.as_object_mut() {
            obj.insert("budget_limit".into(), json!(self.budget_limit));
            obj.insert("monthly_spend".into(), json!(0));
            obj.insert("current_task".into(), json!(""));
            obj.insert("last_sample_error".into(), json!(self.last_error.clone().unwrap_or_default()));
            obj.insert("workspace_dir".into(), json!(self.workspace_dir));
        }
        row
    }

    /// Stop compute: drop the runtime (its handle's Drop stops it) and forget the URL.
    pub fn stop(&mut self) {
        self.runtime_handle = None;
        self.runtime_faults.clear();
        self.url.clear();
        self.online_since = None;
        self.generation += 1;
        // Its agent is gone, so a boot turn in flight fails and its gate clears (the deferred
        // `clearRestartContextPending` of the greeter and of `sendRestartContext`).
        self.boot_turn = None;
    }
}

/// One activity row (contract §3.8).
pub struct Activity {
    pub seq: u64,
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub activity_type: String,
    pub source_id: Option<String>,
    pub target_id: Option<String>,
    pub method: Option<String>,
    pub summary: Option<String>,
    pub duration_ms: Option<i64>,
    pub status: String,
    pub error_detail: Option<String>,
    pub at: OffsetDateTime,
    pub request_body: Option<Value>,
    pub response_body: Option<Value>,
}

impl Activity {
    pub fn new(workspace_id: Uuid, activity_type: &str) -> Self {
        Activity {
            seq: 0,
            id: Uuid::new_v4(),
            workspace_id,
            activity_type: activity_type.to_owned(),
            source_id: None,
            target_id: None,
            method: None,
            summary: None,
            duration_ms: None,
            status: "ok".to_owned(),
            error_detail: None,
            at: OffsetDateTime::now_utc(),
            request_body: None,
            response_body: None,
        }
    }

    pub fn json(&self) -> Value {
        let mut v = json!({
            "id": self.id.to_string(),
            "workspace_id": self.workspace_id.to_string(),
            "activity_type": self.activity_type,
            "source_id": self.source_id,
            "target_id": self.target_id,
            "method": self.method,
            "summary": self.summary,
            "duration_ms": self.duration_ms,
            "status": self.status,
            "error_detail": self.error_detail,
            "created_at": rfc3339(self.at),
        });
        if let Some(obj) = v.as_object_mut() {
            if let Some(b) = &self.request_body {
                obj.insert("request_body".into(), b.clone());
            }
            if let Some(b) = &self.response_body {
                obj.insert("response_body".into(), b.clone());
            }
        }
        v
    }
}

