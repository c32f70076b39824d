//! Every stand-in fault changes exactly the behaviour it names: the same scenario runs against
//! a clean stand-in and against one with the fault; the named observation differs (and is
//! what the fault promises), a neighbouring observation does not.

use std::future::Future;
use std::time::Duration;

use molecule_e2e::standin::{Delays, Fault, StandInConfig};
use reqwest::Method;
use serde_json::{Value, json};

use crate::standin_contract::kit::{As, Kit, no_runtime_delays, pong_envelope, quick};
use crate::standin_contract::{download, upload_png};

/// What a scenario saw: the behaviour the fault names, and a neighbouring one.
struct Seen {
    named: Value,
    neighbour: Value,
}

fn seen(named: Value, neighbour: Value) -> Seen {
    Seen { named, neighbour }
}

/// Run `scenario` against a clean stand-in and one with `fault` (both with `delays`),
/// concurrently; require the named observation to differ and the neighbour to agree.
/// Returns (clean, faulty) named observations for the fault-specific assertions.
async fn contrast<F, Fut>(fault: Fault, delays: Delays, scenario: F) -> (Value, Value)
where
    F: Fn(Kit) -> Fut,
    Fut: Future<Output = Seen>,
{
    let clean = StandInConfig::new().with_delays(delays.clone());
    let faulty = StandInConfig::new().with_delays(delays).with_fault(fault);
    let (clean_kit, faulty_kit) = tokio::join!(Kit::start(clean), Kit::start(faulty));
    let (clean_standin, faulty_standin) = (clean_kit.standin.clone(), faulty_kit.standin.clone());
    let (c, f) = tokio::join!(scenario(clean_kit), scenario(faulty_kit));
    assert_ne!(c.named, f.named, "{fault}: the named behaviour must change ({})", fault.description());
    assert_eq!(clean_standin.fault_hits(fault), 0, "{fault}: a clean stand-in counts no hit");
    assert!(faulty_standin.fault_hits(fault) > 0, "{fault}: the behaviour changed, so the fault must have counted a hit");
    assert_eq!(c.neighbour, f.neighbour, "{fault}: a neighbouring behaviour must not change");
    (c.named, f.named)
}

fn fast() -> Delays {
    quick()
}

async fn online_platform_ws(kit: &Kit) -> String {
    let (id, _) = kit.platform_ws("E2E Parent").await;
    kit.wait_online(&id).await;
    id
}

async fn a2a(kit: &Kit, id: &str) -> Value {
    let r = kit.pong(id).await;
    json!({"status": r.status, "body": r.json})
}

#[tokio::test]
async fn resume_stays_paused_leaves_the_workspace_paused_after_a_200() {
    let (clean, faulty) = contrast(Fault::ResumeStaysPaused, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let paused = kit.admin(Method::POST, &format!("/workspaces/{id}/pause"), None).await.json;
        let status_paused = kit.status(&id).await;
        let resumed = kit.admin(Method::POST, &format!("/workspaces/{id}/resume"), None).await.json;
        // Several provisioning delays: a clean resume is online long before this ends.
        let later = kit.status_within(&id, "online", Duration::from_millis(400)).await;
        seen(json!(later), json!([paused, status_paused, resumed]))
    })
    .await;
    assert_eq!((clean, faulty), (json!("online"), json!("paused")));
}

#[tokio::test]
async fn never_wakes_answers_waking_but_stays_hibernated() {
    let (clean, faulty) = contrast(Fault::NeverWakes, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        kit.admin(Method::POST, &format!("/workspaces/{id}/hibernate?force=true"), None).await.expect(200);
        let r = kit.pong(&id).await;
        let neighbour = json!({"status": r.status, "body": r.json, "retry_after": r.headers.get("retry-after").and_then(|v| v.to_str().ok())});
        // Several wake delays, as above.
        let later = kit.status_within(&id, "online", Duration::from_millis(400)).await;
        seen(json!(later), neighbour)
    })
    .await;
    assert_eq!((clean, faulty), (json!("online"), json!("hibernated")));
}

