//! Settings from the environment: every variable the platform's own harness reads (contract
//! §8) plus `MOLECULE_TENANT_URL_TEMPLATE`. A bad value is an error naming the variable, the
//! value and what is allowed; secrets are held in [`SecretString`] and never printed.

use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::catalog::Vendor;
use crate::error::ConfigError;

/// `E2E_MODE`: `full` runs every step, `smoke` only provision, online, A2A and activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Full,
    Smoke,
}

/// `E2E_LLM_PATH`: `platform` is the keyless platform-managed path; anything else is BYOK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LlmPath {
    Byok,
    Platform,
}

/// `E2E_LIFECYCLE`: whether the lifecycle transitions run (only in full mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Auto,
    Off,
}

/// The vendor keys (`E2E_{MINIMAX,ANTHROPIC,OPENAI,GOOGLE}_API_KEY`).
#[derive(Clone, Default)]
pub struct Keys {
    pub minimax: Option<SecretString>,
    pub anthropic: Option<SecretString>,
    pub openai: Option<SecretString>,
    pub google: Option<SecretString>,
}

impl Keys {
    pub fn get(&self, vendor: Vendor) -> Option<&SecretString> {
        match vendor {
            Vendor::Minimax => self.minimax.as_ref(),
            Vendor::Anthropic => self.anthropic.as_ref(),
            Vendor::Openai => self.openai.as_ref(),
            Vendor::Google => self.google.as_ref(),
        }
    }

    pub fn has(&self, vendor: Vendor) -> bool {
        self.get(vendor).is_some()
    }
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |k: &Option<SecretString>| if k.is_some() { "set" } else { "unset" };
        f.debug_struct("Keys")
            .field("minimax", &shown(&self.minimax))
            .field("anthropic", &shown(&self.anthropic))
            .field("openai", &shown(&self.openai))
            .field("google", &shown(&self.google))
            .finish()
    }
}

/// Everything a run is told by its environment.
#[derive(Clone)]
pub struct Settings {
    /// `MOLECULE_CP_URL`; unset means "start the embedded stand-in".
    pub cp_url: Option<String>,
    /// `MOLECULE_ADMIN_TOKEN`: the control plane's admin bearer.
    pub admin_token: Option<SecretString>,
    /// `MOLECULE_TENANT_DOMAIN`: overrides the domain derived from the CP host.
    pub tenant_domain: Option<String>,
    /// `MOLECULE_TENANT_URL_TEMPLATE`: a tenant base URL with a `{slug}` placeholder.
    pub tenant_url_template: Option<String>,
    /// `MOLECULE_TENANT_URL`: one base URL for every tenant (a throwaway control plane's), as
    /// the platform harness reads it (tests/e2e/lib/tenant_topology.sh at aeec8e47).
    pub tenant_base_url: Option<String>,
    /// `MOLECULE_TENANT_ROUTE_HOST`: the `Host` of every tenant call (slug routing).
    pub tenant_route_host: Option<String>,
    /// `MOLECULE_TENANT_ROUTE_DOMAIN`: slug routing with `Host: <slug>.<domain>`.
    pub tenant_route_domain: Option<String>,
    /// `E2E_CP_STAGING_ORIGIN`: the one non-loopback origin the admin bearer may go to.
    pub cp_staging_origin: String,
    /// `MOLECULE_PLATFORM`: the platform generation the run expects (default the latest).
    pub platform: &'static crate::generation::Generation,
    /// `E2E_RUNTIME`: narrows the lifecycle cases to one runtime's arms (unset: every arm).
    pub runtime: Option<String>,
    pub mode: Mode,
    pub llm_path: LlmPath,
    /// `E2E_MODEL_SLUG`: overrides every arm's model when non-empty.
    pub model_slug: Option<String>,
    /// `E2E_DEFAULT_PLATFORM_MODEL`: the platform path's model.
    pub default_platform_model: Option<String>,
    pub keys: Keys,
    pub lifecycle: Lifecycle,
    /// `E2E_REQUIRE_LIVE=1`: any skip, any stand-in fallback, any missing milestone fails.
    pub require_live: bool,
    /// `E2E_RUN_ID`: the slug suffix; default `HHMMSS-PID`.
    pub run_id: String,
    /// `E2E_KEEP_ORG=1`: skip teardown (loudly).
    pub keep_org: bool,
    /// `E2E_INTENTIONAL_FAILURE=1`: the platform harness's sanity lane: workspace creates use a
    /// poisoned tenant token, so the run must fail at create with 401 and still tear down.
    pub intentional_failure: bool,
    /// `E2E_MAX_WORKSPACES`: the most workspaces alive at once in the run's org.
    pub max_workspaces: usize,
    /// `E2E_PROVIDER`: the compute provider org create names where the generation takes one
    /// (default `molecules-server`, as the platform harness pins it).
    pub provider: String,
    pub timeouts: TimeoutVars,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("cp_url", &self.cp_url.as_deref().map(crate::redact::url))
            .field("admin_token", &self.admin_token.as_ref().map(|_| crate::redact::MASK))
            .field("tenant_domain", &self.tenant_domain)
            .field("tenant_url_template", &self.tenant_url_template.as_deref().map(crate::redact::url))
            .field("tenant_base_url", &self.tenant_base_url.as_deref().map(crate::redact::url))
            .field("tenant_route_host", &self.tenant_route_host)
            .field("tenant_route_domain", &self.tenant_route_domain)
            .field("cp_staging_origin", &self.cp_staging_origin)
            .field("runtime", &self.runtime)
            .field("mode", &self.mode)
            .field("llm_path", &self.llm_path)
            .field("model_slug", &self.model_slug)
            .field("default_platform_model", &self.default_platform_model)
            .field("keys", &self.keys)
            .field("lifecycle", &self.lifecycle)
            .field("require_live", &self.require_live)
            .field("run_id", &self.run_id)
            .field("keep_org", &self.keep_org)
            .field("intentional_failure", &self.intentional_failure)
            .field("max_workspaces", &self.max_workspaces)
            .field("provider", &self.provider)
            .field("timeouts", &self.timeouts)
            .finish()
    }
}

