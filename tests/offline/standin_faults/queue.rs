//! Faults in the A2A queue and the platform's boot turns (aeec8e47: `contract/platform-today.md`
//! rows 28-31): what a PONG sent as soon as the workspace is online is answered with, followed
//! through the queue route when the platform queued it.

use super::*;
use crate::standin_contract::kit::{answer_text, eventually, holds_for};

/// A PONG to `id`, and where its answer came from: `direct` (the proxy's answer), else the
/// queue item's final status and, once completed, its answer's text.
async fn pong_followed(kit: &Kit, id: &str) -> Value {
    let r = kit.pong(id).await;
    let Some(qid) = r.json.get("queue_id").and_then(Value::as_str).map(str::to_owned) else {
        return json!({"via": "direct", "status": r.status, "text": r.reply_text()});
    };
    let path = format!("/workspaces/{id}/a2a/queue/{qid}");
    let item = eventually("the queue item to leave `queued`", || async {
        let q = kit.admin(Method::GET, &path, None).await;
        (q.str("status") != "queued" && q.str("status") != "dispatched").then_some(q.json)
    });
    let item = tokio::time::timeout(Duration::from_millis(600), item).await;
    match item {
        Ok(item) => json!({"via": "queue", "status": item["status"], "text": answer_text(&item["response_body"])}),
        Err(_) => json!({"via": "queue", "status": "queued"}),
    }
}

async fn first_pong(kit: Kit) -> Seen {
    let id = online_platform_ws(&kit).await;
    let named = pong_followed(&kit, &id).await;
    seen(named, json!(kit.status(&id).await))
}

#[tokio::test]
async fn boot_turn_holds_first_turn_queues_the_first_pong_and_drains_it() {
    let (clean, faulty) = contrast(Fault::BootTurnHoldsFirstTurn, fast(), first_pong).await;
    assert_eq!(clean, json!({"via": "direct", "status": 200, "text": "PONG"}));
    assert_eq!(faulty, json!({"via": "queue", "status": "completed", "text": "PONG"}));
}

#[tokio::test]
async fn queue_never_resolves_leaves_the_queued_pong_queued() {
    let (clean, faulty) = contrast(Fault::QueueNeverResolves, fast(), first_pong).await;
    assert_eq!(clean["text"], "PONG");
    assert_eq!(faulty, json!({"via": "queue", "status": "queued"}));
}

#[tokio::test]
async fn queue_wrong_result_completes_the_pong_with_the_boot_turns_answer() {
    let (clean, faulty) = contrast(Fault::QueueWrongResult, fast(), first_pong).await;
    assert_eq!(clean["text"], "PONG");
    assert_eq!(faulty["status"], "completed");
    assert!(faulty["text"].as_str().unwrap_or_default().contains("Workspace restarted and ready"), "{faulty}");
}

#[tokio::test]
async fn queue_item_dropped_drops_the_queued_pong() {
    let (clean, faulty) = contrast(Fault::QueueItemDropped, fast(), first_pong).await;
    assert_eq!(clean["text"], "PONG");
    assert_eq!(faulty, json!({"via": "queue", "status": "dropped", "text": ""}));
}

#[tokio::test]
async fn interrupt_ack_once_acknowledges_only_the_first_turn() {
    let (clean, faulty) = contrast(Fault::InterruptAckOnce, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let first = kit.pong(&id).await.reply_text();
        let second = kit.pong(&id).await.reply_text();
        seen(json!(first), json!(second))
    })
    .await;
    assert_eq!(clean, "PONG");
    assert!(faulty.as_str().unwrap_or_default().contains("Interrupting current task"), "{faulty}");
}

#[tokio::test]
async fn interrupt_ack_forever_never_answers() {
    let (clean, faulty) = contrast(Fault::InterruptAckForever, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let mut texts = Vec::new();
        for _ in 0..3 {
            texts.push(kit.pong(&id).await.reply_text());
        }
        seen(json!(texts.iter().all(|t| t.contains("Interrupting current task"))), json!(kit.status(&id).await))
    })
    .await;
    assert_eq!((clean, faulty), (json!(false), json!(true)));
}

#[tokio::test]
async fn push_async_parked_answers_canvas_callers_push_async() {
    let (clean, faulty) = contrast(Fault::PushAsyncParked, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let r = kit.pong(&id).await;
        seen(json!({"status": r.status, "delivery_mode": r.json.get("delivery_mode"), "text": r.reply_text()}), json!(kit.status(&id).await))
    })
    .await;
    assert_eq!(clean, json!({"status": 200, "delivery_mode": null, "text": "PONG"}));
    assert_eq!(faulty, json!({"status": 200, "delivery_mode": "push-async", "text": ""}));
}

