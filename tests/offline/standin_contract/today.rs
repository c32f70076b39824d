//! The stand-in's create and BYOK rules at aeec8e47 (`contract/platform-today.md` §1c rows
//! 11-15, §3), each against the reference generation's answer where they differ.

use super::*;
use reqwest::Method;
use serde_json::json;

async fn today() -> Kit {
    Kit::start(StandInConfig::new().with_platform(&GAEEC8E47).with_delays(no_runtime_delays())).await
}

async fn reference() -> Kit {
    Kit::start(StandInConfig::reference().with_delays(no_runtime_delays())).await
}

async fn create(kit: &Kit, body: serde_json::Value) -> kit::Reply {
    kit.admin(Method::POST, "/workspaces", Some(body)).await
}

/// h/workspace.go:541-549 @aeec8e47: google-adk is off the allowlist (d8692123).
#[tokio::test]
async fn google_adk_is_runtime_unsupported_today_and_created_at_the_reference() {
    let body = json!({"name": "adk", "runtime": "google-adk", "model": "gemini-2.5-pro", "secrets": {"GOOGLE_API_KEY": "k"}});
    let r = create(&today().await, body.clone()).await;
    assert_eq!((r.status, r.json["code"].as_str()), (422, Some("RUNTIME_UNSUPPORTED")), "{}", r.text());
    assert_eq!(create(&reference().await, body).await.status, 201);
}

/// a2783bdd / e45be587: the moonshot platform models are withdrawn.
#[tokio::test]
async fn moonshot_is_unregistered_today() {
    let r = create(&today().await, json!({"name": "m", "runtime": "claude-code", "model": "moonshot/kimi-k2.6"})).await;
    assert_eq!((r.status, r.json["code"].as_str()), (422, Some("UNREGISTERED_MODEL_FOR_RUNTIME")), "{}", r.text());
    let r = create(&today().await, json!({"name": "m", "runtime": "hermes", "model": "minimax/MiniMax-M2.7"})).await;
    assert_eq!(r.status, 201, "hermes' platform arm is minimax today: {}", r.text());
}

/// h/workspace.go:669-690, h/model_registry_validation.go:207-272 @aeec8e47: a BYOK model needs
/// its provider's key in the body; with it, the vendor keys are accepted there (884-910).
#[tokio::test]
async fn a_byok_model_needs_its_key_in_the_create_body_today() {
    let kit = today().await;
    let bare = create(&kit, json!({"name": "h", "runtime": "hermes", "model": "openai/gpt-4o"})).await;
    assert_eq!((bare.status, bare.json["code"].as_str()), (422, Some("MISSING_BYOK_CREDENTIAL")), "{}", bare.text());
    assert!(bare.json["error"].as_str().unwrap_or_default().contains("OPENAI_API_KEY"), "{}", bare.text());
    let keyed = create(&kit, json!({"name": "h", "runtime": "hermes", "model": "openai/gpt-4o", "secrets": {"OPENAI_API_KEY": "k"}})).await;
    assert_eq!(keyed.status, 201, "{}", keyed.text());
    let minimax = create(&kit, json!({"name": "c", "template": "seo-agent", "model": "MiniMax-M2.7", "secrets": {"MINIMAX_API_KEY": "k"}})).await;
    assert_eq!(minimax.status, 201, "{}", minimax.text());
    // At the reference commit the same body is refused: every create is platform_managed.
    let r = create(&reference().await, json!({"name": "h", "runtime": "hermes", "model": "openai/gpt-4o", "secrets": {"OPENAI_API_KEY": "k"}})).await;
    assert_eq!(r.status, 400, "{}", r.text());
}

/// A platform model with a vendor key keeps the full guard (h/workspace.go:896-905), with
/// today's text (h/secrets.go:101-108).
#[tokio::test]
async fn a_vendor_key_on_a_platform_model_is_refused_with_today_s_text() {
    let kit = today().await;
    let r = create(&kit, json!({"name": "p", "runtime": "claude-code", "model": "minimax/MiniMax-M2.7", "secrets": {"MINIMAX_API_KEY": "k"}})).await;
    assert_eq!(r.status, 400, "{}", r.text());
    let text = r.json["error"].as_str().unwrap_or_default();
    assert!(text.ends_with("or select a specific vendor model so the workspace runs BYOK"), "{text}");
    let rows = kit.admin(Method::GET, "/workspaces", None).await.json;
    let made = rows.as_array().map(|a| a.iter().filter(|w| w["kind"] != "platform").count());
    assert_eq!(made, Some(0), "nothing is created (the org's platform root aside)");
}

