//! The container tier's fixture: the runtime under test, either a container started with
//! testcontainers (the locally built reference image, or `TEMPLATE_IMAGE`) or an already
//! running runtime at `CANARY_RUNTIME_URL`; plus failure artifacts.
//!
//! All Docker work runs on one process-wide tokio runtime ([`block_on`]). testcontainers
//! shares one Docker client per process, and its pooled connections belong to the runtime
//! that opened them; with a tokio runtime per test, one test finishing could cut another's
//! in-flight Docker request. One long-lived runtime avoids that.

use std::future::Future;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};
use molecule_e2e::wait::{Probe, Wait};
use testcontainers::core::logs::LogFrame;
use testcontainers::core::{BuildImageOptions, ExecCommand, IntoContainerPort};
use testcontainers::runners::{AsyncBuilder, AsyncRunner};
use testcontainers::{ContainerAsync, GenericBuildableImage, GenericImage, ImageExt};

use super::canary::{Check, CpSim};
use super::card::CARD_PATHS;

/// The reference image's name and tag (also built by `docker/build-image.sh`).
pub const REFERENCE_IMAGE: (&str, &str) = ("molecule-e2e-runtime", "local");
/// The label carrying the binary's sha256 (see `docker/Dockerfile`).
const BINARY_LABEL: &str = "org.molecule.runtime.binary-sha256";
/// Where the runtime keeps memory and sessions inside the container.
pub const MEMORY_ROOT: &str = "/tmp/canary-memory";
/// Must match docker/build-image.sh, or switching between them rebuilds every dependency.
const STATIC_RUSTFLAGS: &str = "-C target-feature=+crt-static";
const TARGET: &str = "x86_64-unknown-linux-gnu";

static DOCKER_RT: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("container-tier")
        .enable_all()
        .build()
        .expect("cannot start the container tier's tokio runtime")
});

/// Run `f` on the tier's shared tokio runtime. Return failures as values and panic after
/// this returns: a container dropped while unwinding out of `block_on` has no runtime to
/// remove itself with.
pub fn block_on<F: Future>(f: F) -> F::Output {
    DOCKER_RT.block_on(f)
}

/// The requirement every failure about prerequisites states.
pub const NEEDS: &str = "the container tier needs a reachable Docker daemon (DOCKER_HOST or /var/run/docker.sock) \
     or CANARY_RUNTIME_URL pointing at a running runtime";

/// A variable the tier reads, checked by its registry kind: a bad value panics naming it.
#[track_caller]
fn value(name: &str) -> Option<String> {
    molecule_e2e::config::env_value(name).unwrap_or_else(|e| panic!("{e}"))
}

/// `CANARY_RUNTIME_URL`, if set and non-empty.
pub fn runtime_url_from_env() -> Option<String> {
    value("CANARY_RUNTIME_URL")
}

/// `MOLECULE_REPLY_SHAPE` on the host, handed to the runtime under test (`task`, the
/// default; `message`; `input-required`), so one variable runs the tier in another shape.
pub fn reply_shape_from_env() -> Option<String> {
    value("MOLECULE_REPLY_SHAPE")
}

/// The reply shapes the fault proof runs every fault in: an a2a-sdk runtime's default Task
/// and the bare Message.
pub const PROOF_SHAPES: [&str; 2] = ["task", "message"];

