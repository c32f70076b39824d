//! The throwaway-CP topology (tests/e2e/lib/tenant_topology.sh at aeec8e47): one base URL for
//! every tenant, `Host: <slug>.<domain>` and `X-Molecule-Org-Slug: <slug>` on every tenant call,
//! readiness through `GET /org/identity`; and the stand-in serving it, reaching a tenant only
//! through those headers under `STANDIN_TENANT_ROUTING=slug`.

use std::collections::BTreeMap;
use std::time::Duration;

use molecule_e2e::E2eError;
use molecule_e2e::client::{ControlPlane, Tenant};
use molecule_e2e::config::Settings;
use molecule_e2e::harness::{OrgInfo, SlugKind, Target, create_org};
use molecule_e2e::standin::{Delays, StandIn, StandInConfig};
use molecule_e2e::wait::{Probe, Wait};
use secrecy::{ExposeSecret, SecretString};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn settings(vars: &[(&str, &str)]) -> Settings {
    let map: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Settings::from_lookup(|k| map.get(k).cloned()).expect("valid settings")
}

#[test]
fn the_harness_variables_give_one_base_url_and_a_host_per_slug() {
    let s = settings(&[
        ("MOLECULE_TENANT_URL", "http://127.0.0.1:8080/"),
        ("MOLECULE_TENANT_ROUTE_DOMAIN", "lvh.me"),
    ]);
    assert_eq!(s.tenant_url("acme"), "http://127.0.0.1:8080");
    assert_eq!(s.tenant_route_host("acme").as_deref(), Some("acme.lvh.me"));
    let explicit = settings(&[
        ("MOLECULE_TENANT_ROUTE_HOST", "fixed.example:81"),
        ("MOLECULE_TENANT_ROUTE_DOMAIN", "lvh.me"),
    ]);
    assert_eq!(
        explicit.tenant_route_host("acme").as_deref(),
        Some("fixed.example:81"),
        "the explicit host wins"
    );
    assert_eq!(
        settings(&[]).tenant_route_host("acme"),
        None,
        "staging: no routing headers"
    );
}

#[test]
fn a_tenant_url_and_a_template_together_are_refused() {
    let both = [
        ("MOLECULE_TENANT_URL", "http://127.0.0.1:8080"),
        ("MOLECULE_TENANT_URL_TEMPLATE", "http://{slug}.x"),
    ];
    let map: BTreeMap<_, _> = both
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let e = Settings::from_lookup(|k| map.get(k).cloned()).expect_err("ambiguous");
    assert_eq!(e.var, "MOLECULE_TENANT_URL", "{e}");
    assert!(e.to_string().contains("set one"), "{e}");
}

#[tokio::test]
async fn a_routed_tenant_sends_host_and_slug_on_every_call() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/workspaces"))
        .and(header("host", "acme.lvh.me"))
        .and(header("x-molecule-org-slug", "acme"))
        .and(header("x-molecule-org-id", "org-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let plain = Tenant::new(
        &server.uri(),
        "org-1",
        SecretString::from("topology-token-1"),
    )
    .expect("client");
    let e = plain
        .list_workspaces()
        .await
        .expect_err("without the route headers the mock has no answer");
    assert!(matches!(e, E2eError::Api { status: 404, .. }), "{e}");
    let routed = plain.routed("acme.lvh.me", "acme").expect("routed");
    routed
        .list_workspaces()
        .await
        .expect("the route headers reach the tenant");
    routed
        .as_workspace(&SecretString::from("ws-token-2"))
        .with_caller("ws-1")
        .expect("caller");
    assert_eq!(routed.route_host(), Some("acme.lvh.me"));
}

fn fast() -> Delays {
    Delays {
        org_ready: Duration::from_millis(10),
        provision: Duration::from_millis(20),
        ..Delays::fast()
    }
}

async fn slug_standin() -> StandIn {
    let mut cfg = StandInConfig::new().with_delays(fast());
    cfg.slug_routing = true;
    StandIn::start(cfg, ([127, 0, 0, 1], 0).into())
        .await
        .expect("the stand-in starts")
}

