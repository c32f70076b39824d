//! The platform harness's EC2 leak check (tests/e2e/lib/aws_leak_check.sh at the reference
//! commit): after an org's teardown, no instance tagged with its slug may be pending, running,
//! stopping or stopped. It shells out to the `aws` CLI, as the platform did, so that the suite
//! carries no AWS SDK; `AWS_ENDPOINT_URL` points it at a local emulator (moto) in `.ci/run`.
//!
//! `E2E_AWS_LEAK_CHECK`: `off` skips; `auto` (the platform's default) checks when the CLI and
//! credentials exist and fails on a leak; `warn` checks the same way but only warns; `required`
//! also fails when the CLI or credentials are missing. `E2E_AWS_TERMINATE_LEAKS=1` terminates
//! what leaked (the run still fails: it leaked). Region: `E2E_AWS_REGION`, `AWS_REGION`,
//! `AWS_DEFAULT_REGION`, else `us-east-2`. Poll budget `E2E_AWS_LEAK_CHECK_SECS` (default 90),
//! as the platform's; its interval `E2E_AWS_LEAK_CHECK_INTERVAL` (default 10) is the longest
//! pause, the suite's waiting rule sets the shorter ones.

use std::process::Command;
use std::time::{Duration, Instant};

/// The leak check's most frequent look: one `describe-instances` a second.
const LEAK_POLL_FLOOR: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeakMode {
    Off,
    Auto,
    Warn,
    Required,
}

/// The leak check's settings, from the environment (or any lookup, for tests).
#[derive(Debug, Clone)]
pub struct LeakSettings {
    pub mode: LeakMode,
    pub region: String,
    pub terminate: bool,
    pub budget: Duration,
    pub interval: Duration,
    /// The CLI to run (`aws`).
    pub aws: String,
    /// Variables handed to the CLI (credentials, endpoint): never printed.
    env: Vec<(String, String)>,
    creds: bool,
}

/// Variables passed through to the `aws` CLI.
const PASSED: &[&str] =
    &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE"];

impl LeakSettings {
    pub fn from_env() -> Result<LeakSettings, String> {
        LeakSettings::from_lookup(crate::config::env_lookup)
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<LeakSettings, String> {
        let get = |k: &str| get(k).filter(|v| !v.is_empty());
        crate::config::check_read_by(&get, "LeakSettings").map_err(|e| e.to_string())?;
        let mode = match get("E2E_AWS_LEAK_CHECK").as_deref() {
            None | Some("auto") => LeakMode::Auto,
            Some("off") => LeakMode::Off,
            Some("warn") => LeakMode::Warn,
            Some("required") => LeakMode::Required,
            Some(v) => return Err(format!("E2E_AWS_LEAK_CHECK={v}: expected off, auto, warn or required")),
        };
        let region = ["E2E_AWS_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"]
            .iter()
            .find_map(|k| get(k))
            .unwrap_or_else(|| "us-east-2".into());
        let secs = |k: &str, default: u64| -> Result<Duration, String> {
            match get(k) {
                None => Ok(Duration::from_secs(default)),
                Some(v) => v.parse().map(Duration::from_secs).map_err(|_| format!("{k}={v}: expected whole seconds")),
            }
        };
        let creds = get("AWS_ACCESS_KEY_ID").is_some() && get("AWS_SECRET_ACCESS_KEY").is_some();
        Ok(LeakSettings {
            mode,
            region,
            terminate: get("E2E_AWS_TERMINATE_LEAKS").as_deref() == Some("1"),
            budget: secs("E2E_AWS_LEAK_CHECK_SECS", 90)?,
            interval: secs("E2E_AWS_LEAK_CHECK_INTERVAL", 10)?.max(Duration::from_secs(1)),
            aws: get("E2E_AWS_CLI").unwrap_or_else(|| "aws".into()),
            env: PASSED.iter().filter_map(|k| get(k).map(|v| (k.to_string(), v))).collect(),
            creds,
        })
    }

    fn cli(&self) -> Command {
        let mut c = Command::new(&self.aws);
        c.envs(self.env.iter().map(|(k, v)| (k, v))).args(["--region", &self.region]);
        c
    }
}

/// An instance the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub id: String,
    pub state: String,
    pub name: String,
}

/// How the check ended when it did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeakOutcome {
    /// No instance of the slug is alive.
    Clean,
    /// Not checked, and why (`off`, or no CLI/credentials outside `required`).
    Skipped(String),
    /// `warn`: these leaked (and were terminated when asked); the run goes on.
    Warned(Vec<Instance>, bool),
}

