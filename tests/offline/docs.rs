//! The docs say what the code knows: every figure the README gives (arms, cases, faults)
//! follows from the declarations, every case and variable it names exists, and it stays a
//! front door (short, with a map of the docs that are there).

use molecule_e2e::config;
use molecule_e2e::scenario::arms::{ARMS, live_cases};
use molecule_e2e::standin::Fault;

fn read(rel: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The backticked words of `text` (`arm::hermes`, `E2E_MODE`, …).
fn quoted(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

#[test]
fn the_readmes_figures_follow_from_the_declarations() {
    let readme = read("README.md");
    let (saas, external) = (live_cases("staging_saas").len(), live_cases("staging_external").len());
    let figures = [
        format!("{} runtime arms", ARMS.len()),
        format!("{} live\ncases", saas + external),
        format!("{saas} SaaS cases"),
        format!("{external} external cases"),
        format!("{} faults", Fault::ALL.len()),
    ];
    for f in &figures {
        let flat = readme.replace('\n', " ");
        assert!(flat.contains(&f.replace('\n', " ")), "README.md must say {f:?} (the declarations say so)");
    }
}

/// Every case the README or the conformance doc names (`arm::…`, `lifecycle::…`,
/// `external::…`, `fault_matrix::…`) is a case the suite has.
#[test]
fn every_case_the_docs_name_exists() {
    let cases: Vec<String> = live_cases("staging_saas").into_iter().chain(live_cases("staging_external")).collect();
    let faults: Vec<String> = Fault::ALL.iter().map(|f| format!("fault_matrix::{}", f.test_name())).collect();
    for doc in ["README.md", "docs/conformance.md"] {
        let text = read(doc);
        for q in quoted(&text) {
            let name = q.split_whitespace().last().unwrap_or_default();
            let is_case = ["arm::", "lifecycle::", "external::", "fault_matrix::"].iter().any(|p| name.starts_with(p));
            if !is_case || name.contains(['<', '*']) || name.ends_with("::") {
                continue;
            }
            assert!(cases.iter().chain(&faults).any(|c| c == name), "{doc} names the case {name}, which the suite does not have");
        }
    }
}

/// Every variable the README names is a row of the registry.
#[test]
fn every_variable_the_readme_names_is_registered() {
    let readme = read("README.md");
    for q in quoted(&readme) {
        for word in q.split(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')) {
            let ours = ["E2E_", "MOLECULE_", "STANDIN_", "CANARY_"].iter().any(|p| word.starts_with(p));
            if ours {
                assert!(config::variable(word).is_some(), "README.md names {word}, which is not in config::REGISTRY");
            }
        }
    }
}

/// The README is a front door: short, and its map points at docs this tree has (the docs
/// other branches write are listed once they exist).
#[test]
fn the_readme_is_a_front_door_with_a_map_of_the_docs() {
    let readme = read("README.md");
    let lines = readme.lines().count();
    assert!(lines <= 170, "README.md has {lines} lines: move detail to docs/ (it is a front door)");
    for needed in ["## Two commands", "## Tiers", "## The settings people set", "## Reading a red run", "## Cleaning up after a killed run", "## The docs", "sweep --run-id"] {
        assert!(readme.contains(needed), "README.md lacks {needed:?}");
    }
    for doc in ["docs/conformance.md", "docs/configuration.md", "docs/standin.md", "docs/library.md", "docs/extending.md", "bench/README.md"] {
        assert!(readme.contains(&format!("]({doc})")), "README.md's map lacks {doc}");
        read(doc);
    }
}

/// The conformance doc's count of weather faults (those every story must survive) is the
/// catalogue's.
#[test]
fn the_conformance_docs_weather_count_is_the_catalogues() {
    use molecule_e2e::standin::FaultOutcome;
    let n = Fault::ALL.iter().filter(|f| f.outcome() == FaultOutcome::Survive).count();
    let word = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"].get(n).copied().unwrap_or("many");
    let doc = read("docs/conformance.md").replace('\n', " ");
    assert!(doc.contains(&format!("the {word} \"weather\" faults")), "docs/conformance.md must say \"the {word} \\\"weather\\\" faults\"");
}