/// Variables of the platform's harness this suite refuses, each with what to set instead. A
/// set one is an error rather than silently ignored: a value that changes nothing would
/// let a user believe they had tuned the run.
pub const RETIRED: &[(&str, &str)] = &[
    (
        "STANDIN_PLATFORM",
        "unset. It is retired: MOLECULE_PLATFORM names the platform generation for the suite and the \
         stand-in alike (41409fb2 was `ref`; aeec8e47 or latest is today's platform)",
    ),
    (
    "E2E_STALE_WAIT_SECS",
    "unset. It is retired: the platform harness sleeps that long before its first look, but this \
     suite polls for the stale transition from the register on and sleeps nothing, so the wait \
     has no meaning here. Bound the stale window with E2E_STALE_POLL_DEADLINE_SECS instead \
     (seconds from the last heartbeat until the workspace must be awaiting_agent; 240 on staging)",
    ),
];

mod registry;
mod timeouts;
pub use timeouts::{TimeoutVars, Timeouts};
pub use registry::{Kind, REGISTRY, Variable, check, check_read_by, env_value};

/// `E2E_PROVIDER`'s default: the local-docker compute backend's wire id, as the platform
/// harness pins it (test_staging_external_runtime.sh:102-106 at aeec8e47).
pub const DEFAULT_PROVIDER: &str = "molecules-server";

/// Every variable [`Settings`] reads, for documentation and for tests.
pub static VARIABLES: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| REGISTRY.iter().filter(|v| v.read_by.split(", ").any(|r| r == "Settings")).map(|v| v.name).collect());

/// The registry's row for `name`.
pub fn variable(name: &str) -> Option<&'static Variable> {
    REGISTRY.iter().find(|v| v.name == name)
}

#[track_caller]
fn registered(name: &str) {
    let retired = RETIRED.iter().any(|(v, _)| *v == name);
    assert!(variable(name).is_some() || retired, "{name} is read but not declared in config::REGISTRY: add its row");
}

/// `std::env::var` for a variable of the [`REGISTRY`]; any other name panics naming it.
#[track_caller]
pub fn env_var(name: &str) -> Result<String, std::env::VarError> {
    registered(name);
    std::env::var(name)
}

