//! The fault matrix: each stand-in fault, the story it is run under, and the verdict the suite
//! must reach: fail naming the broken promise, or survive. A row counts only when its fault
//! was seen to fire, so a story that fails (or survives) for some other reason proves nothing.

// Failures carry their whole story, as in the library (which allows the same lint).
#![allow(clippy::result_large_err)]

use std::time::Duration;

use molecule_e2e::config::{Settings, Timeouts};
use molecule_e2e::generation::Generation;
use molecule_e2e::harness::Case;
use molecule_e2e::scenario::{Outcome, arms, external, lifecycle, saas};
use molecule_e2e::standin::{Delays, Fault, StandIn, StandInConfig, Verdict};
use molecule_e2e::{E2eError, Result};

use super::standin::target_over;

/// A scenario, as the matrix runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Story {
    Arm(&'static str),
    /// The lifecycle on the hermes arm.
    PauseResume,
    HibernateWake,
    ExternalTransitions,
    ByoMeta(&'static str),
    ByoRoundTrip,
    /// A cross-runtime delegation: parent arm, child arm.
    Cross(&'static str, &'static str),
}

impl Story {
    pub fn name(&self) -> String {
        match self {
            Story::Arm(a) => format!("arm::{a}"),
            Story::PauseResume => "lifecycle::pause_resume".into(),
            Story::HibernateWake => "lifecycle::hibernate_wake".into(),
            Story::ExternalTransitions => "external::transitions".into(),
            Story::ByoMeta(rt) => format!("external::{}", rt.replace('-', "_")),
            Story::ByoRoundTrip => "external::byo_round_trip".into(),
            Story::Cross(p, c) => molecule_e2e::scenario::cross::case_name(p, c),
        }
    }

    /// The story a fault's proof names (its live case's name); `None` for no story the matrix
    /// can run.
    pub fn parse(name: &'static str) -> Option<Story> {
        Some(match name {
            "lifecycle::pause_resume" => Story::PauseResume,
            "lifecycle::hibernate_wake" => Story::HibernateWake,
            "external::transitions" => Story::ExternalTransitions,
            "external::kimi" => Story::ByoMeta("kimi"),
            "external::kimi_cli" => Story::ByoMeta("kimi-cli"),
            "external::byo_round_trip" => Story::ByoRoundTrip,
            _ if name.starts_with("cross::") => {
                let pairs = molecule_e2e::scenario::cross::CROSS_PAIRS;
                let &(p, c) = pairs.iter().find(|(p, c)| molecule_e2e::scenario::cross::case_name(p, c) == name)?;
                Story::Cross(p, c)
            }
            _ => Story::Arm(arms::arm(name.strip_prefix("arm::")?)?.name),
        })
    }

    /// Whether the story belongs to the external target (`staging_external`).
    pub fn is_external(&self) -> bool {
        matches!(self, Story::ExternalTransitions | Story::ByoMeta(_) | Story::ByoRoundTrip)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub fault: Fault,
    pub story: Story,
    pub verdict: Verdict,
    /// The generation the row's stand-in and suite run as: the proof's `@<commit>`, else latest.
    pub generation: &'static Generation,
}

/// A proof's story name and the generation its `@<commit>` names (latest without one).
pub fn split_generation(story: &'static str) -> (&'static str, &'static Generation) {
    match story.split_once('@') {
        Some((name, commit)) => {
            (name, Generation::parse(commit).unwrap_or_else(|e| panic!("story {story:?}: {e}")))
        }
        None => (story, molecule_e2e::generation::latest()),
    }
}

use Verdict::{Fails, Survives};

/// Every proof of every fault of the stand-in's catalogue (`molecule_e2e::fault_table!`), as a
/// row the matrix runs. A proof naming no story the matrix can run panics here, by name.
pub static MATRIX: std::sync::LazyLock<Vec<Row>> = std::sync::LazyLock::new(|| {
    Fault::ALL
        .iter()
        .flat_map(|&fault| fault.proofs().iter().map(move |p| (fault, p)))
        .map(|(fault, p)| {
            let (name, generation) = split_generation(p.story);
            let story = Story::parse(name)
                .unwrap_or_else(|| panic!("fault {}: its proof names {:?}, which is no story", fault.name(), p.story));
            Row { fault, story, verdict: p.verdict, generation }
        })
        .collect()
});

/// The matrix rows of `fault`.
pub fn rows_of(fault: Fault) -> Vec<&'static Row> {
    MATRIX.iter().filter(|r| r.fault == fault).collect()
}

/// The fault table as the docs show it (`docs/standin.md`, checked there by a test).
pub fn markdown_table() -> String {
    let mut out = String::from("| fault | what it breaks | story | the suite must |\n| --- | --- | --- | --- |\n");
    for r in MATRIX.iter() {
        let verdict = match r.verdict {
            Fails(p) => format!("fail naming `[{p}]`"),
            Survives => "survive (stay green)".to_owned(),
        };
        let what = r.fault.description().replace('|', "\\|");
        let at = if r.generation.is_latest() { String::new() } else { format!(" at {}", r.generation.commit) };
        out.push_str(&format!("| `{}` | {what} | `{}`{at} | {verdict} |\n", r.fault.name(), r.story.name()));
    }
    out
}

/// The matrix's stand-ins run at a fifth of the `fast` profile's delays (org 30 ms, workspace
/// 40 ms, wake 40 ms, stale 200 ms), so a row whose broken promise only shows as a deadline
/// passing (a resume that stays paused, an org still listed) ends within half a second of it.
/// Boot turns last 20 ms: every arm meets one per workspace, and the rows that need a turn
/// queued behind one (the queue faults) hold it until one is.
pub fn matrix_delays() -> Delays {
    Delays {
        org_ready: Duration::from_millis(30),
        provision: Duration::from_millis(40),
        wake: Duration::from_millis(40),
        stale_after: Duration::from_millis(200),
        boot_turn: Duration::from_millis(20),
        ..Delays::fast()
    }
}

/// Deadlines for fault runs, about ten times the matrix's delays (and over twice the slow
/// provisioning fault's five-fold delay): a healthy step never runs out, a broken promise
/// shows within half a second. Org readiness keeps a wider margin: no row waits it out (an
/// org that never runs goes `failed` at once), and a loaded machine is slow to first answer.
pub const FAULT_TIMEOUTS: Timeouts = Timeouts {
    provision: Duration::from_secs(2),
    workspace_online: Duration::from_millis(500),
    child_activity: Duration::from_millis(400),
    stale_poll_deadline: Duration::from_millis(600),
    transient_retries: 6,
    transition: Duration::from_millis(350),
    teardown: Duration::from_secs(1),
    room: Duration::from_secs(2),
    // Six interrupt re-sends at the matrix's 50 ms pause (`FAULT_RETRY_MAX`) fit with room
    // for a loaded machine; a queue that never resolves fails within it.
    a2a_answer: Duration::from_millis(800),
    // Whole seconds (the prompt says `sleep <secs>`); the forced hibernate or the teardown
    // cuts it off, so no row waits it out.
    busy_turn: Duration::from_secs(5),
};

/// The longest pause between a fault run's retries (and its interrupt re-sends): a quarter
/// of the hermetic 200 ms, so the rows whose weather is retried end in a few matrix delays.
pub const FAULT_RETRY_MAX: Duration = Duration::from_millis(50);

/// Run `story` as a case; `Ok(())` when it passed.
pub async fn run_story(case: &Case, story: Story) -> Result<()> {
    fn ran<R: std::fmt::Debug>(story: Story, o: Outcome<R>) -> Result<()> {
        match o {
            Outcome::Ran(_) => Ok(()),
            other => Err(E2eError::Unmet(format!("{} did not run: {other:?}", story.name()))),
        }
    }
    let hermes = arms::arm("hermes").expect("the hermes arm");
    match story {
        Story::Arm(name) => {
            let arm = arms::arm(name).ok_or_else(|| E2eError::Unmet(format!("no arm {name}")))?;
            ran(story, saas::runtime_arm(case, arm).await?)
        }
        Story::PauseResume => ran(story, lifecycle::pause_resume(case, hermes).await?),
        Story::HibernateWake => ran(story, lifecycle::hibernate_wake(case, hermes).await?),
        Story::ExternalTransitions => external::external_transitions(case).await.map(drop),
        Story::ByoMeta(rt) => {
            let rt: &'static str = if rt == "kimi" { "kimi" } else { "kimi-cli" };
            external::byo_meta_runtime(case, rt).await.map(drop)
        }
        Story::ByoRoundTrip => external::byo_round_trip(case).await.map(drop),
        Story::Cross(p, c) => ran(story, molecule_e2e::scenario::cross::cross_delegation(case, p, c).await?),
    }
}

/// Run `fault`'s rows and check each verdict; the error says what went wrong with the proof.
/// The first call starts every row at once on the machinery runtime (each row has a stand-in
/// of its own), so the matrix takes as long as its slowest row rather than the sum over the
/// test harness's few threads.
pub async fn prove(fault: Fault) -> std::result::Result<String, String> {
    let rows: Vec<usize> = (0..MATRIX.len()).filter(|&i| MATRIX[i].fault == fault).collect();
    if rows.is_empty() {
        return Err(format!("fault {} has no proof in the fault table", fault.name()));
    }
    // nextest runs each test in a process of its own: prove only this fault's rows there
    // (cargo test's one process starts every row of the binary at once, below).
    if molecule_e2e::config::env_value("NEXTEST_EXECUTION_MODE").unwrap_or_else(|e| panic!("{e}")).is_some_and(|m| m == "process-per-test") {
        let mut lines = Vec::new();
        for i in rows {
            lines.push(prove_row_with(&MATRIX[i], &[MATRIX[i].fault]).await?);
        }
        return Ok(lines.join("\n"));
    }
    let results = all_rows();
    let mut lines = Vec::new();
    for i in rows {
        let mut rx = results[i].clone();
        let answer = rx.wait_for(Option::is_some).await.map_err(|e| format!("row {i} never answered: {e}"))?;
        lines.push(answer.clone().expect("waited for an answer")?);
    }
    Ok(lines.join("\n"))
}

type RowAnswer = Option<std::result::Result<String, String>>;

/// Every row, started once: a receiver per matrix row.
fn all_rows() -> &'static [tokio::sync::watch::Receiver<RowAnswer>] {
    static STARTED: std::sync::OnceLock<Vec<tokio::sync::watch::Receiver<RowAnswer>>> = std::sync::OnceLock::new();
    STARTED.get_or_init(|| {
        MATRIX
            .iter()
            .map(|row| {
                let (tx, rx) = tokio::sync::watch::channel(None);
                super::standin::machinery().spawn(async move {
                    let answer = prove_row_with(row, &[row.fault]).await;
                    // Receivers live in a static: the send cannot fail.
                    tx.send_replace(Some(answer));
                });
                rx
            })
            .collect()
    })
}

