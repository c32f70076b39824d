//! Which platform a run talks to: a control plane URL, its admin token, and whether it is a
//! real platform or a stand-in. Who started the stand-in is test support's business.

use std::io::Write;
use std::sync::Arc;

use secrecy::SecretString;

use crate::catalog::Vendor;
use crate::client::{ControlPlane, RetryPolicy, require_admin_origin};
use crate::config::{Settings, Timeouts};
use crate::error::{E2eError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// A real platform at `MOLECULE_CP_URL`.
    Staging,
    /// A stand-in serving the control plane and every tenant at one URL.
    StandIn,
}

/// The platform under test and how patiently to talk to it.
pub struct Target {
    pub kind: TargetKind,
    pub settings: Settings,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
    cp_url: String,
    admin_token: SecretString,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("kind", &self.kind)
            .field("cp_url", &self.cp_url)
            .field("admin_token", &crate::redact::MASK)
            .field("timeouts", &self.timeouts)
            .finish_non_exhaustive()
    }
}

/// Write straight to the process's stderr, past the test harness's output capture: stand-in
/// fallbacks, skips and teardown results must be seen even when the test passes.
pub fn loud(line: &str) {
    if writeln!(std::io::stderr(), "{}", crate::redact::scrub(line)).is_err() {
        // stderr is gone: there is nowhere left to report anything.
    }
}

impl Target {
    /// The platform the settings name: `Some` when `MOLECULE_CP_URL` is set (then
    /// `MOLECULE_ADMIN_TOKEN` must be too), `None` when it is unset (the caller may fall back
    /// to a stand-in, except under `E2E_REQUIRE_LIVE=1`, which is an error here).
    pub fn from_settings(settings: Settings) -> Result<Option<Arc<Target>>> {
        let Some(cp_url) = settings.cp_url.clone() else {
            if settings.require_live {
                return Err(E2eError::Unmet(
                    "E2E_REQUIRE_LIVE=1 but MOLECULE_CP_URL is unset: refusing to fall back to the embedded \
                     stand-in. Set MOLECULE_CP_URL and MOLECULE_ADMIN_TOKEN (and MOLECULE_TENANT_URL_TEMPLATE \
                     when tenants are not at https://<slug>.<domain>)."
                        .into(),
                ));
            }
            return Ok(None);
        };
        let Some(token) = settings.admin_token.clone() else {
            return Err(E2eError::Unmet(format!(
                "MOLECULE_CP_URL is {cp_url} but MOLECULE_ADMIN_TOKEN is unset: the control plane's admin \
                 API needs it (CI secret CP_STAGING_ADMIN_API_TOKEN)"
            )));
        };
        require_admin_origin(&cp_url, &settings.cp_staging_origin)?;
        let timeouts = Timeouts::resolve(Timeouts::STAGING, &settings.timeouts);
        let retry = RetryPolicy::staging(timeouts.transient_retries);
        Ok(Some(Arc::new(Target { kind: TargetKind::Staging, timeouts, retry, cp_url, admin_token: token, settings })))
    }

    /// A stand-in at `cp_url` (control plane and tenants at one URL), with the stand-in's
    /// timeouts unless `timeouts` says otherwise.
    pub fn standin(
        cp_url: String,
        admin_token: SecretString,
        settings: Settings,
        timeouts: Option<Timeouts>,
    ) -> Arc<Target> {
        let timeouts = timeouts.unwrap_or_else(|| Timeouts::resolve(Timeouts::STANDIN, &settings.timeouts));
        Arc::new(Target {
            kind: TargetKind::StandIn,
            retry: RetryPolicy::hermetic(timeouts.transient_retries),
            timeouts,
            cp_url,
            admin_token,
            settings,
        })
    }

    pub fn cp(&self) -> Result<ControlPlane> {
        ControlPlane::for_origin(&self.cp_url, Some(self.admin_token.clone()), &self.settings.cp_staging_origin)
    }

    pub fn cp_url(&self) -> &str {
        &self.cp_url
    }

    /// Where the tenant of `slug` is served.
    pub fn tenant_url(&self, slug: &str) -> String {
        match self.kind {
            TargetKind::StandIn => self.cp_url.clone(),
            TargetKind::Staging => self.settings.tenant_url(slug),
        }
    }

    /// A vendor key for an arm: the environment's; on a stand-in a placeholder when the
    /// environment has none (the stand-in never calls a vendor, and the BYOK path is still
    /// exercised end to end).
    pub fn key(&self, vendor: Vendor) -> Option<SecretString> {
        match (self.settings.keys.get(vendor), self.kind) {
            (Some(k), _) => Some(k.clone()),
            (None, TargetKind::StandIn) => Some(SecretString::from(format!("standin-{vendor}-key-not-a-secret"))),
            (None, TargetKind::Staging) => None,
        }
    }

    pub fn is_standin(&self) -> bool {
        self.kind == TargetKind::StandIn
    }
}
