"""The build report: one self-contained HTML page (inline CSS and SVG, nothing fetched).

`render_html(estimates, module, info=..., csim=..., rtlsim=...)` returns the page as a string; every
function here is pure (no I/O), so the page is a function of its inputs and two builds of
the same model give byte-identical reports. The inputs:

* `estimates`: the report of `-t estimates` (`backend_hls.estimates_target.estimates_report`):
  `layers` in the partition's program order (name, op, PE, SIMD, cycles, LUT, BRAM_18K, URAM,
  DSP), `network` (estimated fps, latency, totals, bottleneck) and, after `set-folding`,
  `folding` (target fps and cycles, notes);
* `module`: the dataflow module, for what the estimates do not carry: each layer's stream
  datatypes, lanes and word widths, and the graph (which layer feeds which);
* `info`: free-form facts shown in the header (model, part, clock, folding source);
* `csim`: the C-simulation report `qnn-build --csim` writes (`summary` + per-`frames` rows);
* `rtlsim`: the RTL-simulation report `qnn-build --rtlsim` writes (the same, plus the
  measured cycles per frame, latency and fps beside the estimates in its `summary`).

The page has the network totals, a per-layer table (name, op, PE, SIMD, cycles, LUT,
BRAM18, URAM, DSP, in/out datatypes), a bar chart of cycles and resources per layer
(`chart_svg`: one panel per quantity, the bottleneck and the target cycles marked) and the
dataflow graph (`graph_svg`: layers as boxes, streams as arrows labelled with their word
width, a layered layout — `graph_layout` — in which a stream skipping ranks, as around a
residual block, is routed through its own column of waypoints).
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.ir import BlockArgument, OpResult, SSAValue

from passes.defaults import DEFAULT_CLOCK_NS
from qdialects.dataflow.ops import Layer, PartitionOp, YieldOp, find_partition
from qdialects.dataflow.types import StreamType

# --------------------------------------------------------------------------- helpers

CATEGORIES: dict[str, tuple[str, str, str]] = {
    # op suffix -> (category, fill, stroke)
    "mvau": ("compute", "#dbeafe", "#2563eb"),
    "vvau": ("compute", "#dbeafe", "#2563eb"),
    "swg": ("window", "#dcfce7", "#16a34a"),
    "fm_padding": ("window", "#dcfce7", "#16a34a"),
    "thresholding": ("elementwise", "#fef3c7", "#d97706"),
    "channelwise": ("elementwise", "#fef3c7", "#d97706"),
    "maxpool": ("pool", "#fce7f3", "#db2777"),
    "pool": ("pool", "#fce7f3", "#db2777"),
    "global_acc_pool": ("pool", "#fce7f3", "#db2777"),
    "add_streams": ("join / fork", "#ede9fe", "#7c3aed"),
    "duplicate_streams": ("join / fork", "#ede9fe", "#7c3aed"),
    "concat": ("join / fork", "#ede9fe", "#7c3aed"),
    "label_select": ("output", "#ffedd5", "#ea580c"),
    "dwc": ("plumbing", "#f1f5f9", "#64748b"),
    "fifo": ("plumbing", "#f1f5f9", "#64748b"),
    "reshape": ("plumbing", "#f1f5f9", "#64748b"),
}
_DEFAULT_STYLE = ("other", "#f8fafc", "#475569")
DASH = "\N{EN DASH}"
TIMES = "\N{MULTIPLICATION SIGN}"
RESOURCE_KEYS = (("LUT", "LUT"), ("BRAM_18K", "BRAM18"), ("URAM", "URAM"), ("DSP", "DSP"))


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def short_op(op: str) -> str:
    """`dataflow.mvau` -> `mvau`."""
    return op.removeprefix("dataflow.")


def style_of(op: str) -> tuple[str, str, str]:
    return CATEGORIES.get(short_op(op), _DEFAULT_STYLE)


def short_dtype(datatype: object) -> str:
    """`!quant.int<8>` -> `int8`, `!quant.bipolar` -> `bipolar`."""
    text = str(datatype).removeprefix("!").removeprefix("quant.")
    match = re.fullmatch(r"(u?int)<(\d+)>", text)
    return f"{match.group(1)}{match.group(2)}" if match else text


def fmt_int(value: object) -> str:
    if value is None:
        return DASH
    if isinstance(value, int | float):
        return f"{value:,.0f}"
    return str(value)


def fmt_num(value: float | None, digits: int = 3) -> str:
    if value is None:
        return DASH
    return f"{value:.{digits}g}"


def stream_label(stream: StreamType) -> str:
    return f"{stream.word_width()} b"


def stream_title(stream: StreamType) -> str:
    shape = "x".join(str(d) for d in stream.shape)
    return (
        f"{shape} {short_dtype(stream.element)}, {stream.lanes} lanes, "
        f"{stream.word_width()} bits/word, {stream.words_per_frame()} words/frame"
    )


# --------------------------------------------------------------------------- graph


@dataclass
class Node:
    key: str
    label: str
    sub: str
    op: str  # dataflow op name, or "input"/"output"
    width: float = 200.0
    height: float = 44.0
    rank: int = 0
    order: float = 0.0
    x: float = 0.0
    y: float = 0.0
    dummy: bool = False
    title: str = ""


@dataclass
class Edge:
    source: str
    target: str
    label: str
    title: str
    points: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Graph:
    nodes: dict[str, Node]
    edges: list[Edge]
    width: float = 0.0
    height: float = 0.0


def layer_rows(
    estimates: Mapping[str, Any], partition: PartitionOp | None
) -> list[tuple[dict[str, Any], Layer | None]]:
    """The estimates' layers paired with the partition's layers (both in program order;
    unpaired when the counts differ)."""
    rows = [dict(entry) for entry in estimates.get("layers") or []]
    layers: list[Layer] = partition.layers() if partition is not None else []
    if len(layers) != len(rows):
        return [(row, None) for row in rows]
    return list(zip(rows, layers, strict=True))


def dataflow_graph(estimates: Mapping[str, Any], partition: PartitionOp) -> Graph:
    """Nodes (partition inputs, layers, outputs) and stream edges of `partition`."""
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    key_of: dict[Any, str] = {}
    for index, arg in enumerate(partition.block.args):
        key = f"in{index}"
        nodes[key] = Node(key, f"input {index}", _stream_sub(arg), "input", width=150, height=34)
        key_of[arg] = key
    for index, (row, layer) in enumerate(layer_rows(estimates, partition)):
        if layer is None:
            continue
        key = f"L{index}"
        folding = [f"{p} {row[p]}" for p in ("PE", "SIMD") if row.get(p) is not None]
        depth = layer.properties.get("depth")
        if isinstance(depth, IntegerAttr):
            folding.append(f"depth {depth.value.data}")
        sub = " · ".join([short_op(layer.name), *folding])
        title = f"{row.get('name')} ({layer.name}): {fmt_int(row.get('cycles'))} cycles/frame"
        compact = short_op(layer.name) in COMPACT_OPS
        nodes[key] = Node(
            key,
            str(row.get("name", key)),
            sub,
            layer.name,
            height=24.0 if compact else 44.0,
            width=170.0 if compact else 200.0,
            title=title,
        )
        key_of[layer] = key
    for layer in partition.layers():
        if layer not in key_of:
            continue
        for operand in layer.operands:
            edge = _edge(operand, key_of[layer], key_of)
            if edge is not None:
                edges.append(edge)
    terminator = partition.block.last_op
    if isinstance(terminator, YieldOp):
        for index, value in enumerate(terminator.values):
            key = f"out{index}"
            nodes[key] = Node(
                key, f"output {index}", _stream_sub(value), "output", width=150, height=34
            )
            edge = _edge(value, key, key_of)
            if edge is not None:
                edges.append(edge)
    return Graph(nodes, edges)


def _stream_sub(value: SSAValue) -> str:
    if isinstance(value.type, StreamType):
        shape = "x".join(str(d) for d in value.type.shape)
        return f"{shape} {short_dtype(value.type.element)}"
    return ""


def _edge(value: SSAValue, target: str, key_of: Mapping[Any, str]) -> Edge | None:
    if not isinstance(value.type, StreamType):
        return None
    if isinstance(value, BlockArgument):
        source = key_of.get(value)
    elif isinstance(value, OpResult):
        source = key_of.get(value.op)
    else:
        source = None
    if source is None:
        return None
    return Edge(source, target, stream_label(value.type), stream_title(value.type))


RANK_GAP = 40.0
"""Vertical space between the bottom of a rank's tallest node and the next rank."""
COMPACT_OPS = frozenset({"fifo", "dwc", "reshape"})
"""Plumbing layers, drawn as one-line boxes."""
NODE_GAP = 28.0
DUMMY_WIDTH = 16.0
MARGIN = 24.0


