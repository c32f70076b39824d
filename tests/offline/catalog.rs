//! The catalogue at the reference commit (contract §3.2, §7): the create allowlist, the
//! external-like set, templates, the strip-list, provider derivation and platform models.
//! (aeec8e47's is in `catalog_today`.)

use molecule_e2e::catalog::{self, Derived, Provider, STRIP_LIST, Template, Vendor, is_strip_listed};
use molecule_e2e::generation::{CATALOG_41409FB2 as REF, Catalog};
use rstest::rstest;

// The reference generation's lookups, under the names these tests always used.
fn known_runtimes() -> Vec<&'static str> {
    REF.known_runtimes()
}
fn is_known_runtime(rt: &str) -> bool {
    REF.is_known_runtime(rt)
}
fn is_external_like(rt: &str) -> bool {
    REF.is_external_like(rt)
}
fn derive_provider(rt: &str, model: &str, auth: &[&str]) -> Derived {
    REF.derive_provider(rt, model, auth)
}
fn is_platform_model(rt: &str, model: &str) -> bool {
    REF.is_platform_model(rt, model)
}
fn native_providers(rt: &str) -> Option<&'static [Provider]> {
    REF.native_providers(rt)
}
fn platform_models(rt: &str) -> Vec<&'static str> {
    REF.platform_models(rt)
}
fn template(name: &str) -> Option<&'static Template> {
    REF.template(name)
}

#[test]
fn allowlist_is_the_manifest_without_default_suffix_plus_the_always_known() {
    assert_eq!(
        known_runtimes(),
        ["claude-code", "hermes", "openclaw", "codex", "google-adk", "seo-agent", "external", "kimi", "kimi-cli", "mock"]
    );
}

#[rstest]
#[case::claude_code("claude-code", true)]
#[case::hermes("hermes", true)]
#[case::openclaw("openclaw", true)]
#[case::codex("codex", true)]
#[case::google_adk("google-adk", true)]
#[case::seo_agent("seo-agent", true)]
#[case::external("external", true)]
#[case::kimi("kimi", true)]
#[case::kimi_cli("kimi-cli", true)]
#[case::mock("mock", true)]
#[case::manifest_name_with_default_suffix("claude-code-default", false)]
#[case::retired_langgraph("langgraph", false)]
#[case::case_matters("Hermes", false)]
#[case::empty("", false)]
fn allowlist_membership(#[case] runtime: &str, #[case] known: bool) {
    assert_eq!(is_known_runtime(runtime), known, "{runtime:?}");
}

#[rstest]
#[case::external("external", true)]
#[case::kimi("kimi", true)]
#[case::kimi_cli("kimi-cli", true)]
#[case::mock_has_no_container_but_is_not_byo("mock", false)]
#[case::hermes("hermes", false)]
#[case::claude_code("claude-code", false)]
fn external_like_set(#[case] runtime: &str, #[case] external: bool) {
    assert_eq!(is_external_like(runtime), external, "{runtime:?}");
}

#[test]
fn external_like_runtimes_are_all_on_the_allowlist() {
    assert_eq!(REF.external_like(), ["external", "kimi", "kimi-cli"]);
    for rt in REF.external_like() {
        assert!(is_known_runtime(rt), "{rt}");
    }
}

#[test]
fn seo_agent_template_resolves_to_claude_code() {
    let t = template("seo-agent").expect("seo-agent is a template");
    assert_eq!((t.name, t.runtime, t.model), ("seo-agent", "claude-code", None));
}

#[rstest]
#[case::runtime_is_not_a_template("claude-code")]
#[case::hermes("hermes")]
#[case::unknown("no-such-template")]
fn only_templates_resolve_as_templates(#[case] name: &str) {
    assert_eq!(template(name), None);
}

