//! The memory tool's store: key → value facts shared by every conversation of one workspace.
//!
//! With a root (`MOLECULE_MEMORY_ROOT`) each fact is one JSON file under
//! `<root>/memory/<workspace>/`, so it survives a restart and a failure dump can list it;
//! without one it lives in this process only. Keys are normalised (trimmed, lower-case,
//! inner whitespace collapsed) so "My favorite color" and "favorite  color" meet.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Where the facts live.
#[derive(Debug)]
pub struct MemoryStore {
    dir: Option<PathBuf>,
    mem: Mutex<BTreeMap<String, String>>,
    /// The `memory-not-persisted` fault: acknowledge commits, keep nothing.
    discard_commits: bool,
    /// How a commit meets what is already stored (the amend faults break it).
    amend: Amend,
}

/// How a commit to a key that holds a value, and to a memory that holds other keys, lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Amend {
    /// The new value replaces the old; other keys stay. Right.
    #[default]
    Overwrite,
    /// `memory-keeps-overwritten`: the old value stays next to the new one.
    KeepBoth,
    /// `memory-ignores-amend`: a key that holds a value keeps it.
    FirstWins,
    /// `memory-commit-drops-others`: every other key is forgotten.
    DropOthers,
}

impl MemoryStore {
    /// A store that lives in this process only.
    pub fn in_memory() -> Self {
        MemoryStore { dir: None, mem: Mutex::new(BTreeMap::new()), discard_commits: false, amend: Amend::Overwrite }
    }

    /// A store persisted under `<root>/memory/<workspace_id>/`.
    pub fn on_disk(root: &Path, workspace_id: &str) -> Self {
        let dir = root.join("memory").join(safe_file_stem(workspace_id));
        MemoryStore { dir: Some(dir), mem: Mutex::new(BTreeMap::new()), discard_commits: false, amend: Amend::Overwrite }
    }

    pub(crate) fn discarding_commits(mut self, discard: bool) -> Self {
        self.discard_commits = discard;
        self
    }

    pub(crate) fn amending(mut self, amend: Amend) -> Self {
        self.amend = amend;
        self
    }

    /// Store `value` under `key`. An empty key or value is refused with a reason.
    pub fn commit(&self, key: &str, value: &str) -> Result<(), String> {
        let key = normalize_key(key);
        if key.is_empty() {
            return Err("memory key is empty".to_owned());
        }
        if value.trim().is_empty() {
            return Err(format!("nothing to remember for key {key:?}: value is empty"));
        }
        if self.discard_commits {
            return Ok(());
        }
        let value = match (self.amend, self.recall(&key)) {
            (Amend::FirstWins, Some(_)) => return Ok(()),
            (Amend::KeepBoth, Some(old)) if old != value.trim() => format!("{old}; {}", value.trim()),
            (Amend::DropOthers, _) => {
                self.forget_all()?;
                value.trim().to_owned()
            }
            _ => value.trim().to_owned(),
        };
        match &self.dir {
            None => {
                self.mem.lock().unwrap_or_else(|p| p.into_inner()).insert(key, value);
                Ok(())
            }
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let path = dir.join(format!("{}.json", fact_file_stem(&key)));
                let body = json!({"key": key, "value": value}).to_string();
                // Write-then-rename so a concurrent recall never reads half a fact.
                let tmp = path.with_extension("json.tmp");
                std::fs::write(&tmp, body).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
                std::fs::rename(&tmp, &path).map_err(|e| format!("cannot write {}: {e}", path.display()))
            }
        }
    }

    /// Forget every fact (the `memory-commit-drops-others` fault only).
    fn forget_all(&self) -> Result<(), String> {
        self.mem.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let Some(dir) = &self.dir else { return Ok(()) };
        let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
        for e in entries.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "json")) {
            std::fs::remove_file(e.path()).map_err(|err| format!("cannot remove {}: {err}", e.path().display()))?;
        }
        Ok(())
    }

    /// The value stored under exactly `key` (after normalisation).
    pub fn recall(&self, key: &str) -> Option<String> {
        let key = normalize_key(key);
        self.all().into_iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Facts whose key or value contains every word of `query`, best (exact key) first.
    pub fn search(&self, query: &str) -> Vec<(String, String)> {
        let q = normalize_key(query);
        if q.is_empty() {
            return Vec::new();
        }
        let all = self.all();
        if let Some(hit) = all.iter().find(|(k, _)| *k == q) {
            return vec![hit.clone()];
        }
        let words: Vec<&str> = q.split(' ').filter(|w| !STOP_WORDS.contains(w)).collect();
        all.into_iter()
            .filter(|(k, v)| {
                let hay = format!("{k} {}", v.to_lowercase());
                !words.is_empty() && words.iter().all(|w| hay.contains(w))
            })
            .collect()
    }

    /// Every fact, sorted by key. Unreadable files are skipped: one corrupt fact must not
    /// make the whole memory unusable.
    pub fn all(&self) -> Vec<(String, String)> {
        let Some(dir) = &self.dir else {
            return self.mem.lock().unwrap_or_else(|p| p.into_inner()).iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        };
        let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
        let mut facts: Vec<(String, String)> = entries
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .filter_map(|e| {
                let v: Value = serde_json::from_slice(&std::fs::read(e.path()).ok()?).ok()?;
                Some((v.get("key")?.as_str()?.to_owned(), v.get("value")?.as_str()?.to_owned()))
            })
            .collect();
        facts.sort();
        facts
    }
}

