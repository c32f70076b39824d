#!/usr/bin/env bash
# The steps every staging job runs, in one place: the workflows of this repository and the
# templates for the platform's repository call it; .ci/run runs the same steps against a
# stand-in process. Run from the suite's root. Subcommands:
#
#   toolchain [COMP]    install the Rust toolchain (rustup, stable, at least 1.88, + components);
#                       prints `rustc=<version>` for the cache key to $GITHUB_OUTPUT
#   nextest             install cargo-nextest unless the cache brought it
#   preflight KEY...    the admin token and each E2E_<KEY>_API_KEY (MINIMAX, ...) are set (exit 2
#                       naming the missing secret), and MOLECULE_CP_URL/health answers 200 within 10 s
#   build               build the test binaries and molecule-e2e (no test runs)
#   org-up              create the run's org; appends E2E_ORG_SLUG etc. to $GITHUB_ENV (or prints them)
#   run TEST...         nextest (profile ci) over the --ignored cases of the test binaries
#   summary N           render the summary from the run's records; fail unless exactly N cases ran
#   expect-401 CASE     CASE failed at the workspace create with 401 (the sanity lane)
#   case-verdict CASE   print the recorded verdict kind of CASE (passed, failed, ...)
#   teardown            remove the run's org (org down), then sweep whatever else the run made
#   leak-check          the EC2 leak check for the run's org slug
set -euo pipefail

bin=${CARGO_TARGET_DIR:-target}/debug/molecule-e2e
records() { printf '%s.jsonl' "${E2E_REPORT:?E2E_REPORT must be set}"; }

cmd=${1:?usage: staging.sh toolchain|nextest|preflight|build|org-up|run|summary|expect-401|case-verdict|teardown|leak-check}
shift

case "$cmd" in
toolchain)
  # E2E_KEEP_TOOLCHAIN=1: the machine's toolchain is not the job's to change (.ci/act runs the
  # jobs on the host itself); the installed one is used and only its version is checked.
  if [ "${E2E_KEEP_TOOLCHAIN:-0}" != "1" ]; then
    if ! command -v rustup >/dev/null 2>&1; then
      curl --proto '=https' --tlsv1.2 -sSf --max-time 60 https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain none
      echo "$HOME/.cargo/bin" >>"${GITHUB_PATH:-/dev/null}"
      export PATH="$HOME/.cargo/bin:$PATH"
    fi
    # Extra components (ci.yml's .ci/run needs clippy) are the arguments.
    rustup toolchain install stable --profile minimal --no-self-update ${1:+--component "$*"}
    rustup default stable
  fi
  ver=$(rustc --version | awk '{print $2}')
  minor=$(echo "$ver" | cut -d. -f2)
  if [ "$minor" -lt 88 ]; then echo "::error::rustc $ver is older than the crate's 1.88"; exit 2; fi
  echo "rustc=$ver" >>"${GITHUB_OUTPUT:-/dev/null}"
  echo "rustc $ver"
  ;;
nextest)
  # Cached in ~/.cargo/bin with the registry: a warm job does not build it again.
  command -v cargo-nextest >/dev/null 2>&1 || cargo install --locked cargo-nextest@0.9.143
  cargo nextest --version
  ;;
preflight)
  if [ -z "${MOLECULE_ADMIN_TOKEN:-}" ]; then
    echo "::error::CP_STAGING_ADMIN_API_TOKEN secret not set (Railway staging CP_ADMIN_API_TOKEN)"; exit 2
  fi
  for key in "$@"; do
    var="E2E_${key}_API_KEY"
    if [ -z "${!var:-}" ]; then
      echo "::error::MOLECULE_STAGING_${key}_API_KEY secret not set: the arms on that key would be skipped, which E2E_REQUIRE_LIVE=1 fails"; exit 2
    fi
  done
  if [ "${E2E_AWS_LEAK_CHECK:-auto}" = "required" ]; then
    for var in AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; do
      if [ -z "${!var:-}" ]; then echo "::error::$var not set: EC2 leak verification cannot run"; exit 2; fi
    done
  fi
  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$MOLECULE_CP_URL/health" || true)
  if [ "$code" != "200" ]; then
    echo "::error::Staging CP unhealthy (got HTTP ${code:-none} within 10 s). Not a workspace bug."; exit 1
  fi
  echo "preflight ok: admin token, keys [$*], $MOLECULE_CP_URL/health 200"
  ;;
