//! The sweeper: delete ephemeral orgs a killed run left behind (contract §8: prefixes `e2e-`
//! and `rt-e2e-`, older than 30 minutes by `created_at`, safety cap 50), as the platform's
//! own 15-minute sweeper does.

use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::client::{ControlPlane, Org};
use crate::error::{E2eError, Result};
use crate::harness::EPHEMERAL_PREFIXES;

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

/// Delete stale ephemeral orgs. More than `cap` candidates means something is wrong (a
/// prefix collision, a clock problem): nothing is deleted and the sweep fails.
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
    for o in stale {
        if dry_run {
            report.deleted.push(o.slug.clone());
            continue;
        }
        match cp.delete_tenant(&o.slug).await {
            Ok(()) => report.deleted.push(o.slug.clone()),
            Err(e) => report.failed.push((o.slug.clone(), e.to_string())),
        }
    }
    Ok(report)
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
}
