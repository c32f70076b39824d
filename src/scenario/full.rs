//! Full mode's steps (contract §8 steps 6–10, with the platform's behaviour rather than the
//! old harness bugs of §11): file round trip, terminal diagnose, config rewrite, BYOK guard,
//! provider probe, memories, peers and activity, memory KV, the removed route, and a parent
//! delegating to a child that must record the parent as its source.

use secrecy::SecretString;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::a2a::SendMessage;
use crate::catalog::Vendor;
use crate::client::{ActivityQuery, Tenant};
use crate::config::{Lifecycle, Mode};
use crate::generation::{Backend, Byok, Catalog};
use crate::error::{BreaksExt, E2eError, Promise, Result, StepExt};
use crate::harness::{Case, Milestone, OrgHandle};
use crate::payload::{CreateWorkspace, KeyPath};
use crate::scenario::arms::Arm;
use crate::scenario::common::{
    KNOWN_ANSWER_PROMPT, Workspace, apply_byok, ask, expect_token, message_id, secrets_plan, wait_online,
};

/// A 1×1 PNG (the harness uploads one for step 7a).
pub const PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0xFC, 0xFF, 0x3F, 0x03, 0x00, 0x05, 0xFE, 0x02, 0xFE, 0xA7, 0x35, 0x81, 0x84,
    0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// The prompt the parent delegates to its child.
pub use crate::scenario::cross::CHILD_PROMPT;

/// What the full-mode steps established.
#[derive(Debug, Clone, Default)]
pub struct FullReport {
    /// One line per step that ran.
    pub steps: Vec<String>,
    /// Provider-probe models skipped for want of a vendor key.
    pub skipped_models: Vec<String>,
}

/// Run the full-mode steps for `ws`, whose delegation `child` came online beside it
/// ([`child_online`]); `None` in smoke mode (which says so).
///
/// Step 10 and 10b (the child's) run first, then the child is deleted and its slot given back,
/// then 7a-9d on the parent alone: the case's peak of two workspaces is at its start, where it
/// reserves room, and never in its middle, where waiting for room would leave the parent alive
/// and idle (docs/waits-and-teardown.md, "Cost in wall time"). A fault in the parent's steps
/// still names their promise: the delegation passed before them.
pub async fn run(
    case: &Case,
    org: &OrgHandle,
    arm: &Arm,
    ws: &Workspace,
    child: Option<Result<Workspace>>,
) -> Result<Option<FullReport>> {
    if case.target().settings.mode == Mode::Smoke {
        case.step("E2E_MODE=smoke: full-mode steps skipped (file round trip, diagnose, config rewrite, BYOK guard, \
                   provider probe, memories, peers, memory KV, removed route, delegation)");
        return Ok(None);
    }
    let t = &org.tenant;
    let child = child
        .unwrap_or_else(|| Err(E2eError::Unmet("full mode without its delegation child".into())))
        .step("10 delegation")?;
    let mut report = FullReport::default();
    crate::scenario::cross::delegate(case, t, ws, &child).await.step("10 delegation")?;
    case.stamp(Milestone::DelegationProvenance);
    report.steps.push("10 delegation with provenance".into());
    let s = &case.target().settings;
    if !s.platform.cascade_guard {
        case.step(&format!("10b cascade guard: not checked, the platform generation {} has none (22ee2b0e)", s.platform.commit));
    } else if s.lifecycle == Lifecycle::Off {
        case.step("10b cascade guard: not checked, E2E_LIFECYCLE=off");
    } else {
        crate::scenario::cascade::guard(case, t, ws, &child).await.step("10b cascade guard")?;
        report.steps.push("10b cascade guard: refused without ?cascade=true, cascaded with it".into());
    }
    // Under the run's cap the child's slot is worth freeing now; in an org of the case's own
    // there is no cap to serve, and teardown deletes the child with the rest.
    if !s.keep_org && case.in_room() {
        case.step(&format!("{}: done with its child; delete it", ws.label()));
        let owned = crate::harness::Owned { id: child.id.clone(), name: child.name.clone() };
        crate::harness::teardown::delete_now(case, t, &[owned]).await.step("delete the child after 10b")?;
        case.one_less();
    }
    report.steps.extend(parent_steps(case, t, arm, ws).await?);
    Ok(Some(report))
}

