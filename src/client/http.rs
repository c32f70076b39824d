//! The one place HTTP happens: a base URL, a bearer, extra headers, and the mapping of every
//! way a request can go wrong onto a named [`E2eError`].

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, RequestBuilder};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Call, E2eError, Result, TransportKind};
use crate::net::client_builder;
use crate::redact;
use crate::wait::Deadline;

/// A fresh connection pool. Pools are not shared across clients built by [`Http::new`]:
/// a pooled connection belongs to the tokio runtime that opened it, and every `#[tokio::test]`
/// has its own runtime, so a process-wide pool would hand one test a connection whose driver
/// died with another test's runtime.
fn build_client(base: &str) -> Result<reqwest::Client> {
    client_builder(base)
        .redirect(same_origin_redirects())
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("molecule-e2e/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| E2eError::Unmet(format!("cannot build the HTTP client: {e}")))
}

/// Redirects are followed within the origin the call went to (up to 10), never to another:
/// the bearer and the routing headers were meant for that origin alone. A cross-origin
/// redirect fails the call as [`TransportKind::CrossOriginRedirect`].
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let crossed = attempt.previous().first().is_some_and(|first| first.origin() != attempt.url().origin());
        if crossed {
            let to = attempt.url().origin().ascii_serialization();
            attempt.error(format!("{CROSS_ORIGIN} {to}"))
        } else if attempt.previous().len() > 10 {
            attempt.error("more than 10 redirects")
        } else {
            attempt.follow()
        }
    })
}

/// The words [`same_origin_redirects`] stops with, which [`transport`] recognises.
const CROSS_ORIGIN: &str = "refused a redirect to another origin:";

/// The default per-request deadline (the harness's curl `--max-time 30`; A2A gets 90 s).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
pub const A2A_TIMEOUT: Duration = Duration::from_secs(90);
/// A send through the tenant's proxy waits 10 s longer: today's platform answers a canvas
/// caller's turn that outlives its 90 s sync budget with 200 push-async (`a2a_proxy.go:553-585`
/// at aeec8e47), and that answer must arrive before the suite gives up on the request, so the
/// failure names the parking instead of a timeout.
pub const A2A_PROXY_TIMEOUT: Duration = Duration::from_secs(100);

/// A base URL plus credentials. Cloning is cheap.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    base: String,
    bearer: Option<SecretString>,
    headers: HeaderMap,
    timeout: Duration,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("base", &self.base)
            .field("bearer", &self.bearer.as_ref().map(|_| redact::MASK))
            .field("headers", &self.headers.keys().map(|k| k.as_str()).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// An HTTP answer the caller accepted, with its call for later error messages. Its `Debug`
/// shows the header names and a redacted excerpt of the body, never the bytes as received.
#[derive(Clone)]
pub struct Answer {
    pub call: Call,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("call", &self.call)
            .field("status", &self.status)
            .field("headers", &self.headers.keys().map(|k| k.as_str()).collect::<Vec<_>>())
            .field("body", &redact::excerpt(&self.body))
            .finish()
    }
}

impl Answer {
    /// The body as JSON, or a named decode error.
    pub fn json(&self) -> Result<Value> {
        self.decode("JSON")
    }

    /// The body as `T`, or a named decode error (`expected` says what was wanted).
    pub fn decode<T: DeserializeOwned>(&self, expected: &'static str) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            let ctype = self.content_type();
            let e = serde_reason(&e);
            let reason = if !ctype.contains("json") && !ctype.is_empty() {
                format!("content type is {ctype:?}, not JSON ({e})")
            } else {
                e
            };
            E2eError::Decode {
                call: self.call.clone(),
                status: self.status,
                expected,
                reason,
                excerpt: redact::excerpt(&self.body),
            }
        })
    }

    pub fn content_type(&self) -> String {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    }

    /// `Retry-After` in seconds, when the server sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        let v = self.headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
        v.trim().parse::<u64>().ok().map(Duration::from_secs)
    }

    /// A decode failure for this answer with a reason of the caller's.
    pub fn malformed(&self, expected: &'static str, reason: impl Into<String>) -> E2eError {
        E2eError::Decode {
            call: self.call.clone(),
            status: self.status,
            expected,
            reason: reason.into(),
            excerpt: redact::excerpt(&self.body),
        }
    }
}

/// Which statuses a call accepts as an answer (anything else is an [`E2eError::Api`]).
#[derive(Debug, Clone, Copy)]
pub enum Accept<'a> {
    /// Any 2xx.
    Success,
    /// Exactly these.
    Only(&'a [u16]),
    /// Any status at all: the caller inspects it.
    Any,
}

