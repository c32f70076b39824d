//! Full mode: memories, KV, peers, files, diagnose, config, shared-context.

use super::*;

row!(memories_round_trip, |fx| {
    let (id, _) = fx.external("ext-a", "external").await;
    let mid = fx.tenant.add_memory(&id, "E2E seed memory", "LOCAL").await.expect("add memory");
    assert!(!mid.is_empty());
    let listed = fx.tenant.memories(&id, "LOCAL").await.expect("memories");
    assert!(listed.iter().any(|c| c == "E2E seed memory"), "{listed:?}");
    expect_api(fx.tenant.add_memory(&id, "x", "UNIVERSE").await, 400, None);
});

row!(memory_kv, |fx| {
    let (id, _) = fx.external("ext-a", "external").await;
    let t = &fx.tenant;
    assert_eq!(t.memory_set(&id, "e2e-kv", &json!({"step": 1}), None).await.expect("seed"), 1);
    let got = t.memory_get(&id, "e2e-kv").await.expect("get");
    assert_eq!((&got["key"], &got["value"], &got["version"]), (&json!("e2e-kv"), &json!({"step": 1}), &json!(1)));
    assert_eq!(t.memory_set(&id, "e2e-kv", &json!({"step": 2}), Some(1)).await.expect("update"), 2);
    let e = expect_api(t.memory_set(&id, "e2e-kv", &json!({"step": 3}), Some(1)).await, 409, None);
    assert_eq!(e.error(), "if_match_version mismatch");
    e.body_has(r#""expected_version":1"#).body_has(r#""current_version":2"#);
    t.memory_delete(&id, "e2e-kv").await.expect("delete");
    let e = expect_api(t.memory_get(&id, "e2e-kv").await, 404, None);
    assert_eq!(e.error(), "key not found");
});

row!(peers_own_token, |fx| {
    let (parent, parent_token) = fx.external("ext-parent", "external").await;
    let child_req = CreateWorkspace::external("ext-child", "external").with_parent(&parent);
    let c = fx.tenant.create_workspace(&child_req).await.expect("child");
    let child_token = c.token().expect("token").clone();
    let ids = |rows: Vec<Value>| rows.iter().filter_map(|r| r["id"].as_str().map(str::to_owned)).collect::<Vec<_>>();
    let of_child = ids(fx.tenant.as_workspace(&child_token).peers(&c.id).await.expect("peers"));
    assert_eq!(of_child, [parent.as_str()], "the parent, never self");
    let of_parent = ids(fx.tenant.as_workspace(&parent_token).peers(&parent).await.expect("peers"));
    assert_eq!(of_parent, [c.id.as_str()], "the child, never self");
});

row!(peers_admin_token, |fx| {
    let (id, _) = fx.external("ext-a", "external").await;
    // The fixture is the reference generation's: the admin token is refused (401); from
    // e6aad44c (generation aeec8e47) it passes (`configuration::peers_take_the_admin_token_…`).
    let e = fx.tenant.peers(&id).await.expect_err("peers refuse the admin token at 41409fb2");
    assert_eq!(e.status(), Some(401), "{e}");
});

row!(upload_download, |fx| {
    let id = fx.online("E2E Parent").await;
    let up = fx.tenant.upload(&id, "pixel.png", "image/png", PIXEL_PNG.to_vec()).await.expect("upload");
    assert_eq!(up.mime_type.as_deref(), Some("image/png"), "the part's Content-Type is stored (chat_files.go safeMimetype)");
    let uri = up.uri;
    assert!(uri.starts_with("workspace:"), "{uri}");
    let bytes = fx.tenant.download(&id, &uri).await.expect("download");
    assert_eq!(bytes, PIXEL_PNG, "byte-identical");
});

// The fixture is the reference generation: EC2, probed, `ok:true`.
row!(diagnose_ok, |fx| {
    let id = fx.online("E2E Parent").await;
    let report = fx.tenant.diagnose(&id).await.expect("diagnose");
    assert_eq!(report["ok"], true, "{report}");
    let steps = report["steps"].as_array().expect("steps");
    assert!(!steps.is_empty() && steps.iter().all(|s| s["ok"] == true), "{report}");
});

row!(put_config_yaml, |fx| {
    let id = fx.online("E2E Parent").await;
    fx.tenant.put_file(&id, "config.yaml", "runtime: claude-code\nmodel: minimax/MiniMax-M2.7\n").await.expect("PUT config.yaml");
    fx.ready(&id).await;
});

row!(shared_context_gone, |fx| {
    let (id, _) = fx.external("ext-a", "external").await;
    let status = fx.tenant.status_of("shared_context", &format!("/workspaces/{id}/shared-context")).await.expect("an answer");
    assert_ne!(status, 200);
    assert_eq!(status, 404, "the route is removed");
});

// §2 teardown

row!(delete_tenant, |fx| {
    fx.external("ext-a", "external").await;
    // The reference generation: 200 with no receipt, then the org leaves the list.
    let deleted = fx.cp.delete_tenant(SLUG).await.expect("delete tenant");
    assert!(matches!(&deleted, TenantDelete::Deleted(Some(v)) if Receipt::decode(v, SLUG, "").is_err()), "{deleted:?}");
    let cp = &fx.cp;
    wait(format!("org {SLUG} to leave the list"))
        .until(move || async move {
            Ok(match cp.org(SLUG).await? {
                None => Probe::Ready(()),
                Some(o) => Probe::Pending(format!("still listed: {o:?}")),
            })
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(fx.cp.list_orgs().await.expect("list").iter().all(|o| o.slug != SLUG));
    assert!(matches!(fx.cp.delete_tenant(SLUG).await.expect("idempotent"), TenantDelete::Deleted(_)));
    expect_api(fx.tenant.list_workspaces().await, 404, None);
});
