"""Absorb a final affine op into a TopK whose values are unused.

The order of `x * s` (s > 0 a scalar) and of `x + a` (a a scalar) is the order of x,
ties included, so a TopK that only reports indices (the predicted class) can take x.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import TensorType
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from passes.streamline.common import affine_parts, recreate, same_element_type
from qdialects import streamline as sl
from qdialects.utils import shape_of


class AbsorbAffineIntoTopK(RewritePattern):
    """`topk(x * s)` (scalar s > 0) and `topk(x + a)` (scalar a) -> `topk(x)` when only
    the indices are used."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.TopKOp, rewriter: PatternRewriter) -> None:
        if op.values.uses:
            return
        source = op.x.owner
        if not isinstance(source, sl.MulOp | sl.AddOp):
            return
        parts = affine_parts(source)
        if parts is None:
            return
        x, c, _ = parts
        if c.size != 1 or shape_of(x) != shape_of(op.x):
            return
        if isinstance(source, sl.MulOp) and not float(np.asarray(c).reshape(-1)[0]) > 0:
            return
        indices_type = op.indices.type
        assert isinstance(indices_type, TensorType)
        new = recreate(op, [x], [same_element_type(x, shape_of(op.values)), indices_type])
        rewriter.replace(op, [new], [new.results[0], new.results[1]])
