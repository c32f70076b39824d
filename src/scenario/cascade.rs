//! Full mode 10b, the cascade guard (harness FS:2736-2755 at aeec8e47; the platform from
//! 22ee2b0e, `workspace_restart.go` `Pause`/`Resume`): pause and resume of a parent with a live
//! child are refused with 409 naming the child and change nothing; with `?cascade=true` the
//! whole subtree pauses and comes back online.

use crate::client::{Guarded, Tenant};
use crate::error::{BreaksExt, E2eError, Promise, Result, StepExt};
use crate::harness::{Case, Milestone};
use crate::scenario::common::{Workspace, wait_online};
use crate::wait::{Probe, Wait};

/// The guard on the parent of `child`, then the cascade both ways; both end online.
pub async fn guard(case: &Case, t: &Tenant, parent: &Workspace, child: &Workspace) -> Result<()> {
    for op in ["pause", "resume"] {
        if op == "resume" {
            case.step(&format!("{}: pause with ?cascade=true", parent.label()));
            cascade(t, "pause", parent).await?;
            for ws in [parent, child] {
                wait_status(case, t, ws, "paused").await?;
            }
        }
        case.step(&format!("{}: {op} without ?cascade=true must be refused, naming {}", parent.label(), child.label()));
        let before = statuses(t, parent, child).await?;
        match t.pause_or_resume(op, &parent.id, false).await.step(op)? {
            Guarded::Refused { descendants, .. } if descendants.contains(&child.id) => {}
            Guarded::Refused { error, descendants } => {
                let why = format!("{op} was refused ({error:?}) but named {descendants:?}, not the child {}", child.id);
                return Err(E2eError::broken(Promise::CascadeGuard, why));
            }
            Guarded::Done(ack) => {
                let why = format!("{op} of a parent with a live child answered {:?} instead of 409 naming the child", ack.status);
                return Err(E2eError::broken(Promise::CascadeGuard, why));
            }
        }
        let after = statuses(t, parent, child).await?;
        if after != before {
            return Err(E2eError::broken(Promise::CascadeGuard, format!("the refused {op} changed the subtree: {before:?} → {after:?}")));
        }
    }
    case.step(&format!("{}: resume with ?cascade=true", parent.label()));
    cascade(t, "resume", parent).await?;
    let online = case.target().timeouts.workspace_online;
    for ws in [parent, child] {
        wait_online(case, t, ws, online, Promise::CascadeGuard).await?;
    }
    case.stamp(Milestone::CascadeGuard);
    Ok(())
}

async fn cascade(t: &Tenant, op: &'static str, parent: &Workspace) -> Result<()> {
    match t.pause_or_resume(op, &parent.id, true).await.step(op)? {
        Guarded::Done(_) => Ok(()),
        Guarded::Refused { error, .. } => Err(E2eError::broken(Promise::CascadeGuard, format!("{op}?cascade=true was refused: {error}"))),
    }
}

async fn statuses(t: &Tenant, parent: &Workspace, child: &Workspace) -> Result<(String, String)> {
    let p = t.get_workspace(&parent.id).await.step("GET parent")?;
    let c = t.get_workspace(&child.id).await.step("GET child")?;
    Ok((p.status, c.status))
}

async fn wait_status(case: &Case, t: &Tenant, ws: &Workspace, status: &str) -> Result<()> {
    Wait::new(format!("{} {status}", ws.label()), case.target().timeouts.transition)
        .until(|| async {
            let row = t.get_workspace(&ws.id).await?;
            Ok(if row.status == status { Probe::Ready(()) } else { Probe::Pending(row.state()) })
        })
        .await
        .breaks(Promise::CascadeGuard, &format!("the cascade never reported {status}"))
}