/// Run one row on a fresh stand-in started with `faults` (the row's own fault, or none to show
/// that a row without its fault does not count as caught).
pub async fn prove_row_with(row: &Row, faults: &[Fault]) -> std::result::Result<String, String> {
    let cfg = StandInConfig::new().with_platform(row.generation).with_delays(matrix_delays()).with_faults(faults.iter().copied());
    let standin = StandIn::start(cfg, ([127, 0, 0, 1], 0).into()).await.expect("start a stand-in");
    let settings = Settings { platform: row.generation, ..Settings::hermetic() };
    let mut target = target_over(&standin, settings, Some(FAULT_TIMEOUTS));
    std::sync::Arc::get_mut(&mut target).expect("a target of its own").retry.max_delay = FAULT_RETRY_MAX;
    let case = Case::captured(format!("fault::{}→{}", row.fault.name(), row.story.name()), target);
    let result = run_story(&case, row.story).await;
    verdict(row, &standin, result)
}

/// A row passes only if its fault fired; then a fail row needs a failure naming its promise,
/// a survive row a pass.
fn verdict(row: &Row, standin: &StandIn, result: Result<()>) -> std::result::Result<String, String> {
    let (fault, story) = (row.fault, row.story.name());
    let hits = standin.fault_hits(fault);
    if hits == 0 {
        return Err(format!(
            "{story} under {}: the fault never fired, so the row proves nothing (story result: {})",
            fault.name(),
            match &result {
                Ok(()) => "passed".to_owned(),
                Err(e) => format!("failed: {e}"),
            }
        ));
    }
    match (row.verdict, result) {
        (Survives, Ok(())) => Ok(format!("{story} survived {} ({hits} hits)", fault.name())),
        (Survives, Err(e)) => Err(format!("{story} must survive {} but failed: {e}", fault.name())),
        (Fails(p), Err(e)) if e.promise() == Some(p) => Ok(format!("{story} failed naming [{p}] ({hits} hits): {e}")),
        (Fails(p), Err(e)) => Err(format!(
            "{story} under {} failed, but named {:?} instead of [{p}]: {e}",
            fault.name(),
            e.promise().map(|p| p.name())
        )),
        (Fails(p), Ok(())) => Err(format!("{story} passed under {}: the check for [{p}] cannot fail", fault.name())),
    }
}

/// Prove `fault` against its matrix rows; panics with what went wrong with the proof.
pub async fn prove_fault(fault: Fault) {
    let started = std::time::Instant::now();
    match prove(fault).await {
        Ok(line) => eprintln!("[{:.2}s] {line}", started.elapsed().as_secs_f64()),
        Err(why) => panic!("fault {}: {why}", fault.name()),
    }
}
