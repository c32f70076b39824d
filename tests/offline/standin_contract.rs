//! The stand-in keeps the platform contract (`shared/contract/platform.md`): one table row per
//! promise about paths, guards, auth groups and error codes, then flow tests for the
//! transitions (org readiness, provisioning, PONG through the proxy, pause/resume,
//! hibernate/wake, external register/queued/stale, teardown).

#[path = "standin_kit.rs"]
pub mod kit;

use std::time::Duration;

use kit::{As, Kit, answer_text, eventually, holds_for, is_subset, no_runtime_delays, pong_envelope};
use molecule_e2e::standin::{Delays, Fault, FaultOutcome, PlatformVersion, StandInConfig};
use reqwest::Method;
use rstest::rstest;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// The table: (request) → (status, JSON subset). Placeholders: {ws} an external poll-mode
// workspace (awaiting_agent), {pws} a platform workspace (provisioning, platform model),
// {slug} the org slug, {other} a random UUID. Tokens: WsToken = {ws}'s own token.

#[derive(Clone, Copy, Debug)]
enum Org {
    Right,
    Missing,
    Wrong,
}

#[derive(Clone, Copy, Debug)]
enum Who {
    Nobody,
    Admin,
    Cp,
    Wrong,
    WsToken,
    PwsToken,
}

#[derive(Debug)]
struct Call {
    method: &'static str,
    path: &'static str,
    org: Org,
    who: Who,
    body: Option<&'static str>,
    headers: &'static [(&'static str, &'static str)],
}

fn req(method: &'static str, path: &'static str) -> Call {
    Call { method, path, org: Org::Right, who: Who::Admin, body: None, headers: &[] }
}

impl Call {
    fn org(mut self, org: Org) -> Self {
        self.org = org;
        self
    }
    fn who(mut self, who: Who) -> Self {
        self.who = who;
        self
    }
    fn json(mut self, body: &'static str) -> Self {
        self.body = Some(body);
        self
    }
    fn headers(mut self, h: &'static [(&'static str, &'static str)]) -> Self {
        self.headers = h;
        self
    }
}

