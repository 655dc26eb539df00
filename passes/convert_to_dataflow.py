"""`convert-to-dataflow`: the integer body of a streamlined function becomes one
`dataflow.partition` of stream-connected hardware layers.

Input: a `streamline`d module (integer-only body, float only at the edges). For every
`func.func` the *integer region* is found (`integer_region`): the ops computed from a
non-constant integer tensor that feed an integer tensor. Float edge ops stay outside: the
input's transpose/reshape and the first float-to-integer `streamline.multithreshold`
produce the partition's operands; the final float `streamline.mul`/`streamline.add`
consume its results. Each region op is then converted, in program order, by one function
of `CONVERTERS`:

| streamline op                              | dataflow layer(s)                                |
|--------------------------------------------|--------------------------------------------------|
| matmul / xnor_popcount [+ multithreshold]  | mvau (thresholds fused, `binary_xnor` for XNOR)  |
| dw_matmul [+ multithreshold]               | vvau (its input: the depthwise swg)              |
| multithreshold (standalone)                | thresholding                                     |
| im2col                                     | [fm_padding +] swg (`depthwise` for a dw_matmul) |
| maxpool                                    | maxpool (kernel == stride, no pads) or           |
|                                            | [fm_padding +] pool {mode = "max"}               |
| sum_pool / global_sum                      | [fm_padding +] pool {mode = "sum"} / global_acc_pool |
| add of two streams                         | add_streams                                      |
| mul / add by an integer scalar/per-channel | channelwise                                      |
| topk (indices only)                        | label_select                                     |
| concat (channels) / reshape (batch kept)   | concat / reshape                                 |

A value used by several layers (or by a layer and the host) is forked with
`dataflow.duplicate_streams`. A multithreshold is fused into its matmul only when it is the
matmul's only user. Anything else inside the region (a transpose, a float op, a
non-constant weight, ...) is a `ConversionError` naming the op and why.

Thresholds: streamline's strict `x > t` becomes `x >= t + 1` (exact on integers), each
row is clipped to `[lo, hi + 1]` of the input's exact range (a threshold below every
input is always reached, one above every input never: the count is unchanged) and sorted
(the count `Σ_i [x >= T_i]` does not depend on the order). A MAC layer's thresholds are
typed with its `acc_dtype` (the matmul's result datatype, widened by a bit in the rare
case that `hi + 1` does not fit it).

Initial folding: PE = SIMD = 1 (every stream has one lane), `mem_mode =
"internal_embedded"`, `ram_style = "auto"`; `set-folding` changes them. Weight and
threshold constants are cloned into the partition so it is self-contained.

A `streamline.topk` whose indices (i64) leave the partition as a function result: the
result becomes a tensor of the label datatype (`!quant.uint<B>`, holding [0, N-1]); the
values are the same int64 numbers, so executing the module gives the same arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import FunctionType, ModuleOp, NameLoc, TensorType
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass

from passes.errors import ConversionError
from qdialects import dataflow as df
from qdialects import streamline as sl
from qdialects.quant import ConstantOp, constant_value
from qdialects.types import BipolarType, QDataType, element_datatype, smallest_datatype
from qdialects.utils import dense_from_numpy, ints, shape_of

MEM_MODE = "internal_embedded"
RAM_STYLE = "auto"
LANES = 1
"""Initial folding: one lane on every stream (PE = SIMD = 1)."""


# --------------------------------------------------------------------------- errors


def label(op: Operation) -> str:
    """`streamline.transpose 'Transpose_0' (%x_t)`: the op, its ONNX node name when the
    importer kept one (`NameLoc`), and its first result's name."""
    parts = [op.name]
    if isinstance(op.location, NameLoc) and op.location.desc.data:
        parts.append(f"'{op.location.desc.data}'")
    if op.results and op.results[0].name_hint:
        parts.append(f"(%{op.results[0].name_hint})")
    return " ".join(parts)


def fail(op: Operation, reason: str) -> ConversionError:
    return ConversionError(f"convert-to-dataflow: {label(op)}: {reason}")


# --------------------------------------------------------------------------- region


def _is_const(value: SSAValue) -> bool:
    return isinstance(value.owner, ConstantOp)


def _is_int(value: SSAValue) -> bool:
    return sl.is_integer_tensor(value)


