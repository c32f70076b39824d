//! Every deadline holds against a server that misbehaves below HTTP (issue 22): raw loopback
//! listeners that accept and never answer, trickle a body or the headers a byte at a time,
//! reset the connection, or ask for a 30 s `Retry-After`. A 1 s wait must end within its
//! grace (5 %, at least 50 ms) plus 0.15 s for a loaded machine; a teardown within its budget
//! plus the same. docs/waits-and-teardown.md states the promise these pin.

use std::sync::Arc;
use std::time::{Duration, Instant};

use molecule_e2e::client::{RetryPolicy, Tenant};
use molecule_e2e::config::{Settings, Timeouts};
use molecule_e2e::error::{E2eError, TransportKind};
use molecule_e2e::harness::{Case, Target, teardown};
use molecule_e2e::wait::{Probe, Wait, grace, within};
use secrecy::SecretString;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const WAIT: Duration = Duration::from_secs(1);
/// Scheduling slack for a test among hundreds on two cores.
const SLACK: Duration = Duration::from_millis(150);

/// How a listener treats each connection.
#[derive(Clone, Copy)]
enum Shape {
    /// Accept, read nothing, answer nothing.
    Silent,
    /// Headers promising a long body, then one byte every 50 ms.
    TrickleBody,
    /// The status line, then one header byte every 50 ms.
    TrickleHeaders,
    /// Read the request, then close at once with nothing written.
    Reset,
    /// 503 `Service Unavailable` with `Retry-After: 30`.
    RetryAfter30,
}

/// A loopback listener serving `shape` to every connection; its URL.
async fn listener(shape: Shape) -> String {
    let l = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!("http://{}", l.local_addr().expect("local addr"));
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            tokio::spawn(serve(shape, s));
        }
    });
    url
}

async fn serve(shape: Shape, mut s: TcpStream) {
    let mut buf = [0u8; 4096];
    if !matches!(shape, Shape::Silent) {
        let _ = s.read(&mut buf).await;
    }
    let tick = || tokio::time::sleep(Duration::from_millis(50));
    match shape {
        Shape::Silent => std::future::pending::<()>().await,
        Shape::TrickleBody => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n";
            let _ = s.write_all(head.as_bytes()).await;
            while s.write_all(b" ").await.is_ok() {
                tick().await;
            }
        }
        Shape::TrickleHeaders => {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\n").await;
            while s.write_all(b"x").await.is_ok() {
                tick().await;
            }
        }
        Shape::Reset => drop(s),
        Shape::RetryAfter30 => {
            let body = "Service Unavailable";
            let head = format!(
                "HTTP/1.1 503 Service Unavailable\r\nretry-after: 30\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(head.as_bytes()).await;
            let _ = s.read(&mut buf).await;
        }
    }
}

fn tenant(url: &str) -> Tenant {
    Tenant::new(
        url,
        "org-silent",
        SecretString::from("silent-test-token-0b7d"),
    )
    .expect("a tenant client")
}

#[track_caller]
fn ended_in_time(took: Duration, limit: Duration) {
    let bound = limit + grace(limit) + SLACK;
    assert!(took <= bound, "took {took:?}, bound {bound:?}");
}

/// A wait whose probe reads a workspace, failing on the first error: the error it ends with.
async fn strict_wait(url: &str) -> (E2eError, Duration) {
    let t = tenant(url);
    let started = Instant::now();
    let e = Wait::new("ws 3f2a… online", WAIT)
        .until(|| async { Ok(Probe::<()>::Pending(t.get_workspace("ws-1").await?.status)) })
        .await
        .expect_err("never online");
    (e, started.elapsed())
}

