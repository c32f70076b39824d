//! The rest of the full-mode surface (contract §3.1, §3.8): activity, notify, memories,
//! memory KV, chat uploads/downloads, terminal diagnose, workspace files, and the removed
//! shared-context route. All `WorkspaceAuth`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::Fault;
use super::http::{Shared, Tenant, error, json_object, json_resp, str_field, ws_not_found};
use super::state::{Activity, KvEntry, Memory, Status, StoredFile, http_client, now_rfc3339, rfc3339};
use super::tenant::{Auth, authorize, default_namespace, restart_now, team_root};

/// `activity_type` values `POST /workspaces/:id/activity` accepts (contract §3.8).
const ACTIVITY_TYPES: &[&str] =
    &["a2a_send", "a2a_receive", "task_update", "agent_log", "skill_promotion", "memory_write", "error"];

macro_rules! authorized {
    ($inner:expr, $headers:expr, $tenant:expr, $raw:expr) => {
        match authorize(&$inner, &$headers, &$tenant, &$raw, Auth::Workspace) {
            Ok(id) => id,
            Err(r) => return r,
        }
    };
}

/// 404 unless `id` is a live workspace of the tenant.
fn live(inner: &super::state::Inner, tenant: &Tenant, id: Uuid) -> Result<(), Response> {
    if inner.lock().ws(tenant.org_id, id).is_some_and(|w| w.status != Status::Removed) { Ok(()) } else { Err(ws_not_found()) }
}

// ---------------------------------------------------------------------------------------
// Activity (§3.8)

/// `GET /workspaces/{id}/activity`: a bare array; newest first, or with `since_id` the rows
/// strictly after the cursor, oldest first (unknown cursor → 410).
pub async fn list_activity(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let id = authorized!(inner, headers, tenant, raw);
    if let Err(r) = live(&inner, &tenant, id) {
        return r;
    }
    let source = match q.get("source").map(String::as_str) {
        None | Some("") => None,
        Some(s @ ("canvas" | "agent")) => Some(s),
        Some(_) => return error(StatusCode::BAD_REQUEST, "source must be 'canvas' or 'agent'"),
    };
    let peer = match q.get("peer_id").filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => match Uuid::parse_str(p) {
            Ok(p) => Some(p.to_string()),
            Err(_) => return error(StatusCode::BAD_REQUEST, "peer_id must be a UUID"),
        },
    };
    let limit = q.get("limit").and_then(|l| l.parse::<i64>().ok()).filter(|l| *l > 0).map_or(100, |l| l.min(500)) as usize;
    let since_secs = match q.get("since_secs") {
        None => None,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => return error(StatusCode::BAD_REQUEST, "since_secs must be a positive integer"),
        },
    };
    let before = match q.get("before_ts") {
        None => None,
        Some(s) => match OffsetDateTime::parse(s, &Rfc3339) {
            Ok(t) => Some(t),
            Err(_) => return error(StatusCode::BAD_REQUEST, "before_ts must be an RFC3339 timestamp"),
        },
    };
    let kind = q.get("type").filter(|t| !t.is_empty());
    let peer_info = q.get("include").is_some_and(|i| i.split(',').any(|p| p == "peer_info"));

    let st = inner.lock();
    let cursor = match q.get("since_id").filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => match st.activity.iter().find(|a| a.workspace_id == id && a.id.to_string() == *c) {
            Some(a) => Some(a.seq),
            None => {
                return error(StatusCode::GONE, "since_id cursor not found (expired or not this workspace's); restart without since_id");
            }
        },
    };
    let now = OffsetDateTime::now_utc();
    let matches = |a: &&Activity| {
        a.workspace_id == id
            && kind.is_none_or(|k| a.activity_type == *k)
            && match source {
                Some("canvas") => a.source_id.is_none(),
                Some(_) => a.source_id.is_some(),
                None => true,
            }
            && peer.as_ref().is_none_or(|p| a.source_id.as_ref() == Some(p) || a.target_id.as_ref() == Some(p))
            && since_secs.is_none_or(|s| (now - a.at).whole_seconds() < s)
            && before.is_none_or(|b| a.at < b)
            && cursor.is_none_or(|c| a.seq > c)
    };
    let rows: Vec<&Activity> = if cursor.is_some() {
        st.activity.iter().filter(matches).take(limit).collect()
    } else {
        st.activity.iter().rev().filter(matches).take(limit).collect()
    };
    let out: Vec<Value> = rows
        .iter()
        .map(|a| {
            let mut v = a.json();
            if peer_info && let Some(o) = v.as_object_mut() {
                let src = a.source_id.as_deref().and_then(|s| Uuid::parse_str(s).ok()).and_then(|s| st.ws(tenant.org_id, s));
                o.insert("peer_name".into(), json!(src.map(|w| w.name.clone())));
                o.insert("peer_role".into(), json!(src.and_then(|w| w.role.clone())));
                o.insert(
                    "agent_card_url".into(),
                    json!(a.source_id.as_ref().map(|s| format!("{}/registry/discover/{s}", inner.url))),
                );
                o.insert("attachments".into(), json!([]));
            }
            v
        })
        .collect();
    json_resp(StatusCode::OK, Value::Array(out))
}

