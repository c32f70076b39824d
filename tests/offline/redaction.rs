//! Keeping secrets out of everything the suite prints: body excerpts, scrubbed text, masked
//! JSON, error messages, and the `Debug` of every value that holds a secret.
//!
//! The scrub list is process-wide, so every secret here is a distinctive string no other test
//! prints.

use std::collections::BTreeMap;

use molecule_e2e::catalog::Vendor;
use molecule_e2e::client::{ControlPlane, Created, Http, Tenant, internals::api_error};
use molecule_e2e::config::Settings;
use molecule_e2e::error::{Call, E2eError};
use molecule_e2e::payload::{CreateWorkspace, KeyPath, SecretsPlan};
use molecule_e2e::redact::{self, EXCERPT_CHARS, MASK, cut, excerpt, is_secret_key, scrub};
use rstest::rstest;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

/// None of `secrets` may appear in `text`.
#[track_caller]
fn check_hides(what: &str, text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "{what} shows the secret {s:?}: {text}");
    }
}

#[test]
fn excerpt_masks_secret_fields_wherever_they_are() {
    let body = json!({
        "id": "ws-1",
        "status": "awaiting_agent",
        "auth_token": "rd-top-level-token-11",
        "connection": {"auth_token": "rd-nested-token-22", "platform_url": "https://t.example"},
        "tokens": [{"admin_token": "rd-in-array-33"}],
        "secrets": {"OPENAI_BASE_URL": "https://api.openai.com/v1", "GOOGLE_API_KEY": "rd-google-44"},
    });
    let e = excerpt(body.to_string().as_bytes());
    check_hides("excerpt", &e, &["rd-top-level-token-11", "rd-nested-token-22", "rd-in-array-33", "rd-google-44"]);
    assert!(!e.contains("api.openai.com"), "a strip-listed key is masked even when it holds a URL: {e}");
    for kept in [r#""id":"ws-1""#, r#""status":"awaiting_agent""#, r#""platform_url":"https://t.example""#] {
        assert!(e.contains(kept), "{kept} should survive: {e}");
    }
}

#[test]
fn excerpt_of_text_scrubs_bearers_and_registered_values() {
    redact::register_str("rd-registered-value-55");
    let e = excerpt(b"<html>401: Bearer rd-bearer-66 rejected; key rd-registered-value-55</html>");
    assert_eq!(e, "<html>401: Bearer [REDACTED] rejected; key [REDACTED]</html>");
}

#[rstest]
#[case::empty(b"", "(empty body)")]
#[case::empty_json_object(b"{}", "{}")]
#[case::json_null_secret_is_left_null(br#"{"auth_token":null}"#, r#"{"auth_token":null}"#)]
#[case::plain_text(b"Bad Gateway", "Bad Gateway")]
#[case::invalid_utf8(b"\xff\xfeok", "\u{fffd}\u{fffd}ok")]
fn excerpt_edge_cases(#[case] body: &[u8], #[case] expected: &str) {
    assert_eq!(excerpt(body), expected);
}

#[test]
fn excerpt_is_cut_at_the_limit_and_says_how_much_was_dropped() {
    let body = "x".repeat(EXCERPT_CHARS + 25);
    let e = excerpt(body.as_bytes());
    assert_eq!(e, format!("{}… (25 more bytes)", "x".repeat(EXCERPT_CHARS)));
}

#[rstest]
#[case::short_text_is_kept("abc", 3, "abc")]
#[case::exactly_the_limit("abcd", 4, "abcd")]
#[case::one_over("abcde", 4, "abcd… (1 more bytes)")]
#[case::counts_chars_not_bytes("ééé", 2, "éé… (2 more bytes)")]
#[case::zero("abc", 0, "… (3 more bytes)")]
fn cut_counts_characters(#[case] text: &str, #[case] max: usize, #[case] expected: &str) {
    assert_eq!(cut(text, max), expected);
}

