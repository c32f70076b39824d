//! Faults of the aeec8e47 rules: the billing route kept, offered-models out of step with the
//! registry, a create that drops its body keys.

use super::*;
use molecule_e2e::generation::GAEEC8E47;

#[tokio::test]
async fn billing_route_kept_answers_the_removed_route() {
    let (clean, faulty) = contrast_at(&GAEEC8E47, Fault::BillingRouteKept, no_runtime_delays(), |kit| async move {
        let (id, _) = kit.platform_ws("p").await;
        let r = kit.admin(Method::GET, &format!("/admin/workspaces/{id}/llm-billing-mode"), None).await;
        let offered = kit.admin(Method::GET, "/admin/llm/offered-models?runtime=claude-code", None).await.status;
        seen(json!([r.status, r.json.is_object()]), json!(offered))
    })
    .await;
    assert_eq!((clean, faulty), (json!([404, false]), json!([200, true])));
}

#[tokio::test]
async fn offered_models_differ_swaps_a_platform_model_for_a_withdrawn_one() {
    let (clean, faulty) = contrast_at(&GAEEC8E47, Fault::OfferedModelsDiffer, no_runtime_delays(), |kit| async move {
        let r = kit.admin(Method::GET, "/admin/llm/offered-models?runtime=hermes", None).await;
        let platform: Vec<Value> =
            r.json["models"].as_array().into_iter().flatten().filter(|m| m["platform_billed"] == true).map(|m| m["model"].clone()).collect();
        let create = kit.admin(Method::POST, "/workspaces", Some(json!({"name": "h", "runtime": "hermes", "model": "minimax/MiniMax-M3"}))).await;
        seen(json!(platform), json!(create.status))
    })
    .await;
    assert_eq!(clean, json!(["minimax/MiniMax-M2.7", "minimax/MiniMax-M2.7-highspeed", "minimax/MiniMax-M3"]));
    assert_eq!(faulty, json!(["minimax/MiniMax-M2.7", "minimax/MiniMax-M2.7-highspeed", "moonshot/kimi-k2.6"]));
}

#[tokio::test]
async fn create_drops_body_keys_leaves_a_byok_workspace_unable_to_boot() {
    let (clean, faulty) = contrast_at(&GAEEC8E47, Fault::CreateDropsBodyKeys, fast(), |kit| async move {
        let (id, _) = kit.create(json!({"name": "h", "runtime": "hermes", "model": "openai/gpt-4o", "secrets": {"OPENAI_API_KEY": "k"}})).await;
        let (platform, _) = kit.create(json!({"name": "p", "runtime": "claude-code", "model": "minimax/MiniMax-M2.7"})).await;
        // A failed boot stays failed: past the provision delay, either answer is final.
        let status = kit.status_within(&id, "online", Duration::from_millis(600)).await;
        seen(json!(status), json!(kit.status_within(&platform, "online", Duration::from_millis(600)).await))
    })
    .await;
    assert_eq!((clean, faulty), (json!("online"), json!("failed")));
}
