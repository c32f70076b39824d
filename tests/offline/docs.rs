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
        format!("{} cross-runtime delegations", molecule_e2e::scenario::arms::CROSS_PAIRS.len()),
        format!("{} faults", Fault::ALL.len()),
    ];
    for f in &figures {
        let flat = readme.replace('\n', " ");
        assert!(flat.contains(&f.replace('\n', " ")), "README.md must say {f:?} (the declarations say so)");
    }
}

/// The operational figures the README and docs give are the code's: the toolchain, the signal
/// teardown's budget, the sweeper's default age and how often its workflow runs.
#[test]
fn the_docs_operational_figures_are_the_codes() {
    let cargo = read("Cargo.toml");
    let rust = cargo.lines().find_map(|l| l.strip_prefix("rust-version = ")).expect("Cargo.toml's rust-version").trim_matches('"');
    let teardown = crate::support::run::SIGNAL_TEARDOWN.as_secs();
    let age = molecule_e2e::harness::sweep::DEFAULT_MAX_AGE_MINUTES;
    let sweeper = read(".gitea/workflows/sweep-stale-e2e-orgs.yml");
    let every = sweeper.split("cron: '*/").nth(1).and_then(|r| r.split(' ').next()).expect("the sweeper workflow's */N cron");
    let figures = [
        ("README.md", format!("({rust} or newer)")),
        ("README.md", format!("within {teardown} s")),
        ("docs/conformance.md", format!("within {teardown} s")),
        ("docs/waits-and-teardown.md", format!("by {teardown} s in all")),
        ("README.md", format!("older than {age} minutes by default")),
        ("docs/ci.md", format!("younger than {age} min")),
        ("README.md", format!("runs it every {every}")),
    ];
    for (doc, figure) in figures {
        assert!(read(doc).replace('\n', " ").contains(&figure), "{doc} must say {figure:?} (the code says so)");
    }
}

/// A count as the docs write it: a word up to twelve, digits beyond.
fn words(n: usize) -> String {
    let w = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
    w.get(n).map_or(n.to_string(), |w| (*w).to_owned())
}

