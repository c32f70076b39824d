//! Fixtures shared by the test targets: the run (one org per test binary, its teardown on exit
//! and on signals: `run`), stand-ins as fixtures (`standin`), target selection and case
//! outcomes for the live tier (`live`), the fault matrix (`matrix`), the session-continuity
//! canaries (`canary`), how they find a runtime (`card`) and their containers (`container`).

pub mod canary;
pub mod canary_deep;
pub mod canary_diag;
pub mod canary_stream;
pub mod card;
#[cfg(feature = "container")]
pub mod container;
#[cfg(feature = "container")]
pub mod container_sdk;
pub mod live;
pub mod matrix;
pub mod run;
pub mod standin;
pub mod report;
pub mod verdict;

/// insta settings for wire artefacts: the top-level `snapshots/` directory, explicit names
/// (no module prefix), maps sorted.
pub fn snapshot_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s.set_sort_maps(true);
    s
}

/// Cases per property test: `default` on the inner loop, `PROPTEST_CASES` for a deeper search
/// (`PROPTEST_CASES=20000 cargo test --test offline fuzz`). An explicit case count in a
/// `ProptestConfig` would otherwise hide the variable.
pub fn proptest_cases(default: u32) -> u32 {
    molecule_e2e::config::env_value("PROPTEST_CASES")
        .unwrap_or_else(|e| panic!("{e}"))
        .map_or(default, |v| v.parse().unwrap_or_else(|e| panic!("PROPTEST_CASES={v:?}: {e}")))
}
