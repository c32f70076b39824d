//! Chat files of a tenant workspace (`chat/uploads`, `chat/download`): a child module of the
//! tenant client, so it uses its transport.

use reqwest::Method;
use serde_json::Value;

use super::Tenant;
use crate::client::http::Accept;
use crate::client::{query, seg};
use crate::error::{Call, E2eError, Result};

impl Tenant {
    /// `POST /workspaces/:id/chat/uploads` (multipart field `files`) → the file's `uri` and the
    /// `mimeType` the platform stored (the harness's 7a requires it, FS:1470-1541 at aeec8e47).
    pub async fn upload(&self, id: &str, name: &str, mime: &str, bytes: Vec<u8>) -> Result<Uploaded> {
        let path = format!("/workspaces/{}/chat/uploads", seg(id));
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str(mime)
            .map_err(|e| E2eError::Unmet(format!("mime type {mime:?}: {e}")))?;
        let form = reqwest::multipart::Form::new().part("files", part);
        let rb = self.http.request(Method::POST, &path).multipart(form);
        let a = self.http.send(Call::new("upload", "POST", &path), rb, Accept::Success).await?;
        let v = a.json()?;
        find_file(&v).ok_or_else(|| a.malformed("an upload answer with a nested \"uri\"", "no \"uri\" found"))
    }

    /// `GET /workspaces/:id/chat/download?path=…` (the uri without `workspace:`) → raw bytes.
    pub async fn download(&self, id: &str, uri: &str) -> Result<Vec<u8>> {
        let p = uri.strip_prefix("workspace:").unwrap_or(uri);
        let path = query(&format!("/workspaces/{}/chat/download", seg(id)), &[("path", p.to_owned())]);
        Ok(self.http.json("download", Method::GET, &path, None).await?.body)
    }
}

/// What an upload answered for the file: its `uri` and the `mimeType` stored with it
/// (`mime` in older answers; `None` when the answer has neither).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    pub uri: String,
    pub mime_type: Option<String>,
}

fn find_file(v: &Value) -> Option<Uploaded> {
    match v {
        Value::Object(m) => {
            if let Some(u) = m.get("uri").and_then(Value::as_str) {
                let mime = m.get("mimeType").or_else(|| m.get("mime")).and_then(Value::as_str).map(str::to_owned);
                return Some(Uploaded { uri: u.to_owned(), mime_type: mime });
            }
            m.values().find_map(find_file)
        }
        Value::Array(items) => items.iter().find_map(find_file),
        _ => None,
    }
}