def integer_region(block: Block) -> list[Operation]:
    """The ops of `block` between integer tensors, in program order: an op is in the
    region when some operand is (transitively) computed from a non-constant integer
    tensor and some result is an integer tensor or (transitively) feeds one. The region
    is convex: an op between two region ops is itself computed from an integer tensor
    and feeds one."""
    ops = [op for op in block.ops if not isinstance(op, ConstantOp)]
    from_int: set[SSAValue] = {a for a in block.args if _is_int(a)}
    for op in ops:
        if any(_is_int(r) for r in op.results) or any(v in from_int for v in op.operands):
            from_int.update(op.results)
    feeds_int: set[Operation] = set()
    for op in reversed(ops):
        if any(_is_int(r) for r in op.results) or any(
            use.operation in feeds_int for r in op.results for use in r.uses
        ):
            feeds_int.add(op)
    return [
        op
        for op in ops
        if op in feeds_int and any(v in from_int and not _is_const(v) for v in op.operands)
    ]


# --------------------------------------------------------------------------- builder


def stream_of(value: SSAValue, depthwise: int = 0) -> df.StreamType:
    """The one-lane stream carrying the frames of an `N x frame` integer tensor."""
    datatype = element_datatype(value.type)
    assert datatype is not None
    return df.StreamType(shape_of(value)[1:], datatype, LANES, depthwise_kernel=depthwise)


def _frame_type(shape: Sequence[int], datatype: QDataType) -> df.StreamType:
    return df.StreamType(tuple(shape), datatype, LANES)


@dataclass
class Builder:
    """Builds the partition's body: maps each region tensor to the stream(s) carrying
    it, forking a tensor with several consumers, and clones constants into the body."""

    block: Block
    region: set[Operation]
    fused: set[Operation] = field(default_factory=set)
    streams: dict[SSAValue, list[SSAValue]] = field(default_factory=dict)
    constants: dict[SSAValue, SSAValue] = field(default_factory=dict)
    outputs: list[SSAValue] = field(default_factory=list)

    def add(self, op: Operation) -> Operation:
        self.block.add_op(op)
        return op

    def define(self, value: SSAValue, stream: SSAValue, *, is_input: bool = False) -> None:
        """`stream` carries `value`; fork it when `value` has several consumers: one per
        use by a region op, plus the host when a region result is also used outside."""
        if not stream.name_hint:
            stream.name_hint = value.name_hint
        outside = not is_input and any(use.operation not in self.region for use in value.uses)
        n = sum(1 for use in value.uses if use.operation in self.region) + int(outside)
        if n <= 1:
            self.streams[value] = [stream]
        else:
            fork = self.add(df.DuplicateStreamsOp(stream, n, pe=LANES))
            self.streams[value] = list(fork.results)
        if outside:
            self.outputs.append(value)

    def stream(self, value: SSAValue, user: Operation) -> SSAValue:
        """The next unused stream carrying `value` (one per consumer)."""
        available = self.streams.get(value)
        if not available:
            raise fail(user, f"operand {_name(value)} is not a stream of the partition")
        return available.pop(0)

    def const(self, value: SSAValue) -> SSAValue:
        """The partition's copy of the constant `value`."""
        if value not in self.constants:
            owner = value.owner
            assert isinstance(owner, ConstantOp)
            clone = self.add(owner.clone())
            clone.results[0].name_hint = value.name_hint
            self.constants[value] = clone.results[0]
        return self.constants[value]

    def new_const(self, array: np.ndarray, datatype: QDataType, name: str | None) -> SSAValue:
        values = np.asarray(array, dtype=np.int64)
        op = self.add(ConstantOp(dense_from_numpy(values), TensorType(datatype, values.shape)))
        op.results[0].name_hint = name
        return op.results[0]


def _name(value: SSAValue) -> str:
    return f"%{value.name_hint}" if value.name_hint else "a value"


# --------------------------------------------------------------------------- helpers


def _datatype(op: Operation, value: SSAValue) -> QDataType:
    datatype = element_datatype(value.type)
    if datatype is None:
        raise fail(op, f"{_name(value)} of type {value.type} is not an integer tensor")
    return datatype


def _int_constant(op: Operation, value: SSAValue, what: str) -> np.ndarray:
    array = constant_value(value)
    if array is None or not _is_const(value):
        raise fail(op, f"its {what} {_name(value)} is not a constant")
    if not _is_int(value):
        raise fail(op, f"its {what} {_name(value)} are not integer ({value.type})")
    return array.astype(np.int64)


