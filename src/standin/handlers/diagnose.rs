//! Terminal diagnose (handlers/terminal_diagnose.go `HandleDiagnose`): WorkspaceAuth.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::standin::Fault;
use crate::standin::auth::WorkspaceAuth;
use crate::standin::platform::{Platform, Status, http_client};
use crate::standin::reply::{json_reply, workspace_not_found};

/// `GET /workspaces/{id}/terminal/diagnose` → `{"ok","first_failure","steps":[…]}`: the row,
/// the runtime's reachability (a real probe of its `/health`), and the LLM step (canary
/// runtimes need no LLM, so it passes).
pub async fn diagnose(
    State(platform): State<Arc<Platform>>,
    auth: WorkspaceAuth,
) -> Response {
    let (tenant, id) = (auth.tenant, auth.id);
    let (status, url) = {
        let tables = platform.lock();
        let Some(ws) = tables.workspace(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return workspace_not_found() };
        (ws.status, ws.url.clone())
    };
    let step = |name: &str, ok: bool, error: Option<String>, detail: String| {
        json!({"name": name, "ok": ok, "error": error, "detail": detail})
    };
    let running = matches!(status, Status::Online | Status::Degraded) && !url.is_empty();
    let reachable = if running {
        let probe = format!("{}/health", url.trim_end_matches('/'));
        match http_client(&probe) {
            Ok(http) => http.get(&probe).timeout(Duration::from_secs(5)).send().await.is_ok_and(|r| r.status().is_success()),
            Err(_) => false,
        }
    } else {
        false
    };
    let llm_ok = !platform.faults.fires(Fault::DiagnoseFails);
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
    json_reply(StatusCode::OK, json!({"ok": first_failure.is_null(), "first_failure": first_failure, "steps": steps}))
}