/// Expected status and a JSON subset of the body; `"EMPTY"` = the body must be empty, `""` =
/// the body is not checked.
#[derive(Debug)]
struct Want(u16, &'static str);

#[rstest]
#[case::missing_org_header_is_400_tenant_org_header_required(
    req("GET", "/workspaces").org(Org::Missing),
    Want(400, r#"{"error":"missing tenant routing header","code":"TENANT_ORG_HEADER_REQUIRED","required_header":"X-Molecule-Org-Id"}"#))]
#[case::unknown_org_id_is_404_with_an_empty_body(req("GET", "/workspaces").org(Org::Wrong), Want(404, "EMPTY"))]
#[case::missing_org_header_on_an_unknown_route_is_still_400(req("GET", "/nope").org(Org::Missing), Want(400, r#"{"code":"TENANT_ORG_HEADER_REQUIRED"}"#))]
#[case::health_is_exempt_from_the_tenant_guard(req("GET", "/health").org(Org::Missing).who(Who::Nobody), Want(200, ""))]
#[case::buildinfo_is_exempt_from_the_tenant_guard(req("GET", "/buildinfo").org(Org::Missing).who(Who::Nobody), Want(200, ""))]
#[case::register_is_exempt_from_the_tenant_guard(req("POST", "/registry/register").org(Org::Missing).json("{}"), Want(400, r#"{"error":"invalid request body"}"#))]
#[case::heartbeat_is_exempt_from_the_tenant_guard(req("POST", "/registry/heartbeat").org(Org::Missing).json("{}"), Want(400, r#"{"error":"invalid request body"}"#))]
#[case::cp_admin_without_a_bearer_is_401(req("GET", "/cp/admin/orgs").org(Org::Missing).who(Who::Nobody), Want(401, ""))]
#[case::cp_admin_with_the_tenant_token_is_401(req("GET", "/cp/admin/orgs").org(Org::Missing).who(Who::Admin), Want(401, ""))]
#[case::cp_admin_token_of_an_unknown_slug_is_404(req("GET", "/cp/admin/orgs/no-such-org/admin-token").who(Who::Cp), Want(404, ""))]
#[case::cp_tenant_delete_without_confirm_is_400(req("DELETE", "/cp/admin/tenants/{slug}").who(Who::Cp).json("{}"), Want(400, ""))]
#[case::cp_tenant_delete_with_the_wrong_confirm_is_400(req("DELETE", "/cp/admin/tenants/{slug}").who(Who::Cp).json(r#"{"confirm":"other"}"#), Want(400, ""))]
#[case::cp_tenant_delete_of_an_unknown_slug_is_200_idempotent(req("DELETE", "/cp/admin/tenants/gone").who(Who::Cp).json(r#"{"confirm":"gone"}"#), Want(200, ""))]
#[case::cp_duplicate_slug_is_409(req("POST", "/cp/admin/orgs").who(Who::Cp).json(r#"{"slug":"e2e-standin-test","name":"x","owner_user_id":"y"}"#), Want(409, ""))]
#[case::admin_route_without_a_bearer_is_401_admin_auth_required(req("GET", "/workspaces").who(Who::Nobody), Want(401, r#"{"error":"admin auth required"}"#))]
#[case::admin_route_with_a_wrong_bearer_is_401_invalid_admin_auth_token(req("GET", "/workspaces").who(Who::Wrong), Want(401, r#"{"error":"invalid admin auth token"}"#))]
#[case::admin_route_refuses_a_workspace_token(req("GET", "/workspaces").who(Who::WsToken), Want(401, r#"{"error":"invalid admin auth token"}"#))]
#[case::workspace_route_without_a_bearer_is_401_missing_workspace_auth_token(req("POST", "/workspaces/{ws}/pause").who(Who::Nobody), Want(401, r#"{"error":"missing workspace auth token"}"#))]
#[case::workspace_route_with_a_wrong_bearer_is_401_invalid_workspace_auth_token(req("GET", "/workspaces/{ws}/activity").who(Who::Wrong), Want(401, r#"{"error":"invalid workspace auth token"}"#))]
#[case::workspace_route_refuses_another_workspaces_token(req("GET", "/workspaces/{ws}/activity").who(Who::PwsToken), Want(401, r#"{"error":"invalid workspace auth token"}"#))]
#[case::workspace_route_accepts_the_workspaces_own_token(req("GET", "/workspaces/{ws}/activity").who(Who::WsToken), Want(200, "[]"))]
#[case::get_row_is_open_behind_the_tenant_guard(req("GET", "/workspaces/{ws}").who(Who::Nobody), Want(200, r#"{"status":"awaiting_agent","runtime":"external","url":"","role":null}"#))]
#[case::get_row_of_a_non_uuid_is_400(req("GET", "/workspaces/not-a-uuid"), Want(400, r#"{"error":"invalid workspace ID"}"#))]
#[case::get_row_of_an_unknown_uuid_is_404(req("GET", "/workspaces/{other}"), Want(404, r#"{"error":"workspace not found"}"#))]
#[case::create_without_a_name_is_400_invalid_workspace_payload(req("POST", "/workspaces").json(r#"{"runtime":"hermes"}"#), Want(400, r#"{"error":"invalid workspace payload"}"#))]
#[case::create_with_a_mistyped_field_is_400_invalid_workspace_payload(req("POST", "/workspaces").json(r#"{"name":"x","tier":"two"}"#), Want(400, r#"{"error":"invalid workspace payload"}"#))]
#[case::create_with_braces_in_the_name_is_400_invalid_workspace_fields(req("POST", "/workspaces").json(r#"{"name":"a{b}","runtime":"hermes","model":"openai/gpt-4o"}"#), Want(400, r#"{"error":"invalid workspace fields"}"#))]
#[case::create_with_a_newline_in_the_model_is_400_invalid_workspace_fields(req("POST", "/workspaces").json(r#"{"name":"x","model":"a\nb"}"#), Want(400, r#"{"error":"invalid workspace fields"}"#))]
#[case::create_with_a_template_path_escaping_the_root_is_400_invalid_template(req("POST", "/workspaces").json(r#"{"name":"x","template":"../../etc"}"#), Want(400, r#"{"error":"invalid template"}"#))]
#[case::create_with_an_absolute_template_path_is_400_invalid_template(req("POST", "/workspaces").json(r#"{"name":"x","template":"/etc"}"#), Want(400, r#"{"error":"invalid template"}"#))]
#[case::create_with_an_unknown_template_is_422_runtime_unresolved(req("POST", "/workspaces").json(r#"{"name":"x","template":"no-such-template"}"#),
    Want(422, r#"{"code":"RUNTIME_UNRESOLVED","template":"no-such-template"}"#))]
#[case::create_external_with_a_platform_runtime_is_422_runtime_unsupported(req("POST", "/workspaces").json(r#"{"name":"x","runtime":"hermes","external":true}"#),
    Want(422, r#"{"code":"RUNTIME_UNSUPPORTED","runtime":"hermes","error":"external workspaces must use runtime \"external\", \"kimi\", or \"kimi-cli\""}"#))]
#[case::create_with_an_unknown_runtime_is_422_unsupported_workspace_runtime(req("POST", "/workspaces").json(r#"{"name":"x","runtime":"langgraph","model":"openai/gpt-4o"}"#),
    Want(422, r#"{"code":"RUNTIME_UNSUPPORTED","runtime":"langgraph","error":"unsupported workspace runtime"}"#))]
#[case::create_without_a_model_is_422_model_required(req("POST", "/workspaces").json(r#"{"name":"x","runtime":"hermes"}"#), Want(422, r#"{"code":"MODEL_REQUIRED","runtime":"hermes"}"#))]
#[case::create_claude_code_with_the_colon_minimax_slug_is_422_unregistered(req("POST", "/workspaces").json(r#"{"name":"x","runtime":"claude-code","model":"minimax:MiniMax-M2.7"}"#),
    Want(422, r#"{"code":"UNREGISTERED_MODEL_FOR_RUNTIME","runtime":"claude-code","model":"minimax:MiniMax-M2.7"}"#))]
#[case::create_codex_with_openai_gpt_4o_is_422_unregistered(req("POST", "/workspaces").json(r#"{"name":"x","runtime":"codex","model":"openai/gpt-4o"}"#), Want(422, r#"{"code":"UNREGISTERED_MODEL_FOR_RUNTIME"}"#))]
#[case::create_with_a_bad_delivery_mode_is_400(req("POST", "/workspaces").json(r#"{"name":"x","runtime":"external","external":true,"delivery_mode":"carrier-pigeon"}"#), Want(400, r#"{"error":"delivery_mode must be 'push' or 'poll'"}"#))]
#[case::create_with_a_bad_workspace_access_is_400(req("POST", "/workspaces").json(r#"{"name":"x","runtime":"hermes","model":"openai/gpt-4o","workspace_access":"root"}"#), Want(400, r#"{"error":"invalid workspace access"}"#))]
#[case::create_with_a_strip_listed_secret_is_400_naming_the_key(req("POST", "/workspaces").json(r#"{"name":"x","runtime":"claude-code","model":"MiniMax-M2.7","secrets":{"MINIMAX_API_KEY":"k"}}"#), Want(400, r#"{"key":"MINIMAX_API_KEY"}"#))]
#[case::create_platform_runtime_is_201_provisioning(req("POST", "/workspaces").json(r#"{"name":"x","tier":2,"runtime":"hermes","model":"openai/gpt-4o"}"#), Want(201, r#"{"status":"provisioning","workspace_access":"none"}"#))]
#[case::create_google_adk_is_allowed(req("POST", "/workspaces").json(r#"{"name":"x","runtime":"google-adk","model":"gemini-2.5-pro"}"#), Want(201, r#"{"status":"provisioning"}"#))]
#[case::create_seo_agent_by_template_is_201(req("POST", "/workspaces").json(r#"{"name":"x","template":"seo-agent","model":"sonnet"}"#), Want(201, r#"{"status":"provisioning"}"#))]
#[case::create_external_is_201_awaiting_agent(req("POST", "/workspaces").json(r#"{"name":"ext-e2e","runtime":"external","external":true}"#), Want(201, r#"{"external":true,"status":"awaiting_agent"}"#))]
#[case::create_kimi_needs_no_model(req("POST", "/workspaces").json(r#"{"name":"ext-kimi-e2e","runtime":"kimi","external":true}"#), Want(201, r#"{"external":true,"status":"awaiting_agent"}"#))]
#[case::create_external_with_a_url_is_201_online(req("POST", "/workspaces").json(r#"{"name":"x","runtime":"external","external":true,"url":"http://127.0.0.1:9"}"#), Want(201, r#"{"external":true,"status":"online"}"#))]
#[case::the_harness_bogus_activity_route_is_404(req("GET", "/activity?workspace_id={ws}&limit=5"), Want(404, ""))]
#[case::shared_context_is_gone(req("GET", "/workspaces/{ws}/shared-context"), Want(404, ""))]
#[case::activity_with_an_unknown_since_id_is_410(req("GET", "/workspaces/{ws}/activity?since_id={other}"), Want(410, ""))]
#[case::activity_with_a_bad_source_is_400(req("GET", "/workspaces/{ws}/activity?source=robot"), Want(400, ""))]
#[case::activity_post_with_an_unknown_type_is_400(req("POST", "/workspaces/{ws}/activity").json(r#"{"activity_type":"gossip"}"#), Want(400, r#"{"error":"invalid activity_type"}"#))]
#[case::activity_post_with_an_accepted_type_is_200(req("POST", "/workspaces/{ws}/activity").json(r#"{"activity_type":"agent_log","summary":"hi"}"#), Want(200, ""))]
#[case::resume_of_a_workspace_that_is_not_paused_is_404(req("POST", "/workspaces/{ws}/resume"), Want(404, r#"{"error":"workspace not found or not paused"}"#))]
#[case::hibernate_of_a_workspace_that_is_not_online_is_404(req("POST", "/workspaces/{pws}/hibernate?force=true"), Want(404, r#"{"error":"workspace not found or not in a hibernatable state (must be online or degraded)"}"#))]
#[case::pause_of_an_unknown_workspace_is_404(req("POST", "/workspaces/{other}/pause"), Want(404, r#"{"error":"workspace not found or already paused"}"#))]
#[case::restart_of_an_external_workspace_is_a_noop(req("POST", "/workspaces/{ws}/restart"), Want(200, r#"{"status":"noop","runtime":"external"}"#))]
#[case::restart_of_a_platform_workspace_is_provisioning(req("POST", "/workspaces/{pws}/restart"), Want(200, r#"{"status":"provisioning"}"#))]
#[case::a2a_to_an_unknown_workspace_is_404(req("POST", "/workspaces/{other}/a2a").json("{}"), Want(404, r#"{"error":"workspace not found"}"#))]
#[case::a2a_with_a_non_json_body_is_400_invalid_json(req("POST", "/workspaces/{ws}/a2a").json("not json"), Want(400, r#"{"error":"invalid JSON"}"#))]
#[case::a2a_without_parts_or_content_is_400(req("POST", "/workspaces/{ws}/a2a").json(r#"{"method":"message/send","params":{"message":{"role":"user"}}}"#),
    Want(400, r#"{"error":"params.message must contain either 'parts' (v0.3) or 'content' (v0.2 compat)"}"#))]
#[case::a2a_with_numeric_content_is_400(req("POST", "/workspaces/{ws}/a2a").json(r#"{"method":"message/send","params":{"message":{"content":5}}}"#), Want(400, r#"{"error":"invalid params.message.content type"}"#))]
#[case::a2a_with_a_system_caller_id_is_403(req("POST", "/workspaces/{ws}/a2a").headers(&[("X-Workspace-ID", "system:cron")]).json("{}"), Want(403, r#"{"error":"invalid caller ID"}"#))]
#[case::a2a_from_another_workspace_without_a_token_is_401(req("POST", "/workspaces/{ws}/a2a").who(Who::Nobody).headers(&[("X-Workspace-ID", "{pws}")]).json("{}"), Want(401, r#"{"error":"missing caller auth token"}"#))]
#[case::a2a_naming_another_workspace_with_the_admin_token_is_a_canvas_user(req("POST", "/workspaces/{ws}/a2a").headers(&[("X-Workspace-ID", "{pws}")]).json(r#"{"method":"message/send","params":{"message":{"content":"hi"}}}"#),
    Want(200, r#"{"status":"queued","delivery_mode":"poll","method":"message/send"}"#))]
#[case::a2a_between_two_root_workspaces_is_403_by_hierarchy(req("POST", "/workspaces/{ws}/a2a").who(Who::PwsToken).headers(&[("X-Workspace-ID", "{pws}")]).json("{}"),
    Want(403, r#"{"error":"access denied: workspaces cannot communicate per hierarchy rules"}"#))]
#[case::a2a_caller_from_the_bearer_alone_is_held_to_the_hierarchy(req("POST", "/workspaces/{ws}/a2a").who(Who::PwsToken).json("{}"),
    Want(403, r#"{"error":"access denied: workspaces cannot communicate per hierarchy rules"}"#))]
#[case::a2a_to_a_provisioning_workspace_is_503_no_url(req("POST", "/workspaces/{pws}/a2a").json(r#"{"method":"message/send","params":{"message":{"parts":[{"kind":"text","text":"hi"}]}}}"#),
    Want(503, r#"{"error":"workspace has no URL","status":"provisioning"}"#))]
#[case::a2a_to_a_poll_workspace_is_queued(req("POST", "/workspaces/{ws}/a2a").json(r#"{"method":"message/send","params":{"message":{"content":"hi"}}}"#),
    Want(200, r#"{"status":"queued","delivery_mode":"poll","method":"message/send"}"#))]
#[case::billing_put_without_mode_is_400(req("PUT", "/admin/workspaces/{pws}/llm-billing-mode").json("{}"), Want(400, r#"{"error":"missing required field 'mode' (use null to clear override)"}"#))]
#[case::billing_put_with_a_bad_mode_is_400(req("PUT", "/admin/workspaces/{pws}/llm-billing-mode").json(r#"{"mode":"free"}"#), Want(400, ""))]
#[case::billing_of_a_platform_model_is_platform_managed(req("GET", "/admin/workspaces/{pws}/llm-billing-mode"),
    Want(200, r#"{"resolved_mode":"platform_managed","org_default":"platform_managed","workspace_override":null}"#))]
#[case::billing_of_an_unknown_workspace_resolves_without_a_row(req("GET", "/admin/workspaces/{other}/llm-billing-mode"),
    Want(200, r#"{"resolved_mode":"platform_managed","source":"derived_default","provider_selection":null}"#))]
#[case::billing_of_a_non_canonical_id_is_400(req("GET", "/admin/workspaces/NOT-A-UUID/llm-billing-mode"), Want(400, r#"{"error":"invalid workspace id"}"#))]
#[case::secret_strip_listed_on_a_platform_managed_workspace_is_400(req("POST", "/workspaces/{pws}/secrets").json(r#"{"key":"MINIMAX_API_KEY","value":"k"}"#), Want(400, r#"{"key":"MINIMAX_API_KEY"}"#))]
#[case::secret_without_a_value_is_400(req("POST", "/workspaces/{pws}/secrets").json(r#"{"key":"A"}"#), Want(400, ""))]
#[case::secret_not_strip_listed_is_saved(req("PUT", "/workspaces/{pws}/secrets").json(r#"{"key":"GOOGLE_API_KEY","value":"k"}"#), Want(200, r#"{"status":"saved","key":"GOOGLE_API_KEY"}"#))]
#[case::minting_a_workspace_token_is_201(req("POST", "/admin/workspaces/{ws}/tokens"), Want(201, ""))]
#[case::delete_without_x_confirm_name_is_400(req("DELETE", "/workspaces/{ws}"), Want(400, r#"{"error":"destructive_action_requires_confirmation","workspace_name":"ext-table"}"#))]
#[case::delete_with_x_confirm_name_is_200_removed(req("DELETE", "/workspaces/{ws}").headers(&[("X-Confirm-Name", "ext-table")]), Want(200, r#"{"status":"removed","cascade_deleted":0}"#))]
#[case::register_without_an_agent_card_is_400(req("POST", "/registry/register").json(r#"{"id":"{ws}"}"#), Want(400, r#"{"error":"invalid request body"}"#))]
#[case::register_without_a_bearer_is_401(req("POST", "/registry/register").who(Who::Nobody).json(r#"{"id":"{ws}","agent_card":{"name":"a"}}"#), Want(401, r#"{"error":"missing workspace auth token"}"#))]
#[case::register_with_the_admin_token_is_401(req("POST", "/registry/register").json(r#"{"id":"{ws}","agent_card":{"name":"a"}}"#), Want(401, r#"{"error":"invalid workspace auth token"}"#))]
#[case::register_push_without_a_url_is_400(req("POST", "/registry/register").who(Who::WsToken).json(r#"{"id":"{ws}","agent_card":{"name":"a"},"delivery_mode":"push"}"#),
    Want(400, r#"{"error":"url is required for push-mode workspaces"}"#))]
#[case::register_defaults_external_to_poll(req("POST", "/registry/register").who(Who::WsToken).json(r#"{"id":"{ws}","agent_card":{"name":"a"}}"#), Want(200, r#"{"status":"registered","delivery_mode":"poll"}"#))]
#[case::heartbeat_with_the_workspace_token_is_200_ok(req("POST", "/registry/heartbeat").who(Who::WsToken).json(r#"{"workspace_id":"{ws}"}"#), Want(200, r#"{"status":"ok"}"#))]
#[case::peers_with_the_admin_token_is_401(req("GET", "/registry/{ws}/peers"), Want(401, r#"{"error":"invalid workspace auth token"}"#))]
#[case::peers_with_the_own_token_is_200_without_self(req("GET", "/registry/{ws}/peers").who(Who::WsToken), Want(200, ""))]
#[case::memory_kv_get_of_an_absent_key_is_404(req("GET", "/workspaces/{ws}/memory/nope"), Want(404, r#"{"error":"key not found"}"#))]
#[case::memory_kv_write_with_a_version_on_an_absent_key_is_409(req("POST", "/workspaces/{ws}/memory").json(r#"{"key":"k","value":{"step":1},"if_match_version":3}"#),
    Want(409, r#"{"error":"if_match_version mismatch","expected_version":3}"#))]
#[case::memory_kv_write_is_200_version_1(req("POST", "/workspaces/{ws}/memory").json(r#"{"key":"k","value":{"step":1}}"#), Want(200, r#"{"status":"ok","key":"k","version":1}"#))]
#[case::memory_kv_write_with_an_absurd_ttl_is_still_200(req("POST", "/workspaces/{ws}/memory").json(r#"{"key":"k","value":1,"ttl_seconds":9223372036854775807}"#), Want(200, r#"{"version":1}"#))]
#[case::memory_kv_delete_is_200(req("DELETE", "/workspaces/{ws}/memory/k"), Want(200, r#"{"status":"deleted"}"#))]
#[case::memories_post_is_201_with_scope(req("POST", "/workspaces/{ws}/memories").json(r#"{"content":"seed","scope":"LOCAL"}"#), Want(201, r#"{"scope":"LOCAL"}"#))]
#[case::memories_with_a_bad_scope_is_400(req("POST", "/workspaces/{ws}/memories").json(r#"{"content":"seed","scope":"UNIVERSE"}"#), Want(400, ""))]
#[case::notify_is_200_sent(req("POST", "/workspaces/{ws}/notify").json(r#"{"message":"hello user"}"#), Want(200, r#"{"status":"sent"}"#))]
#[case::notify_without_a_message_is_400(req("POST", "/workspaces/{ws}/notify").json("{}"), Want(400, ""))]
#[case::upload_without_multipart_is_400(req("POST", "/workspaces/{ws}/chat/uploads").json("{}"), Want(400, ""))]
#[case::download_without_a_path_is_400(req("GET", "/workspaces/{ws}/chat/download"), Want(400, ""))]
#[case::diagnose_of_a_workspace_without_compute_is_not_ok(req("GET", "/workspaces/{pws}/terminal/diagnose"), Want(200, r#"{"ok":false,"first_failure":"container-running"}"#))]
#[case::config_yaml_put_is_200(req("PUT", "/workspaces/{pws}/files/config.yaml").json(r#"{"content":"runtime: claude-code\n"}"#), Want(200, ""))]
#[tokio::test]
async fn table(#[case] call: Call, #[case] want: Want) {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let (ws, ws_token) = kit.external_ws("ext-table", "external").await;
    let (pws, pws_token) = kit.platform_ws("platform-table").await;
    let other = uuid::Uuid::new_v4().to_string();
    let fill = |s: &str| s.replace("{ws}", &ws).replace("{pws}", &pws).replace("{slug}", &kit.slug).replace("{other}", &other);
    let org = match call.org {
        Org::Right => Some(kit.org_id.clone()),
        Org::Missing => None,
        Org::Wrong => Some(uuid::Uuid::new_v4().to_string()),
    };
    let who = match call.who {
        Who::Nobody => As::Nobody,
        Who::Admin => As::Admin,
        Who::Cp => As::Cp,
        Who::Wrong => As::Token("not-a-token".into()),
        Who::WsToken => As::Token(ws_token.clone()),
        Who::PwsToken => As::Token(pws_token.clone()),
    };
    let headers: Vec<(String, String)> = call.headers.iter().map(|(k, v)| ((*k).to_owned(), fill(v))).collect();
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let method = Method::from_bytes(call.method.as_bytes()).expect("method");
    let r = kit.raw(method, &fill(call.path), who, org.as_deref(), &headers, call.body.map(|b| fill(b).into_bytes())).await;
    assert_eq!(r.status, want.0, "{call:?}: body {}", r.text());
    match want.1 {
        "" => {}
        "EMPTY" => assert!(r.body.is_empty(), "{call:?}: expected an empty body, got {}", r.text()),
        subset => {
            let want_json: Value = serde_json::from_str(subset).expect("valid expectation");
            assert!(is_subset(&want_json, &r.json), "{call:?}: expected a body containing {want_json}, got {}", r.text());
        }
    }
}

// ---------------------------------------------------------------------------------------
// Control plane and tenants

#[tokio::test]
async fn org_list_has_the_harness_fields_and_no_top_level_status() {
    let kit = Kit::fast().await;
    let r = kit.call(Method::GET, "/cp/admin/orgs", As::Cp, None, None).await;
    r.expect(200);
    let obj = r.json.as_object().expect("object");
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["orgs"], "no top-level status");
    let org = &r.json["orgs"][0];
    for k in ["id", "slug", "name", "plan", "member_count", "instance_status", "last_error", "created_at"] {
        assert!(org.get(k).is_some(), "org row lacks {k}: {org}");
    }
    assert_eq!(org["instance_status"], "running");
    let created = org["created_at"].as_str().unwrap_or_default();
    assert!(created.ends_with('Z') && time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339).is_ok(), "{created}");
    assert_eq!(kit.standin.org_count(), 1);
    assert!(kit.standin.requests() >= 3, "the kit talked to the stand-in");
}

#[tokio::test]
async fn a_new_org_is_provisioning_until_org_ready_passes() {
    let delays = Delays { org_ready: Duration::from_secs(600), ..Delays::fast() };
    let standin = molecule_e2e::standin::StandIn::start(StandInConfig::new().with_delays(delays), ([127, 0, 0, 1], 0).into()).await.expect("start");
    let http = kit::loopback_client();
    let created = http
        .post(format!("{}/cp/admin/orgs", standin.url()))
        .bearer_auth(standin.admin_token())
        .json(&json!({"slug": "e2e-slow", "name": "E2E slow", "owner_user_id": "e2e-runner:slow"}))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status().as_u16(), 201);
    let body: Value = created.json().await.expect("json");
    assert!(uuid::Uuid::parse_str(body["id"].as_str().unwrap_or_default()).is_ok(), "org id is a uuid: {body}");
    assert_eq!(body["instance_status"], "provisioning");
}

#[tokio::test]
async fn each_org_gets_its_own_random_admin_token_and_tenants_are_isolated() {
    let kit = Kit::fast().await;
    let other = kit
        .call(Method::POST, "/cp/admin/orgs", As::Cp, None, Some(json!({"slug": "e2e-other", "name": "E2E other", "owner_user_id": "e2e-runner:o"})))
        .await;
    let other_id = other.expect(201).str("id");
    let other_token = kit.call(Method::GET, "/cp/admin/orgs/e2e-other/admin-token", As::Cp, None, None).await.str("admin_token");
    assert!(!other_token.is_empty() && other_token != kit.token);
    let (ws, _) = kit.external_ws("mine", "external").await;
    // The other tenant does not see this org's workspace, with its own admin token…
    let r = kit.call(Method::GET, &format!("/workspaces/{ws}"), As::Token(other_token.clone()), Some(&other_id), None).await;
    r.expect(404);
    assert_eq!(r.json, json!({"error": "workspace not found"}));
    let r = kit.call(Method::POST, &format!("/workspaces/{ws}/pause"), As::Token(other_token.clone()), Some(&other_id), None).await;
    r.expect(404);
    // …and this org's admin token is not the other tenant's.
    kit.call(Method::GET, "/workspaces", As::Admin, Some(&other_id), None).await.expect(401);
}

#[tokio::test]
async fn deleting_a_tenant_removes_the_org_from_the_list_and_stops_its_runtimes() {
    let kit = Kit::fast().await;
    let (id, _) = kit.platform_ws("E2E Parent").await;
    let url = kit.wait_online(&id).await;
    assert!(kit.http.get(format!("{url}/health")).send().await.is_ok(), "runtime serves before teardown");
    let r = kit.call(Method::DELETE, &format!("/cp/admin/tenants/{}", kit.slug), As::Cp, None, Some(json!({"confirm": kit.slug}))).await;
    r.expect(200);
    let list = kit.call(Method::GET, "/cp/admin/orgs", As::Cp, None, None).await;
    assert_eq!(list.json["orgs"], json!([]), "the org left the list");
    assert_eq!(kit.standin.org_count(), 0);
    kit.admin(Method::GET, "/workspaces", None).await.expect(404);
    eventually("the runtime to stop", || async { kit.http.get(format!("{url}/health")).send().await.is_err().then_some(()) }).await;
    // Idempotent.
    kit.call(Method::DELETE, &format!("/cp/admin/tenants/{}", kit.slug), As::Cp, None, Some(json!({"confirm": kit.slug}))).await.expect(200);
}

#[tokio::test]
async fn dropping_the_stand_in_stops_every_runtime_it_started() {
    let kit = Kit::fast().await;
    let (id, _) = kit.platform_ws("E2E Parent").await;
    let url = kit.wait_online(&id).await;
    let http = kit.http.clone();
    drop(kit);
    eventually("the runtime to stop", || async { http.get(format!("{url}/health")).send().await.is_err().then_some(()) }).await;
}

// ---------------------------------------------------------------------------------------
// Create, rows, provisioning, the proxy

#[tokio::test]
async fn a_created_platform_workspace_reads_provisioning_with_the_row_fields_of_get() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let (id, token) = kit.platform_ws("E2E Parent").await;
    assert!(token.starts_with("ws-"), "create returns a workspace token");
    let created = kit.row(&id).await;
    assert_eq!(created["status"], "provisioning");
    assert_eq!(created["url"], "");
    assert_eq!(created["tier"], 4, "SaaS forces tier 4");
    assert_eq!(created["runtime"], "claude-code");
    assert!(created.get("delivery_mode").is_none(), "GET hides delivery_mode");
    for k in ["id", "name", "role", "tier", "status", "url", "parent_id", "active_tasks", "max_concurrent_tasks", "last_error_rate", "uptime_seconds", "runtime", "x", "y", "collapsed", "broadcast_enabled", "talk_to_user_enabled", "compute", "agent_card", "last_outbound_at"] {
        assert!(created.get(k).is_some(), "row lacks {k}: {created}");
    }
    for k in ["budget_limit", "monthly_spend", "current_task", "last_sample_error", "workspace_dir"] {
        assert!(created.get(k).is_none(), "GET strips {k}");
        assert!(kit.admin(Method::GET, "/workspaces", None).await.json[0].get(k).is_some(), "list carries {k}");
    }
}

#[tokio::test]
async fn a_platform_workspace_goes_online_and_answers_pong_through_the_proxy_leaving_an_activity_row() {
    let kit = Kit::fast().await;
    let (id, _) = kit.platform_ws("E2E Parent").await;
    kit.wait_online(&id).await;
    let r = kit.pong(&id).await;
    r.expect(200);
    assert_eq!(r.reply_text(), "PONG");
    assert_eq!(r.json["id"], "e2e-msg-1", "the runtime's reply passes through verbatim");
    let rows = kit.activity(&id, "").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row["activity_type"], "a2a_receive");
    assert_eq!(row["method"], "message/send");
    assert_eq!(row["summary"], "message/send → E2E Parent");
    assert_eq!(row["status"], "ok");
    assert_eq!(row["source_id"], Value::Null, "admin callers are canvas callers");
    assert_eq!(row["target_id"], json!(id));
    assert_eq!(answer_text(&row["response_body"]), "PONG");
    assert!(row["duration_ms"].is_i64());
}

#[tokio::test]
async fn the_proxy_normalises_a_v02_message_before_dispatch() {
    let kit = Kit::fast().await;
    let (id, _) = kit.platform_ws("E2E Parent").await;
    kit.wait_online(&id).await;
    let body = json!({"method": "message/send", "params": {"message": {"content": "Reply with exactly the word PINEAPPLE and nothing else."}}});
    let r = kit.admin(Method::POST, &format!("/workspaces/{id}/a2a"), Some(body)).await;
    r.expect(200);
    assert_eq!(r.reply_text(), "PINEAPPLE");
    let rows = kit.activity(&id, "?type=a2a_receive").await;
    let sent = &rows[0]["request_body"];
    assert_eq!(sent["jsonrpc"], "2.0");
    assert!(sent["id"].as_str().is_some_and(|s| uuid::Uuid::parse_str(s).is_ok()), "wrapped with a uuid id: {sent}");
    assert_eq!(sent.pointer("/params/message/role"), Some(&json!("user")));
    assert!(sent.pointer("/params/message/messageId").is_some());
    assert_eq!(sent.pointer("/params/message/parts/0/kind"), Some(&json!("text")));
}

#[tokio::test]
async fn the_proxy_renames_type_to_kind_in_parts() {
    let kit = Kit::fast().await;
    let (id, _) = kit.external_ws("poll", "external").await;
    let body = json!({"jsonrpc": "2.0", "id": "x", "method": "message/send", "params": {"message": {"parts": [{"type": "text", "text": "hi"}]}}});
    kit.admin(Method::POST, &format!("/workspaces/{id}/a2a"), Some(body)).await.expect(200);
    let rows = kit.activity(&id, "").await;
    assert_eq!(rows[0].pointer("/request_body/params/message/parts/0"), Some(&json!({"kind": "text", "text": "hi"})));
}

#[tokio::test]
async fn the_proxy_maps_a_dead_upstream_to_502_failed_to_reach_workspace_agent() {
    let kit = Kit::fast().await;
    // Push mode to a port nothing listens on.
    let (id, _) = kit.create(json!({"name": "dead", "runtime": "external", "external": true, "url": "http://127.0.0.1:9", "delivery_mode": "push"})).await;
    let r = kit.pong(&id).await;
    r.expect(502);
    assert_eq!(r.json, json!({"error": "failed to reach workspace agent"}));
    let rows = kit.activity(&id, "").await;
    assert_eq!(rows[0]["status"], "error");
    assert!(rows[0]["error_detail"].as_str().is_some_and(|d| !d.is_empty()));
}

#[tokio::test]
async fn seo_agent_resolves_to_claude_code_through_its_template() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let (id, _) = kit.create(json!({"name": "seo", "template": "seo-agent", "model": "sonnet"})).await;
    assert_eq!(kit.row(&id).await["runtime"], "claude-code");
}

#[tokio::test]
async fn a_strip_listed_secret_at_create_creates_nothing() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let r = kit
        .admin(Method::POST, "/workspaces", Some(json!({"name": "x", "runtime": "claude-code", "model": "MiniMax-M2.7", "secrets": {"MINIMAX_API_KEY": "k"}})))
        .await;
    r.expect(400);
    assert!(r.str("error").starts_with("direct vendor key writes are blocked for platform-managed workspaces"));
    assert!(uuid::Uuid::parse_str(&r.str("workspace_id")).is_ok());
    assert_eq!(kit.admin(Method::GET, "/workspaces", None).await.json, json!([]));
}

#[tokio::test]
async fn a_name_collision_under_the_same_parent_gets_a_numeric_suffix() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let (a, _) = kit.external_ws("twin", "external").await;
    let (b, _) = kit.external_ws("twin", "external").await;
    let (c, _) = kit.external_ws("twin", "external").await;
    assert_eq!(kit.row(&a).await["name"], "twin");
    assert_eq!(kit.row(&b).await["name"], "twin (2)");
    assert_eq!(kit.row(&c).await["name"], "twin (3)");
}

#[tokio::test]
async fn the_external_create_response_carries_the_connection_block() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let r = kit.admin(Method::POST, "/workspaces", Some(json!({"name": "ext-e2e", "runtime": "external", "external": true}))).await;
    r.expect(201);
    let c = &r.json["connection"];
    let url = kit.standin.url();
    assert_eq!(c["workspace_id"], r.json["id"]);
    assert_eq!(c["platform_url"], json!(url));
    assert_eq!(c["registry_endpoint"], json!(format!("{url}/registry/register")));
    assert_eq!(c["heartbeat_endpoint"], json!(format!("{url}/registry/heartbeat")));
    assert!(c["auth_token"].as_str().is_some_and(|t| !t.is_empty()));
    for k in ["curl_register_template", "python_snippet", "claude_code_channel_snippet", "universal_mcp_snippet", "hermes_channel_snippet", "codex_snippet", "openclaw_snippet", "kimi_snippet"] {
        assert!(c[k].is_string(), "connection.{k} is a string");
    }
}

#[tokio::test]
async fn list_excludes_removed_rows_and_get_of_a_removed_row_is_410() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let (parent, _) = kit.external_ws("parent", "external").await;
    let (child, _) = kit.create(json!({"name": "child", "runtime": "external", "external": true, "parent_id": parent})).await;
    let del = |q: &'static str| {
        let kit = &kit;
        let parent = parent.clone();
        async move { kit.raw(Method::DELETE, &format!("/workspaces/{parent}{q}"), As::Admin, Some(&kit.org_id), &[("X-Confirm-Name", "parent")], None).await }
    };
    let r = del("").await;
    r.expect(409);
    assert_eq!(r.json["status"], "confirmation_required");
    assert_eq!(r.json["children_count"], 1);
    let r = del("?confirm=true").await;
    r.expect(200);
    assert_eq!(r.json, json!({"status": "removed", "cascade_deleted": 1}));
    let gone = kit.admin(Method::GET, &format!("/workspaces/{child}"), None).await;
    gone.expect(410);
    assert_eq!(gone.str("error"), "workspace removed");
    kit.admin(Method::GET, &format!("/workspaces/{child}?include_removed=true"), None).await.expect(200);
    assert_eq!(kit.admin(Method::GET, "/workspaces", None).await.json, json!([]));
    del("?confirm=true").await.expect(410);
}

// ---------------------------------------------------------------------------------------
// Lifecycle

#[tokio::test]
async fn pause_then_resume_brings_the_workspace_back_online_with_a_new_url() {
    let kit = Kit::fast().await;
    let (id, _) = kit.platform_ws("E2E Parent").await;
    let (child, _) = kit.create(json!({"name": "E2E Child", "runtime": "claude-code", "model": "sonnet", "parent_id": id})).await;
    kit.wait_online(&id).await;
    kit.wait_online(&child).await;
    let r = kit.admin(Method::POST, &format!("/workspaces/{id}/pause"), None).await;
    r.expect(200);
    assert_eq!(r.json, json!({"status": "paused", "paused_count": 2}));
    for w in [&id, &child] {
        let row = kit.row(w).await;
        assert_eq!((row["status"].as_str(), row["url"].as_str()), (Some("paused"), Some("")));
    }
    kit.admin(Method::POST, &format!("/workspaces/{id}/pause"), None).await.expect(404);
    let r = kit.admin(Method::POST, &format!("/workspaces/{child}/resume"), None).await;
    r.expect(409);
    let r = kit.admin(Method::POST, &format!("/workspaces/{id}/resume"), None).await;
    r.expect(200);
    assert_eq!(r.json, json!({"status": "provisioning", "resumed_count": 2}));
    kit.wait_online(&id).await;
    kit.wait_online(&child).await;
    assert_eq!(kit.pong(&id).await.reply_text(), "PONG");
}

#[tokio::test]
async fn hibernate_then_a2a_wakes_the_workspace_once_with_retry_after() {
    let kit = Kit::fast().await;
    let (id, _) = kit.platform_ws("E2E Parent").await;
    kit.wait_online(&id).await;
    let r = kit.admin(Method::POST, &format!("/workspaces/{id}/hibernate?force=true"), None).await;
    r.expect(200);
    assert_eq!(r.json, json!({"status": "hibernated"}));
    let row = kit.row(&id).await;
    assert_eq!((row["status"].as_str(), row["url"].as_str()), (Some("hibernated"), Some("")));
    kit.admin(Method::POST, &format!("/workspaces/{id}/resume"), None).await.expect(404);
    let r = kit.pong(&id).await;
    r.expect(503);
    assert_eq!(r.json, json!({"error": "workspace is waking from hibernation — retry in ~15 seconds", "waking": true, "retry_after": 15}));
    assert_eq!(r.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("15"));
    // The wake fired once: the next call sees a restarting (or already woken) workspace,
    // never a second wake.
    let again = kit.pong(&id).await;
    assert!(again.json.get("waking").is_none(), "a second wake: {}", again.text());
    if again.status == 503 {
        assert_eq!(again.json, json!({"error": "workspace has no URL", "status": "provisioning"}));
    }
    kit.wait_online(&id).await;
    assert_eq!(kit.pong(&id).await.reply_text(), "PONG");
}

#[tokio::test]
async fn a_secret_write_restarts_the_workspace() {
    let kit = Kit::fast().await;
    let (id, _) = kit.platform_ws("E2E Parent").await;
    let first = kit.wait_online(&id).await;
    kit.admin(Method::POST, &format!("/workspaces/{id}/secrets"), Some(json!({"key": "GOOGLE_API_KEY", "value": "k"}))).await.expect(200);
    let second = kit.wait_online(&id).await;
    assert_ne!(first, second, "a new runtime serves the workspace");
}

#[tokio::test]
async fn a_config_yaml_put_restarts_the_workspace() {
    let kit = Kit::fast().await;
    let (id, _) = kit.platform_ws("E2E Parent").await;
    let first = kit.wait_online(&id).await;
    kit.admin(Method::PUT, &format!("/workspaces/{id}/files/config.yaml"), Some(json!({"content": "model: x\n"}))).await.expect(200);
    let second = kit.wait_online(&id).await;
    assert_ne!(first, second, "a new runtime serves the workspace");
}

#[tokio::test]
async fn byok_opt_in_then_vendor_key_write_is_accepted_and_get_reports_byok() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let (id, _) = kit.create(json!({"name": "E2E Parent", "tier": 2, "runtime": "claude-code", "model": "sonnet"})).await;
    let path = format!("/admin/workspaces/{id}/llm-billing-mode");
    let before = kit.admin(Method::GET, &path, None).await;
    assert_eq!(before.json["resolved_mode"], "byok", "sonnet derives anthropic-oauth: byok");
    let r = kit.admin(Method::PUT, &path, Some(json!({"mode": "platform_managed"}))).await;
    assert_eq!(r.json["resolved_mode"], "platform_managed");
    kit.admin(Method::POST, &format!("/workspaces/{id}/secrets"), Some(json!({"key": "ANTHROPIC_API_KEY", "value": "k"}))).await.expect(400);
    let r = kit.admin(Method::PUT, &path, Some(json!({"mode": "byok"}))).await;
    r.expect(200);
    assert_eq!(r.json["resolved_mode"], "byok");
    assert_eq!(r.json["workspace_override"], "byok");
    kit.admin(Method::POST, &format!("/workspaces/{id}/secrets"), Some(json!({"key": "ANTHROPIC_API_KEY", "value": "k"}))).await.expect(200);
    assert_eq!(kit.admin(Method::GET, &path, None).await.json["resolved_mode"], "byok");
    let r = kit.admin(Method::PUT, &path, Some(json!({"mode": null}))).await;
    assert_eq!(r.json["workspace_override"], Value::Null);
}

// ---------------------------------------------------------------------------------------
// External runtimes, registry, poll mode

#[tokio::test]
async fn an_external_workspace_registers_goes_stale_and_comes_back() {
    // quick(): stale after 300 ms, room enough for "online right after register" on a loaded
    // machine, and twice that for the liveness TTL.
    let kit = Kit::fast().await;
    let (id, token) = kit.external_ws("ext-e2e", "external").await;
    assert_eq!(kit.status(&id).await, "awaiting_agent");
    let r = kit.register_poll(&id, &token).await;
    r.expect(200);
    assert_eq!((&r.json["status"], &r.json["delivery_mode"]), (&json!("registered"), &json!("poll")));
    assert!(r.json["platform_inbound_secret"].as_str().is_some_and(|s| !s.is_empty()), "register hands out the inbound secret");
    let row = kit.row(&id).await;
    assert_eq!(row["status"], "online");
    assert_eq!(row["url"], "https://example.invalid:443", "the upsert stores the URL sent, poll mode or not");
    assert_eq!(row["agent_card"]["name"], "e2e-ext");
    kit.wait_status(&id, "awaiting_agent").await;
    kit.register_poll(&id, &token).await.expect(200);
    assert_eq!(kit.status(&id).await, "online");
    kit.wait_status(&id, "awaiting_agent").await;
    let hb = kit.call(Method::POST, "/registry/heartbeat", As::Token(token), None, Some(json!({"workspace_id": id}))).await;
    hb.expect(200);
    assert_eq!(kit.status(&id).await, "online", "a heartbeat brings it back");
}

#[rstest]
#[case::kimi("kimi")]
#[case::kimi_cli("kimi-cli")]
#[tokio::test]
async fn kimi_keeps_its_label_and_goes_offline_when_liveness_lapses(#[case] runtime: &str) {
    // The liveness TTL leaves a loaded machine half a second of room after the window.
    let delays = Delays { stale_after: Duration::from_millis(150), liveness_ttl: Duration::from_millis(800), ..kit::quick() };
    let kit = Kit::start(StandInConfig::new().with_delays(delays)).await;
    let (id, token) = kit.external_ws(&format!("ext-{runtime}-e2e"), runtime).await;
    assert_eq!(kit.row(&id).await["runtime"], runtime);
    kit.register_poll(&id, &token).await.expect(200);
    // Past stale_after it is still online: staleness applies to runtime `external` only.
    holds_for("kimi online past stale_after", Duration::from_millis(300), || async { kit.status(&id).await == "online" }).await;
    let row = kit.wait_status(&id, "offline").await;
    assert_eq!(row["runtime"], runtime);
    let r = kit.admin(Method::POST, &format!("/workspaces/{id}/a2a"), Some(json!({"jsonrpc": "2.0", "method": "message/send", "id": "e2e-byo-1", "params": {"message": {"role": "user", "messageId": "m", "parts": [{"kind": "text", "text": "BYO meta-runtime poll-route smoke. Respond: OK"}]}}}))).await;
    r.expect(200);
    assert_eq!(r.json, json!({"status": "queued", "delivery_mode": "poll", "method": "message/send"}));
}

#[tokio::test]
async fn a2a_to_a_poll_workspace_is_queued_with_exactly_three_keys_and_the_envelope_is_readable() {
    let kit = Kit::fast().await;
    let (id, token) = kit.external_ws("ext-e2e", "external").await;
    kit.register_poll(&id, &token).await.expect(200);
    let r = kit.pong(&id).await;
    r.expect(200);
    assert_eq!(r.json, json!({"status": "queued", "delivery_mode": "poll", "method": "message/send"}));
    // The agent reads its queue with its own token, as the channel plugins do.
    let rows = kit.tenant(Method::GET, &format!("/workspaces/{id}/activity?type=a2a_receive&since_secs=30&limit=100"), As::Token(token.clone()), None).await;
    rows.expect(200);
    let row = &rows.json[0];
    assert_eq!(row["summary"], "message/send → ext-e2e (queued for poll)");
    assert_eq!(row["status"], "ok");
    assert_eq!(row["request_body"], pong_envelope());
    let cursor = row["id"].as_str().unwrap_or_default().to_owned();
    let after = kit.tenant(Method::GET, &format!("/workspaces/{id}/activity?since_id={cursor}"), As::Token(token), None).await;
    assert_eq!(after.expect(200).json, json!([]));
}

#[tokio::test]
async fn activity_since_id_returns_rows_strictly_after_oldest_first() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let (id, _) = kit.external_ws("poll", "external").await;
    for i in 0..4 {
        kit.admin(Method::POST, &format!("/workspaces/{id}/activity"), Some(json!({"activity_type": "agent_log", "summary": format!("n{i}")}))).await.expect(200);
    }
    let newest_first: Vec<String> = kit.activity(&id, "").await.iter().map(|r| r["summary"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(newest_first, ["n3", "n2", "n1", "n0"]);
    let all = kit.activity(&id, "").await;
    let cursor = all[3]["id"].as_str().unwrap_or_default();
    let after: Vec<String> =
        kit.activity(&id, &format!("?since_id={cursor}&limit=2")).await.iter().map(|r| r["summary"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(after, ["n1", "n2"]);
    assert_eq!(kit.activity(&id, "?limit=1").await.len(), 1);
    assert_eq!(kit.activity(&id, "?type=a2a_receive").await.len(), 0);
}

#[tokio::test]
async fn delegation_with_the_callers_own_token_records_its_provenance() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let (parent, _) = kit.external_ws("parent", "external").await;
    let (child, _) = kit.create(json!({"name": "child", "runtime": "external", "external": true, "parent_id": parent})).await;
    let minted = kit.admin(Method::POST, &format!("/admin/workspaces/{parent}/tokens"), None).await;
    let parent_token = minted.expect(201).str("auth_token");
    let r = kit
        .raw(Method::POST, &format!("/workspaces/{child}/a2a"), As::Token(parent_token), Some(&kit.org_id), &[("X-Workspace-ID", &parent)], Some(pong_envelope().to_string().into_bytes()))
        .await;
    r.expect(200);
    let rows = kit.activity(&child, "?source=agent").await;
    assert_eq!(rows[0]["source_id"], json!(parent));
    assert_eq!(kit.activity(&child, &format!("?peer_id={parent}")).await.len(), 1);
}

#[tokio::test]
async fn peers_lists_parent_children_and_siblings_but_never_self() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let (parent, _) = kit.external_ws("parent", "external").await;
    let (a, a_token) = kit.create(json!({"name": "a", "runtime": "external", "external": true, "parent_id": parent})).await;
    let (b, _) = kit.create(json!({"name": "b", "runtime": "external", "external": true, "parent_id": parent})).await;
    let (grandchild, _) = kit.create(json!({"name": "c", "runtime": "external", "external": true, "parent_id": a})).await;
    let r = kit.tenant(Method::GET, &format!("/registry/{a}/peers"), As::Token(a_token), None).await;
    r.expect(200);
    let mut ids: Vec<String> = r.json.as_array().expect("array").iter().map(|p| p["id"].as_str().unwrap_or_default().to_owned()).collect();
    ids.sort();
    let mut want = vec![parent, b, grandchild];
    want.sort();
    assert_eq!(ids, want);
}

// ---------------------------------------------------------------------------------------
// Memory, files, diagnose

#[tokio::test]
async fn memory_kv_versions_guard_writes_and_memories_are_listed_by_scope() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let (id, _) = kit.external_ws("mem", "external").await;
    let path = format!("/workspaces/{id}/memory");
    let set = |body: Value| kit.admin(Method::POST, &path, Some(body));
    assert_eq!(set(json!({"key": "k", "value": {"step": 1}})).await.json["version"], 1);
    assert_eq!(set(json!({"key": "k", "value": {"step": 2}, "if_match_version": 1})).await.json["version"], 2);
    let stale = set(json!({"key": "k", "value": {"step": 3}, "if_match_version": 1})).await;
    stale.expect(409);
    assert_eq!(stale.json, json!({"error": "if_match_version mismatch", "expected_version": 1, "current_version": 2}));
    let got = kit.admin(Method::GET, &format!("/workspaces/{id}/memory/k"), None).await;
    assert!(is_subset(&json!({"key": "k", "value": {"step": 2}, "version": 2}), &got.json), "{}", got.text());
    kit.admin(Method::DELETE, &format!("/workspaces/{id}/memory/k"), None).await.expect(200);
    kit.admin(Method::GET, &format!("/workspaces/{id}/memory/k"), None).await.expect(404);

    kit.admin(Method::POST, &format!("/workspaces/{id}/memories"), Some(json!({"content": "seed-local", "scope": "LOCAL"}))).await.expect(201);
    kit.admin(Method::POST, &format!("/workspaces/{id}/memories"), Some(json!({"content": "seed-global", "scope": "GLOBAL"}))).await.expect(201);
    let local = kit.admin(Method::GET, &format!("/workspaces/{id}/memories?scope=LOCAL"), None).await;
    let contents: Vec<&str> = local.json.as_array().expect("array").iter().filter_map(|m| m["content"].as_str()).collect();
    assert_eq!(contents, ["seed-local"]);
    for k in ["id", "content", "scope", "created_at"] {
        assert!(local.json[0].get(k).is_some(), "memory lacks {k}");
    }
}

#[tokio::test]
async fn an_uploaded_file_downloads_byte_for_byte() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let (id, _) = kit.external_ws("files", "external").await;
    let (uri, bytes) = upload_png(&kit, &id).await;
    assert!(uri.starts_with("workspace:"), "{uri}");
    let (status, got) = download(&kit, &id, &uri).await;
    assert_eq!(status, 200);
    assert_eq!(got, bytes);
}

/// Upload a 1×1 PNG as the harness does; returns its uri and the bytes sent.
/// `GET /workspaces/{id}/chat/download?path=…` for an upload's `workspace:` uri → (status, bytes).
pub async fn download(kit: &Kit, id: &str, uri: &str) -> (u16, Vec<u8>) {
    let path = uri.strip_prefix("workspace:").unwrap_or(uri);
    let got = kit
        .http
        .get(format!("{}/workspaces/{id}/chat/download", kit.standin.url()))
        .query(&[("path", path)])
        .bearer_auth(&kit.token)
        .header("X-Molecule-Org-Id", &kit.org_id)
        .send()
        .await
        .expect("download");
    let status = got.status().as_u16();
    (status, got.bytes().await.expect("bytes").to_vec())
}

pub async fn upload_png(kit: &Kit, id: &str) -> (String, Vec<u8>) {
    let bytes: Vec<u8> = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89];
    let part = reqwest::multipart::Part::bytes(bytes.clone()).file_name("pixel.png").mime_str("image/png").expect("mime");
    let form = reqwest::multipart::Form::new().part("files", part);
    let r = kit.http
        .post(format!("{}/workspaces/{id}/chat/uploads", kit.standin.url()))
        .bearer_auth(&kit.token)
        .header("X-Molecule-Org-Id", &kit.org_id)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.expect("json");
    let f = &body["files"][0];
    assert_eq!(f["mimeType"], "image/png");
    assert_eq!(f["name"], "pixel.png");
    assert_eq!(f["size"], bytes.len());
    (f["uri"].as_str().unwrap_or_default().to_owned(), bytes)
}

#[tokio::test]
async fn diagnose_of_an_online_workspace_is_ok() {
    let kit = Kit::fast().await;
    let (id, _) = kit.platform_ws("E2E Parent").await;
    kit.wait_online(&id).await;
    let r = kit.admin(Method::GET, &format!("/workspaces/{id}/terminal/diagnose"), None).await;
    r.expect(200);
    assert_eq!(r.json["ok"], true);
    assert_eq!(r.json["first_failure"], Value::Null);
    assert!(r.json["steps"].as_array().is_some_and(|s| s.iter().all(|s| s["ok"] == true)));
}

#[tokio::test]
async fn notify_is_recorded_as_an_a2a_send_row_with_method_notify() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let (id, token) = kit.external_ws("agent", "external").await;
    kit.tenant(Method::POST, &format!("/workspaces/{id}/notify"), As::Token(token), Some(json!({"message": "done!"}))).await.expect(200);
    let rows = kit.activity(&id, "?type=a2a_send").await;
    assert_eq!(rows[0]["method"], "notify");
    assert_eq!(rows[0]["summary"], "done!");
    assert_eq!(rows[0]["source_id"], json!(id));
}

// ---------------------------------------------------------------------------------------
// Configuration

#[test]
fn config_from_the_environment_reads_faults_delays_and_overrides() {
    let env = |pairs: &'static [(&'static str, &'static str)]| move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned());
    let cfg = StandInConfig::from_lookup(env(&[
        ("STANDIN_FAULTS", "never-wakes, transient-5xx"),
        ("STANDIN_DELAYS", "realistic"),
        ("STANDIN_WAKE_MS", "1234"),
        ("STANDIN_LOG", "0"),
        ("MOLECULE_ADMIN_TOKEN", "tok"),
    ]))
    .expect("valid");
    assert_eq!(cfg.faults.iter().copied().collect::<Vec<_>>(), [Fault::NeverWakes, Fault::Transient5xx]);
    assert_eq!(cfg.delays.wake, Duration::from_millis(1234));
    assert_eq!(cfg.delays.provision_for("hermes"), Duration::from_secs(4));
    assert!(!cfg.log_requests);
    assert_eq!(cfg.admin_token, "tok");
    assert!(!format!("{cfg:?}").contains("tok\""), "Debug redacts the admin token");
    let defaults = StandInConfig::from_lookup(|_| None).expect("valid");
    assert_eq!(defaults.admin_token, "standin-admin-token");
    assert_eq!(defaults.delays, Delays::fast());
    let err = StandInConfig::from_lookup(env(&[("STANDIN_FAULTS", "gremlins")])).expect_err("unknown fault");
    assert!(err.contains("gremlins") && err.contains("never-wakes") && err.contains("peers-404"), "{err}");
    assert!(StandInConfig::from_lookup(env(&[("STANDIN_DELAYS", "glacial")])).is_err());
    assert!(StandInConfig::from_lookup(env(&[("STANDIN_PROVISION_MS", "soon")])).is_err());
}

#[test]
fn every_fault_has_a_unique_kebab_name_that_parses_back_and_a_promise() {
    let mut names = std::collections::BTreeSet::new();
    for f in Fault::ALL {
        assert!(names.insert(f.name()), "duplicate name {}", f.name());
        assert!(f.name().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
        assert_eq!(f.name().parse::<Fault>(), Ok(f));
        assert!(!f.description().is_empty());
    }
    let survive: Vec<Fault> = Fault::ALL.into_iter().filter(|f| f.outcome() == FaultOutcome::Survive).collect();
    assert_eq!(survive, [Fault::Transient5xx, Fault::SlowProvisioning, Fault::WakingWithoutRetryAfter]);
}

/// A workspace's A2A as its own caller (`X-Workspace-ID` + its token); the status.
async fn a2a_as(kit: &Kit, from: &(String, String), to: &str) -> u16 {
    let body = br#"{"method":"message/send","params":{"message":{"content":"hi"}}}"#.to_vec();
    let org = kit.org_id.clone();
    let headers = [("X-Workspace-ID", from.0.as_str())];
    kit.raw(Method::POST, &format!("/workspaces/{to}/a2a"), As::Token(from.1.clone()), Some(&org), &headers, Some(body)).await.status
}

#[tokio::test]
async fn the_hierarchy_lets_relatives_talk_and_keeps_roots_and_cousins_apart() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let ext = |name: &str, parent: Option<&str>| {
        let mut body = json!({"name": name, "runtime": "external", "external": true});
        if let Some(p) = parent {
            body["parent_id"] = json!(p);
        }
        body
    };
    let root = kit.create(ext("root", None)).await;
    let other_root = kit.create(ext("other-root", None)).await;
    let a = kit.create(ext("a", Some(&root.0))).await;
    let b = kit.create(ext("b", Some(&root.0))).await;
    let grandchild = kit.create(ext("grandchild", Some(&a.0))).await;
    let seen = [
        ("sibling → sibling", a2a_as(&kit, &a, &b.0).await),
        ("child → parent", a2a_as(&kit, &a, &root.0).await),
        ("parent → child", a2a_as(&kit, &root, &a.0).await),
        ("grandchild → grandparent", a2a_as(&kit, &grandchild, &root.0).await),
        ("grandparent → grandchild", a2a_as(&kit, &root, &grandchild.0).await),
        ("root → other root", a2a_as(&kit, &root, &other_root.0).await),
        ("nephew → uncle", a2a_as(&kit, &grandchild, &b.0).await),
        ("self → self", a2a_as(&kit, &a, &a.0).await),
    ];
    let want = [200, 200, 200, 200, 200, 403, 403, 200];
    assert_eq!(seen.map(|(_, s)| s), want, "{seen:?}");
}

#[tokio::test]
async fn an_unknown_route_answers_the_canvas_html_404() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    for (method, path) in [(Method::GET, "/activity?workspace_id=x"), (Method::POST, "/health"), (Method::GET, "/no/such/route")] {
        let r = kit.tenant(method.clone(), path, As::Admin, None).await;
        let ct = r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert_eq!((r.status, ct.starts_with("text/html")), (404, true), "{method} {path}: {}", r.text());
    }
    let bare = kit.call(Method::GET, "/no/such/route", As::Admin, None, None).await;
    assert_eq!(bare.status, 400, "the tenant guard runs before the fallback: {}", bare.text());
}

