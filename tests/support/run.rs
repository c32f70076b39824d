//! One run of a test binary: one org shared by every live case (created by the first case that
//! needs it, awaited by the rest, deleted once when the process exits), or the org named by
//! `E2E_ORG_SLUG` (never deleted). SIGINT and SIGTERM tear down what the run created, bounded
//! in time, and exit non-zero; a second signal exits at once, printing what is left and the
//! sweep command that removes it.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use molecule_e2e::client::Tenant;
use molecule_e2e::config::Mode;
use molecule_e2e::harness::{Owned, OrgInfo, RunOrg, SlugKind, Target, attach_org, create_org, delete_org, loud, run_slug, today};
use molecule_e2e::harness::footprint::{Footprint, Room};
use molecule_e2e::wait::{Deadline, within};
use molecule_e2e::{E2eError, Result};

use super::standin::{block_on_machinery, machinery};

/// How long a signal's teardown may take before the run gives up and says what is left.
pub const SIGNAL_TEARDOWN: Duration = Duration::from_secs(25);

pub struct Run {
    target: Arc<Target>,
    /// The run's org: its own, or `E2E_ORG_SLUG`'s.
    slug: String,
    /// The org came from `E2E_ORG_SLUG`: never deleted by the run.
    borrowed: bool,
    /// A create was sent: from here on the org may exist and teardown deletes it by slug.
    create_sent: AtomicBool,
    org: tokio::sync::OnceCell<std::result::Result<OrgInfo, String>>,
    /// Workspaces cases created and have not yet seen leave the list.
    workspaces: Mutex<BTreeMap<String, String>>,
    /// Teardown ran (or a signal took over): the exit hook has nothing left to do.
    finished: AtomicBool,
    /// Why this process must not create an org (nextest against a remote platform).
    refused: Option<String>,
}

/// nextest runs every test in a process of its own: against a remote platform each would make
/// an org of its own, the cost this run model exists to avoid. Such runs share one made outside.
fn refusal(target: &Target, borrowed: bool) -> Option<String> {
    let nextest = molecule_e2e::config::env_var_os("NEXTEST").is_some() || molecule_e2e::config::env_var_os("NEXTEST_RUN_ID").is_some();
    (nextest && !borrowed && target.settings.cp_url.is_some()).then(|| {
        "nextest runs one process per test, so each would create an org of its own at MOLECULE_CP_URL: \
         make one org for the whole run with `molecule-e2e org up` (export what it prints, E2E_ORG_SLUG) \
         and remove it with `molecule-e2e org down` afterwards"
            .to_owned()
    })
}

static RUN: OnceLock<Arc<Run>> = OnceLock::new();

/// This process's run footprint, when it ran one: workspaces created and the peak alive. The
/// room's files go with it unless other processes of the run may still need them (nextest).
pub fn footprint() -> Option<Footprint> {
    let room = RUN.get()?.room();
    let fp = room.footprint();
    if molecule_e2e::config::env_var_os("NEXTEST_RUN_ID").is_none() {
        // Best effort: a leftover is a few empty files under the temp dir, reused by nothing.
        let _ = std::fs::remove_dir_all(room.dir());
    }
    Some(fp)
}

/// The slug kind of this test binary's org: external for `staging_external`, else by mode.
fn kind(target: &Target) -> SlugKind {
    match (env!("CARGO_CRATE_NAME"), target.settings.mode) {
        ("staging_external", _) => SlugKind::External,
        (_, Mode::Smoke) => SlugKind::Smoke,
        (_, Mode::Full) => SlugKind::Full,
    }
}

/// The run of this process over `target` (the first call fixes it), with its signal handlers
/// and exit hook installed.
pub fn run(target: &Arc<Target>) -> Arc<Run> {
    RUN.get_or_init(|| {
        let borrowed = molecule_e2e::config::env_value("E2E_ORG_SLUG").unwrap_or_else(|e| panic!("{e}"));
        let slug = borrowed.clone().unwrap_or_else(|| run_slug(kind(target), &today(), &target.settings.run_id));
        let run = Arc::new(Run {
            target: target.clone(),
            slug,
            borrowed: borrowed.is_some(),
            refused: refusal(target, borrowed.is_some()),
            create_sent: AtomicBool::new(false),
            org: tokio::sync::OnceCell::new(),
            workspaces: Mutex::new(BTreeMap::new()),
            finished: AtomicBool::new(false),
        });
        install_exit_hook();
        let r = run.clone();
        machinery().spawn(async move { on_signals(r).await });
        run
    })
    .clone()
}