/// 7a-9d on the parent (8d, the provider probe, runs last: [`probe_last`]); the steps done.
async fn parent_steps(case: &Case, t: &Tenant, arm: &Arm, ws: &Workspace) -> Result<Vec<String>> {
    let mut steps = Vec::new();
    let mut done = |s: &str| steps.push(s.to_owned());
    file_round_trip(case, t, ws).await.step("7a file round trip")?;
    done("7a file round trip: sha256 equal");
    diagnose(case, t, ws).await.step("7b terminal diagnose")?;
    done("7b terminal diagnose ok");
    config_rewrite(case, t, ws).await.step("7c/7d config rewrite")?;
    done("7c/7d config rewrite, back online");
    if let Some(line) = byok_guard(case, t, arm, ws).await.step("8c BYOK guard")? {
        done(line);
    }
    memories(case, t, ws).await.step("9 memories")?;
    case.stamp(Milestone::MemoryOnline);
    done("9 memories");
    peers_and_activity(case, t, ws).await.step("9b peers and activity")?;
    done("9b peers and activity");
    memory_kv(case, t, ws).await.step("9c memory KV")?;
    done("9c memory KV");
    removed_route(case, t, ws).await.step("9d shared-context gone")?;
    done("9d shared-context gone");
    Ok(steps)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

async fn file_round_trip(case: &Case, t: &Tenant, ws: &Workspace) -> Result<()> {
    case.step(&format!("{}: upload a 1x1 PNG and download it", ws.label()));
    let up = t.upload(&ws.id, "e2e-pixel.png", "image/png", PIXEL_PNG.to_vec()).await.breaks(Promise::FileRoundTrip, "upload refused")?;
    if up.mime_type.as_deref() != Some("image/png") {
        let got = up.mime_type.as_deref().unwrap_or("(none)");
        return Err(E2eError::broken(Promise::FileRoundTrip, format!("the upload of a PNG answered mimeType {got}, want image/png")));
    }
    let uri = up.uri;
    let back = t.download(&ws.id, &uri).await.breaks(Promise::FileRoundTrip, "download refused")?;
    let (sent, got) = (sha256_hex(PIXEL_PNG), sha256_hex(&back));
    if sent != got {
        return Err(E2eError::broken(
            Promise::FileRoundTrip,
            format!("uploaded {} bytes sha256 {sent}, downloaded {} bytes sha256 {got} (uri {uri})", PIXEL_PNG.len(), back.len()),
        ));
    }
    Ok(())
}

async fn diagnose(case: &Case, t: &Tenant, ws: &Workspace) -> Result<()> {
    case.step(&format!("{}: terminal diagnose", ws.label()));
    let d = t.diagnose(&ws.id).await.breaks(Promise::TerminalDiagnose, "diagnose refused")?;
    let backend = case.target().settings.platform.cp.backend;
    match diagnose_verdict(&d, backend) {
        DiagnoseVerdict::Ok => Ok(()),
        DiagnoseVerdict::Skipped(why) => {
            case.step(&format!("{}: terminal diagnose SKIPPED: {why}", ws.label()));
            Ok(())
        }
        DiagnoseVerdict::Failed(why) => Err(E2eError::broken(Promise::TerminalDiagnose, why)),
    }
}

/// What the suite makes of a terminal diagnose answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiagnoseVerdict {
    Ok,
    /// Accepted without an assertion, for the reason given (said in the report).
    Skipped(String),
    Failed(String),
}

