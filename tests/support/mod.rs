//! Fixtures shared by the test targets: the run (one org per test binary, its teardown on exit
//! and on signals: `run`), stand-ins as fixtures (`standin`), target selection and case
//! outcomes for the live tier (`live`), the fault matrix (`matrix`), the session-continuity
//! canaries (`canary`) and their containers (`container`).

pub mod canary;
#[cfg(feature = "container")]
pub mod container;
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
