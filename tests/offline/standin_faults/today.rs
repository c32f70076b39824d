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

/// The org's platform root's id, where the list shows one (`kind` = `platform`).
async fn platform_root(kit: &Kit) -> Option<String> {
    let rows = kit.admin(Method::GET, "/workspaces", None).await.json;
    rows.as_array().into_iter().flatten().find(|w| w["kind"] == "platform").and_then(|w| w["id"].as_str().map(str::to_owned))
}

#[tokio::test]
async fn platform_root_missing_leaves_the_org_without_its_root_and_the_first_create_as_parent() {
    let (clean, faulty) = contrast_at(&GAEEC8E47, Fault::PlatformRootMissing, no_runtime_delays(), |kit| async move {
        let root = platform_root(&kit).await;
        let (first, _) = kit.platform_ws("first").await;
        let (second, _) = kit.platform_ws("second").await;
        // With no platform root, the sole plain root parents every later parentless create.
        let under_first = kit.row(&second).await["parent_id"] == json!(first);
        seen(json!([root.is_some(), under_first]), json!(kit.row(&first).await["kind"]))
    })
    .await;
    assert_eq!((clean, faulty), (json!([true, false]), json!([false, true])));
}

#[tokio::test]
async fn platform_root_offline_lists_the_root_but_never_brings_it_online() {
    let (clean, faulty) = contrast_at(&GAEEC8E47, Fault::PlatformRootOffline, fast(), |kit| async move {
        let root = platform_root(&kit).await.unwrap_or_default();
        let status = kit.status_within(&root, "online", Duration::from_millis(600)).await;
        seen(json!(status), json!(kit.row(&root).await["kind"]))
    })
    .await;
    assert_eq!((clean, faulty), (json!("online"), json!("offline")));
}

#[tokio::test]
async fn parentless_not_under_root_keeps_a_parentless_create_at_the_top() {
    let (clean, faulty) = contrast_at(&GAEEC8E47, Fault::ParentlessNotUnderRoot, no_runtime_delays(), |kit| async move {
        let root = platform_root(&kit).await;
        let (id, _) = kit.platform_ws("p").await;
        seen(json!(kit.row(&id).await["parent_id"] == json!(root)), json!(root.is_some()))
    })
    .await;
    assert_eq!((clean, faulty), (json!(true), json!(false)));
}

/// June (41409fb2): no platform root, no `kind`, and a parentless create stays a root.
#[tokio::test]
async fn the_june_platform_installs_no_root_and_keeps_parentless_creates_at_the_top() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays()).with_platform(&molecule_e2e::generation::G41409FB2)).await;
    let (first, _) = kit.platform_ws("first").await;
    let (second, _) = kit.platform_ws("second").await;
    let rows = kit.admin(Method::GET, "/workspaces", None).await.json;
    assert_eq!(rows.as_array().map(Vec::len), Some(2), "{rows}");
    assert!(rows.as_array().into_iter().flatten().all(|w| w.get("kind").is_none() && w["parent_id"].is_null()), "{rows}");
    assert_ne!(first, second);
}
