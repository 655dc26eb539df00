"""Import a QONNX model (as Brevitas exports it) into the `quant` dialect.

`import_qonnx(path_or_model)` loads the model (with its external data), runs qonnx's
cleanup (shape inference, constant folding, unique names) and builds one
`func.func @main` whose arguments and results are the graph's inputs and outputs.
Each ONNX node becomes one `quant` op; each initializer an op reads becomes a
`quant.constant` built from the tensor's raw bytes. ONNX inputs that are attributes in
the dialect (Reshape's shape, Pad's pads, TopK's k, ReduceMean's axes) must be constants
and are resolved here, as are the defaults ONNX leaves implicit (Conv's `kernel_shape`,
pads, strides, dilations). After shape inference every value has a static type.

Each op's location is `loc("<node name>")`, the ONNX node's name in the user's file (shown by
`qnn-opt --print-debuginfo`), so later passes can name the node in their errors.

Every problem with the input is a `QonnxImportError` whose message is one line naming
the file, node or tensor at fault.

Zero-points: `quant.quant` executes any zero-point, so the importer accepts non-zero
zero-points in general; the integer lowering, which needs zero-point 0, rejects them
there. The one case rejected here is a 1-bit `Quant` with a non-zero zero-point: for a
signed 1-bit quantizer QONNX ignores the zero-point (it is bipolar), so accepting one
would hide a model error, and the unsigned 1-bit case has no hardware mapping
(see `check_one_bit_zero_point`).
"""

from __future__ import annotations

import math
import os
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnx
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from onnx import numpy_helper
from xdsl.dialects.builtin import (
    BoolAttr,
    Float32Type,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    NameLoc,
    NoneAttr,
    StringAttr,
    TensorType,
    f32,
    i64,
)
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.utils.exceptions import DiagnosticException

from qdialects import quant
from qdialects.utils import dense_from_numpy, i64_array


class QonnxImportError(Exception):
    """The model cannot be imported; the message is one line naming what is wrong
    (line breaks and other control characters of names in it are escaped)."""

    def __init__(self, message: str):
        super().__init__(_escape_controls(message))


def _escape_controls(text: str) -> str:
    """`text` with control characters (a tensor named 'a\\nb') escaped as in repr."""
    return "".join(repr(c)[1:-1] if not c.isprintable() and c != " " else c for c in text)


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

_ORIGINAL_NAME = "qnn-original-name:"
"""Prefix of the doc_string in which the importer keeps a node's name across cleanup
(qonnx renames every node), so errors name the node as the user's file does."""

_SAME_INPUTS = "qnn-same-inputs:"
"""Second doc_string line of a node reading one tensor twice (`Add(r, r)`): `i=j` pairs.
qonnx's tensor renaming only renames a tensor's first occurrence in a node's inputs, so
the importer restores the repeats after cleanup (`_restore_repeated_inputs`)."""


def _restore_repeated_inputs(model: onnx.ModelProto) -> None:
    for node in model.graph.node:
        _, _, rest = node.doc_string.partition("\n")
        if not rest.startswith(_SAME_INPUTS):
            continue
        for pair in rest.removeprefix(_SAME_INPUTS).split(","):
            i, j = (int(k) for k in pair.split("="))
            node.input[i] = node.input[j]


# --------------------------------------------------------------------------- loading


def _load(path: str | os.PathLike[str]) -> onnx.ModelProto:
    file = Path(path)
    if not file.exists():
        raise QonnxImportError(f"{file}: no such file or directory")
    if file.is_dir():
        raise QonnxImportError(f"{file}: is a directory, not an ONNX file")
    try:
        model = onnx.load(str(file), load_external_data=False)
    except Exception as error:
        raise QonnxImportError(
            f"{file}: not an ONNX model ({_one_line(error) or type(error).__name__})"
        ) from error
    _check_is_model(model, str(file))
    try:
        onnx.load_external_data_for_model(model, str(file.parent))
    except Exception as error:
        raise QonnxImportError(f"{file}: cannot load external data ({_one_line(error)})") from error
    return model


def _check_is_model(model: onnx.ModelProto, where: str) -> None:
    # A protobuf decoder accepts many byte strings; a real model has an IR version and
    # at least a graph output.
    if model.ir_version <= 0 or not model.HasField("graph") or not model.graph.output:
        raise QonnxImportError(f"{where}: not an ONNX model (no IR version or graph)")
    _check_strings(model, where)


def _check_strings(message: Message, where: str) -> None:
    """Refuse a string field that is not UTF-8: protobuf's upb runtime returns it as
    `bytes` (a node named b'\\xcdatMul_1'), which no name handling expects."""
    for field_, value in message.ListFields():
        values = value if field_.is_repeated else [value]
        if field_.type == FieldDescriptor.TYPE_STRING:
            for text in values:
                if isinstance(text, bytes):
                    raise QonnxImportError(
                        f"{where}: {field_.full_name} is not UTF-8 text ({text[:40]!r})"
                    )
        elif field_.type == FieldDescriptor.TYPE_MESSAGE:
            for nested in values:
                _check_strings(nested, where)


def _one_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def _original_name(node: onnx.NodeProto) -> str:
    """The node's name in the user's file (qonnx cleanup renames nodes)."""
    if node.doc_string.startswith(_ORIGINAL_NAME):
        first_line = node.doc_string.split("\n", 1)[0]
        return first_line.removeprefix(_ORIGINAL_NAME) or node.name
    return node.name


def _node_label(node: onnx.NodeProto) -> str:
    return f"{node.op_type} node '{_original_name(node)}'"


def _constants_to_initializers(model: onnx.ModelProto) -> None:
    """Turn `Constant` nodes into initializers (the dynamo exporter emits some)."""
    kept = []
    for node in model.graph.node:
        if node.op_type == "Constant" and node.domain in ONNX_DOMAINS:
            attrs = {a.name: a for a in node.attribute}
            if "value" in attrs:
                tensor = onnx.TensorProto()
                tensor.CopyFrom(attrs["value"].t)
                tensor.name = node.output[0]
                model.graph.initializer.append(tensor)
                continue
        kept.append(node)
    if len(kept) != len(model.graph.node):
        del model.graph.node[:]
        model.graph.node.extend(kept)


def _prepare(model: onnx.ModelProto, where: str) -> onnx.ModelProto:
    """A copy of `model` with Constant nodes as initializers and each node's own name
    remembered (unnamed nodes are called `#<index>`); static input shapes checked."""
    work = onnx.ModelProto()
    work.CopyFrom(model)
    _constants_to_initializers(work)
    for index, node in enumerate(work.graph.node):
        node.doc_string = _ORIGINAL_NAME + (node.name or f"#{index}")
        repeats = [
            f"{i}={list(node.input).index(name)}"
            for i, name in enumerate(node.input)
            if name and list(node.input).index(name) != i
        ]
        if repeats:
            node.doc_string += "\n" + _SAME_INPUTS + ",".join(repeats)
    initializers = {t.name for t in work.graph.initializer}
    for info in work.graph.input:
        if info.name not in initializers:
            _check_static_input(info, where)
    return work


def _check_static_input(info: onnx.ValueInfoProto, where: str) -> None:
    tensor_type = info.type.tensor_type
    if not info.type.HasField("tensor_type") or not tensor_type.HasField("shape"):
        raise QonnxImportError(f"{where}: graph input '{info.name}' has an unknown shape")
    dims = tensor_type.shape.dim
    if all(d.HasField("dim_value") and d.dim_value > 0 for d in dims):
        return
    shown = [str(d.dim_value) if d.HasField("dim_value") else (d.dim_param or "?") for d in dims]
    raise QonnxImportError(
        f"{where}: graph input '{info.name}' has a dynamic shape [{', '.join(shown)}]; "
        "export the model with static shapes (batch size 1)"
    )


