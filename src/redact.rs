//! Keeping secrets out of everything the suite prints: error messages, progress lines,
//! `Debug` output, snapshots and artifacts.
//!
//! One path, two halves. [`learn`] (and [`learn_body`], [`learn_text`]) runs on every answer
//! the moment it arrives, before anything can be formed from it, and registers every
//! token-shaped value: fields whose name says secret, `NAME=value` assignments inside strings
//! (`MOLECULE_WORKSPACE_TOKEN=…` in a `*_snippet`), `Bearer` credentials, URL passwords.
//! [`scrub`] is the one filter every printed string goes through: it masks every registered
//! value and, structurally, every secret-named assignment, bearer and URL userinfo, so a
//! secret the suite never saw decoded is still masked where its shape gives it away.

use std::ops::Range;
use std::sync::{LazyLock, RwLock};

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// What a masked value reads as.
pub const MASK: &str = "[REDACTED]";

/// Longest excerpt of a body an error carries.
pub const EXCERPT_CHARS: usize = 600;

/// Values shorter than this are never registered nor masked by shape: masking them would
/// shred ordinary words (`max_tokens: 32`).
const MIN_SECRET_LEN: usize = 6;

static KNOWN: LazyLock<RwLock<Vec<String>>> = LazyLock::new(|| RwLock::new(Vec::new()));

/// Remember a secret value so [`scrub`] masks it from then on.
pub fn register(secret: &SecretString) {
    register_str(secret.expose_secret());
}

pub fn register_str(value: &str) {
    let value = value.trim();
    if value.chars().count() < MIN_SECRET_LEN || value == MASK {
        return;
    }
    let mut known = KNOWN.write().unwrap_or_else(|p| p.into_inner());
    if !known.iter().any(|k| k == value) {
        known.push(value.to_owned());
        // Longest first, so a secret that contains another is masked whole.
        known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    }
}

/// Whether `value` has been registered (for tests of the learning half).
pub fn is_registered(value: &str) -> bool {
    KNOWN.read().unwrap_or_else(|p| p.into_inner()).iter().any(|k| k == value)
}

/// Register every token-shaped value in a received JSON document: the string (or number)
/// under any secret-named field, at any depth, and whatever [`learn_text`] finds in every
/// string.
pub fn learn(value: &Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                // `max_tokens`, `input_tokens`: counts, not credentials.
                let count = k.to_ascii_lowercase().ends_with("tokens") && v.is_number();
                if is_secret_key(k) && !count {
                    learn_secret_value(v);
                }
                learn(v);
            }
        }
        Value::Array(items) => items.iter().for_each(learn),
        Value::String(s) => learn_text(s),
        _ => {}
    }
}

fn learn_secret_value(v: &Value) {
    match v {
        Value::String(s) => register_str(s),
        Value::Number(n) => register_str(&n.to_string()),
        Value::Array(items) => items.iter().for_each(learn_secret_value),
        _ => {}
    }
}

/// Register what a received body holds: JSON is walked by [`learn`], anything else read as
/// text by [`learn_text`].
pub fn learn_body(body: &[u8]) {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => learn(&v),
        Err(_) => learn_text(&String::from_utf8_lossy(body)),
    }
}

/// Register the secrets a free text gives away by shape: secret-named assignments
/// (`NAME=value`, `name: value`, `"name":"value"`), `Bearer` credentials and URL passwords.
/// A string that is itself JSON is walked as JSON too.
pub fn learn_text(text: &str) {
    for (_, value) in assignments(text) {
        register_str(&text[value]);
    }
    for value in bearer_values(text) {
        register_str(&text[value]);
    }
    for info in userinfos(text) {
        let info = &text[info];
        register_str(info.split_once(':').map_or(info, |(_, password)| password));
    }
    let t = text.trim_start();
    if (t.starts_with('{') || t.starts_with('['))
        && let Ok(v) = serde_json::from_str::<Value>(t)
    {
        learn(&v);
    }
}

/// Mask every registered secret, every secret-named assignment, every `Bearer <token>` and
/// every URL userinfo in `text`. Every string the suite prints goes through here.
pub fn scrub(text: &str) -> String {
    let mut out = text.to_owned();
    for k in KNOWN.read().unwrap_or_else(|p| p.into_inner()).iter() {
        if out.contains(k.as_str()) {
            out = out.replace(k.as_str(), MASK);
        }
    }
    let out = mask_ranges(&out, bearer_values(&out));
    let out = mask_ranges(&out, assignments(&out).into_iter().map(|(_, v)| v).collect());
    mask_ranges(&out, userinfos(&out))
}

/// A URL for display: its userinfo (`user:password@`) masked.
pub fn url(raw: &str) -> String {
    mask_ranges(raw, userinfos(raw))
}

/// `scrub` of a value's `Debug`, for types whose `Debug` holds what a server said.
pub fn debug(value: &impl std::fmt::Debug) -> String {
    scrub(&format!("{value:?}"))
}

