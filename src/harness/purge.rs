//! An org's teardown proven as today's platform proves it (tests/e2e/lib/cp_purge_receipt.sh at
//! aeec8e47; [`crate::generation::TeardownProof::PurgeReceipt`]): the org's exact identity
//! first, then `DELETE` until it answers 200 (202 queued and 409 busy are asked again), its
//! receipt, the purge's completed audit row, and the exact 404 of the org. Every step shares
//! the deadline in scope (the org's teardown budget) and names itself when it fails. A DELETE
//! whose answer was lost is asked again, and proven by the org's audit row instead.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::Value;

use crate::client::{Audit, ControlPlane, Presence, Receipt, TenantDelete, audit, audit_of_org};
use crate::error::{BreaksExt, E2eError, Promise, Result, StepExt};
use crate::wait::{Deadline, Probe, Wait, grace};

/// What is left of the deadline in scope, less the grace a last probe needs.
fn window() -> Duration {
    let left = Deadline::current().map_or(Duration::from_secs(60), |d| d.left());
    left.saturating_sub(grace(left))
}

fn leak(what: String) -> E2eError {
    E2eError::broken(Promise::TeardownLeavesNoOrg, what)
}

/// Delete org `slug` and prove it gone; an org already absent (exact 404) needs no DELETE.
pub async fn delete_and_prove(cp: &ControlPlane, slug: &str, say: &(dyn Fn(&str) + Sync)) -> Result<()> {
    let org_id = match cp.tenant_presence(slug).await.step("teardown: exact org identity")? {
        Presence::Absent => {
            say(&format!("org {slug} already absent (exact 404): nothing to delete"));
            return Ok(());
        }
        Presence::Present { org_id } => org_id,
    };
    // A DELETE whose answer is lost (local docker detaches the tenant's network mid-answer)
    // is asked again; if the org is then gone, the lost one did it, and its audit row is found
    // by the org's id (cp_purge_receipt.sh:306-318, 420-445).
    let lost = std::sync::atomic::AtomicBool::new(false);
    let answer = Wait::new(format!("org {slug} DELETE to answer 200 (202 and 409 mean not yet)"), window())
        .until(|| async {
            Ok(match cp.delete_tenant(slug).await {
                Ok(TenantDelete::Deleted(v)) => Probe::Ready(Some(v)),
                Ok(TenantDelete::Queued) => Probe::Pending("202: teardown queued behind a lifecycle operation".into()),
                Ok(TenantDelete::Busy) => Probe::Pending("409: a lifecycle operation is still running".into()),
                Err(e) if e.status() == Some(404) && lost.load(Ordering::Relaxed) => Probe::Ready(None),
                Err(e @ E2eError::Transport { .. }) => {
                    lost.store(true, Ordering::Relaxed);
                    Probe::Pending(format!("the answer was lost ({e}); asking again"))
                }
                Err(e) => return Err(e),
            })
        })
        .await
        .breaks(Promise::TeardownLeavesNoOrg, &format!("org {slug} was never torn down"))
        .step("teardown: delete tenant")?;
    let purge = match answer {
        Some(answer) => {
            let receipt = Receipt::decode(answer.as_ref().unwrap_or(&Value::Null), slug, &org_id)
                .map_err(|why| leak(format!("DELETE of org {slug} answered 200 without a purge receipt: {why}")))
                .step("teardown: purge receipt")?;
            say(&format!("org {slug} deleted (purge {}); proving it", receipt.purge_id));
            Some(receipt.purge_id)
        }
        None => {
            say(&format!("org {slug}: the DELETE's answer was lost and the org is gone; proving it by its audit row"));
            None
        }
    };
    Wait::new(format!("the purge of org {slug} to complete"), window())
        .until(|| async {
            let rows = cp.purges().await?;
            let seen = match &purge {
                Some(id) => audit(&rows, id, slug, &org_id),
                None => audit_of_org(&rows, slug, &org_id),
            };
            match seen {
                Audit::Completed => Ok(Probe::Ready(())),
                Audit::Pending(seen) => Ok(Probe::Pending(seen)),
                Audit::Broken(why) => Err(leak(why)),
            }
        })
        .await
        .breaks(Promise::TeardownLeavesNoOrg, &format!("the purge of org {slug} never completed"))
        .step("teardown: purge audit")?;
    Wait::new(format!("org {slug} to be absent (exact 404)"), window())
        .until(|| async {
            Ok(match cp.tenant_presence(slug).await? {
                Presence::Absent => Probe::Ready(()),
                Presence::Present { .. } => Probe::Pending("still present (boot-events 200)".into()),
            })
        })
        .await
        .breaks(Promise::TeardownLeavesNoOrg, &format!("org {slug} is still present after its purge: a leak"))
        .step("teardown: exact absence")
}