def _cleanup(work: onnx.ModelProto, where: str) -> onnx.ModelProto:
    """qonnx cleanup: shape inference, constant folding, unique node and tensor names."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.util.cleanup import cleanup_model

    try:
        with _quiet():
            cleaned = cleanup_model(ModelWrapper(work)).model
    except Exception as error:
        raise _cleanup_error(work, where, error) from error
    _restore_repeated_inputs(cleaned)
    return cleaned


def _infer_shapes(work: onnx.ModelProto, where: str) -> onnx.ModelProto:
    """qonnx shape inference only (names kept)."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.transformation.infer_shapes import InferShapes

    try:
        with _quiet():
            return ModelWrapper(work).transform(InferShapes()).model
    except Exception as error:
        raise _cleanup_error(work, where, error) from error


@contextmanager
def _quiet() -> Iterator[None]:
    """No output from qonnx and onnxruntime: qonnx warns (UserWarning: 'Output shapes
    disagree after node ...' with the node's protobuf text, 'old-style domain attributes
    were converted') and onnxruntime logs shape-merge warnings to stderr while cleanup
    folds constants. The importer reports what matters in its own one-line errors."""
    import onnxruntime

    onnxruntime.set_default_logger_severity(4)  # fatal only: errors surface as exceptions
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _cleanup_error(work: onnx.ModelProto, where: str, error: Exception) -> QonnxImportError:
    unsupported = _first_unsupported(work.graph.node)
    if unsupported is not None:
        return QonnxImportError(_unsupported_message(unsupported))
    return QonnxImportError(
        f"{where}: qonnx cleanup failed: {_one_line(error) or type(error).__name__}"
    )


# --------------------------------------------------------------------------- 1-D as 2-D

ONE_D_OPS = frozenset(
    {"Conv", "MaxPool", "AveragePool", "BatchNormalization", "Quant", "BipolarQuant", "Trunc"}
    | {"Relu", "Add", "Sub", "Mul", "Div", "Identity", "Flatten"}
)
"""Ops whose N x C x L tensors the importer can give a unit height (N x C x 1 x L)."""

_WINDOW_ATTRS = {"kernel_shape": (1,), "strides": (1,), "dilations": (1,), "pads": (0, 0)}


def one_d_as_two_d(model: onnx.ModelProto) -> bool:
    """Give every 3-D tensor (N x C x L: 1-D convolutions and pools) a unit height,
    N x C x 1 x L, so the 2-D lowering handles them: window attributes gain a leading
    1 (pads `[b, e]` become `[0, b, 0, e]`), 3-D constants (weights, per-channel
    parameters) gain the unit axis, and a 3-D graph input or output is reshaped at the
    edge. Only when every node touching a 3-D tensor is one of `ONE_D_OPS` and some is a
    Conv or pool; returns whether it rewrote the graph (shapes must then be inferred)."""
    graph = model.graph
    rank3 = {
        info.name
        for info in [*graph.value_info, *graph.input, *graph.output]
        if len(info.type.tensor_type.shape.dim) == 3
    }
    touching = [n for n in graph.node if any(t in rank3 for t in [*n.input, *n.output])]
    windowed = {"Conv", "MaxPool", "AveragePool"}
    if not any(n.op_type in windowed for n in touching) or any(
        n.op_type not in ONE_D_OPS for n in touching
    ):
        return False
    initializers = {t.name: t for t in graph.initializer}
    for node in touching:
        for attribute in node.attribute:
            if node.op_type in windowed and attribute.name in _WINDOW_ATTRS:
                values = list(attribute.ints)
                if attribute.name == "pads":
                    values = [0, values[0], 0, values[1]]
                else:
                    values = [*_WINDOW_ATTRS[attribute.name], *values]
                del attribute.ints[:]
                attribute.ints.extend(values)
        for name in node.input:
            if name in initializers and node.op_type != "Flatten":
                _unit_height(initializers[name], node.op_type == "Conv")
    for info in graph.input:
        if info.name in rank3:
            _reshape_at_edge(graph, info.name, into_graph=True)
    for info in graph.output:
        if info.name in rank3:
            _reshape_at_edge(graph, info.name, into_graph=False)
    del graph.value_info[:]
    return True


def _unit_height(tensor: onnx.TensorProto, is_conv: bool) -> None:
    """A constant read by a node on N x C x L tensors, for N x C x 1 x L: a 3-D constant
    (weights M x C x k, parameters 1 x C x 1) gets the unit axis at 2; a 2-D one, which
    broadcasts on the trailing (C, L) axes, gets it too (as 1 x C x 1 x L)."""
    array = numpy_helper.to_array(tensor)
    if array.ndim == 2 and not is_conv:
        array = array[np.newaxis]
    if array.ndim != 3:
        return
    tensor.CopyFrom(numpy_helper.from_array(np.expand_dims(array, 2), tensor.name))


def _reshape_at_edge(graph: onnx.GraphProto, name: str, into_graph: bool) -> None:
    inner = name + "_2d"
    shape = _inferred_shape(graph, name)
    target = [*shape[:2], 1, shape[2]] if into_graph else shape
    shape_name = inner + "_shape"
    graph.initializer.append(numpy_helper.from_array(np.array(target, dtype=np.int64), shape_name))
    for node in graph.node:
        names = node.input if into_graph else node.output
        for i, tensor in enumerate(names):
            if tensor == name:
                names[i] = inner
    source, result = (name, inner) if into_graph else (inner, name)
    reshape = onnx.helper.make_node("Reshape", [source, shape_name], [result])
    reshape.doc_string = _ORIGINAL_NAME + f"reshape of '{name}'"
    if into_graph:
        graph.node.insert(0, reshape)
    else:
        graph.node.append(reshape)


# --------------------------------------------------------------------------- channels last


def channels_first(model: onnx.ModelProto) -> bool:
    """Rewrite each node of qonnx's channels-last domain (an ONNX Conv, MaxPool or
    BatchNormalization on NHWC tensors) in place as `Transpose` to NCHW, the ONNX op,
    `Transpose` back. A Conv's weight (O x kH x kW x I) is transposed to O x I x kH x kW
    where it is stored: in its initializer, or in the constant inputs of the Quant that
    only feeds this Conv. The transposes keep the node's name for error messages; the
    transposes then sink below elementwise ops and cancel pairwise (`_sink_transposes`);
    returns whether it rewrote the graph (shapes must then be inferred again)."""
    graph = model.graph
    if not any(node.domain == CHANNELS_LAST_DOMAIN for node in graph.node):
        return False
    rewritten: list[onnx.NodeProto] = []
    for node in graph.node:
        if node.domain != CHANNELS_LAST_DOMAIN:
            rewritten.append(node)
            continue
        rank = len(_inferred_shape(graph, node.input[0]))
        to_first = [0, rank - 1, *range(1, rank - 1)]
        to_last = [0, *range(2, rank), 1]
        inputs = list(node.input)
        inputs[0] = _transposed_tensor(graph, rewritten, node, inputs[0], to_first)
        if node.op_type == "Conv":
            _weight_channels_first(graph, node, inputs[1], to_first)
        standard = onnx.NodeProto()
        standard.CopyFrom(node)
        standard.domain = ""
        del standard.input[:]
        standard.input.extend(inputs)
        standard.output[0] = node.output[0] + "_nchw"
        shape = _inferred_shape(graph, node.output[0])
        _add_value_info(graph, standard.output[0], [shape[p] for p in to_first])
        rewritten.append(standard)
        rewritten.append(_transpose_node(node, standard.output[0], node.output[0], to_last))
    del graph.node[:]
    graph.node.extend(rewritten)
    _sink_transposes(graph)
    return True


