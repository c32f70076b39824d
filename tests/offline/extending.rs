//! The recipes of `docs/extending.md`, enforced: each check fails naming the recipe and the
//! step that was missed (a new arm without its snapshots, a fault without its stand-in rule
//! or contrast test, a transition without its scenario, a canary or runtime fault without its
//! guard, case or docs rows, a platform fix the docs do not list).
//! Steps other tests already enforce say so in the doc (e.g. the case counts of the workflows).

use std::path::Path;

use molecule_e2e::catalog;
use molecule_e2e::runtime::RuntimeFault;
use molecule_e2e::scenario::arms::{ARMS, Pin, TRANSITIONS};
use molecule_e2e::generation::GENERATIONS;
use molecule_e2e::standin::Fault;

use crate::support::canary::Check;

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
        let runtime = molecule_e2e::generation::CATALOG_41409FB2.runtime_row(arm.runtime_or_template);
        step("A new arm", 2, runtime.is_some(), format!("arm {}: {} has no row in the reference catalogue (catalog::RUNTIMES_41409FB2)", arm.name, arm.runtime_or_template));
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

/// The cross-runtime pairs are every ordered pair of distinct runtimes with an online arm, once
/// each, and at every generation each pair of runtimes it runs is a pair that is not gated there.
#[test]
fn a_new_runtime_joins_every_cross_pair() {
    use molecule_e2e::scenario::arms::{CROSS_PAIRS, arm, cross_case_name, pinned_gated_cases};
    for g in GENERATIONS {
        let rt = |name: &str| arm(name).map(|a| a.runtime(g.catalog));
        let online = |a: &&molecule_e2e::scenario::arms::Arm| a.pin == Pin::Online;
        let mut runtimes: Vec<&str> = ARMS.iter().filter(online).map(|a| a.runtime(g.catalog)).collect();
        runtimes.sort_unstable();
        runtimes.dedup();
        for &(p, c) in CROSS_PAIRS {
            let ok = arm(p).is_some_and(|a| online(&a)) && arm(c).is_some_and(|a| online(&a));
            step("A new arm", 5, ok, format!("cross pair {p} → {c} names an arm the table lacks or pins red"));
            step("A new arm", 5, rt(p) != rt(c), format!("cross pair {p} → {c} is one runtime at {}", g.commit));
        }
        let gated = pinned_gated_cases(g);
        for (a, b) in runtimes.iter().flat_map(|a| runtimes.iter().filter(move |b| *b != a).map(move |b| (*a, *b))) {
            let pairs: Vec<_> = CROSS_PAIRS.iter().filter(|(p, c)| rt(p) == Some(a) && rt(c) == Some(b)).collect();
            step("A new arm", 5, pairs.len() == 1, format!("cross_table! has {} pairs {a} → {b} (one each): {pairs:?}", pairs.len()));
            // A runtime some arm runs at g, whose pair is gated there: another arm must stand for it.
            let runs = |r: &str| ARMS.iter().any(|x| x.runtime(g.catalog) == r && !matches!(x.pin_at(g).0, Pin::Red { .. }));
            if runs(a) && runs(b) {
                let ran = pairs.iter().any(|(p, c)| !gated.contains(&cross_case_name(p, c)));
                step("A new arm", 5, ran, format!("{a} → {b} runs at {} but its cross pair is gated there: pick an arm online there", g.commit));
            }
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
    let versions = doc.split("## Platform generations").nth(1).expect("docs/standin.md has a Platform generations section");
    for g in GENERATIONS {
        step(
            "A new platform generation",
            3,
            versions.contains(&format!("| `{}` | {} |", g.commit, g.date)),
            format!("the generation {} ({}) is not a row of docs/standin.md's Platform generations table", g.commit, g.date),
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
        let looks_like_file = ["src/", "tests/", "docs/", "snapshots/", "bench/", "docker/", ".ci/", ".gitea/"].iter().any(|p| q.starts_with(p))
            && !q.contains(['<', '*', ' ']);
        if looks_like_file {
            assert!(Path::new(ROOT).join(q).exists(), "docs/extending.md names {q}, which does not exist");
        }
    }
}

/// The container tier's cases: `(tier, case name, check)` from `check_cases!` in
/// `tests/session_continuity.rs` (`canary { <name> => <Check>, … } diagnostic { … }`).
fn container_cases() -> Vec<(&'static str, String, Check)> {
    let text = read("tests/session_continuity.rs");
    let invocation = text.split("check_cases! {").nth(1).expect("tests/session_continuity.rs declares its cases with check_cases!");
    let mut out = Vec::new();
    let mut tier = "";
    for line in invocation.lines().map(str::trim) {
        match line {
            "canary {" => tier = "canary",
            "diagnostic {" => tier = "diagnostic",
            // A block's end, or (outside one) the invocation's.
            "}" if tier.is_empty() => break,
            "}" => tier = "",
            "" => {}
            _ => {
                let (name, variant) = line.trim_end_matches(',').split_once(" => ").unwrap_or_else(|| panic!("not a case: {line}"));
                let check = Check::ALL.into_iter().find(|c| format!("{c:?}") == variant).unwrap_or_else(|| panic!("no Check::{variant}"));
                out.push((tier, name.to_owned(), check));
            }
        }
    }
    out
}

#[test]
fn a_new_canary_names_its_fault_and_has_its_case_and_docs_rows() {
    let cases = container_cases();
    let doc = read("docs/container-tier.md");
    for c in Check::ALL {
        let canary = Check::CANARIES.contains(&c);
        step("A new canary", 1, !canary || !c.guards().is_empty(), format!("canary {}: Check::guards names no RuntimeFault it catches", c.name()));
        let case = cases.iter().find(|(_, _, k)| *k == c);
        let tier = if canary { "canary" } else { "diagnostic" };
        step(
            "A new canary",
            3,
            case.is_some_and(|(t, _, _)| *t == tier),
            format!("check {}: no `<name> => {c:?},` in the {tier} block of check_cases! (tests/session_continuity.rs)", c.name()),
        );
        let Some((_, name, _)) = case else { continue };
        let row = doc.lines().find(|l| l.starts_with(&format!("| `{tier}::{name}` |")));
        step("A new canary", 4, row.is_some(), format!("check {}: docs/container-tier.md's checks table has no row `{tier}::{name}`", c.name()));
        for f in c.guards() {
            let named = row.is_some_and(|r| r.contains(&format!("`{}`", f.name())));
            step("A new canary", 4, named, format!("the row of `{tier}::{name}` in docs/container-tier.md does not name the fault `{f}` it guards"));
        }
    }
}

#[test]
fn a_new_runtime_fault_is_guarded_asked_where_the_runtime_answers_and_listed() {
    let runtime = sources_under("src/runtime", &["mod.rs"]);
    let doc = read("docs/container-tier.md");
    let faults = doc.split("## Runtime faults").nth(1).expect("docs/container-tier.md has a Runtime faults section");
    for f in RuntimeFault::ALL {
        step("A new canary", 1, Check::guarding(f).is_some(), format!("runtime fault {f}: no Check::guards in tests/support/canary.rs names RuntimeFault::{f:?}"));
        step(
            "A new canary",
            2,
            runtime.contains(&format!("has(RuntimeFault::{f:?})")),
            format!("runtime fault {f}: the reference runtime never asks `cfg.has(RuntimeFault::{f:?})` (src/runtime/), so it cannot be seen to fail"),
        );
        step("A new canary", 4, faults.contains(&format!("| `{f}` |")), format!("runtime fault {f}: no row in docs/container-tier.md's Runtime faults table"));
    }
    // The contrast (`canary_inprocess::each_runtime_fault_fails_exactly_its_guard_…`) runs
    // `RuntimeFault::ALL`: a variant the runtime asks about but ALL lacks is never proved.
    for used in runtime.split("RuntimeFault::").skip(1).filter_map(|r| r.split(|c: char| !c.is_alphanumeric()).next()) {
        let listed = RuntimeFault::ALL.iter().any(|f| format!("{f:?}") == used);
        step("A new canary", 2, listed, format!("RuntimeFault::{used} is asked in src/runtime/ but missing from RuntimeFault::ALL, so no contrast proves it"));
    }
    let n = RuntimeFault::ALL.len();
    let word = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"].get(n).copied();
    let all = word.map_or(format!("all {n}"), |w| format!("all {w}"));
    step("A new canary", 4, doc.contains(&format!("| {all} |")), format!("docs/container-tier.md's fault-proof row should say \"{all}\" (RuntimeFault::ALL has {n})"));
}

/// Each generation's schedule (`src/harness/schedule/<commit>.txt`, from `bench/plan.py`)
/// names only cases the SaaS binary has: a renamed or removed case would leave a stale line,
/// and its successor would wait behind every planned case.
#[test]
fn the_schedule_names_only_cases_the_saas_binary_has() {
    use molecule_e2e::harness::schedule::{ORDERS, names};
    use molecule_e2e::scenario::arms::{CROSS_PAIRS, cross_case_name};
    let mut known: Vec<String> = ARMS.iter().map(|a| format!("arm::{}", a.name)).collect();
    known.extend(CROSS_PAIRS.iter().map(|(p, c)| cross_case_name(p, c)));
    known.extend(TRANSITIONS.iter().flat_map(|t| ARMS.iter().map(move |a| format!("lifecycle::{t}::{}", a.name))));
    for (commit, order) in ORDERS {
        for name in names(order) {
            step(
                "A renamed or removed case",
                1,
                known.iter().any(|k| k == name),
                format!("src/harness/schedule/{commit}.txt names {name}, which is no case of tests/staging_saas.rs: rerun bench/plan.py"),
            );
        }
    }
}