#[test]
fn strip_list_is_the_contracts_23_keys_sorted_and_unique() {
    assert_eq!(STRIP_LIST.len(), 23);
    assert!(STRIP_LIST.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates: {STRIP_LIST:?}");
    for k in STRIP_LIST {
        assert!(is_strip_listed(k), "{k}");
    }
}

#[rstest]
#[case::upper("MINIMAX_API_KEY", true)]
#[case::lower("minimax_api_key", true)]
#[case::mixed("Openai_Base_Url", true)]
#[case::hermes_custom_api_key("HERMES_CUSTOM_API_KEY", true)]
#[case::hermes_custom_base_url("hermes_custom_base_url", true)]
#[case::hf_token("HF_TOKEN", true)]
#[case::google_key_goes_in_the_body("GOOGLE_API_KEY", false)]
#[case::model_provider("MODEL_PROVIDER", false)]
#[case::hermes_inference_provider("HERMES_INFERENCE_PROVIDER", false)]
#[case::hermes_custom_api_mode("HERMES_CUSTOM_API_MODE", false)]
#[case::prefix_of_a_listed_key("OPENAI_API", false)]
#[case::listed_key_with_suffix("OPENAI_API_KEY_2", false)]
#[case::empty("", false)]
fn strip_list_membership_ignores_case(#[case] key: &str, #[case] listed: bool) {
    assert_eq!(is_strip_listed(key), listed, "{key:?}");
}

#[track_caller]
fn check_derived(runtime: &str, model: &str, auth_env: &[&str], expected: Derived) {
    assert_eq!(derive_provider(runtime, model, auth_env), expected, "runtime {runtime:?}, model {model:?}, auth {auth_env:?}");
}

#[rstest]
// Contract §7.3 consequences on claude-code.
#[case::claude_code_bare_minimax_is_byok_minimax("claude-code", "MiniMax-M2.7", Derived::Provider("minimax"))]
#[case::claude_code_slash_minimax_is_platform("claude-code", "minimax/MiniMax-M2.7", Derived::Provider("platform"))]
#[case::claude_code_colon_minimax_is_unregistered("claude-code", "minimax:MiniMax-M2.7", Derived::Unregistered)]
#[case::claude_code_minimax_prefix_ignores_case("claude-code", "minimax-m9", Derived::Provider("minimax"))]
#[case::claude_code_sonnet_is_oauth("claude-code", "sonnet", Derived::Provider("anthropic-oauth"))]
#[case::claude_code_listed_colon_alias("claude-code", "anthropic:opus", Derived::Provider("anthropic-oauth"))]
#[case::claude_code_sonnet_is_exact_not_prefix("claude-code", "sonnet-4", Derived::Unregistered)]
#[case::claude_code_claude_prefix_is_api("claude-code", "claude-sonnet-4-6", Derived::Provider("anthropic-api"))]
#[case::claude_code_unlisted_claude_is_api("claude-code", "claude-next", Derived::Provider("anthropic-api"))]
#[case::claude_code_platform_kimi("claude-code", "moonshot/kimi-k2.6", Derived::Provider("platform"))]
#[case::claude_code_kimi_coding("claude-code", "kimi-k2", Derived::Provider("kimi-coding"))]
#[case::claude_code_glm_is_zai("claude-code", "GLM-4.6", Derived::Provider("zai"))]
#[case::claude_code_deepseek("claude-code", "deepseek-chat", Derived::Provider("deepseek"))]
#[case::claude_code_mimo("claude-code", "mimo-v2", Derived::Provider("xiaomi-mimo"))]
#[case::claude_code_gpt_is_unregistered("claude-code", "gpt-4o", Derived::Unregistered)]
#[case::claude_code_openai_slash_is_unregistered("claude-code", "openai/gpt-4o", Derived::Unregistered)]
// The other runtimes.
#[case::hermes_openai_slash_is_byok_openai("hermes", "openai/gpt-4o", Derived::Provider("byok-openai"))]
#[case::hermes_colon_minimax_resolves("hermes", "minimax:MiniMax-M2.7", Derived::Provider("byok-minimax"))]
#[case::hermes_platform_kimi("hermes", "moonshot/kimi-k2.6", Derived::Provider("platform"))]
#[case::hermes_anthropic_slash("hermes", "anthropic/claude-opus-4-7", Derived::Provider("byok-anthropic"))]
#[case::hermes_gemini_slash("hermes", "gemini/gemini-2.5-pro", Derived::Provider("byok-gemini"))]
#[case::hermes_qwen("hermes", "qwen-max", Derived::Provider("alibaba"))]
#[case::hermes_bare_minimax_is_unregistered("hermes", "MiniMax-M2.7", Derived::Unregistered)]
#[case::openclaw_colon_minimax_resolves("openclaw", "minimax:MiniMax-M2.7", Derived::Provider("byok-minimax"))]
#[case::openclaw_groq("openclaw", "groq:llama-3", Derived::Provider("groq"))]
#[case::openclaw_openai_colon("openclaw", "openai:gpt-4o", Derived::Provider("byok-openai"))]
#[case::codex_openai_slash_is_unregistered("codex", "openai/gpt-4o", Derived::Unregistered)]
#[case::codex_listed_gpt_defaults_to_subscription("codex", "gpt-5.4", Derived::Provider("openai-subscription"))]
#[case::codex_unlisted_gpt_is_subscription("codex", "gpt-6", Derived::Provider("openai-subscription"))]
#[case::codex_platform("codex", "openai/gpt-5.4", Derived::Provider("platform"))]
#[case::codex_minimax_alias("codex", "codex-minimax-m2", Derived::Provider("byok-minimax"))]
#[case::google_adk_gemini("google-adk", "gemini-2.5-pro", Derived::Provider("google"))]
#[case::google_adk_platform("google-adk", "platform:gemini-2.5-flash", Derived::Provider("platform"))]
#[case::google_adk_genai_colon_is_unregistered("google-adk", "google_genai:gemini-2.5-pro", Derived::Unregistered)]
// Runtimes absent from providers.yaml let anything through.
#[case::seo_agent_fails_open("seo-agent", "anything", Derived::FailOpen)]
#[case::external_fails_open("external", "", Derived::FailOpen)]
#[case::kimi_fails_open("kimi", "", Derived::FailOpen)]
#[case::kimi_cli_fails_open("kimi-cli", "whatever", Derived::FailOpen)]
#[case::mock_fails_open("mock", "x", Derived::FailOpen)]
fn derive_provider_follows_contract_7_3(#[case] runtime: &str, #[case] model: &str, #[case] expected: Derived) {
    check_derived(runtime, model, &[], expected);
}

#[rstest]
#[case::codex_subscription_auth("codex", "gpt-5.4", &["CODEX_AUTH_JSON"], Derived::Provider("openai-subscription"))]
#[case::codex_api_key_picks_openai_api("codex", "gpt-5.4", &["OPENAI_API_KEY"], Derived::Provider("openai-api"))]
#[case::auth_env_does_not_override_a_single_match("claude-code", "MiniMax-M2.7", &["ANTHROPIC_API_KEY"], Derived::Provider("minimax"))]
#[case::unrelated_auth_keeps_first_declared("codex", "gpt-5.2", &["GROQ_API_KEY"], Derived::Provider("openai-subscription"))]
fn auth_env_breaks_ties(#[case] runtime: &str, #[case] model: &str, #[case] auth: &[&str], #[case] expected: Derived) {
    check_derived(runtime, model, auth, expected);
}

#[test]
fn every_listed_model_derives_to_its_provider_given_its_credentials() {
    for rt in ["claude-code", "hermes", "codex", "openclaw", "google-adk"] {
        let providers = native_providers(rt).unwrap_or_else(|| panic!("{rt} is in providers.yaml"));
        for p in providers {
            for m in p.models {
                check_derived(rt, m, p.auth_env, Derived::Provider(p.name));
            }
        }
    }
}

#[rstest]
#[case::seo_agent("seo-agent")]
#[case::external("external")]
#[case::kimi("kimi")]
#[case::kimi_cli("kimi-cli")]
#[case::mock("mock")]
fn runtimes_absent_from_providers_yaml_have_no_providers(#[case] runtime: &str) {
    assert!(native_providers(runtime).is_none());
    assert!(platform_models(runtime).is_empty());
}

#[rstest]
#[case::claude_code("claude-code", &[
    "anthropic/claude-opus-4-7",
    "anthropic/claude-sonnet-4-6",
    "moonshot/kimi-k2.6",
    "moonshot/kimi-k2.5",
    "minimax/MiniMax-M2.7",
    "minimax/MiniMax-M2.7-highspeed",
    "minimax/MiniMax-M3",
])]
#[case::hermes("hermes", &["moonshot/kimi-k2.6", "moonshot/kimi-k2.5"])]
#[case::openclaw("openclaw", &["moonshot/kimi-k2.6", "moonshot/kimi-k2.5"])]
#[case::codex("codex", &["openai/gpt-5.4", "openai/gpt-5.4-mini"])]
#[case::google_adk("google-adk", &["platform:gemini-2.5-pro", "platform:gemini-2.5-flash"])]
fn platform_models_are_the_platform_providers_list(#[case] runtime: &str, #[case] models: &[&str]) {
    assert_eq!(platform_models(runtime), models);
    for m in models {
        assert!(is_platform_model(runtime, m), "{runtime} {m} should bill platform_managed");
    }
}

