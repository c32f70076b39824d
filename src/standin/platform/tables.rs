//! The tables behind the platform's one lock, with the queries and the on-read transitions
//! the handlers share.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::records::{Activity, Memory, Org, Purge, Status, Workspace};
use crate::standin::config::Delays;
use crate::standin::Fault;
use crate::standin::faults::ActiveFaults;

#[derive(Default)]
pub struct Tables {
    /// Orgs in the control plane's list, in creation order.
    pub orgs: Vec<Org>,
    pub workspaces: BTreeMap<Uuid, Workspace>,
    /// Every activity row, in insertion order (`seq` ascending).
    pub activity: Vec<Activity>,
    pub memories: Vec<Memory>,
    /// The control plane's purge audit, oldest first.
    pub purges: Vec<Purge>,
    /// The A2A queue (`a2a_queue`), in enqueue order.
    pub a2a_queue: Vec<super::queue_item::QueueItem>,
    next_seq: u64,
}

impl Tables {
    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// The live (not torn down) org with this id.
    pub fn tenant(&self, org_id: Uuid) -> Option<&Org> {
        self.orgs.iter().find(|o| o.id == org_id && !o.torn_down)
    }

    /// The live org with this slug (a throwaway control plane routes tenant calls by it).
    pub fn tenant_by_slug(&self, slug: &str) -> Option<&Org> {
        self.orgs.iter().find(|o| o.slug == slug && !o.torn_down)
    }

    /// A workspace of `org_id` (rows of other tenants do not exist for this tenant).
    pub fn workspace(&self, org_id: Uuid, id: Uuid) -> Option<&Workspace> {
        self.workspaces.get(&id).filter(|w| w.org_id == org_id)
    }

    pub fn workspace_mut(&mut self, org_id: Uuid, id: Uuid) -> Option<&mut Workspace> {
        self.workspaces.get_mut(&id).filter(|w| w.org_id == org_id)
    }

    /// Non-removed workspaces of `org_id` whose parent is `parent`.
    pub fn children(&self, org_id: Uuid, parent: Uuid) -> Vec<Uuid> {
        self.workspaces
            .values()
            .filter(|w| w.org_id == org_id && w.parent_id == Some(parent) && w.status != Status::Removed)
            .map(|w| w.id)
            .collect()
    }

    /// All non-removed descendants of `id`, breadth first.
    pub fn descendants(&self, org_id: Uuid, id: Uuid) -> Vec<Uuid> {
        let mut out = Vec::new();
        let mut frontier = vec![id];
        while let Some(cur) = frontier.pop() {
            for c in self.children(org_id, cur) {
                if !out.contains(&c) && c != id {
                    out.push(c);
                    frontier.push(c);
                }
            }
        }
        out
    }

    /// Append an activity row, honouring the activity faults.
    pub fn record(&mut self, faults: &ActiveFaults, mut row: Activity) -> Uuid {
        if row.source_id.is_some() && faults.fires(Fault::ProvenanceLost) {
            row.source_id = None;
        }
        row.seq = self.next_seq();
        let id = row.id;
        self.activity.push(row);
        id
    }

    /// Read each in-process runtime's turns in flight into `active_tasks`, and evaluate the
    /// time-driven transitions of external-like workspaces (contract §4): a
    /// runtime-`external` row that has not registered or heartbeated for `stale_after` goes
    /// `awaiting_agent`; a lapsed liveness key sends kimi/kimi-cli `offline` and external
    /// `awaiting_agent`. Done on read, so no sweeper and no timing races in tests.
    pub fn refresh(&mut self, d: &Delays, faults: &ActiveFaults) {
        for ws in self.workspaces.values_mut() {
            if let Some(h) = &ws.runtime_handle {
                // The runtime's heartbeat, read as it happens: `active_tasks` is what the agent
                // reports of its turns in flight, stored verbatim (`registry.go:1425-1436` @aeec8e47).
                ws.active_tasks = h.active_turns() as i64;
            }
            if !ws.external_like() {
                continue;
            }
            let Some(seen) = ws.last_seen else { continue };
            let idle = seen.elapsed();
            let settled = matches!(ws.status, Status::Removed | Status::Paused | Status::Hibernated);
            if ws.runtime == "external" {
                let stale = matches!(ws.status, Status::Online | Status::Degraded) && idle >= d.stale_after;
                let lapsed = !settled && ws.status != Status::AwaitingAgent && idle >= d.liveness_ttl;
                if (stale || lapsed) && !faults.fires(Fault::ExternalNeverStale) {
                    ws.status = Status::AwaitingAgent;
                }
            } else if !settled && ws.status != Status::Offline && idle >= d.liveness_ttl {
                ws.status = Status::Offline;
            }
        }
    }
}

