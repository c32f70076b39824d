//! The one "echoes the prompt" rule: the live tier's token gate and every container check
//! that expects a token or a fact ask it. A runtime behind a model that repeats its input
//! (`Got it: "… respond with exactly the single token: PONG"`) carries the token without
//! answering; this tells that apart from an answer that also quotes the question.

/// Whether `text` passes for an answer only by repeating `prompt`: every occurrence of
/// `token` in it stands inside a repetition of the whole prompt, or among the prompt's own
/// words around the token (`…the single token: PONG`, `PINEAPPLE and nothing else`). A text
/// with no `token` at all is an echo when it repeats the whole prompt. Words are compared
/// lowercased, without punctuation.
pub fn echoes_prompt(text: &str, prompt: &str, token: &str) -> bool {
    let (text_words, prompt_words) = (words(text), words(prompt));
    let token_word = token.to_lowercase();
    let n = prompt_words.len();
    // Where the text repeats the whole prompt, word for word.
    let repeats: Vec<usize> = if n == 0 {
        Vec::new()
    } else {
        text_words.windows(n).enumerate().filter(|(_, w)| *w == prompt_words.as_slice()).map(|(i, _)| i).collect()
    };
    let occurrences: Vec<usize> = text_words.iter().enumerate().filter(|(_, w)| **w == token_word).map(|(i, _)| i).collect();
    if occurrences.is_empty() {
        return !repeats.is_empty();
    }
    let inside_repeat = |i: usize| repeats.iter().any(|&start| (start..start + n).contains(&i));
    let at = prompt_words.iter().position(|w| *w == token_word);
    let among_prompt_words = |i: usize| {
        let Some(at) = at else { return false };
        let before = &prompt_words[at.saturating_sub(3)..at];
        let after = &prompt_words[at + 1..(at + 4).min(n)];
        let echoed_before = !before.is_empty() && i >= before.len() && text_words[i - before.len()..i] == *before;
        let echoed_after = !after.is_empty() && text_words.get(i + 1..i + 1 + after.len()) == Some(after);
        echoed_before || echoed_after
    };
    occurrences.into_iter().all(|i| inside_repeat(i) || among_prompt_words(i))
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric() && c != '_').filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::echoes_prompt;

    const PONG: &str = "This is the platform smoke test verifying agent wiring. No tools or memory are needed — please respond with exactly the single token: PONG";

    #[test]
    fn a_repeated_prompt_is_an_echo_unless_the_token_also_stands_free() {
        // Issue 24's reply, from the platform's runtime behind a model that echoed.
        assert!(echoes_prompt(&format!("Got it: \"{PONG}\""), PONG, "PONG"));
        assert!(echoes_prompt("You asked: What's my name?", "What's my name?", "hongming"));
        assert!(!echoes_prompt("You asked \"What's my name?\" Your name is Hongming.", "What's my name?", "hongming"));
        assert!(!echoes_prompt(&format!("{PONG}\n\nPONG"), PONG, "PONG"));
        assert!(!echoes_prompt("Your name is Hongming.", "What's my name?", "hongming"));
        assert!(!echoes_prompt("PONG", PONG, "PONG"));
    }
}
