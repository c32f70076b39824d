//! Billing mode, secrets and tokens (contract §3.7): handlers/llm_billing_mode.go and
//! llm_billing_mode_handler.go, secrets.go `Set`, admin_workspace_tokens.go `Create`,
//! org_tokens.go `Create` at the reference commit. At aeec8e47 the billing-mode route is gone
//! (881b3f6f: `NoRoute`, the canvas's 404) and the secret-write guard asks the derived provider
//! (`h/secrets.go:63-110`); the generation's catalogue says which (`Catalog::byok`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use super::lifecycle::restart_now;
use crate::catalog::{self, Derived};
use crate::generation::Byok;
use crate::standin::Fault;
use crate::standin::auth::{AdminAuth, WorkspaceAuth};
use crate::standin::platform::{Platform, Status, Workspace, new_token};
use crate::standin::reply::{canvas_not_found, error, is_canonical_uuid, json_object, json_reply, workspace_not_found};

/// The strip-list refusal (`rejectPlatformManagedDirectLLMBypassForWorkspace`): a vendor key
/// written to a platform-managed workspace, at create or as a secret. The text's way out is the
/// generation's: the billing-mode route at 41409fb2, a vendor model at aeec8e47
/// (`h/secrets.go:101-108`).
pub fn vendor_key_blocked(platform: &Platform, key: &str, ws: Uuid) -> Response {
    let way_out = match platform.cfg.platform.catalog.byok {
        Byok::BillingModeOptIn => "set this workspace's billing mode to 'byok' via /admin/workspaces/:id/llm-billing-mode",
        Byok::KeysInCreateBody => "select a specific vendor model so the workspace runs BYOK",
    };
    json_reply(
        StatusCode::BAD_REQUEST,
        json!({
            "error": format!("direct vendor key writes are blocked for platform-managed workspaces; use MODEL/LLM_PROVIDER or the platform LLM proxy env instead, or {way_out}"),
            "key": key,
            "workspace_id": ws.to_string(),
        }),
    )
}

/// `ResolveLLMBillingMode`: a known override wins (`provider_selection` null); else the
/// provider derived from (runtime, MODEL secret, secret names): `platform` →
/// `platform_managed`, any other → `byok`, `provider_selection` its name; no provider →
/// `platform_managed`, `derived_default`, `provider_selection` the model or null. A missing
/// row resolves like a row with no secrets (runtime claude-code).
pub fn billing(platform: &Platform, id: Uuid, ws: Option<&Workspace>) -> Value {
    let mut v = json!({"workspace_id": id.to_string(), "org_default": "platform_managed", "workspace_override": null});
    let (mode, source, selection) = match ws.and_then(|w| w.billing_override.clone()) {
        Some(o) => {
            v["workspace_override"] = json!(o);
            (o, "workspace_override", Value::Null)
        }
        None => derived(platform, ws),
    };
    let mode = if mode == "byok" && platform.faults.fires(Fault::ByokIgnored) { "platform_managed".to_owned() } else { mode };
    v["resolved_mode"] = json!(mode);
    v["source"] = json!(source);
    v["provider_selection"] = selection;
    v
}

fn derived(platform: &Platform, ws: Option<&Workspace>) -> (String, &'static str, Value) {
    let runtime = ws.map_or("claude-code", |w| w.runtime.as_str());
    let model = ws.and_then(|w| w.secrets.get("MODEL")).cloned().unwrap_or_default();
    let env: Vec<&str> = ws.iter().flat_map(|w| w.secrets.keys()).map(String::as_str).collect();
    let derived = if model.is_empty() { Derived::FailOpen } else { platform.cfg.platform.catalog.derive_provider(runtime, &model, &env) };
    match derived {
        Derived::Provider(p) => {
            let mode = if p == "platform" { "platform_managed" } else { "byok" };
            (mode.to_owned(), "derived_provider", json!(p))
        }
        _ => ("platform_managed".to_owned(), "derived_default", if model.is_empty() { Value::Null } else { json!(model) }),
    }
}

