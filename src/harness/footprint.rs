//! What a run costs the one tenant it shares: a cap on the workspaces alive at once in the
//! run's org (`E2E_MAX_WORKSPACES`, [`crate::config::DEFAULT_MAX_WORKSPACES`]), and the count of workspaces created and the peak alive, for the run summary.
//!
//! The cap holds across the test threads of a binary and across processes (nextest runs every
//! case in a process of its own): the room is a directory per run org holding `cap` slot files,
//! and a case holds one `flock` per workspace it may have alive at once. A case reserves its
//! whole peak at its start in one step (all or nothing, under a gate lock) and only ever gives
//! slots back, so no case holds part of what it needs while it waits for the rest: a parent
//! is never alive and idle while its case waits for room for a child. Cases waiting for room
//! go in the order of the run's schedule ([`crate::harness::schedule`]): the first waiting
//! case in it is the next to start, even when a later one would fit now. The kernel releases a
//! dead process's locks.
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
    room: Room,
    case: String,
}

impl Held {
    /// How many slots it holds.
    pub fn held(&self) -> usize {
        self.slots.len()
    }

    /// Give one slot back (its workspace was proven gone, and the case needs it no more).
    pub fn release_one(&mut self) {
        if self.slots.pop().is_some() {
            self.room.log(&format!("- hold 1 {}", self.case));
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.room.log(&format!("- hold {} {}", self.slots.len(), self.case));
    }
}

/// A case's place in line for room, held until it has its slots (or gives up).
#[derive(Debug)]
pub struct Place {
    room: Room,
    case: String,
    name: String,
    /// The locked queue file: whoever sees it locked waits behind it.
    _file: File,
}

impl Place {
    /// The room this place is in.
    pub fn room(&self) -> &Room {
        &self.room
    }

    /// Wait, at most `timeout`, until this case is the first in line that waits and `n` slots
    /// are free, and take them. A peak above the cap is an error naming both.
    pub async fn take(self, n: usize, timeout: Duration) -> Result<Held> {
        let room = &self.room;
        if n > room.cap {
            return Err(E2eError::Unmet(format!(
                "{} needs {n} workspaces alive at once, above E2E_MAX_WORKSPACES={}: raise the cap to at least {n}",
                self.case, room.cap
            )));
        }
        let what = format!("room for {n} workspace(s) of {} under E2E_MAX_WORKSPACES={}", self.case, room.cap);
        let slots = room.wait_for(what, timeout, || room.try_take(n, &self.name)).await?;
        room.log(&format!("+ hold {n} {}", self.case));
        Ok(Held { slots, room: room.clone(), case: self.case.clone() })
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

    /// Take `n` free slots at once, or none, unless a case ahead of `me` in the schedule
    /// waits for room (it holds its `queue-` file's lock while it waits).
    fn try_take(&self, n: usize, me: &str) -> Result<Option<Vec<File>>> {
        let gate = self.open("gate")?;
        if !lock_nb(&gate) || self.one_ahead_waits(me)? {
            return Ok(None);
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

    /// Whether a case whose queue file sorts before `me` waits for room now.
    fn one_ahead_waits(&self, me: &str) -> Result<bool> {
        let entries = std::fs::read_dir(&self.dir)
            .map_err(|e| E2eError::Unmet(format!("workspace cap: cannot list {}: {e}", self.dir.display())))?;
        for name in entries.filter_map(|e| e.ok()?.file_name().into_string().ok()) {
            // Locked and dropped at once: only whether someone else holds it matters.
            if name.starts_with("queue-") && name.as_str() < me && !lock_nb(&self.open(&name)?) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Poll `take` (a local lock, not a platform request: often, so that a freed slot is taken
    /// at once) until it yields, for at most `timeout`; progress lines say what is awaited.
    async fn wait_for<T>(&self, what: String, timeout: Duration, take: impl Fn() -> Result<Option<T>>) -> Result<T> {
        Wait::new(what, timeout)
            .interval(Duration::from_millis(20), Duration::from_millis(100))
            .progress_every(Duration::from_secs(30))
            .until(|| async {
                Ok(match take()? {
                    Some(v) => Probe::Ready(v),
                    None => Probe::Pending("every slot held by other cases, or one ahead in the schedule waits".into()),
                })
            })
            .await
    }

    /// Reserve room for `n` workspaces alive at once for `case` (all or nothing), in its turn
    /// (`rank`: its place in the run's schedule, [`crate::harness::schedule::rank`]; ties in
    /// name order); wait at most `timeout` for it. A peak above the cap is an error naming both.
    pub async fn reserve(&self, case: &str, n: usize, rank: usize, timeout: Duration) -> Result<Held> {
        self.line_up(case, rank)?.take(n, timeout).await
    }

    /// Take `case`'s place in line (`rank`, as for [`Room::reserve`]) now, to wait for room
    /// later with [`Place::take`]: cases that line up while the run's org is still being
    /// made are all in line when it is ready, so the first slots go in the schedule's order.
    pub fn line_up(&self, case: &str, rank: usize) -> Result<Place> {
        let name = format!("queue-{:04}-{}", rank.min(crate::harness::schedule::UNPLANNED), clean(case));
        // Locked under a name no one reads, then renamed (the lock stays with the file): a
        // place others can see is a place held. The process's own lock: a dead waiter's place
        // is freed by the kernel.
        let draft = format!("draft-{}", uuid::Uuid::new_v4().simple());
        let file = self.open(&draft)?;
        if !lock_nb(&file) {
            return Err(E2eError::Unmet(format!("workspace cap: cannot lock {draft} in {}", self.dir.display())));
        }
        std::fs::rename(self.dir.join(&draft), self.dir.join(&name))
            .map_err(|e| E2eError::Unmet(format!("workspace cap: cannot take {case}'s place in line in {}: {e}", self.dir.display())))?;
        Ok(Place { room: self.clone(), case: case.to_owned(), name, _file: file })
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
