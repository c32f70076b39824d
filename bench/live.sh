#!/usr/bin/env bash
# Wall time of both live targets on the embedded stand-in, after the build (target: ≤ 10 s).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked --no-run -q
hyperfine --warmup 1 --runs "${RUNS:-5}" \
  --command-name 'live tiers, hermetic (staging_saas + staging_external, --ignored)' \
  'cargo test -q --locked --test staging_saas --test staging_external -- --ignored'
