"""Residual joins: bring both operands of an `add(p, q)` of two streams onto one scale.

- Bias adds move after the join: `add(add(x, b), q) -> add(add(x, q), b)`.
- `add(x * s1, y * s2)` with integer x, y (an unscaled integer operand has scale 1):
  - s1 == s2: `add(x, y) * s1`, the integer add typed with its exact range;
  - s1 / s2 an integer r (or s2 / s1): `add(x * r, y) * s2`, r an integer constant;
  - otherwise nothing: the final check reports the add with both scales.
"""

from __future__ import annotations

import numpy as np
from xdsl.ir import SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from passes.streamline.common import (
    affine_type,
    channel_vector,
    float_const,
    int_const,
    integral,
    is_const,
    is_float,
    is_int,
    producer_affine,
    vector_or_scalar,
)
from qdialects import streamline as sl
from qdialects.utils import shape_of

RATIO_TOLERANCE = 1e-9


def scaled_integer(value: SSAValue) -> tuple[SSAValue, np.ndarray] | None:
    """(x, per-channel scale) when `value` is `x * s` or `x` itself, x an integer tensor
    of the same shape."""
    if is_int(value):
        return value, np.ones(1)
    found = producer_affine(value, sl.MulOp)
    if found is None:
        return None
    _, x, s = found
    vector = channel_vector(s, len(shape_of(value)))
    if not is_int(x) or vector is None or shape_of(x) != shape_of(value):
        return None
    return x, vector.astype(np.float64)


def join_scales(value_a: SSAValue, value_b: SSAValue):
    """The scales of both operands of a join, when both are scaled integer tensors."""
    a, b = scaled_integer(value_a), scaled_integer(value_b)
    if a is None or b is None:
        return None
    return a, b


def _integer_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray | None:
    if np.any(den == 0):
        return None
    ratio = num / den
    if not integral(ratio, RATIO_TOLERANCE) or np.any(np.round(ratio) == 0):
        return None
    return np.round(ratio).astype(np.int64)


class MoveBiasPastJoin(RewritePattern):
    """`add(add(x, b), q) -> add(add(x, q), b)` for a constant b and a dynamic q."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.AddOp, rewriter: PatternRewriter) -> None:
        if not is_float(op.result) or is_const(op.x) or is_const(op.y):
            return
        for biased, other in ((op.x, op.y), (op.y, op.x)):
            found = producer_affine(biased, sl.AddOp)
            if found is None:
                continue
            bias_op, x, _ = found
            bias = bias_op.y if bias_op.x is x else bias_op.x
            join = sl.AddOp(x, other, affine_type(sl.AddOp, x, other))
            if shape_of(join.result) != shape_of(op.result):
                return
            add = sl.AddOp(join.result, bias, op.result.type)
            rewriter.replace(op, [join, add])
            return


class JoinOnOneScale(RewritePattern):
    """`add(x * s1, y * s2) -> add(x, y) * s1` for s1 == s2, or with one side first
    multiplied by the integer ratio of the scales."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.AddOp, rewriter: PatternRewriter) -> None:
        if not is_float(op.result) or is_const(op.x) or is_const(op.y):
            return
        found = join_scales(op.x, op.y)
        if found is None:
            return
        (x, s1), (y, s2) = found
        channels = max(s1.size, s2.size)
        s1, s2 = np.broadcast_to(s1, (channels,)), np.broadcast_to(s2, (channels,))
        ops = []
        if np.allclose(s1, s2, rtol=RATIO_TOLERANCE, atol=0):
            scale = s1
        elif (ratio := _integer_ratio(s1, s2)) is not None:
            factor = int_const(vector_or_scalar(ratio), name="ratio")
            x_mul = sl.MulOp(x, factor.result, affine_type(sl.MulOp, x, factor.result))
            ops += [factor, x_mul]
            x, scale = x_mul.result, s2
        elif (ratio := _integer_ratio(s2, s1)) is not None:
            factor = int_const(vector_or_scalar(ratio), name="ratio")
            y_mul = sl.MulOp(y, factor.result, affine_type(sl.MulOp, y, factor.result))
            ops += [factor, y_mul]
            y, scale = y_mul.result, s1
        else:
            return
        join = sl.AddOp(x, y, affine_type(sl.AddOp, x, y))
        scale_op = float_const(vector_or_scalar(np.asarray(scale, dtype=np.float64)), "scale")
        mul = sl.MulOp(join.result, scale_op.result, op.result.type)
        rewriter.replace(op, [*ops, join, scale_op, mul])
