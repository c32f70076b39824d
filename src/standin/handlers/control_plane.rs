//! The control plane's admin API as the harness uses it (contract §2): orgs, their tenant
//! admin tokens, tenant teardown and (today) its proof: boot-events and the purge audit. The control plane is a private repository, so these follow
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
use crate::generation::TeardownProof;
use crate::standin::platform::records::DEFAULT_PROVIDER;
use crate::standin::platform::{Org, Platform, Purge, Tables, now_rfc3339};
use crate::standin::reply::{canvas_not_found, error, json_object, json_reply, str_field};

/// The `last_error` an org shows under [`Fault::OrgNeverRuns`].
const ORG_BOOT_ERROR: &str = "tenant provisioning failed: instance never became healthy (stand-in fault org-never-runs)";

/// The provider staging's control plane falls back to when create names none: the AWS EC2
/// path, closed with its account (5e4c92c0; test_staging_external_runtime.sh:102-106 at aeec8e47).
const CLOSED_PROVIDER: &str = "aws";

/// The `last_error` of an org on the closed provider.
const CLOSED_PROVIDER_ERROR: &str = "tenant provisioning failed: provider aws is closed (the AWS account is gone); create the org with \"provider\":\"molecules-server\"";

fn org_json(platform: &Platform, o: &Org) -> Value {
    let ready = o.created.elapsed() >= platform.cfg.delays.org_ready;
    let (status, last_error) = if ready && o.provider == CLOSED_PROVIDER {
        ("failed", json!(CLOSED_PROVIDER_ERROR))
    } else if ready && platform.faults.fires(Fault::OrgNeverRuns) {
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

/// The provider org create asked for, where the generation reads one: none or empty is the
/// default ([`DEFAULT_PROVIDER`]), `molecules-server` and the closed `aws` are known wire ids,
/// anything else is refused (the CP validates it, `IsValidRequest`: CP private; harness
/// evidence test_staging_external_runtime.sh:102-106 and staginge2e/workspace_lifecycle_test.go
/// :549-557 at aeec8e47).
fn provider(platform: &Platform, m: &serde_json::Map<String, Value>) -> Result<String, Response> {
    if !platform.cfg.platform.cp.org_create_provider {
        return Ok(DEFAULT_PROVIDER.to_owned());
    }
    match str_field(m, "provider").map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(DEFAULT_PROVIDER.to_owned()),
        Some(p) if p == DEFAULT_PROVIDER || p == CLOSED_PROVIDER => Ok(p.to_owned()),
        Some(p) => Err(json_reply(StatusCode::BAD_REQUEST, json!({"error": "invalid provider", "provider": p}))),
    }
}

/// `POST /cp/admin/orgs` `{slug,name,owner_user_id[,provider]}` → 201 with `id`; 409 on a
/// duplicate slug; 400 on an unknown provider (aeec8e47).
pub async fn create_org(_: CpAdmin, State(platform): State<Arc<Platform>>, body: Bytes) -> Response {
    let Some(m) = json_object(&body) else { return error(StatusCode::BAD_REQUEST, "invalid request body") };
    let Some(slug) = str_field(&m, "slug").filter(|s| valid_slug(s)) else {
        return error(StatusCode::BAD_REQUEST, "slug is required (lowercase letters, digits and dashes, at most 64)");
    };
    let provider = match provider(&platform, &m) {
        Ok(p) => p,
        Err(refused) => return refused,
    };
    let mut tables = platform.lock();
    if tables.orgs.iter().any(|o| o.slug == slug) {
        return json_reply(StatusCode::CONFLICT, json!({"error": "org slug already exists", "slug": slug}));
    }
    let mut org = Org::new(slug, str_field(&m, "name").unwrap_or(slug));
    org.provider = provider;
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

/// `DELETE /cp/admin/tenants/{slug}` `{"confirm":slug}`. The tenant goes away synchronously
/// (its workspaces and their runtimes with it) and the org leaves the list. At 41409fb2: 200
/// `{"status":"deleted","slug"}`, idempotent. Today (CP private; harness evidence
/// tests/e2e/lib/cp_purge_receipt.sh:273-380 at aeec8e47): 200 with the receipt
/// `{deleted:true, slug, org_id, purge_id}` and a completed purge row; 202 while a teardown is
/// queued behind a lifecycle operation (the same purge id, a pending row), 409 while one runs
/// (no row); an org that does not exist: 404 `{"error":"org not found","slug"}`.
pub async fn delete_tenant(_: CpAdmin, State(platform): State<Arc<Platform>>, Path(slug): Path<String>, body: Bytes) -> Response {
    let confirmed = json_object(&body).is_some_and(|m| str_field(&m, "confirm") == Some(slug.as_str()));
    if !confirmed {
        return json_reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "confirmation required: body must be {\"confirm\":\"<slug>\"}", "slug": slug}),
        );
    }
    let receipts = platform.cfg.platform.cp.teardown == TeardownProof::PurgeReceipt;
    let mut tables = platform.lock();
    let Some(org_id) = tables.orgs.iter().find(|o| o.slug == slug && !o.torn_down).map(|o| o.id) else {
        if receipts {
            return org_not_found(&slug);
        }
        return json_reply(StatusCode::OK, json!({"status": "deleted", "slug": slug}));
    };
    if !receipts {
        tear_down(&platform, &mut tables, org_id);
        return json_reply(StatusCode::OK, json!({"status": "deleted", "slug": slug}));
    }
    if platform.faults.fires_first(Fault::TeardownBusy, 2) {
        return json_reply(StatusCode::CONFLICT, json!({"error": "organization has an active lifecycle operation"}));
    }
    // The purge intent is one per org: a queued teardown keeps its id when asked again.
    let purge_id = match tables.purges.iter().find(|p| p.org_id == org_id && p.status == "pending") {
        Some(p) => p.id,
        None => {
            let id = Uuid::new_v4();
            tables.purges.push(Purge { id, org_id, org_slug: slug.clone(), status: "pending", last_step: "queued", completed_at: None });
            id
        }
    };
    if platform.faults.fires_first(Fault::TeardownQueued, 2) {
        return json_reply(StatusCode::ACCEPTED, json!({"queued": true, "slug": slug, "org_id": org_id.to_string(), "purge_id": purge_id.to_string()}));
    }
    tear_down(&platform, &mut tables, org_id);
    if let Some(p) = tables.purges.iter_mut().find(|p| p.id == purge_id) {
        (p.status, p.last_step, p.completed_at) = ("completed", "completed", Some(now_rfc3339()));
    }
    if platform.faults.fires_first(Fault::TeardownAnswerLost, 1) {
        // The purge is done; the answer never leaves. Unlock first: unwinding with the guard
        // held would poison the tables.
        drop(tables);
        std::panic::resume_unwind(Box::new("stand-in fault teardown-answer-lost: connection dropped"));
    }
    if platform.faults.fires(Fault::PurgeReceiptMissing) {
        return json_reply(StatusCode::OK, json!({"status": "deleted", "slug": slug}));
    }
    json_reply(StatusCode::OK, json!({"deleted": true, "slug": slug, "org_id": org_id.to_string(), "purge_id": purge_id.to_string()}))
}

