//! The stand-in keeps the platform contract (`shared/contract/platform.md`): one table row per
//! promise about paths, guards, auth groups and error codes, then flow tests for the
//! transitions (org readiness, provisioning, PONG through the proxy, pause/resume,
//! hibernate/wake, external register/queued/stale, teardown).

pub mod kit;

use std::time::Duration;

use kit::{As, Kit, answer_text, eventually, holds_for, is_subset, no_runtime_delays, pong_envelope, quick};
use molecule_e2e::generation::{G41409FB2, GAEEC8E47};
use molecule_e2e::standin::{Delays, Fault, FaultOutcome, StandInConfig};
use reqwest::Method;
use rstest::rstest;
use serde_json::{Value, json};

mod routes;
mod control_plane;
mod workspaces;
mod lifecycle;
mod external;
mod memory_files;
mod configuration;
mod today;

pub use memory_files::{download, upload_png};
