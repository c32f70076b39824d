//! The catalogue at aeec8e47 (`contract/platform-today.md` §3a-§3c), the generation preflight's
//! verdicts, the provider probe's comparison with offered-models, and the README's generation
//! table against `generation::GENERATIONS`.

use molecule_e2e::catalog::Derived;
use molecule_e2e::generation::{CATALOG_AEEC8E47 as TODAY, G41409FB2, GAEEC8E47, GENERATIONS};
use molecule_e2e::harness::preflight::{Seen, verdict};
use molecule_e2e::scenario::full::model_list_difference;
use rstest::rstest;

#[test]
fn allowlist_lacks_google_adk_and_seo_agent() {
    assert_eq!(TODAY.known_runtimes(), ["claude-code", "hermes", "openclaw", "codex", "external", "kimi", "kimi-cli", "mock"]);
    assert_eq!(
        TODAY.manifest_templates(),
        ["claude-code-default", "platform-agent", "hermes", "openclaw", "codex", "seo-agent"]
    );
    for t in ["seo-agent", "platform-agent"] {
        assert_eq!(TODAY.template(t).map(|t| t.runtime), Some("claude-code"), "{t}");
    }
}

#[rstest]
#[case::claude_code("claude-code", &[
    "anthropic/claude-opus-4-7",
    "anthropic/claude-opus-4-8",
    "anthropic/claude-sonnet-4-6",
    "minimax/MiniMax-M2.7",
    "minimax/MiniMax-M2.7-highspeed",
    "minimax/MiniMax-M3",
])]
#[case::hermes("hermes", &["minimax/MiniMax-M2.7", "minimax/MiniMax-M2.7-highspeed", "minimax/MiniMax-M3"])]
#[case::openclaw("openclaw", &["minimax/MiniMax-M2.7", "minimax/MiniMax-M2.7-highspeed", "minimax/MiniMax-M3"])]
#[case::codex("codex", &["openai/gpt-5.4", "openai/gpt-5.4-mini", "minimax/MiniMax-M2.7", "minimax/MiniMax-M2.7-highspeed", "minimax/MiniMax-M3"])]
#[case::google_adk_is_gone("google-adk", &[])]
fn platform_models_today(#[case] runtime: &str, #[case] models: &[&str]) {
    assert_eq!(TODAY.platform_models(runtime), models);
}

#[rstest]
#[case::moonshot_withdrawn("claude-code", "moonshot/kimi-k2.6", Derived::Unregistered)]
#[case::moonshot_withdrawn_on_hermes("hermes", "moonshot/kimi-k2.6", Derived::Unregistered)]
#[case::platform_default("claude-code", "minimax/MiniMax-M2.7", Derived::Provider("platform"))]
#[case::hermes_minimax_is_platform_billed("hermes", "minimax/MiniMax-M2.7", Derived::Provider("platform"))]
#[case::hermes_listed_byok_minimax("hermes", "minimax:MiniMax-M3", Derived::Provider("byok-minimax"))]
#[case::opus_4_8("claude-code", "claude-opus-4-8", Derived::Provider("anthropic-api"))]
#[case::hermes_openai_is_byok("hermes", "openai/gpt-4o", Derived::Provider("byok-openai"))]
#[case::codex_openai_gpt_4o_still_unregistered("codex", "openai/gpt-4o", Derived::Unregistered)]
#[case::google_adk_has_no_row("google-adk", "gemini-2.5-pro", Derived::FailOpen)]
fn derivation_today(#[case] runtime: &str, #[case] model: &str, #[case] want: Derived) {
    assert_eq!(TODAY.derive_provider(runtime, model, &[]), want, "{runtime} {model}");
}

/// `ListOfferedModels`: every listed id once, sorted; codex's gpt ids listed twice appear once.
#[test]
fn offered_models_follow_the_registry() {
    let codex = TODAY.offered_models("codex").expect("codex");
    let ids: Vec<_> = codex.iter().map(|o| o.model).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted, "sorted, once each");
    let gpt = codex.iter().find(|o| o.model == "gpt-5.4").expect("gpt-5.4");
    assert_eq!((gpt.provider, gpt.platform_billed), ("openai-subscription", false), "first declared arm on a tie");
    let platform: Vec<_> = TODAY.offered_models("hermes").expect("hermes").into_iter().filter(|o| o.platform_billed).map(|o| o.model).collect();
    assert_eq!(platform, TODAY.platform_models("hermes"));
    assert!(TODAY.offered_models("google-adk").is_none());
}

