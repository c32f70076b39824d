//! Full mode 10b, the busy hibernate (harness FS:2802-2986 at aeec8e47; core#4293): a real
//! turn sent through A2A keeps the workspace busy ("sleep N, then the single token BUSYDONE");
//! once GET reports it in flight (`active_tasks`, fed by the agent's heartbeat), hibernate
//! without `?force=true` must be refused with 409 and change nothing (`workspace_restart.go`
//! `Hibernate` 651-661); with it, the workspace hibernates (the caller's step) and the turn is
//! cut off with its runtime.

use tokio::task::JoinHandle;

use crate::a2a::{Reply, SendMessage};
use crate::client::{A2aAnswer, RetryPolicy, Tenant, WorkspaceRow};
use crate::error::{BreaksExt, E2eError, Promise, Result, StepExt};
use crate::harness::Case;
use crate::scenario::common::{Workspace, message_id};
use crate::wait::{Deadline, Probe, Wait, within};

/// The harness's busy prompt (FS:2889-2899 at aeec8e47), working `secs` seconds.
pub fn busy_prompt(secs: u64) -> String {
    format!(
        "Platform lifecycle test. Using your shell/bash tool, run exactly this one command and wait for it to finish: \
         sleep {secs}. Then reply with the single token BUSYDONE. Do nothing else."
    )
}

/// The busy turn in flight: its send, running in the background. Dropping it abandons the send
/// (a failed case's teardown stops the runtime that runs the turn).
pub struct BusyTurn {
    send: JoinHandle<Result<A2aAnswer>>,
}

impl Drop for BusyTurn {
    fn drop(&mut self) {
        self.send.abort();
    }
}

/// Send the busy turn to `ws` (one attempt: a retried turn could wake the workspace the
/// forced hibernate put to sleep) and wait until GET reports it in flight; the row then.
pub async fn start(case: &Case, t: &Tenant, ws: &Workspace) -> Result<(BusyTurn, WorkspaceRow)> {
    let work = case.target().timeouts.busy_turn;
    case.step(&format!("{}: a turn that works {} s (sleep, then BUSYDONE), sent in the background", ws.label(), work.as_secs()));
    let msg = SendMessage::text(busy_prompt(work.as_secs())).with_id("e2e-busy-1").with_message_id(message_id("e2e-busy"));
    let (tenant, id, envelope) = (t.clone(), ws.id.clone(), msg.to_v03());
    let bound = Deadline::after(work + case.target().timeouts.transition, "the busy turn");
    let send = tokio::spawn(async move { within(bound, tenant.a2a(&id, &envelope, &RetryPolicy::hermetic(1))).await });
    let turn = BusyTurn { send };
    let row = Wait::new(format!("{} busy (active_tasks > 0)", ws.label()), case.target().timeouts.transition)
        .until(|| async {
            let row = t.get_workspace(&ws.id).await?;
            if row.active_tasks > 0 {
                return Ok(Probe::Ready(row));
            }
            let ended = if turn.send.is_finished() { ", and the turn's send has ended" } else { "" };
            Ok(Probe::Pending(format!("{}, active_tasks {}{ended}", row.state(), row.active_tasks)))
        })
        .await
        .breaks(Promise::BusyHibernateRefused, "GET never reported the turn in flight (active_tasks > 0)")
        .step("busy turn")?;
    case.step(&format!("{}: busy, active_tasks {}", ws.label(), row.active_tasks));
    Ok((turn, row))
}

impl BusyTurn {
    /// Hibernate without `?force=true` → 409; then GET still reports the workspace as `busy`
    /// did (status and url) and still busy.
    pub async fn refused(&self, case: &Case, t: &Tenant, ws: &Workspace, busy: &WorkspaceRow) -> Result<String> {
        case.step(&format!("{}: hibernate without ?force=true must be refused with 409", ws.label()));
        let promise = Promise::BusyHibernateRefused;
        let refusal = match t.hibernate(&ws.id, false).await {
            Err(E2eError::Api { status: 409, error, excerpt, .. }) => error.unwrap_or(excerpt),
            Ok(ack) => {
                let why = format!("hibernate of a workspace in the middle of a turn answered 200 {:?} instead of 409", ack.status);
                return Err(E2eError::broken(promise, why));
            }
            Err(e) => return Err(e).step("hibernate without force"),
        };
        // The platform's own view of the turn (`active_tasks`), not whether our send is still
        // open: a client may give up on a long turn that runs on (the harness's curl does at 30 s).
        let row = t.get_workspace(&ws.id).await.step("GET after the refused hibernate")?;
        if row.status != busy.status || row.url != busy.url || row.active_tasks == 0 {
            let why = format!(
                "the refused hibernate ({refusal:?}) changed the workspace: {} with active_tasks {} before, {} with active_tasks {} after",
                busy.state(),
                busy.active_tasks,
                row.state(),
                row.active_tasks,
            );
            return Err(E2eError::broken(promise, why));
        }
        case.step(&format!("{}: refused (409 {refusal}); still {}, active_tasks {}", ws.label(), row.state(), row.active_tasks));
        Ok(format!("refused: 409 {refusal}"))
    }

    /// After the forced hibernate: the turn was cut off with its runtime, so its send must
    /// not come back with BUSYDONE. What the platform answers a cut-off turn is its own
    /// (`a2a_proxy_helpers.go` `handleA2ADispatchError` at aeec8e47): only noted.
    pub async fn cut_off(mut self, case: &Case, ws: &Workspace) -> Result<String> {
        let bound = case.target().timeouts.transition;
        let ended = match tokio::time::timeout(bound, &mut self.send).await {
            Ok(joined) => joined.map_err(|e| E2eError::broken(Promise::HibernateReachesHibernated, format!("the busy turn's send died: {e}")))?,
            Err(_) => {
                let line = format!("the cut-off turn's send was still unanswered {} s after the hibernate; abandoned", bound.as_secs());
                case.step(&format!("{}: {line}", ws.label()));
                return Ok(line);
            }
        };
        let line = match ended {
            Ok(a) => match Reply::parse(a.status, &a.body) {
                Ok(reply) if reply.text().is_some_and(|t| t.contains("BUSYDONE")) => {
                    let why = "the forced hibernate answered hibernated, but the turn in flight ran on and answered BUSYDONE: its runtime was not stopped";
                    return Err(E2eError::broken(Promise::HibernateReachesHibernated, why));
                }
                _ => format!("the cut-off turn was answered HTTP {} without BUSYDONE", a.status),
            },
            Err(e) => format!("the cut-off turn failed: {e}"),
        };
        case.step(&format!("{}: {line}", ws.label()));
        Ok(line)
    }
}

