#!/usr/bin/env bash
# One-shot session-continuity canary run (contract §9) against a runtime image:
# build the reference image (or take TEMPLATE_IMAGE), start it with `docker compose` (or docker-compose v1), wait
# until its agent card answers 200, run the canaries and layer diagnostics from cargo
# against it, save artifacts on failure, tear down.
#
#   docker/run-canary.sh                                   # the reference image
#   TEMPLATE_IMAGE=org/template:tag docker/run-canary.sh   # a template's image
#   CANARY_FAULTS=session-keyed-on-task-id docker/run-canary.sh   # watch a canary fail
#
# Exit: 0 all passed, 1 a check failed, 2 the runtime never became healthy (or could not be
# built/started). Artifacts (on failure): $CANARY_ARTIFACTS_DIR (default ./artifacts):
# runtime.log (last 200 lines), session-store.txt, runtime-boot-failure.log (exit 2), and
# the failing check's own files. KEEP_RUNNING=1 leaves the stack up.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
cd "$repo" || exit 2

CANARY_RUN_ID="${CANARY_RUN_ID:-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')}"
CANARY_ARTIFACTS_DIR="${CANARY_ARTIFACTS_DIR:-$repo/artifacts}"
# 0 = let Docker pick a free port, so parallel runs on one host do not collide.
RUNTIME_PORT="${RUNTIME_PORT:-0}"
boot_timeout="${RUNTIME_BOOT_TIMEOUT:-60}"
export CANARY_RUN_ID CANARY_ARTIFACTS_DIR RUNTIME_PORT
# Compose project names allow lower-case letters, digits, '-' and '_'.
project="canary-$(printf '%s' "$CANARY_RUN_ID" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9_-' '-')"

log() { printf 'run-canary: %s\n' "$*" >&2; }
# The Compose v2 plugin (`docker compose`) where the runner has it, else the v1 binary.
if docker compose version >/dev/null 2>&1; then
  compose_cmd=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose_cmd=(docker-compose)
else
  echo "run-canary: neither \`docker compose\` nor \`docker-compose\` is installed" >&2
  exit 2
fi
compose() { "${compose_cmd[@]}" --project-name "$project" --file "$here/docker-compose.yml" "$@"; }

if [ -z "${TEMPLATE_IMAGE:-}" ]; then
  log "TEMPLATE_IMAGE unset: building the reference image"
  TEMPLATE_IMAGE="$("$here/build-image.sh" | tail -n 1)" || { log "building the reference image failed"; exit 2; }
fi
export TEMPLATE_IMAGE
mkdir -p "$CANARY_ARTIFACTS_DIR"

status=2
dump_artifacts() {
  local cid tmp
  cid="$(compose ps -q runtime 2>/dev/null)"
  compose logs --no-color --tail=200 runtime >"$CANARY_ARTIFACTS_DIR/runtime.log" 2>&1
  [ "$status" -eq 2 ] && cp "$CANARY_ARTIFACTS_DIR/runtime.log" "$CANARY_ARTIFACTS_DIR/runtime-boot-failure.log"
  # docker cp needs no shell in the image (the reference image is FROM scratch).
  tmp="$(mktemp -d)"
  {
    echo "# listing of /tmp/canary-memory in $TEMPLATE_IMAGE ($cid)"
    if [ -n "$cid" ] && docker cp "$cid:/tmp/canary-memory" "$tmp/" 2>/dev/null; then
      (cd "$tmp" && find canary-memory -type f -exec ls -l {} + | sort -k9)
      find "$tmp/canary-memory" -type f -name 'session*.json' | sort | while read -r f; do
        printf '\n# %s\n' "${f#"$tmp/"}"
        cat "$f"
      done
    else
      echo "(no /tmp/canary-memory in the container)"
    fi
  } >"$CANARY_ARTIFACTS_DIR/session-store.txt" 2>&1
  rm -rf "$tmp"
  log "artifacts in $CANARY_ARTIFACTS_DIR: runtime.log, session-store.txt$([ "$status" -eq 2 ] && echo ', runtime-boot-failure.log')"
}
finish() {
  [ "$status" -ne 0 ] && dump_artifacts
  if [ "${KEEP_RUNNING:-}" = "1" ]; then
    log "KEEP_RUNNING=1: leaving project $project up at ${url:-?}; tear down with:"
    log "  ${compose_cmd[*]} -p $project -f $here/docker-compose.yml down --volumes"
  else
    compose down --volumes --remove-orphans >/dev/null 2>&1 || log "teardown of $project failed"
  fi
  exit "$status"
}
trap finish EXIT
trap 'exit' INT TERM

log "starting $TEMPLATE_IMAGE as project $project"
compose up -d runtime || { log "${compose_cmd[*]} up failed"; exit 2; }
hostport="$(compose port runtime 8000 | tail -n 1)"
[ -n "$hostport" ] || { log "no host port for 8000"; exit 2; }
url="http://127.0.0.1:${hostport##*:}"

# Healthy = the agent card answers 200 at A2A's well-known path or the platform images'
# paths (what the compose health check execs inside the image), probed from the host so any
# template image works, whatever its health check.
probe() {
  if command -v curl >/dev/null 2>&1; then
    local p
    for p in /.well-known/agent-card.json /agent-card /.well-known/agent.json; do
      curl -fsS -o /dev/null --max-time 2 "$url$p" && return 0
    done
    return 1
  else
    [ "$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$(compose ps -q runtime)")" = healthy ]
  fi
}
deadline=$((SECONDS + boot_timeout))
until probe; do
  cid="$(compose ps -q runtime)"
  if [ -z "$cid" ] || [ "$(docker inspect -f '{{.State.Running}}' "$cid" 2>/dev/null)" != true ]; then
    log "the runtime exited during startup"
    exit 2
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    log "the runtime did not serve its agent card (GET /.well-known/agent-card.json, /agent-card or /.well-known/agent.json) with 200 within ${boot_timeout}s"
    exit 2
  fi
  sleep 1
done
log "runtime healthy at $url; running the canaries"

# Only the canaries and diagnostics: the fault proof needs the reference image, not this one.
if CANARY_RUNTIME_URL="$url" cargo test --features container --test session_continuity -- --ignored canary:: diagnostic::; then
  status=0
  log "PASS: session-continuity canaries against $TEMPLATE_IMAGE"
else
  status=1
  log "FAIL: session-continuity canaries against $TEMPLATE_IMAGE"
fi
