//! The admin bearer goes only to the staging control plane's origin or numeric loopback (the
//! platform harness's `e2e_cp_require_staging_origin`, tests/e2e/lib/cp_purge_receipt.sh at
//! aeec8e47): a misconfigured URL is refused before anything is sent, and a redirect to another
//! origin is never followed, so no server can carry the bearer elsewhere.

use std::collections::BTreeMap;

use molecule_e2e::E2eError;
use molecule_e2e::client::{ControlPlane, require_admin_origin};
use molecule_e2e::config::{STAGING_CP_ORIGIN, Settings};
use molecule_e2e::error::TransportKind;
use molecule_e2e::harness::Target;
use rstest::rstest;
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ADMIN: &str = "admin-origin-bearer-4f2a9c";

#[rstest]
#[case::the_staging_control_plane("https://staging-api.moleculesai.app", true)]
#[case::staging_with_a_trailing_slash("https://staging-api.moleculesai.app/", true)]
#[case::numeric_loopback("http://127.0.0.1:18080", true)]
#[case::ipv6_loopback("http://[::1]:18080", true)]
#[case::another_origin("https://attacker.invalid", false)]
#[case::a_lookalike_host("https://staging-api.moleculesai.app.attacker.invalid", false)]
#[case::staging_over_plain_http("http://staging-api.moleculesai.app", false)]
#[case::staging_on_another_port("https://staging-api.moleculesai.app:8443", false)]
#[case::a_loopback_name_not_a_number("http://localhost:18080", false)]
#[case::loopback_over_https("https://127.0.0.1:18080", false)]
#[case::a_private_address("http://10.0.0.7:8080", false)]
fn the_admin_bearer_goes_only_to_staging_or_numeric_loopback(#[case] url: &str, #[case] allowed: bool) {
    let got = require_admin_origin(url, STAGING_CP_ORIGIN);
    assert_eq!(got.is_ok(), allowed, "{url}: {got:?}");
    if let Err(e) = got {
        assert!(matches!(e, E2eError::BearerRefused(_)), "{e:?}");
        let text = e.to_string();
        assert!(text.contains("refusing to send the admin bearer") && text.contains(STAGING_CP_ORIGIN), "{text}");
    }
}

#[test]
fn a_control_plane_client_with_the_bearer_is_not_built_for_another_origin() {
    let e = ControlPlane::new("https://attacker.invalid", Some(SecretString::from(ADMIN))).expect_err("refused");
    let text = e.to_string();
    assert!(matches!(e, E2eError::BearerRefused(_)) && text.contains("attacker.invalid"), "{text}");
    assert!(!text.contains(ADMIN), "the refusal never shows the bearer: {text}");
    ControlPlane::new("https://attacker.invalid", None).expect("without a bearer there is nothing to guard");
}

fn settings(vars: &[(&str, &str)]) -> Settings {
    let map: BTreeMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    Settings::from_lookup(|k| map.get(k).cloned()).expect("valid settings")
}

#[test]
fn a_misconfigured_cp_url_stops_the_run_before_any_call() {
    let vars = [("MOLECULE_CP_URL", "https://cp.attacker.invalid"), ("MOLECULE_ADMIN_TOKEN", ADMIN)];
    let e = Target::from_settings(settings(&vars)).expect_err("refused at target selection");
    assert!(matches!(e, E2eError::BearerRefused(_)), "{e:?}");
    let configured = [&vars[..], &[("E2E_CP_STAGING_ORIGIN", "https://cp.attacker.invalid/")]].concat();
    let target = Target::from_settings(settings(&configured)).expect("the configured origin").expect("live");
    target.cp().expect("E2E_CP_STAGING_ORIGIN names the one origin allowed");
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed_with_the_bearer() {
    let elsewhere = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200).set_body_json(json!({"orgs": []}))).mount(&elsewhere).await;
    let cp_server = MockServer::start().await;
    let location = format!("{}/cp/admin/orgs", elsewhere.uri());
    Mock::given(method("GET"))
        .and(path("/cp/admin/orgs"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", location.as_str()))
        .mount(&cp_server)
        .await;
    let cp = ControlPlane::new(&cp_server.uri(), Some(SecretString::from(ADMIN))).expect("loopback");
    let e = cp.list_orgs().await.expect_err("the redirect leaves the origin");
    assert!(matches!(&e, E2eError::Transport { kind: TransportKind::CrossOriginRedirect, .. }), "{e:?}");
    assert!(e.to_string().contains(&elsewhere.uri()), "names where it was sent: {e}");
    let reached = elsewhere.received_requests().await.expect("recording");
    assert!(reached.is_empty(), "the other origin got {} request(s)", reached.len());
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed() {
    let cp_server = MockServer::start().await;
    Mock::given(path("/cp/admin/orgs"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/cp/admin/orgs-moved"))
        .mount(&cp_server)
        .await;
    Mock::given(path("/cp/admin/orgs-moved"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"orgs": []})))
        .mount(&cp_server)
        .await;
    let cp = ControlPlane::new(&cp_server.uri(), Some(SecretString::from(ADMIN))).expect("loopback");
    assert!(cp.list_orgs().await.expect("followed").is_empty());
}
