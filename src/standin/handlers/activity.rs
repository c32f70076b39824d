//! Activity (contract §3.8; handlers/activity.go `List`, `Report`, `Notify` at the reference
//! commit): the workspace's log, the agent's report, and notify. All WorkspaceAuth.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::standin::auth::LiveWorkspace;
use crate::standin::platform::{Activity, Platform};
use crate::standin::reply::{error, json_object, json_reply, str_field};

/// `activity_type` values `POST /workspaces/:id/activity` accepts (contract §3.8).
const ACTIVITY_TYPES: &[&str] =
    &["a2a_send", "a2a_receive", "task_update", "agent_log", "skill_promotion", "memory_write", "error"];

/// The filters of an activity list (`activity.go` `List`'s query parameters).
struct Filter {
    source: Option<String>,
    peer: Option<String>,
    limit: usize,
    since_secs: Option<i64>,
    before: Option<OffsetDateTime>,
    kind: Option<String>,
    peer_info: bool,
}

impl Filter {
    fn from_query(q: &HashMap<String, String>) -> Result<Filter, Response> {
        let bad = |msg: &str| error(StatusCode::BAD_REQUEST, msg);
        let source = match q.get("source").map(String::as_str) {
            None | Some("") => None,
            Some(s @ ("canvas" | "agent")) => Some(s.to_owned()),
            Some(_) => return Err(bad("source must be 'canvas' or 'agent'")),
        };
        let peer = match q.get("peer_id").filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => Some(Uuid::parse_str(p).map_err(|_| bad("peer_id must be a UUID"))?.to_string()),
        };
        let since_secs = match q.get("since_secs") {
            None => None,
            Some(s) => Some(s.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| bad("since_secs must be a positive integer"))?),
        };
        let before = match q.get("before_ts") {
            None => None,
            Some(s) => Some(OffsetDateTime::parse(s, &Rfc3339).map_err(|_| bad("before_ts must be an RFC3339 timestamp"))?),
        };
        Ok(Filter {
            source,
            peer,
            limit: q.get("limit").and_then(|l| l.parse::<i64>().ok()).filter(|l| *l > 0).map_or(100, |l| l.min(500)) as usize,
            since_secs,
            before,
            kind: q.get("type").filter(|t| !t.is_empty()).cloned(),
            peer_info: q.get("include").is_some_and(|i| i.split(',').any(|p| p == "peer_info")),
        })
    }

    fn matches(&self, a: &Activity, now: OffsetDateTime) -> bool {
        self.kind.as_ref().is_none_or(|k| a.activity_type == *k)
            && match self.source.as_deref() {
                Some("canvas") => a.source_id.is_none(),
                Some(_) => a.source_id.is_some(),
                None => true,
            }
            && self.peer.as_ref().is_none_or(|p| a.source_id.as_ref() == Some(p) || a.target_id.as_ref() == Some(p))
            && self.since_secs.is_none_or(|s| (now - a.at).whole_seconds() < s)
            && self.before.is_none_or(|b| a.at < b)
    }
}

/// `GET /workspaces/{id}/activity`: a bare array; newest first, or with `since_id` the rows
/// strictly after the cursor, oldest first (unknown cursor → 410).
pub async fn list_activity(
    State(platform): State<Arc<Platform>>,
    auth: LiveWorkspace,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (tenant, id) = (auth.tenant, auth.id);
    let filter = match Filter::from_query(&q) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let tables = platform.lock();
    let cursor = match q.get("since_id").filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => match tables.activity.iter().find(|a| a.workspace_id == id && a.id.to_string() == *c) {
            Some(a) => Some(a.seq),
            None => {
                return error(StatusCode::GONE, "since_id cursor not found (expired or not this workspace's); restart without since_id");
            }
        },
    };
    let now = OffsetDateTime::now_utc();
    let matches = |a: &&Activity| a.workspace_id == id && cursor.is_none_or(|c| a.seq > c) && filter.matches(a, now);
    let rows: Vec<&Activity> = if cursor.is_some() {
        tables.activity.iter().filter(matches).take(filter.limit).collect()
    } else {
        tables.activity.iter().rev().filter(matches).take(filter.limit).collect()
    };
    let out: Vec<Value> = rows
        .iter()
        .map(|a| {
            let mut v = a.json();
            if filter.peer_info {
                let src = a.source_id.as_deref().and_then(|s| Uuid::parse_str(s).ok()).and_then(|s| tables.workspace(tenant.org_id, s));
                v["peer_name"] = json!(src.map(|w| w.name.clone()));
                v["peer_role"] = json!(src.and_then(|w| w.role.clone()));
                v["agent_card_url"] = json!(a.source_id.as_ref().map(|s| format!("{}/registry/discover/{s}", platform.url)));
                v["attachments"] = json!([]);
            }
            v
        })
        .collect();
    json_reply(StatusCode::OK, Value::Array(out))
}

/// `POST /workspaces/{id}/activity`: an agent reports activity of one of the accepted types.
pub async fn post_activity(
    State(platform): State<Arc<Platform>>,
    auth: LiveWorkspace,
    body: Bytes,
) -> Response {
    let id = auth.id;
    let Some(m) = json_object(&body) else { return error(StatusCode::BAD_REQUEST, "invalid request body") };
    let Some(kind) = str_field(&m, "activity_type").filter(|k| ACTIVITY_TYPES.contains(k)) else {
        return error(StatusCode::BAD_REQUEST, "invalid activity_type");
    };
    let mut row = Activity::new(id, kind);
    let opt = |k: &str| str_field(&m, k).filter(|s| !s.is_empty()).map(str::to_owned);
    row.source_id = opt("source_id");
    row.target_id = opt("target_id");
    row.method = opt("method");
    row.summary = opt("summary");
    row.error_detail = opt("error_detail");
    row.status = if str_field(&m, "status") == Some("error") { "error".into() } else { "ok".into() };
    row.duration_ms = m.get("duration_ms").and_then(Value::as_i64);
    row.request_body = m.get("request_body").filter(|v| !v.is_null()).cloned();
    row.response_body = m.get("response_body").filter(|v| !v.is_null()).cloned();
    let row_id = platform.lock().record(&platform.faults, row);
    json_reply(StatusCode::OK, json!({"status": "logged", "id": row_id.to_string()}))
}

/// `POST /workspaces/{id}/notify` `{"message", attachments?}` → 200 `{"status":"sent"}`.
/// The stand-in has no canvas to push to, so the message is kept as an activity row of the
/// workspace: `activity_type:"a2a_send"`, `method:"notify"`, `source_id` = the workspace,
/// `target_id` null (the user), `summary` = the message, `request_body` = the request.
pub async fn notify(
    State(platform): State<Arc<Platform>>,
    auth: LiveWorkspace,
    body: Bytes,
) -> Response {
    let id = auth.id;
    let Some(m) = json_object(&body) else { return error(StatusCode::BAD_REQUEST, "invalid request body") };
    let Some(message) = str_field(&m, "message").filter(|s| !s.trim().is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "message is required");
    };
    let mut row = Activity::new(id, "a2a_send");
    row.source_id = Some(id.to_string());
    row.method = Some("notify".into());
    row.summary = Some(message.to_owned());
    row.request_body = Some(Value::Object(m.clone()));
    platform.lock().record(&platform.faults, row);
    json_reply(StatusCode::OK, json!({"status": "sent"}))
}