/// h/secrets.go:63-110 @aeec8e47: the secret-write guard asks the derived provider.
#[tokio::test]
async fn the_secret_guard_follows_the_derived_provider_today() {
    let kit = today().await;
    let (byok, _) = kit.create(json!({"name": "b", "runtime": "claude-code", "model": "MiniMax-M2.7", "secrets": {"MINIMAX_API_KEY": "k"}})).await;
    let (platform, _) = kit.create(json!({"name": "p", "runtime": "claude-code", "model": "minimax/MiniMax-M2.7"})).await;
    let write = |id: String| {
        let kit = &kit;
        async move { kit.admin(Method::POST, &format!("/workspaces/{id}/secrets"), Some(json!({"key": "ANTHROPIC_API_KEY", "value": "v"}))).await }
    };
    assert_eq!(write(byok).await.status, 200);
    let refused = write(platform).await;
    assert_eq!(refused.status, 400, "{}", refused.text());
}

/// 881b3f6f: the billing-mode route is gone (NoRoute → the canvas's HTML 404).
#[tokio::test]
async fn the_billing_mode_route_is_gone_today() {
    let kit = today().await;
    let (id, _) = kit.platform_ws("p").await;
    for method in [Method::GET, Method::PUT] {
        let r = kit.admin(method.clone(), &format!("/admin/workspaces/{id}/llm-billing-mode"), Some(json!({"mode": "byok"}))).await;
        assert_eq!(r.status, 404, "{method}: {}", r.text());
        assert!(r.json.is_null(), "{method}: the canvas answers HTML: {}", r.text());
    }
}

/// h/runtime_registry.go:168-200 @aeec8e47: seo-agent and platform-agent resolve to claude-code.
#[tokio::test]
async fn templates_resolve_to_claude_code_today() {
    let kit = today().await;
    for template in ["seo-agent", "platform-agent"] {
        let (id, _) = kit.create(json!({"name": template, "template": template, "model": "minimax/MiniMax-M2.7"})).await;
        assert_eq!(kit.row(&id).await["runtime"], "claude-code", "{template}");
    }
    let r = create(&kit, json!({"name": "s", "runtime": "seo-agent", "model": "minimax/MiniMax-M2.7"})).await;
    assert_eq!((r.status, r.json["code"].as_str()), (422, Some("RUNTIME_UNSUPPORTED")), "seo-agent is no runtime name: {}", r.text());
}

/// router.go:225, h/offered_models.go @aeec8e47: the registry's models for a runtime, sorted,
/// each with its derived provider; not served at the reference commit.
#[tokio::test]
async fn offered_models_are_served_today_only() {
    let kit = today().await;
    let r = kit.admin(Method::GET, "/admin/llm/offered-models?runtime=hermes", None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let platform: Vec<&str> = r.json["models"]
        .as_array()
        .expect("models")
        .iter()
        .filter(|m| m["platform_billed"] == true)
        .filter_map(|m| m["model"].as_str())
        .collect();
    assert_eq!(platform, ["minimax/MiniMax-M2.7", "minimax/MiniMax-M2.7-highspeed", "minimax/MiniMax-M3"]);
    let byok = r.json["models"].as_array().expect("models").iter().find(|m| m["model"] == "minimax:MiniMax-M2.7").cloned();
    assert_eq!(byok, Some(json!({"model": "minimax:MiniMax-M2.7", "provider": "byok-minimax", "platform_billed": false, "auth_env": ["MINIMAX_API_KEY"]})));
    let unknown = kit.admin(Method::GET, "/admin/llm/offered-models?runtime=google-adk", None).await;
    assert_eq!(unknown.status, 404, "{}", unknown.text());
    let old = reference().await.admin(Method::GET, "/admin/llm/offered-models?runtime=hermes", None).await;
    assert_eq!((old.status, old.json.is_null()), (404, true), "{}", old.text());
}

/// The provision-time backstop (h/model_registry_validation.go:201-203): a BYOK workspace whose
/// key is gone cannot boot; it reports `failed` with the reason.
#[tokio::test]
async fn a_byok_workspace_without_its_key_fails_provisioning_today() {
    let kit = Kit::start(StandInConfig::new().with_platform(&GAEEC8E47).with_fault(Fault::CreateDropsBodyKeys).with_delays(kit::quick())).await;
    let (id, _) = kit.create(json!({"name": "h", "runtime": "hermes", "model": "openai/gpt-4o", "secrets": {"OPENAI_API_KEY": "k"}})).await;
    kit.wait_status(&id, "failed").await;
    let list = kit.admin(Method::GET, "/workspaces", None).await;
    let row = list.json.as_array().and_then(|rows| rows.iter().find(|r| r["id"] == id.as_str())).cloned().unwrap_or_default();
    assert!(row["last_sample_error"].as_str().unwrap_or_default().contains("MISSING_BYOK_CREDENTIAL"), "{row}");
}
