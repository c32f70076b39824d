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
use molecule_e2e::client::{A2aAnswer, ActivityQuery, ControlPlane, Org, Receipt, RetryPolicy, Tenant, TenantDelete, WorkspaceRow};
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
        // No boot turns: these rows send A2A themselves, unfollowed (the queue has rows of its own).
        boot_turn: Duration::ZERO,
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
        let standin = StandIn::start(StandInConfig::reference().with_delays(delays()), ([127, 0, 0, 1], 0).into())
            .await
            .expect("the stand-in starts");
        let cp = ControlPlane::new(&standin.url(), Some(secret(standin.admin_token()))).expect("control-plane client");
        let org = cp.create_org(SLUG, "E2E clients", None).await.expect("org create");
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

// `row!` is defined in `rows` and used in `full_rows`: `rows` comes first.
#[macro_use]
mod rows;
mod full_rows;

use full_rows::*;
use rows::*;

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
#[case::peers_with_the_admin_token_are_refused_at_the_reference_commit(peers_admin_token)]
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