async fn running_org(cp: &ControlPlane, slug: &str) -> (String, SecretString) {
    let org = cp.create_org(slug, slug, None).await.expect("org create");
    Wait::new(format!("org {slug} running"), Duration::from_secs(5))
        .until(|| async {
            let o = cp.org(slug).await?;
            Ok(match o.and_then(|o| o.instance_status) {
                Some(s) if s == "running" => Probe::Ready(()),
                other => Probe::Pending(format!("{other:?}")),
            })
        })
        .await
        .expect("running");
    (org.id, cp.tenant_admin_token(slug).await.expect("token"))
}

#[tokio::test]
async fn the_standin_as_a_throwaway_cp_reaches_a_tenant_only_by_its_slug() {
    let s = slug_standin().await;
    let cp = ControlPlane::new(
        &s.url(),
        Some(SecretString::from(s.admin_token().to_owned())),
    )
    .expect("cp");
    let (id, token) = running_org(&cp, "e2e-route-a").await;
    let (other_id, _) = running_org(&cp, "e2e-route-b").await;

    let plain = Tenant::new(&s.url(), &id, token.clone()).expect("client");
    let e = plain
        .list_workspaces()
        .await
        .expect_err("no slug: the proxy reaches no tenant");
    assert!(
        matches!(&e, E2eError::Api { status: 404, error: Some(m), .. } if m == "org not found"),
        "{e}"
    );
    plain
        .health()
        .await
        .expect("/health is the control plane's own, for every Host");

    let by_host = plain
        .clone()
        .routed("e2e-route-a.lvh.me", "e2e-route-a")
        .expect("routed");
    by_host
        .list_workspaces()
        .await
        .expect("Host and slug reach the tenant");
    let identity = by_host
        .org_identity()
        .await
        .expect("/org/identity through the route");
    assert_eq!(identity["slug"], "e2e-route-a");
    assert_eq!(identity["org_id"], id.as_str());
    by_host
        .ready()
        .await
        .expect("readiness is /org/identity when routed");

    // The Host names org b: the proxy goes there, and the identity check says so.
    let crossed = plain
        .routed("e2e-route-b.lvh.me", "e2e-route-a")
        .expect("routed");
    let e = crossed
        .org_identity()
        .await
        .expect_err("another org's identity");
    assert!(e.to_string().contains(&other_id), "{e}");

    let unknown = Tenant::new(&s.url(), &id, token)
        .expect("client")
        .routed("nobody.lvh.me", "nobody")
        .expect("routed");
    let e = unknown.ready().await.expect_err("a slug naming no org");
    assert!(matches!(e, E2eError::Api { status: 404, .. }), "{e}");
}

#[tokio::test]
async fn the_harness_makes_a_routed_org_from_the_harness_variables() {
    let s = slug_standin().await;
    let url = s.url();
    let token = s.admin_token().to_owned();
    let vars = [
        ("MOLECULE_CP_URL", url.as_str()),
        ("MOLECULE_ADMIN_TOKEN", token.as_str()),
        ("MOLECULE_TENANT_URL", url.as_str()),
        ("MOLECULE_TENANT_ROUTE_DOMAIN", "lvh.me"),
        ("E2E_PROVISION_TIMEOUT_SECS", "5"),
    ];
    let target = Target::from_settings(settings(&vars))
        .expect("valid")
        .expect("a live target");
    let info: OrgInfo = create_org(&target, SlugKind::Smoke, "e2e-route-harness", &|_| {})
        .await
        .expect("org up");
    assert_eq!(info.route_host.as_deref(), Some("e2e-route-harness.lvh.me"));
    assert_eq!(info.tenant_url, url);
    assert!(!info.admin_token.expose_secret().is_empty());
    info.tenant()
        .expect("client")
        .list_workspaces()
        .await
        .expect("the org's tenant through the route");
    molecule_e2e::harness::delete_org(&target, "e2e-route-harness", &|_| {})
        .await
        .expect("org down");
}

#[test]
fn the_standin_process_takes_its_routing_from_standin_tenant_routing() {
    let cfg = |v: &str| StandInConfig::from_lookup(|k| (k == "STANDIN_TENANT_ROUTING").then(|| v.to_owned()));
    assert!(cfg("slug").expect("slug").slug_routing);
    assert!(!cfg("org-id").expect("org-id").slug_routing);
    let e = cfg("host").expect_err("an unknown routing");
    assert!(e.contains("STANDIN_TENANT_ROUTING") && e.contains("org-id or slug"), "{e}");
}
