//! The lifecycle handlers (contract §3.6; handlers/workspace_restart.go at the reference
//! commit): pause, resume, hibernate, restart. All WorkspaceAuth.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::standin::Fault;
use crate::standin::auth::WorkspaceAuth;
use crate::standin::platform::{Platform, Status, Tables};
use crate::standin::reply::{error, json_object, json_reply, query_flag, workspace_not_found};

/// From 22ee2b0e (`Generation::cascade_guard`), pause and resume of a workspace with live
/// `targets` beyond itself answer 409 naming them unless `?cascade=true`
/// (`workspace_restart.go` `Pause` 1687-1693, `Resume` 2010-2016 at aeec8e47).
fn cascade_refusal(platform: &Platform, tables: &Tables, op: &str, targets: &[Uuid], q: &HashMap<String, String>) -> Option<Response> {
    if !platform.cfg.platform.cascade_guard || targets.len() < 2 || q.get("cascade").map(String::as_str) == Some("true") {
        return None;
    }
    if platform.faults.fires(Fault::CascadeGuardMissing) {
        return None;
    }
    let descendants: Vec<Value> =
        targets[1..].iter().filter_map(|t| tables.workspaces.get(t)).map(|w| json!({"id": w.id.to_string(), "name": w.name})).collect();
    let body = json!({"error": format!("workspace has descendants — use ?cascade=true to {op} all"), "descendants": descendants});
    Some(json_reply(StatusCode::CONFLICT, body))
}

/// `POST /workspaces/{id}/pause`: it and its non-paused descendants → `paused`, compute
/// stopped, url cleared (refused by the cascade guard where the generation has it).
pub async fn pause(State(platform): State<Arc<Platform>>, auth: WorkspaceAuth, Query(q): Query<HashMap<String, String>>) -> Response {
    let (org, id) = (auth.tenant.org_id, auth.id);
    let mut tables = platform.lock();
    if !tables.workspace(org, id).is_some_and(|w| !matches!(w.status, Status::Removed | Status::Paused)) {
        return error(StatusCode::NOT_FOUND, "workspace not found or already paused");
    }
    let targets: Vec<Uuid> = std::iter::once(id)
        .chain(tables.descendants(org, id))
        .filter(|t| tables.workspaces.get(t).is_some_and(|w| !matches!(w.status, Status::Paused | Status::Removed)))
        .collect();
    if let Some(refused) = cascade_refusal(&platform, &tables, "pause", &targets, &q) {
        if platform.faults.fires(Fault::CascadeRefusalPauses)
            && let Some(w) = tables.workspaces.get_mut(&id)
        {
            w.stop();
            w.status = Status::Paused;
        }
        return refused;
    }
    if !platform.faults.fires(Fault::PauseIgnored) {
        let still_serves = platform.faults.is_on(Fault::PausedStillServes);
        for t in &targets {
            if let Some(w) = tables.workspaces.get_mut(t) {
                // The fault: the flag flips but the runtime is never stopped.
                let keep = if still_serves { w.runtime_handle.take() } else { None };
                w.stop();
                w.runtime_handle = keep;
                w.status = Status::Paused;
            }
        }
    }
    json_reply(StatusCode::OK, json!({"status": "paused", "paused_count": targets.len()}))
}

fn parent_paused(name: &str) -> Response {
    error(StatusCode::CONFLICT, &format!("parent workspace {name:?} is paused — resume it first"))
}

/// `POST /workspaces/{id}/resume`: only `paused`; it and its paused descendants re-provision
/// (refused by the cascade guard where the generation has it).
pub async fn resume(State(platform): State<Arc<Platform>>, auth: WorkspaceAuth, Query(q): Query<HashMap<String, String>>) -> Response {
    let (org, id) = (auth.tenant.org_id, auth.id);
    let mut tables = platform.lock();
    if !tables.workspace(org, id).is_some_and(|w| w.status == Status::Paused) {
        return error(StatusCode::NOT_FOUND, "workspace not found or not paused");
    }
    if let Some(name) = tables.paused_ancestor(org, id) {
        return parent_paused(&name);
    }
    let targets: Vec<Uuid> = std::iter::once(id)
        .chain(tables.descendants(org, id))
        .filter(|t| tables.workspaces.get(t).is_some_and(|w| w.status == Status::Paused))
        .collect();
    if let Some(refused) = cascade_refusal(&platform, &tables, "resume", &targets, &q) {
        return refused;
    }
    if !platform.faults.fires(Fault::ResumeStaysPaused) {
        // Under `settling-answered-503` a resumed workspace settles for at least 300 ms, so a
        // send right after the resume surely meets it settling (the fault's refusal is certain).
        let floor = if platform.faults.is_on(Fault::SettlingAnswered503) { Duration::from_millis(300) } else { Duration::ZERO };
        for t in &targets {
            let delay = tables.workspaces.get(t).map(|w| platform.cfg.delays.provision_for(&w.runtime)).unwrap_or_default().max(floor);
            platform.provision(&mut tables, *t, delay);
        }
    }
    json_reply(StatusCode::OK, json!({"status": "provisioning", "resumed_count": targets.len()}))
}

