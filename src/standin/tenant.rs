//! The tenant workspace API (contract §3): create with its validation order, rows, list,
//! delete, the lifecycle handlers (§3.6), secrets, billing mode and tokens (§3.7).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::Fault;
use super::http::{Shared, Tenant, admin_auth, error, json_object, json_resp, workspace_auth, ws_id, ws_not_found};
use super::state::{Inner, Memory, State as Platform, Status, Workspace, new_token, now_rfc3339};
use crate::catalog::{self, Derived};

/// Which auth group a route belongs to (contract §1).
#[derive(Clone, Copy)]
pub enum Auth {
    Open,
    Admin,
    Workspace,
}

/// Auth for `auth`, then the path id as a UUID (400 `invalid workspace ID` otherwise).
pub fn authorize(inner: &Inner, headers: &HeaderMap, tenant: &Tenant, raw: &str, auth: Auth) -> Result<Uuid, Response> {
    match auth {
        Auth::Open => {}
        Auth::Admin => admin_auth(headers, tenant)?,
        Auth::Workspace => workspace_auth(inner, headers, tenant, raw)?,
    }
    ws_id(raw)
}

fn q_true(q: &HashMap<String, String>, k: &str) -> bool {
    q.get(k).is_some_and(|v| v == "true" || v == "1")
}

// ---------------------------------------------------------------------------------------
// Create (§3.2)

#[derive(Deserialize)]
struct Canvas {
    x: Option<f64>,
    y: Option<f64>,
}

#[derive(Deserialize)]
struct InitialMemory {
    content: String,
    scope: Option<String>,
}

/// The create body. Unknown fields are ignored, a field of the wrong type fails the bind
/// (400 `invalid workspace payload`), as Go's binding does.
#[derive(Deserialize)]
struct CreateReq {
    name: String,
    role: Option<String>,
    template: Option<String>,
    #[allow(dead_code)]
    tier: Option<i64>,
    model: Option<String>,
    #[allow(dead_code)]
    llm_provider: Option<String>,
    runtime: Option<String>,
    external: Option<bool>,
    url: Option<String>,
    delivery_mode: Option<String>,
    workspace_dir: Option<String>,
    workspace_access: Option<String>,
    parent_id: Option<String>,
    budget_limit: Option<i64>,
    secrets: Option<BTreeMap<String, String>>,
    max_concurrent_tasks: Option<i64>,
    compute: Option<Value>,
    canvas: Option<Canvas>,
    initial_memories: Option<Vec<InitialMemory>>,
}

fn unprocessable(v: Value) -> Response {
    json_resp(StatusCode::UNPROCESSABLE_ENTITY, v)
}

/// Why a workspace URL is refused (the SSRF list). Loopback is allowed: every stand-in
/// runtime and test agent lives there.
fn unsafe_url(raw: &str) -> Option<String> {
    let Ok(u) = reqwest::Url::parse(raw) else { return Some("not a valid URL".to_owned()) };
    if !matches!(u.scheme(), "http" | "https") {
        return Some(format!("scheme {:?} is not http or https", u.scheme()));
    }
    let Some(host) = u.host_str() else { return Some("missing host".to_owned()) };
    let host = host.trim_matches(['[', ']']);
    if host.starts_with("169.254.") || host == "0.0.0.0" || host == "::" || host.eq_ignore_ascii_case("metadata.google.internal") {
        return Some(format!("host {host} is a metadata or unspecified address"));
    }
    None
}

