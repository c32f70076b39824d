//! The workflows, read as files: every job that touches staging has a timeout, the platform's
//! concurrency group, an `if: always()` teardown, pinned actions and least-privilege
//! permissions; the cases they select and count exist in the test sources; the platform's
//! names and schedules are kept; the nextest profile sits above the suite's own deadlines.

use std::path::Path;

use molecule_e2e::scenario::arms::{ARMS, Pin, live_cases};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A workflow's top-level text and its jobs (id, text), split by indentation.
struct Workflow {
    path: String,
    head: String,
    jobs: Vec<(String, String)>,
}

fn workflow(rel: &str) -> Workflow {
    let text = read(rel);
    let (head, body) = text.split_once("\njobs:\n").unwrap_or_else(|| panic!("{rel}: no jobs:"));
    let mut jobs: Vec<(String, String)> = Vec::new();
    for line in body.lines() {
        let id = line.strip_prefix("  ").filter(|l| !l.starts_with(' ') && !l.starts_with('#'));
        match id.and_then(|l| l.strip_suffix(':')) {
            Some(id) => jobs.push((id.to_owned(), String::new())),
            None => {
                if let Some((_, t)) = jobs.last_mut() {
                    t.push_str(line);
                    t.push('\n');
                }
            }
        }
    }
    Workflow { path: rel.to_owned(), head: head.to_owned(), jobs }
}

const SUITE: &[&str] = &[
    ".gitea/workflows/e2e-staging-saas.yml",
    ".gitea/workflows/e2e-staging-external.yml",
    ".gitea/workflows/e2e-staging-sanity.yml",
    ".gitea/workflows/sweep-stale-e2e-orgs.yml",
    ".gitea/workflows/ci.yml",
];
const TEMPLATES: &[&str] = &["docker/templates/e2e-ephemeral-molecule-e2e.yml"];

fn all() -> Vec<Workflow> {
    SUITE.iter().chain(TEMPLATES).map(|p| workflow(p)).collect()
}

fn touches_staging(job: &str) -> bool {
    job.contains("staging-api.moleculesai.app") || job.contains("CP_STAGING_ADMIN_API_TOKEN")
}

fn creates_orgs(job: &str) -> bool {
    job.contains("staging.sh org-up") || job.contains("staging.sh run ")
}

/// `if: always()` steps' text, one string per step.
fn always_steps(job: &str) -> Vec<String> {
    job.split("\n      - ").filter(|s| s.contains("if: always()")).map(str::to_owned).collect()
}

#[test]
fn every_staging_job_has_a_timeout_permissions_and_pinned_actions() {
    for w in all() {
        for (id, job) in &w.jobs {
            assert!(job.contains("timeout-minutes: "), "{} job {id}: no timeout-minutes", w.path);
            assert!(
                job.contains("permissions:") || w.head.contains("\npermissions:"),
                "{} job {id}: no least-privilege permissions",
                w.path
            );
            let uses_lines = job.lines().map(|l| l.trim_start().trim_start_matches("- "));
            for uses in uses_lines.filter_map(|l| l.strip_prefix("uses: ")) {
                let (action, pin) = uses.split_once('@').unwrap_or((uses, ""));
                let sha: String = pin.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
                assert!(
                    sha.len() == 40 && pin[40..].starts_with(" # v"),
                    "{} job {id}: {action} is not pinned by commit with its version in a comment: {uses}",
                    w.path
                );
            }
        }
    }
}

