#!/usr/bin/env bash
# Install the session-continuity-e2e workflow into a template repository checkout:
#
#   docker/onboard-template.sh path/to/template-checkout
#
# Idempotent: an identical workflow is left alone, a different one is replaced (and said
# so). Commit the result in the template repository yourself.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
src="$here/templates/session-continuity-e2e.yml"

if [ "$#" -ne 1 ]; then
  echo "usage: $0 <template-repository-checkout>" >&2
  exit 2
fi
repo="$1"
if [ ! -d "$repo" ]; then
  echo "onboard-template: $repo is not a directory" >&2
  exit 2
fi
if ! git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "onboard-template: $repo is not a git checkout" >&2
  exit 2
fi
if [ ! -f "$repo/Dockerfile" ]; then
  # The workflow builds the template's image with `docker build .`.
  echo "onboard-template: warning: $repo has no Dockerfile at its root; the workflow's build step will fail" >&2
fi

dest_dir="$repo/.gitea/workflows"
dest="$dest_dir/session-continuity-e2e.yml"
mkdir -p "$dest_dir"
if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
  echo "onboard-template: $dest is already up to date"
  exit 0
fi
action="installed"
[ -f "$dest" ] && action="updated"
cp "$src" "$dest"
echo "onboard-template: $action $dest; commit it in $repo"
