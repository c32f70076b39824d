//! A run's machinery: which platform it talks to ([`Target`]), each case's identity, progress
//! lines, milestones and the workspaces it owns ([`Case`]), org slugs, and the guard that
//! deletes what a case created even when it fails or panics ([`with_org`]).

pub mod footprint;
mod org;
pub mod purge;
pub mod schedule;
pub mod preflight;
pub mod sweep;
mod target;
pub mod teardown;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use org::{
    EPHEMERAL_PREFIXES, OrgHandle, OrgInfo, RunOrg, SlugKind, attach_org, create_org, delete_org, make_slug, run_slug,
    run_slugs, today, with_org,
};
pub use teardown::delete_all;
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
    /// Full mode 9: a memory written is listed back.
    MemoryOnline,
    /// Full mode 10: the child's activity names the delegating parent.
    DelegationProvenance,
    /// Full mode 10b: pause/resume of a parent with live children is refused without
    /// `?cascade=true` and done with it (the platform from 22ee2b0e).
    CascadeGuard,
    /// `lifecycle::pause_resume`: paused, then online again.
    LifecyclePauseResume,
    /// `lifecycle::hibernate_wake`: hibernated, woken by A2A, answering again.
    LifecycleHibernateWake,
}

impl Milestone {
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

    /// The platform harness's declared happy-path set (FS:371-442 at aeec8e47, the SDK's
    /// `HappyPathMilestones`): the four every arm reaches and the five full mode adds.
    pub const HAPPY_PATH: &[Milestone] = &[
        Milestone::Provisioned,
        Milestone::TenantOnline,
        Milestone::WorkspaceOnline,
        Milestone::A2aRoundtrip,
        Milestone::MemoryOnline,
        Milestone::DelegationProvenance,
        Milestone::CascadeGuard,
        Milestone::LifecyclePauseResume,
        Milestone::LifecycleHibernateWake,
    ];

    /// What a runtime arm must reach, as the harness enforces it per mode: the four always;
    /// full mode adds memory and delegation; the cascade guard where the lifecycle runs and
    /// the platform generation has the guard. (The harness's two lifecycle milestones are
    /// this suite's `lifecycle::` cases, which require their own.)
    pub fn for_arm(mode: crate::config::Mode, lifecycle: crate::config::Lifecycle, cascade_guard: bool) -> Vec<Milestone> {
        use crate::config::{Lifecycle, Mode};
        let mut v = Self::SAAS.to_vec();
        if mode == Mode::Full {
            v.extend([Milestone::MemoryOnline, Milestone::DelegationProvenance]);
            if lifecycle != Lifecycle::Off && cascade_guard {
                v.push(Milestone::CascadeGuard);
            }
        }
        v
    }

    /// The snake_case name reports use (`workspace_online`).
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
            Milestone::MemoryOnline => "memory_online",
            Milestone::DelegationProvenance => "delegation_provenance",
            Milestone::CascadeGuard => "cascade_guard",
            Milestone::LifecyclePauseResume => "lifecycle_pause_resume",
            Milestone::LifecycleHibernateWake => "lifecycle_hibernate_wake",
        }
    }
}

/// A workspace a case created, with the name `DELETE` must confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned {
    pub id: String,
    pub name: String,
}

/// One test case's run: its name, its target, its clock, milestones, the org it runs in and
/// the workspaces it owns there.
#[derive(Clone)]
pub struct Case {
    inner: Arc<CaseInner>,
}

