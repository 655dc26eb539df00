"""The Pareto report of a frame-rate sweep (`qnn-build --sweep-fps`, `tools.build.sweep`):
`report/pareto.json` and `report/pareto.html` (the build report's style, an SVG plot).

`pareto.json`:

    {"model": "tfc_w1a1", "executor": "2 local processes", "source": "synthesized",
     "points": [{"target_fps": 1000.0, "dir": "sweep/1000", "estimated_fps": 1394.9,
                 "target_met": true, "LUT": 1056, "BRAM18": 3, "DSP": 0,
                 "estimated": {...}, "synthesized": {...}, "fmax_mhz": null,
                 "pareto": true}, ...],
     "note": "..."}

A point's `LUT`, `BRAM18`, `DSP` are Yosys's totals when every point was synthesized
(`source: "synthesized"`; LUT counts LUTs used as memory too), else the estimates'. A
point is on the Pareto front (`pareto`) when no other point reaches at least its
estimated frame rate with at most its LUTs and BRAMs (and is better in one of the
three). `fmax_mhz` is the slowest clock's Fmax when the points were placed and routed
(`--bitstream`, ECP5: `report/pnr.json`), else null: synthesis alone gives no Fmax.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from backend_hls.report.common import card, esc, fmt_int, fmt_num
from backend_hls.report.page import CSS

AXES = (("LUT", "LUT"), ("BRAM18", "BRAM18"))
"""The resources the plot has a panel for (key, label)."""


def point_resources(figures: Mapping[str, Any], synthesized: bool) -> dict[str, int]:
    """`LUT`, `BRAM18`, `DSP` of a point: Yosys's (LUT + LUTRAM) or the estimate's."""
    if synthesized:
        s = figures["synthesized"]
        return {
            "LUT": int(s.get("LUT", 0)) + int(s.get("LUTRAM", 0)),
            "BRAM18": int(s.get("BRAM18", 0)),
            "DSP": int(s.get("DSP48", s.get("DSP", 0))),
        }
    e = figures.get("estimated") or {}
    return {
        "LUT": int(e.get("LUT", 0)),
        "BRAM18": int(e.get("BRAM_18K", 0)),
        "DSP": int(e.get("DSP", 0)),
    }


def dominates(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """`a` is at least as fast as `b` with at most its LUTs and BRAMs, better in one."""
    fa, fb = float(a["estimated_fps"] or 0), float(b["estimated_fps"] or 0)
    no_worse = fa >= fb and a["LUT"] <= b["LUT"] and a["BRAM18"] <= b["BRAM18"]
    better = fa > fb or a["LUT"] < b["LUT"] or a["BRAM18"] < b["BRAM18"]
    return no_worse and better


def pareto_report(
    model: str, points: Sequence[tuple[float, str, Mapping[str, Any]]], executor: str
) -> dict[str, Any]:
    """`pareto.json` (module docstring) from `(target_fps, dir, figures)` per point."""
    synthesized = bool(points) and all("synthesized" in f for _, _, f in points)
    rows: list[dict[str, Any]] = []
    for target, directory, figures in sorted(points, key=lambda p: p[0]):
        row = {
            "target_fps": target,
            "dir": directory,
            "estimated_fps": figures.get("estimated_fps"),
            "target_met": figures.get("target_met"),
            **point_resources(figures, synthesized),
            "estimated": figures.get("estimated") or {},
        }
        if "synthesized" in figures:
            row["synthesized"] = figures["synthesized"]
        row["fmax_mhz"] = figures.get("fmax_mhz")
        rows.append(row)
    for row in rows:
        row["pareto"] = not any(dominates(other, row) for other in rows if other is not row)
    return {
        "model": model,
        "executor": executor,
        "source": "synthesized" if synthesized else "estimated",
        "points": rows,
        "note": "LUT/BRAM18/DSP are Yosys's counts (not Vivado's) when synthesized, else the "
        "estimates; Fmax needs place and route (--bitstream on an ECP5 part), else null",
    }


# --------------------------------------------------------------------------- HTML

PLOT_W, PLOT_H, MARGIN_L, MARGIN_B, MARGIN_T = 340.0, 220.0, 56.0, 40.0, 26.0


def _scale(values: Sequence[float]) -> tuple[float, float]:
    """The axis range: 0 to a little above the largest value (1 when all are 0)."""
    top = max(values, default=0.0)
    return 0.0, top * 1.1 if top > 0 else 1.0


def plot_svg(report: Mapping[str, Any]) -> str:
    """One panel per resource of `AXES`: estimated frame rate (x) against the resource
    (y); Pareto points filled and joined, others hollow; each point labelled with its
    target."""
    points = report.get("points") or []
    if not points:
        return ""
    fps = [float(p.get("estimated_fps") or 0) for p in points]
    x_lo, x_hi = _scale(fps)
    panel_w = MARGIN_L + PLOT_W + 20
    width, height = panel_w * len(AXES), MARGIN_T + PLOT_H + MARGIN_B
    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="frame rate against resources">'
    ]
    for index, (key, label) in enumerate(AXES):
        x0 = index * panel_w + MARGIN_L
        values = [float(p.get(key) or 0) for p in points]
        y_lo, y_hi = _scale(values)

        def at(x: float, y: float, x0: float = x0, y_lo: float = y_lo, y_hi: float = y_hi):
            px = x0 + PLOT_W * (x - x_lo) / (x_hi - x_lo)
            py = MARGIN_T + PLOT_H * (1 - (y - y_lo) / (y_hi - y_lo))
            return px, py

        out.append(f'<text class="panel-title" x="{x0:.0f}" y="16">{esc(label)}</text>')
        out.append(
            f'<text class="panel-max" x="{x0 + PLOT_W:.0f}" y="16">max {fmt_int(max(values))}'
            "</text>"
        )
        bottom = MARGIN_T + PLOT_H
        out.append(
            f'<line class="axis" x1="{x0:.0f}" y1="{MARGIN_T:.0f}" x2="{x0:.0f}" '
            f'y2="{bottom:.0f}"/><line class="axis" x1="{x0:.0f}" y1="{bottom:.0f}" '
            f'x2="{x0 + PLOT_W:.0f}" y2="{bottom:.0f}"/>'
        )
        out.append(
            f'<text class="bar-value" x="{x0 + PLOT_W / 2:.0f}" y="{height - 8:.0f}">'
            f'estimated frames / s</text><text class="panel-max" x="{x0 + PLOT_W:.0f}" '
            f'y="{bottom + 14:.0f}">{fmt_int(x_hi)}</text><text class="bar-value" '
            f'x="{x0 - 4:.0f}" y="{bottom + 14:.0f}">0</text>'
        )
        front = sorted(
            (at(f, v) for f, v, p in zip(fps, values, points, strict=True) if p.get("pareto")),
        )
        if len(front) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in front)
            out.append(f'<polyline points="{path}" fill="none" stroke="#2563eb"/>')
        for f, v, p in zip(fps, values, points, strict=True):
            x, y = at(f, v)
            fill = "#2563eb" if p.get("pareto") else "#fff"
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{fill}" stroke="#2563eb">'
                f"<title>target {fmt_int(p['target_fps'])} fps: {fmt_int(f)} fps, "
                f"{fmt_int(v)} {esc(label)}</title></circle>"
                f'<text class="bar-value" x="{x + 6:.1f}" y="{y - 6:.1f}">'
                f"{fmt_int(p['target_fps'])}</text>"
            )
    out.append("</svg>")
    return "\n".join(out)


def _table(report: Mapping[str, Any]) -> str:
    head = (
        "<tr><th class=n>target fps</th><th class=n>estimated fps</th><th>met</th>"
        "<th class=n>LUT</th><th class=n>BRAM18</th><th class=n>DSP</th>"
        "<th class=n>Fmax MHz</th><th>Pareto</th>"
        "<th>tree</th></tr>"
    )
    rows = [
        f"<tr><td class=n>{fmt_int(p['target_fps'])}</td>"
        f"<td class=n>{fmt_int(p.get('estimated_fps'))}</td>"
        f"<td>{'yes' if p.get('target_met') else 'no'}</td>"
        f"<td class=n>{fmt_int(p['LUT'])}</td><td class=n>{fmt_int(p['BRAM18'])}</td>"
        f"<td class=n>{fmt_int(p['DSP'])}</td><td class=n>{fmt_num(p.get('fmax_mhz'))}</td>"
        f"<td>{'yes' if p.get('pareto') else ''}</td>"
        f"<td><code>{esc(p['dir'])}</code></td></tr>"
        for p in report.get("points") or []
    ]
    return f"<table>{head}{''.join(rows)}</table>"


def render_pareto_html(report: Mapping[str, Any]) -> str:
    """`pareto.html`: summary cards, the plot and the table of points."""
    points = report.get("points") or []
    front = [p for p in points if p.get("pareto")]
    title = f"{report.get('model')} — qnn frame-rate sweep"
    cards = "".join(
        [
            card("points", str(len(points))),
            card("on the Pareto front", str(len(front))),
            card("resources", str(report.get("source")), "Yosys (not Vivado) or estimate"),
            card("ran on", str(report.get("executor"))),
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        f"<style>{CSS}</style></head><body><header><h1>{esc(title)}</h1></header><main>"
        f'<div class="cards">{cards}</div>'
        f'<section><h2>Frame rate against resources</h2><div class="scroll">'
        f'{plot_svg(report)}</div><p class="notes">{esc(report.get("note"))}</p></section>'
        f"<section><h2>Points</h2>{_table(report)}</section></main></body></html>\n"
    )
