//! The runtime arms: every runtime, template and LLM path the staging suite provisions
//! (contract §7, §8), with the outcome the reference platform is expected to give each.

use crate::catalog::{Derived, Vendor};
use crate::config::Settings;
use crate::generation::{Byok, Catalog, Generation};
use crate::model_slug::{SlugEnv, SlugError, pick_model_slug};
use crate::payload::KeyPath;

/// One runtime arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arm {
    /// The case name: `claude_code_minimax`, `seo_agent`, …
    pub name: &'static str,
    /// The runtime, or the template for a template arm.
    pub runtime_or_template: &'static str,
    /// Where its LLM credentials come from.
    pub key: KeyPath,
    /// Whether this arm runs full mode's provider probe for its runtime (one arm per runtime,
    /// so a run creates each probe workspace once).
    pub probe: bool,
    /// What the reference platform gives this arm, pinned here by arm: never derived from the
    /// model an override produces, so `E2E_MODEL_SLUG` cannot turn a normal arm into a red one.
    /// A generation may pin it differently (`Catalog::arm_pins`): see [`Arm::pin_at`].
    pub pin: Pin,
}

/// An arm's pinned outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pin {
    Online,
    /// Expected red: the create with exactly this model is refused with `status` and `code`.
    Red { model: &'static str, status: u16, code: &'static str },
}

impl Arm {
    /// The runtime the platform resolves (a template's config names it).
    pub fn runtime(&self, cat: &Catalog) -> &'static str {
        cat.template(self.runtime_or_template).map(|t| t.runtime).unwrap_or(self.runtime_or_template)
    }

    pub fn is_template(&self, cat: &Catalog) -> bool {
        cat.template(self.runtime_or_template).is_some()
    }

    /// The arm's pin on generation `g`: the generation's own pin for it, else the table's; with
    /// the reason a generation gives, for the case to print.
    pub fn pin_at(&self, g: &Generation) -> (Pin, Option<&'static str>) {
        match g.catalog.arm_pin(self.name) {
            Some(p) => (Pin::Red { model: p.model, status: p.status, code: p.code }, Some(p.why)),
            None => (self.pin, None),
        }
    }

    /// The model the arm asks for: a red arm's pinned model; else the slug rules of the run's
    /// generation, fed with the arm's own key path (and `E2E_MODEL_SLUG` /
    /// `E2E_DEFAULT_PLATFORM_MODEL`). An arm whose runtime the catalogue lacks gets an error,
    /// not a default model.
    pub fn model(&self, settings: &Settings) -> Result<String, SlugError> {
        if let (Pin::Red { model, .. }, _) = self.pin_at(settings.platform) {
            return Ok(model.to_owned());
        }
        let env = SlugEnv {
            model_slug: settings.model_slug.as_deref(),
            platform_path: self.key == KeyPath::Platform,
            default_platform_model: settings.default_platform_model.as_deref(),
            minimax_key: self.key == KeyPath::Own(Vendor::Minimax),
            anthropic_key: self.key == KeyPath::Own(Vendor::Anthropic),
        };
        pick_model_slug(settings.platform.catalog, self.runtime_or_template, &env)
    }

    /// What generation `g` does with this arm's create: the arm's pin there.
    pub fn expectation(&self, g: &Generation) -> Expectation {
        match self.pin_at(g).0 {
            Pin::Online => Expectation::Online,
            Pin::Red { status, code, .. } => Expectation::Rejected { status, code },
        }
    }

    /// What the catalogue says the platform does with `model` on this arm when the create body
    /// carries secrets named `body_keys` (the offline tier checks that each pin agrees with it):
    /// the allowlist, the registry, and where the generation wants them, the BYOK credential.
    pub fn derived_expectation(&self, cat: &Catalog, model: &str, body_keys: &[&str]) -> Expectation {
        let requested = self.runtime_or_template;
        if !self.is_template(cat) && !cat.is_known_runtime(requested) {
            return Expectation::Rejected { status: 422, code: "RUNTIME_UNSUPPORTED" };
        }
        match cat.derive_provider(self.runtime(cat), model, body_keys) {
            Derived::Unregistered => Expectation::Rejected { status: 422, code: "UNREGISTERED_MODEL_FOR_RUNTIME" },
            Derived::Provider(p) if p != "platform" && cat.byok == Byok::KeysInCreateBody => {
                let accepted = cat.provider(self.runtime(cat), p).map_or(&[][..], |p| p.auth_env);
                if accepted.iter().any(|k| body_keys.contains(k)) {
                    Expectation::Online
                } else {
                    Expectation::Rejected { status: 422, code: "MISSING_BYOK_CREDENTIAL" }
                }
            }
            _ => Expectation::Online,
        }
    }
}

