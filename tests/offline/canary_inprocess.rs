//! The container tier's checks against the reference runtime served in this process, in
//! every reply shape it has: all pass on a healthy runtime, and each runtime fault fails
//! exactly its guard. The container tier proves the same against the image; this proves
//! it on every `cargo test`, in seconds.

use molecule_e2e::runtime::{ReplyShape, RuntimeConfig, RuntimeFault, spawn};

use crate::support::canary::{Check, CpSim, Outcome};

/// Every check's verdict against a fresh runtime in `shape` with `faults`.
async fn verdicts(shape: ReplyShape, faults: &[RuntimeFault]) -> Vec<(Check, Result<Outcome, String>)> {
    let root = std::env::temp_dir().join(format!("canary-inprocess-{}", uuid::Uuid::new_v4().simple()));
    let mut cfg = RuntimeConfig::new("canary-inprocess").with_memory_root(&root).with_reply_shape(shape).with_faults(faults.iter().copied());
    cfg.canary_mode = true;
    let rt = spawn(cfg).await.expect("runtime starts");
    let client = CpSim::new(rt.url()).strict(true);
    let mut out = Vec::new();
    for c in Check::ALL {
        out.push((c, c.run(&client).await));
    }
    rt.stop().await;
    if let Err(e) = std::fs::remove_dir_all(&root) {
        panic!("cannot remove {}: {e}", root.display());
    }
    out
}

#[tokio::test]
async fn every_check_passes_against_a_healthy_runtime_in_every_reply_shape() {
    for shape in ReplyShape::ALL {
        for (c, v) in verdicts(shape, &[]).await {
            assert!(matches!(v, Ok(Outcome::Passed(_))), "{} replies: {c} {v:?}", shape.name());
        }
    }
}

/// One case per reply shape, so the shapes run on separate test threads.
#[rstest::rstest]
#[case::task(ReplyShape::Task)]
#[case::message(ReplyShape::Message)]
#[case::open_task(ReplyShape::OpenTask)]
#[tokio::test]
async fn each_runtime_fault_fails_exactly_its_guard_in_every_reply_shape(#[case] shape: ReplyShape) {
    assert_eq!(ReplyShape::ALL.len(), 3, "a new reply shape needs a case here");
    let mut wrong = Vec::new();
    for fault in RuntimeFault::ALL {
        let guard = Check::guarding(fault.name()).unwrap_or_else(|| panic!("{fault} has no guard"));
        for (c, v) in verdicts(shape, &[fault]).await {
            let failed = v.is_err();
            if failed != (c == guard) {
                wrong.push(format!("{fault} ({} replies): {c} {v:?}", shape.name()));
            }
        }
    }
    assert!(wrong.is_empty(), "faults not caught exactly by their guards:\n{}", wrong.join("\n"));
}
