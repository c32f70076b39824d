//! Bring-your-own runtimes (contract §5): the generic external workspace's four transitions,
//! the kimi / kimi-cli meta-runtimes answered with the queued poll envelope, and the BYO round
//! trip in which the suite itself is the external agent.

use std::time::Instant;

use secrecy::SecretString;

use crate::a2a::{Queued, Reply, SendMessage};
use crate::client::{ActivityQuery, ActivityRow, Created, Tenant};
use crate::error::{BreaksExt, E2eError, Promise, Result, StepExt};
use crate::harness::{Case, Milestone, SlugKind, with_org};
use crate::payload::{CreateWorkspace, register_body};
use crate::scenario::common::message_id;
use crate::wait::{Probe, Wait, short};

/// The prompt of the platform harness's BYO smoke (contract §5).
pub const BYO_PROMPT: &str = "BYO meta-runtime poll-route smoke. Respond: OK";

/// An external workspace and its own token.
#[derive(Debug, Clone)]
pub struct External {
    pub id: String,
    pub runtime: String,
    pub token: SecretString,
}

impl External {
    pub fn label(&self) -> String {
        format!("ws {} ({})", short(&self.id), self.runtime)
    }
}

/// Create an external-like workspace: it must answer `awaiting_agent` with a connection token,
/// and GET must agree and keep the runtime label.
pub async fn create_external(case: &Case, tenant: &Tenant, name: &str, runtime: &str) -> Result<External> {
    case.step(&format!("create external workspace {name} (runtime {runtime})"));
    let created: Created = tenant
        .create_workspace(&CreateWorkspace::external(name, runtime))
        .await
        .breaks(Promise::ExternalAwaitsAgent, "external create refused")
        .step("create external")?;
    case.own(&created.id, name);
    if created.status != "awaiting_agent" || !created.external {
        return Err(E2eError::broken(
            Promise::ExternalAwaitsAgent,
            format!("create answered status {:?}, external {}", created.status, created.external),
        ));
    }
    let Some(token) = created.connection.as_ref().map(|c| c.auth_token.clone()) else {
        return Err(E2eError::broken(Promise::ExternalAwaitsAgent, "create answered no connection.auth_token"));
    };
    let ext = External { id: created.id.clone(), runtime: runtime.to_owned(), token };
    let row = tenant.get_workspace(&ext.id).await.step("GET external")?;
    if row.status != "awaiting_agent" {
        return Err(E2eError::broken(Promise::ExternalAwaitsAgent, format!("GET reports {:?}", row.status)));
    }
    if row.runtime != runtime {
        return Err(E2eError::broken(
            Promise::RuntimeLabelKept,
            format!("created with runtime {runtime:?} but GET reports runtime {:?}", row.runtime),
        ));
    }
    Ok(ext)
}

/// Register in poll mode with the workspace's own token: the answer must echo
/// `delivery_mode: poll` and GET must report `online`.
pub async fn register_poll(case: &Case, tenant: &Tenant, ext: &External) -> Result<()> {
    case.step(&format!("{}: register (poll)", ext.label()));
    let reg = register_with_retry(case, tenant, ext).await?;
    if reg.delivery_mode.as_deref() != Some("poll") {
        return Err(E2eError::broken(
            Promise::RegisterPollOnline,
            format!("register answered delivery_mode {:?}, not \"poll\"", reg.delivery_mode),
        ));
    }
    let row = tenant.get_workspace(&ext.id).await.step("GET after register")?;
    if row.status != "online" {
        return Err(E2eError::broken(Promise::RegisterPollOnline, format!("GET after register reports {:?}", row.status)));
    }
    Ok(())
}

/// Register, retrying transient failures (`E2E_TRANSIENT_RETRIES` attempts, contract §4).
async fn register_with_retry(case: &Case, tenant: &Tenant, ext: &External) -> Result<crate::client::Registered> {
    // The one transient rule (contract bodies, Retry-After, the surrounding deadline) that A2A
    // calls follow too.
    let agent = tenant.as_workspace(&ext.token);
    agent.register_retrying(&register_body(&ext.id, "poll"), &case.target().retry).await.step("register")
}

#[derive(Debug, Clone)]
pub struct TransitionsReport {
    pub org: String,
    pub workspace_id: String,
    /// Seconds from the last register to the stale transition.
    pub stale_after_secs: f64,
}