#[tokio::test]
async fn external_label_coerced_reports_kimi_as_external() {
    let (clean, faulty) = contrast(Fault::ExternalLabelCoerced, no_runtime_delays(), |kit| async move {
        let (kimi, _) = kit.external_ws("ext-kimi-e2e", "kimi").await;
        let (cli, _) = kit.external_ws("ext-kimi-cli-e2e", "kimi-cli").await;
        let (ext, _) = kit.external_ws("ext-e2e", "external").await;
        let named = json!([kit.row(&kimi).await["runtime"], kit.row(&cli).await["runtime"]]);
        let ext_row = kit.row(&ext).await;
        seen(named, json!([ext_row["runtime"], ext_row["status"], kit.status(&kimi).await]))
    })
    .await;
    assert_eq!((clean, faulty), (json!(["kimi", "kimi-cli"]), json!(["external", "external"])));
}

#[tokio::test]
async fn queued_says_push_mislabels_the_queued_envelope() {
    let (clean, faulty) = contrast(Fault::QueuedSaysPush, no_runtime_delays(), |kit| async move {
        let (id, _) = kit.external_ws("ext-e2e", "external").await;
        let r = kit.pong(&id).await;
        let rows = kit.activity(&id, "").await;
        seen(json!(r.json["delivery_mode"]), json!([r.status, r.json["status"], r.json["method"], rows.len()]))
    })
    .await;
    assert_eq!((clean, faulty), (json!("poll"), json!("push")));
}

#[tokio::test]
async fn proxy_404_poll_refuses_a2a_to_poll_workspaces() {
    let (clean, faulty) = contrast(Fault::Proxy404Poll, no_runtime_delays(), |kit| async move {
        let (id, _) = kit.external_ws("ext-e2e", "external").await;
        let named = a2a(&kit, &id).await;
        seen(named, json!(kit.admin(Method::GET, &format!("/workspaces/{id}"), None).await.status))
    })
    .await;
    assert_eq!(clean["status"], 200);
    assert_eq!(faulty, json!({"status": 404, "body": {"error": "workspace not found"}}));
}

#[tokio::test]
async fn allowlist_lacks_google_adk_refuses_google_adk_only() {
    let (clean, faulty) = contrast(Fault::AllowlistLacksGoogleAdk, no_runtime_delays(), |kit| async move {
        let adk = kit.admin(Method::POST, "/workspaces", Some(json!({"name": "adk", "runtime": "google-adk", "model": "gemini-2.5-pro"}))).await;
        let hermes = kit.admin(Method::POST, "/workspaces", Some(json!({"name": "h", "runtime": "hermes", "model": "openai/gpt-4o"}))).await;
        seen(json!({"status": adk.status, "code": adk.json.get("code")}), json!(hermes.status))
    })
    .await;
    assert_eq!(clean, json!({"status": 201, "code": null}));
    assert_eq!(faulty, json!({"status": 422, "code": "RUNTIME_UNSUPPORTED"}));
}

#[tokio::test]
async fn runtime_misspells_breaks_the_pong_token() {
    let (clean, faulty) = contrast(Fault::RuntimeMisspells, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let r = kit.pong(&id).await;
        seen(json!(r.reply_text()), json!([r.status, kit.activity(&id, "").await.len()]))
    })
    .await;
    assert_eq!(clean, "PONG");
    assert!(!faulty.as_str().unwrap_or_default().contains("PONG"), "{faulty}");
}

#[tokio::test]
async fn reply_error_marker_puts_an_agent_error_in_the_reply() {
    let (clean, faulty) = contrast(Fault::ReplyErrorMarker, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let r = kit.pong(&id).await;
        seen(json!(r.reply_text()), json!(r.status))
    })
    .await;
    assert_eq!(clean, "PONG");
    assert!(faulty.as_str().unwrap_or_default().contains("Agent error"), "{faulty}");
}

#[tokio::test]
async fn activity_not_recorded_drops_the_a2a_receive_rows() {
    let (clean, faulty) = contrast(Fault::ActivityNotRecorded, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let r = kit.pong(&id).await;
        let (poll, _) = kit.external_ws("ext-e2e", "external").await;
        kit.pong(&poll).await.expect(200);
        let rows = kit.activity(&id, "?type=a2a_receive").await.len() + kit.activity(&poll, "?type=a2a_receive").await.len();
        seen(json!(rows), json!(r.reply_text()))
    })
    .await;
    assert_eq!((clean, faulty), (json!(2), json!(0)));
}

