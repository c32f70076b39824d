//! The A2A proxy (contract §6): `POST /workspaces/{id}/a2a`, open behind the tenant guard.
//! It follows handlers/a2a_proxy.go `ProxyA2A` / `proxyA2ARequest` and a2a_proxy_helpers.go
//! at the reference commit, in their order: caller identity, caller token, hierarchy,
//! normalisation, poll-mode queueing, the URL (auto-wake), dispatch and the `a2a_receive` row
//! every outcome leaves on its target.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use super::a2a_normalise::normalise_body;
use crate::standin::Fault;
use crate::standin::auth::{Credential, Tenant, bearer};
use crate::standin::platform::a2a_queue::{interrupt_ack, shape_answer};
use crate::standin::platform::{Activity, Platform, Status, http_client};
use crate::standin::reply::{error, json_reply, workspace_not_found};

/// The proxy reads at most this much of a request body (`maxProxyRequestBody`).
const MAX_BODY: usize = 1 << 20;
/// Caller ids with these prefixes are system identities, never a header's (`isSystemCaller`).
const SYSTEM_PREFIXES: &[&str] = &["webhook:", "system:", "test:", "channel:"];
/// Without `X-Timeout`, how long a dispatch may take (the platform's idle timeout).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Who is calling, as the proxy decided.
struct Caller {
    /// The caller id as the activity row records it (`X-Workspace-ID` as sent, or the
    /// workspace the bearer belongs to); `None` for the canvas / an admin without the header.
    id: Option<String>,
    /// A genuine canvas user (`isGenuineCanvasUser`: the admin token or an org API token):
    /// no token binding, no hierarchy check.
    canvas_user: bool,
}

/// `POST /workspaces/{id}/a2a`.
pub async fn a2a(
    State(platform): State<Arc<Platform>>,
    tenant: Tenant,
    headers: HeaderMap,
    Path(raw): Path<String>,
    body: Bytes,
) -> Response {
    let caller = match identify(&platform, &tenant, &headers, &raw) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(r) = check_hierarchy(&platform, &tenant, &caller, &raw) {
        return r;
    }
    let (envelope, method) = match normalise_body(&body[..body.len().min(MAX_BODY)]) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (org, timeout) = (tenant.org_id, timeout(&headers));
    // `dispatchA2A` forwards under `context.WithoutCancel` (`a2a_proxy.go:1658-1685` at
    // aeec8e47, 934-961 at 41409fb2): a turn survives its caller hanging up (the harness's busy turn outlives its
    // 30 s curl), runs to its answer or its runtime's stop, and its activity row is written.
    let detached = tokio::spawn(async move {
        let call = Call { platform: &platform, org, target: raw, caller: caller.id, method, envelope };
        // Canvas cap-and-queue (`a2a_proxy.go:553-585` at aeec8e47): a canvas caller's turn that
        // outlives the sync budget is answered push-async. The stand-in's turns are instant, so
        // only the fault makes one outlive it.
        if caller.canvas_user && call.method == "message/send" && platform.faults.fires(Fault::PushAsyncParked) {
            return call.parked();
        }
        let url = match call.route() {
            Ok(url) => url,
            Err(r) => return r,
        };
        call.dispatch(&url, timeout).await
    });
    detached.await.unwrap_or_else(|e| error(StatusCode::INTERNAL_SERVER_ERROR, &format!("proxy task failed: {e}")))
}

/// `X-Timeout: <secs>` (positive), else the idle timeout.
fn timeout(headers: &HeaderMap) -> Duration {
    headers
        .get("x-timeout")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs)
}