/// `std::env::var_os` for a variable of the [`REGISTRY`]; any other name panics naming it.
#[track_caller]
pub fn env_var_os(name: &str) -> Option<std::ffi::OsString> {
    registered(name);
    std::env::var_os(name)
}

/// The lookup the `from_lookup` constructors take when they read the process environment.
#[track_caller]
pub fn env_lookup(name: &str) -> Option<String> {
    env_var(name).ok()
}

/// An on/off variable of the [`REGISTRY`], as [`Settings`] reads its own: unset, empty, `0`
/// or `false` is off, `1` or `true` on; anything else is an error naming the variable.
#[track_caller]
pub fn env_flag(name: &'static str) -> Result<bool, ConfigError> {
    env_value(name)?;
    flag(&|k: &str| env_lookup(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()), name)
}

impl Settings {
    /// Read the process environment.
    pub fn from_env() -> Result<Settings, ConfigError> {
        Settings::from_lookup(env_lookup)
    }

    /// Read settings through `get` (a map in tests, the environment in real runs). Empty
    /// values count as unset, as in the platform's bash harness.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let get = |k: &str| get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let secret = |k: &str| {
            get(k).map(|v| {
                let s = SecretString::from(v);
                crate::redact::register(&s);
                s
            })
        };

        if let Some(&(var, instead)) = RETIRED.iter().find(|(var, _)| get(var).is_some()) {
            return Err(bad(var, &get(var).unwrap_or_default(), instead));
        }
        check_read_by(&get, "Settings")?;
        let cp_url = match get("MOLECULE_CP_URL") {
            Some(u) => Some(parse_base_url("MOLECULE_CP_URL", &u)?),
            None => None,
        };
        let tenant_url_template = match get("MOLECULE_TENANT_URL_TEMPLATE") {
            Some(t) => {
                parse_base_url("MOLECULE_TENANT_URL_TEMPLATE", &t.replace("{slug}", "slug"))?;
                Some(t.trim_end_matches('/').to_owned())
            }
            None => None,
        };
        let tenant_base_url = match get("MOLECULE_TENANT_URL") {
            Some(u) => Some(parse_base_url("MOLECULE_TENANT_URL", &u)?),
            None => None,
        };
        if let (Some(u), Some(_)) = (&tenant_base_url, &tenant_url_template) {
            return Err(bad(
                "MOLECULE_TENANT_URL",
                u,
                "unset while MOLECULE_TENANT_URL_TEMPLATE is set: the two name the tenant's URL, set one",
            ));
        }
        let cp_staging_origin = match get("E2E_CP_STAGING_ORIGIN") {
            Some(o) => parse_origin("E2E_CP_STAGING_ORIGIN", &o)?,
            None => STAGING_CP_ORIGIN.to_owned(),
        };
        let mode = match get("E2E_MODE").as_deref() {
            None | Some("full") => Mode::Full,
            // The platform harness's legacy name for smoke.
            Some("smoke") | Some("canary") => Mode::Smoke,
            Some(v) => return Err(bad("E2E_MODE", v, "full, smoke (or its legacy name canary)")),
        };
        let llm_path = match get("E2E_LLM_PATH").as_deref() {
            None | Some("byok") => LlmPath::Byok,
            Some("platform") => LlmPath::Platform,
            Some(v) => return Err(bad("E2E_LLM_PATH", v, "platform, byok (or unset)")),
        };
        let lifecycle = match get("E2E_LIFECYCLE").as_deref() {
            None | Some("auto") => Lifecycle::Auto,
            Some("off") => Lifecycle::Off,
            Some(v) => return Err(bad("E2E_LIFECYCLE", v, "auto, off")),
        };
        let platform = crate::generation::Generation::from_lookup(get).map_err(|_| {
            let names = crate::generation::Generation::names().join(", ");
            bad("MOLECULE_PLATFORM", &get("MOLECULE_PLATFORM").unwrap_or_default(), &format!("{names} or latest (unset: latest)"))
        })?;
        let runtime = get("E2E_RUNTIME");
        // The runtimes the arms provision: the generation's manifest entries (bring-your-own and
        // mock have no arm).
        let runtimes = platform.catalog.manifest_runtimes();
        if let Some(rt) = runtime.as_deref().filter(|rt| !runtimes.contains(rt)) {
            return Err(bad("E2E_RUNTIME", rt, &runtimes.join(", ")));
        }
        let run_id = match get("E2E_RUN_ID") {
            Some(id) => id,
            None => default_run_id(),
        };

        let timeouts = timeout_vars(&get)?;

        Ok(Settings {
            cp_url,
            platform,
            admin_token: secret("MOLECULE_ADMIN_TOKEN"),
            tenant_domain: get("MOLECULE_TENANT_DOMAIN"),
            tenant_url_template,
            tenant_base_url,
            tenant_route_host: get("MOLECULE_TENANT_ROUTE_HOST"),
            tenant_route_domain: get("MOLECULE_TENANT_ROUTE_DOMAIN"),
            cp_staging_origin,
            runtime,
            mode,
            llm_path,
            model_slug: get("E2E_MODEL_SLUG"),
            default_platform_model: get("E2E_DEFAULT_PLATFORM_MODEL"),
            keys: Keys {
                minimax: secret("E2E_MINIMAX_API_KEY"),
                anthropic: secret("E2E_ANTHROPIC_API_KEY"),
                openai: secret("E2E_OPENAI_API_KEY"),
                google: secret("E2E_GOOGLE_API_KEY"),
            },
            lifecycle,
            require_live: flag(&get, "E2E_REQUIRE_LIVE")?,
            run_id,
            keep_org: flag(&get, "E2E_KEEP_ORG")?,
            intentional_failure: flag(&get, "E2E_INTENTIONAL_FAILURE")?,
            max_workspaces: max_workspaces(&get)?,
            provider: get("E2E_PROVIDER").unwrap_or_else(|| DEFAULT_PROVIDER.to_owned()),
            timeouts,
        })
    }

    /// The settings a hermetic run uses: nothing from the environment.
    pub fn hermetic() -> Settings {
        Settings::from_lookup(|_| None).expect("empty environment is valid")
    }

    /// The tenant base URL for an org slug (contract §1).
    ///
    /// With `MOLECULE_TENANT_URL_TEMPLATE` its `{slug}` is replaced (a template without
    /// `{slug}` serves every tenant at one URL, as a single-host platform does). Otherwise
    /// `https://<slug>.<tenant domain>`, the domain being `MOLECULE_TENANT_DOMAIN` or derived
    /// from the CP host: `api.X` → `X`, `staging-api.X` → `staging.X`, else the host itself.
    pub fn tenant_url(&self, slug: &str) -> String {
        if let Some(u) = &self.tenant_base_url {
            return u.clone();
        }
        if let Some(t) = &self.tenant_url_template {
            return t.replace("{slug}", slug);
        }
        let domain = self.tenant_domain.clone().unwrap_or_else(|| {
            tenant_domain_for(self.cp_url.as_deref().unwrap_or(DEFAULT_CP_URL))
        });
        format!("https://{slug}.{domain}")
    }

    /// The `Host` a tenant call carries under a throwaway control plane's slug routing:
    /// `MOLECULE_TENANT_ROUTE_HOST`, else `<slug>.<MOLECULE_TENANT_ROUTE_DOMAIN>`, else none
    /// (staging: each tenant at its own URL, no routing headers).
    pub fn tenant_route_host(&self, slug: &str) -> Option<String> {
        match (&self.tenant_route_host, &self.tenant_route_domain) {
            (Some(h), _) => Some(h.clone()),
            (None, Some(d)) => Some(format!("{slug}.{d}")),
            (None, None) => None,
        }
    }

    /// Whether the run talks to a real platform (rather than the embedded stand-in).
    pub fn is_live(&self) -> bool {
        self.cp_url.is_some()
    }

    pub fn admin_token_str(&self) -> Option<&str> {
        self.admin_token.as_ref().map(|s| s.expose_secret())
    }
}

