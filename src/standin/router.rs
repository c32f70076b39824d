//! The route table, and nothing else: which handler serves which path, in the platform's
//! route groups (router.go at the reference commit). Auth is in each handler's extractors
//! (`auth.rs`), the tenant guard in `guard.rs`.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{delete, get, post, put};

use super::guard::guard;
use super::handlers::{
    a2a_proxy, a2a_queue, activity, billing, buildinfo, control_plane as cp, create, diagnose, edge, files, health, lifecycle, memory,
    metrics, offered, org_identity, registry, shared_context, workspaces,
};
use super::platform::Platform;
use super::reply::canvas_not_found;

pub fn router(platform: Arc<Platform>) -> Router {
    Router::new()
        // Exempt from the tenant guard.
        .route("/health", get(health))
        .route("/buildinfo", get(buildinfo))
        .route("/metrics", get(metrics))
        .route("/registry/register", post(registry::register))
        .route("/registry/heartbeat", post(registry::heartbeat))
        // Control plane.
        .route("/cp/admin/orgs", post(cp::create_org).get(cp::list_orgs))
        .route("/cp/admin/orgs/{slug}/admin-token", get(cp::org_admin_token))
        .route("/cp/admin/tenants/{slug}", delete(cp::delete_tenant))
        .route("/cp/admin/orphan-tunnels/cleanup", post(cp::orphan_tunnels))
        .route("/cp/admin/tenants/{slug}/boot-events", get(cp::boot_events))
        .route("/cp/admin/purges", get(cp::purges))
        // Open behind the tenant guard.
        .route("/workspaces/{id}", get(workspaces::get_row).delete(workspaces::delete))
        .route("/workspaces/{id}/a2a", post(a2a_proxy::a2a))
        .route("/workspaces/{id}/a2a/queue/{queue_id}", get(a2a_queue::queue_status))
        .route("/registry/{id}/peers", get(registry::peers))
        .route("/org/identity", get(org_identity))
        // AdminAuth.
        .route("/workspaces", get(workspaces::list).post(create::create))
        .route("/admin/workspaces/{id}/llm-billing-mode", get(billing::get_billing).put(billing::put_billing))
        .route("/admin/workspaces/{id}/tokens", post(billing::mint_token))
        .route("/org/tokens", post(billing::mint_org_token))
        .route("/admin/llm/offered-models", get(offered::offered_models))
        // WorkspaceAuth.
        .route("/workspaces/{id}/pause", post(lifecycle::pause))
        .route("/workspaces/{id}/resume", post(lifecycle::resume))
        .route("/workspaces/{id}/hibernate", post(lifecycle::hibernate))
        .route("/workspaces/{id}/restart", post(lifecycle::restart))
        .route("/workspaces/{id}/secrets", post(billing::set_secret).put(billing::set_secret))
        .route("/workspaces/{id}/activity", get(activity::list_activity).post(activity::post_activity))
        .route("/workspaces/{id}/notify", post(activity::notify))
        .route("/workspaces/{id}/memories", post(memory::add_memory).get(memory::list_memories))
        .route("/workspaces/{id}/memory", post(memory::kv_set))
        .route("/workspaces/{id}/memory/{key}", get(memory::kv_get).delete(memory::kv_delete))
        .route("/workspaces/{id}/chat/uploads", post(files::upload))
        .route("/workspaces/{id}/chat/download", get(files::download))
        .route("/workspaces/{id}/files/{*path}", put(files::put_file))
        .route("/workspaces/{id}/terminal/diagnose", get(diagnose::diagnose))
        // Removed from the platform; served only under a fault.
        .route("/workspaces/{id}/shared-context", get(shared_context))
        // Everything else (the REF harness's `GET /activity?workspace_id=` among them,
        // contract §11) goes to the canvas, as `r.NoRoute(canvasProxy)` does.
        .fallback(|| async { canvas_not_found() })
        .method_not_allowed_fallback(|| async { canvas_not_found() })
        .layer(DefaultBodyLimit::max(16 * 1024 * 1024))
        .layer(middleware::from_fn_with_state(platform.clone(), guard))
        // The edge stands before the tenant guard, as Cloudflare stands before the tenant.
        .layer(middleware::from_fn_with_state(platform.clone(), edge::edge))
        .with_state(platform)
}
