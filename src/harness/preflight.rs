//! The generation preflight: before a case uses a tenant, the platform must look like the
//! generation the run declares (`MOLECULE_PLATFORM`). Two routes tell the generations apart:
//! `GET /admin/workspaces/:id/llm-billing-mode` (served at 41409fb2, removed at 881b3f6f) and
//! `GET /admin/llm/offered-models` (added with core#2608, served at aeec8e47). A mismatch stops
//! the case with a message naming the generation the platform looks like.

use crate::client::Tenant;
use crate::error::{E2eError, Promise, Result, StepExt};
use crate::generation::{GENERATIONS, Generation};

/// A workspace id no platform has: the billing-mode route answers it without an existence check
/// (`h/llm_billing_mode_handler.go` @41409fb2), so 200 JSON means the route is there.
const NO_SUCH_WORKSPACE: &str = "00000000-0000-4000-8000-000000000000";

/// What the platform serves, as the preflight saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub billing_mode_route: bool,
    pub offered_models: bool,
}

impl Seen {
    /// The generations whose catalogue serves exactly these routes.
    pub fn looks_like(&self) -> Vec<&'static Generation> {
        GENERATIONS
            .iter()
            .copied()
            .filter(|g| g.catalog.billing_mode_route() == self.billing_mode_route && g.catalog.offered_models == self.offered_models)
            .collect()
    }

    fn describe(&self) -> String {
        let serves = |on: bool| if on { "serves" } else { "does not serve" };
        format!(
            "the platform {} /admin/workspaces/:id/llm-billing-mode and {} /admin/llm/offered-models",
            serves(self.billing_mode_route),
            serves(self.offered_models)
        )
    }
}

/// `Ok` when `declared` serves what was seen; else the text that says which generation to set.
pub fn verdict(declared: &Generation, seen: Seen) -> std::result::Result<(), String> {
    let like = seen.looks_like();
    if like.iter().any(|g| g.commit == declared.commit) {
        return Ok(());
    }
    let advice = match like.as_slice() {
        [] => format!("no known generation ({}) serves that", Generation::names().join(", ")),
        gens => {
            let names: Vec<_> = gens.iter().map(|g| g.commit).collect();
            format!("as {} does: set MOLECULE_PLATFORM={}", names.join(" and "), names[names.len() - 1])
        }
    };
    Err(format!("MOLECULE_PLATFORM={} but {}, {advice}", declared.commit, seen.describe()))
}

/// Ask the tenant which routes it serves and compare with `declared`.
pub async fn check(tenant: &Tenant, declared: &Generation) -> Result<()> {
    let billing = format!("/admin/workspaces/{NO_SUCH_WORKSPACE}/llm-billing-mode");
    let (status, json) = tenant.route_answer("preflight_billing_mode", &billing).await.step("generation preflight")?;
    let billing_mode_route = status == 200 && json;
    let (status, json) =
        tenant.route_answer("preflight_offered_models", "/admin/llm/offered-models?runtime=claude-code").await.step("generation preflight")?;
    let offered_models = status == 200 && json;
    verdict(declared, Seen { billing_mode_route, offered_models })
        .map_err(|why| E2eError::broken(Promise::PlatformGeneration, why))
        .step("generation preflight")
}
