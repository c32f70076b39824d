//! The one error type. Every variant says what failed in words a platform engineer can act
//! on: which call or step, which HTTP method and path, what the server answered (status,
//! its `code` and `error`, a redacted excerpt of the body), or which promise of the
//! contract the platform broke.

use std::fmt;
use std::time::Duration;

pub type Result<T, E = E2eError> = std::result::Result<T, E>;

/// A call the suite made: the client operation and its HTTP method and path (never the host,
/// never a query string that could carry a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub op: &'static str,
    pub method: &'static str,
    pub path: String,
}

impl Call {
    pub fn new(op: &'static str, method: &'static str, path: impl Into<String>) -> Self {
        Call { op, method, path: path.into() }
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} {})", self.op, self.method, self.path)
    }
}

/// How a request failed below HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    ConnectionRefused,
    Connect,
    Timeout,
    Body,
    /// A redirect to another origin: never followed, so no bearer can ride along.
    CrossOriginRedirect,
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::ConnectionRefused => "connection refused",
            TransportKind::Connect => "could not connect",
            TransportKind::Timeout => "timed out",
            TransportKind::Body => "broken response body",
            TransportKind::CrossOriginRedirect => "redirected to another origin (not followed: the bearer stays home)",
            TransportKind::Other => "request failed",
        })
    }
}

/// A bad setting: the variable, the value (masked if secret) and what is allowed.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub var: &'static str,
    pub value: String,
    pub allowed: String,
}

/// Scrubbed like [`E2eError`]: a URL's password or a key in a bad value stays masked.
impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let raw = format!("{}={:?} is not allowed: expected {}", self.var, self.value, self.allowed);
        f.write_str(&crate::redact::scrub(&raw))
    }
}

impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConfigError({self})")
    }
}

/// Why no model slug can be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    /// The platform harness falls through to `openai/gpt-4o` here; the suite refuses, so a new
    /// runtime gets a row in its generation's catalogue instead of a model nobody chose.
    #[error("no model slug for runtime {runtime:?}: it is not in the generation's catalogue (its runtimes: {known})")]
    UnknownRuntime { runtime: String, known: String },
    #[error("no model slug for runtime {runtime:?}: it is created without a model (its catalogue row says NoModel)")]
    TakesNoModel { runtime: String },
}

/// The promises, declared once: each variant with its stable name (what failures print).
macro_rules! promises {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// A promise of the platform contract that a scenario checks. The fault matrix maps
        /// each stand-in fault to the promise it breaks and requires the failure to name it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Promise {
            $($(#[$doc])* $variant,)*
        }

        impl Promise {
            /// Every promise, in declaration order.
            pub const ALL: &[Promise] = &[$(Promise::$variant),*];

            /// The promise's stable name, as failures print it.
            pub fn name(self) -> &'static str {
                match self {
                    $(Promise::$variant => $name,)*
                }
            }
        }
    };
}

