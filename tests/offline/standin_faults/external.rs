//! Faults of external and poll-mode workspaces: labels, register, staleness, the poll round trip.

use super::*;

#[tokio::test]
async fn external_label_coerced_reports_kimi_as_external() {
    let (clean, faulty) = contrast(Fault::ExternalLabelCoerced, no_runtime_delays(), |kit| async move {
        let (kimi, _) = kit.external_ws("ext-kimi-e2e", "kimi").await;
        let (cli, _) = kit.external_ws("ext-kimi-cli-e2e", "kimi-cli").await;
        let (ext, _) = kit.external_ws("ext-e2e", "external").await;
        let named = json!([kit.row(&kimi).await["runtime"], kit.row(&cli).await["runtime"]]);
        let ext_row = kit.row(&ext).await;
        seen(named, json!([ext_row["runtime"], ext_row["status"], kit.status(&kimi).await]))
    })
    .await;
    assert_eq!((clean, faulty), (json!(["kimi", "kimi-cli"]), json!(["external", "external"])));
}

#[tokio::test]
async fn queued_says_push_mislabels_the_queued_envelope() {
    let (clean, faulty) = contrast(Fault::QueuedSaysPush, no_runtime_delays(), |kit| async move {
        let (id, _) = kit.external_ws("ext-e2e", "external").await;
        let r = kit.pong(&id).await;
        let rows = kit.activity(&id, "").await;
        seen(json!(r.json["delivery_mode"]), json!([r.status, r.json["status"], r.json["method"], rows.len()]))
    })
    .await;
    assert_eq!((clean, faulty), (json!("poll"), json!("push")));
}

#[tokio::test]
async fn proxy_404_poll_refuses_a2a_to_poll_workspaces() {
    let (clean, faulty) = contrast(Fault::Proxy404Poll, no_runtime_delays(), |kit| async move {
        let (id, _) = kit.external_ws("ext-e2e", "external").await;
        let named = a2a(&kit, &id).await;
        seen(named, json!(kit.admin(Method::GET, &format!("/workspaces/{id}"), None).await.status))
    })
    .await;
    assert_eq!(clean["status"], 200);
    assert_eq!(faulty, json!({"status": 404, "body": {"error": "workspace not found"}}));
}

#[tokio::test]
async fn register_drops_delivery_mode_omits_it_from_the_register_response() {
    let (clean, faulty) = contrast(Fault::RegisterDropsDeliveryMode, no_runtime_delays(), |kit| async move {
        let (id, token) = kit.external_ws("ext-e2e", "external").await;
        let r = kit.register_poll(&id, &token).await;
        seen(json!(r.json.get("delivery_mode")), json!([r.status, r.json["status"], kit.status(&id).await]))
    })
    .await;
    assert_eq!((clean, faulty), (json!("poll"), Value::Null));
}

#[tokio::test]
async fn external_never_stale_keeps_a_silent_external_online() {
    let delays = Delays { stale_after: Duration::from_millis(200), liveness_ttl: Duration::from_millis(400), ..quick() };
    let (clean, faulty) = contrast(Fault::ExternalNeverStale, delays, |kit| async move {
        let (id, token) = kit.external_ws("ext-e2e", "external").await;
        let reg = kit.register_poll(&id, &token).await;
        let first = kit.status(&id).await;
        // Well past stale_after and the liveness TTL.
        let later = kit.status_within(&id, "awaiting_agent", Duration::from_millis(600)).await;
        seen(json!(later), json!([reg.status, first]))
    })
    .await;
    assert_eq!((clean, faulty), (json!("awaiting_agent"), json!("online")));
}

#[tokio::test]
async fn external_created_online_answers_without_awaiting_agent_or_a_token() {
    let (clean, faulty) = contrast(Fault::ExternalCreatedOnline, no_runtime_delays(), |kit| async move {
        let r = kit.admin(Method::POST, "/workspaces", Some(json!({"name": "ext-e2e", "runtime": "external", "external": true}))).await;
        let token = r.json.pointer("/connection/auth_token").is_some_and(Value::is_string);
        let platform = kit.admin(Method::POST, "/workspaces", Some(json!({"name": "p", "runtime": "hermes", "model": "openai/gpt-4o"}))).await;
        seen(json!({"status": r.json["status"], "token": token}), json!([r.status, platform.status, platform.json["status"]]))
    })
    .await;
    assert_eq!(clean, json!({"status": "awaiting_agent", "token": true}));
    assert_eq!(faulty, json!({"status": "online", "token": false}));
}

/// A message from `from` to `to` (poll mode), as `from` with its own token.
async fn message(kit: &Kit, from: (&str, &str), to: &str, text: &str) -> u16 {
    let body = json!({"jsonrpc": "2.0", "method": "message/send", "id": "e2e-byo-rt", "params": {"message": {"role": "user", "messageId": format!("e2e-{text}"), "parts": [{"kind": "text", "text": text}]}}});
    let headers = [("X-Workspace-ID", from.0)];
    let org = kit.org_id.clone();
    let raw = kit.raw(Method::POST, &format!("/workspaces/{to}/a2a"), As::Token(from.1.to_owned()), Some(&org), &headers, Some(body.to_string().into_bytes())).await;
    raw.status
}

#[tokio::test]
async fn poll_reply_dropped_accepts_the_reply_but_the_sender_never_sees_it() {
    let (clean, faulty) = contrast(Fault::PollReplyDropped, no_runtime_delays(), |kit| async move {
        let (sender, sender_token) = kit.external_ws("ext-sender-e2e", "external").await;
        let agent = kit.create(json!({"name": "ext-agent-e2e", "runtime": "external", "external": true, "parent_id": sender})).await;
        kit.register_poll(&sender, &sender_token).await.expect(200);
        kit.register_poll(&agent.0, &agent.1).await.expect(200);
        let sent = message(&kit, (&sender, &sender_token), &agent.0, "ping").await;
        let replied = message(&kit, (&agent.0, &agent.1), &sender, "pong").await;
        let inbox = kit.activity(&sender, "?type=a2a_receive").await.len();
        seen(json!(inbox), json!([sent, replied, kit.activity(&agent.0, "?type=a2a_receive").await.len()]))
    })
    .await;
    assert_eq!((clean, faulty), (json!(1), json!(0)));
}
