#!/usr/bin/env bash
# Wall time of the offline tier after the build (target: ≤ 5 s), and of plain `cargo test`
# (the offline tier plus the fault matrix). Needs hyperfine (`apt-get install hyperfine`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked --no-run -q
hyperfine --warmup 1 --runs "${RUNS:-5}" \
  --command-name 'offline tier (cargo test --test offline)' 'cargo test -q --locked --test offline' \
  --command-name 'plain cargo test (offline tier + fault matrix)' 'cargo test -q --locked'
