use molecule_e2e::a2a::error_markers;

#[rstest::rstest]
#[case::agent_error("Agent error: provider returned 500", "Agent error")]
#[case::exception("Traceback: RuntimeException raised", "Exception")]
#[case::error_result("tool returned an ERROR RESULT", "error result")]
#[case::byok("MISSING_BYOK_CREDENTIAL: set OPENAI_API_KEY", "MISSING_BYOK_CREDENTIAL")]
#[case::hermes_401("[hermes-agent error 401] unauthorized", "[hermes-agent error 401]")]
#[case::hermes_unreachable("hermes-agent unreachable at :8642", "hermes-agent unreachable")]
#[case::model_not_found("{\"code\":\"model_not_found\"}", "model_not_found")]
#[case::encrypted(
    "Encrypted content is not supported for this model",
    "Encrypted content is not supported"
)]
#[case::unknown_provider("unknown provider: foo", "Unknown provider")]
#[case::invalid_key("Invalid API key provided", "Invalid API key")]
#[case::quota("You exceeded your current quota", "exceeded your current quota")]
#[case::insufficient_quota("insufficient_quota", "insufficient_quota")]
#[case::no_text("message contained no text content", "message contained no text content")]
fn error_markers_find_each_marker(#[case] text: &str, #[case] marker: &str) {
    assert!(
        error_markers(text).contains(&marker),
        "{marker:?} not found in {text:?}: {:?}",
        error_markers(text)
    );
}

#[rstest::rstest]
#[case::pong("PONG")]
#[case::pineapple("PINEAPPLE")]
#[case::empty("")]
#[case::polite("Sure! The file canary-0000beef.txt says the project status is nominal.")]
#[case::near_misses("no errors here: the key is valid and the provider is known")]
fn error_markers_ignore_clean_answers(#[case] text: &str) {
    assert_eq!(error_markers(text), Vec::<&str>::new(), "{text:?}");
}

#[test]
fn error_markers_report_every_marker_in_list_order() {
    let text = "insufficient_quota after Agent error";
    assert_eq!(error_markers(text), ["Agent error", "insufficient_quota"]);
}
