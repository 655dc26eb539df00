"""Push the sign of a negative (or mixed-sign) per-channel scale into the integer weights
that produce it: `mul(matmul(x, W), m) -> mul(matmul(x, W * sign(m)), |m|)`.

A multithreshold absorbs only a scale of one sign, and a maxpool commutes only with a
non-negative one; negating weight columns costs nothing in hardware. A bipolar weight
stays bipolar; other datatypes are widened when the negated values need it
(`-(-2^(b-1))` does not fit `int<b>`). The accumulator is re-typed from its new exact
range. Only done when the matmul has no other user.
"""

from __future__ import annotations

import numpy as np
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from passes.streamline.common import (
    affine_parts,
    channel_vector,
    const,
    datatype,
    float_const,
    int_const,
    is_float,
    is_int_const,
    matmul_type,
    single_use,
    vector_or_scalar,
)
from qdialects import streamline as sl
from qdialects.types import QDataType, smallest_datatype
from qdialects.utils import shape_of


def negated_datatype(old: QDataType, values: np.ndarray) -> QDataType:
    """`old` when it still holds `values`, else the tightest type holding both."""
    if old.allows(values):
        return old
    lo = min(old.min_value, int(values.min()))
    hi = max(old.max_value, int(values.max()))
    return smallest_datatype(lo, hi)


class PushSignIntoWeights(RewritePattern):
    """`mul(P, m)` with some m < 0, P a matmul/dw_matmul by integer constant weights used
    only here: negate P's weight columns where m < 0 and multiply by |m|."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.MulOp, rewriter: PatternRewriter) -> None:
        parts = affine_parts(op)
        if parts is None or not is_float(op.result):
            return
        p, m, _ = parts
        producer = p.owner
        if not isinstance(producer, sl.MatMulOp | sl.DepthwiseMatMulOp):
            return
        if not single_use(p) or not is_int_const(producer.w) or shape_of(p) != shape_of(op.result):
            return
        vector = channel_vector(m, len(shape_of(p)))
        columns = shape_of(producer.w)[1]
        if vector is None or vector.size not in (1, columns) or not np.any(vector < 0):
            return
        weights, old_type = const(producer.w), datatype(producer.w)
        assert weights is not None and old_type is not None
        sign = np.where(vector < 0, -1, 1).astype(np.int64)
        new_weights = weights * np.broadcast_to(sign, (columns,))
        w_op = int_const(new_weights, negated_datatype(old_type, new_weights), "weights")
        result_type = matmul_type(producer.x, w_op.result, shape_of(p))
        assert result_type is not None
        matmul = type(producer)(producer.x, w_op.result, result_type)
        scale = float_const(vector_or_scalar(np.abs(vector.astype(np.float64))), "scale")
        mul = sl.MulOp(matmul.results[0], scale.result, op.result.type)
        rewriter.replace(op, [w_op, matmul, scale, mul])
