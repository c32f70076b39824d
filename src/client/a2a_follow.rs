//! A send followed to the agent's reply (`contract/platform-today.md` rows 28-31; the
//! platform harness's `a2a_send_or_poll_queue`, FS:1679-1950 at aeec8e47): a turn the platform
//! queued (200 behind a boot turn, 202 for a settling target) is read at
//! `GET /workspaces/:id/a2a/queue/:queue_id` until it completes; an interrupt acknowledgement
//! is sent again, a bounded number of times; a push-async parking is a named failure. One
//! deadline covers it all: every send, poll and pause is cut to what is left of it.

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use super::http::{Accept, api_error};
use super::retry::RetryPolicy;
use super::seg;
use super::tenant::{A2aAnswer, Tenant};
use crate::a2a::Reply;
use crate::a2a::follow::{Next, QueueState, next, queue_state};
use crate::error::{Call, E2eError, Result};
use crate::wait::{Deadline, Probe, Wait, short, sleep_for, within};

/// How to follow a send.
#[derive(Debug, Clone, Copy)]
pub struct Follow {
    /// The whole answer's deadline: sends, queue polls and re-send pauses together.
    pub deadline: Duration,
    /// Whether the platform serves the queue route (the generation's `a2a.queue_route`).
    pub queue_route: bool,
    /// The pause before re-sending after an interrupt acknowledgement (the harness's 12 s).
    pub resend_pause: Duration,
}

/// The final answer and what it took to get it.
#[derive(Debug, Clone)]
pub struct Followed {
    /// The answer to judge: the send's own, or a completed queue item's `response_body`
    /// (then `status` is the queue route's 200 and `call` names it).
    pub answer: A2aAnswer,
    /// The queue ids followed to a result, in order.
    pub queued: Vec<String>,
    /// How many interrupt acknowledgements were sent again after.
    pub resends: u32,
}

impl Tenant {
    /// One read of a queued A2A item: 200 → its state; 404 with `retryable: true` (the row
    /// not readable yet) → pending; anything else is an error carrying the platform's words.
    pub async fn a2a_queue_item(&self, id: &str, queue_id: &str) -> Result<QueueState> {
        let path = format!("/workspaces/{}/a2a/queue/{}", seg(id), seg(queue_id));
        let call = Call::new("a2a_queue", "GET", &path);
        let a = self.http.send(call.clone(), self.http.request(Method::GET, &path), Accept::Any).await?;
        let retryable = || a.json().ok().and_then(|v| v.get("retryable").and_then(Value::as_bool)) == Some(true);
        match a.status {
            200 => queue_state(&a.json()?).map_err(|why| a.malformed("a queue item's status", why)),
            404 if retryable() => Ok(QueueState::Pending("404 queue item not found (retryable)".into())),
            s => Err(api_error(call, s, &a.body)),
        }
    }

    /// `POST /workspaces/:id/a2a`, followed to the answer to judge (see the module).
    pub async fn a2a_answer(&self, id: &str, envelope: &Value, policy: &RetryPolicy, follow: &Follow) -> Result<Followed> {
        let whose = format!("the {:.1}s A2A answer deadline of ws {}", follow.deadline.as_secs_f64(), short(id));
        let deadline = Deadline::after(follow.deadline, whose);
        within(deadline.clone(), async {
            let (mut queued, mut resends) = (Vec::new(), 0);
            let mut answer = self.a2a(id, envelope, policy).await?;
            // A body that is no reply is the caller's to judge (and to name).
            while let Ok(reply) = Reply::parse(answer.status, &answer.body) {
                match next(&reply, resends, follow.queue_route) {
                    Next::Judge => break,
                    Next::Fail(why) => return Err(named(&answer, why)),
                    Next::Follow(qid) => {
                        answer = self.follow_queue(id, &qid, &answer, &deadline).await?;
                        queued.push(qid);
                    }
                    Next::Resend => {
                        resends += 1;
                        let pause = follow.resend_pause;
                        if pause >= deadline.left() {
                            return Err(named(&answer, format!(
                                "an interrupt acknowledgement ({resends} so far) and no time left to send again before {}",
                                deadline.whose()
                            )));
                        }
                        sleep_for(pause).await;
                        answer = self.a2a(id, envelope, policy).await?;
                    }
                }
            }
            Ok(Followed { answer, queued, resends })
        })
        .await
    }

    /// Poll queue item `qid` until it completes; its `response_body` is the answer.
    async fn follow_queue(&self, id: &str, qid: &str, sent: &A2aAnswer, deadline: &Deadline) -> Result<A2aAnswer> {
        let what = format!("queued A2A turn {qid} on ws {} (HTTP {} queued) to complete", short(id), sent.status);
        // A tenth of what is left stays for the wait's last probe, so running out reads as
        // the queue's state, not as a request cut short.
        let state = Wait::new(what, deadline.left().mul_f64(0.9))
            .until(|| async {
                Ok(match self.a2a_queue_item(id, qid).await? {
                    QueueState::Pending(seen) => Probe::Pending(seen),
                    done => Probe::Ready(done),
                })
            })
            .await?;
        let path = format!("/workspaces/{}/a2a/queue/{}", seg(id), seg(qid));
        let call = Call::new("a2a_queue", "GET", path);
        match state {
            QueueState::Completed(body) => Ok(A2aAnswer { status: 200, body, retry_after: None, attempts: sent.attempts, call }),
            QueueState::Terminal(why) => Err(E2eError::Decode {
                call,
                status: 200,
                expected: "a completed queued A2A turn",
                reason: format!("the platform gave up on the queued turn {qid}: {why}"),
                excerpt: String::new(),
            }),
            QueueState::Pending(seen) => Err(E2eError::WaitTimeout { what: format!("queued turn {qid}"), waited: Duration::ZERO, last_seen: seen }),
        }
    }
}

/// An answer that will never be a reply, as an error naming the call and why.
fn named(answer: &A2aAnswer, why: String) -> E2eError {
    E2eError::Decode {
        call: answer.call.clone(),
        status: answer.status,
        expected: "the agent's reply",
        reason: why,
        excerpt: crate::redact::excerpt(answer.body.to_string().as_bytes()),
    }
}
