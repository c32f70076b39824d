//! Faults of the lifecycle: provisioning, pause/resume, hibernate/wake, orgs.

use super::*;

#[tokio::test]
async fn resume_stays_paused_leaves_the_workspace_paused_after_a_200() {
    let (clean, faulty) = contrast(Fault::ResumeStaysPaused, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let paused = kit.admin(Method::POST, &format!("/workspaces/{id}/pause"), None).await.json;
        let status_paused = kit.status(&id).await;
        let resumed = kit.admin(Method::POST, &format!("/workspaces/{id}/resume"), None).await.json;
        // Several provisioning delays: a clean resume is online long before this ends.
        let later = kit.status_within(&id, "online", Duration::from_millis(400)).await;
        seen(json!(later), json!([paused, status_paused, resumed]))
    })
    .await;
    assert_eq!((clean, faulty), (json!("online"), json!("paused")));
}

#[tokio::test]
async fn never_wakes_answers_waking_but_stays_hibernated() {
    let (clean, faulty) = contrast(Fault::NeverWakes, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        kit.admin(Method::POST, &format!("/workspaces/{id}/hibernate?force=true"), None).await.expect(200);
        let r = kit.pong(&id).await;
        let neighbour = json!({"status": r.status, "body": r.json, "retry_after": r.headers.get("retry-after").and_then(|v| v.to_str().ok())});
        // Several wake delays, as above.
        let later = kit.status_within(&id, "online", Duration::from_millis(400)).await;
        seen(json!(later), neighbour)
    })
    .await;
    assert_eq!((clean, faulty), (json!("online"), json!("hibernated")));
}

#[tokio::test]
async fn pause_ignored_answers_paused_but_changes_nothing() {
    let (clean, faulty) = contrast(Fault::PauseIgnored, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let r = kit.admin(Method::POST, &format!("/workspaces/{id}/pause"), None).await;
        seen(json!(kit.status(&id).await), json!([r.status, r.json]))
    })
    .await;
    assert_eq!((clean, faulty), (json!("paused"), json!("online")));
}

#[tokio::test]
async fn hibernate_ignored_answers_hibernated_but_stays_online() {
    let (clean, faulty) = contrast(Fault::HibernateIgnored, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let r = kit.admin(Method::POST, &format!("/workspaces/{id}/hibernate?force=true"), None).await;
        seen(json!(kit.status(&id).await), json!([r.status, r.json]))
    })
    .await;
    assert_eq!((clean, faulty), (json!("hibernated"), json!("online")));
}

#[tokio::test]
async fn hibernate_ignores_busy_hibernates_a_workspace_mid_turn_without_force() {
    let (clean, faulty) = contrast(Fault::HibernateIgnoresBusy, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let send = kit.busy(&id).await;
        let r = kit.admin(Method::POST, &format!("/workspaces/{id}/hibernate"), None).await;
        // The neighbour: an idle workspace's hibernate is the same either way.
        let idle = online_platform_ws(&kit).await;
        let i = kit.admin(Method::POST, &format!("/workspaces/{idle}/hibernate"), None).await;
        send.abort();
        seen(json!([r.status, kit.status(&id).await]), json!([i.status, i.json, kit.status(&idle).await]))
    })
    .await;
    assert_eq!((clean, faulty), (json!([409, "online"]), json!([200, "hibernated"])));
}

#[tokio::test]
async fn force_spares_busy_answers_hibernated_but_leaves_a_workspace_mid_turn_online() {
    let (clean, faulty) = contrast(Fault::ForceSparesBusy, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let send = kit.busy(&id).await;
        let r = kit.admin(Method::POST, &format!("/workspaces/{id}/hibernate?force=true"), None).await;
        let idle = online_platform_ws(&kit).await;
        let i = kit.admin(Method::POST, &format!("/workspaces/{idle}/hibernate?force=true"), None).await;
        send.abort();
        seen(json!([r.status, r.json, kit.status(&id).await]), json!([i.status, i.json, kit.status(&idle).await]))
    })
    .await;
    assert_eq!(clean, json!([200, {"status": "hibernated"}, "hibernated"]));
    assert_eq!(faulty, json!([200, {"status": "hibernated"}, "online"]));
}

