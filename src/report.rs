//! A run's summary: one record per live case (outcome, milestones and when each was reached),
//! appended as a JSON line by the process that ran the case, and rendered as Markdown once the
//! run ends (by the test process under `cargo test`, by `molecule-e2e report` under nextest,
//! where every case is its own process). Also what the platform said about a failing case,
//! captured before its teardown removes the evidence.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// How one case ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    Passed,
    /// Failed; `promise` is the broken promise's name when the error names one.
    Failed { promise: Option<String>, error: String },
    /// A prerequisite is missing: the reason and how to enable it.
    Skipped { reason: String, enable: String },
    /// Turned off by explicit configuration.
    Gated { why: String },
    /// The arm table pins a rejection and the platform gave exactly it.
    ExpectedRed { what: String },
}

impl Verdict {
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed { .. } => "FAILED",
            Verdict::Skipped { .. } => "skipped",
            Verdict::Gated { .. } => "gated",
            Verdict::ExpectedRed { .. } => "expected red",
        }
    }

    /// Whether the case proved something live (the `E2E_REQUIRE_LIVE` count).
    pub fn ran_live(&self) -> bool {
        matches!(self, Verdict::Passed | Verdict::Failed { .. } | Verdict::ExpectedRed { .. })
    }
}

/// One case's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    /// The test binary (`staging_saas`).
    pub binary: String,
    /// The case's name (`arm::hermes`).
    pub case: String,
    pub verdict: Verdict,
    /// Wall time of the case, seconds.
    pub secs: f64,
    /// Each milestone reached and the seconds since the case started when it was.
    pub milestones: Vec<(String, f64)>,
    /// Where the platform's state at failure was written, if it was.
    pub state_file: Option<String>,
}

impl CaseRecord {
    /// The record as one JSON line (with its newline), for appending.
    pub fn to_line(&self) -> String {
        let mut s = serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"unserialisable\":\"{e}\"}}"));
        s.push('\n');
        crate::redact::scrub(&s)
    }
}

/// Parse a records file; a line that does not parse is an error naming it.
pub fn parse_records(text: &str) -> Result<Vec<CaseRecord>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("record line {}: {e}: {}", i + 1, crate::redact::cut(l, 200))))
        .collect()
}

fn milestones_cell(r: &CaseRecord) -> String {
    if r.milestones.is_empty() {
        return "none".into();
    }
    r.milestones.iter().map(|(m, s)| format!("{m} {s:.1}s")).collect::<Vec<_>>().join(" → ")
}

fn detail_cell(v: &Verdict) -> String {
    let text = match v {
        Verdict::Passed => String::new(),
        Verdict::Failed { promise: Some(p), error } => format!("broke `[{p}]`: {error}"),
        Verdict::Failed { promise: None, error } => error.clone(),
        Verdict::Skipped { reason, .. } => reason.clone(),
        Verdict::Gated { why } => why.clone(),
        Verdict::ExpectedRed { what } => what.clone(),
    };
    crate::redact::cut(&text.replace('|', "\\|").replace('\n', " "), 300)
}

/// The counts line: `11 cases: 8 passed, 1 failed, 1 expected red, 1 skipped, 0 gated`.
pub fn counts(records: &[CaseRecord]) -> String {
    let n = |w: &str| records.iter().filter(|r| r.verdict.word() == w).count();
    format!(
        "{} cases: {} passed, {} failed, {} expected red, {} skipped, {} gated",
        records.len(),
        n("passed"),
        n("FAILED"),
        n("expected red"),
        n("skipped"),
        n("gated")
    )
}

