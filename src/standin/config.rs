//! How a stand-in is started: delays, faults, the platform generation it behaves as, and the
//! environment knobs that set them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use super::Fault;
use crate::generation::Generation;

/// How much shorter than the platform's the realistic profile's stale window is.
pub const REALISTIC_SCALE: u32 = 36;

/// How long the stand-in's time-driven transitions take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delays {
    /// Org `instance_status` `provisioning` → `running`.
    pub org_ready: Duration,
    /// Workspace `provisioning` → `online` when the runtime has no entry below.
    pub provision: Duration,
    /// Per-runtime provisioning time (`claude-code`, `hermes`, …).
    pub provision_by_runtime: BTreeMap<String, Duration>,
    /// Auto-wake of a hibernated workspace (`provisioning` → `online`).
    pub wake: Duration,
    /// An `online`/`degraded` workspace of runtime exactly `external` with no heartbeat or
    /// register for this long reads `awaiting_agent` (platform: `DefaultRemoteStaleAfter`, 90 s
    /// at 41409fb2, 180 s at aeec8e47: [`crate::generation::CpFacts::remote_stale_after`]).
    pub stale_after: Duration,
    /// The liveness key TTL of external-like workspaces (platform: 180 s); when it lapses
    /// kimi/kimi-cli read `offline`, external reads `awaiting_agent`.
    pub liveness_ttl: Duration,
    /// How long a platform boot turn (the first-boot greeting, the restart-context turn) holds
    /// a workspace after it comes online; callers' turns are queued meanwhile (platform: an
    /// LLM turn of up to 90 s).
    pub boot_turn: Duration,
}

impl Delays {
    /// Hermetic-test delays: everything well under a second except the staleness windows,
    /// which must leave a test time to register and read `online` first.
    pub fn fast() -> Self {
        Delays {
            org_ready: Duration::from_millis(100),
            // A run of 40-odd workspaces under the default cap of 3 pays these and the boot
            // turn about 15 times over: they stay short (the hermetic tiers' 10 s budget).
            provision: Duration::from_millis(60),
            provision_by_runtime: BTreeMap::new(),
            wake: Duration::from_millis(100),
            stale_after: Duration::from_millis(500),
            liveness_ttl: Duration::from_secs(2),
            // Long enough that a PONG sent as soon as online is seen is queued behind it
            // (every arm's first turn in a hermetic run is, at 60 ms as at 250; at 40 ms most are not).
            boot_turn: Duration::from_millis(60),
        }
    }

    /// Seconds, different per runtime: close enough to staging's shape (without its minutes)
    /// that a live-tier run against the stand-in exercises the waits for real.
    pub fn realistic() -> Self {
        let ms = Duration::from_millis;
        let by_runtime = [
            ("claude-code", ms(3000)),
            ("seo-agent", ms(3000)),
            ("hermes", ms(4000)),
            ("codex", ms(2500)),
            ("openclaw", ms(3500)),
            ("google-adk", ms(3000)),
            ("mock", ms(500)),
        ];
        Delays {
            org_ready: ms(2000),
            provision: ms(3000),
            provision_by_runtime: by_runtime.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            wake: ms(2000),
            stale_after: ms(5000),
            liveness_ttl: ms(10_000),
            boot_turn: ms(1500),
        }
    }

    /// [`Delays::realistic`] with the generation's stale window at the same scale (1/36: the
    /// platform's 90 s reads 2.5 s, today's 180 s reads 5 s), so a realistic run keeps the
    /// window's proportion to the suite's deadlines.
    pub fn realistic_for(platform: &Generation) -> Self {
        Delays { stale_after: platform.cp.remote_stale_after / REALISTIC_SCALE, ..Delays::realistic() }
    }

    /// The provisioning time of `runtime`.
    pub fn provision_for(&self, runtime: &str) -> Duration {
        self.provision_by_runtime.get(runtime).copied().unwrap_or(self.provision)
    }
}

impl Default for Delays {
    fn default() -> Self {
        Delays::fast()
    }
}

/// How a stand-in is started: its admin token, delays and faults.
#[derive(Clone)]
pub struct StandInConfig {
    /// The control-plane admin bearer (`/cp/admin/*`). Default `standin-admin-token`.
    pub admin_token: String,
    pub delays: Delays,
    pub faults: BTreeSet<Fault>,
    /// Which platform generation the stand-in behaves as (`MOLECULE_PLATFORM`, default latest).
    pub platform: &'static Generation,
    /// Print one line per request to stderr (`POST /workspaces 201 3ms org=<id>`); never
    /// bodies or tokens.
    pub log_requests: bool,
    /// `STANDIN_TENANT_ROUTING=slug`: serve as a throwaway control plane does, reaching a
    /// tenant only through `Host: <slug>.<domain>` / `X-Molecule-Org-Slug` (default `org-id`).
    pub slug_routing: bool,
}

/// The default control-plane admin token.
pub const DEFAULT_ADMIN_TOKEN: &str = "standin-admin-token";

impl StandInConfig {
    /// Fast delays, no faults, quiet.
    pub fn new() -> Self {
        StandInConfig {
            admin_token: DEFAULT_ADMIN_TOKEN.to_owned(),
            delays: Delays::fast(),
            faults: BTreeSet::new(),
            platform: crate::generation::latest(),
            log_requests: false,
            slug_routing: false,
        }
    }