const STOP_WORDS: [&str; 6] = ["my", "the", "a", "an", "what", "is"];

/// Trim, lower-case, collapse whitespace, drop a leading "my "/"the " and trailing punctuation.
pub fn normalize_key(key: &str) -> String {
    let lower = key.trim().trim_end_matches(['.', '?', '!', ',', ';', ':']).to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let words = match words.first() {
        Some(&"my") | Some(&"the") | Some(&"your") => &words[1..],
        _ => &words[..],
    };
    words.join(" ")
}

/// Split a fact like "my favorite color is blue" into (`favorite color`, `blue`); a fact
/// without " is " is stored under itself.
pub fn key_value_of(fact: &str) -> (String, String) {
    let fact = fact.trim().trim_end_matches(['.', '!']);
    // ASCII lower-casing keeps byte offsets valid in `fact`.
    let lower = fact.to_ascii_lowercase();
    match lower.find(" is ") {
        Some(i) if i > 0 => (normalize_key(&fact[..i]), fact[i + 4..].trim().to_owned()),
        _ => (normalize_key(fact), fact.to_owned()),
    }
}

/// A file name for any string: its safe characters, cut short, never empty or `..`.
pub(crate) fn safe_file_stem(s: &str) -> String {
    let stem: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' { c } else { '_' })
        .take(80)
        .collect();
    let stem = stem.trim_start_matches('.').to_owned();
    if stem.is_empty() { "_".to_owned() } else { stem }
}

/// Readable prefix plus a hash, so two keys that sanitise alike never share a file.
fn fact_file_stem(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", safe_file_stem(&key.replace(' ', "-")).chars().take(48).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_fact_into_key_and_value() {
        assert_eq!(key_value_of("my favorite color is blue."), ("favorite color".into(), "blue".into()));
        assert_eq!(key_value_of("tabs over spaces"), ("tabs over spaces".into(), "tabs over spaces".into()));
        assert_eq!(normalize_key("  My  Favorite Color? "), "favorite color");
    }

    #[test]
    fn recalls_and_searches_in_memory() {
        let m = MemoryStore::in_memory();
        m.commit("My favorite color", "blue").unwrap();
        assert_eq!(m.recall("favorite color").as_deref(), Some("blue"));
        assert_eq!(m.search("color"), vec![("favorite color".into(), "blue".into())]);
        assert_eq!(m.recall("unknown"), None);
        assert!(m.search("").is_empty());
        assert!(m.commit("  ", "x").is_err());
        assert!(m.commit("k", " ").is_err());
    }

    #[test]
    fn persists_under_the_root_and_is_seen_by_a_second_store() {
        let root = std::env::temp_dir().join(format!("rt-mem-{}", uuid::Uuid::new_v4()));
        MemoryStore::on_disk(&root, "ws/1").commit("favorite color", "blue").unwrap();
        let again = MemoryStore::on_disk(&root, "ws/1");
        assert_eq!(again.recall("favorite color").as_deref(), Some("blue"));
        assert_eq!(MemoryStore::on_disk(&root, "other").recall("favorite color"), None);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn the_fault_acknowledges_but_keeps_nothing() {
        let m = MemoryStore::in_memory().discarding_commits(true);
        assert!(m.commit("k", "v").is_ok());
        assert_eq!(m.recall("k"), None);
    }

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(safe_file_stem("../../etc"), "_.._etc");
        assert_eq!(safe_file_stem(""), "_");
        assert!(fact_file_stem("a b").starts_with("a-b-"));
    }
}
