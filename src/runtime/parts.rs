//! Reading the parts of an incoming A2A message: text, inline files (`file.bytes`, base64)
//! and files by reference (`file.uri`). Pure: no I/O, never panics on bad input.

use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

/// A file the user sent, inline or by reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilePart {
    /// `file.name`; `unnamed file` when absent, so an answer can always name it.
    pub name: String,
    /// `file.mimeType` (A2A 0.3) or `file.mime_type`; `application/octet-stream` when absent.
    pub mime_type: String,
    /// The decoded inline bytes, when the part carried `file.bytes`.
    #[serde(skip)]
    pub bytes: Option<Vec<u8>>,
    /// The byte count of the inline content (kept in the session store instead of the bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<usize>,
    /// `file.uri`, when the file came by reference (`workspace:/…`, `platform-pending:…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

impl FilePart {
    /// The file's content as text, if it is inline and reads as UTF-8 text.
    pub fn text(&self) -> Option<&str> {
        let bytes = self.bytes.as_deref()?;
        let textual = self.mime_type.starts_with("text/")
            || self.mime_type.contains("json")
            || self.mime_type.contains("xml")
            || self.mime_type.contains("yaml")
            || self.mime_type == "application/octet-stream";
        if !textual {
            return None;
        }
        std::str::from_utf8(bytes).ok()
    }

    /// `canary-ab12cd34.txt (text/plain, 46 bytes)` or `report.pdf (application/pdf, at workspace:/r.pdf)`.
    pub fn describe(&self) -> String {
        match (self.size, &self.uri) {
            (Some(n), _) => format!("{} ({}, {n} byte{})", self.name, self.mime_type, if n == 1 { "" } else { "s" }),
            (None, Some(uri)) => format!("{} ({}, at {uri})", self.name, self.mime_type),
            (None, None) => format!("{} ({}, no content)", self.name, self.mime_type),
        }
    }
}

/// The user's side of one turn: its text parts joined by newlines, and its files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserMessage {
    pub text: String,
    pub files: Vec<FilePart>,
}

/// Read `params.message.parts`. A part is recognised by `kind` (A2A 0.3) or `type` (the
/// v0.2 spelling the platform proxy renames); unknown kinds (e.g. `data`) are ignored rather
/// than rejected, so a richer client still gets an answer. Bad base64 is an error, because
/// silently treating a corrupt file as empty would hide exactly the bug the canaries look for.
pub fn read_parts(parts: &[Value]) -> Result<UserMessage, String> {
    let mut text = Vec::new();
    let mut files = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let kind = part.get("kind").or_else(|| part.get("type")).and_then(Value::as_str);
        match kind {
            Some("text") => {
                if let Some(t) = part.get("text").and_then(Value::as_str) {
                    text.push(t);
                }
            }
            Some("file") => files.push(read_file(i, part.get("file").unwrap_or(&Value::Null))?),
            _ => {}
        }
    }
    Ok(UserMessage { text: text.join("\n"), files })
}

fn read_file(i: usize, file: &Value) -> Result<FilePart, String> {
    if !file.is_object() {
        return Err(format!("parts[{i}].file must be an object with bytes or uri"));
    }
    let str_field = |k: &str| file.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let name = str_field("name").unwrap_or("unnamed file").to_owned();
    let mime_type =
        str_field("mimeType").or_else(|| str_field("mime_type")).unwrap_or("application/octet-stream").to_owned();
    let uri = str_field("uri").map(str::to_owned);
    let bytes = match file.get("bytes").and_then(Value::as_str) {
        Some(b64) => Some(decode_base64(b64).map_err(|e| format!("parts[{i}].file.bytes is not base64: {e}"))?),
        None => None,
    };
    if bytes.is_none() && uri.is_none() {
        return Err(format!("parts[{i}].file has neither bytes nor uri"));
    }
    let size = bytes.as_ref().map(Vec::len);
    Ok(FilePart { name, mime_type, bytes, size, uri })
}

/// Standard base64, padded or not; whitespace (line-wrapped encoders) is ignored.
fn decode_base64(s: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let trimmed = compact.trim_end_matches('=');
    base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_text_and_an_inline_file() {
        let parts = [
            json!({"kind": "text", "text": "summarize this"}),
            json!({"kind": "file", "file": {"name": "a.txt", "mimeType": "text/plain", "bytes": "aGVsbG8="}}),
        ];
        let m = read_parts(&parts).unwrap();
        assert_eq!(m.text, "summarize this");
        assert_eq!(m.files[0].text(), Some("hello"));
        assert_eq!(m.files[0].describe(), "a.txt (text/plain, 5 bytes)");
    }

    #[test]
    fn reads_a_file_by_uri_and_the_v02_type_spelling() {
        let parts = [json!({"type": "file", "file": {"name": "r.pdf", "mimeType": "application/pdf", "uri": "workspace:/r.pdf"}})];
        let m = read_parts(&parts).unwrap();
        assert_eq!(m.text, "");
        assert_eq!(m.files[0].describe(), "r.pdf (application/pdf, at workspace:/r.pdf)");
        assert_eq!(m.files[0].text(), None);
    }

    #[test]
    fn rejects_bad_base64_and_empty_files_with_the_part_index() {
        let bad = [json!({"kind": "text", "text": "x"}), json!({"kind": "file", "file": {"bytes": "!!!"}})];
        assert!(read_parts(&bad).unwrap_err().starts_with("parts[1].file.bytes"));
        let empty = [json!({"kind": "file", "file": {"name": "x"}})];
        assert!(read_parts(&empty).unwrap_err().contains("neither bytes nor uri"));
        assert!(read_parts(&[json!({"kind": "file", "file": 3})]).is_err());
    }

    #[test]
    fn ignores_unknown_part_kinds() {
        let m = read_parts(&[json!({"kind": "data", "data": {}}), json!(7)]).unwrap();
        assert_eq!(m, UserMessage::default());
    }
}
