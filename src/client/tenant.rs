//! The tenant workspace API (contract §3, §5, §6): every call the arms, the lifecycle, the
//! external flows and full mode make, with the contract's success statuses.

use std::time::Duration;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::http::{Accept, Answer, Http, api_error};
use super::retry::{COLD_CREATE_ATTEMPTS, RetryPolicy, send_cold_retrying, send_retrying};
use super::rows::{
    ActivityRow, Ack, BillingMode, Created, Guarded, Registered, WorkspaceRow, decode_activity, json_type, str_field,
};
use super::{query, seg};
use crate::error::{Call, Result};
use crate::payload::CreateWorkspace;

/// The routing header every tenant call carries (contract §1).
pub const ORG_HEADER: &str = "x-molecule-org-id";
/// The caller-identity header the A2A proxy reads (contract §6.2).
pub const CALLER_HEADER: &str = "x-workspace-id";
/// The slug a throwaway control plane's wildcard proxy routes a tenant call by, beside `Host`
/// (tests/e2e/lib/tenant_topology.sh at aeec8e47, `TENANT_ROUTE_HDRS`).
pub const ROUTE_SLUG_HEADER: &str = "x-molecule-org-slug";

mod files;
mod offered;
pub use files::Uploaded;
pub use offered::OfferedModel;

/// One tenant, as one bearer (the tenant admin token, or a workspace's own token).
#[derive(Debug, Clone)]
pub struct Tenant {
    pub(super) http: Http,
    org_id: String,
    /// `Some(host)` when calls go through a control plane that routes by slug.
    route_host: Option<String>,
    /// The target's retry policy: its ceiling bounds the create's cold-origin pauses.
    retry: RetryPolicy,
}

/// Filters of `GET /workspaces/:id/activity`.
#[derive(Debug, Clone, Default)]
pub struct ActivityQuery {
    pub activity_type: Option<String>,
    pub since_id: Option<String>,
    pub limit: Option<u32>,
    pub since_secs: Option<u64>,
}

impl ActivityQuery {
    pub fn of_type(t: &str) -> Self {
        ActivityQuery { activity_type: Some(t.to_owned()), ..Default::default() }
    }

    pub fn since(mut self, id: Option<&str>) -> Self {
        self.since_id = id.map(str::to_owned);
        self
    }

    pub fn limit(mut self, n: u32) -> Self {
        self.limit = Some(n);
        self
    }
}

/// An A2A answer the proxy gave: a 2xx (message, task, queued envelope, busy) or the
/// hibernation 503. The body is JSON; parse it with [`crate::a2a::Reply::parse`]. Its `Debug`
/// masks the body.
#[derive(Clone)]
pub struct A2aAnswer {
    pub status: u16,
    pub body: Value,
    pub retry_after: Option<Duration>,
    /// How many attempts it took (transient failures retried).
    pub attempts: u32,
    pub call: Call,
}

impl std::fmt::Debug for A2aAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("A2aAnswer")
            .field("status", &self.status)
            .field("body", &crate::redact::scrub(&crate::redact::json(&self.body).to_string()))
            .field("retry_after", &self.retry_after)
            .field("attempts", &self.attempts)
            .field("call", &self.call)
            .finish()
    }
}

impl Tenant {
    pub fn new(base: &str, org_id: &str, token: SecretString) -> Result<Tenant> {
        let http = Http::new(base)?.with_bearer(token).with_header(ORG_HEADER, org_id)?;
        Ok(Tenant { http, org_id: org_id.to_owned(), route_host: None, retry: RetryPolicy::staging(COLD_CREATE_ATTEMPTS) })
    }

    /// The same tenant under the target's retry policy (a hermetic target's pauses are short).
    pub fn with_retry(mut self, policy: RetryPolicy) -> Tenant {
        self.retry = policy;
        self
    }

    /// The same tenant behind a throwaway control plane: every call carries `Host: <host>` and
    /// `X-Molecule-Org-Slug: <slug>`, which its wildcard proxy resolves the tenant by (the
    /// platform harness's `TENANT_ROUTE_HDRS`); `X-Molecule-Org-Id` stays, as the harness sends it.
    pub fn routed(mut self, host: &str, slug: &str) -> Result<Tenant> {
        self.http = self.http.with_header("host", host)?.with_header(ROUTE_SLUG_HEADER, slug)?;
        self.route_host = Some(host.to_owned());
        Ok(self)
    }

