//! JSON-RPC 2.0 as a2a-sdk serves it: request validation in the SDK's order, A2A error
//! codes with their 1.0 `ErrorInfo` reasons, and the `A2A-Version` negotiation that picks a
//! dialect per request. Pure: no I/O.

use serde_json::{Value, json};

use super::Dialect;

/// A JSON-RPC error the runtime answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError { code, message: message.into() }
    }

    pub fn parse_error() -> Self {
        RpcError::new(-32700, "Parse error")
    }

    pub fn invalid_request(why: &str) -> Self {
        RpcError::new(-32600, format!("Invalid Request: {why}"))
    }

    pub fn method_not_found(method: &str) -> Self {
        RpcError::new(-32601, format!("Method not found: {method}"))
    }

    pub fn invalid_params(why: impl std::fmt::Display) -> Self {
        RpcError::new(-32602, format!("Invalid params: {why}"))
    }

    pub fn task_not_found(id: &str) -> Self {
        RpcError::new(-32001, format!("Task {id} not found"))
    }

    pub fn task_not_cancelable(id: &str, state: &str) -> Self {
        RpcError::new(-32002, format!("Task {id} cannot be canceled: it is in state {state}"))
    }

    pub fn push_not_supported() -> Self {
        RpcError::new(-32003, "Push notifications are not supported by this agent")
    }

    pub fn unsupported(what: impl std::fmt::Display) -> Self {
        RpcError::new(-32004, format!("Unsupported operation: {what}"))
    }

    pub fn extended_card_not_configured() -> Self {
        RpcError::new(-32007, "This agent has no authenticated extended card")
    }

    pub fn content_type_not_supported(got: &str) -> Self {
        RpcError::new(-32005, format!("Content type {got:?} is not supported: JSON-RPC requests are application/json"))
    }

    pub fn version_not_supported(asked: &str, method: &str, expected: &str) -> Self {
        RpcError::new(
            -32009,
            format!("A2A version '{asked}' is not supported by method {method}: it belongs to version '{expected}'"),
        )
    }

    /// The 1.0 `ErrorInfo.reason`: the error's name without "Error", in UPPER_SNAKE.
    fn reason(&self) -> Option<&'static str> {
        Some(match self.code {
            -32600 => "INVALID_REQUEST",
            -32602 => "INVALID_PARAMS",
            -32001 => "TASK_NOT_FOUND",
            -32002 => "TASK_NOT_CANCELABLE",
            -32003 => "PUSH_NOTIFICATION_NOT_SUPPORTED",
            -32004 => "UNSUPPORTED_OPERATION",
            -32005 => "CONTENT_TYPE_NOT_SUPPORTED",
            -32007 => "EXTENDED_AGENT_CARD_NOT_CONFIGURED",
            -32009 => "VERSION_NOT_SUPPORTED",
            _ => return None,
        })
    }

    /// The error object: 1.0 carries `data: [ErrorInfo]` (a2a-sdk sends none for -32601 and
    /// -32700); 0.3 carries no `data`.
    pub fn to_json(&self, dialect: Dialect) -> Value {
        let mut err = json!({"code": self.code, "message": self.message});
        if let (Dialect::V10, Some(reason)) = (dialect, self.reason()) {
            err["data"] = json!([{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "a2a-protocol.org",
            }]);
        }
        err
    }
}

/// A request's `Content-Type` must be JSON (`application/json` or a `+json` type); a
/// missing one is read as JSON, as lenient servers do.
pub fn json_content_type(content_type: Option<&str>) -> Result<(), RpcError> {
    let Some(ct) = content_type else { return Ok(()) };
    let media = ct.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if media == "application/json" || media.ends_with("+json") {
        Ok(())
    } else {
        Err(RpcError::content_type_not_supported(ct))
    }
}

/// A request that passed JSON-RPC validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Echoed as given; `null` for a notification (a2a-sdk still answers those).
    pub id: Value,
    pub method: String,
    /// `params`, `{}` when absent.
    pub params: Value,
}

/// Validate a JSON-RPC 2.0 request body. On error, the id to answer with (null when
/// the body is not JSON or the id itself is bad) and the error.
pub fn parse(body: &[u8]) -> Result<Request, (Value, RpcError)> {
    let req: Value = serde_json::from_slice(body).map_err(|_| (Value::Null, RpcError::parse_error()))?;
    let Some(obj) = req.as_object() else {
        let why = if req.is_array() { "batch requests are not supported" } else { "the request must be an object" };
        return Err((Value::Null, RpcError::invalid_request(why)));
    };
    let id = obj.get("id").cloned().unwrap_or(Value::Null);
    // JSON-RPC ids are strings, numbers or null; the A2A schema narrows numbers to integers.
    if !(id.is_string() || id.is_i64() || id.is_u64() || id.is_null()) {
        return Err((Value::Null, RpcError::invalid_request("id must be a string, an integer or null")));
    }
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err((id, RpcError::invalid_request("jsonrpc must be \"2.0\"")));
    }
    let Some(method) = obj.get("method").and_then(Value::as_str).map(str::to_owned) else {
        return Err((id, RpcError::invalid_request("method is required and must be a string")));
    };
    let params = match obj.get("params") {
        None | Some(Value::Null) => json!({}),
        Some(p @ Value::Object(_)) => p.clone(),
        Some(_) => return Err((id, RpcError::invalid_params("params must be an object"))),
    };
    Ok(Request { id, method, params })
}

