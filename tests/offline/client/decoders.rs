use molecule_e2e::client::{
    Ack, ActivityRow, BillingMode, Created, Org, Registered, WorkspaceRow,
    internals::{api_error, decode_activity, decode_orgs, is_transient},
};
use molecule_e2e::error::Call;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Field names the decoders read, so random documents often hit the real paths.
const FIELDS: &[&str] = &[
    "id", "slug", "name", "status", "url", "runtime", "parent_id", "agent_card", "orgs", "instance_status",
    "last_error", "created_at", "activity_type", "workspace_id", "source_id", "target_id", "method", "summary",
    "error_detail", "request_body", "response_body", "params", "message", "messageId", "parts", "text", "kind",
    "auth_token", "connection", "external", "platform_url", "registry_endpoint", "heartbeat_endpoint", "events",
    "resolved_mode", "workspace_override", "source", "delivery_mode", "error", "code",
];
/// Short on purpose: a decoded token of six characters or more joins the process-wide
/// scrub list, and a random one must never mask words other tests look for.
const STRINGS: &[&str] = &["", "text", "byok", "poll", "x", "é\u{0}", "{}"];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![3 => prop::sample::select(FIELDS).prop_map(str::to_owned), 1 => "[a-zA-Z_]{0,8}"]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(STRINGS).prop_map(Value::from),
        ".{0,5}".prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn exercise(v: &Value) {
    let _ = Org::decode(v).map(|o| o.is_present());
    let _ = decode_orgs(v);
    let _ = WorkspaceRow::decode(v).map(|r| (r.is_ready(), r.state()));
    let _ = Created::decode(v).map(|c| (c.token().is_some(), format!("{c:?}")));
    let _ = BillingMode::decode(v);
    let _ = Registered::decode(v);
    let _ = Ack::decode(v);
    if let Ok(rows) = decode_activity(v) {
        for r in rows {
            let _ = (r.message_text(), r.message_id());
        }
    }
    if let Ok(r) = ActivityRow::decode(v) {
        let _ = (r.message_text(), r.message_id());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::support::proptest_cases(128)))]

    #[test]
    fn no_json_document_makes_a_decoder_panic(v in json_value()) {
        exercise(&v);
        // The same document where each decoder looks for nested data.
        exercise(&json!({"orgs": [v.clone()]}));
        exercise(&json!([v.clone()]));
        exercise(&json!({"events": [v.clone()]}));
        exercise(&json!({"id": "w", "status": "online", "connection": v.clone()}));
        let row = json!({"id": "a", "activity_type": "a2a_receive", "request_body": v.clone()});
        exercise(&row);
        let row = json!({"id": "a", "activity_type": "a2a_receive", "request_body": {"params": {"message": v.clone()}}});
        exercise(&row);
        let row = json!({"id": "a", "activity_type": "a2a_receive", "request_body": {"params": {"message": {"parts": v.clone()}}}});
        exercise(&row);
        let _ = molecule_e2e::redact::json(&v);
    }

    #[test]
    fn no_body_makes_error_mapping_panic(status in 100u16..600, body in prop::collection::vec(any::<u8>(), 0..256)) {
        let e = api_error(Call::new("probe", "GET", "/x"), status, &body);
        let _ = e.to_string();
        let _ = molecule_e2e::redact::excerpt(&body);
        let _ = is_transient(status, &body);
    }

    #[test]
    fn no_json_error_body_makes_error_mapping_panic(status in 100u16..600, v in json_value()) {
        let e = api_error(Call::new("probe", "GET", "/x"), status, v.to_string().as_bytes());
        prop_assert_eq!(e.status(), Some(status));
    }
}
