//! molecule-e2e: the end-to-end suite for the Molecule agent platform.
//!
//! The map, from pure to effectful:
//!
//! * [`config`]: settings from the environment (`MOLECULE_*`, `E2E_*`), validated, secrets redacted.
//! * [`catalog`]: runtimes, templates, the external-like set, providers and models, the strip-list.
//! * [`model_slug`]: which model an arm asks for (contract §7.4). Pure.
//! * [`payload`]: create-workspace bodies and the BYOK secrets plan (contract §3.2, §7.5). Pure.
//! * [`a2a`]: JSON-RPC envelopes (0.3 and 1.0 dialects) and the reply parser. Pure.
//! * [`net`]: the HTTP foundations every room shares (crypto provider, client builder).
//! * [`client`]: typed HTTP clients for the control plane, the tenant API and a runtime.
//! * [`wait`]: polling with a deadline, backoff and progress lines.
//! * [`error`]: the one error type; every variant names what failed.
//! * [`harness`]: a run's identity, target selection, milestones, loud skips and teardown.
//! * [`report`]: the run summary's records and Markdown; [`leak`]: the EC2 leak check.
//! * [`scenario`]: the platform's stories (arms, lifecycle, external) as functions returning reports.
//! * `standin` (feature `standin`): an in-process stand-in of the platform, with named faults.
//! * `runtime` (feature `runtime`): the reference runtime, an A2A server with canary mode.
//!
//! The stand-in and the runtime share no wire types with the clients: each side writes its
//! JSON from the contract, so a misnamed field cannot be mirrored on both sides unnoticed.

// Failures carry their whole story (call, status, body excerpt, promise); they are rare and
// never on a hot path, so their size is a fair price for not boxing every variant.
#![allow(clippy::result_large_err)]

pub mod a2a;
pub mod catalog;
pub mod client;
pub mod config;
pub mod error;
pub mod generation;
pub mod harness;
pub mod leak;
pub mod model_slug;
pub mod net;
pub mod payload;
pub mod redact;
pub mod report;
pub mod scenario;
pub mod wait;

/// De-flake evidence from past runs' JUnit files (`molecule-e2e flakes`).
#[cfg(feature = "cli")]
pub mod flakes;
#[cfg(feature = "runtime")]
pub mod runtime;
#[cfg(feature = "standin")]
pub mod standin;

pub use error::{E2eError, Result};
