//! Create, rows, provisioning, the proxy

use super::*;

#[tokio::test]
async fn a_created_platform_workspace_reads_provisioning_with_the_row_fields_of_get() {
    let kit = Kit::start(StandInConfig::reference().with_delays(no_runtime_delays())).await;
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
    let kit = Kit::start(StandInConfig::reference().with_delays(no_runtime_delays())).await;
    let (id, _) = kit.create(json!({"name": "seo", "template": "seo-agent", "model": "sonnet"})).await;
    assert_eq!(kit.row(&id).await["runtime"], "claude-code");
}

#[tokio::test]
async fn a_strip_listed_secret_at_create_creates_nothing() {
    let kit = Kit::start(StandInConfig::reference().with_delays(no_runtime_delays())).await;
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
    let kit = Kit::start(StandInConfig::reference().with_delays(no_runtime_delays())).await;
    let (a, _) = kit.external_ws("twin", "external").await;
    let (b, _) = kit.external_ws("twin", "external").await;
    let (c, _) = kit.external_ws("twin", "external").await;
    assert_eq!(kit.row(&a).await["name"], "twin");
    assert_eq!(kit.row(&b).await["name"], "twin (2)");
    assert_eq!(kit.row(&c).await["name"], "twin (3)");
}

#[tokio::test]
async fn the_external_create_response_carries_the_connection_block() {
    let kit = Kit::start(StandInConfig::reference().with_delays(no_runtime_delays())).await;
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
    let kit = Kit::start(StandInConfig::reference().with_delays(no_runtime_delays())).await;
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