/// `POST /workspaces/{id}/activity`: an agent reports activity of one of the accepted types.
pub async fn post_activity(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    body: Bytes,
) -> Response {
    let id = authorized!(inner, headers, tenant, raw);
    if let Err(r) = live(&inner, &tenant, id) {
        return r;
    }
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
    let row_id = inner.lock().record(&inner.faults, row);
    json_resp(StatusCode::OK, json!({"status": "logged", "id": row_id.to_string()}))
}

/// `POST /workspaces/{id}/notify` `{"message", attachments?}` → 200 `{"status":"sent"}`.
/// The stand-in has no canvas to push to, so the message is kept as an activity row of the
/// workspace: `activity_type:"a2a_send"`, `method:"notify"`, `source_id` = the workspace,
/// `target_id` null (the user), `summary` = the message, `request_body` = the request.
pub async fn notify(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    body: Bytes,
) -> Response {
    let id = authorized!(inner, headers, tenant, raw);
    if let Err(r) = live(&inner, &tenant, id) {
        return r;
    }
    let Some(m) = json_object(&body) else { return error(StatusCode::BAD_REQUEST, "invalid request body") };
    let Some(message) = str_field(&m, "message").filter(|s| !s.trim().is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "message is required");
    };
    let mut row = Activity::new(id, "a2a_send");
    row.source_id = Some(id.to_string());
    row.method = Some("notify".into());
    row.summary = Some(message.to_owned());
    row.request_body = Some(Value::Object(m.clone()));
    inner.lock().record(&inner.faults, row);
    json_resp(StatusCode::OK, json!({"status": "sent"}))
}

// ---------------------------------------------------------------------------------------
// Memories (HMA) and memory KV

fn memory_503() -> Response {
    error(StatusCode::SERVICE_UNAVAILABLE, "memory plugin is not configured (set MEMORY_PLUGIN_URL)")
}

fn scope_of(raw: Option<&str>) -> Result<String, Response> {
    match raw.map(str::to_ascii_uppercase).as_deref() {
        None | Some("") => Ok("LOCAL".into()),
        Some(s @ ("LOCAL" | "TEAM" | "GLOBAL")) => Ok(s.into()),
        Some(_) => Err(error(StatusCode::BAD_REQUEST, "scope must be one of LOCAL, TEAM, GLOBAL")),
    }
}

/// `POST /workspaces/{id}/memories` `{content, scope?, namespace?}` → 201 `{id,scope,namespace}`.
pub async fn add_memory(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    body: Bytes,
) -> Response {
    let id = authorized!(inner, headers, tenant, raw);
    if let Err(r) = live(&inner, &tenant, id) {
        return r;
    }
    if inner.faults.fires(Fault::Memory503) {
        return memory_503();
    }
    let Some(m) = json_object(&body) else { return error(StatusCode::BAD_REQUEST, "invalid request body") };
    let Some(content) = str_field(&m, "content").filter(|c| !c.is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "content is required");
    };
    let scope = match scope_of(str_field(&m, "scope")) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut st = inner.lock();
    let root = team_root(&st, tenant.org_id, id);
    let namespace = str_field(&m, "namespace")
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| default_namespace(&scope, id, root));
    let mem = Memory {
        id: Uuid::new_v4(),
        org_id: tenant.org_id,
        workspace_id: id,
        team_root: root,
        content: content.to_owned(),
        scope: scope.clone(),
        namespace: namespace.clone(),
        created_at: now_rfc3339(),
    };
    let mem_id = mem.id;
    st.memories.push(mem);
    json_resp(StatusCode::CREATED, json!({"id": mem_id.to_string(), "scope": scope, "namespace": namespace}))
}

