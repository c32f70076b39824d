//! The registry (contract §5): register and heartbeat (exempt from the tenant guard, gated by
//! the workspace's own token) and peers.

use std::time::Instant;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use super::Fault;
use super::http::{Shared, Tenant, bearer, error, json_object, json_resp, str_field, ws_id, ws_not_found};
use super::state::{Status, Workspace, new_token};

/// The registry's token gate: a workspace with live tokens needs one of them as bearer; one
/// without tokens lets the caller bootstrap (contract §5).
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

/// `POST /registry/register` `{id, agent_card, url?, delivery_mode?}`.
pub async fn register(State(inner): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let parsed = json_object(&body).and_then(|m| {
        let id = Uuid::parse_str(str_field(&m, "id")?).ok()?;
        let card = m.get("agent_card").filter(|c| !c.is_null())?.clone();
        Some((m, id, card))
    });
    let Some((m, id, card)) = parsed else { return error(StatusCode::BAD_REQUEST, "invalid request body") };
    inner.count_workspace_request(id);
    let asked_mode = match m.get("delivery_mode") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) if s == "push" || s == "poll" => Some(s.clone()),
        Some(_) => return error(StatusCode::BAD_REQUEST, "delivery_mode must be 'push' or 'poll'"),
    };
    let url = str_field(&m, "url").unwrap_or_default().to_owned();
    let mut st = inner.lock();
    let Some(ws) = st.workspaces.get_mut(&id).filter(|w| w.status != Status::Removed) else { return ws_not_found() };
    if let Err(r) = token_gate(ws, &headers) {
        return r;
    }
    let mode = asked_mode.unwrap_or_else(|| ws.effective_delivery_mode().to_owned());
    if mode == "push" {
        if url.is_empty() && ws.url.is_empty() {
            return error(StatusCode::BAD_REQUEST, "url is required for push-mode workspaces");
        }
        if !url.is_empty() {
            if reqwest::Url::parse(&url).map(|u| !matches!(u.scheme(), "http" | "https")).unwrap_or(true) {
                return error(StatusCode::BAD_REQUEST, "url must be an http(s) URL");
            }
            ws.url = url;
        }
    }
    ws.delivery_mode = Some(mode.clone());
    ws.agent_card = Some(card);
    ws.last_seen = Some(Instant::now());
    if !matches!(ws.status, Status::Online | Status::Degraded) {
        ws.online_since = Some(Instant::now());
    }
    ws.status = Status::Online;
    let mut resp = json!({"status": "registered"});
    if let Some(o) = resp.as_object_mut() {
        if !inner.faults.fires(Fault::RegisterDropsDeliveryMode) {
            o.insert("delivery_mode".into(), json!(mode));
        }
        if ws.tokens.is_empty() {
            let t = new_token("ws-");
            ws.tokens.push(t.clone());
            o.insert("auth_token".into(), json!(t));
        }
    }
    json_resp(StatusCode::OK, resp)
}

/// `POST /registry/heartbeat` `{workspace_id, error_rate?, active_tasks?, runtime_state?, …}`:
/// refreshes liveness and drives the recoveries of contract §4.
pub async fn heartbeat(State(inner): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let parsed = json_object(&body).and_then(|m| {
        let id = Uuid::parse_str(str_field(&m, "workspace_id")?).ok()?;
        Some((m, id))
    });
    let Some((m, id)) = parsed else { return error(StatusCode::BAD_REQUEST, "invalid request body") };
    inner.count_workspace_request(id);
    let mut st = inner.lock();
    let Some(ws) = st.workspaces.get_mut(&id).filter(|w| w.status != Status::Removed) else { return ws_not_found() };
    if let Err(r) = token_gate(ws, &headers) {
        return r;
    }
    ws.last_seen = Some(Instant::now());
    let error_rate = m.get("error_rate").and_then(Value::as_f64);
    let wedged = str_field(&m, "runtime_state") == Some("wedged");
    if let Some(n) = m.get("active_tasks").and_then(Value::as_i64) {
        ws.active_tasks = n.max(0);
    }
    if let Some(r) = error_rate {
        ws.last_error_rate = r;
    }
    if let Some(e) = str_field(&m, "sample_error").filter(|e| !e.is_empty()) {
        ws.last_error = Some(e.to_owned());
    }
    match ws.status {
        Status::AwaitingAgent | Status::Offline | Status::Provisioning => {
            ws.status = Status::Online;
            ws.online_since = Some(Instant::now());
        }
        Status::Online if wedged || error_rate.is_some_and(|r| r >= 0.5) => ws.status = Status::Degraded,
        Status::Degraded if !wedged && error_rate.is_some_and(|r| r < 0.1) => ws.status = Status::Online,
        _ => {}
    }
    json_resp(StatusCode::OK, json!({"status": "ok"}))
}

/// `GET /registry/{id}/peers`: the caller's own workspace token (at the reference commit the
/// tenant admin token is refused); siblings, children and parent, never self.
pub async fn peers(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Response {
    if inner.faults.fires(Fault::Peers404) {
        return error(StatusCode::NOT_FOUND, "not found");
    }
    let Some(token) = bearer(&headers) else { return error(StatusCode::UNAUTHORIZED, "missing workspace auth token") };
    let id = match ws_id(&raw) {
        Ok(id) => id,
        Err(_) => return error(StatusCode::UNAUTHORIZED, "invalid workspace auth token"),
    };
    let st = inner.lock();
    let Some(me) = st.ws(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return ws_not_found() };
    if !me.tokens.iter().any(|k| k == token) {
        return error(StatusCode::UNAUTHORIZED, "invalid workspace auth token");
    }
    let mut rows: Vec<&Workspace> = st
        .workspaces
        .values()
        .filter(|w| w.org_id == tenant.org_id && w.id != id && w.status != Status::Removed)
        .filter(|w| w.parent_id == me.parent_id || w.parent_id == Some(id) || Some(w.id) == me.parent_id)
        .collect();
    rows.sort_by_key(|w| w.seq);
    json_resp(StatusCode::OK, Value::Array(rows.iter().map(|w| w.row(&inner, false)).collect()))
}
