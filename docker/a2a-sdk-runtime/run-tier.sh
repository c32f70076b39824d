#!/usr/bin/env bash
# The container tier's checks (the seven canaries and the four diagnostics) against the
# second runtime: docker/a2a-sdk-runtime/app.py on the pinned official a2a-sdk, installed
# from PyPI into a venv under target/ (once), started on a loopback port, found by its card
# through CANARY_RUNTIME_URL, and stopped after. Exit status: the tier's.
#
#   docker/a2a-sdk-runtime/run-tier.sh
#   A2A_SDK_VENV=/path/to/venv PORT=18731 docker/a2a-sdk-runtime/run-tier.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

venv="${A2A_SDK_VENV:-target/a2a-sdk-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import a2a, uvicorn' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r docker/a2a-sdk-runtime/requirements.txt
fi
port="${PORT:-18731}"
log=target/a2a-sdk-runtime.log
BIND=127.0.0.1 "$venv/bin/python" docker/a2a-sdk-runtime/app.py "$port" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT

# Ready when the card answers (a bounded wait, 20 s); a runtime that dies says why.
for _ in $(seq 1 200); do
  curl -sf "http://127.0.0.1:$port/.well-known/agent-card.json" >/dev/null && break
  kill -0 "$pid" 2>/dev/null || { echo "the a2a-sdk runtime exited before it was ready:"; cat "$log"; exit 2; }
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/.well-known/agent-card.json" >/dev/null || { echo "the a2a-sdk runtime never served its card:"; cat "$log"; exit 2; }

CANARY_RUNTIME_URL="http://127.0.0.1:$port" cargo test --locked --features container --test session_continuity -- --ignored canary:: diagnostic::
