#!/usr/bin/env bash
# Builds goro (release) and runs the showcase, examples/goro_tour: Go's claims about
# goroutines with the figures measured on this machine (about 10-20 s).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build --preset release --target goro_tour
./build/release/examples/goro_tour "$@"
