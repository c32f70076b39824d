//! Terminal diagnose (handlers/terminal_diagnose.go `HandleDiagnose`): WorkspaceAuth. The
//! answer follows the generation's backend: EC2 at 41409fb2 (probed, `ok:true`), local docker
//! today, where the tenant has no docker client (`diagnoseLocal`, :357-366 at aeec8e47).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::generation::Backend;
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
    if platform.cfg.platform.cp.backend == Backend::LocalDocker {
        return json_reply(StatusCode::OK, local_docker(&platform, &id.to_string()));
    }
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

/// `diagnoseLocal` on a local-docker tenant (terminal_diagnose.go:137, 357-366 at aeec8e47): the
/// workspace-server has no docker client, so the first step fails `docker-available` with
/// `remote:false`. Under [`Fault::DiagnoseFails`] it has one and the container is not running;
/// under [`Fault::DiagnoseRemoteShape`] the answer is `diagnoseRemote`'s (an EC2 id's).
fn local_docker(platform: &Platform, id: &str) -> Value {
    // `error` is `omitempty` in the Go struct.
    let step = |name: &str, ok: bool, error: &str| {
        let mut s = json!({"name": name, "ok": ok, "duration_ms": 0});
        if !error.is_empty() {
            s["error"] = json!(error);
        }
        s
    };
    if platform.faults.fires(Fault::DiagnoseRemoteShape) {
        let steps = vec![step("send-ssh-public-key", false, "AccessDeniedException: not authorized to perform ec2-instance-connect:SendSSHPublicKey")];
        return json!({"workspace_id": id, "instance_id": "i-0123456789abcdef0", "remote": true, "ok": false,
            "first_failure": "send-ssh-public-key", "steps": steps});
    }
    if platform.faults.fires(Fault::DiagnoseFails) {
        let steps = vec![step("container-found", true, ""), step("container-running", false, "container not running")];
        return json!({"workspace_id": id, "remote": false, "ok": false, "first_failure": "container-running", "steps": steps});
    }
    let steps = vec![step("docker-available", false, "docker client not configured on this workspace-server")];
    json!({"workspace_id": id, "remote": false, "ok": false, "first_failure": "docker-available", "steps": steps})
}
