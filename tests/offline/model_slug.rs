//! The pinned cases of the platform's `test_model_slug.sh`, per generation, with exactly its
//! inputs and expectations: 21 at the reference commit (contract §7.4, the script @64fdfa6e),
//! 19 at aeec8e47 (its `tests/e2e/test_model_slug.sh:47-130`; `contract/platform-today.md` §3d).
//! Where the script gives an unknown or empty runtime `openai/gpt-4o`, the suite refuses it by
//! name.

use molecule_e2e::generation::{G41409FB2, GAEEC8E47, Generation};
use molecule_e2e::model_slug::{SlugEnv, SlugError, pick_model_slug};
use rstest::rstest;

/// Environment rows: `MODEL_SLUG` is `E2E_MODEL_SLUG`, `PLATFORM` is `E2E_LLM_PATH=platform`,
/// `DEFAULT` is `E2E_DEFAULT_PLATFORM_MODEL`, `MINIMAX`/`ANTHROPIC` the key variables.
fn env() -> SlugEnv<'static> {
    SlugEnv::default()
}

/// The pins both generations share (cases 1-9, 12-13, 16, 18-21 of contract §7.4).
#[rstest]
#[case::hermes_defaults_to_openai_gpt_4o("hermes", env(), "openai/gpt-4o")]
#[case::codex_defaults_to_openai_gpt_4o("codex", env(), "openai/gpt-4o")]
#[case::claude_code_without_keys_uses_subscription_sonnet("claude-code", env(), "sonnet")]
#[case::claude_code_with_minimax_key_uses_bare_minimax("claude-code", SlugEnv { minimax_key: true, ..env() }, "MiniMax-M2.7")]
#[case::claude_code_with_anthropic_key_uses_claude_sonnet("claude-code", SlugEnv { anthropic_key: true, ..env() }, "claude-sonnet-4-6")]
#[case::claude_code_minimax_key_beats_anthropic_key("claude-code", SlugEnv { minimax_key: true, anthropic_key: true, ..env() }, "MiniMax-M2.7")]
#[case::seo_agent_without_keys_uses_sonnet("seo-agent", env(), "sonnet")]
#[case::seo_agent_with_minimax_key_uses_bare_minimax("seo-agent", SlugEnv { minimax_key: true, ..env() }, "MiniMax-M2.7")]
#[case::seo_agent_with_anthropic_key_uses_claude_sonnet("seo-agent", SlugEnv { anthropic_key: true, ..env() }, "claude-sonnet-4-6")]
#[case::platform_path_takes_default_platform_model("claude-code", SlugEnv { platform_path: true, default_platform_model: Some("minimax/MiniMax-M3"), ..env() }, "minimax/MiniMax-M3")]
#[case::codex_override_with_colon_form_is_verbatim("codex", SlugEnv { model_slug: Some("anthropic:claude-opus-4-7"), ..env() }, "anthropic:claude-opus-4-7")]
#[case::hermes_override_is_verbatim("hermes", SlugEnv { model_slug: Some("custom/whatever"), ..env() }, "custom/whatever")]
#[case::claude_code_bare_override_is_verbatim("claude-code", SlugEnv { model_slug: Some("some-bare-id"), ..env() }, "some-bare-id")]
#[case::empty_override_does_not_count("codex", SlugEnv { model_slug: Some(""), ..env() }, "openai/gpt-4o")]
fn pinned_at_both(
    #[values(&G41409FB2, &GAEEC8E47)] g: &Generation,
    #[case] runtime: &str,
    #[case] env: SlugEnv<'static>,
    #[case] expected: &str,
) {
    assert_eq!(pick_model_slug(g.catalog, runtime, &env).as_deref(), Ok(expected), "{g}: runtime {runtime:?}, env {env:?}");
}