/// `POST /workspaces/{id}/hibernate[?force=true]` (`workspace_restart.go` `Hibernate` 633-686 at
/// aeec8e47): only `online`/`degraded` (404 else); a workspace with active tasks (its runtime's
/// turns in flight) answers 409 naming their count unless `?force=true`; forced, it hibernates
/// and its runtime stops, cutting the turns off, where the generation has core#4293
/// (`Generation::force_hibernates_busy`); before, the forced claim matched no row and the
/// handler still answered 200 `hibernated` (41409fb2:438-473).
pub async fn hibernate(State(platform): State<Arc<Platform>>, auth: WorkspaceAuth, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut tables = platform.lock();
    let hibernatable = |w: &&mut crate::standin::platform::Workspace| matches!(w.status, Status::Online | Status::Degraded);
    let Some(ws) = tables.workspace_mut(auth.tenant.org_id, auth.id).filter(hibernatable) else {
        return error(StatusCode::NOT_FOUND, "workspace not found or not in a hibernatable state (must be online or degraded)");
    };
    let (busy, force) = (ws.active_tasks > 0, query_flag(&q, "force"));
    if busy && !force && !platform.faults.fires(Fault::HibernateIgnoresBusy) {
        return json_reply(
            StatusCode::CONFLICT,
            json!({"error": "workspace has active tasks; use ?force=true to terminate them", "active_tasks": ws.active_tasks}),
        );
    }
    let spared = busy && force && (!platform.cfg.platform.force_hibernates_busy || platform.faults.fires(Fault::ForceSparesBusy));
    if !spared && !platform.faults.fires(Fault::HibernateIgnored) {
        ws.stop();
        ws.active_tasks = 0;
        ws.status = Status::Hibernated;
    }
    json_reply(StatusCode::OK, json!({"status": "hibernated"}))
}

/// Restart a workspace (`POST …/restart`, and the async restart after a secret or config
/// write): external-like and `mock` rows have no compute, so it is a no-op for them.
/// Returns whether a restart was started.
pub fn restart_now(platform: &Arc<Platform>, tables: &mut Tables, id: Uuid, delay: Duration) -> bool {
    let Some(ws) = tables.workspaces.get(&id) else { return false };
    if ws.external_like() || ws.runtime == "mock" {
        return false;
    }
    platform.provision(tables, id, delay);
    // After the provision's stop, which would clear it: the gate is up from the restart on.
    platform.schedule_restart_context(tables, id);
    true
}

/// `POST /workspaces/{id}/restart[?reset=true]`.
pub async fn restart(
    State(platform): State<Arc<Platform>>,
    auth: WorkspaceAuth,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let (org, id) = (auth.tenant.org_id, auth.id);
    let mut tables = platform.lock();
    let Some(ws) = tables.workspace(org, id).filter(|w| w.status != Status::Removed) else { return workspace_not_found() };
    let runtime = ws.runtime.clone();
    if let Some(name) = tables.paused_ancestor(org, id) {
        return parent_paused(&name);
    }
    let delay = platform.cfg.delays.provision_for(&runtime);
    let reset = query_flag(&q, "reset") || json_object(&body).is_some_and(|m| m.get("reset") == Some(&Value::Bool(true)));
    let compute = tables.workspaces.get(&id).is_some_and(|w| !w.external_like() && w.runtime != "mock");
    if compute
        && platform.faults.fires(Fault::RestartNeverReturns)
        && let Some(w) = tables.workspaces.get_mut(&id)
    {
        w.stop();
        w.status = Status::Provisioning;
    } else if !restart_now(&platform, &mut tables, id, delay) {
        let message = format!("runtime {runtime:?} has no platform-managed compute; restart is a no-op");
        return json_reply(StatusCode::OK, json!({"status": "noop", "runtime": runtime, "message": message}));
    }
    json_reply(StatusCode::OK, json!({"status": "provisioning", "config_dir": format!("/configs/{id}"), "reset_session": reset}))
}
