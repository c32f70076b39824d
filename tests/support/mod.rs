//! Fixtures shared by the test targets: target selection and case outcomes for the live tier
//! (`live`), the session-continuity canaries (`canary`) and their containers (`container`).

pub mod canary;
#[cfg(feature = "container")]
pub mod container;
pub mod live;

/// insta settings for wire artefacts: the top-level `snapshots/` directory, explicit names
/// (no module prefix), maps sorted.
pub fn snapshot_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s.set_sort_maps(true);
    s
}