#[rstest]
#[case::plain("Authorization: Bearer abc.def", "Authorization: Bearer [REDACTED]")]
#[case::lower_case("authorization: bearer abc", "authorization: bearer [REDACTED]")]
#[case::upper_case("BEARER abc ok", "BEARER [REDACTED] ok")]
#[case::in_json(r#"{"h":"Bearer abc","n":1}"#, r#"{"h":"Bearer [REDACTED]","n":1}"#)]
#[case::ends_at_comma("Bearer abc, Bearer def", "Bearer [REDACTED], Bearer [REDACTED]")]
#[case::nothing_after_it("a trailing Bearer ", "a trailing Bearer ")]
#[case::no_bearer("nothing to hide", "nothing to hide")]
#[case::multibyte_around("é Bearer tök é", "é Bearer [REDACTED] é")]
fn scrub_masks_bearer_tokens(#[case] text: &str, #[case] expected: &str) {
    assert_eq!(scrub(text), expected);
}

#[test]
fn scrub_masks_a_longer_secret_whole_even_when_a_shorter_one_is_inside_it() {
    redact::register_str("rd-nest-77");
    redact::register_str("rd-nest-77-and-more");
    assert_eq!(scrub("a rd-nest-77-and-more b rd-nest-77 c"), "a [REDACTED] b [REDACTED] c");
}

#[test]
fn scrub_ignores_values_too_short_to_be_secrets() {
    redact::register_str("ok");
    redact::register_str("a1b2c");
    assert_eq!(scrub("ok a1b2c"), "ok a1b2c");
}

#[test]
fn scrub_masks_secrets_registered_as_secret_strings() {
    redact::register(&SecretString::from("rd-secret-string-88"));
    assert_eq!(scrub("x=rd-secret-string-88;"), "x=[REDACTED];");
}

#[rstest]
#[case::token("token", true)]
#[case::auth_token("auth_token", true)]
#[case::admin_token("admin_token", true)]
#[case::camel_case("authToken", true)]
#[case::secret("client_secret", true)]
#[case::password("Password", true)]
#[case::authorization("Authorization", true)]
#[case::api_key("api_key", true)]
#[case::apikey("apiKey", true)]
#[case::credential("credentials", true)]
#[case::any_key_suffix("platform_inbound_key", true)]
#[case::strip_listed_url("OPENAI_BASE_URL", true)]
#[case::strip_listed_hermes_url("hermes_custom_base_url", true)]
#[case::plain_key("key", false)]
#[case::monkey("monkey", false)]
#[case::id("id", false)]
#[case::status("status", false)]
#[case::url("url", false)]
#[case::model_provider("MODEL_PROVIDER", false)]
fn secret_field_names(#[case] key: &str, #[case] secret: bool) {
    assert_eq!(is_secret_key(key), secret, "{key:?}");
}

#[test]
fn json_masks_leaves_and_descends_into_secret_named_objects() {
    let v = json!({
        "credentials": {"user": "alice", "password": "rd-pw-99"},
        "api_key": 12345,
        "token": true,
        "items": [{"secret": "rd-item-10"}, "plain"],
        "status": "ok",
    });
    assert_eq!(
        redact::json(&v),
        json!({
            "credentials": {"user": "alice", "password": MASK},
            "api_key": MASK,
            "token": MASK,
            "items": [{"secret": MASK}, "plain"],
            "status": "ok",
        })
    );
}

#[test]
fn api_errors_carry_no_secret_from_the_body() {
    redact::register_str("rd-api-registered-12");
    let body = json!({
        "error": "token rd-api-registered-12 is invalid",
        "code": "BAD_TOKEN",
        "auth_token": "rd-api-field-13",
    })
    .to_string();
    let e = api_error(Call::new("mint_token", "POST", "/admin/workspaces/w/tokens"), 401, body.as_bytes());
    assert_eq!(e.code(), Some("BAD_TOKEN"));
    let secrets = ["rd-api-registered-12", "rd-api-field-13"];
    check_hides("Display", &e.to_string(), &secrets);
    check_hides("Debug", &format!("{e:?}"), &secrets);
    assert!(e.to_string().contains("token [REDACTED] is invalid"), "{e}");
}