TRANSPOSE_COMMUTING = frozenset({"Relu", "Identity", "Quant", "BipolarQuant", "Trunc"})
"""Elementwise ops that commute with a Transpose when their other inputs are scalars."""


def _sink_transposes(graph: onnx.GraphProto) -> None:
    """Move each Transpose below the elementwise ops (with scalar parameters) it alone
    feeds, and cancel a Transpose followed by its inverse: qonnx's channels-last graphs
    quantize and activate NHWC tensors between the wrappers, which `channels_first`
    turned back into NCHW ops."""
    sizes = {t.name: math.prod(t.dims) for t in graph.initializer}
    changed = True
    while changed:
        changed = False
        for node in list(graph.node):
            if node.op_type != "Transpose" or node not in graph.node:
                continue
            users = [n for n in graph.node if node.output[0] in n.input]
            if len(users) != 1 or any(o.name == node.output[0] for o in graph.output):
                continue
            (user,) = users
            if user.op_type == "Transpose" and user.input[0] == node.output[0]:
                changed |= _compose_transposes(graph, node, user)
            elif (
                user.op_type in TRANSPOSE_COMMUTING
                and user.input[0] == node.output[0]
                and all(sizes.get(i, 0) == 1 for i in user.input[1:] if i)
            ):
                _swap(node, user)
                changed = True
    del graph.value_info[:]
    _sort_topologically(graph)


def _sort_topologically(graph: onnx.GraphProto) -> None:
    """Order the nodes so that each comes after the producers of its inputs."""
    available = {t.name for t in graph.initializer} | {i.name for i in graph.input} | {""}
    pending, ordered = list(graph.node), []
    while pending:
        ready = [n for n in pending if all(i in available for i in n.input)]
        if not ready:
            return  # a cycle or a missing tensor: the importer names it
        for node in ready:
            available.update(node.output)
            ordered.append(node)
            pending.remove(node)
    del graph.node[:]
    graph.node.extend(ordered)


def _perm(node: onnx.NodeProto) -> list[int]:
    return list(next(a.ints for a in node.attribute if a.name == "perm"))


def _swap(transpose: onnx.NodeProto, user: onnx.NodeProto) -> None:
    """`user(transpose(x))` as `transpose(user(x))` (same output names at the end)."""
    source, between, result = transpose.input[0], transpose.output[0], user.output[0]
    user.input[0] = source
    user.output[0] = between
    transpose.input[0] = between
    transpose.output[0] = result


def _compose_transposes(
    graph: onnx.GraphProto, first: onnx.NodeProto, second: onnx.NodeProto
) -> bool:
    """Replace a pair of inverse transposes by a direct connection."""
    perm1, perm2 = _perm(first), _perm(second)
    if [perm1[p] for p in perm2] != list(range(len(perm1))):
        return False
    source, result = first.input[0], second.output[0]
    if any(o.name == result for o in graph.output):
        return False
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name == result:
                node.input[i] = source
    graph.node.remove(first)
    graph.node.remove(second)
    return True


def _inferred_shape(graph: onnx.GraphProto, name: str) -> list[int]:
    for tensor in graph.initializer:
        if tensor.name == name:
            return list(tensor.dims)
    for info in [*graph.value_info, *graph.input, *graph.output]:
        if info.name == name:
            return [d.dim_value for d in info.type.tensor_type.shape.dim]
    raise QonnxImportError(f"tensor '{name}' has no inferred shape")


def _add_value_info(graph: onnx.GraphProto, name: str, shape: Sequence[int]) -> None:
    graph.value_info.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, shape))


def _transpose_node(
    origin: onnx.NodeProto, source: str, target: str, perm: Sequence[int]
) -> onnx.NodeProto:
    node = onnx.helper.make_node("Transpose", [source], [target], perm=list(perm))
    node.doc_string = origin.doc_string
    return node


def _transposed_tensor(
    graph: onnx.GraphProto,
    nodes: list[onnx.NodeProto],
    origin: onnx.NodeProto,
    name: str,
    perm: Sequence[int],
) -> str:
    target = f"{name}_{origin.output[0]}_nchw"
    shape = _inferred_shape(graph, name)
    _add_value_info(graph, target, [shape[p] for p in perm])
    nodes.append(_transpose_node(origin, name, target, perm))
    return target


def _weight_channels_first(
    graph: onnx.GraphProto, conv: onnx.NodeProto, name: str, perm: Sequence[int]
) -> None:
    initializers = {t.name: t for t in graph.initializer}
    producer = next((n for n in graph.node if name in n.output), None)
    consumers = [n for n in graph.node if name in n.input]
    if name in initializers:
        stored = [name]
    elif (
        producer is not None
        and producer.op_type in ("Quant", "BipolarQuant")
        and all(i in initializers for i in producer.input)
        and len(consumers) == 1
    ):
        rank = len(perm)
        stored = [i for i in producer.input if len(initializers[i].dims) == rank]
    else:
        raise QonnxImportError(
            f"{_node_label(conv)}: a channels-last Conv weight must be a constant "
            "(an initializer or a Quant of initializers)"
        )
    for tensor in stored:
        array = numpy_helper.to_array(initializers[tensor]).transpose(perm)
        initializers[tensor].CopyFrom(numpy_helper.from_array(np.ascontiguousarray(array), tensor))
    shape = _inferred_shape(graph, name)
    for info in graph.value_info:
        if info.name == name:
            graph.value_info.remove(info)
            break
    _add_value_info(graph, name, [shape[p] for p in perm])


# --------------------------------------------------------------------------- tensors


_ELEMENT_TYPES: dict[int, Attribute] = {
    onnx.TensorProto.FLOAT: f32,
    onnx.TensorProto.INT64: i64,
}


def _sanitize(name: str) -> str:
    """A readable SSA name: [A-Za-z0-9_], not starting with a digit, without a trailing
    `_<digits>` (xDSL treats that as a uniquing suffix and drops it)."""
    text = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")
    text = re.sub(r"_+", "_", text)
    if not text:
        return "v"
    if text[0].isdigit():
        text = "v" + text
    return re.sub(r"_(\d+)$", r"\1", text)


@dataclass
class _Graph:
    """The cleaned ONNX graph with fast lookups by tensor name."""

    model: onnx.ModelProto
    where: str
    initializers: dict[str, onnx.TensorProto] = field(default_factory=dict)
    value_infos: dict[str, onnx.ValueInfoProto] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        graph = self.model.graph
        self.initializers = {t.name: t for t in graph.initializer}
        for info in [*graph.value_info, *graph.input, *graph.output]:
            self.value_infos[info.name] = info

    def constant(self, name: str) -> np.ndarray | None:
        if name not in self.initializers:
            return None
        if name not in self.arrays:
            self.arrays[name] = numpy_helper.to_array(self.initializers[name])
        return self.arrays[name]

    def tensor_type(self, name: str, what: str) -> TensorType[Attribute]:
        """The static tensor type shape inference gave `name`."""
        array = self.constant(name)
        if array is not None:
            return TensorType(_element_of_numpy(array, name, what), list(array.shape))
        info = self.value_infos.get(name)
        if info is None or not info.type.HasField("tensor_type"):
            raise QonnxImportError(f"{what}: tensor '{name}' has no inferred type")
        tensor_type = info.type.tensor_type
        element = _ELEMENT_TYPES.get(tensor_type.elem_type)
        if element is None:
            elem = onnx.TensorProto.DataType.Name(tensor_type.elem_type)
            raise QonnxImportError(
                f"{what}: tensor '{name}' has element type {elem} (only FLOAT is supported)"
            )
        if not tensor_type.HasField("shape"):
            raise QonnxImportError(f"{what}: tensor '{name}' has an unknown shape")
        dims: list[int] = []
        for dim in tensor_type.shape.dim:
            if not dim.HasField("dim_value") or dim.dim_value <= 0:
                shown = [
                    str(d.dim_value) if d.HasField("dim_value") else (d.dim_param or "?")
                    for d in tensor_type.shape.dim
                ]
                raise QonnxImportError(
                    f"{what}: tensor '{name}' has a dynamic shape [{', '.join(shown)}]; "
                    "export the model with static shapes (batch size 1)"
                )
            dims.append(dim.dim_value)
        return TensorType(element, dims)


