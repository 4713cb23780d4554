#!/usr/bin/env bash
# Builds goro and runs the whole test suite in one build flavour (default: release).
#   scripts/test.sh [release|debug|tsan|asan]
# Long forms (soak, 1M goroutines under a sanitizer) carry CTest labels and are excluded
# here; run them with ctest -L.
set -euo pipefail
preset=${1:-release}
cd "$(dirname "$0")/.."
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