#[tokio::test]
async fn byok_ignored_answers_byok_but_keeps_platform_managed() {
    let (clean, faulty) = contrast(Fault::ByokIgnored, no_runtime_delays(), |kit| async move {
        let (id, _) = kit.create(json!({"name": "E2E Parent", "tier": 2, "runtime": "claude-code", "model": "MiniMax-M2.7"})).await;
        let path = format!("/admin/workspaces/{id}/llm-billing-mode");
        let put = kit.admin(Method::PUT, &path, Some(json!({"mode": "byok"}))).await;
        let get = kit.admin(Method::GET, &path, None).await;
        let secret = kit.admin(Method::POST, &format!("/workspaces/{id}/secrets"), Some(json!({"key": "MINIMAX_API_KEY", "value": "k"}))).await;
        seen(json!({"get": get.json["resolved_mode"], "secret": secret.status}), json!([put.status, put.json["resolved_mode"]]))
    })
    .await;
    assert_eq!(clean, json!({"get": "byok", "secret": 200}));
    assert_eq!(faulty, json!({"get": "platform_managed", "secret": 400}));
}

#[tokio::test]
async fn deleted_org_listed_keeps_a_deleted_org_in_the_list() {
    let (clean, faulty) = contrast(Fault::DeletedOrgListed, no_runtime_delays(), |kit| async move {
        let del = kit.call(Method::DELETE, &format!("/cp/admin/tenants/{}", kit.slug), As::Cp, None, Some(json!({"confirm": kit.slug}))).await;
        let list = kit.call(Method::GET, "/cp/admin/orgs", As::Cp, None, None).await;
        let listed = list.json["orgs"].as_array().map_or(0, |o| o.len());
        let tenant = kit.admin(Method::GET, "/workspaces", None).await.status;
        seen(json!([listed, kit.standin.org_count()]), json!([del.status, tenant]))
    })
    .await;
    assert_eq!((clean, faulty), (json!([0, 0]), json!([1, 1])));
}

#[tokio::test]
async fn online_without_url_goes_online_with_an_empty_url() {
    let (clean, faulty) = contrast(Fault::OnlineWithoutUrl, fast(), |kit| async move {
        let (id, _) = kit.platform_ws("E2E Parent").await;
        let row = kit.wait_status(&id, "online").await;
        seen(json!(row["url"].as_str().is_some_and(|u| !u.is_empty())), json!(row["status"]))
    })
    .await;
    assert_eq!((clean, faulty), (json!(true), json!(false)));
}

#[tokio::test]
async fn register_drops_delivery_mode_omits_it_from_the_register_response() {
    let (clean, faulty) = contrast(Fault::RegisterDropsDeliveryMode, no_runtime_delays(), |kit| async move {
        let (id, token) = kit.external_ws("ext-e2e", "external").await;
        let r = kit.register_poll(&id, &token).await;
        seen(json!(r.json.get("delivery_mode")), json!([r.status, r.json["status"], kit.status(&id).await]))
    })
    .await;
    assert_eq!((clean, faulty), (json!("poll"), Value::Null));
}

#[tokio::test]
async fn pause_ignored_answers_paused_but_changes_nothing() {
    let (clean, faulty) = contrast(Fault::PauseIgnored, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let r = kit.admin(Method::POST, &format!("/workspaces/{id}/pause"), None).await;
        seen(json!(kit.status(&id).await), json!([r.status, r.json]))
    })
    .await;
    assert_eq!((clean, faulty), (json!("paused"), json!("online")));
}

#[tokio::test]
async fn external_never_stale_keeps_a_silent_external_online() {
    let delays = Delays { stale_after: Duration::from_millis(200), liveness_ttl: Duration::from_millis(400), ..quick() };
    let (clean, faulty) = contrast(Fault::ExternalNeverStale, delays, |kit| async move {
        let (id, token) = kit.external_ws("ext-e2e", "external").await;
        let reg = kit.register_poll(&id, &token).await;
        let first = kit.status(&id).await;
        // Well past stale_after and the liveness TTL.
        let later = kit.status_within(&id, "awaiting_agent", Duration::from_millis(600)).await;
        seen(json!(later), json!([reg.status, first]))
    })
    .await;
    assert_eq!((clean, faulty), (json!("awaiting_agent"), json!("online")));
}

