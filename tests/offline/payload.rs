//! Create-workspace bodies and the BYOK secrets plan (contract §3.2, §5, §7.5): every arm's
//! body pinned by a snapshot per generation (`payload_<arm>` at the latest,
//! `payload_<arm>@<commit>` at older ones), plus the promises that must hold whatever the
//! snapshots say. The strip-list split is the reference generation's flow; aeec8e47 sends every
//! key in the body.

use std::collections::BTreeMap;

use molecule_e2e::catalog::{Vendor, is_strip_listed};
use molecule_e2e::config::{Keys, Settings};
use molecule_e2e::generation::{Byok, G41409FB2, GAEEC8E47, GENERATIONS, Generation};
use molecule_e2e::payload::{CreateWorkspace, HARNESS_TIER, KeyPath, SecretsPlan, register_body};
use molecule_e2e::redact::MASK;
use molecule_e2e::scenario::arms::{ARMS, Arm, Expectation};
use rstest::rstest;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::support::snapshot_settings as snapshots;

/// The distinctive test key of a vendor: `test-<vendor>-key`.
fn test_key(vendor: Vendor) -> SecretString {
    SecretString::from(format!("test-{vendor}-key"))
}

/// Hermetic settings declaring generation `g`.
fn at(g: &'static Generation) -> Settings {
    Settings { platform: g, ..Settings::hermetic() }
}

/// The reference generation's settings: the strip-list split and billing-mode opt-in.
fn reference() -> Settings {
    at(&G41409FB2)
}

/// The secrets an arm sends, split as the reference harness splits them.
fn plan(arm: &Arm) -> SecretsPlan {
    plan_at(arm, G41409FB2.catalog.byok)
}

fn plan_at(arm: &Arm, byok: Byok) -> SecretsPlan {
    let key = arm.key.vendor().map(test_key);
    SecretsPlan::split(byok, arm.key.secrets(key.as_ref()))
}

/// An arm's create request as the suite builds it (the in-body half of the secrets only).
fn create(arm: &Arm, settings: &Settings) -> CreateWorkspace {
    let model = arm.model(settings).expect("the arm's model");
    let cat = settings.platform.catalog;
    CreateWorkspace::platform_in(cat, "E2E Parent", arm.runtime_or_template, &model).with_secrets(plan_at(arm, cat.byok).in_body)
}

/// What the snapshot of an arm pins.
fn arm_document(arm: &Arm, settings: &Settings) -> Value {
    let model = arm.model(settings).expect("the arm's model");
    let plan = plan_at(arm, settings.platform.catalog.byok);
    json!({
        "arm": arm.name,
        "model": model,
        "expectation": format!("{:?}", arm.expectation(settings.platform)),
        "create": create(arm, settings).redacted(),
        "byok_plan": plan.describe(),
    })
}

fn byo(runtime: &str) -> CreateWorkspace {
    CreateWorkspace::external(&format!("ext-{runtime}-e2e"), runtime)
}

fn arm(name: &str) -> &'static Arm {
    molecule_e2e::scenario::arms::arm(name).unwrap_or_else(|| panic!("no arm {name}"))
}

#[test]
fn every_arm_payload_is_pinned() {
    for g in GENERATIONS {
        let settings = at(g);
        let suffix = if g.is_latest() { String::new() } else { format!("@{}", g.commit) };
        snapshots().bind(|| {
            for arm in ARMS {
                insta::assert_json_snapshot!(format!("payload_{}{suffix}", arm.name), arm_document(arm, &settings));
            }
        });
    }
}

#[rstest]
#[case::external("external")]
#[case::kimi("kimi")]
#[case::kimi_cli("kimi-cli")]
fn byo_payload_is_pinned(#[case] runtime: &str) {
    snapshots().bind(|| {
        insta::assert_json_snapshot!(format!("payload_byo_{}", runtime.replace('-', "_")), byo(runtime).redacted());
    });
}

#[test]
fn register_body_is_pinned() {
    snapshots().bind(|| {
        insta::assert_json_snapshot!("payload_register_body", register_body("ws-00000000-e2e", "poll"));
    });
}

#[test]
fn arm_names_are_unique_snapshot_names() {
    let mut names: Vec<_> = ARMS.iter().map(|a| a.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), ARMS.len(), "duplicate arm names: {ARMS:?}");
    assert!(names.iter().all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_')), "{names:?}");
}

#[test]
fn seo_agent_body_sends_template_instead_of_runtime() {
    let body = create(arm("seo_agent"), &Settings::hermetic()).to_body();
    assert_eq!(body["template"], "seo-agent", "{body}");
    assert!(body.get("runtime").is_none(), "a template arm must not send runtime: {body}");
    assert_eq!(body["model"], "MiniMax-M2.7", "seo-agent dispatches models as claude-code: {body}");
}