promises! {
    /// §2: org create answers an `id` and the org reaches `instance_status: running`.
    OrgBecomesRunning => "org-becomes-running",
    /// §2: a deleted org is proven gone within the teardown budget: it leaves the org list
    /// (41409fb2), or its purge receipt, completed audit row and exact 404 prove it (aeec8e47).
    TeardownLeavesNoOrg => "teardown-leaves-no-org",
    /// §3.2: create answers 201 with an `id` (and the workspace's token).
    CreateAccepted => "create-accepted",
    /// §3.2: the platform rejects what it must (422 with the named `code`).
    CreateRejectedByName => "create-rejected-by-name",
    /// §4: a platform workspace reaches `online` with a non-empty `url`.
    WorkspaceComesOnline => "workspace-comes-online",
    /// §7.5: `PUT llm-billing-mode {"mode":"byok"}` resolves to `byok` and sticks.
    ByokBillingMode => "byok-billing-mode",
    /// §6: A2A `message/send` is answered with the token asked for.
    A2aAnswersPong => "a2a-answers-pong",
    /// §6.5: the known-answer gate: `PINEAPPLE` and no error marker.
    KnownAnswer => "known-answer",
    /// §6.5: every proxied call leaves an `a2a_receive` row on the target.
    ActivityRecorded => "activity-recorded",
    /// §3.6: pause answers `paused`, and GET then reports `paused` with the url cleared.
    PauseReachesPaused => "pause-reaches-paused",
    /// §3.6: resume takes a paused workspace back through `provisioning` to `online`.
    ResumeReachesOnline => "resume-reaches-online",
    /// §3.6: hibernate answers `hibernated` and GET reports it, url cleared; with
    /// `?force=true` also in the middle of a turn (core#4293, from aeec8e47).
    HibernateReachesHibernated => "hibernate-reaches-hibernated",
    /// Full mode 10b (core#4293): hibernating a workspace in the middle of a turn (GET reports
    /// `active_tasks` > 0) without `?force=true` answers 409 and changes nothing: still online,
    /// same url, the turn still running.
    BusyHibernateRefused => "busy-hibernate-refused",
    /// §4/§6.4: A2A to a hibernated workspace answers 503 `waking` (with `Retry-After`) and
    /// the workspace comes back online and answers.
    HibernatedWakesOnA2a => "hibernated-wakes-on-a2a",
    /// §5: an external create answers `awaiting_agent` with `connection.auth_token`.
    ExternalAwaitsAgent => "external-awaits-agent",
    /// §5: a bring-your-own workspace keeps its runtime label (`kimi`, not `external`).
    RuntimeLabelKept => "runtime-label-kept",
    /// §5: register echoes `delivery_mode: poll` and the workspace goes `online`.
    RegisterPollOnline => "register-poll-online",
    /// §4: an external workspace without heartbeats returns to `awaiting_agent`.
    StaleExternalAwaitsAgent => "stale-external-awaits-agent",
    /// §5: A2A to a poll-mode workspace answers 200 with exactly the queued envelope.
    PollQueuedEnvelope => "poll-queued-envelope",
    /// §5: the queued message is readable from the target's activity (`since_id` cursor).
    PollMessageReadable => "poll-message-readable",
    /// §5: a reply from the external agent arrives where it was sent.
    ByoReplyDelivered => "byo-reply-delivered",
    /// Full mode 7a: an uploaded file downloads byte-identical.
    FileRoundTrip => "file-round-trip",
    /// Full mode 7b: terminal diagnose reports `ok` (on a local-docker backend, or fails only
    /// `docker-available`, or answers the remote shape: harness FS:1543-1592 at aeec8e47).
    TerminalDiagnose => "terminal-diagnose",
    /// Full mode 7c/7d: a config rewrite is accepted and the workspace comes back online.
    ConfigRewrite => "config-rewrite",
    /// Full mode 8d: every platform model of the runtime answers the known-answer prompt.
    ProviderProbe => "provider-probe",
    /// Full mode 9: a memory written is listed back.
    Memories => "memories",
    /// Full mode 9b: peers answer 2xx with the workspace's own token.
    PeersReachable => "peers-reachable",
    /// Full mode 9c: memory KV write/read/update, stale version → 409, delete.
    MemoryKv => "memory-kv",
    /// Full mode 9d: the removed shared-context route is not served.
    SharedContextGone => "shared-context-gone",
    /// Full mode 10: a parent's A2A reaches its child, and the child's activity names the parent.
    DelegationProvenance => "delegation-provenance",
    /// Full mode 10b: pausing or resuming a parent with live children without `?cascade=true`
    /// is refused with 409 naming them and changes nothing; with it, the subtree follows.
    CascadeGuard => "cascade-guard",
    /// Lifecycle: a paused workspace does not serve A2A (the proxy answers 503 `workspace has
    /// no URL`; the platform's Go lifecycle test `assertNotServing`), and serves again after resume.
    PausedNotServing => "paused-not-serving",
    /// Lifecycle: a soft restart answers `provisioning` and the workspace comes back online and
    /// answering (the platform's Go lifecycle test, `restart`).
    RestartServes => "restart-serves",
    /// The platform serves what the declared generation (`MOLECULE_PLATFORM`) serves: the
    /// billing-mode route and the offered-models route are there, or not, as its catalogue says.
    PlatformGeneration => "platform-generation",
    /// aeec8e47: A2A to a settling (provisioning) workspace is queued (202 with a `queue_id`)
    /// and answered once it is online (platform-today row 30).
    SettlingTargetQueues => "settling-target-queues",
    /// aeec8e47: the org's `kind='platform'` root is listed, online and answers A2A, and a
    /// parentless create lands under it (`defaultCreateParentID`, `h/platform_agent.go:91-110`).
    PlatformRoot => "platform-root",
}