/// The template directory `template` names under the templates root, or `None` when the path
/// is absolute or climbs out of the root (the platform's `resolveInsideRoot`, contract §3.2
/// step 4). Lexical, like the platform: `a/../seo-agent` is `seo-agent`.
fn template_dir(template: &str) -> Option<String> {
    if template.starts_with('/') || template.contains('\0') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for seg in template.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn valid_workspace_dir(d: &str) -> bool {
    d.starts_with('/') && d.len() <= 4096 && !d.split('/').any(|s| s == "..") && !d.contains(['\0', '\n', '\r'])
}

/// The strip-list refusal (create step 13, secrets while `platform_managed`).
fn vendor_key_blocked(key: &str, ws: Uuid) -> Response {
    json_resp(
        StatusCode::BAD_REQUEST,
        json!({
            "error": "direct vendor key writes are blocked for platform-managed workspaces; the platform supplies LLM credentials. To bring your own key, set this workspace's billing mode to 'byok' via /admin/workspaces/:id/llm-billing-mode",
            "key": key,
            "workspace_id": ws.to_string(),
        }),
    )
}

/// `POST /workspaces` (AdminAuth): the validation order of contract §3.2, first failure wins.
pub async fn create(State(inner): Shared, Extension(tenant): Extension<Tenant>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = admin_auth(&headers, &tenant) {
        return r;
    }
    if inner.faults.fires(Fault::CreateHtml500) {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<html><head><title>500 Internal Server Error</title></head><body><h1>500 Internal Server Error</h1><hr><center>nginx</center></body></html>",
        )
            .into_response();
    }
    // 1. bind
    let req: CreateReq = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(_) => return error(StatusCode::BAD_REQUEST, "invalid workspace payload"),
    };
    if req.name.is_empty() {
        return error(StatusCode::BAD_REQUEST, "invalid workspace payload");
    }
    // 2. fields
    let role = req.role.clone().unwrap_or_default();
    let model_in = req.model.clone().unwrap_or_default();
    let runtime_in = req.runtime.clone().unwrap_or_default();
    let crlf = |s: &str| s.contains(['\r', '\n']);
    let special = |s: &str| s.contains(['{', '}', '[', ']', '|', '>', '*', '&', '!']);
    if [&req.name, &role, &model_in, &runtime_in].iter().any(|s| crlf(s))
        || special(&req.name)
        || special(&role)
        || req.name.chars().count() > 255
        || role.chars().count() > 1000
        || model_in.chars().count() > 100
        || runtime_in.chars().count() > 100
    {
        return error(StatusCode::BAD_REQUEST, "invalid workspace fields");
    }
    // 3. SaaS tenants force tier 4.
    let tier = 4;
    // 4. template
    let template = req.template.clone().unwrap_or_default();
    let mut runtime = runtime_in.clone();
    let mut model = model_in.clone();
    if !template.is_empty() && (runtime.is_empty() || model.is_empty()) {
        // Only a path that escapes the templates root is refused here; a safe name with no
        // template directory reads no config.yaml, fills nothing, and fails at step 5.
        let Some(dir) = template_dir(&template) else { return error(StatusCode::BAD_REQUEST, "invalid template") };
        if let Some(t) = catalog::template(&dir) {
            if runtime.is_empty() {
                runtime = t.runtime.to_owned();
            }
            if model.is_empty()
                && let Some(m) = t.model
            {
                model = m.to_owned();
            }
        }
    }
    // 5. requested but unresolved
    let requested = !runtime_in.is_empty() || !template.is_empty();
    if requested && runtime.is_empty() {
        return unprocessable(json!({
            "error": format!("could not resolve a runtime from template {template:?}"),
            "template": template,
            "code": "RUNTIME_UNRESOLVED",
        }));
    }
    // 6. defaults
    let external_flag = req.external.unwrap_or(false);
    if runtime.is_empty() {
        runtime = if external_flag { "external".to_owned() } else { "claude-code".to_owned() };
    }
    // 7. external flag needs an external-like runtime
    let external_like = catalog::is_external_like(&runtime);
    if external_flag && !external_like {
        return unprocessable(json!({
            "error": "external workspaces must use runtime \"external\", \"kimi\", or \"kimi-cli\"",
            "runtime": runtime,
            "code": "RUNTIME_UNSUPPORTED",
        }));
    }
    // 8. allowlist
    let known = catalog::is_known_runtime(&runtime)
        && !(runtime == "google-adk" && inner.faults.fires(Fault::AllowlistLacksGoogleAdk));
    if !external_like && !known {
        return unprocessable(json!({"error": "unsupported workspace runtime", "runtime": runtime, "code": "RUNTIME_UNSUPPORTED"}));
    }
    let external = external_flag || external_like;
    // 9. model required
    if !external && model.is_empty() {
        return unprocessable(json!({
            "error": format!("model is required for runtime {runtime:?}"),
            "runtime": runtime,
            "template": template,
            "code": "MODEL_REQUIRED",
        }));
    }
    // 10. provider registry
    let secrets = req.secrets.clone().unwrap_or_default();
    if !external {
        let env: Vec<&str> = secrets.keys().map(String::as_str).collect();
        match catalog::derive_provider(&runtime, &model, &env) {
            Derived::FailOpen | Derived::Provider(_) => {}
            Derived::Unregistered | Derived::Ambiguous => {
                return unprocessable(json!({
                    "error": format!("model {model:?} is not a registered model for runtime {runtime:?}; pick a model the runtime lists in providers.yaml or one matched by a native provider prefix"),
                    "runtime": runtime,
                    "model": model,
                    "code": "UNREGISTERED_MODEL_FOR_RUNTIME",
                }));
            }
        }
    }
    // 11. the rest of the fields
    if let Some(d) = req.workspace_dir.as_deref().filter(|d| !d.is_empty())
        && !valid_workspace_dir(d)
    {
        return error(StatusCode::BAD_REQUEST, "invalid workspace directory");
    }
    let access = req.workspace_access.clone().filter(|a| !a.is_empty()).unwrap_or_else(|| "none".to_owned());
    if !matches!(access.as_str(), "none" | "read_only" | "read_write") {
        return error(StatusCode::BAD_REQUEST, "invalid workspace access");
    }
    let compute = match req.compute.clone() {
        None | Some(Value::Null) => json!({}),
        Some(c @ Value::Object(_)) => c,
        Some(_) => return error(StatusCode::BAD_REQUEST, "compute must be an object"),
    };
    let url = req.url.clone().unwrap_or_default();
    if !url.is_empty()
        && let Some(why) = unsafe_url(&url)
    {
        return error(StatusCode::BAD_REQUEST, &format!("unsafe workspace URL: {why}"));
    }
    let delivery_mode = req.delivery_mode.clone().unwrap_or_default();
    if !delivery_mode.is_empty() && delivery_mode != "push" && delivery_mode != "poll" {
        return error(StatusCode::BAD_REQUEST, "delivery_mode must be 'push' or 'poll'");
    }

    let mut st = inner.lock();
    let parent_id = match req.parent_id.as_deref().filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => match Uuid::parse_str(p).ok().filter(|p| st.ws(tenant.org_id, *p).is_some_and(|w| w.status != Status::Removed)) {
            Some(p) => Some(p),
            None => return error(StatusCode::BAD_REQUEST, "parent workspace not found"),
        },
    };
    // 12. name collision under the same parent → " (2)", " (3)", …
    let taken = |st: &Platform, n: &str| {
        st.workspaces
            .values()
            .any(|w| w.org_id == tenant.org_id && w.parent_id == parent_id && w.status != Status::Removed && w.name == n)
    };
    let mut name = req.name.clone();
    if taken(&st, &name) {
        match (2..=100).map(|i| format!("{} ({i})", req.name)).find(|n| !taken(&st, n)) {
            Some(n) => name = n,
            None => return error(StatusCode::CONFLICT, "workspace name already in use; please pick a different name"),
        }
    }
    // 13. strip-listed secrets: always platform_managed at create; nothing is created.
    let id = Uuid::new_v4();
    if let Some(k) = secrets.keys().find(|k| catalog::is_strip_listed(k)) {
        return vendor_key_blocked(k, id);
    }

    let online_external = external && !url.is_empty();
    let token = (!online_external).then(|| new_token("ws-"));
    let mut all_secrets = secrets;
    if !model.is_empty() {
        all_secrets.insert("MODEL".to_owned(), model.clone());
    }
    let seq = st.next_seq();
    let ws = Workspace {
        id,
        org_id: tenant.org_id,
        seq,
        name,
        role: Some(role).filter(|r| !r.is_empty()),
        tier,
        status: if external {
            if online_external { Status::Online } else { Status::AwaitingAgent }
        } else {
            Status::Provisioning
        },
        url: if external { url.clone() } else { String::new() },
        parent_id,
        runtime: runtime.clone(),
        delivery_mode: Some(delivery_mode).filter(|m| !m.is_empty()),
        tokens: token.iter().cloned().collect(),
        secrets: all_secrets,
        billing_override: None,
        agent_card: None,
        last_seen: online_external.then(Instant::now),
        online_since: online_external.then(Instant::now),
        removed_at: None,
        last_error: None,
        active_tasks: 0,
        max_concurrent_tasks: req.max_concurrent_tasks.filter(|n| *n > 0).unwrap_or(1),
        last_error_rate: 0.0,
        budget_limit: req.budget_limit,
        workspace_dir: req.workspace_dir.clone().filter(|d| !d.is_empty()),
        compute,
        x: req.canvas.as_ref().and_then(|c| c.x).unwrap_or(0.0),
        y: req.canvas.as_ref().and_then(|c| c.y).unwrap_or(0.0),
        generation: 0,
        runtime_handle: None,
        runtime_faults: Vec::new(),
        a2a_dispatches: 0,
        kv: BTreeMap::new(),
        files: BTreeMap::new(),
        config_files: BTreeMap::new(),
    };
    st.workspaces.insert(id, ws);
    let team_root = team_root(&st, tenant.org_id, id);
    for m in req.initial_memories.unwrap_or_default() {
        let scope = m.scope.unwrap_or_else(|| "LOCAL".to_owned()).to_ascii_uppercase();
        st.memories.push(Memory {
            id: Uuid::new_v4(),
            org_id: tenant.org_id,
            workspace_id: id,
            team_root,
            namespace: default_namespace(&scope, id, team_root),
            content: m.content,
            scope,
            created_at: now_rfc3339(),
        });
    }

    if external {
        if online_external {
            return json_resp(StatusCode::CREATED, json!({"id": id.to_string(), "external": true, "status": "online"}));
        }
        let token = token.unwrap_or_default();
        return json_resp(
            StatusCode::CREATED,
            json!({"id": id.to_string(), "external": true, "status": "awaiting_agent", "connection": connection(&inner.url, tenant.org_id, id, &token)}),
        );
    }
    let delay = inner.cfg.delays.provision_for(&runtime);
    inner.provision(&mut st, id, delay);
    json_resp(
        StatusCode::CREATED,
        json!({"id": id.to_string(), "status": "provisioning", "workspace_access": access, "auth_token": token.unwrap_or_default()}),
    )
}

