//! The model registry, allowlist and templates at aeec8e47 (2026-08-14), transcribed from
//! `workspace-server/internal/providers/gen/registry_gen.go:80-131`, `manifest.json` and
//! `h/runtime_registry.go:168-200` at that commit (`contract/platform-today.md` §3a-§3c). Only
//! what differs from the reference tables is spelled out; the rest reuses them.

use crate::catalog::Claim::{Prefix, PrefixNoCase};
use crate::catalog::ModelDefault::{ClaudeFamily, Fixed, NoModel};
use crate::catalog::{
    ANTHROPIC_OAUTH, Allow, BYOK_ANTHROPIC, BYOK_GEMINI, BYOK_OPENAI, DEEPSEEK, GPT_MODELS, KIMI_CODING_CC, MINIMAX,
    PLATFORM_AUTH, Provider, Runtime, Template, XIAOMI_MIMO, ZAI, byo, p, runtime, template_only,
};

/// The minimax platform models every runtime's platform arm gained (585993fc, 40299379,
/// a2783bdd / e45be587 withdrew the moonshot ones).
const PLATFORM_MINIMAX: &[&str] = &["minimax/MiniMax-M2.7", "minimax/MiniMax-M2.7-highspeed", "minimax/MiniMax-M3"];
const PLATFORM_PREFIX: crate::catalog::Claim = Prefix(&["platform/"]);

/// claude-code `anthropic-api` gained `claude-opus-4-8` (ce27b77d).
const ANTHROPIC_API: Provider = p(
    "anthropic-api",
    &[
        "claude-sonnet-4-6",
        "claude-opus-4-7",
        "claude-opus-4-8",
        "claude-haiku-4-5",
        "claude-sonnet-4-5",
        "anthropic:claude-sonnet-4-6",
        "anthropic:claude-opus-4-7",
        "anthropic:claude-opus-4-8",
        "anthropic:claude-haiku-4-5",
        "anthropic:claude-sonnet-4-5",
    ],
    Prefix(&["claude"]),
    &["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"],
);
const PLATFORM_CC: Provider = p(
    "platform",
    &[
        "anthropic/claude-opus-4-7",
        "anthropic/claude-opus-4-8",
        "anthropic/claude-sonnet-4-6",
        "minimax/MiniMax-M2.7",
        "minimax/MiniMax-M2.7-highspeed",
        "minimax/MiniMax-M3",
    ],
    PLATFORM_PREFIX,
    PLATFORM_AUTH,
);
const PLATFORM_MM: Provider = p("platform", PLATFORM_MINIMAX, PLATFORM_PREFIX, PLATFORM_AUTH);
const BYOK_MINIMAX_CLAIM: crate::catalog::Claim = PrefixNoCase(&["minimax:", "minimax/", "codex-minimax-"]);

const CLAUDE_CODE: &[Provider] = &[ANTHROPIC_OAUTH, ANTHROPIC_API, KIMI_CODING_CC, MINIMAX, PLATFORM_CC, ZAI, DEEPSEEK, XIAOMI_MIMO];
const HERMES: &[Provider] = &[
    p("kimi-coding", &["kimi-coding/kimi-k2"], Prefix(&["kimi-"]), &["KIMI_API_KEY"]),
    PLATFORM_MM,
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
    // 56807a6f: the `minimax:` ids are listed.
    p(
        "byok-minimax",
        &["minimax:MiniMax-M2.7", "minimax:MiniMax-M2.7-highspeed", "minimax:MiniMax-M3"],
        BYOK_MINIMAX_CLAIM,
        &["MINIMAX_API_KEY"],
    ),
];
const CODEX: &[Provider] = &[
    p("openai-subscription", GPT_MODELS, Prefix(&["gpt-"]), &["CODEX_AUTH_JSON", "CODEX_CHATGPT_AUTH_JSON"]),
    p("openai-api", GPT_MODELS, Prefix(&["openai-api:", "openai-api/"]), &["OPENAI_API_KEY"]),
    p(
        "platform",
        &["openai/gpt-5.4", "openai/gpt-5.4-mini", "minimax/MiniMax-M2.7", "minimax/MiniMax-M2.7-highspeed", "minimax/MiniMax-M3"],
        PLATFORM_PREFIX,
        PLATFORM_AUTH,
    ),
    p("byok-minimax", &[], BYOK_MINIMAX_CLAIM, &["MINIMAX_API_KEY"]),
];
const OPENCLAW: &[Provider] = &[
    p("kimi-coding", &["moonshot:kimi-k2.6", "moonshot:kimi-k2.5"], Prefix(&["kimi-"]), &["KIMI_API_KEY"]),
    PLATFORM_MM,
    p("openrouter", &[], Prefix(&["openrouter/"]), &["OPENROUTER_API_KEY"]),
    p("custom", &[], Prefix(&["custom/"]), &["CUSTOM_API_KEY", "OPENAI_API_KEY"]),
    BYOK_OPENAI,
    p("byok-minimax", &["minimax:MiniMax-M2.7", "minimax:MiniMax-M2.7-highspeed"], BYOK_MINIMAX_CLAIM, &["MINIMAX_API_KEY"]),
    p("groq", &[], Prefix(&["groq:"]), &["GROQ_API_KEY"]),
];

/// The allowlist at aeec8e47: google-adk retired (d8692123); seo-agent's manifest entry says
/// `runtime: claude-code`, so it is a template, not a runtime name (44469f98).
pub const RUNTIMES: &[Runtime] = &[
    runtime("claude-code", Allow::Manifest("claude-code-default"), Some(CLAUDE_CODE), ClaudeFamily),
    template_only("platform-agent", "platform-agent", ClaudeFamily),
    runtime("hermes", Allow::Manifest("hermes"), Some(HERMES), Fixed("openai/gpt-4o")),
    runtime("openclaw", Allow::Manifest("openclaw"), Some(OPENCLAW), Fixed("openai/gpt-4o")),
    runtime("codex", Allow::Manifest("codex"), Some(CODEX), Fixed("openai/gpt-4o")),
    template_only("seo-agent", "seo-agent", ClaudeFamily),
    byo("external"),
    byo("kimi"),
    byo("kimi-cli"),
    runtime("mock", Allow::Always, None, NoModel),
];

/// seo-agent and the concierge's platform-agent (e7cb95bd) both resolve to claude-code.
pub const TEMPLATES: &[Template] = &[
    Template { name: "seo-agent", runtime: "claude-code", model: None },
    Template { name: "platform-agent", runtime: "claude-code", model: None },
];
