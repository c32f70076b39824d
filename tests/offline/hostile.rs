//! Sentinel secrets against a hostile platform: a local server that echoes every token the
//! suite holds back at it in every way issue 11 lists (the bearer in an A2A `error`, a minted
//! token in a non-201 create, a mistyped token field, `MOLECULE_WORKSPACE_TOKEN=…` in a
//! `*_snippet`, tokens in a workspace status a wait reports, in a JSON-RPC error, in a task's
//! status message). The clients and scenarios run against it in a child process whose whole
//! stdout and stderr (progress lines included) are captured, and no sentinel may appear in any
//! error text, `Debug` or line of output.

use std::process::Command;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use serde_json::{Value, json};

use molecule_e2e::a2a::SendMessage;
use molecule_e2e::client::{Http, Tenant};
use molecule_e2e::config::Settings;
use molecule_e2e::error::{BreaksExt, E2eError, Promise};
use molecule_e2e::harness::{Case, OrgHandle, Target};
use molecule_e2e::scenario::arms;
use molecule_e2e::scenario::common::{Workspace, ask, expect_token, provision, wait_online};

/// The CP admin bearer, from the settings.
const ADMIN: &str = "sentinel-cp-admin-7f3a9c";
/// The tenant admin bearer the CP hands out.
const TENANT: &str = "sentinel-tenant-admin-51be02";
/// A workspace token minted by a create answered 500.
const MINTED: &str = "sentinel-minted-in-a-500-e4d1";
/// A token only in a `*_snippet` assignment of that 500.
const SNIPPET_500: &str = "sentinel-snippet-of-a-500-0b7c";
/// A token in a mistyped field of a 201.
const MISTYPED: &str = "sentinel-mistyped-token-93aa";
/// The workspace token of a good 201, and the one its snippet assigns.
const CONNECTION: &str = "sentinel-connection-token-c0ffee";
const SNIPPET: &str = "sentinel-snippet-token-9d8e7f";

const SENTINELS: &[&str] = &[ADMIN, TENANT, MINTED, SNIPPET_500, MISTYPED, CONNECTION, SNIPPET];

const CHILD: &str = "hostile::child_drives_clients_and_scenarios_against_a_hostile_platform";
/// Printed by the child when it got to the end: proof that it ran rather than filtered out.
const DONE: &str = "hostile child: every hostile echo checked";

