//! Keeping secrets out of everything the suite prints: error messages, progress lines,
//! snapshots and artifacts.
//!
//! Two nets, because either alone leaks: JSON fields whose *name* says secret are masked
//! wherever they appear, and every secret *value* the process has seen (keys from the
//! environment, tokens the platform minted) is registered and scrubbed from any text.

use std::sync::{LazyLock, RwLock};

use secrecy::{ExposeSecret, SecretString};

/// What a masked value reads as.
pub const MASK: &str = "[REDACTED]";

/// Longest excerpt of a body an error carries.
pub const EXCERPT_CHARS: usize = 600;

static KNOWN: LazyLock<RwLock<Vec<String>>> = LazyLock::new(|| RwLock::new(Vec::new()));

/// Remember a secret value so [`scrub`] masks it from then on. Values shorter than six
/// characters are ignored: masking them would shred ordinary words.
pub fn register(secret: &SecretString) {
    register_str(secret.expose_secret());
}

pub fn register_str(value: &str) {
    if value.len() < 6 {
        return;
    }
    let mut known = KNOWN.write().unwrap_or_else(|p| p.into_inner());
    if !known.iter().any(|k| k == value) {
        known.push(value.to_owned());
        // Longest first, so a secret that contains another is masked whole.
        known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    }
}

/// Mask every registered secret and every `Bearer <token>` in `text`.
pub fn scrub(text: &str) -> String {
    let mut out = text.to_owned();
    for k in KNOWN.read().unwrap_or_else(|p| p.into_inner()).iter() {
        if out.contains(k.as_str()) {
            out = out.replace(k.as_str(), MASK);
        }
    }
    mask_bearer(&out)
}

fn mask_bearer(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = find_no_case(rest, "bearer ") {
        let (head, tail) = rest.split_at(i + "bearer ".len());
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ',')
            .unwrap_or(tail.len());
        if end > 0 {
            out.push_str(MASK);
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn find_no_case(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Whether a JSON field name marks its value as secret.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["token", "secret", "password", "authorization", "api_key", "apikey", "credential"]
        .iter()
        .any(|s| k.contains(s))
        || k.ends_with("_key")
        || crate::catalog::is_strip_listed(key)
}

/// A copy of `value` with every secret-named field masked (recursively).
pub fn json(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_secret_key(k) && !v.is_null() && !v.is_object() {
                        Value::String(MASK.into())
                    } else {
                        json(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(json).collect()),
        other => other.clone(),
    }
}

/// A short, safe excerpt of a response body for an error message: JSON is masked by field,
/// any text is scrubbed, and the result is cut at [`EXCERPT_CHARS`].
pub fn excerpt(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => json(&v).to_string(),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    let text = scrub(&text);
    if text.is_empty() {
        return "(empty body)".into();
    }
    cut(&text, EXCERPT_CHARS)
}

/// `text` cut to at most `max` characters, with a marker saying how much was dropped.
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((i, _)) => format!("{}… ({} more bytes)", &text[..i], text.len() - i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secret_fields_and_registered_values() {
        register_str("sk-live-registered-123");
        let body = br#"{"auth_token":"tok-abc-123456","connection":{"auth_token":"x-123456"},"note":"key sk-live-registered-123 here","status":"ok"}"#;
        let e = excerpt(body);
        assert!(!e.contains("tok-abc-123456"), "{e}");
        assert!(!e.contains("x-123456"), "{e}");
        assert!(!e.contains("sk-live-registered-123"), "{e}");
        assert!(e.contains(r#""status":"ok""#), "{e}");
    }

    #[test]
    fn masks_bearer_tokens_in_text() {
        assert_eq!(scrub("Authorization: Bearer abc.def ok"), "Authorization: Bearer [REDACTED] ok");
    }

    #[test]
    fn cuts_long_bodies_on_a_char_boundary() {
        let long = "é".repeat(EXCERPT_CHARS + 10);
        let e = excerpt(long.as_bytes());
        assert!(e.contains("more bytes"));
    }
}
