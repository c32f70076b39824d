//! `POST /workspaces` (AdminAuth): the validation order of contract §3.2, first failure wins
//! (handlers/workspace.go `Create` with workspace_create_name.go, ssrf.go and
//! model_registry_validation.go at the reference commit), then the new row. The catalogue is
//! the generation's: at aeec8e47 the allowlist lacks google-adk, the registry is today's, a BYOK
//! model needs its key in the body (`MISSING_BYOK_CREDENTIAL`) and the vendor keys are then
//! accepted there (`h/workspace.go:669-690, 884-910`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::billing::vendor_key_blocked;
use crate::catalog::{self, Derived};
use crate::generation::Byok;
use crate::standin::Fault;
use crate::standin::auth::AdminAuth;
use crate::standin::platform::{Memory, Platform, Status, Tables, Workspace, new_token, now_rfc3339};
use crate::standin::reply::{error, json_reply};

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
struct CreateRequest {
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

/// What steps 4–10 resolved: the runtime, its model, and whether it has no compute.
struct Resolved {
    runtime: String,
    model: String,
    external: bool,
}

/// What step 11 accepted.
struct Extras {
    access: String,
    compute: Value,
    url: String,
    delivery_mode: Option<String>,
}

fn unprocessable(v: Value) -> Response {
    json_reply(StatusCode::UNPROCESSABLE_ENTITY, v)
}

/// `POST /workspaces`.
pub async fn create(State(platform): State<Arc<Platform>>, auth: AdminAuth, body: Bytes) -> Response {
    if platform.faults.fires(Fault::CreateHtml500) {
        return html_500();
    }
    // 1. bind
    let req = match serde_json::from_slice::<CreateRequest>(&body) {
        Ok(r) if !r.name.is_empty() => r,
        _ => return error(StatusCode::BAD_REQUEST, "invalid workspace payload"),
    };
    let checked = check_fields(&req).and_then(|()| resolve_runtime(&platform, &req)).and_then(|r| Ok((r, check_extras(&req)?)));
    let (resolved, extras) = match checked {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut tables = platform.lock();
    match insert(&platform, &mut tables, auth.tenant.org_id, req, &resolved, extras) {
        Ok(v) => json_reply(StatusCode::CREATED, v),
        Err(r) => r,
    }
}

/// [`Fault::CreateHtml500`]: the answer an nginx in front of a crashed tenant gives.
fn html_500() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<html><head><title>500 Internal Server Error</title></head><body><h1>500 Internal Server Error</h1><hr><center>nginx</center></body></html>",
    )
        .into_response()
}

/// Step 2, name, role, model and runtime: no CR/LF, no YAML-special characters in name and
/// role, bounded lengths; else 400 `invalid workspace fields`.
fn check_fields(req: &CreateRequest) -> Result<(), Response> {
    let role = req.role.as_deref().unwrap_or_default();
    let model = req.model.as_deref().unwrap_or_default();
    let runtime = req.runtime.as_deref().unwrap_or_default();
    let crlf = |s: &str| s.contains(['\r', '\n']);
    let special = |s: &str| s.contains(['{', '}', '[', ']', '|', '>', '*', '&', '!']);
    let bad = [req.name.as_str(), role, model, runtime].iter().any(|s| crlf(s))
        || special(&req.name)
        || special(role)
        || req.name.chars().count() > 255
        || role.chars().count() > 1000
        || model.chars().count() > 100
        || runtime.chars().count() > 100;
    if bad { Err(error(StatusCode::BAD_REQUEST, "invalid workspace fields")) } else { Ok(()) }
}

