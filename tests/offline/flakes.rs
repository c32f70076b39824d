//! `molecule-e2e flakes <dir> --window N` over directories of run artifacts built here: one
//! sub-directory per run, one JUnit file per job, as nextest writes them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A JUnit document with these cases: (classname, name, child element or "" for a pass).
fn junit(cases: &[(&str, &str, &str)]) -> String {
    let body: String = cases
        .iter()
        .map(|(class, name, child)| match *child {
            "" => format!(r#"<testcase classname="{class}" name="{name}" time="0.1"/>"#),
            tag => format!(r#"<testcase classname="{class}" name="{name}"><{tag} message="boom">x</{tag}></testcase>"#),
        })
        .collect();
    format!(r#"<?xml version="1.0"?><testsuites name="ci"><testsuite name="s" tests="{}">{body}</testsuite></testsuites>"#, cases.len())
}

/// A directory of artifacts, removed when the test ends.
struct Artifacts(PathBuf);

impl std::ops::Deref for Artifacts {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Artifacts {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh artifacts directory: each run a list of (job, cases).
fn artifacts(runs: &[(&str, Vec<(&str, String)>)]) -> Artifacts {
    let dir = std::env::temp_dir().join(format!("flakes-{}", uuid::Uuid::new_v4().simple()));
    for (run, jobs) in runs {
        for (job, xml) in jobs {
            let at = dir.join(run).join(job);
            std::fs::create_dir_all(&at).expect("mkdir");
            std::fs::write(at.join("junit.xml"), xml).expect("write");
        }
    }
    Artifacts(dir)
}

fn green_saas() -> String {
    junit(&[("staging_saas", "arm::hermes", ""), ("staging_saas", "arm::codex", "")])
}
fn red_saas() -> String {
    junit(&[("staging_saas", "arm::hermes", "failure"), ("staging_saas", "arm::codex", "")])
}
fn green_ext() -> String {
    junit(&[("staging_external", "external::transitions", "")])
}

/// Run the command: its exit code and stdout (stderr appended).
fn flakes(dir: &Path, window: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_molecule-e2e"))
        .args(["flakes", &dir.to_string_lossy(), "--window", window])
        .output()
        .expect("the binary runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// Four nightly runs: saas failed in the first, everything green since.
fn four_runs() -> Artifacts {
    artifacts(&[
        ("2026-12-01", vec![("saas", red_saas()), ("external", green_ext())]),
        ("2026-12-02", vec![("saas", green_saas()), ("external", green_ext())]),
        ("2026-12-03", vec![("saas", green_saas()), ("external", green_ext())]),
        ("2026-12-04", vec![("saas", green_saas()), ("external", green_ext())]),
    ])
}

#[test]
fn three_green_runs_hold_a_window_of_three_and_print_streaks_and_rates() {
    let (code, text) = flakes(&four_runs(), "3");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("saas :: staging_saas::arm::hermes: streak 3, flake rate 25% of 4 runs"), "{text}");
    assert!(text.contains("external :: staging_external::external::transitions: streak 4, flake rate 0% of 4 runs"), "{text}");
    assert!(text.contains("saas: streak 3, flake rate 25% of 4 runs"), "{text}");
    assert!(text.contains("verdict: the window holds"), "{text}");
}

#[test]
fn a_window_reaching_the_red_run_fails_naming_the_job_run_and_case() {
    let (code, text) = flakes(&four_runs(), "4");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("NOT met") && text.contains("saas: run 2026-12-01: staging_saas::arm::hermes (failed)"), "{text}");
    assert!(!text.contains("  - external"), "the external job holds its window: {text}");
}

#[test]
fn a_pass_on_retry_is_a_flake_that_breaks_the_window() {
    let retried = junit(&[("staging_saas", "arm::hermes", "flakyFailure"), ("staging_saas", "arm::codex", "")]);
    let dir = artifacts(&[("r1", vec![("saas", green_saas())]), ("r2", vec![("saas", retried)])]);
    let (code, text) = flakes(&dir, "2");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("run r2: staging_saas::arm::hermes (passed on retry)"), "{text}");
}

#[test]
fn a_job_missing_from_a_run_breaks_its_window() {
    let dir = artifacts(&[
        ("r1", vec![("saas", green_saas()), ("external", green_ext())]),
        ("r2", vec![("saas", green_saas())]),
    ]);
    let (code, text) = flakes(&dir, "2");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("external: no JUnit in run r2"), "{text}");
}

#[test]
fn fewer_runs_than_the_window_is_not_enough_evidence() {
    let dir = artifacts(&[("r1", vec![("saas", green_saas())])]);
    let (code, text) = flakes(&dir, "5");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("only 1 runs on disk, the window needs 5"), "{text}");
}

#[test]
fn an_unreadable_directory_or_a_broken_file_is_an_error_not_a_verdict() {
    let (code, text) = flakes(Path::new("/nonexistent/flakes-dir"), "3");
    assert_eq!(code, 2, "{text}");
    let broken = artifacts(&[("r1", vec![("saas", "<testsuites><testcase".to_owned())])]);
    let (code, text) = flakes(&broken, "1");
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("is not JUnit XML"), "{text}");
    let (code, text) = flakes(&four_runs(), "0");
    assert_eq!(code, 2, "a window of 0 proves nothing: {text}");
}
