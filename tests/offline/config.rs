//! Settings from the environment (contract §1, §8): every variable is read, bad values are
//! errors naming the variable, the value and what is allowed, tenant URLs follow the
//! platform's rules, and secrets never reach `Debug`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Duration;

use molecule_e2e::config::{
    self, DEFAULT_CP_URL, Lifecycle, LlmPath, Mode, Settings, TimeoutVars, Timeouts, tenant_domain_for,
};
use molecule_e2e::error::ConfigError;
use rstest::rstest;
use secrecy::ExposeSecret;

/// Settings read from exactly these variables.
fn from(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let map: BTreeMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Settings::from_lookup(|k| map.get(k).cloned())
}

#[track_caller]
fn settings(vars: &[(&str, &str)]) -> Settings {
    match from(vars) {
        Ok(s) => s,
        Err(e) => panic!("{vars:?} should be valid, got: {e}"),
    }
}

/// `vars` must be refused, naming `var`, `value` and (part of) what is allowed.
#[track_caller]
fn check_rejected(vars: &[(&str, &str)], var: &str, value: &str, allowed: &str) {
    let e = match from(vars) {
        Ok(s) => panic!("{vars:?} should be refused, got {s:?}"),
        Err(e) => e,
    };
    assert_eq!(e.var, var, "{e}");
    assert_eq!(e.value, value, "{e}");
    assert!(e.allowed.contains(allowed), "allowed should mention {allowed:?}: {e}");
    let text = e.to_string();
    for part in [var, value, allowed] {
        assert!(text.contains(part), "message should name {part:?}: {text}");
    }
}

/// What a variable set to a sample value must turn into, read back from [`Settings`].
fn read(s: &Settings, var: &str) -> String {
    let secret = |k: &Option<secrecy::SecretString>| k.as_ref().map(|k| k.expose_secret().to_owned());
    let t = &s.timeouts;
    match var {
        "MOLECULE_CP_URL" => format!("{:?}", s.cp_url),
        "MOLECULE_ADMIN_TOKEN" => format!("{:?}", secret(&s.admin_token)),
        "MOLECULE_TENANT_DOMAIN" => format!("{:?}", s.tenant_domain),
        "MOLECULE_TENANT_URL_TEMPLATE" => format!("{:?}", s.tenant_url_template),
        "E2E_RUNTIME" => s.runtime.clone().unwrap_or_default(),
        "E2E_MODE" => format!("{:?}", s.mode),
        "E2E_LLM_PATH" => format!("{:?}", s.llm_path),
        "E2E_MODEL_SLUG" => format!("{:?}", s.model_slug),
        "E2E_DEFAULT_PLATFORM_MODEL" => format!("{:?}", s.default_platform_model),
        "E2E_MINIMAX_API_KEY" => format!("{:?}", secret(&s.keys.minimax)),
        "E2E_ANTHROPIC_API_KEY" => format!("{:?}", secret(&s.keys.anthropic)),
        "E2E_OPENAI_API_KEY" => format!("{:?}", secret(&s.keys.openai)),
        "E2E_GOOGLE_API_KEY" => format!("{:?}", secret(&s.keys.google)),
        "E2E_LIFECYCLE" => format!("{:?}", s.lifecycle),
        "E2E_REQUIRE_LIVE" => s.require_live.to_string(),
        "E2E_RUN_ID" => s.run_id.clone(),
        "E2E_KEEP_ORG" => s.keep_org.to_string(),
        "E2E_INTENTIONAL_FAILURE" => s.intentional_failure.to_string(),
        "E2E_PROVISION_TIMEOUT_SECS" => format!("{:?}", t.provision),
        "E2E_WORKSPACE_ONLINE_TIMEOUT_SECS" => format!("{:?}", t.workspace_online),
        "E2E_CHILD_ACTIVITY_TIMEOUT_SECS" => format!("{:?}", t.child_activity),
        "E2E_STALE_POLL_DEADLINE_SECS" => format!("{:?}", t.stale_poll_deadline),
        "E2E_TRANSIENT_RETRIES" => format!("{:?}", t.transient_retries),
        "MOLECULE_TENANT_URL" => format!("{:?}", s.tenant_base_url),
        "MOLECULE_TENANT_ROUTE_HOST" => format!("{:?}", s.tenant_route_host),
        "MOLECULE_TENANT_ROUTE_DOMAIN" => format!("{:?}", s.tenant_route_domain),
        "E2E_CP_STAGING_ORIGIN" => s.cp_staging_origin.clone(),
        "E2E_MAX_WORKSPACES" => s.max_workspaces.to_string(),
        "MOLECULE_PLATFORM" => s.platform.commit.to_owned(),
        "E2E_PROVIDER" => s.provider.clone(),
        other => panic!("no reader for {other}: add it to `read` and `SAMPLES`"),
    }
}

