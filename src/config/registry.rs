//! The registry of every environment variable the suite reads: one row each (name, default,
//! tier, reader, meaning) and its kind, by which every value is checked in one place
//! ([`Kind::check`]). `docs/configuration.md` is this table, checked by the offline tier.

use crate::error::ConfigError;

/// One environment variable the suite reads: the registry's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variable {
    pub name: &'static str,
    /// What a value must look like; a reader may narrow it further (a choice's words).
    pub kind: Kind,
    /// What holds when it is unset.
    pub default: &'static str,
    /// The tier or room that reads it: live, leak check, stand-in, runtime, container, offline.
    pub tier: &'static str,
    /// Who reads it (`Settings` is [`Settings::from_env`](super::Settings::from_env)).
    pub read_by: &'static str,
    pub meaning: &'static str,
}

/// What a variable's value must look like. Checked by [`Kind::check`] before any reader
/// parses it, so a free-form value (a path, an id, a URL) is refused naming its variable too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// On or off: `1`/`true` or `0`/`false`.
    Flag,
    /// A whole number of the unit named (its reader may require at least 1).
    Number(&'static str),
    /// An `http://` or `https://` URL with a host (`{slug}` stands for a slug).
    Url,
    /// A file or directory path, on one line.
    Path,
    /// A comma list of names (its reader checks each against its catalogue).
    List,
    /// An id that lands in an org slug, a workspace id or a container name.
    Id,
    /// One word of a few; its reader lists them when it refuses one.
    Choice,
    /// Free text, on one line.
    Text,
    /// A key or token: one word, never printed.
    Secret,
    /// Set by a runner: only whether it is set counts.
    Set,
}

impl Kind {
    /// `Ok` when `value` (trimmed, not empty) has this kind; else what is allowed.
    pub fn check(self, value: &str) -> Result<(), String> {
        let one_line = !value.chars().any(char::is_control);
        let word = |extra: &[char]| value.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(&c));
        let ok = match self {
            Kind::Flag => matches!(value, "0" | "1" | "true" | "false"),
            Kind::Number(_) => value.parse::<u64>().is_ok(),
            Kind::Url => {
                // A URL's password is a secret like any key: known to the scrubber first.
                crate::redact::learn_text(value);
                reqwest::Url::parse(&value.replace("{slug}", "slug"))
                    .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            }
            Kind::Path | Kind::Text => one_line,
            Kind::List => value.split(',').all(|n| !n.trim().is_empty() && n.trim().chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))),
            Kind::Id => value.len() <= 63 && word(&['-', '_']),
            Kind::Choice => word(&['-', '_', '.']),
            Kind::Secret => one_line && !value.contains(char::is_whitespace),
            Kind::Set => true,
        };
        if ok { Ok(()) } else { Err(self.allowed()) }
    }

    /// What a value of this kind is, as a refusal says it.
    pub fn allowed(self) -> String {
        match self {
            Kind::Flag => "1 or 0 (true or false)".to_owned(),
            Kind::Number(unit) => format!("a whole number of {unit}"),
            Kind::Url => "an http:// or https:// URL with a host".to_owned(),
            Kind::Path => "a path on one line".to_owned(),
            Kind::List => "a comma list of names (letters, digits, - and _)".to_owned(),
            Kind::Id => "an id of at most 63 letters, digits, - and _".to_owned(),
            Kind::Choice => "one word (its reader names the words)".to_owned(),
            Kind::Text => "text on one line".to_owned(),
            Kind::Secret => "a key or token without spaces".to_owned(),
            Kind::Set => "anything".to_owned(),
        }
    }
}

