//! The offline tier: pins and hermetic checks that plain `cargo test` runs, with no network
//! and no Docker. One binary, one module per subject (`cargo test --test offline model_slug::`).

#[path = "../support/mod.rs"]
#[allow(dead_code)]
mod support;

mod a2a;
mod catalog;
mod client;
mod config;
mod deadlines;
mod harness;
mod model_slug;
mod payload;
mod redaction;
mod standin_clients;
mod standin_contract;
mod standin_faults;
mod sweep;
mod wait;
