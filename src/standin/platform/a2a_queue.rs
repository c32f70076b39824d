//! The A2A queue and the platform's boot turns, as aeec8e47 has them (`contract/platform-
//! today.md` rows 28-31): a caller's `message/send` that arrives while a boot turn holds the
//! workspace, or while the target is settling, is queued (`a2a_queue.go` `EnqueueA2A`); the
//! queue drains once the workspace is online with no boot turn in flight
//! (`DrainQueueForWorkspace`), and each item's status and result are served at
//! `GET /workspaces/:id/a2a/queue/:queue_id` (`a2a_queue_status.go`).

use std::sync::{Arc, Weak};
use std::time::Duration;

use serde_json::{Value, json};
use uuid::Uuid;

use super::queue_item::QueueItem;
use super::records::{Activity, Status, now_rfc3339};
use super::tables::Tables;
use super::{Platform, http_client};
use crate::standin::Fault;

/// What a queued-behind-a-boot-turn item is answered with under [`Fault::QueueWrongResult`]:
/// the boot turn's own answer (the race `restart_context.go:31-40` describes).
const BOOT_TURN_ANSWER: &str = "Workspace restarted and ready. What would you like me to help with?";
/// The runtime's interrupt acknowledgement (FS:1686-1697 at aeec8e47).
const INTERRUPT_ACK: &str = "⚡ Interrupting current task (iteration 1/90). I'll respond to your message shortly.";
/// A dispatch that fails this many times is `failed` (`MarkQueueItemFailed`'s `maxAttempts`).
const MAX_ATTEMPTS: u32 = 5;
/// The known-answer prompt's token, and what [`Fault::KnownAnswerWrong`] turns it into.
const KNOWN_ANSWER: &str = "PINEAPPLE";
const WRONG_ANSWER: &str = "PAPAYA";
/// How long a boot turn held by a fault waits for the first caller turn at most.
const HOLD_CAP: Duration = Duration::from_secs(10);

impl Tables {
    /// Enqueue a turn for `workspace`; its id and the workspace's queued depth after it.
    pub fn enqueue(&mut self, org: Uuid, workspace: Uuid, caller: Option<String>, envelope: Value) -> (Uuid, usize) {
        let id = Uuid::new_v4();
        self.a2a_queue.push(QueueItem {
            id,
            org_id: org,
            workspace_id: workspace,
            caller_id: caller,
            envelope,
            status: "queued",
            attempts: 0,
            last_error: None,
            enqueued_at: now_rfc3339(),
            dispatched_at: None,
            completed_at: None,
            response_body: None,
        });
        (id, self.queued_for(workspace))
    }

    fn queued_for(&self, workspace: Uuid) -> usize {
        self.a2a_queue.iter().filter(|q| q.workspace_id == workspace && q.status == "queued").count()
    }

    /// The item `id` of `org`.
    pub fn queue_item(&self, org: Uuid, id: Uuid) -> Option<&QueueItem> {
        self.a2a_queue.iter().find(|q| q.org_id == org && q.id == id)
    }
}

impl Platform {
    /// Whether boot turns stay in flight until a caller's turn has been queued behind them:
    /// the weather (or faults) that need a queued turn to act on, made certain.
    fn holds_boot_turn(&self) -> bool {
        [Fault::BootTurnHoldsFirstTurn, Fault::QueueNeverResolves, Fault::QueueWrongResult, Fault::QueueItemDropped]
            .into_iter()
            .any(|f| self.faults.is_on(f))
    }

    /// A restart (the Restart handler, the automatic restart after a secret write or a config
    /// PUT) of a workspace already greeted schedules a restart-context turn and raises its gate
    /// at once (`fireRestartContextIfBooted`, `restart_context.go:97-124`; called from
    /// `workspace_restart.go:490, 1603`). Resume and wake do not.
    pub fn schedule_restart_context(&self, tables: &mut Tables, id: Uuid) {
        if !self.cfg.platform.a2a.boot_turns_queue {
            return;
        }
        let token = tables.next_seq();
        if let Some(ws) = tables.workspaces.get_mut(&id).filter(|w| w.greeted) {
            ws.boot_turn = Some(token);
        }
    }

    /// `id` just went online: a first boot takes the greeting turn (`FirstBootGreeter`,
    /// fired on provisioning→online, `registry.go:1244`), a restart its restart-context turn;
    /// the queue drains when the turn is done, or now when there is none.
    pub fn came_online(self: &Arc<Self>, tables: &mut Tables, id: Uuid) {
        let Some(ws) = tables.workspaces.get(&id) else { return };
        let (org, first_boot, pending) = (ws.org_id, !ws.greeted, ws.boot_turn);
        if !self.cfg.platform.a2a.boot_turns_queue || !(first_boot || pending.is_some()) {
            self.drain(org, id);
            return;
        }
        if self.cfg.delays.boot_turn.is_zero() && !self.holds_boot_turn() {
            // An instant turn: no gate anyone could meet.
            if let Some(ws) = tables.workspaces.get_mut(&id) {
                (ws.boot_turn, ws.greeted) = (None, true);
            }
            self.drain(org, id);
            return;
        }
        let token = match pending {
            Some(t) => t,
            None => tables.next_seq(),
        };
        if let Some(ws) = tables.workspaces.get_mut(&id) {
            ws.boot_turn = Some(token);
        }
        tokio::spawn(boot_turn(Arc::downgrade(self), org, id, token, first_boot));
    }

