//! Which platform a run talks to: staging (or any platform at `MOLECULE_CP_URL`), or the
//! embedded stand-in when that is unset.

use std::io::Write;
use std::sync::Arc;

use secrecy::SecretString;

use crate::catalog::Vendor;
use crate::client::{ControlPlane, RetryPolicy};
use crate::config::{Settings, Timeouts};
use crate::error::{E2eError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// A real platform at `MOLECULE_CP_URL`.
    Staging,
    /// The in-process stand-in.
    StandIn,
}

/// The platform under test and how patiently to talk to it.
pub struct Target {
    pub kind: TargetKind,
    pub settings: Settings,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
    cp_url: String,
    admin_token: Option<SecretString>,
    #[cfg(feature = "standin")]
    standin: Option<Arc<crate::standin::StandIn>>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("kind", &self.kind)
            .field("cp_url", &self.cp_url)
            .field("admin_token", &self.admin_token.as_ref().map(|_| crate::redact::MASK))
            .field("timeouts", &self.timeouts)
            .finish_non_exhaustive()
    }
}

/// Write straight to the process's stderr, past the test harness's output capture: stand-in
/// fallbacks and skips must be seen even when the test passes.
pub fn loud(line: &str) {
    let _ = writeln!(std::io::stderr(), "{}", crate::redact::scrub(line));
}

impl Target {
    /// The target the environment asks for: `MOLECULE_CP_URL` set → that platform; unset → the
    /// embedded stand-in (refused under `E2E_REQUIRE_LIVE=1`).
    pub fn from_env() -> Result<Arc<Target>> {
        let settings = Settings::from_env()?;
        Target::from_settings(settings)
    }

    pub fn from_settings(settings: Settings) -> Result<Arc<Target>> {
        match settings.cp_url.clone() {
            Some(url) => Target::staging(url, settings),
            None if settings.require_live => Err(E2eError::Unmet(
                "E2E_REQUIRE_LIVE=1 but MOLECULE_CP_URL is unset: refusing to fall back to the embedded \
                 stand-in. Set MOLECULE_CP_URL and MOLECULE_ADMIN_TOKEN (and MOLECULE_TENANT_URL_TEMPLATE \
                 when tenants are not at https://<slug>.<domain>)."
                    .into(),
            )),
            None => Target::embedded(settings),
        }
    }

    fn staging(cp_url: String, settings: Settings) -> Result<Arc<Target>> {
        let Some(token) = settings.admin_token.clone() else {
            return Err(E2eError::Unmet(format!(
                "MOLECULE_CP_URL is {cp_url} but MOLECULE_ADMIN_TOKEN is unset: the control plane's admin \
                 API needs it (CI secret CP_STAGING_ADMIN_API_TOKEN)"
            )));
        };
        let timeouts = Timeouts::resolve(Timeouts::STAGING, &settings.timeouts);
        let retry = RetryPolicy::staging(timeouts.transient_retries);
        Ok(Arc::new(Target {
            kind: TargetKind::Staging,
            timeouts,
            retry,
            cp_url,
            admin_token: Some(token),
            settings,
            #[cfg(feature = "standin")]
            standin: None,
        }))
    }

    #[cfg(not(feature = "standin"))]
    fn embedded(_settings: Settings) -> Result<Arc<Target>> {
        Err(E2eError::Unmet(
            "MOLECULE_CP_URL is unset and this build has no embedded stand-in (feature `standin`): \
             set MOLECULE_CP_URL or build with default features"
                .into(),
        ))
    }

