//! The canaries' pass rules, pure: what a reply must say for each check, decided from what
//! A2A and the platform's contract (§9) allow, for every reply shape a conforming runtime
//! may use (a Message; a Task with its answer in `artifacts`, in `status.message`, or both).
//! The offline tier pins them with (reply, verdict) tables; the container tier applies them.

use std::fmt;

use molecule_e2e::a2a::{echoes_prompt, error_markers};
use serde_json::Value;

/// Phrases that mean a file-only message became an empty prompt (cp_sim's list).
pub const EMPTY_PROMPT_PHRASES: [&str; 4] =
    ["(empty prompt — nothing to do)", "empty prompt", "message contained no text content", "no text content"];

/// Why a reply does not count, by type: the tier's proofs name the rejection they expect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// No text at all.
    Empty,
    /// A phrase that means the message became an empty prompt.
    EmptyPrompt(&'static str),
    /// Error markers (contract §6.5).
    ErrorMarkers(Vec<&'static str>),
    /// The token or fact it carries is the prompt's own, repeated ([`echoes_prompt`]).
    Echo,
    /// None of the wanted tokens or facts, as a whole word (spelt right, for an exact answer).
    Missing(String),
    /// A file's fact is not in the reply: its content was not read. `names_file`: the reply
    /// names the file all the same (issue 24: `I can't open canary-doc-….txt. Please paste …`).
    FileNotRead { names_file: bool },
    /// A file-only message answered as if no file came.
    FileIgnored,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Empty => f.write_str("the reply is empty"),
            Rejection::EmptyPrompt(p) => write!(f, "the message was treated as an empty prompt (reply contains {p:?})"),
            Rejection::ErrorMarkers(m) => write!(f, "the reply carries error markers {m:?}"),
            Rejection::Echo => f.write_str("the reply echoes the prompt instead of answering it (the live tier's gate rule)"),
            Rejection::Missing(want) => write!(f, "the reply does not carry {want} as a whole word"),
            Rejection::FileNotRead { names_file } => write!(
                f,
                "the reply carries no fact only the file holds, so the file's content was not read{}",
                if *names_file { " (it names the file, which proves only that its name arrived)" } else { "" }
            ),
            Rejection::FileIgnored => {
                f.write_str("the reply neither mentions the file nor asks what to do with it (a generic reply is a dropped file)")
            }
        }
    }
}

/// How a wanted token must be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// A whole word, exactly as asked (`PONG`, not `pong` or `PNOG`).
    Exact,
    /// A whole word, any case (`\bhongming\b`/i of §9).
    Word,
}

impl Spelling {
    fn finds(self, text: &str, token: &str) -> bool {
        match self {
            Spelling::Exact => text.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| w == token),
            Spelling::Word => contains_word(text, token),
        }
    }
}

/// Task states after which a blocking send has its answer: the task finished
/// (`completed`) or waits for the user (`input-required`, whose status message may ask).
pub const ANSWERED_STATES: [&str; 2] = ["completed", "input-required"];

/// Task states a blocking send may still return in (a runtime that answers at once and
/// works on): the caller polls `tasks/get` until the task leaves them.
pub const PENDING_STATES: [&str; 2] = ["submitted", "working"];

/// What a `message/send` result holds, read as A2A 0.3 allows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyShape {
    /// A Message: the answer is in its parts.
    Message { text: String, context_id: Option<String> },
    /// A Task: the answer is in its artifacts and/or its status message.
    Task { id: String, state: String, text: String, context_id: Option<String> },
}

impl ReplyShape {
    pub fn text(&self) -> &str {
        match self {
            ReplyShape::Message { text, .. } | ReplyShape::Task { text, .. } => text,
        }
    }

    pub fn context_id(&self) -> Option<&str> {
        match self {
            ReplyShape::Message { context_id, .. } | ReplyShape::Task { context_id, .. } => context_id.as_deref(),
        }
    }
}

