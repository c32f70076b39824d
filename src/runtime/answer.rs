//! The canary-mode answerer: deterministic, built only from the conversation it is given and
//! the workspace's memory. No LLM, no credentials, no network.

use std::time::Duration;

use serde::Serialize;

use super::memory::{MemoryStore, key_value_of, normalize_key};
use super::parts::FilePart;
use super::{RuntimeConfig, RuntimeFault};

/// What a runtime says when a turn carries nothing to act on. The canaries look for this
/// exact phrase: a file-only message must never come out as it.
pub const EMPTY_PROMPT: &str = "(empty prompt — nothing to do)";

/// One turn of a conversation as the runtime keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Turn {
    pub role: &'static str,
    pub text: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FilePart>,
}

impl Turn {
    pub fn user(text: impl Into<String>) -> Self {
        Turn { role: "user", text: text.into(), files: Vec::new() }
    }

    pub fn agent(text: impl Into<String>) -> Self {
        Turn { role: "agent", text: text.into(), files: Vec::new() }
    }

    pub fn with_files(mut self, files: Vec<FilePart>) -> Self {
        self.files = files;
        self
    }
}

/// The answer to the last user turn of `history`, with a memory that lives only for this
/// call (memory prompts are acknowledged but forgotten). The server uses [`answer_with`].
pub fn answer(cfg: &RuntimeConfig, history: &[Turn]) -> String {
    answer_with(cfg, history, &MemoryStore::in_memory())
}

/// The answer to the last user turn of `history`, reading and writing `memory`.
///
/// Canary prompts name their token ("respond with exactly the single token: PONG", "Reply
/// with exactly the word PINEAPPLE and nothing else.", "Reply with exactly: ok"); the answer
/// is that token. Files are answered by name and content; "remember: …" and "recall …" use
/// the memory tool; anything else is answered from what the conversation holds, so an answer
/// can only contain what the session store and the memory kept.
pub fn answer_with(cfg: &RuntimeConfig, history: &[Turn], memory: &MemoryStore) -> String {
    let Some(last) = history.iter().rev().find(|t| t.role == "user") else {
        return EMPTY_PROMPT.to_owned();
    };
    let text = last.text.trim();
    // The caption-drops-file fault: a runtime that reads only the text parts once there is one.
    let files: &[FilePart] = if cfg.has(RuntimeFault::CaptionDropsFile) && !text.is_empty() { &[] } else { &last.files };
    match exact_token(text) {
        Some(_) if cfg.has(RuntimeFault::EchoesPrompt) => format!("Got it: \"{text}\""),
        Some(token) => broken_token(cfg, token),
        None if text.is_empty() && files.is_empty() => EMPTY_PROMPT.to_owned(),
        None if text.is_empty() => {
            if cfg.has(RuntimeFault::FileOnlyEmptyPrompt) {
                EMPTY_PROMPT.to_owned()
            } else {
                file_only(files)
            }
        }
        None if !files.is_empty() && cfg.has(RuntimeFault::ReadsOnlyFileName) => {
            let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
            format!("I can't open {}. Please paste the text you want summarized.", names.join(", "))
        }
        None if !files.is_empty() => with_caption(text, files),
        None => match super::tool::tool_use(cfg, text) {
            Some(used) => used.answer,
            None => from_memory(text, memory).or_else(|| counting(text)).unwrap_or_else(|| from_conversation(history, text)),
        },
    }
}

/// The answer to an exact-token prompt (the platform's smoke test, the known answer), as
/// the answer faults break it: the runtime's model path, which these prompts exercise, spells
/// it wrong or fails with an error marker. Other answers stay right, so each fault breaks
/// exactly the check that guards it (the exact-answer diagnostic).
fn broken_token(cfg: &RuntimeConfig, token: String) -> String {
    let token = if cfg.has(RuntimeFault::MisspellsAnswer) { misspell(&token) } else { token };
    if cfg.has(RuntimeFault::ErrorMarker) { format!("Agent error: upstream model failed ({token})") } else { token }
}

/// The token a canary prompt asks for, if it is one.
pub fn exact_token(prompt: &str) -> Option<String> {
    let lower = prompt.to_ascii_lowercase();
    // "the single token BUSYDONE": the harness's busy turn (FS:2897-2899 at aeec8e47).
    for cue in ["the single token:", "the single token ", "exactly the word", "exactly:"] {
        if let Some(i) = lower.find(cue) {
            let rest = &prompt[i + cue.len()..];
            let token: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            if !token.is_empty() {
                return Some(token);
            }
        }
    }
    None
}

