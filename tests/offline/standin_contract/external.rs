//! External runtimes, registry, poll mode

use super::*;

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
    let kit = Kit::start(StandInConfig::reference().with_delays(delays)).await;
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
    let kit = Kit::start(StandInConfig::reference().with_delays(no_runtime_delays())).await;
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
    let kit = Kit::start(StandInConfig::reference().with_delays(no_runtime_delays())).await;
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
    let kit = Kit::start(StandInConfig::reference().with_delays(no_runtime_delays())).await;
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