/// `GET /workspaces/{id}/memories[?scope=…]`: the memories this workspace can see (its own
/// LOCAL ones, its tree's TEAM ones, the org's GLOBAL ones), oldest first.
pub async fn list_memories(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let id = authorized!(inner, headers, tenant, raw);
    if let Err(r) = live(&inner, &tenant, id) {
        return r;
    }
    if inner.faults.fires(Fault::Memory503) {
        return memory_503();
    }
    let scope = match q.get("scope").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match scope_of(Some(s)) {
            Ok(s) => Some(s),
            Err(r) => return r,
        },
    };
    let st = inner.lock();
    let root = team_root(&st, tenant.org_id, id);
    let rows: Vec<Value> = st
        .memories
        .iter()
        .filter(|m| m.org_id == tenant.org_id)
        .filter(|m| match m.scope.as_str() {
            "LOCAL" => m.workspace_id == id,
            "TEAM" => m.team_root == root,
            _ => true,
        })
        .filter(|m| scope.as_ref().is_none_or(|s| *s == m.scope))
        .map(|m| json!({"id": m.id.to_string(), "content": m.content, "scope": m.scope, "namespace": m.namespace, "created_at": m.created_at}))
        .collect();
    json_resp(StatusCode::OK, Value::Array(rows))
}

/// `POST /workspaces/{id}/memory` `{key, value, if_match_version?, ttl_seconds?}`.
pub async fn kv_set(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    body: Bytes,
) -> Response {
    let id = authorized!(inner, headers, tenant, raw);
    let Some(m) = json_object(&body) else { return error(StatusCode::BAD_REQUEST, "invalid request body") };
    let (Some(key), Some(value)) = (str_field(&m, "key").filter(|k| !k.is_empty()), m.get("value")) else {
        return error(StatusCode::BAD_REQUEST, "key and value are required");
    };
    let if_match = match m.get("if_match_version") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(n) => Some(n),
            None => return error(StatusCode::BAD_REQUEST, "if_match_version must be an integer"),
        },
    };
    // Clamped to ten years so no request can overflow a clock.
    let ttl = m.get("ttl_seconds").and_then(Value::as_i64).filter(|t| *t > 0).map(|t| t.min(10 * 365 * 24 * 3600));
    let mut st = inner.lock();
    let Some(ws) = st.ws_mut(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return ws_not_found() };
    ws.kv.retain(|_, e| e.expires.as_ref().is_none_or(|(t, _)| *t > Instant::now()));
    let current = ws.kv.get(key).map(|e| e.version);
    if let Some(expected) = if_match
        && current != Some(expected)
        && !inner.faults.fires(Fault::StaleVersionAccepted)
    {
        return json_resp(
            StatusCode::CONFLICT,
            json!({"error": "if_match_version mismatch", "expected_version": expected, "current_version": current}),
        );
    }
    let version = current.unwrap_or(0) + 1;
    let expires = ttl.map(|t| {
        let secs = t.unsigned_abs();
        (Instant::now() + Duration::from_secs(secs), rfc3339(OffsetDateTime::now_utc() + Duration::from_secs(secs)))
    });
    ws.kv.insert(key.to_owned(), KvEntry { value: value.clone(), version, updated_at: now_rfc3339(), expires });
    json_resp(StatusCode::OK, json!({"status": "ok", "key": key, "version": version}))
}

