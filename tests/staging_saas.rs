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

use molecule_e2e::scenario::arms;
use molecule_e2e::scenario::{lifecycle, saas};
use rstest::rstest;
use support::live::{case, finish};


mod arm {
    use super::*;

    /// One case per arm: provision, online, A2A PONG, known answer, activity, teardown.
    #[rstest]
    #[case::claude_code_on_minimax_answers_pong("claude_code_minimax")]
    #[case::claude_code_on_anthropic_answers_pong("claude_code_anthropic")]
    #[case::claude_code_on_the_subscription_default_answers_pong("claude_code_subscription")]
    #[case::claude_code_on_the_keyless_platform_path_answers_pong("claude_code_platform")]
    #[case::hermes_answers_pong("hermes")]
    #[case::codex_with_gpt_4o_is_rejected_red_until_the_platform_or_slug_changes("codex")]
    #[case::openclaw_answers_pong("openclaw")]
    #[case::seo_agent_template_answers_pong("seo_agent")]
    #[case::google_adk_on_ai_studio_answers_pong("google_adk")]
    #[ignore = "live tier: cargo test --test staging_saas -- --ignored (embedded stand-in unless MOLECULE_CP_URL is set)"]
    #[tokio::test]
    async fn runtime_arm(#[case] name: &str) {
        let arm = arms::arm(name).expect("arm in the table");
        let c = case(&format!("arm::{name}"));
        let report = finish(&c, saas::runtime_arm(&c, arm).await);
        // Full mode's steps are pinned per arm: a step that silently stops running shows here.
        if let Some(saas::ArmReport::Online { full_mode: Some(full), .. }) = report {
            crate::support::snapshot_settings()
                .bind(|| insta::assert_json_snapshot!(format!("full_mode_steps_{name}"), full.steps));
        }
    }
}

mod lifecycle_ {
    use super::*;
    use molecule_e2e::scenario::Outcome;

    /// The arm, unless `E2E_RUNTIME` narrows the lifecycle cases to another runtime.
    fn lifecycle_arm(name: &str) -> Result<&'static arms::Arm, String> {
        let arm = arms::arm(name).expect("arm in the table");
        let narrow = std::env::var("E2E_RUNTIME").ok().filter(|v| !v.trim().is_empty());
        match lifecycle::narrowed_out(arm, narrow.as_deref()) {
            Some(why) => Err(why),
            None => Ok(arm),
        }
    }

    /// Pause and resume on every runtime arm (codex is the pinned red arm: it never comes online).
    #[rstest]
    #[case::claude_code_on_minimax("claude_code_minimax")]
    #[case::claude_code_on_anthropic("claude_code_anthropic")]
    #[case::claude_code_on_the_subscription_default("claude_code_subscription")]
    #[case::claude_code_on_the_platform_path("claude_code_platform")]
    #[case::hermes("hermes")]
    #[case::openclaw("openclaw")]
    #[case::seo_agent_template("seo_agent")]
    #[case::google_adk("google_adk")]
    #[ignore = "live tier: cargo test --test staging_saas -- --ignored (embedded stand-in unless MOLECULE_CP_URL is set)"]
    #[tokio::test]
    async fn pause_then_resume_comes_back_online(#[case] name: &str) {
        let c = case(&format!("lifecycle::pause_resume::{name}"));
        let outcome = match lifecycle_arm(name) {
            Ok(arm) => lifecycle::pause_resume(&c, arm).await,
            Err(why) => Ok(Outcome::Gated(why)),
        };
        finish(&c, outcome);
    }

    /// Hibernate and wake on every runtime arm (codex aside, as above).
    #[rstest]
    #[case::claude_code_on_minimax("claude_code_minimax")]
    #[case::claude_code_on_anthropic("claude_code_anthropic")]
    #[case::claude_code_on_the_subscription_default("claude_code_subscription")]
    #[case::claude_code_on_the_platform_path("claude_code_platform")]
    #[case::hermes("hermes")]
    #[case::openclaw("openclaw")]
    #[case::seo_agent_template("seo_agent")]
    #[case::google_adk("google_adk")]
    #[ignore = "live tier: cargo test --test staging_saas -- --ignored (embedded stand-in unless MOLECULE_CP_URL is set)"]
    #[tokio::test]
    async fn hibernated_workspace_wakes_on_a2a(#[case] name: &str) {
        let c = case(&format!("lifecycle::hibernate_wake::{name}"));
        let outcome = match lifecycle_arm(name) {
            Ok(arm) => lifecycle::hibernate_wake(&c, arm).await,
            Err(why) => Ok(Outcome::Gated(why)),
        };
        finish(&c, outcome);
    }
}

mod fault_matrix {
    use crate::support::matrix::{self, MATRIX};
    use molecule_e2e::standin::Fault;
    use rstest::rstest;

