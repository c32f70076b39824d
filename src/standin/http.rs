//! The stand-in's HTTP skeleton: the route table, the tenant guard (contract §1), request
//! counting and logging, and the auth-group helpers every handler uses.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::state::Inner;
use super::{cp, extras, proxy, registry, tenant};

pub type Shared = State<Arc<Inner>>;

/// The org a tenant request was routed to (set by the tenant guard).
#[derive(Clone)]
pub struct Tenant {
    pub org_id: Uuid,
    pub admin_token: String,
}

/// The header that tells tenants apart.
pub const ORG_HEADER: &str = "x-molecule-org-id";

/// Paths the tenant guard lets through without `X-Molecule-Org-Id` (plus prefix `/cp/`).
const EXEMPT: &[&str] = &["/health", "/buildinfo", "/metrics", "/registry/register", "/registry/heartbeat"];

pub fn router(inner: Arc<Inner>) -> Router {
    Router::new()
        // Exempt from the tenant guard.
        .route("/health", get(|| async { json_resp(StatusCode::OK, json!({"status": "ok"})) }))
        .route("/buildinfo", get(buildinfo))
        .route("/metrics", get(|| async { "# molecule-e2e stand-in\nstandin_up 1\n" }))
        .route("/registry/register", post(registry::register))
        .route("/registry/heartbeat", post(registry::heartbeat))
        // Control plane.
        .route("/cp/admin/orgs", post(cp::create_org).get(cp::list_orgs))
        .route("/cp/admin/orgs/{slug}/admin-token", get(cp::org_admin_token))
        .route("/cp/admin/tenants/{slug}", axum::routing::delete(cp::delete_tenant))
        .route("/cp/admin/orphan-tunnels/cleanup", post(cp::orphan_tunnels))
        // Tenant workspace API.
        .route("/workspaces", get(tenant::list).post(tenant::create))
        .route("/workspaces/{id}", get(tenant::get_row).delete(tenant::delete))
        .route("/workspaces/{id}/pause", post(tenant::pause))
        .route("/workspaces/{id}/resume", post(tenant::resume))
        .route("/workspaces/{id}/hibernate", post(tenant::hibernate))
        .route("/workspaces/{id}/restart", post(tenant::restart))
        .route("/workspaces/{id}/secrets", post(tenant::set_secret).put(tenant::set_secret))
        .route("/workspaces/{id}/activity", get(extras::list_activity).post(extras::post_activity))
        .route("/workspaces/{id}/notify", post(extras::notify))
        .route("/workspaces/{id}/memories", post(extras::add_memory).get(extras::list_memories))
        .route("/workspaces/{id}/memory", post(extras::kv_set))
        .route("/workspaces/{id}/memory/{key}", get(extras::kv_get).delete(extras::kv_delete))
        .route("/workspaces/{id}/chat/uploads", post(extras::upload))
        .route("/workspaces/{id}/chat/download", get(extras::download))
        .route("/workspaces/{id}/terminal/diagnose", get(extras::diagnose))
        .route("/workspaces/{id}/files/{*path}", put(extras::put_file))
        .route("/workspaces/{id}/shared-context", get(extras::shared_context))
        .route("/workspaces/{id}/a2a", post(proxy::a2a))
        .route("/admin/workspaces/{id}/llm-billing-mode", get(tenant::get_billing).put(tenant::put_billing))
        .route("/admin/workspaces/{id}/tokens", post(tenant::mint_token))
        .route("/registry/{id}/peers", get(registry::peers))
        // Everything else, including the REF harness's bogus `GET /activity?workspace_id=`
        // (contract §11): not an API route, so 404 like the real tenant's router.
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(16 * 1024 * 1024))
        .layer(middleware::from_fn_with_state(inner.clone(), guard))
        .with_state(inner)
}

async fn buildinfo() -> Response {
    json_resp(StatusCode::OK, json!({"version": env!("CARGO_PKG_VERSION"), "commit": "standin", "platform": "molecule-e2e stand-in"}))
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not found")
}

