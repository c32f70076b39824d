//! The workspace cap (`E2E_MAX_WORKSPACES`) and the run's footprint: a room holds at most its
//! cap across tasks and across processes, reserves a case's peak all or nothing, hands a freed
//! slot on at once, and counts what was created and the peak alive from its events.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use molecule_e2e::config::{DEFAULT_MAX_WORKSPACES, Settings};
use molecule_e2e::harness::footprint::{Footprint, Room};
// Cases no schedule names wait in name order.
use molecule_e2e::harness::schedule::UNPLANNED;

/// A room of its own for one test (a fresh org slug under the system's temp dir).
fn room(cap: usize) -> Room {
    let slug = format!("e2e-footprint-{}", uuid::Uuid::new_v4().simple());
    Room::for_org("http://127.0.0.1:1", &slug, cap)
}

fn cleanup(r: &Room) {
    let _ = std::fs::remove_dir_all(r.dir());
}

const HOLD: Duration = Duration::from_millis(100);

#[tokio::test]
async fn six_cases_in_a_room_of_two_never_hold_more_than_two_and_finish_in_three_rounds() {
    let r = room(2);
    let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..6 {
        let (r, now, peak) = (r.clone(), now.clone(), peak.clone());
        set.spawn(async move {
            let held = r.reserve(&format!("case-{i}"), 1, UNPLANNED, Duration::from_secs(5)).await.expect("room");
            let n = now.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(n, Ordering::SeqCst);
            molecule_e2e::wait::sleep_for(HOLD).await;
            now.fetch_sub(1, Ordering::SeqCst);
            drop(held);
        });
    }
    while set.join_next().await.is_some() {}
    let took = started.elapsed();
    assert_eq!(peak.load(Ordering::SeqCst), 2, "the cap held and was used");
    // Three rounds of 100 ms is the best a cap of two allows; a freed slot is taken within
    // the room's 250 ms look ceiling at worst, far sooner at its 20 ms floor.
    assert!(took < 3 * HOLD + Duration::from_millis(250), "took {took:?}");
    assert_eq!(r.footprint().peak_held, 2, "the events agree");
    cleanup(&r);
}

#[tokio::test]
async fn a_case_reserves_its_peak_all_or_nothing_so_a_smaller_case_passes_it() {
    let r = room(3);
    let first = r.reserve("parent-and-child", 2, UNPLANNED, Duration::from_secs(1)).await.expect("two of three");
    // Two more do not fit: the reservation waits instead of taking the one free slot.
    let waited = r.reserve("another-pair", 2, UNPLANNED, Duration::from_millis(200)).await.expect_err("no room for two");
    assert!(waited.to_string().contains("room for 2 workspace(s) of another-pair under E2E_MAX_WORKSPACES=3"), "{waited}");
    let single = r.reserve("single", 1, UNPLANNED, Duration::from_millis(200)).await.expect("the free slot");
    drop((first, single));
    cleanup(&r);
}

#[tokio::test]
async fn a_case_needing_more_than_the_cap_fails_at_once_naming_both() {
    let r = room(1);
    let e = r.reserve("arm::hermes", 2, UNPLANNED, Duration::from_secs(5)).await.expect_err("above the cap");
    assert!(e.to_string().contains("needs 2 workspaces alive at once, above E2E_MAX_WORKSPACES=1"), "{e}");
    cleanup(&r);
}

#[tokio::test]
async fn a_slot_held_by_another_process_is_waited_for() {
    let r = room(1);
    let _ = r.reserve("probe", 1, UNPLANNED, Duration::from_secs(1)).await.expect("creates the slot file");
    // Another process (flock(1), the same lock as ours) holds the only slot for 300 ms.
    let mut other = std::process::Command::new("flock")
        .args(["-x", &r.dir().join("slot-0").display().to_string(), "sleep", "0.3"])
        .spawn()
        .expect("flock(1) from util-linux");
    let started = Instant::now();
    let seen_held = loop {
        // Wait until the other process has the lock (it starts asynchronously).
        match r.reserve("probe", 1, UNPLANNED, Duration::from_millis(1)).await {
            Ok(held) if started.elapsed() < Duration::from_secs(2) => drop(held),
            Ok(_) => break false,
            Err(_) => break true,
        }
    };
    assert!(seen_held, "the other process never held the slot");
    let held = r.reserve("case-a", 1, UNPLANNED, Duration::from_secs(5)).await.expect("room once the other process let go");
    assert!(started.elapsed() >= Duration::from_millis(200), "did not wait: {:?}", started.elapsed());
    let _ = other.wait();
    drop(held);
    cleanup(&r);
}

