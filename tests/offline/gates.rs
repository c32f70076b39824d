//! The token gates (PONG, PINEAPPLE, CHILD_PONG, WOKE): an answer counts only when the
//! protocol makes it the agent's (a message from the agent, or a task in state `completed`),
//! when it does not merely repeat the prompt, and every refusal carries the evidence: the
//! call and HTTP status, a JSON-RPC error's code and message, a task's state and status
//! message.

use rstest::rstest;
use serde_json::{Value, json};

use molecule_e2e::a2a::Reply;
use molecule_e2e::error::{Call, Promise};
use molecule_e2e::scenario::common::{Asked, KNOWN_ANSWER_PROMPT, PONG_PROMPT, echoes_prompt, expect_token};

fn asked(body: Value, prompt: &str) -> Asked {
    asked_with_status(200, body, prompt)
}

fn asked_with_status(status: u16, body: Value, prompt: &str) -> Asked {
    let reply = Reply::parse(status, &body).unwrap_or_else(|e| panic!("{body} should parse: {e}"));
    Asked { reply, prompt: prompt.into(), call: Call::new("a2a", "POST", "/workspaces/ws-1/a2a"), status, attempts: 1, queued: Vec::new() }
}

fn message(role: &str, text: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": "e2e-msg-1", "result": {
        "kind": "message", "messageId": "m-1", "role": role, "parts": [{"kind": "text", "text": text}]
    }})
}

fn task(state: &str, artifact_text: Option<&str>, status_text: Option<&str>) -> Value {
    let mut status = json!({"state": state});
    if let Some(t) = status_text {
        status["message"] = json!({"kind": "message", "role": "agent", "messageId": "s-1", "parts": [{"kind": "text", "text": t}]});
    }
    let artifacts = match artifact_text {
        Some(t) => json!([{"artifactId": "a-1", "parts": [{"kind": "text", "text": t}]}]),
        None => json!([]),
    };
    json!({"jsonrpc": "2.0", "id": "e2e-msg-1", "result": {
        "kind": "task", "id": "t-1", "contextId": "c-1", "status": status, "artifacts": artifacts,
        "history": [{"kind": "message", "role": "user", "messageId": "u-1", "parts": [{"kind": "text", "text": PONG_PROMPT}]}]
    }})
}

#[track_caller]
fn refused(a: &Asked, token: &str, promise: Promise, must_say: &[&str]) {
    let e = expect_token(a, token, promise).expect_err("the gate must refuse this answer");
    assert_eq!(e.promise(), Some(promise), "{e}");
    let text = e.to_string();
    for part in must_say {
        assert!(text.contains(part), "the failure should say {part:?}: {text}");
    }
}

#[rstest]
#[case::a_message_from_the_agent(message("agent", "PONG"))]
#[case::a_1_0_message(json!({"jsonrpc": "2.0", "id": 1, "result": {"message": {"messageId": "m", "role": "ROLE_AGENT", "parts": [{"text": "PONG"}]}}}))]
#[case::a_completed_task_in_its_artifact(task("completed", Some("PONG"), None))]
#[case::a_completed_task_in_its_status_message(task("completed", None, Some("PONG")))]
#[case::a_1_0_completed_task(json!({"jsonrpc": "2.0", "id": 1, "result": {"task": {"id": "t", "status": {"state": "TASK_STATE_COMPLETED"}, "artifacts": [{"artifactId": "a", "parts": [{"text": "PONG"}]}]}}}))]
#[case::a_sentence_around_the_token(message("agent", "Sure. PONG"))]
fn an_agent_answer_with_the_token_passes(#[case] body: Value) {
    assert!(expect_token(&asked(body, PONG_PROMPT), "PONG", Promise::A2aAnswersPong).is_ok());
}

#[rstest]
#[case::working("working")]
#[case::failed("failed")]
#[case::submitted("submitted")]
#[case::input_required("input-required")]
#[case::canceled("canceled")]
#[case::unknown("no-such-state")]
fn a_task_counts_only_when_completed(#[case] state: &str) {
    let a = asked(task(state, Some("PONG"), Some("agent crashed while thinking")), PONG_PROMPT);
    let want_state = if state == "no-such-state" { "no-such-state" } else { state };
    refused(&a, "PONG", Promise::A2aAnswersPong, &[
        &format!("state `{want_state}`, not `completed`"),
        "\"agent crashed while thinking\"",
        "a2a (POST /workspaces/ws-1/a2a) answered HTTP 200",
    ]);
}

#[test]
fn a_task_without_a_state_is_unknown_and_refused() {
    let body = json!({"jsonrpc": "2.0", "id": 1, "result": {"kind": "task", "id": "t-9", "status": {}, "artifacts": [
        {"parts": [{"kind": "text", "text": "PINEAPPLE"}]}
    ]}});
    refused(&asked(body, KNOWN_ANSWER_PROMPT), "PINEAPPLE", Promise::KnownAnswer, &["state `unknown`", "status message none"]);
}

