//! Reading the parts of an incoming A2A message in either dialect: 0.3 (`kind`/`type`:
//! text, file with `bytes` or `uri`, data) and 1.0 (exactly one of `text`, `raw`, `url`,
//! `data`). Pure: no I/O, never panics on bad input.

use base64::Engine as _;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::Dialect;

/// A file the user sent, inline or by reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilePart {
    /// `file.name` (0.3) or `filename` (1.0); `unnamed file` when absent, so an answer can
    /// always name it.
    pub name: String,
    /// `file.mimeType` (0.3), `file.mime_type`, or `mediaType` (1.0);
    /// `application/octet-stream` when absent.
    pub mime_type: String,
    /// The decoded inline bytes, when the part carried `file.bytes` or `raw`.
    #[serde(skip)]
    pub bytes: Option<Vec<u8>>,
    /// The byte count of the inline content (kept in the session store instead of the bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<usize>,
    /// `file.uri` or `url`, when the file came by reference (`workspace:/…`, `platform-pending:…`).
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

/// One part as the runtime keeps it (task history), whichever dialect it came in.
#[derive(Debug, Clone, PartialEq)]
pub enum WirePart {
    Text(String),
    File(FilePart),
    Data(Value),
}

impl WirePart {
    /// The part in `dialect`'s shape, for task history and replies.
    pub fn to_json(&self, dialect: Dialect) -> Value {
        let b64 = |b: &Vec<u8>| base64::engine::general_purpose::STANDARD.encode(b);
        match (self, dialect) {
            (WirePart::Text(t), Dialect::V03) => json!({"kind": "text", "text": t}),
            (WirePart::Text(t), Dialect::V10) => json!({"text": t}),
            (WirePart::Data(d), Dialect::V03) if d.is_object() => json!({"kind": "data", "data": d}),
            // 0.3 data must be an object: wrap anything else, as a2a-sdk's compat layer does.
            (WirePart::Data(d), Dialect::V03) => json!({"kind": "data", "data": {"value": d}}),
            (WirePart::Data(d), Dialect::V10) => json!({"data": d}),
            (WirePart::File(f), Dialect::V03) => {
                let mut file = Map::new();
                file.insert("name".into(), json!(f.name));
                file.insert("mimeType".into(), json!(f.mime_type));
                match (&f.bytes, &f.uri) {
                    (Some(b), _) => file.insert("bytes".into(), json!(b64(b))),
                    (None, uri) => file.insert("uri".into(), json!(uri.clone().unwrap_or_default())),
                };
                json!({"kind": "file", "file": file})
            }
            (WirePart::File(f), Dialect::V10) => match (&f.bytes, &f.uri) {
                (Some(b), _) => json!({"raw": b64(b), "filename": f.name, "mediaType": f.mime_type}),
                (None, uri) => json!({"url": uri.clone().unwrap_or_default(), "filename": f.name, "mediaType": f.mime_type}),
            },
        }
    }
}

/// The user's side of one turn: its text parts joined by newlines, and its files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserMessage {
    pub text: String,
    pub files: Vec<FilePart>,
}

/// Read `params.message.parts`. A 0.3 part is recognised by `kind` (or `type`, the v0.2
/// spelling the platform proxy renames), a 1.0 part by its member. Unknown kinds are
/// ignored rather than rejected, so a richer client still gets an answer. Bad base64 is an
/// error, because silently treating a corrupt file as empty would hide exactly the bug the
/// canaries look for.
pub fn read_parts(parts: &[Value]) -> Result<UserMessage, String> {
    Ok(user_message(&wire_parts(parts)?))
}

/// The parts in the runtime's own terms (unknown kinds dropped).
pub fn wire_parts(parts: &[Value]) -> Result<Vec<WirePart>, String> {
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if let Some(p) = wire_part(i, part)? {
            out.push(p);
        }
    }
    Ok(out)
}