#[tokio::test]
async fn create_html_500_breaks_create_with_an_html_page() {
    let (clean, faulty) = contrast(Fault::CreateHtml500, no_runtime_delays(), |kit| async move {
        let r = kit.admin(Method::POST, "/workspaces", Some(json!({"name": "x", "runtime": "hermes", "model": "openai/gpt-4o"}))).await;
        let ct = r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let list = kit.admin(Method::GET, "/workspaces", None).await.status;
        seen(json!([r.status, ct.starts_with("text/html")]), json!(list))
    })
    .await;
    assert_eq!((clean, faulty), (json!([201, false]), json!([500, true])));
}

#[tokio::test]
async fn download_bytes_differ_corrupts_the_download() {
    let (clean, faulty) = contrast(Fault::DownloadBytesDiffer, no_runtime_delays(), |kit| async move {
        let (id, _) = kit.external_ws("files", "external").await;
        let (uri, sent) = upload_png(&kit, &id).await;
        let (status, bytes) = download(&kit, &id, &uri).await;
        seen(json!(bytes == sent), json!([status, uri.starts_with("workspace:/")]))
    })
    .await;
    assert_eq!((clean, faulty), (json!(true), json!(false)));
}

#[tokio::test]
async fn stale_version_accepted_lets_a_stale_write_through() {
    let (clean, faulty) = contrast(Fault::StaleVersionAccepted, no_runtime_delays(), |kit| async move {
        let (id, _) = kit.external_ws("mem", "external").await;
        let path = format!("/workspaces/{id}/memory");
        let v1 = kit.admin(Method::POST, &path, Some(json!({"key": "k", "value": {"step": 1}}))).await.json;
        let v2 = kit.admin(Method::POST, &path, Some(json!({"key": "k", "value": {"step": 2}, "if_match_version": 1}))).await.json;
        let stale = kit.admin(Method::POST, &path, Some(json!({"key": "k", "value": {"step": 3}, "if_match_version": 1}))).await;
        seen(json!(stale.status), json!([v1, v2]))
    })
    .await;
    assert_eq!((clean, faulty), (json!(409), json!(200)));
}

#[tokio::test]
async fn provenance_lost_nulls_the_source_id() {
    let (clean, faulty) = contrast(Fault::ProvenanceLost, no_runtime_delays(), |kit| async move {
        let (parent, parent_token) = kit.external_ws("parent", "external").await;
        let (child, _) = kit.create(json!({"name": "child", "runtime": "external", "external": true, "parent_id": parent})).await;
        let r = kit
            .raw(Method::POST, &format!("/workspaces/{child}/a2a"), As::Token(parent_token), Some(&kit.org_id), &[("X-Workspace-ID", &parent)], Some(pong_envelope().to_string().into_bytes()))
            .await;
        let rows = kit.activity(&child, "").await;
        seen(json!(rows[0]["source_id"] == json!(parent)), json!([r.status, rows.len(), rows[0]["target_id"] == json!(child)]))
    })
    .await;
    assert_eq!((clean, faulty), (json!(true), json!(false)));
}

#[tokio::test]
async fn memory_503_says_the_memory_plugin_is_not_configured() {
    let (clean, faulty) = contrast(Fault::Memory503, no_runtime_delays(), |kit| async move {
        let (id, _) = kit.external_ws("mem", "external").await;
        let r = kit.admin(Method::POST, &format!("/workspaces/{id}/memories"), Some(json!({"content": "seed", "scope": "LOCAL"}))).await;
        let kv = kit.admin(Method::POST, &format!("/workspaces/{id}/memory"), Some(json!({"key": "k", "value": 1}))).await;
        seen(json!([r.status, r.json.get("error")]), json!(kv.json))
    })
    .await;
    assert_eq!(clean, json!([201, null]));
    assert_eq!(faulty, json!([503, "memory plugin is not configured (set MEMORY_PLUGIN_URL)"]));
}

#[tokio::test]
async fn diagnose_fails_reports_llm_reachable_as_the_first_failure() {
    let (clean, faulty) = contrast(Fault::DiagnoseFails, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let r = kit.admin(Method::GET, &format!("/workspaces/{id}/terminal/diagnose"), None).await;
        let a2a_step = r.json["steps"].as_array().and_then(|s| s.iter().find(|s| s["name"] == "a2a-reachable")).map(|s| s["ok"].clone());
        seen(json!([r.json["ok"], r.json["first_failure"]]), json!([r.status, a2a_step]))
    })
    .await;
    assert_eq!((clean, faulty), (json!([true, null]), json!([false, "llm-reachable"])));
}

