//! A2A and the transient-retry policy (contract §4, §6.4).

use super::*;

fn a2a_mock(responder: impl Respond + 'static) -> Mock {
    Mock::given(method("POST")).and(path("/workspaces/ws-1/a2a")).and(body_json(envelope())).respond_with(responder)
}

#[tokio::test]
async fn a2a_retries_transient_503_and_502_then_answers() {
    let server = MockServer::start().await;
    a2a_mock(Sequence::new(vec![
        ResponseTemplate::new(503).set_body_json(json!({"error": "workspace agent unreachable — container restart triggered", "restarting": true})),
        ResponseTemplate::new(502).set_body_string("Bad Gateway"),
        ResponseTemplate::new(200).set_body_json(reply()),
    ]))
    .expect(3)
    .mount(&server)
    .await;
    let a = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(5)).await.expect("answered");
    assert_eq!((a.status, a.attempts), (200, 3));
    assert_eq!(a.body, reply());
}

#[tokio::test]
async fn a2a_fails_at_once_on_a_non_transient_503() {
    let server = MockServer::start().await;
    a2a_mock(ResponseTemplate::new(503).set_body_json(json!({"error": "workspace has no URL", "status": "paused"})))
        .expect(1)
        .mount(&server)
        .await;
    let e = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(5)).await.expect_err("no retry");
    let text = expect_api(e, 503, None, Some("workspace has no URL"));
    assert!(text.starts_with("a2a (POST /workspaces/ws-1/a2a): HTTP 503"), "{text}");
}

#[rstest]
#[case::one_attempt(1)]
#[case::three_attempts(3)]
#[tokio::test]
async fn a2a_retries_stop_at_the_bound(#[case] attempts: u32) {
    let server = MockServer::start().await;
    a2a_mock(ResponseTemplate::new(502).set_body_string("error code: 502"))
        .expect(u64::from(attempts))
        .mount(&server)
        .await;
    let e = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(attempts)).await.expect_err("gave up");
    let text = e.to_string();
    match e {
        E2eError::GaveUp { attempts: made, last, .. } => {
            assert_eq!(made, attempts, "{text}");
            expect_api(*last, 502, None, None);
        }
        other => panic!("expected E2eError::GaveUp, got {other:?}"),
    }
    let plural = if attempts == 1 { "" } else { "s" };
    assert!(text.contains(&format!("gave up after {attempts} attempt{plural}")), "{text}");
    assert!(text.contains("error code: 502"), "{text}");
}

#[tokio::test]
async fn a2a_retry_after_replaces_the_backoff() {
    let server = MockServer::start().await;
    a2a_mock(Sequence::new(vec![
        ResponseTemplate::new(503).insert_header("retry-after", "0").set_body_string("Service Unavailable"),
        ResponseTemplate::new(200).set_body_json(reply()),
    ]))
    .expect(2)
    .mount(&server)
    .await;
    // A backoff of half a minute: only the server's `Retry-After: 0` makes this fast.
    let patient = RetryPolicy { min_delay: Duration::from_secs(30), max_delay: Duration::from_secs(30), ..RetryPolicy::staging(2) };
    let (t, env) = (tenant(&server), envelope());
    let call = t.a2a("ws-1", &env, &patient);
    let a = tokio::time::timeout(Duration::from_secs(5), call).await.expect("Retry-After: 0 was honoured").expect("answered");
    assert_eq!((a.status, a.attempts), (200, 2));
}

#[rstest]
#[case::none_uses_the_backoff(None, Next::Retry(Duration::from_millis(20)))]
#[case::zero(Some(Duration::ZERO), Next::Retry(Duration::ZERO))]
#[case::one_second(Some(Duration::from_secs(1)), Next::Retry(Duration::from_secs(1)))]
#[case::an_hour_is_honoured_when_it_fits(Some(Duration::from_secs(3600)), Next::Retry(Duration::from_secs(3600)))]
fn retry_after_replaces_the_backoff_when_the_deadline_allows(#[case] retry_after: Option<Duration>, #[case] next: Next) {
    let left = Duration::from_secs(7200);
    assert_eq!(RetryPolicy::hermetic(5).after_transient(Some(Duration::from_millis(20)), retry_after, left), next);
}

#[tokio::test]
async fn the_waking_503_is_an_answer_not_a_retry() {
    let server = MockServer::start().await;
    let waking = json!({"error": "workspace is waking from hibernation — retry in ~15 seconds", "waking": true, "retry_after": 15});
    a2a_mock(ResponseTemplate::new(503).insert_header("retry-after", "15").set_body_json(&waking)).expect(1).mount(&server).await;
    let a = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(5)).await.expect("an answer");
    assert_eq!((a.status, a.attempts, a.retry_after), (503, 1, Some(Duration::from_secs(15))));
    assert_eq!(a.body, waking);
}

#[rstest]
#[case::busy_queued(202, json!({"queued": true, "queue_id": "q-1", "queue_depth": 1, "message": "workspace agent busy — request queued, will dispatch when capacity available"}))]
#[case::poll_queued(200, json!({"status": "queued", "delivery_mode": "poll", "method": "message/send"}))]
#[tokio::test]
async fn a2a_2xx_alternates_are_answers(#[case] status: u16, #[case] body: Value) {
    let server = MockServer::start().await;
    a2a_mock(ResponseTemplate::new(status).set_body_json(&body)).expect(1).mount(&server).await;
    let a = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(5)).await.expect("an answer");
    assert_eq!((a.status, a.body), (status, body));
}