def _dtype_range(datatype: QDataType) -> tuple[int, int]:
    return datatype.min_value, datatype.max_value


def dataflow_thresholds(mt: sl.MultiThresholdOp, lo: int, hi: int) -> np.ndarray:
    """`mt`'s thresholds as non-strict integer thresholds for inputs in [lo, hi]:
    strict `x > t` is `x >= t + 1`; each row clipped to [lo, hi + 1] and sorted."""
    thresholds = _int_constant(mt, mt.thresholds, "thresholds")
    thresholds = thresholds + np.asarray(mt.strictness(), dtype=np.int64)[None, :]
    return np.sort(np.clip(thresholds, lo, hi + 1), axis=1)


def _activation(mt: sl.MultiThresholdOp) -> tuple[int, int]:
    return mt.out_scale.value.data, mt.out_bias.value.data


def fusable_threshold(op: Operation, region: set[Operation]) -> sl.MultiThresholdOp | None:
    """The multithreshold to fuse into a MAC layer: the only user of its result, as the
    thresholded input, with integer constant thresholds."""
    result = op.results[0]
    if not result.has_one_use():
        return None
    use = result.first_use
    assert use is not None
    user = use.operation
    if (
        not isinstance(user, sl.MultiThresholdOp)
        or user not in region
        or use.index != 0
        or not _is_const(user.thresholds)
        or not _is_int(user.thresholds)
    ):
        return None
    return user


def _check_padding(op: Operation, datatype: QDataType, pads: Sequence[int]) -> None:
    if any(pads) and isinstance(datatype, BipolarType):
        raise fail(op, "a bipolar stream cannot be zero-padded")


def _pad(b: Builder, op: Operation, x: SSAValue, pads: Sequence[int]) -> SSAValue:
    """`x` zero-padded by `pads` ([top, left, bottom, right]) when any is non-zero."""
    if not any(pads):
        return x
    stream = df.stream_type(x)
    _check_padding(op, stream.element, pads)
    top, left, bottom, right = pads
    h, w, c = stream.shape
    out = _frame_type((h + top + bottom, w + left + right, c), stream.element)
    return b.add(df.FMPaddingOp(x, out, pads=pads, simd=LANES)).results[0]


# --------------------------------------------------------------------------- converters


def _mac_layer(
    b: Builder,
    op: sl.MatMulOp | sl.XnorPopcountOp | sl.DepthwiseMatMulOp,
    acc_range: tuple[int, int],
    build: Callable[[SSAValue | None, df.StreamType, QDataType, int, int], Operation],
) -> None:
    """Shared by MVAU and VVAU: fuse the following multithreshold when possible."""
    acc_dtype = _datatype(op, op.result)
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
    scale, bias = _activation(mt)
    layer = build(t, stream_of(mt.result), acc_dtype, scale, bias)
    b.define(mt.result, layer.results[0])


def convert_matmul(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.MatMulOp | sl.XnorPopcountOp)
    weights = _int_constant(op, op.w, "weights")
    x_dtype, w_dtype = _datatype(op, op.x), _datatype(op, op.w)
    xnor = isinstance(op, sl.XnorPopcountOp)
    if not xnor and isinstance(x_dtype, BipolarType) and isinstance(w_dtype, BipolarType):
        raise fail(
            op,
            "a bipolar x bipolar matmul must be in XNOR-popcount form "
            "(streamline.xnor_popcount, made by `streamline`)",
        )
    if len(shape_of(op.x)) < 2:
        raise fail(op, "its input has no batch axis")
    acc_range = (0, weights.shape[0]) if xnor else sl.matmul_range(_dtype_range(x_dtype), weights)
    x = b.stream(op.x, op)
    w = b.const(op.w)

    def build(
        t: SSAValue | None, out: df.StreamType, acc: QDataType, scale: int, bias: int
    ) -> Operation:
        return b.add(
            df.MVAUOp(
                x,
                w,
                t,
                out,
                simd=LANES,
                pe=LANES,
                acc_dtype=acc,
                binary_xnor=xnor,
                out_scale=scale,
                out_bias=bias,
                mem_mode=MEM_MODE,
                ram_style=RAM_STYLE,
            )
        )

    _mac_layer(b, op, acc_range, build)