/// The outcome an arm pins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expectation {
    /// Provisions, comes online, answers A2A, leaves activity.
    Online,
    /// The platform refuses the create with this status and `code`: the arm is red until the
    /// platform or the slug changes, and the suite pins that rather than hiding it.
    Rejected { status: u16, code: &'static str },
}

/// The one declaration of the arms: each line is an arm's case name, its runtime or template,
/// where its LLM key comes from, whether it runs full mode's provider probe, and its pinned
/// outcome (`online`, or `red` with the refusal the reference platform gives). Everything else
/// follows from it: [`ARMS`], the live cases `arm::<name>` and `lifecycle::<transition>::<name>`
/// (online arms only: a red arm never comes online), their names ([`live_cases`]) and the
/// counts the workflows and `.ci/run` expect. Test targets expand their cases with
/// `molecule_e2e::arm_table!(their_macro)`; a new arm is one line here plus its snapshots
/// (`docs/extending.md`).
#[macro_export]
macro_rules! arm_table {
    ($callback:ident) => {
        $callback! {
            online claude_code_minimax = ("claude-code", KeyPath::Own(Vendor::Minimax), probe: false);
            online claude_code_anthropic = ("claude-code", KeyPath::Own(Vendor::Anthropic), probe: false);
            online claude_code_subscription = ("claude-code", KeyPath::None, probe: false);
            online claude_code_platform = ("claude-code", KeyPath::Platform, probe: true);
            online hermes = ("hermes", KeyPath::Own(Vendor::Openai), probe: true);
            // Expected red: no codex provider owns openai/gpt-4o (contract §7.2).
            red codex = ("codex", KeyPath::Own(Vendor::Openai), probe: true)
                refused ("openai/gpt-4o", 422, "UNREGISTERED_MODEL_FOR_RUNTIME");
            online openclaw = ("openclaw", KeyPath::Own(Vendor::Openai), probe: true);
            online seo_agent = ("seo-agent", KeyPath::Own(Vendor::Minimax), probe: false);
            online google_adk = ("google-adk", KeyPath::Own(Vendor::Google), probe: true);
        }
    };
}

/// [`arm_table!`]'s lines as [`Arm`] values.
macro_rules! arms_const {
    ($($kind:ident $name:ident = ($rt:literal, $key:expr, probe: $probe:literal)
        $(refused ($model:literal, $status:literal, $code:literal))?;)*) => {
        /// Every arm of the staging suite, in the declaration's order.
        pub const ARMS: &[Arm] = &[$(Arm {
            name: stringify!($name),
            runtime_or_template: $rt,
            key: $key,
            probe: $probe,
            pin: pin!($kind $(, $model, $status, $code)?),
        }),*];
    };
}

macro_rules! pin {
    (online) => {
        Pin::Online
    };
    (red, $model:literal, $status:literal, $code:literal) => {
        Pin::Red {
            model: $model,
            status: $status,
            code: $code,
        }
    };
}

arm_table!(arms_const);

/// The lifecycle transitions every online arm runs, as their cases name them
/// (`lifecycle::<transition>::<arm>`).
pub const TRANSITIONS: &[&str] = &["pause_resume", "hibernate_wake"];

/// The external (bring-your-own) cases, as their test names and records name them.
pub const EXTERNAL_CASES: &[&str] = &[
    "external::transitions",
    "external::kimi",
    "external::kimi_cli",
    "external::byo_round_trip",
];

