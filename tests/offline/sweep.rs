//! The sweepers against a stand-in: only the suite's ephemeral orgs go, more stale orgs than
//! the cap means nothing goes at all, and a run sweep deletes that run's orgs and no other,
//! however long the org list.

use std::time::Duration;

use molecule_e2e::client::ControlPlane;
use molecule_e2e::harness::sweep::{sweep, sweep_run};
use molecule_e2e::harness::{SlugKind, run_slug, today};
use molecule_e2e::standin::{StandIn, StandInConfig};
use secrecy::SecretString;

async fn control_plane_with(slugs: &[&str]) -> (StandIn, ControlPlane) {
    let s = StandIn::start(StandInConfig::new(), ([127, 0, 0, 1], 0).into()).await.expect("stand-in");
    let cp = ControlPlane::new(&s.url(), Some(SecretString::from(s.admin_token().to_owned()))).expect("client");
    for slug in slugs {
        cp.create_org(slug, slug, None).await.expect("create org");
    }
    (s, cp)
}

async fn listed(cp: &ControlPlane) -> Vec<String> {
    let mut slugs: Vec<_> = cp.list_orgs().await.expect("list").into_iter().map(|o| o.slug).collect();
    slugs.sort();
    slugs
}

#[tokio::test]
async fn deletes_only_the_suites_ephemeral_orgs() {
    let (_s, cp) = control_plane_with(&["e2e-20261121-run-aaaaaa", "rt-e2e-old", "customer-acme"]).await;
    // Max age zero: every ephemeral org is old enough.
    let report = sweep(&cp, Duration::ZERO, 50, false).await.expect("sweep");
    let mut deleted = report.deleted.clone();
    deleted.sort();
    assert_eq!(deleted, ["e2e-20261121-run-aaaaaa", "rt-e2e-old"]);
    assert_eq!(listed(&cp).await, ["customer-acme"]);
    assert!(matches!(report.tunnels, Some(Ok(_))), "the orphan-tunnel cleanup ran: {:?}", report.tunnels);
}

#[tokio::test]
async fn a_run_sweep_finds_its_orgs_past_600_others_and_deletes_nothing_else() {
    let others: Vec<String> = (0..600).map(|i| format!("e2e-20260101-other-{i:03}")).collect();
    let (s, cp) = control_plane_with(&[]).await;
    s.seed_orgs(others.iter().map(String::as_str));
    let mine = [run_slug(SlugKind::Full, &today(), "run-42"), run_slug(SlugKind::External, &today(), "run-42")];
    for slug in &mine {
        cp.create_org(slug, slug, None).await.expect("create org");
    }
    let first_page = cp.list_orgs().await.expect("list");
    assert!(!first_page.iter().any(|o| mine.contains(&o.slug)), "the run's orgs must lie past the first page");
    let report = sweep_run(&cp, "run-42", false).await.expect("sweep");
    assert_eq!(report.deleted.len(), 2, "{report:?}");
    assert!(report.failed.is_empty(), "{report:?}");
    assert_eq!(s.org_count(), 600, "only the run's orgs go");
    for slug in &mine {
        let gone = cp.tenant_admin_token(slug).await.expect_err("deleted");
        assert_eq!(gone.status(), Some(404), "{slug}: {gone}");
    }
    assert!(sweep_run(&cp, "run-4", false).await.expect("sweep").deleted.is_empty(), "a prefix of the run id is another run");
}

#[tokio::test]
async fn a_run_sweep_needs_a_run_id() {
    let (_s, cp) = control_plane_with(&[]).await;
    let e = sweep_run(&cp, " ", false).await.expect_err("empty run id");
    assert!(e.to_string().contains("--run-id is empty"), "{e}");
}

#[tokio::test]
async fn young_orgs_are_kept() {
    let (_s, cp) = control_plane_with(&["e2e-20261121-run-bbbbbb"]).await;
    let report = sweep(&cp, Duration::from_secs(30 * 60), 50, false).await.expect("sweep");
    assert!(report.deleted.is_empty(), "{report:?}");
    assert_eq!(report.young, 1);
    assert_eq!(listed(&cp).await, ["e2e-20261121-run-bbbbbb"]);
}

#[tokio::test]
async fn more_stale_orgs_than_the_cap_deletes_nothing() {
    let (_s, cp) = control_plane_with(&["e2e-a", "e2e-b", "e2e-c"]).await;
    let err = sweep(&cp, Duration::ZERO, 2, false).await.expect_err("over the cap");
    assert!(err.to_string().contains("safety cap of 2"), "{err}");
    assert_eq!(listed(&cp).await, ["e2e-a", "e2e-b", "e2e-c"]);
}

#[tokio::test]
async fn a_dry_run_deletes_nothing() {
    let (_s, cp) = control_plane_with(&["e2e-dry"]).await;
    let report = sweep(&cp, Duration::ZERO, 50, true).await.expect("sweep");
    assert_eq!(report.deleted, ["e2e-dry"]);
    assert_eq!(listed(&cp).await, ["e2e-dry"]);
}
