#!/usr/bin/env bash
# Wall time of the container tier from a warm cargo build (image already current, test
# binary built): `cargo test --features container --test session_continuity -- --ignored`.
#
#   docker/bench-container-tier.sh            # hyperfine, 5 runs after 1 warm-up
#   RUNS=10 docker/bench-container-tier.sh
#
# Falls back to /usr/bin/time for one run when hyperfine is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

cmd=(cargo test --quiet --features container --test session_continuity -- --ignored)
# Warm everything the timing should not include: the static build, the image, the test binary.
"${cmd[@]}" >/dev/null

if command -v hyperfine >/dev/null 2>&1; then
  hyperfine --warmup 1 --runs "${RUNS:-5}" --export-markdown "${BENCH_OUT:-target/bench-container-tier.md}" "${cmd[*]}"
else
  /usr/bin/time -f "container tier: %e s wall, %M KB max RSS (cargo)" "${cmd[@]}" >/dev/null
fi
# Leftovers would mean a drop path that does not clean up.
left="$(docker ps -aq --filter label=org.testcontainers.managed-by=testcontainers | wc -l)"
echo "containers left behind: $left"
[ "$left" -eq 0 ]
