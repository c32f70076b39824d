//! The canaries' pass rules, pure: what a reply must say for each check, decided from what
//! A2A and the platform's contract (§9) allow, for every reply shape a conforming runtime
//! may use (a Message; a Task with its answer in `artifacts`, in `status.message`, or both).
//! The offline tier pins them with (reply, verdict) tables; the container tier applies them.

use molecule_e2e::a2a::error_markers;
use serde_json::Value;

/// Phrases that mean a file-only message became an empty prompt (cp_sim's list).
pub const EMPTY_PROMPT_PHRASES: [&str; 4] =
    ["(empty prompt — nothing to do)", "empty prompt", "message contained no text content", "no text content"];

/// Phrases that mean the runtime answered a caption without the file that came with it.
/// They count only when the reply quotes neither the file's name nor its content: a real
/// summary may well end by asking for more ("please provide last week's report").
pub const DROPPED_FILE_PHRASES: [&str; 9] = [
    "don't see",
    "do not see",
    "no file",
    "didn't attach",
    "did not attach",
    "nothing to summarize",
    "please paste",
    "please provide",
    "what would you like me to summarize",
];

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
pub fn clean(text: &str) -> Result<(), String> {
    let markers = error_markers(text);
    if markers.is_empty() { Ok(()) } else { Err(format!("the reply carries error markers {markers:?}")) }
}

fn empty_prompt_phrase(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    EMPTY_PROMPT_PHRASES.into_iter().find(|p| lower.contains(p))
}

/// A file a canary sends: its name, its body, and the words that only a reply that read
/// it would quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanaryFile {
    pub name: String,
    pub body: &'static str,
    pub marks: &'static [&'static str],
}

/// Canary 2's file body, as the platform's canary sends it (name `canary-<8 hex>.txt`).
pub const STATUS_BODY: &str = "Project status: nominal. Lighthouse score 98.";
/// Canary 3's file body, as the platform's canary sends it (name `canary-doc-<8 hex>.txt`).
pub const QUARTERLY_BODY: &str =
    "Quarterly review. Revenue up 14%. Churn down 3%. Team headcount steady. Action: ship RFC#600 by end of week.";

impl CanaryFile {
    pub fn status(name: impl Into<String>) -> Self {
        CanaryFile { name: name.into(), body: STATUS_BODY, marks: &["nominal", "lighthouse"] }
    }

    pub fn quarterly(name: impl Into<String>) -> Self {
        CanaryFile { name: name.into(), body: QUARTERLY_BODY, marks: &["quarterly", "revenue", "churn", "headcount", "rfc#600"] }
    }

    /// The reply names the file or quotes a word only its content holds.
    fn quoted_in(&self, text: &str) -> bool {
        text.to_lowercase().contains(&self.name.to_lowercase()) || self.marks.iter().any(|w| contains_word(text, w))
    }
}

/// Canary 2 (a file with no text): not empty, not the empty prompt, no error marker, and
/// engaged with the file: it names it or quotes it, speaks of a file or attachment, or
/// asks what to do with *it*. A generic greeting ("How can I help you today?") is a drop,
/// as cp_sim's own docstring says, though cp_sim's `"?"` rule passes it.
pub fn judge_file_only(text: &str, file: &CanaryFile) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("the reply is empty".to_owned());
    }
    if let Some(p) = empty_prompt_phrase(text) {
        return Err(format!("the file-only message was treated as an empty prompt (reply contains {p:?})"));
    }
    clean(text)?;
    let lower = text.to_lowercase();
    let speaks_of_file = ["file", "attach", "document", "upload"].iter().any(|w| lower.contains(w));
    let asks_about_it = lower.contains('?') && ["with it", "with this", "with that", "this one"].iter().any(|w| lower.contains(w));
    if file.quoted_in(text) || speaks_of_file || asks_about_it {
        Ok(())
    } else {
        Err("the reply neither mentions the file nor asks what to do with it (a generic reply is a dropped file)".to_owned())
    }
}

/// Canary 3 (a file with the caption "summarize this"): not empty, not the empty prompt, no
/// error marker; a reply that names the file or quotes its content passes (even if it then
/// asks a follow-up question); otherwise it must speak of the file or a summary and carry no
/// phrase that says the file never arrived.
pub fn judge_caption(text: &str, file: &CanaryFile) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("the reply is empty".to_owned());
    }
    if let Some(p) = empty_prompt_phrase(text) {
        return Err(format!("the caption was treated as an empty prompt (reply contains {p:?})"));
    }
    clean(text)?;
    if file.quoted_in(text) {
        return Ok(());
    }
    let lower = text.to_lowercase();
    if let Some(p) = DROPPED_FILE_PHRASES.iter().find(|p| lower.contains(*p)) {
        return Err(format!("the caption was answered without its file (reply contains {p:?} and quotes neither the file's name nor its content)"));
    }
    let engaged = ["file", "attach", "summary", "summarize", "content", "document"].iter().any(|w| lower.contains(w));
    if engaged { Ok(()) } else { Err("the reply mentions neither the file nor a summary".to_owned()) }
}

/// The exact-answer diagnostic: asked for exactly `token`, the reply carries it as a whole
/// word, spelt right, and no error marker.
pub fn judge_exact(text: &str, token: &str) -> Result<(), String> {
    clean(text)?;
    let found = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|w| w == token);
    if found { Ok(()) } else { Err(format!("asked for exactly {token}, the reply does not carry it spelt right")) }
}