#[tokio::test]
async fn shared_context_served_brings_the_removed_route_back() {
    let (clean, faulty) = contrast(Fault::SharedContextServed, no_runtime_delays(), |kit| async move {
        let (id, _) = kit.external_ws("ctx", "external").await;
        let r = kit.admin(Method::GET, &format!("/workspaces/{id}/shared-context"), None).await;
        seen(json!(r.status), json!(kit.admin(Method::GET, &format!("/workspaces/{id}/activity"), None).await.status))
    })
    .await;
    assert_eq!((clean, faulty), (json!(404), json!(200)));
}

#[tokio::test]
async fn peers_404_loses_the_peers_route() {
    let (clean, faulty) = contrast(Fault::Peers404, no_runtime_delays(), |kit| async move {
        let (id, token) = kit.external_ws("peer", "external").await;
        let r = kit.tenant(Method::GET, &format!("/registry/{id}/peers"), As::Token(token), None).await;
        seen(json!(r.status), json!(kit.admin(Method::GET, &format!("/workspaces/{id}"), None).await.status))
    })
    .await;
    assert_eq!((clean, faulty), (json!(200), json!(404)));
}

#[tokio::test]
async fn transient_5xx_fails_the_first_two_dispatches_with_retryable_bodies_then_answers() {
    let (clean, faulty) = contrast(Fault::Transient5xx, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let mut calls = Vec::new();
        let text = loop {
            let r = kit.pong(&id).await;
            if r.status == 200 {
                break r.reply_text();
            }
            calls.push(json!([r.status, r.text()]));
            assert!(calls.len() <= 2, "more than two transient failures: {calls:?}");
        };
        seen(json!(calls), json!(text))
    })
    .await;
    assert_eq!(clean, json!([]));
    let calls = faulty.as_array().expect("calls");
    assert_eq!(calls[0][0], 503);
    assert!(calls[0][1].as_str().unwrap_or_default().contains("workspace agent unreachable"));
    assert_eq!(calls[1], json!([502, "Bad Gateway"]));
}

#[tokio::test]
async fn slow_provisioning_passes_through_failed_before_online() {
    // The transient `failed` lasts half of 5 x 60 ms: seven or so looks at 20 ms.
    let delays = quick();
    let (clean, faulty) = contrast(Fault::SlowProvisioning, delays, |kit| async move {
        let (id, _) = kit.platform_ws("E2E Parent").await;
        let statuses = kit.statuses_until_online(&id).await;
        let named = json!({"saw_failed": statuses.iter().any(|s| s == "failed"), "last": statuses.last()});
        seen(named, json!(kit.pong(&id).await.reply_text()))
    })
    .await;
    assert_eq!(clean, json!({"saw_failed": false, "last": "online"}));
    assert_eq!(faulty, json!({"saw_failed": true, "last": "online"}));
}

#[tokio::test]
async fn waking_without_retry_after_drops_the_retry_hints_but_still_wakes() {
    let (clean, faulty) = contrast(Fault::WakingWithoutRetryAfter, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        kit.admin(Method::POST, &format!("/workspaces/{id}/hibernate?force=true"), None).await.expect(200);
        let r = kit.pong(&id).await;
        let hints = json!([r.headers.get("retry-after").and_then(|v| v.to_str().ok()), r.json.get("retry_after")]);
        kit.wait_online(&id).await;
        seen(hints, json!([r.status, r.json["waking"], kit.pong(&id).await.reply_text()]))
    })
    .await;
    assert_eq!((clean, faulty), (json!(["15", 15]), json!([null, null])));
}

#[tokio::test]
async fn config_rewrite_wedges_leaves_the_workspace_provisioning() {
    let (clean, faulty) = contrast(Fault::ConfigRewriteWedges, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let put = kit.admin(Method::PUT, &format!("/workspaces/{id}/files/config.yaml"), Some(json!({"content": "x: 1\n"}))).await;
        // The clean stand-in restarts and comes back; the faulty one must still be
        // provisioning well after a restart would have finished.
        let status = kit.status_within(&id, "online", Duration::from_millis(400)).await;
        seen(json!(status), json!(put.status))
    })
    .await;
    assert_eq!((clean, faulty), (json!("online"), json!("provisioning")));
}