impl RunOrg for Run {
    fn org(&self) -> Pin<Box<dyn Future<Output = Result<OrgInfo>> + Send + '_>> {
        Box::pin(async move {
            if let Some(why) = &self.refused {
                return Err(E2eError::Unmet(why.clone()));
            }
            let made = self
                .org
                .get_or_init(|| async {
                    let (target, slug, borrowed) = (self.target.clone(), self.slug.clone(), self.borrowed);
                    if !borrowed {
                        self.create_sent.store(true, Ordering::SeqCst);
                    }
                    let run_id = target.settings.run_id.clone();
                    let say = |s: &str| loud(&format!("[run {run_id}] {s}"));
                    // On the machinery runtime: the first case's runtime may end before the org
                    // is needed again, and no client may outlive its runtime.
                    let job = machinery().spawn(async move {
                        let say = |s: &str| loud(&format!("[run {}] {s}", target.settings.run_id));
                        if borrowed {
                            attach_org(&target, &slug, &say).await
                        } else {
                            create_org(&target, kind(&target), &slug, &say).await
                        }
                    });
                    match job.await {
                        Ok(Ok(info)) => {
                            say(&format!("org {} ready: every case of this run works in it", info.slug));
                            Ok(info)
                        }
                        Ok(Err(e)) => Err(e.to_string()),
                        Err(e) => Err(format!("the org's creation died: {e}")),
                    }
                })
                .await;
            made.clone().map_err(|e| E2eError::Unmet(format!("the run's org {} is not usable: {e}", self.slug)))
        })
    }

    fn slug(&self) -> String {
        self.slug.clone()
    }
    fn created(&self, id: &str, name: &str) {
        self.workspaces.lock().unwrap_or_else(|p| p.into_inner()).insert(id.to_owned(), name.to_owned());
    }

    fn deleted(&self, id: &str) {
        self.workspaces.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }
}

impl Run {
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// The run org's room under `E2E_MAX_WORKSPACES` (where cases reserve and log workspaces).
    pub fn room(&self) -> Room {
        Room::for_org(self.target.cp_url(), &self.slug, self.target.settings.max_workspaces)
    }

    /// The exact command that removes what this run may have left.
    pub fn sweep_command(&self) -> String {
        if self.target.is_standin() && self.target.settings.cp_url.is_none() {
            return "nothing to sweep: the embedded stand-in ended with the process".into();
        }
        format!(
            "MOLECULE_CP_URL={} molecule-e2e sweep --run-id {} (with MOLECULE_ADMIN_TOKEN set)",
            self.target.cp_url(),
            self.target.settings.run_id
        )
    }

    fn leftover_workspaces(&self) -> Vec<Owned> {
        let ws = self.workspaces.lock().unwrap_or_else(|p| p.into_inner());
        ws.iter().map(|(id, name)| Owned { id: id.clone(), name: name.clone() }).collect()
    }

    /// What may still exist: the run's workspaces, and its org if a create was sent.
    fn what_is_left(&self) -> String {
        let ws: Vec<_> = self.leftover_workspaces().into_iter().map(|o| o.id).collect();
        let org = if self.create_sent.load(Ordering::SeqCst) { format!("org {}", self.slug) } else { "no org".into() };
        format!("{org}, workspaces {ws:?}")
    }

    /// Delete what the run created: its leftover workspaces, then its org (unless borrowed).
    /// Returns the lines deleted and the lines not deleted.
    async fn teardown(self: Arc<Self>) -> (Vec<String>, Vec<String>) {
        let mut deleted = Vec::new();
        let info = match self.org.get() {
            Some(Ok(info)) => Some(info.clone()),
            _ => None,
        };
        let mut kept_ws = Vec::new();
        if let Some(info) = &info {
            match info.tenant() {
                Ok(t) => {
                    // Under one teardown budget: a hung tenant must not hold up the org's deletion.
                    let b = self.target.timeouts.teardown;
                    let budget = Deadline::after(b, format!("the {}s teardown budget of the run's workspaces", b.as_secs()));
                    within(budget, self.delete_workspaces(&t, &mut deleted, &mut kept_ws)).await;
                }
                Err(e) => kept_ws.push(format!("workspaces {:?}: no tenant client: {e}", self.leftover_workspaces())),
            }
        }
        let org = if !self.borrowed && self.create_sent.load(Ordering::SeqCst) {
            let say = |s: &str| loud(&format!("[run {}] {s}", self.target.settings.run_id));
            Some(delete_org(&self.target, &self.slug, &say).await.map_err(|e| e.to_string()))
        } else {
            None
        };
        run_end_lines(&self.slug, deleted, kept_ws, org)
    }
}

impl Run {
    /// Delete the run's workspaces one by one, again for any a running case registered
    /// meanwhile, until a pass finds nothing new.
    async fn delete_workspaces(&self, t: &Tenant, deleted: &mut Vec<String>, kept: &mut Vec<String>) {
        let mut tried = std::collections::BTreeSet::new();
        loop {
            let left: Vec<Owned> = self.leftover_workspaces().into_iter().filter(|o| !tried.contains(&o.id)).collect();
            if left.is_empty() {
                return;
            }
            for o in left {
                tried.insert(o.id.clone());
                let failed = molecule_e2e::harness::delete_all(t, std::slice::from_ref(&o)).await;
                if failed.is_empty() {
                    self.deleted(&o.id);
                    deleted.push(format!("workspace {}", o.id));
                } else {
                    kept.push(format!("workspace {}: {}", o.id, failed.join("; ")));
                }
            }
        }
    }
}