/// `GET /workspaces/{id}/memory/{key}` → `{key,value,version,expires_at?,updated_at}` or 404.
pub async fn kv_get(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path((raw, key)): Path<(String, String)>,
) -> Response {
    let id = authorized!(inner, headers, tenant, raw);
    let st = inner.lock();
    let Some(ws) = st.ws(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return ws_not_found() };
    match ws.kv.get(&key).filter(|e| e.expires.as_ref().is_none_or(|(t, _)| *t > Instant::now())) {
        None => error(StatusCode::NOT_FOUND, "key not found"),
        Some(e) => {
            let mut v = json!({"key": key, "value": e.value, "version": e.version, "updated_at": e.updated_at});
            if let (Some((_, at)), Some(o)) = (&e.expires, v.as_object_mut()) {
                o.insert("expires_at".into(), json!(at));
            }
            json_resp(StatusCode::OK, v)
        }
    }
}

/// `DELETE /workspaces/{id}/memory/{key}` → 200 `{"status":"deleted"}` (idempotent).
pub async fn kv_delete(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path((raw, key)): Path<(String, String)>,
) -> Response {
    let id = authorized!(inner, headers, tenant, raw);
    let mut st = inner.lock();
    let Some(ws) = st.ws_mut(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return ws_not_found() };
    ws.kv.remove(&key);
    json_resp(StatusCode::OK, json!({"status": "deleted"}))
}

// ---------------------------------------------------------------------------------------
// Chat files

fn guess_mime(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "txt" | "md" => "text/plain",
        "json" => "application/json",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn sanitise(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    let s = s.trim_start_matches('.').to_owned();
    if s.is_empty() { "upload.bin".to_owned() } else { s }
}

/// `POST /workspaces/{id}/chat/uploads` (multipart, field `files`) →
/// `{"files":[{"uri":"workspace:/…","name","mimeType","size"}]}`.
pub async fn upload(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let id = authorized!(inner, headers, tenant, raw);
    if let Err(r) = live(&inner, &tenant, id) {
        return r;
    }
    let Ok(mut multipart) = multipart else { return error(StatusCode::BAD_REQUEST, "expected a multipart/form-data body") };
    let mut stored = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return error(StatusCode::BAD_REQUEST, "malformed multipart body"),
        };
        if !matches!(field.name(), Some("files" | "files[]")) {
            continue;
        }
        let name = sanitise(field.file_name().unwrap_or("upload.bin"));
        let mime = field
            .content_type()
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| guess_mime(&name).to_owned());
        let bytes = match field.bytes().await {
            Ok(b) => b.to_vec(),
            Err(_) => return error(StatusCode::BAD_REQUEST, "malformed multipart body"),
        };
        stored.push((name, mime, bytes));
    }
    if stored.is_empty() {
        return error(StatusCode::BAD_REQUEST, "no files uploaded (multipart field 'files')");
    }
    let mut st = inner.lock();
    let Some(ws) = st.ws_mut(tenant.org_id, id) else { return ws_not_found() };
    let mut out = Vec::new();
    for (name, mime, bytes) in stored {
        let path = format!("/workspace/.molecule/chat-uploads/{}-{name}", &Uuid::new_v4().simple().to_string()[..8]);
        out.push(json!({"uri": format!("workspace:{path}"), "name": name, "mimeType": mime, "size": bytes.len()}));
        ws.files.insert(path, StoredFile { name, mime, bytes });
    }
    json_resp(StatusCode::OK, json!({"files": out}))
}

/// `GET /workspaces/{id}/chat/download?path=<uri without "workspace:">` → the raw bytes.
pub async fn download(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let id = authorized!(inner, headers, tenant, raw);
    let Some(path) = q.get("path").filter(|p| !p.is_empty()) else { return error(StatusCode::BAD_REQUEST, "path is required") };
    let path = path.strip_prefix("workspace:").unwrap_or(path);
    let st = inner.lock();
    let Some(ws) = st.ws(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return ws_not_found() };
    let Some(f) = ws.files.get(path) else { return error(StatusCode::NOT_FOUND, "file not found") };
    let mut bytes = f.bytes.clone();
    if inner.faults.fires(Fault::DownloadBytesDiffer) {
        match bytes.last_mut() {
            Some(b) => *b ^= 0xff,
            None => bytes.push(0),
        }
    }
    let disposition = format!("attachment; filename=\"{}\"", f.name);
    (StatusCode::OK, [(header::CONTENT_TYPE, f.mime.clone()), (header::CONTENT_DISPOSITION, disposition)], Body::from(bytes))
        .into_response()
}