def _element_of_numpy(array: np.ndarray, name: str, what: str) -> Attribute:
    if array.dtype.kind == "f":
        return f32
    if array.dtype == np.int64:
        return i64
    raise QonnxImportError(
        f"{what}: constant '{name}' has element type {array.dtype} (only float is supported)"
    )


# --------------------------------------------------------------------------- nodes


@dataclass
class _Node:
    """What a node handler sees: the node, its attributes and the importer's state."""

    node: onnx.NodeProto
    importer: _Importer

    @property
    def label(self) -> str:
        return _node_label(self.node)

    def error(self, message: str) -> QonnxImportError:
        return QonnxImportError(f"{self.label}: {message}")

    def attr(self, name: str, default: object = None) -> object:
        for attribute in self.node.attribute:
            if attribute.name == name:
                return onnx.helper.get_attribute_value(attribute)
        return default

    def int_attr(self, name: str, default: int, allowed: Sequence[int] | None = None) -> int:
        value = self.attr(name, default)
        if not isinstance(value, int):
            raise self.error(f"attribute '{name}' must be an integer")
        if allowed is not None and value not in allowed:
            raise self.error(
                f"attribute '{name}' = {value} is out of range (expected one of "
                f"{', '.join(map(str, allowed))})"
            )
        return value

    def float_attr(self, name: str, default: float) -> float:
        value = self.attr(name, default)
        if not isinstance(value, float | int):
            raise self.error(f"attribute '{name}' must be a float")
        if not math.isfinite(value):
            raise self.error(f"attribute '{name}' = {value} must be finite")
        return float(value)

    def str_attr(self, name: str, default: str) -> str:
        value = self.attr(name, default)
        if isinstance(value, bytes):
            try:
                value = value.decode()
            except UnicodeDecodeError:
                raise self.error(f"attribute '{name}' = {value[:40]!r} is not UTF-8 text") from None
        if not isinstance(value, str):
            raise self.error(f"attribute '{name}' must be a string")
        return value

    def ints_attr(self, name: str) -> list[int] | None:
        value = self.attr(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
            raise self.error(f"attribute '{name}' must be a list of integers")
        return list(value)

    @property
    def inputs(self) -> list[str]:
        """Input names, without trailing empty (omitted optional) inputs."""
        names = list(self.node.input)
        while names and not names[-1]:
            names.pop()
        return names

    def has_input(self, index: int) -> bool:
        return index < len(self.node.input) and bool(self.node.input[index])

    def operand(self, index: int) -> SSAValue:
        if not self.has_input(index):
            raise self.error(f"missing input {index}")
        return self.importer.value(self.node.input[index], self.label)

    def optional_operand(self, index: int) -> SSAValue | None:
        return self.operand(index) if self.has_input(index) else None

    def constant_input(self, index: int, what: str) -> np.ndarray:
        """An input that is an attribute in the dialect: it must be an initializer."""
        if not self.has_input(index):
            raise self.error(f"missing input '{what}'")
        name = self.node.input[index]
        array = self.importer.graph.constant(name)
        if array is None:
            raise self.error(
                f"input '{what}' ('{name}') must be a constant, but it is computed in the graph"
            )
        return array

    def rank(self, index: int = 0) -> int:
        return len(self.input_shape(index))

    def input_shape(self, index: int = 0) -> tuple[int, ...]:
        name = self.node.input[index]
        return tuple(self.importer.graph.tensor_type(name, self.label).get_shape())

    def result_types(self, count: int = 1) -> list[Attribute]:
        outputs = [o for o in self.node.output if o]
        if len(outputs) != count:
            raise self.error(
                f"expected {count} output{'s' if count != 1 else ''}, got {len(outputs)}"
            )
        types = [self.importer.graph.tensor_type(o, self.label) for o in outputs]
        # The element type the op computes is its (first) input's; a graph output or
        # value_info declaring another one (INT64) would give the op a result type its
        # lowering does not produce. TopK's second output and ArgMax's hold int64 indices.
        expected = self.importer.graph.tensor_type(self.node.input[0], self.label).element_type
        for index, (name, type_) in enumerate(zip(outputs, types, strict=True)):
            indices = (self.node.op_type == "TopK" and index) or self.node.op_type == "ArgMax"
            if type_.element_type != expected and not indices:
                raise self.error(
                    f"output '{name}' is declared {type_.element_type}, but the op "
                    f"computes {expected}"
                )
        return list(types)

    def axis(self, value: int, rank: int, what: str = "axis", inclusive: bool = False) -> int:
        """`value` normalized to [0, rank) (or [0, rank] when `inclusive`, as Flatten's)."""
        upper = rank + 1 if inclusive else rank
        if not -rank <= value < upper:
            raise self.error(
                f"attribute '{what}' = {value} is out of range for a rank-{rank} input"
            )
        return value + rank if value < 0 else value


Handler = Callable[[_Node], Operation]


def _f32(value: float) -> FloatAttr[Float32Type]:
    return FloatAttr(value, 32)


def _int(value: int) -> IntegerAttr:
    return IntegerAttr(value, i64)


def _bool(value: int | bool) -> BoolAttr:
    return BoolAttr.from_bool(bool(value))


def _rounding_mode(node: _Node, default: str) -> StringAttr:
    mode = node.str_attr("rounding_mode", default).upper()
    if mode not in quant.ROUNDING_MODES:
        raise node.error(
            f"attribute 'rounding_mode' = {mode!r} is not one of {', '.join(quant.ROUNDING_MODES)}"
        )
    return StringAttr(mode)


def check_one_bit_zero_point(node: _Node, bitwidth_index: int, zeropt_index: int) -> None:
    """Reject a 1-bit quantizer with a non-zero zero-point (see the module docstring)."""
    bitwidth = node.importer.graph.constant(node.node.input[bitwidth_index])
    zeropt = node.importer.graph.constant(node.node.input[zeropt_index])
    if bitwidth is None or zeropt is None:
        return
    if np.any(bitwidth == 1) and np.any(zeropt != 0):
        raise node.error(
            "a 1-bit quantizer with a non-zero zero-point is not supported "
            f"(zeropt {zeropt.flatten()[:4].tolist()})"
        )


def _quant(node: _Node) -> Operation:
    check_one_bit_zero_point(node, 3, 2)
    return quant.QuantOp.build(
        operands=[node.operand(0), node.operand(1), node.operand(2), node.operand(3)],
        properties={
            "signed": _bool(node.int_attr("signed", 1, (0, 1))),
            "narrow": _bool(node.int_attr("narrow", 0, (0, 1))),
            "rounding_mode": _rounding_mode(node, "ROUND"),
        },
        result_types=node.result_types(),
    )


def _bipolar_quant(node: _Node) -> Operation:
    return quant.BipolarQuantOp.build(
        operands=[node.operand(0), node.operand(1)], result_types=node.result_types()
    )


def _trunc(node: _Node) -> Operation:
    count = len(node.inputs)
    if count not in (5, 6):
        raise node.error(f"expected 5 (v1) or 6 (v2) inputs, got {count}")
    operands: list[SSAValue | None] = [node.operand(i) for i in range(count)]
    if count == 5:  # v1: x, scale, zeropt, in_bitwidth, out_bitwidth
        operands.append(None)
    else:  # v2: x, scale, zeropt, in_bitwidth, out_scale, out_bitwidth
        operands[4], operands[5] = operands[5], operands[4]
    return quant.TruncOp.build(
        operands=operands,
        properties={
            "rounding_mode": _rounding_mode(node, "FLOOR"),
            "signed": _bool(node.int_attr("signed", 1, (0, 1))),
            "narrow": _bool(node.int_attr("narrow", 0, (0, 1))),
        },
        result_types=node.result_types(),
    )


def _multithreshold(node: _Node) -> Operation:
    layout = node.str_attr("data_layout", "")
    if not layout:
        layout = "NC" if node.rank() == 2 else "NCHW"
    if layout not in quant.DATA_LAYOUTS:
        raise node.error(
            f"attribute 'data_layout' = {layout!r} is not one of {', '.join(quant.DATA_LAYOUTS)}"
        )
    return quant.MultiThresholdOp.build(
        operands=[node.operand(0), node.operand(1)],
        properties={
            "out_scale": _f32(node.float_attr("out_scale", 1.0)),
            "out_bias": _f32(node.float_attr("out_bias", 0.0)),
            "out_dtype": StringAttr(node.str_attr("out_dtype", "")),
            "data_layout": StringAttr(layout),
        },
        result_types=node.result_types(),
    )


def _window(node: _Node, kernel: Sequence[int]) -> dict[str, Attribute]:
    """strides, pads and dilations of a Conv/Pool node, with ONNX's defaults and
    `auto_pad` resolved to explicit pads."""
    rank = len(kernel)
    strides = node.ints_attr("strides") or [1] * rank
    dilations = node.ints_attr("dilations") or [1] * rank
    pads = node.ints_attr("pads") or [0] * (2 * rank)
    for what, values, size in (
        ("strides", strides, rank),
        ("dilations", dilations, rank),
        ("pads", pads, 2 * rank),
    ):
        if len(values) != size:
            raise node.error(f"attribute '{what}' has {len(values)} values, expected {size}")
    if any(s < 1 for s in strides):
        raise node.error(f"attribute 'strides' = {strides} must be >= 1")
    if any(d < 1 for d in dilations):
        raise node.error(f"attribute 'dilations' = {dilations} must be >= 1")
    if any(p < 0 for p in pads):
        raise node.error(f"attribute 'pads' = {pads} must be >= 0")
    auto_pad = node.str_attr("auto_pad", "NOTSET")
    if auto_pad == "VALID":
        pads = [0] * (2 * rank)
    elif auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        spatial = node.input_shape(0)[2:]
        pads = [0] * (2 * rank)
        for i in range(rank):
            out = -(-spatial[i] // strides[i])
            total = max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - spatial[i])
            small, large = total // 2, total - total // 2
            pads[i], pads[i + rank] = (small, large) if auto_pad == "SAME_UPPER" else (large, small)
    elif auto_pad != "NOTSET":
        raise node.error(f"attribute 'auto_pad' = {auto_pad!r} is not supported")
    return {
        "strides": i64_array(strides),
        "pads": i64_array(pads),
        "dilations": i64_array(dilations),
    }


def _conv(node: _Node) -> Operation:
    x_rank = node.rank(0)
    if x_rank < 3:
        raise node.error(f"input must be N x C x spatial..., got rank {x_rank}")
    weight_shape = node.input_shape(1)
    kernel = list(weight_shape[2:])
    declared = node.ints_attr("kernel_shape")
    if declared is not None and list(declared) != kernel:
        raise node.error(
            f"attribute 'kernel_shape' = {declared} differs from the weight's {kernel}"
        )
    group = node.int_attr("group", 1)
    if group < 1:
        raise node.error(f"attribute 'group' = {group} must be >= 1")
    properties = _window(node, kernel)
    properties["group"] = _int(group)
    return quant.ConvOp.build(
        operands=[node.operand(0), node.operand(1), node.optional_operand(2)],
        properties=properties,
        result_types=node.result_types(),
    )


def _pool(op_class: type[quant.PoolOp]) -> Handler:
    def handler(node: _Node) -> Operation:
        kernel = node.ints_attr("kernel_shape")
        if kernel is None:
            raise node.error("attribute 'kernel_shape' is required")
        if len(kernel) != node.rank(0) - 2:
            raise node.error(
                f"attribute 'kernel_shape' = {kernel} does not match the input's "
                f"{node.rank(0) - 2} spatial axes"
            )
        properties = _window(node, kernel)
        dilations = properties.pop("dilations")
        properties["kernel_shape"] = i64_array(kernel)
        properties["ceil_mode"] = _bool(node.int_attr("ceil_mode", 0, (0, 1)))
        if op_class is quant.MaxPoolOp:
            properties["dilations"] = dilations
            if node.int_attr("storage_order", 0, (0, 1)) != 0:
                raise node.error("attribute 'storage_order' = 1 is not supported")
        else:
            if any(d != 1 for d in node.ints_attr("dilations") or []):
                raise node.error("dilated average pooling is not supported")
            properties["count_include_pad"] = _bool(node.int_attr("count_include_pad", 0, (0, 1)))
        return op_class.build(
            operands=[node.operand(0)], properties=properties, result_types=node.result_types()
        )

    return handler


def _gemm(node: _Node) -> Operation:
    return quant.GemmOp.build(
        operands=[node.operand(0), node.operand(1), node.optional_operand(2)],
        properties={
            "alpha": _f32(node.float_attr("alpha", 1.0)),
            "beta": _f32(node.float_attr("beta", 1.0)),
            "trans_a": _bool(node.int_attr("transA", 0, (0, 1))),
            "trans_b": _bool(node.int_attr("transB", 0, (0, 1))),
        },
        result_types=node.result_types(),
    )


def _binary(op_class: type[Operation]) -> Handler:
    def handler(node: _Node) -> Operation:
        return op_class.build(  # pyright: ignore[reportAttributeAccessIssue]
            operands=[node.operand(0), node.operand(1)], result_types=node.result_types()
        )

    return handler


def _unary(op_class: type[Operation]) -> Handler:
    def handler(node: _Node) -> Operation:
        return op_class.build(  # pyright: ignore[reportAttributeAccessIssue]
            operands=[node.operand(0)], result_types=node.result_types()
        )

    return handler


def _batchnorm(node: _Node) -> Operation:
    if node.int_attr("training_mode", 0, (0, 1)) != 0:
        raise node.error("training mode is not supported (export the model in eval mode)")
    return quant.BatchNormOp.build(
        operands=[node.operand(i) for i in range(5)],
        properties={"epsilon": _f32(node.float_attr("epsilon", 1e-5))},
        result_types=node.result_types(),
    )


def _reshape(node: _Node) -> Operation:
    node.constant_input(1, "shape")
    (result_type,) = node.result_types()
    return quant.ReshapeOp(node.operand(0), result_type)


def _flatten(node: _Node) -> Operation:
    axis = node.axis(node.int_attr("axis", 1), node.rank(0), inclusive=True)
    return quant.FlattenOp.build(
        operands=[node.operand(0)],
        properties={"axis": _int(axis)},
        result_types=node.result_types(),
    )


def _transpose(node: _Node) -> Operation:
    rank = node.rank(0)
    perm = node.ints_attr("perm")
    perm = list(range(rank))[::-1] if perm is None else [node.axis(p, rank, "perm") for p in perm]
    return quant.TransposeOp.build(
        operands=[node.operand(0)],
        properties={"perm": i64_array(perm)},
        result_types=node.result_types(),
    )


def _concat(node: _Node) -> Operation:
    axis = node.axis(node.int_attr("axis", 0), node.rank(0))
    return quant.ConcatOp.build(
        operands=[[node.operand(i) for i in range(len(node.inputs))]],
        properties={"axis": _int(axis)},
        result_types=node.result_types(),
    )


def _pad(node: _Node) -> Operation:
    mode = node.str_attr("mode", "constant")
    if mode != "constant":
        raise node.error(f"attribute 'mode' = {mode!r} is not supported (only 'constant')")
    rank = node.rank(0)
    if node.has_input(1):
        pads = [int(p) for p in node.constant_input(1, "pads").flatten()]
    else:
        pads = node.ints_attr("pads") or []
    value = node.float_attr("value", 0.0)
    if node.has_input(2):
        constant = node.constant_input(2, "constant_value")
        value = float(constant.flatten()[0]) if constant.size else 0.0
    if node.has_input(3):
        axes = [node.axis(int(a), rank, "axes") for a in node.constant_input(3, "axes").flatten()]
        if len(pads) != 2 * len(axes):
            raise node.error(f"'pads' has {len(pads)} values for {len(axes)} axes")
        full = [0] * (2 * rank)
        for i, a in enumerate(axes):
            full[a], full[a + rank] = pads[i], pads[i + len(axes)]
        pads = full
    if len(pads) != 2 * rank or any(p < 0 for p in pads):
        raise node.error(f"'pads' = {pads} must be {2 * rank} integers >= 0")
    return quant.PadOp.build(
        operands=[node.operand(0)],
        properties={"pads": i64_array(pads), "value": _f32(value)},
        result_types=node.result_types(),
    )


def _topk(node: _Node) -> Operation:
    if node.has_input(1):
        k_values = node.constant_input(1, "K").flatten()
        if k_values.size != 1:
            raise node.error("input 'K' must hold one value")
        k = int(k_values[0])
    else:
        k = node.int_attr("k", 1)
    if node.int_attr("largest", 1, (0, 1)) != 1:
        raise node.error("attribute 'largest' = 0 is not supported")
    if node.int_attr("sorted", 1, (0, 1)) != 1:
        raise node.error("attribute 'sorted' = 0 is not supported")
    axis = node.axis(node.int_attr("axis", -1), node.rank(0))
    return quant.TopKOp.build(
        operands=[node.operand(0)],
        properties={"k": _int(k), "axis": _int(axis)},
        result_types=node.result_types(2),
    )


def _reduce_axes(node: _Node) -> list[int]:
    """The sorted, non-negative axes of a Reduce* node (attribute before opset 18, input
    after); no axes means all of them."""
    rank = node.rank(0)
    if node.has_input(1):
        axes = [int(a) for a in node.constant_input(1, "axes").flatten()]
    else:
        axes = node.ints_attr("axes") or []
    if not axes:
        if node.int_attr("noop_with_empty_axes", 0, (0, 1)):
            raise node.error("'noop_with_empty_axes' with no axes is not supported")
        axes = list(range(rank))
    return sorted({node.axis(a, rank, "axes") for a in axes})


def _reduction(op_class: type[quant.ReductionOp]) -> Handler:
    def handler(node: _Node) -> Operation:
        return op_class.build(
            operands=[node.operand(0)],
            properties={
                "axes": i64_array(_reduce_axes(node)),
                "keepdims": _bool(node.int_attr("keepdims", 1, (0, 1))),
            },
            result_types=node.result_types(),
        )

    return handler


def _softmax(node: _Node) -> Operation:
    rank = node.rank(0)
    default = -1 if node.importer.opset >= 13 else 1
    axis = node.axis(node.int_attr("axis", default), rank)
    if node.importer.opset < 13 and axis != rank - 1:
        # before opset 13 Softmax normalizes over all axes from `axis` on (a 2-D view)
        raise node.error(
            f"Softmax (opset {node.importer.opset}) over axes {axis}.. of a "
            f"rank-{rank} input is not supported (only the last axis)"
        )
    return quant.SoftmaxOp.build(
        operands=[node.operand(0)],
        properties={"axis": _int(axis)},
        result_types=node.result_types(),
    )


def _argmax(node: _Node) -> Operation:
    return quant.ArgMaxOp.build(
        operands=[node.operand(0)],
        properties={
            "axis": _int(node.axis(node.int_attr("axis", 0), node.rank(0))),
            "keepdims": _bool(node.int_attr("keepdims", 1, (0, 1))),
            "select_last_index": _bool(node.int_attr("select_last_index", 0, (0, 1))),
        },
        result_types=node.result_types(),
    )


def _squeeze(node: _Node) -> Operation:
    """Squeeze and Unsqueeze are views: `quant.reshape` to the inferred shape (the axes,
    an attribute before opset 13 and an input after, must be constants)."""
    if node.has_input(1):
        node.constant_input(1, "axes")
    (result_type,) = node.result_types()
    return quant.ReshapeOp(node.operand(0), result_type)


def _depth_to_space(node: _Node) -> Operation:
    mode = node.str_attr("mode", "DCR")
    if mode not in ("DCR", "CRD"):
        raise node.error(f"attribute 'mode' = {mode!r} is not one of DCR, CRD")
    blocksize = node.attr("blocksize")
    if not isinstance(blocksize, int):
        raise node.error("attribute 'blocksize' (an integer) is required")
    return quant.DepthToSpaceOp.build(
        operands=[node.operand(0)],
        properties={"blocksize": _int(blocksize), "mode": StringAttr(mode)},
        result_types=node.result_types(),
    )


def _resize(node: _Node) -> Operation:
    """`Resize` (nearest) and `Upsample` become `quant.resize` when every axis is scaled
    by an integer and ONNX's coordinate rule maps output index `o` to input `o // s`."""
    mode = node.str_attr("mode", "nearest")
    if mode != "nearest":
        raise node.error(f"attribute 'mode' = {mode!r} is not supported (only 'nearest')")
    in_shape = node.input_shape(0)
    (result_type,) = node.result_types()
    out_shape = tuple(result_type.get_shape())  # pyright: ignore[reportAttributeAccessIssue]
    scales = [o // i for o, i in zip(out_shape, in_shape, strict=True)]
    if any(o != i * s for o, i, s in zip(out_shape, in_shape, scales, strict=True)):
        raise node.error(
            f"resizing {list(in_shape)} to {list(out_shape)} is not by integer factors"
        )
    if node.node.op_type == "Resize":
        transform = node.str_attr("coordinate_transformation_mode", "half_pixel")
        rounding = node.str_attr("nearest_mode", "round_prefer_floor")
        for size, scale in zip(in_shape, scales, strict=True):
            if not _nearest_is_floor_division(transform, rounding, size, scale):
                raise node.error(
                    f"coordinate_transformation_mode {transform!r} with nearest_mode "
                    f"{rounding!r} does not repeat each element {scale} times"
                )
    return quant.ResizeOp.build(
        operands=[node.operand(0)],
        properties={"scales": i64_array(scales)},
        result_types=[result_type],
    )


def _nearest_is_floor_division(transform: str, rounding: str, size: int, scale: int) -> bool:
    """Whether ONNX Resize's coordinate rule maps each output index `o` of an axis of
    `size` elements scaled by `scale` to the input index `o // scale`."""
    out = np.arange(size * scale, dtype=np.float64)
    if transform == "asymmetric":
        x = out / scale
    elif transform in ("half_pixel", "pytorch_half_pixel"):
        x = (out + 0.5) / scale - 0.5
    elif transform == "align_corners":
        x = out * (size - 1) / max(size * scale - 1, 1)
    else:
        return False
    rounded = {
        "round_prefer_floor": np.ceil(x - 0.5),
        "round_prefer_ceil": np.floor(x + 0.5),
        "floor": np.floor(x),
        "ceil": np.ceil(x),
    }.get(rounding)
    if rounded is None:
        return False
    index = np.clip(rounded, 0, size - 1)
    return bool(np.array_equal(index, out // scale))


def _slice(node: _Node) -> Operation:
    shape = node.input_shape(0)
    rank = len(shape)
    if node.has_input(1):  # opset 10+: starts, ends, axes, steps as inputs
        starts = node.constant_input(1, "starts").flatten().tolist()
        ends = node.constant_input(2, "ends").flatten().tolist()
        axes = node.constant_input(3, "axes").flatten().tolist() if node.has_input(3) else None
        steps = node.constant_input(4, "steps").flatten().tolist() if node.has_input(4) else None
    else:
        starts, ends = node.ints_attr("starts") or [], node.ints_attr("ends") or []
        axes, steps = node.ints_attr("axes"), None
    axes = list(range(len(starts))) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    if not len(starts) == len(ends) == len(axes) == len(steps):
        raise node.error("starts, ends, axes and steps must have the same length")
    full = [[0, d, 1] for d in shape]
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
        if step < 1:
            raise node.error(f"step {step} is not supported (only steps >= 1)")
        a = node.axis(int(axis), rank, "axes")
        begin, stop, _ = slice(int(start), int(end), int(step)).indices(shape[a])
        full[a] = [begin, max(begin, stop), int(step)]
    return quant.SliceOp.build(
        operands=[node.operand(0)],
        properties={
            "starts": i64_array([r[0] for r in full]),
            "ends": i64_array([r[1] for r in full]),
            "steps": i64_array([r[2] for r in full]),
        },
        result_types=node.result_types(),
    )


def _split(node: _Node) -> Operation:
    axis = node.axis(node.int_attr("axis", 0), node.rank(0))
    outputs = [o for o in node.node.output if o]
    types = node.result_types(len(outputs))
    sizes = [t.get_shape()[axis] for t in types]  # pyright: ignore[reportAttributeAccessIssue]
    return quant.SplitOp.build(
        operands=[node.operand(0)],
        properties={"axis": _int(axis), "sizes": i64_array(sizes)},
        result_types=[types],
    )


HANDLERS: dict[str, Handler] = {
    "Quant": _quant,
    "BipolarQuant": _bipolar_quant,
    "Trunc": _trunc,
    "MultiThreshold": _multithreshold,
    "Conv": _conv,
    "Gemm": _gemm,
    "MatMul": _binary(quant.MatMulOp),
    "Add": _binary(quant.AddOp),
    "Sub": _binary(quant.SubOp),
    "Mul": _binary(quant.MulOp),
    "Div": _binary(quant.DivOp),
    "BatchNormalization": _batchnorm,
    "Relu": _unary(quant.ReluOp),
    "Identity": _unary(quant.IdentityOp),
    "MaxPool": _pool(quant.MaxPoolOp),
    "AveragePool": _pool(quant.AveragePoolOp),
    "GlobalAveragePool": _unary(quant.GlobalAveragePoolOp),
    "ReduceMean": _reduction(quant.ReduceMeanOp),
    "Reshape": _reshape,
    "Flatten": _flatten,
    "Transpose": _transpose,
    "Concat": _concat,
    "Pad": _pad,
    "TopK": _topk,
    "Softmax": _softmax,
    "ArgMax": _argmax,
    "Sigmoid": _unary(quant.SigmoidOp),
    "Exp": _unary(quant.ExpOp),
    "ReduceMax": _reduction(quant.ReduceMaxOp),
    "Squeeze": _squeeze,
    "Unsqueeze": _squeeze,
    "DepthToSpace": _depth_to_space,
    "Resize": _resize,
    "Upsample": _resize,
    "Slice": _slice,
    "Split": _split,
}
"""ONNX op type -> the handler building its quant op."""

ARITY: dict[str, tuple[int, int]] = {
    "Quant": (4, 4),
    "BipolarQuant": (2, 2),
    "Trunc": (5, 6),
    "MultiThreshold": (2, 2),
    "Conv": (2, 3),
    "Gemm": (2, 3),
    "BatchNormalization": (5, 5),
    "ReduceMean": (1, 2),
    "Reshape": (2, 2),
    "Concat": (1, 1 << 30),
    "Pad": (1, 4),
    "TopK": (1, 2),
    "ReduceMax": (1, 2),
    "Squeeze": (1, 2),
    "Unsqueeze": (1, 2),
    "Resize": (1, 4),
    "Upsample": (2, 2),
    "Slice": (1, 5),
    "Split": (1, 2),
    **dict.fromkeys(("MatMul", "Add", "Sub", "Mul", "Div"), (2, 2)),
}
"""Allowed input counts (min, max) per op type; one input where not listed."""


def _check_arity(node: _Node) -> None:
    low, high = ARITY.get(node.node.op_type, (1, 1))
    count = len(node.inputs)
    if not low <= count <= high:
        expected = (
            str(low) if low == high else f"{low} to {high}" if high < 1 << 30 else f">= {low}"
        )
        raise node.error(f"expected {expected} inputs, got {count}")


QONNX_OPS = frozenset({"Quant", "BipolarQuant", "Trunc", "MultiThreshold"})

CHANNELS_LAST_DOMAIN = "qonnx.custom_op.channels_last"
CHANNELS_LAST_OPS = frozenset({"Conv", "MaxPool", "BatchNormalization"})
"""qonnx's channels-last wrappers: the ONNX op on NHWC tensors (`ConvertToChannelsLast`)."""


def _is_supported(node: onnx.NodeProto) -> bool:
    if node.op_type not in HANDLERS:
        return False
    if node.domain == CHANNELS_LAST_DOMAIN:
        return node.op_type in CHANNELS_LAST_OPS
    domains = QONNX_DOMAINS if node.op_type in QONNX_OPS else ONNX_DOMAINS
    return node.domain in domains


def _first_unsupported(nodes: Sequence[onnx.NodeProto]) -> onnx.NodeProto | None:
    return next((n for n in nodes if not _is_supported(n)), None)


def _unsupported_message(node: onnx.NodeProto) -> str:
    domain = f" (domain '{node.domain}')" if node.domain not in ONNX_DOMAINS else ""
    return f"unsupported op {node.op_type}{domain}: {_node_label(node)}"


FOLDABLE_FROM_SHAPES = frozenset({"Shape", "Size"})
"""Ops whose result only depends on their input's static shape (cleanup folds them)."""


def check_ops(model: onnx.ModelProto) -> None:
    """Refuse, before any expensive step, a graph with ops the importer does not handle,
    in one line: `unsupported op Erf: Erf node 'gelu'` for one node, else every
    unsupported op type (with its domain when not ONNX's) and the names of its nodes.
    Ops computed from constants and static shapes only are left to qonnx's cleanup,
    which folds them away (a dynamo export's shape arithmetic)."""
    constant = {t.name for t in model.graph.initializer}
    unsupported: dict[str, list[onnx.NodeProto]] = {}
    for node in model.graph.node:
        inputs = [name for name in node.input if name]
        from_constants = node.domain in ONNX_DOMAINS and all(i in constant for i in inputs)
        if node.op_type in FOLDABLE_FROM_SHAPES or from_constants:
            constant.update(node.output)
        elif not _is_supported(node):
            domain = f" (domain '{node.domain}')" if node.domain not in ONNX_DOMAINS else ""
            unsupported.setdefault(node.op_type + domain, []).append(node)
    if not unsupported:
        return
    nodes = [node for group in unsupported.values() for node in group]
    if len(nodes) == 1:
        raise QonnxImportError(_unsupported_message(nodes[0]))
    listed = ", ".join(
        f"{op} (node{'s' if len(group) > 1 else ''} "
        f"{', '.join(repr(_original_name(n)) for n in group[:3])}"
        f"{', ...' if len(group) > 3 else ''})"
        for op, group in unsupported.items()
    )
    raise QonnxImportError(f"unsupported ops: {listed}")


# --------------------------------------------------------------------------- the importer


def _annotations(model: onnx.ModelProto) -> dict[str, str]:
    """tensor name -> its `finn_datatype` annotation (`BIPOLAR`, `INT2`, ...)."""
    found: dict[str, str] = {}
    for annotation in model.graph.quantization_annotation:
        for entry in annotation.quant_parameter_tensor_names:
            if entry.key == "finn_datatype":
                found[annotation.tensor_name] = entry.value
    return found


def _opset(model: onnx.ModelProto) -> int:
    versions = [o.version for o in model.opset_import if o.domain in ONNX_DOMAINS]
    return max(versions, default=1)


@dataclass(frozen=True)
class _DeclaredType:
    """An integer `finn_datatype` as the quantizer that is the identity on its values."""

    bits: int
    signed: bool
    narrow: bool = False

    @property
    def bipolar(self) -> bool:
        return self.signed and self.bits == 1

    def fits(self, array: np.ndarray) -> bool:
        if self.bipolar:
            return bool(np.all(np.abs(array) == 1))
        lo = -(1 << (self.bits - 1)) + self.narrow if self.signed else 0
        hi = (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1
        return bool(np.all((array == np.round(array)) & (array >= lo) & (array <= hi)))


def declared_type(name: str) -> _DeclaredType | None:
    """The quantizer of an integer finn_datatype name; None for float and fixed-point
    types (FLOAT32, FIXED<...>, SCALEDINT<...>), which carry no integer promise."""
    fixed = {
        "BIPOLAR": _DeclaredType(1, True),
        "BINARY": _DeclaredType(1, False),
        "TERNARY": _DeclaredType(2, True, narrow=True),
    }
    if name in fixed:
        return fixed[name]
    match = re.fullmatch(r"(U?)INT(\d+)", name)
    if match is None or not 1 <= int(match.group(2)) <= 64:
        return None
    return _DeclaredType(int(match.group(2)), signed=not match.group(1))


class _Importer:
    def __init__(self, model: onnx.ModelProto, where: str):
        self.graph = _Graph(model, where)
        self.values: dict[str, SSAValue] = {}
        self.block = Block()
        self.names: set[str] = set()
        self.opset = _opset(model)
        self.annotations = _annotations(model)

    def declared(
        self, value: SSAValue, tensor: str, array: np.ndarray | None, where: str
    ) -> SSAValue:
        """`value`, or the quantizer its integer `finn_datatype` annotation stands for
        (scale 1, zero-point 0: the identity on values of the type) when it has one. A
        constant whose values do not fit the type is an error."""
        annotation = self.annotations.get(tensor, "")
        declared = declared_type(annotation)
        if declared is None:
            return value
        if array is not None and not declared.fits(array):
            raise QonnxImportError(
                f"{where}: constant '{tensor}' is annotated {annotation}, but its "
                f"values {np.unique(array)[:6].tolist()} do not fit it"
            )
        one = self.scalar(1.0)
        if declared.bipolar:
            quantizer: Operation = quant.BipolarQuantOp(value, one)
        else:
            quantizer = quant.QuantOp(
                value,
                one,
                self.scalar(0.0),
                self.scalar(float(declared.bits)),
                signed=declared.signed,
                narrow=declared.narrow,
            )
        self.block.add_op(quantizer)
        self.name(quantizer.results[0], f"{tensor}_{annotation.lower()}")
        return quantizer.results[0]

    def scalar(self, number: float) -> SSAValue:
        constant = quant.ConstantOp(dense_from_numpy(np.asarray(number, dtype=np.float32)))
        self.block.add_op(constant)
        return constant.result

    def name(self, value: SSAValue, tensor: str) -> None:
        base = _sanitize(tensor)
        name, index = base, 1
        while name in self.names:
            index += 1
            name = f"{base}_v{index}"
        self.names.add(name)
        value.name_hint = name

    def value(self, name: str, where: str) -> SSAValue:
        """The SSA value of tensor `name`, emitting a `quant.constant` for an initializer
        at its first use."""
        if name in self.values:
            return self.values[name]
        array = self.graph.constant(name)
        if array is None:
            raise QonnxImportError(f"{where}: tensor '{name}' is never produced")
        if array.dtype.kind == "f" and array.dtype != np.float32:
            array = array.astype(np.float32)
        _element_of_numpy(array, name, where)
        constant = quant.ConstantOp(dense_from_numpy(array))
        self.block.add_op(constant)
        self.name(constant.result, name)
        self.values[name] = self.declared(constant.result, name, array, where)
        return self.values[name]

    def run(self) -> ModuleOp:
        graph = self.graph.model.graph
        where = self.graph.where
        input_types: list[Attribute] = []
        for info in graph.input:
            if info.name in self.graph.initializers:
                continue
            type_ = self.graph.tensor_type(info.name, f"{where}: graph input")
            if type_.element_type != f32:
                raise QonnxImportError(f"{where}: graph input '{info.name}' must be a float tensor")
            argument = self.block.insert_arg(type_, len(self.block.args))
            self.name(argument, info.name)
            self.values[info.name] = self.declared(argument, info.name, None, where)
            input_types.append(type_)

        for onnx_node in graph.node:
            if not _is_supported(onnx_node):
                raise QonnxImportError(_unsupported_message(onnx_node))
            node = _Node(onnx_node, self)
            _check_arity(node)
            op = HANDLERS[onnx_node.op_type](node)
            op.location = NameLoc(StringAttr(_original_name(onnx_node)), NoneAttr())
            self.block.add_op(op)
            try:
                op.verify()
            except DiagnosticException as error:
                raise node.error(_one_line(error)) from error
            for output, result in zip((o for o in onnx_node.output if o), op.results, strict=True):
                self.name(result, output)
                self.values[output] = result

        outputs = [self.value(o.name, f"{where}: graph output") for o in graph.output]
        self.block.add_op(ReturnOp(*outputs))
        function = FuncOp("main", (input_types, [v.type for v in outputs]), Region(self.block))
        module = ModuleOp([function])
        try:
            module.verify()
        except DiagnosticException as error:
            raise QonnxImportError(f"{where}: invalid module: {_one_line(error)}") from error
        return module


def import_qonnx(
    model: str | os.PathLike[str] | onnx.ModelProto, *, cleanup: bool = True
) -> ModuleOp:
    """Import a QONNX model (a path or a `ModelProto`) as a `quant`-dialect module with
    one `func.func @main`. Raises `QonnxImportError` with a one-line message.

    `cleanup=False` skips qonnx's cleanup (only shapes are inferred): tensor names stay as
    in the file, but constant subgraphs are not folded."""
    if isinstance(model, onnx.ModelProto):
        where = f"model '{model.graph.name}'" if model.graph.name else "<model>"
        _check_is_model(model, where)
        proto = model
    else:
        where = str(model)
        proto = _load(model)
    work = _prepare(proto, where)
    check_ops(work)
    work = _cleanup(work, where) if cleanup else _infer_shapes(work, where)
    if channels_first(work) | one_d_as_two_d(work):
        work = _infer_shapes(work, where)
    return _Importer(work, where).run()


def import_qonnx_bytes(data: bytes, where: str = "<stdin>") -> ModuleOp:
    """Import a serialized model (no external data)."""
    try:
        model = onnx.load_from_string(data)
    except Exception as error:
        raise QonnxImportError(
            f"{where}: not an ONNX model ({_one_line(error) or type(error).__name__})"
        ) from error
    _check_is_model(model, where)
    return import_qonnx(model)