#[test]
fn broken_promise_details_are_scrubbed() {
    redact::register_str("rd-broken-14");
    let e = E2eError::broken(molecule_e2e::error::Promise::KnownAnswer, "reply echoed rd-broken-14");
    check_hides("Display", &e.to_string(), &["rd-broken-14"]);
}

#[test]
fn debug_of_every_secret_holder_shows_no_secret() {
    const ADMIN: &str = "sweep-settings-admin-0a";
    const MINIMAX: &str = "sweep-settings-minimax-0b";
    const ANTHROPIC: &str = "sweep-settings-anthropic-0c";
    const OPENAI: &str = "sweep-settings-openai-0d";
    const GOOGLE: &str = "sweep-settings-google-0e";
    const BODY: &str = "sweep-create-body-0f";
    const PLAN: &str = "sweep-plan-key-10";
    const BEARER: &str = "sweep-http-bearer-11";
    const TENANT: &str = "sweep-tenant-token-12";
    const WORKSPACE: &str = "sweep-workspace-token-13";
    const CP: &str = "sweep-cp-admin-14";
    const CREATED: &str = "sweep-created-token-15";
    const CONNECTION: &str = "sweep-connection-token-16";
    let all = [ADMIN, MINIMAX, ANTHROPIC, OPENAI, GOOGLE, BODY, PLAN, BEARER, TENANT, WORKSPACE, CP, CREATED, CONNECTION];

    let env = BTreeMap::from([
        ("MOLECULE_ADMIN_TOKEN", ADMIN),
        ("E2E_MINIMAX_API_KEY", MINIMAX),
        ("E2E_ANTHROPIC_API_KEY", ANTHROPIC),
        ("E2E_OPENAI_API_KEY", OPENAI),
        ("E2E_GOOGLE_API_KEY", GOOGLE),
    ]);
    let settings = Settings::from_lookup(|k| env.get(k).map(|v| v.to_string())).expect("valid settings");
    let create = CreateWorkspace::platform("E2E Parent", "hermes", "openai/gpt-4o")
        .with_secrets(BTreeMap::from([("GOOGLE_API_KEY".to_owned(), SecretString::from(BODY))]));
    let plan = SecretsPlan::split(
        molecule_e2e::generation::Byok::BillingModeOptIn,
        KeyPath::Own(Vendor::Openai).secrets(Some(&SecretString::from(PLAN))),
    );
    let http = Http::new("http://127.0.0.1:9").expect("a base URL").with_bearer(SecretString::from(BEARER));
    let tenant = Tenant::new("http://127.0.0.1:9", "org-sweep", SecretString::from(TENANT)).expect("a tenant");
    let as_workspace = tenant.as_workspace(&SecretString::from(WORKSPACE));
    let cp = ControlPlane::new("http://127.0.0.1:9", Some(SecretString::from(CP))).expect("a control plane");
    let created = Created::decode(&json!({
        "id": "ws-sweep",
        "status": "awaiting_agent",
        "external": true,
        "auth_token": CREATED,
        "connection": {"workspace_id": "ws-sweep", "platform_url": "https://t.example", "auth_token": CONNECTION},
    }))
    .expect("a created workspace");
    let connection = created.connection.clone().expect("a connection block");
    assert_eq!(created.token().map(|t| t.expose_secret()), Some(CONNECTION), "connection.auth_token comes first");

    let shown = [
        ("Settings", format!("{settings:?}"), format!("{settings:#?}")),
        ("CreateWorkspace", format!("{create:?}"), format!("{create:#?}")),
        ("SecretsPlan", format!("{plan:?}"), format!("{plan:#?}")),
        ("Http", format!("{http:?}"), format!("{http:#?}")),
        ("Tenant", format!("{tenant:?}"), format!("{tenant:#?}")),
        ("Tenant as workspace", format!("{as_workspace:?}"), format!("{as_workspace:#?}")),
        ("ControlPlane", format!("{cp:?}"), format!("{cp:#?}")),
        ("Created", format!("{created:?}"), format!("{created:#?}")),
        ("Connection", format!("{connection:?}"), format!("{connection:#?}")),
    ];
    for (what, flat, pretty) in &shown {
        check_hides(what, flat, &all);
        check_hides(what, pretty, &all);
    }
    for (what, flat, _) in &shown[3..] {
        assert!(flat.contains(MASK), "{what} should say a secret is there: {flat}");
    }
    // Everything that touched a client, the environment or a decoder is scrubbed from text too.
    let line = all.join(" ");
    let scrubbed = scrub(&line);
    check_hides("scrubbed text", &scrubbed, &[ADMIN, MINIMAX, ANTHROPIC, OPENAI, GOOGLE, BEARER, TENANT, WORKSPACE, CP, CREATED, CONNECTION]);
}

