#!/usr/bin/env bash
# Wall time of both live targets on the embedded stand-in, after the build: the whole
# `--ignored` run, and the live cases alone (without `run_end::`, whose signal tests wait up to
# 8 s into a run by design).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)"; exit 1; }
cargo test --locked --no-run -q
hyperfine --warmup 1 --runs "${RUNS:-5}" \
  --command-name 'live tiers, hermetic (staging_saas + staging_external, --ignored)' \
  'cargo test -q --locked --test staging_saas --test staging_external -- --ignored' \
  --command-name 'the live cases alone (--skip run_end::)' \
  'cargo test -q --locked --test staging_saas --test staging_external -- --ignored --skip run_end::'