#[test]
fn runtime_arms_send_runtime_and_no_template() {
    let settings = reference();
    for arm in ARMS.iter().filter(|a| !a.is_template(settings.platform.catalog)) {
        let body = create(arm, &settings).to_body();
        assert_eq!(body["runtime"], arm.runtime_or_template, "{}: {body}", arm.name);
        assert!(body.get("template").is_none(), "{}: {body}", arm.name);
        assert_eq!(body["tier"], HARNESS_TIER, "{}: {body}", arm.name);
        assert!(body.get("external").is_none(), "{}: {body}", arm.name);
        assert!(body["secrets"].is_object(), "platform bodies always carry a secrets map: {body}");
    }
}

#[rstest]
#[case::external("external")]
#[case::kimi("kimi")]
#[case::kimi_cli("kimi-cli")]
fn byo_bodies_are_external_with_their_label_and_no_model_or_tier(#[case] runtime: &str) {
    let body = byo(runtime).to_body();
    assert_eq!(body["external"], true, "{body}");
    assert_eq!(body["runtime"], runtime, "the label is kept: {body}");
    assert_eq!(body["name"], format!("ext-{runtime}-e2e"), "{body}");
    for absent in ["model", "tier", "template", "secrets", "parent_id"] {
        assert!(body.get(absent).is_none(), "{absent} must be absent: {body}");
    }
}

#[test]
fn strip_listed_keys_never_appear_in_a_create_body_at_the_reference_commit() {
    let settings = reference();
    for arm in ARMS {
        let body = create(arm, &settings).to_body();
        let secrets = body["secrets"].as_object().expect("a secrets map");
        for key in secrets.keys() {
            assert!(!is_strip_listed(key), "{}: {key} is strip-listed but sent at create: {body}", arm.name);
        }
        let plan = plan(arm);
        for (key, _) in &plan.after_byok {
            assert!(is_strip_listed(key), "{}: {key} needs no BYOK switch", arm.name);
        }
        assert_eq!(plan.needs_byok(), !plan.after_byok.is_empty());
    }
}

#[test]
fn the_split_loses_no_secret() {
    for vendor in Vendor::ALL {
        let all = KeyPath::Own(vendor).secrets(Some(&test_key(vendor)));
        let plan = SecretsPlan::split(Byok::BillingModeOptIn, all.clone());
        let mut rejoined: BTreeMap<String, String> =
            plan.in_body.iter().map(|(k, v)| (k.clone(), v.expose_secret().to_owned())).collect();
        for (k, v) in &plan.after_byok {
            assert!(rejoined.insert(k.clone(), v.expose_secret().to_owned()).is_none(), "{k} in both halves");
        }
        let all: BTreeMap<String, String> = all.iter().map(|(k, v)| (k.clone(), v.expose_secret().to_owned())).collect();
        assert_eq!(rejoined, all, "{vendor}");
    }
}

#[test]
fn redacted_bodies_hold_no_secret_value_and_wire_bodies_do() {
    for arm in GENERATIONS.iter().flat_map(|g| ARMS.iter().map(move |a| (a, at(g)))) {
        let (arm, settings) = (arm.0, arm.1);
        let req = create(arm, &settings);
        let redacted = req.redacted().to_string();
        let debug = format!("{req:?}");
        let wire = req.to_body();
        for (key, value) in &req.secrets {
            let value = value.expose_secret();
            assert!(!redacted.contains(value), "{}: {key} leaked into the redacted body: {redacted}", arm.name);
            assert!(!debug.contains(value), "{}: {key} leaked into Debug: {debug}", arm.name);
            assert_eq!(wire["secrets"][key], value, "{}: the wire body must carry {key}", arm.name);
        }
        if let Some(vendor) = arm.key.vendor() {
            let key = test_key(vendor);
            assert!(!redacted.contains(key.expose_secret()), "{}: {redacted}", arm.name);
        }
    }
}

#[test]
fn google_key_travels_in_the_body_and_gemini_key_after_byok() {
    let plan = plan(arm("google_adk"));
    let body = create(arm("google_adk"), &reference());
    assert_eq!(body.to_body()["secrets"]["GOOGLE_API_KEY"], "test-google-key");
    assert_eq!(body.redacted()["secrets"]["GOOGLE_API_KEY"], MASK);
    let after: Vec<_> = plan.after_byok.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(after, ["GEMINI_API_KEY"]);
}