/// The root of `id`'s tree (TEAM memories are shared within it).
pub fn team_root(st: &Platform, org_id: Uuid, id: Uuid) -> Uuid {
    let mut cur = id;
    for _ in 0..64 {
        match st.ws(org_id, cur).and_then(|w| w.parent_id) {
            Some(p) => cur = p,
            None => break,
        }
    }
    cur
}

pub fn default_namespace(scope: &str, ws: Uuid, team_root: Uuid) -> String {
    match scope {
        "TEAM" => format!("team:{team_root}"),
        "GLOBAL" => "global".to_owned(),
        _ => format!("workspace:{ws}"),
    }
}

/// The `connection` block of an external create (contract §3.2): where and how to register.
fn connection(platform_url: &str, org_id: Uuid, id: Uuid, token: &str) -> Value {
    let register = format!("{platform_url}/registry/register");
    let heartbeat = format!("{platform_url}/registry/heartbeat");
    let curl = format!(
        "curl -sS -X POST {register} -H 'Authorization: Bearer {token}' -H 'X-Molecule-Org-Id: {org_id}' -H 'Content-Type: application/json' -d '{{\"id\":\"{id}\",\"url\":\"<your agent URL>\",\"delivery_mode\":\"poll\",\"agent_card\":{{\"name\":\"my-agent\"}}}}'"
    );
    let env = format!("MOLECULE_PLATFORM_URL={platform_url} MOLECULE_WORKSPACE_ID={id} MOLECULE_WORKSPACE_TOKEN={token} MOLECULE_ORG_ID={org_id}");
    json!({
        "workspace_id": id.to_string(),
        "platform_url": platform_url,
        "auth_token": token,
        "registry_endpoint": register,
        "heartbeat_endpoint": heartbeat,
        "curl_register_template": curl,
        "python_snippet": format!("import httpx\nhttpx.post({register:?}, headers={{'Authorization': 'Bearer {token}', 'X-Molecule-Org-Id': '{org_id}'}}, json={{'id': '{id}', 'delivery_mode': 'poll', 'agent_card': {{'name': 'my-agent'}}}})"),
        "claude_code_channel_snippet": format!("{env} claude --channel molecule"),
        "universal_mcp_snippet": format!("{env} npx -y @molecule-ai/mcp"),
        "hermes_channel_snippet": format!("{env} hermes channel molecule"),
        "codex_snippet": format!("{env} codex --mcp molecule"),
        "openclaw_snippet": format!("{env} openclaw channel molecule"),
        "kimi_snippet": format!("{env} kimi --channel molecule"),
    })
}

