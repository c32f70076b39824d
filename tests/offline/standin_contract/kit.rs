//! A small kit for talking to a stand-in in the offline tests: one stand-in per test on port
//! 0, one org with its tenant token, plain `reqwest` calls that keep status, headers and body,
//! and polling with a deadline (no fixed sleeps: a wait ends as soon as its condition holds).
//!
//! It deliberately uses no client types of the library: the stand-in's contract is checked
//! against raw HTTP and JSON, the way the platform's own harness sees it.

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use molecule_e2e::standin::{Delays, StandIn, StandInConfig};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

/// How long any wait in these tests may take before it fails loudly.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// One HTTP answer, kept whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The body as JSON, or `Null` when it is not JSON.
    pub json: Value,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A string field of the JSON body (`""` when absent).
    pub fn str(&self, key: &str) -> String {
        self.json.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "expected HTTP {status}, got {}: {}", self.status, self.text());
        self
    }

    /// The answer's text in an A2A reply, whatever shape the runtime chose.
    pub fn reply_text(&self) -> String {
        answer_text(&self.json)
    }
}

/// The answer's text of a JSON-RPC reply as the stand-in's runtimes give it: a Message's
/// `result.parts[0].text`, or a Task's first artifact part (the a2a-sdk default shape). Read
/// here by pointer, not through the library's parser, so the stand-in's tests share no wire
/// code with the clients.
pub fn answer_text(reply: &Value) -> String {
    ["/result/parts/0/text", "/result/artifacts/0/parts/0/text"]
        .iter()
        .find_map(|p| reply.pointer(p).and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned()
}

/// Whether every key of `want` is in `got` with an equal value (objects compared by subset,
/// recursively; anything else by equality).
pub fn is_subset(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => w.iter().all(|(k, v)| g.get(k).is_some_and(|gv| is_subset(v, gv))),
        _ => want == got,
    }
}

/// Delays for tests that never need a runtime: orgs ready at once, provisioning never done.
pub fn no_runtime_delays() -> Delays {
    Delays { org_ready: Duration::ZERO, provision: Duration::from_secs(600), ..Delays::fast() }
}

/// Poll `probe` (every 20 ms) until it yields `Some`, or fail after [`DEADLINE`] naming `what`.
#[track_caller]
pub fn eventually<'a, T, F, Fut>(what: &'a str, probe: F) -> impl Future<Output = T> + 'a
where
    F: FnMut() -> Fut + 'a,
    Fut: Future<Output = Option<T>> + 'a,
    T: 'a,
{
    let caller = std::panic::Location::caller();
    async move {
        let mut probe = probe;
        let start = Instant::now();
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        loop {
            tick.tick().await;
            if let Some(v) = probe().await {
                return v;
            }
            assert!(start.elapsed() < DEADLINE, "{caller}: timed out after {DEADLINE:?} waiting for {what}");
        }
    }
}

/// Poll `probe` for `window`; fail as soon as it says `false`. For "this never happens".
pub async fn holds_for<F, Fut>(what: &str, window: Duration, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(25));
    while start.elapsed() < window {
        tick.tick().await;
        assert!(probe().await, "{what} stopped holding after {:?}", start.elapsed());
    }
}

/// A client for one test's stand-in: plain http to loopback (no system roots to parse), and
/// kept-alive connections on the test's own runtime (a fresh connection per request costs
/// both sides more than the request).
pub fn loopback_client() -> reqwest::Client {
    molecule_e2e::net::client_builder("http://127.0.0.1").no_proxy().build().expect("http client")
}

/// Quick delays for flow tests: provisioning and wake in tens of milliseconds, staleness
/// windows short enough that a test observes them in well under a second.
pub fn quick() -> Delays {
    Delays {
        org_ready: Duration::ZERO,
        provision: Duration::from_millis(60),
        provision_by_runtime: Default::default(),
        wake: Duration::from_millis(60),
        stale_after: Duration::from_millis(300),
        liveness_ttl: Duration::from_millis(600),
        // No boot turns: these rows send A2A themselves, unfollowed (the queue has rows of its own).
        boot_turn: Duration::ZERO,
    }
}

/// A stand-in with one org whose tenant is ready.
#[derive(Clone)]
pub struct Kit {
    /// Shared so a test can still read the stand-in's counters after a scenario consumed the kit.
    pub standin: std::sync::Arc<StandIn>,
    pub http: reqwest::Client,
    pub slug: String,
    pub org_id: String,
    pub token: String,
}

