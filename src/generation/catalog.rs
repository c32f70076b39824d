//! A generation's catalogue: everything catalogue-like that differs between platform commits
//! (the runtime allowlist, templates, the model registry per runtime and provider, the slug
//! defaults, how a BYOK workspace is created and which routes serve it), with the lookups the
//! suite and the stand-in ask of it. The vocabulary (rows, providers, the derivation) is
//! `crate::catalog`; the tables are per generation (`catalog::RUNTIMES_41409FB2`,
//! [`super::registry_aeec8e47`]). A new generation is a new [`Catalog`] value plus its tables.

use crate::catalog::{self, Allow, Derived, Provider, Runtime, Template};

/// How a workspace with its own vendor key is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Byok {
    /// 41409fb2: every create resolves `platform_managed`, so strip-listed keys are refused in
    /// the create body; the suite creates, `PUT …/llm-billing-mode {"mode":"byok"}`, then writes
    /// each key (`h/llm_billing_mode_handler.go`, `h/secrets.go:62-86` @41409fb2).
    BillingModeOptIn,
    /// aeec8e47: billing is derived from (runtime, model) and nothing is stored; a model that
    /// derives to a vendor provider must carry that provider's key in the create body
    /// (`MISSING_BYOK_CREDENTIAL`, `h/workspace.go:669-690`), where vendor keys are then allowed
    /// (`h/workspace.go:884-910`); the billing-mode route is gone (881b3f6f).
    KeysInCreateBody,
}

/// An arm whose pin this generation overrides: the table's pin holds on the generations that do
/// not name it (`scenario::arms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArmPin {
    /// The arm's case name (`google_adk`).
    pub arm: &'static str,
    /// The model the red create sends.
    pub model: &'static str,
    pub status: u16,
    pub code: &'static str,
    /// Why, naming the platform commit that made it so (printed by the case).
    pub why: &'static str,
}

/// One generation's catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Catalog {
    /// Runtime rows in the allowlist's order (plus template-only rows the slug rules know).
    pub runtimes: &'static [Runtime],
    pub templates: &'static [Template],
    /// The platform path's model when `E2E_DEFAULT_PLATFORM_MODEL` is unset (the harness's
    /// `pick_model_slug`; aeec8e47 `tests/e2e/lib/model_slug.sh`, the KMS default
    /// `MOLECULE_LLM_DEFAULT_MODEL`).
    pub default_platform_model: &'static str,
    pub byok: Byok,
    /// `GET /admin/llm/offered-models?runtime=` is served (aeec8e47 `router.go:225`,
    /// `h/offered_models.go`).
    pub offered_models: bool,
    /// Arms this generation pins differently from the arm table.
    pub arm_pins: &'static [ArmPin],
}

/// One entry of `GET /admin/llm/offered-models` (`h/offered_models.go` `OfferedModel`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offered {
    pub model: &'static str,
    pub provider: &'static str,
    pub platform_billed: bool,
    /// Empty when platform-billed.
    pub auth_env: &'static [&'static str],
}

