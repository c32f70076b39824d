//! The platform stand-in: an in-process, in-memory stand-in of the Molecule control plane,
//! tenant API and A2A proxy, faithful to `shared/contract/platform.md`, with a catalogue of
//! named faults. Each platform workspace it provisions is served by a reference runtime on a
//! loopback port.

use std::net::SocketAddr;

/// How a stand-in is started: its admin token, delays and faults.
#[derive(Debug, Clone, Default)]
pub struct StandInConfig {}

impl StandInConfig {
    pub fn new() -> Self {
        StandInConfig {}
    }

    /// Settings from the environment (faults, delays, `MOLECULE_ADMIN_TOKEN`), for the CLI.
    pub fn from_env() -> Result<Self, String> {
        Ok(StandInConfig {})
    }
}

/// A running stand-in. Dropping it stops the listener and every runtime it started.
pub struct StandIn {
    addr: SocketAddr,
}

impl StandIn {
    /// Bind `listen` (port 0 picks a free port) and serve in the background.
    pub async fn start(_cfg: StandInConfig, listen: SocketAddr) -> std::io::Result<StandIn> {
        Ok(StandIn { addr: listen })
    }

    pub fn admin_token(&self) -> &str {
        "standin-admin-token"
    }

    pub fn requests(&self) -> u64 {
        0
    }

    /// The base URL of both the control plane and every tenant (`http://127.0.0.1:<port>`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}