/// The live cases of a test target (`staging_saas`, `staging_external`), named as libtest and
/// nextest name them and as the run's records name them: what the workflows count and select.
pub fn live_cases(target: &str) -> Vec<String> {
    match target {
        "staging_saas" => {
            // The table's pins decide which cases exist (the same on every generation); an arm a
            // generation pins red has its lifecycle cases gated there, not removed.
            let arms = ARMS.iter().map(|a| format!("arm::{}", a.name));
            let online = || ARMS.iter().filter(|a| a.pin == Pin::Online);
            let lifecycle = TRANSITIONS
                .iter()
                .flat_map(|t| online().map(move |a| format!("lifecycle::{t}::{}", a.name)));
            let cross = CROSS_PAIRS.iter().map(|(p, c)| cross_case_name(p, c));
            arms.chain(lifecycle).chain(cross).collect()
        }
        "staging_external" => EXTERNAL_CASES.iter().map(|c| (*c).to_owned()).collect(),
        _ => Vec::new(),
    }
}

/// The `staging_saas` cases a run at generation `g` gates for a pin: the lifecycle cases of each
/// table-online arm `g` pins red and the cross pairs naming one, since no workspace of that arm
/// comes online there (each case prints the pin: `lifecycle::pinned_red`). What the run's
/// summary counts as gated, and the workflows and `.ci/run` with it.
pub fn pinned_gated_cases(g: &Generation) -> Vec<String> {
    let red = |a: &Arm| matches!(a.pin_at(g).0, Pin::Red { .. });
    let red_online = || ARMS.iter().filter(move |a| a.pin == Pin::Online && red(a));
    let lifecycle = TRANSITIONS.iter().flat_map(|t| red_online().map(move |a| format!("lifecycle::{t}::{}", a.name)));
    let named_red = |name: &str| arm(name).is_some_and(red);
    let cross = CROSS_PAIRS.iter().filter(|(p, c)| named_red(p) || named_red(c)).map(|(p, c)| cross_case_name(p, c));
    lifecycle.chain(cross).collect()
}

/// The arm with this case name.
pub fn arm(name: &str) -> Option<&'static Arm> {
    ARMS.iter().find(|a| a.name == name)
}

// Cross-runtime delegation (issue 23, `scenario::cross`): which arm pairs run, declared here
// with the arms they name.
//
// Every ordered pair of distinct runtimes the catalogue runs: the runtimes with an online arm in
// the table (claude-code, hermes, openclaw, google-adk), 4 × 3 = 12 pairs. One arm stands for
// each runtime: hermes, openclaw and google-adk by their own (only) arm; claude-code by
// claude_code_platform as the parent (the platform path, no vendor key) and by seo_agent as the
// child (the template that resolves to claude-code), so a template created under a parent is
// covered at no extra case. codex has no pair: its arm is red in every generation, and like its
// lifecycle cases, its pairs would never come online. A generation that pins an arm red gates
// that arm's pairs there, naming the pin (google_adk at aeec8e47: 6 of the 12 run there, all 12
// at 41409fb2). Each case holds two workspaces of the org's three and waits for room like the
// rest. `a_new_runtime_joins_every_cross_pair` (tests/offline/extending.rs) checks the table
// against the arm table.

/// The cross-runtime pairs, `parent => [child, …];` by arm name: every ordered pair of distinct
/// online runtimes. `molecule_e2e::cross_table!(their_macro)` expands them (the live cases).
#[macro_export]
macro_rules! cross_table {
    ($callback:ident) => {
        $callback! {
            claude_code_platform => [hermes, openclaw, google_adk];
            hermes => [seo_agent, openclaw, google_adk];
            openclaw => [seo_agent, hermes, google_adk];
            google_adk => [seo_agent, hermes, openclaw];
        }
    };
}

macro_rules! pairs_const {
    ($($parent:ident => [$($child:ident),*];)*) => {
        /// [`cross_table!`]'s pairs as arm names, `(parent, child)`.
        pub const CROSS_PAIRS: &[(&str, &str)] = &[$($((stringify!($parent), stringify!($child)),)*)*];
    };
}

cross_table!(pairs_const);

/// A pair's case name: `cross::<parent>::<child>` (a module per parent arm, holding a case per
/// child).
pub fn cross_case_name(parent: &str, child: &str) -> String {
    format!("cross::{parent}::{child}")
}