/// `value` checked by the kind of `name`'s row: the one place a value is judged before its
/// reader parses it. A secret's value is masked in the error.
pub fn check(name: &str, value: &str) -> Result<(), ConfigError> {
    let row = super::variable(name).unwrap_or_else(|| panic!("{name} is checked but not declared in config::REGISTRY: add its row"));
    let value = value.trim();
    match (value.is_empty(), row.kind.check(value)) {
        (true, _) | (false, Ok(())) => Ok(()),
        (false, Err(allowed)) => {
            let shown = if row.kind == Kind::Secret { crate::redact::MASK.to_owned() } else { value.to_owned() };
            Err(ConfigError { var: row.name, value: shown, allowed })
        }
    }
}

/// Every variable `reader` reads (its rows' `read_by`), checked through `get` by [`check`]:
/// what a `from_lookup` constructor does first.
pub fn check_read_by(get: &impl Fn(&str) -> Option<String>, reader: &str) -> Result<(), ConfigError> {
    let rows = REGISTRY.iter().filter(|v| v.read_by.split(", ").any(|r| r == reader));
    rows.filter_map(|v| get(v.name).map(|value| (v.name, value))).try_for_each(|(name, value)| check(name, &value))
}

/// A variable read outside the `from_lookup` constructors: trimmed, empty as unset, checked
/// by its kind ([`check`]).
#[track_caller]
pub fn env_value(name: &str) -> Result<Option<String>, ConfigError> {
    let Ok(value) = super::env_var(name) else { return Ok(None) };
    check(name, &value)?;
    Ok(Some(value.trim().to_owned()).filter(|v| !v.is_empty()))
}

/// The kind as `docs/configuration.md` shows it.
impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kind::Number(unit) => write!(f, "number ({unit})"),
            other => f.write_str(&format!("{other:?}").to_lowercase()),
        }
    }
}

const fn var(
    name: &'static str,
    kind: Kind,
    default: &'static str,
    tier: &'static str,
    read_by: &'static str,
    meaning: &'static str,
) -> Variable {
    Variable { name, kind, default, tier, read_by, meaning }
}

