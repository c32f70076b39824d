//! The stand-in's fault catalogue: named ways to break exactly one promise of the platform
//! contract. The suite proves it can fail by running a scenario against a stand-in with a
//! `Fail` fault and requiring the failure that names it; a `Survive` fault models weather the
//! real platform has (transient 5xx, slow boots) and must leave the suite green.

use std::fmt;
use std::str::FromStr;

/// Whether the suite must go red (`Fail`) or stay green (`Survive`) under a fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultOutcome {
    Fail,
    Survive,
}

/// One broken promise. See [`Fault::description`] for the promise each one breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    ResumeStaysPaused,
    NeverWakes,
    ExternalLabelCoerced,
    QueuedSaysPush,
    Proxy404Poll,
    AllowlistLacksGoogleAdk,
    RuntimeMisspells,
    ReplyErrorMarker,
    ActivityNotRecorded,
    ByokIgnored,
    DeletedOrgListed,
    OnlineWithoutUrl,
    RegisterDropsDeliveryMode,
    PauseIgnored,
    ExternalNeverStale,
    CreateHtml500,
    DownloadBytesDiffer,
    StaleVersionAccepted,
    ProvenanceLost,
    Memory503,
    DiagnoseFails,
    SharedContextServed,
    Peers404,
    ConfigRewriteWedges,
    PlatformModelsMisroute,
    Transient5xx,
    SlowProvisioning,
    WakingWithoutRetryAfter,
    KnownAnswerWrong,
    HibernateIgnored,
    ExternalCreatedOnline,
    PollReplyDropped,
    OrgNeverRuns,
    UnregisteredModelAccepted,
}

impl Fault {
    pub const ALL: [Fault; 34] = [
        Fault::ResumeStaysPaused,
        Fault::NeverWakes,
        Fault::ExternalLabelCoerced,
        Fault::QueuedSaysPush,
        Fault::Proxy404Poll,
        Fault::AllowlistLacksGoogleAdk,
        Fault::RuntimeMisspells,
        Fault::ReplyErrorMarker,
        Fault::ActivityNotRecorded,
        Fault::ByokIgnored,
        Fault::DeletedOrgListed,
        Fault::OnlineWithoutUrl,
        Fault::RegisterDropsDeliveryMode,
        Fault::PauseIgnored,
        Fault::ExternalNeverStale,
        Fault::CreateHtml500,
        Fault::DownloadBytesDiffer,
        Fault::StaleVersionAccepted,
        Fault::ProvenanceLost,
        Fault::Memory503,
        Fault::DiagnoseFails,
        Fault::SharedContextServed,
        Fault::Peers404,
        Fault::ConfigRewriteWedges,
        Fault::PlatformModelsMisroute,
        Fault::Transient5xx,
        Fault::SlowProvisioning,
        Fault::WakingWithoutRetryAfter,
        Fault::KnownAnswerWrong,
        Fault::HibernateIgnored,
        Fault::ExternalCreatedOnline,
        Fault::PollReplyDropped,
        Fault::OrgNeverRuns,
        Fault::UnregisteredModelAccepted,
    ];

