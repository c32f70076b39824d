//! The control plane's admin API as the harness uses it (contract §2): orgs, their tenant
//! admin tokens, tenant teardown. The control plane is a private repository, so these follow
//! the harness's expectations (tests/e2e/test_staging_*.sh, the sweeper workflow) rather than
//! platform code. Every route needs the stand-in's admin bearer ([`CpAdmin`]).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::standin::Fault;
use crate::standin::auth::CpAdmin;
use crate::standin::platform::{Org, Platform};
use crate::standin::reply::{error, json_object, json_reply, str_field};

/// The `last_error` an org shows under [`Fault::OrgNeverRuns`].
const ORG_BOOT_ERROR: &str = "tenant provisioning failed: instance never became healthy (stand-in fault org-never-runs)";

fn org_json(platform: &Platform, o: &Org) -> Value {
    let ready = o.created.elapsed() >= platform.cfg.delays.org_ready;
    let (status, last_error) = if ready && platform.faults.fires(Fault::OrgNeverRuns) {
        ("failed", json!(ORG_BOOT_ERROR))
    } else {
        (if ready { "running" } else { "provisioning" }, Value::Null)
    };
    json!({
        "id": o.id.to_string(),
        "slug": o.slug,
        "name": o.name,
        "plan": "team",
        "member_count": 1,
        "instance_status": status,
        "last_error": last_error,
        "created_at": o.created_at,
    })
}

/// Slugs as the harness makes them: lowercase letters, digits and dashes, at most 64.
fn valid_slug(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `POST /cp/admin/orgs` `{slug,name,owner_user_id}` → 201 with `id`; 409 on a duplicate slug.
pub async fn create_org(_: CpAdmin, State(platform): State<Arc<Platform>>, body: Bytes) -> Response {
    let Some(m) = json_object(&body) else { return error(StatusCode::BAD_REQUEST, "invalid request body") };
    let Some(slug) = str_field(&m, "slug").filter(|s| valid_slug(s)) else {
        return error(StatusCode::BAD_REQUEST, "slug is required (lowercase letters, digits and dashes, at most 64)");
    };
    let mut tables = platform.lock();
    if tables.orgs.iter().any(|o| o.slug == slug) {
        return json_reply(StatusCode::CONFLICT, json!({"error": "org slug already exists", "slug": slug}));
    }
    let org = Org::new(slug, str_field(&m, "name").unwrap_or(slug));
    let body = org_json(&platform, &org);
    platform.install_platform_root(&mut tables, org.id, &org.name);
    tables.orgs.push(org);
    json_reply(StatusCode::CREATED, body)
}

/// `GET /cp/admin/orgs[?limit=N]` → `{"orgs":[…]}` (no top-level `status`).
pub async fn list_orgs(_: CpAdmin, State(platform): State<Arc<Platform>>, Query(q): Query<HashMap<String, String>>) -> Response {
    let limit = q.get("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(usize::MAX);
    let tables = platform.lock();
    let orgs: Vec<Value> = tables.orgs.iter().take(limit).map(|o| org_json(&platform, o)).collect();
    json_reply(StatusCode::OK, json!({"orgs": orgs}))
}

/// `GET /cp/admin/orgs/{slug}/admin-token` → `{"admin_token":…}` (random per org).
pub async fn org_admin_token(_: CpAdmin, State(platform): State<Arc<Platform>>, Path(slug): Path<String>) -> Response {
    let tables = platform.lock();
    match tables.orgs.iter().find(|o| o.slug == slug && !o.torn_down) {
        Some(o) => json_reply(StatusCode::OK, json!({"admin_token": o.admin_token})),
        None => error(StatusCode::NOT_FOUND, "org not found"),
    }
}

/// `DELETE /cp/admin/tenants/{slug}` `{"confirm":slug}` → 200, idempotent. The tenant goes
/// away synchronously (its workspaces and their runtimes with it) and the org leaves the list.
pub async fn delete_tenant(_: CpAdmin, State(platform): State<Arc<Platform>>, Path(slug): Path<String>, body: Bytes) -> Response {
    let confirmed = json_object(&body).is_some_and(|m| str_field(&m, "confirm") == Some(slug.as_str()));
    if !confirmed {
        return json_reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "confirmation required: body must be {\"confirm\":\"<slug>\"}", "slug": slug}),
        );
    }
    let mut tables = platform.lock();
    if let Some(org_id) = tables.orgs.iter().find(|o| o.slug == slug && !o.torn_down).map(|o| o.id) {
        let doomed: Vec<Uuid> = tables.workspaces.values().filter(|w| w.org_id == org_id).map(|w| w.id).collect();
        for id in &doomed {
            if let Some(mut ws) = tables.workspaces.remove(id) {
                ws.stop();
            }
        }
        tables.activity.retain(|a| !doomed.contains(&a.workspace_id));
        tables.memories.retain(|m| m.org_id != org_id);
        if platform.faults.fires(Fault::DeletedOrgListed) {
            if let Some(o) = tables.orgs.iter_mut().find(|o| o.id == org_id) {
                o.torn_down = true;
            }
        } else {
            tables.orgs.retain(|o| o.id != org_id);
        }
    }
    json_reply(StatusCode::OK, json!({"status": "deleted", "slug": slug}))
}

/// `POST /cp/admin/orphan-tunnels/cleanup` (sweeper): nothing to clean in-process.
pub async fn orphan_tunnels(_: CpAdmin) -> Response {
    json_reply(StatusCode::OK, json!({"deleted_count": 0, "failed": {}}))
}