/// The generic external workspace: create → `awaiting_agent`; register poll → `online`; no
/// heartbeat → `awaiting_agent` within the stale window; re-register → `online`.
pub async fn external_transitions(case: &Case) -> Result<TransitionsReport> {
    let c = case.clone();
    let report = with_org(case, SlugKind::External, move |org| async move {
        let ext = create_external(&c, &org.tenant, "ext-e2e", "external").await?;
        c.stamp(Milestone::ExternalAwaiting);
        register_poll(&c, &org.tenant, &ext).await?;
        let registered_at = Instant::now();
        c.stamp(Milestone::ExternalOnline);

        let t = c.target().timeouts;
        c.step(&format!(
            "{}: no heartbeats; must be awaiting_agent again within {}s",
            ext.label(),
            t.stale_poll_deadline.as_secs()
        ));
        Wait::new(format!("{} awaiting_agent after missed heartbeats", ext.label()), t.stale_poll_deadline)
            .until(|| async {
                let row = org.tenant.get_workspace(&ext.id).await?;
                Ok(if row.status == "awaiting_agent" { Probe::Ready(()) } else { Probe::Pending(row.status) })
            })
            .await
            .breaks(Promise::StaleExternalAwaitsAgent, "an external workspace without heartbeats never went stale")
            .step("stale transition")?;
        let stale_after_secs = registered_at.elapsed().as_secs_f64();
        c.stamp(Milestone::ExternalStale);

        register_poll(&c, &org.tenant, &ext).await.step("re-register")?;
        c.stamp(Milestone::ExternalBackOnline);
        Ok(TransitionsReport { org: org.slug.clone(), workspace_id: ext.id.clone(), stale_after_secs })
    })
    .await?;
    case.require_milestones(Milestone::EXTERNAL)?;
    Ok(report)
}

#[derive(Debug, Clone)]
pub struct MetaReport {
    pub org: String,
    pub workspace_id: String,
    /// The queued envelope exactly as answered.
    pub queued: serde_json::Value,
}

/// A BYO meta-runtime (`kimi`, `kimi-cli`): created `external: true` with its label kept,
/// registered in poll mode, and A2A (as the tenant admin) answered 200 with exactly the queued
/// poll envelope.
pub async fn byo_meta_runtime(case: &Case, runtime: &'static str) -> Result<MetaReport> {
    let c = case.clone();
    with_org(case, SlugKind::External, move |org| async move {
        let ext = create_external(&c, &org.tenant, &format!("ext-{runtime}-e2e"), runtime).await?;
        register_poll(&c, &org.tenant, &ext).await?;
        c.step(&format!("{}: A2A as the tenant admin must be queued for poll", ext.label()));
        let msg = SendMessage::text(BYO_PROMPT).with_id("e2e-byo-1").with_message_id(message_id("e2e"));
        let (queued, raw) = send_queued(&c, &org.tenant, &ext.id, &msg).await?;
        expect_queued_envelope(&queued)?;
        Ok(MetaReport { org: org.slug.clone(), workspace_id: ext.id.clone(), queued: raw })
    })
    .await
}

async fn send_queued(case: &Case, tenant: &Tenant, to: &str, msg: &SendMessage) -> Result<(Queued, serde_json::Value)> {
    let ans = tenant
        .a2a(to, &msg.to_v03(), &case.target().retry)
        .await
        .breaks(Promise::PollQueuedEnvelope, "A2A to a poll-mode workspace was not answered 200 queued")?;
    if ans.status != 200 {
        return Err(E2eError::broken(Promise::PollQueuedEnvelope, format!("answered HTTP {}, not 200", ans.status)));
    }
    match Reply::parse(ans.status, &ans.body) {
        Ok(Reply::Queued(q)) => Ok((q, ans.body)),
        Ok(other) => Err(E2eError::broken(
            Promise::PollQueuedEnvelope,
            format!("answered a {} instead of the queued envelope: {}", other.kind(), ans.body),
        )),
        Err(e) => Err(E2eError::broken(Promise::PollQueuedEnvelope, format!("unreadable answer ({e}): {}", ans.body))),
    }
}