    /// The process-wide embedded stand-in, started once on a runtime of its own so that it
    /// outlives every test's runtime.
    #[cfg(feature = "standin")]
    fn embedded(settings: Settings) -> Result<Arc<Target>> {
        use crate::standin::{StandIn, StandInConfig};
        use std::sync::OnceLock;
        static SHARED: OnceLock<std::result::Result<Arc<StandIn>, String>> = OnceLock::new();
        let shared = SHARED.get_or_init(|| {
            let (tx, rx) = std::sync::mpsc::channel();
            let spawned = std::thread::Builder::new().name("embedded-standin".into()).spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = tx.send(Err(format!("cannot start the stand-in's runtime: {e}")));
                        return;
                    }
                };
                rt.block_on(async move {
                    // STANDIN_DELAYS / STANDIN_FAULTS apply to the embedded stand-in too (the
                    // realistic-delay benchmark, watching a check fail); its request log stays
                    // off unless STANDIN_LOG=1, since test output is no place for it.
                    let mut cfg = match StandInConfig::from_env() {
                        Ok(c) => c,
                        Err(e) => {
                            let _ = tx.send(Err(format!("embedded stand-in settings: {e}")));
                            return;
                        }
                    };
                    cfg.log_requests = std::env::var("STANDIN_LOG").as_deref() == Ok("1");
                    match StandIn::start(cfg, ([127, 0, 0, 1], 0).into()).await {
                        Ok(s) => {
                            let _ = tx.send(Ok(Arc::new(s)));
                            std::future::pending::<()>().await;
                        }
                        Err(e) => {
                            let _ = tx.send(Err(format!("cannot start the embedded stand-in: {e}")));
                        }
                    }
                });
            });
            match spawned {
                Ok(_) => rx.recv().unwrap_or_else(|_| Err("the stand-in thread died while starting".into())),
                Err(e) => Err(format!("cannot spawn the stand-in thread: {e}")),
            }
        });
        let standin = shared.clone().map_err(E2eError::Unmet)?;
        static ANNOUNCED: OnceLock<()> = OnceLock::new();
        ANNOUNCED.get_or_init(|| {
            let faults: Vec<_> = standin.faults().iter().map(|f| f.name()).collect();
            loud(&format!(
                "molecule-e2e: MOLECULE_CP_URL is unset, so this run talks to the EMBEDDED STAND-IN at {} \
                 (not staging). Set MOLECULE_CP_URL and MOLECULE_ADMIN_TOKEN to run against a real platform; \
                 E2E_REQUIRE_LIVE=1 forbids this fallback.{}",
                standin.url(),
                if faults.is_empty() {
                    String::new()
                } else {
                    format!(" FAULTS INJECTED by STANDIN_FAULTS: {}", faults.join(", "))
                }
            ))
        });
        Ok(Target::over_standin(standin, settings, None))
    }

    /// A target over a stand-in the caller started (the fault matrix starts one per fault).
    #[cfg(feature = "standin")]
    pub fn over_standin(
        standin: Arc<crate::standin::StandIn>,
        settings: Settings,
        timeouts: Option<Timeouts>,
    ) -> Arc<Target> {
        let timeouts = timeouts.unwrap_or_else(|| Timeouts::resolve(Timeouts::STANDIN, &settings.timeouts));
        Arc::new(Target {
            kind: TargetKind::StandIn,
            retry: RetryPolicy::hermetic(timeouts.transient_retries),
            timeouts,
            cp_url: standin.url(),
            admin_token: Some(SecretString::from(standin.admin_token().to_owned())),
            settings,
            standin: Some(standin),
        })
    }

    pub fn cp(&self) -> Result<ControlPlane> {
        ControlPlane::new(&self.cp_url, self.admin_token.clone())
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

    /// A vendor key for an arm: the environment's; on the stand-in a placeholder when the
    /// environment has none (the stand-in never calls a vendor, and the BYOK path is still
    /// exercised end to end).
    pub fn key(&self, vendor: Vendor) -> Option<SecretString> {
        match (self.settings.keys.get(vendor), self.kind) {
            (Some(k), _) => Some(k.clone()),
            (None, TargetKind::StandIn) => Some(SecretString::from(format!("standin-{vendor}-key-not-a-secret"))),
            (None, TargetKind::Staging) => None,
        }
    }

    /// Requests the stand-in has served (`None` on staging).
    pub fn requests_served(&self) -> Option<u64> {
        #[cfg(feature = "standin")]
        if let Some(s) = &self.standin {
            return Some(s.requests());
        }
        None
    }

    pub fn is_standin(&self) -> bool {
        self.kind == TargetKind::StandIn
    }
}
