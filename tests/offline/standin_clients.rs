//! The stand-in's contract table again, this time through the library's own clients: one row
//! per promise of `shared/contract/platform.md` (paths, codes, transitions), each made with
//! [`ControlPlane`] / [`Tenant`] and checked on the typed answer or on the [`E2eError`] the
//! client returns. `standin_contract` pins the stand-in against raw HTTP; this table pins the
//! clients and the stand-in against the same promises, so a field misread by a client, a
//! status it refuses or a code it loses fails here by name.
//!
//! Every row gets its own stand-in with one running org; waits poll with deadlines
//! ([`Wait`]), never sleep.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use molecule_e2e::E2eError;
use molecule_e2e::a2a::{Reply, SendMessage};
use molecule_e2e::client::{A2aAnswer, ActivityQuery, ControlPlane, Org, RetryPolicy, Tenant, WorkspaceRow};
use molecule_e2e::payload::{CreateWorkspace, register_body};
use molecule_e2e::standin::{Delays, StandIn, StandInConfig};
use molecule_e2e::wait::{Probe, Wait};
use rstest::rstest;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

/// How long any wait of a row may take before it fails loudly.
const DEADLINE: Duration = Duration::from_secs(10);
/// The org every row's stand-in starts with.
const SLUG: &str = "e2e-clients-contract";
/// A platform model of claude-code: billing resolves `platform_managed` (contract §7.3).
const PLATFORM_MODEL: &str = "minimax/MiniMax-M2.7";
/// The harness's PONG prompt (contract §6.1).
const PONG_PROMPT: &str = "This is the platform smoke test verifying agent wiring. No tools or memory are needed — please respond with exactly the single token: PONG";
/// A 1×1 PNG, as the harness uploads in step 7a.
const PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01, 0xe9, 0xfa, 0xdc, 0xd8, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Fast transitions; staleness windows far beyond any row, so no row races them.
fn delays() -> Delays {
    Delays {
        org_ready: Duration::from_millis(10),
        provision: Duration::from_millis(20),
        provision_by_runtime: BTreeMap::new(),
        wake: Duration::from_millis(20),
        stale_after: Duration::from_secs(60),
        liveness_ttl: Duration::from_secs(120),
    }
}

fn wait(what: String) -> Wait {
    Wait::new(what, DEADLINE).interval(Duration::from_millis(5), Duration::from_millis(40))
}

// ---------------------------------------------------------------------------------------
// The fixture: a stand-in, its control plane, one running org and its tenant.

struct Fx {
    standin: StandIn,
    cp: ControlPlane,
    org_id: String,
    token: SecretString,
    tenant: Tenant,
}

impl Fx {
    async fn start() -> Fx {
        let standin = StandIn::start(StandInConfig::new().with_delays(delays()), ([127, 0, 0, 1], 0).into())
            .await
            .expect("the stand-in starts");
        let cp = ControlPlane::new(&standin.url(), Some(secret(standin.admin_token()))).expect("control-plane client");
        let org = cp.create_org(SLUG, "E2E clients").await.expect("org create");
        org_running(&cp, SLUG).await;
        let token = cp.tenant_admin_token(SLUG).await.expect("tenant admin token");
        let tenant = Tenant::new(&standin.url(), &org.id, token.clone()).expect("tenant client");
        Fx { standin, cp, org_id: org.id, token, tenant }
    }

    fn url(&self) -> String {
        self.standin.url()
    }

    /// A bring-your-own workspace (`awaiting_agent`) and its `connection.auth_token`.
    async fn external(&self, name: &str, runtime: &str) -> (String, SecretString) {
        let c = self.tenant.create_workspace(&CreateWorkspace::external(name, runtime)).await.expect("external create");
        let token = c.token().expect("an external create carries connection.auth_token").clone();
        (c.id, token)
    }

    /// An external workspace registered in poll mode (`online`, A2A queued).
    async fn poll(&self, name: &str) -> (String, SecretString) {
        let (id, token) = self.external(name, "external").await;
        self.tenant.as_workspace(&token).register(&register_body(&id, "poll")).await.expect("register poll");
        (id, token)
    }

    /// A claude-code workspace on the platform model (provisioning, not waited).
    async fn platform(&self, name: &str) -> (String, SecretString) {
        let c = self
            .tenant
            .create_workspace(&CreateWorkspace::platform(name, "claude-code", PLATFORM_MODEL))
            .await
            .expect("platform create");
        let token = c.token().expect("a platform create carries auth_token").clone();
        (c.id, token)
    }

    /// A platform workspace that is ready (online with a url).
    async fn online(&self, name: &str) -> String {
        let (id, _) = self.platform(name).await;
        self.ready(&id).await;
        id
    }

    async fn row(&self, id: &str) -> WorkspaceRow {
        self.tenant.get_workspace(id).await.expect("GET workspace")
    }

    /// The harness's readiness: `online` and a non-empty `url`.
    async fn ready(&self, id: &str) -> WorkspaceRow {
        self.row_until(id, "online with a url", WorkspaceRow::is_ready).await
    }