/// How long a prompt asks the runtime to work before it answers: the harness's busy turn,
/// "run exactly this one command and wait for it to finish: sleep <N>. Then reply with the
/// single token BUSYDONE." (FS:2889-2899 at aeec8e47). The reference runtime has no shell: it
/// waits the N seconds itself (at most an hour), which keeps it as busy as the command would.
pub fn work_asked(prompt: &str) -> Option<Duration> {
    let lower = prompt.to_ascii_lowercase();
    let rest = &lower[lower.find("sleep ")? + "sleep ".len()..];
    let secs: String = rest.chars().take_while(char::is_ascii_digit).collect();
    secs.parse::<u64>().ok().filter(|s| (1..=3600).contains(s)).map(Duration::from_secs)
}

fn file_only(files: &[FilePart]) -> String {
    match files {
        [one] => format!(
            "I received the file {} with no instructions — what would you like me to do with it?",
            one.describe()
        ),
        many => format!(
            "I received {} files ({}) with no instructions — what would you like me to do with them?",
            many.len(),
            many.iter().map(FilePart::describe).collect::<Vec<_>>().join("; ")
        ),
    }
}

fn with_caption(caption: &str, files: &[FilePart]) -> String {
    let lower = caption.to_lowercase();
    let wants_summary = ["summar", "tl;dr", "tldr", "gist"].iter().any(|cue| lower.contains(cue));
    let per_file: Vec<String> = files
        .iter()
        .map(|f| {
            let content = match f.text() {
                Some(t) => summarize(t),
                None if f.uri.is_some() => "it came by reference and its content is not readable here.".to_owned(),
                None => "its content is not text, so there is nothing to summarize in words.".to_owned(),
            };
            if wants_summary {
                format!("Summary of the file {}: {content}", f.describe())
            } else {
                format!("About the file {}: {content}", f.describe())
            }
        })
        .collect();
    if wants_summary {
        per_file.join("\n")
    } else {
        format!("You asked: \"{caption}\".\n{}", per_file.join("\n"))
    }
}

/// A short, deterministic summary of `text`: its first two sentences (at most 240
/// characters) and its size in words and lines.
pub fn summarize(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        return "the file is empty.".to_owned();
    }
    let mut end = flat.len();
    let mut sentences = 0;
    for (i, c) in flat.char_indices() {
        if matches!(c, '.' | '!' | '?') {
            sentences += 1;
            if sentences == 2 {
                end = i + c.len_utf8();
                break;
            }
        }
    }
    let mut gist: String = flat[..end].chars().take(240).collect();
    if gist.len() < flat[..end].len() {
        gist.push('…');
    }
    let words = flat.split(' ').count();
    let lines = text.lines().count().max(1);
    format!(
        "\"{gist}\" ({words} word{}, {lines} line{})",
        if words == 1 { "" } else { "s" },
        if lines == 1 { "" } else { "s" }
    )
}

/// "remember: <fact>" commits, "recall <subject>" reads; `None` for any other prompt.
fn from_memory(prompt: &str, memory: &MemoryStore) -> Option<String> {
    // ASCII lower-casing keeps byte offsets, so indices found in `lower` are valid in `prompt`.
    let lower = prompt.to_ascii_lowercase();
    if let Some(i) = lower.find("remember:").map(|i| i + "remember:".len()).or_else(|| {
        lower.find("remember that ").map(|i| i + "remember that ".len())
    }) {
        let fact = prompt[i..].trim();
        let (key, value) = key_value_of(fact);
        return Some(match memory.commit(&key, &value) {
            Ok(()) => format!("Saved to memory: {key} = {value}."),
            Err(e) => format!("I could not save that to memory: {e}."),
        });
    }
    if lower.contains("recall everything") {
        let facts: Vec<String> = memory.all().iter().map(|(k, v)| format!("{k} is {v}")).collect();
        return Some(if facts.is_empty() { "I have nothing stored in memory.".to_owned() } else { format!("From memory: {}.", facts.join("; ")) });
    }
    let i = lower.find("recall ")? + "recall ".len();
    let subject: String = lower[i..]
        .split([',', '.', ';', '?', '!'])
        .next()
        .unwrap_or("")
        .split(" then ")
        .next()
        .unwrap_or("")
        .to_owned();
    let key = normalize_key(&subject);
    if key.is_empty() {
        return None;
    }
    Some(match memory.recall(&key).map(|v| (key.clone(), v)).or_else(|| memory.search(&key).into_iter().next()) {
        Some((k, v)) => format!("From memory: your {k} is {v}."),
        None => format!("I have nothing stored in memory about \"{key}\"."),
    })
}