/// Parse `describe-instances --output text` rows: `<id>\t<state>\t<Name tag>`.
pub fn parse_rows(text: &str) -> Vec<Instance> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "None")
        .map(|l| {
            let mut f = l.split_whitespace();
            let id = f.next().unwrap_or_default().to_owned();
            let state = f.next().unwrap_or_default().to_owned();
            Instance { id, state, name: f.collect::<Vec<_>>().join(" ") }
        })
        .collect()
}

/// The live instances whose Name tag contains `slug`.
pub fn instances_for_slug(s: &LeakSettings, slug: &str) -> Result<Vec<Instance>, String> {
    let out = s
        .cli()
        .args(["ec2", "describe-instances", "--filters"])
        .arg(format!("Name=tag:Name,Values=*{slug}*"))
        .arg("Name=instance-state-name,Values=pending,running,stopping,stopped")
        .args(["--query", "Reservations[].Instances[].[InstanceId,State.Name,Tags[?Key==`Name`].Value|[0]]"])
        .args(["--output", "text"])
        .output()
        .map_err(|e| format!("cannot run `{} ec2 describe-instances`: {e}", s.aws))?;
    if !out.status.success() {
        return Err(format!(
            "`aws ec2 describe-instances` for slug {slug} exited {}: {}",
            out.status,
            crate::redact::cut(&crate::redact::scrub(&String::from_utf8_lossy(&out.stderr)), 500)
        ));
    }
    Ok(parse_rows(&String::from_utf8_lossy(&out.stdout)))
}

fn terminate(s: &LeakSettings, ids: &[&str]) -> Result<(), String> {
    let out = s
        .cli()
        .args(["ec2", "terminate-instances", "--instance-ids"])
        .args(ids)
        .output()
        .map_err(|e| format!("cannot run `{} ec2 terminate-instances`: {e}", s.aws))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "terminate-instances {ids:?} exited {}: {}",
            out.status,
            crate::redact::cut(&String::from_utf8_lossy(&out.stderr), 500)
        ))
    }
}

/// Whether the CLI exists (a path, or a name on PATH): cheap, since the CLI itself takes
/// seconds to start.
fn cli_available(s: &LeakSettings) -> bool {
    let exe = std::path::Path::new(&s.aws);
    if exe.components().count() > 1 {
        return exe.is_file();
    }
    crate::config::env_var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(exe).is_file()))
}

/// Run the check for `slug`. `Err` is a failure naming what leaked or why it could not check.
pub fn check(s: &LeakSettings, slug: &str) -> Result<LeakOutcome, String> {
    if s.mode == LeakMode::Off {
        return Ok(LeakOutcome::Skipped("E2E_AWS_LEAK_CHECK=off".into()));
    }
    if !s.creds || !cli_available(s) {
        let why = format!(
            "the `{}` CLI or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY is unavailable (install awscli, set the AWS secrets)",
            s.aws
        );
        return match s.mode {
            LeakMode::Required => Err(format!("E2E_AWS_LEAK_CHECK=required but {why}")),
            _ => Ok(LeakOutcome::Skipped(why)),
        };
    }
    let started = Instant::now();
    let deadline = started + s.budget;
    let leaked = loop {
        let rows = instances_for_slug(s, slug)?;
        if rows.is_empty() {
            return Ok(LeakOutcome::Clean);
        }
        if Instant::now() >= deadline {
            break rows;
        }
        // The platform terminates asynchronously after the org's DELETE: poll, bounded, under
        // the suite's one waiting rule (a tenth of the time waited, jittered), never more often
        // than once a second (each look is an AWS API call) nor less than the platform's interval.
        let pause = crate::wait::poll_interval(started.elapsed(), LEAK_POLL_FLOOR, s.interval, fastrand::f64());
        std::thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
    };
    let list: Vec<String> = leaked.iter().map(|i| format!("{} ({}, Name={})", i.id, i.state, i.name)).collect();
    let mut terminated = false;
    if s.terminate {
        let ids: Vec<&str> = leaked.iter().map(|i| i.id.as_str()).collect();
        terminate(s, &ids).map_err(|e| format!("leaked EC2 for slug {slug}: {}; and {e}", list.join(", ")))?;
        terminated = true;
    }
    let what = format!(
        "leaked EC2 instance(s) for slug {slug} after {}s in {}: {}{}",
        s.budget.as_secs(),
        s.region,
        list.join(", "),
        if terminated { " (terminated now, E2E_AWS_TERMINATE_LEAKS=1)" } else { "" }
    );
    match s.mode {
        LeakMode::Warn => Ok(LeakOutcome::Warned(leaked, terminated)),
        _ => Err(what),
    }
}