    /// The `Host` the calls carry when routed by slug.
    pub fn route_host(&self) -> Option<&str> {
        self.route_host.as_deref()
    }

    pub fn org_id(&self) -> &str {
        &self.org_id
    }

    /// The same tenant with another per-request deadline (A2A keeps its own, longer one).
    pub fn with_timeout(mut self, timeout: Duration) -> Tenant {
        self.http = self.http.with_timeout(timeout);
        self
    }

    pub fn base(&self) -> &str {
        self.http.base()
    }

    /// The same tenant, speaking with a workspace's own token.
    pub fn as_workspace(&self, token: &SecretString) -> Tenant {
        Tenant { http: self.http.clone().with_bearer(token.clone()), ..self.clone() }
    }

    /// The same tenant, identifying the caller as workspace `id` (`X-Workspace-ID`).
    pub fn with_caller(&self, id: &str) -> Result<Tenant> {
        Ok(Tenant { http: self.http.clone().with_header(CALLER_HEADER, id)?, ..self.clone() })
    }

    /// Without the routing header, to check the tenant guard.
    pub fn without_org_header(&self) -> Tenant {
        Tenant { http: self.http.clone().without_header(ORG_HEADER), ..self.clone() }
    }

    /// `GET /health` on the tenant.
    pub async fn health(&self) -> Result<()> {
        self.http.json("tenant_health", Method::GET, "/health", None).await.map(drop)
    }

