//! The edge in front of a tenant (Cloudflare on staging), as weather: its cold-origin write
//! window right after `/health` goes green (c1e3398d; tests/e2e/lib/workspace_create_retry.sh
//! at aeec8e47, whose header capture names `server: cloudflare`, `content-length: 0`,
//! `retry-after: 2`). Only under a fault; without one every request passes straight through.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::standin::Fault;
use crate::standin::platform::Platform;
use crate::standin::reply::json_reply;

/// `POST /workspaces` under the create faults: the connection dropped before any answer
/// ([`Fault::CreateReset`]), an empty-body 503 with `Retry-After` ([`Fault::CreateCold503`]),
/// or a 503 with a JSON body, which a handler wrote ([`Fault::Create503Json`]).
pub async fn edge(State(platform): State<Arc<Platform>>, req: Request, next: Next) -> Response {
    if req.method() == Method::POST && req.uri().path() == "/workspaces" {
        if platform.faults.fires_first(Fault::CreateReset, 1) {
            // Unwinding the connection's task closes the socket with no status line sent, as a
            // reset does. `resume_unwind` skips the panic hook: nothing is printed, no lock is held.
            std::panic::resume_unwind(Box::new("stand-in fault create-reset: connection dropped"));
        }
        if platform.faults.fires_first(Fault::CreateCold503, 2) {
            let headers = [(header::RETRY_AFTER, "1"), (header::SERVER, "cloudflare"), (header::CONTENT_LENGTH, "0")];
            return (StatusCode::SERVICE_UNAVAILABLE, headers).into_response();
        }
        if platform.faults.fires_first(Fault::Create503Json, 1) {
            return json_reply(StatusCode::SERVICE_UNAVAILABLE, json!({"error": "service unavailable"}));
        }
    }
    next.run(req).await
}
