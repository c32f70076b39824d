//! The offline tier: pins and hermetic checks that plain `cargo test` runs, with no network
//! and no Docker. One binary, one module per subject (`cargo test --test offline model_slug::`).

// Failures carry their whole story, as in the library (which allows the same lint).
#![allow(clippy::result_large_err)]

#[path = "../support/mod.rs"]
#[allow(dead_code)]
mod support;

mod a2a;
mod canary_canned;
mod admin_origin;
mod canary_inprocess;
mod canary_rules;
mod catalog;
mod catalog_today;
mod client;
mod config;
mod config_kinds;
mod contract;
mod gates;
mod envelope_schema;
mod flakes;
mod extending;
mod footprint;
mod deadlines;
mod docs;
mod harness;
mod hostile;
mod hung_route;
mod layering;
mod leak;
mod model_slug;
mod payload;
mod platform_lints;
mod redaction;
mod report;
mod route_contract;
mod runtime_a2a;
mod silent;
mod standin_clients;
mod standin_contract;
mod standin_faults;
mod sweep;
mod topology;
mod wait;
mod workflows;
mod cold_create;
mod backend;
