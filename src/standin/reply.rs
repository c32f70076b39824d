//! Answers and body helpers every handler shares: JSON replies in the platform's shape
//! (gin's `c.JSON`), the canvas's HTML 404 for routes the tenant does not serve, and readers
//! for JSON request bodies. No handler or router code lives here, so nothing imports back.

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// `status` with `v` as a JSON body.
pub fn json_reply(status: StatusCode, v: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], Body::from(v.to_string())).into_response()
}

/// `{"error": msg}` with `status`.
pub fn error(status: StatusCode, msg: &str) -> Response {
    json_reply(status, json!({"error": msg}))
}

/// 404 `{"error":"workspace not found"}`.
pub fn workspace_not_found() -> Response {
    error(StatusCode::NOT_FOUND, "workspace not found")
}

/// A workspace id from a path: 400 `invalid workspace ID` unless it is a UUID.
pub fn workspace_id(raw: &str) -> Result<Uuid, Response> {
    Uuid::parse_str(raw).map_err(|_| error(StatusCode::BAD_REQUEST, "invalid workspace ID"))
}

/// What a tenant answers for a route it does not serve: the router's `NoRoute` hands the
/// request to the canvas (router.go `r.NoRoute(canvasProxy)`), whose Next.js app answers its
/// HTML 404 page. The tenant guard still runs first, so a request without the routing header
/// gets the guard's 400 instead.
pub fn canvas_not_found() -> Response {
    const PAGE: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"/><title>404: This page could not be found.</title></head>\
<body><div id=\"__next\"><div><h1 class=\"next-error-h1\">404</h1><div><h2>This page could not be found.</h2></div></div></div></body></html>";
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response()
}

/// A JSON object body, or `None` (not JSON, or not an object).
pub fn json_object(body: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

/// A string field of a JSON object, if it is a string.
pub fn str_field<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str)
}

/// Whether query parameter `k` is `true` or `1`.
pub fn query_flag(q: &std::collections::HashMap<String, String>, k: &str) -> bool {
    q.get(k).is_some_and(|v| v == "true" || v == "1")
}

/// The platform's `uuidRegex` (handlers/secrets.go): lowercase, hyphenated. Stricter than
/// `uuid.Parse`, which the handlers that use `validWorkspaceID` apply instead.
pub fn is_canonical_uuid(raw: &str) -> bool {
    let b = raw.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
        })
}
