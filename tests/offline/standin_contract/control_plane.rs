//! Control plane and tenants

use super::*;

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
    let standin = molecule_e2e::standin::StandIn::start(StandInConfig::reference().with_delays(delays), ([127, 0, 0, 1], 0).into()).await.expect("start");
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