#[tokio::test]
async fn platform_models_misroute_breaks_only_platform_managed_workspaces() {
    let (clean, faulty) = contrast(Fault::PlatformModelsMisroute, fast(), |kit| async move {
        // A platform-managed model (the kit's platform_ws) and a BYOK one on the same runtime.
        let platform = online_platform_ws(&kit).await;
        let (byok, _) = kit.create(json!({"name": "byok", "tier": 2, "runtime": "claude-code", "model": "MiniMax-M2.7"})).await;
        kit.wait_online(&byok).await;
        seen(json!(kit.pong(&platform).await.reply_text()), json!(kit.pong(&byok).await.reply_text()))
    })
    .await;
    assert_eq!(clean, json!("PONG"));
    assert_ne!(faulty, json!("PONG"));
}

/// The harness's known-answer envelope (contract §6.1), as the tenant admin.
async fn known_answer(kit: &Kit, id: &str) -> String {
    let body = json!({"jsonrpc": "2.0", "method": "message/send", "id": "e2e-known-answer-1", "params": {"message": {"role": "user", "messageId": "e2e-0000cafe", "parts": [{"kind": "text", "text": "Reply with exactly the word PINEAPPLE and nothing else."}]}}});
    let r = kit.admin(Method::POST, &format!("/workspaces/{id}/a2a"), Some(body)).await;
    r.expect(200);
    r.reply_text()
}

#[tokio::test]
async fn known_answer_wrong_rewrites_only_the_known_answer() {
    let (clean, faulty) = contrast(Fault::KnownAnswerWrong, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let named = known_answer(&kit, &id).await;
        seen(json!(named), json!(kit.pong(&id).await.reply_text()))
    })
    .await;
    assert_eq!(clean, json!("PINEAPPLE"));
    let faulty = faulty.as_str().unwrap_or_default();
    assert!(!faulty.contains("PINEAPPLE") && !faulty.is_empty(), "a wrong but well-formed answer: {faulty:?}");
}

#[tokio::test]
async fn hibernate_ignored_answers_hibernated_but_stays_online() {
    let (clean, faulty) = contrast(Fault::HibernateIgnored, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let r = kit.admin(Method::POST, &format!("/workspaces/{id}/hibernate?force=true"), None).await;
        seen(json!(kit.status(&id).await), json!([r.status, r.json]))
    })
    .await;
    assert_eq!((clean, faulty), (json!("hibernated"), json!("online")));
}

#[tokio::test]
async fn external_created_online_answers_without_awaiting_agent_or_a_token() {
    let (clean, faulty) = contrast(Fault::ExternalCreatedOnline, no_runtime_delays(), |kit| async move {
        let r = kit.admin(Method::POST, "/workspaces", Some(json!({"name": "ext-e2e", "runtime": "external", "external": true}))).await;
        let token = r.json.pointer("/connection/auth_token").is_some_and(Value::is_string);
        let platform = kit.admin(Method::POST, "/workspaces", Some(json!({"name": "p", "runtime": "hermes", "model": "openai/gpt-4o"}))).await;
        seen(json!({"status": r.json["status"], "token": token}), json!([r.status, platform.status, platform.json["status"]]))
    })
    .await;
    assert_eq!(clean, json!({"status": "awaiting_agent", "token": true}));
    assert_eq!(faulty, json!({"status": "online", "token": false}));
}

/// A message from `from` to `to` (poll mode), as `from` with its own token.
async fn message(kit: &Kit, from: (&str, &str), to: &str, text: &str) -> u16 {
    let body = json!({"jsonrpc": "2.0", "method": "message/send", "id": "e2e-byo-rt", "params": {"message": {"role": "user", "messageId": format!("e2e-{text}"), "parts": [{"kind": "text", "text": text}]}}});
    let headers = [("X-Workspace-ID", from.0)];
    let org = kit.org_id.clone();
    let raw = kit.raw(Method::POST, &format!("/workspaces/{to}/a2a"), As::Token(from.1.to_owned()), Some(&org), &headers, Some(body.to_string().into_bytes())).await;
    raw.status
}

#[tokio::test]
async fn poll_reply_dropped_accepts_the_reply_but_the_sender_never_sees_it() {
    let (clean, faulty) = contrast(Fault::PollReplyDropped, no_runtime_delays(), |kit| async move {
        let (sender, sender_token) = kit.external_ws("ext-sender-e2e", "external").await;
        let agent = kit.create(json!({"name": "ext-agent-e2e", "runtime": "external", "external": true, "parent_id": sender})).await;
        kit.register_poll(&sender, &sender_token).await.expect(200);
        kit.register_poll(&agent.0, &agent.1).await.expect(200);
        let sent = message(&kit, (&sender, &sender_token), &agent.0, "ping").await;
        let replied = message(&kit, (&agent.0, &agent.1), &sender, "pong").await;
        let inbox = kit.activity(&sender, "?type=a2a_receive").await.len();
        seen(json!(inbox), json!([sent, replied, kit.activity(&agent.0, "?type=a2a_receive").await.len()]))
    })
    .await;
    assert_eq!((clean, faulty), (json!(1), json!(0)));
}