/// Count, route to a tenant (contract §1 tenant guard) and log one line per request.
async fn guard(State(inner): Shared, mut req: Request, next: Next) -> Response {
    inner.requests.fetch_add(1, Ordering::Relaxed);
    for id in req.uri().path().split('/').filter_map(|seg| Uuid::parse_str(seg).ok()) {
        inner.count_workspace_request(id);
    }
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let exempt = EXEMPT.contains(&path.as_str()) || path.starts_with("/cp/");
    let header_org =
        req.headers().get(ORG_HEADER).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let resp = if exempt {
        next.run(req).await
    } else {
        match &header_org {
            None => json_resp(
                StatusCode::BAD_REQUEST,
                json!({
                    "error": "missing tenant routing header",
                    "code": "TENANT_ORG_HEADER_REQUIRED",
                    "required_header": "X-Molecule-Org-Id",
                    "detail": "every tenant request must carry X-Molecule-Org-Id: <org id> (the id returned by POST /cp/admin/orgs)",
                }),
            ),
            Some(raw) => {
                let tenant = Uuid::parse_str(raw).ok().and_then(|id| {
                    let st = inner.lock();
                    st.tenant(id).map(|o| Tenant { org_id: o.id, admin_token: o.admin_token.clone() })
                });
                match tenant {
                    // A wrong org id is a bare 404, never 403 (contract §1).
                    None => StatusCode::NOT_FOUND.into_response(),
                    Some(t) => {
                        req.extensions_mut().insert(t);
                        next.run(req).await
                    }
                }
            }
        }
    };
    if inner.cfg.log_requests {
        eprintln!(
            "{method} {path} {} {}ms org={}",
            resp.status().as_u16(),
            start.elapsed().as_millis(),
            header_org.as_deref().unwrap_or("-")
        );
    }
    resp
}

pub fn json_resp(status: StatusCode, v: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], Body::from(v.to_string())).into_response()
}

/// `{"error": msg}` with `status`.
pub fn error(status: StatusCode, msg: &str) -> Response {
    json_resp(status, json!({"error": msg}))
}

/// The bearer token, if any (`Authorization: Bearer <t>`, scheme case-insensitive).
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// `AdminAuth`: the tenant's admin token (contract §1).
pub fn admin_auth(headers: &HeaderMap, tenant: &Tenant) -> Result<(), Response> {
    match bearer(headers) {
        None => Err(error(StatusCode::UNAUTHORIZED, "admin auth required")),
        Some(t) if t == tenant.admin_token => Ok(()),
        Some(_) => Err(error(StatusCode::UNAUTHORIZED, "invalid admin auth token")),
    }
}

/// `WorkspaceAuth`: the tenant's admin token or a live token of workspace `id` (contract §1).
pub fn workspace_auth(inner: &Inner, headers: &HeaderMap, tenant: &Tenant, id: &str) -> Result<(), Response> {
    let Some(t) = bearer(headers) else { return Err(error(StatusCode::UNAUTHORIZED, "missing workspace auth token")) };
    if t == tenant.admin_token {
        return Ok(());
    }
    let ok = Uuid::parse_str(id)
        .ok()
        .is_some_and(|id| inner.lock().ws(tenant.org_id, id).is_some_and(|w| w.tokens.iter().any(|k| k == t)));
    if ok { Ok(()) } else { Err(error(StatusCode::UNAUTHORIZED, "invalid workspace auth token")) }
}

/// A workspace id from a path: 400 `invalid workspace ID` unless it is a UUID.
pub fn ws_id(raw: &str) -> Result<Uuid, Response> {
    Uuid::parse_str(raw).map_err(|_| error(StatusCode::BAD_REQUEST, "invalid workspace ID"))
}

pub fn ws_not_found() -> Response {
    error(StatusCode::NOT_FOUND, "workspace not found")
}

/// A JSON object body, or `None` (not JSON, or not an object).
pub fn json_object(body: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

/// A string field of a JSON object, if it is a string.
pub fn str_field<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str)
}
