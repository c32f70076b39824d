//! The rows. Each is a function of the fixture; the table in `mod.rs` names it by its promise.

use super::*;

pub(super) type RowFuture<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;
pub(super) type Row = for<'a> fn(&'a Fx) -> RowFuture<'a>;

macro_rules! row {
    ($name:ident, |$fx:ident| $body:block) => {
        pub(super) fn $name($fx: &Fx) -> RowFuture<'_> {
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
    let org = fx.cp.create_org(slug, "E2E second", None).await.expect("org create");
    assert!(uuid::Uuid::parse_str(&org.id).is_ok(), "the org id is a uuid: {org:?}");
    assert_eq!(org.slug, slug);
    assert_eq!(org.instance_status.as_deref(), Some("provisioning"), "a new org is not running yet");
    let running = org_running(&fx.cp, slug).await;
    assert_eq!(running.id, org.id);
    assert!(running.created_at.as_deref().is_some_and(|c| !c.is_empty()), "{running:?}");
    assert_eq!(running.status, None, "the org list has no status field");
});

row!(org_duplicate_slug, |fx| {
    let e = expect_api(fx.cp.create_org(SLUG, "E2E again", None).await, 409, None);
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

pub(super) fn with_template(template: &str, model: Option<&str>) -> CreateWorkspace {
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
