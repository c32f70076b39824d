//! Steps the stories share: provisioning a workspace for an arm, waiting for it to be online,
//! asking it something over A2A, finding the activity a call left.

use std::time::Duration;

use secrecy::SecretString;

use crate::a2a::{Part, Reply, SendMessage, error_markers};
use crate::client::{ActivityQuery, ActivityRow, Follow, Tenant, WorkspaceRow};
use crate::error::{BreaksExt, Call, E2eError, Promise, Result, StepExt};
use crate::harness::{Case, Milestone, OrgHandle};
use crate::payload::{CreateWorkspace, SecretsPlan};
use crate::scenario::arms::Arm;
use crate::wait::{Probe, Wait, short};

/// The platform smoke prompt (contract §6.1).
pub const PONG_PROMPT: &str = "This is the platform smoke test verifying agent wiring. No tools or memory are \
     needed — please respond with exactly the single token: PONG";
/// The known-answer gate (contract §6.1).
pub const KNOWN_ANSWER_PROMPT: &str = "Reply with exactly the word PINEAPPLE and nothing else.";
/// The wake probe after hibernation.
pub const WAKE_PROMPT: &str = "The workspace was hibernated and is waking. Please respond with exactly the single token: WOKE";

/// A workspace a scenario created and brought online.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub runtime: String,
    pub model: String,
    /// Its own token, as minted at create.
    pub token: Option<SecretString>,
}

impl Workspace {
    pub fn label(&self) -> String {
        format!("ws {} ({})", short(&self.id), self.runtime)
    }
}

/// The arm's secrets, split into the create body and the after-BYOK writes, with the key the
/// target supplies for the arm's vendor.
pub fn secrets_plan(case: &Case, arm: &Arm) -> SecretsPlan {
    let key = arm.key.vendor().and_then(|v| case.target().key(v));
    SecretsPlan::split(case.target().settings.platform.catalog.byok, arm.key.secrets(key.as_ref()))
}

/// Create `arm`'s workspace in `org` (named `name`), apply its BYOK plan, and wait for it to be
/// online with a url.
pub async fn provision(case: &Case, org: &OrgHandle, arm: &Arm, name: &str) -> Result<Workspace> {
    let ws = create(case, org, arm, name).await?;
    online(case, org, &ws).await?;
    Ok(ws)
}

/// `ws`, created by [`create`], comes online (the `workspace_online` milestone).
pub async fn online(case: &Case, org: &OrgHandle, ws: &Workspace) -> Result<()> {
    wait_online(case, &org.tenant, ws, case.target().timeouts.workspace_online, Promise::WorkspaceComesOnline).await?;
    case.stamp(Milestone::WorkspaceOnline);
    Ok(())
}

/// The create half of [`provision`] (with BYOK applied where the arm needs it): a case that
/// creates a child beside its parent does so once the parent's id is known, not once it is online.
pub async fn create(case: &Case, org: &OrgHandle, arm: &Arm, name: &str) -> Result<Workspace> {
    let target = case.target();
    let model = arm.model(&target.settings)?;
    let plan = secrets_plan(case, arm);
    let cat = target.settings.platform.catalog;
    let req = CreateWorkspace::platform_in(cat, name, arm.runtime_or_template, &model).with_secrets(plan.in_body.clone());

    case.step(&format!("create workspace {name}: {} model {model}", arm.runtime_or_template));
    // The sanity lane (platform harness: E2E_INTENTIONAL_FAILURE) poisons the tenant token
    // after the org is up: the create must fail with 401 and the teardown still run.
    let creator = if target.settings.intentional_failure {
        case.step("E2E_INTENTIONAL_FAILURE=1: creating with a poisoned tenant token; this case MUST fail with 401");
        org.tenant.as_workspace(&SecretString::from(format!("poisoned-{}", std::process::id())))
    } else {
        org.tenant.clone()
    };
    let created = creator
        .create_workspace(&req)
        .await
        .breaks(Promise::CreateAccepted, "the platform refused a create it must accept")
        .step("create workspace")?;
    case.own(&created.id, name);
    let ws = Workspace {
        id: created.id.clone(),
        name: name.to_owned(),
        runtime: arm.runtime(cat).to_owned(),
        model,
        token: created.token().cloned(),
    };

    if plan.needs_byok() {
        apply_byok(case, &org.tenant, &ws, &plan).await?;
    }
    Ok(ws)
}

