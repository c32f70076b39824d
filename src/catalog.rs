//! The catalogue's vocabulary (contract §3.2, §5, §7): runtimes and how they reach the create
//! allowlist, templates, each runtime's native providers with their models and prefix rules,
//! the provider derivation, the BYOK strip-list; and the reference commit's tables. Which
//! tables a platform has is a fact of its generation (`generation::Catalog`, whose methods are
//! the lookups): the suite and the stand-in always ask the generation they run against.
//!
//! The stand-in validates creates with this catalogue and the suite chooses models with it;
//! sharing data is fine, sharing wire structs is not (see ARCHITECTURE.md).

/// The platform commit the reference tables (`RUNTIMES_41409FB2`, …) transcribe (2026-06-06).
pub const REFERENCE_COMMIT: &str = "41409fb2";

/// How a runtime gets onto the create allowlist (`knownRuntimes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allow {
    /// `manifest.json` `workspace_templates[].name` (the allowlist strips `-default`).
    Manifest(&'static str),
    /// Accepted whatever the manifest says.
    Always,
    /// A manifest entry whose `runtime:` names another runtime (aeec8e47:
    /// `h/runtime_registry.go:168-200` honours it): not on the allowlist, still known to the
    /// slug rules (the harness picks seo-agent's model by its name).
    TemplateOnly(&'static str),
}

/// The model the platform harness's `pick_model_slug` gives a runtime when nothing overrides it
/// (contract §7.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelDefault {
    /// The claude-code family: `MiniMax-M2.7` with a MiniMax key, else `claude-sonnet-4-6` with
    /// an Anthropic key, else the subscription's `sonnet`.
    ClaudeFamily,
    Fixed(&'static str),
    /// Created without a model (bring-your-own, mock): asking for one is an error.
    NoModel,
}

/// One runtime the platform knows: everything the suite says about it, in one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Runtime {
    pub name: &'static str,
    pub allow: Allow,
    /// Bring-your-own: no container, no model, poll delivery, label kept on the row.
    pub external_like: bool,
    /// `providers.yaml` `runtimes.<rt>.providers`; `None` when absent (model validation fails open).
    pub providers: Option<&'static [Provider]>,
    pub model_default: ModelDefault,
}

pub(crate) const fn runtime(
    name: &'static str,
    allow: Allow,
    providers: Option<&'static [Provider]>,
    model_default: ModelDefault,
) -> Runtime {
    Runtime { name, allow, external_like: false, providers, model_default }
}

/// The bring-your-own labels, the same in every generation so far (a row that has none of a
/// generation in hand, such as the stand-in's workspace record, asks this; an offline test
/// checks every generation's `external_like()` against it).
pub const BYO_RUNTIMES: &[&str] = &["external", "kimi", "kimi-cli"];

pub(crate) const fn byo(name: &'static str) -> Runtime {
    Runtime { external_like: true, ..runtime(name, Allow::Always, None, ModelDefault::NoModel) }
}

use Allow::{Always, Manifest, TemplateOnly};
use ModelDefault::{ClaudeFamily, Fixed, NoModel};

/// Every runtime at the reference commit, in the allowlist's order (the manifest's, then the
/// always-known). A new runtime is one row in its generation's table (`docs/extending.md`).
pub const RUNTIMES_41409FB2: &[Runtime] = &[
    runtime("claude-code", Manifest("claude-code-default"), Some(CLAUDE_CODE), ClaudeFamily),
    runtime("hermes", Manifest("hermes"), Some(HERMES), Fixed("openai/gpt-4o")),
    runtime("openclaw", Manifest("openclaw"), Some(OPENCLAW), Fixed("openai/gpt-4o")),
    runtime("codex", Manifest("codex"), Some(CODEX), Fixed("openai/gpt-4o")),
    runtime("google-adk", Manifest("google-adk"), Some(GOOGLE_ADK), Fixed("gemini-2.5-pro")),
    // A template in the manifest, so on the allowlist; absent from providers.yaml.
    runtime("seo-agent", Manifest("seo-agent"), None, ClaudeFamily),
    byo("external"),
    byo("kimi"),
    byo("kimi-cli"),
    runtime("mock", Always, None, NoModel),
];

/// A `TemplateOnly` row (see [`Allow::TemplateOnly`]).
pub(crate) const fn template_only(name: &'static str, entry: &'static str, model_default: ModelDefault) -> Runtime {
    runtime(name, TemplateOnly(entry), None, model_default)
}

