"""`hls/top.h` and `hls/top.cpp`: the partition as one `#pragma HLS DATAFLOW` function over
internal streams (FIFOs become stream depths, reshapes stream aliases, pass-through copies
where a FIFO or a view touches a port)."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.ir import Operation, SSAValue

from backend_hls.emit_cpp.cxx import (
    GCC_QUIRK,
    MARKER,
    TOP,
    EmitError,
    cpp_identifier,
    stream_arg,
    word_type,
)
from backend_hls.emit_cpp.kernels import kernel_signature
from qdialects import dataflow as df
from qdialects.dataflow.limits import AP_INT_MAX_W
from qdialects.dataflow.types import StreamType


@dataclass
class Node:
    """A stream of `top.cpp`: an input port, an output port, or an internal stream."""

    width: int
    words: int
    kind: str  # "in", "out", "internal"
    index: int = -1  # port index
    depth: int = 0
    name: str = ""
    label: str = ""


@dataclass
class TopPlan:
    inputs: list[Node]
    outputs: list[Node]
    internal: list[Node]
    calls: list[tuple[str, list[Node]]]  # (callee expression, argument nodes) in order
    prototypes: list[str]


def plan_top(partition: df.PartitionOp, names: dict[Operation, str]) -> TopPlan:
    """Resolve FIFOs and reshapes onto streams and place the pass-through copies."""
    node_of: dict[SSAValue, Node] = {}
    inputs: list[Node] = []
    internal: list[Node] = []
    calls: list[tuple[str, list[Node]]] = []
    prototypes: list[str] = []

    def new_internal(stream: StreamType, label: str) -> Node:
        node = Node(stream.word_width(), stream.words_per_frame(), "internal", label=label)
        internal.append(node)
        return node

    def copy(src: Node, dst: Node) -> None:
        calls.append((f"qnn::dwc<{src.width}, {src.width}, {src.words}>", [src, dst]))

    for i, arg in enumerate(partition.block.args):
        stream = df.stream_type(arg)
        if stream.is_depthwise:
            raise EmitError(f"partition input {i} is in depthwise order; ports must be standard")
        node = Node(stream.word_width(), stream.words_per_frame(), "in", i)
        inputs.append(node)
        node_of[arg] = node

    for op in partition.block.ops:
        if not isinstance(op, df.Layer):
            continue  # the constants (weights, thresholds) and the yield
        name = names[op]
        if isinstance(op, df.ReshapeOp):
            node_of[op.result] = node_of[op.x]
            continue
        if isinstance(op, df.FIFOOp):
            src = node_of[op.x]
            if src.kind == "internal":
                node_of[op.result] = src
            else:
                dst = new_internal(df.stream_type(op.result), f"{name}_out0")
                copy(src, dst)
                node_of[op.result] = dst
                src = dst
            src.depth += op.depth.value.data
            continue
        args = [node_of[v] for v in op.operands if isinstance(v.type, StreamType)]
        for i, result in enumerate(op.results):
            node = new_internal(df.stream_type(result), f"{name}_out{i}")
            node_of[result] = node
            args.append(node)
        calls.append((name, args))
        prototypes.append(kernel_signature(op, name) + ";")

    terminator = partition.block.last_op
    assert isinstance(terminator, df.YieldOp)
    outputs: list[Node] = []
    for i, value in enumerate(terminator.values):
        stream = df.stream_type(value)
        if stream.is_depthwise:
            raise EmitError(f"partition output {i} is in depthwise order; ports must be standard")
        src = node_of[value]
        port = Node(stream.word_width(), stream.words_per_frame(), "out", i)
        outputs.append(port)
        if src.kind == "internal" and src.depth == 0:
            src.kind, src.index = "out", i  # the producer writes the port directly
            internal.remove(src)
            outputs[-1] = src
        else:
            copy(src, port)
    for node in internal + inputs + outputs:
        if node.width > AP_INT_MAX_W:
            raise EmitError(
                f"{node.width}-bit stream words exceed AP_INT_MAX_W = {AP_INT_MAX_W}; "
                f"fold the layer ({node.label or node.kind})"
            )
    return TopPlan(inputs, outputs, internal, calls, prototypes)


def _name_nodes(plan: TopPlan, names: dict[Operation, str]) -> None:
    """Port and stream names of `top`: distinct from every layer (function) name."""
    taken = {n.lower() for n in names.values()} | {TOP}
    for node in plan.inputs:
        node.name = cpp_identifier(f"in{node.index}_V", taken)
    for node in plan.outputs:
        node.name = cpp_identifier(f"out{node.index}_V", taken)
    for node in plan.internal:
        node.name = cpp_identifier(node.label, taken)


def top_signature(plan: TopPlan) -> str:
    params = [stream_arg(n.width, n.name) for n in plan.inputs + plan.outputs]
    return f"void {TOP}({', '.join(params)})"


def top_sources(partition: df.PartitionOp, names: dict[Operation, str]) -> tuple[str, str, TopPlan]:
    """(`top.h`, `top.cpp`, the plan)."""
    plan = plan_top(partition, names)
    _name_nodes(plan, names)
    sig = top_signature(plan)
    header = "\n".join(
        [
            "// The accelerator: the dataflow partition as one function (hls/top.cpp).",
            MARKER,
            "#ifndef QNN_TOP_H",
            "#define QNN_TOP_H",
            "",
            "#include <qnn/common.h>",
            "",
            "// One frame per call; ports carry stream words (lane 0 at the LSB).",
            f"{sig};",
            "",
            "#endif  // QNN_TOP_H",
            "",
        ]
    )
    lines = [
        f"// top: the whole dataflow partition ({len(plan.calls)} processes) as one",
        "// #pragma HLS DATAFLOW function over hls::streams; one frame per call.",
        MARKER,
        GCC_QUIRK,
        '#include "top.h"  // first: qnn/common.h must precede ap_int.h',
        "#include <qnn/dwc.h>",
        "",
        "// The layer kernels (hls/<layer>.cpp).",
        *plan.prototypes,
        "",
        f"{sig} {{",
    ]
    for node in plan.inputs + plan.outputs:
        lines.append(f"  QNN_PRAGMA(HLS INTERFACE axis port={node.name})")
    lines += ["  QNN_PRAGMA(HLS INTERFACE ap_ctrl_none port=return)", "  QNN_PRAGMA(HLS DATAFLOW)"]
    for node in plan.internal:
        lines.append(f'  hls::stream<{word_type(node.width)} > {node.name}("{node.name}");')
        if node.depth:
            lines.append(f"  QNN_PRAGMA(HLS STREAM variable={node.name} depth={node.depth})")
    for callee, args in plan.calls:
        if callee.startswith("qnn::dwc"):
            lines.append(f"  {callee}({', '.join(a.name for a in args)}, 1);")
        else:
            lines.append(f"  {callee}({', '.join(a.name for a in args)});")
    lines.append("}")
    return header, "\n".join(lines) + "\n", plan
