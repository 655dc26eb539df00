"""Move float `streamline.mul`/`streamline.add` by constants down the graph, past the ops
they commute with, so that they meet (and collapse into) the next multithreshold.

| pattern | rewrite | when |
|---|---|---|
| weight scale | `matmul(x, W*s) -> matmul(x, W)*s` | W an integer constant, s per column |
| mul past matmul | `matmul(x*s, W) -> matmul(x, W)*s` | s scalar (`dw_matmul`: per channel) |
| channel scale into weights | `matmul(x*(b·n), W) -> matmul(x, W·n)*b` | n small integers per row of W |
| add past matmul | `matmul(x+a, W) -> matmul(x, W) + a@W` | W constant, a per row of W |
| past windows | `im2col`, `maxpool`, `sum_pool`, `global_sum` | see `MoveAffinePastWindow` |
| past data movement | `reshape`, `transpose`, `upsample`, `slice` | the constant stays scalar / per channel |
| past concat | `concat(x_i*c_i) -> concat(x_i)*c` (adds alike) | the x_i of one element type |
| add past mul | `(x+a)*m -> x*m + a*m` | |

A matmul whose operands both become integer gets the tightest datatype of its exact
accumulator range (`streamline.matmul_range`).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from xdsl.dialects.builtin import TensorType
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from passes.streamline.common import (
    affine_parts,
    affine_type,
    channel_vector,
    compress,
    const,
    f32_type,
    float_const,
    int_const,
    int_type,
    is_float,
    is_int_const,
    matmul_type,
    producer_affine,
    recreate,
    same_element_type,
    value_range,
    vector_or_scalar,
)
from qdialects import streamline as sl
from qdialects.semantics.kernels import depth_to_space_nhwc, upsample_nearest
from qdialects.types import BipolarType, element_datatype, smallest_datatype
from qdialects.utils import ints, shape_of

MatMulLike = sl.MatMulOp | sl.DepthwiseMatMulOp


def _new_matmul(op: MatMulLike, x: SSAValue, w: SSAValue) -> Operation | None:
    """`op` on new operands, typed integer (exact range) when both operands are."""
    result_type = matmul_type(x, w, shape_of(op.result))
    if result_type is None:
        return None
    return type(op)(x, w, result_type)


def _columns(op: MatMulLike) -> int:
    return shape_of(op.w)[1]


class MoveWeightScalePastMatMul(RewritePattern):
    """`matmul(x, mul(W, s)) -> mul(matmul(x, W), s)` for an integer constant W and a
    scale s per output column (per channel for `dw_matmul`)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, MatMulLike):
            return
        scaled = op.w.owner
        if not isinstance(scaled, sl.MulOp):
            return
        if is_int_const(scaled.x) and const(scaled.y) is not None:
            weights, scale = scaled.x, const(scaled.y)
        elif is_int_const(scaled.y) and const(scaled.x) is not None:
            weights, scale = scaled.y, const(scaled.x)
        else:
            return
        assert scale is not None
        if shape_of(weights) != shape_of(op.w):
            return
        vector = channel_vector(scale, 2)
        if vector is None or vector.size not in (1, _columns(op)):
            return
        matmul = _new_matmul(op, op.x, weights)
        if matmul is None:
            return
        scale_op = float_const(vector_or_scalar(vector.astype(np.float64)), "scale")
        mul = sl.MulOp(matmul.results[0], scale_op.result, op.result.type)
        rewriter.replace(op, [matmul, scale_op, mul])


def _dw_channel_vector(vector: np.ndarray, k: int, c: int) -> np.ndarray | None:
    """A per-column vector over `K*C` im2col columns as a per-channel vector over C, when
    it repeats one channel pattern K times."""
    if vector.size == 1:
        return vector
    if vector.size != k * c:
        return None
    rows = vector.reshape(k, c)
    if not np.all(rows == rows[0]):
        return None
    return rows[0]