/// Read a send's `result`: its kind (by `kind`, or by shape when a runtime omits it), and
/// the answer text from `parts`, `artifacts[*].parts` and `status.message.parts`.
pub fn read_result(result: &Value) -> Result<ReplyShape, String> {
    let kind = result.get("kind").and_then(Value::as_str);
    let context_id = result.get("contextId").and_then(Value::as_str).map(str::to_owned);
    let text = extract_text(result);
    let is_task = kind == Some("task") || (kind.is_none() && result.get("status").is_some() && result.get("id").is_some());
    let is_message = kind == Some("message") || (kind.is_none() && result.get("parts").is_some());
    if is_task {
        let id = result.get("id").and_then(Value::as_str).ok_or("a Task without a string id")?.to_owned();
        let state = result.pointer("/status/state").and_then(Value::as_str).ok_or("a Task without status.state")?.to_owned();
        Ok(ReplyShape::Task { id, state, text, context_id })
    } else if is_message {
        Ok(ReplyShape::Message { text, context_id })
    } else {
        Err(format!("the result is neither a Message nor a Task: {}", excerpt(&result.to_string())))
    }
}

/// The answer of a reply that is done: a Task must be in an answered state (a failed,
/// canceled, rejected or auth-required task has no answer), and the text must be there.
pub fn answer_of(reply: &ReplyShape) -> Result<&str, String> {
    if let ReplyShape::Task { state, id, .. } = reply
        && !ANSWERED_STATES.contains(&state.as_str())
    {
        return Err(format!("the runtime answered with task {id} in state {state:?}, which holds no answer"));
    }
    if reply.text().trim().is_empty() {
        return Err("the reply holds no text in its parts, artifacts or status message".to_owned());
    }
    Ok(reply.text())
}

/// Text parts from `result.parts`, `result.artifacts[*].parts` and
/// `result.status.message.parts`, joined by newlines (cp_sim's extractor).
pub fn extract_text(result: &Value) -> String {
    let mut out = Vec::new();
    let mut take = |parts: Option<&Value>| {
        for p in parts.and_then(Value::as_array).into_iter().flatten() {
            if p.get("kind").or_else(|| p.get("type")).and_then(Value::as_str) == Some("text")
                && let Some(t) = p.get("text").and_then(Value::as_str)
            {
                out.push(t.to_owned());
            }
        }
    };
    take(result.get("parts"));
    for a in result.get("artifacts").and_then(Value::as_array).into_iter().flatten() {
        take(a.get("parts"));
    }
    take(result.pointer("/status/message/parts"));
    out.join("\n").trim().to_owned()
}

/// `word` appears in `text` as a whole word, ignoring case (the `\bword\b`/i of §9).
pub fn contains_word(text: &str, word: &str) -> bool {
    let (hay, needle) = (text.to_lowercase(), word.to_lowercase());
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    hay.match_indices(&needle).any(|(i, m)| !is_word(hay[..i].chars().next_back()) && !is_word(hay[i + m.len()..].chars().next()))
}

pub fn excerpt(s: &str) -> String {
    const MAX: usize = 600;
    if s.chars().count() <= MAX { s.to_owned() } else { format!("{}… ({} bytes)", s.chars().take(MAX).collect::<String>(), s.len()) }
}

/// No reply passes with an error marker in it (contract §6.5).
pub fn clean(text: &str) -> Result<(), Rejection> {
    let markers = error_markers(text);
    if markers.is_empty() { Ok(()) } else { Err(Rejection::ErrorMarkers(markers)) }
}

/// Every check that expects a token or a fact: no error marker, one of `tokens` there, and
/// not only as the prompt come back (the live tier's gate rule, [`echoes_prompt`]).
pub fn judge_token(text: &str, prompt: &str, tokens: &[&str], spelling: Spelling) -> Result<(), Rejection> {
    clean(text)?;
    let carried: Vec<&str> = tokens.iter().copied().filter(|t| spelling.finds(text, t)).collect();
    if carried.iter().any(|t| !echoes_prompt(text, prompt, t)) {
        return Ok(());
    }
    if !carried.is_empty() || tokens.iter().any(|t| echoes_prompt(text, prompt, t)) {
        return Err(Rejection::Echo);
    }
    Err(Rejection::Missing(tokens.join(" or ")))
}

fn empty_prompt_phrase(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    EMPTY_PROMPT_PHRASES.into_iter().find(|p| lower.contains(p))
}

/// A file a canary sends: its name, its body, the words a reply that engaged with it may
/// quote (`marks`), and the facts only this file holds (`facts`, made up per run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanaryFile {
    pub name: String,
    pub body: String,
    pub marks: &'static [&'static str],
    pub facts: Vec<String>,
}

