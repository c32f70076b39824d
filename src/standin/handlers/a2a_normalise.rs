//! The proxy's JSON-RPC normalisation (contract §6.2; handlers/a2a_proxy.go
//! `normalizeA2APayload` at the reference commit): what reaches the runtime.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::standin::reply::{error, json_reply};

/// Parse and normalise a request body: not a JSON object (or `null`, which Go decodes into
/// an empty map) → 400 `invalid JSON`. Returns the envelope and its `method` ("" if none).
pub fn normalise_body(body: &[u8]) -> Result<(Value, String), Response> {
    let obj = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => m,
        Ok(Value::Null) => Map::new(),
        _ => return Err(error(StatusCode::BAD_REQUEST, "invalid JSON")),
    };
    let envelope = normalise(obj)?;
    let method = envelope.get("method").and_then(Value::as_str).unwrap_or_default().to_owned();
    Ok((envelope, method))
}

/// No `jsonrpc` key → wrapped with a fresh id; then, if `params.message` is an object: a
/// missing `messageId` gets a uuid, a missing `role` is `user`, no `parts` takes `content`
/// (string → one text part, array → the parts, else 400), neither → 400; every part with
/// `type` but no `kind` has it renamed.
pub fn normalise(mut obj: Map<String, Value>) -> Result<Value, Response> {
    if !obj.contains_key("jsonrpc") {
        let method = obj.remove("method").unwrap_or(Value::Null);
        let params = obj.remove("params").unwrap_or(Value::Null);
        obj = Map::new();
        obj.insert("jsonrpc".into(), json!("2.0"));
        obj.insert("id".into(), json!(Uuid::new_v4().to_string()));
        obj.insert("method".into(), method);
        obj.insert("params".into(), params);
    }
    if let Some(Value::Object(params)) = obj.get_mut("params")
        && let Some(Value::Object(msg)) = params.get_mut("message")
    {
        normalise_message(msg)?;
    }
    Ok(Value::Object(obj))
}

fn normalise_message(msg: &mut Map<String, Value>) -> Result<(), Response> {
    if !msg.contains_key("messageId") {
        msg.insert("messageId".into(), json!(Uuid::new_v4().to_string()));
    }
    if !msg.contains_key("role") {
        msg.insert("role".into(), json!("user"));
    }
    if !msg.contains_key("parts") {
        let parts = match msg.remove("content") {
            Some(Value::String(text)) => json!([{"kind": "text", "text": text}]),
            Some(a @ Value::Array(_)) => a,
            Some(_) => {
                return Err(json_reply(
                    StatusCode::BAD_REQUEST,
                    json!({"error": "invalid params.message.content type", "hint": "content must be a string (v0.2 compat) or omitted in favour of parts (v0.3)"}),
                ));
            }
            None => {
                return Err(json_reply(
                    StatusCode::BAD_REQUEST,
                    json!({"error": "params.message must contain either 'parts' (v0.3) or 'content' (v0.2 compat)", "hint": "v0.3 example: {\"parts\":[{\"kind\":\"text\",\"text\":\"...\"}]}"}),
                ));
            }
        };
        msg.insert("parts".into(), parts);
    }
    if let Some(Value::Array(parts)) = msg.get_mut("parts") {
        for part in parts.iter_mut().filter_map(Value::as_object_mut) {
            if !part.contains_key("kind")
                && let Some(t) = part.remove("type")
            {
                part.insert("kind".into(), t);
            }
        }
    }
    Ok(())
}