#[test]
fn the_http_client_debug_names_headers_but_not_their_values() {
    let tenant = Tenant::new("http://127.0.0.1:9", "org-debug-headers", SecretString::from("sweep-headers-17"))
        .expect("a tenant")
        .with_caller("ws-caller-debug")
        .expect("a caller header");
    let text = format!("{tenant:?}");
    assert!(text.contains("x-molecule-org-id") && text.contains("x-workspace-id"), "{text}");
    assert!(!text.contains("sweep-headers-17"), "{text}");
}

/// The learning half: what a received answer gives away is registered before anything is
/// formed from it, whatever field or string it hides in.
#[rstest]
#[case::secret_named_field(json!({"workspace_token": "rd-learn-field-5f01"}), "rd-learn-field-5f01")]
#[case::nested_in_an_array(json!({"items": [{"client_secret": "rd-learn-array-5f02"}]}), "rd-learn-array-5f02")]
#[case::numeric_token(json!({"auth_token": 918273645501u64}), "918273645501")]
#[case::env_assignment_in_a_snippet(json!({"env_snippet": "export MOLECULE_WORKSPACE_TOKEN=rd-learn-snip-5f03\nrun"}), "rd-learn-snip-5f03")]
#[case::yaml_assignment(json!({"config_snippet": "auth_token: rd-learn-yaml-5f04"}), "rd-learn-yaml-5f04")]
#[case::query_assignment(json!({"url": "https://x.test/cb?token=rd-learn-query-5f05&x=1"}), "rd-learn-query-5f05")]
#[case::bearer_in_a_curl_line(json!({"curl_snippet": "curl -H 'Authorization: Bearer rd-learn-bearer-5f06' x"}), "rd-learn-bearer-5f06")]
#[case::url_password(json!({"platform_url": "https://agent:rd-learn-pw-5f07@t.example"}), "rd-learn-pw-5f07")]
#[case::json_inside_a_string(json!({"detail": "{\"api_key\":\"rd-learn-inner-5f08\"}"}), "rd-learn-inner-5f08")]
fn a_received_answer_registers_every_token_shaped_value(#[case] body: serde_json::Value, #[case] secret: &str) {
    assert!(!redact::is_registered(secret), "{secret} registered before the answer arrived");
    redact::learn_body(body.to_string().as_bytes());
    assert!(redact::is_registered(secret), "{secret} not learned from {body}");
    assert_eq!(scrub(&format!("echoed {secret} back")), "echoed [REDACTED] back");
}

#[rstest]
#[case::env("MOLECULE_WORKSPACE_TOKEN=rd-shape-env-6a01 next", "MOLECULE_WORKSPACE_TOKEN=[REDACTED] next")]
#[case::json(r#"{"auth_token":"rd-shape-json-6a02","id":"w"}"#, r#"{"auth_token":"[REDACTED]","id":"w"}"#)]
#[case::escaped_json(r#"{\"api_key\":\"rd-shape-esc-6a03\"}"#, r#"{\"api_key\":\"[REDACTED]\"}"#)]
#[case::url_userinfo("GET https://u:rd-shape-pw-6a04@h.test/x", "GET https://[REDACTED]@h.test/x")]
#[case::header("Authorization: Bearer rd-shape-bearer-6a05", "Authorization: Bearer [REDACTED]")]
#[case::short_values_stay("max_tokens: 32, token=abc", "max_tokens: 32, token=abc")]
#[case::plain_words_stay("the token was refused: see key MINIMAX_API_KEY", "the token was refused: see key MINIMAX_API_KEY")]
#[case::debug_constructor_stays(r#""token": String("[REDACTED]")"#, r#""token": String("[REDACTED]")"#)]
fn scrub_masks_secrets_by_shape_even_unregistered(#[case] text: &str, #[case] want: &str) {
    assert_eq!(scrub(text), want);
}

