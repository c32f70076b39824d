//! Typed HTTP clients: the control plane ([`ControlPlane`]), a tenant ([`Tenant`]) and a
//! runtime ([`RuntimeClient`]). They know HTTP and the contract's shapes, not scenarios.
//! Every failure is an [`crate::E2eError`] naming the call, method, path, status, the
//! platform's `code`/`error` and a redacted excerpt of the body.

mod a2a_follow;
mod cp;
mod http;
mod purge;
mod retry;
mod rows;
mod runtime;
mod tenant;

pub use cp::{ControlPlane, require_admin_origin};
pub use http::{A2A_TIMEOUT, Http, REQUEST_TIMEOUT};
pub use purge::{Audit, Presence, Receipt, TenantDelete, audit, audit_of_org, presence};
pub use retry::RetryPolicy;
pub use rows::{Ack, ActivityRow, BillingMode, Connection, Created, Guarded, Org, Registered, WorkspaceRow};
pub use runtime::RuntimeClient;
pub use a2a_follow::{Follow, Followed};
pub use tenant::{A2aAnswer, ActivityQuery, CALLER_HEADER, ORG_HEADER, OfferedModel, Tenant, Uploaded};

/// Decoding and retry internals: public only so this crate's offline tier can pin them; not
/// part of the library's surface (a user reads answers through the clients' typed methods).
#[doc(hidden)]
pub mod internals {
    pub use super::http::{Accept, Answer, api_error, serde_reason};
    pub use super::retry::{Next, TRANSIENT_MARKERS, is_transient};
    pub use super::rows::{Want, check_shape, decode_activity, decode_orgs, str_field};
}

/// A path segment, percent-encoded so an id cannot add path segments or a query. (`.` and
/// `..` still collapse under URL parsing; platform ids are UUIDs, so they never occur.)
pub fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `path` with an encoded query string.
pub fn query(path: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return path.to_owned();
    }
    let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", seg(k), seg(v))).collect();
    format!("{path}?{}", q.join("&"))
}