/// Ping the Docker daemon; the error says what was tried.
pub async fn docker_reachable() -> Result<(), String> {
    let docker = testcontainers::core::client::docker_client_instance()
        .await
        .map_err(|e| format!("{NEEDS}: no Docker client ({e})"))?;
    docker.ping().await.map(|_| ()).map_err(|e| format!("{NEEDS}: Docker did not answer a ping ({e})"))
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn target_dir() -> PathBuf {
    value("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| manifest_dir().join("target"))
}

/// Build the reference image once per test process: a static release build of the binary
/// (cargo is incremental, so this is quick when nothing changed), then `docker/Dockerfile`
/// with only the binary as context. An existing `molecule-e2e-runtime:local` is reused
/// when its label says it holds this very binary, so a stale image is never tested.
pub async fn reference_image() -> Result<(String, String), String> {
    static BUILT: tokio::sync::OnceCell<Result<(), String>> = tokio::sync::OnceCell::const_new();
    BUILT.get_or_init(build_reference_image).await.clone()?;
    Ok((REFERENCE_IMAGE.0.to_owned(), REFERENCE_IMAGE.1.to_owned()))
}

async fn build_reference_image() -> Result<(), String> {
    let bin = tokio::task::spawn_blocking(static_build).await.map_err(|e| format!("static build task: {e}"))??;
    let sha = {
        let bytes = std::fs::read(&bin).map_err(|e| format!("cannot read {}: {e}", bin.display()))?;
        Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let (name, tag) = REFERENCE_IMAGE;
    let docker = testcontainers::core::client::docker_client_instance().await.map_err(|e| format!("{NEEDS}: {e}"))?;
    if let Ok(img) = docker.inspect_image(&format!("{name}:{tag}")).await {
        let label = img.config.and_then(|c| c.labels).and_then(|l| l.get(BINARY_LABEL).cloned());
        if label.as_deref() == Some(sha.as_str()) {
            eprintln!("container tier: reusing {name}:{tag} (binary sha256 {})", &sha[..12]);
            return Ok(());
        }
    }
    eprintln!("container tier: building {name}:{tag} from {}", bin.display());
    GenericBuildableImage::new(name, tag)
        .with_dockerfile(manifest_dir().join("docker/Dockerfile"))
        .with_file(&bin, "./molecule-e2e")
        .build_image_with(BuildImageOptions::new().with_build_arg("BINARY_SHA256", &sha))
        .await
        .map(|_| ())
        .map_err(|e| format!("building {name}:{tag} from docker/Dockerfile failed: {e}"))
}

/// `RUSTFLAGS=<crt-static> cargo build --release --target x86_64-unknown-linux-gnu --bin
/// molecule-e2e`; `--target` keeps the flag off proc-macros. Output goes to the terminal:
/// a cold build takes minutes and should not look like a hang.
fn static_build() -> Result<PathBuf, String> {
    let cargo = value("CARGO").unwrap_or_else(|| "cargo".to_owned());
    let status = Command::new(&cargo)
        .args(["build", "--locked", "--release", "--target", TARGET, "--bin", "molecule-e2e", "--manifest-path"])
        .arg(manifest_dir().join("Cargo.toml"))
        .env("RUSTFLAGS", STATIC_RUSTFLAGS)
        .env("CARGO_TARGET_DIR", target_dir())
        .status()
        .map_err(|e| format!("cannot run {cargo} for the static build: {e}"))?;
    if !status.success() {
        return Err(format!("the static build of molecule-e2e failed ({status}); run docker/build-image.sh to see why"));
    }
    Ok(target_dir().join(TARGET).join("release/molecule-e2e"))
}

/// What the canaries run against: `TEMPLATE_IMAGE` (`name:tag`) or the reference image.
pub async fn image_under_test() -> Result<(String, String), String> {
    match value("TEMPLATE_IMAGE") {
        Some(image) => {
            // A registry host may carry a port (`host:5000/x:tag`): split on the last colon
            // after the last slash.
            let slash = image.rfind('/').map_or(0, |i| i + 1);
            match image[slash..].rfind(':') {
                Some(i) => Ok((image[..slash + i].to_owned(), image[slash + i + 1..].to_owned())),
                None => Ok((image, "latest".to_owned())),
            }
        }
        None => reference_image().await,
    }
}

/// How the fixture decides the runtime is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ready {
    /// The agent card answers 200 at one of [`CARD_PATHS`], as the compose health check
    /// requires: a runtime is found by its card, wherever it serves it.
    AgentCard,
    /// `GET /health` answers 200: only for the `agent-card-missing` fault proof, which must
    /// reach a runtime whose agent card is (deliberately) gone.
    Health,
}

impl Ready {
    fn paths(self) -> &'static [&'static str] {
        match self {
            Ready::AgentCard => &CARD_PATHS,
            Ready::Health => &["/health"],
        }
    }
}

/// How long a runtime under test may take to serve its card.
const BOOT_TIMEOUT: Duration = Duration::from_secs(30);

/// Poll `url` + each of `paths` until one answers 200.
async fn until_ready(url: &str, paths: &[&str]) -> Result<(), String> {
    let http = molecule_e2e::net::client_builder(url).no_proxy().timeout(Duration::from_secs(2)).build().map_err(|e| format!("no HTTP client: {e}"))?;
    Wait::new(format!("the runtime at {url} to answer GET {}", paths.join(" or ")), BOOT_TIMEOUT)
        .until(|| async {
            let mut seen = Vec::new();
            for path in paths {
                match http.get(format!("{url}{path}")).send().await {
                    Ok(res) if res.status() == reqwest::StatusCode::OK => return Ok(Probe::Ready(())),
                    Ok(res) => seen.push(format!("{path}: {}", res.status())),
                    Err(e) => seen.push(format!("{path}: {e}")),
                }
            }
            Ok(Probe::Pending(seen.join(", ")))
        })
        .await
        .map_err(|e| e.to_string())
}

/// What the reference runtime is started with, beyond canary mode.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    /// `CANARY_FAULTS`.
    pub faults: String,
    /// `MOLECULE_REPLY_SHAPE`.
    pub shape: Option<String>,
    /// `MOLECULE_A2A_LAYOUT`.
    pub layout: Option<String>,
    /// `MOLECULE_MCP`.
    pub mcp: Option<String>,
}

