//! The stand-in's platform: its configuration, counters and the tables behind one lock.
//!
//! One `std::sync::Mutex` guards the tables. It is never held across an `.await`: background
//! tasks sleep, spawn runtimes and only then take the lock to publish the result, checking a
//! per-workspace generation so a pause or delete that happened meanwhile wins.

pub mod a2a_queue;
mod hierarchy;
mod platform_root;
mod provision;
pub mod queue_item;
pub mod records;
pub mod tables;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use uuid::Uuid;

use super::StandInConfig;
use super::faults::ActiveFaults;
pub use records::{Activity, KvEntry, Memory, Org, Purge, Status, StoredFile, Workspace, new_token, now_rfc3339, rfc3339};
pub use tables::Tables;

/// The proxy's HTTP client for `url`: no system proxy (everything is loopback), no redirects,
/// and no idle pooling, so one client can serve every stand-in of the process whatever tokio
/// runtime it runs on. Plain-`http://` targets (the reference runtimes) get one that trusts no
/// roots ([`crate::net::client_builder`]); the system's are parsed only once an `https://`
/// agent URL is dialled.
pub fn http_client(url: &str) -> Result<&'static reqwest::Client, String> {
    static PLAIN: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    static TLS: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    let cell = if url.starts_with("http://") { &PLAIN } else { &TLS };
    cell.get_or_init(|| {
        crate::net::client_builder(url)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .build()
            .map_err(|e| format!("cannot build the proxy's HTTP client: {e}"))
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// A running stand-in's platform: what it was started with, its counters, its tables.
pub struct Platform {
    pub cfg: StandInConfig,
    /// The stand-in's own base URL (control plane, tenants, `platform_url`).
    pub url: String,
    pub requests: AtomicU64,
    /// Requests per workspace id they concerned (path segment, register/heartbeat body).
    pub workspace_requests: Mutex<HashMap<Uuid, u64>>,
    pub faults: ActiveFaults,
    tables: Mutex<Tables>,
    closed: AtomicBool,
}

impl Platform {
    pub fn new(cfg: StandInConfig, url: String) -> std::io::Result<Arc<Platform>> {
        http_client(&url).map_err(std::io::Error::other)?;
        let faults = ActiveFaults::new(&cfg.faults);
        Ok(Arc::new(Platform {
            cfg,
            url,
            requests: AtomicU64::new(0),
            workspace_requests: Mutex::new(HashMap::new()),
            faults,
            tables: Mutex::new(Tables::default()),
            closed: AtomicBool::new(false),
        }))
    }

    /// The tables, with time-driven transitions applied. A poisoned lock (a panic elsewhere
    /// while holding it) is recovered: the data is plain and stays usable.
    pub fn lock(&self) -> MutexGuard<'_, Tables> {
        let mut tables = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        tables.refresh(&self.cfg.delays, &self.faults);
        tables
    }

    /// Count one request concerning workspace `id`.
    pub fn count_workspace_request(&self, id: Uuid) {
        *self.workspace_requests.lock().unwrap_or_else(|p| p.into_inner()).entry(id).or_default() += 1;
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Stop everything: drop every runtime and forget every org.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let mut tables = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        for ws in tables.workspaces.values_mut() {
            ws.stop();
        }
        *tables = Tables::default();
    }
}
