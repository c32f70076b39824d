#!/usr/bin/env bash
# Build the second runtime's image, molecule-e2e-a2a-sdk-runtime:local, with no registry:
#  1. a base image imported from this machine's Python (its prefix without site-packages and
#     tests, plus the shared libraries it and its extension modules load), once per version;
#  2. the pinned wheels (requirements.txt) downloaded from PyPI on the host;
#  3. docker/a2a-sdk-runtime/Dockerfile on top: the wheels unpacked, app.py, port 8000.
#
#   docker/a2a-sdk-runtime/build-image.sh      # prints the image name
#   PYTHON=/usr/bin/python3.11 docker/a2a-sdk-runtime/build-image.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

py="${PYTHON:-$(command -v python3)}"
prefix="$("$py" -c 'import sys; print(sys.base_prefix)')"
version="$("$py" -c 'import platform; print(platform.python_version())')"
# The base carries the libraries the pinned wheels load too, so it is keyed on the pins.
base="molecule-e2e-pybase:$version-$(sha256sum docker/a2a-sdk-runtime/requirements.txt | cut -c1-8)"
image="${A2A_SDK_IMAGE:-molecule-e2e-a2a-sdk-runtime:local}"
stage=target/a2a-sdk-image
rm -rf "$stage"
mkdir -p "$stage/wheels"

"$py" -m pip download --quiet --disable-pip-version-check --only-binary=:all: -d "$stage/wheels" -r docker/a2a-sdk-runtime/requirements.txt >&2

if ! docker image inspect "$base" >/dev/null 2>&1; then
  root="$stage/rootfs"
  mkdir -p "$root/tmp" "$root/usr/local/bin"
  tar -C / --exclude='*/site-packages' --exclude='*/test' --exclude='*/tests' --exclude='*/idlelib' \
      --exclude='*/tkinter' --exclude='__pycache__' -cf - "${prefix#/}" | tar -C "$root" -xf -
  # What the interpreter, its extension modules and the wheels' ones load (manylinux wheels
  # may ask for libgcc_s and libstdc++).
  "$py" -c 'import glob, sys, zipfile; [zipfile.ZipFile(w).extractall(sys.argv[1]) for w in glob.glob(sys.argv[2] + "/*.whl")]' "$stage/site" "$stage/wheels"
  { find "$prefix" "$stage/site" -path "$prefix/lib/*/site-packages" -prune -o -name '*.so*' -type f -print; echo "$prefix/bin/python3"; } \
    | xargs ldd 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | sort -u >"$stage/libs"
  for lib in /lib64/ld-linux-x86-64.so.2 $(ldconfig -p | awk '/x86-64/ && /libgcc_s\.so\.1 |libstdc\+\+\.so\.6 /{print $NF}'); do
    echo "$lib" >>"$stage/libs"
  done
  sort -u "$stage/libs" | while read -r lib; do cp --parents -L "$lib" "$root"; done
  ln -s "$prefix/bin/python3" "$root/usr/local/bin/python3"
  tar -C "$root" -cf - . | docker import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' - "$base" >&2
fi

cp docker/a2a-sdk-runtime/app.py docker/a2a-sdk-runtime/Dockerfile "$stage/"
# The sources' sha256, which the container tier's fixture compares before reusing the image.
sha="$(cat docker/a2a-sdk-runtime/app.py docker/a2a-sdk-runtime/requirements.txt | sha256sum | cut -d' ' -f1)"
docker build --quiet --build-arg "BASE=$base" --label "org.molecule.a2a-sdk-runtime.source-sha256=$sha" -t "$image" "$stage" >&2
echo "$image"
