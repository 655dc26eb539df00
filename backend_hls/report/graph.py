"""The dataflow graph of the report: `dataflow_graph` (partition inputs, layers and
outputs as nodes, streams as edges labelled with their word width), `graph_layout` (a
layered layout in which a stream skipping ranks, as around a residual block, is routed
through its own column of waypoints) and `graph_svg` (the drawing)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.ir import BlockArgument, OpResult, SSAValue

from backend_hls.report.common import (
    esc,
    fmt_int,
    short_dtype,
    short_op,
    stream_label,
    stream_title,
    style_of,
)
from qdialects.dataflow.ops import Layer, PartitionOp, YieldOp, find_partition
from qdialects.dataflow.types import StreamType


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