impl fmt::Display for Promise {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Every variant's text goes through [`crate::redact::scrub`] when displayed (and so does
/// `Debug`): whatever a server echoed into a field, a reason or a detail, a secret the suite
/// has seen, or one whose shape gives it away, never reaches a terminal or a log.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum E2eError {
    /// The server answered with a status the call does not accept.
    Api { call: Call, status: u16, code: Option<String>, error: Option<String>, excerpt: String },

    /// No HTTP answer at all.
    Transport { call: Call, kind: TransportKind, detail: String },

    /// An answer with the right status that is not what the contract says it carries.
    Decode { call: Call, status: u16, expected: &'static str, reason: String, excerpt: String },

    Config(#[from] ConfigError),

    /// An arm asks for a model the catalogue cannot give (an unknown runtime).
    Slug(#[from] SlugError),

    /// A retried call stopped: how many attempts it made, why it stopped, its last answer.
    GaveUp { call: Call, attempts: u32, why: String, last: Box<E2eError> },

    /// A wait ran out of time.
    WaitTimeout { what: String, waited: Duration, last_seen: String },

    /// The platform broke a promise of the contract.
    Broken { promise: Promise, detail: String, source: Option<Box<E2eError>> },

    /// A step of a scenario failed; the step names where in the story it happened.
    Step { step: String, source: Box<E2eError> },

    /// A requirement of the run is not met (missing credentials under `E2E_REQUIRE_LIVE=1`,
    /// no Docker, …). Says what is needed.
    Unmet(String),

    Io { what: String, source: std::io::Error },

    /// The admin bearer would go to an origin that is neither the staging control plane's nor
    /// numeric loopback (the platform harness's `e2e_cp_require_staging_origin`): not sent.
    /// The text names the URL refused and the origin allowed.
    BearerRefused(String),
}

impl E2eError {
    /// The text before scrubbing: only [`fmt::Display`] may call it.
    fn raw(&self) -> String {
        match self {
            E2eError::Api { call, status, code, error, excerpt } => format!(
                "{call}: HTTP {status}{}{}; body: {excerpt}",
                code.as_ref().map(|c| format!(" code={c}")).unwrap_or_default(),
                error.as_ref().map(|e| format!(" error={e:?}")).unwrap_or_default()
            ),
            E2eError::Transport { call, kind, detail } => format!("{call}: {kind}: {detail}"),
            E2eError::Decode { call, status, expected, reason, excerpt } => {
                format!("{call}: HTTP {status} answer is not {expected}: {reason}; body: {excerpt}")
            }
            E2eError::Config(e) => format!("bad setting: {e}"),
            E2eError::Slug(e) => e.to_string(),
            E2eError::GaveUp { call, attempts, why, last } => format!(
                "{call}: gave up after {attempts} attempt{}: {why}; last answer: {}",
                if *attempts == 1 { "" } else { "s" },
                last.raw()
            ),
            E2eError::WaitTimeout { what, waited, last_seen } => format!(
                "timed out after {:.1}s waiting for {what}; last seen: {last_seen}",
                waited.as_secs_f64()
            ),
            E2eError::Broken { promise, detail, source } => format!(
                "broken promise [{promise}]: {detail}{}",
                source.as_ref().map(|s| format!(": {}", s.raw())).unwrap_or_default()
            ),
            E2eError::Step { step, source } => format!("step `{step}` failed: {}", source.raw()),
            E2eError::Unmet(what) => what.clone(),
            E2eError::Io { what, source } => format!("{what}: {source}"),
            E2eError::BearerRefused(what) => what.clone(),
        }
    }

    fn variant(&self) -> &'static str {
        match self {
            E2eError::Api { .. } => "Api",
            E2eError::Transport { .. } => "Transport",
            E2eError::Decode { .. } => "Decode",
            E2eError::Config(_) => "Config",
            E2eError::Slug(_) => "Slug",
            E2eError::GaveUp { .. } => "GaveUp",
            E2eError::WaitTimeout { .. } => "WaitTimeout",
            E2eError::Broken { .. } => "Broken",
            E2eError::Step { .. } => "Step",
            E2eError::Unmet(_) => "Unmet",
            E2eError::Io { .. } => "Io",
            E2eError::BearerRefused(_) => "BearerRefused",
        }
    }
}

impl fmt::Display for E2eError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::redact::scrub(&self.raw()))
    }
}

