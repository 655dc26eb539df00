"""One converter per streamline op of the integer region (`CONVERTERS`): each reads its
operands' streams from the `Builder`, appends the dataflow layer(s) and defines the
streams of its results."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

from xdsl.ir import Operation, SSAValue

from passes.convert_to_dataflow.builder import (
    LANES,
    MEM_MODE,
    RAM_STYLE,
    Builder,
    activation,
    dataflow_thresholds,
    datatype_of,
    fail,
    frame_type,
    fusable_threshold,
    int_constant,
    is_const,
    is_int,
    name_of,
    pad,
    stream_of,
)
from qdialects import dataflow as df
from qdialects import streamline as sl
from qdialects.types import BipolarType, QDataType, smallest_datatype
from qdialects.utils import ints, shape_of

# --------------------------------------------------------------------------- converters


MacBuild = Callable[[SSAValue | None, df.StreamType, QDataType, int, int], Operation]
"""Makes a MAC layer from (thresholds or None, output stream, acc datatype, scale, bias)."""


def _mac_builder(b: Builder, layer: Callable[..., Operation], x: SSAValue, w: SSAValue) -> MacBuild:
    """A MVAU/VVAU maker at the initial folding (PE = SIMD = 1, default memory)."""

    def build(
        t: SSAValue | None, out: df.StreamType, acc: QDataType, scale: int, bias: int
    ) -> Operation:
        return b.add(
            layer(
                x,
                w,
                t,
                out,
                pe=LANES,
                simd=LANES,
                acc_dtype=acc,
                out_scale=scale,
                out_bias=bias,
                mem_mode=MEM_MODE,
                ram_style=RAM_STYLE,
            )
        )

    return build


def _mac_layer(
    b: Builder,
    op: sl.MatMulOp | sl.XnorPopcountOp | sl.DepthwiseMatMulOp,
    acc_range: tuple[int, int],
    build: MacBuild,
) -> None:
    """Shared by MVAU and VVAU: fuse the following multithreshold when possible."""
    acc_dtype = datatype_of(op, op.result)
    mt = fusable_threshold(op, b.region)
    if mt is None:
        layer = build(None, stream_of(op.result), acc_dtype, 1, 0)
        b.define(op.result, layer.results[0])
        return
    b.fused.add(mt)
    lo, hi = acc_range
    thresholds = dataflow_thresholds(mt, lo, hi)
    if thresholds.size and int(thresholds.max()) > acc_dtype.max_value:
        acc_dtype = smallest_datatype(acc_dtype.min_value, int(thresholds.max()))
    t = b.new_const(thresholds, acc_dtype, mt.thresholds.name_hint)
    scale, bias = activation(mt)
    layer = build(t, stream_of(mt.result), acc_dtype, scale, bias)
    b.define(mt.result, layer.results[0])


def convert_matmul(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.MatMulOp | sl.XnorPopcountOp)
    weights = int_constant(op, op.w, "weights")
    x_dtype, w_dtype = datatype_of(op, op.x), datatype_of(op, op.w)
    xnor = isinstance(op, sl.XnorPopcountOp)
    if not xnor and isinstance(x_dtype, BipolarType) and isinstance(w_dtype, BipolarType):
        raise fail(
            op,
            "a bipolar x bipolar matmul must be in XNOR-popcount form "
            "(streamline.xnor_popcount, made by `streamline`)",
        )
    if len(shape_of(op.x)) < 2:
        raise fail(op, "its input has no batch axis")
    acc_range = (0, weights.shape[0]) if xnor else sl.matmul_range(x_dtype.value_range, weights)
    layer = functools.partial(df.MVAUOp, binary_xnor=xnor)
    _mac_layer(b, op, acc_range, _mac_builder(b, layer, b.stream(op.x, op), b.const(op.w)))


def convert_dw_matmul(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.DepthwiseMatMulOp)
    weights = int_constant(op, op.w, "weights")
    source = op.x.owner
    if not isinstance(source, sl.Im2ColOp) or source not in b.region:
        raise fail(op, "its input is not a streamline.im2col (a VVAU reads a depthwise SWG)")
    k = math.prod(ints(source.kernel))
    if weights.shape[0] != k:
        raise fail(op, f"its {weights.shape[0]} weight rows do not match the {k}-pixel window")
    x_dtype = datatype_of(op, op.x)
    if isinstance(x_dtype, BipolarType) and isinstance(datatype_of(op, op.w), BipolarType):
        raise fail(op, "a depthwise product of bipolar inputs and weights has no VVAU form")
    acc_range = sl.matmul_range(x_dtype.value_range, weights)
    _mac_layer(b, op, acc_range, _mac_builder(b, df.VVAUOp, b.stream(op.x, op), b.const(op.w)))


def convert_multithreshold(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.MultiThresholdOp)
    if op in b.fused:
        return
    if not is_int(op.thresholds):
        raise fail(op, "float thresholds on an integer input (run `streamline` to round them)")
    x_dtype = datatype_of(op, op.x)
    lo, hi = x_dtype.value_range
    thresholds = dataflow_thresholds(op, lo, hi)
    t_dtype = smallest_datatype(min(lo, int(thresholds.min())), max(hi, int(thresholds.max())))
    t = b.new_const(thresholds, t_dtype, op.thresholds.name_hint)
    scale, bias = activation(op)
    x = b.stream(op.x, op)
    layer = b.add(
        df.ThresholdingOp(x, t, stream_of(op.result), pe=LANES, out_scale=scale, out_bias=bias)
    )
    b.define(op.result, layer.results[0])


def convert_im2col(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.Im2ColOp)
    users = {use.operation for use in op.result.uses}
    depthwise = [isinstance(u, sl.DepthwiseMatMulOp) for u in users]
    if any(depthwise) and not all(depthwise):
        raise fail(
            op,
            "its windows feed both a streamline.dw_matmul and other ops (the depthwise and "
            "standard window orders differ)",
        )
    kernel = ints(op.kernel)
    x = pad(b, op, b.stream(op.x, op), ints(op.pads))
    k = math.prod(kernel) if any(depthwise) else 0
    swg = df.SWGOp(
        x,
        stream_of(op.result, depthwise=k),
        kernel=kernel,
        stride=ints(op.stride),
        dilation=op.dilation(),
        simd=LANES,
        depthwise=bool(k),
        ram_style=RAM_STYLE,
    )
    b.define(op.result, b.add(swg).results[0])


def convert_maxpool(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.MaxPoolOp)
    kernel, stride, pads = ints(op.kernel), ints(op.stride), ints(op.pads)
    x_dtype = datatype_of(op, op.x)
    if any(pads) and x_dtype.min_value < 0:
        raise fail(
            op,
            f"a padded max pool over {x_dtype} needs padding with its minimum, but the "
            "padding layer inserts 0",
        )
    x = pad(b, op, b.stream(op.x, op), pads)
    out = stream_of(op.result)
    if kernel == stride and not any(pads):
        pool = df.MaxPoolOp(x, out, kernel=kernel, stride=stride, pe=LANES)
    else:
        pool = df.PoolOp(x, out, kernel=kernel, stride=stride, pe=LANES, mode="max")
    b.define(op.result, b.add(pool).results[0])


def convert_sum_pool(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.SumPoolOp)
    x = pad(b, op, b.stream(op.x, op), ints(op.pads))
    pool = df.PoolOp(
        x,
        stream_of(op.result),
        kernel=ints(op.kernel),
        stride=ints(op.stride),
        pe=LANES,
        mode="sum",
        shift=0,
    )
    b.define(op.result, b.add(pool).results[0])


def convert_global_sum(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.GlobalSumOp)
    x = b.stream(op.x, op)
    pool = b.add(df.GlobalAccPoolOp(x, stream_of(op.result), pe=LANES))
    b.define(op.result, pool.results[0])


def convert_affine(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.MulOp | sl.AddOp)
    kind = "add" if isinstance(op, sl.AddOp) else "mul"
    x_const, y_const = is_const(op.x), is_const(op.y)
    if not x_const and not y_const:
        if kind == "mul":
            raise fail(op, "a product of two streams has no dataflow layer")
        if shape_of(op.x) != shape_of(op.y):
            raise fail(
                op,
                f"a residual add of streams of different shapes {list(shape_of(op.x))} and "
                f"{list(shape_of(op.y))}",
            )
        a, c = b.stream(op.x, op), b.stream(op.y, op)
        layer = b.add(df.AddStreamsOp(a, c, stream_of(op.result), pe=LANES))
        b.define(op.result, layer.results[0])
        return
    x, p = (op.y, op.x) if x_const else (op.x, op.y)
    params = int_constant(op, p, "constant operand")
    rank = len(shape_of(x))
    if (
        params.ndim > rank
        or any(d != 1 for d in params.shape[:-1])
        or (shape_of(op.result) != shape_of(x))
    ):
        raise fail(
            op,
            f"its constant of shape {list(params.shape)} is not a scalar or per-channel "
            f"vector of {list(shape_of(x))}",
        )
    vector = params.reshape(-1)
    p_dtype = smallest_datatype(int(vector.min()), int(vector.max()))
    pv = b.new_const(vector, p_dtype, p.name_hint)
    layer = df.ChannelwiseOp(b.stream(x, op), pv, stream_of(op.result), op=kind, pe=LANES)
    b.define(op.result, b.add(layer).results[0])


def convert_reshape(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.ReshapeOp)
    in_shape, out_shape = shape_of(op.x), shape_of(op.result)
    if len(in_shape) < 2 or len(out_shape) < 2 or in_shape[0] != out_shape[0]:
        raise fail(
            op,
            f"a reshape from {list(in_shape)} to {list(out_shape)} does not keep the batch "
            "axis first",
        )
    x = b.stream(op.x, op)
    if in_shape == out_shape:
        b.define(op.result, x)
        return
    b.define(op.result, b.add(df.ReshapeOp(x, stream_of(op.result))).results[0])


def convert_concat(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.ConcatOp)
    rank = len(shape_of(op.result))
    if op.axis.value.data != rank - 1 or rank < 2:
        raise fail(
            op,
            f"a concat along axis {op.axis.value.data} (dataflow.concat joins channels, the last axis)",
        )
    for value in op.inputs:
        if is_const(value):
            raise fail(op, f"its input {name_of(value)} is a constant, not a stream")
    inputs = [b.stream(v, op) for v in op.inputs]
    layer = b.add(df.ConcatOp(inputs, stream_of(op.result), simd=LANES))
    b.define(op.result, layer.results[0])


def convert_upsample(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.UpsampleOp)
    scales = ints(op.scales)
    if len(scales) != 4 or scales[0] != 1 or scales[3] != 1:
        raise fail(
            op,
            f"upsampling by {list(scales)} (dataflow.upsample repeats the rows and columns "
            "of an N x H x W x C feature map)",
        )
    layer = b.add(df.UpsampleOp(b.stream(op.x, op), stream_of(op.result), pe=LANES))
    b.define(op.result, layer.results[0])


def convert_depth_to_space(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.DepthToSpaceOp)
    layer = df.DepthToSpaceOp(b.stream(op.x, op), stream_of(op.result), mode=op.mode.data, pe=LANES)
    b.define(op.result, b.add(layer).results[0])


def convert_slice(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.SliceOp)
    (start, end, step), *frame = zip(ints(op.starts), ints(op.ends), ints(op.steps), strict=True)
    if (start, end, step) != (0, shape_of(op.x)[0], 1):
        raise fail(op, "a slice of the batch axis has no stream form")
    starts, ends, steps = (list(r) for r in zip(*frame, strict=True))
    layer = df.SliceOp(
        b.stream(op.x, op), stream_of(op.result), starts=starts, ends=ends, steps=steps, pe=LANES
    )
    b.define(op.result, b.add(layer).results[0])


def convert_topk(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.TopKOp)
    if op.values.uses:
        raise fail(op, "its values are used (label_select gives only the indices)")
    n = shape_of(op.x)[-1]
    out = frame_type(shape_of(op.indices)[1:], smallest_datatype(0, n - 1))
    layer = b.add(df.LabelSelectOp(b.stream(op.x, op), out, k=op.k.value.data, pe=LANES))
    b.define(op.indices, layer.results[0])


CONVERTERS: dict[type[Operation], Callable[[Builder, Operation], None]] = {
    sl.MatMulOp: convert_matmul,
    sl.XnorPopcountOp: convert_matmul,
    sl.DepthwiseMatMulOp: convert_dw_matmul,
    sl.MultiThresholdOp: convert_multithreshold,
    sl.Im2ColOp: convert_im2col,
    sl.MaxPoolOp: convert_maxpool,
    sl.SumPoolOp: convert_sum_pool,
    sl.GlobalSumOp: convert_global_sum,
    sl.MulOp: convert_affine,
    sl.AddOp: convert_affine,
    sl.ReshapeOp: convert_reshape,
    sl.ConcatOp: convert_concat,
    sl.UpsampleOp: convert_upsample,
    sl.DepthToSpaceOp: convert_depth_to_space,
    sl.SliceOp: convert_slice,
    sl.TopKOp: convert_topk,
}
"""The converter of each streamline op type."""


def _check_types(op: Operation) -> None:
    """Every stream operand and result of a region op is an `N x ...` integer tensor."""
    for value in op.operands:
        if is_const(value):
            continue
        if not is_int(value):
            raise fail(op, f"its operand {name_of(value)} is a {value.type}, not an integer tensor")
    results = [op.results[0]] if isinstance(op, sl.TopKOp) else list(op.results)
    for value in results:
        if not is_int(value):
            raise fail(
                op, f"a float op between integer tensors (result {value.type}) has no dataflow form"
            )
    for value in [*op.operands, *results]:
        if not is_const(value) and len(shape_of(value)) < 2:
            raise fail(op, f"{name_of(value)} has no batch axis (tensors must be N x ...)")


def convert_op(b: Builder, op: Operation) -> None:
    converter = CONVERTERS.get(type(op))
    if converter is None:
        raise fail(op, "no dataflow layer implements it, and it lies between integer tensors")
    if op not in b.fused:
        _check_types(op)
    converter(b, op)
