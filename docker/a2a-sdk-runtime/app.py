"""A second, independent runtime for the container tier (issue 23): an agent on the official
a2a-sdk (pinned in requirements.txt) with a deterministic scripted model, written for this
project (no a2aproject code copied). It serves A2A JSON-RPC at "/" in both dialects (1.0 and,
with the SDK's compat layer, 0.3), the card at the well-known path, no MCP, and:

- sessions keyed on contextId (canary 1), files read by content (canaries 2, 3);
- a workspace memory that overwrites amended facts and lists everything it holds (4, 5);
- the seeded tool `fingerprint` (fp- + FNV-1a 32 of its argument), each call recorded as a
  data part {"toolCall": ...} in the task's history (a superseded status message) (6);
- streaming paced per word; a client that hangs up cancels its task through the SDK's own
  tasks/cancel path (7). That last one is this runtime's policy: a stock a2a-sdk handler
  keeps consuming in the background after a disconnect, which A2A allows.

    python3 docker/a2a-sdk-runtime/app.py 8000            # listens on 0.0.0.0:8000
    docker/a2a-sdk-runtime/build-image.sh                 # -> molecule-e2e-a2a-sdk-runtime:local
"""
import asyncio
import os
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from a2a.helpers import new_data_part, new_task, new_text_part
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.routes import create_agent_card_routes, create_jsonrpc_routes
from a2a.server.tasks import InMemoryTaskStore, TaskUpdater
from a2a.types import (AgentCapabilities, AgentCard, AgentInterface, AgentSkill,
                       CancelTaskRequest, TaskState)

TICK = 0.02  # seconds per streamed word: a model's pace, so a client can hang up mid-answer
SESSIONS: dict = {}
MEMORY: dict = {}
TERMINAL = {TaskState.TASK_STATE_COMPLETED, TaskState.TASK_STATE_CANCELED,
            TaskState.TASK_STATE_FAILED, TaskState.TASK_STATE_REJECTED}


def fingerprint(text):
    h = 0x811C9DC5
    for b in text.encode():
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return f"fp-{h:08x}"


def key_value(fact):
    fact = fact.strip().rstrip(".!")
    low = fact.lower()
    i = low.find(" is ")
    key = low[:i] if i > 0 else low
    key = " ".join(w for w in key.split() if w not in ("my", "the"))
    return key, (fact[i + 4:].strip() if i > 0 else fact)


def token_of(low, text):
    for cue in ("the single token:", "exactly the word", "exactly:"):
        i = low.find(cue)
        if i >= 0:
            rest = text[i + len(cue):].strip()
            tok = "".join(c for c in rest.split(" ")[0] if c.isalnum() or c in "_-")
            if tok:
                return tok
    return None


def answer(ctx_id, text, files):
    """The scripted model: (answer, tool call or None)."""
    hist = SESSIONS.setdefault(ctx_id, [])
    hist.append(text)
    low = text.lower()
    if files:
        name, body = files[0]
        if text.strip():
            return f"Summary of {name}: " + " ".join(body.split())[:240], None
        return f"I received the file {name} with no instructions. What would you like me to do with it?", None
    tok = token_of(low, text)
    if tok:
        return tok, None
    if "fingerprint tool" in low and text.count('"') >= 2:
        arg = text.split('"')[1]
        call = {"name": "fingerprint", "arguments": {"text": arg}, "result": fingerprint(arg)}
        return f"The fingerprint tool returned {call['result']} for \"{arg}\".", call
    if "remember:" in low:
        key, value = key_value(text[low.index("remember:") + 9:])
        MEMORY[key] = value
        return f"Saved to memory: {key} = {value}.", None
    if "recall everything" in low:
        return "From memory: " + "; ".join(f"{k} is {v}" for k, v in sorted(MEMORY.items())) + ".", None
    if "recall " in low:
        subject = low.split("recall ", 1)[1].split(",")[0].split(" then ")[0]
        key, _ = key_value(subject + " is x")
        hits = [(k, v) for k, v in MEMORY.items() if k == key or key in k]
        return (f"From memory: your {hits[0][0]} is {hits[0][1]}." if hits else f"Nothing stored about {key}."), None
    if "count from " in low:
        nums = [int(w) for w in low.split("count from ", 1)[1].replace(",", " ").split() if w.isdigit()]
        if len(nums) >= 2 and nums[0] <= nums[1] < nums[0] + 1000:
            return " ".join(str(n) for n in range(nums[0], nums[1] + 1)), None
    if "what's my name" in low:
        for t in hist:
            if "my name is " in t.lower():
                return "Your name is " + t[t.lower().index("my name is ") + 11:].split()[0].strip(" .") + ".", None
        return "You have not told me your name in this conversation.", None
    if "my name is " in low:
        return "Nice to meet you, " + text[low.index("my name is ") + 11:].split()[0].strip(" .") + ".", None
    return f"pong: {text}", None