/// Whether the secret-write guard treats `ws` as platform-managed: its resolved billing mode at
/// 41409fb2 (`h/secrets.go:62-86`); at aeec8e47 anything but a derived vendor provider
/// (`platformManagedLLMModeForWorkspace`, `h/secrets.go:63-98`: unregistered, ambiguous or no
/// model blocks too).
fn platform_managed(platform: &Platform, ws: &Workspace) -> bool {
    match platform.cfg.platform.catalog.byok {
        Byok::BillingModeOptIn => {
            billing(platform, ws.id, Some(ws))["resolved_mode"].as_str().unwrap_or("platform_managed") == "platform_managed"
        }
        Byok::KeysInCreateBody => {
            let model = ws.secrets.get("MODEL").map(String::as_str).unwrap_or_default();
            let env: Vec<&str> = ws.secrets.keys().map(String::as_str).collect();
            !matches!(platform.cfg.platform.catalog.derive_provider(&ws.runtime, model, &env), Derived::Provider(p) if p != "platform")
        }
    }
}

/// Whether the generation serves the billing-mode route ([`Fault::BillingRouteKept`] brings it
/// back where it is gone).
fn route_served(platform: &Platform) -> bool {
    platform.cfg.platform.catalog.billing_mode_route() || platform.faults.fires(Fault::BillingRouteKept)
}

/// `GET /admin/workspaces/{id}/llm-billing-mode` (AdminAuth): no existence check.
pub async fn get_billing(State(platform): State<Arc<Platform>>, auth: AdminAuth, Path(raw): Path<String>) -> Response {
    if !route_served(&platform) {
        return canvas_not_found();
    }
    let Some(id) = Uuid::parse_str(&raw).ok().filter(|_| is_canonical_uuid(&raw)) else {
        return error(StatusCode::BAD_REQUEST, "invalid workspace id");
    };
    let tables = platform.lock();
    json_reply(StatusCode::OK, billing(&platform, id, tables.workspace(auth.tenant.org_id, id)))
}

/// The `mode` of a billing PUT: `Ok(None)` clears the override.
fn requested_mode(body: &[u8]) -> Result<Option<String>, Response> {
    let bad = |msg: String| error(StatusCode::BAD_REQUEST, &msg);
    let m = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Err(json_reply(StatusCode::BAD_REQUEST, json!({"error": "invalid json", "detail": "not a JSON object"}))),
        Err(e) => return Err(json_reply(StatusCode::BAD_REQUEST, json!({"error": "invalid json", "detail": e.to_string()}))),
    };
    match m.get("mode") {
        None => Err(bad("missing required field 'mode' (use null to clear override)".into())),
        Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => match s.trim() {
            "" => Err(bad("mode must be one of platform_managed, byok, disabled, or null to clear".into())),
            m @ ("platform_managed" | "byok" | "disabled") => Ok(Some(m.to_owned())),
            m => Err(bad(format!("unknown billing mode {m:?} (allowed: platform_managed, byok, disabled)"))),
        },
        Some(_) => Err(json_reply(StatusCode::BAD_REQUEST, json!({"error": "mode must be a string or null", "detail": "not a string"}))),
    }
}

