"""A stock a2a-sdk app served at its root, shaped like the platform's Python workspace runtime
(workspace/boot_routes.py before 9aa47643: the card routes and JSON-RPC at "/" with v0.3
compat; workspace/main.py's card: the binding "https://a2a.g/v1" at http://<HOSTNAME>:<port>,
no MCP). MODE picks the scripted model: right | echo | name-only (issue 24's replies).

A manual check of the container tier against code this project did not write; not run by CI
(it needs a2a-sdk from PyPI). See docs/container-tier.md, "Against a stock a2a-sdk app".

    python3 -m venv /tmp/sdk && /tmp/sdk/bin/pip install "a2a-sdk[http-server]==1.3.0" uvicorn
    MODE=echo /tmp/sdk/bin/python docker/stock-a2a-sdk/app.py 18712 &
    CANARY_RUNTIME_URL=http://127.0.0.1:18712 cargo test --features container \
        --test session_continuity -- --ignored canary:: diagnostic::
"""
import os, sys
import uvicorn
from starlette.applications import Starlette
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.routes import create_agent_card_routes, create_jsonrpc_routes
from a2a.server.tasks import InMemoryTaskStore
from a2a.types import AgentCard, AgentCapabilities, AgentInterface
from a2a.helpers import new_text_message

MODE = os.environ.get("MODE", "right")
SESSIONS: dict = {}
MEMORY: dict = {}


def answer(ctx_id, text, files):
    if MODE == "echo":
        return f'Got it: "{text}"'
    if files and MODE == "name-only":
        return f"I can't open {files[0][0]}. Please paste the text you want summarized."
    if files:
        name, body = files[0]
        if text:
            return f"Summary of {name}: " + ". ".join(body.split(". ")[:2])
        return f"I received {name}. What would you like me to do with it?"
    hist = SESSIONS.setdefault(ctx_id, [])
    hist.append(text)
    low = text.lower()
    if "single token: pong" in low:
        return "PONG"
    if "my name is" in low:
        return "Nice to meet you."
    if "what's my name" in low:
        for t in hist:
            if "my name is" in t.lower():
                return "Your name is " + t.split("my name is ")[1].strip(" .") + "."
        return "I don't know."
    if "remember:" in low:
        MEMORY["color"] = low.split("is ")[-1].strip(" .")
        return "Saved."
    if "recall" in low:
        return f"Your favorite color is {MEMORY.get('color', 'unknown')}."
    return f"pong: {text}"


class Exec(AgentExecutor):
    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        text = context.get_user_input()
        files = [(p.filename, p.raw.decode("utf-8", "replace")) for p in context.message.parts if p.raw]
        await event_queue.enqueue_event(new_text_message(answer(context.context_id, text, files), context_id=context.context_id))

    async def cancel(self, context, event_queue):
        pass


port = int(sys.argv[1])
card = AgentCard(
    name="stock-sdk", description="stock a2a-sdk app", version="1.0.0",
    supported_interfaces=[AgentInterface(protocol_binding="https://a2a.g/v1", url=f"http://ws-7f3a2b:{port}")],
    capabilities=AgentCapabilities(streaming=False, push_notifications=False),
    skills=[], default_input_modes=["text/plain"], default_output_modes=["text/plain"],
)
handler = DefaultRequestHandler(agent_executor=Exec(), task_store=InMemoryTaskStore(), agent_card=card)
routes = list(create_agent_card_routes(card)) + list(create_jsonrpc_routes(request_handler=handler, rpc_url="/", enable_v0_3_compat=True))
uvicorn.run(Starlette(routes=routes), host="127.0.0.1", port=port, log_level="warning")
