#!/usr/bin/env bash
# Build the reference runtime image (default tag molecule-e2e-runtime:local): a static glibc
# build of molecule-e2e, then `docker build` with only the Dockerfile and the binary as
# context. Works offline: the image is FROM scratch.
#
#   docker/build-image.sh            # build and tag molecule-e2e-runtime:local
#   IMAGE_TAG=x:y docker/build-image.sh
#
# Prints the tag on the last line of stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

tag="${IMAGE_TAG:-molecule-e2e-runtime:local}"
target=x86_64-unknown-linux-gnu
target_dir="${CARGO_TARGET_DIR:-target}"

# --target is required: without it crt-static also hits proc-macros and the build fails.
# Keep this RUSTFLAGS string identical to the test fixture's, or each switch rebuilds.
RUSTFLAGS="-C target-feature=+crt-static" \
  cargo build --locked --release --target "$target" --bin molecule-e2e >&2

bin="$target_dir/$target/release/molecule-e2e"
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
cp docker/Dockerfile "$ctx/Dockerfile"
cp "$bin" "$ctx/molecule-e2e"
sha="$(sha256sum "$bin" | cut -d' ' -f1)"

docker build --quiet --build-arg "BINARY_SHA256=$sha" --tag "$tag" "$ctx" >&2
echo "$tag"
