#!/usr/bin/env bash
# Installs every Debian 12 package goro needs to build, test and benchmark:
# compilers and CMake/Ninja, Boost.Context (the context switch), GoogleTest, Google
# Benchmark, clang 14 with its sanitizer runtimes (the TSan build), libunwind (stack traces
# in dumps), gdb and python3 (the gdb helper's and the trace's tests), and the peers of
# the comparison benchmarks (Go, Boost.Fiber). Run as root; safe to run again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
  build-essential g++ cmake ninja-build pkg-config
  libboost-context-dev libboost-fiber-dev libunwind-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev
  golang-go hyperfine procps gdb python3 doxygen
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
