//! Memory, files, diagnose

use super::*;

#[tokio::test]
async fn memory_kv_versions_guard_writes_and_memories_are_listed_by_scope() {
    let kit = Kit::start(StandInConfig::reference().with_delays(no_runtime_delays())).await;
    let (id, _) = kit.external_ws("mem", "external").await;
    let path = format!("/workspaces/{id}/memory");
    let set = |body: Value| kit.admin(Method::POST, &path, Some(body));
    assert_eq!(set(json!({"key": "k", "value": {"step": 1}})).await.json["version"], 1);
    assert_eq!(set(json!({"key": "k", "value": {"step": 2}, "if_match_version": 1})).await.json["version"], 2);
    let stale = set(json!({"key": "k", "value": {"step": 3}, "if_match_version": 1})).await;
    stale.expect(409);
    assert_eq!(stale.json, json!({"error": "if_match_version mismatch", "expected_version": 1, "current_version": 2}));
    let got = kit.admin(Method::GET, &format!("/workspaces/{id}/memory/k"), None).await;
    assert!(is_subset(&json!({"key": "k", "value": {"step": 2}, "version": 2}), &got.json), "{}", got.text());
    kit.admin(Method::DELETE, &format!("/workspaces/{id}/memory/k"), None).await.expect(200);
    kit.admin(Method::GET, &format!("/workspaces/{id}/memory/k"), None).await.expect(404);

    kit.admin(Method::POST, &format!("/workspaces/{id}/memories"), Some(json!({"content": "seed-local", "scope": "LOCAL"}))).await.expect(201);
    kit.admin(Method::POST, &format!("/workspaces/{id}/memories"), Some(json!({"content": "seed-global", "scope": "GLOBAL"}))).await.expect(201);
    let local = kit.admin(Method::GET, &format!("/workspaces/{id}/memories?scope=LOCAL"), None).await;
    let contents: Vec<&str> = local.json.as_array().expect("array").iter().filter_map(|m| m["content"].as_str()).collect();
    assert_eq!(contents, ["seed-local"]);
    for k in ["id", "content", "scope", "created_at"] {
        assert!(local.json[0].get(k).is_some(), "memory lacks {k}");
    }
}

#[tokio::test]
async fn an_uploaded_file_downloads_byte_for_byte() {
    let kit = Kit::start(StandInConfig::reference().with_delays(no_runtime_delays())).await;
    let (id, _) = kit.external_ws("files", "external").await;
    let (uri, bytes) = upload_png(&kit, &id).await;
    assert!(uri.starts_with("workspace:"), "{uri}");
    let (status, got) = download(&kit, &id, &uri).await;
    assert_eq!(status, 200);
    assert_eq!(got, bytes);
}

/// Upload a 1×1 PNG as the harness does; returns its uri and the bytes sent.
/// `GET /workspaces/{id}/chat/download?path=…` for an upload's `workspace:` uri → (status, bytes).
pub async fn download(kit: &Kit, id: &str, uri: &str) -> (u16, Vec<u8>) {
    let path = uri.strip_prefix("workspace:").unwrap_or(uri);
    let got = kit
        .http
        .get(format!("{}/workspaces/{id}/chat/download", kit.standin.url()))
        .query(&[("path", path)])
        .bearer_auth(&kit.token)
        .header("X-Molecule-Org-Id", &kit.org_id)
        .send()
        .await
        .expect("download");
    let status = got.status().as_u16();
    (status, got.bytes().await.expect("bytes").to_vec())
}

pub async fn upload_png(kit: &Kit, id: &str) -> (String, Vec<u8>) {
    let bytes: Vec<u8> = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89];
    let part = reqwest::multipart::Part::bytes(bytes.clone()).file_name("pixel.png").mime_str("image/png").expect("mime");
    let form = reqwest::multipart::Form::new().part("files", part);
    let r = kit.http
        .post(format!("{}/workspaces/{id}/chat/uploads", kit.standin.url()))
        .bearer_auth(&kit.token)
        .header("X-Molecule-Org-Id", &kit.org_id)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.expect("json");
    let f = &body["files"][0];
    assert_eq!(f["mimeType"], "image/png");
    assert_eq!(f["name"], "pixel.png");
    assert_eq!(f["size"], bytes.len());
    (f["uri"].as_str().unwrap_or_default().to_owned(), bytes)
}

#[tokio::test]
async fn diagnose_of_an_online_workspace_is_ok_on_ec2() {
    let kit = Kit::start(StandInConfig::new().with_delays(Delays::fast()).with_platform(&G41409FB2)).await;
    let (id, _) = kit.platform_ws("E2E Parent").await;
    kit.wait_online(&id).await;
    let r = kit.admin(Method::GET, &format!("/workspaces/{id}/terminal/diagnose"), None).await;
    r.expect(200);
    assert_eq!(r.json["ok"], true);
    assert_eq!(r.json["first_failure"], Value::Null);
    assert!(r.json["steps"].as_array().is_some_and(|s| s.iter().all(|s| s["ok"] == true)));
}

#[tokio::test]
async fn notify_is_recorded_as_an_a2a_send_row_with_method_notify() {
    let kit = Kit::start(StandInConfig::reference().with_delays(no_runtime_delays())).await;
    let (id, token) = kit.external_ws("agent", "external").await;
    kit.tenant(Method::POST, &format!("/workspaces/{id}/notify"), As::Token(token), Some(json!({"message": "done!"}))).await.expect(200);
    let rows = kit.activity(&id, "?type=a2a_send").await;
    assert_eq!(rows[0]["method"], "notify");
    assert_eq!(rows[0]["summary"], "done!");
    assert_eq!(rows[0]["source_id"], json!(id));
}
