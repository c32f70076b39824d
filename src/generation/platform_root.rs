//! The org's platform root (the "concierge"): at aeec8e47 every SaaS org gets a `kind='platform'`
//! root workspace installed when its tenant comes up, and a parentless create lands under it;
//! at 41409fb2 neither exists and `parent_id` stays NULL.

/// What a generation does about the org's platform root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlatformRoot {
    /// The tenant installs a `kind='platform'` root when the org comes up and lists every row
    /// with its `kind` (`platform_agent_ensure.go` header; `installPlatformAgent`,
    /// `h/platform_agent.go:1933`; `kind` in the row, `h/workspace.go:1587` @aeec8e47).
    pub installed: bool,
    /// A parentless create is placed under the sole platform root (`h/workspace.go:771-776`,
    /// `defaultCreateParentID` `h/platform_agent.go:91-110` @aeec8e47).
    pub default_parent: bool,
    /// The root's runtime when none is configured (`defaultConciergeRuntime`,
    /// `h/platform_agent.go:930`).
    pub runtime: &'static str,
    /// Its model when none is configured (`platformDefaultModelFallback`, platform-billed).
    pub model: &'static str,
}

impl PlatformRoot {
    /// The root's display name for an org (`defaultPlatformAgentName`: "<org name> Agent").
    pub fn name(&self, org_name: &str) -> String {
        if org_name.is_empty() { "Org Concierge".to_owned() } else { format!("{org_name} Agent") }
    }
}

/// June: no platform root, no default parent.
pub const PLATFORM_ROOT_41409FB2: PlatformRoot = PlatformRoot { installed: false, default_parent: false, runtime: "", model: "" };

/// Today: the root is installed and parentless creates land under it.
pub const PLATFORM_ROOT_AEEC8E47: PlatformRoot =
    PlatformRoot { installed: true, default_parent: true, runtime: "hermes", model: "minimax/MiniMax-M2.7" };
