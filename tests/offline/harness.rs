//! The org guard: whatever a case's body does (succeed, fail, panic) its org is torn down,
//! unless E2E_KEEP_ORG=1 says to keep it.

use std::sync::Arc;

use molecule_e2e::config::Settings;
use molecule_e2e::harness::{Case, SlugKind, with_org};
use molecule_e2e::scenario::matrix::FAULT_TIMEOUTS;
use molecule_e2e::standin::{StandIn, StandInConfig};
use molecule_e2e::{E2eError, harness::Target};

async fn standin_case(settings: Settings) -> (Arc<StandIn>, Case) {
    let s = Arc::new(StandIn::start(StandInConfig::new(), ([127, 0, 0, 1], 0).into()).await.expect("stand-in"));
    let target = Target::over_standin(s.clone(), settings, Some(FAULT_TIMEOUTS));
    (s, Case::new("harness::org_guard", target))
}

#[tokio::test]
async fn a_passing_body_leaves_no_org() {
    let (s, case) = standin_case(Settings::hermetic()).await;
    let slug = with_org(&case, SlugKind::Full, |org| async move { Ok(org.slug.clone()) }).await.expect("case");
    assert!(slug.starts_with("e2e-"), "{slug}");
    assert_eq!(s.org_count(), 0);
}

#[tokio::test]
async fn a_failing_body_still_tears_down_and_keeps_its_error() {
    let (s, case) = standin_case(Settings::hermetic()).await;
    let err = with_org(&case, SlugKind::Smoke, |org| async move {
        assert_eq!(org.tenant.list_workspaces().await?.len(), 0);
        Err::<(), _>(E2eError::Unmet("the body failed on purpose".into()))
    })
    .await
    .expect_err("the body's failure");
    assert!(err.to_string().contains("failed on purpose"), "{err}");
    assert_eq!(s.org_count(), 0, "the org outlived a failing case");
}

#[tokio::test]
async fn a_panicking_body_still_tears_down_and_panics_on() {
    let (s, case) = standin_case(Settings::hermetic()).await;
    let run = tokio::spawn(async move {
        with_org(&case, SlugKind::External, |_org| async move {
            if true {
                panic!("the body panicked on purpose");
            }
            Ok(())
        })
        .await
    });
    let joined = run.await.expect_err("the panic comes back out");
    assert!(joined.is_panic());
    assert_eq!(s.org_count(), 0, "the org outlived a panicking case");
}

#[tokio::test]
async fn keep_org_keeps_it() {
    let settings = Settings::from_lookup(|k| (k == "E2E_KEEP_ORG").then(|| "1".to_owned())).expect("settings");
    let (s, case) = standin_case(settings).await;
    with_org(&case, SlugKind::Full, |_org| async move { Ok(()) }).await.expect("case");
    assert_eq!(s.org_count(), 1, "E2E_KEEP_ORG=1 must keep the org");
}
