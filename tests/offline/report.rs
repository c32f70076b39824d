//! The run summary, rendered from records without I/O: every outcome has its word, skips carry
//! how to enable them, failures name the promise, counts and the expected-case check.

use molecule_e2e::report::{CaseRecord, Verdict, check_count, counts, parse_records, render};

fn rec(case: &str, verdict: Verdict) -> CaseRecord {
    CaseRecord {
        binary: "staging_saas".into(),
        case: case.into(),
        verdict,
        secs: 12.34,
        milestones: vec![("provisioned".into(), 3.0), ("tenant_online".into(), 4.5)],
        state_file: None,
    }
}

fn run() -> Vec<CaseRecord> {
    vec![
        rec("arm::hermes", Verdict::Passed),
        rec("arm::codex", Verdict::ExpectedRed { what: "422 UNREGISTERED_MODEL_FOR_RUNTIME as pinned".into() }),
        CaseRecord {
            state_file: Some("r.md.state-arm__openclaw.md".into()),
            ..rec(
                "arm::openclaw",
                Verdict::Failed { promise: Some("known-answer".into()), error: "said MANGO | not PINEAPPLE".into() },
            )
        },
        rec("arm::google_adk", Verdict::Skipped { reason: "needs a google key".into(), enable: "export E2E_GOOGLE_API_KEY=<key>".into() }),
        rec("lifecycle::pause_resume", Verdict::Gated { why: "E2E_LIFECYCLE=off".into() }),
    ]
}

#[test]
fn one_line_per_case_with_outcome_milestones_and_time() {
    let md = render("t", &run());
    assert!(md.contains("| `arm::hermes` | passed |  | provisioned 3.0s → tenant_online 4.5s | 12.3s |"), "{md}");
    assert!(md.contains("| `arm::codex` | expected red | 422 UNREGISTERED_MODEL_FOR_RUNTIME as pinned |"), "{md}");
    // A `|` in an error cannot break the table.
    assert!(md.contains("| `arm::openclaw` | FAILED | broke `[known-answer]`: said MANGO \\| not PINEAPPLE |"), "{md}");
    assert!(md.contains("**5 cases: 1 passed, 1 failed, 1 expected red, 1 skipped, 1 gated**"), "{md}");
}

#[test]
fn skips_and_gates_are_listed_at_the_end_and_failures_point_at_the_platform_state() {
    let md = render("t", &run());
    let tail = md.split("### Not proven by this run").nth(1).expect("an unproven section");
    assert!(tail.contains("- `arm::google_adk` skipped: needs a google key (to run it: export E2E_GOOGLE_API_KEY=<key>)"), "{md}");
    assert!(tail.contains("- `lifecycle::pause_resume` gated: E2E_LIFECYCLE=off"), "{md}");
    assert!(md.contains("platform state: `r.md.state-arm__openclaw.md`"), "{md}");
    assert!(render("t", &[]).contains("No live case ran"));
}

#[test]
fn records_round_trip_through_lines_and_bad_lines_are_named() {
    let text: String = run().iter().map(CaseRecord::to_line).collect();
    assert_eq!(parse_records(&text).unwrap(), run());
    let e = parse_records("{\"binary\":1}\n").unwrap_err();
    assert!(e.starts_with("record line 1:"), "{e}");
}

#[test]
fn the_expected_count_catches_a_dropped_case() {
    assert!(check_count(&run(), 5).is_ok());
    let e = check_count(&run(), 6).unwrap_err();
    assert!(e.contains("expected 6 live cases, the run recorded 5") && e.contains("arm::hermes"), "{e}");
    assert_eq!(counts(&[]), "0 cases: 0 passed, 0 failed, 0 expected red, 0 skipped, 0 gated");
}

#[test]
fn only_cases_that_ran_count_as_live() {
    let live: Vec<_> = run().iter().filter(|r| r.verdict.ran_live()).map(|r| r.case.clone()).collect();
    assert_eq!(live, ["arm::hermes", "arm::codex", "arm::openclaw"]);
}

#[test]
fn a_registered_secret_never_reaches_a_record_line() {
    molecule_e2e::redact::register_str("sk-report-secret-123456");
    let line = rec("arm::x", Verdict::Failed { promise: None, error: "bearer sk-report-secret-123456 refused".into() }).to_line();
    assert!(!line.contains("sk-report-secret-123456"), "{line}");
}