def graph_layout(graph: Graph) -> Graph:
    """A layered (Sugiyama-style) layout, top to bottom, in place:

    1. rank = longest path from the inputs (program order is a topological order);
    2. an edge spanning several ranks gets a dummy node on every rank in between, so a
       residual skip connection runs in its own lane beside the blocks it skips;
    3. order within a rank by the barycenter of the predecessors (two sweeps, ties by
       program order);
    4. x = the mean x of the predecessors, then pushed apart left to right to keep the
       gap, then the rank is shifted back by its mean displacement, so a chain stays
       straight and a branch goes to the side;
    5. edges become polylines through their dummies (drawn as smooth curves)."""
    nodes = graph.nodes
    order_index: dict[str, float] = {key: float(i) for i, key in enumerate(nodes)}
    preds: dict[str, list[str]] = {k: [] for k in nodes}
    for edge in graph.edges:
        preds[edge.target].append(edge.source)
    for key in nodes:  # insertion order: inputs, layers in program order, outputs
        parents = preds[key]
        nodes[key].rank = 1 + max((nodes[p].rank for p in parents), default=-1)
    # outputs at the bottom of their producer, inputs at the top (rank 0 already)
    # 2. dummy chains
    chains: list[tuple[Edge, list[str]]] = []
    for n, edge in enumerate(graph.edges):
        lo, hi = nodes[edge.source].rank, nodes[edge.target].rank
        chain = [edge.source]
        for rank in range(lo + 1, hi):
            key = f"~{n}.{rank}"
            nodes[key] = Node(
                key, "", "", "dummy", width=DUMMY_WIDTH, height=0, rank=rank, dummy=True
            )
            order_index[key] = order_index[edge.source] + 0.5
            chain.append(key)
        chain.append(edge.target)
        chains.append((edge, chain))
    up: dict[str, list[str]] = {k: [] for k in nodes}
    for _, chain in chains:
        for a, b in itertools.pairwise(chain):
            up[b].append(a)
    ranks: dict[int, list[str]] = {}
    for key, node in nodes.items():
        ranks.setdefault(node.rank, []).append(key)
    for members in ranks.values():
        members.sort(key=lambda k: order_index[k])
        for i, k in enumerate(members):
            nodes[k].order = i
    # 3. barycenter sweeps
    for _ in range(2):
        for rank in sorted(ranks)[1:]:
            members = ranks[rank]

            def bary(k: str) -> tuple[float, float]:
                parents = up[k]
                if not parents:
                    return (nodes[k].order, order_index[k])
                return (sum(nodes[p].order for p in parents) / len(parents), order_index[k])

            members.sort(key=bary)
            for i, k in enumerate(members):
                nodes[k].order = i
    # 4. coordinates
    real_up = {k: [p for p in up[k] if not nodes[p].dummy] or up[k] for k in nodes}
    top = 0.0
    for rank in sorted(ranks):
        members = ranks[rank]
        if any(up[k] for k in members):
            desired = [
                sum(nodes[p].x for p in real_up[k]) / len(real_up[k]) if up[k] else 0.0
                for k in members
            ]
        else:  # a rank of sources: side by side around 0
            total = sum(nodes[k].width for k in members) + NODE_GAP * (len(members) - 1)
            x = -total / 2
            desired = []
            for k in members:
                desired.append(x + nodes[k].width / 2)
                x += nodes[k].width + NODE_GAP
        placed: list[float] = []
        for i, k in enumerate(members):
            x = desired[i]
            if i:
                prev = members[i - 1]
                gap = 8.0 if nodes[k].dummy and nodes[prev].dummy else NODE_GAP
                x = max(x, placed[-1] + (nodes[prev].width + nodes[k].width) / 2 + gap)
            placed.append(x)
        # keep the real nodes where they want to be, on average (dummies move aside)
        anchors = [i for i, k in enumerate(members) if not nodes[k].dummy] or list(
            range(len(members))
        )
        shift = sum(placed[i] - desired[i] for i in anchors) / len(anchors)
        height = max(nodes[k].height for k in members)
        for k, x in zip(members, placed, strict=True):
            node = nodes[k]
            node.x = x - shift
            if node.dummy:  # a waypoint as tall as its rank: the edge runs straight through
                node.y, node.height = top, height
            else:
                node.y = top + (height - node.height) / 2
        top += height + RANK_GAP
    # normalise into the canvas
    left = min(n.x - n.width / 2 for n in nodes.values())
    right = max(n.x + n.width / 2 for n in nodes.values())
    for node in nodes.values():
        node.x += MARGIN - left
        node.y += MARGIN
    graph.width = right - left + 2 * MARGIN
    graph.height = max(n.y + n.height for n in nodes.values()) + MARGIN
    # 5. edge points; several edges on one side of a node are spread, left to right in
    # the order of where they go (or come from), so they do not cross at the node
    outgoing: dict[str, list[tuple[float, Edge]]] = {}
    incoming: dict[str, list[tuple[float, Edge]]] = {}
    for edge, chain in chains:
        outgoing.setdefault(edge.source, []).append((nodes[chain[1]].x, edge))
        incoming.setdefault(edge.target, []).append((nodes[chain[-2]].x, edge))
    out_rank = {
        id(e): i for group in outgoing.values() for i, (_, e) in enumerate(sorted(group, key=_x))
    }
    in_rank = {
        id(e): i for group in incoming.values() for i, (_, e) in enumerate(sorted(group, key=_x))
    }
    for edge, chain in chains:
        source, target = nodes[edge.source], nodes[edge.target]
        sx = source.x + _spread(out_rank[id(edge)], len(outgoing[edge.source]), source.width)
        tx = target.x + _spread(in_rank[id(edge)], len(incoming[edge.target]), target.width)
        points = [(sx, source.y + source.height)]
        for k in chain[1:-1]:
            points.append((nodes[k].x, nodes[k].y))
            points.append((nodes[k].x, nodes[k].y + nodes[k].height))
        points.append((tx, target.y))
        edge.points = points
    return graph