#[tokio::test]
async fn settling_answered_503_refuses_a_provisioning_target_instead_of_queueing() {
    let (clean, faulty) = contrast(Fault::SettlingAnswered503, no_runtime_delays(), |kit| async move {
        let (id, _) = kit.platform_ws("settling").await;
        let r = kit.pong(&id).await;
        seen(json!({"status": r.status, "queued": r.json.get("queued"), "error": r.json.get("error")}), json!(kit.status(&id).await))
    })
    .await;
    assert_eq!(clean, json!({"status": 202, "queued": true, "error": null}));
    assert_eq!(faulty, json!({"status": 503, "queued": null, "error": "workspace has no URL"}));
}

/// June (41409fb2) has no queue: a settling target is 503 and the queue route is the canvas's 404.
#[tokio::test]
async fn the_june_platform_answers_a_settling_target_503_and_serves_no_queue_route() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays()).with_platform(&molecule_e2e::generation::G41409FB2)).await;
    let (id, _) = kit.platform_ws("settling").await;
    let r = kit.pong(&id).await;
    assert_eq!((r.status, r.str("error")), (503, "workspace has no URL".to_owned()), "{}", r.text());
    let q = kit.admin(Method::GET, &format!("/workspaces/{id}/a2a/queue/{}", uuid::Uuid::new_v4()), None).await;
    assert_eq!(q.status, 404);
    assert!(q.json.get("retryable").is_none(), "the canvas's 404, not the queue route's: {}", q.text());
}

/// Today: a caller's turn during the greeting is queued 200 with the boot-turn envelope, the
/// queue route reads it (404 retryable for an unknown id, 401 without a bearer), and it
/// completes with the agent's answer once the greeting is over.
#[tokio::test]
async fn a_pong_during_the_greeting_is_queued_and_completes_after_it() {
    let delays = Delays { boot_turn: Duration::from_millis(300), ..fast() };
    let kit = Kit::start(StandInConfig::new().with_delays(delays)).await;
    let id = online_platform_ws(&kit).await;
    let r = kit.pong(&id).await;
    assert_eq!((r.status, r.str("status"), r.json["queued"].clone()), (200, "queued".to_owned(), json!(true)), "{}", r.text());
    let unknown = kit.admin(Method::GET, &format!("/workspaces/{id}/a2a/queue/{}", uuid::Uuid::new_v4()), None).await;
    assert_eq!((unknown.status, unknown.json["retryable"].clone()), (404, json!(true)));
    let path = format!("/workspaces/{id}/a2a/queue/{}", r.str("queue_id"));
    let anonymous = kit.tenant(Method::GET, &path, As::Nobody, None).await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.text());
    holds_for("the item stays queued while the greeting runs", Duration::from_millis(100), || async {
        kit.admin(Method::GET, &path, None).await.str("status") == "queued"
    })
    .await;
    let done = eventually("the queued PONG to complete", || async {
        let q = kit.admin(Method::GET, &path, None).await;
        (q.str("status") == "completed").then_some(q.json)
    })
    .await;
    assert_eq!(answer_text(&done["response_body"]), "PONG");
}

/// Today: a restart of a greeted workspace raises the restart-context gate at once (before it
/// is online again), so a PONG sent meanwhile is queued 200 behind the boot turn, not 202 for a
/// settling target; so does the automatic restart after a secret write. The queued turns
/// complete once the restart-context turn is over.
#[tokio::test]
async fn a_restart_queues_callers_behind_the_restart_context_turn() {
    let delays = Delays { boot_turn: Duration::from_millis(100), ..fast() };
    let kit = Kit::start(StandInConfig::new().with_delays(delays)).await;
    let id = online_platform_ws(&kit).await;
    // The greeting first: it marks the workspace greeted, which restart-context requires.
    let first = pong_followed(&kit, &id).await;
    assert_eq!(first["text"], "PONG", "{first}");
    let restarts: [(Method, String, Option<Value>); 2] = [
        (Method::POST, format!("/workspaces/{id}/restart"), None),
        (Method::POST, format!("/workspaces/{id}/secrets"), Some(json!({"key": "E2E_RESTART_PROBE", "value": "x"}))),
    ];
    for (method, path, body) in restarts {
        let r = kit.admin(method, &path, body).await;
        assert!(r.status < 300, "{path}: {}", r.text());
        let queued = kit.pong(&id).await;
        assert_eq!((queued.status, queued.str("status")), (200, "queued".to_owned()), "{path}: {}", queued.text());
        let qpath = format!("/workspaces/{id}/a2a/queue/{}", queued.str("queue_id"));
        let done = eventually("the PONG queued behind restart-context to complete", || async {
            let q = kit.admin(Method::GET, &qpath, None).await;
            (q.str("status") == "completed").then_some(q.json)
        })
        .await;
        assert_eq!(answer_text(&done["response_body"]), "PONG", "{path}");
    }
}
