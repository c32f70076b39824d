//! The runtime arm (contract §8 steps 1–8b, 9b activity): org, tenant, workspace with the
//! arm's payload and BYOK plan, online, A2A PONG, the known-answer gate, activity, teardown.

use crate::a2a::SendMessage;
use crate::error::{BreaksExt, E2eError, Promise, Result, StepExt};
use crate::harness::{Case, Milestone, OrgHandle, SlugKind, with_org};
use crate::payload::CreateWorkspace;
use crate::scenario::arms::{Arm, Expectation};
use crate::scenario::common::{
    KNOWN_ANSWER_PROMPT, PONG_PROMPT, ask, expect_activity, expect_token, message_id, online, result_error_burst,
    secrets_plan, create,
};
use crate::scenario::{Outcome, full};

/// What an arm established.
#[derive(Debug, Clone)]
pub enum ArmReport {
    /// Provisioned, online, answered, left activity.
    Online {
        org: String,
        workspace_id: String,
        model: String,
        pong: String,
        known_answer: String,
        activity_row: String,
        full_mode: Option<full::FullReport>,
    },
    /// The pinned rejection arrived.
    Rejected { org: String, model: String, status: u16, code: String },
}

/// Run one arm against the case's target.
pub async fn runtime_arm(case: &Case, arm: &'static Arm) -> Result<Outcome<ArmReport>> {
    let target = case.target().clone();
    if let Some(vendor) = arm.key.vendor()
        && target.key(vendor).is_none()
    {
        return Ok(Outcome::Skipped(crate::harness::Skip {
            reason: format!("arm {} needs a {vendor} key and {} is unset", arm.name, vendor.env_var()),
            enable: format!("export {}=<key>", vendor.env_var()),
        }));
    }
    let model = arm.model(&target.settings)?;
    let expectation = arm.expectation(target.settings.platform);
    let kind = match target.settings.mode {
        crate::config::Mode::Full => SlugKind::Full,
        crate::config::Mode::Smoke => SlugKind::Smoke,
    };
    // Alive at once: the parent, and in full mode its delegation child from the start until
    // step 10b is done (`full::run` gives the child's slot back then); the provider probe's
    // workspaces come after the parent is gone, in the arm's own slot (`full::probe_last`).
    // The whole peak is reserved at the start: a parent alive and idle while its arm waits
    // for room mid-case was what kept a capped run from its bound (docs/waits-and-teardown.md).
    let with_child = target.settings.mode == crate::config::Mode::Full && matches!(expectation, Expectation::Online);
    if with_child {
        // E2E_KEEP_ORG=1 deletes nothing early: the child stays beside the probe's workspace.
        case.needs(2 + usize::from(target.settings.keep_org && arm.probe));
    }
    let c = case.clone();
    let report = with_org(case, kind, move |org| async move {
        match expectation {
            Expectation::Rejected { status, code } => {
                expect_rejection(&c, &org.tenant, arm, &model, status, code).await.map(|(status, code)| {
                    ArmReport::Rejected { org: org.slug.clone(), model: model.clone(), status, code }
                })
            }
            Expectation::Online => online_arm(&c, &org, arm, with_child).await,
        }
    })
    .await?;
    if matches!(report, ArmReport::Online { .. }) {
        let s = &case.target().settings;
        case.require_milestones(&Milestone::for_arm(s.mode, s.lifecycle, s.platform.cascade_guard))?;
    }
    Ok(Outcome::Ran(report))
}

