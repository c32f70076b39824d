//! The A2A proxy (contract §6): `POST /workspaces/{id}/a2a`. Caller identity, JSON-RPC
//! normalisation (§6.2), poll-mode queueing (§5), auto-wake (§3.6), push dispatch with
//! verbatim passthrough and the error table (§6.4), and the `a2a_receive` activity row every
//! proxied call leaves on its target (§6.5).

use std::time::{Duration, Instant};

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::Fault;
use super::http::{Shared, Tenant, bearer, error, json_object, json_resp, ws_not_found};
use super::state::{Activity, Inner, State as Platform, Status, http_client};

/// The proxy reads at most this much of a request body (more is cut off, then fails to parse).
const MAX_BODY: usize = 1 << 20;
/// Caller ids with these prefixes are system identities, never workspaces.
const SYSTEM_PREFIXES: &[&str] = &["webhook:", "system:", "test:", "channel:"];
/// Without `X-Timeout`, how long a dispatch may take (the platform's idle timeout).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Whether two workspaces of one org may talk: self, parent and child, siblings (same
/// parent, or both roots).
fn can_communicate(st: &Platform, org: Uuid, a: Uuid, b: Uuid) -> bool {
    let (Some(wa), Some(wb)) = (st.ws(org, a), st.ws(org, b)) else { return false };
    a == b || wa.parent_id == Some(b) || wb.parent_id == Some(a) || wa.parent_id == wb.parent_id
}

/// The calling workspace, if any: `X-Workspace-ID` (which then needs that workspace's own
/// token unless it is the target), else the workspace whose token is the bearer; `None` for
/// canvas/admin callers.
fn identify(inner: &Inner, headers: &HeaderMap, tenant: &Tenant, target: Uuid) -> Result<Option<Uuid>, Response> {
    let header_caller = headers.get("x-workspace-id").and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
    let token = bearer(headers);
    let st = inner.lock();
    let caller = match header_caller {
        Some(raw) => {
            if SYSTEM_PREFIXES.iter().any(|p| raw.starts_with(p)) {
                return Err(error(StatusCode::FORBIDDEN, "invalid caller ID"));
            }
            let Ok(caller) = Uuid::parse_str(raw) else { return Err(error(StatusCode::FORBIDDEN, "invalid caller ID")) };
            if caller == target {
                return Ok(Some(caller));
            }
            if st.workspaces.get(&caller).is_some_and(|w| w.org_id != tenant.org_id) {
                return Err(error(StatusCode::FORBIDDEN, "access denied: caller workspace belongs to another org"));
            }
            let Some(token) = token else { return Err(error(StatusCode::UNAUTHORIZED, "missing caller auth token")) };
            if !st.ws(tenant.org_id, caller).is_some_and(|w| w.status != Status::Removed && w.tokens.iter().any(|k| k == token)) {
                return Err(error(StatusCode::UNAUTHORIZED, "invalid caller auth token"));
            }
            caller
        }
        None => {
            let found = token.filter(|t| *t != tenant.admin_token).and_then(|t| {
                st.workspaces
                    .values()
                    .find(|w| w.org_id == tenant.org_id && w.status != Status::Removed && w.tokens.iter().any(|k| k == t))
                    .map(|w| w.id)
            });
            match found {
                Some(c) => c,
                None => return Ok(None),
            }
        }
    };
    if caller != target && !can_communicate(&st, tenant.org_id, caller, target) {
        return Err(error(StatusCode::FORBIDDEN, "access denied: workspaces are not allowed to communicate (not parent, child or sibling)"));
    }
    Ok(Some(caller))
}

