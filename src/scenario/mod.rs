//! The platform's stories as library functions: each takes a [`Case`](crate::harness::Case)
//! and data, talks to the target through the clients, and returns a report or an error
//! naming the broken promise. Test targets are thin tables over these, expanded from the
//! declarations (`arm_table!` in [`arms`]).

pub mod arms;
pub mod busy;
pub mod cascade;
pub mod common;
pub mod cross;
pub mod external;
pub mod full;
pub mod lifecycle;
pub mod platform_root;
pub mod saas;

/// How a scenario ended when it did not fail.
#[derive(Debug, Clone)]
pub enum Outcome<R> {
    Ran(R),
    /// A prerequisite is missing (a vendor key): printed loudly, a failure under
    /// `E2E_REQUIRE_LIVE=1`.
    Skipped(crate::harness::Skip),
    /// Turned off by explicit configuration (`E2E_MODE=smoke`, `E2E_LIFECYCLE=off`): printed,
    /// never a failure.
    Gated(String),
}