/// An arm that must come online: parent (and in full mode its child beside it), PONG, the
/// known answer, activity, full mode, the provider probe, and the platform-root check last.
async fn online_arm(c: &Case, org: &OrgHandle, arm: &'static Arm, with_child: bool) -> Result<ArmReport> {
    let ws = create(c, org, arm, "E2E Parent").await?;
    // In full mode the delegation child comes online beside the parent; its result waits for
    // step 10, so a fault in the parent's own steps still names their promise.
    let (up, child) = if with_child {
        let (up, child) = tokio::join!(online(c, org, &ws), full::child_online(c, org, arm, &ws));
        (up, Some(child))
    } else {
        (online(c, org, &ws).await, None)
    };
    up?;

    c.step(&format!("{}: A2A PONG", ws.label()));
    let pong_msg = SendMessage::text(PONG_PROMPT).with_id("e2e-msg-1").with_message_id(message_id("e2e"));
    let reply = ask(c, &org.tenant, &ws, &pong_msg).await.breaks(Promise::A2aAnswersPong, "A2A PONG").step("A2A PONG")?;
    result_error_burst(c, &org.tenant, &ws, &reply).await;
    let pong = expect_token(&reply, "PONG", Promise::A2aAnswersPong).step("A2A PONG")?;

    c.step(&format!("{}: known-answer gate (PINEAPPLE)", ws.label()));
    let known_msg = SendMessage::text(KNOWN_ANSWER_PROMPT).with_id("e2e-known-answer-1").with_message_id(message_id("e2e"));
    let reply = ask(c, &org.tenant, &ws, &known_msg).await.breaks(Promise::KnownAnswer, "known answer").step("known answer")?;
    let known_answer = expect_token(&reply, "PINEAPPLE", Promise::KnownAnswer).step("known answer")?;
    c.stamp(Milestone::A2aRoundtrip);

    let row = expect_activity(c, &org.tenant, &ws, pong_msg.message_id()).await?;

    let full_mode = full::run(c, org, arm, &ws, child).await?;
    // Read while the parent lives: the provider probe deletes it first.
    let placed = crate::scenario::platform_root::arm_row(c, &org.tenant, &ws).await?;
    let full_mode = full::probe_last(c, org, arm, full_mode).await?;
    // Last: a fault in the arm's own A2A or full mode is that promise, not the root's.
    crate::scenario::platform_root::check(c, &org.tenant, placed).await?;
    Ok(ArmReport::Online {
        org: org.slug.clone(),
        workspace_id: ws.id.clone(),
        model: ws.model.clone(),
        pong,
        known_answer,
        activity_row: row.id,
        full_mode,
    })
}

/// The create must be refused with exactly `status` and `code`: a pinned red arm.
async fn expect_rejection(
    case: &Case,
    tenant: &crate::client::Tenant,
    arm: &Arm,
    model: &str,
    status: u16,
    code: &str,
) -> Result<(u16, String)> {
    let plan = secrets_plan(case, arm);
    let g = case.target().settings.platform;
    let req = CreateWorkspace::platform_in(g.catalog, "E2E Parent", arm.runtime_or_template, model).with_secrets(plan.in_body);
    let why = match arm.pin_at(g).1 {
        Some(why) => format!(" (pinned red at {}: {why})", g.commit),
        None => String::new(),
    };
    case.step(&format!(
        "create workspace {} with {model}: platform {} rejects it ({status} {code}){why}; this arm is red \
         until the platform or the slug changes",
        arm.runtime_or_template, g.commit
    ));
    match tenant.create_workspace(&req).await {
        Err(e) if e.status() == Some(status) && e.code() == Some(code) => Ok((status, code.to_owned())),
        Err(e) => Err(e.breaks(
            Promise::CreateRejectedByName,
            format!("expected {status} {code} for {} with {model}", arm.runtime_or_template),
        )),
        Ok(created) => {
            case.own(&created.id, "E2E Parent");
            Err(E2eError::broken(
            Promise::CreateRejectedByName,
            format!(
                "the platform accepted {} with model {model} (workspace {}), but the pin expects {status} {code}: \
                 the platform changed, so update the arm's pin (scenario::arms, or the generation's arm_pins) \
                 and let it run green",
                arm.runtime_or_template, created.id
            ),
            ))
        }
    }
    .step("pinned rejection")
}