/// Canary 2's file body, as the platform's canary sends it (name `canary-<8 hex>.txt`).
pub const STATUS_BODY: &str = "Project status: nominal. Lighthouse score 98.";

impl CanaryFile {
    pub fn status(name: impl Into<String>) -> Self {
        CanaryFile { name: name.into(), body: STATUS_BODY.to_owned(), marks: &["nominal", "lighthouse"], facts: Vec::new() }
    }

    /// Canary 3's file (name `canary-doc-<8 hex>.txt`): the platform's quarterly review, made
    /// about a project named `project` with an action item `RFC#<rfc>`. Both are made up per
    /// run, so no reply carries them unless the file's content was read; the project is the
    /// review's subject, so any summary names it.
    pub fn quarterly(name: impl Into<String>, project: &str, rfc: u16) -> Self {
        let body = format!(
            "Quarterly review of project {project}. Revenue up 14%. Churn down 3%. Team headcount steady. Action: ship RFC#{rfc} by end of week."
        );
        CanaryFile { name: name.into(), body, marks: &["quarterly", "revenue", "churn", "headcount"], facts: vec![project.to_owned(), rfc.to_string()] }
    }

    /// [`CanaryFile::quarterly`] with a fresh project name and RFC number.
    pub fn quarterly_fresh(name: impl Into<String>) -> Self {
        let bytes = *uuid::Uuid::new_v4().as_bytes();
        let (consonants, vowels) = (b"bdfgklmnprstvz", b"aeiou");
        let mut project: String = bytes[..4]
            .iter()
            .flat_map(|b| [consonants[usize::from(b % 14)] as char, vowels[usize::from(b / 14 % 5)] as char])
            .collect();
        project[..1].make_ascii_uppercase();
        CanaryFile::quarterly(name, &project, 1000 + u16::from_le_bytes([bytes[4], bytes[5]]) % 9000)
    }

    /// The reply names the file or quotes a word only its content holds.
    fn quoted_in(&self, text: &str) -> bool {
        self.names_in(text) || self.marks.iter().any(|w| contains_word(text, w))
    }

    fn names_in(&self, text: &str) -> bool {
        text.to_lowercase().contains(&self.name.to_lowercase())
    }
}

/// Canary 2 (a file with no text): not empty, not the empty prompt, no error marker, and
/// engaged with the file: it names it or quotes it, speaks of a file or attachment, or
/// asks what to do with *it*. A generic greeting ("How can I help you today?") is a drop,
/// as cp_sim's own docstring says, though cp_sim's `"?"` rule passes it.
pub fn judge_file_only(text: &str, file: &CanaryFile) -> Result<(), Rejection> {
    if text.trim().is_empty() {
        return Err(Rejection::Empty);
    }
    if let Some(p) = empty_prompt_phrase(text) {
        return Err(Rejection::EmptyPrompt(p));
    }
    clean(text)?;
    let lower = text.to_lowercase();
    let speaks_of_file = ["file", "attach", "document", "upload"].iter().any(|w| lower.contains(w));
    let asks_about_it = lower.contains('?') && ["with it", "with this", "with that", "this one"].iter().any(|w| lower.contains(w));
    if file.quoted_in(text) || speaks_of_file || asks_about_it { Ok(()) } else { Err(Rejection::FileIgnored) }
}

/// Canary 3 (a file with the caption `caption`): not empty, not the empty prompt, no error
/// marker, and it carries a fact only the file holds ([`CanaryFile::facts`]), not as an
/// echo. Naming the file, or asking a follow-up, neither makes nor breaks it.
pub fn judge_caption(text: &str, caption: &str, file: &CanaryFile) -> Result<(), Rejection> {
    if text.trim().is_empty() {
        return Err(Rejection::Empty);
    }
    if let Some(p) = empty_prompt_phrase(text) {
        return Err(Rejection::EmptyPrompt(p));
    }
    let facts: Vec<&str> = file.facts.iter().map(String::as_str).collect();
    judge_token(text, caption, &facts, Spelling::Word).map_err(|r| match r {
        Rejection::Missing(_) => Rejection::FileNotRead { names_file: file.names_in(text) },
        other => other,
    })
}