impl Catalog {
    /// The catalogue's row for `name` (template-only rows included: the slug rules know them).
    pub fn runtime_row(&self, name: &str) -> Option<&'static Runtime> {
        self.runtimes.iter().find(|r| r.name == name)
    }

    /// `manifest.json` `workspace_templates[].name`.
    pub fn manifest_templates(&self) -> Vec<&'static str> {
        self.runtimes
            .iter()
            .filter_map(|r| match r.allow {
                Allow::Manifest(t) | Allow::TemplateOnly(t) => Some(t),
                Allow::Always => None,
            })
            .collect()
    }

    /// The create allowlist (`knownRuntimes`): manifest names with `-default` stripped (less
    /// the entries whose `runtime:` names another runtime), then the always-known.
    pub fn known_runtimes(&self) -> Vec<&'static str> {
        self.runtimes.iter().filter(|r| !matches!(r.allow, Allow::TemplateOnly(_))).map(|r| r.name).collect()
    }

    /// The names `E2E_RUNTIME` may give: the manifest's entries (platform runtimes and
    /// template-only rows such as seo-agent).
    pub fn manifest_runtimes(&self) -> Vec<&'static str> {
        self.runtimes.iter().filter(|r| !matches!(r.allow, Allow::Always)).map(|r| r.name).collect()
    }

    /// Bring-your-own runtimes.
    pub fn external_like(&self) -> Vec<&'static str> {
        self.runtimes.iter().filter(|r| r.external_like).map(|r| r.name).collect()
    }

    pub fn is_known_runtime(&self, runtime: &str) -> bool {
        self.known_runtimes().contains(&runtime)
    }

    pub fn is_external_like(&self, runtime: &str) -> bool {
        self.runtime_row(runtime).is_some_and(|r| r.external_like)
    }

    /// A template the platform resolves from its `config.yaml` (contract §3.2 step 4, §7.1).
    pub fn template(&self, name: &str) -> Option<&'static Template> {
        self.templates.iter().find(|t| t.name == name)
    }

    /// `providers.yaml` `runtimes.<rt>.providers`; `None` for runtimes absent from it.
    pub fn native_providers(&self, runtime: &str) -> Option<&'static [Provider]> {
        self.runtime_row(runtime).and_then(|r| r.providers)
    }

    /// The platform's `DeriveProvider` for (runtime, model) (contract §7.3).
    pub fn derive_provider(&self, runtime: &str, model: &str, auth_env: &[&str]) -> Derived {
        catalog::derive_in(self.native_providers(runtime), model, auth_env)
    }

    /// The derived provider's row (its `auth_env`), when one is derived.
    pub fn provider(&self, runtime: &str, name: &str) -> Option<&'static Provider> {
        self.native_providers(runtime)?.iter().find(|p| p.name == name)
    }

    /// Whether a model resolves to the platform-managed provider (billing `platform_managed`).
    pub fn is_platform_model(&self, runtime: &str, model: &str) -> bool {
        self.derive_provider(runtime, model, &[]) == Derived::Provider("platform")
    }

    /// The platform models the provider probe walks for a runtime (contract §8 step 8d).
    pub fn platform_models(&self, runtime: &str) -> Vec<&'static str> {
        self.native_providers(runtime)
            .into_iter()
            .flatten()
            .filter(|p| p.name == "platform")
            .flat_map(|p| p.models.iter().copied())
            .collect()
    }

    /// What `GET /admin/llm/offered-models?runtime=` answers (`h/offered_models.go`
    /// `ListOfferedModels` @aeec8e47): every listed model of the runtime once (`ModelsForRuntime`),
    /// sorted, each derived with no credentials; ambiguous ones left out. `None`: unknown runtime
    /// (404).
    pub fn offered_models(&self, runtime: &str) -> Option<Vec<Offered>> {
        let providers = self.native_providers(runtime)?;
        let mut ids: Vec<&'static str> = Vec::new();
        for id in providers.iter().flat_map(|p| p.models.iter().copied()) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids.sort_unstable();
        let offered = ids.into_iter().filter_map(|model| {
            let Derived::Provider(name) = self.derive_provider(runtime, model, &[]) else { return None };
            let platform_billed = name == "platform";
            let auth_env = if platform_billed { &[][..] } else { self.provider(runtime, name).map_or(&[][..], |p| p.auth_env) };
            Some(Offered { model, provider: name, platform_billed, auth_env })
        });
        Some(offered.collect())
    }

    /// The pin this generation gives `arm`, when it overrides the arm table's.
    pub fn arm_pin(&self, arm: &str) -> Option<&'static ArmPin> {
        self.arm_pins.iter().find(|p| p.arm == arm)
    }

    /// Whether `PUT/GET /admin/workspaces/:id/llm-billing-mode` exists.
    pub fn billing_mode_route(&self) -> bool {
        self.byok == Byok::BillingModeOptIn
    }
}

/// The reference commit's catalogue (contract §3.2, §7).
pub const CATALOG_41409FB2: Catalog = Catalog {
    runtimes: catalog::RUNTIMES_41409FB2,
    templates: catalog::TEMPLATES_41409FB2,
    default_platform_model: "moonshot/kimi-k2.6",
    byok: Byok::BillingModeOptIn,
    offered_models: false,
    arm_pins: &[],
};

/// Today's catalogue (`contract/platform-today.md` §3).
pub const CATALOG_AEEC8E47: Catalog = Catalog {
    runtimes: super::registry_aeec8e47::RUNTIMES,
    templates: super::registry_aeec8e47::TEMPLATES,
    // 585993fc; aeec8e47 `tests/e2e/test_model_slug.sh:97`.
    default_platform_model: "minimax/MiniMax-M2.7",
    byok: Byok::KeysInCreateBody,
    offered_models: true,
    arm_pins: &[
        ArmPin {
            arm: "google_adk",
            model: "gemini-2.5-pro",
            status: 422,
            code: "RUNTIME_UNSUPPORTED",
            why: "google-adk was retired from the manifest at d8692123 (h/workspace.go:541-549 @aeec8e47)",
        },
        ArmPin {
            arm: "claude_code_subscription",
            model: "sonnet",
            status: 422,
            code: "MISSING_BYOK_CREDENTIAL",
            why: "sonnet derives to anthropic-oauth, whose CLAUDE_CODE_OAUTH_TOKEN the suite never holds; a BYOK model \
                  with no credential in scope is refused at create since 1bf1b2b9 (h/workspace.go:669-690 @aeec8e47)",
        },
    ],
};
