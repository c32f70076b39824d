//! The platform stand-in: an in-process, in-memory stand-in of the Molecule control plane,
//! tenant API and A2A proxy, faithful to `shared/contract/platform.md`, with a catalogue of
//! named faults. Each platform workspace it provisions is served by a reference runtime on a
//! loopback port.
//!
//! One listener serves the control plane (`/cp/admin/*`) and every tenant: tenants are told
//! apart by `X-Molecule-Org-Id`, so the tenant URL of every org is the stand-in's own URL.
//! Time-driven transitions (org readiness, provisioning, wake) run as background tasks after
//! the configured [`Delays`]; staleness and liveness lapses of external workspaces are
//! evaluated when a request reads the state, so they are deterministic and need no sweeper.
//!
//! The stand-in writes its own JSON from the contract and shares no wire types with the
//! clients (ARCHITECTURE.md): a field misnamed on one side cannot be mirrored on the other.

// Handlers bail out early with a finished `Response` (`Result<_, Response>`); its size is
// axum's and those paths are cold, so boxing would only add noise.
#![allow(clippy::result_large_err)]

mod cp;
mod extras;
mod faults;
mod http;
mod proxy;
mod registry;
mod state;
mod tenant;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::oneshot;

pub use faults::{Fault, FaultOutcome};

/// How long the stand-in's time-driven transitions take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delays {
    /// Org `instance_status` `provisioning` → `running`.
    pub org_ready: Duration,
    /// Workspace `provisioning` → `online` when the runtime has no entry below.
    pub provision: Duration,
    /// Per-runtime provisioning time (`claude-code`, `hermes`, …).
    pub provision_by_runtime: BTreeMap<String, Duration>,
    /// Auto-wake of a hibernated workspace (`provisioning` → `online`).
    pub wake: Duration,
    /// An `online`/`degraded` workspace of runtime exactly `external` with no heartbeat or
    /// register for this long reads `awaiting_agent` (platform: 90 s).
    pub stale_after: Duration,
    /// The liveness key TTL of external-like workspaces (platform: 180 s); when it lapses
    /// kimi/kimi-cli read `offline`, external reads `awaiting_agent`.
    pub liveness_ttl: Duration,
}

impl Delays {
    /// Hermetic-test delays: everything well under a second except the staleness windows,
    /// which must leave a test time to register and read `online` first.
    pub fn fast() -> Self {
        Delays {
            org_ready: Duration::from_millis(150),
            provision: Duration::from_millis(200),
            provision_by_runtime: BTreeMap::new(),
            wake: Duration::from_millis(200),
            stale_after: Duration::from_secs(1),
            liveness_ttl: Duration::from_secs(2),
        }
    }

    /// Seconds, different per runtime: close enough to staging's shape (without its minutes)
    /// that a live-tier run against the stand-in exercises the waits for real.
    pub fn realistic() -> Self {
        let ms = Duration::from_millis;
        let by_runtime = [
            ("claude-code", ms(3000)),
            ("seo-agent", ms(3000)),
            ("hermes", ms(4000)),
            ("codex", ms(2500)),
            ("openclaw", ms(3500)),
            ("google-adk", ms(3000)),
            ("mock", ms(500)),
        ];
        Delays {
            org_ready: ms(2000),
            provision: ms(3000),
            provision_by_runtime: by_runtime.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            wake: ms(2000),
            stale_after: ms(5000),
            liveness_ttl: ms(10_000),
        }
    }

    /// The provisioning time of `runtime`.
    pub fn provision_for(&self, runtime: &str) -> Duration {
        self.provision_by_runtime.get(runtime).copied().unwrap_or(self.provision)
    }
}

impl Default for Delays {
    fn default() -> Self {
        Delays::fast()
    }
}

/// How a stand-in is started: its admin token, delays and faults.
#[derive(Clone)]
pub struct StandInConfig {
    /// The control-plane admin bearer (`/cp/admin/*`). Default `standin-admin-token`.
    pub admin_token: String,
    pub delays: Delays,
    pub faults: BTreeSet<Fault>,
    /// Print one line per request to stderr (`POST /workspaces 201 3ms org=<id>`); never
    /// bodies or tokens.
    pub log_requests: bool,
}

/// The default control-plane admin token.
pub const DEFAULT_ADMIN_TOKEN: &str = "standin-admin-token";

impl StandInConfig {
    /// Fast delays, no faults, quiet.
    pub fn new() -> Self {
        StandInConfig {
            admin_token: DEFAULT_ADMIN_TOKEN.to_owned(),
            delays: Delays::fast(),
            faults: BTreeSet::new(),
            log_requests: false,
        }
    }

    pub fn with_fault(mut self, f: Fault) -> Self {
        self.faults.insert(f);
        self
    }

    pub fn with_faults(mut self, fs: impl IntoIterator<Item = Fault>) -> Self {
        self.faults.extend(fs);
        self
    }

    pub fn with_delays(mut self, d: Delays) -> Self {
        self.delays = d;
        self
    }

