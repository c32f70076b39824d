//! `[platform-root]` (aeec8e47): the org's `kind='platform'` root is listed, online with a URL,
//! answers A2A, and the arm's parentless create landed under it (`parent_id` = the root's id).
//!
//! Checked at every SaaS arm, after its own A2A and full mode (a fault there names that promise
//! first). The cases of a run share one org, so the root is the run's; it is checked per arm
//! anyway because the placement is per create, and the root is long up by then, so the cost is
//! one list, one GET and one A2A turn per arm.
//!
//! The root is never the case's: it is not in `case.own`, so the case's teardown never deletes
//! it, and deleting the case's workspace cannot cascade into the root (it is the parent, not a
//! child). The 0-platform-root fallback (`defaultCreateParentID`: the sole plain root becomes
//! every later parentless create's parent) would make one case's workspace the parent of every
//! other case's in the shared org, and its teardown would cascade into theirs. The suite refuses that loudly rather than
//! creating with an explicit parent: at a generation that installs the root, a missing root IS
//! the broken promise, and hiding it behind explicit parents would leave the org's hierarchy
//! (approval, discovery, delegation routing) as broken as the platform's comment says.

use crate::a2a::SendMessage;
use crate::client::{Tenant, WorkspaceRow};
use crate::error::{BreaksExt, E2eError, Promise, Result, StepExt};
use crate::harness::Case;
use crate::scenario::common::{PONG_PROMPT, Workspace, ask, expect_token, message_id};
use crate::wait::{Probe, Wait};

/// Why the listed rows do not hold exactly one ready platform root, or the root.
pub fn sole_root(rows: &[WorkspaceRow]) -> std::result::Result<&WorkspaceRow, String> {
    let roots: Vec<&WorkspaceRow> =
        rows.iter().filter(|r| r.kind.as_deref() == Some("platform") && r.parent_id.is_none()).collect();
    match roots.as_slice() {
        [] => Err(format!("no kind=platform root among the {} listed workspaces", rows.len())),
        [r] if r.status == "online" && !r.url.is_empty() => Ok(r),
        [r] => Err(format!("the platform root {} is {:?} with url {:?}, not online and routable", r.id, r.status, r.url)),
        many => Err(format!("{} platform roots listed (the default parent is then none)", many.len())),
    }
}

/// Where the arm's workspace was placed, against the root.
pub fn placed_under(ws: &WorkspaceRow, root: &WorkspaceRow) -> std::result::Result<(), String> {
    match ws.parent_id.as_deref() {
        Some(p) if p == root.id => Ok(()),
        other => Err(format!("the parentless create {} has parent_id {other:?}, not the platform root {}", ws.id, root.id)),
    }
}

/// The arm's workspace's row for [`check`], read while it lives (a full arm deletes it before
/// its provider probe; its placement is fixed at its create); `None` where the generation
/// installs no root.
pub async fn arm_row(case: &Case, tenant: &Tenant, ws: &Workspace) -> Result<Option<WorkspaceRow>> {
    if !case.target().settings.platform.platform_root.installed {
        return Ok(None);
    }
    tenant.get_workspace(&ws.id).await.step("GET the arm's workspace").map(Some)
}

/// The `[platform-root]` check for the arm's workspace, created without a parent, whose row
/// [`arm_row`] read.
pub async fn check(case: &Case, tenant: &Tenant, arm_row: Option<WorkspaceRow>) -> Result<()> {
    let Some(row) = arm_row else {
        return Ok(());
    };
    let target = case.target();
    case.step("[platform-root] the org's platform root is online and routable; the arm's workspace is under it");
    let root = Wait::new("the org's platform root to be listed online", target.timeouts.workspace_online)
        .until(|| async {
            let rows = tenant.list_workspaces().await?;
            Ok(match sole_root(&rows) {
                Ok(r) => Probe::Ready(r.clone()),
                Err(why) => Probe::Pending(why),
            })
        })
        .await
        .breaks(Promise::PlatformRoot, "the org's platform root is missing or not online")
        .step("platform root online")?;
    placed_under(&row, &root).map_err(|why| E2eError::broken(Promise::PlatformRoot, why)).step("parentless create placement")?;
    let as_ws = Workspace { id: root.id.clone(), name: root.name.clone(), runtime: root.runtime.clone(), model: String::new(), token: None };
    let msg = SendMessage::text(PONG_PROMPT).with_id("e2e-platform-root").with_message_id(message_id("e2e"));
    let reply = ask(case, tenant, &as_ws, &msg).await.breaks(Promise::PlatformRoot, "A2A to the platform root").step("platform root A2A")?;
    expect_token(&reply, "PONG", Promise::PlatformRoot).step("platform root A2A")?;
    Ok(())
}