/// Exactly `{"status":"queued","delivery_mode":"poll","method":"message/send"}`.
pub fn expect_queued_envelope(q: &Queued) -> Result<()> {
    let keys: Vec<&str> = q.keys.iter().map(String::as_str).collect();
    if q.status != "queued" || q.delivery_mode != "poll" || q.method != "message/send" || keys != ["delivery_mode", "method", "status"] {
        return Err(E2eError::broken(
            Promise::PollQueuedEnvelope,
            format!(
                "expected exactly {{status: queued, delivery_mode: poll, method: message/send}}, got status {:?}, \
                 delivery_mode {:?}, method {:?}, keys {keys:?}",
                q.status, q.delivery_mode, q.method
            ),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct RoundTripReport {
    pub org: String,
    pub sender: String,
    pub agent: String,
    /// The activity row the agent read the message from.
    pub received_row: String,
    /// The activity row on the sender that holds the reply.
    pub reply_row: String,
}

/// The BYO round trip, with the suite as the external agent: a sender workspace sends A2A to
/// the agent's poll-mode workspace; the agent reads it from its activity (`type=a2a_receive`,
/// `since_id` cursor) with its own token, replies to the sender over A2A, and the reply must
/// arrive in the sender's activity, attributed to the agent.
///
/// The agent's workspace is the sender's child. The platform lets a workspace caller reach
/// only its relatives (registry/access.go `CanCommunicate` at 41409fb2: itself, its parent or
/// child, an ancestor or descendant, or a sibling under the same non-null parent; two root
/// workspaces are not siblings and get 403), so the sender → agent leg is parent → child and
/// the reply is child → parent.
pub async fn byo_round_trip(case: &Case) -> Result<RoundTripReport> {
    /// An external workspace created under `parent`, awaiting its agent, with its token.
    async fn create_external_child(case: &Case, tenant: &Tenant, name: &str, parent: &External) -> Result<External> {
        case.step(&format!("create external workspace {name} under {}", parent.label()));
        let created: Created = tenant
            .create_workspace(&CreateWorkspace::external(name, "external").with_parent(&parent.id))
            .await
            .breaks(Promise::ExternalAwaitsAgent, "external create refused")
            .step("create external child")?;
        let token = created.connection.as_ref().map(|c| c.auth_token.clone()).filter(|_| created.status == "awaiting_agent");
        let Some(token) = token else {
            let why = format!("create answered status {:?} and connection.auth_token {}", created.status, created.connection.is_some());
            return Err(E2eError::broken(Promise::ExternalAwaitsAgent, why));
        };
        Ok(External { id: created.id.clone(), runtime: "external".to_owned(), token })
    }

    // The sender and its agent are alive together: that is the round trip.
    case.needs(2);
    let c = case.clone();
    with_org(case, SlugKind::External, move |org| async move {
        let sender = create_external(&c, &org.tenant, "ext-sender-e2e", "external").await?;
        let agent = create_external_child(&c, &org.tenant, "ext-agent-e2e", &sender).await?;
        register_poll(&c, &org.tenant, &sender).await?;
        register_poll(&c, &org.tenant, &agent).await?;
        let as_agent = org.tenant.as_workspace(&agent.token).with_caller(&agent.id)?;
        let as_sender = org.tenant.as_workspace(&sender.token).with_caller(&sender.id)?;

        let cursor = newest(&as_agent, &agent.id).await?;
        let nonce = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
        c.step(&format!("{} → {}: A2A {nonce}", sender.label(), agent.label()));
        let msg = SendMessage::text(format!("BYO round trip {nonce}: reply with the nonce"))
            .with_id("e2e-byo-rt-1")
            .with_message_id(message_id("e2e-rt"));
        let (queued, _) = send_queued(&c, &as_sender, &agent.id, &msg).await?;
        expect_queued_envelope(&queued)?;

        c.step(&format!("{}: read the queued message from activity (since_id cursor)", agent.label()));
        let got = read_since(&c, &as_agent, &agent, cursor.as_deref(), msg.message_id())
            .await
            .breaks(Promise::PollMessageReadable, "the agent could not read the queued message")?;
        if got.source_id.as_deref() != Some(sender.id.as_str()) {
            return Err(E2eError::broken(
                Promise::PollMessageReadable,
                format!("the queued row's source_id is {:?}, not the sender {}", got.source_id, sender.id),
            ));
        }
        let text = got.message_text().unwrap_or_default();
        if !text.contains(&nonce) {
            return Err(E2eError::broken(Promise::PollMessageReadable, format!("the queued text {text:?} lacks {nonce}")));
        }

        let sender_cursor = newest(&as_sender, &sender.id).await?;
        c.step(&format!("{} → {}: reply {nonce}", agent.label(), sender.label()));
        let reply = SendMessage::text(format!("reply: {nonce}")).with_id("e2e-byo-rt-2").with_message_id(message_id("e2e-rt"));
        send_queued(&c, &as_agent, &sender.id, &reply).await.breaks(Promise::ByoReplyDelivered, "the reply was not accepted")?;
        let back = read_since(&c, &as_sender, &sender, sender_cursor.as_deref(), reply.message_id())
            .await
            .breaks(Promise::ByoReplyDelivered, "the reply never reached the sender")?;
        if back.source_id.as_deref() != Some(agent.id.as_str()) {
            return Err(E2eError::broken(
                Promise::ByoReplyDelivered,
                format!("the reply's source_id is {:?}, not the agent {}", back.source_id, agent.id),
            ));
        }
        Ok(RoundTripReport {
            org: org.slug.clone(),
            sender: sender.id.clone(),
            agent: agent.id.clone(),
            received_row: got.id,
            reply_row: back.id,
        })
    })
    .await
}

/// The newest `a2a_receive` row id on `id`, the cursor to read after.
async fn newest(tenant: &Tenant, id: &str) -> Result<Option<String>> {
    let rows = tenant.activity(id, &ActivityQuery::of_type("a2a_receive").limit(1)).await.step("activity cursor")?;
    Ok(rows.first().map(|r| r.id.clone()))
}

/// Poll the agent's activity after `cursor` (oldest first) until the row with `message_id`.
async fn read_since(
    case: &Case,
    tenant: &Tenant,
    ws: &External,
    cursor: Option<&str>,
    message_id: &str,
) -> Result<ActivityRow> {
    let window = case.target().timeouts.transition;
    Wait::new(format!("{} a2a_receive row for {message_id}", ws.label()), window)
        .until(|| async {
            let q = ActivityQuery::of_type("a2a_receive").since(cursor).limit(100);
            let rows = tenant.activity(&ws.id, &q).await?;
            Ok(match rows.into_iter().find(|r| r.message_id() == Some(message_id)) {
                Some(r) => Probe::Ready(r),
                None => Probe::Pending(format!("nothing for {message_id} after cursor {cursor:?}")),
            })
        })
        .await
}

