#!/usr/bin/env python3
"""Draws a GORO_TRACE file (Chrome trace JSON) as an SVG timeline: one lane per worker,
a box per run of a goroutine (labelled g<id> when wide enough, coloured per goroutine),
a line from each ready to the readied goroutine's next run, and a tick per creation.
For interactive viewing open the JSON in https://ui.perfetto.dev or chrome://tracing.

    tools/trace/trace2svg.py trace.json out.svg [--from-us T0] [--span-us D] [--width PX]
"""
import argparse
import html
import json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("svg")
    ap.add_argument("--from-us", type=float, default=0.0)
    ap.add_argument("--span-us", type=float, default=0.0, help="0: the whole trace")
    ap.add_argument("--width", type=int, default=1400)
    a = ap.parse_args()

    events = json.load(open(a.trace))["traceEvents"]
    names = {e["tid"]: e["args"]["name"] for e in events if e["ph"] == "M"}
    slices = [e for e in events if e["ph"] == "X"]
    end = max((e["ts"] + e["dur"] for e in slices), default=1.0)
    t0 = a.from_us
    span = a.span_us or (end - t0)
    t1 = t0 + span
    tids = sorted({e["tid"] for e in events if e["ph"] in "Xsfi"})
    lane_h, top, left = 34, 40, 110
    height = top + lane_h * len(tids) + 30
    x = lambda ts: left + (ts - t0) / span * (a.width - left - 10)
    y = {tid: top + i * lane_h for i, tid in enumerate(tids)}
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="monospace" '
           'font-size="10">' % (a.width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="8" y="16" font-size="12">goro trace: %s, %.0f..%.0f us</text>' % (html.escape(a.trace), t0, t1)]
    for tid in tids:
        out.append('<text x="8" y="%d">%s</text>' % (y[tid] + 20, html.escape(names.get(tid, str(tid)))))
        out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#ddd"/>' % (left, a.width - 10, y[tid] + 30, y[tid] + 30))
    for e in slices:
        s, f = e["ts"], e["ts"] + e["dur"]
        if f < t0 or s > t1:
            continue
        g = e["args"]["goroutine"]
        hue = (g * 47) % 360
        x0, x1 = x(max(s, t0)), x(min(f, t1))
        out.append('<rect x="%.2f" y="%d" width="%.2f" height="22" fill="hsl(%d,65%%,62%%)" stroke="#333" '
                   'stroke-width="0.3"><title>g%d %.3f us, ended: %s</title></rect>'
                   % (x0, y[e["tid"]] + 4, max(x1 - x0, 0.6), hue, g, e["dur"], html.escape(e["args"]["ended"])))
        if x1 - x0 > 28:
            out.append('<text x="%.2f" y="%d">g%d</text>' % (x0 + 2, y[e["tid"]] + 19, g))
    starts = {e["id"]: e for e in events if e["ph"] == "s"}
    for e in events:
        if e["ph"] == "f" and e["id"] in starts:
            s = starts[e["id"]]
            if t0 <= s["ts"] <= t1 and t0 <= e["ts"] <= t1:
                out.append('<line x1="%.2f" y1="%d" x2="%.2f" y2="%d" stroke="#c22" stroke-width="0.6" '
                           'opacity="0.7"/>' % (x(s["ts"]), y[s["tid"]] + 26, x(e["ts"]), y[e["tid"]] + 4))
        if e["ph"] == "i" and t0 <= e["ts"] <= t1:
            out.append('<line x1="%.2f" y1="%d" x2="%.2f" y2="%d" stroke="#070"/>'
                       % (x(e["ts"]), y[e["tid"]], x(e["ts"]), y[e["tid"]] + 4))
    out.append('<text x="%d" y="%d">boxes: goroutine runs (hover: why each ended); red: ready -> next run; '
               'green ticks: go()</text>' % (left, height - 10))
    out.append("</svg>")
    open(a.svg, "w").write("\n".join(out))


if __name__ == "__main__":
    main()