def _x(item: tuple[float, Edge]) -> float:
    return item[0]


def _spread(index: int, count: int, width: float) -> float:
    if count <= 1:
        return 0.0
    span = min(width * 0.6, 40.0 * (count - 1))
    return -span / 2 + span * index / (count - 1)


def _path(points: Sequence[tuple[float, float]]) -> str:
    (x0, y0), rest = points[0], points[1:]
    parts = [f"M{x0:.1f},{y0:.1f}"]
    px, py = x0, y0
    for x, y in rest:
        dy = (y - py) / 2
        parts.append(f"C{px:.1f},{py + dy:.1f} {x:.1f},{y - dy:.1f} {x:.1f},{y:.1f}")
        px, py = x, y
    return " ".join(parts)


def graph_svg(estimates: Mapping[str, Any], module: ModuleOp) -> str:
    """The dataflow graph as an inline SVG (empty string without a partition)."""
    partition = find_partition(module, "the report")
    if partition is None:
        return ""
    graph = graph_layout(dataflow_graph(estimates, partition))
    bottleneck = (estimates.get("network") or {}).get("bottleneck")
    out: list[str] = [
        f'<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="{graph.width:.0f}" '
        f'height="{graph.height:.0f}" viewBox="0 0 {graph.width:.0f} {graph.height:.0f}" '
        f'role="img" aria-label="dataflow graph">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#475569"/></marker></defs>',
    ]
    for edge in graph.edges:
        out.append(
            f'<path class="edge" d="{_path(edge.points)}" marker-end="url(#arrow)">'
            f"<title>{esc(edge.title)}</title></path>"
        )
    for edge in graph.edges:
        (x0, y0), (x1, y1) = edge.points[0], edge.points[1]
        lx, ly = (x0 + x1) / 2, (y0 + y1) / 2 + 4
        out.append(
            f'<text class="edge-label" x="{lx + 6:.1f}" y="{ly:.1f}">{esc(edge.label)}'
            f"<title>{esc(edge.title)}</title></text>"
        )
    for node in graph.nodes.values():
        if node.dummy:
            continue
        x, y = node.x - node.width / 2, node.y
        if node.op in ("input", "output"):
            out.append(
                f'<g class="io"><rect x="{x:.1f}" y="{y:.1f}" width="{node.width:.0f}" '
                f'height="{node.height:.0f}" rx="17"/>'
                f'<text x="{node.x:.1f}" y="{y + 14:.1f}" class="io-name">{esc(node.label)}</text>'
                f'<text x="{node.x:.1f}" y="{y + 27:.1f}" class="io-sub">{esc(node.sub)}</text></g>'
            )
            continue
        _, fill, stroke = style_of(node.op)
        hot = " bottleneck" if node.label == bottleneck else ""
        if node.height < 30:  # plumbing: one line
            detail = node.sub.split(" · ", 1)[1] if " · " in node.sub else ""
            text = f"{node.label} · {detail}" if detail else node.label
            out.append(
                f'<g class="node small"><title>{esc(node.title)}</title>'
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{node.width:.0f}" '
                f'height="{node.height:.0f}" rx="12" fill="{fill}" stroke="{stroke}"/>'
                f'<text x="{node.x:.1f}" y="{y + 16:.1f}" class="node-sub">{esc(text)}</text></g>'
            )
            continue
        out.append(
            f'<g class="node{hot}"><title>{esc(node.title)}</title>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{node.width:.0f}" height="{node.height:.0f}" '
            f'rx="6" fill="{fill}" stroke="{stroke}"/>'
            f'<text x="{node.x:.1f}" y="{y + 18:.1f}" class="node-name">{esc(node.label)}</text>'
            f'<text x="{node.x:.1f}" y="{y + 34:.1f}" class="node-sub">{esc(node.sub)}</text></g>'
        )
    out.append("</svg>")
    return "\n".join(out)


