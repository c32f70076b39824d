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
    /// MOLECULE_CP_URL, with MOLECULE_ADMIN_TOKEN, as the platform's own sweeper does; with
    /// --run-id, that run's orgs only, whatever their age.
    Sweep {
        /// The platform's sweeper age at aeec8e47: longer than any live lane.
        #[arg(long, default_value_t = molecule_e2e::harness::sweep::DEFAULT_MAX_AGE_MINUTES)]
        max_age_minutes: u64,
        /// Delete only the orgs of this run (its E2E_RUN_ID), whatever their age.
        #[arg(long)]
        run_id: Option<String>,
        /// Refuse to delete anything when more orgs than this are stale.
        #[arg(long, default_value_t = 50)]
        cap: usize,
        /// List what would be deleted, delete nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Make or remove an org for runs to share (`E2E_ORG_SLUG`), at MOLECULE_CP_URL.
    Org {
        #[command(subcommand)]
        verb: OrgVerb,
    },
    /// Render the run summary from the records the test processes appended (nextest runs
    /// each case in its own process), to --out and to $GITHUB_STEP_SUMMARY when set. Exits 1
    /// when --expect is given and the run recorded another number of cases.
    Report {
        /// The records file (`<E2E_REPORT>.jsonl`).
        #[arg(long)]
        records: std::path::PathBuf,
        /// Write the Markdown summary here.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// The number of live cases the run must have recorded.
        #[arg(long)]
        expect: Option<usize>,
        #[arg(long, default_value = "molecule-e2e run summary")]
        title: String,
        /// The run's shared org, whose room (`E2E_MAX_WORKSPACES`) counted its workspaces.
        #[arg(long, env = "E2E_ORG_SLUG")]
        slug: Option<String>,
    },
    /// The platform's EC2 leak check for an org slug (E2E_AWS_LEAK_CHECK, E2E_AWS_TERMINATE_LEAKS,
    /// the AWS_* credentials and region): exit 1 naming what leaked.
    AwsLeakCheck {
        /// The org slug whose instances must be gone.
        #[arg(long, env = "E2E_ORG_SLUG")]
        slug: String,
    },
    /// Exit 0 if `GET <url>` answers 2xx within the timeout for any of the URLs, 1 otherwise.
    /// The container's health check: a `FROM scratch` image has no shell or wget, so it execs
    /// the binary. The defaults are the card's paths, so every `MOLECULE_A2A_LAYOUT` is healthy.
    Healthcheck {
        /// Plain-http URLs to probe, in order.
        #[arg(default_values = ["http://127.0.0.1:8000/.well-known/agent-card.json", "http://127.0.0.1:8000/agent-card"])]
        urls: Vec<String>,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 2)]
        timeout: u64,
    },
    /// De-flake evidence: read the JUnit files of past runs (one sub-directory of <DIR> per
    /// run, ordered by name), print each case's and job's green streak and flake rate, then
    /// the verdict. Exit 0 when every job's last --window runs are green, 1 when not (naming
    /// what breaks the window), 2 when <DIR> cannot be read.
    Flakes {
        dir: std::path::PathBuf,
        /// Consecutive green runs every job needs (at least 1).
        #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
        window: usize,
    },
    /// Print the runtime's memory/session store (file listing plus every session*.json), for
    /// failure dumps taken with `docker exec` in an image without a shell.
    StoreListing {
        /// The store root; defaults to MOLECULE_MEMORY_ROOT.
        #[arg(env = "MOLECULE_MEMORY_ROOT", default_value = "/tmp/canary-memory")]
        root: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum OrgVerb {
    /// Create an org named after E2E_RUN_ID, wait until its tenant answers, and print the
    /// `export` lines that make test runs use it.
    Up {
        /// The slug prefix: full (`e2e-`), smoke (`e2e-smoke-`) or external (`e2e-ext-`).
        #[arg(long, default_value = "full")]
        kind: String,
    },
    /// Delete the org (default: E2E_ORG_SLUG) and wait until it leaves the org list.
    Down {
        #[arg(long, env = "E2E_ORG_SLUG")]
        slug: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    // The stand-in's proxy builds its own reqwest client: rustls needs its provider first.
    molecule_e2e::net::install_crypto_provider();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Standin { port } => standin(port).await,
        Command::Runtime { port, bind } => runtime(SocketAddr::new(bind, port)).await,
        Command::Sweep { max_age_minutes, run_id, cap, dry_run } => sweep(max_age_minutes, run_id, cap, dry_run).await,
        Command::Org { verb } => org(verb).await,
        Command::Healthcheck { urls, timeout } => {
            for url in &urls {
                match molecule_e2e::runtime::probe(url, std::time::Duration::from_secs(timeout)) {
                    Ok(status) if (200..300).contains(&status) => return ExitCode::SUCCESS,
                    Ok(status) => eprintln!("healthcheck: {url} answered {status}"),
                    Err(e) => eprintln!("healthcheck: {e}"),
                }
            }
            return ExitCode::FAILURE;
        }
        Command::Report { records, out, expect, title, slug } => report(&records, out.as_deref(), expect, &title, slug.as_deref()),
        Command::AwsLeakCheck { slug } => aws_leak_check(&slug),
        Command::Flakes { dir, window } => {
            return match molecule_e2e::flakes::read(&dir) {
                Ok(h) => {
                    let (text, ok) = molecule_e2e::flakes::verdict(&h, window);
                    print!("{text}");
                    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
                }
                Err(e) => {
                    eprintln!("molecule-e2e flakes: {e}");
                    ExitCode::from(2)
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

fn target() -> Result<std::sync::Arc<molecule_e2e::harness::Target>, String> {
    use molecule_e2e::harness::Target;
    let settings = molecule_e2e::config::Settings::from_env().map_err(|e| e.to_string())?;
    Target::from_settings(settings)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "this verb needs MOLECULE_CP_URL (and MOLECULE_ADMIN_TOKEN)".to_owned())
}

async fn org(verb: OrgVerb) -> Result<(), String> {
    use molecule_e2e::harness::{SlugKind, create_org, delete_org, run_slug, today};
    let target = target()?;
    let say = |s: &str| eprintln!("molecule-e2e org: {s}");
    match verb {
        OrgVerb::Up { kind } => {
            let kind = match kind.as_str() {
                "full" => SlugKind::Full,
                "smoke" => SlugKind::Smoke,
                "external" => SlugKind::External,
                other => return Err(format!("--kind {other:?}: expected full, smoke or external")),
            };
            let run_id = &target.settings.run_id;
            let slug = run_slug(kind, &today(), run_id);
            let org = create_org(&target, kind, &slug, &say).await.map_err(|e| e.to_string())?;
            println!("export E2E_ORG_SLUG={}", org.slug);
            println!("export E2E_RUN_ID={run_id}");
            say(&format!("remove it with `molecule-e2e org down --slug {}` (or `sweep --run-id {run_id}`)", org.slug));
            Ok(())
        }
        OrgVerb::Down { slug } => {
            delete_org(&target, &slug, &say).await.map_err(|e| e.to_string())?;
            // The org's workspace room (kept for `report` by the run's processes) goes with it.
            let room = molecule_e2e::harness::footprint::Room::for_org(target.cp_url(), &slug, target.settings.max_workspaces);
            if let Err(e) = std::fs::remove_dir_all(room.dir()).or_else(|e| if e.kind() == std::io::ErrorKind::NotFound { Ok(()) } else { Err(e) }) {
                say(&format!("cannot remove the org's workspace room {}: {e}", room.dir().display()));
            }
            println!("deleted {slug}");
            Ok(())
        }
    }
}

async fn sweep(max_age_minutes: u64, run_id: Option<String>, cap: usize, dry_run: bool) -> Result<(), String> {
    use molecule_e2e::harness::sweep::{max_age, sweep, sweep_run};
    let cp = target()?.cp().map_err(|e| e.to_string())?;
    let report = match &run_id {
        Some(id) => sweep_run(&cp, id, dry_run).await,
        None => match max_age(max_age_minutes) {
            Ok(age) => sweep(&cp, age, cap, dry_run).await,
            Err(e) => Err(e),
        },
    }
    .map_err(|e| e.to_string())?;
    let verb = if dry_run { "would delete" } else { "deleted" };
    for slug in &report.deleted {
        println!("{verb} {slug}");
    }
    for (slug, why) in &report.failed {
        println!("NOT deleted {slug}: {why}");
    }
    for slug in &report.undated {
        println!("kept {slug}: created_at unreadable");
    }
    match &report.tunnels {
        Some(Ok(answer)) => println!("orphan tunnels cleaned: {answer}"),
        Some(Err(e)) => println!("orphan-tunnel cleanup FAILED: {e}"),
        None => {}
    }
    let scope = match &run_id {
        Some(id) => format!("run {id}"),
        None => format!("{} younger than {max_age_minutes} min, {} undated", report.young, report.undated.len()),
    };
    println!("sweep: {verb} {}, {scope}, {} failed", report.deleted.len(), report.failed.len());
    let tunnels_failed = matches!(report.tunnels, Some(Err(_)));
    if report.failed.is_empty() && !tunnels_failed {
        Ok(())
    } else {
        Err("some deletions failed (listed above)".into())
    }
}

fn report(records: &std::path::Path, out: Option<&std::path::Path>, expect: Option<usize>, title: &str, slug: Option<&str>) -> Result<(), String> {
    use molecule_e2e::report::{check_count, parse_records, render};
    let text = match std::fs::read_to_string(records) {
        Ok(t) => t,
        // No record at all is a run that executed no live case: render that, then fail below.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", records.display())),
    };
    let recs = parse_records(&text)?;
    let mut md = render(title, &recs);
    // Under nextest no process saw the whole run: its footprint is in the shared org's room.
    let settings = molecule_e2e::config::Settings::from_env().map_err(|e| e.to_string())?;
    match molecule_e2e::harness::footprint::shared_run_line(settings.cp_url.as_deref(), slug, settings.max_workspaces) {
        Ok(line) => md.push_str(&format!("\n**{line}**\n")),
        Err(why) => eprintln!("report: no workspace footprint line: {why}"),
    }
    eprint!("{md}");
    if let Some(path) = out {
        std::fs::write(path, &md).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(path) = molecule_e2e::config::env_value("GITHUB_STEP_SUMMARY").map_err(|e| e.to_string())? {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| format!("cannot open GITHUB_STEP_SUMMARY: {e}"))?;
        f.write_all(md.as_bytes()).map_err(|e| format!("cannot write GITHUB_STEP_SUMMARY: {e}"))?;
    }
    match expect {
        Some(n) => check_count(&recs, n),
        None if recs.is_empty() => Err("no live case recorded".into()),
        None => Ok(()),
    }
}

fn aws_leak_check(slug: &str) -> Result<(), String> {
    use molecule_e2e::leak::{LeakOutcome, LeakSettings, check};
    let settings = LeakSettings::from_env()?;
    match check(&settings, slug)? {
        LeakOutcome::Clean => println!("aws-leak-check: no live EC2 instance for slug {slug} in {}", settings.region),
        LeakOutcome::Skipped(why) => eprintln!("aws-leak-check: NOT CHECKED for slug {slug}: {why}"),
        LeakOutcome::Warned(rows, terminated) => {
            let ids: Vec<_> = rows.iter().map(|i| format!("{} (Name={})", i.id, i.name)).collect();
            eprintln!(
                "aws-leak-check: WARNING (E2E_AWS_LEAK_CHECK=warn): leaked EC2 for slug {slug}: {}{}",
                ids.join(", "),
                if terminated { " (terminated now)" } else { "" }
            );
        }
    }
    Ok(())
}
