//! Cross-runtime delegation (issue 23): a parent on one runtime delegates to a child on
//! another, and the child's activity must name the parent as its source, as in the
//! same-runtime delegation of full mode. The platform's proxy checks the hierarchy
//! (`CanCommunicate`), never the runtimes, so every pair of runtimes the catalogue offers may
//! delegate.
//!
//! The pairs (`cross_table!` in [`crate::scenario::arms`], which says why these) are every
//! ordered pair of distinct runtimes with an online arm. A pair one of whose arms the run's
//! generation pins red is gated, naming the pin as that arm's lifecycle cases do: no workspace
//! of that arm comes online.

use crate::a2a::SendMessage;
use crate::client::{ActivityQuery, Tenant};
use crate::error::{BreaksExt, E2eError, Promise, Result, StepExt};
use crate::harness::{Case, SlugKind, with_org};
use crate::payload::{CreateWorkspace, KeyPath};
use crate::scenario::Outcome;
use crate::scenario::arms::{Arm, arm};
use crate::scenario::lifecycle::pinned_red;
pub use crate::scenario::arms::{CROSS_PAIRS, cross_case_name as case_name};
use crate::scenario::common::{Workspace, apply_byok, ask, create, expect_token, message_id, online, secrets_plan};
use crate::wait::{Probe, Wait};

/// The prompt the parent delegates to its child (full mode's delegation and the
/// cross-runtime cases alike).
pub const CHILD_PROMPT: &str = "Delegation check from your parent workspace: respond with exactly the single token: CHILD_PONG";

/// What a cross-runtime case saw.
#[derive(Debug, Clone)]
pub struct CrossReport {
    pub parent: String,
    pub child: String,
    pub answer: String,
}

/// One pair: the parent arm's workspace, a child of the child arm's runtime and model under
/// it, the parent's delegated `CHILD_PONG`, and the child's activity naming the parent.
pub async fn cross_delegation(case: &Case, parent_arm: &str, child_arm: &str) -> Result<Outcome<CrossReport>> {
    let (Some(p), Some(c)) = (arm(parent_arm), arm(child_arm)) else {
        return Err(E2eError::Unmet(format!("cross pair {parent_arm} → {child_arm} names an arm the arm table lacks")));
    };
    let target = case.target().clone();
    if let Some(why) = [p, c].into_iter().find_map(|a| pinned_red(a, target.settings.platform)) {
        return Ok(Outcome::Gated(why));
    }
    for a in [p, c] {
        if let Some(vendor) = a.key.vendor()
            && target.key(vendor).is_none()
        {
            return Ok(Outcome::Skipped(crate::harness::Skip {
                reason: format!("arm {} needs a {vendor} key and {} is unset", a.name, vendor.env_var()),
                enable: format!("export {}=<key>", vendor.env_var()),
            }));
        }
    }
    // Alive at once: the parent and its child, both from the start (two of the org's three,
    // reserved together: a case that waits for room while holding a workspace leaves it idle).
    case.needs(2);
    let cc = case.clone();
    let report = with_org(case, SlugKind::Full, move |org| async move {
        // The child is created once the parent's id is known, and both come online at once.
        let parent = create(&cc, &org, p, "E2E Parent").await?;
        let (up, child) = tokio::join!(online(&cc, &org, &parent), child_of(&cc, &org.tenant, c, &parent));
        up?;
        let child = child?;
        let answer = delegate(&cc, &org.tenant, &parent, &child).await?;
        Ok(CrossReport { parent: format!("{} ({})", parent.id, parent.runtime), child: format!("{} ({})", child.id, child.runtime), answer })
    })
    .await?;
    Ok(Outcome::Ran(report))
}

/// A child of `parent` on `arm`'s runtime and model, online.
async fn child_of(case: &Case, t: &Tenant, arm: &Arm, parent: &Workspace) -> Result<Workspace> {
    let model = arm.model(&case.target().settings)?;
    case.step(&format!("{}: create a child workspace on {} model {model}", parent.label(), arm.runtime_or_template));
    let plan = secrets_plan(case, arm);
    let cat = case.target().settings.platform.catalog;
    let req = CreateWorkspace::platform_in(cat, "E2E Child", arm.runtime_or_template, &model).with_secrets(plan.in_body.clone()).with_parent(&parent.id);
    let created = t.create_workspace(&req).await.breaks(Promise::DelegationProvenance, "child create refused")?;
    case.own(&created.id, "E2E Child");
    let child = Workspace { id: created.id.clone(), name: "E2E Child".into(), runtime: arm.runtime(cat).to_owned(), model, token: created.token().cloned() };
    if plan.needs_byok() && arm.key != KeyPath::Platform {
        apply_byok(case, t, &child, &plan).await?;
    }
    crate::scenario::common::wait_online(case, t, &child, case.target().timeouts.workspace_online, Promise::DelegationProvenance).await?;
    Ok(child)
}

/// The parent, speaking with its own token and naming itself (contract §11), delegates
/// `CHILD_PONG` to `child`; the child's activity must name the parent as its source.
pub async fn delegate(case: &Case, t: &Tenant, parent: &Workspace, child: &Workspace) -> Result<String> {
    let parent_token = t.mint_token(&parent.id).await.step("mint parent token")?;
    let as_parent = t.as_workspace(&parent_token).with_caller(&parent.id)?;
    case.step(&format!("{} → {}: delegate CHILD_PONG", parent.label(), child.label()));
    let msg = SendMessage::text(CHILD_PROMPT).with_id("e2e-deleg-1").with_message_id(message_id("e2e-deleg"));
    let reply = ask(case, &as_parent, child, &msg).await.breaks(Promise::DelegationProvenance, "delegated A2A")?;
    let answer = expect_token(&reply, "CHILD_PONG", Promise::DelegationProvenance)?;

    let window = case.target().timeouts.child_activity;
    Wait::new(format!("{} activity naming the parent {}", child.label(), parent.id), window)
        .until(|| async {
            let rows = t.activity(&child.id, &ActivityQuery::default().limit(100)).await?;
            if rows.iter().any(|r| r.source_id.as_deref() == Some(parent.id.as_str())) {
                return Ok(Probe::Ready(()));
            }
            // The proxy writes the row once, before it answers (a2a_proxy_helpers.go
            // `logA2ASuccess`): our message's row without the parent will never gain it.
            if let Some(row) = rows.iter().find(|r| r.message_id() == Some(msg.message_id())) {
                let why = format!("the a2a_receive row of message {} names source {:?}", msg.message_id(), row.source_id);
                return Err(E2eError::Unmet(why));
            }
            let sources: Vec<_> = rows.iter().map(|r| r.source_id.clone()).collect();
            Ok(Probe::Pending(format!("{} rows, sources {sources:?}", rows.len())))
        })
        .await
        .breaks(Promise::DelegationProvenance, "the child's activity does not name the parent as its source")?;
    Ok(answer)
}
