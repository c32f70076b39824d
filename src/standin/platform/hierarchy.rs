//! The org hierarchy's rules over the tables: who may talk to whom over A2A
//! (registry/access.go `CanCommunicate`), who a workspace's peers are (handlers/discovery.go
//! `Peers`), the team a TEAM memory belongs to, and the paused-ancestor gate of resume and
//! restart.

use uuid::Uuid;

use super::records::Status;
use super::tables::Tables;

/// The platform's `maxAncestorWalk`: a corrupt parent cycle cannot loop forever.
const MAX_ANCESTOR_WALK: usize = 32;

impl Tables {
    fn parent_of(&self, org_id: Uuid, id: Uuid) -> Option<Uuid> {
        self.workspace(org_id, id).and_then(|w| w.parent_id)
    }

    /// Whether `ancestor` is on the parent chain starting at `child` (`isAncestorOf`: at most
    /// 32 steps; any missing row ends the walk with `false`).
    fn is_ancestor_of(&self, org_id: Uuid, ancestor: Uuid, child: Uuid) -> bool {
        let mut current = child;
        for _ in 0..MAX_ANCESTOR_WALK {
            let Some(row) = self.workspace(org_id, current) else { return false };
            match row.parent_id {
                None => return false,
                Some(p) if p == ancestor => return true,
                Some(p) => current = p,
            }
        }
        false
    }

    /// `CanCommunicate(caller, target)` at the reference commit: self; siblings with the same
    /// NON-NULL parent (two root workspaces are not siblings, whatever the function's comment
    /// says); parent and child; any ancestor and descendant. Either row missing → `false`.
    /// Removed rows still count: the platform reads `workspaces` without a status filter.
    pub fn can_communicate(&self, org_id: Uuid, caller: Uuid, target: Uuid) -> bool {
        if caller == target {
            return true;
        }
        let (Some(c), Some(t)) = (self.workspace(org_id, caller), self.workspace(org_id, target)) else { return false };
        match (c.parent_id, t.parent_id) {
            (Some(cp), Some(tp)) if cp == tp => return true,
            _ => {}
        }
        if t.parent_id == Some(caller) || c.parent_id == Some(target) {
            return true;
        }
        t.parent_id.is_some_and(|tp| self.is_ancestor_of(org_id, caller, tp))
            || c.parent_id.is_some_and(|cp| self.is_ancestor_of(org_id, target, cp))
    }

    /// The peers `GET /registry/:id/peers` lists, in its order: siblings (only when the
    /// workspace has a parent), then children, then the parent; never itself, never removed.
    pub fn peer_ids(&self, org_id: Uuid, id: Uuid) -> Vec<Uuid> {
        let parent = self.parent_of(org_id, id);
        let live = |w: &&super::records::Workspace| w.org_id == org_id && w.id != id && w.status != Status::Removed;
        let in_order = |pred: &dyn Fn(&super::records::Workspace) -> bool| {
            let mut rows: Vec<_> = self.workspaces.values().filter(live).filter(|w| pred(w)).collect();
            rows.sort_by_key(|w| w.seq);
            rows.into_iter().map(|w| w.id).collect::<Vec<_>>()
        };
        let mut out = Vec::new();
        if let Some(p) = parent {
            out.extend(in_order(&|w| w.parent_id == Some(p)));
        }
        out.extend(in_order(&|w| w.parent_id == Some(id)));
        if let Some(p) = parent {
            out.extend(in_order(&|w| w.id == p));
        }
        out
    }

    /// The root of `id`'s tree (TEAM memories are shared within it).
    pub fn team_root(&self, org_id: Uuid, id: Uuid) -> Uuid {
        let mut current = id;
        for _ in 0..64 {
            match self.parent_of(org_id, current) {
                Some(p) => current = p,
                None => break,
            }
        }
        current
    }

    /// The name of the nearest paused ancestor of `id`, if any.
    pub fn paused_ancestor(&self, org_id: Uuid, id: Uuid) -> Option<String> {
        let mut current = self.parent_of(org_id, id);
        for _ in 0..64 {
            let p = self.workspace(org_id, current?)?;
            if p.status == Status::Paused {
                return Some(p.name.clone());
            }
            current = p.parent_id;
        }
        None
    }
}
