//! The canaries' pass rules as (reply, verdict) tables (issue 13): the replies real
//! runtimes gave, each reference-runtime fault's own reply (produced by the runtime's
//! answerer, not retyped), replies that quote the file's content or name, and every reply
//! shape A2A allows. A change to a rule shows up here as a changed verdict.

use molecule_e2e::runtime::{FilePart, RuntimeConfig, RuntimeFault, Turn, answer};
use serde_json::json;

use crate::support::canary::{Check, PONG_PROMPT};
use crate::support::verdict::{self, CanaryFile, ReplyShape, judge_caption, judge_exact, judge_file_only};

const STATUS_NAME: &str = "canary-0a1b2c3d.txt";
const DOC_NAME: &str = "canary-doc-0a1b2c3d.txt";

fn file_part(f: &CanaryFile) -> FilePart {
    FilePart {
        name: f.name.clone(),
        mime_type: "text/plain".into(),
        bytes: Some(f.body.as_bytes().to_vec()),
        size: Some(f.body.len()),
        uri: None,
    }
}

/// What the reference runtime answers to `caption` + `file`, with `faults` on.
fn runtime_reply(faults: &[RuntimeFault], caption: &str, file: &CanaryFile) -> String {
    let cfg = RuntimeConfig::new("rules").with_faults(faults.iter().copied());
    answer(&cfg, &[Turn::user(caption).with_files(vec![file_part(file)])])
}

