#!/usr/bin/env bash
# Warm wall time of the offline tier (target: ≤ 5 s) and of plain `cargo test` (the offline
# tier plus the fault matrix), after the build: the mean and range of RUNS runs (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked --no-run -q
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'; }
measure() {
  local name=$1; shift
  cargo test -q --locked "$@" >/dev/null 2>&1 # warm-up
  for _ in $(seq "${RUNS:-5}"); do secs cargo test -q --locked "$@"; done |
    awk -v n="$name" '{ s += $1; if (min == "" || $1 < min) min = $1; if ($1 > max) max = $1 }
      END { printf "%-48s mean %.2f s (%.2f–%.2f s over %d runs)\n", n, s / NR, min, max, NR }'
}
measure 'offline tier (cargo test --test offline)' --test offline
measure 'plain cargo test (offline tier + fault matrix)'