/// `PUT /admin/workspaces/{id}/llm-billing-mode` `{"mode": platform_managed|byok|disabled|null}`.
pub async fn put_billing(State(platform): State<Arc<Platform>>, auth: AdminAuth, Path(raw): Path<String>, body: Bytes) -> Response {
    if !route_served(&platform) {
        return canvas_not_found();
    }
    let Some(id) = Uuid::parse_str(&raw).ok().filter(|_| is_canonical_uuid(&raw)) else {
        return error(StatusCode::BAD_REQUEST, "invalid workspace id");
    };
    let mode = match requested_mode(&body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let mut tables = platform.lock();
    // An UPDATE by id: removed rows are still rows.
    let Some(ws) = tables.workspace_mut(auth.tenant.org_id, id) else { return workspace_not_found() };
    if mode.as_deref() == Some("byok") && platform.faults.fires(Fault::ByokIgnored) {
        // Answers as if stored; stores nothing.
        let mut v = billing(&platform, id, Some(ws));
        v["resolved_mode"] = json!("byok");
        v["workspace_override"] = json!("byok");
        v["source"] = json!("workspace_override");
        v["provider_selection"] = Value::Null;
        return json_reply(StatusCode::OK, v);
    }
    ws.billing_override = mode;
    json_reply(StatusCode::OK, billing(&platform, id, Some(ws)))
}

/// `POST|PUT /workspaces/{id}/secrets` `{key,value}` (WorkspaceAuth): the strip-list gate
/// while `platform_managed`, then an async restart.
pub async fn set_secret(State(platform): State<Arc<Platform>>, auth: WorkspaceAuth, body: Bytes) -> Response {
    let id = auth.id;
    let kv = json_object(&body).and_then(|m| {
        let k = m.get("key")?.as_str()?.to_owned();
        let v = m.get("value")?.as_str()?.to_owned();
        // gin's `binding:"required"` refuses empty strings too.
        (!k.is_empty() && !v.is_empty()).then_some((k, v))
    });
    let Some((key, value)) = kv else { return error(StatusCode::BAD_REQUEST, "invalid request body") };
    let mut tables = platform.lock();
    // No row: the insert's foreign key fails.
    let Some(ws) = tables.workspace_mut(auth.tenant.org_id, id) else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "failed to save secret");
    };
    if catalog::is_strip_listed(&key) && platform_managed(&platform, ws) {
        return vendor_key_blocked(&platform, &key, id);
    }
    ws.secrets.insert(key.clone(), value);
    let delay = platform.cfg.delays.provision_for(&ws.runtime);
    if ws.status != Status::Removed {
        restart_now(&platform, &mut tables, id, delay);
    }
    json_reply(StatusCode::OK, json!({"status": "saved", "key": key}))
}

/// `POST /admin/workspaces/{id}/tokens` (AdminAuth) → 201 `{auth_token, workspace_id, message}`.
pub async fn mint_token(State(platform): State<Arc<Platform>>, auth: AdminAuth, Path(raw): Path<String>) -> Response {
    let Ok(id) = Uuid::parse_str(&raw) else { return error(StatusCode::BAD_REQUEST, "invalid workspace id") };
    let mut tables = platform.lock();
    let Some(ws) = tables.workspace_mut(auth.tenant.org_id, id).filter(|w| w.status != Status::Removed) else {
        return workspace_not_found();
    };
    if ws.tokens.len() >= 50 {
        return error(StatusCode::TOO_MANY_REQUESTS, "maximum 50 active tokens per workspace");
    }
    let token = new_token("ws-");
    ws.tokens.push(token.clone());
    json_reply(
        StatusCode::CREATED,
        json!({"auth_token": token, "workspace_id": raw, "message": "Save this token now — it cannot be retrieved again."}),
    )
}

/// `POST /org/tokens` `{name?}` (AdminAuth) → 200 `{id, prefix, name, token, warning}`: an
/// org API token, accepted wherever the admin token is (and as a canvas user on A2A).
pub async fn mint_org_token(State(platform): State<Arc<Platform>>, auth: AdminAuth, body: Bytes) -> Response {
    let name = if body.is_empty() {
        String::new()
    } else {
        match json_object(&body) {
            Some(m) => m.get("name").and_then(Value::as_str).unwrap_or_default().to_owned(),
            None => return error(StatusCode::BAD_REQUEST, "invalid JSON body"),
        }
    };
    if name.chars().count() > 100 {
        return error(StatusCode::BAD_REQUEST, "name too long (max 100 chars)");
    }
    let token = new_token("org-");
    let mut tables = platform.lock();
    let Some(org) = tables.orgs.iter_mut().find(|o| o.id == auth.tenant.org_id) else { return workspace_not_found() };
    org.api_tokens.push(token.clone());
    json_reply(
        StatusCode::OK,
        json!({
            "id": Uuid::new_v4().to_string(),
            "prefix": &token[..8],
            "name": name,
            "token": token,
            "warning": "copy this token now; it will not be shown again",
        }),
    )
}
