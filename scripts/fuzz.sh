#!/usr/bin/env bash
# Builds the libFuzzer harnesses (preset `fuzz`: clang 14, ASan + UBSan) and fuzzes each
# one for a while, one after the other (fuzz/README.md says what each checks).
#   scripts/fuzz.sh [seconds per harness, default 60]
# First the committed corpora are replayed once (ctest -L fuzz). Then each harness runs
# on a copy of fuzz/corpus/<name> in a temporary directory, so the committed corpus
# never grows. Exit status: 0 if no harness found anything; else 1, with the harness's
# log tail printed and the finding (crash-*, timeout-*, leak-*, oom-*) kept under
# build/fuzz/findings/ (add it to fuzz/corpus/<name>/ once the bug is fixed).
set -euo pipefail
seconds=${1:-60}
cd "$(dirname "$0")/.."
root=$PWD

start=$(date +%s)
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
built=$(date +%s)
echo "fuzz: build took $((built - start)) s"

ctest --test-dir build/fuzz/fuzz -L fuzz --output-on-failure

findings=$root/build/fuzz/findings
rm -rf "$findings"
mkdir -p "$findings"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# name  max_len (the http corpus holds a head longer than the parser's 8 KiB limit)
harnesses="http_request_parser:10000 address:512 chan_schedule:1024"
failed=0
for entry in $harnesses; do
  name=${entry%%:*}
  max_len=${entry##*:}
  mkdir -p "$work/$name"
  cp "$root/fuzz/corpus/$name/"* "$work/$name/"
  log=$findings/$name.log
  status=0
  # -timeout: a single input that runs this long is a hang (the schedule harness gives
  # up on an op after 2 s itself).
  (cd "$work" && "$root/build/fuzz/fuzz/${name}_fuzz" "$work/$name" \
      -max_total_time="$seconds" -max_len="$max_len" -timeout=30 -print_final_stats=1 \
      -artifact_prefix="$findings/$name-" >"$log" 2>&1) || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  corpus=$(ls "$work/$name" | wc -l)
  if [ "$status" -eq 0 ]; then
    echo "fuzz: $name ok: ${execs:-?} executions in ${seconds} s (${rate:-?}/s), corpus $corpus inputs"
  else
    failed=1
    echo "fuzz: $name FAILED (exit $status) after ${execs:-?} executions; log tail ($log):"
    { grep -v '^    #\|^	NEW_FUNC' "$log" || true; } | tail -40
    ls "$findings" | grep "^$name-" | sed "s|^|fuzz: finding build/fuzz/findings/|" || true
  fi
done
echo "fuzz: total $(($(date +%s) - start)) s"
exit $failed