class MoveMulPastMatMul(RewritePattern):
    """`matmul(mul(x, s), W) -> mul(matmul(x, W), s)` for a scalar s (for `dw_matmul`,
    an s repeating one per-channel pattern over the im2col columns)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, MatMulLike):
            return
        found = producer_affine(op.x, sl.MulOp)
        if found is None or not is_float(found[0].result):
            return
        _, x, scale = found
        vector = channel_vector(scale, len(shape_of(op.x)))
        if vector is None:
            return
        if isinstance(op, sl.DepthwiseMatMulOp):
            k, c = shape_of(op.w)
            vector = _dw_channel_vector(vector, k, c)
        elif vector.size != 1:
            vector = None
        if vector is None:
            return
        matmul = _new_matmul(op, x, op.w)
        if matmul is None:
            return
        scale_op = float_const(vector_or_scalar(vector.astype(np.float64)), "scale")
        mul = sl.MulOp(matmul.results[0], scale_op.result, op.result.type)
        rewriter.replace(op, [matmul, scale_op, mul])


MAX_CHANNEL_RATIO = 1 << 16
"""The largest factor a weight row takes from a per-channel activation scale (16 more
weight bits at most)."""


def integer_ratios(vector: np.ndarray) -> tuple[float, np.ndarray] | None:
    """`vector` as `base * n`, `n` the smallest integers with that property (computed on
    the exact rational values of the floats), or None when some |n| exceeds
    `MAX_CHANNEL_RATIO` or every element is 0."""
    fractions = [Fraction(float(v)) for v in vector.reshape(-1)]
    denominator = math.lcm(*(f.denominator for f in fractions))
    numerators = [int(f * denominator) for f in fractions]
    common = math.gcd(*numerators)
    if common == 0:
        return None
    ratios = np.array([k // common for k in numerators], dtype=np.int64)
    if np.max(np.abs(ratios)) > MAX_CHANNEL_RATIO:
        return None
    return float(Fraction(common, denominator)), ratios


class MoveChannelScaleIntoWeights(RewritePattern):
    """`matmul(mul(x, v), W) -> mul(matmul(x, W'), b)` for an integer x and a scale v
    varying over W's rows (a per-channel activation scale, tiled over the kernel by
    im2col) that is `b * n` with small integers n (`integer_ratios`: e.g. power-of-two
    scales): `W'[k, :] = W[k, :] * n[k]`, exact. Other such scales have no exact integer
    form (the final check refuses them)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.MatMulOp, rewriter: PatternRewriter) -> None:
        found = producer_affine(op.x, sl.MulOp)
        weights = const(op.w)
        if found is None or weights is None or not is_int_const(op.w):
            return
        mul, x, scale = found
        if not is_float(mul.result) or is_float(x):
            return
        vector = channel_vector(scale, len(shape_of(op.x)))
        if vector is None or vector.size != weights.shape[0]:
            return
        split = integer_ratios(vector.astype(np.float64))
        if split is None:
            return
        base, ratios = split
        new_w = int_const(weights.astype(np.int64) * ratios[:, None], name="w")
        matmul = _new_matmul(op, x, new_w.result)
        if matmul is None:
            return
        scale_op = float_const(np.asarray(base), "scale")
        result = sl.MulOp(matmul.results[0], scale_op.result, op.result.type)
        rewriter.replace(op, [new_w, matmul, scale_op, result])