#[test]
fn the_footprint_counts_workspaces_created_and_the_peak_alive_from_the_events() {
    let events = "1 + hold 2 arm::a\n2 + ws w1 arm::a\n3 + ws w2 arm::a\n5 - ws w1\n4 + hold 1 arm::b\n6 + ws w3 arm::b\n7 - ws w2\n\
                  8 - hold 2 arm::a\n9 - ws w3\n10 - hold 1 arm::b\n";
    let fp = Footprint::parse(events, 3);
    assert_eq!(fp, Footprint { created: 3, peak_alive: 2, peak_held: 3, cap: 3 });
    assert_eq!(fp.line(), "workspaces: 3 created in the run's org, at most 2 alive at once (E2E_MAX_WORKSPACES=3)");
}

#[test]
fn the_cap_defaults_to_the_platforms_provision_concurrency_and_reads_the_variable() {
    assert_eq!(Settings::hermetic().max_workspaces, DEFAULT_MAX_WORKSPACES);
    assert_eq!(DEFAULT_MAX_WORKSPACES, 3);
    let s = Settings::from_lookup(|k| (k == "E2E_MAX_WORKSPACES").then(|| "5".to_owned())).expect("valid");
    assert_eq!(s.max_workspaces, 5);
    let e = Settings::from_lookup(|k| (k == "E2E_MAX_WORKSPACES").then(|| "0".to_owned())).expect_err("refused");
    assert!(e.to_string().contains("E2E_MAX_WORKSPACES"), "{e}");
}

