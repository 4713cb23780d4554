#!/usr/bin/env python3
"""soak2svg: draws a goro_soak CSV (tests/soak) as an SVG of stacked panels sharing the
time axis: RSS, goroutines, OS threads and open descriptors, and the work done per second
(values piped, bytes echoed). Standard library only.
    tools/soak/soak2svg.py soak.csv out.svg [--title TEXT]"""
import csv
import sys

PANELS = [  # (column, label, unit divisor, rate?)
    ("rss_kib", "RSS (MiB)", 1024.0, False),
    ("goroutines", "goroutines", 1.0, False),
    ("threads", "OS threads", 1.0, False),
    ("fds", "open descriptors", 1.0, False),
    ("piped", "values piped per second (thousands)", 1000.0, True),
    ("echoed_bytes", "bytes echoed per second (MiB)", 1048576.0, True),
]
W, PANEL_H, GAP, LEFT, RIGHT, TOP = 900, 110, 34, 70, 20, 40


def series(rows, col, div, rate):
    t = [float(r["t_s"]) for r in rows]
    v = [float(r[col]) / div for r in rows]
    if not rate:
        return t, v
    out_t, out_v = [], []
    for i in range(1, len(rows)):
        dt = t[i] - t[i - 1]
        if dt > 0:
            out_t.append(t[i])
            out_v.append((v[i] - v[i - 1]) / dt)
    return out_t, out_v


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    title = sys.argv[sys.argv.index("--title") + 1] if "--title" in sys.argv else "goro soak"
    with open(sys.argv[1]) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit("soak2svg: no samples")
    t_max = max(float(r["t_s"]) for r in rows)
    height = TOP + len(PANELS) * (PANEL_H + GAP) + 20
    plot_w = W - LEFT - RIGHT
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<rect width="{W}" height="{height}" fill="white"/>',
           f'<text x="{LEFT}" y="22" font-size="14" font-weight="bold">{title}</text>']
    for i, (col, label, div, rate) in enumerate(PANELS):
        if col not in rows[0]:
            continue
        ts, vs = series(rows, col, div, rate)
        if not vs:
            continue
        y0 = TOP + i * (PANEL_H + GAP)
        lo, hi = 0.0, max(vs) * 1.1 or 1.0
        def x(tv):
            return LEFT + plot_w * tv / (t_max or 1)
        def y(vv):
            return y0 + PANEL_H - PANEL_H * (vv - lo) / (hi - lo)
        out.append(f'<rect x="{LEFT}" y="{y0}" width="{plot_w}" height="{PANEL_H}" fill="#f7f7f7" stroke="#ccc"/>')
        out.append(f'<text x="{LEFT}" y="{y0 - 5}">{label}: min {min(vs):.1f}, max {max(vs):.1f}, last {vs[-1]:.1f}</text>')
        for frac in (0, 0.5, 1):
            v = lo + (hi - lo) * frac
            out.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.1f}</text>')
        pts = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(ts, vs))
        out.append(f'<polyline points="{pts}" fill="none" stroke="#1f6fb4" stroke-width="1.3"/>')
    y_axis = TOP + len(PANELS) * (PANEL_H + GAP) - GAP + 16
    for k in range(0, 11):
        tv = t_max * k / 10
        out.append(f'<text x="{LEFT + plot_w * k / 10:.1f}" y="{y_axis}" text-anchor="middle">{tv:.0f} s</text>')
    out.append("</svg>")
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