def convert_dw_matmul(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.DepthwiseMatMulOp)
    weights = _int_constant(op, op.w, "weights")
    source = op.x.owner
    if not isinstance(source, sl.Im2ColOp) or source not in b.region:
        raise fail(op, "its input is not a streamline.im2col (a VVAU reads a depthwise SWG)")
    k = math.prod(ints(source.kernel))
    if weights.shape[0] != k:
        raise fail(op, f"its {weights.shape[0]} weight rows do not match the {k}-pixel window")
    x_dtype = _datatype(op, op.x)
    if isinstance(x_dtype, BipolarType) and isinstance(_datatype(op, op.w), BipolarType):
        raise fail(op, "a depthwise product of bipolar inputs and weights has no VVAU form")
    acc_range = sl.matmul_range(_dtype_range(x_dtype), weights)
    x = b.stream(op.x, op)
    w = b.const(op.w)

    def build(
        t: SSAValue | None, out: df.StreamType, acc: QDataType, scale: int, bias: int
    ) -> Operation:
        return b.add(
            df.VVAUOp(
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

    _mac_layer(b, op, acc_range, build)


def convert_multithreshold(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.MultiThresholdOp)
    if op in b.fused:
        return
    if not _is_int(op.thresholds):
        raise fail(op, "float thresholds on an integer input (run `streamline` to round them)")
    x_dtype = _datatype(op, op.x)
    lo, hi = _dtype_range(x_dtype)
    thresholds = dataflow_thresholds(op, lo, hi)
    t_dtype = smallest_datatype(min(lo, int(thresholds.min())), max(hi, int(thresholds.max())))
    t = b.new_const(thresholds, t_dtype, op.thresholds.name_hint)
    scale, bias = _activation(op)
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
    x = _pad(b, op, b.stream(op.x, op), ints(op.pads))
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
    x_dtype = _datatype(op, op.x)
    if any(pads) and x_dtype.min_value < 0:
        raise fail(
            op,
            f"a padded max pool over {x_dtype} needs padding with its minimum, but the "
            "padding layer inserts 0",
        )
    x = _pad(b, op, b.stream(op.x, op), pads)
    out = stream_of(op.result)
    if kernel == stride and not any(pads):
        pool = df.MaxPoolOp(x, out, kernel=kernel, stride=stride, pe=LANES)
    else:
        pool = df.PoolOp(x, out, kernel=kernel, stride=stride, pe=LANES, mode="max")
    b.define(op.result, b.add(pool).results[0])


def convert_sum_pool(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.SumPoolOp)
    x = _pad(b, op, b.stream(op.x, op), ints(op.pads))
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
    x_const, y_const = _is_const(op.x), _is_const(op.y)
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
    params = _int_constant(op, p, "constant operand")
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
        raise fail(op, f"a concat along axis {op.axis.value.data} (only channels, the last axis)")
    for value in op.inputs:
        if _is_const(value):
            raise fail(op, f"its input {_name(value)} is a constant, not a stream")
    inputs = [b.stream(v, op) for v in op.inputs]
    layer = b.add(df.ConcatOp(inputs, stream_of(op.result), simd=LANES))
    b.define(op.result, layer.results[0])


def convert_topk(b: Builder, op: Operation) -> None:
    assert isinstance(op, sl.TopKOp)
    if op.values.uses:
        raise fail(op, "its values are used (label_select gives only the indices)")
    n = shape_of(op.x)[-1]
    out = _frame_type(shape_of(op.indices)[1:], smallest_datatype(0, n - 1))
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
    sl.TopKOp: convert_topk,
}
"""The converter of each streamline op type."""


def _check_types(op: Operation) -> None:
    """Every stream operand and result of a region op is an `N x ...` integer tensor."""
    for value in op.operands:
        if _is_const(value):
            continue
        if not _is_int(value):
            raise fail(op, f"its operand {_name(value)} is a {value.type}, not an integer tensor")
    results = [op.results[0]] if isinstance(op, sl.TopKOp) else list(op.results)
    for value in results:
        if not _is_int(value):
            raise fail(
                op, f"a float op between integer tensors (result {value.type}) has no dataflow form"
            )
    for value in [*op.operands, *results]:
        if not _is_const(value) and len(shape_of(value)) < 2:
            raise fail(op, f"{_name(value)} has no batch axis (tensors must be N x ...)")


def convert_op(b: Builder, op: Operation) -> None:
    converter = CONVERTERS.get(type(op))
    if converter is None:
        raise fail(op, "has no dataflow layer inside the integer region")
    if op not in b.fused:
        _check_types(op)
    converter(b, op)


# --------------------------------------------------------------------------- partition


def _outside_result_type(value: SSAValue, stream: SSAValue) -> TensorType:
    frame = df.stream_type(stream)
    return TensorType(frame.element, [shape_of(value)[0], *frame.shape])


def build_partition(function: func.FuncOp) -> df.PartitionOp | None:
    """Replace the integer region of `function` by one `dataflow.partition`; None when
    the function has no integer region."""
    block = function.body.block
    ordered = integer_region(block)
    if not ordered:
        return None
    region = set(ordered)
    inputs: list[SSAValue] = []
    for op in ordered:
        for value in op.operands:
            if (
                value not in inputs
                and not _is_const(value)
                and (not isinstance(value.owner, Operation) or value.owner not in region)
            ):
                inputs.append(value)
    for value in inputs:
        if not _is_int(value) or len(shape_of(value)) < 2:
            user = next(u.operation for u in value.uses if u.operation in region)
            reason = f"its operand {_name(value)} ({value.type}) is not an N x ... integer tensor"
            raise fail(user, reason)
    body = Block(arg_types=[stream_of(v) for v in inputs])
    b = Builder(body, region)
    for value, arg in zip(inputs, body.args, strict=True):
        b.define(value, arg, is_input=True)
    for op in ordered:
        convert_op(b, op)
    yielded = [b.stream(v, ordered[-1]) for v in b.outputs]
    body.add_op(df.YieldOp(yielded))
    result_types = [_outside_result_type(v, s) for v, s in zip(b.outputs, yielded, strict=True)]
    partition = df.PartitionOp(inputs, result_types, body)
    _place(block, ordered, partition)
    for value, result in zip(b.outputs, partition.outputs, strict=True):
        result.name_hint = value.name_hint
        if result.type != value.type:
            _retype_function_result(function, value, result)
        value.replace_all_uses_with(result)
    constants = {v.owner for op in ordered for v in op.operands if isinstance(v.owner, ConstantOp)}
    for op in reversed(ordered):
        block.erase_op(op)
    for owner in constants:
        if isinstance(owner, ConstantOp) and not owner.result.uses:
            block.erase_op(owner)
    return partition


def _place(block: Block, ordered: list[Operation], partition: df.PartitionOp) -> None:
    """Insert `partition` after the last region op; ops outside the region that come
    earlier but depend on region results move after it (keeping their order)."""
    last = ordered[-1]
    region = set(ordered)
    depends: set[SSAValue] = set()
    moving: list[Operation] = []
    started = False
    for op in block.ops:
        if op is ordered[0]:
            started = True
        if op is last:
            break
        if op in region:
            depends.update(op.results)
        elif started and any(v in depends for v in op.operands):
            depends.update(op.results)
            moving.append(op)
    block.insert_op_after(partition, last)
    anchor: Operation = partition
    for op in moving:
        op.detach()
        block.insert_op_after(op, anchor)
        anchor = op


def _retype_function_result(function: func.FuncOp, value: SSAValue, result: SSAValue) -> None:
    """A label-select result (a QONNX datatype tensor) replacing i64 indices: only as
    function results, whose types change accordingly."""
    owner = value.owner
    assert isinstance(owner, Operation)
    users = [use.operation for use in value.uses]
    if not all(isinstance(u, func.ReturnOp) for u in users):
        reason = "its indices feed host ops (only function results can take the label datatype)"
        raise fail(owner, reason)
    outputs = list(function.function_type.outputs.data)
    for user in users:
        for i, operand in enumerate(user.operands):
            if operand is value:
                outputs[i] = result.type
    function.function_type = FunctionType.from_lists(
        list(function.function_type.inputs.data), outputs
    )


@dataclass(frozen=True)
class ConvertToDataflow(ModulePass):
    """Turn the integer region of every function into one `dataflow.partition` of
    streaming layers (PE = SIMD = 1); raises `ConversionError` on an op with no layer."""

    name = "convert-to-dataflow"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for function in [f for f in op.walk() if isinstance(f, func.FuncOp)]:
            if function.body.blocks:
                build_partition(function)
