//! Canaries 5 and 6 (issue 23): memory three sessions deep, and a seeded tool's use. Each
//! speaks A2A only; what it asks of the runtime beyond A2A (the prompts it understands, how
//! it records a tool call) is runtime policy, and docs/container-tier.md says so.

use serde_json::{Value, json};

use super::canary::{CpSim, Why, ask, new_context, random_id, seen};
use super::verdict::{self, Spelling, contains_word, excerpt};

/// The prompt that commits one fact with the memory tool.
fn remember(fact: &str) -> String {
    format!("Please use the memory tool to remember: {fact}.")
}

/// Canary 5: session 1 teaches a codename and a city; session 2 overwrites the codename and
/// adds a pet; session 3, in a fresh context, asks for everything. The answer must carry the
/// amended codename, the city and the pet, and not the overwritten codename. Values are
/// made up per run, so neither a stale memory nor a guess passes.
pub async fn memory_three_sessions(rt: &CpSim) -> Result<String, Why> {
    let (old, new) = (random_id("vega", 6), random_id("orion", 6));
    let (city, pet) = (random_id("port", 6), random_id("rex", 6));
    let sessions = [
        vec![format!("my project codename is {old}"), format!("my home city is {city}")],
        vec![format!("my project codename is {new}"), format!("my pet name is {pet}")],
    ];
    let mut contexts = Vec::new();
    for facts in &sessions {
        let ctx = new_context();
        for fact in facts {
            ask(rt, &ctx, &remember(fact)).await?;
        }
        contexts.push(ctx);
    }
    let question = "Use the memory tool to recall everything you remember about me, then tell me.";
    let ctx = new_context();
    let reply = ask(rt, &ctx, question).await?;
    let story = format!("taught in {} (codename {old}, city {city}), amended in {} (codename {new}, pet {pet}), asked in {ctx}", contexts[0], contexts[1]);
    for (want, what) in [(&new, "the amended codename"), (&city, "the first session's city"), (&pet, "the added pet")] {
        verdict::judge_token(&reply, question, &[want.as_str()], Spelling::Word)
            .map_err(|r| Why::rejected(r, format!("{story}; the answer lacks {what} {want}; {}", seen(&reply))))?;
    }
    if contains_word(&reply, &old) {
        return Err(format!("{story}; the answer still carries the overwritten codename {old}: an amended fact must replace the old one; {}", seen(&reply)).into());
    }
    Ok(format!("{story}: {}", seen(&reply)))
}

/// The seeded tool's result the check expects: `fp-` and FNV-1a (32 bits) of the text, in
/// 8 hex digits. Computed here, not taken from the runtime's code.
pub fn fingerprint(text: &str) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    format!("fp-{hash:08x}")
}

/// The tool calls a reply records: every data part `{"toolCall": {…}}` in a Message's
/// parts, or in a Task's history, status message and artifacts (0.3 `kind:"data"` and 1.0
/// `data` alike).
pub fn tool_calls(result: &Value) -> Vec<Value> {
    let list = |k: &str| result.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let holders: Vec<Value> = [result.clone(), result.pointer("/status/message").cloned().unwrap_or_default()]
        .into_iter()
        .chain(list("history"))
        .chain(list("artifacts"))
        .collect();
    let parts: Vec<Value> = holders.iter().flat_map(|h| h.get("parts").and_then(Value::as_array).cloned().unwrap_or_default()).collect();
    parts.iter().filter_map(|p| p.pointer("/data/toolCall")).cloned().collect()
}

/// Judge a tool reply: the evidence names one `fingerprint` call on `text` whose result is
/// the fingerprint, and the answer carries that result. Pure, pinned offline.
pub fn judge_tool(result: &Value, answer: &str, prompt: &str, text: &str) -> Result<(), Why> {
    let want = fingerprint(text);
    let calls = tool_calls(result);
    let Some(call) = calls.iter().find(|c| c.get("name").and_then(Value::as_str) == Some("fingerprint")) else {
        return Err(format!("no fingerprint call in the reply's evidence (task history or message parts): the tool was never called; the answer was {}", seen(answer)).into());
    };
    let got = call.pointer("/arguments/text").and_then(Value::as_str).unwrap_or_default();
    if got != text {
        return Err(format!("the fingerprint tool was called with the wrong arguments: text {:?}, asked {text:?}; call {call}", excerpt(got)).into());
    }
    if call.get("result").and_then(Value::as_str) != Some(want.as_str()) {
        return Err(format!("the fingerprint call recorded result {}, but fingerprint({text:?}) is {want}", call["result"]).into());
    }
    verdict::judge_token(answer, prompt, &[want.as_str()], Spelling::Word).map_err(|r| {
        Why::rejected(r, format!("the tool returned {want} and the answer ignores its result; {}", seen(answer)))
    })
}

/// Canary 6: ask for the seeded tool on a text made up per run; the answer must carry the
/// tool's result (which cannot be guessed) and the reply's evidence must show the call.
pub async fn tool_use(rt: &CpSim) -> Result<String, Why> {
    let text = random_id("canary-tool-", 8);
    let prompt = format!("Use the fingerprint tool on \"{text}\" and tell me what it returns.");
    let result = send_for_evidence(rt, &prompt).await?;
    let reply = verdict::read_result(&result)?;
    let answer = verdict::answer_of(&reply)?.to_owned();
    judge_tool(&result, &answer, &prompt, &text)?;
    Ok(format!("fingerprint({text}) = {} carried and recorded: {}", fingerprint(&text), seen(&answer)))
}

/// Send `prompt` in a new context; a Task is read back whole with `tasks/get` (its history
/// holds the evidence), after it leaves `submitted`/`working`.
async fn send_for_evidence(rt: &CpSim, prompt: &str) -> Result<Value, Why> {
    let id = random_id("canary-", 12);
    let url = rt.a2a_url().await;
    let body = rt.post_json(&url, &super::canary::send_envelope(&id, &new_context(), Some(prompt), None)).await.map_err(|e| e.to_string())?;
    let mut result = rpc_result(&body, "message/send")?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while let Some(task_id) = task_id_of(&result) {
        let get = json!({"jsonrpc": "2.0", "id": random_id("canary-", 12), "method": "tasks/get", "params": {"id": task_id}});
        result = rpc_result(&rt.post_json(&url, &get).await.map_err(|e| e.to_string())?, "tasks/get")?;
        let state = result.pointer("/status/state").and_then(Value::as_str).unwrap_or_default();
        if !verdict::PENDING_STATES.contains(&state) {
            break;
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("task {task_id} stayed {state:?} for 60 s").into());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(result)
}

fn task_id_of(result: &Value) -> Option<String> {
    let is_task = result.get("kind").and_then(Value::as_str) == Some("task") || (result.get("status").is_some() && result.get("kind").is_none());
    is_task.then(|| result.get("id").and_then(Value::as_str).map(str::to_owned)).flatten()
}

fn rpc_result(body: &Value, method: &str) -> Result<Value, String> {
    match (body.get("error"), body.get("result")) {
        (Some(err), _) => Err(format!("JSON-RPC error from {method}: {err}")),
        (None, Some(r)) => Ok(r.clone()),
        (None, None) => Err(format!("{method} answered neither result nor error: {}", excerpt(&body.to_string()))),
    }
}