/// Steps 4–10: fill runtime and model from the template, refuse what cannot be resolved,
/// default, check the external flag and the allowlist, require a model, and check it against
/// the provider registry.
fn resolve_runtime(platform: &Platform, req: &CreateRequest) -> Result<Resolved, Response> {
    let cat = platform.cfg.platform.catalog;
    let template = req.template.clone().unwrap_or_default();
    let runtime_in = req.runtime.clone().unwrap_or_default();
    let (mut runtime, mut model) = (runtime_in.clone(), req.model.clone().unwrap_or_default());
    // 4. Only a path that escapes the templates root is refused here; a safe name with no
    // template directory fills nothing and fails at step 5.
    if !template.is_empty() && (runtime.is_empty() || model.is_empty()) {
        let Some(dir) = template_dir(&template) else { return Err(error(StatusCode::BAD_REQUEST, "invalid template")) };
        if let Some(t) = cat.template(&dir) {
            if runtime.is_empty() {
                runtime = t.runtime.to_owned();
            }
            if model.is_empty() {
                model = t.model.unwrap_or_default().to_owned();
            }
        }
    }
    // 5. requested but unresolved
    if (!runtime_in.is_empty() || !template.is_empty()) && runtime.is_empty() {
        let msg = format!("could not resolve a runtime from template {template:?}");
        return Err(unprocessable(json!({"error": msg, "template": template, "code": "RUNTIME_UNRESOLVED"})));
    }
    // 6. defaults
    let external_flag = req.external.unwrap_or(false);
    if runtime.is_empty() {
        runtime = if external_flag { "external" } else { "claude-code" }.to_owned();
    }
    // 7. the external flag needs an external-like runtime; 8. the allowlist
    let external_like = cat.is_external_like(&runtime);
    if external_flag && !external_like {
        let msg = "external workspaces must use runtime \"external\", \"kimi\", or \"kimi-cli\"";
        return Err(unprocessable(json!({"error": msg, "runtime": runtime, "code": "RUNTIME_UNSUPPORTED"})));
    }
    let known = cat.is_known_runtime(&runtime) && !(runtime == "google-adk" && platform.faults.fires(Fault::AllowlistLacksGoogleAdk));
    if !external_like && !known {
        return Err(unprocessable(json!({"error": "unsupported workspace runtime", "runtime": runtime, "code": "RUNTIME_UNSUPPORTED"})));
    }
    let external = external_flag || external_like;
    // 9. model required
    if !external && model.is_empty() {
        let msg = format!("model is required for runtime {runtime:?}");
        return Err(unprocessable(json!({"error": msg, "runtime": runtime, "template": template, "code": "MODEL_REQUIRED"})));
    }
    // 10. the provider registry; 10b. (aeec8e47) the BYOK credential
    if !external {
        check_registered_model(platform, req, &runtime, &model)?;
        check_byok_credential(platform, req, &runtime, &model)?;
    }
    Ok(Resolved { runtime, model, external })
}

/// Step 10: the model must be one the runtime lists, or matched by exactly one native
/// provider prefix (`DeriveProvider`); runtimes absent from providers.yaml fail open.
fn check_registered_model(platform: &Platform, req: &CreateRequest, runtime: &str, model: &str) -> Result<(), Response> {
    let env: Vec<&str> = req.secrets.iter().flat_map(|s| s.keys()).map(String::as_str).collect();
    match platform.cfg.platform.catalog.derive_provider(runtime, model, &env) {
        Derived::FailOpen | Derived::Provider(_) => Ok(()),
        Derived::Unregistered | Derived::Ambiguous if platform.faults.fires(Fault::UnregisteredModelAccepted) => Ok(()),
        Derived::Unregistered | Derived::Ambiguous => Err(unprocessable(json!({
            "error": format!("model {model:?} is not a registered model for runtime {runtime:?}; pick a model the runtime lists in providers.yaml or one matched by a native provider prefix"),
            "runtime": runtime,
            "model": model,
            "code": "UNREGISTERED_MODEL_FOR_RUNTIME",
        }))),
    }
}

