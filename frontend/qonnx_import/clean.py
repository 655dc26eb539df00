"""Whether a model is already in the form qonnx's cleanup gives it, so that the importer
can skip the cleanup (about a second of CPU for a small model: qonnx and onnx imported,
onnx's shape inference, a deep copy per transformation) with exactly the same result.

qonnx's `cleanup_model` (with `ModelWrapper`'s own fixes and the cleanup it runs after
each transformation) changes a model unless all of these hold, which `is_clean` checks:

- no node in the old-style domains `finn` / `finn.custom_op.general`;
- every tensor a node reads or writes has exactly one value info (graph input, output or
  `value_info`), initializers included; a tensor no initializer holds has a static FLOAT
  shape in it (onnx's shape inference keeps a complete value info as it is); no value info
  or quantization annotation of a tensor no node uses; no initializer among the graph
  inputs; every initializer a FLOAT or INT64 tensor in the file with as many values as its
  dims say (`proto.readable`: the cleanup reads every initializer, and onnx's error for
  one it cannot read stays the import's error);
- every node input is an initializer, a graph input or an earlier node's output, read
  once per node; every initializer is read by exactly one node input;
- nothing to fold: no node other than Quant, BipolarQuant, QuantizeLinear and
  DequantizeLinear without inputs, with constant inputs only, or a Shape; no Transpose
  of a Quant/BipolarQuant of constants;
- the nodes in the order of qonnx's `SortGraph` (by depth, then by position); in the
  commutative Add/Mul/And/Or/Xor/Sum, the initializers last;
- the names `GiveUniqueNodeNames` and `GiveReadableTensorNames` give: nodes `<OpType>_<k>`,
  node outputs `<node>_out<k>`, a node's initializer inputs `<node>_param<k>`, graph
  inputs `global_in`, `global_in_1`, ..., graph outputs `global_out`, `global_out_1`, ...

Quant/Trunc/BipolarQuant nodes are put into the `qonnx.custom_op.general` domain first, as
the cleanup does (`mark_qonnx_domains`). A model qonnx's cleanup saved passes the check."""

from __future__ import annotations

from collections import Counter

from frontend.qonnx_import.proto import (
    GraphProto,
    ModelProto,
    NodeProto,
    TensorProto,
    ValueInfoProto,
    readable,
)

QONNX_GENERAL = "qonnx.custom_op.general"
_MARKED_OPS = frozenset({"Quant", "Trunc", "BipolarQuant"})
_OLD_STYLE_DOMAINS = frozenset({"finn", "finn.custom_op.general"})
_NEVER_FOLDED = frozenset({"Quant", "BipolarQuant", "QuantizeLinear", "DequantizeLinear"})
_WEIGHT_QUANTIZERS = frozenset({"Quant", "BipolarQuant"})
_COMMUTATIVE = frozenset({"Add", "Mul", "And", "Or", "Xor", "Sum"})


def mark_qonnx_domains(model: ModelProto) -> None:
    """Quant, Trunc and BipolarQuant nodes in qonnx's general domain (cleanup's first step)."""
    for node in model.graph.node:
        if node.op_type in _MARKED_OPS:
            node.domain = QONNX_GENERAL


def is_clean(model: ModelProto) -> bool:
    """Whether qonnx's cleanup would leave `model` as it is (see the module's docstring)."""
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    return (
        not graph.sparse_initializer
        and not model.functions
        and all(node.domain not in _OLD_STYLE_DOMAINS for node in graph.node)
        and _value_infos_complete(graph, initializers)
        and _wired_once(graph, initializers)
        and not _foldable(graph, initializers)
        and _sorted(graph, initializers)
        and _named(graph, initializers)
    )


def _value_infos_complete(graph: GraphProto, initializers: set[str]) -> bool:
    infos = [*graph.input, *graph.output, *graph.value_info]
    counts = Counter(info.name for info in infos)
    used = {name for node in graph.node for name in [*node.input, *node.output]}
    if any(counts[name] != 1 for name in used) or any(name not in used for name in counts):
        return False
    if any(a.tensor_name not in used for a in graph.quantization_annotation):
        return False
    if any(info.name in initializers for info in graph.input):
        return False
    if not all(readable(t) for t in graph.initializer):
        return False  # the cleanup reads every initializer: onnx reports what it cannot read
    return all(info.name in initializers or _static_float(info) for info in infos)


def _static_float(info: ValueInfoProto) -> bool:
    tensor_type = info.type.tensor_type
    return (
        info.type.HasField("tensor_type")
        and tensor_type.elem_type == TensorProto.FLOAT
        and tensor_type.HasField("shape")
        and all(d.HasField("dim_value") and d.dim_value > 0 for d in tensor_type.shape.dim)
    )


def _wired_once(graph: GraphProto, initializers: set[str]) -> bool:
    """Every input defined before its node reads it, once per node; outputs written once;
    every initializer read exactly once."""
    defined = initializers | {info.name for info in graph.input}
    reads: Counter[str] = Counter()
    for node in graph.node:
        if len(set(node.input)) != len(node.input) or not all(n in defined for n in node.input):
            return False
        if not all(node.output) or any(n in defined for n in node.output):
            return False
        reads.update(n for n in node.input if n in initializers)
        defined.update(node.output)
    return all(reads[name] == 1 for name in initializers)


def _foldable(graph: GraphProto, initializers: set[str]) -> bool:
    """Whether qonnx's FoldConstants or FoldTransposeIntoQuantInit would change a node."""
    quantized_constants: set[str] = set()
    for node in graph.node:
        from_constants = all(name in initializers for name in node.input)
        if node.op_type in _NEVER_FOLDED:
            if node.op_type in _WEIGHT_QUANTIZERS and from_constants:
                quantized_constants.update(node.output)
            continue
        if from_constants or node.op_type == "Shape":
            return True
        if node.op_type == "Transpose" and node.input[0] in quantized_constants:
            return True
    return False


def _sorted(graph: GraphProto, initializers: set[str]) -> bool:
    """Whether the nodes are in SortGraph's order: by depth (the longest path from the
    graph's inputs), then by position, i.e. with depths that never decrease."""
    depth_of: dict[str, int] = {}
    previous = 0
    for node in graph.node:
        depth = max((depth_of[name] + 1 for name in node.input if name in depth_of), default=0)
        if depth < previous:
            return False
        previous = depth
        depth_of.update((name, depth) for name in node.output)
        if node.op_type in _COMMUTATIVE and _constant_before_dynamic(node, initializers):
            return False
    return True


def _constant_before_dynamic(node: NodeProto, initializers: set[str]) -> bool:
    constant = [name in initializers for name in node.input]
    return any(c and not later for i, c in enumerate(constant) for later in constant[i + 1 :])


def _named(graph: GraphProto, initializers: set[str]) -> bool:
    """Whether every node and tensor has the name qonnx's renaming gives it."""
    expected: dict[str, str] = {}
    count: Counter[str] = Counter()
    for node in graph.node:
        name = f"{node.op_type}_{count[node.op_type]}"
        count[node.op_type] += 1
        if node.name != name:
            return False
        expected.update((out, f"{name}_out{k}") for k, out in enumerate(node.output))
        params = [tensor for tensor in node.input if tensor in initializers]
        expected.update((param, f"{name}_param{k}") for k, param in enumerate(params))
    for k, info in enumerate(graph.input):
        expected[info.name] = "global_in" if k == 0 else f"global_in_{k}"
    for k, info in enumerate(graph.output):
        expected[info.name] = "global_out" if k == 0 else f"global_out_{k}"
    return all(tensor == name for tensor, name in expected.items())
