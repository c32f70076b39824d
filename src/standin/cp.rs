//! The control plane's admin API as the harness uses it (contract §2): orgs, their tenant
//! admin tokens, tenant teardown. Every `/cp/admin/*` call needs the stand-in's admin bearer.

use std::collections::HashMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use super::Fault;
use super::http::{Shared, bearer, error, json_object, json_resp, str_field};
use super::state::{Inner, Org, new_token, now_rfc3339};

fn cp_auth(inner: &Inner, headers: &HeaderMap) -> Result<(), Response> {
    match bearer(headers) {
        Some(t) if t == inner.cfg.admin_token => Ok(()),
        _ => Err(error(StatusCode::UNAUTHORIZED, "unauthorized")),
    }
}

fn org_json(inner: &Inner, o: &Org) -> Value {
    json!({
        "id": o.id.to_string(),
        "slug": o.slug,
        "name": o.name,
        "plan": "team",
        "member_count": 1,
        "instance_status": o.instance_status(inner.cfg.delays.org_ready),
        "last_error": Value::Null,
        "created_at": o.created_at,
    })
}

/// Slugs as the harness makes them: lowercase letters, digits and dashes, at most 64.
fn valid_slug(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `POST /cp/admin/orgs` `{slug,name,owner_user_id}` → 201 with `id`; 409 on a duplicate slug.
pub async fn create_org(axum::extract::State(inner): Shared, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = cp_auth(&inner, &headers) {
        return r;
    }
    let Some(m) = json_object(&body) else { return error(StatusCode::BAD_REQUEST, "invalid request body") };
    let Some(slug) = str_field(&m, "slug").filter(|s| valid_slug(s)) else {
        return error(StatusCode::BAD_REQUEST, "slug is required (lowercase letters, digits and dashes, at most 64)");
    };
    let mut st = inner.lock();
    if st.orgs.iter().any(|o| o.slug == slug) {
        return json_resp(StatusCode::CONFLICT, json!({"error": "org slug already exists", "slug": slug}));
    }
    let org = Org {
        id: Uuid::new_v4(),
        slug: slug.to_owned(),
        name: str_field(&m, "name").unwrap_or(slug).to_owned(),
        admin_token: new_token("tenant-"),
        created_at: now_rfc3339(),
        created: Instant::now(),
        torn_down: false,
    };
    let body = org_json(&inner, &org);
    st.orgs.push(org);
    json_resp(StatusCode::CREATED, body)
}

/// `GET /cp/admin/orgs[?limit=N]` → `{"orgs":[…]}` (no top-level `status`).
pub async fn list_orgs(
    axum::extract::State(inner): Shared,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = cp_auth(&inner, &headers) {
        return r;
    }
    let limit = q.get("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(usize::MAX);
    let st = inner.lock();
    let orgs: Vec<Value> = st.orgs.iter().take(limit).map(|o| org_json(&inner, o)).collect();
    json_resp(StatusCode::OK, json!({"orgs": orgs}))
}

/// `GET /cp/admin/orgs/{slug}/admin-token` → `{"admin_token":…}` (random per org).
pub async fn org_admin_token(axum::extract::State(inner): Shared, headers: HeaderMap, Path(slug): Path<String>) -> Response {
    if let Err(r) = cp_auth(&inner, &headers) {
        return r;
    }
    let st = inner.lock();
    match st.orgs.iter().find(|o| o.slug == slug && !o.torn_down) {
        Some(o) => json_resp(StatusCode::OK, json!({"admin_token": o.admin_token})),
        None => error(StatusCode::NOT_FOUND, "org not found"),
    }
}

/// `DELETE /cp/admin/tenants/{slug}` `{"confirm":slug}` → 200, idempotent. The tenant goes
/// away synchronously (its workspaces and their runtimes with it) and the org leaves the list.
pub async fn delete_tenant(
    axum::extract::State(inner): Shared,
    headers: HeaderMap,
    Path(slug): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = cp_auth(&inner, &headers) {
        return r;
    }
    let confirmed = json_object(&body).is_some_and(|m| str_field(&m, "confirm") == Some(slug.as_str()));
    if !confirmed {
        return json_resp(
            StatusCode::BAD_REQUEST,
            json!({"error": "confirmation required: body must be {\"confirm\":\"<slug>\"}", "slug": slug}),
        );
    }
    let mut st = inner.lock();
    if let Some(org_id) = st.orgs.iter().find(|o| o.slug == slug && !o.torn_down).map(|o| o.id) {
        let doomed: Vec<Uuid> = st.workspaces.values().filter(|w| w.org_id == org_id).map(|w| w.id).collect();
        for id in &doomed {
            if let Some(mut ws) = st.workspaces.remove(id) {
                ws.stop();
            }
        }
        st.activity.retain(|a| !doomed.contains(&a.workspace_id));
        st.memories.retain(|m| m.org_id != org_id);
        if inner.faults.fires(Fault::DeletedOrgListed) {
            if let Some(o) = st.orgs.iter_mut().find(|o| o.id == org_id) {
                o.torn_down = true;
            }
        } else {
            st.orgs.retain(|o| o.id != org_id);
        }
    }
    json_resp(StatusCode::OK, json!({"status": "deleted", "slug": slug}))
}

/// `POST /cp/admin/orphan-tunnels/cleanup` (sweeper): nothing to clean in-process.
pub async fn orphan_tunnels(axum::extract::State(inner): Shared, headers: HeaderMap) -> Response {
    if let Err(r) = cp_auth(&inner, &headers) {
        return r;
    }
    json_resp(StatusCode::OK, json!({"deleted_count": 0, "failed": {}}))
}
