"""Layout patterns. Absorb the NHWC -> NCHW transpose before a flatten into the weights
of the matmul that consumes the flattened vector; move a shared multithreshold before a
depth-to-space.

`matmul(reshape(transpose(x, [0, 3, 1, 2])), W)` flattens `x` (N x H x W x C) in NCHW
order, row `c*H*W + h*W + w`. Flattening x directly gives row `(h*W + w)*C + c`, so
permuting W's rows the same way gives the same product without the transpose.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import TensorType
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from passes.streamline.common import const, recreate, same_element_type
from qdialects import streamline as sl
from qdialects.quant import ConstantOp
from qdialects.utils import dense_from_numpy, ints, shape_of


class AbsorbTransposeIntoWeights(RewritePattern):
    """`matmul(reshape(transpose(x, NHWC->NCHW)), W) -> matmul(reshape(x), W[rows])`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.MatMulOp, rewriter: PatternRewriter) -> None:
        reshape = op.x.owner
        weights = const(op.w)
        if not isinstance(reshape, sl.ReshapeOp) or weights is None:
            return
        transpose = reshape.x.owner
        if not isinstance(transpose, sl.TransposeOp) or ints(transpose.perm) != (0, 3, 1, 2):
            return
        n, h, w, c = shape_of(transpose.x)
        if shape_of(reshape.result) != (n, c * h * w):
            return
        # row of NHWC-flat position (h, w, c) in the NCHW-flat weights
        rows = np.arange(c * h * w).reshape(c, h, w).transpose(1, 2, 0).reshape(-1)
        permuted = np.ascontiguousarray(weights[rows])
        w_type = op.w.type
        assert isinstance(w_type, TensorType)
        w_op = ConstantOp(dense_from_numpy(permuted), w_type)
        flat = sl.ReshapeOp(transpose.x, same_element_type(transpose.x, (n, h * w * c)))
        matmul = sl.MatMulOp(flat.result, w_op.result, op.result.type)
        rewriter.replace(op, [w_op, flat, matmul])


class CollapseReshapes(RewritePattern):
    """`reshape(reshape(x))` is `reshape(x)`, and a reshape to `x`'s own shape is `x`
    (FINN-stage graphs wrap each BatchNormalization in Unsqueeze/Squeeze: once the
    batchnorm is absorbed, the pair is the identity)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.ReshapeOp, rewriter: PatternRewriter) -> None:
        inner = op.x.owner
        source = inner.x if isinstance(inner, sl.ReshapeOp) else op.x
        if shape_of(source) == shape_of(op.result) and source.type == op.result.type:
            rewriter.replace(op, [], [source])
        elif source is not op.x:
            rewriter.replace(op, sl.ReshapeOp(source, op.result.type))


class MoveThresholdsBeforeDepthToSpace(RewritePattern):
    """`multithreshold(depth_to_space(x), T) -> depth_to_space(multithreshold(x, T))` for
    thresholds T shared by all channels (1 x N): elementwise with one staircase, it
    commutes with any rearrangement. Done for depth-to-space only, whose per-channel
    scales before it become per-position ones after it (so cannot move down past it):
    before it they are absorbed into the thresholds."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.MultiThresholdOp, rewriter: PatternRewriter) -> None:
        d2s = op.x.owner
        if not isinstance(d2s, sl.DepthToSpaceOp) or shape_of(op.thresholds)[0] != 1:
            return
        if sum(1 for _ in d2s.result.uses) != 1:
            return
        thresholds = recreate(
            op, [d2s.x, op.thresholds], [same_element_type(op.result, shape_of(d2s.x))]
        )
        moved = recreate(d2s, [thresholds.results[0]], [op.result.type])
        rewriter.replace(op, [thresholds, moved])
        rewriter.erase(d2s)