#[test]
fn every_error_variant_displays_and_debugs_through_the_scrubber() {
    let secret = "rd-variant-secret-7c11";
    redact::register_str(secret);
    let call = || Call::new("op", "GET", "/x");
    let errors = [
        E2eError::Api { call: call(), status: 500, code: Some(secret.into()), error: Some(secret.into()), excerpt: secret.into() },
        E2eError::Transport { call: call(), kind: molecule_e2e::error::TransportKind::Other, detail: secret.into() },
        E2eError::Decode { call: call(), status: 200, expected: "x", reason: secret.into(), excerpt: secret.into() },
        E2eError::WaitTimeout { what: secret.into(), waited: std::time::Duration::from_secs(1), last_seen: secret.into() },
        E2eError::Broken {
            promise: molecule_e2e::error::Promise::KnownAnswer,
            detail: secret.into(),
            source: Some(Box::new(E2eError::Unmet(secret.into()))),
        },
        E2eError::Step { step: secret.into(), source: Box::new(E2eError::Unmet(secret.into())) },
        E2eError::Unmet(secret.into()),
    ];
    for e in errors {
        for text in [e.to_string(), format!("{e:?}"), format!("{e:#?}")] {
            check_hides("an error", &text, &[secret]);
            assert!(text.contains(MASK), "{text}");
        }
    }
}

#[test]
fn rows_holding_server_text_debug_through_the_scrubber() {
    use molecule_e2e::client::{ActivityRow, Org, WorkspaceRow};
    let secret = "rd-row-echo-8d21";
    redact::register_str(secret);
    let org = Org::decode(&json!({"id": "o", "slug": "s", "last_error": format!("boot failed for {secret}")})).unwrap();
    let row = WorkspaceRow::decode(&json!({
        "id": "w", "status": secret, "agent_card": {"name": "a", "auth": {"api_key": "rd-row-card-key-8d22"}}
    }))
    .unwrap();
    let activity = ActivityRow::decode(&json!({
        "id": "a", "activity_type": "a2a_receive", "summary": secret, "request_body": {"token": "rd-row-body-8d23"}
    }))
    .unwrap();
    for text in [format!("{org:?}"), format!("{row:#?}"), format!("{activity:?}")] {
        check_hides("a row's Debug", &text, &[secret, "rd-row-card-key-8d22", "rd-row-body-8d23"]);
        assert!(text.contains(MASK), "{text}");
    }
}

#[rstest]
#[case::string(json!("rd-serde-string-9e31"), "invalid type: string (value withheld), expected a boolean")]
#[case::integer(json!(918273640001u64), "invalid type: integer (value withheld), expected a boolean")]
#[case::float(json!(1.25), "invalid type: floating point (value withheld), expected a boolean")]
fn serde_reasons_keep_the_type_and_withhold_the_value(#[case] v: serde_json::Value, #[case] want: &str) {
    let e = serde_json::from_value::<bool>(v.clone()).unwrap_err();
    let reason = molecule_e2e::client::internals::serde_reason(&e);
    assert_eq!(reason, want, "from {v}");
}

#[test]
fn serde_reasons_keep_field_names() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Need {
        id: String,
    }
    let e = serde_json::from_value::<Need>(json!({})).unwrap_err();
    assert_eq!(molecule_e2e::client::internals::serde_reason(&e), "missing field `id`");
}

#[test]
fn token_counts_are_not_learned_as_secrets() {
    redact::learn(&json!({"usage": {"max_tokens": 7654321, "input_tokens": 1234567}}));
    assert!(!redact::is_registered("7654321") && !redact::is_registered("1234567"));
}
