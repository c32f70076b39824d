//! The recipes of `docs/extending.md`, enforced: each check fails naming the recipe and the
//! step that was missed (a new arm without its snapshots, a fault without its stand-in rule
//! or contrast test, a transition without its scenario, a platform fix the docs do not list).
//! Steps other tests already enforce say so in the doc (e.g. the case counts of the workflows).

use std::path::Path;

use molecule_e2e::catalog;
use molecule_e2e::scenario::arms::{ARMS, Pin, TRANSITIONS};
use molecule_e2e::standin::{Fault, PlatformVersion};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every `.rs` file under `dir` (relative to the crate), concatenated.
fn sources_under(dir: &str, skip: &[&str]) -> String {
    fn walk(dir: &Path, skip: &[&str], out: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, skip, out);
            } else if path.extension().is_some_and(|e| e == "rs") && !skip.iter().any(|s| path.ends_with(s)) {
                out.push_str(&std::fs::read_to_string(&path).expect("a source file"));
            }
        }
    }
    let mut out = String::new();
    walk(&Path::new(ROOT).join(dir), skip, &mut out);
    out
}

#[track_caller]
fn step(recipe: &str, n: u8, ok: bool, what: String) {
    assert!(ok, "docs/extending.md, \"{recipe}\", step {n}: {what}");
}

#[test]
fn a_new_arm_has_its_runtime_row_and_snapshots() {
    for arm in ARMS {
        let runtime = catalog::runtime_row(arm.runtime_or_template);
        step("A new arm", 2, runtime.is_some(), format!("arm {}: {} has no row in catalog::RUNTIMES", arm.name, arm.runtime_or_template));
        let payload = format!("snapshots/payload_{}.snap", arm.name);
        step(
            "A new arm",
            3,
            Path::new(ROOT).join(&payload).is_file(),
            format!("arm {}: {payload} is missing; run `INSTA_UPDATE=always cargo test --test offline payload::` and review it", arm.name),
        );
        if arm.pin == Pin::Online {
            let steps = format!("snapshots/full_mode_steps_{}.snap", arm.name);
            step(
                "A new arm",
                3,
                Path::new(ROOT).join(&steps).is_file(),
                format!(
                    "arm {}: {steps} is missing; run `INSTA_UPDATE=always cargo test --test staging_saas -- --ignored --exact arm::{}` and review it",
                    arm.name, arm.name
                ),
            );
        }
    }
}

#[test]
fn a_new_transition_has_its_scenario() {
    let lifecycle = read("src/scenario/lifecycle.rs");
    for t in TRANSITIONS {
        step(
            "A new transition",
            1,
            lifecycle.contains(&format!("pub async fn {t}(")),
            format!("transition {t}: no `pub async fn {t}(case, arm)` in src/scenario/lifecycle.rs"),
        );
    }
}

#[test]
fn a_new_fault_has_its_stand_in_rule_and_contrast_test() {
    let standin = sources_under("src/standin", &["faults.rs"]) + &sources_under("src/runtime", &[]);
    let contrasts = sources_under("tests/offline/standin_faults", &[]);
    for f in Fault::ALL {
        let written = format!("Fault::{f:?}");
        step(
            "A new fault",
            2,
            standin.contains(&written),
            format!("fault {}: no stand-in rule names {written} (ask `faults.fires({written})` where the behaviour changes)", f.name()),
        );
        step(
            "A new fault",
            3,
            contrasts.contains(&format!("{written})")) || contrasts.contains(&format!("{written},")),
            format!("fault {}: no contrast test in tests/offline/standin_faults/ runs {written}", f.name()),
        );
    }
}

#[test]
fn a_new_platform_generation_is_in_the_stand_ins_docs() {
    let doc = read("docs/standin.md");
    let versions = doc.split("## Platform versions").nth(1).expect("docs/standin.md has a Platform versions section");
    for (commit, date, _) in PlatformVersion::HEAD_FIXES {
        step(
            "A new platform generation",
            3,
            versions.contains(&format!("| `{commit}` | {date} |")),
            format!("the platform fix {commit} ({date}) is not a row of docs/standin.md's Platform versions table"),
        );
    }
    step(
        "A new platform generation",
        1,
        doc.contains(catalog::REFERENCE_COMMIT),
        format!("docs/standin.md does not name the reference commit {}", catalog::REFERENCE_COMMIT),
    );
}

/// The recipes name the files they touch: each file a recipe names exists.
#[test]
fn every_file_the_recipes_name_exists() {
    let doc = read("docs/extending.md");
    for q in doc.split('`').skip(1).step_by(2) {
        let looks_like_file = (q.starts_with("src/") || q.starts_with("tests/") || q.starts_with("docs/") || q.starts_with("snapshots/"))
            && !q.contains(['<', '*', ' ']);
        // Docs written on other branches (CI, container tier, waits) are named but may not be here yet.
        let elsewhere = ["docs/ci.md", "docs/container-tier.md", "docs/waits-and-teardown.md"].contains(&q);
        if looks_like_file && !elsewhere {
            assert!(Path::new(ROOT).join(q).exists(), "docs/extending.md names {q}, which does not exist");
        }
    }
}