class MoveAddPastMatMul(RewritePattern):
    """`matmul(add(x, a), W) -> add(matmul(x, W), a @ W)` for a constant W and an a that
    is a scalar or a vector over W's rows (computed in f64)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, MatMulLike):
            return
        weights = const(op.w)
        found = producer_affine(op.x, sl.AddOp)
        if weights is None or found is None or not is_float(found[0].result):
            return
        _, x, bias = found
        vector = channel_vector(bias, len(shape_of(op.x)))
        rows = shape_of(op.x)[-1]
        if vector is None or vector.size not in (1, rows):
            return
        full = np.broadcast_to(vector.astype(np.float64), (rows,))
        w = weights.astype(np.float64)
        if isinstance(op, sl.DepthwiseMatMulOp):
            k, c = w.shape
            new_bias = (full.reshape(k, c) * w).sum(axis=0)
        else:
            new_bias = full @ w
        matmul = _new_matmul(op, x, op.w)
        if matmul is None:
            return
        bias_op = float_const(vector_or_scalar(new_bias), "bias")
        add = sl.AddOp(matmul.results[0], bias_op.result, op.result.type)
        rewriter.replace(op, [matmul, bias_op, add])


def _window_result_type(op: Operation, x: SSAValue) -> Attribute:
    """The type of window/data-movement `op` recomputed on input `x`."""
    shape = shape_of(op.results[0])
    if isinstance(op, sl.SumPoolOp | sl.GlobalSumOp):
        x_range = value_range(x)
        if x_range is None:
            return f32_type(shape)
        if isinstance(op, sl.SumPoolOp):
            size = math.prod(ints(op.kernel))
        else:
            size = shape_of(x)[1] * shape_of(x)[2]
        return int_type(shape, min(0, size * x_range[0]), max(0, size * x_range[1]))
    return same_element_type(x, shape)


DATA_MOVEMENT_OPS = (sl.ReshapeOp, sl.TransposeOp, sl.UpsampleOp, sl.SliceOp, sl.DepthToSpaceOp)
"""The ops that only move (or repeat, or drop) elements: any elementwise affine op
commutes with them."""


def _moved_elements(op: Operation, array: np.ndarray) -> np.ndarray:
    """Data-movement `op` applied to a (broadcast) constant of its input's shape."""
    if isinstance(op, sl.ReshapeOp):
        return array.reshape(shape_of(op.result))
    if isinstance(op, sl.TransposeOp):
        return np.transpose(array, ints(op.perm))
    if isinstance(op, sl.UpsampleOp):
        return upsample_nearest(array, ints(op.scales))
    if isinstance(op, sl.DepthToSpaceOp):
        return depth_to_space_nhwc(array, op.blocksize.value.data, op.mode.data)
    assert isinstance(op, sl.SliceOp)
    return array[op.ranges()]


def _moved_constant(op: Operation, c: np.ndarray, is_mul: bool) -> np.ndarray | None:
    """The constant that, applied after `op`, equals applying `c` before it; None when
    the affine op does not commute with `op`."""
    in_shape = shape_of(op.operands[0])
    if isinstance(op, DATA_MOVEMENT_OPS):
        try:
            full = np.broadcast_to(c, in_shape)
        except ValueError:
            return None
        return compress(_moved_elements(op, full))
    vector = channel_vector(c, len(in_shape))
    if vector is None or vector.size not in (1, in_shape[-1]):
        return None
    if isinstance(op, sl.Im2ColOp):
        if not is_mul and any(ints(op.pads)):
            return None  # padding inserts zeros, not -a: an add does not commute
        kh, kw = ints(op.kernel)
        tiled = vector if vector.size == 1 else np.tile(vector, kh * kw)
        return vector_or_scalar(tiled)
    if isinstance(op, sl.MaxPoolOp):
        if is_mul and np.any(vector < 0):
            return None  # max(-x) is -min(x)
        return vector_or_scalar(vector)
    if isinstance(op, sl.SumPoolOp):
        if is_mul:
            return vector_or_scalar(vector)
        if any(ints(op.pads)):
            return None  # border windows sum fewer real elements
        return vector_or_scalar(vector * math.prod(ints(op.kernel)))
    if isinstance(op, sl.GlobalSumOp):
        if is_mul:
            return vector_or_scalar(vector)
        return vector_or_scalar(vector * in_shape[1] * in_shape[2])
    return None


WINDOW_OPS = (sl.Im2ColOp, sl.MaxPoolOp, sl.SumPoolOp, sl.GlobalSumOp, *DATA_MOVEMENT_OPS)