struct CaseInner {
    name: String,
    target: Arc<Target>,
    run: Option<Arc<dyn RunOrg>>,
    started: Instant,
    milestones: Mutex<Vec<(Milestone, Duration)>>,
    /// Every workspace the case created, in creation order (kept after deletion, so a report
    /// can still say which workspaces were the case's).
    created: Mutex<Vec<Owned>>,
    /// Progress straight to stderr (live cases) or through the test harness's capture (the
    /// fault matrix's proofs, shown only when one fails).
    live_progress: bool,
    /// The most workspaces the case has alive at once: what it reserves under the run's cap.
    needs: AtomicUsize,
    /// Workspaces created and not yet proven gone.
    alive: Mutex<std::collections::BTreeSet<String>>,
    /// The run org's room and the case's slots there, while it holds them.
    room: Mutex<Option<(footprint::Room, footprint::Held)>>,
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Case {
    /// A case with an org of its own (created and deleted by [`with_org`]).
    pub fn new(name: impl Into<String>, target: Arc<Target>) -> Case {
        Case::build(name.into(), target, None, true)
    }

    /// A case whose progress lines stay in the test harness's capture (the fault matrix).
    pub fn captured(name: impl Into<String>, target: Arc<Target>) -> Case {
        Case::build(name.into(), target, None, false)
    }

    /// A case inside a run's shared org: the run creates it once and deletes it at run end;
    /// the case creates and deletes only its workspaces.
    pub fn in_run(name: impl Into<String>, target: Arc<Target>, run: Arc<dyn RunOrg>) -> Case {
        Case::build(name.into(), target, Some(run), true)
    }

    fn build(name: String, target: Arc<Target>, run: Option<Arc<dyn RunOrg>>, live_progress: bool) -> Case {
        Case {
            inner: Arc::new(CaseInner {
                name,
                target,
                run,
                started: Instant::now(),
                milestones: Mutex::new(Vec::new()),
                created: Mutex::new(Vec::new()),
                live_progress,
                needs: AtomicUsize::new(1),
                alive: Mutex::new(std::collections::BTreeSet::new()),
                room: Mutex::new(None),
            }),
        }
    }

    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The case has at most `n` workspaces alive at once (1 unless said): what it reserves
    /// under `E2E_MAX_WORKSPACES` in a run's org before its body starts.
    pub fn needs(&self, n: usize) -> &Case {
        self.inner.needs.store(n, Ordering::SeqCst);
        self
    }

    pub fn needed(&self) -> usize {
        self.inner.needs.load(Ordering::SeqCst)
    }

    /// Whether the case holds slots in a run org's room (under `E2E_MAX_WORKSPACES`).
    pub fn in_room(&self) -> bool {
        locked(&self.inner.room).is_some()
    }

    pub(crate) fn enter_room(&self, room: footprint::Room, held: footprint::Held) {
        *locked(&self.inner.room) = Some((room, held));
    }

    /// Give back the case's slots (after its teardown).
    pub(crate) fn leave_room(&self) {
        locked(&self.inner.room).take();
    }

    /// A slot of the case's reservation that no workspace of its own fills, for one more
    /// workspace (a probe's, once the parent is gone); an error names the case that asks for
    /// more than it reserved (in a run's org; elsewhere there is no cap to hold).
    pub fn one_more(&self) -> crate::Result<()> {
        let alive = locked(&self.inner.alive).len();
        match locked(&self.inner.room).as_ref() {
            Some((_, held)) if held.held() <= alive => Err(crate::E2eError::Unmet(format!(
                "{} wants one more workspace alive than the {} it reserved (Case::needs)",
                self.inner.name,
                held.held()
            ))),
            _ => Ok(()),
        }
    }

    /// One of the case's workspaces was proven gone and its peak is behind it: give one slot
    /// back to the room (never below what its workspaces still alive hold).
    pub fn one_less(&self) {
        let alive = locked(&self.inner.alive).len();
        if let Some((_, held)) = locked(&self.inner.room).as_mut()
            && held.held() > alive.max(1)
        {
            held.release_one();
        }
    }

    /// Workspace `id` was proven gone from the org's list (the footprint counts it no more).
    pub(crate) fn gone(&self, id: &str) {
        // Once per workspace: the case's teardown sees an early-deleted one gone again.
        let first = locked(&self.inner.alive).remove(id);
        if first && let Some((room, _)) = locked(&self.inner.room).as_ref()
        {
            room.gone(id);
        }
        if let Some(run) = &self.inner.run {
            run.deleted(id);
        }
    }

    pub fn target(&self) -> &Arc<Target> {
        &self.inner.target
    }

    pub(crate) fn run(&self) -> Option<&Arc<dyn RunOrg>> {
        self.inner.run.as_ref()
    }

    /// Seconds since the case started.
    pub fn elapsed(&self) -> f64 {
        self.inner.started.elapsed().as_secs_f64()
    }

    /// One progress line: `[arm::hermes +3.2s] create workspace`, straight to the process's
    /// stderr so that it shows while the case waits (libtest captures `eprintln!`).
    pub fn step(&self, what: &str) {
        self.say(&format!("[{} +{:.1}s] {what}", self.inner.name, self.elapsed()));
    }

    /// A line of the case's own (a teardown that failed, a footprint overrun): past the
    /// harness's capture for a live case, kept in it for a captured one, whose expected
    /// failures would otherwise be noise in a green `cargo test`.
    pub fn say(&self, line: &str) {
        if self.inner.live_progress {
            loud(line);
        } else {
            eprintln!("{}", crate::redact::scrub(line));
        }
    }

    /// Record a milestone (the first time only).
    pub fn stamp(&self, m: Milestone) {
        let mut ms = locked(&self.inner.milestones);
        if !ms.iter().any(|(have, _)| *have == m) {
            ms.push((m, self.inner.started.elapsed()));
            drop(ms);
            self.step(&format!("milestone {} reached", m.name()));
        }
    }

    pub fn milestones(&self) -> Vec<Milestone> {
        locked(&self.inner.milestones).iter().map(|(m, _)| *m).collect()
    }

    /// Each milestone reached, with the time since the case started when it was first
    /// stamped, in order.
    pub fn milestones_timed(&self) -> Vec<(Milestone, Duration)> {
        locked(&self.inner.milestones).clone()
    }

    /// The case now owns workspace `id`: it is deleted when the case ends (and by the run on a
    /// signal). Call it the moment the create answers.
    pub fn own(&self, id: &str, name: &str) {
        locked(&self.inner.created).push(Owned { id: id.to_owned(), name: name.to_owned() });
        let alive = {
            let mut alive = locked(&self.inner.alive);
            alive.insert(id.to_owned());
            alive.len()
        };
        if let Some((room, held)) = locked(&self.inner.room).as_ref() {
            room.created(id, &self.inner.name);
            if alive > held.held() {
                self.say(&format!("[{}] {alive} workspaces alive, above the {} slots it holds", self.inner.name, held.held()));
            }
        }
        if let Some(run) = &self.inner.run {
            run.created(id, name);
        }
    }

    /// Every workspace the case created, in creation order.
    pub fn workspaces(&self) -> Vec<Owned> {
        locked(&self.inner.created).clone()
    }

    /// The workspaces the case created and has not yet seen leave the list, in creation order.
    pub fn alive_workspaces(&self) -> Vec<Owned> {
        let alive = locked(&self.inner.alive);
        locked(&self.inner.created).iter().filter(|o| alive.contains(&o.id)).cloned().collect()
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
