//! A case's teardown under one budget ([`crate::config::Timeouts::teardown`], 60 s on staging):
//! the capture of a failing case's platform state, the deletes, and the proof that the deleted
//! workspaces left the org's list all share it, so a platform that stops answering costs a case
//! at most that much after its last step. The result says, per workspace, what is known of it.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use crate::client::Tenant;
use crate::error::{E2eError, Result};
use crate::harness::target::loud;
use crate::harness::{Case, Owned};
use crate::wait::{Deadline, Probe, Wait, grace, short, within};

/// The failure-state capture's share of the teardown budget (a sixth: 10 s of staging's 60 s):
/// evidence is worth a little time, never the deletes'.
const STATE_SHARE: u32 = 6;

/// What became of one workspace's `DELETE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deleted {
    /// The platform accepted the delete.
    Accepted,
    /// It answered 404 or 410: already gone (a parent's cascade took it).
    AlreadyGone,
    /// The delete (or the read of its name before it) failed: the error.
    Failed(String),
}

/// What the teardown knows of one workspace the case created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fate {
    pub owned: Owned,
    pub delete: Deleted,
    /// Whether the org's list still held it at the last look; `None` when no look succeeded.
    pub listed: Option<bool>,
}

impl Fate {
    /// Proven gone: deleted (or already gone) and absent from the list.
    pub fn gone(&self) -> bool {
        !matches!(self.delete, Deleted::Failed(_)) && self.listed == Some(false)
    }
}

impl fmt::Display for Fate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ws {} ({}): ", short(&self.owned.id), self.owned.name)?;
        match &self.delete {
            Deleted::Accepted => f.write_str("DELETE accepted")?,
            Deleted::AlreadyGone => f.write_str("already gone (404/410)")?,
            Deleted::Failed(e) => write!(f, "delete failed: {e}")?,
        }
        f.write_str(match self.listed {
            Some(false) => ", left the list",
            Some(true) => ", STILL LISTED",
            None => ", list unknown (no look succeeded)",
        })
    }
}

/// The teardown budget's deadline for `case`.
pub fn budget(case: &Case) -> Deadline {
    let b = case.target().timeouts.teardown;
    Deadline::after(
        b,
        format!(
            "the {:.0}s teardown budget of {}",
            b.as_secs_f64(),
            case.name()
        ),
    )
}

/// Run the failing case's state capture `capture` under its share of the budget in scope.
pub async fn capture_state<F: Future<Output = String>>(case: &Case, capture: F) -> String {
    let share = case.target().timeouts.teardown / STATE_SHARE;
    within(
        Deadline::after(
            share,
            format!(
                "the {:.1}s state capture of {}",
                share.as_secs_f64(),
                case.name()
            ),
        ),
        capture,
    )
    .await
}

/// Delete the case's workspaces, newest first (children before parents), each with a fair
/// share of what is left of the budget, then wait (in the rest) until none is in the org's
/// list. Every failure is reported, none stops the rest. `Err` names each workspace's fate.
pub async fn delete_workspaces(case: &Case, tenant: &Tenant) -> Result<()> {
    let owned = case.workspaces();
    if owned.is_empty() {
        return Ok(());
    }
    if case.target().settings.keep_org {
        let ids: Vec<_> = owned.iter().map(|o| o.id.clone()).collect();
        loud(&format!(
            "[{}] E2E_KEEP_ORG=1: keeping workspaces {ids:?}",
            case.name()
        ));
        return Ok(());
    }
    case.step(&format!("teardown: delete {} workspace(s)", owned.len()));
    let (fates, look) = settle(
        tenant,
        &owned,
        &format!("{} workspace(s) of {}", owned.len(), case.name()),
    )
    .await;
    fates.iter().filter(|f| f.gone()).for_each(|f| case.gone(&f.owned.id));
    if fates.iter().all(Fate::gone) {
        return Ok(());
    }
    let each: Vec<String> = fates.iter().map(Fate::to_string).collect();
    let look = look
        .map(|e| format!("; the list check: {e}"))
        .unwrap_or_default();
    Err(E2eError::Unmet(format!(
        "LEAK: teardown of {}: {}{look}",
        case.name(),
        each.join("; ")
    )))
}

