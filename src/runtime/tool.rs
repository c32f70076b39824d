//! The runtime's seeded tool: `fingerprint`, whose result the model cannot guess (FNV-1a of
//! its argument), so an answer that carries it proves the tool ran on the argument asked
//! for. Each call is recorded as evidence in the reply (a data part `{"toolCall": …}` in
//! the task's history, or in a bare Message's parts). The tool faults break the call, its
//! arguments or the answer's use of its result. Pure: no I/O.

use serde_json::{Value, json};

use super::{RuntimeConfig, RuntimeFault};

/// The seeded tool's name, on the card's skills and in the evidence.
pub const TOOL_NAME: &str = "fingerprint";

/// The prompt that asks for the tool on `text` (the container tier's canary sends it).
pub fn tool_prompt(text: &str) -> String {
    format!("Use the {TOOL_NAME} tool on \"{text}\" and tell me what it returns.")
}

/// One call of the tool, as the evidence records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    pub argument: String,
    pub result: String,
}

impl ToolCall {
    /// The evidence's data part content.
    pub fn evidence(&self) -> Value {
        json!({"toolCall": {"name": TOOL_NAME, "arguments": {"text": self.argument}, "result": self.result}})
    }
}

/// What a tool prompt comes to: the answer, and the call made (none when never called).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolUse {
    pub answer: String,
    pub call: Option<ToolCall>,
}

/// `fp-` and FNV-1a (32 bits) of `text` in 8 hex digits.
pub fn fingerprint(text: &str) -> String {
    let hash = text.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    format!("fp-{hash:08x}")
}

/// The tool use a prompt asks for (`… the fingerprint tool on "<text>" …`), as `cfg`'s
/// faults break it; `None` for any other prompt.
pub fn tool_use(cfg: &RuntimeConfig, prompt: &str) -> Option<ToolUse> {
    let lower = prompt.to_ascii_lowercase();
    let at = lower.find(&format!("{TOOL_NAME} tool"))?;
    let rest = &prompt[at..];
    let open = rest.find('"')? + 1;
    let asked = &rest[open..open + rest[open..].find('"')?];
    if cfg.has(RuntimeFault::ToolNeverCalled) {
        return Some(ToolUse { answer: format!("The {TOOL_NAME} of \"{asked}\" is probably fp-00000000."), call: None });
    }
    let argument = if cfg.has(RuntimeFault::ToolWrongArguments) { prompt.to_owned() } else { asked.to_owned() };
    let call = ToolCall { result: fingerprint(&argument), argument };
    let answer = if cfg.has(RuntimeFault::ToolResultIgnored) {
        format!("I ran the {TOOL_NAME} tool on \"{asked}\".")
    } else {
        format!("The {TOOL_NAME} tool returned {} for \"{asked}\".", call.result)
    };
    Some(ToolUse { answer, call: Some(call) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tool_runs_on_the_quoted_argument_and_faults_break_it() {
        assert_eq!(fingerprint(""), "fp-811c9dc5");
        assert_eq!(fingerprint("a"), "fp-e40c292c");
        let ok = tool_use(&RuntimeConfig::new("w"), &tool_prompt("x-1")).unwrap();
        assert_eq!(ok.call.as_ref().unwrap().argument, "x-1");
        assert!(ok.answer.contains(&fingerprint("x-1")), "{}", ok.answer);
        let never = tool_use(&RuntimeConfig::new("w").with_faults([RuntimeFault::ToolNeverCalled]), &tool_prompt("x-1")).unwrap();
        assert!(never.call.is_none());
        let wrong = tool_use(&RuntimeConfig::new("w").with_faults([RuntimeFault::ToolWrongArguments]), &tool_prompt("x-1")).unwrap();
        assert_ne!(wrong.call.unwrap().argument, "x-1");
        let ignored = tool_use(&RuntimeConfig::new("w").with_faults([RuntimeFault::ToolResultIgnored]), &tool_prompt("x-1")).unwrap();
        assert!(!ignored.answer.contains("fp-") && ignored.call.is_some());
        assert!(tool_use(&RuntimeConfig::new("w"), "hello").is_none());
    }
}
