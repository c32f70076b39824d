//! The run summary's collecting side. Every live case records how it ended (`record`); at the
//! end of the process (`finish_run`, from an exit hook) the summary is printed, appended to
//! `$GITHUB_STEP_SUMMARY` and written to `E2E_REPORT` (Markdown; the records go to
//! `<E2E_REPORT>.jsonl`, failure states to `<E2E_REPORT>.state-<case>.md`, next to it).
//!
//! Under nextest each case is its own process: processes only append their record, and
//! `molecule-e2e report --records <E2E_REPORT>.jsonl` renders the run (the workflows do).
//! Under `E2E_REQUIRE_LIVE=1` a live test binary that executed no live case fails, naming the
//! filter that selected nothing.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use molecule_e2e::harness::{Case, loud};
use molecule_e2e::report::{CaseRecord, Verdict, render};

/// What `record` takes: one case's record (the agreed name).
pub type CaseOutcome = CaseRecord;

/// The test binaries whose `--ignored` cases are the live tier.
const LIVE_BINARIES: &[&str] = &["staging_saas", "staging_external"];

static RECORDS: Mutex<Vec<CaseRecord>> = Mutex::new(Vec::new());
/// Cases begun and not yet recorded (a panic before `record` is still reported, as failed).
static OPEN: Mutex<Vec<(String, std::time::Instant)>> = Mutex::new(Vec::new());

