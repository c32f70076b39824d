//! The table: (request) → (status, JSON subset). Placeholders: {ws} an external poll-mode
//! workspace (awaiting_agent), {pws} a platform workspace (provisioning, platform model),
//! {slug} the org slug, {other} a random UUID. Tokens: WsToken = {ws}'s own token.

use super::*;

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
#[case::cp_purges_need_the_cp_bearer(req("GET", "/cp/admin/purges?limit=500").who(Who::Admin), Want(401, ""))]
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
#[case::peers_with_the_admin_token_is_401_at_the_reference_commit(req("GET", "/registry/{ws}/peers"), Want(401, ""))]
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
    let kit = Kit::start(StandInConfig::reference().with_delays(no_runtime_delays())).await;
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
