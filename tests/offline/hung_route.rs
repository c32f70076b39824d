//! A whole case against a platform with one hung route (issue 22's measurement, in little): a
//! proxy in front of a stand-in forwards everything but `GET /workspaces/:id`, which it
//! accepts and never answers. The hermes arm must end within its longest deadline (the online
//! wait) plus its grace plus the teardown budget, failing in the step that hung; on the hung
//! route the issue measured 51 s for a 20 s wait (the failure-state capture's 30 s request
//! came after it) and 172 s for the case.

use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use molecule_e2e::config::{Mode, Settings, Timeouts};
use molecule_e2e::harness::{Case, Target};
use molecule_e2e::scenario::arms;
use molecule_e2e::scenario::saas::runtime_arm;
use molecule_e2e::wait::grace;
use secrecy::SecretString;

use crate::support::matrix::FAULT_TIMEOUTS;
use crate::support::standin::faulty;

/// Whether the proxy holds this request forever: a single workspace's row.
fn hung(req: &Request) -> bool {
    let segs: Vec<_> = req.uri().path().trim_matches('/').split('/').collect();
    req.method() == axum::http::Method::GET && segs.len() == 2 && segs[0] == "workspaces"
}

/// The proxy's upstream and which requests it holds forever.
type Upstream = (reqwest::Client, String, fn(&Request) -> bool);

async fn forward(State(upstream): State<Upstream>, req: Request) -> Response {
    let (client, base, hangs) = upstream;
    if hangs(&req) {
        return std::future::pending().await;
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let sent = client
        .request(parts.method, format!("{base}{path}"))
        .headers(parts.headers)
        .body(bytes)
        .send()
        .await;
    let Ok(answer) = sent else {
        return Response::builder()
            .status(502)
            .body(Body::from("proxy: upstream failed"))
            .unwrap_or_default();
    };
    let mut out = Response::builder().status(answer.status());
    for (k, v) in answer.headers() {
        out = out.header(k, v);
    }
    out.body(Body::from(answer.bytes().await.unwrap_or_default()))
        .unwrap_or_default()
}

/// A proxy to `upstream` that hangs `GET /workspaces/:id`; its URL.
async fn hanging_proxy(upstream: String) -> String {
    proxy_hanging(upstream, hung).await
}

/// A proxy to `upstream` that holds every request `hangs` picks forever; its URL.
async fn proxy_hanging(upstream: String, hangs: fn(&Request) -> bool) -> String {
    let client = molecule_e2e::net::client_builder(&upstream)
        .build()
        .expect("proxy client");
    let app = axum::Router::new()
        .fallback(forward)
        .with_state((client, upstream, hangs));
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!("http://{}", l.local_addr().expect("local addr"));
    tokio::spawn(async move { axum::serve(l, app).await });
    url
}

#[tokio::test]
async fn an_arm_on_a_hung_workspace_route_ends_within_its_deadline_grace_and_teardown_budget_naming_the_step()
 {
    let s = faulty(&[]).await;
    let url = hanging_proxy(s.url()).await;
    let half = Duration::from_millis(500);
    let timeouts = Timeouts {
        workspace_online: half,
        teardown: half,
        ..FAULT_TIMEOUTS
    };
    let settings = Settings {
        mode: Mode::Smoke,
        ..Settings::hermetic()
    };
    let target = Target::standin(
        url,
        SecretString::from(s.admin_token().to_owned()),
        settings,
        Some(timeouts),
    );
    let case = Case::captured("hung_route::hermes", target);
    let started = Instant::now();
    let e = runtime_arm(&case, arms::arm("hermes").expect("the hermes arm"))
        .await
        .expect_err("the hung route fails it");
    let took = started.elapsed();
    // The online wait, its grace, the teardown budget of the workspaces and the one of the
    // case's own org (whose routes answer), plus scheduling slack on a loaded machine.
    let bound =
        timeouts.workspace_online + grace(timeouts.workspace_online) + 2 * timeouts.teardown;
    assert!(
        took <= bound + Duration::from_millis(300),
        "took {took:?}, bound {bound:?}"
    );
    assert!(
        took >= timeouts.workspace_online,
        "the wait had its whole deadline: {took:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains("wait for workspace online"),
        "the step that hung: {text}"
    );
    assert!(
        text.contains("no answer before the deadline of the wait for ws"),
        "{text}"
    );
    assert_eq!(
        s.org_count(),
        0,
        "the case's own org went with its teardown"
    );
}

/// Issue 22's "a control plane that hangs during org create": `POST /cp/admin/orgs` is accepted
/// and never answered. The org-create step ends within its deadline (the provision timeout)
/// plus its grace and the org's teardown budget, failing in `create org` naming
/// `[org-becomes-running]`.
#[tokio::test]
async fn an_org_create_on_a_hung_control_plane_ends_within_its_deadline_naming_the_step() {
    fn org_create(req: &Request) -> bool {
        req.method() == axum::http::Method::POST && req.uri().path() == "/cp/admin/orgs"
    }
    let s = faulty(&[]).await;
    let url = proxy_hanging(s.url(), org_create).await;
    let timeouts = Timeouts { provision: Duration::from_millis(500), teardown: Duration::from_millis(500), ..FAULT_TIMEOUTS };
    let target = Target::standin(url, SecretString::from(s.admin_token().to_owned()), Settings::hermetic(), Some(timeouts));
    let started = Instant::now();
    let e = molecule_e2e::harness::create_org(&target, molecule_e2e::harness::SlugKind::Full, "e2e-20260101-hung", &|_| {})
        .await
        .expect_err("the hung create fails");
    let took = started.elapsed();
    let bound = timeouts.provision + grace(timeouts.provision) + timeouts.teardown;
    assert!(took <= bound + Duration::from_millis(300), "took {took:?}, bound {bound:?}");
    assert!(took >= timeouts.provision, "the create had its whole deadline: {took:?}");
    let text = e.to_string();
    assert!(text.contains("step `create org`") && text.contains("[org-becomes-running]"), "{text}");
    assert!(text.contains("no answer before the deadline of the"), "{text}");
    assert_eq!(s.org_count(), 0, "nothing reached the control plane");
}