/// The run end's (deleted, not deleted) lines from what its workspace deletes achieved and how
/// the org's delete ended (`None`: the run sent no create, or the org is borrowed). Once the
/// org is deleted, the workspaces whose own deletes failed went with it: they are reported
/// deleted ("the org took it"), never left behind, so a real leak report is not drowned.
pub fn run_end_lines(
    slug: &str,
    mut deleted: Vec<String>,
    kept_ws: Vec<String>,
    org: Option<std::result::Result<(), String>>,
) -> (Vec<String>, Vec<String>) {
    let mut kept = Vec::new();
    match org {
        Some(Ok(())) => {
            deleted.push(format!("org {slug}"));
            deleted.extend(kept_ws.into_iter().map(|k| format!("{k} (the org took it)")));
        }
        Some(Err(e)) => {
            kept.push(format!("org {slug}: {e}"));
            kept.extend(kept_ws);
        }
        None => kept.extend(kept_ws),
    }
    (deleted, kept)
}

/// A teardown's report, one line each: what it deleted, then what it did not.
pub fn report_lines(why: &str, deleted: &[String], kept: &[String]) -> Vec<String> {
    let done = deleted.iter().map(|d| format!("{why}: deleted {d}"));
    done.chain(kept.iter().map(|k| format!("{why}: NOT DELETED {k}"))).collect()
}

/// Print a teardown's result; `true` when nothing is left.
fn report(run: &Run, why: &str, deleted: &[String], kept: &[String]) -> bool {
    for line in report_lines(why, deleted, kept) {
        loud(&format!("[run {}] {line}", run.target.settings.run_id));
    }
    if !kept.is_empty() {
        loud(&format!("[run {}] to remove what is left: {}", run.target.settings.run_id, run.sweep_command()));
    }
    kept.is_empty()
}

fn install_exit_hook() {
    extern "C" fn at_exit() {
        let Some(run) = RUN.get().cloned() else { return };
        if run.finished.swap(true, Ordering::SeqCst) {
            // A signal's teardown owns the end of the process: let it finish and exit.
            loop {
                std::thread::park();
            }
        }
        let ended = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let r = run.clone();
            block_on_machinery(async move { r.teardown().await })
        }));
        let clean = match ended {
            Ok((deleted, kept)) => report(&run, "run end", &deleted, &kept),
            Err(_) => {
                loud("run end: the teardown panicked");
                false
            }
        };
        if !clean {
            // The run must fail: something it created outlived it.
            // SAFETY: _exit ends the process without re-entering exit handlers.
            unsafe { libc::_exit(1) };
        }
    }
    // SAFETY: registers a plain extern "C" fn with no captured state.
    if unsafe { libc::atexit(at_exit) } != 0 {
        loud("run: cannot install the exit hook; the run's org is deleted only by `molecule-e2e sweep`");
    }
}

async fn on_signals(run: Arc<Run>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else {
        loud("run: cannot listen for SIGINT/SIGTERM; a stopped run is cleaned only by `molecule-e2e sweep`");
        return;
    };
    let code = tokio::select! {
        _ = int.recv() => 130,
        _ = term.recv() => 143,
    };
    if run.finished.swap(true, Ordering::SeqCst) {
        // The run is already ending on its own: its exit hook tears down.
        return;
    }
    loud(&format!(
        "[run {}] signal received: deleting what this run created (at most {}s; a second signal exits at once)",
        run.target.settings.run_id,
        SIGNAL_TEARDOWN.as_secs()
    ));
    let teardown = tokio::time::timeout(SIGNAL_TEARDOWN, run.clone().teardown());
    // Whatever the teardown achieved, a stopped run exits non-zero.
    tokio::select! {
        done = teardown => match done {
            Ok((deleted, kept)) => {
                report(&run, "signal", &deleted, &kept);
            }
            Err(_) => abandon(&run, "teardown ran out of time"),
        },
        _ = int.recv() => abandon(&run, "second signal: exiting NOW"),
        _ = term.recv() => abandon(&run, "second signal: exiting NOW"),
    }
    // SAFETY: ends the process at once; the test harness is mid-run and must not continue.
    unsafe { libc::_exit(code) };
}

/// Giving up on teardown: say what is left and how to remove it.
fn abandon(run: &Run, why: &str) {
    loud(&format!("[run {}] {why}; left: {}", run.target.settings.run_id, run.what_is_left()));
    loud(&format!("[run {}] to remove it: {}", run.target.settings.run_id, run.sweep_command()));
}
