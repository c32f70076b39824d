//! What a caller does with each answer to a send when it wants the agent's reply
//! (`contract/platform-today.md` rows 28-31, the harness's `a2a_send_or_poll_queue`): follow a
//! queued turn to its result, send again after a runtime's interrupt acknowledgement, and name
//! an answer that can never become a reply. Pure: [`crate::client::Tenant::a2a_answer`] does
//! the sending and polling.

use super::Reply;

/// The runtime's synchronous answer when a turn lands on an agent that is mid-turn
/// ("⚡ Interrupting current task (iteration N/M). I'll respond to your message shortly."): the
/// message was accepted, its answer comes on the agent's next turn (FS:1698-1717 at aeec8e47).
pub const INTERRUPT_ACK_MARKERS: &[&str] = &["Interrupting current task", "respond to your message shortly"];

/// How many interrupt acknowledgements a send is re-sent after before it fails (the harness's
/// `max_interrupt_ack=6`).
pub const MAX_INTERRUPT_ACKS: u32 = 6;

/// Whether `reply` is an interrupt acknowledgement rather than an answer.
pub fn is_interrupt_ack(reply: &Reply) -> bool {
    reply.text().is_some_and(|t| {
        let lower = t.to_lowercase();
        INTERRUPT_ACK_MARKERS.iter().any(|m| lower.contains(&m.to_lowercase()))
    })
}

/// The next move after an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// The answer is the one to judge (a reply, an error, or a platform answer the caller
    /// judges itself: poll-mode queued, waking, busy without a queue).
    Judge,
    /// The platform queued the turn: read its result at the queue route.
    Follow(String),
    /// An interrupt acknowledgement: send the same message again.
    Resend,
    /// Stop: the answer can never become a reply; the text says why.
    Fail(String),
}

/// Decide after `reply`, given the interrupt acknowledgements already re-sent after and
/// whether this platform serves the queue route.
pub fn next(reply: &Reply, acks_so_far: u32, queue_route: bool) -> Next {
    match reply {
        Reply::Busy(b) => match (&b.queue_id, queue_route) {
            (Some(id), true) if !id.is_empty() => Next::Follow(id.clone()),
            _ => Next::Judge,
        },
        Reply::Parked(p) => Next::Fail(format!(
            "the platform parked the {:?} turn past its canvas sync budget (A2A_CANVAS_SYNC_BUDGET, default 90 s): \
             200 delivery_mode push-async, its reply goes to the canvas WebSocket only and cannot be fetched",
            p.method
        )),
        r if is_interrupt_ack(r) && acks_so_far < MAX_INTERRUPT_ACKS => Next::Resend,
        r if is_interrupt_ack(r) => Next::Fail(format!(
            "the agent answered {} interrupt acknowledgements and never the reply: it accepted the message, \
             interrupted its current task and never yielded a follow-up turn (wedged mid-task?)",
            acks_so_far + 1
        )),
        _ => Next::Judge,
    }
}

/// A queue item's state as `GET /workspaces/:id/a2a/queue/:queue_id` reports it
/// (`a2a_queue_status.go` at aeec8e47; statuses `queued|dispatched|completed|dropped|failed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueState {
    /// Not done yet (`queued`, `dispatched`, or a row not yet readable: 404 `retryable`).
    Pending(String),
    /// `completed`, with its `response_body` (the agent's answer as the proxy got it).
    Completed(serde_json::Value),
    /// `failed` or `dropped`: it will never be answered; the text says what the row said.
    Terminal(String),
}

/// Read one queue-status body (a 200).
pub fn queue_state(body: &serde_json::Value) -> Result<QueueState, String> {
    let status = body.get("status").and_then(serde_json::Value::as_str).ok_or("no `status` string")?;
    let last_error = body.get("last_error").and_then(serde_json::Value::as_str).unwrap_or("none");
    match status {
        "queued" | "dispatched" | "in_progress" => Ok(QueueState::Pending(format!(
            "status {status}, attempts {}",
            body.get("attempts").and_then(serde_json::Value::as_u64).unwrap_or_default()
        ))),
        "completed" => match body.get("response_body") {
            Some(v) if !v.is_null() => Ok(QueueState::Completed(v.clone())),
            _ => Err("status completed without a response_body".to_owned()),
        },
        "failed" | "dropped" => Ok(QueueState::Terminal(format!("status {status}, last_error {last_error:?}"))),
        other => Err(format!("unknown queue status {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(v: serde_json::Value) -> Reply {
        Reply::parse(200, &v).expect("a reply")
    }

    #[test]
    fn both_queued_shapes_are_followed_only_where_the_route_exists() {
        let boot = parse(json!({"status":"queued","method":"message/send","queued":true,"queue_id":"q1","queue_depth":1}));
        let settling = parse(json!({"queued":true,"queue_id":"q2","queue_depth":1,"message":"busy"}));
        assert_eq!(next(&boot, 0, true), Next::Follow("q1".into()));
        assert_eq!(next(&settling, 0, true), Next::Follow("q2".into()));
        assert_eq!(next(&boot, 0, false), Next::Judge);
    }

    #[test]
    fn push_async_is_named_and_poll_mode_is_judged() {
        let parked = parse(json!({"status":"queued","delivery_mode":"push-async","method":"message/send"}));
        assert!(matches!(next(&parked, 0, true), Next::Fail(why) if why.contains("canvas sync budget")));
        let poll = parse(json!({"status":"queued","delivery_mode":"poll","method":"message/send"}));
        assert_eq!(next(&poll, 0, true), Next::Judge);
    }

    #[test]
    fn interrupt_acks_are_resent_a_bounded_number_of_times() {
        let ack = parse(json!({"result":{"kind":"message","role":"agent","messageId":"m","parts":[
            {"kind":"text","text":"⚡ Interrupting current task (iteration 1/90). I'll respond to your message shortly."}]}}));
        assert_eq!(next(&ack, 0, true), Next::Resend);
        assert_eq!(next(&ack, MAX_INTERRUPT_ACKS - 1, true), Next::Resend);
        assert!(matches!(next(&ack, MAX_INTERRUPT_ACKS, true), Next::Fail(why) if why.contains("7 interrupt")));
        let pong = parse(json!({"result":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"PONG"}]}}));
        assert_eq!(next(&pong, 0, true), Next::Judge);
    }

    #[test]
    fn queue_states_read_every_status() {
        assert!(matches!(queue_state(&json!({"status":"queued","attempts":0})), Ok(QueueState::Pending(_))));
        assert!(matches!(queue_state(&json!({"status":"dispatched"})), Ok(QueueState::Pending(_))));
        assert_eq!(queue_state(&json!({"status":"completed","response_body":{"result":1}})), Ok(QueueState::Completed(json!({"result":1}))));
        assert!(queue_state(&json!({"status":"completed"})).is_err());
        assert!(matches!(queue_state(&json!({"status":"failed","last_error":"boom"})), Ok(QueueState::Terminal(w)) if w.contains("boom")));
        assert!(matches!(queue_state(&json!({"status":"dropped"})), Ok(QueueState::Terminal(_))));
        assert!(queue_state(&json!({"status":"lost"})).is_err());
        assert!(queue_state(&json!({})).is_err());
    }
}
