//! De-flake evidence for a gate: the JUnit files of past runs (one sub-directory per run, as
//! downloaded artifacts, ordered by name), read into each job's and each case's history, the
//! current green streak and flake rate, and the verdict on a window of N runs.
//!
//! A job is a JUnit file's directory inside its run (its file stem when it sits at the run's
//! top), so `runs/0042/e2e-staging-saas/junit.xml` is job `e2e-staging-saas` of run `0042`. A
//! job is green in a run when its file is there, holds at least one case and none failed,
//! errored or passed only on a retry (nextest's `flakyFailure`): a retry that hid a failure is
//! the flake a window must not let through. The flake rate is the share of the runs a case (or
//! job) took part in that were not green.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How one case (or job) ended in one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// Passed after a failed attempt (`flakyFailure` / `rerunFailure` beside no `failure`).
    Flaky,
    Failed,
    Skipped,
    /// Not in that run at all.
    Absent,
}

impl Outcome {
    fn green(self) -> bool {
        self == Outcome::Passed
    }

    /// Whether the run says anything about it (a skip or an absence says nothing).
    fn ran(self) -> bool {
        matches!(self, Outcome::Passed | Outcome::Flaky | Outcome::Failed)
    }
}

/// Every run, oldest first, and what each job and case did in it.
#[derive(Debug, Default)]
pub struct History {
    pub runs: Vec<String>,
    /// job → one outcome per run.
    pub jobs: BTreeMap<String, Vec<Outcome>>,
    /// (job, case) → one outcome per run.
    pub cases: BTreeMap<(String, String), Vec<Outcome>>,
}

/// A streak and a rate over a history of outcomes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    /// Green runs counted back from the newest.
    pub streak: usize,
    /// Not-green runs over the runs it took part in (0 when it never ran).
    pub flake_rate: f64,
    pub ran: usize,
}

pub fn stats(outcomes: &[Outcome]) -> Stats {
    let streak = outcomes.iter().rev().take_while(|o| o.green()).count();
    let ran = outcomes.iter().filter(|o| o.ran()).count();
    let bad = outcomes.iter().filter(|o| o.ran() && !o.green()).count();
    Stats { streak, flake_rate: if ran == 0 { 0.0 } else { bad as f64 / ran as f64 }, ran }
}

/// Read `dir`: each sub-directory is a run, each `*.xml` below it a job's JUnit file.
pub fn read(dir: &Path) -> Result<History, String> {
    let mut runs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    runs.sort();
    if runs.is_empty() {
        return Err(format!("{} holds no run directories (one sub-directory per run)", dir.display()));
    }
    let mut h = History::default();
    for (i, run) in runs.iter().enumerate() {
        h.runs.push(run.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        let mut files = Vec::new();
        xml_files(run, &mut files)?;
        for file in files {
            let job = job_name(run, &file);
            let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let cases = parse_junit(&text).map_err(|e| format!("{} is not JUnit XML: {e}", file.display()))?;
            let job_outcome = if cases.is_empty() { Outcome::Failed } else { worst(cases.iter().map(|(_, o)| *o)) };
            record(h.jobs.entry(job.clone()).or_default(), i, job_outcome);
            for (case, o) in cases {
                record(h.cases.entry((job.clone(), case)).or_default(), i, o);
            }
        }
    }
    let n = h.runs.len();
    h.jobs.values_mut().chain(h.cases.values_mut()).for_each(|v| v.resize(n, Outcome::Absent));
    Ok(h)
}

/// Set run `i`'s outcome, the worse one winning when a run holds the same name twice.
fn record(v: &mut Vec<Outcome>, i: usize, o: Outcome) {
    if v.len() <= i {
        v.resize(i + 1, Outcome::Absent);
    }
    v[i] = if v[i] == Outcome::Absent { o } else { worst([v[i], o]) };
}

fn worst(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
    let rank = |o: &Outcome| match o {
        Outcome::Failed => 4,
        Outcome::Flaky => 3,
        Outcome::Passed => 2,
        Outcome::Skipped => 1,
        Outcome::Absent => 0,
    };
    outcomes.into_iter().max_by_key(rank).unwrap_or(Outcome::Absent)
}

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            xml_files(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "xml") {
            out.push(p);
        }
    }
    Ok(())
}

