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
    // Idempotent at the reference generation (today: the exact 404, tested below).
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

/// June's control plane: DELETE is idempotent, with no receipt, and there is no boot-events
/// or purge route (the canvas's HTML 404).
#[tokio::test]
async fn at_41409fb2_delete_is_idempotent_and_there_is_no_purge_proof() {
    let kit = Kit::start(StandInConfig::new().with_delays(Delays::fast()).with_platform(&G41409FB2)).await;
    let path = format!("/cp/admin/tenants/{}", kit.slug);
    for _ in 0..2 {
        let r = kit.call(Method::DELETE, &path, As::Cp, None, Some(json!({"confirm": kit.slug}))).await;
        assert_eq!((r.status, &r.json), (200, &json!({"status": "deleted", "slug": kit.slug})));
    }
    for p in [format!("{path}/boot-events?limit=1"), "/cp/admin/purges?limit=500".to_owned()] {
        let r = kit.call(Method::GET, &p, As::Cp, None, None).await;
        assert_eq!((r.status, r.json.clone()), (404, Value::Null), "{p}: the canvas's HTML 404");
    }
}

/// Today's teardown proof (cp_purge_receipt.sh at aeec8e47): the org's identity while present,
/// the receipt, the completed audit row, the exact 404 after.
#[tokio::test]
async fn today_a_delete_answers_a_receipt_its_purge_completes_and_the_org_is_exactly_absent() {
    let kit = Kit::start(StandInConfig::new().with_delays(Delays::fast()).with_platform(&GAEEC8E47)).await;
    let path = format!("/cp/admin/tenants/{}", kit.slug);
    let present = kit.call(Method::GET, &format!("{path}/boot-events?limit=1"), As::Cp, None, None).await;
    assert_eq!((present.status, present.str("slug"), present.str("org_id")), (200, kit.slug.clone(), kit.org_id.clone()));
    let r = kit.call(Method::DELETE, &path, As::Cp, None, Some(json!({"confirm": kit.slug}))).await;
    r.expect(200);
    assert_eq!((&r.json["deleted"], r.str("slug"), r.str("org_id")), (&json!(true), kit.slug.clone(), kit.org_id.clone()));
    let purge_id = r.str("purge_id");
    assert!(uuid::Uuid::parse_str(&purge_id).is_ok(), "{}", r.text());
    let audit = kit.call(Method::GET, "/cp/admin/purges?limit=500", As::Cp, None, None).await;
    let row = &audit.json["purges"][0];
    assert_eq!((&row["id"], &row["org_id"], &row["org_slug"]), (&json!(purge_id), &json!(kit.org_id), &json!(kit.slug)));
    assert_eq!((&row["status"], &row["last_step"]), (&json!("completed"), &json!("completed")));
    assert!(row["completed_at"].as_str().is_some_and(|t| time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).is_ok()), "{row}");
    let absent = kit.call(Method::GET, &format!("{path}/boot-events?limit=1"), As::Cp, None, None).await;
    assert_eq!((absent.status, absent.json), (404, json!({"error": "org not found", "slug": kit.slug})));
    let again = kit.call(Method::DELETE, &path, As::Cp, None, Some(json!({"confirm": kit.slug}))).await;
    assert_eq!((again.status, again.json), (404, json!({"error": "org not found", "slug": kit.slug})));
}

/// Org create names its provider today: none is the default (molecules-server), the closed
/// `aws` path never runs, an unknown one is refused; June ignores the field.
#[tokio::test]
async fn today_org_create_validates_its_provider() {
    async fn create(kit: &Kit, slug: &'static str, provider: Option<&'static str>) -> kit::Reply {
        let mut body = json!({"slug": slug, "name": slug, "owner_user_id": format!("e2e-runner:{slug}")});
        if let Some(p) = provider {
            body["provider"] = json!(p);
        }
        kit.call(Method::POST, "/cp/admin/orgs", As::Cp, None, Some(body)).await
    }
    let today = Kit::start(StandInConfig::new().with_delays(Delays::fast()).with_platform(&GAEEC8E47)).await;
    let r = create(&today, "e2e-unknown", Some("ec2-classic")).await;
    assert_eq!((r.status, r.json.clone()), (400, json!({"error": "invalid provider", "provider": "ec2-classic"})));
    create(&today, "e2e-local", Some("molecules-server")).await.expect(201);
    create(&today, "e2e-closed", Some("aws")).await.expect(201);
    eventually("the closed provider's org to fail and the local one to run", || async {
        let list = today.call(Method::GET, "/cp/admin/orgs", As::Cp, None, None).await;
        let status = |slug: &str| list.json["orgs"].as_array()?.iter().find(|o| o["slug"] == slug)?["instance_status"].as_str().map(str::to_owned);
        (status("e2e-closed").as_deref() == Some("failed") && status("e2e-local").as_deref() == Some("running")).then_some(())
    })
    .await;
    let june = Kit::start(StandInConfig::new().with_delays(Delays::fast()).with_platform(&G41409FB2)).await;
    create(&june, "e2e-unknown", Some("ec2-classic")).await.expect(201);
}