/// The text and files of `parts` (data parts carry no prompt).
pub fn user_message(parts: &[WirePart]) -> UserMessage {
    let mut text = Vec::new();
    let mut files = Vec::new();
    for p in parts {
        match p {
            WirePart::Text(t) => text.push(t.as_str()),
            WirePart::File(f) => files.push(f.clone()),
            WirePart::Data(_) => {}
        }
    }
    UserMessage { text: text.join("\n"), files }
}

fn wire_part(i: usize, part: &Value) -> Result<Option<WirePart>, String> {
    let kind = part.get("kind").or_else(|| part.get("type")).and_then(Value::as_str);
    Ok(match kind {
        Some("text") => part.get("text").and_then(Value::as_str).map(|t| WirePart::Text(t.to_owned())),
        Some("file") => Some(WirePart::File(read_file(i, part.get("file").unwrap_or(&Value::Null))?)),
        Some("data") => part.get("data").cloned().map(WirePart::Data),
        Some(_) => None,
        None => read_v10(i, part)?,
    })
}

/// A 1.0 part: exactly one of `text`, `raw`, `url`, `data` (two is an error, as in a2a-sdk).
fn read_v10(i: usize, part: &Value) -> Result<Option<WirePart>, String> {
    let Some(obj) = part.as_object() else { return Ok(None) };
    let members: Vec<&str> = ["text", "raw", "url", "data"].into_iter().filter(|k| obj.contains_key(*k)).collect();
    if members.len() > 1 {
        return Err(format!("parts[{i}] has {} where a part holds exactly one of text, raw, url, data", members.join(" and ")));
    }
    let str_field = |k: &str| obj.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let file = |bytes: Option<Vec<u8>>, uri: Option<String>| {
        WirePart::File(FilePart {
            name: str_field("filename").unwrap_or("unnamed file").to_owned(),
            mime_type: str_field("mediaType").unwrap_or("application/octet-stream").to_owned(),
            size: bytes.as_ref().map(Vec::len),
            bytes,
            uri,
        })
    };
    Ok(match members.first().copied() {
        Some("text") => obj.get("text").and_then(Value::as_str).map(|t| WirePart::Text(t.to_owned())),
        Some("raw") => {
            let b64 = obj.get("raw").and_then(Value::as_str).unwrap_or_default();
            Some(file(Some(decode_base64(b64).map_err(|e| format!("parts[{i}].raw is not base64: {e}"))?), None))
        }
        Some("url") => Some(file(None, str_field("url").map(str::to_owned))),
        Some("data") => obj.get("data").cloned().map(WirePart::Data),
        _ => None,
    })
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
    fn reads_1_0_parts_and_refuses_two_members_in_one() {
        let parts = [
            json!({"text": "summarize this"}),
            json!({"raw": "aGVsbG8=", "filename": "a.txt", "mediaType": "text/plain"}),
            json!({"url": "workspace:/r.pdf", "filename": "r.pdf"}),
        ];
        let m = read_parts(&parts).unwrap();
        assert_eq!(m.text, "summarize this");
        assert_eq!(m.files[0].describe(), "a.txt (text/plain, 5 bytes)");
        assert_eq!(m.files[1].describe(), "r.pdf (application/octet-stream, at workspace:/r.pdf)");
        assert!(read_parts(&[json!({"text": "x", "url": "y"})]).unwrap_err().contains("text and url"));
    }

    #[test]
    fn parts_render_in_either_dialect() {
        let parts = wire_parts(&[json!({"kind": "file", "file": {"name": "a.txt", "mimeType": "text/plain", "bytes": "aGk="}})]).unwrap();
        assert_eq!(parts[0].to_json(Dialect::V10), json!({"raw": "aGk=", "filename": "a.txt", "mediaType": "text/plain"}));
        assert_eq!(WirePart::Data(json!([1])).to_json(Dialect::V03), json!({"kind": "data", "data": {"value": [1]}}));
        assert_eq!(WirePart::Text("t".into()).to_json(Dialect::V03), json!({"kind": "text", "text": "t"}));
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
        let m = read_parts(&[json!({"kind": "data", "data": {}}), json!({"kind": "video"}), json!(7)]).unwrap();
        assert_eq!(m, UserMessage::default());
    }
}