/// Delete workspaces before the case ends (they have served their checks; newest first), under
/// a teardown budget of their own, so that they stop counting against the run's cap; `Err`
/// names each one not proven gone (the case's teardown tries again).
pub async fn delete_now(case: &Case, tenant: &Tenant, owned: &[Owned]) -> Result<()> {
    let what = owned.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ");
    let (fates, look) = within(budget(case), settle(tenant, owned, &what)).await;
    fates.iter().filter(|f| f.gone()).for_each(|f| case.gone(&f.owned.id));
    if fates.iter().all(Fate::gone) {
        return Ok(());
    }
    let each: Vec<String> = fates.iter().filter(|f| !f.gone()).map(Fate::to_string).collect();
    Err(E2eError::Unmet(format!(
        "{}{}",
        each.join("; "),
        look.map(|e| format!("; the list check: {e}")).unwrap_or_default()
    )))
}

/// Delete `owned` (newest first) and look for them in the list until every one has left or
/// the deadline in scope passes; what is known of each, and how the list check ended if it
/// did not see every one leave.
pub async fn settle(tenant: &Tenant, owned: &[Owned], what: &str) -> (Vec<Fate>, Option<E2eError>) {
    let mut fates: Vec<Fate> = Vec::with_capacity(owned.len());
    for (i, o) in owned.iter().enumerate().rev() {
        // A share of what is left, one more kept for the list check: a hung delete cannot
        // starve the workspaces after it.
        let share = Deadline::current().map_or(Duration::MAX, |d| d.left() / (i as u32 + 2));
        let whose = format!("the teardown's share for ws {}", short(&o.id));
        let delete = within(
            Deadline::after(share.min(Duration::from_secs(3600)), whose),
            delete_one(tenant, o),
        )
        .await;
        fates.push(Fate {
            owned: o.clone(),
            delete,
            listed: None,
        });
    }
    fates.reverse();
    let left = Deadline::current().map_or(Duration::from_secs(60), |d| d.left());
    let window = left.saturating_sub(grace(left));
    // What the last answered look saw, per workspace (the probe may not borrow `fates`).
    let seen = std::sync::Mutex::new(vec![None; fates.len()]);
    let look = Wait::new(format!("{what} to leave the list"), window)
        .until(|| async {
            // A failed look is one more pending look: the next may be answered.
            let listed = match tenant.list_workspaces().await {
                Ok(l) => l,
                Err(e) => return Ok(Probe::Pending(format!("the list failed: {e}"))),
            };
            let now: Vec<bool> = fates
                .iter()
                .map(|f| listed.iter().any(|r| r.id == f.owned.id))
                .collect();
            let still: Vec<_> = fates
                .iter()
                .zip(&now)
                .filter(|(_, l)| **l)
                .map(|(f, _)| short(&f.owned.id))
                .collect();
            *seen.lock().unwrap_or_else(|p| p.into_inner()) = now.into_iter().map(Some).collect();
            Ok(if still.is_empty() {
                Probe::Ready(())
            } else {
                Probe::Pending(format!("still listed: {still:?}"))
            })
        })
        .await;
    let seen = seen.into_inner().unwrap_or_else(|p| p.into_inner());
    fates.iter_mut().zip(seen).for_each(|(f, l)| f.listed = l);
    (fates, look.err())
}

/// `DELETE` one workspace, confirming the name the platform gave it (it numbers duplicate
/// names within an org: `E2E Parent (3)`).
async fn delete_one(tenant: &Tenant, o: &Owned) -> Deleted {
    let gone = |e: &E2eError| matches!(e.status(), Some(404 | 410));
    let name = match tenant.get_workspace(&o.id).await {
        Ok(row) => row.name,
        Err(e) if gone(&e) => return Deleted::AlreadyGone,
        Err(e) => return Deleted::Failed(format!("GET before DELETE: {e}")),
    };
    match tenant.delete_workspace(&o.id, &name).await {
        Ok(_) => Deleted::Accepted,
        Err(e) if gone(&e) => Deleted::AlreadyGone,
        Err(e) => Deleted::Failed(e.to_string()),
    }
}

/// `DELETE` each workspace (newest first); a workspace already gone counts as deleted.
/// Returns the failures, one line each.
pub async fn delete_all(tenant: &Tenant, owned: &[Owned]) -> Vec<String> {
    let mut failed = Vec::new();
    for o in owned.iter().rev() {
        if let Deleted::Failed(e) = delete_one(tenant, o).await {
            failed.push(format!("{}: {e}", short(&o.id)));
        }
    }
    failed
}