/// `ProxyA2A`'s caller steps: `X-Workspace-ID`, else the workspace the bearer belongs to; a
/// system prefix → 403 `invalid caller ID`; a caller other than the target is then held to
/// `validateCallerToken`: a canvas user (admin or org token) passes unbound; a caller
/// workspace with live tokens needs one of them (401 `missing`/`invalid caller auth token`);
/// one without tokens (or unknown here) is let through.
fn identify(platform: &Platform, tenant: &Tenant, headers: &HeaderMap, target: &str) -> Result<Caller, Response> {
    let token = bearer(headers);
    let credential = token.map(|t| platform.credential(tenant, t));
    let header = headers.get("x-workspace-id").and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
    let id = match (header, credential) {
        (Some(h), _) => Some(h.to_owned()),
        (None, Some(Credential::Workspace(w))) => Some(w.to_string()),
        (None, _) => None,
    };
    if id.as_deref().is_some_and(|c| SYSTEM_PREFIXES.iter().any(|p| c.starts_with(p))) {
        return Err(error(StatusCode::FORBIDDEN, "invalid caller ID"));
    }
    if platform.cfg.platform.a2a_caller_must_authenticate {
        return authenticated_caller(credential, id);
    }
    let canvas_user = matches!(credential, Some(Credential::TenantAdmin | Credential::OrgToken));
    if let Some(c) = id.as_deref().filter(|c| *c != target)
        && !canvas_user
    {
        let tables = platform.lock();
        let live_tokens = Uuid::parse_str(c).ok().and_then(|c| tables.workspace(tenant.org_id, c)).map(|w| &w.tokens);
        if let Some(tokens) = live_tokens.filter(|t| !t.is_empty()) {
            let Some(t) = token else { return Err(error(StatusCode::UNAUTHORIZED, "missing caller auth token")) };
            if !tokens.iter().any(|k| k == t) {
                return Err(error(StatusCode::UNAUTHORIZED, "invalid caller auth token"));
            }
        }
    }
    Ok(Caller { id, canvas_user })
}

/// The later platform (8152a439, `authenticateA2AHTTPCaller`): a bearer is required; the
/// admin token is a canvas user under the claimed id; a workspace token is the caller itself
/// (a different claimed id → 401); an org API token is the anonymous canvas; anything else
/// → 401 `invalid caller auth token`.
fn authenticated_caller(credential: Option<Credential>, claimed: Option<String>) -> Result<Caller, Response> {
    let unauthorized = |msg: &str| Err(error(StatusCode::UNAUTHORIZED, msg));
    match credential {
        None => unauthorized("missing caller auth token"),
        Some(Credential::TenantAdmin) => Ok(Caller { id: claimed, canvas_user: true }),
        Some(Credential::OrgToken) => Ok(Caller { id: None, canvas_user: true }),
        Some(Credential::Workspace(w)) if claimed.as_deref().is_some_and(|c| c != w.to_string()) => {
            unauthorized("caller ID does not match workspace auth token")
        }
        Some(Credential::Workspace(w)) => Ok(Caller { id: Some(w.to_string()), canvas_user: false }),
        Some(Credential::Unknown) => unauthorized("invalid caller auth token"),
    }
}

/// `proxyA2ARequest`'s access control: a workspace caller other than the target must pass
/// `CanCommunicate` (403 otherwise). The same-org check that follows always holds here: a
/// tenant's tables hold only its own workspaces.
fn check_hierarchy(platform: &Platform, tenant: &Tenant, caller: &Caller, target: &str) -> Result<(), Response> {
    let Some(c) = caller.id.as_deref().filter(|c| *c != target && !caller.canvas_user) else { return Ok(()) };
    let allowed = match (Uuid::parse_str(c), Uuid::parse_str(target)) {
        (Ok(c), Ok(t)) => platform.lock().can_communicate(tenant.org_id, c, t),
        _ => false,
    };
    if !allowed {
        return Err(error(StatusCode::FORBIDDEN, "access denied: workspaces cannot communicate per hierarchy rules"));
    }
    // CanCommunicate reads the hierarchy only: a parent may delegate to a child on another
    // runtime. The fault refuses exactly that (issue 23's cross-runtime cases).
    if cross_runtime(platform, tenant, c, target) && platform.faults.fires(Fault::CrossRuntimeRefused) {
        return Err(error(StatusCode::FORBIDDEN, "access denied: caller and target run different runtimes"));
    }
    Ok(())
}

