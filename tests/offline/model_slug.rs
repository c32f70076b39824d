//! The 21 pinned cases of the platform's `test_model_slug.sh` at the reference commit
//! (contract §7.4), with exactly its inputs and expectations.

use molecule_e2e::model_slug::{SlugEnv, pick_model_slug};
use rstest::rstest;

/// Environment rows: `MODEL_SLUG` is `E2E_MODEL_SLUG`, `PLATFORM` is `E2E_LLM_PATH=platform`,
/// `DEFAULT` is `E2E_DEFAULT_PLATFORM_MODEL`, `MINIMAX`/`ANTHROPIC` the key variables.
fn env() -> SlugEnv<'static> {
    SlugEnv::default()
}

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
#[case::google_adk_defaults_to_gemini_2_5_pro("google-adk", env(), "gemini-2.5-pro")]
#[case::google_adk_override_is_verbatim("google-adk", SlugEnv { model_slug: Some("google_genai:gemini-2.5-pro"), ..env() }, "google_genai:gemini-2.5-pro")]
#[case::unknown_runtime_falls_back_to_openai("gemini", env(), "openai/gpt-4o")]
#[case::empty_runtime_falls_back_to_openai("", env(), "openai/gpt-4o")]
#[case::platform_path_defaults_to_kimi_k2_6("claude-code", SlugEnv { platform_path: true, ..env() }, "moonshot/kimi-k2.6")]
#[case::platform_path_ignores_a_stray_minimax_key("claude-code", SlugEnv { platform_path: true, minimax_key: true, ..env() }, "moonshot/kimi-k2.6")]
#[case::platform_path_takes_default_platform_model("claude-code", SlugEnv { platform_path: true, default_platform_model: Some("minimax/MiniMax-M3"), ..env() }, "minimax/MiniMax-M3")]
#[case::override_beats_platform_path("claude-code", SlugEnv { platform_path: true, model_slug: Some("anthropic/claude-opus-4-7"), ..env() }, "anthropic/claude-opus-4-7")]
#[case::codex_override_with_colon_form_is_verbatim("codex", SlugEnv { model_slug: Some("anthropic:claude-opus-4-7"), ..env() }, "anthropic:claude-opus-4-7")]
#[case::hermes_override_is_verbatim("hermes", SlugEnv { model_slug: Some("custom/whatever"), ..env() }, "custom/whatever")]
#[case::claude_code_bare_override_is_verbatim("claude-code", SlugEnv { model_slug: Some("some-bare-id"), ..env() }, "some-bare-id")]
#[case::empty_override_does_not_count("codex", SlugEnv { model_slug: Some(""), ..env() }, "openai/gpt-4o")]
fn pinned(#[case] runtime: &str, #[case] env: SlugEnv<'static>, #[case] expected: &str) {
    assert_eq!(pick_model_slug(runtime, &env), expected, "runtime {runtime:?}, env {env:?}");
}
