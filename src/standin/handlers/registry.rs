//! The registry (contract §5; handlers/registry.go `Register`, `Heartbeat`,
//! `requireWorkspaceToken`, and discovery.go `Peers` at the reference commit). Register and
//! heartbeat are exempt from the tenant guard and gated by the workspace's own token.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::standin::Fault;
use crate::standin::auth::{Credential, Tenant, bearer};
use crate::standin::platform::{Platform, Status, Workspace, new_token};
use crate::standin::reply::{error, json_object, json_reply, str_field, workspace_not_found};

/// `requireWorkspaceToken`: a workspace with live tokens needs one of them as bearer; one
/// without tokens lets the caller through (its register mints the first).
fn token_gate(ws: &Workspace, headers: &HeaderMap) -> Result<(), Response> {
    if ws.tokens.is_empty() {
        return Ok(());
    }
    match bearer(headers) {
        None => Err(error(StatusCode::UNAUTHORIZED, "missing workspace auth token")),
        Some(t) if ws.tokens.iter().any(|k| k == t) => Ok(()),
        Some(_) => Err(error(StatusCode::UNAUTHORIZED, "invalid workspace auth token")),
    }
}

/// A register body: the object, its `id`, its `agent_card`, and the delivery mode asked for.
type RegisterBody = (Map<String, Value>, Uuid, Value, Option<String>);

/// The register body: `id` and a non-null `agent_card` are required; `delivery_mode`, when
/// given, must be push or poll.
fn register_body(body: &[u8]) -> Result<RegisterBody, Response> {
    let parsed = json_object(body).and_then(|m| {
        let id = Uuid::parse_str(str_field(&m, "id")?).ok()?;
        let card = m.get("agent_card").filter(|c| !c.is_null())?.clone();
        Some((m, id, card))
    });
    let Some((m, id, card)) = parsed else { return Err(error(StatusCode::BAD_REQUEST, "invalid request body")) };
    let mode = match m.get("delivery_mode") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) if s == "push" || s == "poll" => Some(s.clone()),
        Some(_) => return Err(error(StatusCode::BAD_REQUEST, "delivery_mode must be 'push' or 'poll'")),
    };
    Ok((m, id, card, mode))
}

/// `POST /registry/register` `{id, agent_card, url?, delivery_mode?}`.
pub async fn register(State(platform): State<Arc<Platform>>, headers: HeaderMap, body: Bytes) -> Response {
    let (m, id, card, asked_mode) = match register_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    platform.count_workspace_request(id);
    let url = str_field(&m, "url").unwrap_or_default().to_owned();
    let mut tables = platform.lock();
    // The stand-in serves every tenant from one listener and register carries no org, so an
    // unknown id has no table to be inserted into (the platform upserts a row named by its id).
    let Some(ws) = tables.workspaces.get_mut(&id) else { return workspace_not_found() };
    if let Err(r) = token_gate(ws, &headers) {
        return r;
    }
    let mode = asked_mode.unwrap_or_else(|| ws.effective_delivery_mode().to_owned());
    if mode == "push" {
        if url.is_empty() {
            return error(StatusCode::BAD_REQUEST, "url is required for push-mode workspaces");
        }
        if reqwest::Url::parse(&url).map(|u| !matches!(u.scheme(), "http" | "https")).unwrap_or(true) {
            return error(StatusCode::BAD_REQUEST, "url must be an http(s) URL");
        }
    }
    // The upsert never touches a removed row, and still answers `registered`.
    if ws.status != Status::Removed {
        // A loopback URL the provisioner wrote is kept; otherwise the payload's (even empty).
        if !ws.url.starts_with("http://127.0.0.1") {
            ws.url = url;
        }
        ws.delivery_mode = Some(mode.clone());
        ws.agent_card = Some(card);
        ws.last_seen = Some(Instant::now());
        if !matches!(ws.status, Status::Online | Status::Degraded) {
            ws.online_since = Some(Instant::now());
        }
        ws.status = Status::Online;
    }
    let mut resp = json!({"status": "registered", "delivery_mode": mode});
    if platform.faults.fires(Fault::RegisterDropsDeliveryMode)
        && let Some(o) = resp.as_object_mut()
    {
        o.remove("delivery_mode");
    }
    if ws.tokens.is_empty() {
        let t = new_token("ws-");
        ws.tokens.push(t.clone());
        resp["auth_token"] = json!(t);
    }
    resp["platform_inbound_secret"] = json!(ws.inbound_secret);
    json_reply(StatusCode::OK, resp)
}

