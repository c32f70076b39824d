//! Faults in create and in what a workspace answers: allowlists, replies, activity, billing, retries.

use super::*;
use molecule_e2e::generation::G41409FB2;

#[tokio::test]
async fn allowlist_lacks_google_adk_refuses_google_adk_only() {
    let (clean, faulty) = contrast_at(&G41409FB2, Fault::AllowlistLacksGoogleAdk, no_runtime_delays(), |kit| async move {
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
async fn reply_login_prompt_keeps_the_token_and_adds_the_login_prompt() {
    let (clean, faulty) = contrast(Fault::ReplyLoginPrompt, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let r = kit.pong(&id).await;
        seen(json!(r.reply_text()), json!(r.status))
    })
    .await;
    assert_eq!((clean, faulty), (json!("PONG"), json!("PONG\nNot logged in · Please run /login")));
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
    let (clean, faulty) = contrast_at(&G41409FB2, Fault::ByokIgnored, no_runtime_delays(), |kit| async move {
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
async fn create_html_500_breaks_create_with_an_html_page() {
    let (clean, faulty) = contrast_at(&G41409FB2, Fault::CreateHtml500, no_runtime_delays(), |kit| async move {
        let r = kit.admin(Method::POST, "/workspaces", Some(json!({"name": "x", "runtime": "hermes", "model": "openai/gpt-4o"}))).await;
        let ct = r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let list = kit.admin(Method::GET, "/workspaces", None).await.status;
        seen(json!([r.status, ct.starts_with("text/html")]), json!(list))
    })
    .await;
    assert_eq!((clean, faulty), (json!([201, false]), json!([500, true])));
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
async fn platform_models_misroute_breaks_only_platform_managed_workspaces() {
    let (clean, faulty) = contrast(Fault::PlatformModelsMisroute, fast(), |kit| async move {
        // A platform-managed model (the kit's platform_ws) and a BYOK one on the same runtime.
        let platform = online_platform_ws(&kit).await;
        let (byok, _) = kit.create(json!({"name": "byok", "tier": 2, "runtime": "claude-code", "model": "MiniMax-M2.7", "secrets": {"MINIMAX_API_KEY": "k"}})).await;
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
