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
            cfg.log_requests = std::env::var("STANDIN_LOG").as_deref() == Ok("1");
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
