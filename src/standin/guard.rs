//! The layer every request passes: counting, the tenant guard (middleware/tenant_guard.go
//! `TenantGuardWithOrgID`), and one log line per request.
//!
//! The real tenant serves one org and compares `X-Molecule-Org-Id` with its own id; the
//! stand-in serves every org on one listener, so the header picks the tenant instead. The
//! answers are the guard's: exempt paths pass, a missing header is 400
//! `TENANT_ORG_HEADER_REQUIRED`, a header naming no live tenant is a bare 404.
//!
//! In front of that sits a throwaway control plane's wildcard proxy: a tenant call that
//! carries a slug (the `Host`'s first label naming an org, else `X-Molecule-Org-Slug`) goes to
//! that org's tenant with `X-Molecule-Org-Id` injected, as the ephemeral CP does (harness
//! lines 765-790 at aeec8e47). Under `STANDIN_TENANT_ROUTING=slug` a call without one reaches
//! no tenant, so a client that forgets the route headers fails.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use uuid::Uuid;

use super::auth::Tenant;
use super::platform::Platform;
use super::reply::json_reply;

/// The header that tells tenants apart.
pub const ORG_HEADER: &str = "x-molecule-org-id";
/// The slug header a throwaway control plane routes by (beside the `Host`).
pub const ROUTE_SLUG_HEADER: &str = "x-molecule-org-slug";

/// Exact paths the guard lets through without the header (`tenantGuardAllowlist`), plus the
/// `/cp/` prefix.
const EXEMPT: &[&str] = &["/health", "/buildinfo", "/metrics", "/registry/register", "/registry/heartbeat"];

fn is_exempt(path: &str) -> bool {
    EXEMPT.contains(&path) || path.starts_with("/cp/")
}

/// Count, route to a tenant, and log.
pub async fn guard(State(platform): State<Arc<Platform>>, mut req: Request, next: Next) -> Response {
    platform.requests.fetch_add(1, Ordering::Relaxed);
    for id in req.uri().path().split('/').filter_map(|seg| Uuid::parse_str(seg).ok()) {
        platform.count_workspace_request(id);
    }
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    if !is_exempt(&path)
        && let Err(refusal) = route_by_slug(&platform, &mut req)
    {
        return refusal;
    }
    let header_org =
        req.headers().get(ORG_HEADER).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let resp = if is_exempt(&path) {
        next.run(req).await
    } else {
        match route_to_tenant(&platform, header_org.as_deref()) {
            Ok(tenant) => {
                req.extensions_mut().insert(tenant);
                next.run(req).await
            }
            Err(refusal) => refusal,
        }
    };
    if platform.cfg.log_requests {
        let (status, ms) = (resp.status().as_u16(), start.elapsed().as_millis());
        eprintln!("{method} {path} {status} {ms}ms org={}", header_org.as_deref().unwrap_or("-"));
    }
    resp
}

/// The control plane's slug routing: a slug naming a live org injects its id; a slug naming
/// none is the proxy's 404; no slug passes through, unless slug routing is required.
fn route_by_slug(platform: &Platform, req: &mut Request) -> Result<(), Response> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or("").to_owned();
    let host = header("host");
    let host_label = host.split('.').next().unwrap_or("");
    let slug_header = header(ROUTE_SLUG_HEADER);
    let found = {
        let tables = platform.lock();
        // The Host-derived slug first, the header as its fallback (the CP's resolveOrg).
        [host_label, slug_header.as_str()].into_iter().filter(|s| !s.is_empty()).find_map(|s| tables.tenant_by_slug(s).map(|o| o.id))
    };
    match found {
        Some(id) => {
            let v = axum::http::HeaderValue::from_str(&id.to_string())
                .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())?;
            req.headers_mut().insert(ORG_HEADER, v);
            Ok(())
        }
        None if !slug_header.is_empty() || platform.cfg.slug_routing => Err(json_reply(
            StatusCode::NOT_FOUND,
            json!({"error": "org not found", "slug": slug_header, "host": host}),
        )),
        None => Ok(()),
    }
}

fn route_to_tenant(platform: &Platform, header_org: Option<&str>) -> Result<Tenant, Response> {
    let Some(raw) = header_org else {
        return Err(json_reply(
            StatusCode::BAD_REQUEST,
            json!({
                "error": "missing tenant routing header",
                "code": "TENANT_ORG_HEADER_REQUIRED",
                "required_header": "X-Molecule-Org-Id",
                "detail": "SaaS tenant API requests must include X-Molecule-Org-Id matching the organization UUID.",
            }),
        ));
    };
    let tenant = Uuid::parse_str(raw).ok().and_then(|id| {
        let tables = platform.lock();
        tables.tenant(id).map(|o| Tenant { org_id: o.id, admin_token: o.admin_token.clone() })
    });
    // A wrong org id is a bare 404 with no body, never 403.
    tenant.ok_or_else(|| StatusCode::NOT_FOUND.into_response())
}