/// A template the platform resolves from its `config.yaml` (contract §3.2 step 4, §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    pub name: &'static str,
    /// The top-level `runtime:` of the template's config.yaml.
    pub runtime: &'static str,
    /// The template's own `model:`, when it declares one.
    pub model: Option<&'static str>,
}

/// The templates at the reference commit.
pub const TEMPLATES_41409FB2: &[Template] = &[Template { name: "seo-agent", runtime: "claude-code", model: None }];

/// How a provider claims model ids it does not list (a transcription of the platform's RE2
/// `model_prefix_match`, kept as data so no regex engine is needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The id starts with one of these.
    Prefix(&'static [&'static str]),
    /// The same, ignoring ASCII case (`(?i)^…`).
    PrefixNoCase(&'static [&'static str]),
    /// The id is exactly one of these (`^(a|b)$`).
    Exactly(&'static [&'static str]),
}

impl Claim {
    pub fn matches(&self, model: &str) -> bool {
        match self {
            Claim::Prefix(ps) => ps.iter().any(|p| model.starts_with(p)),
            Claim::PrefixNoCase(ps) => ps.iter().any(|p| {
                model.len() >= p.len() && model.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
            }),
            Claim::Exactly(ids) => ids.contains(&model),
        }
    }
}

/// A provider as one runtime natively supports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    pub name: &'static str,
    /// Model ids this runtime lists for the provider (exact matches).
    pub models: &'static [&'static str],
    pub claim: Claim,
    /// Environment variables that carry this provider's credentials (any one suffices).
    pub auth_env: &'static [&'static str],
}

pub(crate) const fn p(
    name: &'static str,
    models: &'static [&'static str],
    claim: Claim,
    auth_env: &'static [&'static str],
) -> Provider {
    Provider { name, models, claim, auth_env }
}

use Claim::{Exactly, Prefix, PrefixNoCase};

pub(crate) const ANTHROPIC_OAUTH: Provider = p(
    "anthropic-oauth",
    &["sonnet", "opus", "haiku", "anthropic:sonnet", "anthropic:opus", "anthropic:haiku"],
    Exactly(&["sonnet", "opus", "haiku"]),
    &["CLAUDE_CODE_OAUTH_TOKEN"],
);
pub(crate) const ANTHROPIC_API: Provider = p(
    "anthropic-api",
    &[
        "claude-sonnet-4-6",
        "claude-opus-4-7",
        "claude-haiku-4-5",
        "claude-sonnet-4-5",
        "anthropic:claude-sonnet-4-6",
        "anthropic:claude-opus-4-7",
        "anthropic:claude-haiku-4-5",
        "anthropic:claude-sonnet-4-5",
    ],
    Prefix(&["claude"]),
    &["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"],
);
pub(crate) const KIMI_CODING_CC: Provider = p(
    "kimi-coding",
    &["kimi-for-coding", "kimi-k2.5", "kimi-k2"],
    Prefix(&["kimi-"]),
    &["KIMI_API_KEY"],
);
pub(crate) const MINIMAX: Provider = p(
    "minimax",
    &["MiniMax-M2", "MiniMax-M2.7", "MiniMax-M2.7-highspeed", "MiniMax-M3"],
    PrefixNoCase(&["minimax-m"]),
    &["MINIMAX_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY"],
);
pub(crate) const PLATFORM_AUTH: &[&str] = &["MOLECULE_LLM_USAGE_TOKEN"];
pub(crate) const PLATFORM_CC: Provider = p(
    "platform",
    &[
        "anthropic/claude-opus-4-7",
        "anthropic/claude-sonnet-4-6",
        "moonshot/kimi-k2.6",
        "moonshot/kimi-k2.5",
        "minimax/MiniMax-M2.7",
        "minimax/MiniMax-M2.7-highspeed",
        "minimax/MiniMax-M3",
    ],
    Prefix(&["platform/"]),
    PLATFORM_AUTH,
);
pub(crate) const PLATFORM_KIMI: Provider =
    p("platform", &["moonshot/kimi-k2.6", "moonshot/kimi-k2.5"], Prefix(&["platform/"]), PLATFORM_AUTH);
pub(crate) const ZAI: Provider = p("zai", &[], PrefixNoCase(&["glm-", "zai:", "zai/"]), &["GLM_API_KEY"]);
pub(crate) const DEEPSEEK: Provider =
    p("deepseek", &[], Prefix(&["deepseek-", "deepseek:", "deepseek/"]), &["DEEPSEEK_API_KEY"]);
pub(crate) const XIAOMI_MIMO: Provider =
    p("xiaomi-mimo", &[], Prefix(&["mimo-"]), &["ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY"]);
