//! Which model a workspace is created with: the platform harness's `pick_model_slug`
//! (contract §7.4), as a pure function of the runtime and what the environment holds.

use crate::catalog::ModelDefault;
use crate::config::{LlmPath, Settings};
pub use crate::error::SlugError;
use crate::generation::Catalog;

/// The parts of the environment the slug rules read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlugEnv<'a> {
    /// `E2E_MODEL_SLUG`: returned verbatim when non-empty.
    pub model_slug: Option<&'a str>,
    /// `E2E_LLM_PATH=platform`.
    pub platform_path: bool,
    /// `E2E_DEFAULT_PLATFORM_MODEL`.
    pub default_platform_model: Option<&'a str>,
    /// `E2E_MINIMAX_API_KEY` is non-empty.
    pub minimax_key: bool,
    /// `E2E_ANTHROPIC_API_KEY` is non-empty.
    pub anthropic_key: bool,
}

impl<'a> SlugEnv<'a> {
    pub fn from_settings(s: &'a Settings) -> Self {
        SlugEnv {
            model_slug: s.model_slug.as_deref(),
            platform_path: s.llm_path == LlmPath::Platform,
            default_platform_model: s.default_platform_model.as_deref(),
            minimax_key: s.keys.minimax.is_some(),
            anthropic_key: s.keys.anthropic.is_some(),
        }
    }
}

/// The model slug for `runtime`, first rule that applies:
/// 0. a runtime outside the catalogue is refused ([`SlugError::UnknownRuntime`]);
/// 1. a non-empty `E2E_MODEL_SLUG`, verbatim;
/// 2. the platform path: `E2E_DEFAULT_PLATFORM_MODEL` or the generation's
///    `default_platform_model` (`moonshot/kimi-k2.6` at 41409fb2, `minimax/MiniMax-M2.7` at aeec8e47);
/// 3. the runtime's [`ModelDefault`] in the catalogue (claude-code and seo-agent: `MiniMax-M2.7`
///    with a MiniMax key, else `claude-sonnet-4-6` with an Anthropic key, else `sonnet`;
///    google-adk `gemini-2.5-pro` where the generation has it; hermes, codex, openclaw
///    `openai/gpt-4o`).
pub fn pick_model_slug(cat: &Catalog, runtime: &str, env: &SlugEnv<'_>) -> Result<String, SlugError> {
    let Some(row) = cat.runtime_row(runtime) else {
        let known = cat.runtimes.iter().map(|r| r.name).collect::<Vec<_>>().join(", ");
        return Err(SlugError::UnknownRuntime { runtime: runtime.to_owned(), known });
    };
    if let Some(slug) = env.model_slug.filter(|s| !s.is_empty()) {
        return Ok(slug.to_owned());
    }
    if env.platform_path {
        let model = env.default_platform_model.filter(|s| !s.is_empty()).unwrap_or(cat.default_platform_model);
        return Ok(model.to_owned());
    }
    let model = match row.model_default {
        ModelDefault::ClaudeFamily if env.minimax_key => "MiniMax-M2.7",
        ModelDefault::ClaudeFamily if env.anthropic_key => "claude-sonnet-4-6",
        ModelDefault::ClaudeFamily => "sonnet",
        ModelDefault::Fixed(model) => model,
        ModelDefault::NoModel => return Err(SlugError::TakesNoModel { runtime: runtime.to_owned() }),
    };
    Ok(model.to_owned())
}
