//! The tenant's and the control plane's handlers, one module per area of the platform.

pub mod a2a_normalise;
pub mod a2a_proxy;
pub mod a2a_queue;
pub mod activity;
pub mod billing;
pub mod control_plane;
pub mod create;
pub mod diagnose;
pub mod edge;
pub mod files;
pub mod lifecycle;
pub mod memory;
pub mod offered;
pub mod registry;
pub mod workspaces;

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::Fault;
use super::auth::WorkspaceAuth;
use super::platform::Platform;
use super::reply::{canvas_not_found, json_reply};

/// `GET /health`.
pub async fn health() -> Response {
    json_reply(StatusCode::OK, json!({"status": "ok"}))
}

/// `GET /buildinfo` (the platform answers `{"git_sha"}`).
pub async fn buildinfo() -> Response {
    json_reply(StatusCode::OK, json!({"git_sha": "standin", "version": env!("CARGO_PKG_VERSION"), "platform": "molecule-e2e stand-in"}))
}

/// `GET /org/identity` (handlers/platform_agent.go `OrgIdentity` at aeec8e47, open, behind the
/// tenant guard): the org's name, slug and id. Not in the reference commit's router, so served
/// where the generation has it and as a throwaway control plane (slug routing), else the
/// canvas's 404.
pub async fn org_identity(State(platform): State<Arc<Platform>>, tenant: super::auth::Tenant) -> Response {
    if !platform.cfg.platform.org_identity && !platform.cfg.slug_routing {
        return canvas_not_found();
    }
    let tables = platform.lock();
    let Some(org) = tables.tenant(tenant.org_id) else { return canvas_not_found() };
    json_reply(
        StatusCode::OK,
        json!({"name": org.name, "slug": org.slug, "org_id": org.id.to_string(), "platform_managed_available": true}),
    )
}

/// `GET /metrics`.
pub async fn metrics() -> &'static str {
    "# molecule-e2e stand-in\nstandin_up 1\n"
}

/// `GET /workspaces/{id}/shared-context`: removed from the platform, so the router's
/// `NoRoute` answers (the canvas's HTML 404, contract §3.1 #18), unless
/// [`Fault::SharedContextServed`] brings the route back (WorkspaceAuth, 200).
pub async fn shared_context(State(platform): State<Arc<Platform>>, auth: Result<WorkspaceAuth, Response>) -> Response {
    if !platform.faults.is_on(Fault::SharedContextServed) {
        return canvas_not_found();
    }
    let auth = match auth {
        Ok(a) => a,
        Err(r) => return r,
    };
    platform.faults.count(Fault::SharedContextServed);
    json_reply(StatusCode::OK, json!({"workspace_id": auth.id.to_string(), "shared_context": []}))
}