    async fn row_until(&self, id: &str, what: &str, ok: impl Fn(&WorkspaceRow) -> bool) -> WorkspaceRow {
        let (t, ok) = (&self.tenant, &ok);
        wait(format!("ws {id} {what}"))
            .until(move || async move {
                let row = t.get_workspace(id).await?;
                Ok(if ok(&row) { Probe::Ready(row) } else { Probe::Pending(row.state()) })
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// `message/send` with `text` as the tenant admin (a canvas caller).
    async fn send(&self, id: &str, msg: &SendMessage) -> A2aAnswer {
        self.tenant.a2a(id, &msg.to_v03(), &RetryPolicy::hermetic(3)).await.expect("a2a answer")
    }
}

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

async fn org_running(cp: &ControlPlane, slug: &str) -> Org {
    wait(format!("org {slug} running"))
        .until(move || async move {
            Ok(match cp.org(slug).await? {
                Some(o) if o.instance_status.as_deref() == Some("running") => Probe::Ready(o),
                Some(o) => Probe::Pending(format!("instance_status {:?}", o.instance_status)),
                None => Probe::Pending("not listed".into()),
            })
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// What an API error said: its `error` field and the body excerpt.
struct ApiErr {
    error: Option<String>,
    excerpt: String,
}

impl ApiErr {
    fn error(&self) -> &str {
        self.error.as_deref().unwrap_or_default()
    }

    #[track_caller]
    fn body_has(&self, fragment: &str) -> &Self {
        assert!(self.excerpt.contains(fragment), "expected the body to contain {fragment}: {}", self.excerpt);
        self
    }
}

/// The call failed with the platform's answer `status` and `code`; the message names both.
#[track_caller]
fn expect_api<T: Debug>(r: molecule_e2e::Result<T>, status: u16, code: Option<&str>) -> ApiErr {
    let e = match r {
        Ok(v) => panic!("expected HTTP {status} (code {code:?}), got a success: {v:?}"),
        Err(e) => e,
    };
    let shown = e.to_string();
    assert_eq!(e.status(), Some(status), "{shown}");
    assert_eq!(e.code(), code, "{shown}");
    assert!(shown.contains(&format!("HTTP {status}")), "the message names the status: {shown}");
    if let Some(c) = code {
        assert!(shown.contains(&format!("code={c}")), "the message names the code: {shown}");
    }
    match e {
        E2eError::Api { call, error, excerpt, .. } => {
            assert!(shown.contains(&call.path) && shown.contains(call.method), "the message names the call: {shown}");
            ApiErr { error, excerpt }
        }
        other => panic!("expected an API error, got {other}"),
    }
}

// ---------------------------------------------------------------------------------------
// The rows. Each is a function of the fixture; the table below names it by its promise.

type RowFuture<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;
type Row = for<'a> fn(&'a Fx) -> RowFuture<'a>;

macro_rules! row {
    ($name:ident, |$fx:ident| $body:block) => {
        fn $name($fx: &Fx) -> RowFuture<'_> {
            Box::pin(async move $body)
        }
    };
}

// §2 control plane

row!(cp_health, |fx| {
    fx.cp.health().await.expect("GET /health is exactly 200");
});

row!(org_create_then_running, |fx| {
    let slug = "e2e-clients-second";
    let org = fx.cp.create_org(slug, "E2E second").await.expect("org create");
    assert!(uuid::Uuid::parse_str(&org.id).is_ok(), "the org id is a uuid: {org:?}");
    assert_eq!(org.slug, slug);
    assert_eq!(org.instance_status.as_deref(), Some("provisioning"), "a new org is not running yet");
    let running = org_running(&fx.cp, slug).await;
    assert_eq!(running.id, org.id);
    assert!(running.created_at.as_deref().is_some_and(|c| !c.is_empty()), "{running:?}");
    assert_eq!(running.status, None, "the org list has no status field");
});

row!(org_duplicate_slug, |fx| {
    let e = expect_api(fx.cp.create_org(SLUG, "E2E again").await, 409, None);
    assert!(!e.error().is_empty(), "a JSON error body: {}", e.excerpt);
    assert_eq!(fx.cp.list_orgs().await.expect("list").iter().filter(|o| o.slug == SLUG).count(), 1);
});

row!(org_admin_token, |fx| {
    let t = fx.cp.tenant_admin_token(SLUG).await.expect("admin token");
    assert_eq!(t.expose_secret(), fx.token.expose_secret(), "the same tenant token on every read");
    Tenant::new(&fx.url(), &fx.org_id, t).expect("client").list_workspaces().await.expect("the token opens the tenant");
    let e = expect_api(fx.cp.tenant_admin_token("e2e-no-such-org").await, 404, None);
    assert!(!e.error().is_empty(), "{}", e.excerpt);
});

row!(cp_wrong_bearer, |fx| {
    for bearer in [Some(secret("not-the-admin-token")), Some(fx.token.clone()), None] {
        let cp = ControlPlane::new(&fx.url(), bearer).expect("client");
        expect_api(cp.list_orgs().await, 401, None);
        expect_api(cp.tenant_admin_token(SLUG).await, 401, None);
    }
});

// §1 tenant guard and auth groups

row!(tenant_guard_missing_header, |fx| {
    let e = expect_api(fx.tenant.without_org_header().list_workspaces().await, 400, Some("TENANT_ORG_HEADER_REQUIRED"));
    assert_eq!(e.error(), "missing tenant routing header");
    e.body_has(r#""required_header":"X-Molecule-Org-Id""#);
});

row!(tenant_guard_wrong_org, |fx| {
    let stranger = Tenant::new(&fx.url(), &uuid::Uuid::new_v4().to_string(), fx.token.clone()).expect("client");
    let e = expect_api(stranger.list_workspaces().await, 404, None);
    assert_eq!(e.error, None, "never a 403, never a body");
    assert_eq!(e.excerpt, "(empty body)");
    expect_api(stranger.get_workspace(&uuid::Uuid::new_v4().to_string()).await, 404, None);
});

row!(tenant_guard_health_exempt, |fx| {
    fx.tenant.without_org_header().health().await.expect("/health passes the guard");
    fx.tenant.health().await.expect("tenant /health");
});

row!(admin_auth_refuses_workspace_token, |fx| {
    let (_, ws_token) = fx.external("ext-a", "external").await;
    let as_ws = fx.tenant.as_workspace(&ws_token);
    let e = expect_api(as_ws.list_workspaces().await, 401, None);
    assert_eq!(e.error(), "invalid admin auth token");
    let e = expect_api(as_ws.create_workspace(&CreateWorkspace::external("ext-b", "external")).await, 401, None);
    assert_eq!(e.error(), "invalid admin auth token");
});

row!(workspace_auth_refuses_another_token, |fx| {
    let (a, _) = fx.external("ext-a", "external").await;
    let (_, b_token) = fx.external("ext-b", "external").await;
    let e = expect_api(fx.tenant.as_workspace(&b_token).activity(&a, &ActivityQuery::default()).await, 401, None);
    assert_eq!(e.error(), "invalid workspace auth token");
    let e = expect_api(fx.tenant.as_workspace(&secret("not-a-token")).pause(&a).await, 401, None);
    assert_eq!(e.error(), "invalid workspace auth token");
});

// §3.2 create: every error code, first failing check wins

fn with_template(template: &str, model: Option<&str>) -> CreateWorkspace {
    let mut req = CreateWorkspace::platform("x", "seo-agent", "sonnet");
    req.template = Some(template.to_owned());
    req.model = model.map(str::to_owned);
    req
}

row!(create_template_escaping_root, |fx| {
    for t in ["../../etc", "/etc"] {
        let e = expect_api(fx.tenant.create_workspace(&with_template(t, Some("sonnet"))).await, 400, None);
        assert_eq!(e.error(), "invalid template", "{t}");
    }
});

row!(create_unknown_template, |fx| {
    let e = expect_api(
        fx.tenant.create_workspace(&with_template("no-such-template", Some("sonnet"))).await,
        422,
        Some("RUNTIME_UNRESOLVED"),
    );
    e.body_has(r#""template":"no-such-template""#);
    assert!(!e.error().is_empty());
    assert!(fx.tenant.list_workspaces().await.expect("list").is_empty(), "nothing was created");
});

row!(create_external_with_platform_runtime, |fx| {
    let e = expect_api(
        fx.tenant.create_workspace(&CreateWorkspace::external("x", "hermes")).await,
        422,
        Some("RUNTIME_UNSUPPORTED"),
    );
    assert_eq!(e.error(), r#"external workspaces must use runtime "external", "kimi", or "kimi-cli""#);
    e.body_has(r#""runtime":"hermes""#);
});

row!(create_unknown_runtime, |fx| {
    let req = CreateWorkspace::platform("x", "langgraph", "openai/gpt-4o");
    let e = expect_api(fx.tenant.create_workspace(&req).await, 422, Some("RUNTIME_UNSUPPORTED"));
    assert_eq!(e.error(), "unsupported workspace runtime");
    e.body_has(r#""runtime":"langgraph""#);
});

row!(create_without_model, |fx| {
    let mut req = CreateWorkspace::platform("x", "hermes", "");
    req.model = None;
    let e = expect_api(fx.tenant.create_workspace(&req).await, 422, Some("MODEL_REQUIRED"));
    e.body_has(r#""runtime":"hermes""#);
});

row!(create_unregistered_model, |fx| {
    let req = CreateWorkspace::platform("x", "claude-code", "minimax:MiniMax-M2.7");
    let e = expect_api(fx.tenant.create_workspace(&req).await, 422, Some("UNREGISTERED_MODEL_FOR_RUNTIME"));
    assert!(
        e.error().starts_with(r#"model "minimax:MiniMax-M2.7" is not a registered model for runtime "claude-code""#),
        "{}",
        e.error()
    );
    e.body_has(r#""model":"minimax:MiniMax-M2.7""#);
});

row!(create_strip_listed_secret, |fx| {
    let secrets = BTreeMap::from([("MINIMAX_API_KEY".to_owned(), secret("mx-test"))]);
    let req = CreateWorkspace::platform("x", "claude-code", "MiniMax-M2.7").with_secrets(secrets);
    let e = expect_api(fx.tenant.create_workspace(&req).await, 400, None);
    assert!(e.error().starts_with("direct vendor key writes are blocked for platform-managed workspaces"), "{}", e.error());
    e.body_has(r#""key":"MINIMAX_API_KEY""#).body_has(r#""workspace_id":"#);
    assert!(fx.tenant.list_workspaces().await.expect("list").is_empty(), "the whole create was rolled back");
});

// §3.2/§4 create answers and provisioning

row!(create_platform_then_online, |fx| {
    let c = fx
        .tenant
        .create_workspace(&CreateWorkspace::platform("E2E Parent", "claude-code", PLATFORM_MODEL))
        .await
        .expect("create");
    assert_eq!(c.status, "provisioning");
    assert!(!c.external && c.connection.is_none(), "{c:?}");
    let token = c.auth_token.clone().expect("a platform create mints auth_token");
    let row = fx.row(&c.id).await;
    assert!(matches!(row.status.as_str(), "provisioning" | "online"), "{row:?}");
    assert_eq!(row.runtime, "claude-code");
    let ready = fx.ready(&c.id).await;
    assert!(ready.url.starts_with("http://"), "{ready:?}");
    fx.tenant.as_workspace(&token).activity(&c.id, &ActivityQuery::default()).await.expect("the token is the workspace's");
});

row!(create_seo_agent_by_template, |fx| {
    let req = CreateWorkspace::platform("seo", "seo-agent", "sonnet");
    assert_eq!((req.template.as_deref(), req.runtime.as_deref()), (Some("seo-agent"), None), "sent as a template");
    let c = fx.tenant.create_workspace(&req).await.expect("create");
    assert_eq!(c.status, "provisioning");
    assert_eq!(fx.row(&c.id).await.runtime, "claude-code", "the template's config.yaml runtime");
});

row!(create_external_awaits_agent, |fx| {
    let c = fx.tenant.create_workspace(&CreateWorkspace::external("ext-e2e", "external")).await.expect("create");
    assert_eq!((c.status.as_str(), c.external), ("awaiting_agent", true));
    let conn = c.connection.as_ref().expect("the connection block");
    assert!(!conn.auth_token.expose_secret().is_empty());
    assert_eq!(conn.workspace_id.as_deref(), Some(c.id.as_str()));
    let url = fx.url();
    assert_eq!(conn.platform_url.as_deref(), Some(url.as_str()));
    assert_eq!(conn.registry_endpoint, Some(format!("{url}/registry/register")));
    assert_eq!(conn.heartbeat_endpoint, Some(format!("{url}/registry/heartbeat")));
    let row = fx.row(&c.id).await;
    assert_eq!((row.status.as_str(), row.runtime.as_str(), row.url.as_str()), ("awaiting_agent", "external", ""));
});

row!(create_kimi_keeps_label, |fx| {
    for runtime in ["kimi", "kimi-cli"] {
        let name = format!("ext-{runtime}-e2e");
        let c = fx.tenant.create_workspace(&CreateWorkspace::external(&name, runtime)).await.expect("create");
        assert_eq!(c.status, "awaiting_agent");
        assert!(c.connection.is_some(), "{c:?}");
        let row = fx.row(&c.id).await;
        assert_eq!((row.status.as_str(), row.runtime.as_str()), ("awaiting_agent", runtime));
    }
});

// §3.3/§3.5 rows, list, delete

row!(get_unknown, |fx| {
    let e = expect_api(fx.tenant.get_workspace(&uuid::Uuid::new_v4().to_string()).await, 404, None);
    assert_eq!(e.error(), "workspace not found");
});

row!(get_non_uuid, |fx| {
    let e = expect_api(fx.tenant.get_workspace("not-a-uuid").await, 400, None);
    assert_eq!(e.error(), "invalid workspace ID");
});

row!(list_excludes_removed, |fx| {
    let (gone, _) = fx.external("ext-gone", "external").await;
    let (kept, _) = fx.external("ext-kept", "external").await;
    let ack = fx.tenant.delete_workspace(&gone, "ext-gone").await.expect("delete");
    assert_eq!(ack.status, "removed");
    let ids: Vec<String> = fx.tenant.list_workspaces().await.expect("list").into_iter().map(|r| r.id).collect();
    assert_eq!(ids, [kept]);
    let e = expect_api(fx.tenant.get_workspace(&gone).await, 410, None);
    assert_eq!(e.error(), "workspace removed");
});

row!(delete_needs_confirm_name, |fx| {
    let (id, _) = fx.external("ext-a", "external").await;
    let e = expect_api(fx.tenant.delete_workspace(&id, "not-its-name").await, 400, None);
    assert_eq!(e.error(), "destructive_action_requires_confirmation");
    e.body_has(r#""workspace_name":"ext-a""#);
    assert_eq!(fx.row(&id).await.status, "awaiting_agent", "nothing was deleted");
    assert_eq!(fx.tenant.delete_workspace(&id, "ext-a").await.expect("delete").status, "removed");
});

// §3.7 billing, secrets, tokens

row!(billing_byok_round_trip, |fx| {
    let (id, _) = fx.platform("E2E Parent").await;
    let before = fx.tenant.billing_mode(&id).await.expect("GET billing");
    assert_eq!(before.resolved_mode, "platform_managed", "a platform model: {before:?}");
    assert_eq!((before.workspace_id.as_deref(), before.workspace_override.as_deref()), (Some(id.as_str()), None));
    let set = fx.tenant.set_billing_mode(&id, "byok").await.expect("PUT byok");
    assert_eq!((set.resolved_mode.as_str(), set.workspace_override.as_deref()), ("byok", Some("byok")));
    assert_eq!(fx.tenant.billing_mode(&id).await.expect("GET billing").resolved_mode, "byok", "it sticks");
    let e = expect_api(fx.tenant.set_billing_mode(&id, "free").await, 400, None);
    assert!(!e.error().is_empty());
    // GetWorkspaceLLMBillingMode reads no row first: an unknown id resolves as a row with no
    // secrets would.
    let unknown = fx.tenant.billing_mode(&uuid::Uuid::new_v4().to_string()).await.expect("GET billing of an unknown id");
    assert_eq!((unknown.resolved_mode.as_str(), unknown.source.as_deref()), ("platform_managed", Some("derived_default")));
});

row!(secrets_and_strip_list, |fx| {
    let (id, _) = fx.platform("E2E Parent").await;
    fx.tenant.put_secret(&id, "GOOGLE_API_KEY", &secret("g-test")).await.expect("a non-listed key is saved");
    let e = expect_api(fx.tenant.put_secret(&id, "MINIMAX_API_KEY", &secret("mx-test")).await, 400, None);
    assert!(e.error().starts_with("direct vendor key writes are blocked for platform-managed workspaces"), "{}", e.error());
    e.body_has(r#""key":"MINIMAX_API_KEY""#);
    fx.tenant.set_billing_mode(&id, "byok").await.expect("byok");
    fx.tenant.put_secret(&id, "MINIMAX_API_KEY", &secret("mx-test")).await.expect("accepted once byok");
});

row!(mint_token, |fx| {
    let (id, first) = fx.external("ext-a", "external").await;
    let (other, _) = fx.external("ext-b", "external").await;
    let minted = fx.tenant.mint_token(&id).await.expect("mint");
    assert_ne!(minted.expose_secret(), first.expose_secret(), "a fresh token");
    let as_ws = fx.tenant.as_workspace(&minted);
    as_ws.activity(&id, &ActivityQuery::default()).await.expect("the minted token is the workspace's");
    let e = expect_api(as_ws.activity(&other, &ActivityQuery::default()).await, 401, None);
    assert_eq!(e.error(), "invalid workspace auth token");
});

// §3.8 activity

row!(activity_type_filter, |fx| {
    let (id, _) = fx.poll("ext-poll").await;
    for n in 1..=2 {
        fx.send(&id, &SendMessage::text(format!("hi {n}"))).await;
    }
    let rows = fx.tenant.activity(&id, &ActivityQuery::of_type("a2a_receive")).await.expect("activity");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| r.activity_type == "a2a_receive" && r.workspace_id.as_deref() == Some(id.as_str())));
    assert!(fx.tenant.activity(&id, &ActivityQuery::of_type("agent_log")).await.expect("activity").is_empty());
});

row!(activity_since_id, |fx| {
    let (id, _) = fx.poll("ext-poll").await;
    let mut sent = Vec::new();
    for n in 1..=3 {
        let m = SendMessage::text(format!("message {n}"));
        fx.send(&id, &m).await;
        sent.push(m.message_id().to_owned());
    }
    let ids = |rows: &[molecule_e2e::client::ActivityRow]| rows.iter().map(|r| r.message_id().unwrap_or_default().to_owned()).collect::<Vec<_>>();
    let all = fx.tenant.activity(&id, &ActivityQuery::default()).await.expect("activity");
    assert_eq!(ids(&all), [sent[2].as_str(), &sent[1], &sent[0]], "newest first without a cursor");
    let after = fx.tenant.activity(&id, &ActivityQuery::default().since(Some(&all[2].id))).await.expect("since_id");
    assert_eq!(ids(&after), [sent[1].as_str(), &sent[2]], "strictly after the cursor, oldest first");
    let none = fx.tenant.activity(&id, &ActivityQuery::default().since(Some(&all[0].id))).await.expect("since_id");
    assert!(none.is_empty(), "{none:?}");
});

row!(activity_unknown_cursor, |fx| {
    let (id, _) = fx.poll("ext-poll").await;
    let cursor = uuid::Uuid::new_v4().to_string();
    let e = expect_api(fx.tenant.activity(&id, &ActivityQuery::default().since(Some(&cursor))).await, 410, None);
    assert!(e.error().contains("since_id"), "{}", e.error());
});

// §3.6 lifecycle

row!(pause_reaches_paused, |fx| {
    let id = fx.online("E2E Parent").await;
    assert_eq!(fx.tenant.pause(&id).await.expect("pause").status, "paused");
    let row = fx.row(&id).await;
    assert_eq!((row.status.as_str(), row.url.as_str()), ("paused", ""));
    let e = expect_api(fx.tenant.pause(&id).await, 404, None);
    assert_eq!(e.error(), "workspace not found or already paused");
});

row!(resume_reaches_online, |fx| {
    let id = fx.online("E2E Parent").await;
    fx.tenant.pause(&id).await.expect("pause");
    assert_eq!(fx.tenant.resume(&id).await.expect("resume").status, "provisioning");
    fx.ready(&id).await;
});

row!(resume_not_paused, |fx| {
    let (id, _) = fx.external("ext-a", "external").await;
    let e = expect_api(fx.tenant.resume(&id).await, 404, None);
    assert_eq!(e.error(), "workspace not found or not paused");
});

row!(hibernate_reaches_hibernated, |fx| {
    let id = fx.online("E2E Parent").await;
    assert_eq!(fx.tenant.hibernate(&id, true).await.expect("hibernate").status, "hibernated");
    let row = fx.row(&id).await;
    assert_eq!((row.status.as_str(), row.url.as_str()), ("hibernated", ""));
    let e = expect_api(fx.tenant.resume(&id).await, 404, None);
    assert_eq!(e.error(), "workspace not found or not paused", "resume does not take hibernated rows");
});

row!(hibernate_not_online, |fx| {
    let (id, _) = fx.external("ext-a", "external").await;
    let e = expect_api(fx.tenant.hibernate(&id, true).await, 404, None);
    assert_eq!(e.error(), "workspace not found or not in a hibernatable state (must be online or degraded)");
});

row!(restart_answers, |fx| {
    let (ext, _) = fx.external("ext-a", "external").await;
    assert_eq!(fx.tenant.restart(&ext).await.expect("restart external").status, "noop");
    let (id, _) = fx.platform("E2E Parent").await;
    assert_eq!(fx.tenant.restart(&id).await.expect("restart platform").status, "provisioning");
    fx.ready(&id).await;
});

// §6 A2A

row!(a2a_push_pong, |fx| {
    let id = fx.online("E2E Parent").await;
    let msg = SendMessage::text(PONG_PROMPT).with_id("e2e-msg-1");
    let a = fx.send(&id, &msg).await;
    assert_eq!((a.status, a.attempts), (200, 1));
    assert_eq!(a.body["id"], "e2e-msg-1", "the runtime's reply passes through verbatim");
    let reply = Reply::parse(a.status, &a.body).expect("a reply");
    assert!(["message", "task"].contains(&reply.kind()), "a Message or a Task, as STANDIN_REPLY_SHAPE says: {}", reply.kind());
    assert_eq!(reply.text().as_deref(), Some("PONG"));
});

row!(a2a_receive_row, |fx| {
    let id = fx.online("E2E Parent").await;
    let msg = SendMessage::text(PONG_PROMPT).with_id("e2e-msg-1");
    fx.send(&id, &msg).await;
    let rows = fx.tenant.activity(&id, &ActivityQuery::of_type("a2a_receive")).await.expect("activity");
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!(r.method.as_deref(), Some("message/send"));
    assert_eq!(r.status.as_deref(), Some("ok"));
    assert_eq!(r.summary.as_deref(), Some("message/send → E2E Parent"));
    assert_eq!((r.target_id.as_deref(), r.source_id.as_deref()), (Some(id.as_str()), None), "admin callers are canvas callers");
    assert_eq!(r.message_id(), Some(msg.message_id()));
    let body = r.response_body.as_ref().expect("the reply is recorded");
    let text = ["/result/parts/0/text", "/result/artifacts/0/parts/0/text"].iter().find_map(|p| body.pointer(p));
    assert_eq!(text, Some(&json!("PONG")), "the recorded reply carries the answer: {body}");
});

row!(a2a_caller_attribution, |fx| {
    let (target, _) = fx.poll("ext-target").await;
    // The caller is the target's child: two root workspaces may not talk (CanCommunicate).
    let c = fx.tenant.create_workspace(&CreateWorkspace::external("ext-caller", "external").with_parent(&target)).await.expect("child create");
    let (caller, caller_token) = (c.id.clone(), c.token().expect("connection.auth_token").clone());
    let as_caller = fx.tenant.as_workspace(&caller_token).with_caller(&caller).expect("caller header");
    let a = as_caller.a2a(&target, &SendMessage::text("from a peer").to_v03(), &RetryPolicy::hermetic(3)).await.expect("a2a");
    assert_eq!(a.status, 200);
    let rows = fx.tenant.activity(&target, &ActivityQuery::of_type("a2a_receive")).await.expect("activity");
    assert_eq!(rows[0].source_id.as_deref(), Some(caller.as_str()), "{rows:?}");
});

row!(a2a_waking, |fx| {
    let id = fx.online("E2E Parent").await;
    fx.tenant.hibernate(&id, true).await.expect("hibernate");
    let a = fx.send(&id, &SendMessage::text(PONG_PROMPT)).await;
    assert_eq!((a.status, a.retry_after, a.attempts), (503, Some(Duration::from_secs(15)), 1), "{a:?}");
    match Reply::parse(a.status, &a.body).expect("a platform answer") {
        Reply::Waking(w) => {
            assert_eq!(w.retry_after, Some(15));
            assert!(w.error.starts_with("workspace is waking from hibernation"), "{}", w.error);
        }
        other => panic!("expected waking, got {other:?}"),
    }
    fx.ready(&id).await;
    let again = fx.send(&id, &SendMessage::text(PONG_PROMPT)).await;
    assert_eq!(Reply::parse(again.status, &again.body).expect("a reply").text().as_deref(), Some("PONG"));
});

row!(a2a_poll_queued, |fx| {
    let (id, token) = fx.poll("ext-poll").await;
    let msg = SendMessage::text("BYO meta-runtime poll-route smoke. Respond: OK").with_id("e2e-byo-1");
    let a = fx.send(&id, &msg).await;
    assert_eq!(a.status, 200);
    match Reply::parse(a.status, &a.body).expect("a platform answer") {
        Reply::Queued(q) => {
            assert_eq!((q.status.as_str(), q.delivery_mode.as_str(), q.method.as_str()), ("queued", "poll", "message/send"));
            assert_eq!(q.keys, ["delivery_mode", "method", "status"], "exactly three keys, no ids");
        }
        other => panic!("expected queued, got {other:?}"),
    }
    // The agent reads its queue with its own token.
    let rows = fx.tenant.as_workspace(&token).activity(&id, &ActivityQuery::of_type("a2a_receive")).await.expect("activity");
    assert_eq!(rows[0].summary.as_deref(), Some("message/send → ext-poll (queued for poll)"));
    assert_eq!(rows[0].message_id(), Some(msg.message_id()));
    assert_eq!(rows[0].message_text().as_deref(), Some("BYO meta-runtime poll-route smoke. Respond: OK"));
});

// §5 registry

row!(register_poll_online, |fx| {
    let (id, token) = fx.external("ext-e2e", "external").await;
    let r = fx.tenant.as_workspace(&token).register(&register_body(&id, "poll")).await.expect("register");
    assert_eq!((r.status.as_str(), r.delivery_mode.as_deref()), ("registered", Some("poll")));
    let row = fx.row(&id).await;
    // Poll mode skips the URL checks, but the register upsert still stores the URL sent.
    assert_eq!((row.status.as_str(), row.url.as_str()), ("online", "https://example.invalid:443"));
    assert_eq!(row.agent_card.as_ref().and_then(|c| c.get("name")), Some(&json!("e2e-ext")));
    let e = expect_api(fx.tenant.register(&register_body(&id, "poll")).await, 401, None);
    assert_eq!(e.error(), "invalid workspace auth token", "the admin token is not the workspace's");
});

row!(heartbeat_online, |fx| {
    let (id, token) = fx.external("ext-e2e", "external").await;
    let e = expect_api(fx.tenant.heartbeat(&id).await, 401, None);
    assert_eq!(e.error(), "invalid workspace auth token");
    fx.tenant.as_workspace(&token).heartbeat(&id).await.expect("heartbeat");
    assert_eq!(fx.row(&id).await.status, "online", "awaiting_agent + heartbeat → online");
});

row!(notify_sent, |fx| {
    let (id, token) = fx.poll("ext-poll").await;
    assert_eq!(fx.tenant.as_workspace(&token).notify(&id, "hello user").await.expect("notify").status, "sent");
});

// Full mode: memories, KV, peers, files, diagnose, config, shared-context

row!(memories_round_trip, |fx| {
    let (id, _) = fx.external("ext-a", "external").await;
    let mid = fx.tenant.add_memory(&id, "E2E seed memory", "LOCAL").await.expect("add memory");
    assert!(!mid.is_empty());
    let listed = fx.tenant.memories(&id, "LOCAL").await.expect("memories");
    assert!(listed.iter().any(|c| c == "E2E seed memory"), "{listed:?}");
    expect_api(fx.tenant.add_memory(&id, "x", "UNIVERSE").await, 400, None);
});

row!(memory_kv, |fx| {
    let (id, _) = fx.external("ext-a", "external").await;
    let t = &fx.tenant;
    assert_eq!(t.memory_set(&id, "e2e-kv", &json!({"step": 1}), None).await.expect("seed"), 1);
    let got = t.memory_get(&id, "e2e-kv").await.expect("get");
    assert_eq!((&got["key"], &got["value"], &got["version"]), (&json!("e2e-kv"), &json!({"step": 1}), &json!(1)));
    assert_eq!(t.memory_set(&id, "e2e-kv", &json!({"step": 2}), Some(1)).await.expect("update"), 2);
    let e = expect_api(t.memory_set(&id, "e2e-kv", &json!({"step": 3}), Some(1)).await, 409, None);
    assert_eq!(e.error(), "if_match_version mismatch");
    e.body_has(r#""expected_version":1"#).body_has(r#""current_version":2"#);
    t.memory_delete(&id, "e2e-kv").await.expect("delete");
    let e = expect_api(t.memory_get(&id, "e2e-kv").await, 404, None);
    assert_eq!(e.error(), "key not found");
});

row!(peers_own_token, |fx| {
    let (parent, parent_token) = fx.external("ext-parent", "external").await;
    let child_req = CreateWorkspace::external("ext-child", "external").with_parent(&parent);
    let c = fx.tenant.create_workspace(&child_req).await.expect("child");
    let child_token = c.token().expect("token").clone();
    let ids = |rows: Vec<Value>| rows.iter().filter_map(|r| r["id"].as_str().map(str::to_owned)).collect::<Vec<_>>();
    let of_child = ids(fx.tenant.as_workspace(&child_token).peers(&c.id).await.expect("peers"));
    assert_eq!(of_child, [parent.as_str()], "the parent, never self");
    let of_parent = ids(fx.tenant.as_workspace(&parent_token).peers(&parent).await.expect("peers"));
    assert_eq!(of_parent, [c.id.as_str()], "the child, never self");
});

row!(peers_admin_token, |fx| {
    let (id, _) = fx.external("ext-a", "external").await;
    let e = expect_api(fx.tenant.peers(&id).await, 401, None);
    assert_eq!(e.error(), "invalid workspace auth token", "at REF only the workspace's own token passes");
});

row!(upload_download, |fx| {
    let id = fx.online("E2E Parent").await;
    let uri = fx.tenant.upload(&id, "pixel.png", "image/png", PIXEL_PNG.to_vec()).await.expect("upload");
    assert!(uri.starts_with("workspace:"), "{uri}");
    let bytes = fx.tenant.download(&id, &uri).await.expect("download");
    assert_eq!(bytes, PIXEL_PNG, "byte-identical");
});

row!(diagnose_ok, |fx| {
    let id = fx.online("E2E Parent").await;
    let report = fx.tenant.diagnose(&id).await.expect("diagnose");
    assert_eq!(report["ok"], true, "{report}");
    let steps = report["steps"].as_array().expect("steps");
    assert!(!steps.is_empty() && steps.iter().all(|s| s["ok"] == true), "{report}");
});

row!(put_config_yaml, |fx| {
    let id = fx.online("E2E Parent").await;
    fx.tenant.put_file(&id, "config.yaml", "runtime: claude-code\nmodel: minimax/MiniMax-M2.7\n").await.expect("PUT config.yaml");
    fx.ready(&id).await;
});

row!(shared_context_gone, |fx| {
    let (id, _) = fx.external("ext-a", "external").await;
    let status = fx.tenant.status_of("shared_context", &format!("/workspaces/{id}/shared-context")).await.expect("an answer");
    assert_ne!(status, 200);
    assert_eq!(status, 404, "the route is removed");
});

// §2 teardown

row!(delete_tenant, |fx| {
    fx.external("ext-a", "external").await;
    fx.cp.delete_tenant(SLUG).await.expect("delete tenant");
    let cp = &fx.cp;
    wait(format!("org {SLUG} to leave the list"))
        .until(move || async move {
            Ok(match cp.org(SLUG).await? {
                None => Probe::Ready(()),
                Some(o) => Probe::Pending(format!("still listed: {o:?}")),
            })
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(fx.cp.list_orgs().await.expect("list").iter().all(|o| o.slug != SLUG));
    fx.cp.delete_tenant(SLUG).await.expect("idempotent");
    expect_api(fx.tenant.list_workspaces().await, 404, None);
});

// ---------------------------------------------------------------------------------------
// The table.

#[rstest]
#[case::cp_health_is_200(cp_health)]
#[case::org_create_answers_an_id_and_reaches_running(org_create_then_running)]
#[case::org_duplicate_slug_is_409(org_duplicate_slug)]
#[case::org_admin_token_opens_the_tenant_and_unknown_slug_is_404(org_admin_token)]
#[case::cp_wrong_or_missing_bearer_is_401(cp_wrong_bearer)]
#[case::tenant_missing_org_header_is_400_tenant_org_header_required(tenant_guard_missing_header)]
#[case::tenant_wrong_org_id_is_404_with_an_empty_body(tenant_guard_wrong_org)]
#[case::tenant_health_is_exempt_from_the_guard(tenant_guard_health_exempt)]
#[case::admin_auth_with_a_workspace_token_is_401_invalid_admin_auth_token(admin_auth_refuses_workspace_token)]
#[case::workspace_auth_with_another_token_is_401_invalid_workspace_auth_token(workspace_auth_refuses_another_token)]
#[case::create_with_a_template_path_escaping_the_root_is_400_invalid_template(create_template_escaping_root)]
#[case::create_with_an_unknown_template_is_422_runtime_unresolved(create_unknown_template)]
#[case::create_external_with_a_platform_runtime_is_422_runtime_unsupported(create_external_with_platform_runtime)]
#[case::create_with_an_unknown_runtime_is_422_runtime_unsupported(create_unknown_runtime)]
#[case::create_without_a_model_is_422_model_required(create_without_model)]
#[case::create_with_unregistered_model_is_422_unregistered_model_for_runtime(create_unregistered_model)]
#[case::create_with_a_strip_listed_secret_is_400_and_creates_nothing(create_strip_listed_secret)]
#[case::create_platform_is_201_provisioning_with_a_token_then_online_with_a_url(create_platform_then_online)]
#[case::create_seo_agent_by_template_reads_claude_code(create_seo_agent_by_template)]
#[case::create_external_is_awaiting_agent_with_connection_auth_token(create_external_awaits_agent)]
#[case::create_kimi_keeps_its_runtime_label(create_kimi_keeps_label)]
#[case::get_unknown_workspace_is_404(get_unknown)]
#[case::get_non_uuid_is_400_invalid_workspace_id(get_non_uuid)]
#[case::list_excludes_removed_and_get_removed_is_410(list_excludes_removed)]
#[case::delete_without_the_confirm_name_is_400(delete_needs_confirm_name)]
#[case::billing_byok_round_trip(billing_byok_round_trip)]
#[case::secrets_write_then_strip_list_refused_while_platform_managed(secrets_and_strip_list)]
#[case::mint_token_answers_a_working_workspace_token(mint_token)]
#[case::activity_type_filter(activity_type_filter)]
#[case::activity_since_id_is_strictly_after_oldest_first(activity_since_id)]
#[case::activity_unknown_cursor_is_410(activity_unknown_cursor)]
#[case::pause_answers_paused_and_get_reads_paused(pause_reaches_paused)]
#[case::resume_answers_provisioning_then_online(resume_reaches_online)]
#[case::resume_of_a_workspace_not_paused_is_404(resume_not_paused)]
#[case::hibernate_answers_hibernated_and_get_reads_hibernated(hibernate_reaches_hibernated)]
#[case::hibernate_of_a_workspace_not_online_is_404(hibernate_not_online)]
#[case::restart_is_noop_for_external_and_provisioning_for_platform(restart_answers)]
#[case::a2a_push_answers_pong(a2a_push_pong)]
#[case::a2a_leaves_an_a2a_receive_row(a2a_receive_row)]
#[case::a2a_caller_is_attributed_from_x_workspace_id(a2a_caller_attribution)]
#[case::a2a_to_a_hibernated_workspace_is_503_waking_with_retry_after(a2a_waking)]
#[case::a2a_to_a_poll_workspace_is_queued_and_readable(a2a_poll_queued)]
#[case::register_poll_echoes_poll_and_goes_online(register_poll_online)]
#[case::heartbeat_brings_awaiting_agent_online(heartbeat_online)]
#[case::notify_is_sent(notify_sent)]
#[case::memories_are_listed_back(memories_round_trip)]
#[case::memory_kv_with_a_stale_version_is_409(memory_kv)]
#[case::peers_with_the_own_token_list_relatives_not_self(peers_own_token)]
#[case::peers_with_the_admin_token_is_401(peers_admin_token)]
#[case::upload_then_download_is_byte_equal(upload_download)]
#[case::diagnose_is_ok(diagnose_ok)]
#[case::put_config_yaml_is_accepted_and_comes_back_online(put_config_yaml)]
#[case::shared_context_is_not_200(shared_context_gone)]
#[case::delete_tenant_removes_the_org_from_the_list(delete_tenant)]
#[tokio::test]
async fn client_contract(#[case] row: Row) {
    let fx = Fx::start().await;
    row(&fx).await;
}
