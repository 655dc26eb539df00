"""Graph rewrites that bring a model into the layout the dialect takes, before the
import: 1-D convolutions and pools as 2-D ones with a unit height, and the nodes of
qonnx's channels-last domain as channels-first ONNX nodes between transposes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from frontend.qonnx_import.errors import ORIGINAL_NAME, QonnxImportError, node_label
from frontend.qonnx_import.proto import GraphProto, ModelProto, NodeProto, TensorProto, to_array
from frontend.qonnx_import.support import CHANNELS_LAST_DOMAIN

ONE_D_OPS = frozenset(
    {"Conv", "MaxPool", "AveragePool", "BatchNormalization", "Quant", "BipolarQuant", "Trunc"}
    | {"Relu", "Add", "Sub", "Mul", "Div", "Identity", "Flatten"}
)
"""Ops whose N x C x L tensors the importer can give a unit height (N x C x 1 x L)."""

_WINDOW_ATTRS = {"kernel_shape": (1,), "strides": (1,), "dilations": (1,), "pads": (0, 0)}


def one_d_as_two_d(model: ModelProto) -> bool:
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


# The onnx package is imported only by the rewrites: a build of a model that needs none
# does not load it (see `proto`).


def _tensor(array: np.ndarray, name: str) -> TensorProto:
    from onnx import numpy_helper

    return numpy_helper.from_array(array, name)


def _node(op_type: str, inputs: Sequence[str], outputs: Sequence[str], **attrs: Any) -> NodeProto:
    from onnx import helper

    return helper.make_node(op_type, inputs, outputs, **attrs)


def _unit_height(tensor: TensorProto, is_conv: bool) -> None:
    """A constant read by a node on N x C x L tensors, for N x C x 1 x L: a 3-D constant
    (weights M x C x k, parameters 1 x C x 1) gets the unit axis at 2; a 2-D one, which
    broadcasts on the trailing (C, L) axes, gets it too (as 1 x C x 1 x L)."""
    array = to_array(tensor)
    if array.ndim == 2 and not is_conv:
        array = array[np.newaxis]
    if array.ndim != 3:
        return
    tensor.CopyFrom(_tensor(np.expand_dims(array, 2), tensor.name))


def _reshape_at_edge(graph: GraphProto, name: str, into_graph: bool) -> None:
    inner = name + "_2d"
    shape = _inferred_shape(graph, name)
    target = [*shape[:2], 1, shape[2]] if into_graph else shape
    shape_name = inner + "_shape"
    graph.initializer.append(_tensor(np.array(target, dtype=np.int64), shape_name))
    for node in graph.node:
        names = node.input if into_graph else node.output
        for i, tensor in enumerate(names):
            if tensor == name:
                names[i] = inner
    source, result = (name, inner) if into_graph else (inner, name)
    reshape = _node("Reshape", [source, shape_name], [result])
    reshape.doc_string = ORIGINAL_NAME + f"reshape of '{name}'"
    if into_graph:
        graph.node.insert(0, reshape)
    else:
        graph.node.append(reshape)


# --------------------------------------------------------------------------- channels last


def channels_first(model: ModelProto) -> bool:
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
    rewritten: list[NodeProto] = []
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
        standard = NodeProto()
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


def _sink_transposes(graph: GraphProto) -> None:
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


def _sort_topologically(graph: GraphProto) -> None:
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


def _perm(node: NodeProto) -> list[int]:
    return list(next(a.ints for a in node.attribute if a.name == "perm"))


def _swap(transpose: NodeProto, user: NodeProto) -> None:
    """`user(transpose(x))` as `transpose(user(x))` (same output names at the end)."""
    source, between, result = transpose.input[0], transpose.output[0], user.output[0]
    user.input[0] = source
    user.output[0] = between
    transpose.input[0] = between
    transpose.output[0] = result


def _compose_transposes(graph: GraphProto, first: NodeProto, second: NodeProto) -> bool:
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


def _inferred_shape(graph: GraphProto, name: str) -> list[int]:
    for tensor in graph.initializer:
        if tensor.name == name:
            return list(tensor.dims)
    for info in [*graph.value_info, *graph.input, *graph.output]:
        if info.name == name:
            return [d.dim_value for d in info.type.tensor_type.shape.dim]
    raise QonnxImportError(f"tensor '{name}' has no inferred shape")


def _add_value_info(graph: GraphProto, name: str, shape: Sequence[int]) -> None:
    from onnx import helper

    graph.value_info.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, shape))


def _transpose_node(origin: NodeProto, source: str, target: str, perm: Sequence[int]) -> NodeProto:
    node = _node("Transpose", [source], [target], perm=list(perm))
    node.doc_string = origin.doc_string
    return node


def _transposed_tensor(
    graph: GraphProto,
    nodes: list[NodeProto],
    origin: NodeProto,
    name: str,
    perm: Sequence[int],
) -> str:
    target = f"{name}_{origin.output[0]}_nchw"
    shape = _inferred_shape(graph, name)
    _add_value_info(graph, target, [shape[p] for p in perm])
    nodes.append(_transpose_node(origin, name, target, perm))
    return target


def _weight_channels_first(
    graph: GraphProto, conv: NodeProto, name: str, perm: Sequence[int]
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
            f"{node_label(conv)}: a channels-last Conv weight must be a constant "
            "(an initializer or a Quant of initializers)"
        )
    for tensor in stored:
        array = to_array(initializers[tensor]).transpose(perm)
        initializers[tensor].CopyFrom(_tensor(np.ascontiguousarray(array), tensor))
    shape = _inferred_shape(graph, name)
    for info in graph.value_info:
        if info.name == name:
            graph.value_info.remove(info)
            break
    _add_value_info(graph, name, [shape[p] for p in perm])