/// The platform harness's default control plane (used only to derive a tenant domain).
pub const DEFAULT_CP_URL: &str = "https://staging-api.moleculesai.app";

/// The staging control plane's origin, the one the platform's harness lets the admin bearer go
/// to (`e2e_cp_require_staging_origin`, tests/e2e/lib/cp_purge_receipt.sh at aeec8e47).
pub const STAGING_CP_ORIGIN: &str = DEFAULT_CP_URL;

/// The tenant domain the platform derives from a CP URL (contract §1).
pub fn tenant_domain_for(cp_url: &str) -> String {
    let host = reqwest::Url::parse(cp_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| cp_url.to_owned());
    if let Some(rest) = host.strip_prefix("api.") {
        rest.to_owned()
    } else if let Some(rest) = host.strip_prefix("staging-api.") {
        format!("staging.{rest}")
    } else {
        host
    }
}

fn default_run_id() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!("{:02}{:02}{:02}-{}", now.hour(), now.minute(), now.second(), std::process::id())
}

fn bad(var: &'static str, value: &str, allowed: &str) -> ConfigError {
    ConfigError { var, value: value.to_owned(), allowed: allowed.to_owned() }
}

fn parse_base_url(var: &'static str, value: &str) -> Result<String, ConfigError> {
    // A URL's password is a secret like any key: known to the scrubber before anything prints.
    crate::redact::learn_text(value);
    match reqwest::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            Ok(value.trim_end_matches('/').to_owned())
        }
        _ => Err(bad(var, value, "an http:// or https:// URL with a host")),
    }
}

