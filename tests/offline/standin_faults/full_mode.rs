//! Faults of the full-mode steps: files, memory, provenance, diagnose, removed routes, peers.

use super::*;

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
async fn upload_drops_mime_stores_octet_stream_for_a_png() {
    let (clean, faulty) = contrast(Fault::UploadDropsMime, no_runtime_delays(), |kit| async move {
        let (id, _) = kit.external_ws("files", "external").await;
        let part = reqwest::multipart::Part::bytes(vec![0x89, b'P', b'N', b'G']).file_name("p.png").mime_str("image/png").expect("mime");
        let r = kit.http
            .post(format!("{}/workspaces/{id}/chat/uploads", kit.standin.url()))
            .bearer_auth(&kit.token)
            .header("X-Molecule-Org-Id", &kit.org_id)
            .multipart(reqwest::multipart::Form::new().part("files", part))
            .send()
            .await
            .expect("upload");
        let body: serde_json::Value = r.json().await.expect("json");
        seen(body["files"][0]["mimeType"].clone(), json!(body["files"][0]["uri"].is_string()))
    })
    .await;
    assert_eq!((clean, faulty), (json!("image/png"), json!("application/octet-stream")));
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
async fn diagnose_fails_reports_another_step_than_docker_available_as_the_first_failure() {
    let (clean, faulty) = contrast(Fault::DiagnoseFails, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let r = kit.admin(Method::GET, &format!("/workspaces/{id}/terminal/diagnose"), None).await;
        seen(json!([r.json["ok"], r.json["first_failure"]]), json!([r.status, r.json["remote"]]))
    })
    .await;
    assert_eq!((clean, faulty), (json!([false, "docker-available"]), json!([false, "container-running"])));
}

#[tokio::test]
async fn diagnose_remote_shape_answers_as_an_ec2_instance_would() {
    let (clean, faulty) = contrast(Fault::DiagnoseRemoteShape, fast(), |kit| async move {
        let id = online_platform_ws(&kit).await;
        let r = kit.admin(Method::GET, &format!("/workspaces/{id}/terminal/diagnose"), None).await;
        seen(json!([r.json["remote"], r.json["first_failure"]]), json!([r.status, r.json["ok"]]))
    })
    .await;
    assert_eq!((clean, faulty), (json!([false, "docker-available"]), json!([true, "send-ssh-public-key"])));
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