pub(crate) const BYOK_OPENAI: Provider = p("byok-openai", &[], Prefix(&["openai:", "openai/"]), &["OPENAI_API_KEY"]);
pub(crate) const BYOK_ANTHROPIC: Provider = p("byok-anthropic", &[], Prefix(&["anthropic/"]), &["ANTHROPIC_API_KEY"]);
pub(crate) const BYOK_GEMINI: Provider =
    p("byok-gemini", &[], Prefix(&["gemini/"]), &["GEMINI_API_KEY", "GOOGLE_API_KEY"]);
pub(crate) const BYOK_MINIMAX: Provider = p(
    "byok-minimax",
    &[],
    PrefixNoCase(&["minimax:", "minimax/", "codex-minimax-"]),
    &["MINIMAX_API_KEY"],
);
pub(crate) const GPT_MODELS: &[&str] = &["gpt-5.5", "gpt-5.4", "gpt-5.4-mini", "gpt-5.3-codex", "gpt-5.3-codex-spark", "gpt-5.2"];

pub(crate) const CLAUDE_CODE: &[Provider] =
    &[ANTHROPIC_OAUTH, ANTHROPIC_API, KIMI_CODING_CC, MINIMAX, PLATFORM_CC, ZAI, DEEPSEEK, XIAOMI_MIMO];
pub(crate) const HERMES: &[Provider] = &[
    p("kimi-coding", &["kimi-coding/kimi-k2"], Prefix(&["kimi-"]), &["KIMI_API_KEY"]),
    PLATFORM_KIMI,
    p("openrouter", &[], Prefix(&["openrouter/"]), &["OPENROUTER_API_KEY"]),
    p("huggingface", &[], Prefix(&["huggingface/"]), &["HUGGINGFACE_API_KEY", "HF_TOKEN"]),
    p("ai-gateway", &[], Prefix(&["ai-gateway/"]), &["AI_GATEWAY_API_KEY"]),
    p("opencode-zen", &[], Prefix(&["opencode-zen/"]), &["OPENCODE_ZEN_API_KEY"]),
    p("opencode-go", &[], Prefix(&["opencode-go/"]), &["OPENCODE_GO_API_KEY"]),
    p("kilocode", &[], Prefix(&["kilocode/"]), &["KILOCODE_API_KEY"]),
    p("custom", &[], Prefix(&["custom/"]), &["CUSTOM_API_KEY", "OPENAI_API_KEY"]),
    p("nvidia", &[], Prefix(&["nvidia/"]), &["NVIDIA_API_KEY"]),
    p("arcee", &[], Prefix(&["arcee/"]), &["ARCEE_API_KEY"]),
    p("ollama-cloud", &[], Prefix(&["ollama-cloud/"]), &["OLLAMA_CLOUD_API_KEY"]),
    p("minimax-cn", &[], Prefix(&["minimax-cn/"]), &["MINIMAX_API_KEY"]),
    p("nousresearch", &[], Prefix(&["nousresearch/"]), &["NOUSRESEARCH_API_KEY"]),
    DEEPSEEK,
    ZAI,
    XIAOMI_MIMO,
    p("alibaba", &[], Prefix(&["qwen-"]), &["DASHSCOPE_API_KEY"]),
    BYOK_ANTHROPIC,
    BYOK_GEMINI,
    BYOK_OPENAI,
    BYOK_MINIMAX,
];
pub(crate) const CODEX: &[Provider] = &[
    p("openai-subscription", GPT_MODELS, Prefix(&["gpt-"]), &["CODEX_AUTH_JSON", "CODEX_CHATGPT_AUTH_JSON"]),
    p("openai-api", GPT_MODELS, Prefix(&["openai-api:", "openai-api/"]), &["OPENAI_API_KEY"]),
    p("platform", &["openai/gpt-5.4", "openai/gpt-5.4-mini"], Prefix(&["platform/"]), PLATFORM_AUTH),
    BYOK_MINIMAX,
];
pub(crate) const OPENCLAW: &[Provider] = &[
    p("kimi-coding", &["moonshot:kimi-k2.6", "moonshot:kimi-k2.5"], Prefix(&["kimi-"]), &["KIMI_API_KEY"]),
    PLATFORM_KIMI,
    p("openrouter", &[], Prefix(&["openrouter/"]), &["OPENROUTER_API_KEY"]),
    p("custom", &[], Prefix(&["custom/"]), &["CUSTOM_API_KEY", "OPENAI_API_KEY"]),
    BYOK_OPENAI,
    BYOK_MINIMAX,
    p("groq", &[], Prefix(&["groq:"]), &["GROQ_API_KEY"]),
];
pub(crate) const GOOGLE_ADK: &[Provider] = &[
    p("platform", &["platform:gemini-2.5-pro", "platform:gemini-2.5-flash"], Prefix(&["platform/"]), PLATFORM_AUTH),
    p("google", &["gemini-2.5-pro", "gemini-2.5-flash"], Prefix(&["gemini-"]), &["GEMINI_API_KEY", "GOOGLE_API_KEY"]),
];