/// Harness 7b (FS:1543-1592 at aeec8e47): `ok:true` passes. On a local-docker backend a
/// `remote:true` answer has no honest local assertion (skipped), and `docker-available` is the
/// tenant having no docker client by design (`terminal_diagnose.go:357-366`; accepted); any
/// other failing step fails. On EC2 only `ok:true` passes.
pub fn diagnose_verdict(d: &Value, backend: Backend) -> DiagnoseVerdict {
    if d.get("ok").and_then(Value::as_bool) == Some(true) {
        return DiagnoseVerdict::Ok;
    }
    let first = d.get("first_failure").and_then(Value::as_str).unwrap_or("(unnamed)").to_owned();
    let local = backend == Backend::LocalDocker;
    if local && d.get("remote").and_then(Value::as_bool) == Some(true) {
        return DiagnoseVerdict::Skipped(format!(
            "a remote (EC2) shape, first_failure {first:?}, on a local-docker backend has no local assertion"
        ));
    }
    if local && first == "docker-available" {
        return DiagnoseVerdict::Skipped(
            "docker-available: the local-docker tenant's workspace-server has no docker client by design \
             (terminal_diagnose.go:357-366 at aeec8e47); online and A2A cover the container"
                .into(),
        );
    }
    let step = d
        .get("steps")
        .and_then(Value::as_array)
        .and_then(|s| s.iter().find(|st| st.get("ok").and_then(Value::as_bool) == Some(false)))
        .map(|st| st.to_string())
        .unwrap_or_else(|| "(no failing step listed)".into());
    DiagnoseVerdict::Failed(format!("diagnose not ok: first_failure {first:?}, step {step}"))
}

async fn config_rewrite(case: &Case, t: &Tenant, ws: &Workspace) -> Result<()> {
    case.step(&format!("{}: rewrite config.yaml, then wait for online again", ws.label()));
    let content = format!("# rewritten by molecule-e2e\nruntime: {}\nmodel: {}\n", ws.runtime, ws.model);
    t.put_file(&ws.id, "config.yaml", &content).await.breaks(Promise::ConfigRewrite, "config.yaml PUT refused")?;
    wait_online(case, t, ws, case.target().timeouts.workspace_online, Promise::ConfigRewrite).await.map(drop)
}

/// The step's line when the guard applied (the arm brings its own vendor key). At 41409fb2 the
/// stored billing mode must still read `byok`. At aeec8e47 nothing is stored: the platform's own
/// harness checks that `MOLECULE_LLM_USAGE_TOKEN` is absent from the workspace's env
/// (FS:2195-2250, `lib/workspace_env_presence.sh`), advisory until the platform exposes env
/// presence (a06a52eb, core#4042); so is this check, and it says so.
async fn byok_guard(case: &Case, t: &Tenant, arm: &Arm, ws: &Workspace) -> Result<Option<&'static str>> {
    if arm.key.vendor().is_none() {
        case.step(&format!("{}: 8c BYOK guard not applicable (no own vendor key on this arm)", ws.label()));
        return Ok(None);
    }
    let cat = case.target().settings.platform.catalog;
    if cat.byok == Byok::KeysInCreateBody {
        crate::harness::loud(&format!(
            "[{}] 8c BYOK guard ADVISORY on {}: MOLECULE_LLM_USAGE_TOKEN must be absent from a BYOK workspace, but \
             the platform exposes no env presence (core#4042), so it is not checked (as the platform's own harness)",
            case.name(),
            ws.label()
        ));
        return Ok(Some("8c BYOK guard advisory (env presence not exposed)"));
    }
    case.step(&format!("{}: billing mode must still be byok", ws.label()));
    let m = t.billing_mode(&ws.id).await.breaks(Promise::ByokBillingMode, "billing mode unreadable")?;
    if m.resolved_mode != "byok" {
        return Err(E2eError::broken(
            Promise::ByokBillingMode,
            format!("the arm's own key is routed as {:?} (source {:?}): a BYOK misroute", m.resolved_mode, m.source),
        ));
    }
    Ok(Some("8c billing mode is byok"))
}

