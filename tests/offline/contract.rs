//! The suite's shared tables pinned against the contract's own words, never against
//! themselves: each literal below is copied verbatim from `shared/contract/platform.md`, the
//! table is compared with what the literal says, and wherever the steering repository's
//! `shared/` is checked out beside this one, the contract must still contain the literal
//! (so a contract change shows up here, not in a staging run).
//!
//! Where `shared/` is: `E2E_SHARED_DIR`, else `../shared` beside the repository. Absent, the
//! comparisons with the file are not run and that is said loudly on the terminal; under `CI`
//! (where `.ci/run` has it beside the clone) its absence fails.

use std::io::Write;
use std::path::PathBuf;

use molecule_e2e::a2a::ERROR_MARKERS;
use molecule_e2e::catalog::STRIP_LIST;
use molecule_e2e::harness::EPHEMERAL_PREFIXES;
use molecule_e2e::scenario::common::{KNOWN_ANSWER_PROMPT, PONG_PROMPT};

/// Contract §7.5.
const STRIP_LIST_LITERAL: &str = "Strip list (keys blocked while platform_managed; byte-identical in harness and ws-server): AI_GATEWAY_API_KEY, ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, ARCEEAI_API_KEY, CLAUDE_CODE_OAUTH_TOKEN, CODEX_AUTH_JSON, DASHSCOPE_API_KEY, DEEPSEEK_API_KEY, GEMINI_API_KEY, GLM_API_KEY, HERMES_CUSTOM_API_KEY, HERMES_CUSTOM_BASE_URL, HF_TOKEN, KIMI_API_KEY, KIMI_CN_API_KEY, MINIMAX_API_KEY, MINIMAX_CN_API_KEY, NOUS_API_KEY, OPENAI_API_KEY, OPENAI_BASE_URL, OPENROUTER_API_KEY, XAI_API_KEY, ZAI_API_KEY (case-insensitive match).";

/// Contract §6.5 (the known-answer gate's markers, then its specific fail messages).
const MARKERS_LITERAL: &str = "none of the case-insensitive markers `Agent error`, `Exception`, `error result`, `MISSING_BYOK_CREDENTIAL`;";
const FAIL_MESSAGES_LITERAL: &str = "specific fail messages for `[hermes-agent error 401]`, `hermes-agent unreachable`, `model_not_found`, `Encrypted content is not supported`, `Unknown provider`, `Invalid API key`, quota (`exceeded your current quota|insufficient_quota`), `message contained no text content`.";

/// Contract §3.2.
const ALLOWLIST_LITERAL: &str = "allowlist = {claude-code, hermes, openclaw, codex, google-adk, seo-agent, external, kimi, kimi-cli, mock}.";

/// Contract §8.
const PREFIXES_LITERAL: &str = "Sweeper treats prefixes `e2e-` and `rt-e2e-` as ephemeral.";

/// Contract §6.1.
const PROMPTS_LITERAL: &str = "Prompts: PONG prompt is \"This is the platform smoke test verifying agent wiring. No tools or memory are needed — please respond with exactly the single token: PONG\"; known-answer \"Reply with exactly the word PINEAPPLE and nothing else.\"";

/// The steering repository's `shared/`, if it is checked out; `None` said loudly (and, under
/// `E2E_REQUIRE_SHARED=1`, which `.ci/run` sets where shared/ is laid beside the clone, a
/// failure). Not keyed on `CI`: the suite's own Gitea CI has no shared/ to check out.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = molecule_e2e::config::env_value("E2E_SHARED_DIR")
        .unwrap_or_else(|e| panic!("{e}"))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")));
    if dir.join("contract/platform.md").is_file() {
        return Some(dir);
    }
    let required = molecule_e2e::config::env_flag("E2E_REQUIRE_SHARED").unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !required,
        "E2E_REQUIRE_SHARED=1 but {} holds no contract/platform.md: the pins against shared/ cannot run. Check out \
         the steering repository's shared/ beside this one (or point E2E_SHARED_DIR at it)",
        dir.display()
    );
    // Past the test harness's capture, once per run: a check that did not run must be seen.
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "NOT CHECKED against shared/: {} is absent, so the vendored copies and contract literals are \
             compared with their recorded pins only. Set E2E_SHARED_DIR or check shared/ out beside the repo.",
            dir.display()
        );
    });
    None
}

#[track_caller]
fn in_contract(literal: &str) {
    if let Some(dir) = shared_dir() {
        let path = dir.join("contract/platform.md");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        assert!(text.contains(literal), "{} no longer says, verbatim: {literal}", path.display());
    }
}

/// The items between backticks, alternatives (`a|b`) split.
fn backticked(literal: &str) -> Vec<String> {
    literal.split('`').skip(1).step_by(2).flat_map(|item| item.split('|')).map(str::to_owned).collect()
}

#[test]
fn the_strip_list_is_the_contracts() {
    in_contract(STRIP_LIST_LITERAL);
    let (_, keys) = STRIP_LIST_LITERAL.split_once("): ").expect("the literal lists keys after its heading");
    let keys: Vec<&str> = keys.trim_end_matches(" (case-insensitive match).").split(", ").collect();
    assert_eq!(keys.len(), 23, "the contract's list: {keys:?}");
    assert_eq!(STRIP_LIST, keys.as_slice());
}

#[test]
fn the_error_markers_are_the_contracts_in_its_order() {
    in_contract(MARKERS_LITERAL);
    in_contract(FAIL_MESSAGES_LITERAL);
    let want: Vec<String> = backticked(MARKERS_LITERAL).into_iter().chain(backticked(FAIL_MESSAGES_LITERAL)).collect();
    let (june, later) = ERROR_MARKERS.split_at(want.len().min(ERROR_MARKERS.len()));
    assert_eq!(june, want.iter().map(String::as_str).collect::<Vec<_>>().as_slice());
    // What the harness added by aeec8e47 (lib/completion_assert.sh:39-53, FS:2086-2094).
    assert_eq!(later, ["Not logged in", "Please run /login", "_ResultError"]);
}

#[test]
fn the_create_allowlist_is_the_contracts() {
    in_contract(ALLOWLIST_LITERAL);
    let inner = ALLOWLIST_LITERAL.trim_start_matches("allowlist = {").trim_end_matches("}.");
    let want: Vec<&str> = inner.split(", ").collect();
    assert_eq!(molecule_e2e::generation::CATALOG_41409FB2.known_runtimes(), want);
}

#[test]
fn the_ephemeral_prefixes_are_the_contracts() {
    in_contract(PREFIXES_LITERAL);
    assert_eq!(EPHEMERAL_PREFIXES, backticked(PREFIXES_LITERAL).iter().map(String::as_str).collect::<Vec<_>>().as_slice());
}

#[test]
fn the_prompts_are_the_contracts() {
    in_contract(PROMPTS_LITERAL);
    let quoted: Vec<&str> = PROMPTS_LITERAL.split('"').skip(1).step_by(2).collect();
    assert_eq!(quoted, [PONG_PROMPT, KNOWN_ANSWER_PROMPT]);
}

#[test]
fn the_literals_are_read_as_the_tables_expect() {
    // The parsing above must not pass by finding nothing.
    assert_eq!(backticked("a `x|y` b `z`"), ["x", "y", "z"]);
    assert_eq!(backticked(MARKERS_LITERAL).len() + backticked(FAIL_MESSAGES_LITERAL).len(), 13);
}