/// The reference commit's own pins (cases 10, 11, 14, 15, 17).
#[rstest]
#[case::google_adk_defaults_to_gemini_2_5_pro("google-adk", env(), "gemini-2.5-pro")]
#[case::google_adk_override_is_verbatim("google-adk", SlugEnv { model_slug: Some("google_genai:gemini-2.5-pro"), ..env() }, "google_genai:gemini-2.5-pro")]
#[case::platform_path_defaults_to_kimi_k2_6("claude-code", SlugEnv { platform_path: true, ..env() }, "moonshot/kimi-k2.6")]
#[case::platform_path_ignores_a_stray_minimax_key("claude-code", SlugEnv { platform_path: true, minimax_key: true, ..env() }, "moonshot/kimi-k2.6")]
#[case::override_beats_platform_path("claude-code", SlugEnv { platform_path: true, model_slug: Some("anthropic/claude-opus-4-7"), ..env() }, "anthropic/claude-opus-4-7")]
fn pinned_at_41409fb2(#[case] runtime: &str, #[case] env: SlugEnv<'static>, #[case] expected: &str) {
    assert_eq!(pick_model_slug(G41409FB2.catalog, runtime, &env).as_deref(), Ok(expected), "runtime {runtime:?}, env {env:?}");
}

/// aeec8e47's own pins (`test_model_slug.sh:97-106` there): the platform default is
/// `minimax/MiniMax-M2.7` (585993fc); the override input changed (08e31283); google-adk's two
/// pins are gone with the runtime (d8692123).
#[rstest]
#[case::platform_path_defaults_to_minimax_m2_7("claude-code", SlugEnv { platform_path: true, ..env() }, "minimax/MiniMax-M2.7")]
#[case::platform_path_ignores_a_stray_minimax_key("claude-code", SlugEnv { platform_path: true, minimax_key: true, ..env() }, "minimax/MiniMax-M2.7")]
#[case::override_beats_platform_path("claude-code", SlugEnv { platform_path: true, model_slug: Some("minimax/MiniMax-M3"), ..env() }, "minimax/MiniMax-M3")]
fn pinned_at_aeec8e47(#[case] runtime: &str, #[case] env: SlugEnv<'static>, #[case] expected: &str) {
    assert_eq!(pick_model_slug(GAEEC8E47.catalog, runtime, &env).as_deref(), Ok(expected), "runtime {runtime:?}, env {env:?}");
}

/// The count: 14 shared pins above plus the two fall-throughs refused below (cases 12, 13) are
/// 16; with the reference commit's 5, 21; with aeec8e47's 3, 19. google-adk is unknown there.
#[test]
fn google_adk_is_unknown_at_aeec8e47() {
    let err = pick_model_slug(GAEEC8E47.catalog, "google-adk", &env()).expect_err("retired");
    assert!(matches!(err, SlugError::UnknownRuntime { .. }), "{err:?}");
}

/// Where the platform's script falls through to `openai/gpt-4o`, the suite names the runtime
/// it does not know (even with an override: the runtime itself is the mistake).
#[rstest]
#[case::unknown_runtime("gemini", env())]
#[case::empty_runtime("", env())]
#[case::unknown_runtime_with_an_override("gemini", SlugEnv { model_slug: Some("openai/gpt-4o"), ..env() })]
fn an_unknown_runtime_is_refused_by_name(
    #[values(&G41409FB2, &GAEEC8E47)] g: &Generation,
    #[case] runtime: &str,
    #[case] env: SlugEnv<'static>,
) {
    let err = pick_model_slug(g.catalog, runtime, &env).expect_err("an unknown runtime has no model");
    assert!(matches!(err, SlugError::UnknownRuntime { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(&format!("{runtime:?}")) && text.contains("generation's catalogue") && text.contains("hermes"), "{text}");
}

/// A bring-your-own or mock runtime is created without a model: asking for one is an error.
#[rstest]
#[case::external("external")]
#[case::kimi("kimi")]
#[case::mock("mock")]
fn a_runtime_created_without_a_model_has_no_slug(#[values(&G41409FB2, &GAEEC8E47)] g: &Generation, #[case] runtime: &str) {
    let err = pick_model_slug(g.catalog, runtime, &env()).expect_err("no model");
    assert_eq!(err, SlugError::TakesNoModel { runtime: runtime.to_owned() });
}