/// The platform's `normalizeA2APayload` (contract §6.2).
pub fn normalise(mut obj: Map<String, Value>) -> Result<Value, Response> {
    if !obj.contains_key("jsonrpc") {
        let method = obj.remove("method").unwrap_or(Value::Null);
        let params = obj.remove("params").unwrap_or(Value::Null);
        let mut wrapped = Map::new();
        wrapped.insert("jsonrpc".into(), json!("2.0"));
        wrapped.insert("id".into(), json!(Uuid::new_v4().to_string()));
        wrapped.insert("method".into(), method);
        wrapped.insert("params".into(), params);
        obj = wrapped;
    }
    if let Some(Value::Object(params)) = obj.get_mut("params")
        && let Some(Value::Object(msg)) = params.get_mut("message")
    {
        if !msg.contains_key("messageId") {
            msg.insert("messageId".into(), json!(Uuid::new_v4().to_string()));
        }
        if !msg.contains_key("role") {
            msg.insert("role".into(), json!("user"));
        }
        if !msg.contains_key("parts") {
            let parts = match msg.remove("content") {
                Some(Value::String(text)) => json!([{"kind": "text", "text": text}]),
                Some(a @ Value::Array(_)) => a,
                Some(_) => {
                    return Err(json_resp(
                        StatusCode::BAD_REQUEST,
                        json!({"error": "invalid params.message.content type", "hint": "content must be a string or an array of parts; prefer params.message.parts (A2A v0.3)"}),
                    ));
                }
                None => {
                    return Err(json_resp(
                        StatusCode::BAD_REQUEST,
                        json!({"error": "params.message must contain either 'parts' (v0.3) or 'content' (v0.2 compat)", "hint": "send params.message.parts: [{\"kind\":\"text\",\"text\":\"…\"}]"}),
                    ));
                }
            };
            msg.insert("parts".into(), parts);
        }
        if let Some(Value::Array(parts)) = msg.get_mut("parts") {
            for part in parts.iter_mut().filter_map(Value::as_object_mut) {
                if !part.contains_key("kind")
                    && let Some(t) = part.remove("type")
                {
                    part.insert("kind".into(), t);
                }
            }
        }
    }
    Ok(Value::Object(obj))
}

fn a2a_row(target: Uuid, caller: Option<Uuid>, method: &str, summary: String, envelope: &Value) -> Activity {
    let mut row = Activity::new(target, "a2a_receive");
    row.source_id = caller.map(|c| c.to_string());
    row.target_id = Some(target.to_string());
    row.method = Some(method.to_owned());
    row.summary = Some(summary);
    row.request_body = Some(envelope.clone());
    row
}

/// Record a row unless [`Fault::ActivityNotRecorded`] drops it.
fn record(inner: &Inner, row: Activity) {
    if inner.faults.fires(Fault::ActivityNotRecorded) {
        return;
    }
    let mut st = inner.lock();
    if st.workspaces.contains_key(&row.workspace_id) {
        st.record(&inner.faults, row);
    }
}