#[rstest]
#[case::not_found(404, json!({"error": "workspace not found"}), "workspace not found")]
#[case::budget(402, json!({"error": "workspace budget limit exceeded", "exceeded_periods": ["day"]}), "workspace budget limit exceeded")]
#[case::not_routable(502, json!({"error": "workspace URL is not publicly routable"}), "workspace URL is not publicly routable")]
#[tokio::test]
async fn a2a_refusals_are_api_errors_without_retry(#[case] status: u16, #[case] body: Value, #[case] error: &str) {
    let server = MockServer::start().await;
    a2a_mock(ResponseTemplate::new(status).set_body_json(&body)).expect(1).mount(&server).await;
    let e = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(5)).await.expect_err("refused");
    expect_api(e, status, None, Some(error));
}

#[tokio::test]
async fn a2a_json_rpc_error_with_a_non_2xx_status_names_its_code_and_message() {
    let server = MockServer::start().await;
    let body = json!({"jsonrpc": "2.0", "id": "e2e-msg-1", "error": {"code": -32603, "message": "Internal error"}});
    a2a_mock(ResponseTemplate::new(400).set_body_json(&body)).expect(1).mount(&server).await;
    let e = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(5)).await.expect_err("refused");
    let text = expect_api(e, 400, Some("-32603"), Some("Internal error"));
    assert!(text.starts_with("a2a (POST /workspaces/ws-1/a2a): HTTP 400 code=-32603"), "{text}");
}

#[tokio::test]
async fn a2a_html_500_is_an_api_error_and_a_non_json_200_a_decode_error() {
    let server = MockServer::start().await;
    a2a_mock(html(500)).expect(1).mount(&server).await;
    let e = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(5)).await.unwrap_err();
    expect_api(e, 500, None, None);

    let server = MockServer::start().await;
    a2a_mock(html(200)).expect(1).mount(&server).await;
    let e = tenant(&server).a2a("ws-1", &envelope(), &RetryPolicy::hermetic(5)).await.unwrap_err();
    expect_decode(e, 200, "text/html");
}

#[tokio::test]
async fn a2a_sends_extra_headers() {
    let server = MockServer::start().await;
    Mock::given(header("a2a-version", "1.0"))
        .and(header(ORG_HEADER, ORG))
        .respond_with(ResponseTemplate::new(200).set_body_json(reply()))
        .expect(1)
        .mount(&server)
        .await;
    let a = tenant(&server)
        .a2a_with_headers("ws-1", &envelope(), &[("a2a-version", "1.0")], &RetryPolicy::hermetic(1))
        .await
        .expect("answered");
    assert_eq!(a.attempts, 1);
}

#[rstest]
#[case::service_unavailable(503, "Service Unavailable", true)]
#[case::bad_gateway(502, "<html>502 Bad Gateway</html>", true)]
#[case::gateway_timeout(504, "Gateway Timeout", true)]
#[case::cloudflare_502(502, "error code: 502", true)]
#[case::cloudflare_504(504, "error code: 504", true)]
#[case::agent_unreachable(503, r#"{"error":"workspace agent unreachable — container restart triggered"}"#, true)]
#[case::connection_refused(502, "dial tcp: connection refused", true)]
#[case::no_healthy_upstream(503, "no healthy upstream", true)]
#[case::agent_busy(503, r#"{"error":"workspace agent busy — retry after a short backoff","busy":true}"#, true)]
#[case::native_session(503, "native_session not ready", true)]
#[case::no_url_is_not_passing(503, r#"{"error":"workspace has no URL","status":"paused"}"#, false)]
#[case::waking_is_not_retried(503, r#"{"error":"workspace is waking from hibernation","waking":true}"#, false)]
#[case::not_routable(502, r#"{"error":"workspace URL is not publicly routable"}"#, false)]
#[case::empty_503(503, "", false)]
#[case::marker_on_a_500(500, "Bad Gateway", false)]
#[case::marker_on_a_429(429, "Service Unavailable", false)]
#[case::marker_on_a_200(200, "Service Unavailable", false)]
fn transient_failures_are_gateway_statuses_with_known_bodies(#[case] status: u16, #[case] body: &str, #[case] transient: bool) {
    assert_eq!(is_transient(status, body.as_bytes()), transient, "{status} {body:?}");
}

#[rstest]
#[case::staging(RetryPolicy::staging(8), 7, Duration::from_secs(15))]
#[case::hermetic(RetryPolicy::hermetic(5), 4, Duration::from_millis(200))]
#[case::single_attempt(RetryPolicy::hermetic(1), 0, Duration::ZERO)]
#[case::zero_attempts(RetryPolicy::hermetic(0), 0, Duration::ZERO)]
fn retry_policy_has_attempts_minus_one_bounded_delays(#[case] p: RetryPolicy, #[case] n: usize, #[case] cap: Duration) {
    let d: Vec<_> = p.delays().collect();
    assert_eq!(d.len(), n, "{d:?}");
    assert!(d.iter().all(|x| *x >= p.min_delay && *x <= cap), "{d:?}");
}
