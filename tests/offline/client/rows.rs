use molecule_e2e::client::{Ack, ActivityRow, BillingMode, Created, Org, Registered, WorkspaceRow, internals::decode_activity};
use secrecy::ExposeSecret;
use serde_json::json;

#[test]
fn a_workspace_row_with_a_null_url_is_not_ready() {
    let row = WorkspaceRow::decode(&json!({"id": "w", "status": "online", "url": null, "runtime": null, "extra": 1})).unwrap();
    assert_eq!((row.url.as_str(), row.runtime.as_str()), ("", ""));
    assert!(!row.is_ready());
    assert_eq!(row.state(), "online (no url)");
    let row = WorkspaceRow::decode(&json!({"id": "w", "status": "online", "url": "http://x"})).unwrap();
    assert!(row.is_ready());
    assert_eq!(row.state(), "online");
}

#[test]
fn created_needs_a_non_empty_id_and_prefers_the_connection_token() {
    assert!(Created::decode(&json!({"id": ""})).unwrap_err().contains("\"id\" is empty"));
    assert!(Created::decode(&json!({"status": "provisioning"})).unwrap_err().contains("no \"id\" field"));
    let e = Created::decode(&json!({"id": "w", "connection": {"auth_token": 5}})).unwrap_err();
    assert_eq!(e, "\"connection.auth_token\" is a number, expected a string");
    let e = Created::decode(&json!({"id": "w", "external": "client-row-mistyped-81f3"})).unwrap_err();
    assert_eq!(e, "\"external\" is a string, expected a boolean (or absent)");
    let c = Created::decode(&json!({"id": "w", "auth_token": "client-row-top-5521"})).unwrap();
    assert_eq!(c.token().map(|t| t.expose_secret()), Some("client-row-top-5521"));
    let c = Created::decode(&json!({"id": "w", "auth_token": ""})).unwrap();
    assert!(c.token().is_none(), "an empty token is no token");
    let c = Created::decode(&json!({"id": "w", "connection": {"auth_token": 5}}));
    assert!(c.is_err(), "a connection without a string token is refused");
}

#[test]
fn org_presence_follows_the_purged_status() {
    let org = |status: Option<&str>| Org::decode(&json!({"id": "o", "slug": "s", "status": status})).unwrap();
    assert!(org(None).is_present());
    assert!(org(Some("active")).is_present());
    assert!(!org(Some("purged")).is_present());
}

#[test]
fn activity_rows_read_the_envelope_text() {
    let rows = decode_activity(&json!([{
        "id": "a", "activity_type": "a2a_receive",
        "request_body": {"params": {"message": {"messageId": "m-1", "parts": [{"kind": "text", "text": "one"}, {"kind": "file"}, {"kind": "text", "text": "two"}]}}},
    }]))
    .unwrap();
    assert_eq!(rows[0].message_text().as_deref(), Some("one\ntwo"));
    assert_eq!(rows[0].message_id(), Some("m-1"));
    let bare = ActivityRow::decode(&json!({"id": "b", "activity_type": "agent_log"})).unwrap();
    assert_eq!((bare.message_text(), bare.message_id()), (None, None));
    assert!(decode_activity(&json!({"rows": []})).unwrap_err().contains("the answer is an object, not an array"));
    let e = decode_activity(&json!([{"id": 9, "activity_type": "a2a_receive"}])).unwrap_err();
    assert_eq!(e, "\"id\" is a number, expected a string");
}

#[test]
fn small_answers_name_what_they_lack() {
    assert!(BillingMode::decode(&json!({"workspace_id": "w"})).unwrap_err().contains("resolved_mode"));
    assert_eq!(BillingMode::decode(&json!({"resolved_mode": "byok", "source": "workspace_override"})).unwrap().resolved_mode, "byok");
    assert!(Registered::decode(&json!({"delivery_mode": "poll"})).unwrap_err().contains("status"));
    assert!(Ack::decode(&json!({"paused_count": 1})).unwrap_err().contains("status"));
    assert_eq!(Ack::decode(&json!({"status": "paused", "paused_count": 1})).unwrap().status, "paused");
}
