//! Workspace rows (contract §3.3): `GET /workspaces/:id` (tenant guard only), the list and
//! delete (AdminAuth). Platform: handlers/workspace.go `Get`, `List`; workspace_crud.go
//! `Delete`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::standin::auth::{AdminAuth, Tenant};
use crate::standin::platform::{Platform, Status, Tables, Workspace, now_rfc3339};
use crate::standin::reply::{json_reply, query_flag, workspace_id, workspace_not_found};

/// `GET /workspaces/{id}` (open: tenant guard only).
pub async fn get_row(
    State(platform): State<Arc<Platform>>,
    tenant: Tenant,
    Path(raw): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let id = match workspace_id(&raw) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let tables = platform.lock();
    let Some(ws) = tables.workspace(tenant.org_id, id) else { return workspace_not_found() };
    if ws.status == Status::Removed && !query_flag(&q, "include_removed") {
        return removed(ws);
    }
    json_reply(StatusCode::OK, ws.row(&platform, false))
}

/// 410 for a removed row read without `?include_removed=true`.
pub fn removed(ws: &Workspace) -> Response {
    json_reply(
        StatusCode::GONE,
        json!({"error": "workspace removed", "id": ws.id.to_string(), "removed_at": ws.removed_at, "hint": "pass ?include_removed=true to read the removed row"}),
    )
}

/// `GET /workspaces` (AdminAuth): every non-removed row of the tenant, in creation order.
pub async fn list(State(platform): State<Arc<Platform>>, auth: AdminAuth) -> Response {
    let tables = platform.lock();
    let mut rows: Vec<&Workspace> =
        tables.workspaces.values().filter(|w| w.org_id == auth.tenant.org_id && w.status != Status::Removed).collect();
    rows.sort_by_key(|w| w.seq);
    json_reply(StatusCode::OK, Value::Array(rows.iter().map(|w| w.row(&platform, true)).collect()))
}

/// `DELETE /workspaces/{id}` (AdminAuth): `X-Confirm-Name`, children need `?confirm=true`.
pub async fn delete(
    State(platform): State<Arc<Platform>>,
    auth: AdminAuth,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let org = auth.tenant.org_id;
    let id = match workspace_id(&raw) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let mut tables = platform.lock();
    let Some(ws) = tables.workspace(org, id) else { return workspace_not_found() };
    if ws.status == Status::Removed {
        return removed(ws);
    }
    let children = tables.children(org, id);
    let confirm_name = headers.get("x-confirm-name").and_then(|v| v.to_str().ok());
    if confirm_name != Some(ws.name.as_str()) {
        return json_reply(
            StatusCode::BAD_REQUEST,
            json!({
                "error": "destructive_action_requires_confirmation",
                "hint": "repeat the request with header X-Confirm-Name set to the workspace's exact name",
                "workspace_name": ws.name,
                "active_tasks": ws.active_tasks,
                "child_count": children.len(),
                "schedule_count": 0,
            }),
        );
    }
    if !children.is_empty() && !query_flag(&q, "confirm") {
        return children_need_confirmation(&tables, &children);
    }
    let cascaded = remove_tree(&mut tables, org, id, query_flag(&q, "purge"));
    let status = if query_flag(&q, "purge") { "purged" } else { "removed" };
    json_reply(StatusCode::OK, json!({"status": status, "cascade_deleted": cascaded}))
}

fn children_need_confirmation(tables: &Tables, children: &[Uuid]) -> Response {
    let list: Vec<Value> =
        children.iter().filter_map(|c| tables.workspaces.get(c)).map(|c| json!({"id": c.id.to_string(), "name": c.name})).collect();
    json_reply(
        StatusCode::CONFLICT,
        json!({
            "status": "confirmation_required",
            "message": "this workspace has children; repeat with ?confirm=true to delete them too",
            "children_count": list.len(),
            "children": list,
        }),
    )
}

/// Remove `id` and its descendants (compute stopped; rows kept as `removed`, or dropped
/// with `purge`). Returns how many descendants went with it.
fn remove_tree(tables: &mut Tables, org: Uuid, id: Uuid, purge: bool) -> usize {
    let descendants = tables.descendants(org, id);
    let now = now_rfc3339();
    for target in std::iter::once(id).chain(descendants.iter().copied()) {
        if purge {
            if let Some(mut w) = tables.workspaces.remove(&target) {
                w.stop();
            }
        } else if let Some(w) = tables.workspaces.get_mut(&target) {
            w.stop();
            w.status = Status::Removed;
            w.removed_at = Some(now.clone());
        }
    }
    descendants.len()
}