#[tokio::test]
async fn peers_take_the_admin_token_only_on_the_head_platform() {
    for (platform, want) in [(PlatformVersion::Ref, 401), (PlatformVersion::Head, 200)] {
        let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays()).with_platform(platform)).await;
        let (id, _) = kit.external_ws("ext-e2e", "external").await;
        let r = kit.admin(Method::GET, &format!("/registry/{id}/peers"), None).await;
        assert_eq!(r.status, want, "{platform:?}: {}", r.text());
    }
}

#[tokio::test]
async fn a2a_callers_must_authenticate_only_on_the_head_platform() {
    for platform in [PlatformVersion::Ref, PlatformVersion::Head] {
        let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays()).with_platform(platform)).await;
        let parent = kit.external_ws("ext-parent", "external").await;
        let child = kit.create(json!({"name": "ext-child", "runtime": "external", "external": true, "parent_id": parent.0})).await;
        let body = br#"{"method":"message/send","params":{"message":{"content":"hi"}}}"#.to_vec();
        let org = kit.org_id.clone();
        let path = format!("/workspaces/{}/a2a", child.0);
        let anonymous = kit.raw(Method::POST, &path, As::Nobody, Some(&org), &[], Some(body.clone())).await.status;
        let mismatched = kit
            .raw(Method::POST, &path, As::Token(parent.1.clone()), Some(&org), &[("X-Workspace-ID", child.0.as_str())], Some(body.clone()))
            .await;
        let own = a2a_as(&kit, &parent, &child.0).await;
        let want = match platform {
            PlatformVersion::Ref => (200, 200, 200),
            PlatformVersion::Head => (401, 401, 200),
        };
        assert_eq!((anonymous, mismatched.status, own), want, "{platform:?}: {}", mismatched.text());
    }
}