#[test]
fn a_secret_in_a_body_is_masked_by_redacted_and_debug() {
    let req = CreateWorkspace::platform("E2E Child", "hermes", "openai/gpt-4o")
        .with_parent("parent-1")
        .with_secrets(BTreeMap::from([("CUSTOM_TOKEN".to_owned(), SecretString::from("payload-secret-4f1d77"))]));
    assert_eq!(req.to_body()["secrets"]["CUSTOM_TOKEN"], "payload-secret-4f1d77");
    assert_eq!(req.to_body()["parent_id"], "parent-1");
    assert_eq!(req.redacted()["secrets"]["CUSTOM_TOKEN"], MASK);
    assert!(!format!("{req:?}").contains("payload-secret-4f1d77"), "{req:?}");
    assert!(!format!("{req:#?}").contains("payload-secret-4f1d77"), "{req:#?}");
}

#[test]
fn an_external_body_with_secrets_carries_them() {
    let req = byo("external").with_secrets(BTreeMap::from([("X".to_owned(), SecretString::from("v"))]));
    assert_eq!(req.to_body()["secrets"], json!({"X": "v"}));
}

#[rstest]
#[case::platform_has_no_keys(KeyPath::Platform, &[])]
#[case::none_has_no_keys(KeyPath::None, &[])]
#[case::minimax(KeyPath::Own(Vendor::Minimax), &["MINIMAX_API_KEY"])]
#[case::anthropic(KeyPath::Own(Vendor::Anthropic), &["ANTHROPIC_API_KEY"])]
#[case::google_sets_both_names(KeyPath::Own(Vendor::Google), &["GEMINI_API_KEY", "GOOGLE_API_KEY"])]
#[case::openai_sets_the_hermes_custom_provider(KeyPath::Own(Vendor::Openai), &[
    "HERMES_CUSTOM_API_KEY",
    "HERMES_CUSTOM_API_MODE",
    "HERMES_CUSTOM_BASE_URL",
    "HERMES_INFERENCE_PROVIDER",
    "MODEL_PROVIDER",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
])]
fn key_path_secrets_follow_contract_7_5(#[case] path: KeyPath, #[case] keys: &[&str]) {
    let key = SecretString::from("kp-test-key-0a1b2c");
    let secrets = path.secrets(Some(&key));
    assert_eq!(secrets.keys().map(String::as_str).collect::<Vec<_>>(), keys);
    for k in ["MINIMAX_API_KEY", "ANTHROPIC_API_KEY", "GOOGLE_API_KEY", "GEMINI_API_KEY", "OPENAI_API_KEY", "HERMES_CUSTOM_API_KEY"] {
        if let Some(v) = secrets.get(k) {
            assert_eq!(v.expose_secret(), "kp-test-key-0a1b2c", "{k} carries the vendor key");
        }
    }
}

#[test]
fn openai_fixed_values_are_the_harness_ones() {
    let s = KeyPath::Own(Vendor::Openai).secrets(Some(&test_key(Vendor::Openai)));
    let v = |k: &str| s[k].expose_secret().to_owned();
    assert_eq!(v("OPENAI_BASE_URL"), "https://api.openai.com/v1");
    assert_eq!(v("HERMES_CUSTOM_BASE_URL"), "https://api.openai.com/v1");
    assert_eq!(v("MODEL_PROVIDER"), "openai:gpt-4o");
    assert_eq!(v("HERMES_INFERENCE_PROVIDER"), "custom");
    assert_eq!(v("HERMES_CUSTOM_API_MODE"), "chat_completions");
}

#[test]
fn a_vendor_path_without_its_key_sends_nothing() {
    for vendor in Vendor::ALL {
        assert!(KeyPath::Own(vendor).secrets(None).is_empty(), "{vendor}");
    }
}

fn keys(vendors: &[Vendor]) -> Keys {
    let mut k = Keys::default();
    for v in vendors {
        let s = Some(test_key(*v));
        match v {
            Vendor::Minimax => k.minimax = s,
            Vendor::Anthropic => k.anthropic = s,
            Vendor::Openai => k.openai = s,
            Vendor::Google => k.google = s,
        }
    }
    k
}

#[rstest]
#[case::platform_path_wins_over_any_key(true, &[Vendor::Minimax, Vendor::Openai], KeyPath::Platform)]
#[case::no_keys(false, &[], KeyPath::None)]
#[case::minimax_first(false, &[Vendor::Openai, Vendor::Google, Vendor::Anthropic, Vendor::Minimax], KeyPath::Own(Vendor::Minimax))]
#[case::anthropic_before_google(false, &[Vendor::Openai, Vendor::Google, Vendor::Anthropic], KeyPath::Own(Vendor::Anthropic))]
#[case::google_before_openai(false, &[Vendor::Openai, Vendor::Google], KeyPath::Own(Vendor::Google))]
#[case::openai_last(false, &[Vendor::Openai], KeyPath::Own(Vendor::Openai))]
fn harness_default_key_path_is_first_match(#[case] platform: bool, #[case] vendors: &[Vendor], #[case] expected: KeyPath) {
    assert_eq!(KeyPath::harness_default(platform, &keys(vendors)), expected);
}