// ---------------------------------------------------------------------------------------
// Rows (§3.3), list, delete (§3.5)

/// `GET /workspaces/{id}` (open: tenant guard only).
pub async fn get_row(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let id = match authorize(&inner, &headers, &tenant, &raw, Auth::Open) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let st = inner.lock();
    let Some(ws) = st.ws(tenant.org_id, id) else { return ws_not_found() };
    if ws.status == Status::Removed && !q_true(&q, "include_removed") {
        return removed(ws);
    }
    json_resp(StatusCode::OK, ws.row(&inner, false))
}

fn removed(ws: &Workspace) -> Response {
    json_resp(
        StatusCode::GONE,
        json!({"error": "workspace removed", "id": ws.id.to_string(), "removed_at": ws.removed_at, "hint": "pass ?include_removed=true to read the removed row"}),
    )
}

/// `GET /workspaces` (AdminAuth): every non-removed row of the tenant, in creation order.
pub async fn list(State(inner): Shared, Extension(tenant): Extension<Tenant>, headers: HeaderMap) -> Response {
    if let Err(r) = admin_auth(&headers, &tenant) {
        return r;
    }
    let st = inner.lock();
    let mut rows: Vec<&Workspace> =
        st.workspaces.values().filter(|w| w.org_id == tenant.org_id && w.status != Status::Removed).collect();
    rows.sort_by_key(|w| w.seq);
    json_resp(StatusCode::OK, Value::Array(rows.iter().map(|w| w.row(&inner, true)).collect()))
}