#[tokio::test]
async fn an_org_api_token_passes_admin_and_workspace_auth_and_calls_a2a_as_a_canvas_user() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let minted = kit.admin(Method::POST, "/org/tokens", Some(json!({"name": "e2e"}))).await;
    minted.expect(200);
    let token = minted.str("token");
    assert_eq!((minted.str("prefix"), minted.str("name")), (token[..8].to_owned(), "e2e".to_owned()));
    let org_token = || As::Token(token.clone());
    assert_eq!(kit.tenant(Method::GET, "/workspaces", org_token(), None).await.status, 200, "AdminAuth");
    let (poll, _) = kit.external_ws("ext-poll", "external").await;
    let (other, _) = kit.external_ws("ext-other", "external").await;
    assert_eq!(kit.tenant(Method::GET, &format!("/workspaces/{poll}/activity"), org_token(), None).await.status, 200, "WorkspaceAuth");
    // Two roots: a workspace caller would get 403; a canvas user is not held to the hierarchy.
    let org = kit.org_id.clone();
    let body = br#"{"method":"message/send","params":{"message":{"content":"hi"}}}"#.to_vec();
    let a2a = kit.raw(Method::POST, &format!("/workspaces/{poll}/a2a"), org_token(), Some(&org), &[("X-Workspace-ID", other.as_str())], Some(body)).await;
    assert_eq!(a2a.status, 200, "{}", a2a.text());
    let rows = kit.activity(&poll, "?type=a2a_receive").await;
    assert_eq!(rows[0]["source_id"], json!(other), "source_id is the X-Workspace-ID value");
}
