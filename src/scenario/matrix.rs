//! The fault matrix: each stand-in fault, the story it is run under, and the verdict the
//! suite must reach: fail naming the broken promise, or survive. This is how the suite proves
//! each of its checks can fail.

use std::sync::Arc;
use std::time::Duration;

use crate::config::{Settings, Timeouts};
use crate::error::{E2eError, Promise, Result};
use crate::harness::{Case, Target};
use crate::scenario::{Outcome, arms, external, lifecycle, saas};
use crate::standin::{Fault, StandIn, StandInConfig};

/// A scenario, as the matrix runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Story {
    Arm(&'static str),
    PauseResume,
    HibernateWake,
    ExternalTransitions,
    ByoMeta(&'static str),
    ByoRoundTrip,
}

impl Story {
    pub fn name(&self) -> String {
        match self {
            Story::Arm(a) => format!("arm::{a}"),
            Story::PauseResume => "lifecycle::pause_resume".into(),
            Story::HibernateWake => "lifecycle::hibernate_wake".into(),
            Story::ExternalTransitions => "external::transitions".into(),
            Story::ByoMeta(rt) => format!("external::byo_{rt}"),
            Story::ByoRoundTrip => "external::byo_round_trip".into(),
        }
    }

    /// Whether the story belongs to the external target (`staging_external`).
    pub fn is_external(&self) -> bool {
        matches!(self, Story::ExternalTransitions | Story::ByoMeta(_) | Story::ByoRoundTrip)
    }
}

/// What the suite must make of a fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The story fails, and the failure names this promise.
    Fails(Promise),
    /// The story stays green.
    Survives,
}

#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub fault: Fault,
    pub story: Story,
    pub verdict: Verdict,
}

const fn row(fault: Fault, story: Story, verdict: Verdict) -> Row {
    Row { fault, story, verdict }
}

use Verdict::{Fails, Survives};

/// Every fault of the stand-in's catalogue, at least once (a fault that breaks a promise two
/// stories guard has a row for each).
pub const MATRIX: &[Row] = &[
    row(Fault::ResumeStaysPaused, Story::PauseResume, Fails(Promise::ResumeReachesOnline)),
    row(Fault::PauseIgnored, Story::PauseResume, Fails(Promise::PauseReachesPaused)),
    row(Fault::NeverWakes, Story::HibernateWake, Fails(Promise::HibernatedWakesOnA2a)),
    row(Fault::ExternalLabelCoerced, Story::ByoMeta("kimi"), Fails(Promise::RuntimeLabelKept)),
    row(Fault::QueuedSaysPush, Story::ByoMeta("kimi-cli"), Fails(Promise::PollQueuedEnvelope)),
    row(Fault::Proxy404Poll, Story::ByoMeta("kimi"), Fails(Promise::PollQueuedEnvelope)),
    row(Fault::AllowlistLacksGoogleAdk, Story::Arm("google_adk"), Fails(Promise::CreateAccepted)),
    row(Fault::RuntimeMisspells, Story::Arm("hermes"), Fails(Promise::A2aAnswersPong)),
    row(Fault::ReplyErrorMarker, Story::Arm("openclaw"), Fails(Promise::A2aAnswersPong)),
    row(Fault::ActivityNotRecorded, Story::Arm("hermes"), Fails(Promise::ActivityRecorded)),
    row(Fault::ByokIgnored, Story::Arm("claude_code_minimax"), Fails(Promise::ByokBillingMode)),
    row(Fault::DeletedOrgListed, Story::Arm("claude_code_subscription"), Fails(Promise::TeardownLeavesNoOrg)),
    row(Fault::OnlineWithoutUrl, Story::Arm("hermes"), Fails(Promise::WorkspaceComesOnline)),
    row(Fault::RegisterDropsDeliveryMode, Story::ExternalTransitions, Fails(Promise::RegisterPollOnline)),
    row(Fault::ExternalNeverStale, Story::ExternalTransitions, Fails(Promise::StaleExternalAwaitsAgent)),
    row(Fault::CreateHtml500, Story::Arm("seo_agent"), Fails(Promise::CreateAccepted)),
    row(Fault::ProvenanceLost, Story::ByoRoundTrip, Fails(Promise::PollMessageReadable)),
    row(Fault::ProvenanceLost, Story::Arm("hermes"), Fails(Promise::DelegationProvenance)),
    row(Fault::ConfigRewriteWedges, Story::Arm("hermes"), Fails(Promise::ConfigRewrite)),
    row(Fault::PlatformModelsMisroute, Story::Arm("hermes"), Fails(Promise::ProviderProbe)),
    row(Fault::DownloadBytesDiffer, Story::Arm("hermes"), Fails(Promise::FileRoundTrip)),
    row(Fault::StaleVersionAccepted, Story::Arm("hermes"), Fails(Promise::MemoryKv)),
    row(Fault::Memory503, Story::Arm("hermes"), Fails(Promise::Memories)),
    row(Fault::DiagnoseFails, Story::Arm("hermes"), Fails(Promise::TerminalDiagnose)),
    row(Fault::SharedContextServed, Story::Arm("hermes"), Fails(Promise::SharedContextGone)),
    row(Fault::Peers404, Story::Arm("hermes"), Fails(Promise::PeersReachable)),
    row(Fault::Transient5xx, Story::Arm("hermes"), Survives),
    row(Fault::SlowProvisioning, Story::Arm("claude_code_subscription"), Survives),
    row(Fault::WakingWithoutRetryAfter, Story::HibernateWake, Survives),
];

