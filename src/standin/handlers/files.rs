//! Files: chat uploads and downloads (handlers/chat_files.go) and workspace files
//! (templates.go `WriteFile`). WorkspaceAuth.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use uuid::Uuid;

use super::lifecycle::restart_now;
use crate::standin::Fault;
use crate::standin::auth::{LiveWorkspace, WorkspaceAuth};
use crate::standin::platform::{Platform, Status, StoredFile};
use crate::standin::reply::{error, json_object, json_reply, str_field, workspace_not_found};

fn guess_mime(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "txt" | "md" => "text/plain",
        "json" => "application/json",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn sanitise(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    let s = s.trim_start_matches('.').to_owned();
    if s.is_empty() { "upload.bin".to_owned() } else { s }
}

/// `POST /workspaces/{id}/chat/uploads` (multipart, field `files`) →
/// `{"files":[{"uri":"workspace:/…","name","mimeType","size"}]}`.
pub async fn upload(
    State(platform): State<Arc<Platform>>,
    auth: LiveWorkspace,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let (tenant, id) = (auth.tenant, auth.id);
    let Ok(mut multipart) = multipart else { return error(StatusCode::BAD_REQUEST, "expected a multipart/form-data body") };
    let mut stored = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return error(StatusCode::BAD_REQUEST, "malformed multipart body"),
        };
        if !matches!(field.name(), Some("files" | "files[]")) {
            continue;
        }
        let name = sanitise(field.file_name().unwrap_or("upload.bin"));
        let mime = field
            .content_type()
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| guess_mime(&name).to_owned());
        let bytes = match field.bytes().await {
            Ok(b) => b.to_vec(),
            Err(_) => return error(StatusCode::BAD_REQUEST, "malformed multipart body"),
        };
        stored.push((name, mime, bytes));
    }
    if stored.is_empty() {
        return error(StatusCode::BAD_REQUEST, "no files uploaded (multipart field 'files')");
    }
    if platform.faults.fires(Fault::UploadDropsMime) {
        stored.iter_mut().for_each(|f| f.1 = "application/octet-stream".to_owned());
    }
    let mut tables = platform.lock();
    let Some(ws) = tables.workspace_mut(tenant.org_id, id) else { return workspace_not_found() };
    let mut out = Vec::new();
    for (name, mime, bytes) in stored {
        let path = format!("/workspace/.molecule/chat-uploads/{}-{name}", &Uuid::new_v4().simple().to_string()[..8]);
        out.push(json!({"uri": format!("workspace:{path}"), "name": name, "mimeType": mime, "size": bytes.len()}));
        ws.files.insert(path, StoredFile { name, mime, bytes });
    }
    json_reply(StatusCode::OK, json!({"files": out}))
}

/// `GET /workspaces/{id}/chat/download?path=<uri without "workspace:">` → the raw bytes.
pub async fn download(
    State(platform): State<Arc<Platform>>,
    auth: WorkspaceAuth,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (tenant, id) = (auth.tenant, auth.id);
    let Some(path) = q.get("path").filter(|p| !p.is_empty()) else { return error(StatusCode::BAD_REQUEST, "path is required") };
    let path = path.strip_prefix("workspace:").unwrap_or(path);
    let tables = platform.lock();
    let Some(ws) = tables.workspace(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return workspace_not_found() };
    let Some(f) = ws.files.get(path) else { return error(StatusCode::NOT_FOUND, "file not found") };
    let mut bytes = f.bytes.clone();
    if platform.faults.fires(Fault::DownloadBytesDiffer) {
        match bytes.last_mut() {
            Some(b) => *b ^= 0xff,
            None => bytes.push(0),
        }
    }
    let disposition = format!("attachment; filename=\"{}\"", f.name);
    (StatusCode::OK, [(header::CONTENT_TYPE, f.mime.clone()), (header::CONTENT_DISPOSITION, disposition)], Body::from(bytes))
        .into_response()
}


/// `PUT /workspaces/{id}/files/{path}` `{"content"}` → 200; `config.yaml` restarts the
/// workspace asynchronously (it drops to `provisioning`, then comes back online).
pub async fn put_file(
    State(platform): State<Arc<Platform>>,
    auth: WorkspaceAuth,
    Path((_, path)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let (tenant, id) = (auth.tenant, auth.id);
    let Some(content) = json_object(&body).and_then(|m| str_field(&m, "content").map(str::to_owned)) else {
        return error(StatusCode::BAD_REQUEST, "content is required");
    };
    let mut tables = platform.lock();
    let Some(ws) = tables.workspace_mut(tenant.org_id, id).filter(|w| w.status != Status::Removed) else { return workspace_not_found() };
    ws.config_files.insert(path.clone(), content);
    let delay = platform.cfg.delays.provision_for(&ws.runtime);
    if path == "config.yaml" && platform.faults.fires(Fault::ConfigRewriteWedges) {
        // Down to provisioning, and no provision task: it never comes back.
        ws.stop();
        ws.status = Status::Provisioning;
    } else if path == "config.yaml" {
        restart_now(&platform, &mut tables, id, delay);
    }
    json_reply(StatusCode::OK, json!({"status": "saved", "path": path}))
}