/// Step 10b where the generation has it (`validateBYOKCredentialSatisfiable`,
/// `h/model_registry_validation.go:207-272` @aeec8e47): a model that derives to a vendor provider
/// needs one of that provider's `auth_env` keys among the body's secrets (the stand-in's tenants
/// hold no global secrets); derive failures and platform models pass.
fn check_byok_credential(platform: &Platform, req: &CreateRequest, runtime: &str, model: &str) -> Result<(), Response> {
    let cat = platform.cfg.platform.catalog;
    let model = model.trim();
    if cat.byok != Byok::KeysInCreateBody || model.is_empty() {
        return Ok(());
    }
    let env: Vec<&str> = req.secrets.iter().flat_map(|s| s.keys()).map(String::as_str).collect();
    let Derived::Provider(name) = cat.derive_provider(runtime, model, &env) else { return Ok(()) };
    let Some(p) = cat.provider(runtime, name).filter(|p| p.name != "platform") else { return Ok(()) };
    if p.auth_env.iter().any(|k| env.contains(k)) {
        return Ok(());
    }
    let msg = format!(
        "model {model:?} resolves to BYOK provider {name:?} but no credential it accepts ({}) exists at workspace or org scope — the workspace would be created and then fail provisioning with MISSING_BYOK_CREDENTIAL. Add one of those secrets first, or pick a platform-billed model (the vendor/model slash form, e.g. minimax/MiniMax-M2.7 — no key needed).",
        p.auth_env.join(", ")
    );
    Err(unprocessable(json!({"error": msg, "runtime": runtime, "model": model, "code": "MISSING_BYOK_CREDENTIAL"})))
}

