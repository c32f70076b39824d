//! A run's machinery: which platform it talks to ([`Target`]), each case's identity, progress
//! lines and milestones ([`Case`]), org slugs, and the org guard that tears down what a case
//! created even when it fails or panics ([`with_org`]).

mod org;
pub mod sweep;
mod target;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use org::{EPHEMERAL_PREFIXES, OrgHandle, SlugKind, make_slug, with_org};
pub use target::{Target, TargetKind, loud};

/// What a case achieved, as the platform harness's `E2E_REQUIRE_LIVE` counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Milestone {
    Provisioned,
    TenantOnline,
    WorkspaceOnline,
    /// Stamped after the known-answer gate.
    A2aRoundtrip,
    /// External transition 1: create → `awaiting_agent`.
    ExternalAwaiting,
    /// External transition 2: register (poll) → `online`.
    ExternalOnline,
    /// External transition 3: no heartbeat → `awaiting_agent`.
    ExternalStale,
    /// External transition 4: re-register → `online`.
    ExternalBackOnline,
}

impl Milestone {
    /// The snake_case name the summary and the platform harness use.
    pub fn name(&self) -> &'static str {
        match self {
            Milestone::Provisioned => "provisioned",
            Milestone::TenantOnline => "tenant_online",
            Milestone::WorkspaceOnline => "workspace_online",
            Milestone::A2aRoundtrip => "a2a_roundtrip",
            Milestone::ExternalAwaiting => "external_awaiting",
            Milestone::ExternalOnline => "external_online",
            Milestone::ExternalStale => "external_stale",
            Milestone::ExternalBackOnline => "external_back_online",
        }
    }

    /// The milestones a full-SaaS arm must reach (contract §8).
    pub const SAAS: &[Milestone] =
        &[Milestone::Provisioned, Milestone::TenantOnline, Milestone::WorkspaceOnline, Milestone::A2aRoundtrip];
    /// The four external transitions (contract §8).
    pub const EXTERNAL: &[Milestone] = &[
        Milestone::ExternalAwaiting,
        Milestone::ExternalOnline,
        Milestone::ExternalStale,
        Milestone::ExternalBackOnline,
    ];
}

/// One test case's run: its name, its target, its clock and milestones.
#[derive(Clone)]
pub struct Case {
    inner: Arc<CaseInner>,
}

struct CaseInner {
    name: String,
    target: Arc<Target>,
    started: Instant,
    milestones: Mutex<BTreeSet<Milestone>>,
    /// Each milestone with the time since the start when it was first stamped, in order.
    timed: Mutex<Vec<(Milestone, Duration)>>,
    /// Progress straight to stderr (live cases) or through the test harness's capture (the
    /// fault matrix's proofs, shown only when one fails).
    live_progress: bool,
}

impl Case {
    pub fn new(name: impl Into<String>, target: Arc<Target>) -> Case {
        Case::build(name.into(), target, true)
    }

    /// A case whose progress lines stay in the test harness's capture (the fault matrix).
    pub fn captured(name: impl Into<String>, target: Arc<Target>) -> Case {
        Case::build(name.into(), target, false)
    }

    fn build(name: String, target: Arc<Target>, live_progress: bool) -> Case {
        Case {
            inner: Arc::new(CaseInner {
                name,
                target,
                started: Instant::now(),
                milestones: Mutex::new(BTreeSet::new()),
                timed: Mutex::new(Vec::new()),
                live_progress,
            }),
        }
    }

    pub fn name(&self) -> &str {
        &self.inner.name
    }

    pub fn target(&self) -> &Arc<Target> {
        &self.inner.target
    }

    /// Seconds since the case started.
    pub fn elapsed(&self) -> f64 {
        self.inner.started.elapsed().as_secs_f64()
    }

    /// One progress line: `[arm::hermes +3.2s] create workspace`, straight to the process's
    /// stderr so that it shows while the case waits (libtest captures `eprintln!`).
    pub fn step(&self, what: &str) {
        let line = format!("[{} +{:.1}s] {what}", self.inner.name, self.elapsed());
        if self.inner.live_progress {
            loud(&line);
        } else {
            eprintln!("{}", crate::redact::scrub(&line));
        }
    }

    pub fn stamp(&self, m: Milestone) {
        let first = self.inner.milestones.lock().unwrap_or_else(|p| p.into_inner()).insert(m);
        if first {
            let at = self.inner.started.elapsed();
            self.inner.timed.lock().unwrap_or_else(|p| p.into_inner()).push((m, at));
            self.step(&format!("milestone {} reached", m.name()));
        }
    }

    /// Each milestone reached, with the time since the case started when it was first stamped.
    pub fn milestones_timed(&self) -> Vec<(Milestone, Duration)> {
        self.inner.timed.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn milestones(&self) -> BTreeSet<Milestone> {
        self.inner.milestones.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Under `E2E_REQUIRE_LIVE=1`, every one of `required` must have been reached.
    pub fn require_milestones(&self, required: &[Milestone]) -> crate::Result<()> {
        if !self.inner.target.settings.require_live {
            return Ok(());
        }
        let have = self.milestones();
        let missing: Vec<_> = required.iter().filter(|m| !have.contains(m)).collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(crate::E2eError::Unmet(format!(
                "E2E_REQUIRE_LIVE=1: {} missed milestones {missing:?} (reached {have:?})",
                self.inner.name
            )))
        }
    }
}

/// What a scenario returns when it could not run at all: the reason, printed loudly, and
/// how to enable it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub reason: String,
    pub enable: String,
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SKIPPED: {} (to run it: {})", self.reason, self.enable)
    }
}
