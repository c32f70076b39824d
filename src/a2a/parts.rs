//! Message parts: what the suite sends ([`Part`]) and what it reads back ([`ReplyPart`]).
//! The two dialects disagree on every part shape (contract a2a.md §1.4), so each side is
//! written once per dialect here and nowhere else.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

/// One part of an outgoing message.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    /// A file sent inline (base64 on the wire), as cp_sim sends attachments.
    FileBytes {
        name: String,
        mime_type: String,
        bytes: Vec<u8>,
    },
    /// A file by reference, as the platform's upload path sends it (`workspace:/…`,
    /// `platform-pending:…`, or an `https://` URL).
    FileUri {
        name: String,
        mime_type: String,
        uri: String,
    },
    /// Structured data. 0.3 only allows an object here: see [`Part::to_v03`].
    Data(Value),
}

impl Part {
    /// The 0.3 shape, with its `kind` discriminator. 0.3 `DataPart.data` must be an object,
    /// so any other value is sent wrapped as `{"value": <value>}` rather than as an envelope
    /// every 0.3 peer would reject; 1.0 sends the value as is.
    pub fn to_v03(&self) -> Value {
        match self {
            Part::Text(text) => json!({"kind": "text", "text": text}),
            Part::FileBytes { name, mime_type, bytes } => json!({
                "kind": "file",
                "file": {"name": name, "mimeType": mime_type, "bytes": STANDARD.encode(bytes)},
            }),
            Part::FileUri { name, mime_type, uri } => json!({
                "kind": "file",
                "file": {"name": name, "mimeType": mime_type, "uri": uri},
            }),
            Part::Data(data) => {
                let data = match data {
                    Value::Object(_) => data.clone(),
                    other => json!({"value": other}),
                };
                json!({"kind": "data", "data": data})
            }
        }
    }

    /// The 1.0 shape: exactly one of `text`/`raw`/`url`/`data`, with `filename`/`mediaType`
    /// beside it for files.
    pub fn to_v10(&self) -> Value {
        match self {
            Part::Text(text) => json!({"text": text}),
            Part::FileBytes { name, mime_type, bytes } => {
                json!({"raw": STANDARD.encode(bytes), "filename": name, "mediaType": mime_type})
            }
            Part::FileUri { name, mime_type, uri } => {
                json!({"url": uri, "filename": name, "mediaType": mime_type})
            }
            Part::Data(data) => json!({"data": data}),
        }
    }
}

/// One part of a reply, read from either dialect. Files keep their base64 text undecoded:
/// the suite compares and reports them, it never needs the bytes.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplyPart {
    Text(String),
    File { name: Option<String>, mime_type: Option<String>, bytes: Option<String>, uri: Option<String> },
    Data(Value),
}

impl ReplyPart {
    /// Reads a part of either dialect: the 0.3 `kind` wins when present, otherwise the 1.0
    /// member that is present (`text`, `raw`, `url`, `data`) decides. `None` for a part this
    /// suite cannot read (an unknown `kind`, no known member, not an object), which callers
    /// skip: an unknown part must not hide the text parts beside it.
    pub(crate) fn parse(value: &Value) -> Option<ReplyPart> {
        let part = value.as_object()?;
        match part.get("kind").and_then(Value::as_str) {
            Some("text") => Some(ReplyPart::Text(str_field(part, &["text"]).unwrap_or_default())),
            Some("file") => Some(file_v03(part.get("file").and_then(Value::as_object))),
            Some("data") => Some(ReplyPart::Data(part.get("data").cloned().unwrap_or(Value::Null))),
            Some(_) => None,
            None => parse_without_kind(part),
        }
    }
}

fn parse_without_kind(part: &Map<String, Value>) -> Option<ReplyPart> {
    if let Some(text) = part.get("text").and_then(Value::as_str) {
        return Some(ReplyPart::Text(text.to_owned()));
    }
    let name = str_field(part, &["filename"]);
    let mime_type = str_field(part, &["mediaType", "media_type"]);
    if let Some(raw) = str_field(part, &["raw"]) {
        return Some(ReplyPart::File { name, mime_type, bytes: Some(raw), uri: None });
    }
    if let Some(url) = str_field(part, &["url"]) {
        return Some(ReplyPart::File { name, mime_type, bytes: None, uri: Some(url) });
    }
    if let Some(data) = part.get("data") {
        return Some(ReplyPart::Data(data.clone()));
    }
    // A 0.3 file part whose sender left out `kind` (a2a-sdk's compat layer tolerates that).
    part.get("file").and_then(Value::as_object).map(|file| file_v03(Some(file)))
}

fn file_v03(file: Option<&Map<String, Value>>) -> ReplyPart {
    let field = |keys: &[&str]| file.and_then(|f| str_field(f, keys));
    ReplyPart::File {
        name: field(&["name"]),
        mime_type: field(&["mimeType", "mime_type"]),
        bytes: field(&["bytes"]),
        uri: field(&["uri"]),
    }
}

/// The first of `keys` holding a non-empty string. Empty strings count as absent because
/// ProtoJSON peers emit proto defaults (`"filename": ""`) for fields that were never set.
pub(crate) fn str_field(object: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .filter_map(|k| object.get(*k).and_then(Value::as_str))
        .find(|s| !s.is_empty())
        .map(str::to_owned)
}
