//! Provisioning: a (re)provisioned workspace starts a reference runtime after its delay and
//! goes online with its URL (platform: the provisioner plus the bootstrap watcher).

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::records::Status;
use super::tables::Tables;
use super::Platform;
use crate::runtime::{self, RuntimeConfig, RuntimeFault};
use crate::standin::Fault;

impl Platform {
    /// The runtime faults the stand-in's faults imply for a runtime it starts for a workspace
    /// of `runtime` on `model`.
    fn runtime_faults(&self, runtime: &str, model: &str) -> Vec<Fault> {
        let mut v = Vec::new();
        if self.faults.is_on(Fault::RuntimeMisspells) {
            v.push(Fault::RuntimeMisspells);
        }
        if self.faults.is_on(Fault::PlatformModelsMisroute) && self.cfg.platform.catalog.is_platform_model(runtime, model) {
            v.push(Fault::PlatformModelsMisroute);
        }
        if self.faults.is_on(Fault::ReplyErrorMarker) {
            v.push(Fault::ReplyErrorMarker);
        }
        v
    }

    /// The provision-time BYOK preflight, where the generation has the create gate (it "REMAINS
    /// the backstop", `h/model_registry_validation.go:201-203` @aeec8e47): a model that derives
    /// to a vendor provider with none of its keys among the workspace's secrets cannot boot.
    fn missing_credential(&self, runtime: &str, secrets: &std::collections::BTreeMap<String, String>) -> Option<String> {
        let cat = self.cfg.platform.catalog;
        let model = secrets.get("MODEL").map(String::as_str).unwrap_or_default();
        if cat.byok != crate::generation::Byok::KeysInCreateBody || model.is_empty() {
            return None;
        }
        let env: Vec<&str> = secrets.keys().map(String::as_str).collect();
        let crate::catalog::Derived::Provider(name) = cat.derive_provider(runtime, model, &env) else { return None };
        let p = cat.provider(runtime, name).filter(|p| p.name != "platform")?;
        (!p.auth_env.iter().any(|k| env.contains(k)))
            .then(|| format!("MISSING_BYOK_CREDENTIAL: model {model:?} resolves to BYOK provider {name:?} but no credential it accepts ({}) is set", p.auth_env.join(", ")))
    }

    /// (Re)provision `id`: status `provisioning`, url cleared, compute stopped; after `delay`
    /// a reference runtime is started and the row goes `online` with its URL (external-like
    /// rows have no compute and go back to `awaiting_agent` instead). A later provision,
    /// pause, hibernate or delete supersedes this one.
    pub fn provision(self: &Arc<Self>, tables: &mut Tables, id: Uuid, delay: Duration) {
        let Some(ws) = tables.workspaces.get_mut(&id) else { return };
        ws.stop();
        ws.status = Status::Provisioning;
        ws.last_error = None;
        let generation = ws.generation;
        let external_like = ws.external_like();
        let weak = Arc::downgrade(self);
        tokio::spawn(provision_task(weak, id, generation, delay, external_like));
    }
}

/// Whether provision `generation` of `id` is still the one that counts.
fn current(platform: &Platform, tables: &Tables, id: Uuid, generation: u64) -> bool {
    !platform.is_closed() && tables.workspaces.get(&id).is_some_and(|w| w.generation == generation)
}

async fn provision_task(weak: Weak<Platform>, id: Uuid, generation: u64, delay: Duration, external_like: bool) {
    let slow = weak.upgrade().is_some_and(|p| p.faults.fires(Fault::SlowProvisioning));
    if slow {
        slow_bootstrap(&weak, id, generation, delay).await;
    } else {
        tokio::time::sleep(delay).await;
    }
    let Some(platform) = weak.upgrade() else { return };
    let (runtime, model) = {
        let mut tables = platform.lock();
        if !current(&platform, &tables, id, generation) {
            return;
        }
        let Some(ws) = tables.workspaces.get_mut(&id) else { return };
        if external_like {
            // No compute: back to waiting for the agent to register.
            ws.status = Status::AwaitingAgent;
            return;
        }
        if let Some(why) = platform.missing_credential(&ws.runtime, &ws.secrets) {
            ws.status = Status::Failed;
            ws.last_error = Some(why);
            return;
        }
        (ws.runtime.clone(), ws.secrets.get("MODEL").cloned().unwrap_or_default())
    };
    start_runtime(&platform, id, generation, &runtime, &model).await;
}

/// [`Fault::SlowProvisioning`]: five times the delay, and half-way the bootstrap watcher marks
/// the row `failed` (transient, contract §4).
async fn slow_bootstrap(weak: &Weak<Platform>, id: Uuid, generation: u64, delay: Duration) {
    let total = delay.saturating_mul(5);
    tokio::time::sleep(total / 2).await;
    if let Some(platform) = weak.upgrade() {
        let mut tables = platform.lock();
        if current(&platform, &tables, id, generation)
            && let Some(ws) = tables.workspaces.get_mut(&id)
        {
            ws.status = Status::Failed;
            ws.last_error = Some("instance bootstrap not confirmed yet (transient)".to_owned());
        }
    }
    tokio::time::sleep(total - total / 2).await;
}

/// Start the reference runtime of `id` and publish it: `online` with its URL, or `failed`.
async fn start_runtime(platform: &Arc<Platform>, id: Uuid, generation: u64, runtime: &str, model: &str) {
    let faults = platform.runtime_faults(runtime, model);
    let runtime_faults = faults.iter().map(|f| match f {
        Fault::ReplyErrorMarker => RuntimeFault::ErrorMarker,
        _ => RuntimeFault::MisspellsAnswer,
    });
    let cfg = RuntimeConfig::new(id.to_string()).with_faults(runtime_faults);
    let spawned = runtime::spawn(cfg).await;
    let mut tables = platform.lock();
    if !current(platform, &tables, id, generation) {
        return; // superseded: the handle drops here and the runtime stops
    }
    let Some(ws) = tables.workspaces.get_mut(&id) else { return };
    match spawned {
        Ok(handle) => {
            ws.url = if platform.faults.fires(Fault::OnlineWithoutUrl) { String::new() } else { handle.url() };
            ws.runtime_handle = Some(handle);
            ws.runtime_faults = faults;
            ws.status = Status::Online;
            ws.online_since = Some(Instant::now());
            ws.last_error = None;
            platform.came_online(&mut tables, id);
        }
        Err(e) => {
            ws.status = Status::Failed;
            ws.last_error = Some(format!("runtime failed to start: {e}"));
        }
    }
}
