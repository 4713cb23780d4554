#!/usr/bin/env bash
# A consumer of an installed goro through pkg-config and a plain compiler line.
#   build.sh <install prefix> <output binary>
set -euo pipefail
prefix=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/x86_64-linux-gnu/pkgconfig"
# shellcheck disable=SC2046
g++ -O2 "$here/../app.cpp" $(pkg-config --cflags --libs goro) -o "$out"
