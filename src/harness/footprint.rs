//! What a run costs the one tenant it shares: a cap on the workspaces alive at once in the
//! run's org (`E2E_MAX_WORKSPACES`, [`crate::config::DEFAULT_MAX_WORKSPACES`]), and the count of workspaces created and the peak alive, for the run summary.
//!
//! The cap holds across the test threads of a binary and across processes (nextest runs every
//! case in a process of its own): the room is a directory per run org holding `cap` slot files,
//! and a case holds one `flock` per workspace it may have alive at once. A case reserves its
//! whole peak in one step (all or nothing, under a gate lock), so two cases can never each hold
//! part of what they need and wait for each other. The kernel releases a dead process's locks.
//! An `events` file in the same directory logs each workspace created and proven gone, so the
//! summary can count them across processes.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{E2eError, Result};
use crate::wait::{Probe, Wait};

/// The room of one run org.
#[derive(Debug, Clone)]
pub struct Room {
    dir: PathBuf,
    cap: usize,
}

/// Slots a case holds; dropping it releases them (the kernel does, should the process die).
#[derive(Debug)]
pub struct Held {
    slots: Vec<File>,
    /// How many of `slots` the case reserved at its start.
    base: usize,
    /// The right to grow by one ([`Room::try_grower`]).
    grower: Option<File>,
    room: Room,
    case: String,
}

impl Held {
    pub fn can_grow(&self) -> bool {
        self.grower.is_some()
    }

    /// Whether it holds its one extra slot already.
    pub fn grown(&self) -> bool {
        self.slots.len() > self.base
    }

    /// Keep a slot taken with [`Room::one_more`].
    pub fn add(&mut self, slot: File) {
        self.slots.push(slot);
    }

    /// How many slots it holds.
    pub fn held(&self) -> usize {
        self.slots.len()
    }