/// What `DeriveProvider` makes of a (runtime, model) pair (contract §7.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derived {
    /// The runtime is not in `providers.yaml`: the platform lets any model through.
    FailOpen,
    Provider(&'static str),
    /// Several providers list or claim it and nothing disambiguates.
    Ambiguous,
    /// Neither listed nor claimed: create answers 422 `UNREGISTERED_MODEL_FOR_RUNTIME`.
    Unregistered,
}

/// The platform's provider derivation over one runtime's native providers (`None`: absent from
/// `providers.yaml`, fail open). `auth_env` names the credential variables available (they
/// only break ties).
pub fn derive_in(providers: Option<&'static [Provider]>, model: &str, auth_env: &[&str]) -> Derived {
    let Some(providers) = providers else { return Derived::FailOpen };
    let pick = |cands: Vec<&'static Provider>| -> Derived {
        match cands.as_slice() {
            [] => Derived::Unregistered,
            [one] => Derived::Provider(one.name),
            many => match many.iter().find(|p| p.auth_env.iter().any(|e| auth_env.contains(e))) {
                Some(p) => Derived::Provider(p.name),
                // Exact-list ties fall back to the first declared provider, as the platform does.
                None => Derived::Ambiguous,
            },
        }
    };
    let listed: Vec<_> = providers.iter().filter(|p| p.models.contains(&model)).collect();
    if !listed.is_empty() {
        return match pick(listed.clone()) {
            Derived::Ambiguous => Derived::Provider(listed[0].name),
            d => d,
        };
    }
    pick(providers.iter().filter(|p| p.claim.matches(model)).collect())
}

/// Vendor keys the platform refuses on a `platform_managed` workspace (contract §7.5);
/// matched without regard to case.
pub const STRIP_LIST: &[&str] = &[
    "AI_GATEWAY_API_KEY",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ARCEEAI_API_KEY",
    "CLAUDE_CODE_OAUTH_TOKEN",
    "CODEX_AUTH_JSON",
    "DASHSCOPE_API_KEY",
    "DEEPSEEK_API_KEY",
    "GEMINI_API_KEY",
    "GLM_API_KEY",
    "HERMES_CUSTOM_API_KEY",
    "HERMES_CUSTOM_BASE_URL",
    "HF_TOKEN",
    "KIMI_API_KEY",
    "KIMI_CN_API_KEY",
    "MINIMAX_API_KEY",
    "MINIMAX_CN_API_KEY",
    "NOUS_API_KEY",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENROUTER_API_KEY",
    "XAI_API_KEY",
    "ZAI_API_KEY",
];

pub fn is_strip_listed(key: &str) -> bool {
    STRIP_LIST.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// The suite's own key variables (contract §7.5), one per vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Vendor {
    Minimax,
    Anthropic,
    Openai,
    Google,
}

impl Vendor {
    pub const ALL: [Vendor; 4] = [Vendor::Minimax, Vendor::Anthropic, Vendor::Openai, Vendor::Google];

    /// The environment variable the suite reads this vendor's key from.
    pub fn env_var(self) -> &'static str {
        match self {
            Vendor::Minimax => "E2E_MINIMAX_API_KEY",
            Vendor::Anthropic => "E2E_ANTHROPIC_API_KEY",
            Vendor::Openai => "E2E_OPENAI_API_KEY",
            Vendor::Google => "E2E_GOOGLE_API_KEY",
        }
    }

    /// The vendor a platform model id is billed to (`minimax/…`), as the provider probe reads it.
    pub fn of_platform_model(model: &str) -> Option<Vendor> {
        match model.split(['/', ':']).next()? {
            "minimax" => Some(Vendor::Minimax),
            "anthropic" => Some(Vendor::Anthropic),
            "openai" => Some(Vendor::Openai),
            _ => None,
        }
    }
}

impl std::fmt::Display for Vendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Vendor::Minimax => "minimax",
            Vendor::Anthropic => "anthropic",
            Vendor::Openai => "openai",
            Vendor::Google => "google",
        })
    }
}