#[tokio::test]
async fn slow_provisioning_passes_through_failed_before_online() {
    // The transient `failed` lasts half of 5 x 60 ms: seven or so looks at 20 ms.
    let delays = quick();
    let (clean, faulty) = contrast(Fault::SlowProvisioning, delays, |kit| async move {
        let (id, _) = kit.platform_ws("E2E Parent").await;
        let statuses = kit.statuses_until_online(&id).await;
        let named = json!({"saw_failed": statuses.iter().any(|s| s == "failed"), "last": statuses.last()});
        seen(named, json!(kit.pong(&id).await.reply_text()))
    })
    .await;
    assert_eq!(clean, json!({"saw_failed": false, "last": "online"}));
    assert_eq!(faulty, json!({"saw_failed": true, "last": "online"}));
}

#[tokio::test]
async fn waking_without_retry_after_drops_the_retry_hints_but_still_wakes() {
    let (clean, faulty) = contrast(Fault::WakingWithoutRetryAfter, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        kit.admin(Method::POST, &format!("/workspaces/{id}/hibernate?force=true"), None).await.expect(200);
        let r = kit.pong(&id).await;
        let hints = json!([r.headers.get("retry-after").and_then(|v| v.to_str().ok()), r.json.get("retry_after")]);
        kit.wait_online(&id).await;
        seen(hints, json!([r.status, r.json["waking"], kit.pong(&id).await.reply_text()]))
    })
    .await;
    assert_eq!((clean, faulty), (json!(["15", 15]), json!([null, null])));
}

#[tokio::test]
async fn config_rewrite_wedges_leaves_the_workspace_provisioning() {
    let (clean, faulty) = contrast(Fault::ConfigRewriteWedges, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let put = kit.admin(Method::PUT, &format!("/workspaces/{id}/files/config.yaml"), Some(json!({"content": "x: 1\n"}))).await;
        // The clean stand-in restarts and comes back; the faulty one must still be
        // provisioning well after a restart would have finished.
        let status = kit.status_within(&id, "online", Duration::from_millis(400)).await;
        seen(json!(status), json!(put.status))
    })
    .await;
    assert_eq!((clean, faulty), (json!("online"), json!("provisioning")));
}

#[tokio::test]
async fn online_without_url_goes_online_with_an_empty_url() {
    let (clean, faulty) = contrast(Fault::OnlineWithoutUrl, fast(), |kit| async move {
        let (id, _) = kit.platform_ws("E2E Parent").await;
        let row = kit.wait_status(&id, "online").await;
        seen(json!(row["url"].as_str().is_some_and(|u| !u.is_empty())), json!(row["status"]))
    })
    .await;
    assert_eq!((clean, faulty), (json!(true), json!(false)));
}

#[tokio::test]
async fn org_never_runs_fails_the_org_with_a_last_error() {
    let delays = Delays { org_ready: Duration::ZERO, ..no_runtime_delays() };
    let clean_kit = Kit::start(StandInConfig::reference().with_delays(delays.clone())).await;
    let faulty = molecule_e2e::standin::StandIn::start(StandInConfig::reference().with_delays(delays).with_fault(Fault::OrgNeverRuns), ([127, 0, 0, 1], 0).into())
        .await
        .expect("stand-in starts");
    let http = crate::standin_contract::kit::loopback_client();
    let created = http
        .post(format!("{}/cp/admin/orgs", faulty.url()))
        .bearer_auth(faulty.admin_token())
        .json(&json!({"slug": "e2e-never", "name": "E2E never", "owner_user_id": "e2e-runner:test"}))
        .send()
        .await
        .expect("create org");
    assert_eq!(created.status().as_u16(), 201);
    let org = |v: Value| v["orgs"][0].clone();
    let list = |url: String, token: String| {
        let http = http.clone();
        async move { http.get(format!("{url}/cp/admin/orgs")).bearer_auth(token).send().await.expect("list").json::<Value>().await.expect("json") }
    };
    let clean = org(list(clean_kit.standin.url(), clean_kit.standin.admin_token().to_owned()).await);
    let broken = org(list(faulty.url(), faulty.admin_token().to_owned()).await);
    assert_eq!((clean["instance_status"].clone(), clean["last_error"].clone()), (json!("running"), Value::Null));
    assert_eq!(broken["instance_status"], "failed");
    assert!(broken["last_error"].as_str().is_some_and(|e| !e.is_empty()), "{broken}");
    assert_eq!(clean_kit.standin.fault_hits(Fault::OrgNeverRuns), 0);
    assert!(faulty.fault_hits(Fault::OrgNeverRuns) > 0);
}