/// The matrix rows of `fault` whose story belongs to the external target (or not).
pub fn rows_of(fault: Fault, external: bool) -> Vec<&'static Row> {
    MATRIX.iter().filter(|r| r.fault == fault && r.story.is_external() == external).collect()
}

/// Deadlines for fault runs: the stand-in's fast delays are a few hundred ms, so a broken
/// promise shows within a few seconds.
pub const FAULT_TIMEOUTS: Timeouts = Timeouts {
    provision: Duration::from_secs(4),
    workspace_online: Duration::from_secs(3),
    child_activity: Duration::from_secs(2),
    stale_wait: Duration::from_millis(1200),
    stale_poll_deadline: Duration::from_secs(3),
    transient_retries: 6,
    transition: Duration::from_secs(2),
};

/// Start a stand-in with `faults` (on the caller's runtime) and a target over it.
pub async fn faulty_target(faults: &[Fault]) -> Result<Arc<Target>> {
    let cfg = StandInConfig::new().with_faults(faults.iter().copied());
    let standin = StandIn::start(cfg, ([127, 0, 0, 1], 0).into())
        .await
        .map_err(|e| E2eError::Io { what: "start a stand-in".into(), source: e })?;
    Ok(Target::over_standin(Arc::new(standin), Settings::hermetic(), Some(FAULT_TIMEOUTS)))
}

/// Run `story` as a case; `Ok(())` when it passed.
pub async fn run_story(case: &Case, story: Story) -> Result<()> {
    fn ran<R: std::fmt::Debug>(story: Story, o: Outcome<R>) -> Result<()> {
        match o {
            Outcome::Ran(_) => Ok(()),
            other => Err(E2eError::Unmet(format!("{} did not run: {other:?}", story.name()))),
        }
    }
    match story {
        Story::Arm(name) => {
            let arm = arms::arm(name).ok_or_else(|| E2eError::Unmet(format!("no arm {name}")))?;
            ran(story, saas::runtime_arm(case, arm).await?)
        }
        Story::PauseResume => ran(story, lifecycle::pause_resume(case).await?),
        Story::HibernateWake => ran(story, lifecycle::hibernate_wake(case).await?),
        Story::ExternalTransitions => external::external_transitions(case).await.map(drop),
        Story::ByoMeta(rt) => {
            let rt: &'static str = if rt == "kimi" { "kimi" } else { "kimi-cli" };
            external::byo_meta_runtime(case, rt).await.map(drop)
        }
        Story::ByoRoundTrip => external::byo_round_trip(case).await.map(drop),
    }
}

/// Run `fault`'s rows of one target (external stories or not) and check each verdict; the error
/// says what went wrong with the proof.
pub async fn prove(fault: Fault, external: bool) -> std::result::Result<String, String> {
    let rows = rows_of(fault, external);
    if rows.is_empty() {
        return Err(format!("fault {} has no row for this target in the matrix", fault.name()));
    }
    let mut lines = Vec::new();
    for row in rows {
        lines.push(prove_row(row).await?);
    }
    Ok(lines.join("\n"))
}

/// Run one row: a fresh stand-in with the row's fault, the row's story, the verdict.
pub async fn prove_row(row: &Row) -> std::result::Result<String, String> {
    let fault = row.fault;
    let target = faulty_target(&[fault]).await.map_err(|e| e.to_string())?;
    let case = Case::captured(format!("fault::{}→{}", fault.name(), row.story.name()), target);
    let result = run_story(&case, row.story).await;
    match (row.verdict, result) {
        (Verdict::Survives, Ok(())) => Ok(format!("{} survived {}", row.story.name(), fault.name())),
        (Verdict::Survives, Err(e)) => Err(format!("{} must survive {} but failed: {e}", row.story.name(), fault.name())),
        (Verdict::Fails(p), Err(e)) if e.promise() == Some(p) => Ok(format!("{} failed naming [{p}]: {e}", row.story.name())),
        (Verdict::Fails(p), Err(e)) => Err(format!(
            "{} under {} failed, but named {:?} instead of [{p}]: {e}",
            row.story.name(),
            fault.name(),
            e.promise().map(|p| p.name())
        )),
        (Verdict::Fails(p), Ok(())) => {
            Err(format!("{} passed under {}: the check for [{p}] cannot fail", row.story.name(), fault.name()))
        }
    }
}