#[rstest]
#[case::bare_minimax("claude-code", "MiniMax-M2.7")]
#[case::sonnet("claude-code", "sonnet")]
#[case::unregistered("claude-code", "minimax:MiniMax-M2.7")]
#[case::fail_open("seo-agent", "minimax/MiniMax-M2.7")]
#[case::byok_openai("hermes", "openai/gpt-4o")]
fn other_models_are_not_platform_models(#[case] runtime: &str, #[case] model: &str) {
    assert!(!is_platform_model(runtime, model), "{runtime} {model}");
}

#[rstest]
#[case::minimax("minimax/MiniMax-M2.7", Some(Vendor::Minimax))]
#[case::minimax_colon("minimax:MiniMax-M2.7", Some(Vendor::Minimax))]
#[case::anthropic("anthropic/claude-opus-4-7", Some(Vendor::Anthropic))]
#[case::openai("openai/gpt-5.4-mini", Some(Vendor::Openai))]
#[case::moonshot_has_no_suite_key("moonshot/kimi-k2.6", None)]
#[case::platform_prefix_names_no_vendor("platform:gemini-2.5-pro", None)]
#[case::bare_model("MiniMax-M2.7", None)]
#[case::vendor_is_case_sensitive("MiniMax/MiniMax-M2.7", None)]
#[case::empty("", None)]
fn vendor_of_platform_model(#[case] model: &str, #[case] vendor: Option<Vendor>) {
    assert_eq!(Vendor::of_platform_model(model), vendor, "{model:?}");
}