/// `POST /registry/heartbeat` `{workspace_id, error_rate?, active_tasks?, runtime_state?, …}`:
/// refreshes liveness, stores the reported figures (absent ones as zero, like Go's binding)
/// and drives the recoveries of contract §4.
pub async fn heartbeat(State(platform): State<Arc<Platform>>, headers: HeaderMap, body: Bytes) -> Response {
    let parsed = json_object(&body).and_then(|m| {
        let id = Uuid::parse_str(str_field(&m, "workspace_id")?).ok()?;
        Some((m, id))
    });
    let Some((m, id)) = parsed else { return error(StatusCode::BAD_REQUEST, "invalid request body") };
    platform.count_workspace_request(id);
    let mut tables = platform.lock();
    // An UPDATE of no row: 200 all the same.
    let Some(ws) = tables.workspaces.get_mut(&id) else { return json_reply(StatusCode::OK, json!({"status": "ok"})) };
    if let Err(r) = token_gate(ws, &headers) {
        return r;
    }
    if ws.status != Status::Removed {
        apply_heartbeat(ws, &m);
    }
    json_reply(StatusCode::OK, json!({"status": "ok", "platform_inbound_secret": ws.inbound_secret}))
}

fn apply_heartbeat(ws: &mut Workspace, m: &Map<String, Value>) {
    ws.last_seen = Some(Instant::now());
    let error_rate = m.get("error_rate").and_then(Value::as_f64).unwrap_or(0.0);
    let wedged = str_field(m, "runtime_state") == Some("wedged");
    ws.active_tasks = m.get("active_tasks").and_then(Value::as_i64).unwrap_or(0).max(0);
    ws.last_error_rate = error_rate;
    ws.last_error = str_field(m, "sample_error").filter(|e| !e.is_empty()).map(str::to_owned);
    match ws.status {
        Status::AwaitingAgent | Status::Offline | Status::Provisioning => {
            ws.status = Status::Online;
            ws.online_since = Some(Instant::now());
        }
        Status::Online if wedged || error_rate >= 0.5 => ws.status = Status::Degraded,
        Status::Degraded if !wedged && error_rate < 0.1 => ws.status = Status::Online,
        _ => {}
    }
}

/// One peer as `queryPeerMaps` writes it (not the full row).
fn peer_json(w: &Workspace) -> Value {
    json!({
        "id": w.id.to_string(),
        "name": w.name,
        "tier": w.tier,
        "status": w.status.as_str(),
        "url": w.url,
        "parent_id": w.parent_id.map(|p| p.to_string()),
        "active_tasks": w.active_tasks,
        "role": w.role,
        "agent_card": w.agent_card,
    })
}

/// `GET /registry/{id}/peers` (`validateDiscoveryCaller`, then `Peers`): a workspace with
/// live tokens needs its own token as bearer; at the reference commit the admin and org
/// tokens are refused (401 `invalid workspace auth token`), from e6aad44c on
/// (`Generation::peers_accept_admin`) they pass.
pub async fn peers(State(platform): State<Arc<Platform>>, tenant: Tenant, headers: HeaderMap, Path(raw): Path<String>) -> Response {
    if platform.faults.fires(Fault::Peers404) {
        return error(StatusCode::NOT_FOUND, "not found");
    }
    let id = Uuid::parse_str(&raw).ok();
    let has_live = id.is_some_and(|id| platform.lock().workspace(tenant.org_id, id).is_some_and(|w| !w.tokens.is_empty()));
    if has_live {
        let Some(token) = bearer(&headers) else { return error(StatusCode::UNAUTHORIZED, "missing workspace auth token") };
        let ok = match platform.credential(&tenant, token) {
            Credential::TenantAdmin | Credential::OrgToken => platform.cfg.platform.peers_accept_admin,
            Credential::Workspace(w) => Some(w) == id,
            Credential::Unknown => false,
        };
        if !ok {
            return error(StatusCode::UNAUTHORIZED, "invalid workspace auth token");
        }
    }
    let tables = platform.lock();
    let Some(id) = id.filter(|id| tables.workspace(tenant.org_id, *id).is_some()) else { return workspace_not_found() };
    let peers: Vec<Value> = tables.peer_ids(tenant.org_id, id).iter().filter_map(|p| tables.workspaces.get(p)).map(peer_json).collect();
    json_reply(StatusCode::OK, Value::Array(peers))
}