# --------------------------------------------------------------------------- chart

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


# --------------------------------------------------------------------------- page

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


def _card(key: str, value: str, sub: str = "", cls: str = "") -> str:
    klass = f' class="v {cls}"' if cls else ' class="v"'
    sub_html = f'<div class="s">{sub}</div>' if sub else ""
    return f'<div class="card"><div class="k">{esc(key)}</div><div{klass}>{value}</div>{sub_html}</div>'


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
    cards.append(_card("throughput", f"{fmt_int(fps)} fps", esc(fps_sub), cls))
    cards.append(
        _card(
            "latency",
            f"{fmt_num(network.get('latency_us'), 4)} µs",
            esc(f"{fmt_int(network.get('latency_cycles'))} cycles (sum of layers)"),
        )
    )
    cards.append(
        _card(
            "initiation interval",
            f"{fmt_int(network.get('max_cycles'))}",
            esc(f"cycles/frame · bottleneck {network.get('bottleneck') or DASH}"),
        )
    )
    cards.append(_card("LUT", fmt_int(totals.get("LUT", 0)), "estimated"))
    cards.append(_card("BRAM18", fmt_int(totals.get("BRAM_18K", 0)), "estimated"))
    cards.append(
        _card(
            "DSP · URAM",
            f"{fmt_int(totals.get('DSP', 0))} · {fmt_int(totals.get('URAM', 0))}",
            "estimated",
        )
    )
    for title, report in (("C simulation", csim), ("RTL simulation", rtlsim)):
        if report is not None:
            cards.append(_agreement_card(title, report))
    if rtlsim is not None:
        summary = rtlsim.get("summary") or {}
        cards.append(
            _card(
                "measured cycles/frame",
                fmt_int(summary.get("cycles_per_frame")),
                esc(
                    f"RTL simulation · estimate {fmt_int(summary.get('estimated_cycles_per_frame'))}"
                    f" ({_percent(summary.get('cycles_per_frame_deviation'))})"
                ),
                "ok" if summary.get("cycles_within_tolerance") else "bad",
            )
        )
    return '<div class="cards">' + "".join(cards) + "</div>"