/// The variant and the scrubbed text: a derived `Debug` would print every field as received.
impl fmt::Debug for E2eError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "E2eError::{}({})", self.variant(), self)
    }
}

impl E2eError {
    /// A failed check: `promise` was broken, as `detail` says.
    pub fn broken(promise: Promise, detail: impl Into<String>) -> Self {
        E2eError::Broken { promise, detail: crate::redact::scrub(&detail.into()), source: None }
    }

    /// This failure means `promise` was broken. A failure that already names a promise keeps it.
    pub fn breaks(self, promise: Promise, detail: impl Into<String>) -> Self {
        if self.promise().is_some() {
            return self;
        }
        E2eError::Broken { promise, detail: crate::redact::scrub(&detail.into()), source: Some(Box::new(self)) }
    }

    /// The promise this failure names, looking through step wrappers.
    pub fn promise(&self) -> Option<Promise> {
        match self {
            E2eError::Broken { promise, .. } => Some(*promise),
            E2eError::Step { source, .. } => source.promise(),
            _ => None,
        }
    }

    /// The HTTP status the server answered, looking through wrappers.
    pub fn status(&self) -> Option<u16> {
        match self {
            E2eError::Api { status, .. } | E2eError::Decode { status, .. } => Some(*status),
            E2eError::Step { source, .. } | E2eError::GaveUp { last: source, .. } => source.status(),
            E2eError::Broken { source: Some(s), .. } => s.status(),
            _ => None,
        }
    }

    /// The platform's error `code` (`MODEL_REQUIRED`, …), looking through wrappers.
    pub fn code(&self) -> Option<&str> {
        match self {
            E2eError::Api { code, .. } => code.as_deref(),
            E2eError::Step { source, .. } | E2eError::GaveUp { last: source, .. } => source.code(),
            E2eError::Broken { source: Some(s), .. } => s.code(),
            _ => None,
        }
    }
}

/// Attach the scenario step to a failure.
pub trait StepExt<T> {
    fn step(self, step: &str) -> Result<T>;
}

impl<T> StepExt<T> for Result<T> {
    fn step(self, step: &str) -> Result<T> {
        self.map_err(|e| match e {
            // Keep the innermost step: it is the most precise.
            e @ E2eError::Step { .. } => e,
            e => E2eError::Step { step: step.to_owned(), source: Box::new(e) },
        })
    }
}

/// Attach the promise a failure breaks.
pub trait BreaksExt<T> {
    fn breaks(self, promise: Promise, detail: &str) -> Result<T>;
}

impl<T> BreaksExt<T> for Result<T> {
    fn breaks(self, promise: Promise, detail: &str) -> Result<T> {
        self.map_err(|e| e.breaks(promise, detail))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_reads_as_a_sentence() {
        let e = E2eError::Api {
            call: Call::new("create_workspace", "POST", "/workspaces"),
            status: 422,
            code: Some("MODEL_REQUIRED".into()),
            error: Some("model is required".into()),
            excerpt: "{}".into(),
        };
        assert_eq!(
            e.to_string(),
            r#"create_workspace (POST /workspaces): HTTP 422 code=MODEL_REQUIRED error="model is required"; body: {}"#
        );
    }

    #[test]
    fn breaks_keeps_the_first_promise_named() {
        let inner = E2eError::broken(Promise::KnownAnswer, "no PINEAPPLE");
        let e = Err::<(), _>(inner).step("known answer").breaks(Promise::A2aAnswersPong, "x").unwrap_err();
        assert_eq!(e.promise(), Some(Promise::KnownAnswer));
        assert!(e.to_string().contains("[known-answer]"), "{e}");
    }
}
