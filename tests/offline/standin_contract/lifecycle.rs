//! Lifecycle

use super::*;

#[tokio::test]
async fn pause_then_resume_brings_the_workspace_back_online_with_a_new_url() {
    let kit = Kit::fast().await;
    let (id, _) = kit.platform_ws("E2E Parent").await;
    let (child, _) = kit.create(json!({"name": "E2E Child", "runtime": "claude-code", "model": "sonnet", "parent_id": id})).await;
    kit.wait_online(&id).await;
    kit.wait_online(&child).await;
    // A parent with a live child pauses with ?cascade=true (the guard from 22ee2b0e).
    let r = kit.admin(Method::POST, &format!("/workspaces/{id}/pause?cascade=true"), None).await;
    r.expect(200);
    assert_eq!(r.json, json!({"status": "paused", "paused_count": 2}));
    for w in [&id, &child] {
        let row = kit.row(w).await;
        assert_eq!((row["status"].as_str(), row["url"].as_str()), (Some("paused"), Some("")));
    }
    kit.admin(Method::POST, &format!("/workspaces/{id}/pause"), None).await.expect(404);
    let r = kit.admin(Method::POST, &format!("/workspaces/{child}/resume"), None).await;
    r.expect(409);
    let r = kit.admin(Method::POST, &format!("/workspaces/{id}/resume?cascade=true"), None).await;
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
    let kit = Kit::start(StandInConfig::reference().with_delays(no_runtime_delays())).await;
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

#[tokio::test]
async fn a_workspace_mid_turn_refuses_hibernate_without_force_and_hibernates_with_it_cutting_the_turn_off() {
    let kit = Kit::start(StandInConfig::new().with_platform(&GAEEC8E47).with_delays(quick())).await;
    let (id, _) = kit.platform_ws("E2E Busy").await;
    kit.wait_online(&id).await;
    let send = kit.busy(&id).await;
    let before = kit.row(&id).await;
    assert_eq!(before["active_tasks"], json!(1), "the runtime's turn in flight is the heartbeat's active_tasks");
    let r = kit.admin(Method::POST, &format!("/workspaces/{id}/hibernate"), None).await;
    r.expect(409);
    assert_eq!(r.json, json!({"error": "workspace has active tasks; use ?force=true to terminate them", "active_tasks": 1}));
    assert_eq!(kit.row(&id).await, before, "the refused hibernate changes nothing");
    assert!(!send.is_finished(), "the turn is still running");
    kit.admin(Method::POST, &format!("/workspaces/{id}/hibernate?force=true"), None).await.expect(200);
    let row = kit.row(&id).await;
    assert_eq!((row["status"].as_str(), row["url"].as_str(), row["active_tasks"].as_i64()), (Some("hibernated"), Some(""), Some(0)));
    // The stopped runtime takes the turn with it: the proxy loses its agent mid-request.
    let cut = send.await.expect("the busy send");
    assert_eq!((cut.status, cut.json.clone()), (502, json!({"error": "failed to reach workspace agent"})));
}

/// `dispatchA2A` forwards under `context.WithoutCancel`: a caller that hangs up (the harness's
/// curl gives up on its busy turn after 30 s) leaves the turn running and the workspace busy.
#[tokio::test]
async fn a_turn_whose_caller_hangs_up_runs_on_and_keeps_the_workspace_busy() {
    let kit = Kit::start(StandInConfig::new().with_platform(&GAEEC8E47).with_delays(quick())).await;
    let (id, _) = kit.platform_ws("E2E Busy").await;
    kit.wait_online(&id).await;
    let send = kit.busy(&id).await;
    send.abort();
    assert!(send.await.is_err_and(|e| e.is_cancelled()), "the caller hung up");
    // A window, not a wait: the turn must still be in flight all through it (a proxy that
    // cancels with its caller drops it within milliseconds).
    let until = std::time::Instant::now() + std::time::Duration::from_millis(300);
    while std::time::Instant::now() < until {
        assert_eq!(kit.row(&id).await["active_tasks"], json!(1), "the turn ran on after its caller hung up");
    }
    kit.admin(Method::POST, &format!("/workspaces/{id}/hibernate"), None).await.expect(409);
    kit.admin(Method::POST, &format!("/workspaces/{id}/hibernate?force=true"), None).await.expect(200);
}

#[tokio::test]
async fn at_41409fb2_force_answers_hibernated_and_leaves_a_busy_workspace_online() {
    // Kit::fast is the reference generation, 41409fb2.
    let kit = Kit::fast().await;
    let (id, _) = kit.platform_ws("E2E Busy").await;
    kit.wait_online(&id).await;
    let send = kit.busy(&id).await;
    kit.admin(Method::POST, &format!("/workspaces/{id}/hibernate"), None).await.expect(409);
    let r = kit.admin(Method::POST, &format!("/workspaces/{id}/hibernate?force=true"), None).await;
    assert_eq!((r.status, r.json), (200, json!({"status": "hibernated"})), "core#4292: the handler answers before the claim");
    let row = kit.row(&id).await;
    assert_eq!((row["status"].as_str(), row["active_tasks"].as_i64()), (Some("online"), Some(1)));
    assert!(!send.is_finished(), "the turn is still running");
    send.abort();
}
