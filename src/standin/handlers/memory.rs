//! Memories (HMA, handlers/memories.go) and the memory KV (handlers/memory.go): WorkspaceAuth.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::standin::Fault;
use crate::standin::auth::{LiveWorkspace, WorkspaceAuth};
use crate::standin::platform::{KvEntry, Memory, Platform, Status, now_rfc3339, rfc3339};
use crate::standin::reply::{error, json_object, json_reply, str_field, workspace_not_found};

/// The namespace a memory of `scope` gets when none is given.
pub fn default_namespace(scope: &str, ws: Uuid, team_root: Uuid) -> String {
    match scope {
        "TEAM" => format!("team:{team_root}"),
        "GLOBAL" => "global".to_owned(),
        _ => format!("workspace:{ws}"),
    }
}

fn memory_503() -> Response {
    error(StatusCode::SERVICE_UNAVAILABLE, "memory plugin is not configured (set MEMORY_PLUGIN_URL)")
}

fn scope_of(raw: Option<&str>) -> Result<String, Response> {
    match raw.map(str::to_ascii_uppercase).as_deref() {
        None | Some("") => Ok("LOCAL".into()),
        Some(s @ ("LOCAL" | "TEAM" | "GLOBAL")) => Ok(s.into()),
        Some(_) => Err(error(StatusCode::BAD_REQUEST, "scope must be one of LOCAL, TEAM, GLOBAL")),
    }
}

/// `POST /workspaces/{id}/memories` `{content, scope?, namespace?}` → 201 `{id,scope,namespace}`.
pub async fn add_memory(
    State(platform): State<Arc<Platform>>,
    auth: LiveWorkspace,
    body: Bytes,
) -> Response {
    let (tenant, id) = (auth.tenant, auth.id);
    if platform.faults.fires(Fault::Memory503) {
        return memory_503();
    }
    let Some(m) = json_object(&body) else { return error(StatusCode::BAD_REQUEST, "invalid request body") };
    let Some(content) = str_field(&m, "content").filter(|c| !c.is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "content is required");
    };
    let scope = match scope_of(str_field(&m, "scope")) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut tables = platform.lock();
    let root = tables.team_root(tenant.org_id, id);
    let namespace = str_field(&m, "namespace")
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| default_namespace(&scope, id, root));
    let mem = Memory {
        id: Uuid::new_v4(),
        org_id: tenant.org_id,
        workspace_id: id,
        team_root: root,
        content: content.to_owned(),
        scope: scope.clone(),
        namespace: namespace.clone(),
        created_at: now_rfc3339(),
    };
    let mem_id = mem.id;
    tables.memories.push(mem);
    json_reply(StatusCode::CREATED, json!({"id": mem_id.to_string(), "scope": scope, "namespace": namespace}))
}

/// `GET /workspaces/{id}/memories[?scope=…]`: the memories this workspace can see (its own
/// LOCAL ones, its tree's TEAM ones, the org's GLOBAL ones), oldest first.
pub async fn list_memories(
    State(platform): State<Arc<Platform>>,
    auth: LiveWorkspace,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (tenant, id) = (auth.tenant, auth.id);
    if platform.faults.fires(Fault::Memory503) {
        return memory_503();
    }
    let scope = match q.get("scope").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match scope_of(Some(s)) {
            Ok(s) => Some(s),
            Err(r) => return r,
        },
    };
    let tables = platform.lock();
    let root = tables.team_root(tenant.org_id, id);
    let rows: Vec<Value> = tables
        .memories
        .iter()
        .filter(|m| m.org_id == tenant.org_id)
        .filter(|m| match m.scope.as_str() {
            "LOCAL" => m.workspace_id == id,
            "TEAM" => m.team_root == root,
            _ => true,
        })
        .filter(|m| scope.as_ref().is_none_or(|s| *s == m.scope))
        .map(|m| json!({"id": m.id.to_string(), "content": m.content, "scope": m.scope, "namespace": m.namespace, "created_at": m.created_at}))
        .collect();
    json_reply(StatusCode::OK, Value::Array(rows))
}

