"""`streamline`: make the body of a streamline-dialect module integer-only.

FINN's streamlining recipe as greedy rewrite patterns, one family per module:

- `move_affine`: move float muls/adds by constants past matmul, dw_matmul, im2col,
  maxpool, sum_pool, global_sum, reshape, transpose, upsample, slice and concat; add
  past mul;
- `collapse`: merge repeated muls/adds, fold affine ops on constants, drop identities;
- `absorb_thresholds`: absorb adds and muls into multithreshold thresholds;
- `sign`: push negative per-channel scales into integer weight columns;
- `round_thresholds`: float thresholds on integer inputs become integer thresholds;
- `residual`: bring both operands of a residual add onto one scale;
- `layout`: absorb the NHWC->NCHW transpose before a flatten into the next weights;
  move a shared multithreshold before a depth-to-space;
- `topk`: absorb a final positive scale / offset into an indices-only TopK;
- `bipolar`: bipolar matmuls in XNOR-popcount form (a second phase, once the float
  scales are gone, so a sign can still be pushed into bipolar weights first);
- `check`: the final integer-only check (`StreamlineError` naming the op and why).

Each phase is applied to a fixpoint; every rewrite preserves the function (see
`test/unit/test_streamline.py`, which executes modules before and after).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriteWalker,
    RewritePattern,
)

from passes.levels import Level, require_level
from passes.streamline.absorb_thresholds import AbsorbAddIntoThresholds, AbsorbMulIntoThresholds
from passes.streamline.bipolar import BipolarMatMulToXnorPopcount
from passes.streamline.check import check_integer_only
from passes.streamline.collapse import (
    CollapseRepeatedAdd,
    CollapseRepeatedMul,
    FoldConstantOps,
    RemoveIdentityAffine,
)
from passes.streamline.layout import (
    AbsorbTransposeIntoWeights,
    CollapseReshapes,
    MoveThresholdsBeforeDepthToSpace,
)
from passes.streamline.move_affine import (
    MoveAddPastMatMul,
    MoveAddPastMul,
    MoveAffinePastConcat,
    MoveAffinePastWindow,
    MoveChannelScaleIntoWeights,
    MoveMulPastMatMul,
    MoveWeightScalePastMatMul,
)
from passes.streamline.residual import JoinOnOneScale, MoveBiasPastJoin
from passes.streamline.round_thresholds import RoundThresholds
from passes.streamline.sign import PushSignIntoWeights
from passes.streamline.topk import AbsorbAffineIntoTopK


def streamline_patterns() -> list[RewritePattern]:
    """The first phase: move, collapse and absorb every float scale and bias."""
    return [
        FoldConstantOps(),
        RemoveIdentityAffine(),
        MoveWeightScalePastMatMul(),
        AbsorbTransposeIntoWeights(),
        CollapseReshapes(),
        MoveThresholdsBeforeDepthToSpace(),
        MoveMulPastMatMul(),
        MoveChannelScaleIntoWeights(),
        MoveAddPastMatMul(),
        MoveAffinePastWindow(),
        MoveAffinePastConcat(),
        PushSignIntoWeights(),
        CollapseRepeatedMul(),
        CollapseRepeatedAdd(),
        MoveAddPastMul(),
        MoveBiasPastJoin(),
        JoinOnOneScale(),
        AbsorbAddIntoThresholds(),
        AbsorbMulIntoThresholds(),
        RoundThresholds(),
        AbsorbAffineIntoTopK(),
    ]


def apply_patterns(module: ModuleOp, patterns: list[RewritePattern]) -> None:
    PatternRewriteWalker(GreedyRewritePatternApplier(patterns)).rewrite_module(module)


@dataclass(frozen=True)
class StreamlinePass(ModulePass):
    """Move, collapse and absorb float scales and biases until the body is integer-only;
    raises `StreamlineError` when a float op remains between integer tensors."""

    name = "streamline"

    check: bool = True
    """Run the final integer-only check (`check=false` to inspect what remains)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        require_level(op, self.name, Level.STREAMLINE)
        apply_patterns(op, streamline_patterns())
        apply_patterns(op, [BipolarMatMulToXnorPopcount(), *streamline_patterns()])
        op.verify()
        if self.check:
            check_integer_only(op)