impl Accept<'_> {
    fn admits(&self, status: u16) -> bool {
        match self {
            Accept::Success => (200..300).contains(&status),
            Accept::Only(s) => s.contains(&status),
            Accept::Any => true,
        }
    }
}

impl Http {
    pub fn new(base: &str) -> Result<Http> {
        let parsed = reqwest::Url::parse(base).map_err(|e| {
            E2eError::Unmet(format!("base URL {base:?} is not a URL: {e}"))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(E2eError::Unmet(format!("base URL {base:?} must be http:// or https://")));
        }
        let client = build_client(base)?;
        Ok(Http {
            client,
            base: base.trim_end_matches('/').to_owned(),
            bearer: None,
            headers: HeaderMap::new(),
            timeout: REQUEST_TIMEOUT,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn with_bearer(mut self, token: SecretString) -> Http {
        redact::register(&token);
        self.bearer = Some(token);
        self
    }

    pub fn without_bearer(mut self) -> Http {
        self.bearer = None;
        self
    }

    pub fn bearer(&self) -> Option<&SecretString> {
        self.bearer.as_ref()
    }

    /// Add (or replace) a header sent on every call.
    pub fn with_header(mut self, name: &'static str, value: &str) -> Result<Http> {
        let v = HeaderValue::from_str(value)
            .map_err(|_| E2eError::Unmet(format!("header {name}: {value:?} is not a valid header value")))?;
        self.headers.insert(HeaderName::from_static(name), v);
        Ok(self)
    }

    pub fn without_header(mut self, name: &'static str) -> Http {
        self.headers.remove(name);
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Http {
        self.timeout = timeout;
        self
    }

    /// Start a request: `path` is appended to the base URL (it may carry a query string that
    /// holds no secret; the error messages show the path without it).
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut rb = self.client.request(method, format!("{}{}", self.base, path)).timeout(self.timeout);
        for (k, v) in &self.headers {
            rb = rb.header(k, v.clone());
        }
        if let Some(t) = &self.bearer {
            let mut v = HeaderValue::from_str(&format!("Bearer {}", t.expose_secret()))
                .unwrap_or_else(|_| HeaderValue::from_static("Bearer invalid-token-characters"));
            v.set_sensitive(true);
            rb = rb.header(reqwest::header::AUTHORIZATION, v);
        }
        rb
    }

    /// Send and map the outcome: transport failures and unaccepted statuses become errors.
    /// The request's timeout is cut to what is left of the deadline in scope (a wait's, a
    /// retried call's budget, see [`crate::wait::within`]); once that has passed, nothing is
    /// sent.
    pub async fn send(&self, call: Call, rb: RequestBuilder, accept: Accept<'_>) -> Result<Answer> {
        let (client, req) = rb.build_split();
        let mut req = req.map_err(|e| transport(call.clone(), &e))?;
        let own = req.timeout().copied().unwrap_or(self.timeout);
        let cut = Deadline::current().filter(|d| d.left() < own);
        if let Some(d) = &cut {
            if d.left().is_zero() {
                return Err(past_deadline(call, d));
            }
            *req.timeout_mut() = Some(d.left());
        }
        let resp = match client.execute(req).await {
            Ok(r) => r,
            Err(e) => return Err(transport_cut(call, &e, cut.as_ref())),
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = match resp.bytes().await {
            Ok(b) => b.to_vec(),
            Err(e) => return Err(transport_cut(call, &e, cut.as_ref())),
        };
        // Before anything can be formed from the answer: whatever token it carries (a minted
        // workspace token in a non-201, a `*_snippet` assignment, an echoed bearer) is known
        // to the scrubber from here on.
        learn_answer(&headers, &body);
        if !accept.admits(status) {
            return Err(api_error(call, status, &body));
        }
        Ok(Answer { call, status, headers, body })
    }

    /// `send` a JSON body (or none) and accept any 2xx.
    pub async fn json(&self, op: &'static str, method: Method, path: &str, body: Option<&Value>) -> Result<Answer> {
        self.json_accepting(op, method, path, body, Accept::Success).await
    }

    pub async fn json_accepting(
        &self,
        op: &'static str,
        method: Method,
        path: &str,
        body: Option<&Value>,
        accept: Accept<'_>,
    ) -> Result<Answer> {
        let call = Call::new(op, method_name(&method), strip_query(path));
        let mut rb = self.request(method, path);
        if let Some(b) = body {
            rb = rb.json(b);
        }
        self.send(call, rb, accept).await
    }
}

/// Register the secrets of a received answer: its body, and any header named like a secret.
fn learn_answer(headers: &HeaderMap, body: &[u8]) {
    for (name, value) in headers {
        if let Ok(v) = value.to_str() {
            if redact::is_secret_key(name.as_str()) || name == reqwest::header::SET_COOKIE {
                redact::register_str(v.strip_prefix("Bearer ").unwrap_or(v));
            }
            redact::learn_text(v);
        }
    }
    redact::learn_body(body);
}

/// A serde reason without the value it quotes (`invalid type: string "<token>"` keeps the
/// JSON type, never the text), so a mistyped field cannot carry a secret into an error.
/// Serde's own words stay: `missing field `id`` names the field.
pub fn serde_reason(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let mut out = String::with_capacity(msg.len());
    let mut i = 0;
    while i < msg.len() {
        let rest = &msg[i..];
        if let Some(after) = rest.strip_prefix("string \"") {
            // The quoted text is Debug-escaped: skip to the first unescaped quote.
            let mut end = None;
            let mut escaped = false;
            for (k, c) in after.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(k);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            out.push_str("string (value withheld)");
            i += "string \"".len() + end.map_or(after.len(), |k| k + 1);
            continue;
        }
        let typed = ["integer `", "floating point `", "boolean `", "character `", "variant `"]
            .iter()
            .find(|p| rest.starts_with(*p));
        if let Some(prefix) = typed {
            let after = &rest[prefix.len()..];
            out.push_str(prefix.trim_end_matches('`'));
            out.push_str("(value withheld)");
            i += prefix.len() + after.find('`').map_or(after.len(), |k| k + 1);
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        i += c.len_utf8().max(1);
    }
    redact::scrub(&out)
}

fn method_name(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        _ => "OTHER",
    }
}

fn strip_query(path: &str) -> String {
    path.split('?').next().unwrap_or(path).to_owned()
}

/// The platform's error body: `{"error": …, "code": …}`, when it is one; a JSON-RPC error
/// object (`{"error":{"code":-32603,"message":…}}`, an agent's answer passed through with a
/// non-2xx status) gives its code and message instead.
pub fn api_error(call: Call, status: u16, body: &[u8]) -> E2eError {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(|s| redact::cut(&redact::scrub(s), 300));
    let top = |k: &str| parsed.as_ref().and_then(|v| v.get(k));
    let (code, error) = match top("error") {
        Some(Value::Object(rpc)) => (
            rpc.get("code").filter(|c| !c.is_null()).map(|c| c.to_string().trim_matches('"').to_owned()),
            text(rpc.get("message")),
        ),
        other => (text(top("code")), text(other)),
    };
    E2eError::Api { call, status, code, error, excerpt: redact::excerpt(body) }
}

fn transport(call: Call, e: &reqwest::Error) -> E2eError {
    let kind = if e.is_timeout() {
        TransportKind::Timeout
    } else if e.is_connect() {
        if refused(e) { TransportKind::ConnectionRefused } else { TransportKind::Connect }
    } else if e.is_redirect() && error_chain(e).contains(CROSS_ORIGIN) {
        TransportKind::CrossOriginRedirect
    } else if e.is_body() || e.is_decode() {
        TransportKind::Body
    } else {
        TransportKind::Other
    };
    E2eError::Transport { call, kind, detail: redact::scrub(&error_chain(e)) }
}

/// A transport failure; a timeout that the deadline in scope cut short says whose it was.
fn transport_cut(call: Call, e: &reqwest::Error, cut: Option<&Deadline>) -> E2eError {
    match (transport(call, e), cut) {
        (E2eError::Transport { call, kind: TransportKind::Timeout, detail }, Some(d)) => E2eError::Transport {
            call,
            kind: TransportKind::Timeout,
            detail: format!("no answer before the deadline of {} ({detail})", d.whose()),
        },
        (other, _) => other,
    }
}

/// A request not sent because the deadline it serves has passed.
fn past_deadline(call: Call, d: &Deadline) -> E2eError {
    E2eError::Transport {
        call,
        kind: TransportKind::Timeout,
        detail: format!("not sent: the deadline of {} has passed", d.whose()),
    }
}

fn refused(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        cur = err.source();
    }
    false
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(err) = cur {
        let s = err.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = err.source();
    }
    out
}