/// The Markdown summary: one line per case, then what this run did not prove, then failures.
pub fn render(title: &str, records: &[CaseRecord]) -> String {
    let mut md = format!("## {title}\n\n");
    if records.is_empty() {
        md.push_str("**No live case ran.**\n");
        return md;
    }
    md.push_str("| case | outcome | detail | milestones (time since the case started) | time |\n|---|---|---|---|---|\n");
    for r in records {
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | {} | {:.1}s |",
            r.case,
            r.verdict.word(),
            detail_cell(&r.verdict),
            milestones_cell(r),
            r.secs
        );
    }
    let _ = writeln!(md, "\n**{}**", counts(records));
    let unproven: Vec<_> = records.iter().filter(|r| !r.verdict.ran_live()).collect();
    if !unproven.is_empty() {
        md.push_str("\n### Not proven by this run (skipped or gated)\n\n");
        for r in unproven {
            let how = match &r.verdict {
                Verdict::Skipped { enable, .. } => format!(" (to run it: {enable})"),
                _ => String::new(),
            };
            let _ = writeln!(md, "- `{}` {}: {}{how}", r.case, r.verdict.word(), detail_cell(&r.verdict));
        }
    }
    let failed: Vec<_> = records.iter().filter(|r| matches!(r.verdict, Verdict::Failed { .. })).collect();
    if !failed.is_empty() {
        md.push_str("\n### Failures\n\n");
        for r in failed {
            let state = r.state_file.as_deref().map(|p| format!(" — platform state: `{p}`")).unwrap_or_default();
            let _ = writeln!(md, "- `{}`: {}{state}", r.case, detail_cell(&r.verdict));
        }
    }
    md
}

/// The run selected exactly `expect` live cases (a renamed or dropped case shows here).
pub fn check_count(records: &[CaseRecord], expect: usize) -> Result<(), String> {
    if records.len() == expect {
        return Ok(());
    }
    let names: Vec<_> = records.iter().map(|r| r.case.as_str()).collect();
    Err(format!(
        "expected {expect} live cases, the run recorded {}: {names:?}. A case was renamed, dropped or \
         filtered out: update the workflow's expected count only after checking which",
        records.len()
    ))
}

/// What the platform said about a failing case, keyed by case name: captured by the harness
/// before teardown, picked up by the test's failure path.
static STATES: Mutex<Option<HashMap<String, String>>> = Mutex::new(None);

/// Keep `state` (already redacted) for `case`.
pub fn keep_state(case: &str, state: String) {
    let mut g = STATES.lock().unwrap_or_else(|p| p.into_inner());
    g.get_or_insert_with(HashMap::new).insert(case.to_owned(), state);
}

/// The state kept for `case`, if any (taken: each is written once).
pub fn take_state(case: &str) -> Option<String> {
    STATES.lock().unwrap_or_else(|p| p.into_inner()).as_mut().and_then(|m| m.remove(case))
}

/// What the platform says right now about `org_slug` and the workspaces `ids` (all of the
/// tenant's when empty): org row, workspace rows, their last activity rows, terminal diagnose.
/// Every read is best effort and its error is written in its place; tokens are scrubbed.
pub async fn platform_state(
    cp: &crate::client::ControlPlane,
    tenant: Option<&crate::client::Tenant>,
    org_slug: &str,
    ids: &[String],
) -> String {
    let mut out = String::new();
    match cp.org(org_slug).await {
        Ok(o) => {
            let _ = writeln!(out, "### org {org_slug}\n\n```\n{o:#?}\n```");
        }
        Err(e) => {
            let _ = writeln!(out, "### org {org_slug}\n\nGET failed: {e}");
        }
    }
    let Some(tenant) = tenant else {
        out.push_str("\n(no tenant client: the org never served)\n");
        return crate::redact::scrub(&out);
    };
    let ids: Vec<String> = if ids.is_empty() {
        match tenant.list_workspaces().await {
            Ok(rows) => rows.into_iter().map(|r| r.id).collect(),
            Err(e) => {
                let _ = writeln!(out, "\nlisting workspaces failed: {e}");
                Vec::new()
            }
        }
    } else {
        ids.to_vec()
    };
    for id in ids {
        let _ = writeln!(out, "\n### workspace {id}\n");
        match tenant.get_workspace(&id).await {
            Ok(row) => {
                let _ = writeln!(out, "```\n{row:#?}\n```");
            }
            Err(e) => {
                let _ = writeln!(out, "GET failed: {e}");
            }
        }
        match tenant.activity(&id, &crate::client::ActivityQuery::default().limit(5)).await {
            Ok(rows) => {
                let _ = writeln!(out, "last activity rows:\n```\n{rows:#?}\n```");
            }
            Err(e) => {
                let _ = writeln!(out, "activity failed: {e}");
            }
        }
        match tenant.diagnose(&id).await {
            Ok(v) => {
                let _ = writeln!(out, "terminal diagnose:\n```\n{:#}\n```", crate::redact::json(&v));
            }
            Err(e) => {
                let _ = writeln!(out, "diagnose failed: {e}");
            }
        }
    }
    crate::redact::scrub(&out)
}
