//! The order in which cases waiting for room in a run's org start (issue 22): under
//! `E2E_MAX_WORKSPACES` the first waiting case in this order goes next, even when a later one
//! would fit now, so that a case needing two slots is not starved by one-slot cases and the
//! long cases do not all end up last.
//!
//! The order is data, not a rule: `bench/plan.py` computes it from the shapes a run measured
//! (each case's slots at its start, and when it gave each back: the room's events of an
//! uncapped `bench/footprint.sh` run), by searching for the order whose schedule under a cap of
//! 3 ends first, as CI suites order their tests by recorded durations. It is robust to the
//! durations drifting (bench/README.md); a case it does not name goes after every case it
//! names, in name order.

/// `schedule.txt`: one case name per line, first first; `#` starts a comment.
const ORDER: &str = include_str!("schedule.txt");

/// Where `case` stands in the run's order (a case not in it: after all that are).
pub fn rank(case: &str) -> usize {
    ORDER
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .position(|l| l == case)
        .unwrap_or(9999)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_the_schedule_does_not_name_goes_after_every_case_it_names() {
        let named = ORDER.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).count();
        assert!(named > 0, "schedule.txt names no case");
        assert!(rank("no::such::case") >= named);
    }
}
