//! The stand-in's in-memory platform: orgs (one tenant each), workspaces, activity, memories;
//! and the time-driven transitions (provisioning, wake, staleness, liveness).
//!
//! One `std::sync::Mutex` guards it all. It is never held across an `.await`: background
//! tasks sleep, spawn runtimes and only then take the lock to publish the result, checking a
//! per-workspace generation so a pause or delete that happened meanwhile wins.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::{Fault, StandInConfig};
use crate::catalog;
use crate::runtime::{self, RuntimeConfig, RuntimeFault, RuntimeHandle};

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
}

impl Org {
    pub fn instance_status(&self, org_ready: Duration) -> &'static str {
        if self.created.elapsed() >= org_ready { "running" } else { "provisioning" }
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
    /// Bumped by every (re)provision, pause, hibernate and delete: a background task whose
    /// generation no longer matches gives up.
    pub generation: u64,
    pub runtime_handle: Option<RuntimeHandle>,
    /// A2A dispatches so far ([`Fault::Transient5xx`] fails the first two).
    pub a2a_dispatches: u32,
    pub kv: BTreeMap<String, KvEntry>,
    pub files: BTreeMap<String, StoredFile>,
    pub config_files: BTreeMap<String, String>,
}

impl Workspace {
    pub fn external_like(&self) -> bool {
        catalog::is_external_like(&self.runtime)
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
    pub fn runtime_label(&self, cfg: &StandInConfig) -> &str {
        if cfg.has(Fault::ExternalLabelCoerced) && matches!(self.runtime.as_str(), "kimi" | "kimi-cli") {
            "external"
        } else {
            &self.runtime
        }
    }

    /// The row of `GET /workspaces/:id` (contract §3.3); `list` adds the fields GET strips.
    pub fn row(&self, cfg: &StandInConfig, list: bool) -> Value {
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
            "runtime": self.runtime_label(cfg),
            "x": self.x,
            "y": self.y,
            "collapsed": false,
            "broadcast_enabled": false,
            "talk_to_user_enabled": true,
            "compute": self.compute,
            "agent_card": self.agent_card,
            "last_outbound_at": Value::Null,
        });
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
        self.url.clear();
        self.online_since = None;
        self.generation += 1;
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

#[derive(Default)]
pub struct State {
    /// Orgs in the control plane's list, in creation order.
    pub orgs: Vec<Org>,
    pub workspaces: BTreeMap<Uuid, Workspace>,
    /// Every activity row, in insertion order (`seq` ascending).
    pub activity: Vec<Activity>,
    pub memories: Vec<Memory>,
    next_seq: u64,
}

impl State {
    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// The live (not torn down) org with this id.
    pub fn tenant(&self, org_id: Uuid) -> Option<&Org> {
        self.orgs.iter().find(|o| o.id == org_id && !o.torn_down)
    }

    /// A workspace of `org_id` (rows of other tenants do not exist for this tenant).
    pub fn ws(&self, org_id: Uuid, id: Uuid) -> Option<&Workspace> {
        self.workspaces.get(&id).filter(|w| w.org_id == org_id)
    }

    pub fn ws_mut(&mut self, org_id: Uuid, id: Uuid) -> Option<&mut Workspace> {
        self.workspaces.get_mut(&id).filter(|w| w.org_id == org_id)
    }

    /// Non-removed workspaces of `org_id` whose parent is `parent`.
    pub fn children(&self, org_id: Uuid, parent: Uuid) -> Vec<Uuid> {
        self.workspaces
            .values()
            .filter(|w| w.org_id == org_id && w.parent_id == Some(parent) && w.status != Status::Removed)
            .map(|w| w.id)
            .collect()
    }

    /// All non-removed descendants of `id`, breadth first.
    pub fn descendants(&self, org_id: Uuid, id: Uuid) -> Vec<Uuid> {
        let mut out = Vec::new();
        let mut frontier = vec![id];
        while let Some(cur) = frontier.pop() {
            for c in self.children(org_id, cur) {
                if !out.contains(&c) && c != id {
                    out.push(c);
                    frontier.push(c);
                }
            }
        }
        out
    }

    /// Append an activity row, honouring the activity faults.
    pub fn record(&mut self, cfg: &StandInConfig, mut row: Activity) -> Uuid {
        if cfg.has(Fault::ProvenanceLost) {
            row.source_id = None;
        }
        row.seq = self.next_seq();
        let id = row.id;
        self.activity.push(row);
        id
    }