/// Every environment variable the suite reads, declared once: read through
/// [`env_var`](super::env_var) (or [`env_lookup`](super::env_lookup)), which refuses a name
/// missing here.
pub const REGISTRY: &[Variable] = &[
    var("MOLECULE_CP_URL", Kind::Url, "unset: the embedded stand-in", "live", "Settings", "the control plane's base URL; unset, the live tier starts the embedded stand-in and says so"),
    var("MOLECULE_ADMIN_TOKEN", Kind::Secret, "unset (stand-in: `standin-admin-token`)", "live", "Settings, StandInConfig", "the control-plane admin bearer (`/cp/admin/*`); also the stand-in's admin token"),
    var("MOLECULE_TENANT_DOMAIN", Kind::Text, "from the CP host: `api.X` → `X`, `staging-api.X` → `staging.X`", "live", "Settings", "the tenant domain"),
    var("MOLECULE_TENANT_URL_TEMPLATE", Kind::Url, "`https://{slug}.<tenant domain>`", "live", "Settings", "tenant base URL with `{slug}`; without `{slug}` every tenant is served at that URL"),
    var("E2E_RUNTIME", Kind::Choice, "unset: every arm", "live", "Settings", "narrows the lifecycle cases to one runtime's arms (a manifest entry of the generation's catalogue: google-adk at 41409fb2 only)"),
    var("E2E_MODE", Kind::Choice, "`full`", "live", "Settings", "`full` or `smoke` (legacy `canary` = smoke)"),
    var("E2E_LLM_PATH", Kind::Choice, "`byok`", "live", "Settings", "`platform` or `byok`, accepted for the platform harness's sake; each arm pins its own key path"),
    var("E2E_MODEL_SLUG", Kind::Text, "unset", "live", "Settings", "overrides every arm's model when non-empty; never changes which arm is red"),
    var("E2E_DEFAULT_PLATFORM_MODEL", Kind::Text, "per generation: `minimax/MiniMax-M2.7` (aeec8e47), `moonshot/kimi-k2.6` (41409fb2)", "live", "Settings", "the platform path's model (the keyless arm's); unset, the generation's platform default"),
    var("E2E_MINIMAX_API_KEY", Kind::Secret, "unset", "live", "Settings", "MiniMax key for the arms on it; absent, those arms are skipped loudly on staging"),
    var("E2E_ANTHROPIC_API_KEY", Kind::Secret, "unset", "live", "Settings", "Anthropic key for the arms on it"),
    var("E2E_OPENAI_API_KEY", Kind::Secret, "unset", "live", "Settings", "OpenAI key for the arms on it"),
    var("E2E_GOOGLE_API_KEY", Kind::Secret, "unset", "live", "Settings", "Google AI Studio key for the google-adk arm"),
    var("E2E_LIFECYCLE", Kind::Choice, "`auto`", "live", "Settings", "`auto` or `off` (the lifecycle cases)"),
    var("E2E_REQUIRE_LIVE", Kind::Flag, "`0`", "live", "Settings", "`1`: no stand-in fallback, no skip, no missing milestone (staging CI sets it)"),
    var("E2E_RUN_ID", Kind::Id, "`HHMMSS-PID`", "live", "Settings", "the run's id: the org slug's suffix, and what `molecule-e2e sweep --run-id` takes"),
    var("E2E_KEEP_ORG", Kind::Flag, "`0`", "live", "Settings", "`1` keeps the run's org and workspaces, loudly"),
    var("E2E_INTENTIONAL_FAILURE", Kind::Flag, "`0`", "live", "Settings", "`1`: the sanity lane; creates use a poisoned tenant token and must fail with 401"),
    var("E2E_PROVISION_TIMEOUT_SECS", Kind::Number("seconds"), "900 (stand-in 10)", "live", "Settings", "seconds for the org to run and its tenant to answer"),
    var("E2E_WORKSPACE_ONLINE_TIMEOUT_SECS", Kind::Number("seconds"), "3600 (stand-in 10)", "live", "Settings", "seconds for a workspace to be online with a url"),
    var("E2E_CHILD_ACTIVITY_TIMEOUT_SECS", Kind::Number("seconds"), "60 (stand-in 5)", "live", "Settings", "seconds for the child's activity naming the parent"),
    var("E2E_STALE_POLL_DEADLINE_SECS", Kind::Number("seconds"), "240 (stand-in 10)", "live", "Settings", "seconds after the register until the external workspace must read `awaiting_agent`"),
    var("E2E_TRANSIENT_RETRIES", Kind::Number("attempts"), "8", "live", "Settings", "attempts for a transient A2A/register failure"),
    var("E2E_MAX_WORKSPACES", Kind::Number("workspaces"), "3 (the platform's `MOLECULE_PROVISION_CONCURRENCY` default)", "live", "Settings", "the most workspaces alive at once in the run's org, across test threads and processes; each case reserves its peak at its start, and cases wait for room in the order planned for the platform generation (`src/harness/schedule/<commit>.txt`, docs/waits-and-teardown.md)"),
    var("MOLECULE_TENANT_URL", Kind::Url, "unset", "live", "Settings", "one base URL for every tenant (a throwaway control plane's), as the platform harness reads it (`tests/e2e/lib/tenant_topology.sh` at aeec8e47); excludes `MOLECULE_TENANT_URL_TEMPLATE`"),
    var("MOLECULE_TENANT_ROUTE_HOST", Kind::Text, "unset", "live", "Settings", "the `Host` of every tenant call under slug routing (with `X-Molecule-Org-Slug`)"),
    var("MOLECULE_TENANT_ROUTE_DOMAIN", Kind::Text, "unset", "live", "Settings", "slug routing with `Host: <slug>.<domain>` (with `X-Molecule-Org-Slug`)"),
    var("E2E_CP_STAGING_ORIGIN", Kind::Url, "`https://staging-api.moleculesai.app`", "live", "Settings", "the one non-loopback origin the admin bearer may go to (`e2e_cp_require_staging_origin`)"),
    var("E2E_ORG_SLUG", Kind::Id, "unset: the run makes its own org", "live", "tests/support/run.rs", "run every case in this existing org and never delete it (`molecule-e2e org up` prints it)"),
    var("E2E_REPORT", Kind::Path, "unset: the summary on stderr", "live", "tests/support/report.rs", "where the run summary goes (Markdown); records in `<E2E_REPORT>.jsonl`, a red case's platform state in `<E2E_REPORT>.state-<case>.md`"),
    var("GITHUB_STEP_SUMMARY", Kind::Path, "set by the CI runner", "live", "tests/support/report.rs, the CLI", "the summary is appended here too"),
    var("E2E_CASE_FILTER", Kind::Text, "unset: every case", "live", ".gitea/scripts/staging.sh", "a nextest filterset narrowing a workflow's run (the sanity lane runs `test(=arm::hermes)`)"),
    var("E2E_EXPECT_CASES", Kind::Number("cases"), "set by each workflow", "live", ".gitea/workflows", "how many cases the workflow's run must have recorded (follows from `arm_table!`)"),
    var("E2E_AWS_LEAK_CHECK", Kind::Choice, "`auto`", "leak check", "LeakSettings", "`off`, `auto` (when the `aws` CLI and credentials exist), `warn` or `required`"),
    var("E2E_AWS_TERMINATE_LEAKS", Kind::Flag, "`0`", "leak check", "LeakSettings", "`1`: terminate leaked instances (the check still fails)"),
    var("E2E_AWS_REGION", Kind::Text, "`us-east-2`", "leak check", "LeakSettings", "the leak check's region (then `AWS_REGION`, `AWS_DEFAULT_REGION`)"),
    var("E2E_AWS_LEAK_CHECK_SECS", Kind::Number("seconds"), "90", "leak check", "LeakSettings", "how long the leak check polls for the instances to go"),
    var("E2E_AWS_LEAK_CHECK_INTERVAL", Kind::Number("seconds"), "10", "leak check", "LeakSettings", "the leak check's longest pause between looks"),
    var("E2E_AWS_CLI", Kind::Path, "`aws`", "leak check", "LeakSettings", "the `aws` CLI the leak check runs"),
    var("AWS_REGION", Kind::Text, "unset", "leak check", "LeakSettings", "the region, when `E2E_AWS_REGION` is unset"),
    var("AWS_DEFAULT_REGION", Kind::Text, "unset", "leak check", "LeakSettings", "the region, when neither of the above is set"),
    var("AWS_ACCESS_KEY_ID", Kind::Secret, "unset", "leak check", "LeakSettings", "credentials passed to the `aws` CLI"),
    var("AWS_SECRET_ACCESS_KEY", Kind::Secret, "unset", "leak check", "LeakSettings", "credentials passed to the `aws` CLI"),
    var("AWS_SESSION_TOKEN", Kind::Secret, "unset", "leak check", "LeakSettings", "credentials passed to the `aws` CLI"),
    var("AWS_ENDPOINT_URL", Kind::Url, "unset", "leak check", "LeakSettings", "an EC2 emulator for the `aws` CLI (moto in `.ci/run`)"),
    var("AWS_CONFIG_FILE", Kind::Path, "unset", "leak check", "LeakSettings", "the `aws` CLI's config file"),
    var("PATH", Kind::Path, "the process's", "leak check", "leak::on_path", "where the `aws` CLI is looked for"),
    var("STANDIN_FAULTS", Kind::List, "unset: none", "stand-in", "StandInConfig", "comma list of fault names (`docs/standin.md`); an unknown name is an error listing the known ones"),
    var("STANDIN_DELAYS", Kind::Choice, "`fast`", "stand-in", "StandInConfig", "`fast` or `realistic` delays"),
    var("STANDIN_ORG_READY_MS", Kind::Number("milliseconds"), "the profile's", "stand-in", "StandInConfig", "org readiness delay override, milliseconds"),
    var("STANDIN_PROVISION_MS", Kind::Number("milliseconds"), "the profile's", "stand-in", "StandInConfig", "provisioning delay override for every runtime, milliseconds"),
    var("STANDIN_WAKE_MS", Kind::Number("milliseconds"), "the profile's", "stand-in", "StandInConfig", "wake delay override, milliseconds"),
    var("STANDIN_STALE_AFTER_MS", Kind::Number("milliseconds"), "the profile's", "stand-in", "StandInConfig", "external staleness delay override, milliseconds"),
    var("STANDIN_LIVENESS_TTL_MS", Kind::Number("milliseconds"), "the profile's", "stand-in", "StandInConfig", "liveness TTL override, milliseconds"),
    var("STANDIN_BOOT_TURN_MS", Kind::Number("milliseconds"), "the profile's", "stand-in", "StandInConfig", "platform boot-turn (greeting, restart-context) duration override, milliseconds"),
    var("MOLECULE_PLATFORM", Kind::Choice, "`latest`", "live, stand-in", "Settings, StandInConfig", "the platform generation the suite expects and the stand-in behaves as: `41409fb2` (June 2026, the reference), `aeec8e47` (August 2026) or `latest` (the README's generation table)"),
    var("STANDIN_LOG", Kind::Flag, "CLI on, embedded off", "stand-in", "StandInConfig, tests/support/standin.rs", "`0` silences the CLI's request log; `1` turns the embedded one on"),
    var("STANDIN_TENANT_ROUTING", Kind::Choice, "`org-id`", "stand-in", "StandInConfig", "`slug`: serve as a throwaway control plane does, a tenant reached only through `Host: <slug>.<domain>` / `X-Molecule-Org-Slug`"),
    var("STANDIN_REPLY_SHAPE", Kind::Choice, "`message`", "stand-in", "runtime::ReplyShape", "how the stand-in's runtimes answer `message/send`: `message` or `task`"),
    var("WORKSPACE_ID", Kind::Id, "`local`", "runtime", "RuntimeConfig", "the workspace whose memory is shared across contexts"),
    var("MOLECULE_CANARY_MODE", Kind::Flag, "`0`", "runtime", "RuntimeConfig", "`1`: deterministic answers from the conversation and memory; refuses operator LLM credentials"),
    var("MOLECULE_MEMORY_ROOT", Kind::Path, "unset: in memory", "runtime", "RuntimeConfig", "where memory facts and sessions persist"),
    var("MOLECULE_REPLY_SHAPE", Kind::Choice, "`task`", "runtime, container", "RuntimeConfig", "`task`, `message` or `input-required`"),
    var("MOLECULE_A2A_LAYOUT", Kind::Choice, "`both`", "runtime, container", "RuntimeConfig, tests/support/container.rs", "where the reference runtime serves A2A and its card: `both`, `root` (as a stock a2a-sdk app) or `a2a`"),
    var("MOLECULE_MCP", Kind::Choice, "`on`", "runtime, container", "RuntimeConfig, tests/support/container.rs", "whether the reference runtime's card offers MCP (`on` or `off`)"),
    var("MOLECULE_PUBLIC_URL", Kind::Url, "from the request's `Host`", "runtime", "RuntimeConfig", "the `url` the agent card advertises"),
    var("CANARY_FAULTS", Kind::List, "unset: none", "runtime, container", "RuntimeConfig, tests/support/container.rs", "comma list of runtime faults for the reference runtime"),
    var("ANTHROPIC_API_KEY", Kind::Secret, "unset", "runtime", "RuntimeConfig", "operator credential a canary-mode runtime refuses to start with"),
    var("OPENAI_API_KEY", Kind::Secret, "unset", "runtime", "RuntimeConfig", "operator credential a canary-mode runtime refuses to start with"),
    var("MINIMAX_API_KEY", Kind::Secret, "unset", "runtime", "RuntimeConfig", "operator credential a canary-mode runtime refuses to start with"),
    var("GOOGLE_API_KEY", Kind::Secret, "unset", "runtime", "RuntimeConfig", "operator credential a canary-mode runtime refuses to start with"),
    var("GEMINI_API_KEY", Kind::Secret, "unset", "runtime", "RuntimeConfig", "operator credential a canary-mode runtime refuses to start with"),
    var("OPENROUTER_API_KEY", Kind::Secret, "unset", "runtime", "RuntimeConfig", "operator credential a canary-mode runtime refuses to start with"),
    var("CLAUDE_CODE_OAUTH_TOKEN", Kind::Secret, "unset", "runtime", "RuntimeConfig", "operator credential a canary-mode runtime refuses to start with"),
    var("GROQ_API_KEY", Kind::Secret, "unset", "runtime", "RuntimeConfig", "operator credential a canary-mode runtime refuses to start with"),
    var("TEMPLATE_IMAGE", Kind::Text, "the reference image `molecule-e2e-runtime:local`", "container", "tests/support/container.rs", "the image (`name:tag`) the canaries run against"),
    var("CANARY_RUNTIME_URL", Kind::Url, "unset", "container", "tests/support/container.rs", "run the canaries against this running runtime; no Docker needed"),
    var("CANARY_STRICT_MCP", Kind::Set, "unset", "container", "tests/support/container.rs", "retired: set, the container tier refuses to start and says why (a card that offers MCP is always held to it; one that does not gets the check not applicable)"),
    var("CANARY_ARTIFACTS_DIR", Kind::Path, "`artifacts/`", "container", "tests/support/container.rs", "where failure artifacts go"),
    var("CANARY_RUN_ID", Kind::Id, "12 random hex", "container", "tests/support/container.rs", "makes `WORKSPACE_ID=canary-<id>` unique"),
    var("KEEP_RUNNING", Kind::Flag, "`0`", "container", "tests/support/container.rs", "`1`: leave the containers running and print how to remove them"),
    var("CARGO", Kind::Path, "`cargo`", "container", "tests/support/container.rs", "the cargo that builds the reference runtime image's binary"),
    var("CARGO_TARGET_DIR", Kind::Path, "`target/`", "container", "tests/support/container.rs", "where that build goes"),
    var("CI", Kind::Set, "set by CI runners", "container", "tests/session_continuity.rs", "set: a missing Docker fails the container tier instead of skipping it"),
    var("E2E_SHARED_DIR", Kind::Path, "`../shared`", "offline", "tests/offline/contract.rs", "the steering repository's `shared/`, compared with the vendored schemas and tables"),
    var("E2E_REQUIRE_SHARED", Kind::Flag, "`0`", "offline", "tests/offline/contract.rs", "`1`: a missing `shared/` fails (`.ci/run` sets it)"),
    var("E2E_TEST_EC2_ENDPOINT", Kind::Url, "unset: the test skips loudly", "offline", "tests/offline/leak.rs", "an EC2 emulator for the leak check's own tests"),
    var("PROPTEST_CASES", Kind::Number("cases"), "each property's default", "offline", "tests/support/mod.rs", "cases per property test (a deeper search)"),
    var("NEXTEST", Kind::Set, "set by nextest", "live", "tests/support/run.rs", "a process per test: the run needs `E2E_ORG_SLUG` against a remote platform"),
    var("NEXTEST_RUN_ID", Kind::Set, "set by nextest", "live", "tests/support/run.rs, report.rs", "as above; the summary is rendered by `staging.sh summary`"),
    var("NEXTEST_EXECUTION_MODE", Kind::Choice, "set by nextest", "offline", "tests/support/matrix.rs", "`process-per-test`: the fault matrix proves only the test's own fault"),
    var("E2E_PROVIDER", Kind::Id, "`molecules-server`", "live", "Settings", "the compute provider org create names (`\"provider\"`) where the platform generation takes one (aeec8e47: an empty one falls to the control plane's default, the closed AWS path)"),
];
