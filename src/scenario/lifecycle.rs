//! Lifecycle transitions (contract §3.6, §4): pause → paused (not serving) → resume →
//! provisioning → online (serving) → soft restart → online (serving); busy (a turn in flight)
//! → hibernate refused 409 → hibernate (force) → hibernated → A2A 503 waking → online →
//! answered. Each transition is asserted against what `GET /workspaces/:id` reports, not only
//! against the action's answer.

use crate::a2a::{Reply, SendMessage};
use crate::client::{RetryPolicy, Tenant};
use crate::config::{Lifecycle, Mode};
use crate::error::{BreaksExt, E2eError, Promise, Result, StepExt};
use crate::harness::{Case, Milestone, SlugKind, with_org};
use crate::scenario::Outcome;
use crate::scenario::arms::Arm;
use crate::scenario::common::{PONG_PROMPT, WAKE_PROMPT, Workspace, ask, expect_token, message_id, provision, wait_online};
use crate::wait::{Probe, Wait};

#[derive(Debug, Clone)]
pub struct LifecycleReport {
    pub org: String,
    pub workspace_id: String,
    /// The statuses GET reported, in order.
    pub observed: Vec<String>,
}

/// Whether the lifecycle may run on `arm`: only in full mode, with `E2E_LIFECYCLE` not `off`
/// and `E2E_RUNTIME` (when set) naming the arm's runtime or template.
fn gate(case: &Case, arm: &Arm) -> Option<String> {
    let s = &case.target().settings;
    if let Some(why) = narrowed_out(arm, s.platform.catalog, s.runtime.as_deref()) {
        return Some(why);
    }
    if let Some(why) = pinned_red(arm, s.platform) {
        return Some(why);
    }
    if s.mode != Mode::Full {
        return Some("lifecycle transitions run only with E2E_MODE=full (this run is smoke)".into());
    }
    if s.lifecycle == Lifecycle::Off {
        return Some("E2E_LIFECYCLE=off".into());
    }
    None
}

/// Why an arm that generation `g` pins red has no lifecycle there: it never comes online, so
/// there is nothing to take through a transition (its arm case proves the pinned refusal).
pub fn pinned_red(arm: &Arm, g: &crate::generation::Generation) -> Option<String> {
    let (crate::scenario::arms::Pin::Red { status, code, .. }, why) = arm.pin_at(g) else { return None };
    // Not `CODE: why`: a secret-named code followed by a colon reads as an assignment to the
    // redactor, which would mask the reason's first word.
    let why = why.map(|w| format!(", because {w}")).unwrap_or_default();
    Some(format!("arm {} is pinned red at {} ({status} {code}{why})", arm.name, g.commit))
}

/// Whether `arm` takes part in the lifecycle cases when `E2E_RUNTIME` is `narrow` (unset: every
/// arm); `Some(reason)` when it does not.
pub fn narrowed_out(arm: &Arm, cat: &crate::generation::Catalog, narrow: Option<&str>) -> Option<String> {
    match narrow {
        Some(rt) if rt != arm.runtime(cat) && rt != arm.runtime_or_template => Some(format!("E2E_RUNTIME={rt} narrows the lifecycle cases to that runtime")),
        _ => None,
    }
}