#[track_caller]
fn verdicts(rule: impl Fn(&str) -> Result<(), String>, table: &[(&str, bool)]) {
    let wrong: Vec<String> = table
        .iter()
        .filter_map(|(reply, pass)| {
            let got = rule(reply);
            (got.is_ok() != *pass).then(|| format!("want {} for {reply:?}, got {got:?}", if *pass { "pass" } else { "fail" }))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn canary_2_passes_replies_that_engage_with_the_file_and_fails_drops() {
    let file = CanaryFile::status(STATUS_NAME);
    let healthy = runtime_reply(&[], "", &file);
    let empty_prompt = runtime_reply(&[RuntimeFault::FileOnlyEmptyPrompt], "", &file);
    verdicts(
        |r| judge_file_only(r, &file),
        &[
            (healthy.as_str(), true),
            (empty_prompt.as_str(), false),
            ("Hello! How can I help you today?", false),
            ("Hi there! What can I do for you?", false),
            ("", false),
            ("Error: message contained no text content.", false),
            ("I got canary-0a1b2c3d.txt. Should I summarize it?", true),
            ("The project status is nominal and the Lighthouse score is 98.", true),
            ("Thanks for the attachment. What would you like me to do with it?", true),
            ("What would you like me to do with this?", true),
            ("Agent error: upstream model failed (I received the file canary-0a1b2c3d.txt)", false),
        ],
    );
}

#[test]
fn canary_3_passes_a_summary_even_with_a_follow_up_question_and_fails_a_dropped_file() {
    let doc = CanaryFile::quarterly(DOC_NAME);
    let healthy = runtime_reply(&[], "summarize this", &doc);
    let dropped = runtime_reply(&[RuntimeFault::CaptionDropsFile], "summarize this", &doc);
    verdicts(
        |r| judge_caption(r, &doc),
        &[
            (healthy.as_str(), true),
            (dropped.as_str(), false),
            ("Summary: revenue is up 14% and churn is down 3%; RFC#600 ships this week.", true),
            ("Summary of canary-doc-0a1b2c3d.txt: a quarterly review. Please provide last week's report to compare.", true),
            ("Here is a summary of the attached file.", true),
            ("I don't see any file attached. Please paste the text you want summarized.", false),
            ("Please provide the document you'd like me to summarize.", false),
            ("What would you like me to summarize?", false),
            ("Sure!", false),
            ("(empty prompt — nothing to do)", false),
            ("", false),
        ],
    );
    // The reply, to the status file it quotes: a correct summary that asks for more.
    let status = CanaryFile::status("canary-5e6f7a8b.txt");
    let summary = "Summary of canary-5e6f7a8b.txt: project status is nominal, Lighthouse score 98. Please provide last week's report to compare.";
    assert_eq!(judge_caption(summary, &status), Ok(()));
}

#[test]
fn the_exact_answer_wants_the_token_spelt_right_and_no_error_marker() {
    let cfg = |faults: &[RuntimeFault]| RuntimeConfig::new("rules").with_faults(faults.iter().copied());
    let ask = |faults: &[RuntimeFault]| answer(&cfg(faults), &[Turn::user(PONG_PROMPT)]);
    verdicts(
        |r| judge_exact(r, "PONG"),
        &[
            (ask(&[]).as_str(), true),
            (ask(&[RuntimeFault::MisspellsAnswer]).as_str(), false),
            (ask(&[RuntimeFault::ErrorMarker]).as_str(), false),
            ("PONG.", true),
            ("pong", false),
            ("PONGS", false),
            ("Exception: PONG", false),
        ],
    );
}

#[test]
fn every_reply_shape_a_runtime_may_use_yields_its_answer() {
    let msg = json!({"kind": "message", "role": "agent", "messageId": "m", "contextId": "c", "parts": [{"kind": "text", "text": "PONG"}]});
    let in_artifact = json!({"kind": "task", "id": "t", "contextId": "c", "status": {"state": "completed"},
        "artifacts": [{"artifactId": "a", "parts": [{"kind": "text", "text": "PONG"}]}]});
    let in_status = json!({"kind": "task", "id": "t", "contextId": "c", "status": {"state": "input-required",
        "message": {"kind": "message", "role": "agent", "messageId": "m", "parts": [{"kind": "text", "text": "PONG"}]}}});
    let no_kind = json!({"role": "agent", "messageId": "m", "parts": [{"kind": "text", "text": "PONG"}]});
    for result in [&msg, &in_artifact, &in_status, &no_kind] {
        let reply = verdict::read_result(result).unwrap();
        assert_eq!(verdict::answer_of(&reply), Ok("PONG"), "{result}");
    }
    let both = json!({"kind": "task", "id": "t", "contextId": "c",
        "status": {"state": "completed", "message": {"kind": "message", "role": "agent", "messageId": "m", "parts": [{"kind": "text", "text": "done"}]}},
        "artifacts": [{"artifactId": "a", "parts": [{"kind": "text", "text": "PONG"}]}]});
    assert_eq!(verdict::answer_of(&verdict::read_result(&both).unwrap()), Ok("PONG\ndone"));
}

#[test]
fn a_task_that_ended_without_an_answer_fails_whatever_it_says() {
    for state in ["failed", "canceled", "rejected", "auth-required", "unknown"] {
        let task = json!({"kind": "task", "id": "t", "contextId": "c", "status": {"state": state},
            "artifacts": [{"artifactId": "a", "parts": [{"kind": "text", "text": "PONG"}]}]});
        let reply = verdict::read_result(&task).unwrap();
        assert!(verdict::answer_of(&reply).unwrap_err().contains(state), "{state}");
    }
    assert!(matches!(verdict::read_result(&json!({"kind": "task", "id": "t", "status": {"state": "working"}})),
        Ok(ReplyShape::Task { state, .. }) if verdict::PENDING_STATES.contains(&state.as_str())));
    assert!(verdict::read_result(&json!({"answer": "PONG"})).is_err());
    let empty = json!({"kind": "task", "id": "t", "contextId": "c", "status": {"state": "completed"}});
    assert!(verdict::answer_of(&verdict::read_result(&empty).unwrap()).is_err());
}

#[test]
fn every_runtime_fault_has_exactly_one_guard() {
    for fault in RuntimeFault::ALL {
        let guards: Vec<Check> = Check::ALL.into_iter().filter(|c| c.guards().contains(&fault.name())).collect();
        assert_eq!(guards.len(), 1, "{fault} is guarded by {guards:?}");
    }
    let named: Vec<&str> = Check::ALL.iter().flat_map(|c| c.guards().iter().copied()).collect();
    for name in named {
        assert!(name.parse::<RuntimeFault>().is_ok(), "a check guards {name}, which is no runtime fault");
    }
}

mod strict_mcp {
    use serde_json::json;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use crate::support::canary::{Check, CpSim, Outcome};

    /// `/mcp` answering `res`; the recall diagnostic's outcome, strict and lax.
    async fn recall_against(res: ResponseTemplate) -> (Result<Outcome, String>, Result<Outcome, String>) {
        let server = MockServer::start().await;
        Mock::given(method("POST")).and(path("/mcp")).respond_with(res).mount(&server).await;
        let strict = Check::RecallUnknownKey.run(&CpSim::new(server.uri()).strict(true)).await;
        let lax = Check::RecallUnknownKey.run(&CpSim::new(server.uri()).strict(false)).await;
        (strict, lax)
    }

    fn rpc_error(code: i64) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_json(json!({"jsonrpc": "2.0", "id": "x", "error": {"code": code, "message": "boom"}}))
    }

    #[tokio::test]
    async fn a_crash_fails_under_strict_mcp_and_is_a_loud_skip_otherwise() {
        for (what, res) in [("a 500", ResponseTemplate::new(500)), ("an internal error", rpc_error(-32603))] {
            let (strict, lax) = recall_against(res).await;
            assert!(strict.as_ref().is_err_and(|e| e.contains("crashed")), "{what}: {strict:?}");
            assert!(matches!(&lax, Ok(Outcome::Skipped(w)) if w.contains("CANARY_STRICT_MCP=1")), "{what}: {lax:?}");
        }
        // A dropped connection: nothing listens on the port any more.
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port");
        let strict = Check::RecallUnknownKey.run(&CpSim::new(format!("http://127.0.0.1:{port}")).strict(true)).await;
        assert!(strict.is_err(), "{strict:?}");
    }

    #[tokio::test]
    async fn a_missing_endpoint_or_tool_is_a_skip_naming_the_status_even_when_strict() {
        for (what, res, names) in [
            ("no /mcp", ResponseTemplate::new(404), "404"),
            ("no such tool", rpc_error(-32602), "-32602"),
        ] {
            let (strict, _) = recall_against(res).await;
            assert!(matches!(&strict, Ok(Outcome::Skipped(w)) if w.contains(names)), "{what}: {strict:?}");
        }
        let ok = ResponseTemplate::new(200).set_body_json(json!({"jsonrpc": "2.0", "id": "x", "result": {"content": [{"type": "text", "text": "nothing stored"}]}}));
        assert!(matches!(recall_against(ok).await.0, Ok(Outcome::Passed(_))));
    }
}