#[rstest]
#[case::pong_whole(PONG_PROMPT, "PONG", Promise::A2aAnswersPong, PONG_PROMPT)]
#[case::pong_tail(PONG_PROMPT, "PONG", Promise::A2aAnswersPong, "please respond with exactly the single token: PONG")]
#[case::pineapple_whole(KNOWN_ANSWER_PROMPT, "PINEAPPLE", Promise::KnownAnswer, KNOWN_ANSWER_PROMPT)]
#[case::pineapple_head(KNOWN_ANSWER_PROMPT, "PINEAPPLE", Promise::KnownAnswer, "You said: reply with exactly the word PINEAPPLE")]
#[case::pineapple_tail(KNOWN_ANSWER_PROMPT, "PINEAPPLE", Promise::KnownAnswer, "PINEAPPLE and nothing else")]
#[case::echo_agent_format(KNOWN_ANSWER_PROMPT, "PINEAPPLE", Promise::KnownAnswer, "echo: text='Reply with exactly the word PINEAPPLE and nothing else.'")]
fn an_echo_of_the_prompt_does_not_pass_the_gate(
    #[case] prompt: &str,
    #[case] token: &str,
    #[case] promise: Promise,
    #[case] echo: &str,
) {
    assert!(echoes_prompt(echo, prompt, token), "{echo:?} is an echo of {prompt:?}");
    refused(&asked(message("agent", echo), prompt), token, promise, &["echoes the prompt"]);
    refused(&asked(task("completed", Some(echo), None), prompt), token, promise, &["echoes the prompt"]);
}

#[rstest]
#[case::bare("PINEAPPLE")]
#[case::with_punctuation("PINEAPPLE.")]
#[case::in_a_sentence("The word is PINEAPPLE")]
#[case::token_twice_once_free("PINEAPPLE and nothing else. PINEAPPLE")]
fn an_answer_is_not_an_echo(#[case] text: &str) {
    assert!(!echoes_prompt(text, KNOWN_ANSWER_PROMPT, "PINEAPPLE"), "{text:?}");
}

#[test]
fn the_prompt_returned_as_a_user_message_is_refused() {
    let a = asked(message("user", "PONG"), PONG_PROMPT);
    refused(&a, "PONG", Promise::A2aAnswersPong, &["`user` message", "role user"]);
}

#[test]
fn a_json_rpc_error_names_code_message_call_and_status() {
    let body = json!({"jsonrpc": "2.0", "id": "e2e-msg-1", "error": {"code": -32603, "message": "Internal error", "data": {"detail": "model down"}}});
    refused(&asked(body, PONG_PROMPT), "PONG", Promise::A2aAnswersPong, &[
        "JSON-RPC error -32603 \"Internal error\"",
        "data {\"detail\":\"model down\"}",
        "a2a (POST /workspaces/ws-1/a2a) answered HTTP 200",
    ]);
}

#[test]
fn an_empty_completed_task_names_its_state_and_artifacts() {
    refused(&asked(task("completed", Some(""), None), PONG_PROMPT), "PONG", Promise::A2aAnswersPong, &[
        "the task carries no text",
        "task t-1 in state `completed`",
        "1 artifact(s)",
    ]);
}

#[test]
fn a_wrong_answer_names_what_came_back() {
    refused(&asked(task("completed", Some("MANGO"), None), KNOWN_ANSWER_PROMPT), "PINEAPPLE", Promise::KnownAnswer, &[
        "asked for exactly PINEAPPLE, got \"MANGO\"",
        "state `completed`",
    ]);
}

#[rstest]
#[case::queued(
    200,
    json!({"status": "queued", "delivery_mode": "poll", "method": "message/send"}),
    "the poll-mode queued envelope (status \"queued\", delivery_mode \"poll\""
)]
#[case::waking(
    503,
    json!({"error": "workspace is waking from hibernation", "waking": true, "retry_after": 15}),
    "waking (retry_after Some(15)): \"workspace is waking from hibernation\""
)]
#[case::busy(
    202,
    json!({"queued": true, "queue_id": "q-7", "queue_depth": 2, "message": "agent busy"}),
    "busy (queue_id Some(\"q-7\"), queue_depth Some(2)): \"agent busy\""
)]
fn a_platform_answer_is_no_answer_and_says_which(#[case] status: u16, #[case] body: Value, #[case] evidence: &str) {
    let a = asked_with_status(status, body, PONG_PROMPT);
    refused(&a, "PONG", Promise::A2aAnswersPong, &[evidence, &format!("answered HTTP {status}")]);
}

#[test]
fn error_markers_still_fail_the_gate() {
    let a = asked(task("completed", Some("PINEAPPLE (Agent error: quota)"), None), KNOWN_ANSWER_PROMPT);
    refused(&a, "PINEAPPLE", Promise::KnownAnswer, &["error markers [\"Agent error\"]"]);
}
