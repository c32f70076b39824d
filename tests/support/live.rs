//! The live tier's fixtures: the target the environment asks for (staging at
//! `MOLECULE_CP_URL`, else the embedded stand-in), cases inside the run's one org, and turning
//! a scenario's outcome into a test result (loud skips, `E2E_REQUIRE_LIVE`, failures with their
//! story).

use std::fmt::Debug;
use std::sync::{Arc, OnceLock};

use molecule_e2e::config::Settings;
use molecule_e2e::harness::{Case, Target, loud};
use molecule_e2e::scenario::Outcome;
use molecule_e2e::standin::StandIn;
use molecule_e2e::report::Verdict;
use molecule_e2e::{E2eError, Result};

use crate::support::report;

use super::run::run;
use super::standin::{embedded, target_over};

/// The platform this process talks to, and the embedded stand-in when that is it.
struct Live {
    target: Arc<Target>,
    standin: Option<Arc<StandIn>>,
}

fn live() -> &'static std::result::Result<Live, String> {
    static LIVE: OnceLock<std::result::Result<Live, String>> = OnceLock::new();
    LIVE.get_or_init(|| {
        let settings = Settings::from_env().map_err(|e| e.to_string())?;
        match Target::from_settings(settings.clone()).map_err(|e| e.to_string())? {
            Some(t) => Ok(Live { target: t, standin: None }),
            None => {
                let s = embedded()?;
                Ok(Live { target: target_over(&s, settings, None), standin: Some(s) })
            }
        }
    })
}

/// A case in the run's org, against the target the environment selects. Panics with the
/// reason when the environment is unusable.
#[track_caller]
pub fn case(name: &str) -> Case {
    match live() {
        Ok(l) => {
            let c = Case::in_run(name, l.target.clone(), run(&l.target));
            report::begin(&c);
            c
        }
        Err(e) => panic!("{name}: cannot select a target: {e}"),
    }
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

/// No case passes without talking to the platform about its own workspaces: on the embedded
/// stand-in, requests concerning them were served. (A pinned rejection creates none and has
/// nothing to count.)
#[track_caller]
fn talked(case: &Case) {
    let Ok(Live { standin: Some(s), .. }) = live() else { return };
    let owned = case.workspaces();
    if owned.is_empty() {
        return;
    }
    let served: u64 = owned.iter().map(|o| s.requests_for_workspace(&o.id)).sum();
    assert!(served > 0, "{}: passed without a single request about its workspaces reaching the stand-in", case.name());
}

/// The `--ignored` cases this test binary holds (libtest's own `--list`, so the names are the
/// ones nextest and filters see), minus `run_end::` (the harness's own tests), must be exactly
/// the declared live cases of `target` (`arms::live_cases`).
#[track_caller]
pub fn assert_live_cases(target: &str) {
    let exe = std::env::current_exe().expect("this test binary");
    let out = std::process::Command::new(exe)
        .args(["--list", "--ignored"])
        .output()
        .expect("list the cases");
    let listing = String::from_utf8_lossy(&out.stdout);
    let mut held: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .filter(|n| !n.starts_with("run_end::"))
        .collect();
    let mut declared = molecule_e2e::scenario::arms::live_cases(target);
    held.sort_unstable();
    declared.sort();
    assert!(!declared.is_empty(), "no live cases declared for {target}");
    assert_eq!(
        held, declared,
        "{target}: the live cases held (left) are not the declared ones (right)"
    );
}
