//! The canary-mode answerer: deterministic, built only from the conversation it is given.

use super::{RuntimeConfig, RuntimeFault};

/// One turn of a conversation as the runtime keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub role: &'static str,
    pub text: String,
}

/// The answer to the last user turn of `history`.
///
/// Canary prompts name their token ("respond with exactly the single token: PONG", "Reply
/// with exactly the word PINEAPPLE and nothing else.", "Reply with exactly: ok"); the answer
/// is that token. Anything else is answered from what the conversation holds, so an answer
/// can only contain what the session store kept.
pub fn answer(cfg: &RuntimeConfig, history: &[Turn]) -> String {
    let Some(last) = history.iter().rev().find(|t| t.role == "user") else {
        return "(empty prompt — nothing to do)".to_owned();
    };
    let reply = match exact_token(&last.text) {
        Some(token) => token,
        None => from_conversation(history, &last.text),
    };
    let reply =
        if cfg.has(RuntimeFault::MisspellsAnswer) { misspell(&reply) } else { reply };
    if cfg.has(RuntimeFault::ErrorMarker) {
        return format!("Agent error: upstream model failed ({reply})");
    }
    reply
}

/// The token a canary prompt asks for, if it is one.
pub fn exact_token(prompt: &str) -> Option<String> {
    let lower = prompt.to_ascii_lowercase();
    for cue in ["the single token:", "exactly the word", "exactly:"] {
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

    fn user(t: &str) -> Turn {
        Turn { role: "user", text: t.into() }
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
        let h = [user("Hi, my name is Hongming."), Turn { role: "agent", text: "Hi".into() }, user("What's my name?")];
        assert!(answer(&cfg, &h).contains("Hongming"));
        assert!(!answer(&cfg, &[user("What's my name?")]).contains("Hongming"));
    }

    #[test]
    fn faults_change_the_answer() {
        let cfg = RuntimeConfig::new("w").with_faults([RuntimeFault::MisspellsAnswer]);
        assert_eq!(answer(&cfg, &[user("Reply with exactly: PONG")]), "PNOG");
        let cfg = RuntimeConfig::new("w").with_faults([RuntimeFault::ErrorMarker]);
        assert!(answer(&cfg, &[user("Reply with exactly: PONG")]).starts_with("Agent error"));
    }
}
