"""Bipolar matrix products in XNOR-popcount form.

For bipolar x and W (both ±1), `x @ W = 2 * popcount(xnor(x, W)) - K` with K the
reduction length: `matmul(x, W) -> add(mul(xnor_popcount(x, W), 2), -K)` as integer ops,
which the next multithreshold absorbs (`absorb_thresholds`), leaving the popcount the
hardware computes. Converted only when every user of the product tolerates a wider
integer type (a multithreshold, a TopK, or a float op); this runs after the float scales have
been absorbed (`sign.PushSignIntoWeights` negates bipolar weight columns, which keeps
them bipolar, so a negative scale after a bipolar layer is absorbed into its weights).
"""

from __future__ import annotations

import numpy as np
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from passes.streamline.common import affine_type, datatype, int_const, int_type, is_float
from qdialects import streamline as sl
from qdialects.types import BipolarType
from qdialects.utils import shape_of


def _tolerant_user(op) -> bool:
    if isinstance(op, sl.MultiThresholdOp | sl.TopKOp):
        return True
    return any(is_float(r) for r in op.results) and not isinstance(op, sl.MatMulOp)


class BipolarMatMulToXnorPopcount(RewritePattern):
    """`matmul(x, W)` with bipolar x and W -> `2 * xnor_popcount(x, W) - K`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.MatMulOp, rewriter: PatternRewriter) -> None:
        if not isinstance(datatype(op.x), BipolarType):
            return
        if not isinstance(datatype(op.w), BipolarType):
            return
        if not all(_tolerant_user(use.operation) for use in op.result.uses):
            return
        shape = shape_of(op.result)
        k = shape_of(op.w)[0]
        popcount = sl.XnorPopcountOp(op.x, op.w, int_type(shape, 0, k))
        two = int_const(np.asarray(2), name="two")
        doubled = sl.MulOp(
            popcount.result, two.result, affine_type(sl.MulOp, popcount.result, two.result)
        )
        minus_k = int_const(np.asarray(-k), name="minus_k")
        result = sl.AddOp(
            doubled.result, minus_k.result, affine_type(sl.AddOp, doubled.result, minus_k.result)
        )
        rewriter.replace(op, [popcount, two, doubled, minus_k, result])
