//! Stand-ins as test fixtures: the run's embedded stand-in (one per test binary, on a runtime
//! thread of its own so that it outlives every test's runtime), and fresh stand-ins with
//! faults for the fault matrix.

use std::sync::{Arc, OnceLock};

use molecule_e2e::config::{Settings, Timeouts};
use molecule_e2e::harness::{Target, loud};
use molecule_e2e::standin::{Fault, StandIn, StandInConfig};
use secrecy::SecretString;

/// The runtime the run's shared machinery lives on (the embedded stand-in, the run's org,
/// signal handling, the exit hook): each `#[tokio::test]` has a runtime of its own that dies
/// with the test, so nothing shared may be bound to one of those.
pub fn machinery() -> &'static tokio::runtime::Handle {
    static HANDLE: OnceLock<tokio::runtime::Handle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("run-machinery".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("the run's machinery runtime");
                tx.send(rt.handle().clone()).expect("the caller waits for the handle");
                rt.block_on(std::future::pending::<()>());
            })
            .expect("spawn the run's machinery thread");
        rx.recv().expect("the machinery thread starts")
    })
}

/// Run `fut` on the machinery runtime and wait for it from any thread (inside a test's
/// runtime or not).
pub fn block_on_machinery<T: Send + 'static>(fut: impl Future<Output = T> + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    machinery().spawn(async move {
        // The receiver waits for this send; it only fails if the caller is gone.
        if tx.send(fut.await).is_err() {
            loud("machinery: a caller left before its answer came");
        }
    });
    rx.recv().expect("the machinery runtime answers")
}

/// The process-wide embedded stand-in. `STANDIN_DELAYS` / `STANDIN_FAULTS` apply to it too
/// (the realistic-delay benchmark, watching a check fail); its request log stays off unless
/// `STANDIN_LOG=1`, since test output is no place for it.
pub fn embedded() -> Result<Arc<StandIn>, String> {
    static SHARED: OnceLock<Result<Arc<StandIn>, String>> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            let mut cfg = StandInConfig::from_env().map_err(|e| format!("embedded stand-in settings: {e}"))?;
            cfg.log_requests = molecule_e2e::config::env_flag("STANDIN_LOG").map_err(|e| e.to_string())?;
            let s = block_on_machinery(async move { StandIn::start(cfg, ([127, 0, 0, 1], 0).into()).await })
                .map_err(|e| format!("cannot start the embedded stand-in: {e}"))?;
            let s = Arc::new(s);
            let faults: Vec<_> = s.faults().iter().map(|f| f.name()).collect();
            loud(&format!(
                "molecule-e2e: MOLECULE_CP_URL is unset, so this run talks to the EMBEDDED STAND-IN at {} \
                 (not staging). Set MOLECULE_CP_URL and MOLECULE_ADMIN_TOKEN to run against a real platform; \
                 E2E_REQUIRE_LIVE=1 forbids this fallback.{}",
                s.url(),
                if faults.is_empty() { String::new() } else { format!(" FAULTS INJECTED by STANDIN_FAULTS: {}", faults.join(", ")) }
            ));
            Ok(s)
        })
        .clone()
}

/// A target over a stand-in.
pub fn target_over(s: &StandIn, settings: Settings, timeouts: Option<Timeouts>) -> Arc<Target> {
    Target::standin(s.url(), SecretString::from(s.admin_token().to_owned()), settings, timeouts)
}

/// A fresh stand-in with `faults`, on the caller's runtime (it stops when dropped).
pub async fn faulty(faults: &[Fault]) -> StandIn {
    let cfg = StandInConfig::new().with_faults(faults.iter().copied());
    StandIn::start(cfg, ([127, 0, 0, 1], 0).into()).await.expect("start a stand-in")
}

/// A `molecule-e2e standin` process (its request log in a file), for tests that watch a whole
/// run from the platform's side: what it created, what it left.
pub struct StandInProcess {
    child: std::process::Child,
    log: std::path::PathBuf,
    pub url: String,
}

/// The generation this test process declares (`MOLECULE_PLATFORM`, unset: latest).
pub fn declared_platform() -> &'static molecule_e2e::generation::Generation {
    molecule_e2e::generation::Generation::from_lookup(molecule_e2e::config::env_lookup).unwrap_or_else(|e| panic!("{e}"))
}

pub const PROCESS_ADMIN_TOKEN: &str = molecule_e2e::standin::DEFAULT_ADMIN_TOKEN;

