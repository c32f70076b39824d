//! The sweepers: delete ephemeral orgs a killed run left behind. The general sweep follows the
//! platform's own 15-minute sweeper (contract §8: prefixes `e2e-` and `rt-e2e-`, older than 30
//! minutes by `created_at`, safety cap 50, then orphan-tunnel cleanup); the run sweep deletes
//! one run's orgs, whatever their age, found by the slugs the run id determines.

use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::client::{ControlPlane, Org};
use crate::error::{E2eError, Result};
use crate::harness::{EPHEMERAL_PREFIXES, run_slugs};

/// The oldest `--max-age-minutes` that makes sense: a week. Anything longer is a typo.
pub const MAX_AGE_LIMIT_MINUTES: u64 = 7 * 24 * 60;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Slugs deleted (or that would be, on a dry run).
    pub deleted: Vec<String>,
    /// Ephemeral orgs too young to delete.
    pub young: usize,
    /// Ephemeral orgs whose `created_at` could not be read (never deleted).
    pub undated: Vec<String>,
    /// Deletions that failed, with the reason.
    pub failed: Vec<(String, String)>,
    /// The orphan-tunnel cleanup's answer, or why it failed.
    pub tunnels: Option<std::result::Result<String, String>>,
}

/// `--max-age-minutes` unset: the platform's sweeper age at aeec8e47, longer than any live lane.
pub const DEFAULT_MAX_AGE_MINUTES: u64 = 90;

/// `--max-age-minutes` as a duration, refusing values past [`MAX_AGE_LIMIT_MINUTES`].
pub fn max_age(minutes: u64) -> Result<Duration> {
    if minutes > MAX_AGE_LIMIT_MINUTES {
        return Err(E2eError::Unmet(format!(
            "--max-age-minutes {minutes} is more than a week ({MAX_AGE_LIMIT_MINUTES}): refusing a sweep that \
             could never delete anything; to delete one run's orgs whatever their age use --run-id"
        )));
    }
    Ok(Duration::from_secs(minutes * 60))
}

/// Which orgs are stale: ephemeral prefix and created more than `max_age` before `now`.
pub fn stale(orgs: &[Org], now: OffsetDateTime, max_age: Duration) -> (Vec<&Org>, usize, Vec<&Org>) {
    let mut stale = Vec::new();
    let mut young = 0;
    let mut undated = Vec::new();
    for o in orgs.iter().filter(|o| EPHEMERAL_PREFIXES.iter().any(|p| o.slug.starts_with(p)) && o.is_present()) {
        match o.created_at.as_deref().and_then(|c| OffsetDateTime::parse(c, &Rfc3339).ok()) {
            Some(created) if now - created > max_age => stale.push(o),
            Some(_) => young += 1,
            None => undated.push(o),
        }
    }
    (stale, young, undated)
}

/// Delete stale ephemeral orgs, each on its own (one failure does not stop the rest), then ask
/// the control plane to clean orphan tunnels. More than `cap` candidates means something is
/// wrong (a prefix collision, a clock problem): nothing is deleted and the sweep fails.
pub async fn sweep(cp: &ControlPlane, max_age: Duration, cap: usize, dry_run: bool) -> Result<SweepReport> {
    let orgs = cp.list_orgs().await?;
    let (stale, young, undated) = stale(&orgs, OffsetDateTime::now_utc(), max_age);
    if stale.len() > cap {
        return Err(E2eError::Unmet(format!(
            "{} ephemeral orgs are older than {} min, more than the safety cap of {cap}: refusing to delete any \
             (raise --cap if this is expected)",
            stale.len(),
            max_age.as_secs() / 60
        )));
    }
    let mut report = SweepReport {
        young,
        undated: undated.iter().map(|o| o.slug.clone()).collect(),
        ..Default::default()
    };
    let slugs: Vec<String> = stale.iter().map(|o| o.slug.clone()).collect();
    delete_each(cp, &slugs, dry_run, &mut report).await;
    if !dry_run {
        report.tunnels = Some(cp.cleanup_orphan_tunnels().await.map(|v| v.to_string()).map_err(|e| e.to_string()));
    }
    Ok(report)
}

/// Delete the orgs of run `run_id`, whatever their age: the slugs that run id gives (today and
/// yesterday, every kind), looked up one by one, so an org list longer than one page does not
/// hide them.
pub async fn sweep_run(cp: &ControlPlane, run_id: &str, dry_run: bool) -> Result<SweepReport> {
    if run_id.trim().is_empty() {
        return Err(E2eError::Unmet("--run-id is empty: refusing to guess which run to sweep".into()));
    }
    let candidates = run_slugs(run_id, OffsetDateTime::now_utc().date());
    let mut present = Vec::new();
    for slug in &candidates {
        // The admin-token route answers 404 for an org that does not exist (or is deleted).
        match cp.tenant_admin_token(slug).await {
            Ok(_) => present.push(slug.clone()),
            Err(e) if e.status() == Some(404) => {}
            Err(e) => return Err(e),
        }
    }
    let mut report = SweepReport::default();
    delete_each(cp, &present, dry_run, &mut report).await;
    Ok(report)
}

async fn delete_each(cp: &ControlPlane, slugs: &[String], dry_run: bool, report: &mut SweepReport) {
    for slug in slugs {
        if dry_run {
            report.deleted.push(slug.clone());
            continue;
        }
        // The sweeper only asks: a 202 (queued) or 409 (busy) org is left to the next sweep.
        match cp.delete_tenant(slug).await {
            Ok(crate::client::TenantDelete::Deleted(_)) => report.deleted.push(slug.clone()),
            Ok(other) => report.failed.push((slug.clone(), format!("DELETE answered {other:?}: not torn down yet"))),
            Err(e) => report.failed.push((slug.clone(), e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(slug: &str, created: Option<&str>) -> Org {
        Org {
            id: format!("id-{slug}"),
            slug: slug.into(),
            instance_status: Some("running".into()),
            last_error: None,
            created_at: created.map(str::to_owned),
            status: None,
        }
    }

    #[test]
    fn only_old_ephemeral_orgs_are_stale() {
        let now = OffsetDateTime::parse("2026-11-21T12:00:00Z", &Rfc3339).unwrap();
        let orgs = [
            org("e2e-20261121-old-aaaaaa", Some("2026-11-21T11:00:00Z")),
            org("rt-e2e-old", Some("2026-11-21T11:29:00+00:00")),
            org("e2e-20261121-new-bbbbbb", Some("2026-11-21T11:45:00Z")),
            org("customer-acme", Some("2020-01-01T00:00:00Z")),
            org("e2e-undated", Some("yesterday")),
        ];
        let (stale, young, undated) = stale(&orgs, now, Duration::from_secs(30 * 60));
        let slugs: Vec<_> = stale.iter().map(|o| o.slug.as_str()).collect();
        assert_eq!(slugs, ["e2e-20261121-old-aaaaaa", "rt-e2e-old"]);
        assert_eq!(young, 1);
        assert_eq!(undated.len(), 1);
    }

    #[test]
    fn an_absurd_max_age_is_refused_not_overflowed() {
        let e = max_age(u64::MAX).expect_err("absurd");
        assert!(e.to_string().contains("more than a week"), "{e}");
        assert_eq!(max_age(30).expect("sane"), Duration::from_secs(1800));
    }
}
