//! The canaries' pass rules as (reply, verdict) tables (issue 13): the replies real
//! runtimes gave, each reference-runtime fault's own reply (produced by the runtime's
//! answerer, not retyped), replies that quote the file's content or name, and every reply
//! shape A2A allows. A change to a rule shows up here as a changed verdict.

use molecule_e2e::runtime::{FilePart, RuntimeConfig, RuntimeFault, Turn, answer};
use serde_json::json;

use crate::support::canary::{Check, PONG_PROMPT};
use crate::support::verdict::{self, CanaryFile, Rejection, ReplyShape, Spelling, judge_caption, judge_file_only, judge_token};

const STATUS_NAME: &str = "canary-0a1b2c3d.txt";
const DOC_NAME: &str = "canary-doc-0a1b2c3d.txt";

fn file_part(f: &CanaryFile) -> FilePart {
    FilePart {
        name: f.name.clone(),
        mime_type: "text/plain".into(),
        bytes: Some(f.body.clone().into_bytes()),
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
fn verdicts(rule: impl Fn(&str) -> Result<(), Rejection>, table: &[(&str, bool)]) {
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
fn canary_3_passes_a_reply_carrying_a_fact_only_the_file_holds_and_fails_any_other() {
    let doc = CanaryFile::quarterly(DOC_NAME, "Kavolumi", 4821);
    let healthy = runtime_reply(&[], "summarize this", &doc);
    let dropped = runtime_reply(&[RuntimeFault::CaptionDropsFile], "summarize this", &doc);
    let named_only = runtime_reply(&[RuntimeFault::ReadsOnlyFileName], "summarize this", &doc);
    verdicts(
        |r| judge_caption(r, "summarize this", &doc),
        &[
            (healthy.as_str(), true),
            (dropped.as_str(), false),
            (named_only.as_str(), false),
            ("Summary: project Kavolumi grew revenue 14% and cut churn 3%.", true),
            ("Summary of canary-doc-0a1b2c3d.txt: a quarterly review of KAVOLUMI. Please provide last week's report to compare.", true),
            ("The one action item is to ship RFC 4821 this week.", true),
            // Quotes the platform's fixed numbers, which a runtime could know without the file.
            ("Summary: revenue is up 14% and churn is down 3%.", false),
            ("Here is a summary of the attached file.", false),
            ("I don't see any file attached. Please paste the text you want summarized.", false),
            ("What would you like me to summarize?", false),
            ("Kavolumix is a typo, not the project.", false),
            ("(empty prompt — nothing to do)", false),
            ("", false),
        ],
    );
}

/// Issue 24's reply from the platform's runtime: it names the file, so it used to skip the
/// dropped-file phrases and pass.
#[test]
fn a_reply_that_names_the_file_but_not_its_content_is_a_dropped_file() {
    let doc = CanaryFile::quarterly("canary-doc-2f72d838.txt", "Kavolumi", 4821);
    let reply = "I can't open canary-doc-2f72d838.txt. Please paste the text you want summarized.";
    assert_eq!(judge_caption(reply, "summarize this", &doc), Err(Rejection::FileNotRead { names_file: true }));
    let named_only = runtime_reply(&[RuntimeFault::ReadsOnlyFileName], "summarize this", &doc);
    assert_eq!(judge_caption(&named_only, "summarize this", &doc), Err(Rejection::FileNotRead { names_file: true }));
    let dropped = runtime_reply(&[RuntimeFault::CaptionDropsFile], "summarize this", &doc);
    assert_eq!(judge_caption(&dropped, "summarize this", &doc), Err(Rejection::FileNotRead { names_file: false }));
    assert_eq!(judge_caption("Got it: \"summarize this\"", "summarize this", &doc), Err(Rejection::Echo));
}

#[test]
fn each_run_makes_up_new_facts_for_canary_3() {
    let (a, b) = (CanaryFile::quarterly_fresh("a.txt"), CanaryFile::quarterly_fresh("a.txt"));
    assert_ne!(a.facts, b.facts);
    assert!(a.facts.iter().all(|f| a.body.contains(f.as_str())), "{a:?}");
}

#[test]
fn the_exact_answer_wants_the_token_spelt_right_no_error_marker_and_no_echo() {
    let cfg = |faults: &[RuntimeFault]| RuntimeConfig::new("rules").with_faults(faults.iter().copied());
    let ask = |faults: &[RuntimeFault]| answer(&cfg(faults), &[Turn::user(PONG_PROMPT)]);
    let exact = |r: &str| judge_token(r, PONG_PROMPT, &["PONG"], Spelling::Exact);
    verdicts(
        exact,
        &[
            (ask(&[]).as_str(), true),
            (ask(&[RuntimeFault::MisspellsAnswer]).as_str(), false),
            (ask(&[RuntimeFault::ErrorMarker]).as_str(), false),
            (ask(&[RuntimeFault::EchoesPrompt]).as_str(), false),
            ("PONG.", true),
            ("pong", false),
            ("PONGS", false),
            ("Exception: PONG", false),
        ],
    );
    // Issue 24's reply: the platform's runtime behind a model that echoed.
    let echo = format!("Got it: \"{PONG_PROMPT}\"");
    assert_eq!(exact(&echo), Err(Rejection::Echo));
    assert_eq!(exact(&ask(&[RuntimeFault::EchoesPrompt])), Err(Rejection::Echo));
    assert_eq!(exact(&format!("You asked: \"{PONG_PROMPT}\". PONG")), Ok(()));
    assert_eq!(exact("PNOG"), Err(Rejection::Missing("PONG".into())));
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

/// One guard per fault, so a failure points one way; the one exception is a memory that
/// keeps nothing, which both memory canaries must catch (each alone would miss it otherwise).
#[test]
fn every_runtime_fault_has_exactly_one_guard() {
    for fault in RuntimeFault::ALL {
        let guards = Check::guarding_all(fault);
        let want = if fault == RuntimeFault::MemoryNotPersisted { 2 } else { 1 };
        assert_eq!(guards.len(), want, "{fault} is guarded by {guards:?}");
    }
}