fn job_name(run: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(run).unwrap_or(file);
    match rel.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => parent.to_string_lossy().into_owned(),
        None => rel.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
    }
}

/// The cases of one JUnit document: `classname::name` (or `name`) and how each ended.
pub fn parse_junit(text: &str) -> Result<Vec<(String, Outcome)>, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| e.to_string())?;
    let root = doc.root_element();
    if !matches!(root.tag_name().name(), "testsuites" | "testsuite") {
        return Err(format!("the root element is <{}>, not <testsuites> or <testsuite>", root.tag_name().name()));
    }
    let mut out = Vec::new();
    for case in root.descendants().filter(|n| n.has_tag_name("testcase")) {
        let name = case.attribute("name").ok_or("a <testcase> without a name")?;
        let id = match case.attribute("classname").filter(|c| !c.is_empty()) {
            Some(class) => format!("{class}::{name}"),
            None => name.to_owned(),
        };
        let has = |tags: &[&str]| case.children().any(|c| tags.contains(&c.tag_name().name()));
        let o = if has(&["failure", "error"]) {
            Outcome::Failed
        } else if has(&["skipped"]) {
            Outcome::Skipped
        } else if has(&["flakyFailure", "flakyError", "rerunFailure", "rerunError"]) {
            Outcome::Flaky
        } else {
            Outcome::Passed
        };
        out.push((id, o));
    }
    Ok(out)
}

/// The report and whether every job's last `window` runs are green.
pub fn verdict(h: &History, window: usize) -> (String, bool) {
    let mut out = String::new();
    let pct = |s: &Stats| format!("{:.0}%", s.flake_rate * 100.0);
    let _ = writeln!(out, "{} runs, oldest first: {}", h.runs.len(), h.runs.join(", "));
    let _ = writeln!(out, "\ncases (streak = green runs back from the newest; flake rate = not green / ran):");
    for ((job, case), v) in &h.cases {
        let s = stats(v);
        let _ = writeln!(out, "  {job} :: {case}: streak {}, flake rate {} of {} runs", s.streak, pct(&s), s.ran);
    }
    let _ = writeln!(out, "\njobs:");
    let mut breaks = Vec::new();
    for (job, v) in &h.jobs {
        let s = stats(v);
        let _ = writeln!(out, "  {job}: streak {}, flake rate {} of {} runs", s.streak, pct(&s), s.ran);
        if s.streak < window {
            breaks.push(window_break(h, job, v, window));
        }
    }
    if h.runs.len() < window {
        breaks.insert(0, format!("only {} runs on disk, the window needs {window}", h.runs.len()));
    }
    let ok = breaks.is_empty() && !h.jobs.is_empty();
    if h.jobs.is_empty() {
        breaks.push("no JUnit file in any run".into());
    }
    if ok {
        let _ = writeln!(out, "\nverdict: the window holds: every job's last {window} runs are green");
    } else {
        let _ = writeln!(out, "\nverdict: the window of {window} green runs is NOT met:");
        breaks.iter().for_each(|b| {
            let _ = writeln!(out, "  - {b}");
        });
    }
    (out, ok)
}

/// What breaks `job`'s window: its newest not-green run and, there, the cases that were not.
fn window_break(h: &History, job: &str, v: &[Outcome], window: usize) -> String {
    let start = v.len().saturating_sub(window);
    let Some(i) = (start..v.len()).rev().find(|&i| !v[i].green()) else {
        return format!("{job}: green in all {} runs on disk, fewer than {window}", v.len());
    };
    let bad: Vec<String> = h
        .cases
        .iter()
        .filter(|((j, _), o)| j == job && matches!(o[i], Outcome::Failed | Outcome::Flaky))
        .map(|((_, c), o)| format!("{c} ({})", if o[i] == Outcome::Flaky { "passed on retry" } else { "failed" }))
        .collect();
    match v[i] {
        Outcome::Absent => format!("{job}: no JUnit in run {}", h.runs[i]),
        _ if bad.is_empty() => format!("{job}: run {} has no passing case", h.runs[i]),
        _ => format!("{job}: run {}: {}", h.runs[i], bad.join(", ")),
    }
}