/// What a workflow keeps of the platform's: file, workflow name, concurrency group,
/// [(job id, job name, continue-on-error)], cron.
type Kept = (&'static str, &'static str, &'static str, &'static [(&'static str, &'static str, bool)], &'static str);

#[test]
fn staging_workflows_serialise_on_the_platforms_groups_and_keep_its_names() {
    // (file, workflow name, concurrency group, [(job id, job name, continue-on-error)], cron):
    // the platform's own workflows at 41409fb2.
    let expected: &[Kept] = &[
        (
            "e2e-staging-saas.yml",
            "E2E Staging SaaS (full lifecycle)",
            "e2e-staging-saas",
            &[("e2e-staging-saas", "E2E Staging SaaS", true), ("e2e-staging-platform-boot", "E2E Staging Platform Boot", true)],
            "0 7 * * *",
        ),
        (
            "e2e-staging-external.yml",
            "E2E Staging External Runtime",
            "e2e-staging-external",
            &[("e2e-staging-external", "E2E Staging External Runtime", true)],
            "30 7 * * *",
        ),
        (
            "e2e-staging-sanity.yml",
            "E2E Staging Sanity (leak-detection self-check)",
            "e2e-staging-sanity",
            &[("sanity", "Intentional-failure teardown sanity", true)],
            "0 6 * * 1",
        ),
        ("sweep-stale-e2e-orgs.yml", "Sweep stale e2e-* orgs (staging)", "sweep-stale-e2e-orgs", &[("sweep", "Sweep e2e orgs", false)], "*/15 * * * *"),
    ];
    for (file, name, group, jobs, cron) in expected {
        let dirs: &[&str] = if TEMPLATES.iter().any(|t| t.ends_with(file)) {
            &[".gitea/workflows", "docker/templates"]
        } else {
            &[".gitea/workflows"]
        };
        for dir in dirs {
            let w = workflow(&format!("{dir}/{file}"));
            assert!(w.head.starts_with(&format!("name: {name}\n")), "{}: workflow name must stay {name:?}", w.path);
            assert!(
                w.head.contains(&format!("concurrency:\n  group: {group}\n  cancel-in-progress: false\n")),
                "{}: concurrency group {group} without cancel-in-progress (a cancelled teardown leaks EC2)",
                w.path
            );
            assert!(w.head.contains(&format!("- cron: '{cron}'")), "{}: schedule {cron} changed", w.path);
            for (id, job_name, coe) in *jobs {
                let (_, job) = w.jobs.iter().find(|(j, _)| j == id).unwrap_or_else(|| panic!("{}: no job {id}", w.path));
                assert!(job.contains(&format!("    name: {job_name}\n")), "{} job {id}: status-check name must stay {job_name:?}", w.path);
                assert_eq!(job.contains("\n    continue-on-error: true\n"), *coe, "{} job {id}: continue-on-error", w.path);
            }
        }
    }
}

#[test]
fn every_job_that_can_create_an_org_tears_down_and_checks_ec2_in_always_steps() {
    for w in all() {
        for (id, job) in w.jobs.iter().filter(|(_, j)| touches_staging(j) && creates_orgs(j)) {
            let always = always_steps(job);
            assert!(
                always.iter().any(|s| s.contains("staging.sh teardown")),
                "{} job {id}: no `if: always()` teardown (org down + sweep --run-id)",
                w.path
            );
            assert!(always.iter().any(|s| s.contains("staging.sh leak-check")), "{} job {id}: no always() EC2 leak check", w.path);
            assert!(job.contains("E2E_RUN_ID: "), "{} job {id}: no E2E_RUN_ID for the run-scoped sweep", w.path);
            assert!(job.contains("E2E_REQUIRE_LIVE: \"1\"") || job.contains("E2E_INTENTIONAL_FAILURE"), "{} job {id}: not fail-closed", w.path);
            assert!(job.contains("staging.sh preflight"), "{} job {id}: no preflight", w.path);
        }
    }
    let script = read(".gitea/scripts/staging.sh");
    for line in script.lines().filter(|l| l.contains("curl ")) {
        assert!(line.contains("--max-time"), "staging.sh: curl without --max-time: {line}");
    }
    assert!(script.contains("--max-time 10 \"$MOLECULE_CP_URL/health\""), "the health preflight must have a 10 s limit");
}

#[test]
fn the_cases_workflows_select_and_count_exist_in_the_test_sources() {
    for w in all() {
        for (id, job) in &w.jobs {
            let bins: Vec<&str> = job
                .lines()
                .filter_map(|l| l.split_once("staging.sh run ").map(|(_, b)| b.trim()))
                .flat_map(|b| b.split_whitespace())
                .map(|t| t.trim_end_matches(';'))
                .filter(|t| t.starts_with("staging_"))
                .collect();
            if bins.is_empty() {
                continue;
            }
            // The declared live cases (each test target checks it holds exactly these).
            let names: Vec<String> = bins.iter().flat_map(|b| live_cases(b)).collect();
            if let Some(n) = job.lines().find_map(|l| l.trim().strip_prefix("E2E_EXPECT_CASES: ")) {
                let n: usize = n.trim_matches('"').parse().expect("a number");
                assert_eq!(n, names.len(), "{} job {id}: E2E_EXPECT_CASES is {n}, the sources hold {}: {names:?}", w.path, names.len());
            }
            if let Some(f) = job.lines().find_map(|l| l.trim().strip_prefix("E2E_CASE_FILTER: ")) {
                let exact = f.trim_matches('"').strip_prefix("test(=").and_then(|s| s.strip_suffix(')')).expect("test(=<name>)");
                assert!(names.iter().any(|n| n == exact), "{} job {id}: E2E_CASE_FILTER names {exact}, not a case of {bins:?}", w.path);
            }
            // Record names (`arm::<arm>`) the workflow reads verdicts of are arms of the table.
            let readers = job.lines().filter(|l| l.contains("case-verdict arm::") || l.contains("expect-401 arm::"));
            for rec in readers.filter_map(|l| l.split_once("arm::").map(|(_, r)| r)) {
                let arm: String = rec.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                assert!(molecule_e2e::scenario::arms::arm(&arm).is_some(), "{} job {id}: reads arm::{arm}, which is no arm", w.path);
            }
        }
    }
}

#[test]
fn templates_pin_the_suite_commit_and_check_it_out() {
    for t in TEMPLATES {
        let text = read(t);
        assert_eq!(text.matches("@MOLECULE_E2E_COMMIT@").count(), 1, "{t}: one pinned-ref placeholder");
        assert!(text.contains("MOLECULE_E2E_REF: \"@MOLECULE_E2E_COMMIT@\""), "{t}");
        assert!(text.contains("ref: ${{ env.MOLECULE_E2E_REF }}") && text.contains("path: molecule-e2e"), "{t}: checkout");
        assert!(text.contains("tests/e2e/ephemeral_cp_happy_path.sh boot"), "{t}: against the platform's throwaway CP");
        assert!(text.contains("  pull_request:\n"), "{t}: runs on the platform's pull requests");
    }
    let onboard = read(".gitea/scripts/onboard-platform.sh");
    assert!(onboard.contains("s/@MOLECULE_E2E_COMMIT@/$commit/") && onboard.contains("{40}"), "the installer pins a full sha");
}

#[test]
fn the_ci_profile_outlasts_the_suites_deadlines_and_writes_junit() {
    let toml = read(".config/nextest.toml");
    let settings = toml.lines().filter(|l| !l.trim_start().starts_with('#'));
    assert!(!settings.clone().any(|l| l.contains("report-skipped")), "report-skipped is not a nextest key");
    let ci = toml.split("[profile.ci]").nth(1).expect("a ci profile");
    let slow = ci.lines().find(|l| l.starts_with("slow-timeout")).expect("ci slow-timeout");
    let num = |key: &str| -> u64 {
        let rest = slow.split(key).nth(1).unwrap_or_else(|| panic!("{key} in {slow}"));
        rest.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
    };
    let kill_after = num("period") * num("terminate-after");
    assert!(kill_after > 60 * 60, "the ci profile kills a case after {kill_after}s, below the suite's 60-minute waits");
    let junit = toml.split("[profile.ci.junit]").nth(1).expect("a ci junit section");
    for line in junit.lines().filter(|l| l.contains('=') && !l.starts_with('#')) {
        let key = line.split('=').next().unwrap().trim();
        assert!(
            ["path", "report-name", "store-success-output", "store-failure-output"].contains(&key),
            "{key} is not a nextest junit key"
        );
    }
    let saas = workflow(".gitea/workflows/e2e-staging-saas.yml");
    let job_minutes: u64 = saas.jobs[0].1.lines().find_map(|l| l.trim().strip_prefix("timeout-minutes: ")).unwrap().parse().unwrap();
    assert!(job_minutes * 60 > kill_after, "the SaaS job ({job_minutes} min) must outlast nextest's {kill_after}s");
}

/// `.ci/run` counts the live cases of both targets three times (the summary line, the nextest
/// summary, the JUnit cases): each figure follows from the arm declaration.
#[test]
fn the_ci_scripts_case_counts_follow_from_the_arm_declaration() {
    let total = live_cases("staging_saas").len() + live_cases("staging_external").len();
    let run = read(".ci/run");
    // Per generation: its red arms, and the lifecycle and cross cases of table-online arms it
    // pins red (gated there, naming the pin).
    for g in molecule_e2e::generation::GENERATIONS {
        let red = ARMS.iter().filter(|a| matches!(a.pin_at(g).0, Pin::Red { .. })).count();
        let gated = molecule_e2e::scenario::arms::pinned_gated_cases(g).len();
        let summary = format!("'{total} cases: {} passed, 0 failed, {red} expected red, 0 skipped, {gated} gated'", total - red - gated);
        assert!(run.contains(&summary), ".ci/run must grep the summary {summary} ({g})");
    }
    assert!(
        run.contains(&format!("staging.sh summary {total}\n")),
        ".ci/run must expect {total} cases of nextest"
    );
    assert!(
        run.contains(&format!("len(cases) == {total} ")),
        ".ci/run must expect {total} JUnit cases"
    );
    for exact in run.split("arm::").skip(1) {
        let arm: String = exact
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        assert!(
            molecule_e2e::scenario::arms::arm(&arm).is_some(),
            ".ci/run names arm::{arm}, which is no arm"
        );
    }
}
