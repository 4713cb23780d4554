#!/usr/bin/env bash
# Builds goro (release) and runs the showcase.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build --preset release --target runtime_tour
./build/release/examples/runtime_tour
