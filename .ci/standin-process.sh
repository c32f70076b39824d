# Sourced: start_standin starts `molecule-e2e standin` on a free port with the environment
# given, sets $standin_url and $standin_pid, and stops it when the shell exits.
# usage: start_standin [VAR=value ...]
start_standin() {
  local log
  log=$(mktemp)
  [ -x target/debug/molecule-e2e ] || cargo test --locked --no-run >/dev/null
  env STANDIN_LOG=0 "$@" target/debug/molecule-e2e standin --port 0 >"$log" 2>&1 &
  standin_pid=$!
  trap 'kill "$standin_pid" 2>/dev/null || true' EXIT
  standin_url=""
  for _ in $(seq 1 100); do
    standin_url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n1 || true)
    [ -n "$standin_url" ] && break
    # Waiting for the process to print its port: bounded, 10 s at most.
    sleep 0.1
  done
  [ -n "$standin_url" ] || { echo "the stand-in process never printed its URL:"; cat "$log"; return 1; }
  echo "stand-in process at $standin_url ($*)"
}

# no_org_left <what>: the stand-in at $standin_url lists no org.
no_org_left() {
  local orgs
  orgs=$(curl -fsS --max-time 10 -H "Authorization: Bearer ${MOLECULE_ADMIN_TOKEN:-standin-admin-token}" "$standin_url/cp/admin/orgs")
  if [ "$(printf '%s' "$orgs" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["orgs"]))')" != "0" ]; then
    echo "orgs left behind on the stand-in process ($1): $orgs"; return 1
  fi
  echo "no org left behind ($1)"
}
