#!/usr/bin/env bash
# Install the suite's workflow into a checkout of the platform's repository, pinned to a commit
# of this suite (default: this checkout's HEAD, which must be clean and pushed):
#
#   .gitea/scripts/onboard-platform.sh path/to/enteros-core [suite-commit]
#
# Writes .gitea/workflows/e2e-ephemeral-molecule-e2e.yml there: the suite per pull request
# against the throwaway control plane the platform's e2e-ephemeral-happy-path gate boots (the
# staging workflows the old templates replaced were deleted from the platform on 2026-07-20).
# Commit the result in the platform's repository yourself.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
dest=${1:?usage: $0 <platform-checkout> [suite-commit]}
commit=${2:-$(git -C "$here" rev-parse HEAD)}
if ! [[ "$commit" =~ ^[0-9a-f]{40}$ ]]; then
  echo "not a full commit sha: $commit (pin a commit, not a branch)" >&2; exit 2
fi
if [ -z "${2:-}" ] && [ -n "$(git -C "$here" status --porcelain)" ]; then
  echo "this checkout has uncommitted changes: commit and push them, or pass the suite commit" >&2; exit 2
fi
mkdir -p "$dest/.gitea/workflows"
for wf in e2e-ephemeral-molecule-e2e.yml; do
  sed "s/@MOLECULE_E2E_COMMIT@/$commit/" "$here/docker/templates/$wf" >"$dest/.gitea/workflows/$wf"
  echo "wrote $dest/.gitea/workflows/$wf (suite at $commit)"
done