    /// Each fault the SaaS stories guard: the story must fail naming the broken promise (or
    /// survive, for the weather faults).
    #[rstest]
    #[case::resume_that_stays_paused_is_caught(Fault::ResumeStaysPaused)]
    #[case::pause_that_is_ignored_is_caught(Fault::PauseIgnored)]
    #[case::hibernated_that_never_wakes_is_caught(Fault::NeverWakes)]
    #[case::allowlist_without_google_adk_is_caught(Fault::AllowlistLacksGoogleAdk)]
    #[case::misspelt_answer_is_caught(Fault::RuntimeMisspells)]
    #[case::error_marker_in_the_reply_is_caught(Fault::ReplyErrorMarker)]
    #[case::missing_activity_is_caught(Fault::ActivityNotRecorded)]
    #[case::ignored_byok_billing_mode_is_caught(Fault::ByokIgnored)]
    #[case::org_still_listed_after_delete_is_caught_as_a_leak(Fault::DeletedOrgListed)]
    #[case::online_without_url_is_caught(Fault::OnlineWithoutUrl)]
    #[case::html_500_on_create_is_caught(Fault::CreateHtml500)]
    #[case::transient_5xx_is_survived(Fault::Transient5xx)]
    #[case::slow_provisioning_is_survived(Fault::SlowProvisioning)]
    #[case::waking_without_retry_after_is_survived(Fault::WakingWithoutRetryAfter)]
    #[tokio::test]
    async fn saas_story(#[case] fault: Fault) {
        matrix::prove_fault(fault, false).await;
    }

    /// Full-mode faults (contract §8 steps 7a–10).
    #[rstest]
    #[case::download_bytes_that_differ_are_caught(Fault::DownloadBytesDiffer)]
    #[case::accepted_stale_memory_version_is_caught(Fault::StaleVersionAccepted)]
    #[case::unconfigured_memory_plugin_is_caught(Fault::Memory503)]
    #[case::failing_terminal_diagnose_is_caught(Fault::DiagnoseFails)]
    #[case::served_shared_context_route_is_caught(Fault::SharedContextServed)]
    #[case::peers_route_404_is_caught(Fault::Peers404)]
    #[case::config_rewrite_that_never_comes_back_is_caught(Fault::ConfigRewriteWedges)]
    #[case::platform_models_that_do_not_answer_are_caught_by_the_probe(Fault::PlatformModelsMisroute)]
    #[case::lost_provenance_is_caught_by_delegation(Fault::ProvenanceLost)]
    #[tokio::test]
    async fn full_mode_step(#[case] fault: Fault) {
        matrix::prove_fault(fault, false).await;
    }

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

    /// Every promise the suite asserts has a row that breaks it (the variants are read from
    /// the `Promise` enum's source, so a new promise without a row fails here by name).
    #[test]
    fn every_promise_has_a_row() {
        let src = include_str!("../src/error.rs");
        let body = src.split("pub enum Promise {").nth(1).and_then(|b| b.split('}').next()).expect("the Promise enum");
        let variants: Vec<&str> = body
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("//") && !l.starts_with('#') && !l.is_empty())
            .map(|l| l.trim_end_matches(','))
            .collect();
        assert!(variants.len() > 20, "parsed {variants:?}");
        let covered: Vec<String> = MATRIX
            .iter()
            .filter_map(|r| match r.verdict {
                matrix::Verdict::Fails(p) => Some(format!("{p:?}")),
                matrix::Verdict::Survives => None,
            })
            .collect();
        let missing: Vec<_> = variants.iter().filter(|v| !covered.iter().any(|c| c == *v)).collect();
        assert!(missing.is_empty(), "promises no fault row breaks: {missing:?}");
    }

    /// Every matrix row is run by a case of the target its story belongs to.
    #[test]
    fn every_matrix_row_has_a_case() {
        let saas = include_str!("staging_saas.rs");
        let external = include_str!("staging_external.rs");
        for r in MATRIX {
            let src = if r.story.is_external() { external } else { saas };
            let case = format!("(Fault::{:?})]", r.fault);
            assert!(src.contains(&case), "no case runs {} under {}", r.fault.name(), r.story.name());
        }
    }

    /// The README's fault table is the matrix, row for row.
    #[test]
    fn the_readme_table_matches_the_matrix() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md");
        for r in MATRIX {
            let verdict = match r.verdict {
                matrix::Verdict::Fails(p) => format!("fail naming `[{p}]`"),
                matrix::Verdict::Survives => "survive (stay green)".to_owned(),
            };
            let line = format!("| `{}` | `{}` | {verdict} |", r.fault.name(), r.story.name());
            assert!(readme.contains(&line), "README.md lacks the fault-matrix row:\n{line}");
        }
    }

    /// Every fault of the catalogue has a row, every row's verdict agrees with the catalogue's
    /// own fail/survive mark, and no (fault, story) pair is listed twice.
    #[test]
    fn every_fault_has_a_row_with_the_catalogues_verdict() {
        use molecule_e2e::standin::FaultOutcome;
        for f in Fault::ALL {
            let rows: Vec<_> = MATRIX.iter().filter(|r| r.fault == f).collect();
            assert!(!rows.is_empty(), "fault {} has no matrix row", f.name());
            for r in &rows {
                let survives = r.verdict == matrix::Verdict::Survives;
                assert_eq!(survives, f.outcome() == FaultOutcome::Survive, "fault {} verdict disagrees", f.name());
                let same = rows.iter().filter(|o| o.story == r.story).count();
                assert_eq!(same, 1, "fault {} lists story {} twice", f.name(), r.story.name());
            }
        }
    }
}