/// The dialect a method name belongs to, or `None` for a method A2A does not define.
pub fn dialect_of(method: &str) -> Option<Dialect> {
    const V03: [&str; 10] = [
        "message/send",
        "message/stream",
        "tasks/get",
        "tasks/cancel",
        "tasks/resubscribe",
        "tasks/pushNotificationConfig/set",
        "tasks/pushNotificationConfig/get",
        "tasks/pushNotificationConfig/list",
        "tasks/pushNotificationConfig/delete",
        "agent/getAuthenticatedExtendedCard",
    ];
    const V10: [&str; 11] = [
        "SendMessage",
        "SendStreamingMessage",
        "GetTask",
        "ListTasks",
        "CancelTask",
        "SubscribeToTask",
        "CreateTaskPushNotificationConfig",
        "GetTaskPushNotificationConfig",
        "ListTaskPushNotificationConfigs",
        "DeleteTaskPushNotificationConfig",
        "GetExtendedAgentCard",
    ];
    if V03.contains(&method) {
        Some(Dialect::V03)
    } else if V10.contains(&method) {
        Some(Dialect::V10)
    } else {
        None
    }
}

/// Check the `A2A-Version` header (or query parameter) against the method's dialect. An
/// empty or missing value means 0.3 (A2A 1.0 §3.6.2); only `Major.Minor` counts, and only
/// the major is compared, as a2a-sdk does.
pub fn negotiate(method: &str, dialect: Dialect, asked: Option<&str>) -> Result<(), RpcError> {
    let asked = asked.map(str::trim).filter(|v| !v.is_empty()).unwrap_or("0.3");
    let major = asked.split('.').next().unwrap_or_default();
    let ok = match dialect {
        Dialect::V03 => major == "0" && asked.starts_with("0.3"),
        Dialect::V10 => major == "1",
    };
    if ok {
        Ok(())
    } else {
        let expected = match dialect {
            Dialect::V03 => "0.3",
            Dialect::V10 => "1.0",
        };
        Err(RpcError::version_not_supported(asked, method, expected))
    }
}

/// A success response.
pub fn success(id: Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// An error response.
pub fn failure(id: Value, err: &RpcError, dialect: Dialect) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": err.to_json(dialect)})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &str) -> (Value, i64) {
        let (id, e) = parse(body.as_bytes()).unwrap_err();
        (id, e.code)
    }

    #[test]
    fn requests_are_checked_in_the_sdk_order() {
        assert_eq!(code("{"), (Value::Null, -32700));
        assert_eq!(code("[]"), (Value::Null, -32600));
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":{"bad":1},"method":"message/send"}"#), (Value::Null, -32600));
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1.5,"method":"m"}"#), (Value::Null, -32600));
        assert_eq!(code(r#"{"jsonrpc":"1.0","id":"a","method":"m"}"#), (json!("a"), -32600));
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":7}"#), (json!(7), -32600));
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":7,"method":"m","params":[1]}"#), (json!(7), -32602));
        let ok = parse(br#"{"jsonrpc":"2.0","method":"tasks/get"}"#).unwrap();
        assert_eq!((ok.id, ok.params), (Value::Null, json!({})));
    }

    #[test]
    fn the_version_header_must_match_the_method_dialect() {
        assert!(negotiate("message/send", Dialect::V03, None).is_ok());
        assert!(negotiate("message/send", Dialect::V03, Some("0.3")).is_ok());
        assert!(negotiate("SendMessage", Dialect::V10, Some("1.0")).is_ok());
        assert!(negotiate("SendMessage", Dialect::V10, Some("1.1")).is_ok());
        assert_eq!(negotiate("SendMessage", Dialect::V10, None).unwrap_err().code, -32009);
        assert_eq!(negotiate("SendMessage", Dialect::V10, Some("2.0")).unwrap_err().code, -32009);
        assert_eq!(negotiate("message/send", Dialect::V03, Some("1.0")).unwrap_err().code, -32009);
    }

    #[test]
    fn only_json_bodies_are_read() {
        assert!(json_content_type(None).is_ok());
        assert!(json_content_type(Some("application/json; charset=utf-8")).is_ok());
        assert!(json_content_type(Some("application/a2a+json")).is_ok());
        assert_eq!(json_content_type(Some("text/plain")).unwrap_err().code, -32005);
    }

    #[test]
    fn errors_carry_error_info_only_in_1_0() {
        let e = RpcError::task_not_found("t-1");
        assert_eq!(e.to_json(Dialect::V03), json!({"code": -32001, "message": "Task t-1 not found"}));
        assert_eq!(e.to_json(Dialect::V10)["data"][0]["reason"], "TASK_NOT_FOUND");
        assert!(RpcError::method_not_found("x").to_json(Dialect::V10).get("data").is_none());
    }
}
