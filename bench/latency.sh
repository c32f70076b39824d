#!/usr/bin/env bash
# What a run costs against what the platform costs (issue 14). For each stand-in delay profile,
# run arms alone and the whole arm matrix (smoke mode: org → workspace online → A2A → teardown)
# and report wall time / the platform's own latency for the arm (org readiness + the runtime's
# provisioning, which the stand-in's profile fixes), and the whole matrix / its slowest arm.
# Targets: an arm ≤ 1.25 × latency (plus request time), the matrix ≤ 1.1 × its slowest arm.
#
#   bench/latency.sh                 # fast, realistic, staging-like ×1, ×10 (≈ 2 min)
#   PROFILES=x100 bench/latency.sh   # staging-like ×100: 50 s org, 100 s workspace (≈ 5 min)
#
# The deadlines are staging's (900 s, 3600 s) in every profile: polling must not scale with them.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(cargo test --locked --no-run --message-format=json --test staging_saas 2>/dev/null |
  sed -n 's/.*"executable":"\([^"]*staging_saas[^"]*\)".*/\1/p' | tail -1)
[ -x "$bin" ] || { echo "cannot find the staging_saas test binary" >&2; exit 1; }

export E2E_MODE=smoke E2E_PROVISION_TIMEOUT_SECS=900 E2E_WORKSPACE_ONLINE_TIMEOUT_SECS=3600
# As `cargo test` would (.cargo/config.toml): the arms run concurrently, not one per core.
export E2E_RUN_ID=bench STANDIN_LOG=0 RUST_TEST_THREADS=24

# arm case = the runtime it provisions ("-" = rejected at create: no provisioning)
arms=(arm::claude_code_minimax=claude-code arm::claude_code_anthropic=claude-code
      arm::claude_code_subscription=claude-code arm::claude_code_platform=claude-code
      arm::hermes=hermes arm::codex=- arm::openclaw=openclaw arm::seo_agent=seo-agent
      arm::google_adk=google-adk)

# profile → "org_ms default_provision_ms [runtime=ms ...]" and the env that selects it
profile_delays() {
  case $1 in
    fast) echo "150 200" ;;
    realistic) echo "2000 3000 claude-code=3000 seo-agent=3000 hermes=4000 codex=2500 openclaw=3500 google-adk=3000" ;;
    x1) echo "500 1000" ;;
    x10) echo "5000 10000" ;;
    x100) echo "50000 100000" ;;
  esac
}
profile_env() {
  case $1 in
    fast) echo "STANDIN_DELAYS=fast" ;;
    realistic) echo "STANDIN_DELAYS=realistic" ;;
    x*) read -r org prov <<<"$(profile_delays "$1")"; echo "STANDIN_ORG_READY_MS=$org STANDIN_PROVISION_MS=$prov" ;;
  esac
}
# The platform's latency for an arm, in seconds.
latency() {
  local profile=$1 runtime=$2 org prov rest
  read -r org prov rest <<<"$(profile_delays "$profile")"
  for kv in $rest; do [ "${kv%%=*}" = "$runtime" ] && prov=${kv#*=}; done
  [ "$runtime" = "-" ] && prov=0
  awk -v o="$org" -v p="$prov" 'BEGIN { printf "%.2f", (o + p) / 1000 }'
}
# Wall seconds of the test binary on `filter` (fails the bench if a case fails).
run() {
  local envs=$1 filter=$2 t0 t1 log
  log=$(mktemp)
  t0=$(date +%s.%N)
  if ! env $envs "$bin" --ignored --nocapture "$filter" >"$log" 2>&1; then
    echo "FAILED: $filter with $envs" >&2; tail -20 "$log" >&2; rm -f "$log"; exit 1
  fi
  t1=$(date +%s.%N)
  rm -f "$log"
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}

for profile in ${PROFILES:-fast realistic x1 x10}; do
  envs=$(profile_env "$profile")
  echo "== profile $profile ($envs)"
  slowest=0
  # Staging-like profiles provision every runtime alike: one arm alone stands for all.
  case $profile in x*) list=(arm::hermes=hermes) ;; *) list=("${arms[@]}") ;; esac
  for a in "${list[@]}"; do
    filter=${a%%=*} runtime=${a#*=}
    lat=$(latency "$profile" "$runtime")
    wall=$(run "$envs" "$filter")
    printf '  %-42s wall %7.2f s  platform %6.2f s  ratio %.2f\n' "$filter" "$wall" "$lat" \
      "$(awk -v w="$wall" -v l="$lat" 'BEGIN { print w / l }')"
    if awk -v t="$wall" -v s="$slowest" 'BEGIN { exit !(t > s) }'; then slowest=$wall; fi
  done
  whole=$(run "$envs" "arm::")
  printf '  %-42s wall %7.2f s  slowest arm alone %.2f s  ratio %.2f\n' "all ${#arms[@]} arms together" "$whole" \
    "$slowest" "$(awk -v w="$whole" -v s="$slowest" 'BEGIN { print w / s }')"
done
