//! The org guard: whatever a case's body does (succeed, fail, panic) the workspaces it created
//! are deleted and gone from the list, and its own org too; cases of one run share one org,
//! created once. E2E_KEEP_ORG=1 keeps everything, loudly.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use molecule_e2e::config::Settings;
use molecule_e2e::harness::{Case, OrgHandle, OrgInfo, RunOrg, SlugKind, Target, create_org, with_org};
use molecule_e2e::payload::CreateWorkspace;
use molecule_e2e::standin::StandIn;
use molecule_e2e::{E2eError, Result};

use crate::support::matrix::FAULT_TIMEOUTS;
use crate::support::standin::{faulty, target_over};

async fn standin_case(settings: Settings) -> (StandIn, Case) {
    let s = faulty(&[]).await;
    let target = target_over(&s, settings, Some(FAULT_TIMEOUTS));
    (s, Case::new("harness::org_guard", target))
}

/// Create an external workspace the case owns (no provisioning: quick and enough to own).
// clippy 1.99 flags E2eError's size here only (a private fn); the library returns it unboxed.
#[allow(clippy::result_large_err)]
async fn make_workspace(case: &Case, org: &OrgHandle, name: &str) -> Result<String> {
    let created = org.tenant.create_workspace(&CreateWorkspace::external(name, "external")).await?;
    case.own(&created.id, name);
    Ok(created.id)
}

#[tokio::test]
async fn a_passing_body_leaves_no_org_and_no_workspace() {
    let (s, case) = standin_case(Settings::hermetic()).await;
    let c = case.clone();
    let slug = with_org(&case, SlugKind::Full, move |org| async move {
        make_workspace(&c, &org, "ws-a").await?;
        Ok(org.slug.clone())
    })
    .await
    .expect("case");
    assert!(slug.starts_with("e2e-"), "{slug}");
    assert_eq!(s.org_count(), 0);
    assert_eq!(case.workspaces().len(), 1, "the case still knows what it owned");
}

#[tokio::test]
async fn a_failing_body_still_tears_down_and_keeps_its_error() {
    let (s, case) = standin_case(Settings::hermetic()).await;
    let c = case.clone();
    let err = with_org(&case, SlugKind::Smoke, move |org| async move {
        make_workspace(&c, &org, "ws-b").await?;
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
        let c = case.clone();
        with_org(&case, SlugKind::External, move |org| async move {
            make_workspace(&c, &org, "ws-c").await?;
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

/// A run org for tests: created once however many cases ask at once, counting creations.
struct SharedOrg {
    target: Arc<Target>,
    creations: AtomicUsize,
    org: tokio::sync::OnceCell<OrgInfo>,
}

impl RunOrg for SharedOrg {
    fn org(&self) -> Pin<Box<dyn Future<Output = Result<OrgInfo>> + Send + '_>> {
        Box::pin(async move {
            self.org
                .get_or_try_init(|| async {
                    self.creations.fetch_add(1, Ordering::SeqCst);
                    create_org(&self.target, SlugKind::Full, &self.slug(), &|_| {}).await
                })
                .await
                .cloned()
        })
    }
    fn slug(&self) -> String {
        "e2e-20260101-shared".into()
    }
    fn created(&self, _id: &str, _name: &str) {}
    fn deleted(&self, _id: &str) {}
}

#[tokio::test]
async fn cases_of_one_run_share_one_org_and_delete_only_their_own_workspaces() {
    let s = faulty(&[]).await;
    let target = target_over(&s, Settings::hermetic(), Some(FAULT_TIMEOUTS));
    let shared = Arc::new(SharedOrg { target: target.clone(), creations: AtomicUsize::new(0), org: Default::default() });
    let (a, b) = (Case::in_run("a", target.clone(), shared.clone()), Case::in_run("b", target.clone(), shared.clone()));
    // b holds its workspace while a runs and tears down: a must not touch it.
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let cb = b.clone();
    let b_run = tokio::spawn(async move {
        let c = cb.clone();
        with_org(&cb, SlugKind::Full, move |org| async move {
            let id = make_workspace(&c, &org, "ws-b").await?;
            rx.await.map_err(|e| E2eError::Unmet(e.to_string()))?;
            let listed = org.tenant.list_workspaces().await?;
            assert!(listed.iter().any(|w| w.id == id), "a's teardown deleted b's workspace");
            // The org's platform root (aeec8e47) is the org's, not a case's.
            Ok(listed.iter().filter(|w| w.kind.as_deref() != Some("platform")).count())
        })
        .await
    });
    let ca = a.clone();
    with_org(&a, SlugKind::Full, move |org| async move { make_workspace(&ca, &org, "ws-a").await.map(drop) })
        .await
        .expect("case a");
    tx.send(()).expect("b waits");
    let b_saw = b_run.await.expect("b joined").expect("case b");
    assert_eq!(b_saw, 1, "after a's teardown only b's workspace is listed");
    assert_eq!(shared.creations.load(Ordering::SeqCst), 1, "one org for the run");
    assert_eq!(s.org_count(), 1, "the run's org outlives its cases (the run deletes it at its end)");
    let info = shared.org().await.expect("org");
    let tenant = info.tenant().expect("tenant");
    let left: Vec<_> = tenant.list_workspaces().await.expect("list").into_iter().filter(|w| w.kind.as_deref() != Some("platform")).collect();
    assert!(left.is_empty(), "no workspace left in the run's org (its platform root is the org's): {left:?}");
}

/// Org create names `E2E_PROVIDER` where the generation takes one: today a provider the
/// control plane runs nothing on (the closed `aws` path) fails the org naming
/// `[org-becomes-running]`, which proves it was sent; June's org create sends none.
#[tokio::test]
async fn org_create_sends_e2e_provider_where_the_generation_takes_one() {
    use molecule_e2e::generation::G41409FB2;
    use molecule_e2e::standin::StandInConfig;
    let settings = |platform: &str| {
        let p = platform.to_owned();
        Settings::from_lookup(move |k| match k {
            "E2E_PROVIDER" => Some("aws".to_owned()),
            "MOLECULE_PLATFORM" => Some(p.clone()),
            _ => None,
        })
        .expect("settings")
    };
    let today = faulty(&[]).await;
    let target = target_over(&today, settings("aeec8e47"), Some(FAULT_TIMEOUTS));
    let e = create_org(&target, SlugKind::Full, "e2e-20260101-closed", &|_| {}).await.expect_err("the closed provider never runs");
    let text = e.to_string();
    assert!(text.contains("[org-becomes-running]") && text.contains("provider aws is closed"), "{text}");
    assert_eq!(today.org_count(), 0, "the failed org was deleted");
    let june = StandIn::start(StandInConfig::new().with_platform(&G41409FB2), ([127, 0, 0, 1], 0).into()).await.expect("start");
    let target = target_over(&june, settings("41409fb2"), Some(FAULT_TIMEOUTS));
    create_org(&target, SlugKind::Full, "e2e-20260101-june", &|_| {}).await.expect("June's org create sends no provider");
}