#[test]
fn platform_and_keyless_arms_need_no_byok_switch() {
    for name in ["claude_code_platform", "claude_code_subscription"] {
        let p = plan(arm(name));
        assert!(p.in_body.is_empty() && !p.needs_byok(), "{name}: {p:?}");
    }
    for name in ["claude_code_minimax", "claude_code_anthropic", "hermes", "google_adk"] {
        assert!(plan(arm(name)).needs_byok(), "{name}");
    }
}

#[test]
fn secrets_plan_debug_names_keys_not_values() {
    let p = plan(arm("hermes"));
    let text = format!("{p:?}");
    assert!(text.contains("OPENAI_API_KEY") && text.contains("MODEL_PROVIDER"), "{text}");
    assert!(!text.contains("test-openai-key") && !text.contains("openai:gpt-4o"), "{text}");
}

#[test]
fn expectations_pin_the_reds_the_reference_platform_gives() {
    let rejected: Vec<_> = ARMS
        .iter()
        .filter(|a| matches!(a.expectation(&G41409FB2), Expectation::Rejected { .. }))
        .map(|a| a.name)
        .collect();
    assert_eq!(rejected, ["codex"], "codex asks for openai/gpt-4o, which no codex provider owns (contract §7.2)");
}

/// At aeec8e47: google-adk is retired (d8692123) and claude-code on `sonnet` needs a
/// CLAUDE_CODE_OAUTH_TOKEN the suite never holds (1bf1b2b9); codex stays red.
#[test]
fn expectations_pin_the_reds_today_s_platform_gives() {
    let rejected: Vec<_> = ARMS
        .iter()
        .filter_map(|a| match a.expectation(&GAEEC8E47) {
            Expectation::Rejected { code, .. } => Some((a.name, code)),
            Expectation::Online => None,
        })
        .collect();
    assert_eq!(
        rejected,
        [
            ("claude_code_subscription", "MISSING_BYOK_CREDENTIAL"),
            ("codex", "UNREGISTERED_MODEL_FOR_RUNTIME"),
            ("google_adk", "RUNTIME_UNSUPPORTED")
        ]
    );
    let why = arm("google_adk").pin_at(&GAEEC8E47).1.expect("a reason");
    assert!(why.contains("d8692123"), "{why}");
}

/// Each pin, on each generation, agrees with what that generation's catalogue derives for the
/// arm's own model and the keys its create body carries.
#[test]
fn every_pin_agrees_with_its_generation_s_catalogue() {
    for g in GENERATIONS {
        let settings = at(g);
        for a in ARMS {
            let body = create(a, &settings).to_body();
            let keys: Vec<&str> = body["secrets"].as_object().expect("secrets").keys().map(String::as_str).collect();
            let derived = a.derived_expectation(g.catalog, &a.model(&settings).expect("a model"), &keys);
            assert_eq!(a.expectation(g), derived, "{g}: arm {}'s pin", a.name);
        }
    }
}

/// At aeec8e47 every key travels in the create body: nothing waits for a billing-mode switch.
#[test]
fn today_every_key_travels_in_the_create_body() {
    for a in ARMS {
        let p = plan_at(a, GAEEC8E47.catalog.byok);
        assert!(!p.needs_byok(), "{}: {p:?}", a.name);
        assert_eq!(p.in_body.len(), a.key.secrets(a.key.vendor().map(test_key).as_ref()).len(), "{}", a.name);
    }
}

/// The red arm is pinned by arm: a model override neither turns a normal arm red (hermes on
/// MiniMax-M2.7 must run, and fail, as an online arm) nor moves the red arm off its model.
#[test]
fn a_model_override_never_changes_which_arm_is_red() {
    for g in GENERATIONS {
        let settings = Settings { model_slug: Some("MiniMax-M2.7".into()), ..at(g) };
        let hermes = arm("hermes");
        assert_eq!(hermes.model(&settings).expect("a model"), "MiniMax-M2.7");
        assert_eq!(hermes.expectation(g), Expectation::Online);
        assert!(matches!(hermes.derived_expectation(g.catalog, "MiniMax-M2.7", &[]), Expectation::Rejected { .. }));
        assert_eq!(arm("codex").model(&settings).expect("a model"), "openai/gpt-4o");
        assert!(matches!(arm("codex").expectation(g), Expectation::Rejected { .. }));
    }
}

#[test]
fn register_body_uses_id_not_workspace_id() {
    let body = register_body("ws-1", "poll");
    assert_eq!(body["id"], "ws-1");
    assert!(body.get("workspace_id").is_none(), "{body}");
    assert_eq!(body["delivery_mode"], "poll");
    assert!(body["agent_card"].is_object(), "{body}");
}
