//! The SaaS staging suite: every runtime arm and the lifecycle transitions, against staging
//! (`MOLECULE_CP_URL` set) or the embedded stand-in (unset). The live cases are `--ignored`:
//!
//! ```sh
//! cargo test --test staging_saas -- --ignored
//! ```
//!
//! The fault matrix for these stories is not ignored: it runs hermetically on every
//! `cargo test`, proving each check fails when the stand-in breaks the promise it guards.

// Each test target uses part of the shared support module.
#[allow(dead_code)]
mod support;

use molecule_e2e::scenario::{arms, lifecycle as transitions, saas};
use support::live::{case, finish, finish_pinned};

/// The live cases, expanded from the one arm declaration (`molecule_e2e::arm_table!`): each arm
/// is `arm::<arm>`, each online arm also `lifecycle::<transition>::<arm>`.
macro_rules! live_cases {
    ($($kind:ident $name:ident = $data:tt $(refused $red:tt)?;)*) => {
        mod arm {
            $(
                /// Provision, online, A2A PONG, known answer, activity, teardown.
                #[ignore = "live tier: cargo test --test staging_saas -- --ignored (embedded stand-in unless MOLECULE_CP_URL is set)"]
                #[tokio::test]
                async fn $name() {
                    super::runtime_arm(stringify!($name)).await;
                }
            )*
        }
        mod lifecycle {
            /// Pause and resume come back online.
            mod pause_resume {
                $(transition_case!($kind $name pause_resume);)*
            }
            /// A hibernated workspace wakes on A2A.
            mod hibernate_wake {
                $(transition_case!($kind $name hibernate_wake);)*
            }
        }
    };
}

/// A transition's case for an online arm; none for a red arm (it never comes online).
macro_rules! transition_case {
    (online $name:ident $transition:ident) => {
        #[ignore = "live tier: cargo test --test staging_saas -- --ignored (embedded stand-in unless MOLECULE_CP_URL is set)"]
        #[tokio::test]
        async fn $name() {
            crate::transition(stringify!($transition), stringify!($name)).await;
        }
    };
    (red $name:ident $transition:ident) => {};
}

molecule_e2e::arm_table!(live_cases);

/// The cross-runtime delegations (`molecule_e2e::cross_table!`): `cross::<parent>::<child>`.
macro_rules! cross_cases {
    ($($parent:ident => [$($child:ident),*];)*) => {
        mod cross {
            $(
                mod $parent {
                    $(
                        /// A parent on one runtime delegates to a child on another; the child's activity names it.
                        #[ignore = "live tier: cargo test --test staging_saas -- --ignored (embedded stand-in unless MOLECULE_CP_URL is set)"]
                        #[tokio::test]
                        async fn $child() {
                            crate::cross_pair(stringify!($parent), stringify!($child)).await;
                        }
                    )*
                }
            )*
        }
    };
}

molecule_e2e::cross_table!(cross_cases);

/// One cross-runtime pair's case.
async fn cross_pair(parent: &str, child: &str) {
    let c = case(&molecule_e2e::scenario::cross::case_name(parent, child));
    finish(&c, molecule_e2e::scenario::cross::cross_delegation(&c, parent, child).await);
}

/// One arm's case: provision, online, A2A PONG, known answer, activity, teardown.
async fn runtime_arm(name: &str) {
    let arm = arms::arm(name).expect("arm in the table");
    let c = case(&format!("arm::{name}"));
    // The arm table (or the run's generation) pins the expected-red arm: the summary says
    // "expected red", not passed.
    let g = c.target().settings.platform;
    let red = match (arm.expectation(g), arm.pin_at(g).1) {
        (arms::Expectation::Rejected { status, code }, Some(why)) => {
            Some(format!("{status} {code} as generation {} pins it: {why}", g.commit))
        }
        (arms::Expectation::Rejected { status, code }, None) => {
            Some(format!("{status} {code} as pinned by the arm table"))
        }
        (arms::Expectation::Online, _) => None,
    };
    let report = finish_pinned(&c, red, saas::runtime_arm(&c, arm).await);
    // Full mode's steps are pinned per arm: a step that silently stops running shows here.
    if let Some(saas::ArmReport::Online {
        full_mode: Some(full),
        ..
    }) = report
    {
        // Per platform generation: the newest has the plain name, an older one its commit.
        let snap = if g.is_latest() { format!("full_mode_steps_{name}") } else { format!("full_mode_steps_{name}@{}", g.commit) };
        crate::support::snapshot_settings().bind(|| insta::assert_json_snapshot!(snap, full.steps));
    }
}

