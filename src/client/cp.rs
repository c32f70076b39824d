//! The control plane's admin API (contract §2).

use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};

use super::http::{Accept, Http};
use super::purge::{Presence, TenantDelete, presence};
use super::rows::{Org, decode_orgs, str_field};
use super::seg;
use crate::config::STAGING_CP_ORIGIN;
use crate::error::{E2eError, Result};

/// `MOLECULE_CP_URL` with the admin bearer.
#[derive(Debug, Clone)]
pub struct ControlPlane {
    http: Http,
}

impl ControlPlane {
    /// The control plane at `base`; with a bearer only at the staging origin or loopback.
    pub fn new(base: &str, admin_token: Option<SecretString>) -> Result<Self> {
        Self::for_origin(base, admin_token, STAGING_CP_ORIGIN)
    }

    /// The control plane at `base`, the admin bearer allowed to go to `staging_origin`
    /// (`E2E_CP_STAGING_ORIGIN`) and numeric loopback only: anywhere else is
    /// [`E2eError::BearerRefused`] before anything is sent.
    pub fn for_origin(base: &str, admin_token: Option<SecretString>, staging_origin: &str) -> Result<Self> {
        let mut http = Http::new(base)?;
        if let Some(t) = admin_token {
            require_admin_origin(base, staging_origin)?;
            http = http.with_bearer(t);
        }
        Ok(ControlPlane { http })
    }

    pub fn base(&self) -> &str {
        self.http.base()
    }