/// The test binary's name, without cargo's hash suffix.
pub fn binary() -> String {
    let exe = std::env::current_exe().ok();
    let stem = exe.as_ref().and_then(|p| p.file_stem()).and_then(|s| s.to_str()).unwrap_or("tests");
    match stem.rsplit_once('-') {
        Some((name, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => name.to_owned(),
        _ => stem.to_owned(),
    }
}

/// `E2E_REPORT`, when set.
pub fn report_path() -> Option<PathBuf> {
    molecule_e2e::config::env_value("E2E_REPORT").unwrap_or_else(|e| panic!("{e}")).map(PathBuf::from)
}

fn sidecar(suffix: &str) -> Option<PathBuf> {
    report_path().map(|p| {
        let mut s = p.into_os_string();
        s.push(suffix);
        PathBuf::from(s)
    })
}

/// Note that `case` began (the exit hook reports it as failed if it never records).
pub fn begin(case: &Case) {
    install_exit_hook();
    OPEN.lock().unwrap_or_else(|p| p.into_inner()).push((case.name().to_owned(), std::time::Instant::now()));
}

/// The record of `case` ending with `verdict` (milestones and timings from the case).
pub fn outcome(case: &Case, verdict: Verdict) -> CaseOutcome {
    CaseRecord {
        binary: binary(),
        case: case.name().to_owned(),
        verdict,
        secs: case.elapsed(),
        milestones: case.milestones_timed().into_iter().map(|(m, d)| (m.name().to_owned(), d.as_secs_f64())).collect(),
        state_file: None,
    }
}

/// Record how a case ended: kept for this process's summary and appended to the run's records.
pub fn record(mut outcome: CaseOutcome) {
    OPEN.lock().unwrap_or_else(|p| p.into_inner()).retain(|(n, _)| *n != outcome.case);
    if matches!(outcome.verdict, Verdict::Failed { .. }) {
        outcome.state_file = write_state(&outcome.case);
    }
    loud(&format!("[{}] summary: {} {}", outcome.case, outcome.verdict.word(), detail(&outcome.verdict)));
    if let Some(path) = sidecar(".jsonl") {
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(outcome.to_line().as_bytes()));
        if let Err(e) = appended {
            loud(&format!("[{}] cannot append the record to {}: {e}", outcome.case, path.display()));
        }
    }
    RECORDS.lock().unwrap_or_else(|p| p.into_inner()).push(outcome);
}

fn detail(v: &Verdict) -> String {
    match v {
        Verdict::Passed => String::new(),
        Verdict::Failed { promise, error } => {
            format!("{}{}", promise.as_deref().map(|p| format!("[{p}] ")).unwrap_or_default(), error)
        }
        Verdict::Skipped { reason, enable } => format!("{reason} (to run it: {enable})"),
        Verdict::Gated { why } => why.clone(),
        Verdict::ExpectedRed { what } => what.clone(),
    }
}

/// Write what the platform said about a failing case (kept by the harness before teardown)
/// next to the summary; returns where.
fn write_state(case: &str) -> Option<String> {
    let state = molecule_e2e::report::take_state(case)?;
    let file = format!(".state-{}.md", case.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_"));
    let path = sidecar(&file).unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(&file[1..]));
    let text = format!("# {case}: what the platform said when it failed\n\n{state}");
    match std::fs::write(&path, text) {
        Ok(()) => {
            loud(&format!("[{case}] platform state at failure written to {}", path.display()));
            Some(path.display().to_string())
        }
        Err(e) => {
            loud(&format!("[{case}] cannot write the platform state to {}: {e}", path.display()));
            None
        }
    }
}

fn args() -> Vec<String> {
    std::env::args().skip(1).collect()
}

/// The run has ended: report open cases as failed, print and write the summary, and say
/// whether the run must fail (a live binary that ran no live case under E2E_REQUIRE_LIVE=1).
/// Idempotent: the harness's exit hook and this module's may both call it.
pub fn finish_run() -> bool {
    static DONE: OnceLock<bool> = OnceLock::new();
    *DONE.get_or_init(finish_once)
}

fn finish_once() -> bool {
    let args = args();
    // Listing (nextest's discovery, `-- --list`) runs nothing: nothing to report.
    if args.iter().any(|a| a == "--list") {
        return false;
    }
    let open: Vec<_> = std::mem::take(&mut *OPEN.lock().unwrap_or_else(|p| p.into_inner()));
    for (name, started) in open {
        record(CaseRecord {
            binary: binary(),
            case: name,
            verdict: Verdict::Failed { promise: None, error: "panicked before reporting (see the test's output)".into() },
            secs: started.elapsed().as_secs_f64(),
            milestones: Vec::new(),
            state_file: None,
        });
    }
    let records = RECORDS.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let bin = binary();
    let live_binary = LIVE_BINARIES.contains(&bin.as_str());
    // Under nextest the run is many processes: `molecule-e2e report` renders it.
    let nextest = molecule_e2e::config::env_var_os("NEXTEST_RUN_ID").is_some();
    let asked_live = args.iter().any(|a| a == "--ignored" || a == "--include-ignored");
    if !nextest && (!records.is_empty() || (live_binary && asked_live)) {
        publish(&bin, &records);
    }
    // Read as the settings read it (`1` or `true`); a bad value already failed every case by
    // name, and here it counts as set: the hook fails closed.
    let require_live = molecule_e2e::config::env_flag("E2E_REQUIRE_LIVE").unwrap_or(true);
    if require_live && live_binary && !nextest && !records.iter().any(|r| r.verdict.ran_live()) {
        loud(&format!(
            "E2E_REQUIRE_LIVE=1: {bin} executed no live case. The filter `{}` selected none of its live \
             cases (they are #[ignore]d: pass `-- --ignored`, and check the case names with `-- --ignored --list`)",
            args.join(" ")
        ));
        return true;
    }
    false
}

fn publish(bin: &str, records: &[CaseRecord]) {
    let mut md = render(&format!("molecule-e2e: {bin}"), records);
    if let Some(fp) = super::run::footprint().filter(|fp| fp.created > 0) {
        md.push_str(&format!("\n**{}**\n", fp.line()));
    }
    loud(&format!("\n{md}"));
    if let Some(path) = molecule_e2e::config::env_value("GITHUB_STEP_SUMMARY").unwrap_or_else(|e| panic!("{e}")) {
        let written = std::fs::OpenOptions::new().create(true).append(true).open(&path).and_then(|mut f| f.write_all(md.as_bytes()));
        if let Err(e) = written {
            loud(&format!("cannot append the summary to GITHUB_STEP_SUMMARY: {e}"));
        }
    }
    // E2E_REPORT holds every record of the run so far (binaries run one after another).
    if let (Some(out), Some(jsonl)) = (report_path(), sidecar(".jsonl")) {
        let all = std::fs::read_to_string(&jsonl)
            .map_err(|e| e.to_string())
            .and_then(|t| molecule_e2e::report::parse_records(&t));
        let written = match all {
            Ok(all) => std::fs::write(&out, render("molecule-e2e run summary", &all)).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match written {
            Ok(()) => loud(&format!("summary written to {}", out.display())),
            Err(e) => loud(&format!("cannot write the summary to {}: {e}", out.display())),
        }
    }
}

/// Run `finish_run` when the process exits, and exit 1 when it says the run must fail.
/// libtest has no end-of-run hook: a C `atexit` handler, registered from an ELF constructor so
/// that it is in place even when the filter selects no test at all.
fn install_exit_hook() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        // SAFETY: `atexit` only stores the function pointer; `on_exit` is `extern "C"` and
        // does not unwind (it catches panics).
        let rc = unsafe { atexit(on_exit) };
        if rc != 0 {
            loud("cannot register the run's exit hook: no summary, no E2E_REQUIRE_LIVE run check");
        }
    });
}

unsafe extern "C" {
    fn atexit(cb: extern "C" fn()) -> std::os::raw::c_int;
    fn _exit(code: std::os::raw::c_int) -> !;
}

extern "C" fn on_exit() {
    let must_fail = std::panic::catch_unwind(finish_run).unwrap_or(true);
    if must_fail {
        // SAFETY: `_exit` ends the process at once; calling it from an exit handler is allowed
        // (unlike `exit`), and everything the summary wrote is already on disk or stderr.
        unsafe { _exit(1) }
    }
}

#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static REGISTER_EXIT_HOOK: extern "C" fn() = {
    extern "C" fn register() {
        install_exit_hook();
    }
    register
};