#[tokio::test]
async fn deleted_org_listed_keeps_a_deleted_org_in_the_list() {
    let (clean, faulty) = contrast(Fault::DeletedOrgListed, no_runtime_delays(), |kit| async move {
        let del = kit.call(Method::DELETE, &format!("/cp/admin/tenants/{}", kit.slug), As::Cp, None, Some(json!({"confirm": kit.slug}))).await;
        let list = kit.call(Method::GET, "/cp/admin/orgs", As::Cp, None, None).await;
        let listed = list.json["orgs"].as_array().map_or(0, |o| o.len());
        let tenant = kit.admin(Method::GET, "/workspaces", None).await.status;
        seen(json!([listed, kit.standin.org_count()]), json!([del.status, tenant]))
    })
    .await;
    assert_eq!((clean, faulty), (json!([0, 0]), json!([1, 1])));
}

/// A platform parent with an online child, for the cascade guard.
async fn parent_with_child(kit: &Kit) -> (String, String) {
    let parent = online_platform_ws(kit).await;
    let body = json!({"name": "E2E Child", "tier": 2, "runtime": "claude-code", "model": "minimax/MiniMax-M2.7", "parent_id": parent});
    let (child, _) = kit.create(body).await;
    kit.wait_online(&child).await;
    (parent, child)
}

#[tokio::test]
async fn cascade_guard_missing_pauses_the_subtree_without_cascade() {
    let (clean, faulty) = contrast(Fault::CascadeGuardMissing, fast(), |kit| async move {
        let (parent, child) = parent_with_child(&kit).await;
        let before = kit.status(&parent).await;
        let r = kit.admin(Method::POST, &format!("/workspaces/{parent}/pause"), None).await;
        seen(json!([r.status, kit.status(&child).await]), json!(before))
    })
    .await;
    assert_eq!((clean, faulty), (json!([409, "online"]), json!([200, "paused"])));
}

#[tokio::test]
async fn cascade_refusal_pauses_refuses_but_pauses_the_parent() {
    let (clean, faulty) = contrast(Fault::CascadeRefusalPauses, fast(), |kit| async move {
        let (parent, child) = parent_with_child(&kit).await;
        let r = kit.admin(Method::POST, &format!("/workspaces/{parent}/pause"), None).await;
        seen(json!([r.status, kit.status(&parent).await]), json!([r.json["error"], kit.status(&child).await]))
    })
    .await;
    assert_eq!((clean, faulty), (json!([409, "online"]), json!([409, "paused"])));
}

#[tokio::test]
async fn paused_still_serves_lets_a2a_reach_a_paused_workspace() {
    let (clean, faulty) = contrast(Fault::PausedStillServes, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        kit.admin(Method::POST, &format!("/workspaces/{id}/pause"), None).await.expect(200);
        let row = kit.row(&id).await;
        seen(json!(kit.pong(&id).await.status), json!([row["status"], row["url"]]))
    })
    .await;
    assert_eq!((clean, faulty), (json!(503), json!(200)));
}

#[tokio::test]
async fn restart_never_returns_leaves_the_workspace_provisioning() {
    let (clean, faulty) = contrast(Fault::RestartNeverReturns, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let r = kit.admin(Method::POST, &format!("/workspaces/{id}/restart"), None).await;
        // Several provisioning delays: a clean restart is online long before this ends.
        let later = kit.status_within(&id, "online", Duration::from_millis(400)).await;
        seen(json!(later), json!([r.status, r.json["status"]]))
    })
    .await;
    assert_eq!((clean, faulty), (json!("online"), json!("provisioning")));
}
