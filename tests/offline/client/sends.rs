//! What the tenant client sends.

use super::*;

#[tokio::test]
async fn tenant_calls_carry_the_bearer_and_the_org_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/workspaces/ws-1"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("x-molecule-org-id", ORG))
        .respond_with(ResponseTemplate::new(200).set_body_json(workspace_row("ws-1")))
        .expect(1)
        .mount(&server)
        .await;
    let row = tenant(&server).get_workspace("ws-1").await.expect("a row");
    assert!(row.is_ready(), "{row:?}");
}

#[tokio::test]
async fn as_workspace_swaps_the_bearer_and_with_caller_names_the_caller() {
    let server = MockServer::start().await;
    Mock::given(path("/workspaces/child/activity"))
        .and(header("authorization", "Bearer client-ws-token-71aa30"))
        .and(header(ORG_HEADER, ORG))
        .and(header("x-workspace-id", "parent"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let t = tenant(&server).as_workspace(&SecretString::from("client-ws-token-71aa30")).with_caller("parent").expect("caller");
    assert_eq!(t.org_id(), ORG);
    assert!(t.activity("child", &ActivityQuery::default()).await.expect("rows").is_empty());
}

#[tokio::test]
async fn create_sends_the_wire_body_and_decodes_the_token() {
    let req = CreateWorkspace::platform("E2E Parent", "hermes", "openai/gpt-4o").with_secrets(
        [("MODEL_PROVIDER".to_owned(), SecretString::from("openai:gpt-4o"))].into_iter().collect(),
    );
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/workspaces"))
        .and(body_json(req.to_body()))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "ws-9", "status": "provisioning", "workspace_access": "none", "auth_token": "client-created-token-4411",
        })))
        .expect(1)
        .mount(&server)
        .await;
    let created = tenant(&server).create_workspace(&req).await.expect("created");
    assert_eq!((created.id.as_str(), created.status.as_str(), created.external), ("ws-9", "provisioning", false));
    assert_eq!(created.token().map(|t| t.expose_secret()), Some("client-created-token-4411"));
    assert!(!format!("{created:?}").contains("client-created-token-4411"));
}

#[tokio::test]
async fn delete_workspace_confirms_by_name() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/workspaces/ws-1"))
        .and(query_param("confirm", "true"))
        .and(header("x-confirm-name", "E2E Parent"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "removed", "cascade_deleted": 0})))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(tenant(&server).delete_workspace("ws-1", "E2E Parent").await.expect("removed").status, "removed");
}

#[tokio::test]
async fn ids_are_percent_encoded_so_they_cannot_change_the_path() {
    let server = MockServer::start().await;
    Mock::given(path("/workspaces/..%2Fadmin%3Fx")).respond_with(ResponseTemplate::new(200).set_body_json(workspace_row("x"))).expect(1).mount(&server).await;
    tenant(&server).get_workspace("../admin?x").await.expect("the odd id stays one segment");
}

#[tokio::test]
async fn activity_sends_its_filters_and_reads_both_list_shapes() {
    let server = MockServer::start().await;
    let row = json!({"id": "a-2", "activity_type": "a2a_receive", "request_body": envelope()});
    Mock::given(path("/workspaces/ws-1/activity"))
        .and(query_param("type", "a2a_receive"))
        .and(query_param("since_id", "a-1"))
        .and(query_param("limit", "5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([row])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/workspaces/ws-2/activity"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"events": [row]})))
        .expect(1)
        .mount(&server)
        .await;
    let t = tenant(&server);
    let q = ActivityQuery::of_type("a2a_receive").since(Some("a-1")).limit(5);
    let rows = t.activity("ws-1", &q).await.expect("rows");
    assert_eq!(rows[0].message_text().as_deref(), Some("PONG?"));
    assert_eq!(rows[0].message_id(), Some("e2e-0a1b2c3d"));
    assert_eq!(t.activity("ws-2", &ActivityQuery::default()).await.expect("rows").len(), 1);
}

#[tokio::test]
async fn lifecycle_acks_accept_an_empty_204() {
    let server = answering(ResponseTemplate::new(204)).await;
    assert_eq!(tenant(&server).pause("ws-1").await.expect("ack").status, "");
}

#[tokio::test]
async fn register_reads_the_delivery_mode_from_the_answer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/registry/register"))
        .and(body_partial_json(json!({"id": "ws-1", "delivery_mode": "poll"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "registered", "delivery_mode": "poll"})))
        .expect(1)
        .mount(&server)
        .await;
    let r = tenant(&server).register(&molecule_e2e::payload::register_body("ws-1", "poll")).await.expect("registered");
    assert_eq!(r.delivery_mode.as_deref(), Some("poll"));
}