#[test]
fn the_provider_probe_names_what_offered_models_adds_and_lacks() {
    let s = |v: &[&str]| v.iter().map(|m| (*m).to_owned()).collect::<Vec<_>>();
    let pinned = s(&["minimax/MiniMax-M2.7", "minimax/MiniMax-M3"]);
    assert_eq!(model_list_difference(&pinned, &s(&["minimax/MiniMax-M3", "minimax/MiniMax-M2.7"])), None, "order aside");
    assert_eq!(
        model_list_difference(&pinned, &s(&["minimax/MiniMax-M2.7", "moonshot/kimi-k2.6"])).as_deref(),
        Some("adds moonshot/kimi-k2.6 / lacks minimax/MiniMax-M3")
    );
}

#[rstest]
#[case::june_platform(true, false, "41409fb2")]
#[case::today_s_platform(false, true, "aeec8e47")]
fn the_preflight_names_the_generation_the_platform_looks_like(#[case] billing: bool, #[case] offered: bool, #[case] like: &str) {
    let seen = Seen { billing_mode_route: billing, offered_models: offered };
    assert_eq!(seen.looks_like().iter().map(|g| g.commit).collect::<Vec<_>>(), [like]);
    for g in GENERATIONS {
        match verdict(g, seen) {
            Ok(()) => assert_eq!(g.commit, like),
            Err(why) => {
                assert!(why.starts_with(&format!("MOLECULE_PLATFORM={} but the platform", g.commit)), "{why}");
                assert!(why.ends_with(&format!("set MOLECULE_PLATFORM={like}")), "{why}");
            }
        }
    }
}

#[test]
fn a_platform_like_no_generation_is_said_so() {
    let why = verdict(&GAEEC8E47, Seen { billing_mode_route: true, offered_models: true }).expect_err("no generation serves both");
    assert!(why.contains("no known generation (41409fb2, aeec8e47)"), "{why}");
}

/// The README's generation table is `GENERATIONS`, row for row: commit, date, summary.
#[test]
fn the_readme_generation_table_is_the_declared_generations() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md");
    for g in GENERATIONS {
        let row = format!("| `{}` | {} | {} |", g.commit, g.date, g.summary);
        assert!(readme.contains(&row), "README.md lacks the generation row:\n{row}");
    }
    let rows = readme.lines().filter(|l| l.starts_with("| `") && GENERATIONS.iter().any(|g| l.starts_with(&format!("| `{}` |", g.commit)))).count();
    assert_eq!(rows, GENERATIONS.len(), "one README row per generation");
    assert_eq!(G41409FB2.catalog.default_platform_model, "moonshot/kimi-k2.6");
    assert_eq!(GAEEC8E47.catalog.default_platform_model, "minimax/MiniMax-M2.7");
}

/// The lifecycle cases of an arm a generation pins red are gated with a reason that names the
/// pin and survives the redactor whole (after `CODE:` it once masked the reason's first word).
#[test]
fn a_pinned_red_arm_s_lifecycle_is_gated_naming_the_pin() {
    use molecule_e2e::scenario::{arms, lifecycle};
    let subscription = arms::arm("claude_code_subscription").expect("arm");
    let why = lifecycle::pinned_red(subscription, &GAEEC8E47).expect("gated at aeec8e47");
    assert!(why.contains("422 MISSING_BYOK_CREDENTIAL, because sonnet derives to anthropic-oauth") && why.contains("1bf1b2b9"), "{why}");
    assert_eq!(molecule_e2e::redact::scrub(&why), why, "the reason is printed whole");
    let adk = lifecycle::pinned_red(arms::arm("google_adk").expect("arm"), &GAEEC8E47).expect("gated");
    assert!(adk.contains("d8692123"), "{adk}");
    for a in arms::ARMS.iter().filter(|a| a.pin == arms::Pin::Online) {
        assert_eq!(lifecycle::pinned_red(a, &G41409FB2), None, "{} runs its lifecycle at the reference commit", a.name);
    }
}
