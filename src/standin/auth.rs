//! The tenant's auth groups as axum extractors (router.go's route groups; middleware
//! wsauth_middleware.go at the reference commit). A handler names the group it belongs to
//! in its signature, and its body starts after the check:
//!
//! * [`Tenant`]: the tenant guard routed the request to an org (open routes).
//! * [`AdminAuth`]: `middleware.AdminAuth`: the tenant admin token or an org API token.
//! * [`WorkspaceAuth`]: `middleware.WorkspaceAuth`: the admin token, an org API token, or a
//!   live token of the workspace in the path.
//! * [`CpAdmin`]: the control plane's admin bearer (`/cp/admin/*`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use uuid::Uuid;

use super::platform::{Platform, Status};
use super::reply::{canvas_not_found, error, workspace_id, workspace_not_found};

/// The bearer token, if any (`Authorization: Bearer <t>`, scheme case-insensitive), as
/// `wsauth.BearerTokenFromHeader` reads it.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The org a tenant request was routed to, put in the request by the tenant guard.
#[derive(Clone)]
pub struct Tenant {
    pub org_id: Uuid,
    pub admin_token: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Tenant {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        // Every tenant route sits behind the guard; a route without it is not a tenant route.
        parts.extensions.get::<Tenant>().cloned().ok_or_else(canvas_not_found)
    }
}

/// What a tenant bearer is, for the checks that accept more than one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// The tenant's `ADMIN_TOKEN`.
    TenantAdmin,
    /// A live org API token of this tenant (`org_api_tokens`).
    OrgToken,
    /// A live token of this workspace.
    Workspace(Uuid),
    Unknown,
}

impl Platform {
    /// Classify `token` for `tenant`: admin, org token, or the workspace it belongs to.
    pub fn credential(&self, tenant: &Tenant, token: &str) -> Credential {
        if token == tenant.admin_token {
            return Credential::TenantAdmin;
        }
        let tables = self.lock();
        if tables.tenant(tenant.org_id).is_some_and(|o| o.api_tokens.iter().any(|t| t == token)) {
            return Credential::OrgToken;
        }
        tables
            .workspaces
            .values()
            .find(|w| w.org_id == tenant.org_id && w.tokens.iter().any(|k| k == token))
            .map_or(Credential::Unknown, |w| Credential::Workspace(w.id))
    }
}

/// `middleware.AdminAuth`: no bearer → 401 `admin auth required`; an org API token or the
/// admin token passes; anything else → 401 `invalid admin auth token`.
pub struct AdminAuth {
    pub tenant: Tenant,
}

impl FromRequestParts<Arc<Platform>> for AdminAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, platform: &Arc<Platform>) -> Result<Self, Response> {
        let tenant = Tenant::from_request_parts(parts, platform).await?;
        let Some(token) = bearer(&parts.headers) else { return Err(error(StatusCode::UNAUTHORIZED, "admin auth required")) };
        match platform.credential(&tenant, token) {
            Credential::TenantAdmin | Credential::OrgToken => Ok(AdminAuth { tenant }),
            _ => Err(error(StatusCode::UNAUTHORIZED, "invalid admin auth token")),
        }
    }
}

/// `middleware.WorkspaceAuth` for the workspace in the path, then the path id as a UUID
/// (400 `invalid workspace ID`). No bearer → 401 `missing workspace auth token`; the admin
/// token, an org API token or a live token of that workspace pass; else 401
/// `invalid workspace auth token`.
pub struct WorkspaceAuth {
    pub tenant: Tenant,
    pub id: Uuid,
}

impl FromRequestParts<Arc<Platform>> for WorkspaceAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, platform: &Arc<Platform>) -> Result<Self, Response> {
        let tenant = Tenant::from_request_parts(parts, platform).await?;
        let raw = path_id(parts, platform).await?;
        let Some(token) = bearer(&parts.headers) else {
            return Err(error(StatusCode::UNAUTHORIZED, "missing workspace auth token"));
        };
        let ok = match platform.credential(&tenant, token) {
            Credential::TenantAdmin | Credential::OrgToken => true,
            Credential::Workspace(w) => Uuid::parse_str(&raw).is_ok_and(|id| id == w),
            Credential::Unknown => false,
        };
        if !ok {
            return Err(error(StatusCode::UNAUTHORIZED, "invalid workspace auth token"));
        }
        Ok(WorkspaceAuth { tenant, id: workspace_id(&raw)? })
    }
}

/// [`WorkspaceAuth`], then the workspace must be a live row of the tenant's org, else 404
/// `workspace not found` (as `activity.go` `Notify` and `chat_files.go`
/// `lookupUploadDeliveryMode` answer): for the activity, memory and upload handlers, which make
/// this check before anything else.
pub struct LiveWorkspace {
    pub tenant: Tenant,
    pub id: Uuid,
}

impl FromRequestParts<Arc<Platform>> for LiveWorkspace {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, platform: &Arc<Platform>) -> Result<Self, Response> {
        let WorkspaceAuth { tenant, id } = WorkspaceAuth::from_request_parts(parts, platform).await?;
        let live = platform.lock().workspace(tenant.org_id, id).is_some_and(|w| w.status != Status::Removed);
        if live { Ok(LiveWorkspace { tenant, id }) } else { Err(workspace_not_found()) }
    }
}

/// The `:id` segment of a workspace route, as written.
pub async fn path_id(parts: &mut Parts, platform: &Arc<Platform>) -> Result<String, Response> {
    let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, platform).await.map_err(|_| canvas_not_found())?;
    params.get("id").cloned().ok_or_else(canvas_not_found)
}

/// The control plane's admin bearer; anything else → 401 `unauthorized`.
pub struct CpAdmin;

impl FromRequestParts<Arc<Platform>> for CpAdmin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, platform: &Arc<Platform>) -> Result<Self, Response> {
        match bearer(&parts.headers) {
            Some(t) if t == platform.cfg.admin_token => Ok(CpAdmin),
            _ => Err(error(StatusCode::UNAUTHORIZED, "unauthorized")),
        }
    }
}
