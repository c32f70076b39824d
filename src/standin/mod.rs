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

mod auth;
mod config;
mod faults;
mod guard;
mod handlers;
mod platform;
mod reply;
mod router;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::oneshot;

pub use config::{DEFAULT_ADMIN_TOKEN, Delays, StandInConfig};
pub use faults::{Fault, FaultOutcome, Proof, Verdict};

/// A running stand-in. Dropping it stops the listener and every runtime it started.
pub struct StandIn {
    addr: SocketAddr,
    platform: Arc<platform::Platform>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl StandIn {
    /// Bind `listen` (port 0 picks a free port) and serve in the background.
    pub async fn start(cfg: StandInConfig, listen: SocketAddr) -> std::io::Result<StandIn> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let platform = platform::Platform::new(cfg, format!("http://{addr}"))?;
        let app = router::router(platform.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(StandIn { addr, platform, shutdown: Some(tx) })
    }

    /// The base URL of both the control plane and every tenant (`http://127.0.0.1:<port>`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The control-plane admin bearer this stand-in accepts.
    pub fn admin_token(&self) -> &str {
        &self.platform.cfg.admin_token
    }

    /// Requests served so far (any path): lets a test assert that a case talked to it.
    pub fn requests(&self) -> u64 {
        self.platform.requests.load(Ordering::Relaxed)
    }

    /// How many times `fault` actually changed this stand-in's behaviour (counted where the
    /// fault alters an answer or the state; 0 when it is off or never came into play).
    pub fn fault_hits(&self, fault: Fault) -> u64 {
        self.platform.faults.hits(fault)
    }

    /// Requests served whose path or proxied target concerned `workspace_id` (register and
    /// heartbeat count by the id in their body); 0 for an id that is not a UUID.
    pub fn requests_for_workspace(&self, workspace_id: &str) -> u64 {
        let Ok(id) = uuid::Uuid::parse_str(workspace_id.trim()) else { return 0 };
        self.platform.workspace_requests.lock().unwrap_or_else(|p| p.into_inner()).get(&id).copied().unwrap_or(0)
    }

    /// The faults this stand-in was started with.
    pub fn faults(&self) -> &BTreeSet<Fault> {
        &self.platform.cfg.faults
    }

    /// Add orgs as `POST /cp/admin/orgs` would, without a request each: for fixtures that
    /// need hundreds of other orgs listed. Slugs already taken are skipped.
    pub fn seed_orgs<'a>(&self, slugs: impl IntoIterator<Item = &'a str>) {
        let mut tables = self.platform.lock();
        let mut taken: std::collections::HashSet<String> = tables.orgs.iter().map(|o| o.slug.clone()).collect();
        for slug in slugs {
            if taken.insert(slug.to_owned()) {
                tables.orgs.push(platform::Org::new(slug, slug));
            }
        }
    }

    /// Orgs currently in the control plane's org list.
    pub fn org_count(&self) -> usize {
        self.platform.lock().orgs.len()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.platform.close();
    }
}