/// Remove the org's workspaces (stopping their runtimes), activity and memories, and the org
/// itself (kept, marked torn down, under [`Fault::DeletedOrgListed`]).
fn tear_down(platform: &Platform, tables: &mut Tables, org_id: Uuid) {
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

/// The control plane's answer for a slug it has no org for (the exact shape the harness takes
/// as proof of absence, cp_purge_receipt.sh:61-105 at aeec8e47).
fn org_not_found(slug: &str) -> Response {
    json_reply(StatusCode::NOT_FOUND, json!({"error": "org not found", "slug": slug}))
}

/// `GET /cp/admin/tenants/{slug}/boot-events[?limit=N]` (aeec8e47; CP private, harness evidence
/// cp_purge_receipt.sh:61-140 and staginge2e/cleanup_registration_staging_test.go:38-211):
/// 200 `{slug, org_id, events:[]}` while the org exists (a torn-down org kept in the list is
/// still there), else exactly 404 `{"error":"org not found","slug"}`. Not served at 41409fb2.
pub async fn boot_events(_: CpAdmin, State(platform): State<Arc<Platform>>, Path(slug): Path<String>) -> Response {
    if platform.cfg.platform.cp.teardown != TeardownProof::PurgeReceipt {
        return canvas_not_found();
    }
    let tables = platform.lock();
    match tables.orgs.iter().find(|o| o.slug == slug) {
        Some(o) => json_reply(StatusCode::OK, json!({"slug": slug, "org_id": o.id.to_string(), "events": []})),
        None => org_not_found(&slug),
    }
}

/// `GET /cp/admin/purges[?limit=N]` → `{"purges":[…]}`, newest first (aeec8e47; CP private,
/// harness evidence cp_purge_receipt.sh:385-445). Not served at 41409fb2.
pub async fn purges(_: CpAdmin, State(platform): State<Arc<Platform>>, Query(q): Query<HashMap<String, String>>) -> Response {
    if platform.cfg.platform.cp.teardown != TeardownProof::PurgeReceipt {
        return canvas_not_found();
    }
    let limit = q.get("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(usize::MAX);
    let tables = platform.lock();
    let rows: Vec<Value> = tables
        .purges
        .iter()
        .rev()
        .take(limit)
        .map(|p| {
            json!({"id": p.id.to_string(), "org_id": p.org_id.to_string(), "org_slug": p.org_slug,
                "status": p.status, "last_step": p.last_step, "completed_at": p.completed_at})
        })
        .collect();
    json_reply(StatusCode::OK, json!({"purges": rows}))
}

/// `POST /cp/admin/orphan-tunnels/cleanup` (sweeper): nothing to clean in-process.
pub async fn orphan_tunnels(_: CpAdmin) -> Response {
    json_reply(StatusCode::OK, json!({"deleted_count": 0, "failed": {}}))
}