/// One lifecycle transition on one arm (`E2E_RUNTIME`, read into the target's settings, may
/// gate it out).
async fn transition(transition: &str, name: &str) {
    let arm = arms::arm(name).expect("arm in the table");
    let c = case(&format!("lifecycle::{transition}::{name}"));
    let outcome = match transition {
        "pause_resume" => transitions::pause_resume(&c, arm).await,
        "hibernate_wake" => transitions::hibernate_wake(&c, arm).await,
        other => {
            panic!("no scenario for the transition {other}: add it to arms::TRANSITIONS and here")
        }
    };
    finish(&c, outcome);
}

/// This binary's live cases are the declared ones (`arms::live_cases`), by name: what the
/// workflows count and select follows from the declaration.
#[test]
fn the_live_cases_are_the_declared_ones() {
    support::live::assert_live_cases("staging_saas");
}

/// The fault matrix, one case per fault of the stand-in's catalogue (expanded from
/// `molecule_e2e::fault_table!`): every proof of the fault (story and verdict) runs against a
/// stand-in with the fault on, and must fail naming the broken promise, or survive.
macro_rules! fault_cases {
    ($($test:ident $variant:ident $name:literal $description:literal [$($proof:tt)*];)*) => {
        mod fault_matrix {
            use molecule_e2e::standin::Fault;
            $(
                #[tokio::test]
                async fn $test() {
                    crate::support::matrix::prove_fault(Fault::$variant).await;
                }
            )*
        }
    };
}

molecule_e2e::fault_table!(fault_cases);

mod fault_matrix_rules {
    use crate::support::matrix::{self, MATRIX};
    use molecule_e2e::error::Promise;
    use molecule_e2e::standin::{Fault, Verdict};
    use rstest::rstest;

    /// A row whose fault is switched off in the stand-in does not count as caught: the fault
    /// never fired, whatever the story did.
    #[rstest]
    #[case::a_fail_row(Fault::OnlineWithoutUrl)]
    #[case::a_survive_row(Fault::Transient5xx)]
    #[tokio::test]
    async fn a_row_whose_fault_is_off_is_not_caught(#[case] fault: Fault) {
        let row = MATRIX.iter().find(|r| r.fault == fault).expect("a row");
        let why = matrix::prove_row_with(row, &[]).await.expect_err("a row without its fault must not pass");
        assert!(why.contains("never fired"), "{why}");
    }

    /// Every promise the suite asserts has a row that breaks it: a new promise without a fault
    /// that breaks it fails here by name.
    #[test]
    fn every_promise_has_a_row() {
        let covered: Vec<Promise> = MATRIX
            .iter()
            .filter_map(|r| match r.verdict {
                Verdict::Fails(p) => Some(p),
                Verdict::Survives => None,
            })
            .collect();
        let missing: Vec<_> = Promise::ALL.iter().filter(|p| !covered.contains(p)).map(|p| p.name()).collect();
        assert!(missing.is_empty(), "promises no fault breaks (add a row to fault_table!): {missing:?}");
    }

    /// Every fault has a proof, its test is named after it, and no fault proves one story twice.
    #[test]
    fn every_fault_has_a_proof_named_after_it() {
        for f in Fault::ALL {
            assert_eq!(f.test_name(), f.name().replace('-', "_"), "fault {}: its test name must be its name", f.name());
            let rows = matrix::rows_of(f);
            assert!(!rows.is_empty(), "fault {} has no proof", f.name());
            for r in &rows {
                assert_eq!(rows.iter().filter(|o| o.story == r.story).count(), 1, "fault {} proves {} twice", f.name(), r.story.name());
            }
        }
    }

