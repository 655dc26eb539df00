"""The bar chart of the report: cycles and resources per layer, one panel per
quantity, the bottleneck and the target cycles marked (`chart_svg`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend_hls.report.common import RESOURCE_KEYS, esc, fmt_int, short_op

ROW_H = 20.0
LABEL_W = 200.0
PANEL_GAP = 18.0
HEAD_H = 40.0


CHART_SKIPS = frozenset({"fifo", "reshape"})
"""Layers the chart leaves out (the table lists them): FIFOs take no cycles of their own
and little logic, reshapes none; with a FIFO on every edge they would double the rows."""


def chart_svg(estimates: Mapping[str, Any]) -> str:
    """Horizontal bars per layer: cycles (bottleneck in red, the target as a dashed line),
    then LUT and BRAM18 (and URAM/DSP when any layer uses them), each on its own scale.
    FIFOs and reshapes are left out (`CHART_SKIPS`)."""
    layers = [
        layer
        for layer in estimates.get("layers") or []
        if short_op(str(layer.get("op", ""))) not in CHART_SKIPS
    ]
    if not layers:
        return ""
    network = estimates.get("network") or {}
    folding = estimates.get("folding") or {}
    bottleneck = network.get("bottleneck")
    panels: list[tuple[str, str, float, str]] = [("cycles", "cycles / frame", 300.0, "#2563eb")]
    for key, label in RESOURCE_KEYS:
        if key in ("URAM", "DSP") and not any(layer.get(key) for layer in layers):
            continue
        panels.append((key, label, 170.0 if key == "LUT" else 120.0, "#0d9488"))
    width = LABEL_W + sum(p[2] + PANEL_GAP for p in panels) + 10
    height = HEAD_H + ROW_H * len(layers) + 24  # room for the target's label below
    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="cycles and resources per layer">'
    ]
    for i, layer in enumerate(layers):
        y = HEAD_H + i * ROW_H
        if i % 2 == 0:
            out.append(
                f'<rect class="stripe" x="0" y="{y:.1f}" width="{width:.0f}" height="{ROW_H:.0f}"/>'
            )
        out.append(
            f'<text class="row-label" x="{LABEL_W - 8:.0f}" y="{y + 14:.1f}">'
            f"{esc(layer.get('name', ''))}</text>"
        )
    x0 = LABEL_W
    for key, label, panel_w, colour in panels:
        values = [float(layer.get(key) or 0) for layer in layers]
        top = max(values) if values else 0.0
        out.append(f'<text class="panel-title" x="{x0:.0f}" y="16">{esc(label)}</text>')
        out.append(
            f'<text class="panel-max" x="{x0 + panel_w:.0f}" y="16">max {fmt_int(top)}</text>'
        )
        out.append(
            f'<line class="axis" x1="{x0:.0f}" y1="{HEAD_H - 6:.0f}" x2="{x0:.0f}" '
            f'y2="{height - 16:.0f}"/>'
        )
        bar_w = panel_w - 52
        for i, (layer, value) in enumerate(zip(layers, values, strict=True)):
            y = HEAD_H + i * ROW_H + 4
            w = bar_w * value / top if top > 0 else 0.0
            fill = "#dc2626" if key == "cycles" and layer.get("name") == bottleneck else colour
            if value > 0:
                out.append(
                    f'<rect x="{x0:.1f}" y="{y:.1f}" width="{max(w, 1.5):.1f}" height="12" '
                    f'rx="2" fill="{fill}"><title>{esc(layer.get("name"))}: '
                    f"{fmt_int(value)} {esc(label)}</title></rect>"
                )
            out.append(
                f'<text class="bar-value" x="{x0 + max(w, 0) + 4:.1f}" y="{y + 10:.1f}">'
                f"{fmt_int(value)}</text>"
            )
        target = folding.get("target_cycles")
        if key == "cycles" and target and top > 0 and target <= top * 1.25:
            tx = x0 + bar_w * min(target / top, 1.25)
            out.append(
                f'<line class="target" x1="{tx:.1f}" y1="{HEAD_H - 6:.0f}" x2="{tx:.1f}" '
                f'y2="{height - 16:.0f}"><title>target {fmt_int(target)} cycles</title></line>'
            )
            out.append(
                f'<text class="target-label" x="{tx:.1f}" y="{height - 4:.0f}">'
                f"target {fmt_int(target)}</text>"
            )
        x0 += panel_w + PANEL_GAP
    out.append("</svg>")
    return "\n".join(out)
