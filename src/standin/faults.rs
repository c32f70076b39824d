//! The stand-in's fault catalogue: named ways to break exactly one promise of the platform
//! contract. The suite proves it can fail by running a scenario against a stand-in with a
//! `Fail` fault and requiring the failure that names it; a `Survive` fault models weather the
//! real platform has (transient 5xx, slow boots) and must leave the suite green.

use std::fmt;
use std::str::FromStr;

use crate::error::Promise;

/// Whether the suite must go red (`Fail`) or stay green (`Survive`) under a fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultOutcome {
    Fail,
    Survive,
}

/// What a story must make of a fault: fail naming the promise the fault breaks, or stay green.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Fails(Promise),
    Survives,
}

/// One proof of a fault: the live case (story) run against a stand-in with the fault on, and
/// the verdict it must reach. The fault matrix (`tests/support/matrix.rs`) runs every proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proof {
    /// The story, named as its live case is (`arm::hermes`, `lifecycle::pause_resume`, …),
    /// with `@<commit>` when the promise is one generation's only (run there; else the latest).
    pub story: &'static str,
    pub verdict: Verdict,
}

/// The one declaration of the stand-in's faults: each row is the fault's test name, its
/// variant, its `STANDIN_FAULTS` name, the promise it breaks (or the weather it adds) in one
/// sentence, and its proofs (story and verdict). [`Fault`], its names, descriptions, outcome
/// and proofs, the fault matrix's cases (`fault_matrix::<name>`) and the docs' fault table all
/// follow from it. A new fault is one row here, its stand-in rule (`faults.fires(..)` where the
/// behaviour changes) and its contrast test (`docs/extending.md`).
#[macro_export]
macro_rules! fault_table {
    ($callback:ident) => {
        $callback! {
        resume_stays_paused ResumeStaysPaused "resume-stays-paused"
            "resume answers 200 provisioning but the workspace stays paused (§3.6)"
            [fails(ResumeReachesOnline) @ "lifecycle::pause_resume"];
        never_wakes NeverWakes "never-wakes"
            "A2A to a hibernated workspace answers the waking 503 but no restart fires: it stays hibernated (§3.6, §6.4)"
            [fails(HibernatedWakesOnA2a) @ "lifecycle::hibernate_wake"];
        external_label_coerced ExternalLabelCoerced "external-label-coerced"
            "kimi / kimi-cli workspaces report runtime \"external\" instead of keeping their label (§5)"
            [fails(RuntimeLabelKept) @ "external::kimi"];
        queued_says_push QueuedSaysPush "queued-says-push"
            "the poll-mode queued answer says \"delivery_mode\":\"push\" (§5)"
            [fails(PollQueuedEnvelope) @ "external::kimi_cli"];
        proxy_404_poll Proxy404Poll "proxy-404-poll"
            "A2A to a poll-mode workspace answers 404 workspace not found instead of queueing (§5)"
            [fails(PollQueuedEnvelope) @ "external::kimi"];
        allowlist_lacks_google_adk AllowlistLacksGoogleAdk "allowlist-lacks-google-adk"
            "google-adk is missing from the create allowlist: 422 RUNTIME_UNSUPPORTED (§3.2, §7.1)"
            [fails(CreateAccepted) @ "arm::google_adk@41409fb2"];
        runtime_misspells RuntimeMisspells "runtime-misspells"
            "provisioned runtimes misspell canary tokens (PONG -> PNOG) (§6.5 known-answer gate)"
            [fails(A2aAnswersPong) @ "arm::hermes"];
        reply_error_marker ReplyErrorMarker "reply-error-marker"
            "provisioned runtimes prefix replies with an `Agent error:` marker (§6.5 known-answer gate)"
            [fails(A2aAnswersPong) @ "arm::openclaw"];
        activity_not_recorded ActivityNotRecorded "activity-not-recorded"
            "proxied A2A calls (push and poll) write no a2a_receive activity row (§6.5)"
            [fails(ActivityRecorded) @ "arm::hermes"];
        byok_ignored ByokIgnored "byok-ignored"
            "PUT llm-billing-mode byok answers 200 byok but nothing is stored: GET says platform_managed and vendor-key writes are refused (§3.7)"
            [fails(ByokBillingMode) @ "arm::claude_code_minimax@41409fb2"];
        deleted_org_listed DeletedOrgListed "deleted-org-listed"
            "tenant DELETE answers 200 and tears the tenant down, but the org stays in the org list (§2 teardown leak check)"
            [fails(TeardownLeavesNoOrg) @ "arm::claude_code_subscription"];
        online_without_url OnlineWithoutUrl "online-without-url"
            "provisioned workspaces go online with url \"\" (§3.3 readiness = online AND url)"
            [fails(WorkspaceComesOnline) @ "arm::hermes"];
        register_drops_delivery_mode RegisterDropsDeliveryMode "register-drops-delivery-mode"
            "the register response lacks delivery_mode (§5)"
            [fails(RegisterPollOnline) @ "external::transitions"];
        pause_ignored PauseIgnored "pause-ignored"
            "pause answers 200 paused but nothing changes (§3.6)"
            [fails(PauseReachesPaused) @ "lifecycle::pause_resume"];
        external_never_stale ExternalNeverStale "external-never-stale"
            "an external workspace without heartbeats never goes back to awaiting_agent (§4)"
            [fails(StaleExternalAwaitsAgent) @ "external::transitions"];
        create_html_500 CreateHtml500 "create-html-500"
            "POST /workspaces answers 500 with an HTML page (§3.2)"
            [fails(CreateAccepted) @ "arm::seo_agent"];
        download_bytes_differ DownloadBytesDiffer "download-bytes-differ"
            "chat download returns bytes different from the upload (§3.1 #7)"
            [fails(FileRoundTrip) @ "arm::hermes"];
        cascade_guard_missing CascadeGuardMissing "cascade-guard-missing"
            "pause and resume of a parent with live children take the whole subtree without ?cascade=true, as before 22ee2b0e"
            [fails(CascadeGuard) @ "arm::hermes"];
        cascade_refusal_pauses CascadeRefusalPauses "cascade-refusal-pauses"
            "pause of a parent with live children answers the 409 refusal but pauses the parent anyway"
            [fails(CascadeGuard) @ "arm::claude_code_anthropic"];
        paused_still_serves PausedStillServes "paused-still-serves"
            "pause answers paused and clears the url, but the runtime keeps running and the proxy still reaches it"
            [fails(PausedNotServing) @ "lifecycle::pause_resume"];
        restart_never_returns RestartNeverReturns "restart-never-returns"
            "restart answers provisioning and stops the runtime, but never brings it back online"
            [fails(RestartServes) @ "lifecycle::pause_resume"];
        reply_login_prompt ReplyLoginPrompt "reply-login-prompt"
            "PONG answers carry the bare \"Not logged in · Please run /login\" of an agent without its LLM token (completion_assert.sh at aeec8e47)"
            [fails(A2aAnswersPong) @ "arm::claude_code_platform"];
        upload_drops_mime UploadDropsMime "upload-drops-mime"
            "chat upload stores application/octet-stream instead of the part's Content-Type (chat_files.go safeMimetype; harness 7a at aeec8e47)"
            [fails(FileRoundTrip) @ "arm::openclaw"];
        stale_version_accepted StaleVersionAccepted "stale-version-accepted"
            "memory KV ignores if_match_version: stale writes succeed (§3.1 #15)"
            [fails(MemoryKv) @ "arm::hermes"];
        provenance_lost ProvenanceLost "provenance-lost"
            "activity rows never carry the caller: source_id is always null (§6.5)"
            [fails(PollMessageReadable) @ "external::byo_round_trip", fails(DelegationProvenance) @ "arm::hermes"];
        memory_503 Memory503 "memory-503"
            "memories answer 503 memory plugin is not configured (§3.1 #11)"
            [fails(Memories) @ "arm::hermes"];
        diagnose_fails DiagnoseFails "diagnose-fails"
            "terminal diagnose reports ok:false at a step other than docker-available: llm-reachable at 41409fb2, container-running on local docker (§3.1 #8)"
            [fails(TerminalDiagnose) @ "arm::hermes"];
        shared_context_served SharedContextServed "shared-context-served"
            "the removed shared-context route answers 200 (§3.1 #18)"
            [fails(SharedContextGone) @ "arm::hermes"];
        peers_404 Peers404 "peers-404"
            "GET /registry/:id/peers answers 404 (route regression) (§3.1 #13)"
            [fails(PeersReachable) @ "arm::hermes"];
        config_rewrite_wedges ConfigRewriteWedges "config-rewrite-wedges"
            "a config.yaml rewrite takes the workspace down to provisioning and it never comes back online (§3.1 #9, §4)"
            [fails(ConfigRewrite) @ "arm::hermes"];
        platform_models_misroute PlatformModelsMisroute "platform-models-misroute"
            "workspaces on a platform-managed model get runtimes that misspell canary tokens: the provider probe's models do not answer (§8 step 8d)"
            [fails(ProviderProbe) @ "arm::hermes"];
        transient_5xx Transient5xx "transient-5xx"
            "the first two A2A dispatches to each workspace answer 503 (agent unreachable) then 502 Bad Gateway (§6.4, retried by the suite)"
            [survives @ "arm::hermes"];
        slow_provisioning SlowProvisioning "slow-provisioning"
            "provisioning takes 5x longer and passes through a transient `failed` status before online (§4)"
            [survives @ "lifecycle::pause_resume"];
        waking_without_retry_after WakingWithoutRetryAfter "waking-without-retry-after"
            "the waking 503 has no Retry-After header and no retry_after field (§6.4)"
            [survives @ "lifecycle::hibernate_wake"];
        known_answer_wrong KnownAnswerWrong "known-answer-wrong"
            "the A2A proxy rewrites only the reply to the known-answer prompt: PINEAPPLE becomes PAPAYA, well-formed; PONG stays right (§6.5 known-answer gate)"
            [fails(KnownAnswer) @ "arm::hermes"];
        hibernate_ignored HibernateIgnored "hibernate-ignored"
            "hibernate answers 200 hibernated but the workspace stays online (§3.6)"
            [fails(HibernateReachesHibernated) @ "lifecycle::hibernate_wake"];
        hibernate_ignores_busy HibernateIgnoresBusy "hibernate-ignores-busy"
            "hibernate without ?force=true hibernates a workspace in the middle of a turn (active_tasks > 0) instead of answering 409 (workspace_restart.go:651-661 at aeec8e47)"
            [fails(BusyHibernateRefused) @ "lifecycle::hibernate_wake"];
        force_spares_busy ForceSparesBusy "force-spares-busy"
            "hibernate?force=true of a workspace in the middle of a turn answers 200 hibernated and leaves it online, as before core#4293 (workspace_restart.go:718-749 at aeec8e47)"
            [fails(HibernateReachesHibernated) @ "lifecycle::hibernate_wake"];
        external_created_online ExternalCreatedOnline "external-created-online"
            "external create answers status online with no connection block: no awaiting_agent, no connection.auth_token (§3.2, §5)"
            [fails(ExternalAwaitsAgent) @ "external::transitions"];
        poll_reply_dropped PollReplyDropped "poll-reply-dropped"
            "the external agent's A2A reply to its sender is answered 200 queued but never recorded in the sender's activity (§5)"
            [fails(ByoReplyDelivered) @ "external::byo_round_trip"];
        org_never_runs OrgNeverRuns "org-never-runs"
            "the org goes instance_status failed with a last_error instead of running (§2)"
            [fails(OrgBecomesRunning) @ "arm::hermes"];
        unregistered_model_accepted UnregisteredModelAccepted "unregistered-model-accepted"
            "create accepts an unregistered model (codex on its default slug) with 201 instead of 422 UNREGISTERED_MODEL_FOR_RUNTIME (§3.2 step 10)"
            [fails(CreateRejectedByName) @ "arm::codex"];
        billing_route_kept BillingRouteKept "billing-route-kept"
            "the llm-billing-mode route removed at 881b3f6f still answers, as 41409fb2 did: the platform is not the declared generation (preflight)"
            [fails(PlatformGeneration) @ "arm::hermes"];
        offered_models_differ OfferedModelsDiffer "offered-models-differ"
            "GET /admin/llm/offered-models lacks a platform model of the generation's registry and offers the withdrawn moonshot/kimi-k2.6 (§8 step 8d)"
            [fails(ProviderProbe) @ "arm::hermes"];
        create_drops_body_keys CreateDropsBodyKeys "create-drops-body-keys"
            "a BYOK create accepts its vendor keys in the body but stores none: provisioning fails MISSING_BYOK_CREDENTIAL (h/workspace.go:884-910)"
            [fails(WorkspaceComesOnline) @ "arm::hermes"];
        boot_turn_holds_first_turn BootTurnHoldsFirstTurn "boot-turn-holds-first-turn"
            "the first-boot greeting is still in flight when the first caller turn arrives: it is answered 200 queued with a queue_id and drained after the greeting (platform-today rows 28, 30)"
            [survives @ "arm::hermes"];
        queue_never_resolves QueueNeverResolves "queue-never-resolves"
            "a caller turn queued behind a boot turn is never drained: its queue item stays `queued` (platform-today row 28)"
            [fails(A2aAnswersPong) @ "arm::hermes"];
        queue_wrong_result QueueWrongResult "queue-wrong-result"
            "a queued caller turn completes holding the boot turn's answer (\"Workspace restarted and ready…\"), not its own (platform-today row 28)"
            [fails(A2aAnswersPong) @ "arm::hermes"];
        queue_item_dropped QueueItemDropped "queue-item-dropped"
            "a queued caller turn is dropped with a last_error instead of dispatched (platform-today row 28)"
            [fails(A2aAnswersPong) @ "arm::hermes"];
        interrupt_ack_once InterruptAckOnce "interrupt-ack-once"
            "each workspace's agent answers its first message/send with the interrupt acknowledgement, then answers (platform-today row 31)"
            [survives @ "arm::hermes"];
        interrupt_ack_forever InterruptAckForever "interrupt-ack-forever"
            "the agent answers every message/send with the interrupt acknowledgement and never the reply (platform-today row 31)"
            [fails(A2aAnswersPong) @ "arm::hermes"];
        push_async_parked PushAsyncParked "push-async-parked"
            "canvas callers' turns are parked past the sync budget: 200 {status:queued, delivery_mode:push-async} and no reply (platform-today row 29)"
            [fails(A2aAnswersPong) @ "arm::hermes"];
        settling_answered_503 SettlingAnswered503 "settling-answered-503"
            "A2A to a settling (provisioning) workspace answers 503 workspace has no URL instead of queueing it (platform-today row 30)"
            [fails(SettlingTargetQueues) @ "lifecycle::pause_resume"];
        create_cold_503 CreateCold503 "create-cold-503"
            "the edge answers the first two workspace creates with an empty-body 503 and Retry-After: 1, the cold-origin write window (c1e3398d; retried by the suite)"
            [survives @ "arm::hermes"];
        create_reset CreateReset "create-reset"
            "the first workspace create's connection is dropped before any answer, the cold-origin window at the transport layer (retried by the suite)"
            [survives @ "arm::hermes"];
        create_503_json Create503Json "create-503-json"
            "the first workspace create answers 503 with a JSON body: a handler answered and may have created it, so it must not be retried"
            [fails(CreateAccepted) @ "arm::hermes"];
        teardown_queued TeardownQueued "teardown-queued"
            "tenant DELETE answers 202 (teardown queued behind a lifecycle operation) twice before its receipt (0c36acfe; retried by the suite)"
            [survives @ "arm::hermes"];
        teardown_busy TeardownBusy "teardown-busy"
            "tenant DELETE answers 409 (a lifecycle operation is running) twice before its receipt (3dd3675e; retried by the suite)"
            [survives @ "arm::hermes"];
        purge_receipt_missing PurgeReceiptMissing "purge-receipt-missing"
            "tenant DELETE tears the tenant down but answers 200 {\"status\":\"deleted\"} with no purge receipt (aeec8e47 teardown proof)"
            [fails(TeardownLeavesNoOrg) @ "arm::hermes"];
        diagnose_remote_shape DiagnoseRemoteShape "diagnose-remote-shape"
            "terminal diagnose answers the remote (EC2) shape, remote:true ok:false, on a local-docker tenant: no honest local assertion, skipped as the harness does"
            [survives @ "arm::hermes"];
        teardown_answer_lost TeardownAnswerLost "teardown-answer-lost"
            "the first tenant DELETE tears the tenant down and completes its purge, then drops the connection before answering (local docker detaching the tenant's network; cp_purge_receipt.sh:306-318)"
            [survives @ "arm::hermes"];
        cross_runtime_refused CrossRuntimeRefused "cross-runtime-refused"
            "the A2A proxy answers 403 when the caller's runtime differs from the target's, though CanCommunicate reads only the hierarchy (issue 23)"
            [fails(DelegationProvenance) @ "cross::hermes::openclaw"];
        platform_root_missing PlatformRootMissing "platform-root-missing"
            "the org comes up without its kind=platform root (platform_agent_ensure.go; h/platform_agent.go:1933 installPlatformAgent)"
            [fails(PlatformRoot) @ "arm::hermes"];
        platform_root_offline PlatformRootOffline "platform-root-offline"
            "the org's platform root is installed but never provisioned: listed offline with no URL (platform_agent_ensure.go)"
            [fails(PlatformRoot) @ "arm::hermes"];
        parentless_not_under_root ParentlessNotUnderRoot "parentless-not-under-root"
            "a parentless create keeps parent_id NULL instead of landing under the sole platform root (h/workspace.go:771-776, defaultCreateParentID)"
            [fails(PlatformRoot) @ "arm::hermes"];
        }
    };
}