    /// The docs' fault table is the catalogue's, row for row (regenerate it from the message).
    #[test]
    fn the_docs_fault_table_is_the_catalogues() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/standin.md");
        let doc = std::fs::read_to_string(path).expect("docs/standin.md");
        let table = matrix::markdown_table();
        assert!(doc.contains(&table), "docs/standin.md lacks the fault table as the catalogue has it; paste:\n{table}");
    }
}

/// The run seen from the platform's side: this binary's live matrix is started as a child
/// process against a `molecule-e2e standin` process, and what it creates and leaves behind is
/// read from the stand-in (its request log and org list).
mod run_end {
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use crate::support::run::{report_lines, run_end_lines};
    use crate::support::standin::{StandInProcess, clean_env};
    use molecule_e2e::E2eError;
    use molecule_e2e::harness::{SlugKind, run_slug, today};
    use molecule_e2e::wait::{Probe, Wait};
    use rstest::rstest;

    fn run_id(tag: &str) -> String {
        format!("{tag}-{}", &uuid::Uuid::new_v4().simple().to_string()[..6])
    }

    /// This binary's live matrix (arms and lifecycle), as a child process against `s`.
    fn live_matrix(s: &StandInProcess, run_id: &str, extra: &[(&str, &str)]) -> (Child, std::path::PathBuf) {
        let out = std::env::temp_dir().join(format!("molecule-e2e-run-{run_id}.log"));
        let file = std::fs::File::create(&out).expect("run log");
        let mut cmd = Command::new(std::env::current_exe().expect("this test binary"));
        clean_env(&mut cmd)
            .args(["--ignored", "--test-threads", "32", "arm::", "lifecycle::"])
            .envs(s.env(run_id))
            .envs(extra.iter().copied())
            .stdout(Stdio::from(file.try_clone().expect("log")))
            .stderr(Stdio::from(file));
        (cmd.spawn().expect("spawn the live matrix"), out)
    }

