//! `molecule-e2e`: run the platform stand-in, the reference runtime, or the org sweeper.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "molecule-e2e", version, about = "Molecule end-to-end suite: stand-in, reference runtime, sweeper")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the platform stand-in on 127.0.0.1 (control plane + tenant API + A2A proxy).
    Standin {
        /// Port to listen on; 0 picks a free port and prints it.
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
    /// Serve the reference runtime (A2A, agent card, MCP memory tool).
    Runtime {
        /// Port to listen on; 0 picks a free port and prints it.
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Address to bind (the container binds 0.0.0.0).
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
    },
    /// Delete ephemeral orgs (`e2e-`, `rt-e2e-`) older than --max-age-minutes at
    /// MOLECULE_CP_URL, with MOLECULE_ADMIN_TOKEN, as the platform's own sweeper does.
    Sweep {
        #[arg(long, default_value_t = 30)]
        max_age_minutes: u64,
        /// Refuse to delete anything when more orgs than this are stale.
        #[arg(long, default_value_t = 50)]
        cap: usize,
        /// List what would be deleted, delete nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Exit 0 if `GET <url>` answers 2xx within the timeout, 1 otherwise. The container's
    /// health check: a `FROM scratch` image has no shell or wget, so it execs the binary.
    Healthcheck {
        /// Plain-http URL to probe.
        #[arg(default_value = "http://127.0.0.1:8000/agent-card")]
        url: String,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 2)]
        timeout: u64,
    },
    /// Print the runtime's memory/session store (file listing plus every session*.json), for
    /// failure dumps taken with `docker exec` in an image without a shell.
    StoreListing {
        /// The store root; defaults to MOLECULE_MEMORY_ROOT.
        #[arg(env = "MOLECULE_MEMORY_ROOT", default_value = "/tmp/canary-memory")]
        root: std::path::PathBuf,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    // The stand-in's proxy builds its own reqwest client: rustls needs its provider first.
    molecule_e2e::client::install_crypto_provider();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Standin { port } => standin(port).await,
        Command::Runtime { port, bind } => runtime(SocketAddr::new(bind, port)).await,
        Command::Sweep { max_age_minutes, cap, dry_run } => sweep(max_age_minutes, cap, dry_run).await,
        Command::Healthcheck { url, timeout } => {
            return match molecule_e2e::runtime::probe(&url, std::time::Duration::from_secs(timeout)) {
                Ok(status) if (200..300).contains(&status) => ExitCode::SUCCESS,
                Ok(status) => {
                    eprintln!("healthcheck: {url} answered {status}");
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("healthcheck: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Command::StoreListing { root } => {
            print!("{}", molecule_e2e::runtime::store_listing(&root));
            return ExitCode::SUCCESS;
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("molecule-e2e: {e}");
            ExitCode::from(2)
        }
    }
}

async fn standin(port: u16) -> Result<(), String> {
    use molecule_e2e::standin::{StandIn, StandInConfig};
    let cfg = StandInConfig::from_env()?;
    let s = StandIn::start(cfg, SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    println!("molecule-e2e stand-in listening on {}", s.url());
    tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
    Ok(())
}

async fn runtime(listen: SocketAddr) -> Result<(), String> {
    use molecule_e2e::runtime::{RuntimeConfig, serve};
    let cfg = RuntimeConfig::from_env()?;
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("molecule-e2e runtime listening on http://{addr}");
    serve(cfg, listener).await.map_err(|e| e.to_string())
}

async fn sweep(max_age_minutes: u64, cap: usize, dry_run: bool) -> Result<(), String> {
    use molecule_e2e::client::ControlPlane;
    use molecule_e2e::config::Settings;
    use molecule_e2e::harness::sweep::sweep;
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    let Some(url) = settings.cp_url.clone() else {
        return Err("sweep needs MOLECULE_CP_URL (and MOLECULE_ADMIN_TOKEN)".into());
    };
    if settings.admin_token.is_none() {
        return Err("sweep needs MOLECULE_ADMIN_TOKEN".into());
    }
    let cp = ControlPlane::new(&url, settings.admin_token.clone()).map_err(|e| e.to_string())?;
    let max_age = std::time::Duration::from_secs(max_age_minutes * 60);
    let report = sweep(&cp, max_age, cap, dry_run).await.map_err(|e| e.to_string())?;
    let verb = if dry_run { "would delete" } else { "deleted" };
    for slug in &report.deleted {
        println!("{verb} {slug}");
    }
    for slug in &report.undated {
        println!("kept {slug}: created_at unreadable");
    }
    println!(
        "sweep: {verb} {}, {} younger than {max_age_minutes} min, {} undated, {} failed",
        report.deleted.len(),
        report.young,
        report.undated.len(),
        report.failed.len()
    );
    if report.failed.is_empty() {
        Ok(())
    } else {
        let lines: Vec<_> = report.failed.iter().map(|(s, e)| format!("{s}: {e}")).collect();
        Err(format!("some deletions failed:\n  {}", lines.join("\n  ")))
    }
}