/// The platform models the probe walks for `runtime`: the generation's catalogue (the offline
/// pin), or where the generation serves `GET /admin/llm/offered-models`, the platform's answer,
/// which must equal the pin: a difference is named, never followed.
async fn probe_models(case: &Case, t: &Tenant, cat: &Catalog, runtime: &str) -> Result<Vec<String>> {
    let pinned: Vec<String> = cat.platform_models(runtime).into_iter().map(str::to_owned).collect();
    if !cat.offered_models {
        return Ok(pinned);
    }
    let offered = t.offered_models(runtime).await.breaks(Promise::ProviderProbe, "offered-models refused")?;
    let live: Vec<String> = offered.into_iter().filter(|m| m.platform_billed).map(|m| m.model).collect();
    let commit = case.target().settings.platform.commit;
    if let Some(diff) = model_list_difference(&pinned, &live) {
        return Err(E2eError::broken(
            Promise::ProviderProbe,
            format!("offered-models for {runtime} {diff} vs generation {commit}: update the generation's registry (src/generation/)"),
        ));
    }
    case.step(&format!("8d offered-models for {runtime} equals generation {commit}'s platform models ({})", live.len()));
    Ok(pinned)
}

/// `adds X, Y / lacks Z` for the platform's list against the pin; `None` when they hold the
/// same models (order aside: the platform sorts, the registry declares).
pub fn model_list_difference(pinned: &[String], live: &[String]) -> Option<String> {
    let adds: Vec<&str> = live.iter().filter(|m| !pinned.contains(m)).map(String::as_str).collect();
    let lacks: Vec<&str> = pinned.iter().filter(|m| !live.contains(m)).map(String::as_str).collect();
    let mut parts = Vec::new();
    if !adds.is_empty() {
        parts.push(format!("adds {}", adds.join(", ")));
    }
    if !lacks.is_empty() {
        parts.push(format!("lacks {}", lacks.join(", ")));
    }
    (!parts.is_empty()).then(|| parts.join(" / "))
}

/// 8d, the provider probe, last (the arm calls it after reading its platform-root row): after
/// every check of the parent and its child, so that a fault in those still names their
/// promise, not the probe's; and after the parent was deleted and proven gone (the child went
/// after 10b: [`run`]), so that the probe's workspaces, one at a time, fill the case's own
/// slot. `None` in smoke mode.
pub async fn probe_last(case: &Case, org: &OrgHandle, arm: &Arm, report: Option<FullReport>) -> Result<Option<FullReport>> {
    let Some(mut report) = report else { return Ok(None) };
    if !arm.probe {
        return Ok(Some(report));
    }
    if case.target().settings.keep_org {
        // Kept for a look (E2E_KEEP_ORG=1): the arm reserved a slot for the probe beside them.
        case.step("8d provider probe: E2E_KEEP_ORG=1 keeps the parent and its child; the probe runs beside them");
    } else {
        let owned = case.alive_workspaces();
        case.step(&format!("8d provider probe: delete the parent first ({} workspace(s))", owned.len()));
        crate::harness::teardown::delete_now(case, &org.tenant, &owned).await.step("delete the parent before the probe")?;
    }
    report.skipped_models = provider_probe(case, org, arm).await.step("8d provider probe")?;
    report.steps.push("8d provider probe".into());
    Ok(Some(report))
}

/// Each platform model of the arm's runtime is created and must answer the known-answer
/// prompt; models whose vendor key is absent are skipped loudly. Returns the skipped models.
///
/// One probe workspace at a time, each deleted once it answered: a workspace proves one model
/// (the model is fixed at create, and answering under a rewritten config would prove the
/// rewrite, not the create), so the models cannot share one; but none needs to outlive its
/// check, which keeps the probe within one workspace alive (the arm's own slot, its parent
/// and child gone by then: [`probe_last`]; with `E2E_KEEP_ORG=1`, a slot reserved beside them). The
/// parent already proves the arm's own model when it was created the probe's way (same
/// runtime, the platform's key): that model is not created twice.
async fn provider_probe(case: &Case, org: &OrgHandle, arm: &Arm) -> Result<Vec<String>> {
    let cat = case.target().settings.platform.catalog;
    let runtime = arm.runtime(cat);
    // An arm whose model cannot be derived proves none of the probe's models.
    let parent_model = arm.model(&case.target().settings).ok();
    let parent_proves = arm.key == KeyPath::Platform && arm.runtime_or_template == runtime;
    let mut skipped = Vec::new();
    for model in probe_models(case, &org.tenant, cat, runtime).await? {
        let model = model.as_str();
        if let Some(v) = Vendor::of_platform_model(model)
            && case.target().key(v).is_none()
        {
            crate::harness::loud(&format!("[{}] 8d provider probe: SKIPPED {model}: {} is unset", case.name(), v.env_var()));
            skipped.push(model.to_owned());
            continue;
        }
        if parent_proves && parent_model.as_deref() == Some(model) {
            case.step(&format!("8d probe {runtime} with {model}: proven by the parent (created the same way, answered PINEAPPLE)"));
            continue;
        }
        probe_one(case, &org.tenant, runtime, model).await?;
    }
    Ok(skipped)
}

