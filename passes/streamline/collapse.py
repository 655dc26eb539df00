"""Collapse chains of affine ops and fold affine ops on constants.

- `mul(mul(x, a), b) -> mul(x, a*b)` and `add(add(x, a), b) -> add(x, a+b)` (float outer op);
- `mul(x, 1)` / `add(x, 0)` with an unchanged type -> `x`;
- `mul`/`add`/`reshape`/`transpose` of constants -> one constant holding exactly what the
  op's reference semantics compute (the interpreter evaluates it; f32 results rounded to
  f32). An integer weight times its float scale is left alone while a matmul uses it:
  `move_affine` moves that scale past the matmul instead, keeping the weights integer.
"""

from __future__ import annotations

import numpy as np
from xdsl.ir import Operation
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from passes.streamline.common import (
    affine_parts,
    float_const,
    int_const,
    is_float,
    is_int_const,
    producer_affine,
    same_element_type,
)
from qdialects import streamline as sl
from qdialects.quant import ConstantOp
from qdialects.semantics.fold import fold_op
from qdialects.utils import dense_from_numpy, shape_of


class CollapseRepeatedMul(RewritePattern):
    """`mul(mul(x, a), b) -> mul(x, a*b)` when the outer mul is float."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.MulOp, rewriter: PatternRewriter) -> None:
        outer = affine_parts(op)
        if outer is None or not is_float(op.result):
            return
        x, b, _ = outer
        inner = producer_affine(x, sl.MulOp)
        if inner is None:
            return
        _, y, a = inner
        product = float_const(np.asarray(a, np.float64) * np.asarray(b, np.float64), "scale")
        new = sl.MulOp(y, product.result, op.result.type)
        rewriter.replace(op, [product, new])


class CollapseRepeatedAdd(RewritePattern):
    """`add(add(x, a), b) -> add(x, a+b)` when the outer add is float."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.AddOp, rewriter: PatternRewriter) -> None:
        outer = affine_parts(op)
        if outer is None or not is_float(op.result):
            return
        x, b, _ = outer
        inner = producer_affine(x, sl.AddOp)
        if inner is None:
            return
        _, y, a = inner
        total = float_const(np.asarray(a, np.float64) + np.asarray(b, np.float64), "bias")
        new = sl.AddOp(y, total.result, op.result.type)
        rewriter.replace(op, [total, new])


class RemoveIdentityAffine(RewritePattern):
    """`mul(x, 1)` and `add(x, 0)` whose result has x's type are x."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        parts = affine_parts(op)
        if parts is None:
            return
        x, c, _ = parts
        identity = 1 if isinstance(op, sl.MulOp) else 0
        if x.type != op.results[0].type or not np.all(c == identity):
            return
        if shape_of(x) != shape_of(op.results[0]):
            return
        rewriter.replace(op, [], [x])


def _integer_weight_affine(op: Operation) -> bool:
    """An integer weight times its scale (or plus a term) that a matmul uses as weights:
    `move_affine` pulls the scale out instead, keeping the weights integer."""
    if not isinstance(op, sl.MulOp | sl.AddOp):
        return False
    if not (is_int_const(op.x) or is_int_const(op.y)):
        return False
    return any(
        isinstance(use.operation, sl.MatMulOp | sl.DepthwiseMatMulOp) and use.index == 1
        for use in op.results[0].uses
    )


FOLDED_OPS = (sl.MulOp, sl.AddOp, sl.ReshapeOp, sl.TransposeOp)
"""The ops `FoldConstantOps` evaluates when all their operands are constants."""


class FoldConstantOps(RewritePattern):
    """Affine ops and data movement on constants become one constant holding what the
    reference semantics compute for them (`qdialects.semantics.fold.fold_op`)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, FOLDED_OPS) or _integer_weight_affine(op):
            return
        folded_results = fold_op(op)
        if folded_results is None:
            return
        (values,) = folded_results
        result = op.results[0]
        datatype = sl.element_datatype(result.type)
        if datatype is not None:
            folded = int_const(values, datatype)
        elif values.dtype == np.float32:
            folded = ConstantOp(dense_from_numpy(values), result.type)
        else:  # pragma: no cover - streamline results are integer or f32
            return
        assert folded.result.type == same_element_type(result, shape_of(result))
        rewriter.replace(op, [folded])
