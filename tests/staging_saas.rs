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
use support::live::{case, finish, finish_pinned};


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
        // The arm table pins the expected-red arm: the summary says "expected red", not passed.
        let red = match arm.expectation() {
            arms::Expectation::Rejected { status, code } => Some(format!("{status} {code} as pinned by the arm table")),
            arms::Expectation::Online => None,
        };
        let report = finish_pinned(&c, red, saas::runtime_arm(&c, arm).await);
        // Full mode's steps are pinned per arm: a step that silently stops running shows here.
        if let Some(saas::ArmReport::Online { full_mode: Some(full), .. }) = report {
            crate::support::snapshot_settings()
                .bind(|| insta::assert_json_snapshot!(format!("full_mode_steps_{name}"), full.steps));
        }
    }
}

mod lifecycle_ {
    use super::*;

    #[ignore = "live tier: cargo test --test staging_saas -- --ignored (embedded stand-in unless MOLECULE_CP_URL is set)"]
    #[tokio::test]
    async fn pause_then_resume_comes_back_online() {
        let c = case("lifecycle::pause_resume");
        finish(&c, lifecycle::pause_resume(&c).await);
    }

    #[ignore = "live tier: cargo test --test staging_saas -- --ignored (embedded stand-in unless MOLECULE_CP_URL is set)"]
    #[tokio::test]
    async fn hibernated_workspace_wakes_on_a2a() {
        let c = case("lifecycle::hibernate_wake");
        finish(&c, lifecycle::hibernate_wake(&c).await);
    }
}

mod fault_matrix {
    use molecule_e2e::scenario::matrix::{self, MATRIX};
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
        crate::support::live::prove_fault(fault, false).await;
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
        crate::support::live::prove_fault(fault, false).await;
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