/// `DELETE /workspaces/{id}` (AdminAuth): `X-Confirm-Name`, children need `?confirm=true`.
pub async fn delete(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let id = match authorize(&inner, &headers, &tenant, &raw, Auth::Admin) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let mut st = inner.lock();
    let Some(ws) = st.ws(tenant.org_id, id) else { return ws_not_found() };
    if ws.status == Status::Removed {
        return removed(ws);
    }
    let children = st.children(tenant.org_id, id);
    let confirm_name = headers.get("x-confirm-name").and_then(|v| v.to_str().ok());
    if confirm_name != Some(ws.name.as_str()) {
        return json_resp(
            StatusCode::BAD_REQUEST,
            json!({
                "error": "destructive_action_requires_confirmation",
                "hint": "repeat the request with header X-Confirm-Name set to the workspace's exact name",
                "workspace_name": ws.name,
                "active_tasks": ws.active_tasks,
                "child_count": children.len(),
                "schedule_count": 0,
            }),
        );
    }
    if !children.is_empty() && !q_true(&q, "confirm") {
        let list: Vec<Value> =
            children.iter().filter_map(|c| st.workspaces.get(c)).map(|c| json!({"id": c.id.to_string(), "name": c.name})).collect();
        return json_resp(
            StatusCode::CONFLICT,
            json!({
                "status": "confirmation_required",
                "message": "this workspace has children; repeat with ?confirm=true to delete them too",
                "children_count": list.len(),
                "children": list,
            }),
        );
    }
    let descendants = st.descendants(tenant.org_id, id);
    let purge = q_true(&q, "purge");
    let now = now_rfc3339();
    for target in std::iter::once(id).chain(descendants.iter().copied()) {
        if purge {
            if let Some(mut w) = st.workspaces.remove(&target) {
                w.stop();
            }
        } else if let Some(w) = st.workspaces.get_mut(&target) {
            w.stop();
            w.status = Status::Removed;
            w.removed_at = Some(now.clone());
        }
    }
    json_resp(
        StatusCode::OK,
        json!({"status": if purge { "purged" } else { "removed" }, "cascade_deleted": descendants.len()}),
    )
}