    /// Settings from the environment, for the CLI and the live tier's embedded target:
    /// `MOLECULE_ADMIN_TOKEN`, `STANDIN_FAULTS` (comma list of fault names),
    /// `STANDIN_DELAYS=fast|realistic` (default `fast`), per-delay overrides in milliseconds
    /// (`STANDIN_ORG_READY_MS`, `STANDIN_PROVISION_MS`, `STANDIN_WAKE_MS`,
    /// `STANDIN_STALE_AFTER_MS`, `STANDIN_LIVENESS_TTL_MS`) and `STANDIN_LOG=0` to silence
    /// the request log (on by default here, off in [`StandInConfig::new`]).
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// [`StandInConfig::from_env`] over any lookup (testable without touching the process
    /// environment).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |k: &str| get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let mut cfg = StandInConfig::new();
        cfg.log_requests = true;
        if let Some(t) = get("MOLECULE_ADMIN_TOKEN") {
            cfg.admin_token = t;
        }
        if let Some(list) = get("STANDIN_FAULTS") {
            for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                cfg.faults.insert(name.parse()?);
            }
        }
        cfg.delays = match get("STANDIN_DELAYS").as_deref() {
            None | Some("fast") => Delays::fast(),
            Some("realistic") => Delays::realistic(),
            Some(other) => return Err(format!("STANDIN_DELAYS={other:?}: expected fast or realistic")),
        };
        let ms = |k: &str| -> Result<Option<Duration>, String> {
            get(k)
                .map(|v| v.parse::<u64>().map(Duration::from_millis).map_err(|_| format!("{k}={v:?}: expected milliseconds")))
                .transpose()
        };
        if let Some(d) = ms("STANDIN_ORG_READY_MS")? {
            cfg.delays.org_ready = d;
        }
        if let Some(d) = ms("STANDIN_PROVISION_MS")? {
            // An explicit provisioning time applies to every runtime.
            cfg.delays.provision = d;
            cfg.delays.provision_by_runtime.clear();
        }
        if let Some(d) = ms("STANDIN_WAKE_MS")? {
            cfg.delays.wake = d;
        }
        if let Some(d) = ms("STANDIN_STALE_AFTER_MS")? {
            cfg.delays.stale_after = d;
        }
        if let Some(d) = ms("STANDIN_LIVENESS_TTL_MS")? {
            cfg.delays.liveness_ttl = d;
        }
        match get("STANDIN_LOG").as_deref() {
            None => {}
            Some("0" | "false" | "off") => cfg.log_requests = false,
            Some(_) => cfg.log_requests = true,
        }
        Ok(cfg)
    }

    pub fn has(&self, f: Fault) -> bool {
        self.faults.contains(&f)
    }
}

impl Default for StandInConfig {
    fn default() -> Self {
        StandInConfig::new()
    }
}

/// Debug never prints the admin token.
impl fmt::Debug for StandInConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StandInConfig")
            .field("admin_token", &"[REDACTED]")
            .field("delays", &self.delays)
            .field("faults", &self.faults)
            .field("log_requests", &self.log_requests)
            .finish()
    }
}

/// A running stand-in. Dropping it stops the listener and every runtime it started.
pub struct StandIn {
    addr: SocketAddr,
    inner: Arc<state::Inner>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl StandIn {
    /// Bind `listen` (port 0 picks a free port) and serve in the background.
    pub async fn start(cfg: StandInConfig, listen: SocketAddr) -> std::io::Result<StandIn> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let inner = state::Inner::new(cfg, format!("http://{addr}"))?;
        let app = http::router(inner.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(StandIn { addr, inner, shutdown: Some(tx) })
    }

    /// The base URL of both the control plane and every tenant (`http://127.0.0.1:<port>`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The control-plane admin bearer this stand-in accepts.
    pub fn admin_token(&self) -> &str {
        &self.inner.cfg.admin_token
    }

    /// Requests served so far (any path): lets a test assert that a case talked to it.
    pub fn requests(&self) -> u64 {
        self.inner.requests.load(Ordering::Relaxed)
    }

    /// How many times `fault` actually changed this stand-in's behaviour (counted where the
    /// fault alters an answer or the state; 0 when it is off or never came into play).
    pub fn fault_hits(&self, fault: Fault) -> u64 {
        self.inner.faults.hits(fault)
    }

    /// Requests served whose path or proxied target concerned `workspace_id` (register and
    /// heartbeat count by the id in their body); 0 for an id that is not a UUID.
    pub fn requests_for_workspace(&self, workspace_id: &str) -> u64 {
        let Ok(id) = uuid::Uuid::parse_str(workspace_id.trim()) else { return 0 };
        self.inner.workspace_requests.lock().unwrap_or_else(|p| p.into_inner()).get(&id).copied().unwrap_or(0)
    }

    /// The faults this stand-in was started with.
    pub fn faults(&self) -> &BTreeSet<Fault> {
        &self.inner.cfg.faults
    }

    /// Orgs currently in the control plane's org list.
    pub fn org_count(&self) -> usize {
        self.inner.lock().orgs.len()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.inner.close();
    }
}
