//! `GET /workspaces/{id}/a2a/queue/{queue_id}` (`a2a_queue_status.go` `GetA2AQueueStatus`,
//! `router.go:267` at aeec8e47; absent at 41409fb2, where the canvas's 404 answers): a queued
//! turn's status and, once completed, its `response_body`. Open behind the tenant guard; the
//! handler authenticates the caller itself.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use crate::standin::auth::{Credential, Tenant, bearer};
use crate::standin::platform::Platform;
use crate::standin::reply::{canvas_not_found, error, json_reply};

/// A bearer is required (401); the admin token and org tokens read any item; a workspace
/// token reads the items it sent or that target it (403 otherwise); an unknown item is 404
/// `retryable` (the enqueue→persist window). Reading also drains the workspace's queue when it
/// may drain: the stand-in's stand-in for the heartbeat that drains it on the platform.
pub async fn queue_status(
    State(platform): State<Arc<Platform>>,
    tenant: Tenant,
    headers: HeaderMap,
    Path((_id, queue_id)): Path<(String, String)>,
) -> Response {
    if !platform.cfg.platform.a2a.queue_route {
        return canvas_not_found();
    }
    let caller = match bearer(&headers).map(|t| platform.credential(&tenant, t)) {
        None => return error(StatusCode::UNAUTHORIZED, "missing caller auth token"),
        Some(Credential::TenantAdmin | Credential::OrgToken) => None,
        Some(Credential::Workspace(w)) => Some(w.to_string()),
        Some(Credential::Unknown) => return error(StatusCode::UNAUTHORIZED, "invalid caller auth token"),
    };
    let not_found = || json_reply(StatusCode::NOT_FOUND, json!({"error": "queue item not found", "retryable": true}));
    let Ok(qid) = Uuid::parse_str(&queue_id) else { return not_found() };
    let (body, workspace) = {
        let tables = platform.lock();
        let Some(item) = tables.queue_item(tenant.org_id, qid) else { return not_found() };
        let target = item.workspace_id.to_string();
        if caller.as_deref().is_some_and(|c| item.caller_id.as_deref() != Some(c) && c != target) {
            return error(StatusCode::FORBIDDEN, "access denied");
        }
        (item.status_json(), (item.status == "queued").then_some(item.workspace_id))
    };
    if let Some(ws) = workspace {
        platform.drain(tenant.org_id, ws);
    }
    json_reply(StatusCode::OK, body)
}