#[rstest]
#[case::minimax(Vendor::Minimax, "E2E_MINIMAX_API_KEY", "minimax")]
#[case::anthropic(Vendor::Anthropic, "E2E_ANTHROPIC_API_KEY", "anthropic")]
#[case::openai(Vendor::Openai, "E2E_OPENAI_API_KEY", "openai")]
#[case::google(Vendor::Google, "E2E_GOOGLE_API_KEY", "google")]
fn vendor_names_and_variables(#[case] vendor: Vendor, #[case] var: &str, #[case] name: &str) {
    assert_eq!(vendor.env_var(), var);
    assert_eq!(vendor.to_string(), name);
    assert!(Vendor::ALL.contains(&vendor));
    assert!(molecule_e2e::config::VARIABLES.contains(&var), "{var} is read by the settings");
}

/// One row per runtime: every arm's runtime has one, and each row's facts agree with each
/// other (a bring-your-own runtime takes no model and has no providers; a manifest runtime is
/// offered a model). Checked for every generation.
#[test]
fn every_runtime_is_one_row_and_every_arm_runs_one() {
    for g in molecule_e2e::generation::GENERATIONS {
        rows_agree(g.catalog);
        assert_eq!(g.catalog.external_like(), catalog::BYO_RUNTIMES, "{g}: the stand-in's records ask BYO_RUNTIMES");
    }
}

fn rows_agree(cat: &Catalog) {
    use catalog::{Allow, ModelDefault};
    let runtimes = cat.runtimes;
    let mut names: Vec<_> = runtimes.iter().map(|r| r.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), runtimes.len(), "a runtime listed twice");
    for r in runtimes {
        if r.external_like {
            assert_eq!((r.allow, r.providers, r.model_default), (Allow::Always, None, ModelDefault::NoModel), "{}", r.name);
        }
        if let Allow::Manifest(_) = r.allow {
            assert_ne!(r.model_default, ModelDefault::NoModel, "{}: a manifest runtime is created with a model", r.name);
        }
    }
    for arm in molecule_e2e::scenario::arms::ARMS {
        // An arm a generation pins red by retiring its runtime has no row there.
        if cat.arm_pin(arm.name).is_some_and(|p| p.code == "RUNTIME_UNSUPPORTED") {
            continue;
        }
        let row = cat.runtime_row(arm.runtime_or_template);
        assert!(row.is_some(), "arm {}: {} has no row in the catalogue", arm.name, arm.runtime_or_template);
    }
}