impl Setup {
    /// The settings as `KEY=value` words, for labels.
    fn label(&self) -> String {
        let pairs = [
            ("CANARY_FAULTS", Some(self.faults.as_str()).filter(|f| !f.is_empty())),
            ("MOLECULE_REPLY_SHAPE", self.shape.as_deref()),
            ("MOLECULE_A2A_LAYOUT", self.layout.as_deref()),
            ("MOLECULE_MCP", self.mcp.as_deref()),
        ];
        pairs.iter().filter_map(|(k, v)| v.map(|v| format!(" {k}={v}"))).collect()
    }
}

/// A runtime the checks can talk to. A container is removed on drop unless `KEEP_RUNNING=1`.
pub struct RuntimeUnderTest {
    pub url: String,
    /// `CANARY_RUNTIME_URL`, or the image and faults, for messages.
    pub label: String,
    container: Option<ContainerAsync<GenericImage>>,
    logs: Arc<Mutex<Vec<u8>>>,
}

impl RuntimeUnderTest {
    /// The canaries' target: `CANARY_RUNTIME_URL` if set, else a fresh container of the
    /// image under test (with the host's `CANARY_FAULTS`, if any). Fails (never skips) when
    /// neither is available.
    pub async fn for_canaries() -> Result<Self, String> {
        if let Ok(v) = molecule_e2e::config::env_var("CANARY_STRICT_MCP") {
            return Err(format!(
                "CANARY_STRICT_MCP={v:?} is retired: unset it. A runtime whose agent card offers MCP is always held to it \
                 (a crash fails), and one whose card does not gets the recall check not applicable (docs/container-tier.md)"
            ));
        }
        if let Some(url) = runtime_url_from_env() {
            return Ok(RuntimeUnderTest {
                url: url.trim_end_matches('/').to_owned(),
                label: format!("CANARY_RUNTIME_URL={url}"),
                container: None,
                logs: Arc::default(),
            });
        }
        docker_reachable().await?;
        // CANARY_FAULTS on the host is handed to the container, so a developer can watch a
        // canary go red (and its artifacts appear) with a one-variable change.
        // The same for the runtime's settings: one variable runs the tier in another layout.
        let setup = Setup {
            faults: value("CANARY_FAULTS").unwrap_or_default(),
            shape: reply_shape_from_env(),
            layout: value("MOLECULE_A2A_LAYOUT"),
            mcp: value("MOLECULE_MCP"),
        };
        Self::start(image_under_test().await?, &setup, Ready::AgentCard).await
    }

    /// Start `image` in canary mode with `setup` and wait until `ready`.
    pub async fn start(image: (String, String), setup: &Setup, ready: Ready) -> Result<Self, String> {
        let run_id = value("CANARY_RUN_ID").unwrap_or_else(|| super::canary::random_id("", 12));
        let label = format!("{}:{}{}", image.0, image.1, setup.label());
        let logs: Arc<Mutex<Vec<u8>>> = Arc::default();
        let sink = logs.clone();
        // Captured from creation: if the runtime dies during startup, start() drops the
        // container before we could ask for its logs.
        let consumer = move |frame: &LogFrame| {
            let bytes = match frame {
                LogFrame::StdOut(b) | LogFrame::StdErr(b) => b,
            };
            sink.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(bytes);
        };
        let request = GenericImage::new(&image.0, &image.1)
            .with_exposed_port(8000.tcp())
            .with_env_var("MOLECULE_CANARY_MODE", "1")
            .with_env_var("WORKSPACE_ID", format!("canary-{run_id}"))
            .with_env_var("MOLECULE_MEMORY_ROOT", MEMORY_ROOT)
            .with_env_var("CANARY_FAULTS", &setup.faults)
            .with_env_var("MOLECULE_REPLY_SHAPE", setup.shape.clone().unwrap_or_default())
            .with_env_var("MOLECULE_A2A_LAYOUT", setup.layout.clone().unwrap_or_default())
            .with_env_var("MOLECULE_MCP", setup.mcp.clone().unwrap_or_default())
            .with_container_name(super::canary::random_id("canary-runtime-", 12))
            .with_log_consumer(consumer)
            .with_startup_timeout(BOOT_TIMEOUT);
        let container = request.start().await.map_err(|e| boot_failure(&logs, format!("{label} did not start: {e}")))?;
        let port = container.get_host_port_ipv4(8000).await.map_err(|e| format!("{label}: no IPv4 port for 8000: {e}"))?;
        // 127.0.0.1, not localhost: Docker may map different IPv4 and IPv6 ports.
        let url = format!("http://127.0.0.1:{port}");
        // Ready when the card answers at any of its paths: the layout decides which.
        until_ready(&url, ready.paths()).await.map_err(|e| boot_failure(&logs, format!("{label} never became ready: {e}")))?;
        Ok(RuntimeUnderTest { url, label, container: Some(container), logs })
    }

