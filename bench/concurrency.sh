#!/usr/bin/env bash
# Do the arms really run concurrently? With the stand-in's realistic delay profile (seconds
# of provisioning, different per runtime), run each arm alone, then all arms together, and
# compare the whole matrix with its slowest single arm (target: ratio ≤ 1.3).
set -euo pipefail
cd "$(dirname "$0")/.."
export STANDIN_DELAYS=realistic E2E_WORKSPACE_ONLINE_TIMEOUT_SECS=60 E2E_PROVISION_TIMEOUT_SECS=60
cargo test --locked --no-run -q
arms=(claude_code_on_minimax claude_code_on_anthropic claude_code_on_the_subscription_default
      claude_code_on_the_keyless_platform_path hermes_answers codex_with_gpt_4o openclaw_answers
      seo_agent_template google_adk_on_ai_studio)
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'; }
slowest=0; slowest_arm=""
for a in "${arms[@]}"; do
  t=$(secs cargo test -q --locked --test staging_saas -- --ignored "$a")
  printf '%-45s %6.2f s alone\n' "$a" "$t"
  if awk -v t="$t" -v s="$slowest" 'BEGIN { exit !(t > s) }'; then slowest=$t; slowest_arm=$a; fi
done
whole=$(secs cargo test -q --locked --test staging_saas -- --ignored arm::)
printf '%-45s %6.2f s\n' "all ${#arms[@]} arms together" "$whole"
ratio=$(awk -v w="$whole" -v s="$slowest" 'BEGIN { printf "%.2f", w / s }')
echo "slowest single arm: $slowest_arm ($slowest s); whole matrix / slowest arm = $ratio (target ≤ 1.3)"