async fn run<F, Fut>(case: &Case, arm: &'static Arm, body: F) -> Result<Outcome<LifecycleReport>>
where
    F: FnOnce(Case, crate::harness::OrgHandle, Workspace) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<Vec<String>>> + Send + 'static,
{
    if let Some(why) = gate(case, arm) {
        return Ok(Outcome::Gated(why));
    }
    if let Some(v) = arm.key.vendor()
        && case.target().key(v).is_none()
    {
        return Ok(Outcome::Skipped(crate::harness::Skip {
            reason: format!("the lifecycle of arm {} needs {}", arm.name, v.env_var()),
            enable: format!("export {}=<key>", v.env_var()),
        }));
    }
    let c = case.clone();
    let report = with_org(case, SlugKind::Full, move |org| async move {
        // A workspace of its own, not the arm's parent nor the other transition's: each
        // transition must start from a freshly online workspace (a hibernate after a resume
        // proves less), and a failed one must not take the other's or the arm's proof with it.
        // It costs one workspace alive per case, which the run's cap schedules.
        let ws = provision(&c, &org, arm, "E2E Lifecycle").await?;
        let slug = org.slug.clone();
        let id = ws.id.clone();
        let observed = body(c, org, ws).await?;
        Ok(LifecycleReport { org: slug, workspace_id: id, observed })
    })
    .await?;
    Ok(Outcome::Ran(report))
}

/// Poll GET until `status` (with the url cleared), or fail naming `promise`.
async fn wait_status(case: &Case, tenant: &Tenant, ws: &Workspace, status: &str, promise: Promise) -> Result<String> {
    let t = case.target().timeouts.transition;
    Wait::new(format!("{} {status} with the url cleared", ws.label()), t)
        .until(|| async {
            let row = tenant.get_workspace(&ws.id).await?;
            Ok(if row.status == status && row.url.is_empty() {
                Probe::Ready(row.status)
            } else {
                Probe::Pending(row.state())
            })
        })
        .await
        .breaks(promise, &format!("GET never reported {status} with the url cleared"))
}

/// pause → `paused` (url cleared) → resume → `provisioning` → `online`.
pub async fn pause_resume(case: &Case, arm: &'static Arm) -> Result<Outcome<LifecycleReport>> {
    run(case, arm, |c, org, ws| async move {
        let mut seen = Vec::new();
        c.step(&format!("{}: pause", ws.label()));
        let ack = org.tenant.pause(&ws.id).await.step("pause")?;
        if ack.status != "paused" {
            return Err(E2eError::broken(Promise::PauseReachesPaused, format!("pause answered status {:?}", ack.status)));
        }
        seen.push(wait_status(&c, &org.tenant, &ws, "paused", Promise::PauseReachesPaused).await.step("paused")?);
        seen.push(not_serving(&c, &org.tenant, &ws).await?);

        c.step(&format!("{}: resume", ws.label()));
        let ack = org.tenant.resume(&ws.id).await.step("resume")?;
        if ack.status != "provisioning" {
            return Err(E2eError::broken(Promise::ResumeReachesOnline, format!("resume answered status {:?}", ack.status)));
        }
        // Resume sets the row before it answers: GET must already have left `paused`.
        let row = org.tenant.get_workspace(&ws.id).await.step("GET after resume")?;
        if row.status == "paused" {
            return Err(E2eError::broken(
                Promise::ResumeReachesOnline,
                "resume answered provisioning but GET still reports paused",
            ));
        }
        let settling = matches!(row.status.as_str(), "provisioning" | "awaiting_agent");
        seen.push(row.status);
        if settling && c.target().settings.platform.a2a.settling_target_queues {
            ask_settling(&c, &org.tenant, &ws).await?;
        }
        let row = wait_online(&c, &org.tenant, &ws, c.target().timeouts.workspace_online, Promise::ResumeReachesOnline)
            .await?;
        seen.push(row.status);
        serves(&c, &org.tenant, &ws, "after resume", Promise::PausedNotServing).await?;
        seen.push(restart(&c, &org.tenant, &ws).await?);
        c.stamp(Milestone::LifecyclePauseResume);
        c.require_milestones(&[Milestone::WorkspaceOnline, Milestone::LifecyclePauseResume])?;
        Ok(seen)
    })
    .await
}

/// A PONG to the resumed workspace while it is still settling: today's platform queues it
/// (202 with a `queue_id`) and it is answered once the workspace is online, followed at the
/// queue route (platform-today row 30); June's answered 503 `workspace has no URL`.
async fn ask_settling(c: &Case, tenant: &Tenant, ws: &Workspace) -> Result<()> {
    c.step(&format!("{}: A2A while it settles is queued and answered", ws.label()));
    let msg = SendMessage::text(PONG_PROMPT).with_id("e2e-settling-1").with_message_id(message_id("e2e-settling"));
    let promise = Promise::SettlingTargetQueues;
    let reply = ask(c, tenant, ws, &msg).await.breaks(promise, "A2A to a settling workspace").step("A2A while settling")?;
    expect_token(&reply, "PONG", promise).step("A2A while settling")?;
    if reply.queued.is_empty() {
        c.step(&format!("{}: answered directly (it was online by the time the send landed)", ws.label()));
    }
    Ok(())
}

/// One A2A probe to a paused workspace, not retried (the platform's Go lifecycle test
/// `assertNotServing`): a runtime's answer means pause only flipped a flag. The proxy answers
/// 503 `workspace has no URL` (`a2a_proxy.go` `resolveAgentURL`; paused is not a settling state).
async fn not_serving(case: &Case, t: &Tenant, ws: &Workspace) -> Result<String> {
    case.step(&format!("{}: A2A to the paused workspace must not reach a runtime", ws.label()));
    let msg = SendMessage::text(PONG_PROMPT).with_id("e2e-paused-1").with_message_id(message_id("e2e-paused"));
    match t.a2a(&ws.id, &msg.to_v03(), &RetryPolicy::hermetic(1)).await {
        Err(E2eError::Api { status, error, .. }) => Ok(format!("not serving ({status} {})", error.unwrap_or_default())),
        Err(other) => Err(other).step("A2A to paused"),
        Ok(ans) => Err(E2eError::broken(
            Promise::PausedNotServing,
            format!("A2A to a paused workspace answered {} {}: it still reaches a runtime", ans.status, crate::redact::excerpt(ans.body.to_string().as_bytes())),
        )),
    }
}

/// The workspace answers PONG (`why` says when), or `promise` is broken.
async fn serves(case: &Case, t: &Tenant, ws: &Workspace, why: &str, promise: Promise) -> Result<()> {
    case.step(&format!("{}: A2A {why}", ws.label()));
    let msg = SendMessage::text(PONG_PROMPT).with_id("e2e-serves-1").with_message_id(message_id("e2e-serves"));
    let reply = ask(case, t, ws, &msg).await.breaks(promise, &format!("A2A {why}"))?;
    expect_token(&reply, "PONG", promise).step(&format!("A2A {why}")).map(drop)
}

/// Where the generation's `?force=true` hibernates a busy workspace (core#4293): the workspace
/// answers (so no boot turn holds the next one), a turn keeps it busy, and hibernate without
/// force is refused with nothing changed; the turn is returned for the forced hibernate to cut.
async fn busy_turn(c: &Case, t: &Tenant, ws: &Workspace, seen: &mut Vec<String>) -> Result<Option<crate::scenario::busy::BusyTurn>> {
    let g = c.target().settings.platform;
    if !g.force_hibernates_busy {
        c.step(&format!("busy hibernate: not checked, at {} ?force=true leaves a busy workspace online (core#4292)", g.commit));
        return Ok(None);
    }
    serves(c, t, ws, "before the busy turn", Promise::A2aAnswersPong).await?;
    let (turn, busy) = crate::scenario::busy::start(c, t, ws).await?;
    seen.push(format!("busy (active_tasks {})", busy.active_tasks));
    seen.push(turn.refused(c, t, ws, &busy).await?);
    Ok(Some(turn))
}

/// Soft restart → `provisioning` → `online` → answering (the Go lifecycle test's `restart`).
async fn restart(case: &Case, t: &Tenant, ws: &Workspace) -> Result<String> {
    case.step(&format!("{}: soft restart", ws.label()));
    let ack = t.restart(&ws.id).await.breaks(Promise::RestartServes, "restart refused")?;
    if ack.status != "provisioning" {
        return Err(E2eError::broken(Promise::RestartServes, format!("restart answered status {:?}, not provisioning", ack.status)));
    }
    let row = wait_online(case, t, ws, case.target().timeouts.workspace_online, Promise::RestartServes).await?;
    serves(case, t, ws, "after the restart", Promise::RestartServes).await?;
    Ok(format!("restarted: {}", row.status))
}

/// (busy: a turn in flight → hibernate refused 409, nothing changed →) hibernate (force) →
/// `hibernated` (the turn cut off) → A2A answered 503 `waking` → `online` → A2A answered.
pub async fn hibernate_wake(case: &Case, arm: &'static Arm) -> Result<Outcome<LifecycleReport>> {
    run(case, arm, |c, org, ws| async move {
        let mut seen = Vec::new();
        let busy = busy_turn(&c, &org.tenant, &ws, &mut seen).await?;
        c.step(&format!("{}: hibernate (force)", ws.label()));
        let ack = org.tenant.hibernate(&ws.id, true).await.step("hibernate")?;
        if ack.status != "hibernated" {
            return Err(E2eError::broken(
                Promise::HibernateReachesHibernated,
                format!("hibernate answered status {:?}", ack.status),
            ));
        }
        seen.push(
            wait_status(&c, &org.tenant, &ws, "hibernated", Promise::HibernateReachesHibernated)
                .await
                .step("hibernated")?,
        );
        if let Some(turn) = busy {
            seen.push(turn.cut_off(&c, &ws).await?);
        }

        c.step(&format!("{}: A2A to the hibernated workspace must answer 503 waking", ws.label()));
        let wake = SendMessage::text(WAKE_PROMPT).with_id("e2e-wake-1").with_message_id(message_id("e2e-wake"));
        let reply = ask(&c, &org.tenant, &ws, &wake).await.step("A2A to hibernated")?;
        match &reply.reply {
            Reply::Waking(w) => {
                c.step(&format!("{}: waking (retry_after {:?})", ws.label(), w.retry_after));
                seen.push("waking".into());
            }
            other => {
                return Err(E2eError::broken(
                    Promise::HibernatedWakesOnA2a,
                    format!("A2A to a hibernated workspace answered a {} instead of 503 waking", other.kind()),
                ));
            }
        }
        let row = wait_online(&c, &org.tenant, &ws, c.target().timeouts.workspace_online, Promise::HibernatedWakesOnA2a)
            .await?;
        seen.push(row.status);

        c.step(&format!("{}: A2A after waking", ws.label()));
        let again = SendMessage::text(PONG_PROMPT).with_id("e2e-wake-2").with_message_id(message_id("e2e-wake"));
        let reply =
            ask(&c, &org.tenant, &ws, &again).await.breaks(Promise::HibernatedWakesOnA2a, "A2A after wake").step("A2A after wake")?;
        expect_token(&reply, "PONG", Promise::HibernatedWakesOnA2a).step("A2A after wake")?;
        c.stamp(Milestone::LifecycleHibernateWake);
        c.require_milestones(&[Milestone::WorkspaceOnline, Milestone::LifecycleHibernateWake])?;
        Ok(seen)
    })
    .await
}
