//! The offline tier: pins and hermetic checks that plain `cargo test` runs, with no network
//! and no Docker. One binary, one module per subject (`cargo test --test offline model_slug::`).

#[path = "../support/mod.rs"]
#[allow(dead_code)]
mod support;

mod catalog;
mod config;
mod model_slug;
mod payload;