/// "count from A to B": the numbers, one word each (a long answer, which the streaming
/// canary reads a few chunks of before it hangs up).
fn counting(prompt: &str) -> Option<String> {
    let lower = prompt.to_ascii_lowercase();
    let rest = &lower[lower.find("count from ")? + "count from ".len()..];
    let mut nums = rest.split(|c: char| !c.is_ascii_digit()).filter(|w| !w.is_empty()).map(str::parse::<u32>);
    let (from, to) = (nums.next()?.ok()?, nums.next()?.ok()?);
    (from <= to && to - from < 1000).then(|| (from..=to).map(|n| n.to_string()).collect::<Vec<_>>().join(" "))
}

fn from_conversation(history: &[Turn], prompt: &str) -> String {
    let lower = prompt.to_ascii_lowercase();
    if lower.contains("my name") && lower.contains('?') {
        // Answerable only if an earlier turn of this conversation said it.
        return match history.iter().rev().find_map(|t| said_name(&t.text)) {
            Some(name) => format!("Your name is {name}."),
            None => "I don't know your name yet — you haven't told me in this conversation.".to_owned(),
        };
    }
    if let Some(name) = said_name(prompt) {
        return format!("Nice to meet you, {name}.");
    }
    if lower.contains("summar") {
        // A caption whose file never arrived: say so plainly instead of inventing a summary.
        return "I don't see anything to summarize — no file or text came with your message. Please paste the text."
            .to_owned();
    }
    format!("You said: {}", prompt.trim())
}

fn said_name(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let i = lower.find("my name is ")?;
    let name: String = text[i + "my name is ".len()..]
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '\'')
        .collect();
    (!name.is_empty()).then_some(name)
}