def _agreement_card(title: str, report: Mapping[str, Any]) -> str:
    summary = report.get("summary") or {}
    frames = summary.get("frames", 0)
    agree = frames - summary.get("mismatched_frames", 0)
    return _card(
        title,
        f"{agree}/{frames}",
        esc(f"frames agree with qonnx · argmax {summary.get('argmax_agreement')}/{frames}"),
        "ok" if summary.get("agree") else "bad",
    )


def _percent(fraction: float | None) -> str:
    return DASH if fraction is None else f"{100 * fraction:+.1f} %"


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


def _csim_section(
    csim: Mapping[str, Any], key: str = "csim", title: str = "C simulation", extra: str = ""
) -> str:
    """The agreement of a simulation (`report/<key>.json`) with qonnx; `extra` goes
    between the summary and the per-frame table."""
    summary = csim.get("summary") or {}
    frames = list(csim.get("frames") or [])
    verdict = "agrees" if summary.get("agree") else "DISAGREES"
    cls = "ok" if summary.get("agree") else "bad"
    text = (
        f'<p>The {title} <b class="{cls}">{verdict}</b> with qonnx\'s <code>execute_onnx</code> '
        f"on the original model: {summary.get('frames', 0) - summary.get('mismatched_frames', 0)}"
        f" of {summary.get('frames', 0)} frames within rtol {fmt_num(summary.get('rtol'))} "
        f"(of each frame's largest magnitude), argmax equal on {summary.get('argmax_agreement')}"
        f" of {summary.get('frames', 0)}; largest |difference| "
        f"{fmt_num(summary.get('max_abs_diff'))}, largest relative difference "
        f"{fmt_num(summary.get('max_rel_diff'))}.</p>"
    )
    shown = frames[:64]
    rows = []
    for r in shown:
        mark = '<span class="ok">yes</span>' if r.get("agree") else '<span class="bad">no</span>'
        rows.append(
            f"<tr><td class=n>{r.get('frame')}</td><td>{mark}</td>"
            f"<td class=n>{fmt_num(r.get('max_abs_diff'))}</td>"
            f"<td class=n>{fmt_num(r.get('max_rel_diff'))}</td>"
            f"<td class=n>{esc(r.get('argmax_reference', DASH))}</td>"
            f"<td class=n>{esc(r.get(f'argmax_{key}', DASH))}</td></tr>"
        )
    more = (
        f'<p class="notes">first {len(shown)} of {len(frames)} frames shown; all are in '
        f"report/{key}.json</p>"
        if len(frames) > len(shown)
        else ""
    )
    table = (
        "<table><tr><th class=n>frame</th><th>agrees</th><th class=n>max |diff|</th>"
        "<th class=n>max rel diff</th><th class=n>argmax qonnx</th>"
        f"<th class=n>argmax {key}</th></tr>" + "".join(rows) + "</table>"
    )
    return f"<section><h2>{title} vs qonnx</h2>{text}{extra}{table}{more}</section>"