/// A `debug_struct` rendered and scrubbed as one string, for the manual `Debug` of types that
/// hold what a server said (agent text, error messages).
pub fn debug_struct(f: &mut std::fmt::Formatter<'_>, name: &str, fields: &[(&str, &dyn std::fmt::Debug)]) -> std::fmt::Result {
    struct Raw<'a>(&'a str, &'a [(&'a str, &'a dyn std::fmt::Debug)]);
    impl std::fmt::Debug for Raw<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            let mut d = f.debug_struct(self.0);
            for (n, v) in self.1 {
                d.field(n, v);
            }
            d.finish()
        }
    }
    let raw = if f.alternate() { format!("{:#?}", Raw(name, fields)) } else { format!("{:?}", Raw(name, fields)) };
    f.write_str(&scrub(&raw))
}

fn mask_ranges(text: &str, mut ranges: Vec<Range<usize>>) -> String {
    if ranges.is_empty() {
        return text.to_owned();
    }
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        if r.start < at || r.is_empty() {
            continue;
        }
        out.push_str(&text[at..r.start]);
        out.push_str(MASK);
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The credential after each `Bearer ` (any case).
fn bearer_values(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("bearer ") {
        let start = from + i + "bearer ".len();
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '\\' | ';'))
            .map_or(text.len(), |e| start + e);
        if end > start && &text[start..end] != MASK {
            out.push(start..end);
        }
        from = end.max(start);
    }
    out
}

/// The `user:password` of every `scheme://user:password@host` in `text`.
fn userinfos(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("://") {
        let start = from + i + 3;
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '/' | '"' | '\'' | '?' | '#' | '\\' | '>'))
            .map_or(text.len(), |e| start + e);
        if let Some(at) = text[start..end].rfind('@')
            && at > 0
            && &text[start..start + at] != MASK
        {
            out.push(start..start + at);
        }
        from = end.max(start);
    }
    out
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

fn ends_unquoted(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(b, b'"' | b'\'' | b',' | b';' | b'&' | b'(' | b')' | b'}' | b']' | b'<' | b'>' | b'\\')
}

/// Secret-named assignments in free text: `(name, value)` byte ranges. Recognises
/// `NAME=value`, `name: value`, `"name":"value"` and the same escaped inside a JSON string
/// (`\"name\":\"value\"`). Values shorter than [`MIN_SECRET_LEN`], the mask itself and an
/// auth scheme word (`Authorization: Bearer …`, handled by the bearer rule) are left alone.
fn assignments(text: &str) -> Vec<(Range<usize>, Range<usize>)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !is_ident(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && is_ident(b[i]) {
            i += 1;
        }
        let name = start..i;
        let mut j = i;
        // The closing quote of a quoted name, possibly escaped.
        if b.get(j) == Some(&b'\\') && matches!(b.get(j + 1), Some(b'"')) {
            j += 2;
        } else if matches!(b.get(j), Some(b'"' | b'\'')) {
            j += 1;
        }
        while b.get(j) == Some(&b' ') {
            j += 1;
        }
        if !matches!(b.get(j), Some(b'=' | b':')) || matches!(b.get(j + 1), Some(b'=' | b':' | b'/')) {
            continue;
        }
        j += 1;
        while b.get(j) == Some(&b' ') {
            j += 1;
        }
        let value = if b.get(j) == Some(&b'\\') && b.get(j + 1) == Some(&b'"') {
            let vs = j + 2;
            let ve = text[vs..].find(['\\', '"']).map_or(b.len(), |e| vs + e);
            vs..ve
        } else if let Some(&q @ (b'"' | b'\'')) = b.get(j) {
            let vs = j + 1;
            let mut k = vs;
            while k < b.len() && b[k] != q {
                k += if b[k] == b'\\' { 2 } else { 1 };
            }
            vs..k.min(b.len())
        } else {
            let mut k = j;
            while k < b.len() && !ends_unquoted(b[k]) {
                k += 1;
            }
            j..k
        };
        let v = &text[value.clone()];
        let scheme_word = ["bearer", "basic", "token"].iter().any(|w| v.eq_ignore_ascii_case(w));
        // Already masked, or a `Debug` constructor (`"token": String("…")`) rather than a value.
        let not_a_value = text[value.start..].starts_with(MASK) || b.get(value.end) == Some(&b'(');
        if is_secret_key(&text[name.clone()]) && v.chars().count() >= MIN_SECRET_LEN && !not_a_value && !scheme_word
        {
            i = value.end.max(i);
            out.push((name, value));
        }
    }
    out
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
                    // A secret-named object (`"credentials": {…}`) is descended into; an empty
                    // string stays, so an error can say the token was empty.
                    let v = if is_secret_key(k) && !v.is_null() && !v.is_object() && v.as_str() != Some("") {
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
