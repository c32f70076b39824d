//! The org's platform root (aeec8e47): the `kind='platform'` concierge installed when the org's
//! tenant comes up, and the default parent of a parentless create. June (41409fb2) has neither.
//!
//! Knowingly different: the platform derives the root's id as uuidv5(URL, "molecule-platform-
//! agent:"+org id) (`DeterministicPlatformAgentID`, `h/platform_agent_ensure.go`); the stand-in
//! draws a random one (nothing the suite checks depends on the value).

use std::sync::Arc;

use uuid::Uuid;

use super::records::{Status, Workspace};
use super::tables::Tables;
use super::Platform;
use crate::standin::Fault;

impl Platform {
    /// Install and provision the org's platform root where the generation has one: named
    /// "<org name> Agent" (`defaultPlatformAgentName`), on the concierge's default runtime and
    /// platform-billed model (`installPlatformAgent`, `h/platform_agent.go:1933`). Under
    /// [`Fault::PlatformRootMissing`] nothing is installed; under [`Fault::PlatformRootOffline`]
    /// the row is seeded `offline` and never provisioned (the install is row-only).
    pub fn install_platform_root(self: &Arc<Self>, tables: &mut Tables, org_id: Uuid, org_name: &str) {
        let gen_root = self.cfg.platform.platform_root;
        if !gen_root.installed || self.faults.fires(Fault::PlatformRootMissing) {
            return;
        }
        let id = Uuid::new_v4();
        let mut ws = Workspace::new(id, org_id, tables.next_seq(), gen_root.name(org_name), gen_root.runtime);
        ws.kind = "platform";
        ws.secrets.insert("MODEL".to_owned(), gen_root.model.to_owned());
        tables.workspaces.insert(id, ws);
        if self.faults.fires(Fault::PlatformRootOffline) {
            if let Some(ws) = tables.workspaces.get_mut(&id) {
                ws.status = Status::Offline;
            }
            return;
        }
        self.provision(tables, id, self.cfg.delays.provision_for(gen_root.runtime));
    }

    /// The parent a parentless create gets (`defaultCreateParentID`, `h/platform_agent.go:91-110`
    /// @aeec8e47): the sole platform root; none when two or more; with none, the sole plain root
    /// if exactly one. `None` where the generation has no default parent, and under
    /// [`Fault::ParentlessNotUnderRoot`].
    pub fn default_create_parent(&self, tables: &Tables, org_id: Uuid) -> Option<Uuid> {
        if !self.cfg.platform.platform_root.default_parent || self.faults.fires(Fault::ParentlessNotUnderRoot) {
            return None;
        }
        let live = |w: &&Workspace| w.org_id == org_id && w.status != Status::Removed;
        let sole = |ids: Vec<Uuid>| if ids.len() == 1 { ids.first().copied() } else { None };
        let plats: Vec<Uuid> = tables.workspaces.values().filter(live).filter(|w| w.kind == "platform").map(|w| w.id).take(2).collect();
        if !plats.is_empty() {
            return sole(plats);
        }
        sole(tables.workspaces.values().filter(live).filter(|w| w.parent_id.is_none()).map(|w| w.id).take(2).collect())
    }
}