#[tokio::test]
async fn org_never_runs_fails_the_org_with_a_last_error() {
    let delays = Delays { org_ready: Duration::ZERO, ..no_runtime_delays() };
    let clean_kit = Kit::start(StandInConfig::new().with_delays(delays.clone())).await;
    let faulty = molecule_e2e::standin::StandIn::start(StandInConfig::new().with_delays(delays).with_fault(Fault::OrgNeverRuns), ([127, 0, 0, 1], 0).into())
        .await
        .expect("stand-in starts");
    let http = crate::standin_contract::kit::loopback_client();
    let created = http
        .post(format!("{}/cp/admin/orgs", faulty.url()))
        .bearer_auth(faulty.admin_token())
        .json(&json!({"slug": "e2e-never", "name": "E2E never", "owner_user_id": "e2e-runner:test"}))
        .send()
        .await
        .expect("create org");
    assert_eq!(created.status().as_u16(), 201);
    let org = |v: Value| v["orgs"][0].clone();
    let list = |url: String, token: String| {
        let http = http.clone();
        async move { http.get(format!("{url}/cp/admin/orgs")).bearer_auth(token).send().await.expect("list").json::<Value>().await.expect("json") }
    };
    let clean = org(list(clean_kit.standin.url(), clean_kit.standin.admin_token().to_owned()).await);
    let broken = org(list(faulty.url(), faulty.admin_token().to_owned()).await);
    assert_eq!((clean["instance_status"].clone(), clean["last_error"].clone()), (json!("running"), Value::Null));
    assert_eq!(broken["instance_status"], "failed");
    assert!(broken["last_error"].as_str().is_some_and(|e| !e.is_empty()), "{broken}");
    assert_eq!(clean_kit.standin.fault_hits(Fault::OrgNeverRuns), 0);
    assert!(faulty.fault_hits(Fault::OrgNeverRuns) > 0);
}

#[tokio::test]
async fn unregistered_model_accepted_lets_codex_on_its_default_slug_through() {
    let (clean, faulty) = contrast(Fault::UnregisteredModelAccepted, no_runtime_delays(), |kit| async move {
        let codex = kit.admin(Method::POST, "/workspaces", Some(json!({"name": "c", "runtime": "codex", "model": "openai/gpt-4o"}))).await;
        let registered = kit.admin(Method::POST, "/workspaces", Some(json!({"name": "c2", "runtime": "codex", "model": "gpt-5.4"}))).await;
        seen(json!({"status": codex.status, "code": codex.json.get("code")}), json!(registered.status))
    })
    .await;
    assert_eq!(clean, json!({"status": 422, "code": "UNREGISTERED_MODEL_FOR_RUNTIME"}));
    assert_eq!(faulty, json!({"status": 201, "code": null}));
}

#[test]
fn every_fault_has_a_test_in_this_file() {
    let src = include_str!("standin_faults.rs");
    for f in Fault::ALL {
        let variant = format!("Fault::{f:?}");
        assert!(src.matches(&variant).count() >= 1, "no fault test uses {variant}");
    }
}

#[tokio::test]
async fn requests_for_workspace_counts_only_the_requests_that_concern_that_workspace() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    let (one, token) = kit.external_ws("E2E One", "external").await;
    let (two, _) = kit.external_ws("E2E Two", "external").await;
    let before = (kit.standin.requests_for_workspace(&one), kit.standin.requests_for_workspace(&two));
    kit.row(&one).await;
    kit.row(&one).await;
    kit.register_poll(&one, &token).await.expect(200);
    let after = (kit.standin.requests_for_workspace(&one), kit.standin.requests_for_workspace(&two));
    assert_eq!((after.0 - before.0, after.1 - before.1), (3, 0), "two GETs and one register concern only the first workspace");
    assert_eq!(kit.standin.requests_for_workspace("not-a-uuid"), 0);
}
