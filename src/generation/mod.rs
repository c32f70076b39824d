//! Platform generations: what the platform the suite expects looks like, one declared value per
//! platform commit the suite was verified against. `MOLECULE_PLATFORM` picks one for the suite and
//! the stand-in alike (`latest`, the default, is the newest). Everything that differs between
//! generations is a field here or in a table one of these fields points at, never an `if` on a
//! commit spread through scenarios (`docs/extending.md`, "A new platform generation").

pub mod control_plane;

use std::fmt;

pub use control_plane::{Backend, CpFacts, TeardownProof};
mod routes;
pub use routes::RouteTable;
pub mod catalog;
pub mod registry_aeec8e47;

pub use catalog::{ArmPin, Byok, CATALOG_41409FB2, CATALOG_AEEC8E47, Catalog, Offered};
pub mod a2a;
pub use a2a::A2aGeneration;
pub mod platform_root;
pub use platform_root::PlatformRoot;

/// One platform generation: the commit it was read from and every fact that differs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Generation {
    /// The EnterOS-AI/enteros-core commit the facts were read from (8 hex digits).
    pub commit: &'static str,
    /// That commit's date.
    pub date: &'static str,
    /// One line for the README's generation table.
    pub summary: &'static str,
    /// `GET /registry/:id/peers` accepts the tenant admin token and org API tokens
    /// (e6aad44c, `discovery.go` `validateDiscoveryCaller`).
    pub peers_accept_admin: bool,
    /// Every A2A caller presents a bearer bound to who it claims to be (8152a439,
    /// `a2a_proxy_helpers.go` `authenticateA2AHTTPCaller`).
    pub a2a_caller_must_authenticate: bool,
    /// The tenant serves `GET /org/identity` (1c42488b, `router.go`, `platform_agent.go`
    /// `OrgIdentity`); a throwaway control plane's readiness probe.
    pub org_identity: bool,
    /// The control plane, the tenants' backend and the stale window (`control_plane.rs`).
    pub cp: CpFacts,
    /// Pause and resume of a workspace with live descendants answer 409 naming them unless
    /// `?cascade=true` (22ee2b0e; `workspace_restart.go` `Pause` 1687-1693, `Resume` 2010-2016
    /// at aeec8e47); before, both always took the whole subtree.
    pub cascade_guard: bool,
    /// `?force=true` hibernates a workspace with active tasks (core#4293: the atomic claim
    /// drops its `active_tasks = 0` predicate under force, `workspace_restart.go:730-749` at
    /// aeec8e47). Before, the handler answered 200 `hibernated` and the claim matched no row:
    /// the busy workspace stayed online (core#4292; `workspace_restart.go:438-473` at 41409fb2).
    pub force_hibernates_busy: bool,
    /// The tenant's routes and the `X-*` headers it reads (`.ci/pin-platform-routes`).
    pub tenant_routes: RouteTable,
    /// The catalogue: allowlist, templates, model registry, slug defaults, the BYOK create flow
    /// and the routes that serve it, arm pins that differ (`catalog.rs` in this directory).
    pub catalog: &'static Catalog,
    /// How the A2A proxy answers a turn that cannot run now (boot turns, settling targets,
    /// the queue route): `a2a.rs`.
    pub a2a: A2aGeneration,
    /// The org's `kind='platform'` root and the default parent of a parentless create:
    /// `platform_root.rs`.
    pub platform_root: PlatformRoot,
}

/// The reference commit (2026-06-06): the platform summarised in `contract/platform.md`.
pub const G41409FB2: Generation = Generation {
    commit: "41409fb2",
    date: "2026-06-06",
    summary: "the suite's reference: EC2 tenants, billing-mode opt-in, moonshot platform models, google-adk",
    peers_accept_admin: false,
    a2a_caller_must_authenticate: false,
    org_identity: false,
    cp: control_plane::CP_41409FB2,
    cascade_guard: false,
    force_hibernates_busy: false,
    tenant_routes: RouteTable(include_str!("routes/41409fb2.routes")),
    catalog: &CATALOG_41409FB2,
    a2a: a2a::A2A_41409FB2,
    platform_root: platform_root::PLATFORM_ROOT_41409FB2,
};

/// The newest platform we can read (2026-08-14): `contract/platform-today.md` maps the changes.
pub const GAEEC8E47: Generation = Generation {
    commit: "aeec8e47",
    date: "2026-08-14",
    summary: "today's staging: molecules-server tenants, BYOK keys in the create body, minimax platform models, queued A2A, purge receipts",
    peers_accept_admin: true,
    a2a_caller_must_authenticate: true,
    org_identity: true,
    cp: control_plane::CP_AEEC8E47,
    cascade_guard: true,
    force_hibernates_busy: true,
    tenant_routes: RouteTable(include_str!("routes/aeec8e47.routes")),
    catalog: &CATALOG_AEEC8E47,
    a2a: a2a::A2A_AEEC8E47,
    platform_root: platform_root::PLATFORM_ROOT_AEEC8E47,
};

/// Every generation, oldest first; the last is `latest`.
pub const GENERATIONS: &[&Generation] = &[&G41409FB2, &GAEEC8E47];

/// The newest generation: what `MOLECULE_PLATFORM` means when unset or `latest`.
pub fn latest() -> &'static Generation {
    GENERATIONS[GENERATIONS.len() - 1]
}

impl Generation {
    /// `41409fb2`, `aeec8e47` (a longer prefix of the commit works too) or `latest`.
    pub fn parse(value: &str) -> Result<&'static Generation, String> {
        let v = value.trim().to_ascii_lowercase();
        if v == "latest" {
            return Ok(latest());
        }
        GENERATIONS
            .iter()
            .copied()
            .find(|g| v.len() >= 7 && (g.commit.starts_with(&v) || v.starts_with(g.commit)))
            .ok_or_else(|| format!("MOLECULE_PLATFORM={value:?}: expected {} or latest", Self::names().join(", ")))
    }

    /// The generation `MOLECULE_PLATFORM` names, through any lookup; unset is `latest`.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<&'static Generation, String> {
        match get("MOLECULE_PLATFORM").map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
            Some(v) => Generation::parse(&v),
            None => Ok(latest()),
        }
    }

    /// The commits of every generation, oldest first.
    pub fn names() -> Vec<&'static str> {
        GENERATIONS.iter().map(|g| g.commit).collect()
    }

    /// Whether this is the newest generation.
    pub fn is_latest(&self) -> bool {
        std::ptr::eq(self, latest()) || self.commit == latest().commit
    }
}

impl fmt::Debug for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Generation({} {})", self.commit, self.date)
    }
}

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.commit, self.date)
    }
}
