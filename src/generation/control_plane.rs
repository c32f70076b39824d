//! The control plane, the tenant's backend and the edge as each generation has them: how org
//! create names its compute, how a deleted org is proven gone, which backend terminal diagnose
//! probes, and how long an external workspace may stay silent (issue 18; the CP is a private
//! repository, so its facts come from the platform harness at that commit).

use std::time::Duration;

/// How a deleted org is proven gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeardownProof {
    /// `DELETE /cp/admin/tenants/:slug` answers 200/204 and the org leaves `GET /cp/admin/orgs`
    /// (the harness's leak check, FS:248-267 at 41409fb2).
    OrgList,
    /// 200 carries a receipt `{deleted, slug, org_id, purge_id}`, 202 (queued) and 409 (a
    /// lifecycle operation running) are retried, the purge's audit row in
    /// `GET /cp/admin/purges` completes, and `GET /cp/admin/tenants/:slug/boot-events` answers
    /// exactly 404 `{"error":"org not found","slug":…}` (tests/e2e/lib/cp_purge_receipt.sh
    /// 59-140, 273-505 at aeec8e47; 374dc8e8, 3dd3675e, 0c36acfe).
    PurgeReceipt,
}

/// Where a tenant's workspaces run, as terminal diagnose sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// EC2 instances: diagnose probes them over EIC/ssh and answers `ok:true` on staging
    /// (`terminal_diagnose.go:130` at 41409fb2).
    Ec2,
    /// molecules-server: containers on the tenant's host, and the tenant's workspace-server has
    /// no docker client, so diagnose answers `ok:false, first_failure:"docker-available"`
    /// (`terminal_diagnose.go:137, 357-366` at aeec8e47, f2734b5f).
    LocalDocker,
}

/// The control-plane facts of one generation ([`super::Generation::cp`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpFacts {
    /// Org create names its compute provider (`"provider"`, `E2E_PROVIDER`): an empty one falls
    /// to the CP's default, the closed AWS path (38595f04; test_staging_external_runtime.sh
    /// 55-59, 102-106 at aeec8e47).
    pub org_create_provider: bool,
    pub teardown: TeardownProof,
    pub backend: Backend,
    /// `DefaultRemoteStaleAfter`: an external workspace without a heartbeat this long goes
    /// `awaiting_agent` (registry/healthsweep.go:24 at 41409fb2, :38 at aeec8e47).
    pub remote_stale_after: Duration,
    /// The health sweep's interval: the stale transition lands up to this much later.
    pub stale_sweep: Duration,
}

impl CpFacts {
    /// The latest the stale transition can land after the last heartbeat: the window plus
    /// one sweep.
    pub fn stale_worst_case(&self) -> Duration {
        self.remote_stale_after + self.stale_sweep
    }

    /// What a stale-poll `deadline` leaves after the worst case; `None` when it cannot fit.
    pub fn stale_margin(&self, deadline: Duration) -> Option<Duration> {
        deadline.checked_sub(self.stale_worst_case())
    }
}

pub const CP_41409FB2: CpFacts = CpFacts {
    org_create_provider: false,
    teardown: TeardownProof::OrgList,
    backend: Backend::Ec2,
    remote_stale_after: Duration::from_secs(90),
    stale_sweep: Duration::from_secs(15),
};

pub const CP_AEEC8E47: CpFacts = CpFacts {
    org_create_provider: true,
    teardown: TeardownProof::PurgeReceipt,
    backend: Backend::LocalDocker,
    remote_stale_after: Duration::from_secs(180),
    stale_sweep: Duration::from_secs(15),
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The staging stale deadline (240 s) fits both windows: 135 s of margin at 41409fb2,
    /// 45 s at aeec8e47 (docs/waits-and-teardown.md).
    #[test]
    fn the_staging_stale_deadline_fits_every_generation() {
        let deadline = Duration::from_secs(240);
        assert_eq!(CP_41409FB2.stale_margin(deadline), Some(Duration::from_secs(135)));
        assert_eq!(CP_AEEC8E47.stale_margin(deadline), Some(Duration::from_secs(45)));
        assert_eq!(CP_AEEC8E47.stale_margin(Duration::from_secs(180)), None);
    }
}
