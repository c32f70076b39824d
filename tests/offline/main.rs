//! The offline tier: pins and hermetic checks that plain `cargo test` runs, with no network
//! and no Docker. One binary, one module per subject (`cargo test --test offline model_slug::`).

#[path = "../support/mod.rs"]
#[allow(dead_code)]
mod support;

mod a2a;
mod canary_inprocess;
mod canary_rules;
mod catalog;
mod client;
mod config;
mod contract;
mod gates;
mod envelope_schema;
mod footprint;
mod deadlines;
mod harness;
mod hostile;
mod hung_route;
mod leak;
mod model_slug;
mod payload;
mod redaction;
mod report;
mod runtime_a2a;
mod silent;
mod standin_clients;
mod standin_contract;
mod standin_faults;
mod sweep;
mod wait;
mod workflows;