#[tokio::test]
async fn a_wait_on_a_listener_that_never_reads_ends_within_its_grace_naming_the_wait() {
    let (e, took) = strict_wait(&listener(Shape::Silent).await).await;
    ended_in_time(took, WAIT);
    assert!(
        matches!(
            e,
            E2eError::Transport {
                kind: TransportKind::Timeout,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .contains("no answer before the deadline of the wait for ws 3f2a… online"),
        "{e}"
    );
}

#[tokio::test]
async fn a_wait_on_a_body_trickled_a_byte_at_a_time_ends_within_its_grace() {
    let (e, took) = strict_wait(&listener(Shape::TrickleBody).await).await;
    ended_in_time(took, WAIT);
    assert!(
        e.to_string().contains("the wait for ws 3f2a… online"),
        "{e}"
    );
}

#[tokio::test]
async fn a_wait_on_headers_trickled_a_byte_at_a_time_ends_within_its_grace() {
    let (e, took) = strict_wait(&listener(Shape::TrickleHeaders).await).await;
    ended_in_time(took, WAIT);
    assert!(
        e.to_string().contains("the wait for ws 3f2a… online"),
        "{e}"
    );
}

#[tokio::test]
async fn a_wait_that_treats_resets_as_pending_times_out_within_its_grace_saying_what_it_saw() {
    let t = tenant(&listener(Shape::Reset).await);
    let started = Instant::now();
    let e = Wait::new("ws 3f2a… online", WAIT)
        .until(|| async {
            Ok(match t.get_workspace("ws-1").await {
                Ok(row) => Probe::<()>::Pending(row.status),
                Err(e) => Probe::Pending(e.to_string()),
            })
        })
        .await
        .expect_err("never online");
    ended_in_time(started.elapsed(), WAIT);
    assert!(
        matches!(&e, E2eError::WaitTimeout { last_seen, .. } if last_seen.contains("get_workspace")),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_30_s_retry_after_in_a_1_s_wait_gives_up_at_once_saying_why() {
    let t = tenant(&listener(Shape::RetryAfter30).await);
    let envelope = json!({"jsonrpc": "2.0", "id": "e2e-1", "method": "message/send", "params": {}});
    let started = Instant::now();
    let e = Wait::new("ws 3f2a… answers", WAIT)
        .until(|| async {
            t.a2a("ws-1", &envelope, &RetryPolicy::staging(8))
                .await
                .map(Probe::Ready)
        })
        .await
        .expect_err("gave up");
    assert!(
        started.elapsed() < WAIT,
        "no pause past the deadline: {:?}",
        started.elapsed()
    );
    assert!(
        e.to_string()
            .contains("Retry-After (30.0s) ends past the deadline"),
        "{e}"
    );
}

#[tokio::test]
async fn a_lone_request_outside_any_wait_ends_at_its_own_cap() {
    let t = tenant(&listener(Shape::Silent).await).with_timeout(WAIT);
    let started = Instant::now();
    let e = t.get_workspace("ws-1").await.expect_err("no answer");
    ended_in_time(started.elapsed(), WAIT);
    assert!(
        matches!(
            e,
            E2eError::Transport {
                kind: TransportKind::Timeout,
                ..
            }
        ),
        "{e:?}"
    );
}

/// A case over a target at `url`, whose teardown budget is `budget`.
fn case_at(url: &str, budget: Duration) -> Case {
    let timeouts = Timeouts {
        teardown: budget,
        ..Timeouts::STANDIN
    };
    let target: Arc<Target> = Target::standin(
        url.to_owned(),
        SecretString::from("silent-admin"),
        Settings::hermetic(),
        Some(timeouts),
    );
    Case::captured("silent::teardown", target)
}

#[tokio::test]
async fn a_teardown_against_a_silent_tenant_ends_within_its_budget_naming_each_workspace() {
    let url = listener(Shape::Silent).await;
    let case = case_at(&url, WAIT);
    for (id, name) in [
        ("ws-parent-0001", "E2E Parent"),
        ("ws-child-0002", "E2E Child"),
        ("ws-probe-0003", "E2E Probe"),
    ] {
        case.own(id, name);
    }
    let started = Instant::now();
    let e = within(
        teardown::budget(&case),
        teardown::delete_workspaces(&case, &tenant(&url)),
    )
    .await
    .expect_err("a leak");
    ended_in_time(started.elapsed(), WAIT);
    let text = e.to_string();
    for name in ["E2E Parent", "E2E Child", "E2E Probe"] {
        let line = text
            .split("; ws ")
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} unreported: {text}"));
        assert!(
            line.contains("delete failed") && line.contains("list unknown"),
            "{line}"
        );
    }
}