/// An origin: scheme, host and port, nothing after.
fn parse_origin(var: &'static str, value: &str) -> Result<String, ConfigError> {
    match reqwest::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() && matches!(u.path(), "" | "/") => {
            Ok(u.origin().ascii_serialization())
        }
        _ => Err(bad(var, value, "an origin: http(s)://host[:port], no path")),
    }
}

/// The deadline overrides (`E2E_*_TIMEOUT_SECS`, `E2E_STALE_POLL_DEADLINE_SECS`,
/// `E2E_TRANSIENT_RETRIES`); unset ones keep the target's defaults.
fn timeout_vars(get: &impl Fn(&str) -> Option<String>) -> Result<TimeoutVars, ConfigError> {
    let transient_retries = match get("E2E_TRANSIENT_RETRIES") {
        None => None,
        Some(v) => Some(
            v.parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| bad("E2E_TRANSIENT_RETRIES", &v, "a whole number of attempts, at least 1"))?,
        ),
    };
    Ok(TimeoutVars {
        provision: secs(get, "E2E_PROVISION_TIMEOUT_SECS")?,
        workspace_online: secs(get, "E2E_WORKSPACE_ONLINE_TIMEOUT_SECS")?,
        child_activity: secs(get, "E2E_CHILD_ACTIVITY_TIMEOUT_SECS")?,
        stale_poll_deadline: secs(get, "E2E_STALE_POLL_DEADLINE_SECS")?,
        transient_retries,
    })
}

/// The default of `E2E_MAX_WORKSPACES`: the platform's org import provisions at most 3
/// workspaces at a time (`MOLECULE_PROVISION_CONCURRENCY` unset: `defaultProvisionConcurrency = 3`
/// in workspace-server/internal/handlers/org.go at enteros-core aeec8e47, "calibrated for
/// Docker-mode workspaces"), and its own harness runs 2 per runtime.
pub const DEFAULT_MAX_WORKSPACES: usize = 3;

fn max_workspaces(get: &impl Fn(&str) -> Option<String>) -> Result<usize, ConfigError> {
    match get("E2E_MAX_WORKSPACES") {
        None => Ok(DEFAULT_MAX_WORKSPACES),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| bad("E2E_MAX_WORKSPACES", &v, "a whole number of workspaces, at least 1")),
    }
}

fn secs(get: &impl Fn(&str) -> Option<String>, var: &'static str) -> Result<Option<Duration>, ConfigError> {
    match get(var) {
        None => Ok(None),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .map(|n| Some(Duration::from_secs(n)))
            .ok_or_else(|| bad(var, &v, "a whole number of seconds, at least 1")),
    }
}

fn flag(get: &impl Fn(&str) -> Option<String>, var: &'static str) -> Result<bool, ConfigError> {
    match get(var).as_deref() {
        None | Some("0") | Some("false") => Ok(false),
        Some("1") | Some("true") => Ok(true),
        Some(v) => Err(bad(var, v, "1 or 0 (true or false)")),
    }
}