    /// The same control plane with another per-request deadline (teardown keeps its own).
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.http = self.http.with_timeout(timeout);
        self
    }

    /// `GET /health` must answer exactly 200 (the workflows' preflight).
    pub async fn health(&self) -> Result<()> {
        self.http.json_accepting("cp_health", Method::GET, "/health", None, Accept::Only(&[200])).await.map(drop)
    }

    /// `POST /cp/admin/orgs`, naming the compute `provider` where the generation takes one
    /// (38595f04); the answer must carry an `id`.
    pub async fn create_org(&self, slug: &str, name: &str, provider: Option<&str>) -> Result<Org> {
        let mut body = json!({"slug": slug, "name": name, "owner_user_id": format!("e2e-runner:{slug}")});
        if let Some(p) = provider {
            body["provider"] = json!(p);
        }
        let a = self.http.json("create_org", Method::POST, "/cp/admin/orgs", Some(&body)).await?;
        let v = a.json()?;
        let id = str_field(&v, "id").map_err(|why| a.malformed("an org with an \"id\"", why))?;
        Ok(Org {
            id: id.to_owned(),
            slug: v.get("slug").and_then(Value::as_str).unwrap_or(slug).to_owned(),
            instance_status: v.get("instance_status").and_then(Value::as_str).map(str::to_owned),
            last_error: None,
            created_at: v.get("created_at").and_then(Value::as_str).map(str::to_owned),
            status: None,
        })
    }

    /// `GET /cp/admin/orgs?limit=500`.
    pub async fn list_orgs(&self) -> Result<Vec<Org>> {
        let a = self.http.json("list_orgs", Method::GET, "/cp/admin/orgs?limit=500", None).await?;
        decode_orgs(&a.json()?).map_err(|e| a.malformed("{\"orgs\":[…]}", e))
    }

    /// The org row with this slug, if listed (and not purged).
    pub async fn org(&self, slug: &str) -> Result<Option<Org>> {
        Ok(self.list_orgs().await?.into_iter().find(|o| o.slug == slug && o.is_present()))
    }

    /// `GET /cp/admin/orgs/<slug>/admin-token` → the tenant's admin bearer.
    pub async fn tenant_admin_token(&self, slug: &str) -> Result<SecretString> {
        let path = format!("/cp/admin/orgs/{}/admin-token", seg(slug));
        let a = self.http.json("tenant_admin_token", Method::GET, &path, None).await?;
        let v = a.json()?;
        match str_field(&v, "admin_token") {
            Ok(t) => {
                let t = SecretString::from(t.to_owned());
                crate::redact::register(&t);
                Ok(t)
            }
            Err(why) => Err(a.malformed("{\"admin_token\":…}", why)),
        }
    }

    /// `DELETE /cp/admin/tenants/<slug>` with `{"confirm":slug}`: 200/204 (with the receipt's
    /// JSON when there is one), 202 queued, 409 busy; anything else is an error. Whether the
    /// receipt proves anything is the caller's to check ([`super::purge::Receipt::decode`]).
    pub async fn delete_tenant(&self, slug: &str) -> Result<TenantDelete> {
        let path = format!("/cp/admin/tenants/{}", seg(slug));
        let http = self.http.clone().with_timeout(std::time::Duration::from_secs(120));
        let a = http
            .json_accepting("delete_tenant", Method::DELETE, &path, Some(&json!({"confirm": slug})), Accept::Only(&[200, 202, 204, 409]))
            .await?;
        Ok(match a.status {
            202 => TenantDelete::Queued,
            409 => TenantDelete::Busy,
            _ => TenantDelete::Deleted(serde_json::from_slice(&a.body).ok()),
        })
    }

    /// `GET /cp/admin/tenants/<slug>/boot-events?limit=1`: whether the org exists, read as
    /// [`presence`] reads it; an inconclusive answer is an error naming why.
    pub async fn tenant_presence(&self, slug: &str) -> Result<Presence> {
        let path = format!("/cp/admin/tenants/{}/boot-events?limit=1", seg(slug));
        let a = self.http.json_accepting("tenant_presence", Method::GET, &path, None, Accept::Any).await?;
        presence(a.status, &a.body, slug).map_err(|why| a.malformed("exact org presence or absence", why))
    }

    /// `GET /cp/admin/purges?limit=500`: the purge audit (read with [`super::purge::audit`]).
    pub async fn purges(&self) -> Result<Value> {
        self.http.json("list_purges", Method::GET, "/cp/admin/purges?limit=500", None).await?.json()
    }

    /// `POST /cp/admin/orphan-tunnels/cleanup` (the platform's sweeper runs it after deleting
    /// orgs) → the answer's JSON (`{"deleted_count":n,"failed":{…}}`).
    pub async fn cleanup_orphan_tunnels(&self) -> Result<Value> {
        self.http.json("orphan_tunnels_cleanup", Method::POST, "/cp/admin/orphan-tunnels/cleanup", None).await?.json()
    }

    /// Whether the admin bearer is configured at all.
    pub fn require_token(&self) -> Result<()> {
        match self.http.bearer() {
            Some(_) => Ok(()),
            None => Err(E2eError::Unmet("MOLECULE_ADMIN_TOKEN is not set: the control plane's admin API needs it".into())),
        }
    }
}

/// `base` may carry the admin bearer: its origin is `staging_origin`, or it is plain HTTP to a
/// numeric loopback address (a stand-in or a throwaway control plane on this machine). Unlike
/// the harness, loopback needs no opt-in (`E2E_CP_ALLOW_EPHEMERAL_LOOPBACK`): it cannot leave
/// the machine, and every hermetic tier runs there.
pub fn require_admin_origin(base: &str, staging_origin: &str) -> Result<()> {
    let refused = || {
        E2eError::BearerRefused(format!(
            "refusing to send the admin bearer to {}: it goes only to the staging control-plane origin \
             {staging_origin} (E2E_CP_STAGING_ORIGIN) or a numeric loopback origin (http://127.0.0.1:<port>, \
             http://[::1]:<port>)",
            crate::redact::url(base)
        ))
    };
    let url = reqwest::Url::parse(base).map_err(|_| refused())?;
    let origin = url.origin().ascii_serialization();
    let host = url.host_str().unwrap_or("").trim_start_matches('[').trim_end_matches(']');
    let loopback = url.scheme() == "http" && host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if origin == staging_origin.trim_end_matches('/') || loopback { Ok(()) } else { Err(refused()) }
}