    /// The kebab-case name used in `STANDIN_FAULTS` and in docs.
    pub fn name(self) -> &'static str {
        match self {
            Fault::ResumeStaysPaused => "resume-stays-paused",
            Fault::NeverWakes => "never-wakes",
            Fault::ExternalLabelCoerced => "external-label-coerced",
            Fault::QueuedSaysPush => "queued-says-push",
            Fault::Proxy404Poll => "proxy-404-poll",
            Fault::AllowlistLacksGoogleAdk => "allowlist-lacks-google-adk",
            Fault::RuntimeMisspells => "runtime-misspells",
            Fault::ReplyErrorMarker => "reply-error-marker",
            Fault::ActivityNotRecorded => "activity-not-recorded",
            Fault::ByokIgnored => "byok-ignored",
            Fault::DeletedOrgListed => "deleted-org-listed",
            Fault::OnlineWithoutUrl => "online-without-url",
            Fault::RegisterDropsDeliveryMode => "register-drops-delivery-mode",
            Fault::PauseIgnored => "pause-ignored",
            Fault::ExternalNeverStale => "external-never-stale",
            Fault::CreateHtml500 => "create-html-500",
            Fault::DownloadBytesDiffer => "download-bytes-differ",
            Fault::StaleVersionAccepted => "stale-version-accepted",
            Fault::ProvenanceLost => "provenance-lost",
            Fault::Memory503 => "memory-503",
            Fault::DiagnoseFails => "diagnose-fails",
            Fault::SharedContextServed => "shared-context-served",
            Fault::Peers404 => "peers-404",
            Fault::ConfigRewriteWedges => "config-rewrite-wedges",
            Fault::PlatformModelsMisroute => "platform-models-misroute",
            Fault::Transient5xx => "transient-5xx",
            Fault::SlowProvisioning => "slow-provisioning",
            Fault::WakingWithoutRetryAfter => "waking-without-retry-after",
            Fault::KnownAnswerWrong => "known-answer-wrong",
            Fault::HibernateIgnored => "hibernate-ignored",
            Fault::ExternalCreatedOnline => "external-created-online",
            Fault::PollReplyDropped => "poll-reply-dropped",
            Fault::OrgNeverRuns => "org-never-runs",
            Fault::UnregisteredModelAccepted => "unregistered-model-accepted",
        }
    }

    /// The promise of the contract this fault breaks (or, for `Survive` faults, the weather
    /// it adds), in one sentence.
    pub fn description(self) -> &'static str {
        match self {
            Fault::ResumeStaysPaused => "resume answers 200 provisioning but the workspace stays paused (§3.6)",
            Fault::NeverWakes => "A2A to a hibernated workspace answers the waking 503 but no restart fires: it stays hibernated (§3.6, §6.4)",
            Fault::ExternalLabelCoerced => "kimi / kimi-cli workspaces report runtime \"external\" instead of keeping their label (§5)",
            Fault::QueuedSaysPush => "the poll-mode queued answer says \"delivery_mode\":\"push\" (§5)",
            Fault::Proxy404Poll => "A2A to a poll-mode workspace answers 404 workspace not found instead of queueing (§5)",
            Fault::AllowlistLacksGoogleAdk => "google-adk is missing from the create allowlist: 422 RUNTIME_UNSUPPORTED (§3.2, §7.1)",
            Fault::RuntimeMisspells => "provisioned runtimes misspell canary tokens (PONG -> PNOG) (§6.5 known-answer gate)",
            Fault::ReplyErrorMarker => "provisioned runtimes prefix replies with an `Agent error:` marker (§6.5 known-answer gate)",
            Fault::ActivityNotRecorded => "proxied A2A calls (push and poll) write no a2a_receive activity row (§6.5)",
            Fault::ByokIgnored => "PUT llm-billing-mode byok answers 200 byok but nothing is stored: GET says platform_managed and vendor-key writes are refused (§3.7)",
            Fault::DeletedOrgListed => "tenant DELETE answers 200 and tears the tenant down, but the org stays in the org list (§2 teardown leak check)",
            Fault::OnlineWithoutUrl => "provisioned workspaces go online with url \"\" (§3.3 readiness = online AND url)",
            Fault::RegisterDropsDeliveryMode => "the register response lacks delivery_mode (§5)",
            Fault::PauseIgnored => "pause answers 200 paused but nothing changes (§3.6)",
            Fault::ExternalNeverStale => "an external workspace without heartbeats never goes back to awaiting_agent (§4)",
            Fault::CreateHtml500 => "POST /workspaces answers 500 with an HTML page (§3.2)",
            Fault::DownloadBytesDiffer => "chat download returns bytes different from the upload (§3.1 #7)",
            Fault::StaleVersionAccepted => "memory KV ignores if_match_version: stale writes succeed (§3.1 #15)",
            Fault::ProvenanceLost => "activity rows never carry the caller: source_id is always null (§6.5)",
            Fault::Memory503 => "memories answer 503 memory plugin is not configured (§3.1 #11)",
            Fault::DiagnoseFails => "terminal diagnose reports ok:false, first_failure llm-reachable (§3.1 #8)",
            Fault::SharedContextServed => "the removed shared-context route answers 200 (§3.1 #18)",
            Fault::Peers404 => "GET /registry/:id/peers answers 404 (route regression) (§3.1 #13)",
            Fault::ConfigRewriteWedges => {
                "a config.yaml rewrite takes the workspace down to provisioning and it never comes back online (§3.1 #9, §4)"
            }
            Fault::PlatformModelsMisroute => {
                "workspaces on a platform-managed model get runtimes that misspell canary tokens: the provider probe's \
                 models do not answer (§8 step 8d)"
            }
            Fault::Transient5xx => "the first two A2A dispatches to each workspace answer 503 (agent unreachable) then 502 Bad Gateway (§6.4, retried by the suite)",
            Fault::SlowProvisioning => "provisioning takes 5x longer and passes through a transient `failed` status before online (§4)",
            Fault::WakingWithoutRetryAfter => "the waking 503 has no Retry-After header and no retry_after field (§6.4)",
            Fault::KnownAnswerWrong => {
                "the A2A proxy rewrites only the reply to the known-answer prompt: PINEAPPLE becomes PAPAYA, well-formed; PONG stays right (§6.5 known-answer gate)"
            }
            Fault::HibernateIgnored => "hibernate answers 200 hibernated but the workspace stays online (§3.6)",
            Fault::ExternalCreatedOnline => {
                "external create answers status online with no connection block: no awaiting_agent, no connection.auth_token (§3.2, §5)"
            }
            Fault::PollReplyDropped => {
                "the external agent's A2A reply to its sender is answered 200 queued but never recorded in the sender's activity (§5)"
            }
            Fault::OrgNeverRuns => "the org goes instance_status failed with a last_error instead of running (§2)",
            Fault::UnregisteredModelAccepted => {
                "create accepts an unregistered model (codex on its default slug) with 201 instead of 422 UNREGISTERED_MODEL_FOR_RUNTIME (§3.2 step 10)"
            }
        }
    }

    /// Whether the suite must fail (`Fail`) or stay green (`Survive`) under this fault.
    pub fn outcome(self) -> FaultOutcome {
        match self {
            Fault::Transient5xx | Fault::SlowProvisioning | Fault::WakingWithoutRetryAfter => FaultOutcome::Survive,
            _ => FaultOutcome::Fail,
        }
    }

    /// Every known name, comma-separated (for error messages).
    pub fn known_names() -> String {
        Fault::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        Fault::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| format!("unknown stand-in fault {s:?}; known: {}", Fault::known_names()))
    }
}