build)
  # Integration tests build the molecule-e2e binary too (with the dev-dependency features, so
  # no second build of the tree).
  cargo test --locked --no-run "$@"
  ;;
org-up)
  out=$("$bin" org up)
  echo "$out"
  # `org up` prints `export NAME=value` lines: hand them to the following steps.
  printf '%s\n' "$out" | sed -n 's/^export //p' | tr -d "'\"" >>"${GITHUB_ENV:-/dev/null}"
  ;;
run)
  args=()
  for t in "$@"; do args+=(--test "$t"); done
  # E2E_CASE_FILTER narrows the run to a nextest filterset (the sanity lane runs one case).
  # `run_end::` cases test the harness itself against stand-in processes of their own: they
  # have no business on a staging runner.
  harness_only='test(/^run_end::/)'
  if [ -n "${E2E_CASE_FILTER:-}" ]; then
    args+=(-E "($E2E_CASE_FILTER) and not $harness_only")
  else
    args+=(-E "not $harness_only")
  fi
  cargo nextest run --locked --profile ci --run-ignored only "${args[@]}"
  ;;
expect-401)
  # The sanity lane's inverted assertion: the case ran, FAILED, and failed at the workspace
  # create with 401 (the poisoned token), not anywhere else.
  name=${1:?expect-401 needs a case name}
  line=$(grep -F "\"case\":\"$name\"" "$(records)" 2>/dev/null | tail -n1 || true)
  case "$line" in
    *'"kind":"failed"'*'create workspace'*'HTTP 401'*) echo "OK: $name failed at create with 401, as E2E_INTENTIONAL_FAILURE=1 must" ;;
    *'"kind":"failed"'*) echo "::error::$name failed, but not at create with 401: $line"; exit 1 ;;
    '') echo "::error::$name has no record: the case never ran"; exit 1 ;;
    *) echo "::error::$name did not fail under E2E_INTENTIONAL_FAILURE=1: the poisoning path is broken: $line"; exit 1 ;;
  esac
  ;;
summary)
  expect=${1:?summary needs the expected number of cases}
  "$bin" report --records "$(records)" --out "$E2E_REPORT" --expect "$expect"
  ;;
case-verdict)
  name=${1:?case-verdict needs a case name}
  line=$(grep -F "\"case\":\"$name\"" "$(records)" 2>/dev/null | tail -n1 || true)
  kind=$(printf '%s' "$line" | sed -n 's/.*"verdict":{"kind":"\([a-z_]*\)".*/\1/p')
  echo "${kind:-missing}"
  ;;
teardown)
  # Belt and braces, as the platform's safety nets: the run tears its org down itself, but a
  # cancelled or timed-out job may not get there. Both verbs are idempotent.
  rc=0
  if [ -n "${E2E_ORG_SLUG:-}" ]; then
    "$bin" org down || { echo "::warning::org down for $E2E_ORG_SLUG failed; the run-scoped sweep follows"; rc=1; }
  fi
  "$bin" sweep --run-id "${E2E_RUN_ID:?E2E_RUN_ID must be set}" || {
    echo "::warning::sweep --run-id $E2E_RUN_ID failed: sweep-stale-e2e-orgs catches leftovers within ~45 min"; rc=1
  }
  exit "$rc"
  ;;
leak-check)
  if [ -z "${E2E_ORG_SLUG:-}" ]; then echo "no org was made: nothing to check"; exit 0; fi
  "$bin" aws-leak-check --slug "$E2E_ORG_SLUG"
  ;;
*)
  echo "staging.sh: unknown step $cmd" >&2; exit 2
  ;;
esac
