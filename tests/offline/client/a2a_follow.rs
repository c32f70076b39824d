//! A send followed to its answer (`Tenant::a2a_answer`, platform-today rows 28-31): a queued
//! turn read at the queue route, an interrupt acknowledgement sent again, and the answers that
//! never become a reply named.

use molecule_e2e::client::Follow;

use super::*;

fn follow() -> Follow {
    Follow { deadline: Duration::from_secs(3), queue_route: true, resend_pause: Duration::from_millis(10) }
}

fn queue_path() -> &'static str {
    "/workspaces/ws-1/a2a/queue/q-1"
}

fn ack() -> Value {
    json!({"jsonrpc": "2.0", "id": "e2e-msg-1", "result": {"kind": "message", "role": "agent", "messageId": "m-ack",
        "parts": [{"kind": "text", "text": "⚡ Interrupting current task (iteration 1/90). I'll respond to your message shortly."}]}})
}

async fn queued_then(server: &MockServer, status: u16, reads: Vec<ResponseTemplate>) {
    let queued = json!({"queued": true, "queue_id": "q-1", "queue_depth": 1, "message": "workspace agent busy"});
    Mock::given(method("POST")).and(path("/workspaces/ws-1/a2a")).respond_with(ResponseTemplate::new(status).set_body_json(queued)).mount(server).await;
    Mock::given(method("GET")).and(path(queue_path())).respond_with(Sequence::new(reads)).mount(server).await;
}

#[tokio::test]
async fn a_queued_turn_is_read_at_the_queue_route_until_it_completes() {
    let server = MockServer::start().await;
    let reads = vec![
        ResponseTemplate::new(404).set_body_json(json!({"error": "queue item not found", "retryable": true})),
        ResponseTemplate::new(200).set_body_json(json!({"queue_id": "q-1", "status": "queued", "attempts": 0})),
        ResponseTemplate::new(200).set_body_json(json!({"queue_id": "q-1", "status": "completed", "response_body": reply()})),
    ];
    queued_then(&server, 202, reads).await;
    let f = tenant(&server).a2a_answer("ws-1", &envelope(), &RetryPolicy::hermetic(3), &follow()).await.expect("followed");
    assert_eq!((f.queued, f.resends, f.answer.status, f.answer.body), (vec!["q-1".to_owned()], 0, 200, reply()));
    assert!(f.answer.call.to_string().contains("a2a_queue (GET /workspaces/ws-1/a2a/queue/q-1)"), "{:?}", f.answer.call);
}

#[rstest]
#[case::failed(json!({"queue_id": "q-1", "status": "failed", "last_error": "agent answered HTTP 500"}), "status failed, last_error \"agent answered HTTP 500\"")]
#[case::dropped(json!({"queue_id": "q-1", "status": "dropped"}), "status dropped")]
#[tokio::test]
async fn a_queued_turn_the_platform_gave_up_on_is_named(#[case] item: Value, #[case] says: &str) {
    let server = MockServer::start().await;
    queued_then(&server, 200, vec![ResponseTemplate::new(200).set_body_json(item)]).await;
    let e = tenant(&server).a2a_answer("ws-1", &envelope(), &RetryPolicy::hermetic(3), &follow()).await.expect_err("given up");
    let text = expect_decode(e, 200, "the platform gave up on the queued turn q-1");
    assert!(text.contains(says), "{text}");
}

#[tokio::test]
async fn a_queue_read_refused_403_is_an_api_error() {
    let server = MockServer::start().await;
    queued_then(&server, 202, vec![ResponseTemplate::new(403).set_body_json(json!({"error": "access denied"}))]).await;
    let e = tenant(&server).a2a_answer("ws-1", &envelope(), &RetryPolicy::hermetic(3), &follow()).await.expect_err("403");
    expect_api(e, 403, None, Some("access denied"));
}

#[tokio::test]
async fn an_item_that_never_completes_runs_out_of_the_answer_deadline_naming_its_status() {
    let server = MockServer::start().await;
    queued_then(&server, 200, vec![ResponseTemplate::new(200).set_body_json(json!({"status": "dispatched", "attempts": 1}))]).await;
    let fast = Follow { deadline: Duration::from_millis(800), ..follow() };
    let e = tenant(&server).a2a_answer("ws-1", &envelope(), &RetryPolicy::hermetic(3), &fast).await.expect_err("never completes");
    let text = e.to_string();
    // Normally the wait runs out naming the item's last status; on a loaded machine its last
    // probe can instead be cut at the wait's deadline, and then the error names the wait.
    assert!(text.contains("queued A2A turn q-1"), "{text}");
    if matches!(e, E2eError::WaitTimeout { .. }) {
        assert!(text.contains("status dispatched, attempts 1"), "{text}");
    }
}

#[tokio::test]
async fn an_interrupt_acknowledgement_is_sent_again_and_the_answer_after_it_kept() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/workspaces/ws-1/a2a"))
        .respond_with(Sequence::new(vec![ResponseTemplate::new(200).set_body_json(ack()), ResponseTemplate::new(200).set_body_json(reply())]))
        .expect(2)
        .mount(&server)
        .await;
    let f = tenant(&server).a2a_answer("ws-1", &envelope(), &RetryPolicy::hermetic(3), &follow()).await.expect("answered");
    assert_eq!((f.resends, f.answer.body), (1, reply()));
}

#[tokio::test]
async fn push_async_is_named_without_following() {
    let server = MockServer::start().await;
    let parked = json!({"status": "queued", "delivery_mode": "push-async", "method": "message/send"});
    Mock::given(method("POST")).and(path("/workspaces/ws-1/a2a")).respond_with(ResponseTemplate::new(200).set_body_json(parked)).expect(1).mount(&server).await;
    let e = tenant(&server).a2a_answer("ws-1", &envelope(), &RetryPolicy::hermetic(3), &follow()).await.expect_err("parked");
    expect_decode(e, 200, "canvas sync budget");
}

/// June's platform has no queue route: a queued answer is the caller's to judge, not followed.
#[tokio::test]
async fn without_the_queue_route_a_queued_answer_is_returned_as_is() {
    let server = MockServer::start().await;
    queued_then(&server, 202, vec![ResponseTemplate::new(500)]).await;
    let june = Follow { queue_route: false, ..follow() };
    let f = tenant(&server).a2a_answer("ws-1", &envelope(), &RetryPolicy::hermetic(3), &june).await.expect("returned");
    assert_eq!((f.answer.status, f.queued.len()), (202, 0));
}