/// `PUT …/llm-billing-mode {"mode":"byok"}` must resolve to byok; then one secret write per
/// strip-listed key (contract §7.5).
pub async fn apply_byok(case: &Case, tenant: &Tenant, ws: &Workspace, plan: &SecretsPlan) -> Result<()> {
    case.step(&format!("{}: billing mode byok", ws.label()));
    let mode = tenant.set_billing_mode(&ws.id, "byok").await.step("set billing mode byok")?;
    if mode.resolved_mode != "byok" {
        return Err(E2eError::broken(
            Promise::ByokBillingMode,
            format!("PUT llm-billing-mode byok answered resolved_mode {:?}", mode.resolved_mode),
        ))
        .step("set billing mode byok");
    }
    for (key, value) in &plan.after_byok {
        case.step(&format!("{}: write secret {key}", ws.label()));
        tenant
            .put_secret(&ws.id, key, value)
            .await
            .breaks(Promise::ByokBillingMode, "a BYOK secret write was refused after switching to byok")
            .step("write BYOK secret")?;
    }
    Ok(())
}

/// Poll `GET /workspaces/:id` until `online` with a non-empty `url` (contract §4: `failed` is
/// transient during boot and is waited through). A timeout names `promise`: coming online
/// after create, after resume, after waking and after a config rewrite are different promises.
pub async fn wait_online(
    case: &Case,
    tenant: &Tenant,
    ws: &Workspace,
    timeout: Duration,
    promise: Promise,
) -> Result<WorkspaceRow> {
    case.step(&format!("{}: wait for online with a url", ws.label()));
    Wait::new(format!("{} online with a url", ws.label()), timeout)
        .until(|| async {
            let row = tenant.get_workspace(&ws.id).await?;
            Ok(match row.status.as_str() {
                _ if row.is_ready() => Probe::Ready(row),
                "failed" => Probe::Pending("failed (transient during boot; still waiting)".into()),
                _ => Probe::Pending(row.state()),
            })
        })
        .await
        .breaks(promise, "the workspace never reported online with a url")
        .step("wait for workspace online")
}

/// A parsed A2A answer with what it answers: the prompt sent, the call, its HTTP status and
/// how many attempts it took. Derefs to the [`Reply`].
#[derive(Debug, Clone)]
pub struct Asked {
    pub reply: Reply,
    pub prompt: String,
    pub call: Call,
    pub status: u16,
    pub attempts: u32,
    /// The queue ids the platform queued the turn under, followed to this answer.
    pub queued: Vec<String>,
}

impl std::ops::Deref for Asked {
    type Target = Reply;

    fn deref(&self) -> &Reply {
        &self.reply
    }
}

impl Asked {
    /// `<call> answered HTTP <status> with <the reply's evidence>`, for failures.
    pub fn evidence(&self) -> String {
        format!("{} answered HTTP {} with {}", self.call, self.status, self.reply.evidence())
    }
}