    fn signal(child: &Child, sig: libc::c_int) {
        let pid = libc::pid_t::try_from(child.id()).expect("pid");
        // SAFETY: kill(2) on a child this test spawned and has not reaped.
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0, "kill {sig}");
    }

    /// The child's exit, awaited under the suite's one waiting rule (std has no exit event to
    /// await with a deadline).
    async fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
        Wait::new("the run's process to exit", within)
            .until(|| {
                let polled = child.try_wait();
                async move {
                    match polled {
                        Ok(Some(status)) => Ok(Probe::Ready(status)),
                        Ok(None) => Ok(Probe::Pending("still running".into())),
                        Err(e) => Err(E2eError::Io { what: "try_wait on the run's process".into(), source: e }),
                    }
                }
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The org slugs still listed once the run's orgs are gone, or when `within` ran out.
    async fn wait_no_orgs(s: &StandInProcess, within: Duration) -> Vec<String> {
        let gone = Wait::new("every org to leave the list", within)
            .until(|| async {
                let left = s.all_slugs().await;
                Ok(if left.is_empty() { Probe::Ready(()) } else { Probe::Pending(left.join(", ")) })
            })
            .await;
        match gone {
            Ok(()) => Vec::new(),
            Err(_) => s.all_slugs().await,
        }
    }

    #[ignore = "live tier: cargo test --test staging_saas -- --ignored"]
    #[tokio::test]
    async fn one_run_creates_exactly_one_org_and_leaves_nothing() {
        let s = StandInProcess::start("fast");
        let id = run_id("one");
        let (mut child, out) = live_matrix(&s, &id, &[("E2E_REQUIRE_LIVE", "1")]);
        let status = wait_exit(&mut child, Duration::from_secs(120)).await;
        let log = std::fs::read_to_string(&out).unwrap_or_default();
        assert!(status.success(), "the live matrix failed:\n{log}");
        assert_eq!(s.org_creations(), 1, "one POST /cp/admin/orgs per run");
        assert_eq!(s.all_slugs().await, Vec::<String>::new(), "orgs left behind");
        assert!(log.contains("run end: deleted org"), "{log}");
    }

    #[ignore = "live tier: cargo test --test staging_saas -- --ignored"]
    #[tokio::test]
    async fn a_run_in_an_org_made_outside_it_creates_none_and_leaves_no_workspace() {
        let s = StandInProcess::start("fast");
        let id = run_id("outside");
        let (ok, up) = s.cli(&id, &["org", "up"], &[]);
        assert!(ok, "org up failed:\n{up}");
        let slug = up.lines().find_map(|l| l.strip_prefix("export E2E_ORG_SLUG=")).expect("org up prints the export").to_owned();
        let (mut child, out) = live_matrix(&s, &id, &[("E2E_ORG_SLUG", &slug)]);
        let status = wait_exit(&mut child, Duration::from_secs(120)).await;
        assert!(status.success(), "the live matrix failed:\n{}", std::fs::read_to_string(&out).unwrap_or_default());
        assert_eq!(s.org_creations(), 1, "only `org up` creates an org");
        assert_eq!(s.all_slugs().await, vec![slug.clone()], "the borrowed org is kept");
        let cp = s.cp();
        let token = cp.tenant_admin_token(&slug).await.expect("tenant token");
        let org = cp.org(&slug).await.expect("list").expect("listed");
        let tenant = molecule_e2e::client::Tenant::new(&s.url, &org.id, token).expect("tenant");
        // The org's platform root (aeec8e47) is the org's, never the run's.
        let left: Vec<_> = tenant.list_workspaces().await.expect("list").into_iter().filter(|w| w.kind.as_deref() != Some("platform")).collect();
        assert!(left.is_empty(), "the run left workspaces in the borrowed org: {left:?}");
        let (ok, down) = s.cli(&id, &["org", "down", "--slug", &slug], &[]);
        assert!(ok, "org down failed:\n{down}");
        assert!(s.all_slugs().await.is_empty());
    }

    /// Workspaces whose own deletes failed in a run whose org was then deleted went with the
    /// org: the run's end reports them deleted ("the org took it"), not `NOT DELETED` (the
    /// noise that hid a real leak report), and fails nothing; while the org stands (its delete
    /// failed, or it is borrowed) they are reported left behind.
    #[rstest]
    #[case::the_org_deleted(Some(Ok(())), &["run end: deleted workspace 3f2a: delete failed: HTTP 500 (the org took it)"], &[])]
    #[case::the_org_delete_failed(
        Some(Err("HTTP 502".to_owned())),
        &[],
        &["run end: NOT DELETED org e2e-x: HTTP 502", "run end: NOT DELETED workspace 3f2a: delete failed: HTTP 500"]
    )]
    #[case::a_borrowed_org(None, &[], &["run end: NOT DELETED workspace 3f2a: delete failed: HTTP 500"])]
    fn a_workspace_the_run_could_not_delete_is_left_behind_only_while_its_org_stands(
        #[case] org: Option<Result<(), String>>,
        #[case] said_deleted: &[&str],
        #[case] said_kept: &[&str],
    ) {
        let failed = vec!["workspace 3f2a: delete failed: HTTP 500".to_owned()];
        let (deleted, kept) = run_end_lines("e2e-x", vec!["workspace 9b1c".to_owned()], failed, org);
        let lines = report_lines("run end", &deleted, &kept);
        for l in said_deleted.iter().chain(said_kept) {
            assert!(lines.iter().any(|x| x == l), "missing {l:?} in {lines:#?}");
        }
        assert!(lines.contains(&"run end: deleted workspace 9b1c".to_owned()), "{lines:#?}");
        let not_deleted = lines.iter().filter(|l| l.contains("NOT DELETED")).count();
        assert_eq!(not_deleted, said_kept.len(), "{lines:#?}");
        assert_eq!(kept.is_empty(), said_kept.is_empty(), "the run fails exactly when something is left: {kept:?}");
    }

    /// An org still listed after the run deleted it fails the run, naming the org (on the
    /// embedded stand-in, whose leak window is seconds, not staging's minute).
    #[ignore = "live tier: cargo test --test staging_saas -- --ignored"]
    #[tokio::test]
    async fn an_org_that_outlives_the_run_fails_it_by_name() {
        let id = run_id("leak");
        let slug = run_slug(SlugKind::Full, &today(), &id);
        let out = std::env::temp_dir().join(format!("molecule-e2e-run-{id}.log"));
        let file = std::fs::File::create(&out).expect("run log");
        let mut cmd = Command::new(std::env::current_exe().expect("this test binary"));
        clean_env(&mut cmd)
            .args(["--ignored", "--exact", "arm::hermes"])
            .env("E2E_RUN_ID", &id)
            .env("STANDIN_FAULTS", "deleted-org-listed")
            .stdout(Stdio::from(file.try_clone().expect("log")))
            .stderr(Stdio::from(file));
        let mut child = cmd.spawn().expect("spawn one arm");
        let status = wait_exit(&mut child, Duration::from_secs(60)).await;
        let log = std::fs::read_to_string(&out).unwrap_or_default();
        assert!(log.contains("test result: ok. 1 passed"), "the case itself passes (its org is the run's):\n{log}");
        assert!(!status.success(), "a leaked org must fail the run:\n{log}");
        assert!(log.contains(&format!("NOT DELETED org {slug}")), "{log}");
    }

    /// Under nextest (a process per test) against a remote platform, a run without
    /// E2E_ORG_SLUG refuses to make orgs, saying how to share one.
    #[ignore = "live tier: cargo test --test staging_saas -- --ignored"]
    #[tokio::test]
    async fn a_process_per_test_run_without_a_shared_org_makes_none() {
        let s = StandInProcess::start("fast");
        let id = run_id("nextest");
        let (mut child, out) = live_matrix(&s, &id, &[("NEXTEST", "1")]);
        let status = wait_exit(&mut child, Duration::from_secs(60)).await;
        let log = std::fs::read_to_string(&out).unwrap_or_default();
        assert!(!status.success(), "{log}");
        assert!(log.contains("molecule-e2e org up"), "{log}");
        assert_eq!(s.org_creations(), 0, "{log}");
    }

    /// SIGINT or SIGTERM at 1 s to 8 s into the live matrix: the run deletes what it created
    /// and exits non-zero; no org of it is left 30 s after the signal.
    #[rstest]
    #[case::sigint_at_1s(libc::SIGINT, 1000)]
    #[case::sigterm_at_3s(libc::SIGTERM, 3000)]
    #[case::sigint_at_5s(libc::SIGINT, 5000)]
    #[case::sigterm_at_8s(libc::SIGTERM, 8000)]
    #[ignore = "live tier: cargo test --test staging_saas -- --ignored"]
    #[tokio::test]
    async fn a_signal_mid_run_leaves_no_org(#[case] sig: libc::c_int, #[case] after_ms: u64) {
        let s = StandInProcess::start("realistic");
        let id = run_id("sig");
        let (mut child, out) = live_matrix(&s, &id, &[]);
        tokio::time::sleep(Duration::from_millis(after_ms)).await;
        let signalled = Instant::now();
        signal(&child, sig);
        let status = wait_exit(&mut child, Duration::from_secs(30)).await;
        let log = std::fs::read_to_string(&out).unwrap_or_default();
        assert!(!status.success(), "a stopped run must exit non-zero:\n{log}");
        let left = wait_no_orgs(&s, Duration::from_secs(30).saturating_sub(signalled.elapsed())).await;
        assert!(left.is_empty(), "orgs left 30 s after the signal: {left:?}\n{log}");
        assert!(log.contains("signal received"), "{log}");
    }

    /// A signal in a run inside an org made outside it: the run deletes its workspaces and
    /// keeps the org.
    #[ignore = "live tier: cargo test --test staging_saas -- --ignored"]
    #[tokio::test]
    async fn a_signal_in_a_borrowed_org_deletes_the_runs_workspaces_and_keeps_the_org() {
        let s = StandInProcess::start("realistic");
        let id = run_id("borrow");
        let (ok, up) = s.cli(&id, &["org", "up"], &[]);
        assert!(ok, "org up failed:\n{up}");
        let slug = up.lines().find_map(|l| l.strip_prefix("export E2E_ORG_SLUG=")).expect("the export").to_owned();
        let (mut child, out) = live_matrix(&s, &id, &[("E2E_ORG_SLUG", &slug)]);
        tokio::time::sleep(Duration::from_millis(3000)).await;
        signal(&child, libc::SIGINT);
        let status = wait_exit(&mut child, Duration::from_secs(30)).await;
        let log = std::fs::read_to_string(&out).unwrap_or_default();
        assert!(!status.success(), "{log}");
        assert!(log.contains("signal: deleted workspace"), "the run had workspaces to delete:\n{log}");
        assert_eq!(s.all_slugs().await, vec![slug.clone()], "the borrowed org is kept");
        let cp = s.cp();
        let org = cp.org(&slug).await.expect("list").expect("listed");
        let tenant = molecule_e2e::client::Tenant::new(&s.url, &org.id, cp.tenant_admin_token(&slug).await.expect("token"))
            .expect("tenant");
        let left: Vec<_> = tenant.list_workspaces().await.expect("list").into_iter().filter(|w| w.kind.as_deref() != Some("platform")).collect();
        assert!(left.is_empty(), "workspaces left in the borrowed org (its platform root aside): {:?}\n{log}", left.iter().map(|w| &w.id).collect::<Vec<_>>());
    }

    /// Two Ctrl-C: the run exits at once, and what it printed (its teardown, or what is left and
    /// the sweep command) is enough to leave no org of the run.
    #[ignore = "live tier: cargo test --test staging_saas -- --ignored"]
    #[tokio::test]
    async fn a_second_ctrl_c_exits_at_once_and_the_printed_sweep_removes_the_rest() {
        let s = StandInProcess::start("realistic");
        let id = run_id("twice");
        let (mut child, out) = live_matrix(&s, &id, &[]);
        tokio::time::sleep(Duration::from_millis(2500)).await;
        signal(&child, libc::SIGINT);
        tokio::time::sleep(Duration::from_millis(5)).await;
        if child.try_wait().expect("try_wait").is_none() {
            signal(&child, libc::SIGINT);
        }
        let status = wait_exit(&mut child, Duration::from_secs(5)).await;
        let log = std::fs::read_to_string(&out).unwrap_or_default();
        assert!(!status.success(), "{log}");
        if log.contains("exiting NOW") {
            assert!(log.contains(&format!("molecule-e2e sweep --run-id {id}")), "{log}");
        }
        let (ok, swept) = s.cli(&id, &["sweep", "--run-id", &id], &[]);
        assert!(ok, "{swept}");
        assert!(s.all_slugs().await.is_empty(), "{swept}\n{log}");
    }

    /// SIGKILL leaves the org; `sweep --run-id` finds it past 600 other orgs and deletes it
    /// alone.
    #[ignore = "live tier: cargo test --test staging_saas -- --ignored"]
    #[tokio::test]
    async fn after_sigkill_the_run_sweep_deletes_the_runs_org_and_no_other() {
        let s = StandInProcess::start("realistic");
        let cp = s.cp();
        for i in 0..600 {
            let slug = format!("e2e-20260101-other-{i:03}");
            cp.create_org(&slug, &slug, None).await.expect("create org");
        }
        let id = run_id("kill");
        let slug = run_slug(SlugKind::Full, &today(), &id);
        let (mut child, out) = live_matrix(&s, &id, &[]);
        Wait::new(format!("the run to create {slug}"), Duration::from_secs(20))
            .until(|| async {
                Ok(match cp.tenant_admin_token(&slug).await {
                    Ok(_) => Probe::Ready(()),
                    Err(e) => Probe::Pending(e.to_string()),
                })
            })
            .await
            .unwrap_or_else(|e| panic!("the run never created {slug}: {e}"));
        signal(&child, libc::SIGKILL);
        wait_exit(&mut child, Duration::from_secs(5)).await;
        assert!(s.all_slugs().await.contains(&slug), "SIGKILL leaves the org");
        let (ok, swept) = s.cli(&id, &["sweep", "--run-id", &id], &[]);
        assert!(ok, "{swept}\n{}", std::fs::read_to_string(&out).unwrap_or_default());
        let left = s.all_slugs().await;
        assert_eq!(left.len(), 600, "{swept}");
        assert!(!left.contains(&slug), "{swept}");
    }
}