/// One sample value per variable and what [`read`] must then show.
const SAMPLES: &[(&str, &str, &str)] = &[
    ("MOLECULE_CP_URL", "https://cp.example.test/", r#"Some("https://cp.example.test")"#),
    ("MOLECULE_ADMIN_TOKEN", "cfg-sample-admin-token", r#"Some("cfg-sample-admin-token")"#),
    ("MOLECULE_TENANT_DOMAIN", "tenants.example.test", r#"Some("tenants.example.test")"#),
    ("MOLECULE_TENANT_URL_TEMPLATE", "http://{slug}.localtest.me:9000/", r#"Some("http://{slug}.localtest.me:9000")"#),
    ("E2E_RUNTIME", "codex", "codex"),
    ("E2E_MODE", "smoke", "Smoke"),
    ("E2E_LLM_PATH", "platform", "Platform"),
    ("E2E_MODEL_SLUG", "custom/whatever", r#"Some("custom/whatever")"#),
    ("E2E_DEFAULT_PLATFORM_MODEL", "minimax/MiniMax-M3", r#"Some("minimax/MiniMax-M3")"#),
    ("E2E_MINIMAX_API_KEY", "cfg-sample-minimax", r#"Some("cfg-sample-minimax")"#),
    ("E2E_ANTHROPIC_API_KEY", "cfg-sample-anthropic", r#"Some("cfg-sample-anthropic")"#),
    ("E2E_OPENAI_API_KEY", "cfg-sample-openai", r#"Some("cfg-sample-openai")"#),
    ("E2E_GOOGLE_API_KEY", "cfg-sample-google", r#"Some("cfg-sample-google")"#),
    ("E2E_LIFECYCLE", "off", "Off"),
    ("E2E_REQUIRE_LIVE", "1", "true"),
    ("E2E_RUN_ID", "12345-1", "12345-1"),
    ("E2E_KEEP_ORG", "true", "true"),
    ("E2E_INTENTIONAL_FAILURE", "1", "true"),
    ("E2E_PROVISION_TIMEOUT_SECS", "901", "Some(901s)"),
    ("E2E_WORKSPACE_ONLINE_TIMEOUT_SECS", "3601", "Some(3601s)"),
    ("E2E_CHILD_ACTIVITY_TIMEOUT_SECS", "61", "Some(61s)"),
    ("E2E_STALE_POLL_DEADLINE_SECS", "241", "Some(241s)"),
    ("E2E_TRANSIENT_RETRIES", "9", "Some(9)"),
    ("MOLECULE_TENANT_URL", "http://127.0.0.1:18080/", r#"Some("http://127.0.0.1:18080")"#),
    ("MOLECULE_TENANT_ROUTE_HOST", "acme.lvh.me:18080", r#"Some("acme.lvh.me:18080")"#),
    ("MOLECULE_TENANT_ROUTE_DOMAIN", "lvh.me", r#"Some("lvh.me")"#),
    ("E2E_CP_STAGING_ORIGIN", "https://cp.example.test/", "https://cp.example.test"),
    ("E2E_MAX_WORKSPACES", "4", "4"),
    ("MOLECULE_PLATFORM", "41409fb2", "41409fb2"),
    ("E2E_PROVIDER", "molecules-server-b", "molecules-server-b"),
];

#[test]
fn every_variable_has_a_sample() {
    let documented: BTreeSet<&str> = config::VARIABLES.iter().copied().collect();
    let sampled: BTreeSet<&str> = SAMPLES.iter().map(|(v, _, _)| *v).collect();
    assert_eq!(documented, sampled, "config::VARIABLES and SAMPLES must list the same variables");
    assert_eq!(config::VARIABLES.len(), documented.len(), "config::VARIABLES lists a variable twice");
}

#[test]
fn every_variable_is_read_into_the_settings() {
    let hermetic = Settings::hermetic();
    for (var, value, expected) in SAMPLES {
        let s = settings(&[(var, value)]);
        assert_eq!(read(&s, var), *expected, "{var}={value:?}");
        assert_ne!(read(&hermetic, var), *expected, "{var}: the sample must differ from the default");
    }
}

#[test]
fn from_lookup_asks_for_exactly_the_documented_variables() {
    let asked = Mutex::new(BTreeSet::new());
    Settings::from_lookup(|k| {
        asked.lock().unwrap().insert(k.to_owned());
        None
    })
    .expect("an empty environment is valid");
    let asked = asked.into_inner().unwrap();
    // The retired ones are asked for too: to refuse them by name.
    let documented: BTreeSet<String> =
        config::VARIABLES.iter().chain(config::RETIRED.iter().map(|(v, _)| v)).map(|v| v.to_string()).collect();
    assert_eq!(asked, documented);
}

#[test]
fn an_empty_environment_gives_the_harness_defaults() {
    let s = Settings::hermetic();
    assert_eq!(s.cp_url, None);
    assert!(!s.is_live());
    assert_eq!(s.runtime, None, "unset: the lifecycle cases run on every arm");
    assert_eq!((s.mode, s.llm_path, s.lifecycle), (Mode::Full, LlmPath::Byok, Lifecycle::Auto));
    assert!(!s.require_live && !s.keep_org);
    assert_eq!(s.timeouts, TimeoutVars::default());
    assert!(!s.run_id.is_empty(), "the default run id is HHMMSS-PID");
}

#[test]
fn empty_and_blank_values_count_as_unset() {
    let s = settings(&[("E2E_MODE", ""), ("E2E_RUNTIME", "  "), ("MOLECULE_ADMIN_TOKEN", ""), ("E2E_MODEL_SLUG", " ")]);
    assert_eq!(s.mode, Mode::Full);
    assert_eq!(s.runtime, None);
    assert!(s.admin_token.is_none());
    assert_eq!(s.model_slug, None);
}

#[test]
fn values_are_trimmed() {
    let s = settings(&[("E2E_RUNTIME", " claude-code\n"), ("E2E_PROVISION_TIMEOUT_SECS", " 30 ")]);
    assert_eq!(s.runtime.as_deref(), Some("claude-code"));
    assert_eq!(s.timeouts.provision, Some(Duration::from_secs(30)));
}

#[rstest]
#[case::full("full", Mode::Full)]
#[case::smoke("smoke", Mode::Smoke)]
#[case::canary_is_the_legacy_name_of_smoke("canary", Mode::Smoke)]
fn mode_values(#[case] value: &str, #[case] mode: Mode) {
    assert_eq!(settings(&[("E2E_MODE", value)]).mode, mode);
}

#[rstest]
#[case::mode_bogus(&[("E2E_MODE", "bogus")], "E2E_MODE", "bogus", "full, smoke")]
#[case::lifecycle_maybe(&[("E2E_LIFECYCLE", "maybe")], "E2E_LIFECYCLE", "maybe", "auto, off")]
#[case::llm_path_unknown(&[("E2E_LLM_PATH", "vertex")], "E2E_LLM_PATH", "vertex", "platform")]
#[case::provision_timeout_in_words(&[("E2E_PROVISION_TIMEOUT_SECS", "ten")], "E2E_PROVISION_TIMEOUT_SECS", "ten", "whole number of seconds")]
#[case::online_timeout_zero(&[("E2E_WORKSPACE_ONLINE_TIMEOUT_SECS", "0")], "E2E_WORKSPACE_ONLINE_TIMEOUT_SECS", "0", "at least 1")]
#[case::child_timeout_negative(&[("E2E_CHILD_ACTIVITY_TIMEOUT_SECS", "-5")], "E2E_CHILD_ACTIVITY_TIMEOUT_SECS", "-5", "whole number of seconds")]
#[case::transient_retries_zero(&[("E2E_TRANSIENT_RETRIES", "0")], "E2E_TRANSIENT_RETRIES", "0", "at least 1")]
#[case::transient_retries_fraction(&[("E2E_TRANSIENT_RETRIES", "2.5")], "E2E_TRANSIENT_RETRIES", "2.5", "whole number of attempts")]
#[case::require_live_yes(&[("E2E_REQUIRE_LIVE", "yes")], "E2E_REQUIRE_LIVE", "yes", "1 or 0")]
#[case::keep_org_on(&[("E2E_KEEP_ORG", "on")], "E2E_KEEP_ORG", "on", "1 or 0")]
#[case::cp_url_ftp(&[("MOLECULE_CP_URL", "ftp://x")], "MOLECULE_CP_URL", "ftp://x", "http:// or https://")]
#[case::cp_url_without_scheme(&[("MOLECULE_CP_URL", "staging-api.moleculesai.app")], "MOLECULE_CP_URL", "staging-api.moleculesai.app", "with a host")]
#[case::url_template_not_a_url(&[("MOLECULE_TENANT_URL_TEMPLATE", "{slug}.example.test")], "MOLECULE_TENANT_URL_TEMPLATE", "{slug}.example.test", "http:// or https://")]
#[case::stale_wait_is_retired(&[("E2E_STALE_WAIT_SECS", "180")], "E2E_STALE_WAIT_SECS", "180", "with E2E_STALE_POLL_DEADLINE_SECS instead")]
#[case::stale_wait_is_retired_even_beside_a_deadline(&[("E2E_STALE_WAIT_SECS", "180"), ("E2E_STALE_POLL_DEADLINE_SECS", "240")], "E2E_STALE_WAIT_SECS", "180", "polls for the stale transition")]
#[case::retired_runtime_langgraph(&[("E2E_RUNTIME", "langgraph")], "E2E_RUNTIME", "langgraph", "claude-code, platform-agent, hermes, openclaw, codex, seo-agent")]
#[case::google_adk_is_retired_at_aeec8e47(&[("E2E_RUNTIME", "google-adk")], "E2E_RUNTIME", "google-adk", "claude-code, platform-agent, hermes")]
#[case::external_is_not_a_harness_runtime(&[("E2E_RUNTIME", "external")], "E2E_RUNTIME", "external", "hermes")]
fn bad_values_are_refused_by_name(
    #[case] vars: &[(&str, &str)],
    #[case] var: &str,
    #[case] value: &str,
    #[case] allowed: &str,
) {
    check_rejected(vars, var, value, allowed);
}

#[test]
fn a_stale_deadline_alone_bounds_the_stale_window() {
    let s = settings(&[("E2E_STALE_POLL_DEADLINE_SECS", "10")]);
    assert_eq!(s.timeouts.stale_poll_deadline, Some(Duration::from_secs(10)));
    assert_eq!(Timeouts::resolve(Timeouts::STAGING, &s.timeouts).stale_poll_deadline, Duration::from_secs(10));
}

#[test]
fn every_retired_variable_says_what_to_set_instead_and_is_not_read() {
    for (var, instead) in config::RETIRED {
        assert!(!config::VARIABLES.contains(var), "{var} is both read and retired");
        let names_one = config::REGISTRY.iter().any(|v| instead.contains(v.name));
        assert!(names_one, "{var}: the refusal must name the variable to use: {instead}");
    }
}

#[rstest]
#[case::one("1", true)]
#[case::true_word("true", true)]
#[case::zero("0", false)]
#[case::false_word("false", false)]
fn flags_take_one_or_zero(#[case] value: &str, #[case] on: bool) {
    let s = settings(&[("E2E_REQUIRE_LIVE", value), ("E2E_KEEP_ORG", value)]);
    assert_eq!((s.require_live, s.keep_org), (on, on));
}

#[rstest]
#[case::hermes("hermes")]
#[case::claude_code("claude-code")]
#[case::codex("codex")]
#[case::openclaw("openclaw")]
#[case::seo_agent("seo-agent")]
fn harness_runtimes_are_accepted(#[case] runtime: &str) {
    assert_eq!(settings(&[("E2E_RUNTIME", runtime)]).runtime.as_deref(), Some(runtime));
}

/// google-adk is a runtime at the reference commit (and retired at aeec8e47, refused above).
#[test]
fn google_adk_is_a_harness_runtime_at_the_reference_commit() {
    let s = settings(&[("E2E_RUNTIME", "google-adk"), ("MOLECULE_PLATFORM", "41409fb2")]);
    assert_eq!(s.runtime.as_deref(), Some("google-adk"));
}

#[rstest]
#[case::api_prefix_is_dropped("https://api.moleculesai.app", "moleculesai.app")]
#[case::staging_api_becomes_staging("https://staging-api.moleculesai.app", "staging.moleculesai.app")]
#[case::staging_api_with_port_and_path("https://staging-api.example.test:8443/cp/", "staging.example.test")]
#[case::other_host_is_kept("https://cp.example.test", "cp.example.test")]
#[case::localhost_is_kept("http://localhost:8080", "localhost")]
#[case::api_inside_a_name_is_not_a_prefix("https://myapi.example.test", "myapi.example.test")]
fn tenant_domain_is_derived_from_the_cp_host(#[case] cp_url: &str, #[case] domain: &str) {
    assert_eq!(tenant_domain_for(cp_url), domain);
}

#[rstest]
#[case::default_cp_is_staging(&[], "https://acme.staging.moleculesai.app")]
#[case::production_cp(&[("MOLECULE_CP_URL", "https://api.moleculesai.app")], "https://acme.moleculesai.app")]
#[case::staging_cp(&[("MOLECULE_CP_URL", "https://staging-api.moleculesai.app/")], "https://acme.staging.moleculesai.app")]
#[case::other_cp_host(&[("MOLECULE_CP_URL", "https://cp.example.test")], "https://acme.cp.example.test")]
#[case::domain_override_beats_the_cp_host(
    &[("MOLECULE_CP_URL", "https://api.moleculesai.app"), ("MOLECULE_TENANT_DOMAIN", "tenants.example.test")],
    "https://acme.tenants.example.test"
)]
#[case::template_with_slug(&[("MOLECULE_TENANT_URL_TEMPLATE", "http://{slug}.localtest.me:9000/")], "http://acme.localtest.me:9000")]
#[case::template_without_slug_serves_every_tenant(&[("MOLECULE_TENANT_URL_TEMPLATE", "http://127.0.0.1:9000")], "http://127.0.0.1:9000")]
#[case::template_beats_domain_override(
    &[("MOLECULE_TENANT_DOMAIN", "tenants.example.test"), ("MOLECULE_TENANT_URL_TEMPLATE", "http://127.0.0.1:9000/t/{slug}")],
    "http://127.0.0.1:9000/t/acme"
)]
fn tenant_url_follows_contract_1(#[case] vars: &[(&str, &str)], #[case] url: &str) {
    assert_eq!(settings(vars).tenant_url("acme"), url);
}

#[test]
fn the_default_cp_is_staging() {
    assert_eq!(DEFAULT_CP_URL, "https://staging-api.moleculesai.app");
}

#[test]
fn staging_timeouts_are_the_harness_defaults() {
    let t = Timeouts::STAGING;
    assert_eq!(t.provision, Duration::from_secs(900));
    assert_eq!(t.workspace_online, Duration::from_secs(3600));
    assert_eq!(t.child_activity, Duration::from_secs(60));
    assert_eq!(t.stale_poll_deadline, Duration::from_secs(240));
    assert_eq!(t.transient_retries, 8);
}

#[test]
fn resolve_without_variables_is_the_base() {
    assert_eq!(Timeouts::resolve(Timeouts::STAGING, &TimeoutVars::default()), Timeouts::STAGING);
    assert_eq!(Timeouts::resolve(Timeouts::STANDIN, &TimeoutVars::default()), Timeouts::STANDIN);
}

#[test]
fn resolve_lets_every_set_variable_win_and_keeps_the_rest() {
    let s = settings(&[
        ("E2E_PROVISION_TIMEOUT_SECS", "30"),
        ("E2E_STALE_POLL_DEADLINE_SECS", "3"),
        ("E2E_TRANSIENT_RETRIES", "2"),
    ]);
    let t = Timeouts::resolve(Timeouts::STAGING, &s.timeouts);
    assert_eq!(
        t,
        Timeouts {
            provision: Duration::from_secs(30),
            stale_poll_deadline: Duration::from_secs(3),
            transient_retries: 2,
            ..Timeouts::STAGING
        }
    );
}

#[test]
fn resolve_never_takes_the_transition_wait_from_the_variables() {
    let all = TimeoutVars {
        provision: Some(Duration::from_secs(1)),
        workspace_online: Some(Duration::from_secs(2)),
        child_activity: Some(Duration::from_secs(3)),
        stale_poll_deadline: Some(Duration::from_secs(5)),
        transient_retries: Some(6),
    };
    let t = Timeouts::resolve(Timeouts::STANDIN, &all);
    assert_eq!(
        (t.provision, t.workspace_online, t.child_activity, t.stale_poll_deadline, t.transient_retries),
        (
            Duration::from_secs(1),
            Duration::from_secs(2),
            Duration::from_secs(3),
            Duration::from_secs(5),
            6
        )
    );
    assert_eq!(t.transition, Timeouts::STANDIN.transition);
}

#[test]
fn secrets_never_appear_in_debug() {
    let secrets = [
        ("MOLECULE_ADMIN_TOKEN", "cfg-debug-admin-7f3a9c"),
        ("E2E_MINIMAX_API_KEY", "cfg-debug-minimax-51be2d"),
        ("E2E_ANTHROPIC_API_KEY", "cfg-debug-anthropic-9c04e1"),
        ("E2E_OPENAI_API_KEY", "cfg-debug-openai-6d8f20"),
        ("E2E_GOOGLE_API_KEY", "cfg-debug-google-a13b77"),
    ];
    let s = settings(&secrets);
    assert_eq!(s.admin_token_str(), Some("cfg-debug-admin-7f3a9c"), "the token is still there to use");
    for text in [format!("{s:?}"), format!("{s:#?}"), format!("{:?}", s.keys), format!("{:?}", s.clone())] {
        for (var, value) in secrets {
            assert!(!text.contains(value), "{var} leaked into Debug: {text}");
        }
        assert!(text.contains("set"), "Debug should say the keys are set: {text}");
    }
    assert!(format!("{s:?}").contains(molecule_e2e::redact::MASK));
    let unset = format!("{:?}", Settings::hermetic());
    assert!(unset.contains("admin_token: None") && unset.contains("unset"), "{unset}");
}

#[test]
fn secrets_read_from_the_environment_are_scrubbed_from_text() {
    let s = settings(&[("E2E_OPENAI_API_KEY", "cfg-scrub-openai-0e61c4")]);
    assert!(s.keys.has(molecule_e2e::catalog::Vendor::Openai));
    let line = molecule_e2e::redact::scrub("upstream said: invalid key cfg-scrub-openai-0e61c4");
    assert_eq!(line, "upstream said: invalid key [REDACTED]");
}

#[test]
fn a_url_with_userinfo_shows_neither_user_nor_password_in_debug_or_errors() {
    let s = settings(&[
        ("MOLECULE_CP_URL", "https://e2e-user:cfg-url-password-8e1d@cp.example.test/"),
        ("MOLECULE_TENANT_URL_TEMPLATE", "https://cfg-url-token-44c1f0@{slug}.example.test"),
    ]);
    assert_eq!(s.cp_url.as_deref(), Some("https://e2e-user:cfg-url-password-8e1d@cp.example.test"), "still usable");
    for text in [format!("{s:?}"), format!("{s:#?}")] {
        for secret in ["cfg-url-password-8e1d", "cfg-url-token-44c1f0", "e2e-user"] {
            assert!(!text.contains(secret), "{secret} leaked into Debug: {text}");
        }
        assert!(text.contains("cp.example.test"), "the host stays visible: {text}");
    }
    // Anywhere else the password travels (a transport error quoting the URL) it is masked too.
    let line = molecule_e2e::redact::scrub("error sending request for url (https://cp.example.test/x): cfg-url-password-8e1d");
    assert!(!line.contains("cfg-url-password-8e1d"), "{line}");
    let e = from(&[("MOLECULE_CP_URL", "ftp://u:cfg-bad-url-secret-77@x")]).unwrap_err();
    assert!(!e.to_string().contains("cfg-bad-url-secret-77"), "{e}");
    assert!(!format!("{e:?}").contains("cfg-bad-url-secret-77"), "{e:?}");
}

/// `E2E_RUNTIME` names a runtime or a template: the seo-agent template narrows to its own arm,
/// claude-code to every arm on that runtime (the template's among them); unset, it narrows out none.
#[rstest]
#[case::unset(None, &[])]
#[case::hermes(Some("hermes"), &["hermes"])]
#[case::seo_agent(Some("seo-agent"), &["seo_agent"])]
#[case::claude_code(Some("claude-code"), &["claude_code_minimax", "claude_code_anthropic", "claude_code_subscription", "claude_code_platform", "seo_agent"])]
fn e2e_runtime_narrows_the_lifecycle_arms(#[case] narrow: Option<&str>, #[case] kept: &[&str]) {
    use molecule_e2e::scenario::{arms, lifecycle};
    for arm in arms::ARMS {
        let out = lifecycle::narrowed_out(arm, molecule_e2e::generation::latest().catalog, narrow);
        let expect_kept = narrow.is_none() || kept.contains(&arm.name);
        assert_eq!(out.is_none(), expect_kept, "{} under E2E_RUNTIME={narrow:?}: {out:?}", arm.name);
    }
}

/// Every `.rs` file of the crate (src and tests), with its path from the crate root.
pub(crate) fn sources() -> Vec<(String, String)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).expect("under the crate").display().to_string();
                out.push((rel, std::fs::read_to_string(&path).expect("a source file")));
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    walk(&root.join("src"), &mut out);
    walk(&root.join("tests"), &mut out);
    out
}

/// The quoted names after each `prefix` in `text` (`env_var("X")` → `X`).
fn quoted_after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.split(prefix).skip(1).filter_map(|rest| rest.split('"').next()).collect()
}

/// Every variable the code reads goes through the registry: no direct `std::env::var` outside
/// `config.rs`, and every name passed to the registry's readers or to a `from_lookup`'s `get`
/// has a row (the readers also refuse an unregistered name at run time).
#[test]
fn every_variable_the_code_reads_is_in_the_registry() {
    let mut direct = Vec::new();
    let mut unregistered = Vec::new();
    for (path, text) in sources() {
        if path == "src/config.rs" || path == "tests/offline/config.rs" {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            if line.contains("std::env::var(") || line.contains("std::env::var_os(") || line.contains(" env::var(") {
                direct.push(format!("{path}:{}: {}", n + 1, line.trim()));
            }
        }
        // `get("…")` is the environment only inside a `from_lookup`.
        let lookups: &[&str] = if text.contains("fn from_lookup") { &["get(\""] } else { &[] };
        for prefix in ["env_var(\"", "env_var_os(\"", "env_flag(\""].iter().chain(lookups) {
            for name in quoted_after(&text, prefix) {
                let is_var = name.len() > 2 && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                if is_var && config::variable(name).is_none() && !config::RETIRED.iter().any(|(r, _)| *r == name) {
                    unregistered.push(format!("{path}: {name}"));
                }
            }
        }
    }
    assert!(direct.is_empty(), "read through config::env_var / env_lookup instead:\n{}", direct.join("\n"));
    assert!(unregistered.is_empty(), "variables read but not in config::REGISTRY:\n{}", unregistered.join("\n"));
}

#[test]
#[should_panic(expected = "NOT_A_REGISTERED_VARIABLE is read but not declared in config::REGISTRY")]
fn reading_an_unregistered_variable_panics_naming_it() {
    let _ = config::env_var("NOT_A_REGISTERED_VARIABLE");
}

/// The registry as `docs/configuration.md` shows it.
fn registry_table() -> String {
    let mut out = String::from("| variable | kind | tier | default | meaning | read by |\n| --- | --- | --- | --- | --- | --- |\n");
    for v in config::REGISTRY {
        out.push_str(&format!("| `{}` | {} | {} | {} | {} | {} |\n", v.name, v.kind, v.tier, v.default, v.meaning, v.read_by));
    }
    out
}

#[test]
fn docs_configuration_is_the_registry() {
    let mut names: Vec<_> = config::REGISTRY.iter().map(|v| v.name).collect();
    names.sort_unstable();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n, "config::REGISTRY lists a variable twice");
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/configuration.md")).expect("docs/configuration.md");
    let table = registry_table();
    assert!(doc.contains(&table), "docs/configuration.md lacks the registry's table; paste:\n{table}");
}
