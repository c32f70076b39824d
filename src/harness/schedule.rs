//! The order in which cases waiting for room in a run's org start (issue 22): under
//! `E2E_MAX_WORKSPACES` the first waiting case in this order goes next, even when a later one
//! would fit now, so that a case needing two slots is not starved by one-slot cases and the
//! long cases do not all end up last.
//!
//! The order is data, not a rule, one per platform generation: `bench/plan.py` computes it
//! from the shapes a run measured (each case's slots at its start, and when it gave each
//! back: the room's events of an uncapped `bench/footprint.sh` run), by searching for the
//! order whose schedule under a cap of 3 ends first, as CI suites order their tests by recorded durations. It is robust to the
//! durations drifting (bench/README.md); a case it does not name goes after every case it
//! names, in name order.

use crate::generation::Generation;

/// The rank of a case its order does not name: after every case it names (the room's queue
/// files carry ranks in four digits, so none is higher).
pub const UNPLANNED: usize = 9999;

/// Each generation's order (`schedule/<commit>.txt`: one case name per line, first first; `#`
/// starts a comment), planned on a run against that generation, whose cases differ.
pub const ORDERS: &[(&str, &str)] =
    &[("41409fb2", include_str!("schedule/41409fb2.txt")), ("aeec8e47", include_str!("schedule/aeec8e47.txt"))];

/// The case names of an order, first first.
pub fn names(order: &str) -> impl Iterator<Item = &str> {
    order.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Where `case` stands in the order planned for `platform` (the newest order for a generation
/// with none of its own; a case not in it: after all that are).
pub fn rank(case: &str, platform: &Generation) -> usize {
    let order = ORDERS.iter().find(|(commit, _)| *commit == platform.commit).unwrap_or(&ORDERS[ORDERS.len() - 1]).1;
    names(order).position(|l| l == case).unwrap_or(UNPLANNED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_the_schedule_does_not_name_goes_after_every_case_it_names() {
        for g in crate::generation::GENERATIONS {
            let (_, order) = ORDERS.iter().find(|(c, _)| *c == g.commit).expect("every generation has its order");
            let named = names(order).count();
            assert!(named > 0, "the order for {} names no case", g.commit);
            assert!(rank("no::such::case", g) >= named);
        }
    }

    /// `bench/plan.py` states how many cases it planned: a file cut short (a closed pipe)
    /// would leave its last cases unplanned, waiting behind all the others.
    #[test]
    fn each_order_names_as_many_cases_as_its_header_says_were_planned() {
        for (commit, order) in ORDERS {
            let said = order.split_once(" cases, ").map(|(head, _)| head.rsplit('(').next().unwrap_or("").parse::<usize>());
            let Some(Ok(said)) = said else { panic!("schedule/{commit}.txt: no \"(<n> cases\" in its header") };
            assert_eq!(names(order).count(), said, "schedule/{commit}.txt is cut short: rerun bench/plan.py");
        }
    }
}