/// Who a request authenticates as.
#[derive(Clone, Debug)]
pub enum As {
    Nobody,
    /// The tenant admin token.
    Admin,
    /// The control-plane admin token.
    Cp,
    Token(String),
}

impl Kit {
    /// Start a stand-in with `cfg`, create an org, wait for it to run, fetch its token.
    pub async fn start(cfg: StandInConfig) -> Kit {
        let standin = std::sync::Arc::new(StandIn::start(cfg, SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("stand-in starts"));
        let http = loopback_client();
        let mut kit = Kit { standin, http, slug: "e2e-standin-test".into(), org_id: String::new(), token: String::new() };
        let created = kit
            .call(Method::POST, "/cp/admin/orgs", As::Cp, None, Some(json!({"slug": kit.slug, "name": "E2E standin", "owner_user_id": "e2e-runner:test"})))
            .await;
        created.expect(201);
        kit.org_id = created.str("id");
        kit.wait_org_running().await;
        let tok = kit.call(Method::GET, &format!("/cp/admin/orgs/{}/admin-token", kit.slug), As::Cp, None, None).await;
        kit.token = tok.expect(200).str("admin_token");
        kit
    }

    /// A clean stand-in with [`quick`] delays.
    pub async fn fast() -> Kit {
        Kit::start(StandInConfig::reference().with_delays(quick())).await
    }

    pub async fn wait_org_running(&self) {
        eventually("org instance_status running", || async {
            let r = self.call(Method::GET, "/cp/admin/orgs", As::Cp, None, None).await;
            let orgs = r.json.get("orgs")?.as_array()?.clone();
            let org = orgs.iter().find(|o| o.get("slug").and_then(Value::as_str) == Some(self.slug.as_str()))?;
            (org.get("instance_status")? == "running").then_some(())
        })
        .await
    }

    /// One request. `org` is the `X-Molecule-Org-Id` value (`None` leaves it out).
    pub async fn call(&self, method: Method, path: &str, auth: As, org: Option<&str>, body: Option<Value>) -> Reply {
        self.raw(method, path, auth, org, &[], body.map(|b| b.to_string().into_bytes())).await
    }

    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        auth: As,
        org: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.standin.url()));
        match &auth {
            As::Nobody => {}
            As::Admin => req = req.bearer_auth(&self.token),
            As::Cp => req = req.bearer_auth(self.standin.admin_token()),
            As::Token(t) => req = req.bearer_auth(t),
        }
        if let Some(o) = org {
            req = req.header("X-Molecule-Org-Id", o);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.header("Content-Type", "application/json").body(b);
        }
        let resp = req.send().await.expect("stand-in answers");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.expect("body").to_vec();
        let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
        Reply { status, headers, body, json }
    }

    /// A tenant call as the tenant admin.
    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.call(method, path, As::Admin, Some(&self.org_id.clone()), body).await
    }

    /// A tenant call with a given identity.
    pub async fn tenant(&self, method: Method, path: &str, auth: As, body: Option<Value>) -> Reply {
        self.call(method, path, auth, Some(&self.org_id.clone()), body).await
    }

    /// Create a workspace; returns (id, token) and requires 201.
    pub async fn create(&self, body: Value) -> (String, String) {
        let r = self.admin(Method::POST, "/workspaces", Some(body)).await;
        r.expect(201);
        let token = r.json.pointer("/connection/auth_token").or_else(|| r.json.get("auth_token"));
        (r.str("id"), token.and_then(Value::as_str).unwrap_or_default().to_owned())
    }

    /// A claude-code workspace on the platform model (provisions a reference runtime).
    pub async fn platform_ws(&self, name: &str) -> (String, String) {
        self.create(json!({"name": name, "tier": 2, "runtime": "claude-code", "model": "minimax/MiniMax-M2.7"})).await
    }

    /// An external (poll-mode, awaiting_agent) workspace.
    pub async fn external_ws(&self, name: &str, runtime: &str) -> (String, String) {
        self.create(json!({"name": name, "runtime": runtime, "external": true})).await
    }

    pub async fn row(&self, id: &str) -> Value {
        self.admin(Method::GET, &format!("/workspaces/{id}"), None).await.json
    }

    pub async fn status(&self, id: &str) -> String {
        self.row(id).await.get("status").and_then(Value::as_str).unwrap_or_default().to_owned()
    }

    /// Wait until the row's status is `status`; returns the row.
    pub async fn wait_status(&self, id: &str, status: &str) -> Value {
        eventually(&format!("workspace {id} to be {status}"), || async {
            let row = self.row(id).await;
            (row.get("status").and_then(Value::as_str) == Some(status)).then_some(row)
        })
        .await
    }

    /// Wait for the harness's readiness: online AND a non-empty url. Returns the url.
    pub async fn wait_online(&self, id: &str) -> String {
        eventually(&format!("workspace {id} online with a url"), || async {
            let row = self.row(id).await;
            let url = row.get("url").and_then(Value::as_str).unwrap_or_default().to_owned();
            (row.get("status").and_then(Value::as_str) == Some("online") && !url.is_empty()).then_some(url)
        })
        .await
    }

    /// Poll the row's status for up to `window`: `want` as soon as it shows, else the last
    /// status seen. For "does this transition happen within a window" observations.
    pub async fn status_within(&self, id: &str, want: &str, window: Duration) -> String {
        let start = Instant::now();
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        loop {
            tick.tick().await;
            let s = self.status(id).await;
            if s == want || start.elapsed() >= window {
                return s;
            }
        }
    }

    /// The statuses a row passes through (consecutive repeats folded) until it is online with
    /// a url.
    pub async fn statuses_until_online(&self, id: &str) -> Vec<String> {
        let start = Instant::now();
        let mut seen: Vec<String> = Vec::new();
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        loop {
            tick.tick().await;
            let row = self.row(id).await;
            let s = row.get("status").and_then(Value::as_str).unwrap_or_default().to_owned();
            if seen.last() != Some(&s) {
                seen.push(s.clone());
            }
            if s == "online" && row.get("url").and_then(Value::as_str).is_some_and(|u| !u.is_empty()) {
                return seen;
            }
            assert!(start.elapsed() < DEADLINE, "timed out waiting for {id} to come online; saw {seen:?}");
        }
    }

    /// The harness's PONG envelope (contract §6.1) through the proxy, as the tenant admin.
    pub async fn pong(&self, id: &str) -> Reply {
        self.admin(Method::POST, &format!("/workspaces/{id}/a2a"), Some(pong_envelope())).await
    }

    /// The harness's busy turn (`sleep 30`, then BUSYDONE) through the proxy, in the
    /// background; returns its send once GET reports the turn in flight (`active_tasks` > 0).
    pub async fn busy(&self, id: &str) -> tokio::task::JoinHandle<Reply> {
        let (kit, path) = (self.clone(), format!("/workspaces/{id}/a2a"));
        let send = tokio::spawn(async move { kit.admin(Method::POST, &path, Some(busy_envelope())).await });
        eventually("the busy turn in flight (active_tasks > 0)", || async { (self.row(id).await["active_tasks"].as_i64()? > 0).then_some(()) }).await;
        send
    }

    pub async fn activity(&self, id: &str, query: &str) -> Vec<Value> {
        let r = self.admin(Method::GET, &format!("/workspaces/{id}/activity{query}"), None).await;
        r.expect(200);
        r.json.as_array().cloned().unwrap_or_default()
    }

    /// Register an external workspace in poll mode with its token.
    pub async fn register_poll(&self, id: &str, token: &str) -> Reply {
        let body = json!({"id": id, "url": "https://example.invalid:443", "delivery_mode": "poll", "agent_card": {"name": "e2e-ext", "skills": [{"id": "echo", "name": "Echo"}]}});
        self.call(Method::POST, "/registry/register", As::Token(token.to_owned()), Some(&self.org_id.clone()), Some(body)).await
    }
}

pub fn pong_envelope() -> Value {
    json!({"jsonrpc": "2.0", "method": "message/send", "id": "e2e-msg-1", "params": {"message": {"role": "user", "messageId": "e2e-0000beef", "parts": [{"kind": "text", "text": "This is the platform smoke test verifying agent wiring. No tools or memory are needed — please respond with exactly the single token: PONG"}]}}})
}

/// The harness's busy prompt (FS:2889-2899 at aeec8e47), working 30 s.
pub fn busy_envelope() -> Value {
    let text = molecule_e2e::scenario::busy::busy_prompt(30);
    json!({"jsonrpc": "2.0", "method": "message/send", "id": "e2e-busy-1", "params": {"message": {"role": "user", "messageId": "e2e-busy-0001", "parts": [{"kind": "text", "text": text}]}}})
}