// ---------------------------------------------------------------------------------------
// Lifecycle (§3.6)

/// `POST /workspaces/{id}/pause`: it and its non-paused descendants → `paused`, compute
/// stopped, url cleared.
pub async fn pause(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Response {
    let id = match authorize(&inner, &headers, &tenant, &raw, Auth::Workspace) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let mut st = inner.lock();
    if !st.ws(tenant.org_id, id).is_some_and(|w| !matches!(w.status, Status::Removed | Status::Paused)) {
        return error(StatusCode::NOT_FOUND, "workspace not found or already paused");
    }
    let targets: Vec<Uuid> = std::iter::once(id)
        .chain(st.descendants(tenant.org_id, id))
        .filter(|t| st.workspaces.get(t).is_some_and(|w| w.status != Status::Paused))
        .collect();
    if !inner.faults.fires(Fault::PauseIgnored) {
        for t in &targets {
            if let Some(w) = st.workspaces.get_mut(t) {
                w.stop();
                w.status = Status::Paused;
            }
        }
    }
    json_resp(StatusCode::OK, json!({"status": "paused", "paused_count": targets.len()}))
}

/// The name of the nearest paused ancestor of `id`, if any.
fn paused_ancestor(st: &Platform, org_id: Uuid, id: Uuid) -> Option<String> {
    let mut cur = st.ws(org_id, id)?.parent_id;
    for _ in 0..64 {
        let p = st.ws(org_id, cur?)?;
        if p.status == Status::Paused {
            return Some(p.name.clone());
        }
        cur = p.parent_id;
    }
    None
}

/// `POST /workspaces/{id}/resume`: only `paused`; it and its paused descendants re-provision.
pub async fn resume(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Response {
    let id = match authorize(&inner, &headers, &tenant, &raw, Auth::Workspace) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let mut st = inner.lock();
    if !st.ws(tenant.org_id, id).is_some_and(|w| w.status == Status::Paused) {
        return error(StatusCode::NOT_FOUND, "workspace not found or not paused");
    }
    if let Some(name) = paused_ancestor(&st, tenant.org_id, id) {
        return error(StatusCode::CONFLICT, &format!("parent workspace {name:?} is paused — resume it first"));
    }
    let targets: Vec<Uuid> = std::iter::once(id)
        .chain(st.descendants(tenant.org_id, id))
        .filter(|t| st.workspaces.get(t).is_some_and(|w| w.status == Status::Paused))
        .collect();
    if !inner.faults.fires(Fault::ResumeStaysPaused) {
        for t in &targets {
            let delay = st.workspaces.get(t).map(|w| inner.cfg.delays.provision_for(&w.runtime)).unwrap_or_default();
            inner.provision(&mut st, *t, delay);
        }
    }
    json_resp(StatusCode::OK, json!({"status": "provisioning", "resumed_count": targets.len()}))
}

/// `POST /workspaces/{id}/hibernate[?force=true]`: only `online`/`degraded`.
pub async fn hibernate(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let id = match authorize(&inner, &headers, &tenant, &raw, Auth::Workspace) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let mut st = inner.lock();
    let Some(ws) = st.ws_mut(tenant.org_id, id).filter(|w| matches!(w.status, Status::Online | Status::Degraded)) else {
        return error(StatusCode::NOT_FOUND, "workspace not found or not in a hibernatable state (must be online or degraded)");
    };
    if ws.active_tasks > 0 && !q_true(&q, "force") {
        return json_resp(
            StatusCode::CONFLICT,
            json!({"error": "workspace has active tasks; use ?force=true to terminate them", "active_tasks": ws.active_tasks}),
        );
    }
    ws.stop();
    ws.active_tasks = 0;
    ws.status = Status::Hibernated;
    json_resp(StatusCode::OK, json!({"status": "hibernated"}))
}

/// Restart a workspace (`POST …/restart`, and the async restart after a secret or config
/// write): external-like and `mock` rows have no compute, so it is a no-op for them.
/// Returns whether a restart was started.
pub fn restart_now(inner: &Arc<Inner>, st: &mut Platform, id: Uuid, delay: std::time::Duration) -> bool {
    let Some(ws) = st.workspaces.get(&id) else { return false };
    if ws.external_like() || ws.runtime == "mock" {
        return false;
    }
    inner.provision(st, id, delay);
    true
}

/// `POST /workspaces/{id}/restart`.
pub async fn restart(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let id = match authorize(&inner, &headers, &tenant, &raw, Auth::Workspace) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let mut st = inner.lock();
    let Some(ws) = st.ws(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return ws_not_found() };
    let runtime = ws.runtime.clone();
    if let Some(name) = paused_ancestor(&st, tenant.org_id, id) {
        return error(StatusCode::CONFLICT, &format!("parent workspace {name:?} is paused — resume it first"));
    }
    let delay = inner.cfg.delays.provision_for(&runtime);
    if !restart_now(&inner, &mut st, id, delay) {
        return json_resp(
            StatusCode::OK,
            json!({"status": "noop", "runtime": runtime, "message": format!("runtime {runtime:?} has no platform-managed compute; restart is a no-op")}),
        );
    }
    let reset = q_true(&q, "reset") || json_object(&body).is_some_and(|m| m.get("reset") == Some(&Value::Bool(true)));
    json_resp(StatusCode::OK, json!({"status": "provisioning", "config_dir": format!("/configs/{id}"), "reset_session": reset}))
}

// ---------------------------------------------------------------------------------------
// Billing, secrets, tokens (§3.7)

/// The billing resolution of a workspace (contract §3.7): the override wins; else the
/// provider derived from (runtime, MODEL secret, secret names): `platform` →
/// `platform_managed`, any other → `byok`, no model or no provider → `platform_managed`.
pub fn billing(inner: &Inner, ws: &Workspace) -> Value {
    let model = ws.secrets.get("MODEL").cloned().unwrap_or_default();
    let env: Vec<&str> = ws.secrets.keys().map(String::as_str).collect();
    let derived = if model.is_empty() { Derived::FailOpen } else { catalog::derive_provider(&ws.runtime, &model, &env) };
    let provider = match derived {
        Derived::Provider(p) => Some(p),
        _ => None,
    };
    let (mut mode, source) = match (&ws.billing_override, provider) {
        (Some(o), _) => (o.clone(), "workspace_override"),
        (None, Some("platform")) => ("platform_managed".to_owned(), "derived_provider"),
        (None, Some(_)) => ("byok".to_owned(), "derived_provider"),
        (None, None) => ("platform_managed".to_owned(), "derived_default"),
    };
    if mode == "byok" && inner.faults.fires(Fault::ByokIgnored) {
        mode = "platform_managed".to_owned();
    }
    json!({
        "workspace_id": ws.id.to_string(),
        "resolved_mode": mode,
        "workspace_override": ws.billing_override,
        "org_default": "platform_managed",
        "source": source,
        "provider_selection": {"runtime": ws.runtime, "model": model, "provider": provider},
    })
}

fn resolved_mode(inner: &Inner, ws: &Workspace) -> String {
    billing(inner, ws).get("resolved_mode").and_then(Value::as_str).unwrap_or("platform_managed").to_owned()
}

/// `GET /admin/workspaces/{id}/llm-billing-mode` (AdminAuth).
pub async fn get_billing(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Response {
    let id = match authorize(&inner, &headers, &tenant, &raw, Auth::Admin) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let st = inner.lock();
    match st.ws(tenant.org_id, id).filter(|w| w.status != Status::Removed) {
        Some(ws) => json_resp(StatusCode::OK, billing(&inner, ws)),
        None => ws_not_found(),
    }
}

/// `PUT /admin/workspaces/{id}/llm-billing-mode` `{"mode": platform_managed|byok|disabled|null}`.
pub async fn put_billing(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    body: Bytes,
) -> Response {
    let id = match authorize(&inner, &headers, &tenant, &raw, Auth::Admin) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let Some(m) = json_object(&body) else { return error(StatusCode::BAD_REQUEST, "invalid request body") };
    let mode = match m.get("mode") {
        None => return error(StatusCode::BAD_REQUEST, "missing required field 'mode' (use null to clear override)"),
        Some(Value::Null) => None,
        Some(Value::String(s)) if matches!(s.as_str(), "platform_managed" | "byok" | "disabled") => Some(s.clone()),
        Some(_) => return error(StatusCode::BAD_REQUEST, "mode must be one of 'platform_managed', 'byok', 'disabled' or null"),
    };
    let mut st = inner.lock();
    let Some(ws) = st.ws_mut(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return ws_not_found() };
    if mode.as_deref() == Some("byok") && inner.faults.fires(Fault::ByokIgnored) {
        // Answer as if stored; store nothing.
        let mut v = billing(&inner, ws);
        if let Some(o) = v.as_object_mut() {
            o.insert("resolved_mode".into(), json!("byok"));
            o.insert("workspace_override".into(), json!("byok"));
            o.insert("source".into(), json!("workspace_override"));
        }
        return json_resp(StatusCode::OK, v);
    }
    ws.billing_override = mode;
    json_resp(StatusCode::OK, billing(&inner, ws))
}

/// `POST|PUT /workspaces/{id}/secrets` `{key,value}` (WorkspaceAuth): strip-list gate while
/// `platform_managed`, then an async restart.
pub async fn set_secret(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    body: Bytes,
) -> Response {
    let id = match authorize(&inner, &headers, &tenant, &raw, Auth::Workspace) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let kv = json_object(&body).and_then(|m| {
        let k = m.get("key")?.as_str()?.to_owned();
        let v = m.get("value")?.as_str()?.to_owned();
        (!k.is_empty()).then_some((k, v))
    });
    let Some((key, value)) = kv else { return error(StatusCode::BAD_REQUEST, "key and value are required") };
    let mut st = inner.lock();
    let Some(ws) = st.ws_mut(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return ws_not_found() };
    if catalog::is_strip_listed(&key) && resolved_mode(&inner, ws) == "platform_managed" {
        return vendor_key_blocked(&key, id);
    }
    ws.secrets.insert(key.clone(), value);
    let delay = inner.cfg.delays.provision_for(&ws.runtime);
    restart_now(&inner, &mut st, id, delay);
    json_resp(StatusCode::OK, json!({"status": "saved", "key": key}))
}

/// `POST /admin/workspaces/{id}/tokens` (AdminAuth) → 201 `{"auth_token"}`.
pub async fn mint_token(
    State(inner): Shared,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Response {
    let id = match authorize(&inner, &headers, &tenant, &raw, Auth::Admin) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let mut st = inner.lock();
    let Some(ws) = st.ws_mut(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return ws_not_found() };
    let token = new_token("ws-");
    ws.tokens.push(token.clone());
    json_resp(StatusCode::CREATED, json!({"auth_token": token}))
}
