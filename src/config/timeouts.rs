//! The deadlines a run keeps: what the timeout variables set ([`TimeoutVars`]) and what a run
//! resolves them to on each kind of target ([`Timeouts`]).

use std::time::Duration;

/// The timeout variables. `None` means "not set": the target supplies its own default
/// (staging's are minutes, the embedded stand-in's are seconds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeoutVars {
    pub provision: Option<Duration>,
    pub workspace_online: Option<Duration>,
    pub child_activity: Option<Duration>,
    pub stale_poll_deadline: Option<Duration>,
    pub transient_retries: Option<u32>,
}

/// The resolved deadlines a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Org create until `instance_status: running` (and the tenant answering).
    pub provision: Duration,
    /// Workspace create (or resume, wake, restart) until `online` with a url.
    pub workspace_online: Duration,
    /// A child's activity naming its parent.
    pub child_activity: Duration,
    /// Deadline for the stale transition, counted from the last heartbeat (or register): the
    /// suite polls from then on, so this alone bounds the external workspace's silence.
    pub stale_poll_deadline: Duration,
    /// Attempts for a transient A2A or register failure.
    pub transient_retries: u32,
    /// Short waits: a status after pause or hibernate, an org leaving the list.
    pub transition: Duration,
    /// A case's whole teardown: its failure-state capture, the deletes and the proof that its
    /// workspaces left the list, together (docs/waits-and-teardown.md).
    pub teardown: Duration,
    /// How long a case may wait for room under `E2E_MAX_WORKSPACES` before it fails: the
    /// queue of the run's cases ahead of it, so of the order of the whole run.
    pub room: Duration,
    /// One A2A answer, start to end: the send, following a queued turn to its result and
    /// re-sending after interrupt acknowledgements (docs/waits-and-teardown.md).
    pub a2a_answer: Duration,
    /// How long the busy turn of the busy hibernate asks the runtime to work: it must outlast
    /// the wait for the platform to report it (one heartbeat, within `transition`) and the two
    /// hibernates after it. The forced hibernate cuts it off, so a green run never waits it out.
    pub busy_turn: Duration,
}

impl Timeouts {
    /// The platform harness's defaults (contract §4, §8): sized for real EC2 tenants.
    pub const STAGING: Timeouts = Timeouts {
        provision: Duration::from_secs(900),
        workspace_online: Duration::from_secs(3600),
        child_activity: Duration::from_secs(60),
        stale_poll_deadline: Duration::from_secs(240),
        transient_retries: 8,
        transition: Duration::from_secs(120),
        teardown: Duration::from_secs(60),
        room: Duration::from_secs(3 * 3600),
        // A platform boot turn (up to 90 s), the drain at the next heartbeat, the turn itself
        // (the suite gives a send 90 s) and the harness's six interrupt re-sends of 12 s.
        a2a_answer: Duration::from_secs(420),
        // The harness's `E2E_HIBERNATE_BUSY_SLEEP_SECS` (FS:2886 at aeec8e47).
        busy_turn: Duration::from_secs(180),
    };

    /// Sized for the embedded stand-in's default delays (a few hundred ms): generous enough
    /// never to flake, short enough that a broken promise fails in seconds.
    pub const STANDIN: Timeouts = Timeouts {
        provision: Duration::from_secs(10),
        workspace_online: Duration::from_secs(10),
        child_activity: Duration::from_secs(5),
        // Room for the realistic profile's 5 s stale window; the fast profile's is 1 s.
        stale_poll_deadline: Duration::from_secs(10),
        transient_retries: 8,
        transition: Duration::from_secs(5),
        teardown: Duration::from_secs(10),
        room: Duration::from_secs(600),
        a2a_answer: Duration::from_secs(10),
        // The stand-in reports a turn at once; the margin is for a loaded machine.
        busy_turn: Duration::from_secs(30),
    };

    /// `base` with every variable that is set taking precedence.
    pub fn resolve(base: Timeouts, vars: &TimeoutVars) -> Timeouts {
        Timeouts {
            provision: vars.provision.unwrap_or(base.provision),
            workspace_online: vars.workspace_online.unwrap_or(base.workspace_online),
            child_activity: vars.child_activity.unwrap_or(base.child_activity),
            stale_poll_deadline: vars.stale_poll_deadline.unwrap_or(base.stale_poll_deadline),
            transient_retries: vars.transient_retries.unwrap_or(base.transient_retries),
            transition: base.transition,
            teardown: base.teardown,
            room: base.room,
            a2a_answer: base.a2a_answer,
            busy_turn: base.busy_turn,
        }
    }
}
