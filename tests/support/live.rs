//! The live tier's fixtures: the target the environment asks for, and turning a scenario's
//! outcome into a test result (loud skips, `E2E_REQUIRE_LIVE`, failures with their story).

use std::fmt::Debug;
use std::sync::Arc;

use molecule_e2e::harness::{Case, Target, loud};
use molecule_e2e::scenario::Outcome;
use molecule_e2e::report::Verdict;
use molecule_e2e::{E2eError, Result};

use crate::support::report;

/// A case against the target the environment selects (staging at `MOLECULE_CP_URL`, else the
/// embedded stand-in). Panics with the reason when the environment is unusable.
#[track_caller]
pub fn case(name: &str) -> Case {
    match Target::from_env() {
        Ok(t) => {
            let c = Case::new(name, t);
            report::begin(&c);
            c
        }
        Err(e) => panic!("{name}: cannot select a target: {e}"),
    }
}

/// A case against a given target (the fault matrix's own stand-ins).
pub fn case_on(name: &str, target: Arc<Target>) -> Case {
    Case::new(name, target)
}

/// The scenario must have run and passed; skips and gates are printed loudly, and a skip is a
/// failure under `E2E_REQUIRE_LIVE=1`. Returns the report when the scenario ran.
#[track_caller]
pub fn finish<R: Debug>(case: &Case, outcome: Result<Outcome<R>>) -> Option<R> {
    finish_pinned(case, None, outcome)
}

/// [`finish`] for a case the arm table pins as expected red (`red` says what it expects): when
/// it ran, the summary reports it as "expected red", never as passed.
#[track_caller]
pub fn finish_pinned<R: Debug>(case: &Case, red: Option<String>, outcome: Result<Outcome<R>>) -> Option<R> {
    match outcome {
        Ok(Outcome::Ran(r)) => {
            talked(case);
            loud(&format!("[{} +{:.1}s] PASSED: {r:?}", case.name(), case.elapsed()));
            let verdict = match red {
                Some(what) => Verdict::ExpectedRed { what },
                None => Verdict::Passed,
            };
            report::record(report::outcome(case, verdict));
            Some(r)
        }
        Ok(Outcome::Skipped(skip)) => {
            if case.target().settings.require_live {
                let why = format!("E2E_REQUIRE_LIVE=1 forbids skips: {skip}");
                report::record(report::outcome(case, Verdict::Failed { promise: None, error: why.clone() }));
                panic!("{}: {why}", case.name());
            }
            loud(&format!("[{}] {skip}", case.name()));
            report::record(report::outcome(case, Verdict::Skipped { reason: skip.reason, enable: skip.enable }));
            None
        }
        Ok(Outcome::Gated(why)) => {
            loud(&format!("[{}] NOT RUN: {why}", case.name()));
            report::record(report::outcome(case, Verdict::Gated { why }));
            None
        }
        Err(e) => fail(case, &e),
    }
}

/// The scenario must have passed (scenarios without skips).
#[track_caller]
pub fn passed<R: Debug>(case: &Case, outcome: Result<R>) -> R {
    match outcome {
        Ok(r) => {
            talked(case);
            loud(&format!("[{} +{:.1}s] PASSED: {r:?}", case.name(), case.elapsed()));
            report::record(report::outcome(case, Verdict::Passed));
            r
        }
        Err(e) => fail(case, &e),
    }
}

#[track_caller]
fn fail(case: &Case, e: &E2eError) -> ! {
    let promise = e.promise().map(|p| p.name().to_owned());
    report::record(report::outcome(case, Verdict::Failed { promise, error: e.to_string() }));
    panic!("{} failed after {:.1}s against {:?}:\n  {e}", case.name(), case.elapsed(), case.target().kind)
}

/// No case passes without talking to the platform: on a stand-in, requests were served.
#[track_caller]
fn talked(case: &Case) {
    if let Some(n) = case.target().requests_served() {
        assert!(n > 0, "{}: passed without a single request reaching the stand-in", case.name());
    }
}

/// Prove `fault` against its matrix row: the story fails naming the broken promise, or
/// survives a weather fault. Panics with what went wrong with the proof.
pub async fn prove_fault(fault: molecule_e2e::standin::Fault, external: bool) {
    match molecule_e2e::scenario::matrix::prove(fault, external).await {
        Ok(line) => eprintln!("{line}"),
        Err(why) => panic!("fault {}: {why}", fault.name()),
    }
}
