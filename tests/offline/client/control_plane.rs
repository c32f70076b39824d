//! The control plane (contract §2).

use super::*;

#[tokio::test]
async fn create_org_sends_the_harness_body_with_the_admin_bearer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cp/admin/orgs"))
        .and(header("authorization", format!("Bearer {CP_TOKEN}").as_str()))
        .and(NoOrgHeader)
        .and(body_json(json!({"slug": "e2e-20260606-1", "name": "E2E e2e-20260606-1", "owner_user_id": "e2e-runner:e2e-20260606-1"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "org-1", "slug": "e2e-20260606-1", "instance_status": "provisioning"})))
        .expect(1)
        .mount(&server)
        .await;
    let org = cp(&server).create_org("e2e-20260606-1", "E2E e2e-20260606-1", None).await.expect("an org");
    assert_eq!((org.id.as_str(), org.instance_status.as_deref()), ("org-1", Some("provisioning")));
}

#[rstest]
#[case::no_id(json!({"slug": "e2e-x"}), "no \"id\" field")]
#[case::empty_id(json!({"id": "", "slug": "e2e-x"}), "\"id\" is an empty string")]
#[case::numeric_id(json!({"id": 7}), "\"id\" is a number, expected a string")]
#[case::null_id(json!({"id": null}), "\"id\" is null, expected a string")]
#[case::not_an_object(json!(["o-1"]), "the answer is an array, not an object")]
#[tokio::test]
async fn create_org_without_a_string_id_names_the_field_and_its_type(#[case] body: Value, #[case] reason: &str) {
    let server = answering(ResponseTemplate::new(200).set_body_json(&body)).await;
    let e = cp(&server).create_org("e2e-x", "E2E e2e-x", None).await.expect_err("no id");
    let text = expect_decode(e, 200, reason);
    assert!(text.starts_with("create_org (POST /cp/admin/orgs): HTTP 200 answer is not an org with an \"id\""), "{text}");
}

#[tokio::test]
async fn create_org_duplicate_slug_is_a_409() {
    let server = answering(ResponseTemplate::new(409).set_body_json(json!({"error": "slug already taken"}))).await;
    let e = cp(&server).create_org("e2e-x", "E2E e2e-x", None).await.unwrap_err();
    expect_api(e, 409, None, Some("slug already taken"));
}

#[tokio::test]
async fn delete_tenant_sends_confirm_with_the_slug() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/cp/admin/tenants/e2e-x"))
        .and(body_json(json!({"confirm": "e2e-x"})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    cp(&server).delete_tenant("e2e-x").await.expect("deleted");
}

#[tokio::test]
async fn list_orgs_decodes_the_orgs_array_and_org_skips_purged_rows() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cp/admin/orgs"))
        .and(query_param("limit", "500"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"orgs": [
            {"id": "o-1", "slug": "e2e-a", "instance_status": "running", "last_error": null, "created_at": "2026-06-06T10:00:00Z", "plan": "free", "member_count": 1},
            {"id": "o-2", "slug": "e2e-b", "instance_status": "running", "status": "purged"},
        ]})))
        .mount(&server)
        .await;
    let c = cp(&server);
    let orgs = c.list_orgs().await.expect("orgs");
    assert_eq!(orgs.iter().map(|o| o.slug.as_str()).collect::<Vec<_>>(), ["e2e-a", "e2e-b"]);
    assert_eq!(orgs[0].created_at.as_deref(), Some("2026-06-06T10:00:00Z"));
    assert_eq!(c.org("e2e-a").await.expect("listed").map(|o| o.id), Some("o-1".to_owned()));
    assert_eq!(c.org("e2e-b").await.expect("listed"), None, "a purged row counts as gone");
    assert_eq!(c.org("e2e-c").await.expect("listed"), None);
}

#[rstest]
#[case::no_orgs_key(json!({"items": []}), "no \"orgs\" array")]
#[case::bare_array(json!([]), "no \"orgs\" array")]
#[case::row_without_slug(json!({"orgs": [{"id": "o-1"}]}), "no \"slug\" field")]
#[case::orgs_not_an_array(json!({"orgs": {"id": "o-1"}}), "\"orgs\" is an object, expected an array")]
#[case::numeric_org_id(json!({"orgs": [{"id": 12, "slug": "e2e-a"}]}), "\"id\" is a number, expected a string")]
#[tokio::test]
async fn list_orgs_of_the_wrong_shape_is_a_decode_error(#[case] body: Value, #[case] reason: &str) {
    let server = answering(ResponseTemplate::new(200).set_body_json(&body)).await;
    expect_decode(cp(&server).list_orgs().await.unwrap_err(), 200, reason);
}

#[tokio::test]
async fn tenant_admin_token_is_read_and_registered_for_scrubbing() {
    let server = MockServer::start().await;
    Mock::given(path("/cp/admin/orgs/e2e-x/admin-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"admin_token": "client-tenant-admin-9e21"})))
        .expect(1)
        .mount(&server)
        .await;
    let t = cp(&server).tenant_admin_token("e2e-x").await.expect("a token");
    assert_eq!(t.expose_secret(), "client-tenant-admin-9e21");
    assert_eq!(molecule_e2e::redact::scrub("got client-tenant-admin-9e21"), "got [REDACTED]");
}

#[tokio::test]
async fn tenant_admin_token_missing_is_a_decode_error() {
    let server = answering(ResponseTemplate::new(200).set_body_json(json!({"admin_token": ""}))).await;
    expect_decode(cp(&server).tenant_admin_token("e2e-x").await.unwrap_err(), 200, "\"admin_token\" is an empty string");
    let server = answering(ResponseTemplate::new(200).set_body_json(json!({"token": "x"}))).await;
    expect_decode(cp(&server).tenant_admin_token("e2e-x").await.unwrap_err(), 200, "no \"admin_token\" field");
    let server = answering(ResponseTemplate::new(200).set_body_json(json!({"admin_token": 123456789}))).await;
    let text = expect_decode(cp(&server).tenant_admin_token("e2e-x").await.unwrap_err(), 200, "\"admin_token\" is a number");
    assert!(!text.contains("123456789"), "a mistyped token is not quoted: {text}");
}

#[rstest]
#[case::ok(200, true)]
#[case::no_content_is_not_enough(204, false)]
#[case::server_error(503, false)]
#[tokio::test]
async fn cp_health_requires_exactly_200(#[case] status: u16, #[case] healthy: bool) {
    let server = answering(ResponseTemplate::new(status)).await;
    let r = cp(&server).health().await;
    match (r, healthy) {
        (Ok(()), true) => {}
        (Err(e), false) => {
            expect_api(e, status, None, None);
        }
        (r, _) => panic!("status {status}: {r:?}"),
    }
}

#[test]
fn require_token_says_what_is_missing() {
    let no_token = ControlPlane::new("http://127.0.0.1:9", None).expect("a client");
    match no_token.require_token() {
        Err(E2eError::Unmet(m)) => assert!(m.contains("MOLECULE_ADMIN_TOKEN"), "{m}"),
        other => panic!("expected Unmet, got {other:?}"),
    }
    ControlPlane::new("http://127.0.0.1:9", Some(SecretString::from("client-cp-other-88c1"))).unwrap().require_token().expect("set");
}
