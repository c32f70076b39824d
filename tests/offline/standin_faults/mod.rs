//! Every stand-in fault changes exactly the behaviour it names: the same scenario runs against
//! a clean stand-in and against one with the fault; the named observation differs (and is
//! what the fault promises), a neighbouring observation does not.

use std::future::Future;
use std::time::Duration;

use molecule_e2e::standin::{Delays, Fault, StandInConfig};
use reqwest::Method;
use serde_json::{Value, json};

use crate::standin_contract::kit::{As, Kit, no_runtime_delays, pong_envelope, quick};
use crate::standin_contract::{download, upload_png};

mod answers;
mod edge_cp;
mod external;
mod full_mode;
mod lifecycle;
mod today;
mod queue;

/// What a scenario saw: the behaviour the fault names, and a neighbouring one.
struct Seen {
    named: Value,
    neighbour: Value,
}

fn seen(named: Value, neighbour: Value) -> Seen {
    Seen { named, neighbour }
}

/// Run `scenario` against a clean stand-in and one with `fault` (both with `delays`),
/// concurrently; require the named observation to differ and the neighbour to agree.
/// Returns (clean, faulty) named observations for the fault-specific assertions.
async fn contrast<F, Fut>(fault: Fault, delays: Delays, scenario: F) -> (Value, Value)
where
    F: Fn(Kit) -> Fut,
    Fut: Future<Output = Seen>,
{
    contrast_at(molecule_e2e::generation::latest(), fault, delays, scenario).await
}

/// [`contrast`] on stand-ins of generation `g`.
async fn contrast_at<F, Fut>(g: &'static molecule_e2e::generation::Generation, fault: Fault, delays: Delays, scenario: F) -> (Value, Value)
where
    F: Fn(Kit) -> Fut,
    Fut: Future<Output = Seen>,
{
    let clean = StandInConfig::new().with_platform(g).with_delays(delays.clone());
    let faulty = StandInConfig::new().with_platform(g).with_delays(delays).with_fault(fault);
    let (clean_kit, faulty_kit) = tokio::join!(Kit::start(clean), Kit::start(faulty));
    let (clean_standin, faulty_standin) = (clean_kit.standin.clone(), faulty_kit.standin.clone());
    let (c, f) = tokio::join!(scenario(clean_kit), scenario(faulty_kit));
    assert_ne!(c.named, f.named, "{fault}: the named behaviour must change ({})", fault.description());
    assert_eq!(clean_standin.fault_hits(fault), 0, "{fault}: a clean stand-in counts no hit");
    assert!(faulty_standin.fault_hits(fault) > 0, "{fault}: the behaviour changed, so the fault must have counted a hit");
    assert_eq!(c.neighbour, f.neighbour, "{fault}: a neighbouring behaviour must not change");
    (c.named, f.named)
}

fn fast() -> Delays {
    quick()
}

async fn online_platform_ws(kit: &Kit) -> String {
    let (id, _) = kit.platform_ws("E2E Parent").await;
    kit.wait_online(&id).await;
    id
}

async fn a2a(kit: &Kit, id: &str) -> Value {
    let r = kit.pong(id).await;
    json!({"status": r.status, "body": r.json})
}

// Every fault has a contrast test here: `extending::a_new_fault_has_its_stand_in_rule_and_contrast_test`.

#[tokio::test]
async fn requests_for_workspace_counts_only_the_requests_that_concern_that_workspace() {
    let kit = Kit::start(StandInConfig::reference().with_delays(no_runtime_delays())).await;
    let (one, token) = kit.external_ws("E2E One", "external").await;
    let (two, _) = kit.external_ws("E2E Two", "external").await;
    let before = (kit.standin.requests_for_workspace(&one), kit.standin.requests_for_workspace(&two));
    kit.row(&one).await;
    kit.row(&one).await;
    kit.register_poll(&one, &token).await.expect(200);
    let after = (kit.standin.requests_for_workspace(&one), kit.standin.requests_for_workspace(&two));
    assert_eq!((after.0 - before.0, after.1 - before.1), (3, 0), "two GETs and one register concern only the first workspace");
    assert_eq!(kit.standin.requests_for_workspace("not-a-uuid"), 0);
}