impl StandInProcess {
    /// Start one with `STANDIN_DELAYS=delays` and wait for it to print its URL.
    pub fn start(delays: &str) -> StandInProcess {
        let log = std::env::temp_dir().join(format!("molecule-e2e-standin-{}.log", uuid::Uuid::new_v4().simple()));
        let file = std::fs::File::create(&log).expect("stand-in log file");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_molecule-e2e"))
            .args(["standin", "--port", "0"])
            .env("STANDIN_DELAYS", delays)
            .env("STANDIN_LOG", "1")
            // The stand-in process and the runs against it declare one generation: this one's.
            .env("MOLECULE_PLATFORM", declared_platform().commit)
            .env_remove("STANDIN_FAULTS")
            .env_remove("MOLECULE_ADMIN_TOKEN")
            .stdout(file.try_clone().expect("log file"))
            .stderr(file)
            .spawn()
            .expect("spawn molecule-e2e standin");
        let mut p = StandInProcess { child, log, url: String::new() };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while p.url.is_empty() {
            assert!(std::time::Instant::now() < deadline, "the stand-in never printed its URL:\n{}", p.log_text());
            p.url = p.log_text().split_whitespace().find(|w| w.starts_with("http://127.0.0.1:")).unwrap_or("").to_owned();
            // Waiting for a process to print its port: there is nothing to poll but its output.
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        p
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// How many `POST /cp/admin/orgs` the stand-in served.
    pub fn org_creations(&self) -> usize {
        self.log_text().lines().filter(|l| l.starts_with("POST /cp/admin/orgs ")).count()
    }

    pub fn cp(&self) -> molecule_e2e::client::ControlPlane {
        molecule_e2e::client::ControlPlane::new(&self.url, Some(SecretString::from(PROCESS_ADMIN_TOKEN.to_owned())))
            .expect("control plane client")
    }

    /// Every org slug listed (no page limit).
    pub async fn all_slugs(&self) -> Vec<String> {
        molecule_e2e::net::install_crypto_provider();
        let v: serde_json::Value = reqwest::Client::new()
            .get(format!("{}/cp/admin/orgs", self.url))
            .bearer_auth(PROCESS_ADMIN_TOKEN)
            .send()
            .await
            .expect("list orgs")
            .json()
            .await
            .expect("org list JSON");
        v["orgs"].as_array().expect("orgs").iter().filter_map(|o| o["slug"].as_str().map(str::to_owned)).collect()
    }

    /// The environment a run (or the CLI) needs to talk to this stand-in as to staging. The
    /// run expects the generation the stand-in process inherited (`MOLECULE_PLATFORM`), since
    /// the run's own environment is cleaned.
    pub fn env(&self, run_id: &str) -> Vec<(String, String)> {
        let platform = molecule_e2e::config::env_value("MOLECULE_PLATFORM").unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| "latest".to_owned());
        [
            ("MOLECULE_PLATFORM", platform.as_str()),
            ("MOLECULE_CP_URL", self.url.as_str()),
            ("MOLECULE_ADMIN_TOKEN", PROCESS_ADMIN_TOKEN),
            ("MOLECULE_TENANT_URL_TEMPLATE", self.url.as_str()),
            ("E2E_RUN_ID", run_id),
            ("MOLECULE_PLATFORM", declared_platform().commit),
            ("E2E_MINIMAX_API_KEY", "standin-minimax-key"),
            ("E2E_ANTHROPIC_API_KEY", "standin-anthropic-key"),
            ("E2E_OPENAI_API_KEY", "standin-openai-key"),
            ("E2E_GOOGLE_API_KEY", "standin-google-key"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    /// `molecule-e2e <args>` against this stand-in: (success, stdout + stderr).
    pub fn cli(&self, run_id: &str, args: &[&str], extra: &[(&str, &str)]) -> (bool, String) {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_molecule-e2e"));
        clean_env(&mut cmd).args(args).envs(self.env(run_id));
        cmd.envs(extra.iter().copied());
        let out = cmd.output().expect("run molecule-e2e");
        (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }
}

impl Drop for StandInProcess {
    fn drop(&mut self) {
        if let Err(e) = self.child.kill() {
            loud(&format!("stand-in process {}: kill failed: {e}", self.child.id()));
        }
        if let Err(e) = self.child.wait() {
            loud(&format!("stand-in process {}: wait failed: {e}", self.child.id()));
        }
        if let Err(e) = std::fs::remove_file(&self.log) {
            loud(&format!("stand-in log {}: {e}", self.log.display()));
        }
    }
}

/// The command without the suite's variables of the calling environment.
pub fn clean_env(cmd: &mut std::process::Command) -> &mut std::process::Command {
    for (k, _) in std::env::vars() {
        // The platform generation is the run's, not a setting a child may lose: a child on
        // another generation than its stand-in would judge the wrong platform.
        if (k.starts_with("MOLECULE_") || k.starts_with("E2E_") || k.starts_with("STANDIN_")) && k != "MOLECULE_PLATFORM" {
            cmd.env_remove(k);
        }
    }
    cmd
}
