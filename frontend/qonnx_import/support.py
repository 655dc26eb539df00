"""Which ONNX nodes the importer takes (op type and domain), and `check_ops`: the
refusal of a model with other ops, made before qonnx's cleanup or anything else that
costs time on a large model."""

from __future__ import annotations

from collections.abc import Sequence

from frontend.qonnx_import.errors import QonnxImportError, node_label, original_name
from frontend.qonnx_import.ops import HANDLERS
from frontend.qonnx_import.proto import ModelProto, NodeProto

QONNX_DOMAINS = frozenset(
    {
        "qonnx.custom_op.general",
        "finn.custom_op.general",
        "finn",
        "onnx.brevitas",
        "qonnx",
    }
)
"""Domains whose Quant/BipolarQuant/Trunc/MultiThreshold are the QONNX custom ops."""

ONNX_DOMAINS = frozenset({"", "ai.onnx"})


QONNX_OPS = frozenset({"Quant", "BipolarQuant", "Trunc", "MultiThreshold"})

CHANNELS_LAST_DOMAIN = "qonnx.custom_op.channels_last"
CHANNELS_LAST_OPS = frozenset({"Conv", "MaxPool", "BatchNormalization"})
"""qonnx's channels-last wrappers: the ONNX op on NHWC tensors (`ConvertToChannelsLast`)."""


def is_supported(node: NodeProto) -> bool:
    if node.op_type not in HANDLERS:
        return False
    if node.domain == CHANNELS_LAST_DOMAIN:
        return node.op_type in CHANNELS_LAST_OPS
    domains = QONNX_DOMAINS if node.op_type in QONNX_OPS else ONNX_DOMAINS
    return node.domain in domains


def first_unsupported(nodes: Sequence[NodeProto]) -> NodeProto | None:
    return next((n for n in nodes if not is_supported(n)), None)


def unsupported_message(node: NodeProto) -> str:
    domain = f" (domain '{node.domain}')" if node.domain not in ONNX_DOMAINS else ""
    return f"unsupported op {node.op_type}{domain}: {node_label(node)}"


FOLDABLE_FROM_SHAPES = frozenset({"Shape", "Size"})
"""Ops whose result only depends on their input's static shape (cleanup folds them)."""


def check_ops(model: ModelProto) -> None:
    """Refuse, before any expensive step, a graph with ops the importer does not handle,
    in one line: `unsupported op Erf: Erf node 'gelu'` for one node, else every
    unsupported op type (with its domain when not ONNX's) and the names of its nodes.
    Ops computed from constants and static shapes only are left to qonnx's cleanup,
    which folds them away (a dynamo export's shape arithmetic)."""
    constant = {t.name for t in model.graph.initializer}
    unsupported: dict[str, list[NodeProto]] = {}
    for node in model.graph.node:
        inputs = [name for name in node.input if name]
        from_constants = node.domain in ONNX_DOMAINS and all(i in constant for i in inputs)
        if node.op_type in FOLDABLE_FROM_SHAPES or from_constants:
            constant.update(node.output)
        elif not is_supported(node):
            domain = f" (domain '{node.domain}')" if node.domain not in ONNX_DOMAINS else ""
            unsupported.setdefault(node.op_type + domain, []).append(node)
    if not unsupported:
        return
    nodes = [node for group in unsupported.values() for node in group]
    if len(nodes) == 1:
        raise QonnxImportError(unsupported_message(nodes[0]))
    listed = ", ".join(
        f"{op} (node{'s' if len(group) > 1 else ''} "
        f"{', '.join(repr(original_name(n)) for n in group[:3])}"
        f"{', ...' if len(group) > 3 else ''})"
        for op, group in unsupported.items()
    )
    raise QonnxImportError(f"unsupported ops: {listed}")
