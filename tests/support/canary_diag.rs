//! The container tier's layer diagnostics (contract §9): the agent card, two turns in one
//! context, the recall of an unknown key (where the card offers MCP) and the smoke token.

use super::canary::{CallError, CpSim, Outcome, PONG_PROMPT, Why, expect, new_context, random_id};
use super::card::Endpoints;
use super::verdict::{self, Spelling, excerpt};

pub async fn agent_card(rt: &CpSim) -> Result<String, Why> {
    match rt.endpoints().await {
        Ok(found) => Ok(found.how.clone()),
        Err(e) => Err(Why::from(e.to_string())),
    }
}

/// Two turns in one context, as the platform's session layer sends them: no task id (a
/// runtime may rightly refuse one: unknown, or finished), and each reply, if it names a
/// context, names this one.
pub async fn two_turns_one_context(rt: &CpSim) -> Result<String, Why> {
    let ctx = new_context();
    let mut seen_texts = Vec::new();
    for text in ["ping", "ping again"] {
        let reply = rt.send(&ctx, Some(text), None).await.map_err(|e| format!("turn {text:?}: {e}"))?;
        verdict::answer_of(&reply).map_err(|e| format!("turn {text:?}: {e}"))?;
        if let Some(other) = reply.context_id().filter(|c| *c != ctx) {
            return Err(format!("turn {text:?} was sent in context {ctx} but answered in context {other}: the session layer keys on contextId").into());
        }
        seen_texts.push(excerpt(reply.text()));
    }
    Ok(format!("both turns answered in context {ctx}: {seen_texts:?}"))
}

/// `recall_memory` of a key nobody stored must answer, where the card offers MCP; a card
/// that does not offer it makes the check not applicable (MCP is not part of A2A). Offered
/// and missing, or offered and crashing, fails.
pub async fn recall_unknown_key(rt: &CpSim) -> Result<Outcome, Why> {
    let url = match rt.endpoints().await {
        Ok(Endpoints { mcp: Some(url), .. }) => url.clone(),
        Ok(Endpoints { mcp: None, .. }) => {
            return Ok(Outcome::NotApplicable(format!(
                "the agent card offers no MCP memory surface (no capabilities.extensions entry {}); MCP is not part of A2A",
                molecule_e2e::runtime::MCP_EXTENSION_URI
            )));
        }
        Err(e) => return Ok(Outcome::NotApplicable(format!("no agent card to offer MCP ({e})"))),
    };
    let key = random_id("canary-probe-", 8);
    match rt.recall(&url, &key).await {
        Ok(text) => Ok(Outcome::Passed(format!("recall_memory({key}) at {url} answered {:?}", excerpt(&text)))),
        Err(CallError::Missing(why)) => Err(format!("the card offers MCP at {url}, but it is not served: {why}").into()),
        Err(CallError::Broken(why)) => Err(format!("recall_memory of an unknown key crashed at {url}, which the card offers: {why}").into()),
    }
}

pub async fn exact_answer(rt: &CpSim) -> Result<String, Why> {
    let reply = rt.send(&new_context(), Some(PONG_PROMPT), None).await?;
    let text = verdict::answer_of(&reply)?;
    expect(text, PONG_PROMPT, "PONG", Spelling::Exact, " (exactly, spelt right)")
}
