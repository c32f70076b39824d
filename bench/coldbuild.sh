#!/usr/bin/env bash
# Cold build of what the live tiers need (the library with stand-in and runtime, both staging
# test binaries and their dev-dependencies) in a throwaway target dir, deleted afterwards.
# Prints wall and CPU time; on shared cores the CPU time is the figure that compares.
# The container tier's extra (testcontainers, bollard, aws-lc for its fixtures' reqwest) is
# built only with `--features container`: CONTAINER=1 bench/coldbuild.sh measures that too.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/coldbuild.XXXXXX)
trap 'rm -rf "$dir"' EXIT
targets=(--test staging_saas --test staging_external)
[ "${CONTAINER:-0}" = 1 ] && targets+=(--features container --test session_continuity)
CARGO_TARGET_DIR=$dir /usr/bin/time -f "cold build: %e s wall, %U s user + %S s sys CPU" \
  cargo test --locked --no-run -q "${targets[@]}"
