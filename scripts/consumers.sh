#!/usr/bin/env bash
# Builds and runs three tiny out-of-tree projects that use goro the ways a user would:
# find_package(goro CONFIG) against an installed prefix, add_subdirectory of the source
# tree, and pkg-config with a plain compiler line (tests/consumer/). Each must print
# "consumer ok 4950". Then it builds every program of tests/programs/ that is not listed
# in tests/programs/pending.txt the same plain way (g++ -std=c++20 and pkg-config, against
# the installed prefix) and runs each: each checks its own output and must print
# "ok <name>" and exit 0. Needs the release build (scripts/test.sh) to install from.
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

# The programs of tests/programs/, built as a user would build them, two at a time.
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib/x86_64-linux-gnu/pkgconfig"
pending=$(awk '/^[a-z_0-9]+ +(build|run) / { print $1 }' tests/programs/pending.txt)
programs=()
for src in tests/programs/*.cpp; do
    name=$(basename "$src" .cpp)
    grep -qx "$name" <<<"$pending" || programs+=("$name")
done
mkdir "$work/programs"
flags=$(pkg-config --cflags --libs goro)
# shellcheck disable=SC2086  # flags is a list of words
printf '%s\n' "${programs[@]}" |
    xargs -P 2 -I {} g++ -std=c++20 -O2 tests/programs/{}.cpp $flags -o "$work/programs/{}" ||
    { echo "consumer programs: a program did not build" >&2; exit 1; }
failed=()
for name in "${programs[@]}"; do
    if out=$(timeout 120 "$work/programs/$name" 2>&1) && [[ $out == *"ok $name" ]]; then
        echo "program $name: ok"
    else
        echo "program $name: FAILED"
        echo "$out" | sed 's/^/    /'
        failed+=("$name")
    fi
done
[[ ${#failed[@]} -eq 0 ]] || { echo "consumer programs failed: ${failed[*]}" >&2; exit 1; }
echo "consumer programs: ${#programs[@]} ok (pending, not run: ${pending//$'\n'/ })"