fn json_answer(status: u16, body: Value) -> (StatusCode, [(header::HeaderName, &'static str); 1], String) {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string())
}

/// The whole hostile platform: one handler, routed by method and path.
async fn hostile(method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> impl axum::response::IntoResponse {
    let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let bearer = auth.strip_prefix("Bearer ").unwrap_or(&auth).to_owned();
    let sent: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let path = uri.path();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["health"]) => json_answer(200, json!({"status": "ok"})),
        ("POST", ["cp", "admin", "orgs"]) => {
            json_answer(200, json!({"id": 4242424242u64, "slug": "e2e-hostile", "note": format!("you sent {auth}")}))
        }
        ("GET", ["cp", "admin", "orgs", _, "admin-token"]) => json_answer(200, json!({"admin_token": TENANT})),
        ("POST", ["workspaces"]) => create(sent.get("name").and_then(Value::as_str).unwrap_or(""), &bearer),
        ("GET", ["workspaces", id]) => json_answer(
            200,
            json!({"id": id, "status": format!("booting MOLECULE_WORKSPACE_TOKEN={SNIPPET} as {bearer}"), "url": ""}),
        ),
        ("POST", ["workspaces", id, "a2a"]) => a2a(id, &bearer),
        _ => json_answer(404, json!({"error": format!("no route {path}; your bearer was {bearer}")})),
    }
}

fn create(name: &str, bearer: &str) -> (StatusCode, [(header::HeaderName, &'static str); 1], String) {
    match name {
        // The new token is minted, then the create fails: the answer is excerpted, and its
        // `error` text quotes both the token and the bearer.
        "non201" => json_answer(
            500,
            json!({
                "error": format!("rollback after minting {MINTED} for {bearer}"),
                "id": "ws-non201",
                "auth_token": MINTED,
                "install_snippet": format!("export MOLECULE_WORKSPACE_TOKEN={SNIPPET_500}\nmolecule-agent run"),
            }),
        ),
        // A 201 whose token sits in fields of the wrong type, where serde would quote it.
        "mistyped" => json_answer(
            201,
            json!({"id": "ws-mistyped", "auth_token": [MISTYPED], "external": MISTYPED, "status": format!("Bearer {bearer}")}),
        ),
        _ => json_answer(
            201,
            json!({
                "id": "ws-snippet",
                "status": "awaiting_agent",
                "external": true,
                "connection": {
                    "auth_token": CONNECTION,
                    "curl_snippet": format!("curl -H 'Authorization: Bearer {CONNECTION}' …"),
                    "env_snippet": format!("MOLECULE_WORKSPACE_TOKEN={SNIPPET}"),
                },
            }),
        ),
    }
}

fn a2a(id: &str, bearer: &str) -> (StatusCode, [(header::HeaderName, &'static str); 1], String) {
    match id {
        "a2a-error" => json_answer(200, json!({"error": format!("token {bearer} is not allowed here")})),
        "a2a-rpc" => json_answer(
            200,
            json!({"jsonrpc": "2.0", "id": "e2e-msg-1", "error": {
                "code": -32001, "message": format!("bad credential {bearer}"), "data": {"authorization": bearer, "seen": bearer}
            }}),
        ),
        "a2a-task" => json_answer(
            200,
            json!({"jsonrpc": "2.0", "id": "e2e-msg-1", "result": {
                "kind": "task", "id": "t-1", "status": {"state": "failed", "message": {
                    "kind": "message", "role": "agent", "messageId": "m-1",
                    "parts": [{"kind": "text", "text": format!("PONG? no: {bearer} and {SNIPPET} rejected")}]
                }}
            }}),
        ),
        _ => json_answer(502, json!({"error": format!("upstream said Authorization: Bearer {bearer}")})),
    }
}

async fn start_hostile() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a local port");
    let url = format!("http://{}", listener.local_addr().expect("local address"));
    let app = Router::new().fallback(hostile);
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn target_at(url: &str) -> Arc<Target> {
    let vars = [
        ("MOLECULE_CP_URL", url),
        ("MOLECULE_ADMIN_TOKEN", ADMIN),
        ("MOLECULE_TENANT_URL_TEMPLATE", url),
        ("E2E_TRANSIENT_RETRIES", "1"),
        ("E2E_WORKSPACE_ONLINE_TIMEOUT_SECS", "1"),
        ("E2E_RUN_ID", "hostile"),
    ];
    let settings = Settings::from_lookup(|k| vars.iter().find(|(v, _)| *v == k).map(|(_, x)| x.to_string()))
        .expect("hostile settings");
    Target::from_settings(settings).expect("a target at the hostile server").expect("MOLECULE_CP_URL is set")
}

/// Keep a failure's text and `Debug`, after checking it says what happened (`must_say`).
#[track_caller]
fn keep(outputs: &mut Vec<String>, e: &E2eError, must_say: &str) {
    let text = e.to_string();
    assert!(text.contains(must_say), "the failure should say {must_say:?}: {text}");
    outputs.push(text);
    outputs.push(format!("{e:?}"));
    outputs.push(format!("{e:#?}"));
}

fn workspace(id: &str) -> Workspace {
    Workspace { id: id.into(), name: id.into(), runtime: "claude-code".into(), model: "sonnet".into(), token: None }
}

#[tokio::test]
#[ignore = "run in a child process by a_hostile_platform_echoing_sentinels_gets_none_of_them_printed"]
async fn child_drives_clients_and_scenarios_against_a_hostile_platform() {
    let url = start_hostile().await;
    let target = target_at(&url);
    let case = Case::new("hostile", target.clone());
    let cp = target.cp().expect("a cp client");
    let mut out = Vec::new();

    // The CP echoes the admin bearer beside an org id of the wrong type.
    let e = cp.create_org("e2e-hostile", "E2E hostile", None).await.expect_err("a numeric id");
    keep(&mut out, &e, "\"id\" is a number");

    let token = cp.tenant_admin_token("e2e-hostile").await.expect("the tenant token");
    let tenant = Tenant::new(&url, "org-hostile", token).expect("a tenant client");
    let org = OrgHandle { slug: "e2e-hostile".into(), id: "org-hostile".into(), tenant: tenant.clone() };
    let arm = arms::arm("claude_code_subscription").expect("a keyless arm");

    // Create answered 500 after minting a token; the token also sits in a snippet.
    let e = provision(&case, &org, arm, "non201").await.expect_err("a 500 create");
    keep(&mut out, &e, "HTTP 500");
    // Create answered 201 with the token in mistyped fields.
    let e = provision(&case, &org, arm, "mistyped").await.expect_err("mistyped fields");
    keep(&mut out, &e, "\"external\" is a string, expected a boolean");
    // A good create whose snippet assigns a token, then a status that echoes it and the
    // bearer until the wait times out: `WaitTimeout.last_seen`. Beside it, a plain wait on the
    // same echo, long enough that the first probe is answered on a loaded machine (50 ms and
    // then 250 ms waits ran out before the first answer came back under CI's load, and the
    // echo went untested). The two run at once: each only waits out its deadline.
    let ws_wait = workspace("ws-wait");
    let (snippet, waited) = tokio::join!(
        provision(&case, &org, arm, "snippet"),
        wait_online(&case, &tenant, &ws_wait, std::time::Duration::from_millis(1000), Promise::ResumeReachesOnline),
    );
    keep(&mut out, &snippet.expect_err("never online"), "timed out");
    keep(&mut out, &waited.expect_err("never online"), "last seen: booting");

    // A2A: the platform's `{"error":"token <bearer>"}`, a JSON-RPC error quoting it, a failed
    // task quoting it in its status message, and a 502 quoting it.
    let msg = SendMessage::text("Reply with exactly the word PINEAPPLE and nothing else.");
    let e = ask(&case, &tenant, &workspace("a2a-error"), &msg).await.expect_err("a platform error");
    keep(&mut out, &e, "is not allowed here");
    let asked = ask(&case, &tenant, &workspace("a2a-rpc"), &msg).await.expect("a JSON-RPC error is an answer");
    out.push(format!("{asked:?}"));
    let e = expect_token(&asked, "PINEAPPLE", Promise::KnownAnswer).expect_err("an error is no answer");
    keep(&mut out, &e, "JSON-RPC error -32001 \"bad credential [REDACTED]\"");
    let asked = ask(&case, &tenant, &workspace("a2a-task"), &msg).await.expect("a task");
    out.push(format!("{asked:?}"));
    out.push(format!("{:#?}", asked.reply));
    let e = expect_token(&asked, "PINEAPPLE", Promise::KnownAnswer).expect_err("a failed task");
    keep(&mut out, &e, "state `failed`");
    let e = ask(&case, &tenant, &workspace("a2a-502"), &msg).await.expect_err("a 502");
    keep(&mut out, &e, "HTTP 502");

    // A detail of the suite's own making that quotes a token, and raw answers' `Debug`.
    let e = Err::<(), _>(E2eError::Unmet("inner".into()))
        .breaks(Promise::CreateAccepted, &format!("created with {CONNECTION}; MOLECULE_WORKSPACE_TOKEN={SNIPPET}"))
        .expect_err("an error");
    keep(&mut out, &e, "broken promise [create-accepted]");
    let answer = Http::new(&url)
        .expect("http")
        .json("probe", Method::GET, "/workspaces/ws-debug", None)
        .await
        .expect("a 200");
    out.push(format!("{answer:?}"));
    out.push(format!("{answer:#?}"));

    for text in &out {
        eprintln!("{text}");
        for sentinel in SENTINELS {
            assert!(!text.contains(sentinel), "sentinel {sentinel} printed in: {text}");
        }
    }
    eprintln!("{DONE}");
}

#[test]
fn a_hostile_platform_echoing_sentinels_gets_none_of_them_printed() {
    let exe = std::env::current_exe().expect("the test binary");
    let run = Command::new(exe)
        .args([CHILD, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .output()
        .expect("the child test runs");
    let all = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    for sentinel in SENTINELS {
        assert!(!all.contains(sentinel), "sentinel {sentinel} reached the output:\n{all}");
    }
    assert!(run.status.success(), "the hostile child failed:\n{all}");
    assert!(all.contains(DONE) && all.contains("1 passed"), "the hostile child did not run to the end:\n{all}");
    // Its progress lines were captured too, and they are where a leak would show first.
    assert!(all.contains("[hostile +"), "no progress line was captured:\n{all}");
}