    /// `GET /org/identity`, the tenant's own open handler (`{"name","slug","org_id",…}`). An
    /// `org_id` other than this tenant's means the route reached someone else's tenant.
    pub async fn org_identity(&self) -> Result<Value> {
        let a = self.http.json("org_identity", Method::GET, "/org/identity", None).await?;
        let v = a.json()?;
        match v.get("org_id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() && id != self.org_id => {
                Err(a.malformed("this tenant's identity", format!("org_id is {id:?}, not {:?}", self.org_id)))
            }
            _ => Ok(v),
        }
    }

    /// Whether the tenant is up. Routed by slug, `/health` is the control plane's own answer
    /// for every `Host` and proves nothing, so readiness is `/org/identity` through the route
    /// (harness lines 800-815 at aeec8e47); otherwise `/health`.
    pub async fn ready(&self) -> Result<()> {
        match self.route_host {
            Some(_) => self.org_identity().await.map(drop),
            None => self.health().await,
        }
    }

    /// `POST /workspaces` → 201 with an `id`, tried again only across the edge's cold-origin
    /// write window (an empty-body 503 or a reset; [`super::retry::send_cold_retrying`]).
    pub async fn create_workspace(&self, req: &CreateWorkspace) -> Result<Created> {
        let call = Call::new("create_workspace", "POST", "/workspaces");
        let body = req.to_body();
        let (a, _) = send_cold_retrying(&self.retry, &call, || {
            self.http.json_accepting("create_workspace", Method::POST, "/workspaces", Some(&body), Accept::Any)
        })
        .await?;
        if a.status != 201 {
            return Err(api_error(call, a.status, &a.body));
        }
        Created::decode(&a.json()?).map_err(|e| a.malformed("a created workspace with an \"id\"", e))
    }

    pub async fn get_workspace(&self, id: &str) -> Result<WorkspaceRow> {
        let a = self.http.json("get_workspace", Method::GET, &format!("/workspaces/{}", seg(id)), None).await?;
        WorkspaceRow::decode(&a.json()?).map_err(|e| a.malformed("a workspace row", e))
    }

    pub async fn list_workspaces(&self) -> Result<Vec<WorkspaceRow>> {
        let a = self.http.json("list_workspaces", Method::GET, "/workspaces", None).await?;
        let v = a.json()?;
        let rows = v
            .as_array()
            .ok_or_else(|| a.malformed("an array of workspace rows", format!("the answer is {}", json_type(&v))))?;
        rows.iter().map(|r| WorkspaceRow::decode(r).map_err(|e| a.malformed("a workspace row", e))).collect()
    }

    /// `DELETE /workspaces/:id` with the `X-Confirm-Name` it requires.
    pub async fn delete_workspace(&self, id: &str, name: &str) -> Result<Ack> {
        let path = format!("/workspaces/{}?confirm=true", seg(id));
        let call = Call::new("delete_workspace", "DELETE", format!("/workspaces/{}", seg(id)));
        let rb = self.http.request(Method::DELETE, &path).header("x-confirm-name", name);
        let a = self.http.send(call, rb, Accept::Success).await?;
        ack(&a)
    }

    pub async fn billing_mode(&self, id: &str) -> Result<BillingMode> {
        let path = format!("/admin/workspaces/{}/llm-billing-mode", seg(id));
        let a = self.http.json("get_billing_mode", Method::GET, &path, None).await?;
        BillingMode::decode(&a.json()?).map_err(|e| a.malformed("a billing-mode resolution", e))
    }

    /// `PUT /admin/workspaces/:id/llm-billing-mode {"mode": mode}`.
    pub async fn set_billing_mode(&self, id: &str, mode: &str) -> Result<BillingMode> {
        let path = format!("/admin/workspaces/{}/llm-billing-mode", seg(id));
        let a = self.http.json("set_billing_mode", Method::PUT, &path, Some(&json!({"mode": mode}))).await?;
        BillingMode::decode(&a.json()?).map_err(|e| a.malformed("a billing-mode resolution", e))
    }

    /// `POST /workspaces/:id/secrets {"key","value"}` (200/201/204).
    pub async fn put_secret(&self, id: &str, key: &str, value: &SecretString) -> Result<()> {
        let path = format!("/workspaces/{}/secrets", seg(id));
        crate::redact::register(value);
        let body = json!({"key": key, "value": value.expose_secret()});
        self.http.json("put_secret", Method::POST, &path, Some(&body)).await.map(drop)
    }

    /// `POST /admin/workspaces/:id/tokens` → a fresh workspace token.
    pub async fn mint_token(&self, id: &str) -> Result<SecretString> {
        let path = format!("/admin/workspaces/{}/tokens", seg(id));
        let a = self.http.json("mint_token", Method::POST, &path, None).await?;
        let v = a.json()?;
        match str_field(&v, "auth_token") {
            Ok(t) => {
                let t = SecretString::from(t.to_owned());
                crate::redact::register(&t);
                Ok(t)
            }
            Err(why) => Err(a.malformed("{\"auth_token\":…}", why)),
        }
    }

    /// `GET /workspaces/:id/activity` with filters (a bare JSON array).
    pub async fn activity(&self, id: &str, q: &ActivityQuery) -> Result<Vec<ActivityRow>> {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(t) = &q.activity_type {
            pairs.push(("type", t.clone()));
        }
        if let Some(s) = &q.since_id {
            pairs.push(("since_id", s.clone()));
        }
        if let Some(n) = q.limit {
            pairs.push(("limit", n.to_string()));
        }
        if let Some(s) = q.since_secs {
            pairs.push(("since_secs", s.to_string()));
        }
        let path = query(&format!("/workspaces/{}/activity", seg(id)), &pairs);
        let a = self.http.json("activity", Method::GET, &path, None).await?;
        decode_activity(&a.json()?).map_err(|e| a.malformed("an array of activity rows", e))
    }

    pub async fn pause(&self, id: &str) -> Result<Ack> {
        self.lifecycle("pause", &format!("/workspaces/{}/pause", seg(id))).await
    }

    pub async fn resume(&self, id: &str) -> Result<Ack> {
        self.lifecycle("resume", &format!("/workspaces/{}/resume", seg(id))).await
    }

    /// `POST /workspaces/:id/{pause|resume}`, with `?cascade=true` when `cascade`: 200 done, 409
    /// refused (the cascade guard names the live descendants).
    pub async fn pause_or_resume(&self, op: &'static str, id: &str, cascade: bool) -> Result<Guarded> {
        let q = if cascade { "?cascade=true" } else { "" };
        let path = match op {
            "pause" => format!("/workspaces/{}/pause{q}", seg(id)),
            _ => format!("/workspaces/{}/resume{q}", seg(id)),
        };
        let a = self.http.json_accepting(op, Method::POST, &path, None, Accept::Only(&[200, 409])).await?;
        if a.status == 409 {
            return Guarded::refused(&a.json()?).map_err(|e| a.malformed("{\"error\",\"descendants\"}", e));
        }
        ack(&a).map(Guarded::Done)
    }

    /// `POST /workspaces/:id/hibernate?force=true` when `force`.
    pub async fn hibernate(&self, id: &str, force: bool) -> Result<Ack> {
        let q = if force { "?force=true" } else { "" };
        self.lifecycle("hibernate", &format!("/workspaces/{}/hibernate{q}", seg(id))).await
    }

    pub async fn restart(&self, id: &str) -> Result<Ack> {
        self.lifecycle("restart", &format!("/workspaces/{}/restart", seg(id))).await
    }

    async fn lifecycle(&self, op: &'static str, path: &str) -> Result<Ack> {
        let a = self.http.json(op, Method::POST, path, None).await?;
        ack(&a)
    }

    /// `POST /workspaces/:id/a2a`, retrying transient failures under `policy`.
    ///
    /// Answers: any 2xx (a reply, the poll-mode queued envelope, the busy 202) and the
    /// hibernation 503 (`waking: true`). Every other status is an error carrying the
    /// platform's words.
    pub async fn a2a(&self, id: &str, envelope: &Value, policy: &RetryPolicy) -> Result<A2aAnswer> {
        self.a2a_with_headers(id, envelope, &[], policy).await
    }

    pub async fn a2a_with_headers(
        &self,
        id: &str,
        envelope: &Value,
        headers: &[(&'static str, &str)],
        policy: &RetryPolicy,
    ) -> Result<A2aAnswer> {
        let path = format!("/workspaces/{}/a2a", seg(id));
        let http = self.http.clone().with_timeout(super::http::A2A_PROXY_TIMEOUT);
        let call = Call::new("a2a", "POST", &path);
        let (a, attempts) = send_retrying(policy, &call, || {
            let mut rb = http.request(Method::POST, &path).json(envelope);
            for (k, v) in headers {
                rb = rb.header(*k, *v);
            }
            http.send(call.clone(), rb, Accept::Any)
        })
        .await?;
        let body = match a.json() {
            Ok(v) => v,
            Err(_) if !(200..300).contains(&a.status) => return Err(api_error(call, a.status, &a.body)),
            Err(e) => return Err(e),
        };
        let waking = a.status == 503 && body.get("waking").and_then(Value::as_bool) == Some(true);
        if (200..300).contains(&a.status) || waking {
            return Ok(A2aAnswer { status: a.status, body, retry_after: a.retry_after(), attempts, call });
        }
        Err(api_error(call, a.status, &a.body))
    }

    /// `POST /registry/register` with this tenant's bearer (use [`Tenant::as_workspace`]).
    /// One attempt; [`Tenant::register_retrying`] retries passing failures.
    pub async fn register(&self, body: &Value) -> Result<Registered> {
        let a = self.http.json("register", Method::POST, "/registry/register", Some(body)).await?;
        Registered::decode(&a.json()?).map_err(|e| a.malformed("{\"status\":\"registered\",…}", e))
    }

    /// [`Tenant::register`], retrying transient failures under `policy`: the same rule as A2A
    /// (502/503/504 with a passing body, `Retry-After`, never past the deadline).
    pub async fn register_retrying(&self, body: &Value, policy: &RetryPolicy) -> Result<Registered> {
        let call = Call::new("register", "POST", "/registry/register");
        let (a, _) = send_retrying(policy, &call, || {
            let rb = self.http.request(Method::POST, "/registry/register").json(body);
            self.http.send(call.clone(), rb, Accept::Any)
        })
        .await?;
        if !(200..300).contains(&a.status) {
            return Err(api_error(call, a.status, &a.body));
        }
        Registered::decode(&a.json()?).map_err(|e| a.malformed("{\"status\":\"registered\",…}", e))
    }

    /// `POST /registry/heartbeat {"workspace_id"}`.
    pub async fn heartbeat(&self, workspace_id: &str) -> Result<()> {
        let body = json!({"workspace_id": workspace_id, "error_rate": 0.0, "active_tasks": 0});
        self.http.json("heartbeat", Method::POST, "/registry/heartbeat", Some(&body)).await.map(drop)
    }

    /// `POST /workspaces/:id/notify {"message"}`: an agent's message to its user.
    pub async fn notify(&self, id: &str, message: &str) -> Result<Ack> {
        let path = format!("/workspaces/{}/notify", seg(id));
        let a = self.http.json("notify", Method::POST, &path, Some(&json!({"message": message}))).await?;
        ack(&a)
    }

    /// `POST /workspaces/:id/memories` → the memory's id.
    pub async fn add_memory(&self, id: &str, content: &str, scope: &str) -> Result<String> {
        let path = format!("/workspaces/{}/memories", seg(id));
        let body = json!({"content": content, "scope": scope});
        let a = self.http.json("add_memory", Method::POST, &path, Some(&body)).await?;
        let v = a.json()?;
        match v.get("id") {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(Value::Number(n)) if n.is_i64() => Ok(n.to_string()),
            Some(other) => Err(a.malformed(
                "{\"id\",\"scope\",\"namespace\"}",
                format!("\"id\" is {}, expected a string or an integer", json_type(other)),
            )),
            None => Err(a.malformed("{\"id\",\"scope\",\"namespace\"}", "no \"id\" field")),
        }
    }

    /// `GET /workspaces/:id/memories?scope=…` → the memories' contents.
    pub async fn memories(&self, id: &str, scope: &str) -> Result<Vec<String>> {
        let path = query(&format!("/workspaces/{}/memories", seg(id)), &[("scope", scope.to_owned())]);
        let a = self.http.json("list_memories", Method::GET, &path, None).await?;
        let v = a.json()?;
        let rows = v
            .as_array()
            .or_else(|| v.get("memories").and_then(Value::as_array))
            .ok_or_else(|| a.malformed("a list of memories", format!("the answer is {}", json_type(&v))))?;
        Ok(rows.iter().filter_map(|r| r.get("content")?.as_str().map(str::to_owned)).collect())
    }

    /// `POST /workspaces/:id/memory` → the new version. A stale `if_match_version` is the
    /// contract's 409, returned as an [`E2eError::Api`].
    pub async fn memory_set(&self, id: &str, key: &str, value: &Value, if_match_version: Option<i64>) -> Result<i64> {
        let path = format!("/workspaces/{}/memory", seg(id));
        let mut body = json!({"key": key, "value": value});
        if let Some(v) = if_match_version {
            body["if_match_version"] = json!(v);
        }
        let a = self.http.json("memory_set", Method::POST, &path, Some(&body)).await?;
        let v = a.json()?;
        v.get("version").and_then(Value::as_i64).ok_or_else(|| {
            let why = match v.get("version") {
                Some(other) => format!("\"version\" is {}, expected an integer", json_type(other)),
                None => "no \"version\" field".to_owned(),
            };
            a.malformed("{\"status\":\"ok\",\"key\",\"version\"}", why)
        })
    }

    /// `GET /workspaces/:id/memory/:key` → the whole entry (`{key,value,version,…}`).
    pub async fn memory_get(&self, id: &str, key: &str) -> Result<Value> {
        let path = format!("/workspaces/{}/memory/{}", seg(id), seg(key));
        self.http.json("memory_get", Method::GET, &path, None).await?.json()
    }

    pub async fn memory_delete(&self, id: &str, key: &str) -> Result<()> {
        let path = format!("/workspaces/{}/memory/{}", seg(id), seg(key));
        self.http.json("memory_delete", Method::DELETE, &path, None).await.map(drop)
    }

    /// `GET /registry/:id/peers` (2xx required; use the workspace's own token).
    pub async fn peers(&self, id: &str) -> Result<Vec<Value>> {
        let path = format!("/registry/{}/peers", seg(id));
        let a = self.http.json("peers", Method::GET, &path, None).await?;
        let v = a.json()?;
        v.as_array().cloned().ok_or_else(|| a.malformed("an array of peers", format!("the answer is {}", json_type(&v))))
    }

    /// `GET /workspaces/:id/terminal/diagnose` (the JSON report).
    pub async fn diagnose(&self, id: &str) -> Result<Value> {
        let path = format!("/workspaces/{}/terminal/diagnose", seg(id));
        self.http.json("terminal_diagnose", Method::GET, &path, None).await?.json()
    }

    /// `PUT /workspaces/:id/files/<name> {"content"}`.
    pub async fn put_file(&self, id: &str, name: &str, content: &str) -> Result<()> {
        let path = format!("/workspaces/{}/files/{}", seg(id), seg(name));
        self.http.json("put_file", Method::PUT, &path, Some(&json!({"content": content}))).await.map(drop)
    }

    /// The status a route answers, whatever it is (for routes that must be gone).
    pub async fn status_of(&self, op: &'static str, path: &str) -> Result<u16> {
        Ok(self.http.json_accepting(op, Method::GET, path, None, Accept::Any).await?.status)
    }
}

fn ack(a: &Answer) -> Result<Ack> {
    if a.body.is_empty() {
        // 204: the action was accepted and said nothing more.
        return Ok(Ack { status: String::new() });
    }
    Ack::decode(&a.json()?).map_err(|e| a.malformed("{\"status\":…}", e))
}