/// Create a workspace of `runtime` with `model`, ask it for PINEAPPLE, then delete it and see it
/// leave the list (under a teardown budget of its own).
async fn probe_one(case: &Case, tenant: &Tenant, runtime: &str, model: &str) -> Result<()> {
    let name = format!("E2E Probe {model}");
    let req = CreateWorkspace::platform_in(case.target().settings.platform.catalog, &name, runtime, model);
    // The parent and child are gone: the case's own slot is free.
    case.one_more().step("room for a probe workspace")?;
    case.step(&format!("8d probe {runtime} with {model}"));
    let created = tenant.create_workspace(&req).await.breaks(Promise::ProviderProbe, &format!("create with {model}"))?;
    case.own(&created.id, &name);
    let ws = Workspace { id: created.id, name, runtime: runtime.to_owned(), model: model.to_owned(), token: None };
    wait_online(case, tenant, &ws, case.target().timeouts.workspace_online, Promise::ProviderProbe).await?;
    let msg = SendMessage::text(KNOWN_ANSWER_PROMPT).with_id("e2e-probe").with_message_id(message_id("e2e-probe"));
    let reply = ask(case, tenant, &ws, &msg).await.breaks(Promise::ProviderProbe, &format!("{model} A2A"))?;
    expect_token(&reply, "PINEAPPLE", Promise::ProviderProbe)?;
    let owned = crate::harness::Owned { id: ws.id.clone(), name: ws.name.clone() };
    // The slot stays the case's for the next probe: the case holds it to its end.
    crate::harness::teardown::delete_now(case, tenant, &[owned]).await.step("delete the probe workspace")
}

async fn memories(case: &Case, t: &Tenant, ws: &Workspace) -> Result<()> {
    case.step(&format!("{}: write a LOCAL memory and list it back", ws.label()));
    let seed = format!("molecule-e2e memory {}", message_id("seed"));
    t.add_memory(&ws.id, &seed, "LOCAL").await.map_err(|e| {
        let detail = if e.status() == Some(503) { "the memory plugin is not configured (503)" } else { "memory write refused" };
        e.breaks(Promise::Memories, detail)
    })?;
    let listed = t.memories(&ws.id, "LOCAL").await.breaks(Promise::Memories, "memory list refused")?;
    if !listed.iter().any(|m| m.contains(&seed)) {
        return Err(E2eError::broken(Promise::Memories, format!("the LOCAL list ({} entries) lacks the memory just written", listed.len())));
    }
    Ok(())
}

async fn peers_and_activity(case: &Case, t: &Tenant, ws: &Workspace) -> Result<()> {
    case.step(&format!("{}: peers with its own token, and activity", ws.label()));
    let own = workspace_token(t, ws).await?;
    t.as_workspace(&own).peers(&ws.id).await.breaks(Promise::PeersReachable, "GET /registry/:id/peers with the workspace's own token")?;
    t.activity(&ws.id, &ActivityQuery::default().limit(20)).await.breaks(Promise::ActivityRecorded, "activity unreadable")?;
    Ok(())
}