/// `POST /workspaces/{id}/memory` `{key, value, if_match_version?, ttl_seconds?}`.
pub async fn kv_set(
    State(platform): State<Arc<Platform>>,
    auth: WorkspaceAuth,
    body: Bytes,
) -> Response {
    let (tenant, id) = (auth.tenant, auth.id);
    let Some(m) = json_object(&body) else { return error(StatusCode::BAD_REQUEST, "invalid request body") };
    let (Some(key), Some(value)) = (str_field(&m, "key").filter(|k| !k.is_empty()), m.get("value")) else {
        return error(StatusCode::BAD_REQUEST, "key and value are required");
    };
    let if_match = match m.get("if_match_version") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(n) => Some(n),
            None => return error(StatusCode::BAD_REQUEST, "if_match_version must be an integer"),
        },
    };
    // Clamped to ten years so no request can overflow a clock.
    let ttl = m.get("ttl_seconds").and_then(Value::as_i64).filter(|t| *t > 0).map(|t| t.min(10 * 365 * 24 * 3600));
    let mut tables = platform.lock();
    let Some(ws) = tables.workspace_mut(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return workspace_not_found() };
    ws.kv.retain(|_, e| e.expires.as_ref().is_none_or(|(t, _)| *t > Instant::now()));
    let current = ws.kv.get(key).map(|e| e.version);
    if let Some(expected) = if_match
        && current != Some(expected)
        && !platform.faults.fires(Fault::StaleVersionAccepted)
    {
        return json_reply(
            StatusCode::CONFLICT,
            json!({"error": "if_match_version mismatch", "expected_version": expected, "current_version": current}),
        );
    }
    let version = current.unwrap_or(0) + 1;
    let expires = ttl.map(|t| {
        let secs = t.unsigned_abs();
        (Instant::now() + Duration::from_secs(secs), rfc3339(OffsetDateTime::now_utc() + Duration::from_secs(secs)))
    });
    ws.kv.insert(key.to_owned(), KvEntry { value: value.clone(), version, updated_at: now_rfc3339(), expires });
    json_reply(StatusCode::OK, json!({"status": "ok", "key": key, "version": version}))
}

/// `GET /workspaces/{id}/memory/{key}` → `{key,value,version,expires_at?,updated_at}` or 404.
pub async fn kv_get(
    State(platform): State<Arc<Platform>>,
    auth: WorkspaceAuth,
    Path((_, key)): Path<(String, String)>,
) -> Response {
    let (tenant, id) = (auth.tenant, auth.id);
    let tables = platform.lock();
    let Some(ws) = tables.workspace(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return workspace_not_found() };
    match ws.kv.get(&key).filter(|e| e.expires.as_ref().is_none_or(|(t, _)| *t > Instant::now())) {
        None => error(StatusCode::NOT_FOUND, "key not found"),
        Some(e) => {
            let mut v = json!({"key": key, "value": e.value, "version": e.version, "updated_at": e.updated_at});
            if let (Some((_, at)), Some(o)) = (&e.expires, v.as_object_mut()) {
                o.insert("expires_at".into(), json!(at));
            }
            json_reply(StatusCode::OK, v)
        }
    }
}

/// `DELETE /workspaces/{id}/memory/{key}` → 200 `{"status":"deleted"}` (idempotent).
pub async fn kv_delete(
    State(platform): State<Arc<Platform>>,
    auth: WorkspaceAuth,
    Path((_, key)): Path<(String, String)>,
) -> Response {
    let (tenant, id) = (auth.tenant, auth.id);
    let mut tables = platform.lock();
    let Some(ws) = tables.workspace_mut(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return workspace_not_found() };
    ws.kv.remove(&key);
    json_reply(StatusCode::OK, json!({"status": "deleted"}))
}

