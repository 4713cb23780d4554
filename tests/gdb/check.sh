#!/usr/bin/env bash
# Runs tests/gdb/parked_program under gdb in batch mode with tools/gdb/goro-gdb.py and
# checks that `info goroutines` lists the parked goroutine and that `goroutine 2 bt`
# shows the function it parked in, and that the program then runs to its end (the
# helper restored the thread's registers).
#   check.sh <parked_program> <goro-gdb.py>
set -euo pipefail
out=$(gdb -q -batch -nx -ex "source $2" -ex "break gdb_stop_here" -ex run \
          -ex "info goroutines" -ex "goroutine 2 bt" -ex continue "$1" 2>&1)
echo "$out"
grep -Eq "^  2  waiting \(chan receive\)  created by " <<<"$out" || { echo "FAIL: goroutine 2 not listed"; exit 1; }
grep -q "gdb_parked_here" <<<"$out" || { echo "FAIL: no gdb_parked_here frame in goroutine 2's backtrace"; exit 1; }
grep -Eq "exited normally" <<<"$out" || { echo "FAIL: the program did not run to its end"; exit 1; }
echo "gdb helper ok"