/// The workspace's own token: the one minted at create, else a fresh one (contract §11).
async fn workspace_token(t: &Tenant, ws: &Workspace) -> Result<SecretString> {
    match &ws.token {
        Some(tok) => Ok(tok.clone()),
        None => t.mint_token(&ws.id).await.step("mint workspace token"),
    }
}

async fn memory_kv(case: &Case, t: &Tenant, ws: &Workspace) -> Result<()> {
    case.step(&format!("{}: memory KV write, read, update, stale update, delete", ws.label()));
    let key = message_id("e2e-kv");
    let kv = |d: &str| E2eError::broken(Promise::MemoryKv, d.to_owned());
    let v1 = t.memory_set(&ws.id, &key, &json!({"step": 1}), None).await.breaks(Promise::MemoryKv, "write")?;
    let got = t.memory_get(&ws.id, &key).await.breaks(Promise::MemoryKv, "read")?;
    if got.get("value") != Some(&json!({"step": 1})) || got.get("version").and_then(Value::as_i64) != Some(v1) {
        return Err(kv(&format!("read back {got} after writing {{\"step\":1}} at version {v1}")));
    }
    let v2 = t.memory_set(&ws.id, &key, &json!({"step": 2}), Some(v1)).await.breaks(Promise::MemoryKv, "update with if_match_version")?;
    if v2 == v1 {
        return Err(kv(&format!("an update kept version {v1}")));
    }
    match t.memory_set(&ws.id, &key, &json!({"step": 3}), Some(v1)).await {
        Err(e) if e.status() == Some(409) => {}
        Err(e) => return Err(e.breaks(Promise::MemoryKv, "a stale if_match_version must be answered 409")),
        Ok(v) => return Err(kv(&format!("a stale if_match_version {v1} was accepted (new version {v})"))),
    }
    t.memory_delete(&ws.id, &key).await.breaks(Promise::MemoryKv, "delete")?;
    match t.memory_get(&ws.id, &key).await {
        Err(e) if e.status() == Some(404) => Ok(()),
        Err(e) => Err(e.breaks(Promise::MemoryKv, "a deleted key must be 404")),
        Ok(v) => Err(kv(&format!("the deleted key still reads {v}"))),
    }
}

async fn removed_route(case: &Case, t: &Tenant, ws: &Workspace) -> Result<()> {
    case.step(&format!("{}: the removed shared-context route must answer 404", ws.label()));
    let path = format!("/workspaces/{}/shared-context", crate::client::seg(&ws.id));
    let status = t.status_of("shared_context", &path).await?;
    // No route is registered at REF, so gin's NoRoute (the canvas proxy, or gin's own 404)
    // answers: 404. A 401 or a 500 means something still serves or guards the path.
    if status != 404 {
        return Err(E2eError::broken(
            Promise::SharedContextGone,
            format!("GET /workspaces/:id/shared-context answered {status}; a removed route answers 404"),
        ));
    }
    Ok(())
}

/// A fresh child of `parent`, online (step 10's first half; the delegation is [`run`]'s).
pub async fn child_online(case: &Case, org: &OrgHandle, arm: &Arm, parent: &Workspace) -> Result<Workspace> {
    let t = &org.tenant;
    let plan = secrets_plan(case, arm);
    let cat = case.target().settings.platform.catalog;
    let req = CreateWorkspace::platform_in(cat, "E2E Child", arm.runtime_or_template, &parent.model)
        .with_secrets(plan.in_body.clone())
        .with_parent(&parent.id);
    case.step(&format!("{}: create a child workspace", parent.label()));
    let created = t.create_workspace(&req).await.breaks(Promise::DelegationProvenance, "child create refused")?;
    case.own(&created.id, "E2E Child");
    let child = Workspace {
        id: created.id.clone(),
        name: "E2E Child".into(),
        runtime: parent.runtime.clone(),
        model: parent.model.clone(),
        token: created.token().cloned(),
    };
    if plan.needs_byok() && arm.key != KeyPath::Platform {
        apply_byok(case, t, &child, &plan).await?;
    }
    wait_online(case, t, &child, case.target().timeouts.workspace_online, Promise::DelegationProvenance).await?;
    Ok(child)
}