/// Whether caller `c` and `target` are workspaces of different runtimes.
fn cross_runtime(platform: &Platform, tenant: &Tenant, c: &str, target: &str) -> bool {
    let (Ok(c), Ok(t)) = (Uuid::parse_str(c), Uuid::parse_str(target)) else { return false };
    let p = platform.lock();
    let runtime = |id| p.workspace(tenant.org_id, id).map(|w| w.runtime.clone());
    matches!((runtime(c), runtime(t)), (Some(a), Some(b)) if a != b)
}

/// One proxied call after the checks.
struct Call<'a> {
    platform: &'a Arc<Platform>,
    org: Uuid,
    target: String,
    caller: Option<String>,
    method: String,
    envelope: Value,
}

impl Call<'_> {
    fn row(&self, target: Uuid, summary: String) -> Activity {
        let mut row = Activity::new(target, "a2a_receive");
        row.source_id = self.caller.clone();
        row.target_id = Some(target.to_string());
        row.method = Some(self.method.clone());
        row.summary = Some(summary);
        row.request_body = Some(self.envelope.clone());
        row
    }

    /// Record a row unless [`Fault::ActivityNotRecorded`] drops it.
    fn record(&self, row: Activity) {
        if self.platform.faults.fires(Fault::ActivityNotRecorded) {
            return;
        }
        self.platform.lock().record(&self.platform.faults, row);
    }

    /// Where the call goes: poll mode answers `queued` here; a row without a URL answers 503
    /// (a hibernated one starts waking); else the URL to dispatch to.
    fn route(&self) -> Result<String, Response> {
        // A target id that is no UUID fails the row lookup itself (`lookup failed`).
        let Ok(target) = Uuid::parse_str(&self.target) else { return Err(error(StatusCode::INTERNAL_SERVER_ERROR, "lookup failed")) };
        let mut tables = self.platform.lock();
        let Some(ws) = tables.workspace_mut(self.org, target) else { return Err(workspace_not_found()) };
        let name = ws.name.clone();
        if ws.effective_delivery_mode() == "poll" {
            if self.platform.faults.fires(Fault::Proxy404Poll) {
                return Err(workspace_not_found());
            }
            drop(tables);
            return Err(self.queue_for_poll(target, &name));
        }
        if ws.status == Status::Paused
            && let Some(h) = ws.runtime_handle.as_ref().filter(|_| self.platform.faults.fires(Fault::PausedStillServes))
        {
            return Ok(h.url());
        }
        // A platform boot turn in flight: the caller's turn is queued, not interleaved
        // (`a2a_proxy.go:885-917` at aeec8e47).
        if self.platform.cfg.platform.a2a.boot_turns_queue && self.method == "message/send" && ws.boot_turn.is_some() {
            drop(tables);
            self.platform.faults.fires(Fault::BootTurnHoldsFirstTurn);
            return Err(self.enqueue(target, &name, StatusCode::OK));
        }
        if ws.url.is_empty() {
            if ws.status == Status::Hibernated {
                if !self.platform.faults.fires(Fault::NeverWakes) {
                    let delay = self.platform.cfg.delays.wake;
                    // `RestartByID` in the background.
                    self.platform.provision(&mut tables, target, delay);
                }
                return Err(waking(self.platform));
            }
            // A settling target is enqueued, 202 (`a2a_proxy.go:935-948`, `isRecoverableSettlingStatus`
            // at aeec8e47); other URL-less states, and every one at 41409fb2, are 503.
            let settling = matches!(ws.status, Status::Provisioning | Status::AwaitingAgent);
            if settling && self.platform.cfg.platform.a2a.settling_target_queues && !self.platform.faults.fires(Fault::SettlingAnswered503) {
                drop(tables);
                return Err(self.enqueue(target, &name, StatusCode::ACCEPTED));
            }
            return Err(json_reply(StatusCode::SERVICE_UNAVAILABLE, json!({"error": "workspace has no URL", "status": ws.status.as_str()})));
        }
        ws.a2a_dispatches += 1;
        if ws.a2a_dispatches <= 2 && self.platform.faults.fires(Fault::Transient5xx) {
            let first = ws.a2a_dispatches == 1;
            drop(tables);
            return Err(self.transient(target, &name, first));
        }
        Ok(ws.url.clone())
    }

    /// Poll mode (`#2339`): no dispatch; the normalised envelope is recorded as the target's
    /// `a2a_receive` row (the agent's inbox) and the answer is exactly three keys.
    fn queue_for_poll(&self, target: Uuid, name: &str) -> Response {
        let row = self.row(target, format!("{} → {name} (queued for poll)", self.method));
        if self.is_reply_to_sender(target) && self.platform.faults.fires(Fault::PollReplyDropped) {
            // Answered as queued; the sender's inbox never sees it.
        } else {
            self.record(row);
        }
        let mode = if self.platform.faults.fires(Fault::QueuedSaysPush) { "push" } else { "poll" };
        json_reply(StatusCode::OK, json!({"status": "queued", "delivery_mode": mode, "method": self.method}))
    }

    /// Queue the turn (`EnqueueA2A`), its `a2a_receive` row written at receipt (row 32): 200
    /// with the boot-turn envelope, or 202 with the busy/settling one (`enqueueBusyA2A`).
    fn enqueue(&self, target: Uuid, name: &str, status: StatusCode) -> Response {
        self.record(self.row(target, format!("{} → {name} (queued)", self.method)));
        let (qid, depth) = self.platform.lock().enqueue(self.org, target, self.caller.clone(), self.envelope.clone());
        let (qid, method) = (qid.to_string(), self.method.clone());
        let body = if status == StatusCode::OK {
            json!({"status": "queued", "method": method, "queued": true, "queue_id": qid, "queue_depth": depth})
        } else {
            let message = "workspace agent busy — request queued, will dispatch when capacity available";
            json!({"queued": true, "queue_id": qid, "queue_depth": depth, "message": message})
        };
        json_reply(status, body)
    }

    /// The push-async answer (`a2a_proxy.go:579-583` at aeec8e47); the row is written at receipt.
    fn parked(&self) -> Response {
        if let Ok(target) = Uuid::parse_str(&self.target) {
            self.record(self.row(target, format!("{} (parked: push-async)", self.method)));
        }
        json_reply(StatusCode::OK, json!({"status": "queued", "delivery_mode": "push-async", "method": self.method}))
    }

    /// Whether this call answers the target's own earlier message: the caller's inbox holds a
    /// row from the target (what [`Fault::PollReplyDropped`] drops).
    fn is_reply_to_sender(&self, target: Uuid) -> bool {
        let Some(caller) = self.caller.as_deref().and_then(|c| Uuid::parse_str(c).ok()) else { return false };
        let target = target.to_string();
        self.platform.lock().activity.iter().any(|a| a.workspace_id == caller && a.source_id.as_deref() == Some(target.as_str()))
    }

    /// [`Fault::Transient5xx`]: a dead-container 503, then an upstream 502, each logged as a
    /// failed attempt.
    fn transient(&self, target: Uuid, name: &str, first: bool) -> Response {
        let detail = if first { "agent unreachable (transient)" } else { "upstream 502 Bad Gateway (transient)" };
        let mut row = self.row(target, format!("A2A request to {name} failed: {detail}"));
        row.status = "error".into();
        row.error_detail = Some(detail.into());
        self.record(row);
        if first {
            json_reply(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"error": "workspace agent unreachable — container restart triggered", "restarting": true}),
            )
        } else {
            (StatusCode::BAD_GATEWAY, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "Bad Gateway").into_response()
        }
    }

    /// Forward the envelope and pass the answer through: a send error → 502 `failed to reach
    /// workspace agent` (failure row); upstream ≥300 → its status with `{"error": <its error
    /// or status text>}`; an empty 2xx → `agent returned empty response body` (no row); else
    /// the body verbatim, after the success row is written.
    async fn dispatch(&self, url: &str, timeout: Duration) -> Response {
        let Ok(target) = Uuid::parse_str(&self.target) else { return error(StatusCode::INTERNAL_SERVER_ERROR, "lookup failed") };
        let (name, runtime_faults) = match self.platform.lock().workspace(self.org, target) {
            Some(w) => (w.name.clone(), w.runtime_faults.clone()),
            None => return workspace_not_found(),
        };
        let started = Instant::now();
        if let Some(ack) = interrupt_ack(self.platform, target, &self.envelope) {
            let mut row = self.row(target, format!("{} → {name} (interrupt acknowledged)", self.method));
            row.response_body = Some(ack.clone());
            self.record(row);
            return json_reply(StatusCode::OK, ack);
        }
        let Ok(http) = http_client(url) else { return error(StatusCode::BAD_GATEWAY, "failed to reach workspace agent") };
        let sent = http.post(url).header(header::CONTENT_TYPE, "application/json").body(self.envelope.to_string()).timeout(timeout).send().await;
        let elapsed = |row: &mut Activity| row.duration_ms = Some(started.elapsed().as_millis() as i64);
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                let detail = format!("dial {url}: {e}");
                let mut row = self.row(target, format!("A2A request to {name} failed: {detail}"));
                (row.status, row.error_detail) = ("error".into(), Some(detail));
                elapsed(&mut row);
                self.record(row);
                return error(StatusCode::BAD_GATEWAY, "failed to reach workspace agent");
            }
        };
        let status = StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        let content_type = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let Ok(bytes) = resp.bytes().await else {
            let s = if status.as_u16() >= 300 { status } else { StatusCode::BAD_GATEWAY };
            return json_reply(s, json!({"error": "failed to read agent response", "delivery_confirmed": status.is_success()}));
        };
        if status.is_success() && bytes.is_empty() {
            return json_reply(status, json!({"error": "agent returned empty response body"}));
        }
        let bytes = self.shape(bytes);
        let mut row = self.row(target, format!("{} → {name}", self.method));
        elapsed(&mut row);
        row.status = if status.as_u16() >= 400 { "error" } else { "ok" }.into();
        row.response_body =
            Some(serde_json::from_slice::<Value>(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())));
        self.record(row);
        if status.as_u16() >= 300 {
            let upstream = serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_else(|| status.canonical_reason().unwrap_or("upstream error").to_owned());
            return error(status, &upstream);
        }
        // The answer came from a runtime started faulty: each of its faults shaped it.
        for f in runtime_faults {
            self.platform.faults.count(f);
        }
        let ct = content_type.unwrap_or_else(|| "application/json".to_owned());
        (status, [(header::CONTENT_TYPE, ct)], Body::from(bytes)).into_response()
    }

    /// The answer faults ([`shape_answer`]: known-answer, login prompt), shared with the
    /// queue's drain so a queued answer is shaped as a direct one is.
    fn shape(&self, bytes: Bytes) -> Bytes {
        let Ok(reply) = serde_json::from_slice::<Value>(&bytes) else { return bytes };
        match shape_answer(self.platform, &self.envelope, &reply) {
            Some(shaped) => Bytes::from(shaped.to_string()),
            None => bytes,
        }
    }
}

/// The auto-wake answer (contract §6.4): 503, `waking:true`, retry in ~15 s.
fn waking(platform: &Platform) -> Response {
    let msg = "workspace is waking from hibernation — retry in ~15 seconds";
    if platform.faults.fires(Fault::WakingWithoutRetryAfter) {
        return json_reply(StatusCode::SERVICE_UNAVAILABLE, json!({"error": msg, "waking": true}));
    }
    let mut r = json_reply(StatusCode::SERVICE_UNAVAILABLE, json!({"error": msg, "waking": true, "retry_after": 15}));
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("15"));
    r
}