def _rtlsim_section(rtlsim: Mapping[str, Any]) -> str:
    """The RTL simulation: measured cycles per frame, fps and latency beside the
    estimates, then its agreement with qonnx."""
    summary = rtlsim.get("summary") or {}
    rows = [
        (
            "cycles per frame (II)",
            fmt_int(summary.get("cycles_per_frame")),
            fmt_int(summary.get("estimated_cycles_per_frame")),
            _percent(summary.get("cycles_per_frame_deviation")),
        ),
        (
            "frames per second",
            fmt_int(summary.get("fps")),
            fmt_int(summary.get("estimated_fps")),
            "",
        ),
        (
            "latency (cycles)",
            fmt_int(summary.get("latency_cycles")),
            fmt_int(summary.get("estimated_latency_cycles")),
            "",
        ),
    ]
    body = "".join(
        f"<tr><td>{esc(what)}</td><td class=n>{measured}</td><td class=n>{estimated}</td>"
        f"<td class=n>{esc(deviation)}</td></tr>"
        for what, measured, estimated, deviation in rows
    )
    table = (
        "<table><tr><th></th><th class=n>measured</th><th class=n>estimated</th>"
        f"<th class=n>difference</th></tr>{body}</table>"
    )
    note = (
        f'<p class="notes">Measured in Verilator at full rate over '
        f"{summary.get('timing_frames')} frames (steady state: between the ends of the first "
        "and the last frame); the compared run streams every frame with "
        f"{summary.get('random_gap_percent')} % random input gaps and "
        f"{summary.get('random_stall_percent')} % random output backpressure. Estimated "
        "latency: the sum of the layers' cycles per frame.</p>"
    )
    return _csim_section(rtlsim, "rtlsim", "RTL simulation", table + note)


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
        parts.append(_csim_section(csim))
    if rtlsim is not None:
        parts.append(_rtlsim_section(rtlsim))
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