/// [`fault_table!`]'s rows as the [`Fault`] enum and its lookups.
macro_rules! fault_enum {
    ($($test:ident $variant:ident $name:literal $description:literal [$($verdict:ident $(($promise:ident))? @ $story:literal),+];)*) => {
        /// One broken promise. See [`Fault::description`] for the promise each one breaks.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Fault {
            $($variant,)*
        }

        impl Fault {
            pub const ALL: [Fault; [$(Fault::$variant),*].len()] = [$(Fault::$variant),*];

            /// The kebab-case name used in `STANDIN_FAULTS` and in docs.
            pub fn name(self) -> &'static str {
                match self {
                    $(Fault::$variant => $name,)*
                }
            }

            /// The fault matrix's test name (`fault_matrix::<test>`): the name in snake case.
            pub fn test_name(self) -> &'static str {
                match self {
                    $(Fault::$variant => stringify!($test),)*
                }
            }

            /// The promise of the contract this fault breaks (or, for `Survive` faults, the
            /// weather it adds), in one sentence.
            pub fn description(self) -> &'static str {
                match self {
                    $(Fault::$variant => $description,)*
                }
            }

            /// The stories that prove the suite catches (or survives) this fault.
            pub fn proofs(self) -> &'static [Proof] {
                match self {
                    $(Fault::$variant => &[$(Proof { story: $story, verdict: verdict!($verdict $($promise)?) }),+],)*
                }
            }
        }
    };
}

macro_rules! verdict {
    (fails $promise:ident) => {
        Verdict::Fails(Promise::$promise)
    };
    (survives) => {
        Verdict::Survives
    };
}

fault_table!(fault_enum);

impl Fault {
    /// Whether the suite must fail (`Fail`) or stay green (`Survive`) under this fault: a fault
    /// every story survives is weather.
    pub fn outcome(self) -> FaultOutcome {
        if self.proofs().iter().all(|p| p.verdict == Verdict::Survives) {
            FaultOutcome::Survive
        } else {
            FaultOutcome::Fail
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

    /// Whether `f` is on and has fired fewer than `n` times; if so, one hit is counted (a
    /// fault that models weather passing after its first few answers).
    pub fn fires_first(&self, f: Fault, n: u64) -> bool {
        let on = self.is_on(f) && self.hits(f) < n;
        if on {
            self.count(f);
        }
        on
    }

    pub fn hits(&self, f: Fault) -> u64 {
        self.hits[Self::index(f)].load(std::sync::atomic::Ordering::Relaxed)
    }
}
