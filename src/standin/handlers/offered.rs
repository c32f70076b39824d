//! `GET /admin/llm/offered-models?runtime=` (wsAdmin, `router.go:225` @aeec8e47;
//! `h/offered_models.go` `ListOfferedModels`): the registry's models for a runtime, each with its
//! derived provider, whether it is platform-billed, and the keys a BYOK pick needs. Served where
//! the generation has it, else `NoRoute` (the canvas's 404), as at 41409fb2.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::standin::Fault;
use crate::standin::auth::AdminAuth;
use crate::standin::platform::Platform;
use crate::standin::reply::{canvas_not_found, json_reply};

/// The bare-create default runtime an unset `?runtime=` follows (`bareCreateDefaultRuntime`).
const DEFAULT_RUNTIME: &str = "claude-code";

/// What [`Fault::OfferedModelsDiffer`] makes of a runtime's list: one platform model dropped, a
/// withdrawn one added, as a registry out of step with the generation would answer.
const WITHDRAWN: &str = "moonshot/kimi-k2.6";

pub async fn offered_models(State(platform): State<Arc<Platform>>, _auth: AdminAuth, Query(q): Query<HashMap<String, String>>) -> Response {
    let cat = platform.cfg.platform.catalog;
    if !cat.offered_models {
        return canvas_not_found();
    }
    let runtime = q.get("runtime").filter(|r| !r.is_empty()).map_or(DEFAULT_RUNTIME, String::as_str);
    let Some(offered) = cat.offered_models(runtime) else {
        return json_reply(StatusCode::NOT_FOUND, json!({"error": "unknown runtime", "runtime": runtime}));
    };
    let mut models: Vec<Value> = offered
        .iter()
        .map(|o| {
            let mut v = json!({"model": o.model, "provider": o.provider, "platform_billed": o.platform_billed});
            if !o.auth_env.is_empty() {
                v["auth_env"] = json!(o.auth_env);
            }
            v
        })
        .collect();
    if models.iter().any(|m| m["platform_billed"] == json!(true)) && platform.faults.fires(Fault::OfferedModelsDiffer) {
        let last_platform = models.iter().rposition(|m| m["platform_billed"] == json!(true)).expect("one is");
        models.remove(last_platform);
        models.push(json!({"model": WITHDRAWN, "provider": "platform", "platform_billed": true}));
    }
    json_reply(StatusCode::OK, json!({"runtime": runtime, "models": models}))
}
