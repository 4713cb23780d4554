#!/usr/bin/env bash
# Builds and runs three tiny out-of-tree projects that use goro the ways a user would:
# find_package(goro CONFIG) against an installed prefix, add_subdirectory of the source
# tree, and pkg-config with a plain compiler line (tests/consumer/). Each must print
# "consumer ok 4950". Needs the release build (scripts/test.sh) to install from.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/goro-consumers.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --preset release >/dev/null
cmake --build --preset release --target goro
cmake --install build/release --prefix "$work/prefix" >/dev/null

check() {  # check <name> <binary>
    local out
    out=$("$2")
    echo "$1: $out"
    [[ $out == "consumer ok 4950" ]] || { echo "consumer $1 failed" >&2; exit 1; }
}

cmake -S tests/consumer/find_package -B "$work/find_package" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/find_package" -j2 >/dev/null
check find_package "$work/find_package/app"

cmake -S tests/consumer/add_subdirectory -B "$work/add_subdirectory" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DGORO_SOURCE_DIR="$repo" >/dev/null
cmake --build "$work/add_subdirectory" -j2 >/dev/null
check add_subdirectory "$work/add_subdirectory/app"

tests/consumer/pkg_config/build.sh "$work/prefix" "$work/pkg_config_app"
check pkg_config "$work/pkg_config_app"
