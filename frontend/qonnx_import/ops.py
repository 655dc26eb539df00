"""The handler of each ONNX op type the importer takes (`HANDLERS`): it builds the
op's `quant` op from the node, resolving the inputs the dialect holds as attributes and
the defaults ONNX leaves implicit; `ARITY` bounds each op's input count."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import (
    BoolAttr,
    Float32Type,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue

from frontend.qonnx_import.node import Handler, Node
from qdialects import quant
from qdialects.utils import i64_array


def _f32(value: float) -> FloatAttr[Float32Type]:
    return FloatAttr(value, 32)


def _int(value: int) -> IntegerAttr:
    return IntegerAttr(value, i64)


def _bool(value: int | bool) -> BoolAttr:
    return BoolAttr.from_bool(bool(value))


def _rounding_mode(node: Node, default: str) -> StringAttr:
    mode = node.str_attr("rounding_mode", default).upper()
    if mode not in quant.ROUNDING_MODES:
        raise node.error(
            f"attribute 'rounding_mode' = {mode!r} is not one of {', '.join(quant.ROUNDING_MODES)}"
        )
    return StringAttr(mode)


def check_one_bit_zero_point(node: Node, bitwidth_index: int, zeropt_index: int) -> None:
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


def _quant(node: Node) -> Operation:
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


def _bipolar_quant(node: Node) -> Operation:
    return quant.BipolarQuantOp.build(
        operands=[node.operand(0), node.operand(1)], result_types=node.result_types()
    )


def _trunc(node: Node) -> Operation:
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


def _multithreshold(node: Node) -> Operation:
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


def _window(node: Node, kernel: Sequence[int]) -> dict[str, Attribute]:
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


def _conv(node: Node) -> Operation:
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
    def handler(node: Node) -> Operation:
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


def _gemm(node: Node) -> Operation:
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
    def handler(node: Node) -> Operation:
        return op_class.build(  # pyright: ignore[reportAttributeAccessIssue]
            operands=[node.operand(0), node.operand(1)], result_types=node.result_types()
        )

    return handler


def _unary(op_class: type[Operation]) -> Handler:
    def handler(node: Node) -> Operation:
        return op_class.build(  # pyright: ignore[reportAttributeAccessIssue]
            operands=[node.operand(0)], result_types=node.result_types()
        )

    return handler


def _batchnorm(node: Node) -> Operation:
    if node.int_attr("training_mode", 0, (0, 1)) != 0:
        raise node.error("training mode is not supported (export the model in eval mode)")
    return quant.BatchNormOp.build(
        operands=[node.operand(i) for i in range(5)],
        properties={"epsilon": _f32(node.float_attr("epsilon", 1e-5))},
        result_types=node.result_types(),
    )


def _reshape(node: Node) -> Operation:
    node.constant_input(1, "shape")
    (result_type,) = node.result_types()
    return quant.ReshapeOp(node.operand(0), result_type)


def _flatten(node: Node) -> Operation:
    axis = node.axis(node.int_attr("axis", 1), node.rank(0), inclusive=True)
    return quant.FlattenOp.build(
        operands=[node.operand(0)],
        properties={"axis": _int(axis)},
        result_types=node.result_types(),
    )


def _transpose(node: Node) -> Operation:
    rank = node.rank(0)
    perm = node.ints_attr("perm")
    perm = list(range(rank))[::-1] if perm is None else [node.axis(p, rank, "perm") for p in perm]
    return quant.TransposeOp.build(
        operands=[node.operand(0)],
        properties={"perm": i64_array(perm)},
        result_types=node.result_types(),
    )


def _concat(node: Node) -> Operation:
    axis = node.axis(node.int_attr("axis", 0), node.rank(0))
    return quant.ConcatOp.build(
        operands=[[node.operand(i) for i in range(len(node.inputs))]],
        properties={"axis": _int(axis)},
        result_types=node.result_types(),
    )


def _pad(node: Node) -> Operation:
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


def _topk(node: Node) -> Operation:
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


def _reduce_axes(node: Node) -> list[int]:
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
    def handler(node: Node) -> Operation:
        return op_class.build(
            operands=[node.operand(0)],
            properties={
                "axes": i64_array(_reduce_axes(node)),
                "keepdims": _bool(node.int_attr("keepdims", 1, (0, 1))),
            },
            result_types=node.result_types(),
        )

    return handler


def _softmax(node: Node) -> Operation:
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


def _argmax(node: Node) -> Operation:
    return quant.ArgMaxOp.build(
        operands=[node.operand(0)],
        properties={
            "axis": _int(node.axis(node.int_attr("axis", 0), node.rank(0))),
            "keepdims": _bool(node.int_attr("keepdims", 1, (0, 1))),
            "select_last_index": _bool(node.int_attr("select_last_index", 0, (0, 1))),
        },
        result_types=node.result_types(),
    )


def _squeeze(node: Node) -> Operation:
    """Squeeze and Unsqueeze are views: `quant.reshape` to the inferred shape (the axes,
    an attribute before opset 13 and an input after, must be constants)."""
    if node.has_input(1):
        node.constant_input(1, "axes")
    (result_type,) = node.result_types()
    return quant.ReshapeOp(node.operand(0), result_type)


def _depth_to_space(node: Node) -> Operation:
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


def _resize(node: Node) -> Operation:
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


def _slice(node: Node) -> Operation:
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


def _split(node: Node) -> Operation:
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


def check_arity(node: Node) -> None:
    low, high = ARITY.get(node.node.op_type, (1, 1))
    count = len(node.inputs)
    if not low <= count <= high:
        expected = (
            str(low) if low == high else f"{low} to {high}" if high < 1 << 30 else f">= {low}"
        )
        raise node.error(f"expected {expected} inputs, got {count}")