    /// Give back the extra slot (its workspace was proven gone) and the turn to grow: a case
    /// grows once, and a turn kept by a case that will not grow again would keep another
    /// growing case from starting.
    pub fn release_one(&mut self) {
        self.grower = None;
        if self.grown() && self.slots.pop().is_some() {
            self.room.log(&format!("- hold 1 {}", self.case));
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.room.log(&format!("- hold {} {}", self.slots.len(), self.case));
    }
}

/// An exclusive lock without waiting (`flock` on Unix: per open file, so two opens in one
/// process exclude each other as two processes do).
fn lock_nb(f: &File) -> bool {
    // SAFETY: flock(2) on a descriptor `f` owns and keeps open for the call; no memory is shared.
    unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

fn clean(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}

fn now_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

impl Room {
    /// The room of the org `slug` (on the platform at `cp_url`), capped at `cap`.
    pub fn for_org(cp_url: &str, slug: &str, cap: usize) -> Room {
        let host = cp_url.split("://").nth(1).unwrap_or(cp_url);
        let dir = std::env::temp_dir().join("molecule-e2e-room").join(clean(&format!("{host}-{slug}")));
        Room { dir, cap }
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn open(&self, name: &str) -> Result<File> {
        std::fs::create_dir_all(&self.dir)
            .and_then(|()| OpenOptions::new().create(true).truncate(false).write(true).open(self.dir.join(name)))
            .map_err(|e| E2eError::Unmet(format!("workspace cap: cannot open {}: {e}", self.dir.join(name).display())))
    }

    /// Take `n` free slots at once, or none, unless a case of a `behind` token family waits: a
    /// growing case waiting for its start (`want`) goes before new cases, and one waiting for
    /// its one more slot (`need`) before every start, since it holds a slot (and often an
    /// alive workspace) while it waits.
    fn try_take(&self, n: usize, behind: &[&str]) -> Result<Option<Vec<File>>> {
        let gate = self.open("gate")?;
        if !lock_nb(&gate) {
            return Ok(None);
        }
        for family in behind {
            if self.one_waits(family)? {
                return Ok(None);
            }
        }
        let mut got = Vec::with_capacity(n);
        for i in 0..self.cap {
            let slot = self.open(&format!("slot-{i}"))?;
            if lock_nb(&slot) {
                got.push(slot);
                if got.len() == n {
                    return Ok(Some(got));
                }
            }
        }
        Ok(None)
    }

    /// One of the `cap - 1` grower tokens: at most that many cases may hold part of their peak
    /// and wait for the rest, so at least one slot is always held by a case that waits for
    /// nothing (or is free): growing cannot deadlock.
    fn try_grower(&self) -> Result<Option<File>> {
        self.try_token("grow")
    }

    /// A place ahead of new cases, for a case holding a grower token while it waits.
    fn try_want(&self) -> Result<Option<File>> {
        self.try_token("want")
    }

    /// The first free `<family>-i` of the `cap - 1` tokens of that family, locked.
    fn try_token(&self, family: &str) -> Result<Option<File>> {
        for i in 0..self.cap.saturating_sub(1) {
            let token = self.open(&format!("{family}-{i}"))?;
            if lock_nb(&token) {
                return Ok(Some(token));
            }
        }
        Ok(None)
    }

    /// Whether a case holding a grower token waits (holds a `<family>-i`: `want` for its
    /// start, `need` for its one more slot).
    fn one_waits(&self, family: &str) -> Result<bool> {
        for i in 0..self.cap.saturating_sub(1) {
            // Locked and dropped at once: only whether someone else holds it matters.
            if !lock_nb(&self.open(&format!("{family}-{i}"))?) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Poll `take` (a local lock, not a platform request: often, so that a freed slot is taken
    /// at once) until it yields, for at most `timeout`; progress lines say what is awaited.
    async fn wait_for<T>(&self, what: String, timeout: Duration, take: impl Fn() -> Result<Option<T>>) -> Result<T> {
        Wait::new(what, timeout)
            .interval(Duration::from_millis(20), Duration::from_millis(250))
            .progress_every(Duration::from_secs(30))
            .until(|| async {
                Ok(match take()? {
                    Some(v) => Probe::Ready(v),
                    None => Probe::Pending("every slot held by other cases".into()),
                })
            })
            .await
    }

    /// Reserve room for `n` workspaces alive at once for `case` (all or nothing), and with
    /// `grow` the right to one more later ([`Room::one_more`]); wait at most `timeout` for it.
    /// A peak above the cap is an error naming both.
    pub async fn reserve(&self, case: &str, n: usize, grow: bool, timeout: Duration) -> Result<Held> {
        let peak = n + usize::from(grow);
        if peak > self.cap {
            return Err(E2eError::Unmet(format!(
                "{case} needs {peak} workspaces alive at once, above E2E_MAX_WORKSPACES={}: raise the cap to at least {peak}",
                self.cap
            )));
        }
        let what = format!("room for {n} workspace(s) of {case} under E2E_MAX_WORKSPACES={}", self.cap);
        let (grower, slots) = if grow {
            // A growing case is a long one (a full arm): it goes ahead of new short cases for
            // its start too, so the long cases do not all end up last (the schedule's tail).
            let grower = self.wait_for(format!("a turn to grow for {case}"), timeout, || self.try_grower()).await?;
            let want = self.wait_for(format!("{case}'s place ahead of new cases"), timeout, || self.try_want()).await?;
            let slots = self.wait_for(what, timeout, || self.try_take(n, &["need"])).await?;
            drop(want);
            (Some(grower), slots)
        } else {
            (None, self.wait_for(what, timeout, || self.try_take(n, &["want", "need"])).await?)
        };
        self.log(&format!("+ hold {n} {case}"));
        Ok(Held { base: slots.len(), slots, grower, room: self.clone(), case: case.to_owned() })
    }

    /// One more slot for `case`, which holds a grower token (waits at most `timeout`, ahead
    /// of every case waiting for its start: in a room of 3, two growing arms each holding one
    /// slot, a third arm starting in the free one would leave both waiting for a whole arm).
    pub async fn one_more(&self, case: &str, timeout: Duration) -> Result<File> {
        let what = format!("room for one more workspace of {case} under E2E_MAX_WORKSPACES={}", self.cap);
        let need = self.wait_for(format!("{case}'s place ahead of every start"), timeout, || self.try_token("need")).await?;
        let mut slots = self.wait_for(what, timeout, || self.try_take(1, &[])).await?;
        drop(need);
        self.log(&format!("+ hold 1 {case}"));
        slots.pop().ok_or_else(|| E2eError::Unmet("workspace cap: a slot taken is missing".into()))
    }

    /// `case` created workspace `id` in this org (the case named, so a benchmark can read
    /// each case's shape from the log: `bench/footprint.sh`).
    pub fn created(&self, id: &str, case: &str) {
        self.log(&format!("+ ws {id} {case}"));
    }

    /// A case saw workspace `id` leave the org's list.
    pub fn gone(&self, id: &str) {
        self.log(&format!("- ws {id}"));
    }

    fn log(&self, event: &str) {
        // One short line per write with O_APPEND: lines of concurrent processes do not mix.
        let written = self.open_events().and_then(|mut f| f.write_all(format!("{} {event}\n", now_ms()).as_bytes()));
        if let Err(e) = written {
            crate::harness::loud(&format!("workspace footprint: cannot log {event:?}: {e}"));
        }
    }

    fn open_events(&self) -> std::io::Result<File> {
        std::fs::create_dir_all(&self.dir)?;
        OpenOptions::new().create(true).append(true).open(self.dir.join("events"))
    }

    /// The footprint logged so far.
    pub fn footprint(&self) -> Footprint {
        Footprint::parse(&std::fs::read_to_string(self.dir.join("events")).unwrap_or_default(), self.cap)
    }
}

/// The summary's footprint line for a run whose processes shared the room of the org `slug`
/// at `cp_url` (nextest: a process per case, so no one process saw the whole run), counted
/// from the room's events; `Err` says why there is none.
pub fn shared_run_line(cp_url: Option<&str>, slug: Option<&str>, cap: usize) -> std::result::Result<String, String> {
    let (Some(cp_url), Some(slug)) = (cp_url, slug) else {
        return Err("no run org shared by processes (MOLECULE_CP_URL and E2E_ORG_SLUG unset): \
                    each test process printed its own footprint"
            .into());
    };
    let room = Room::for_org(cp_url, slug, cap);
    let path = room.dir().join("events");
    match std::fs::read_to_string(&path) {
        Ok(events) => Ok(Footprint::parse(&events, cap).line()),
        Err(e) => Err(format!(
            "cannot read {} ({e}): no case on this machine created a workspace in org {slug}",
            path.display()
        )),
    }
}

/// Workspaces created by a run, the most alive at once, the most slots held at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Footprint {
    pub created: usize,
    pub peak_alive: usize,
    pub peak_held: usize,
    pub cap: usize,
}

impl Footprint {
    /// From an events log (`<ms> + ws <id> <case>`, `<ms> - ws <id>` and
    /// `<ms> +|- hold <n> <case>` lines).
    pub fn parse(events: &str, cap: usize) -> Footprint {
        let mut lines: Vec<(u128, &str)> = events
            .lines()
            .filter_map(|l| l.split_once(' ').and_then(|(t, e)| Some((t.parse().ok()?, e))))
            .collect();
        lines.sort_by_key(|(t, _)| *t);
        let mut alive = std::collections::BTreeSet::new();
        let (mut fp, mut held) = (Footprint { cap, ..Footprint::default() }, 0usize);
        for (_, e) in lines {
            let f: Vec<&str> = e.split(' ').collect();
            match f.as_slice() {
                ["+", "ws", id, ..] => {
                    fp.created += 1;
                    alive.insert(*id);
                }
                ["-", "ws", id] => {
                    alive.remove(id);
                }
                ["+", "hold", n, ..] => held += n.parse::<usize>().unwrap_or(0),
                ["-", "hold", n, ..] => held = held.saturating_sub(n.parse().unwrap_or(0)),
                _ => {}
            }
            fp.peak_alive = fp.peak_alive.max(alive.len());
            fp.peak_held = fp.peak_held.max(held);
        }
        fp
    }

    /// The summary's line.
    pub fn line(&self) -> String {
        format!(
            "workspaces: {} created in the run's org, at most {} alive at once (E2E_MAX_WORKSPACES={})",
            self.created, self.peak_alive, self.cap
        )
    }
}
