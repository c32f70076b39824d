#!/usr/bin/env bash
# The workspace cap's cost in wall time (issue 22). Runs the SaaS live cases (every arm in full
# mode and every lifecycle case, on the embedded stand-in at a delay profile) twice: with no
# effective cap and with E2E_MAX_WORKSPACES=$CAP. From the uncapped run it takes the longest
# case L and the workspace-seconds A (each workspace from its create to the proof it left the
# list, from the room's events); no schedule under the cap can beat LB = max(L, A / CAP). It
# prints the capped wall time over LB (target ≤ 1.1) and the footprint lines of both runs.
#
# Measured (docs/waits-and-teardown.md, bench/README.md): uncapped 35.8-36.0 s, 47 workspaces,
# 36 alive at peak; cap 3: 122.6-122.9 s, 3 alive at peak, 1.04 x the bound of 118.3-118.4 s
# (target 1.1, met). It also prints the workspace-seconds of each case kind, uncapped and
# capped: where the capped run's workspaces live longer. KEEP=1 keeps the events, from which
# bench/plan.py computes the run's schedule (src/harness/schedule/<generation>.txt).
#
#   bench/footprint.sh                      # realistic delays, cap 3
#   PROFILE=x1 CAP=2 bench/footprint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CAP=${CAP:-3}
PROFILE=${PROFILE:-realistic}
cargo test --locked --no-run -q --test staging_saas
out=$(mktemp -d /tmp/footprint-bench.XXXXXX)
# KEEP=1 keeps the runs' logs and events (the directory is printed at the end).
[ -n "${KEEP:-}" ] || trap 'rm -rf "$out"' EXIT

run() { # <name> <cap>
  local id="fp-$1-$$"
  rm -rf /tmp/molecule-e2e-room/*"$id"*
  local t0 t1
  t0=$(date +%s.%N)
  # NEXTEST_RUN_ID: the run keeps its room's files (as under nextest) for the events read here.
  NEXTEST_RUN_ID=$id E2E_RUN_ID=$id E2E_MAX_WORKSPACES=$2 STANDIN_DELAYS=$PROFILE STANDIN_LOG=0 E2E_REPORT="$out/$1.md" \
    cargo test -q --locked --test staging_saas -- --ignored --skip run_end:: >"$out/$1.log" 2>&1 ||
    { tail -40 "$out/$1.log"; echo "the $1 run failed" >&2; exit 1; }
  t1=$(date +%s.%N)
  cp /tmp/molecule-e2e-room/*"$id"*/events "$out/$1.events"
  rm -rf /tmp/molecule-e2e-room/*"$id"*
  echo "$t0 $t1" >"$out/$1.wall"
}

run uncapped 1000
run capped "$CAP"

python3 - "$out" "$CAP" <<'EOF'
import json, sys
out, cap = sys.argv[1], int(sys.argv[2])
def wall(n):
    a, b = map(float, open(f"{out}/{n}.wall").read().split())
    return b - a
def footprint(n):
    alive, created, peak = set(), 0, 0
    for line in sorted(open(f"{out}/{n}.events"), key=lambda l: int(l.split()[0])):
        t, sign, kind, *rest = line.split()
        if kind == "ws":
            created += sign == "+"
            (alive.add if sign == "+" else alive.discard)(rest[0])
            peak = max(peak, len(alive))
    return f"{n}: workspaces: {created} created in the run's org, at most {peak} alive at once"
def alive_seconds(n):
    born, total = {}, 0.0
    for line in open(f"{out}/{n}.events"):
        t, sign, kind, *rest = line.split()
        if kind != "ws":
            continue
        if sign == "+":
            born[rest[0]] = int(t)
        elif rest[0] in born:
            total += (int(t) - born.pop(rest[0])) / 1000
    return total
records = [json.loads(l) for l in open(f"{out}/uncapped.md.jsonl") if l.strip()]
longest = max(r["secs"] for r in records)
a = alive_seconds("uncapped")
lb = max(longest, a / cap)
w_un, w_cap = wall("uncapped"), wall("capped")
print(f"uncapped: {w_un:.1f} s wall (process included), longest case {longest:.1f} s, {a:.1f} workspace-seconds")
print(f"cap {cap}: {w_cap:.1f} s wall; best schedule under the cap >= max({longest:.1f}, {a:.1f}/{cap}) = {lb:.1f} s")
print(f"capped wall / best schedule bound = {w_cap / lb:.2f} (target <= 1.1)")
print(footprint("uncapped"))
print(footprint("capped"))
print(f"capped: {alive_seconds('capped'):.1f} workspace-seconds")
def by_kind(n):
    born, kinds = {}, {}
    for line in open(f"{out}/{n}.events"):
        t, sign, kind, *rest = line.split()
        if kind != "ws":
            continue
        if sign == "+":
            born[rest[0]] = (int(t), rest[1].split("::")[0] if len(rest) > 1 else "?")
        elif rest[0] in born:
            b, k = born.pop(rest[0])
            kinds[k] = kinds.get(k, 0.0) + (int(t) - b) / 1000
    return kinds
un, ca = by_kind("uncapped"), by_kind("capped")
print("workspace-seconds by case kind, uncapped -> capped: " + ", ".join(f"{k} {un.get(k, 0):.0f} -> {ca.get(k, 0):.0f}" for k in sorted(set(un) | set(ca))))
EOF
[ -z "${KEEP:-}" ] || echo "logs and events kept in $out"