/// Send `msg` through the tenant's A2A proxy, follow it to the answer to judge, and parse
/// it: a turn the platform queued (behind a boot turn, or for a settling target) is read at
/// the queue route; an interrupt acknowledgement is sent again; a push-async parking fails by
/// name ([`Tenant::a2a_answer`], one deadline: `Timeouts::a2a_answer`).
pub async fn ask(case: &Case, tenant: &Tenant, ws: &Workspace, msg: &SendMessage) -> Result<Asked> {
    let target = case.target();
    let follow = Follow {
        deadline: target.timeouts.a2a_answer,
        queue_route: target.settings.platform.a2a.queue_route,
        // The harness's 12 s between interrupt re-sends; the stand-in's policy pauses less.
        resend_pause: target.retry.max_delay.min(Duration::from_secs(12)),
    };
    let followed = tenant.a2a_answer(&ws.id, &msg.to_v03(), &target.retry, &follow).await?;
    let ans = followed.answer;
    if ans.attempts > 1 {
        case.step(&format!("{}: A2A answered after {} attempts (transient failures retried)", ws.label(), ans.attempts));
    }
    for qid in &followed.queued {
        case.step(&format!("{}: A2A was queued (queue_id {qid}); followed to its result", ws.label()));
    }
    if followed.resends > 0 {
        case.step(&format!("{}: A2A sent again after {} interrupt acknowledgement(s)", ws.label(), followed.resends));
    }
    let reply = Reply::parse(ans.status, &ans.body).map_err(|e| E2eError::Decode {
        call: ans.call.clone(),
        status: ans.status,
        expected: "an A2A reply",
        // The platform's own error text can quote anything (a bearer, a body): scrubbed here
        // as well as when displayed.
        reason: crate::redact::scrub(&e.to_string()),
        excerpt: crate::redact::excerpt(ans.body.to_string().as_bytes()),
    })?;
    let prompt: Vec<&str> = msg
        .parts()
        .iter()
        .filter_map(|p| match p {
            Part::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    Ok(Asked { reply, prompt: prompt.join("\n"), call: ans.call, status: ans.status, attempts: ans.attempts, queued: followed.queued })
}

/// The token gate (contract §6.5), judged only on what the protocol makes the agent's answer:
/// a message from the agent (a `user` message is the prompt come back), or a task in state
/// `completed` (any other state fails, naming it and its status message), read from its
/// artifacts and status message. The text must carry no error marker, must not echo the
/// prompt (an echo of "…the single token: PONG" contains PONG and proves nothing), and must
/// contain `token`.
pub fn expect_token(asked: &Asked, token: &str, promise: Promise) -> Result<String> {
    let fail = |why: String| Err(E2eError::broken(promise, format!("asked for {token}: {why}")));
    match &asked.reply {
        Reply::Task(task) if task.state != "completed" => {
            return fail(format!("the task is in state `{}`, not `completed`; {}", task.state, asked.evidence()));
        }
        Reply::Message(m) if m.role.as_deref() == Some("user") => {
            return fail(format!("the reply is a `user` message (the prompt's own role), not the agent's; {}", asked.evidence()));
        }
        _ => {}
    }
    let Some(text) = asked.reply.text() else {
        return fail(format!("the answer is a {}, with no text; {}", asked.reply.kind(), asked.evidence()));
    };
    if text.trim().is_empty() {
        return fail(format!("the {} carries no text; {}", asked.reply.kind(), asked.evidence()));
    }
    let markers = error_markers(&text);
    if !markers.is_empty() {
        return fail(format!("the answer carries error markers {markers:?}: {text:?}"));
    }
    let lower = text.to_ascii_lowercase();
    if promise == Promise::A2aAnswersPong && (lower.contains("error") || lower.contains("exception")) {
        return fail(format!("the PONG answer mentions an error: {text:?}"));
    }
    if echoes_prompt(&text, &asked.prompt, token) {
        return fail(format!("the answer echoes the prompt instead of answering it: {text:?}"));
    }
    if !text.contains(token) {
        return fail(format!("asked for exactly {token}, got {text:?} ({})", asked.reply.evidence()));
    }
    Ok(text)
}

/// The echo rule lives with the A2A reply types: the container tier's checks ask it too.
pub use crate::a2a::echoes_prompt;

/// The `a2a_receive` row the call with `message_id` left on `ws` (written before the proxy
/// answers, so a short wait only absorbs replication lag).
pub async fn expect_activity(case: &Case, tenant: &Tenant, ws: &Workspace, message_id: &str) -> Result<ActivityRow> {
    case.step(&format!("{}: activity holds the a2a_receive row for {message_id}", ws.label()));
    let window = case.target().timeouts.transition.min(Duration::from_secs(30));
    Wait::new(format!("{} a2a_receive row for {message_id}", ws.label()), window)
        .until(|| async {
            let rows = tenant.activity(&ws.id, &ActivityQuery::of_type("a2a_receive").limit(100)).await?;
            Ok(match rows.iter().find(|r| r.message_id() == Some(message_id)) {
                Some(r) => Probe::Ready(r.clone()),
                None => Probe::Pending(format!("{} a2a_receive rows, none for {message_id}", rows.len())),
            })
        })
        .await
        .breaks(Promise::ActivityRecorded, "the proxied A2A call left no a2a_receive activity on its target")
        .step("activity after A2A")
}

/// A fresh `e2e-<8 hex>` message id.
pub fn message_id(prefix: &str) -> String {
    format!("{prefix}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8])
}

/// The harness's diagnostic burst for a `_ResultError` answer (FS:2086-2094,
/// `lib/completion_assert.sh` `diagnose_staging_result_error` at aeec8e47): the runtime wrapped
/// an LLM/backend failure as text, so the run shows the workspace's state and its recent
/// activity (errors and summaries, redacted) before it fails. Diagnostics only: the check
/// still fails on the marker.
pub async fn result_error_burst(case: &Case, tenant: &Tenant, ws: &Workspace, asked: &Asked) {
    let text = asked.reply.text().unwrap_or_default();
    if !text.to_lowercase().contains("_resulterror") {
        return;
    }
    case.step(&format!("{}: DIAGNOSTIC BURST (_ResultError): the runtime surfaced a backend failure as text", ws.label()));
    match tenant.get_workspace(&ws.id).await {
        Ok(row) => case.step(&format!("  workspace: {}", row.state())),
        Err(e) => case.step(&format!("  workspace: unreadable ({e})")),
    }
    match tenant.activity(&ws.id, &ActivityQuery::default().limit(20)).await {
        Ok(rows) => {
            for r in rows.iter().filter(|r| r.error_detail.is_some() || r.status.as_deref() == Some("error")).take(5) {
                let what = r.error_detail.as_deref().or(r.summary.as_deref()).unwrap_or_default();
                case.step(&format!("  activity {} {}: {}", r.activity_type, r.status.as_deref().unwrap_or("?"), crate::redact::scrub(what)));
            }
        }
        Err(e) => case.step(&format!("  activity: unreadable ({e})")),
    }
}
