//! Bring-your-own runtimes against staging or the embedded stand-in: the generic external
//! workspace's four transitions, the kimi and kimi-cli meta-runtimes answered with the queued
//! poll envelope (pinned by a snapshot), and the BYO round trip with the suite as the agent.
//!
//! ```sh
//! cargo test --test staging_external -- --ignored
//! ```

// Each test target uses part of the shared support module.
#[allow(dead_code)]
mod support;

use molecule_e2e::scenario::external as scenario;
use support::live::{case, passed};

mod external {
    use super::*;

    #[ignore = "live tier: cargo test --test staging_external -- --ignored (embedded stand-in unless MOLECULE_CP_URL is set)"]
    #[tokio::test]
    async fn transitions() {
        let c = case("external::transitions");
        passed(&c, scenario::external_transitions(&c).await);
    }

    /// kimi keeps its label and gets the queued envelope.
    #[ignore = "live tier: cargo test --test staging_external -- --ignored (embedded stand-in unless MOLECULE_CP_URL is set)"]
    #[tokio::test]
    async fn kimi() {
        byo_meta_runtime("kimi").await;
    }

    /// kimi-cli keeps its label and gets the queued envelope.
    #[ignore = "live tier: cargo test --test staging_external -- --ignored (embedded stand-in unless MOLECULE_CP_URL is set)"]
    #[tokio::test]
    async fn kimi_cli() {
        byo_meta_runtime("kimi-cli").await;
    }

    async fn byo_meta_runtime(runtime: &'static str) {
        let c = case(&format!("external::{}", runtime.replace('-', "_")));
        let report = passed(&c, scenario::byo_meta_runtime(&c, runtime).await);
        // Both meta-runtimes must get the very same three-key envelope: one snapshot.
        crate::support::snapshot_settings()
            .bind(|| insta::assert_json_snapshot!("poll_queued_envelope", report.queued));
    }

    /// The BYO round trip: the reply reaches the sender.
    #[ignore = "live tier: cargo test --test staging_external -- --ignored (embedded stand-in unless MOLECULE_CP_URL is set)"]
    #[tokio::test]
    async fn byo_round_trip() {
        let c = case("external::byo_round_trip");
        passed(&c, scenario::byo_round_trip(&c).await);
    }
}

/// This binary's live cases are the declared ones (`arms::EXTERNAL_CASES`), by name.
#[test]
fn the_live_cases_are_the_declared_ones() {
    support::live::assert_live_cases("staging_external");
}

/// The external run seen from the platform's side, as `staging_saas`'s `run_end` does for the
/// arms: one org per run, nothing left.
mod run_end {
    use std::process::{Command, Stdio};
    use std::time::Duration;

    use crate::support::standin::{StandInProcess, clean_env};

    #[ignore = "live tier: cargo test --test staging_external -- --ignored"]
    #[tokio::test]
    async fn one_run_creates_exactly_one_org_and_leaves_nothing() {
        let s = StandInProcess::start("fast");
        let id = format!("ext-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
        let out = std::env::temp_dir().join(format!("molecule-e2e-run-{id}.log"));
        let file = std::fs::File::create(&out).expect("run log");
        let mut cmd = Command::new(std::env::current_exe().expect("this test binary"));
        clean_env(&mut cmd)
            .args(["--ignored", "--test-threads", "32", "external::"])
            .envs(s.env(&id))
            .env("E2E_REQUIRE_LIVE", "1")
            .stdout(Stdio::from(file.try_clone().expect("log")))
            .stderr(Stdio::from(file));
        let mut child = cmd.spawn().expect("spawn the external run");
        // The child's exit is the event: wait for it off the runtime, bounded.
        let waiting = tokio::task::spawn_blocking(move || child.wait());
        let status = tokio::time::timeout(Duration::from_secs(120), waiting)
            .await
            .expect("the run did not end within 120 s")
            .expect("the waiting thread")
            .expect("wait for the run");
        let log = std::fs::read_to_string(&out).unwrap_or_default();
        assert!(status.success(), "the external run failed:\n{log}");
        assert_eq!(s.org_creations(), 1, "one POST /cp/admin/orgs per run:\n{log}");
        assert!(s.all_slugs().await.is_empty(), "orgs left behind:\n{log}");
    }
}