/// The counts the other docs give follow from the declarations: arms, cases, lifecycle cases,
/// cross-runtime pairs, the container tier's canaries, diagnostics, runtime faults and reply shapes.
#[test]
fn the_docs_counts_follow_from_the_declarations() {
    use crate::support::canary::Check;
    use molecule_e2e::runtime::ReplyShape;
    use molecule_e2e::scenario::arms::{Pin, TRANSITIONS};
    let (saas, external) = (live_cases("staging_saas").len(), live_cases("staging_external").len());
    let red = ARMS.iter().filter(|a| a.pin != Pin::Online).count();
    let lifecycle = TRANSITIONS.len() * (ARMS.len() - red);
    // What a run at the latest generation reports: its red arms, and the lifecycle and cross
    // cases of the table-online arms it pins red, gated.
    let now = molecule_e2e::generation::latest();
    let now_red = ARMS.iter().filter(|a| matches!(a.pin_at(now).0, Pin::Red { .. })).count();
    let now_gated = molecule_e2e::scenario::arms::pinned_gated_cases(now).len();
    let canaries = Check::CANARIES.len();
    let figures = [
        ("docs/ci.md", format!("# {} cases: {} passed, {now_red} expected red, {now_gated} gated", saas + external, saas + external - now_red - now_gated)),
        ("docs/ci.md", format!("`{saas} cases: {} passed, 0 failed, {now_red} expected red, 0 skipped, {now_gated} gated`", saas - now_red - now_gated)),
        ("docs/ci.md", format!("`{external} cases: {external} passed`")),
        ("docs/standin.md", format!("({} pairs, `cross_table!`)", molecule_e2e::scenario::arms::CROSS_PAIRS.len())),
        ("docs/waits-and-teardown.md", format!("({} arms in full mode, {lifecycle} lifecycle cases)", ARMS.len())),
        ("docs/waits-and-teardown.md", format!("an arm's parent ({} arms, {} rejected at create)", ARMS.len(), words(red))),
        ("bench/README.md", format!("all {} arms", ARMS.len())),
        ("docs/container-tier.md", format!("the {} canaries, the {} diagnostics", words(canaries), words(Check::ALL.len() - canaries))),
        ("docs/container-tier.md", format!("in all {} reply shapes", words(ReplyShape::ALL.len()))),
        ("docs/container-tier.md", format!("the {}-fault", molecule_e2e::runtime::RuntimeFault::ALL.len())),
    ];
    for (doc, figure) in figures {
        assert!(read(doc).replace('\n', " ").contains(&figure), "{doc} must say {figure:?} (the declarations say so)");
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
            let is_case = ["arm::", "lifecycle::", "cross::", "external::", "fault_matrix::"].iter().any(|p| name.starts_with(p));
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

/// The README is a front door: short, and its map points at every doc of `docs/` and
/// `bench/README.md`.
#[test]
fn the_readme_is_a_front_door_with_a_map_of_the_docs() {
    let readme = read("README.md");
    let lines = readme.lines().count();
    assert!(lines <= 170, "README.md has {lines} lines: move detail to docs/ (it is a front door)");
    for needed in ["## Two commands", "## Tiers", "## The settings people set", "## Reading a red run", "## Cleaning up after a killed run", "## The docs", "sweep --run-id"] {
        assert!(readme.contains(needed), "README.md lacks {needed:?}");
    }
    for doc in markdown_docs().into_iter().filter(|d| d != "README.md") {
        assert!(readme.contains(&format!("]({doc})")), "README.md's map lacks {doc}");
    }
}

/// README.md, bench/README.md and every `docs/*.md`, relative to the crate.
fn markdown_docs() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let mut docs: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("docs/: {e}"))
        .map(|e| e.expect("a directory entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    docs.extend(["README.md".to_owned(), "bench/README.md".to_owned()]);
    docs
}

/// Every file of this repository the README and the docs name in backticks exists
/// (`tests/e2e/…` is the platform's harness, at its commit, not ours).
#[test]
fn every_file_the_docs_name_exists() {
    let prefixes = ["src/", "tests/", "docs/", "snapshots/", "bench/", "docker/", ".ci/", ".gitea/"];
    let mut missing = Vec::new();
    for doc in markdown_docs() {
        for q in quoted(&read(&doc)) {
            let path = q.split(':').next().unwrap_or_default().trim_end_matches('/');
            let ours = prefixes.iter().any(|p| path.starts_with(p)) && !path.starts_with("tests/e2e/");
            if ours && !path.contains(['<', '*', '{', ' ', '…']) && !std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path).exists() {
                missing.push(format!("{doc}: {q}"));
            }
        }
    }
    assert!(missing.is_empty(), "the docs name files this tree lacks:\n{}", missing.join("\n"));
}

/// A heading's anchor as GitHub and Gitea make it: lower case, spaces to `-`, punctuation dropped.
fn anchor(heading: &str) -> String {
    let text = heading.trim_start_matches('#').trim().to_lowercase();
    text.chars().filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_').map(|c| if c == ' ' { '-' } else { c }).collect()
}

/// The `](target)` links of `text`, but not those inside code (a fenced block or backticks).
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        if fenced {
            continue;
        }
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        for rest in prose.split("](").skip(1) {
            if let Some(target) = rest.split(')').next() {
                out.push(target.split_whitespace().next().unwrap_or_default().to_owned());
            }
        }
    }
    out
}

/// Every relative link of the README and the docs points at a file this tree has, and every
/// `#anchor` at a heading of that file.
#[test]
fn every_relative_link_in_the_docs_resolves() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut broken = Vec::new();
    for doc in markdown_docs() {
        let text = read(&doc);
        let here = std::path::Path::new(&doc).parent().expect("a doc's directory").to_path_buf();
        for link in links(&text) {
            if link.contains("://") || link.starts_with("mailto:") || link.is_empty() {
                continue;
            }
            let (file, fragment) = link.split_once('#').map_or((link.as_str(), None), |(f, a)| (f, Some(a)));
            let target = if file.is_empty() { std::path::PathBuf::from(&doc) } else { here.join(file) };
            let path = root.join(&target);
            if !path.exists() {
                broken.push(format!("{doc}: ({link}): no {}", target.display()));
                continue;
            }
            if let Some(fragment) = fragment.filter(|_| path.extension().is_some_and(|e| e == "md")) {
                let headings = std::fs::read_to_string(&path).expect("a markdown file");
                if !headings.lines().filter(|l| l.starts_with('#')).any(|h| anchor(h) == fragment) {
                    broken.push(format!("{doc}: ({link}): no heading #{fragment} in {}", target.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The conformance doc's count of weather faults (those every story must survive) is the
/// catalogue's.
#[test]
fn the_conformance_docs_weather_count_is_the_catalogues() {
    use molecule_e2e::standin::FaultOutcome;
    let n = Fault::ALL.iter().filter(|f| f.outcome() == FaultOutcome::Survive).count();
    let word = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"].get(n).copied().unwrap_or("many");
    let doc = read("docs/conformance.md").replace('\n', " ");
    assert!(doc.contains(&format!("the {word} \"weather\" faults")), "docs/conformance.md must say \"the {word} \\\"weather\\\" faults\"");
}