/// The faults a running stand-in was started with and how often each one fired.
///
/// [`ActiveFaults::fires`] is asked only at the point where a fault would change an answer or
/// the state, so a hit count above zero proves the fault's behaviour was actually exercised.
pub struct ActiveFaults {
    on: [bool; Fault::ALL.len()],
    hits: [std::sync::atomic::AtomicU64; Fault::ALL.len()],
}

impl ActiveFaults {
    pub fn new(faults: &std::collections::BTreeSet<Fault>) -> Self {
        ActiveFaults {
            on: Fault::ALL.map(|f| faults.contains(&f)),
            hits: std::array::from_fn(|_| std::sync::atomic::AtomicU64::new(0)),
        }
    }

    fn index(f: Fault) -> usize {
        Fault::ALL.iter().position(|x| *x == f).unwrap_or_default()
    }

    /// Whether `f` is on, without counting (for set-up decisions that change nothing yet).
    pub fn is_on(&self, f: Fault) -> bool {
        self.on[Self::index(f)]
    }

    /// Whether `f` is on; if so, one hit is counted. Ask only where the fault changes behaviour.
    pub fn fires(&self, f: Fault) -> bool {
        let on = self.is_on(f);
        if on {
            self.count(f);
        }
        on
    }

    /// Count one hit of `f` whose effect was decided earlier (a runtime started faulty answers).
    pub fn count(&self, f: Fault) {
        self.hits[Self::index(f)].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn hits(&self, f: Fault) -> u64 {
        self.hits[Self::index(f)].load(std::sync::atomic::Ordering::Relaxed)
    }
}