    /// [`StandInConfig::new`] at the reference generation (41409fb2): the contract rows of
    /// `contract/platform.md` are its rules.
    pub fn reference() -> Self {
        StandInConfig::new().with_platform(&crate::generation::G41409FB2)
    }

    pub fn with_fault(mut self, f: Fault) -> Self {
        self.faults.insert(f);
        self
    }

    pub fn with_faults(mut self, fs: impl IntoIterator<Item = Fault>) -> Self {
        self.faults.extend(fs);
        self
    }

    pub fn with_platform(mut self, p: &'static Generation) -> Self {
        self.platform = p;
        self
    }

    pub fn with_delays(mut self, d: Delays) -> Self {
        self.delays = d;
        self
    }

    /// Settings from the environment, for the CLI and the live tier's embedded target:
    /// `MOLECULE_ADMIN_TOKEN`, `STANDIN_FAULTS` (comma list of fault names),
    /// `MOLECULE_PLATFORM` (a [`Generation`], default the latest),
    /// `STANDIN_DELAYS=fast|realistic` (default `fast`), per-delay overrides in milliseconds
    /// (`STANDIN_ORG_READY_MS`, `STANDIN_PROVISION_MS`, `STANDIN_WAKE_MS`,
    /// `STANDIN_STALE_AFTER_MS`, `STANDIN_LIVENESS_TTL_MS`, `STANDIN_BOOT_TURN_MS`) and `STANDIN_LOG=0` to silence
    /// the request log (on by default here, off in [`StandInConfig::new`]),
    /// `STANDIN_TENANT_ROUTING=slug|org-id` (see [`StandInConfig::slug_routing`]).
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(crate::config::env_lookup)
    }

    /// [`StandInConfig::from_env`] over any lookup (testable without touching the process
    /// environment).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |k: &str| get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        crate::config::check_read_by(&get, "StandInConfig").map_err(|e| e.to_string())?;
        let mut cfg = StandInConfig::new();
        cfg.log_requests = true;
        if let Some(t) = get("MOLECULE_ADMIN_TOKEN") {
            cfg.admin_token = t;
        }
        if let Some(list) = get("STANDIN_FAULTS") {
            for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                cfg.faults.insert(name.parse()?);
            }
        }
        cfg.platform = Generation::from_lookup(get)?;
        if let Some(v) = get("STANDIN_PLATFORM") {
            // `head` is what the platform's own harness tools (`platform-harness-today.sh`) still
            // pass for today's platform: it means what the default already is, so it is let by
            // loudly while it agrees with MOLECULE_PLATFORM. Any other value is refused.
            let retired = format!(
                "STANDIN_PLATFORM={v:?} is retired: set MOLECULE_PLATFORM instead ({} or latest; ref was 41409fb2)",
                Generation::names().join(", ")
            );
            if v != "head" || !cfg.platform.is_latest() {
                return Err(retired);
            }
            eprintln!("molecule-e2e standin: {retired}; `head` is the default, today's platform ({}), so it is ignored", cfg.platform.commit);
        }
        cfg.delays = match get("STANDIN_DELAYS").as_deref() {
            None | Some("fast") => Delays::fast(),
            Some("realistic") => Delays::realistic_for(cfg.platform),
            Some(other) => return Err(format!("STANDIN_DELAYS={other:?}: expected fast or realistic")),
        };
        let ms = |k: &str| -> Result<Option<Duration>, String> {
            get(k)
                .map(|v| v.parse::<u64>().map(Duration::from_millis).map_err(|_| format!("{k}={v:?}: expected milliseconds")))
                .transpose()
        };
        if let Some(d) = ms("STANDIN_ORG_READY_MS")? {
            cfg.delays.org_ready = d;
        }
        if let Some(d) = ms("STANDIN_PROVISION_MS")? {
            // An explicit provisioning time applies to every runtime.
            cfg.delays.provision = d;
            cfg.delays.provision_by_runtime.clear();
        }
        if let Some(d) = ms("STANDIN_WAKE_MS")? {
            cfg.delays.wake = d;
        }
        if let Some(d) = ms("STANDIN_STALE_AFTER_MS")? {
            cfg.delays.stale_after = d;
        }
        if let Some(d) = ms("STANDIN_LIVENESS_TTL_MS")? {
            cfg.delays.liveness_ttl = d;
        }
        if let Some(d) = ms("STANDIN_BOOT_TURN_MS")? {
            cfg.delays.boot_turn = d;
        }
        cfg.slug_routing = match get("STANDIN_TENANT_ROUTING").as_deref() {
            None | Some("org-id") => false,
            Some("slug") => true,
            Some(other) => return Err(format!("STANDIN_TENANT_ROUTING={other:?}: expected org-id or slug")),
        };
        match get("STANDIN_LOG").as_deref() {
            None => {}
            Some("0" | "false") => cfg.log_requests = false,
            Some(_) => cfg.log_requests = true,
        }
        Ok(cfg)
    }

    pub fn has(&self, f: Fault) -> bool {
        self.faults.contains(&f)
    }
}

impl Default for StandInConfig {
    fn default() -> Self {
        StandInConfig::new()
    }
}

/// Debug never prints the admin token.
impl fmt::Debug for StandInConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StandInConfig")
            .field("admin_token", &"[REDACTED]")
            .field("delays", &self.delays)
            .field("faults", &self.faults)
            .field("platform", &self.platform)
            .field("log_requests", &self.log_requests)
            .field("slug_routing", &self.slug_routing)
            .finish()
    }
}


