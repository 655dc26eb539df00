"""The report page: header, summary cards, the per-layer table, the chart, the
simulation sections and the dataflow graph put together (`render_html`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from xdsl.dialects.builtin import ModuleOp

from backend_hls.report.chart import chart_svg
from backend_hls.report.common import (
    DASH,
    RESOURCE_KEYS,
    TIMES,
    card,
    esc,
    fmt_int,
    fmt_num,
    percent,
    short_dtype,
    short_op,
    style_of,
)
from backend_hls.report.graph import COMPACT_OPS, graph_svg, layer_rows
from backend_hls.report.simulation import agreement_card, rtlsim_section, simulation_section
from passes.defaults import DEFAULT_CLOCK_NS
from qdialects.dataflow.ops import find_partition
from qdialects.dataflow.types import StreamType

CSS = """
:root { --fg:#0f172a; --muted:#64748b; --line:#e2e8f0; --bg:#f8fafc; --accent:#2563eb; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
       color:var(--fg); background:var(--bg); }
header { background:#0f172a; color:#f8fafc; padding:18px 32px; }
header h1 { margin:0; font-size:20px; font-weight:600; letter-spacing:.2px; }
header .meta { margin-top:4px; color:#cbd5e1; font-size:13px; }
header .meta span { margin-right:18px; }
main { padding:20px 32px 40px; max-width:1600px; }
section { background:#fff; border:1px solid var(--line); border-radius:10px; padding:16px 20px;
          margin:0 0 18px; }
h2 { font-size:15px; margin:0 0 12px; font-weight:600; }
.cards { display:flex; flex-wrap:wrap; gap:12px; margin-bottom:18px; }
.card { background:#fff; border:1px solid var(--line); border-radius:10px; padding:12px 16px;
        min-width:150px; flex:1 1 150px; }
.card .k { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.5px; }
.card .v { font-size:20px; font-weight:600; margin-top:2px; font-variant-numeric:tabular-nums;
           white-space:nowrap; }
.cols { display:grid; grid-template-columns:minmax(0,1fr) auto; gap:18px; align-items:start; }
.cols .right section { margin:0; }
.graph-section .scroll { text-align:center; }
.card .s { color:var(--muted); font-size:12px; }
.ok { color:#15803d; } .bad { color:#b91c1c; }
table { border-collapse:collapse; width:100%; font-size:13px; font-variant-numeric:tabular-nums; }
th, td { padding:4px 8px; border-bottom:1px solid var(--line); text-align:left; white-space:nowrap; }
th { font-size:12px; color:var(--muted); font-weight:600; background:#f8fafc; position:sticky; top:0; }
td.n, th.n { text-align:right; }
tr.hot td { background:#fef2f2; }
tr.plumbing td { color:#94a3b8; }
tr.total td { font-weight:600; border-top:2px solid #cbd5e1; }
.op { display:inline-block; padding:1px 7px; border-radius:9px; font-size:12px; border:1px solid; }
.lanes { color:var(--muted); font-size:12px; }
.scroll { overflow-x:auto; }
.notes { color:var(--muted); font-size:13px; margin:8px 0 0; padding-left:18px; }
.legend { display:flex; flex-wrap:wrap; gap:14px; font-size:12px; color:var(--muted); margin-bottom:8px; }
.legend i { display:inline-block; width:12px; height:12px; border-radius:3px; border:1px solid;
            vertical-align:-2px; margin-right:5px; }
svg text { font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif; }
svg .stripe { fill:#f8fafc; }
svg .row-label { font-size:12px; text-anchor:end; fill:#0f172a; }
svg .panel-title { font-size:12px; font-weight:600; fill:#0f172a; }
svg .panel-max { font-size:11px; fill:#64748b; text-anchor:end; }
svg .bar-value { font-size:11px; fill:#334155; }
svg .axis { stroke:#cbd5e1; }
svg .target { stroke:#dc2626; stroke-dasharray:4 3; stroke-width:1.2; }
svg .target-label { font-size:10px; fill:#dc2626; text-anchor:middle; }
svg .edge { fill:none; stroke:#64748b; stroke-width:1.4; }
svg .edge-label { font-size:10.5px; fill:#334155; paint-order:stroke; stroke:#fff; stroke-width:3px; }
svg .node rect { stroke-width:1.4; }
svg .node.bottleneck rect { stroke:#dc2626; stroke-width:2.4; }
svg .node-name { font-size:12.5px; font-weight:600; text-anchor:middle; fill:#0f172a; }
svg .node-sub { font-size:11px; text-anchor:middle; fill:#475569; }
svg .io rect { fill:#0f172a; }
svg .io-name { font-size:12px; font-weight:600; text-anchor:middle; fill:#f8fafc; }
svg .io-sub { font-size:10.5px; text-anchor:middle; fill:#cbd5e1; }
"""


def _resource_card(label: str, key: str, totals: Mapping[str, Any], part: Mapping[str, Any]) -> str:
    """A resource total with its share of the part, red when over the allowed share."""
    used = int(totals.get(key, 0))
    share = (part.get("utilization_percent") or {}).get(label)
    if share is None or not part.get("device"):
        return card(label, fmt_int(used), "estimated")
    limit = float(part.get("max_utilization") or 1.0) * 100
    sub = f"{share:g} % of {part['device']} (limit {limit:g} %)"
    return card(label, fmt_int(used), esc(sub), "bad" if share > limit else "")


def _cards(
    estimates: Mapping[str, Any],
    csim: Mapping[str, Any] | None,
    rtlsim: Mapping[str, Any] | None = None,
) -> str:
    network = estimates.get("network") or {}
    totals = network.get("totals") or {}
    clock = float(estimates.get("clock_ns") or DEFAULT_CLOCK_NS)
    folding = estimates.get("folding") or {}
    cards = []
    fps = network.get("estimated_fps")
    target = folding.get("target_fps")
    fps_sub = f"at {1000 / clock:.4g} MHz"
    cls = ""
    if target:
        met = folding.get("target_met")
        cls = "ok" if met else "bad"
        fps_sub += f" · target {fmt_int(target)} {'met' if met else 'missed'}"
    cards.append(card("throughput", f"{fmt_int(fps)} fps", esc(fps_sub), cls))
    cards.append(
        card(
            "latency",
            f"{fmt_num(network.get('latency_us'), 4)} µs",
            esc(f"{fmt_int(network.get('latency_cycles'))} cycles (sum of layers)"),
        )
    )
    cards.append(
        card(
            "initiation interval",
            f"{fmt_int(network.get('max_cycles'))}",
            esc(f"cycles/frame · bottleneck {network.get('bottleneck') or DASH}"),
        )
    )
    part = estimates.get("part") or {}
    cards.append(_resource_card("LUT", "LUT", totals, part))
    cards.append(_resource_card("BRAM18", "BRAM_18K", totals, part))
    cards.append(_resource_card("DSP", "DSP", totals, part))
    if totals.get("URAM"):
        cards.append(_resource_card("URAM", "URAM", totals, part))
    for title, report in (("C simulation", csim), ("RTL simulation", rtlsim)):
        if report is not None:
            cards.append(agreement_card(title, report))
    if rtlsim is not None:
        summary = rtlsim.get("summary") or {}
        cards.append(
            card(
                "measured cycles/frame",
                fmt_int(summary.get("cycles_per_frame")),
                esc(
                    f"RTL simulation · estimate {fmt_int(summary.get('estimated_cycles_per_frame'))}"
                    f" ({percent(summary.get('cycles_per_frame_deviation'))})"
                ),
                "ok" if summary.get("cycles_within_tolerance") else "bad",
            )
        )
    return '<div class="cards">' + "".join(cards) + "</div>"


def _dtype_cell(streams: Sequence[StreamType]) -> str:
    if not streams:
        return DASH
    parts: list[str] = []
    for stream in streams:
        part = (
            f'{esc(short_dtype(stream.element))} <span class="lanes">{TIMES}{stream.lanes}</span>'
        )
        if part not in parts:
            parts.append(part)
    text = ", ".join(parts)
    if len(parts) == 1 and len(streams) > 1:
        text += f' <span class="lanes">({len(streams)} streams)</span>'
    return text


def _table(estimates: Mapping[str, Any], module: ModuleOp) -> str:
    partition = find_partition(module, "the report")
    bottleneck = (estimates.get("network") or {}).get("bottleneck")
    head = (
        "<tr><th class=n>#</th><th>layer</th><th>op</th><th class=n>PE</th><th class=n>SIMD</th>"
        "<th class=n>cycles</th><th class=n>LUT</th><th class=n>BRAM18</th><th class=n>URAM</th>"
        "<th class=n>DSP</th><th>in</th><th>out</th></tr>"
    )
    rows = []
    totals = {key: 0 for key, _ in RESOURCE_KEYS}
    for index, (row, layer) in enumerate(layer_rows(estimates, partition)):
        op = str(row.get("op", ""))
        _, fill, stroke = style_of(op)
        for key in totals:
            totals[key] += int(row.get(key) or 0)
        if row.get("name") == bottleneck:
            hot = ' class="hot"'
        elif short_op(op) in COMPACT_OPS:
            hot = ' class="plumbing"'
        else:
            hot = ""
        in_cell = _dtype_cell(layer.input_streams()) if layer is not None else DASH
        out_cell = _dtype_cell(layer.output_streams()) if layer is not None else DASH
        note = row.get("note")
        name = esc(row.get("name", ""))
        if note:
            name += f' <span class="lanes" title="{esc(note)}">⚠</span>'
        rows.append(
            f'<tr{hot} id="layer-{esc(row.get("name", index))}"><td class=n>{index}</td>'
            f"<td>{name}</td>"
            f'<td><span class="op" style="background:{fill};border-color:{stroke}">'
            f"{esc(short_op(op))}</span></td>"
            f"<td class=n>{fmt_int(row.get('PE'))}</td><td class=n>{fmt_int(row.get('SIMD'))}</td>"
            f"<td class=n>{fmt_int(row.get('cycles'))}</td>"
            + "".join(f"<td class=n>{fmt_int(row.get(key, 0))}</td>" for key, _ in RESOURCE_KEYS)
            + f"<td>{in_cell}</td><td>{out_cell}</td></tr>"
        )
    network = estimates.get("network") or {}
    rows.append(
        '<tr class="total"><td></td><td>total</td><td></td><td></td><td></td>'
        f"<td class=n>{fmt_int(network.get('max_cycles'))} max</td>"
        + "".join(f"<td class=n>{fmt_int(totals[key])}</td>" for key, _ in RESOURCE_KEYS)
        + "<td></td><td></td></tr>"
    )
    return f'<div class="scroll"><table>{head}{"".join(rows)}</table></div>'


def _legend(estimates: Mapping[str, Any]) -> str:
    seen: dict[str, tuple[str, str]] = {}
    for row in estimates.get("layers") or []:
        category, fill, stroke = style_of(str(row.get("op", "")))
        seen.setdefault(category, (fill, stroke))
    items = [
        f'<span><i style="background:{fill};border-color:{stroke}"></i>{esc(category)}</span>'
        for category, (fill, stroke) in seen.items()
    ]
    items.append('<span><i style="background:#fff;border:2px solid #dc2626"></i>bottleneck</span>')
    return '<div class="legend">' + "".join(items) + "</div>"


SIDE_GRAPH_MAX_WIDTH = 380.0
"""A dataflow graph at most this wide goes beside the table and charts, a wider one below."""


def _graph_and_width(estimates: Mapping[str, Any], module: ModuleOp) -> tuple[str, float]:
    svg = graph_svg(estimates, module)
    match = re.search(r'width="(\d+)"', svg)
    return svg, float(match.group(1)) if match else 0.0


def render_html(
    estimates: Mapping[str, Any],
    module: ModuleOp,
    *,
    info: Mapping[str, Any] | None = None,
    csim: Mapping[str, Any] | None = None,
    rtlsim: Mapping[str, Any] | None = None,
    sections: Sequence[str] = (),
) -> str:
    """The whole report page (see the module docstring); `sections` are further
    `<section>`s (HTML) of later build stages, shown after the C simulation."""
    info = dict(info or {})
    title = str(info.get("model") or "qnn build")
    clock = float(estimates.get("clock_ns") or info.get("clock_ns") or DEFAULT_CLOCK_NS)
    meta = [f"clock {clock:g} ns ({1000 / clock:.4g} MHz)"]
    if info.get("part"):
        meta.append(f"part {info['part']}")
    if info.get("folding"):
        meta.append(str(info["folding"]))
    layers = estimates.get("layers") or []
    meta.append(f"{len(layers)} layers")
    notes = list((estimates.get("folding") or {}).get("notes") or [])
    notes_html = (
        '<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>"
        if notes
        else ""
    )
    graph, graph_width = _graph_and_width(estimates, module)
    side_by_side = 0 < graph_width <= SIDE_GRAPH_MAX_WIDTH
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)} — qnn build report</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<style>{CSS}</style></head><body>",
        f'<header><h1>{esc(title)} <span style="font-weight:400;color:#94a3b8">'
        "— qnn build report</span></h1>",
        '<div class="meta">' + "".join(f"<span>{esc(m)}</span>" for m in meta) + "</div></header>",
        "<main>",
        _cards(estimates, csim, rtlsim),
        (
            f'<div class="cols" style="grid-template-columns:minmax(0,1fr) '
            f'{graph_width + 42:.0f}px"><div class="left">'
            if side_by_side
            else '<div class="rows"><div class="left">'
        ),
        f"<section><h2>Layers</h2>{_table(estimates, module)}{notes_html}</section>",
        f'<section><h2>Cycles and resources per layer</h2><div class="scroll">'
        f'{chart_svg(estimates)}</div><p class="notes">FIFOs and reshapes are in the table '
        "only.</p></section>",
    ]
    if csim is not None:
        parts.append(simulation_section(csim))
    if rtlsim is not None:
        parts.append(rtlsim_section(rtlsim))
    parts += list(sections)
    parts += [
        '</div><div class="right">',
        f'<section class="graph-section"><h2>Dataflow graph</h2>{_legend(estimates)}'
        f'<div class="scroll">{graph}</div></section>',
        "</div></div>",
    ]
    parts.append(
        '<p class="notes">Estimates: FINN-R style models (qdialects/dataflow/estimates.py); throughput '
        "= clock / slowest layer's cycles per frame; latency = sum of the layers' cycles per "
        "frame (first order).</p>"
    )
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