// ---------------------------------------------------------------------------------------
// Diagnose, files, shared-context

/// `GET /workspaces/{id}/terminal/diagnose` → `{"ok","first_failure","steps":[…]}`: the row,
/// the runtime's reachability (a real probe of its `/health`), and the LLM step (canary
/// runtimes need no LLM, so it passes).
pub async fn diagnose(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Response {
    let id = authorized!(inner, headers, tenant, raw);
    let (status, url) = {
        let st = inner.lock();
        let Some(ws) = st.ws(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return ws_not_found() };
        (ws.status, ws.url.clone())
    };
    let step = |name: &str, ok: bool, error: Option<String>, detail: String| {
        json!({"name": name, "ok": ok, "error": error, "detail": detail})
    };
    let running = matches!(status, Status::Online | Status::Degraded) && !url.is_empty();
    let reachable = if running {
        let probe = format!("{}/health", url.trim_end_matches('/'));
        match http_client() {
            Ok(http) => http.get(&probe).timeout(Duration::from_secs(5)).send().await.is_ok_and(|r| r.status().is_success()),
            Err(_) => false,
        }
    } else {
        false
    };
    let llm_ok = !inner.faults.fires(Fault::DiagnoseFails);
    let steps = vec![
        step("workspace-row", true, None, format!("status {}", status.as_str())),
        step(
            "container-running",
            running,
            (!running).then(|| format!("workspace is {} with no URL", status.as_str())),
            "reference runtime process".into(),
        ),
        step("a2a-reachable", reachable, (!reachable).then(|| "runtime /health did not answer 200".into()), url.clone()),
        step(
            "llm-reachable",
            llm_ok,
            (!llm_ok).then(|| "llm endpoint unreachable: connection refused".into()),
            "canary mode: answers are deterministic, no LLM call".into(),
        ),
    ];
    let first_failure =
        steps.iter().find(|s| s.get("ok") == Some(&Value::Bool(false))).and_then(|s| s.get("name").cloned()).unwrap_or(Value::Null);
    json_resp(StatusCode::OK, json!({"ok": first_failure.is_null(), "first_failure": first_failure, "steps": steps}))
}

/// `PUT /workspaces/{id}/files/{path}` `{"content"}` → 200; `config.yaml` restarts the
/// workspace asynchronously (it drops to `provisioning`, then comes back online).
pub async fn put_file(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path((raw, path)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let id = authorized!(inner, headers, tenant, raw);
    let Some(content) = json_object(&body).and_then(|m| str_field(&m, "content").map(str::to_owned)) else {
        return error(StatusCode::BAD_REQUEST, "content is required");
    };
    let mut st = inner.lock();
    let Some(ws) = st.ws_mut(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return ws_not_found() };
    ws.config_files.insert(path.clone(), content);
    let delay = inner.cfg.delays.provision_for(&ws.runtime);
    if path == "config.yaml" && inner.faults.fires(Fault::ConfigRewriteWedges) {
        // Down to provisioning, and no provision task: it never comes back.
        ws.stop();
        ws.status = Status::Provisioning;
    } else if path == "config.yaml" {
        restart_now(&inner, &mut st, id, delay);
    }
    json_resp(StatusCode::OK, json!({"status": "saved", "path": path}))
}

/// `GET /workspaces/{id}/shared-context`: removed from the platform, so 404 like any unknown
/// route (contract §3.1 #18) — unless [`Fault::SharedContextServed`] brings it back.
pub async fn shared_context(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Response {
    if !inner.faults.fires(Fault::SharedContextServed) {
        return error(StatusCode::NOT_FOUND, "not found");
    }
    let id = authorized!(inner, headers, tenant, raw);
    json_resp(StatusCode::OK, json!({"workspace_id": id.to_string(), "shared_context": []}))
}