/// `POST /workspaces/{id}/a2a` (open: tenant guard, then caller checks).
pub async fn a2a(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(target) = Uuid::parse_str(&raw) else { return ws_not_found() };
    if !inner.lock().ws(tenant.org_id, target).is_some_and(|w| w.status != Status::Removed) {
        return ws_not_found();
    }
    let caller = match identify(&inner, &headers, &tenant, target) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(obj) = json_object(&body[..body.len().min(MAX_BODY)]) else { return error(StatusCode::BAD_REQUEST, "invalid JSON") };
    let envelope = match normalise(obj) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let method = envelope.get("method").and_then(Value::as_str).unwrap_or_default().to_owned();

    let (url, name, runtime_faults) = {
        let mut st = inner.lock();
        let Some(ws) = st.ws_mut(tenant.org_id, target).filter(|w| w.status != Status::Removed) else { return ws_not_found() };
        let name = ws.name.clone();
        if ws.effective_delivery_mode() == "poll" {
            if inner.faults.fires(Fault::Proxy404Poll) {
                return ws_not_found();
            }
            drop(st);
            record(&inner, a2a_row(target, caller, &method, format!("{method} → {name} (queued for poll)"), &envelope));
            let mode = if inner.faults.fires(Fault::QueuedSaysPush) { "push" } else { "poll" };
            return json_resp(StatusCode::OK, json!({"status": "queued", "delivery_mode": mode, "method": method}));
        }
        if ws.url.is_empty() {
            if ws.status == Status::Hibernated {
                if !inner.faults.fires(Fault::NeverWakes) {
                    let delay = inner.cfg.delays.wake;
                    inner.provision(&mut st, target, delay);
                }
                return waking(&inner);
            }
            return json_resp(StatusCode::SERVICE_UNAVAILABLE, json!({"error": "workspace has no URL", "status": ws.status.as_str()}));
        }
        ws.a2a_dispatches += 1;
        if ws.a2a_dispatches <= 2 && inner.faults.fires(Fault::Transient5xx) {
            let first = ws.a2a_dispatches == 1;
            drop(st);
            let mut row = a2a_row(target, caller, &method, format!("{method} → {name}"), &envelope);
            row.status = "error".into();
            row.error_detail = Some(if first { "agent unreachable (transient)" } else { "upstream 502 Bad Gateway (transient)" }.into());
            record(&inner, row);
            return if first {
                json_resp(
                    StatusCode::SERVICE_UNAVAILABLE,
                    json!({"error": "workspace agent unreachable — container restart triggered", "restarting": true}),
                )
            } else {
                (StatusCode::BAD_GATEWAY, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "Bad Gateway").into_response()
            };
        }
        (ws.url.clone(), name, ws.runtime_faults.clone())
    };

    let timeout = headers
        .get("x-timeout")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_TIMEOUT);
    let started = Instant::now();
    let Ok(http) = http_client() else {
        return json_resp(StatusCode::BAD_GATEWAY, json!({"error": "failed to reach workspace agent"}));
    };
    let sent = http
        .post(&url)
        .header(header::CONTENT_TYPE, "application/json")
        .body(envelope.to_string())
        .timeout(timeout)
        .send()
        .await;
    let mut row = a2a_row(target, caller, &method, format!("{method} → {name}"), &envelope);
    let fail = |inner: &Inner, mut row: Activity, status: StatusCode, body: Value, detail: String| {
        row.status = "error".into();
        row.error_detail = Some(detail);
        row.duration_ms = Some(started.elapsed().as_millis() as i64);
        record(inner, row);
        json_resp(status, body)
    };
    let resp = match sent {
        Ok(r) => r,
        Err(e) => {
            let detail = format!("dial {url}: {e}");
            return fail(&inner, row, StatusCode::BAD_GATEWAY, json!({"error": "failed to reach workspace agent"}), detail);
        }
    };
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let content_type = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let bytes = match resp.bytes().await {
        Ok(b) => b,
        Err(e) => {
            let s = if status.as_u16() >= 300 { status } else { StatusCode::BAD_GATEWAY };
            let body = json!({"error": "failed to read agent response", "delivery_confirmed": status.is_success()});
            return fail(&inner, row, s, body, format!("read body: {e}"));
        }
    };
    if status.as_u16() >= 300 {
        let upstream = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("upstream error").to_owned());
        let detail = format!("upstream {}: {upstream}", status.as_u16());
        return fail(&inner, row, status, json!({"error": upstream}), detail);
    }
    if bytes.is_empty() {
        let body = json!({"error": "agent returned empty response body"});
        return fail(&inner, row, status, body, "agent returned empty response body".into());
    }
    row.duration_ms = Some(started.elapsed().as_millis() as i64);
    row.response_body =
        Some(serde_json::from_slice::<Value>(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())));
    record(&inner, row);
    // The answer came from a runtime started faulty: each of its faults shaped this reply.
    for f in runtime_faults {
        inner.faults.count(f);
    }
    let ct = content_type.unwrap_or_else(|| "application/json".to_owned());
    (status, [(header::CONTENT_TYPE, ct)], Body::from(bytes)).into_response()
}

/// The auto-wake answer (contract §6.4): 503, `waking:true`, retry in ~15 s.
fn waking(inner: &Inner) -> Response {
    let msg = "workspace is waking from hibernation — retry in ~15 seconds";
    if inner.faults.fires(Fault::WakingWithoutRetryAfter) {
        return json_resp(StatusCode::SERVICE_UNAVAILABLE, json!({"error": msg, "waking": true}));
    }
    let mut r = json_resp(StatusCode::SERVICE_UNAVAILABLE, json!({"error": msg, "waking": true, "retry_after": 15}));
    r.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from_static("15"));
    r
}
