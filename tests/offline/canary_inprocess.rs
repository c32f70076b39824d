//! The container tier's checks against the reference runtime served in this process, in
//! every reply shape and every layout it has: all pass on a healthy runtime, each found by
//! its card alone; a runtime that does not offer MCP gets that check "not applicable"; and
//! each runtime fault fails exactly its guard. The container tier proves the same against
//! the image; this proves it on every `cargo test`, in seconds.

use molecule_e2e::runtime::{Layout, ReplyShape, RuntimeConfig, RuntimeFault, spawn};

use crate::support::canary::{Check, CpSim, Failure, Outcome};

/// The runtime notices a hang-up at its next stream tick (20 ms): a third of a second is
/// room for a loaded machine, and the stream faults' runs wait out no more than that.
const IN_PROCESS_CANCEL: std::time::Duration = std::time::Duration::from_millis(300);

/// Where the runtimes keep their memory: in RAM where the machine offers it. Every fact is a
/// file, and on a disk filesystem creating the fault runs' hundreds of them was a tenth of
/// the offline tier's CPU.
fn scratch() -> std::path::PathBuf {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() { shm.to_owned() } else { std::env::temp_dir() }
}

/// Every check's verdict against a fresh runtime started from `cfg` (canary mode, its own
/// memory root).
async fn verdicts_of(cfg: RuntimeConfig) -> Vec<(Check, Result<Outcome, Failure>)> {
    let root = scratch().join(format!("canary-inprocess-{}", uuid::Uuid::new_v4().simple()));
    let mut cfg = cfg.with_memory_root(&root);
    cfg.canary_mode = true;
    let rt = spawn(cfg).await.expect("runtime starts");
    let client = CpSim::new(rt.url()).with_cancel_deadline(IN_PROCESS_CANCEL);
    let mut out = Vec::new();
    for c in Check::ALL {
        out.push((c, c.run(&client).await));
    }
    rt.stop().await;
    // A runtime that never reached its memory (no card to find it by) made no root.
    match std::fs::remove_dir_all(&root) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("cannot remove {}: {e}", root.display()),
        _ => {}
    }
    out
}

fn runtime(shape: ReplyShape, faults: &[RuntimeFault]) -> RuntimeConfig {
    RuntimeConfig::new("canary-inprocess").with_reply_shape(shape).with_faults(faults.iter().copied())
}

#[tokio::test]
async fn every_check_passes_against_a_healthy_runtime_in_every_reply_shape() {
    let mut runs = tokio::task::JoinSet::new();
    for shape in ReplyShape::ALL {
        runs.spawn(async move { (shape, verdicts_of(runtime(shape, &[])).await) });
    }
    while let Some(joined) = runs.join_next().await {
        let (shape, verdicts) = joined.expect("a shape run panicked");
        for (c, v) in verdicts {
            assert!(matches!(v, Ok(Outcome::Passed(_))), "{} replies: {c} {v:?}", shape.name());
        }
    }
}

/// A stock a2a-sdk layout (JSON-RPC at `/`, the card at the well-known path only) and the
/// template images' (`/a2a`, the card at `/agent-card` only) are judged the same: every check
/// passes, and the agent-card diagnostic says where the card sent it.
#[rstest::rstest]
#[case::root(Layout::Root, "card at /.well-known/agent-card.json", "/; ")]
#[case::under_a2a(Layout::A2aPath, "card at /agent-card", "/a2a; ")]
#[case::both(Layout::Both, "card at /.well-known/agent-card.json", "/; ")]
#[tokio::test]
async fn a_runtime_is_found_by_its_card_and_judged_the_same_in_every_layout(#[case] layout: Layout, #[case] card: &str, #[case] a2a_path: &str) {
    for (c, v) in verdicts_of(runtime(ReplyShape::Task, &[]).with_layout(layout)).await {
        assert!(matches!(v, Ok(Outcome::Passed(_))), "{} layout: {c} {v:?}", layout.name());
        if let (Check::AgentCard, Ok(Outcome::Passed(how))) = (c, &v) {
            assert!(how.starts_with(card) && how.contains(a2a_path), "{} layout: {how}", layout.name());
        }
    }
}

/// MCP is not part of A2A: a runtime whose card does not offer it gets the recall check
/// "not applicable", with the reason; every other check passes.
#[tokio::test]
async fn a_runtime_whose_card_offers_no_mcp_gets_the_recall_check_not_applicable() {
    for (c, v) in verdicts_of(runtime(ReplyShape::Task, &[]).with_layout(Layout::Root).with_mcp(false)).await {
        match c {
            Check::RecallUnknownKey => {
                assert!(matches!(&v, Ok(Outcome::NotApplicable(why)) if why.contains("offers no MCP")), "{v:?}")
            }
            _ => assert!(matches!(v, Ok(Outcome::Passed(_))), "{c} {v:?}"),
        }
    }
}

/// One case per reply shape, so they run on separate threads, and the root layout once (a
/// fault run is the costliest thing `cargo test` does, so it rides on a shape's case rather
/// than a fourth). Not `/a2a` alone: there a runtime without its card cannot be found at all,
/// so `agent-card-missing` rightly fails every check (the layout test covers that layout).
#[rstest::rstest]
#[case::task(ReplyShape::Task, Layout::Both)]
#[case::message_at_the_root(ReplyShape::Message, Layout::Root)]
#[case::open_task(ReplyShape::OpenTask, Layout::Both)]
#[tokio::test]
async fn each_runtime_fault_fails_exactly_its_guard_in_every_reply_shape(#[case] shape: ReplyShape, #[case] layout: Layout) {
    assert_eq!(ReplyShape::ALL.len(), 3, "a new reply shape needs a case here");
    // Concurrently: the stream faults each wait out a deadline, and the inner loop stays fast.
    let mut runs = tokio::task::JoinSet::new();
    for fault in RuntimeFault::ALL {
        runs.spawn(async move { (fault, verdicts_of(runtime(shape, &[fault]).with_layout(layout)).await) });
    }
    let mut wrong = Vec::new();
    while let Some(joined) = runs.join_next().await {
        let (fault, verdicts) = joined.expect("a fault run panicked");
        let guards = Check::guarding_all(fault);
        assert!(!guards.is_empty(), "{fault} has no guard");
        for (c, v) in verdicts {
            if v.is_err() != guards.contains(&c) {
                wrong.push(format!("{fault} ({} replies, {} layout): {c} {v:?}", shape.name(), layout.name()));
            }
        }
    }
    assert!(wrong.is_empty(), "faults not caught exactly by their guards:\n{}", wrong.join("\n"));
}