/// Step 11: the rest of the fields.
fn check_extras(req: &CreateRequest) -> Result<Extras, Response> {
    if let Some(d) = req.workspace_dir.as_deref().filter(|d| !d.is_empty())
        && !valid_workspace_dir(d)
    {
        return Err(error(StatusCode::BAD_REQUEST, "invalid workspace directory"));
    }
    let access = req.workspace_access.clone().filter(|a| !a.is_empty()).unwrap_or_else(|| "none".to_owned());
    if !matches!(access.as_str(), "none" | "read_only" | "read_write") {
        return Err(error(StatusCode::BAD_REQUEST, "invalid workspace access"));
    }
    let compute = match req.compute.clone() {
        None | Some(Value::Null) => json!({}),
        Some(c @ Value::Object(_)) => c,
        Some(_) => return Err(error(StatusCode::BAD_REQUEST, "compute must be an object")),
    };
    let url = req.url.clone().unwrap_or_default();
    if !url.is_empty()
        && let Some(why) = unsafe_url(&url)
    {
        return Err(error(StatusCode::BAD_REQUEST, &format!("unsafe workspace URL: {why}")));
    }
    let delivery_mode = req.delivery_mode.clone().filter(|m| !m.is_empty());
    if delivery_mode.as_deref().is_some_and(|m| m != "push" && m != "poll") {
        return Err(error(StatusCode::BAD_REQUEST, "delivery_mode must be 'push' or 'poll'"));
    }
    Ok(Extras { access, compute, url, delivery_mode })
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

/// The parent, the name (step 12: a collision under the same parent gets " (2)", " (3)", …),
/// the strip-list gate (step 13), then the row, its initial memories, provisioning, and the
/// create answer.
fn insert(platform: &Arc<Platform>, tables: &mut Tables, org: Uuid, req: CreateRequest, r: &Resolved, x: Extras) -> Result<Value, Response> {
    let parent_id = match req.parent_id.as_deref().filter(|p| !p.is_empty()) {
        None => platform.default_create_parent(tables, org),
        Some(p) => Some(
            Uuid::parse_str(p)
                .ok()
                .filter(|p| tables.workspace(org, *p).is_some_and(|w| w.status != Status::Removed))
                .ok_or_else(|| error(StatusCode::BAD_REQUEST, "parent workspace not found"))?,
        ),
    };
    let name = free_name(tables, org, parent_id, &req.name)?;
    let id = Uuid::new_v4();
    let mut secrets = req.secrets.unwrap_or_default();
    // Strip-listed secrets: at 41409fb2 a new workspace is always platform_managed; at aeec8e47
    // they are allowed when (runtime, model, keys) derive to a vendor provider
    // (`allowVendorKeysForByokCreate`, h/workspace.go:884-910). Refused: nothing is created.
    if !vendor_keys_allowed(platform, r, &secrets)
        && let Some(k) = secrets.keys().find(|k| catalog::is_strip_listed(k))
    {
        return Err(vendor_key_blocked(platform, k, id));
    }
    if platform.faults.fires(Fault::CreateDropsBodyKeys) {
        secrets.retain(|k, _| !catalog::is_strip_listed(k));
    }
    let online_external = r.external && !x.url.is_empty();
    let token = (!online_external).then(|| new_token("ws-"));
    let mut ws = Workspace::new(id, org, tables.next_seq(), name, &r.runtime);
    ws.role = req.role.filter(|s| !s.is_empty());
    ws.parent_id = parent_id;
    ws.delivery_mode = x.delivery_mode;
    ws.tokens = token.iter().cloned().collect();
    ws.secrets = secrets;
    if !r.model.is_empty() {
        ws.secrets.insert("MODEL".to_owned(), r.model.clone());
    }
    ws.max_concurrent_tasks = req.max_concurrent_tasks.filter(|n| *n > 0).unwrap_or(1);
    ws.budget_limit = req.budget_limit;
    ws.workspace_dir = req.workspace_dir.filter(|d| !d.is_empty());
    ws.compute = x.compute;
    (ws.x, ws.y) = req.canvas.map_or((0.0, 0.0), |c| (c.x.unwrap_or(0.0), c.y.unwrap_or(0.0)));
    if r.external {
        ws.status = if online_external { Status::Online } else { Status::AwaitingAgent };
        ws.url = x.url;
        ws.last_seen = online_external.then(Instant::now);
        ws.online_since = online_external.then(Instant::now);
    }
    tables.workspaces.insert(id, ws);
    seed_memories(tables, org, id, req.initial_memories.unwrap_or_default());
    let token = token.unwrap_or_default();
    if !r.external {
        platform.provision(tables, id, platform.cfg.delays.provision_for(&r.runtime));
        return Ok(json!({"id": id.to_string(), "status": "provisioning", "workspace_access": x.access, "auth_token": token}));
    }
    if online_external {
        return Ok(json!({"id": id.to_string(), "external": true, "status": "online"}));
    }
    if platform.faults.fires(Fault::ExternalCreatedOnline) {
        // Answers as if the agent were already connected: no awaiting_agent, no token.
        return Ok(json!({"id": id.to_string(), "external": true, "status": "online"}));
    }
    let connection = connection(&platform.url, org, id, &token);
    Ok(json!({"id": id.to_string(), "external": true, "status": "awaiting_agent", "connection": connection}))
}

/// Whether the create's vendor keys are the atomic BYOK-create shape the generation accepts.
fn vendor_keys_allowed(platform: &Platform, r: &Resolved, secrets: &BTreeMap<String, String>) -> bool {
    let cat = platform.cfg.platform.catalog;
    let env: Vec<&str> = secrets.keys().map(String::as_str).collect();
    cat.byok == Byok::KeysInCreateBody
        && matches!(cat.derive_provider(&r.runtime, r.model.trim(), &env), Derived::Provider(p) if p != "platform")
}

/// `requested`, or the first of `requested (2)` … `requested (100)` free under `parent`.
fn free_name(tables: &Tables, org: Uuid, parent: Option<Uuid>, requested: &str) -> Result<String, Response> {
    let taken = |n: &str| {
        tables.workspaces.values().any(|w| w.org_id == org && w.parent_id == parent && w.status != Status::Removed && w.name == n)
    };
    if !taken(requested) {
        return Ok(requested.to_owned());
    }
    (2..=100)
        .map(|i| format!("{requested} ({i})"))
        .find(|n| !taken(n))
        .ok_or_else(|| error(StatusCode::CONFLICT, "workspace name already in use; please pick a different name"))
}

fn seed_memories(tables: &mut Tables, org: Uuid, id: Uuid, memories: Vec<InitialMemory>) {
    let team_root = tables.team_root(org, id);
    for m in memories {
        let scope = m.scope.unwrap_or_else(|| "LOCAL".to_owned()).to_ascii_uppercase();
        tables.memories.push(Memory {
            id: Uuid::new_v4(),
            org_id: org,
            workspace_id: id,
            team_root,
            namespace: super::memory::default_namespace(&scope, id, team_root),
            content: m.content,
            scope,
            created_at: now_rfc3339(),
        });
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