    pub fn client(&self) -> CpSim {
        CpSim::new(&self.url)
    }

    /// Write `runtime.log` (last 200 lines) and `session-store.txt` for a failed check into
    /// `<CANARY_ARTIFACTS_DIR or artifacts>/<check>/`; returns a sentence saying where.
    pub async fn save_artifacts(&self, check: Check, failure: &str) -> String {
        let dir = artifacts_dir().join(check.name());
        if let Err(e) = std::fs::create_dir_all(&dir) {
            return format!("could not create the artifacts directory {}: {e}", dir.display());
        }
        // Artifacts are scrubbed like every other output, and a write that fails is said.
        let write = |name: &str, text: &str| {
            std::fs::write(dir.join(name), molecule_e2e::redact::scrub(text))
                .err()
                .map(|e| format!("could not write {name}: {e}"))
        };
        let mut unwritten: Vec<String> = write("failure.txt", &format!("{failure}\nruntime: {}\n", self.label)).into_iter().collect();
        let Some(container) = &self.container else {
            return format!(
                "failure written to {}{}; the runtime at {} is not ours, so its runtime.log and session-store.txt come \
                 from whoever started it (docker/run-canary.sh writes them into its artifacts/)",
                dir.display(),
                unwritten.iter().map(|e| format!(" ({e})")).collect::<String>(),
                self.url
            );
        };
        let log = String::from_utf8_lossy(&self.logs.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(200)..].join("\n");
        unwritten.extend(write("runtime.log", &(tail + "\n")));
        let store = session_store(container).await;
        unwritten.extend(write("session-store.txt", &store));
        if unwritten.is_empty() {
            format!("runtime.log (last 200 lines) and session-store.txt are in {}", dir.display())
        } else {
            format!("artifacts in {} are incomplete: {}", dir.display(), unwritten.join("; "))
        }
    }
}

/// `why`, with the runtime's boot output saved to `<artifacts>/runtime-boot-failure.log`.
fn boot_failure(logs: &Mutex<Vec<u8>>, why: String) -> String {
    let boot = String::from_utf8_lossy(&logs.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
    let dir = artifacts_dir();
    let file = dir.join("runtime-boot-failure.log");
    let saved = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&file, &boot));
    match saved {
        Ok(()) => format!("{why}; its output is in {}", file.display()),
        Err(w) => format!("{why}; could not save its output to {} ({w}); output:\n{boot}", file.display()),
    }
}

impl Drop for RuntimeUnderTest {
    fn drop(&mut self) {
        // Drop must not panic: a bad value is said, and the container goes as if unset.
        let keep = molecule_e2e::config::env_flag("KEEP_RUNNING").unwrap_or_else(|e| {
            eprintln!("{e}; removing the container");
            false
        });
        if keep
            && let Some(c) = self.container.take()
        {
            eprintln!("KEEP_RUNNING=1: leaving container {} ({}) at {}; remove it with: docker rm -f {}", c.id(), self.label, self.url, c.id());
            // Forgetting the handle skips testcontainers' remove-on-drop.
            std::mem::forget(c);
        }
    }
}

/// `CANARY_ARTIFACTS_DIR`, else `artifacts/` at the crate root.
pub fn artifacts_dir() -> PathBuf {
    value("CANARY_ARTIFACTS_DIR").map(PathBuf::from).unwrap_or_else(|| manifest_dir().join("artifacts"))
}

/// The store listing from inside the container. Scratch has no shell, so ask the reference
/// binary first; a template image gets the shell fallback.
async fn session_store(container: &ContainerAsync<GenericImage>) -> String {
    let attempts: [Vec<String>; 2] = [
        vec!["/molecule-e2e".into(), "store-listing".into(), MEMORY_ROOT.into()],
        vec![
            "sh".into(),
            "-c".into(),
            format!("ls -laR {MEMORY_ROOT}; for f in $(find {MEMORY_ROOT} -name 'session*.json'); do echo \"# $f\"; cat \"$f\"; echo; done"),
        ],
    ];
    let mut tried = Vec::new();
    for cmd in attempts {
        match container.exec(ExecCommand::new(cmd.clone())).await {
            Ok(mut res) => {
                let out = res.stdout_to_vec().await.unwrap_or_default();
                // A missing executable is not an exec error (exit code stays None): check it.
                if res.exit_code().await.ok().flatten() == Some(0) {
                    return String::from_utf8_lossy(&out).into_owned();
                }
                tried.push(format!("{:?}: no exit 0", cmd.join(" ")));
            }
            Err(e) => tried.push(format!("{:?}: {e}", cmd.join(" "))),
        }
    }
    format!("could not list {MEMORY_ROOT} inside the container; tried {}\n", tried.join("; "))
}
