//! The session store (conversation history keyed on `contextId`), its on-disk mirror under
//! `<root>/sessions/session-<ctx>.json`, and the listing a failure dump prints.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::json;

use super::answer::Turn;
use super::memory::safe_file_stem;

/// Conversations in memory; each turn is also written to disk when there is a root, so the
/// container tier's failure dump shows what the runtime actually kept per conversation.
#[derive(Debug, Default)]
pub struct SessionStore {
    dir: Option<PathBuf>,
    sessions: Mutex<HashMap<String, Vec<Turn>>>,
}

impl SessionStore {
    pub fn new(root: Option<&Path>) -> Self {
        SessionStore { dir: root.map(|r| r.join("sessions")), sessions: Mutex::default() }
    }

    /// Append the user turn, let `reply` answer from the whole history, append the answer,
    /// and return it with the session's JSON snapshot to persist (written by the caller,
    /// outside the lock).
    pub fn turn(&self, key: &str, user: Turn, reply: impl FnOnce(&[Turn]) -> String) -> (String, Option<(PathBuf, String)>) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let history = sessions.entry(key.to_owned()).or_default();
        history.push(user);
        let answer = reply(history);
        history.push(Turn::agent(answer.clone()));
        let snapshot = self.dir.as_ref().map(|dir| {
            let body = json!({"sessionKey": key, "turns": history});
            let body = serde_json::to_string_pretty(&body).unwrap_or_else(|_| body.to_string());
            (dir.join(format!("session-{}.json", safe_file_stem(key))), body)
        });
        (answer, snapshot)
    }
}

/// Write a session snapshot; failures are reported, never fatal: the answer matters more
/// than its mirror.
pub async fn persist(path: &Path, body: String) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await.map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    tokio::fs::write(path, body).await.map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A recursive listing of `root` (path and size per file), followed by the content of every
/// `session*.json` — what `session-store.txt` holds after a canary failure.
pub fn store_listing(root: &Path) -> String {
    let mut out = format!("# listing of {}\n", root.display());
    let mut files = Vec::new();
    walk(root, &mut files);
    if files.is_empty() {
        let _ = writeln!(out, "(empty or missing)");
    }
    files.sort();
    for (path, size) in &files {
        let _ = writeln!(out, "{size:>8}  {}", path.display());
    }
    for (path, _) in files.iter().filter(|(p, _)| {
        p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("session") && n.ends_with(".json"))
    }) {
        let _ = writeln!(out, "\n# {}", path.display());
        match std::fs::read_to_string(path) {
            Ok(body) => out.push_str(&body),
            Err(e) => {
                let _ = write!(out, "(unreadable: {e})");
            }
        }
        out.push('\n');
    }
    out
}

fn walk(dir: &Path, files: &mut Vec<(PathBuf, u64)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => walk(&path, files),
            Ok(_) => files.push((path, e.metadata().map(|m| m.len()).unwrap_or(0))),
            Err(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_history_per_key_and_names_the_session_file() {
        let store = SessionStore::new(Some(Path::new("/r")));
        let (a, snap) = store.turn("ctx-1", Turn::user("one"), |h| format!("{} turn", h.len()));
        assert_eq!(a, "1 turn");
        let (path, body) = snap.unwrap();
        assert_eq!(path, Path::new("/r/sessions/session-ctx-1.json"));
        assert!(body.contains("\"sessionKey\": \"ctx-1\""), "{body}");
        let (b, _) = store.turn("ctx-1", Turn::user("two"), |h| format!("{} turns", h.len()));
        assert_eq!(b, "3 turns");
        let (c, none) = SessionStore::new(None).turn("ctx-1", Turn::user("x"), |h| h.len().to_string());
        assert_eq!((c.as_str(), none), ("1", None));
    }

    #[test]
    fn lists_files_and_prints_session_files() {
        let root = std::env::temp_dir().join(format!("rt-store-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(root.join("sessions")).unwrap();
        std::fs::write(root.join("sessions/session-c.json"), "{\"k\":1}").unwrap();
        let listing = store_listing(&root);
        assert!(listing.contains("session-c.json") && listing.contains("{\"k\":1}"), "{listing}");
        assert!(store_listing(&root.join("missing")).contains("(empty or missing)"));
        let _ = std::fs::remove_dir_all(&root);
    }
}