class ScriptedAgent(AgentExecutor):
    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        text = context.get_user_input()
        files = [(p.filename, p.raw.decode("utf-8", "replace")) for p in context.message.parts if p.raw]
        reply, call = answer(context.context_id, text, files)
        if not context.current_task:
            await event_queue.enqueue_event(new_task(context.task_id, context.context_id,
                                                     TaskState.TASK_STATE_SUBMITTED, history=[context.message]))
        up = TaskUpdater(event_queue, context.task_id, context.context_id)
        if call:
            # The call's record, as a status message the SDK moves into history once superseded.
            await up.update_status(TaskState.TASK_STATE_WORKING,
                                   message=up.new_agent_message([new_data_part({"toolCall": call})]))
        else:
            await up.start_work()
        words = reply.split(" ")
        for i, w in enumerate(words):
            await asyncio.sleep(TICK)
            await up.add_artifact([new_text_part(w if i == 0 else " " + w)], artifact_id="answer",
                                  name="answer", append=i > 0, last_chunk=i == len(words) - 1)
        await up.complete()

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        await TaskUpdater(event_queue, context.task_id, context.context_id).cancel()


class HangUpCancels(DefaultRequestHandler):
    """A client that hangs up on a stream cancels its task (this runtime's policy)."""

    async def on_message_send_stream(self, params, context):
        task_id, done = None, False
        try:
            async for ev in super().on_message_send_stream(params, context):
                task_id = task_id or getattr(ev, "task_id", "") or getattr(ev, "id", "")
                status = getattr(ev, "status", None)
                done = done or (status is not None and status.state in TERMINAL)
                yield ev
        finally:
            if task_id and not done:
                asyncio.get_running_loop().create_task(self._cancel(task_id, context))

    async def _cancel(self, task_id, context):
        try:
            await self.on_cancel_task(CancelTaskRequest(id=task_id), context)
        except Exception as e:  # already finished: nothing to cancel
            print(f"cancel after hang-up of {task_id}: {e}", file=sys.stderr)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    public = os.environ.get("MOLECULE_PUBLIC_URL", f"http://127.0.0.1:{port}/")
    card = AgentCard(
        name="molecule-e2e-a2a-sdk-runtime", description="a2a-sdk agent with a scripted model (container tier)",
        version="1.0.0",
        supported_interfaces=[AgentInterface(protocol_binding="JSONRPC", url=public, protocol_version="1.0"),
                              AgentInterface(protocol_binding="JSONRPC", url=public, protocol_version="0.3")],
        capabilities=AgentCapabilities(streaming=True, push_notifications=False),
        skills=[AgentSkill(id="fingerprint", name="Fingerprint tool", description="fp- + FNV-1a of a text",
                           tags=["tool"])],
        default_input_modes=["text/plain"], default_output_modes=["text/plain"],
    )
    handler = HangUpCancels(agent_executor=ScriptedAgent(), task_store=InMemoryTaskStore(), agent_card=card)
    routes = list(create_agent_card_routes(card))
    routes += list(create_jsonrpc_routes(request_handler=handler, rpc_url="/", enable_v0_3_compat=True))
    routes.append(Route("/health", lambda _: PlainTextResponse("ok")))
    uvicorn.run(Starlette(routes=routes), host=os.environ.get("BIND", "0.0.0.0"), port=port, log_level="warning")


if __name__ == "__main__":
    main()