/// Cases the schedule does not name wait in name order (`harness::schedule`): "a-pair" is ahead.
#[tokio::test]
async fn a_case_waiting_for_two_slots_is_not_passed_by_a_later_case_that_would_fit() {
    let r = room(3);
    let holder = r.reserve("0-holder", 2, UNPLANNED, Duration::from_secs(1)).await.expect("two of three");
    let (r2, started) = (r.clone(), Instant::now());
    let pair = tokio::spawn(async move { r2.reserve("a-pair", 2, UNPLANNED, Duration::from_secs(5)).await.map(|h| (h, started.elapsed())) });
    // Until the pair has its place in line, the single could still go first.
    let lined_up = Instant::now();
    while !r.dir().join(format!("queue-{UNPLANNED:04}-a-pair")).exists() {
        assert!(lined_up.elapsed() < Duration::from_secs(5), "the pair never took its place in line");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let e = r.reserve("b-single", 1, UNPLANNED, Duration::from_millis(300)).await.expect_err("a slot is free, but the pair is ahead");
    assert!(e.to_string().contains("room for 1 workspace(s) of b-single"), "{e}");
    drop(holder);
    let (pair, waited) = pair.await.expect("joined").expect("the pair's room once the holder let go");
    assert!(waited >= Duration::from_millis(300), "the pair started after {waited:?}, before the holder let go");
    let single = r.reserve("b-single", 1, UNPLANNED, Duration::from_secs(1)).await.expect("the slot left beside the pair");
    assert_eq!(pair.held() + single.held(), 3);
    drop((pair, single));
    cleanup(&r);
}

#[tokio::test]
async fn a_case_gives_its_slots_back_one_at_a_time_and_another_case_takes_one_at_once() {
    let r = room(2);
    let mut a = r.reserve("arm::a", 2, UNPLANNED, Duration::from_secs(1)).await.expect("the whole room");
    let full = r.reserve("lifecycle::x", 1, UNPLANNED, Duration::from_millis(100)).await.expect_err("both slots held");
    assert!(full.to_string().contains("room for 1 workspace(s) of lifecycle::x"), "{full}");
    // Its child gone, the arm goes on in one slot.
    a.release_one();
    assert_eq!(a.held(), 1);
    let single = r.reserve("lifecycle::x", 1, UNPLANNED, Duration::from_millis(300)).await.expect("the slot given back");
    drop((a, single));
    let fp = r.footprint();
    assert_eq!(fp.peak_held, 2);
    cleanup(&r);
}

/// Under nextest every case is a process of its own, so no process prints the run's footprint:
/// `molecule-e2e report` counts it from the shared org's room (the same env the run had).
#[test]
fn the_report_of_a_process_per_case_run_counts_the_shared_rooms_footprint() {
    use molecule_e2e::report::{CaseRecord, Verdict};
    let slug = format!("e2e-footprint-{}", uuid::Uuid::new_v4().simple());
    let r = Room::for_org("http://127.0.0.1:1", &slug, 2);
    // Two processes' cases: a and b alive together, then c after a left the list.
    ["a", "b"].iter().for_each(|id| r.created(id, "arm::x"));
    r.gone("a");
    r.created("c", "arm::y");
    let (records, out) = (r.dir().with_extension("md.jsonl"), r.dir().with_extension("md"));
    let rec = CaseRecord {
        binary: "staging_saas".into(),
        case: "arm::hermes".into(),
        verdict: Verdict::Passed,
        secs: 1.0,
        milestones: vec![],
        state_file: None,
    };
    std::fs::write(&records, rec.to_line()).expect("records");
    let report = |slug: Option<&str>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_molecule-e2e"));
        crate::support::standin::clean_env(&mut cmd)
            .args(["report", "--records", &records.display().to_string(), "--out", &out.display().to_string()])
            .env("MOLECULE_CP_URL", "http://127.0.0.1:1/")
            .env("E2E_MAX_WORKSPACES", "2");
        slug.map(|s| cmd.env("E2E_ORG_SLUG", s));
        let done = cmd.output().expect("molecule-e2e report");
        assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
        (std::fs::read_to_string(&out).expect("summary"), String::from_utf8_lossy(&done.stderr).into_owned())
    };
    let (md, _) = report(Some(&slug));
    assert!(md.contains("**workspaces: 3 created in the run's org, at most 2 alive at once (E2E_MAX_WORKSPACES=2)**"), "{md}");
    // Another org's room has no events: the report says so instead of a made-up line.
    let (md, said) = report(Some("e2e-footprint-no-such-org"));
    assert!(!md.contains("workspaces:"), "{md}");
    assert!(said.contains("no workspace footprint line: cannot read") && said.contains("e2e-footprint-no-such-org"), "{said}");
    let _ = (std::fs::remove_file(&records), std::fs::remove_file(&out));
    cleanup(&r);
}

/// In full mode an arm that comes online reserves two slots at its start (its parent and,
/// until 10b is done, its delegation child); an arm pinned to be rejected at create never has
/// a second workspace and reserves one. On a stand-in whose creates answer 500, every arm's
/// case ends at its create.
#[tokio::test]
async fn in_full_mode_only_an_arm_that_comes_online_reserves_room_for_its_child() {
    use molecule_e2e::config::Mode;
    use molecule_e2e::harness::{Case, Target};
    use molecule_e2e::scenario::arms::{ARMS, Expectation};
    use molecule_e2e::standin::Fault;
    let s = crate::support::standin::faulty(&[Fault::CreateHtml500]).await;
    let settings = Settings { mode: Mode::Full, ..Settings::hermetic() };
    let target = Target::standin(s.url(), s.admin_token().to_owned().into(), settings, None);
    // All at once: each waits for its own org.
    let mut set = tokio::task::JoinSet::new();
    for arm in ARMS {
        let case = Case::captured(format!("arm::{}", arm.name), target.clone());
        set.spawn(async move { (arm, molecule_e2e::scenario::saas::runtime_arm(&case, arm).await.is_err(), case.needed()) });
    }
    while let Some(done) = set.join_next().await {
        let (arm, failed, needed) = done.expect("the arm's case ended");
        assert!(failed, "arm {}: every create answers 500, the case must fail", arm.name);
        let online = matches!(arm.expectation(target.settings.platform), Expectation::Online);
        assert_eq!(needed, 1 + usize::from(online), "arm {} ({:?})", arm.name, arm.expectation(target.settings.platform));
    }
}