fn misspell(s: &str) -> String {
    // Swap the middle two characters: close enough to fool a lax check, wrong for an exact one.
    let mut chars: Vec<char> = s.chars().collect();
    if chars.len() >= 3 {
        let m = chars.len() / 2;
        chars.swap(m - 1, m);
    } else {
        chars.push('?');
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Project status: nominal. Lighthouse score 98.";

    fn user(t: &str) -> Turn {
        Turn::user(t)
    }

    fn status_file() -> FilePart {
        FilePart {
            name: "canary-ab12cd34.txt".into(),
            mime_type: "text/plain".into(),
            bytes: Some(STATUS.as_bytes().to_vec()),
            size: Some(STATUS.len()),
            uri: None,
        }
    }

    #[test]
    fn answers_the_canary_tokens() {
        let cfg = RuntimeConfig::new("w");
        let pong = "This is the platform smoke test verifying agent wiring. No tools or memory are needed — please respond with exactly the single token: PONG";
        assert_eq!(answer(&cfg, &[user(pong)]), "PONG");
        assert_eq!(answer(&cfg, &[user("Reply with exactly the word PINEAPPLE and nothing else.")]), "PINEAPPLE");
        assert_eq!(answer(&cfg, &[user("Reply with exactly: ok")]), "ok");
    }

    #[test]
    fn remembers_a_name_only_within_the_conversation() {
        let cfg = RuntimeConfig::new("w");
        let h = [user("Hi, my name is Hongming."), Turn::agent("Hi"), user("What's my name?")];
        assert!(answer(&cfg, &h).contains("Hongming"));
        assert!(!answer(&cfg, &[user("What's my name?")]).contains("Hongming"));
    }

    #[test]
    fn faults_change_the_answer() {
        let cfg = RuntimeConfig::new("w").with_faults([RuntimeFault::MisspellsAnswer]);
        assert_eq!(answer(&cfg, &[user("Reply with exactly: PONG")]), "PNOG");
        let cfg = RuntimeConfig::new("w").with_faults([RuntimeFault::ErrorMarker]);
        assert!(answer(&cfg, &[user("Reply with exactly: PONG")]).starts_with("Agent error"));
        let echo = RuntimeConfig::new("w").with_faults([RuntimeFault::EchoesPrompt]);
        assert_eq!(answer(&echo, &[user("Reply with exactly: PONG")]), "Got it: \"Reply with exactly: PONG\"");
        assert_eq!(answer(&echo, &[user("Hi, my name is Hongming.")]), "Nice to meet you, Hongming.");
        // Only the exact-token (model) answers break: the other checks stay green.
        let both = RuntimeConfig::new("w").with_faults([RuntimeFault::ErrorMarker, RuntimeFault::MisspellsAnswer]);
        assert_eq!(answer(&both, &[user("Hi, my name is Hongming.")]), "Nice to meet you, Hongming.");
    }

    #[test]
    fn a_file_only_message_names_the_file_and_asks() {
        let cfg = RuntimeConfig::new("w");
        let got = answer(&cfg, &[Turn::user("").with_files(vec![status_file()])]);
        assert_eq!(
            got,
            "I received the file canary-ab12cd34.txt (text/plain, 45 bytes) with no instructions — what would you like me to do with it?"
        );
        let broken = RuntimeConfig::new("w").with_faults([RuntimeFault::FileOnlyEmptyPrompt]);
        assert_eq!(answer(&broken, &[Turn::user("").with_files(vec![status_file()])]), EMPTY_PROMPT);
        assert_eq!(answer(&cfg, &[Turn::user("  ")]), EMPTY_PROMPT);
    }

    #[test]
    fn a_caption_is_answered_with_its_file() {
        let cfg = RuntimeConfig::new("w");
        let got = answer(&cfg, &[Turn::user("summarize this").with_files(vec![status_file()])]);
        assert!(got.contains("canary-ab12cd34.txt") && got.contains("Lighthouse score 98"), "{got}");
        let broken = RuntimeConfig::new("w").with_faults([RuntimeFault::CaptionDropsFile]);
        let dropped = answer(&broken, &[Turn::user("summarize this").with_files(vec![status_file()])]);
        assert!(!dropped.contains("canary-ab12cd34") && dropped.contains("don't see"), "{dropped}");
        let named = RuntimeConfig::new("w").with_faults([RuntimeFault::ReadsOnlyFileName]);
        let got = answer(&named, &[Turn::user("summarize this").with_files(vec![status_file()])]);
        assert_eq!(got, "I can't open canary-ab12cd34.txt. Please paste the text you want summarized.");
        // The fault only bites when there is a caption.
        assert!(answer(&broken, &[Turn::user("").with_files(vec![status_file()])]).contains("canary-ab12cd34.txt"));
    }

    #[test]
    fn summaries_keep_two_sentences_and_count_words() {
        assert_eq!(summarize(STATUS), "\"Project status: nominal. Lighthouse score 98.\" (6 words, 1 line)");
        assert_eq!(summarize("a. b. c."), "\"a. b.\" (3 words, 1 line)");
        assert_eq!(summarize(" \n"), "the file is empty.");
        assert!(summarize(&"x".repeat(500)).ends_with("…\" (1 word, 1 line)"));
    }

    #[test]
    fn memory_prompts_commit_and_recall_across_conversations() {
        let cfg = RuntimeConfig::new("w");
        let memory = MemoryStore::in_memory();
        let saved = answer_with(&cfg, &[user("Please use the memory tool to remember: my favorite color is blue.")], &memory);
        assert_eq!(saved, "Saved to memory: favorite color = blue.");
        let recall = [user("Use the memory tool to recall my favorite color, then tell me what it is.")];
        assert_eq!(answer_with(&cfg, &recall, &memory), "From memory: your favorite color is blue.");
        let empty = MemoryStore::in_memory();
        assert_eq!(answer_with(&cfg, &recall, &empty), "I have nothing stored in memory about \"favorite color\".");
        answer_with(&cfg, &[user("remember: my home city is Oslo.")], &memory);
        let all = answer_with(&cfg, &[user("Use the memory tool to recall everything you know about me.")], &memory);
        assert_eq!(all, "From memory: favorite color is blue; home city is Oslo.");
    }

    #[test]
    fn the_busy_turn_works_as_long_as_asked_then_answers_its_token() {
        let busy = "Platform lifecycle test. Using your shell/bash tool, run exactly this one command and wait for it to \
                    finish: sleep 180. Then reply with the single token BUSYDONE. Do nothing else.";
        assert_eq!(work_asked(busy), Some(Duration::from_secs(180)));
        assert_eq!(answer(&RuntimeConfig::new("w"), &[user(busy)]), "BUSYDONE");
        for idle in ["Reply with exactly: ok", "sleep well", "sleep 0 then answer", "sleep 99999"] {
            assert_eq!(work_asked(idle), None, "{idle}");
        }
    }

    #[test]
    fn counting_is_a_long_answer() {
        assert_eq!(answer(&RuntimeConfig::new("w"), &[user("Please count from 1 to 5, one number at a time.")]), "1 2 3 4 5");
    }
}