class MoveAffinePastWindow(RewritePattern):
    """`f(x*c) -> f(x)*c'` and `f(x+c) -> f(x)+c'` for the window and data-movement ops f:
    - `im2col`: c scalar or per channel (tiled over the kernel positions); an add only
      without padding (padding inserts zeros);
    - `maxpool`: any add, a mul by a non-negative c;
    - `sum_pool`/`global_sum`: any mul; an add becomes `c * window size` (no padding);
    - `reshape`/`transpose`/`upsample`/`slice`: when c stays a scalar or a per-channel
      vector."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, WINDOW_OPS):
            return
        source = op.operands[0]
        for kind in (sl.MulOp, sl.AddOp):
            found = producer_affine(source, kind)
            if found is None or not is_float(found[0].result):
                continue
            _, x, c = found
            moved = _moved_constant(op, c.astype(np.float64), kind is sl.MulOp)
            if moved is None:
                return
            inner = recreate(op, [x], [_window_result_type(op, x)])
            c_op = float_const(moved, "scale" if kind is sl.MulOp else "bias")
            outer = kind(inner.results[0], c_op.result, op.results[0].type)
            rewriter.replace(op, [inner, c_op, outer])
            return


class MoveAffinePastConcat(RewritePattern):
    """`concat(x_1*c_1, ..., x_n*c_n) -> concat(x_1, ..., x_n)*c` (likewise for adds),
    `c` the constants broadcast to their operands' shapes and joined along the axis. Only
    when `c` is a scalar or a channel vector, and the `x_i` share one element type (the
    concat's invariant): branches quantized to different integer types are first widened
    to the narrowest type holding them all (`_widen`)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.ConcatOp, rewriter: PatternRewriter) -> None:
        for kind in (sl.MulOp, sl.AddOp):
            parts = _affine_operands(list(op.inputs), kind)
            if parts is None:
                continue
            xs = _widen([x for x, _ in parts], rewriter)
            if xs is None:
                return
            full = [np.broadcast_to(c, shape_of(x)) for x, c in parts]
            moved = compress(np.concatenate(full, axis=op.axis.value.data))
            if moved is None:
                return
            inner = recreate(op, xs, [same_element_type(xs[0], shape_of(op.result))])
            c_op = float_const(moved, "scale" if kind is sl.MulOp else "bias")
            outer = kind(inner.results[0], c_op.result, op.result.type)
            rewriter.replace(op, [inner, c_op, outer])
            return


def _widen(xs: list[SSAValue], rewriter: PatternRewriter) -> list[SSAValue] | None:
    """`xs` of one element type: each of another integer type than the narrowest one
    holding them all is the result of a `streamline.multithreshold` read once, whose
    counts that type holds too, retyped in place; None when that is impossible (a
    bipolar or float x, or another producer)."""
    datatypes = [element_datatype(x.type) for x in xs]
    if any(d is None or isinstance(d, BipolarType) for d in datatypes):
        return None
    known = [d for d in datatypes if d is not None]
    wide = smallest_datatype(min(d.min_value for d in known), max(d.max_value for d in known))
    narrow = [x for x, datatype in zip(xs, known, strict=True) if datatype != wide]
    if not all(isinstance(x.owner, sl.MultiThresholdOp) and x.has_one_use() for x in narrow):
        return None
    widened = {}
    for x in narrow:
        owner = x.owner
        assert isinstance(owner, sl.MultiThresholdOp)
        retyped = recreate(owner, list(owner.operands), [TensorType(wide, shape_of(x))])
        rewriter.replace(owner, retyped)
        widened[x] = retyped.results[0]
    return [widened.get(x, x) for x in xs]


def _affine_operands(
    values: list[SSAValue], kind: type[sl.MulOp] | type[sl.AddOp]
) -> list[tuple[SSAValue, np.ndarray]] | None:
    """Each value as (x, c) with value = kind(x, c) a float op; None unless all are."""
    parts: list[tuple[SSAValue, np.ndarray]] = []
    for value in values:
        found = producer_affine(value, kind)
        if found is None or not is_float(found[0].result):
            return None
        parts.append((found[1], np.asarray(found[2], np.float64)))
    return parts


class MoveAddPastMul(RewritePattern):
    """`mul(add(x, a), m) -> add(mul(x, m), a*m)` (a float mul by a constant)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.MulOp, rewriter: PatternRewriter) -> None:
        if not is_float(op.result):
            return
        outer = affine_parts(op)
        if outer is None:
            return
        source, m, m_value = outer
        found = producer_affine(source, sl.AddOp)
        if found is None:
            return
        _, x, a = found
        mul = sl.MulOp(x, m_value, affine_type(sl.MulOp, x, m_value))
        bias = float_const(np.asarray(a, np.float64) * np.asarray(m, np.float64), "bias")
        add = sl.AddOp(mul.result, bias.result, op.result.type)
        rewriter.replace(op, [mul, bias, add])