    /// Evaluate the time-driven transitions of external-like workspaces (contract §4): a
    /// runtime-`external` row that has not registered or heartbeated for `stale_after` goes
    /// `awaiting_agent`; a lapsed liveness key sends kimi/kimi-cli `offline` and external
    /// `awaiting_agent`. Done on read, so no sweeper and no timing races in tests.
    pub fn refresh(&mut self, cfg: &StandInConfig) {
        let d = &cfg.delays;
        for ws in self.workspaces.values_mut() {
            if !ws.external_like() {
                continue;
            }
            let Some(seen) = ws.last_seen else { continue };
            let idle = seen.elapsed();
            let settled = matches!(ws.status, Status::Removed | Status::Paused | Status::Hibernated);
            if ws.runtime == "external" {
                if cfg.has(Fault::ExternalNeverStale) {
                    continue;
                }
                let stale = matches!(ws.status, Status::Online | Status::Degraded) && idle >= d.stale_after;
                let lapsed = !settled && idle >= d.liveness_ttl;
                if stale || lapsed {
                    ws.status = Status::AwaitingAgent;
                }
            } else if !settled && ws.status != Status::Offline && idle >= d.liveness_ttl {
                ws.status = Status::Offline;
            }
        }
    }
}

/// The proxy's HTTP client: no system proxy (everything is loopback), no redirects, and no
/// idle pooling, so one client can serve every stand-in of the process whatever tokio
/// runtime it runs on (building a TLS-capable client costs tens of milliseconds; tests start
/// many stand-ins).
pub fn http_client() -> Result<&'static reqwest::Client, String> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            crate::client::install_crypto_provider();
            reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(0)
                .build()
                .map_err(|e| format!("cannot build the proxy's HTTP client: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The shared core of a running stand-in.
pub struct Inner {
    pub cfg: StandInConfig,
    /// The stand-in's own base URL (control plane, tenants, `platform_url`).
    pub url: String,
    pub requests: AtomicU64,
    state: Mutex<State>,
    closed: AtomicBool,
}

impl Inner {
    pub fn new(cfg: StandInConfig, url: String) -> std::io::Result<Arc<Inner>> {
        http_client().map_err(std::io::Error::other)?;
        Ok(Arc::new(Inner {
            cfg,
            url,
            requests: AtomicU64::new(0),
            state: Mutex::new(State::default()),
            closed: AtomicBool::new(false),
        }))
    }

    /// The state, with time-driven transitions applied. A poisoned lock (a panic elsewhere
    /// while holding it) is recovered: the data is plain and stays usable.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.refresh(&self.cfg);
        st
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Stop everything: drop every runtime and forget every org.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        for ws in st.workspaces.values_mut() {
            ws.stop();
        }
        *st = State::default();
    }

    /// The runtime faults the stand-in's faults imply for a runtime it starts for a workspace
    /// of `runtime` on `model`.
    fn runtime_faults(&self, runtime: &str, model: &str) -> Vec<RuntimeFault> {
        let mut v = Vec::new();
        let misroute = self.cfg.has(Fault::PlatformModelsMisroute) && crate::catalog::is_platform_model(runtime, model);
        if self.cfg.has(Fault::RuntimeMisspells) || misroute {
            v.push(RuntimeFault::MisspellsAnswer);
        }
        if self.cfg.has(Fault::ReplyErrorMarker) {
            v.push(RuntimeFault::ErrorMarker);
        }
        v
    }

    /// (Re)provision `id`: status `provisioning`, url cleared, compute stopped; after `delay`
    /// a reference runtime is started and the row goes `online` with its URL (external-like
    /// rows have no compute and go back to `awaiting_agent` instead). A later provision,
    /// pause, hibernate or delete supersedes this one.
    pub fn provision(self: &Arc<Self>, st: &mut State, id: Uuid, delay: Duration) {
        let Some(ws) = st.workspaces.get_mut(&id) else { return };
        ws.stop();
        ws.status = Status::Provisioning;
        ws.last_error = None;
        let generation = ws.generation;
        let external_like = ws.external_like();
        let weak = Arc::downgrade(self);
        tokio::spawn(provision_task(weak, id, generation, delay, external_like));
    }
}

async fn provision_task(weak: Weak<Inner>, id: Uuid, generation: u64, delay: Duration, external_like: bool) {
    let current = |inner: &Inner, st: &State| {
        !inner.is_closed() && st.workspaces.get(&id).is_some_and(|w| w.generation == generation)
    };
    let slow = weak.upgrade().is_some_and(|i| i.cfg.has(Fault::SlowProvisioning));
    if slow {
        // 5x longer, and half-way the bootstrap watcher marks it `failed` (transient, §4).
        let total = delay.saturating_mul(5);
        tokio::time::sleep(total / 2).await;
        let Some(inner) = weak.upgrade() else { return };
        {
            let mut st = inner.lock();
            if current(&inner, &st)
                && let Some(ws) = st.workspaces.get_mut(&id)
            {
                ws.status = Status::Failed;
                ws.last_error = Some("instance bootstrap not confirmed yet (transient)".to_owned());
            }
        }
        drop(inner);
        tokio::time::sleep(total - total / 2).await;
    } else {
        tokio::time::sleep(delay).await;
    }
    let Some(inner) = weak.upgrade() else { return };
    if !current(&inner, &inner.lock()) {
        return;
    }
    if external_like {
        let mut st = inner.lock();
        if current(&inner, &st)
            && let Some(ws) = st.workspaces.get_mut(&id)
        {
            ws.status = Status::AwaitingAgent;
        }
        return;
    }
    let (runtime, model) = match inner.lock().workspaces.get(&id) {
        Some(ws) => (ws.runtime.clone(), ws.secrets.get("MODEL").cloned().unwrap_or_default()),
        None => return,
    };
    let cfg = RuntimeConfig::new(id.to_string()).with_faults(inner.runtime_faults(&runtime, &model));
    let spawned = runtime::spawn(cfg).await;
    let mut st = inner.lock();
    if !current(&inner, &st) {
        return; // superseded: the handle drops here and the runtime stops
    }
    let Some(ws) = st.workspaces.get_mut(&id) else { return };
    match spawned {
        Ok(handle) => {
            ws.url = if inner.cfg.has(Fault::OnlineWithoutUrl) { String::new() } else { handle.url() };
            ws.runtime_handle = Some(handle);
            ws.status = Status::Online;
            ws.online_since = Some(Instant::now());
            ws.last_error = None;
        }
        Err(e) => {
            ws.status = Status::Failed;
            ws.last_error = Some(format!("runtime failed to start: {e}"));
        }
    }
}
