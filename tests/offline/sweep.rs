//! The sweeper against a stand-in: only the suite's ephemeral orgs go, and more stale orgs
//! than the cap means nothing goes at all.

use std::time::Duration;

use molecule_e2e::client::ControlPlane;
use molecule_e2e::harness::sweep::sweep;
use molecule_e2e::standin::{StandIn, StandInConfig};
use secrecy::SecretString;

async fn control_plane_with(slugs: &[&str]) -> (StandIn, ControlPlane) {
    let s = StandIn::start(StandInConfig::new(), ([127, 0, 0, 1], 0).into()).await.expect("stand-in");
    let cp = ControlPlane::new(&s.url(), Some(SecretString::from(s.admin_token().to_owned()))).expect("client");
    for slug in slugs {
        cp.create_org(slug, slug).await.expect("create org");
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