    /// Drain `id`'s queue in the background.
    pub fn drain(self: &Arc<Self>, org: Uuid, id: Uuid) {
        tokio::spawn(drain(Arc::downgrade(self), org, id));
    }
}

/// The boot turn: the workspace is busy with the platform's own turn for `Delays::boot_turn`
/// (held longer, under the faults of [`Platform::holds_boot_turn`], until a caller's turn has
/// been queued), then the gate drops (`clearRestartContextPending`) and the queue drains.
async fn boot_turn(weak: Weak<Platform>, org: Uuid, id: Uuid, token: u64, first_boot: bool) {
    let (delay, hold) = match weak.upgrade() {
        Some(p) => (p.cfg.delays.boot_turn, p.holds_boot_turn()),
        None => return,
    };
    tokio::time::sleep(delay).await;
    let held_since = tokio::time::Instant::now();
    while hold && held_since.elapsed() < HOLD_CAP {
        let Some(p) = weak.upgrade() else { return };
        if p.is_closed() || p.lock().a2a_queue.iter().any(|q| q.workspace_id == id) {
            break;
        }
        drop(p);
        // A background task standing in for an agent's turn: it ends on an event (a caller's
        // turn queued) that it can only look for.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let Some(platform) = weak.upgrade() else { return };
    {
        let mut tables = platform.lock();
        let Some(ws) = tables.workspaces.get_mut(&id) else { return };
        if ws.boot_turn != Some(token) {
            return;
        }
        ws.boot_turn = None;
        ws.greeted |= first_boot;
    }
    platform.drain(org, id);
}

/// `DrainQueueForWorkspace`: while `id` is online with a URL and no boot turn, dispatch its
/// oldest queued item and store the answer on it.
async fn drain(weak: Weak<Platform>, org: Uuid, id: Uuid) {
    loop {
        let Some(platform) = weak.upgrade() else { return };
        let Some((qid, url, envelope)) = next_item(&platform, org, id) else { return };
        let outcome = dispatch(&platform, id, &url, &envelope).await;
        let mut tables = platform.lock();
        let Some(item) = tables.a2a_queue.iter_mut().find(|q| q.id == qid) else { return };
        match outcome {
            Ok(body) => {
                let body = shape_answer(&platform, &envelope, &body).unwrap_or(body);
                let body = if platform.faults.fires(Fault::QueueWrongResult) { wrong_result(&envelope) } else { body };
                item.status = "completed";
                item.completed_at = Some(now_rfc3339());
                item.response_body = Some(body.clone());
                let caller = item.caller_id.clone();
                attach_response(&platform, &mut tables, id, caller, &envelope, body);
            }
            Err(e) => {
                item.last_error = Some(e);
                item.status = if item.attempts >= MAX_ATTEMPTS { "failed" } else { "queued" };
                item.dispatched_at = None;
                return; // the next drain (a queue read, the next boot) tries again
            }
        }
    }
}

/// Claim the oldest queued item of `id` if it may be dispatched now: `dispatched`, one more
/// attempt. [`Fault::QueueNeverResolves`] leaves it queued; [`Fault::QueueItemDropped`]
/// drops it as the settling ceiling does (`DropQueueItemTerminal`).
fn next_item(platform: &Platform, org: Uuid, id: Uuid) -> Option<(Uuid, String, Value)> {
    if platform.is_closed() {
        return None;
    }
    let mut tables = platform.lock();
    let ws = tables.workspace(org, id)?;
    if !matches!(ws.status, Status::Online | Status::Degraded) || ws.url.is_empty() || ws.boot_turn.is_some() {
        return None;
    }
    let url = ws.url.clone();
    let item = tables.a2a_queue.iter_mut().find(|q| q.workspace_id == id && q.status == "queued")?;
    if platform.faults.fires(Fault::QueueNeverResolves) {
        return None;
    }
    item.attempts += 1;
    item.dispatched_at = Some(now_rfc3339());
    if platform.faults.fires(Fault::QueueItemDropped) {
        item.status = "dropped";
        item.last_error = Some("target failed to settle within the settling ceiling; dropped (stand-in fault)".into());
        return None;
    }
    item.status = "dispatched";
    Some((item.id, url, item.envelope.clone()))
}

/// Forward a drained item to the agent; its JSON answer, or why there is none.
async fn dispatch(platform: &Platform, id: Uuid, url: &str, envelope: &Value) -> Result<Value, String> {
    if let Some(ack) = interrupt_ack(platform, id, envelope) {
        return Ok(ack);
    }
    let http = http_client(url)?;
    let resp = http.post(url).json(envelope).timeout(Duration::from_secs(300)).send().await.map_err(|e| format!("dial {url}: {e}"))?;
    let status = resp.status();
    let bytes = resp.bytes().await.map_err(|e| format!("read the agent's answer: {e}"))?;
    if !status.is_success() {
        return Err(format!("agent answered HTTP {}", status.as_u16()));
    }
    // The answer came from a runtime started faulty: each of its faults shaped it (as on the
    // proxy's direct path).
    let runtime_faults = platform.lock().workspaces.get(&id).map(|w| w.runtime_faults.clone()).unwrap_or_default();
    for f in runtime_faults {
        platform.faults.count(f);
    }
    serde_json::from_slice(&bytes).map_err(|e| format!("agent answered non-JSON: {e}"))
}

/// The agent's interrupt acknowledgement in place of its answer: the first `message/send`
/// of each workspace under [`Fault::InterruptAckOnce`], every one under
/// [`Fault::InterruptAckForever`] (the runtime behaviour of `contract/platform-today.md`
/// row 31, answered here so the stand-in's runtimes stay the reference ones).
pub fn interrupt_ack(platform: &Platform, id: Uuid, envelope: &Value) -> Option<Value> {
    if envelope.get("method").and_then(Value::as_str) != Some("message/send") {
        return None;
    }
    let mut tables = platform.lock();
    let ws = tables.workspaces.get_mut(&id)?;
    let ack = (ws.interrupt_acks == 0 && platform.faults.fires(Fault::InterruptAckOnce)) || platform.faults.fires(Fault::InterruptAckForever);
    if !ack {
        return None;
    }
    ws.interrupt_acks += 1;
    Some(agent_text(envelope, INTERRUPT_ACK))
}

/// The faults that reshape an agent's answer on its way through the proxy, directly or from
/// the queue; `None` when none applies. [`Fault::KnownAnswerWrong`]: when the request carries
/// the known-answer prompt, every `PINEAPPLE` in the reply's strings becomes `PAPAYA` (still
/// well-formed, only wrong; PONG passes untouched). [`Fault::ReplyLoginPrompt`]: a `PONG` answer
/// gains the bare "Not logged in · Please run /login" of an agent without its LLM token: the
/// token is still there, only the error markers can tell.
pub fn shape_answer(platform: &Platform, envelope: &Value, reply: &Value) -> Option<Value> {
    let mut out = reply.clone();
    let mut changed = false;
    let asks_known_answer = envelope.pointer("/params/message/parts").is_some_and(|p| p.to_string().contains(KNOWN_ANSWER));
    let mut r = out.clone();
    if asks_known_answer && replace_in_strings(&mut r, KNOWN_ANSWER, WRONG_ANSWER) && platform.faults.fires(Fault::KnownAnswerWrong) {
        (out, changed) = (r, true);
    }
    let mut r = out.clone();
    if replace_in_strings(&mut r, "PONG", "PONG\nNot logged in · Please run /login") && platform.faults.fires(Fault::ReplyLoginPrompt) {
        (out, changed) = (r, true);
    }
    changed.then_some(out)
}

/// Replace `from` with `to` in every string of `v`; whether anything changed.
fn replace_in_strings(v: &mut Value, from: &str, to: &str) -> bool {
    match v {
        Value::String(s) if s.contains(from) => {
            *s = s.replace(from, to);
            true
        }
        Value::Array(items) => items.iter_mut().fold(false, |acc, i| replace_in_strings(i, from, to) | acc),
        Value::Object(m) => m.values_mut().fold(false, |acc, i| replace_in_strings(i, from, to) | acc),
        _ => false,
    }
}

fn wrong_result(envelope: &Value) -> Value {
    agent_text(envelope, BOOT_TURN_ANSWER)
}

/// A 0.3 agent message answering `envelope` with `text`.
fn agent_text(envelope: &Value, text: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": envelope.get("id").cloned().unwrap_or(Value::Null), "result": {
        "kind": "message", "role": "agent", "messageId": Uuid::new_v4().to_string(),
        "parts": [{"kind": "text", "text": text}]}})
}

/// The drained answer joins the `a2a_receive` row written at receipt (upserted on
/// `(workspace_id, message_id)`, keeping the first `source_id`: row 32), or is a row of its own.
fn attach_response(platform: &Platform, tables: &mut Tables, id: Uuid, caller: Option<String>, envelope: &Value, body: Value) {
    let message_id = envelope.pointer("/params/message/messageId").cloned();
    let same = |a: &&mut Activity| {
        a.workspace_id == id
            && a.activity_type == "a2a_receive"
            && message_id.is_some()
            && a.request_body.as_ref().and_then(|r| r.pointer("/params/message/messageId")) == message_id.as_ref()
    };
    if let Some(row) = tables.activity.iter_mut().rev().find(same) {
        row.response_body = Some(body);
        return;
    }
    if platform.faults.fires(Fault::ActivityNotRecorded) {
        return;
    }
    let mut row = Activity::new(id, "a2a_receive");
    row.source_id = caller;
    row.target_id = Some(id.to_string());
    row.method = envelope.get("method").and_then(Value::as_str).map(str::to_owned);
    row.summary = Some("queued turn drained".into());
    row.request_body = Some(envelope.clone());
    row.response_body = Some(body);
    tables.record(&platform.faults, row);
}
