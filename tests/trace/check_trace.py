#!/usr/bin/env python3
"""Checks a GORO_TRACE file from tests/trace/trace_program: valid JSON in Chrome's trace
format, a named timeline per worker, run slices that never overlap on one worker, every
ready arrow ending at a run of the goroutine it readied, a creation mark per goroutine,
and the waits the program makes (chan send/receive, sleep, WaitGroup) as slice ends."""
import json
import sys

events = json.load(open(sys.argv[1]))["traceEvents"]
fail = []
slices = [e for e in events if e["ph"] == "X"]
if len(slices) < 400:
    fail.append("only %d run slices (the pipeline alone hands off 400 times)" % len(slices))
names = {e["tid"]: e["args"]["name"] for e in events if e["ph"] == "M"}
if not any(n.startswith("worker ") for n in names.values()):
    fail.append("no worker timelines")
by_tid = {}
for e in slices:
    by_tid.setdefault(e["tid"], []).append(e)
for tid, ss in by_tid.items():
    ss.sort(key=lambda e: e["ts"])
    for a, b in zip(ss, ss[1:]):
        if a["ts"] + a["dur"] > b["ts"] + 0.002:
            fail.append("overlapping runs on %s: %s and %s" % (names.get(tid), a, b))
            break
starts = {e["id"]: e for e in events if e["ph"] == "s"}
ends = [e for e in events if e["ph"] == "f"]
if len(ends) < 300:
    fail.append("only %d ready arrows" % len(ends))
runs_at = {(e["tid"], e["ts"]) for e in slices}
for f in ends:
    if f["id"] not in starts:
        fail.append("an arrow end without a start: %s" % f)
        break
    if (f["tid"], f["ts"]) not in runs_at:
        fail.append("an arrow that ends where no run starts: %s" % f)
        break
creates = [e for e in events if e["ph"] == "i" and e["cat"] == "create"]
if len(creates) < 11:
    fail.append("%d creation marks, want 11 (main, 2 stages, 8 sleepers)" % len(creates))
ended = {e["args"]["ended"] for e in slices}
for want in ("park: chan send", "park: chan receive", "park: sleep", "park: sync.WaitGroup.Wait", "exit"):
    if want not in ended:
        fail.append("no run ended with '%s' (saw %s)" % (want, sorted(ended)))
if fail:
    print("\n".join(fail))
    sys.exit(1)
print("trace ok: %d runs, %d arrows, %d goroutines created, %d timelines"
      % (len(slices), len(ends), len(creates), len(by_tid)))
