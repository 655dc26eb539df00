"""Round float thresholds of a multithreshold whose input is an integer tensor.

For integer x: `x >= t` iff `x >= ceil(t)`, and `x > t` iff `x >= floor(t) + 1`. A
threshold within 1e-9 (relative) of an integer is first snapped to it: float64 noise
from scale arithmetic must not move a threshold that is exactly an integer. The results
are clipped to `[min - 1, max + 1]` of the input's range (any lower threshold is always
reached, any higher never) and stored as an integer `quant.constant` of the tightest
datatype; every comparison is then non-strict.

A NaN threshold (the model computes NaN, e.g. a BatchNormalization with an infinite or
NaN parameter: qonnx's quantizer then outputs NaN, which no integer can stand for) is a
`StreamlineError`; casting it would silently give an arbitrary integer. Infinite
thresholds are exact: they clip to `min - 1` (always counts) or `max + 1` (never).
"""

from __future__ import annotations

import numpy as np
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from passes.errors import StreamlineError
from passes.streamline.common import const, int_const, is_int, ssa_name, value_range
from qdialects import streamline as sl

SNAP = 1e-9


def round_thresholds(thresholds: np.ndarray, strict: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Integer thresholds equivalent to float `thresholds` for inputs in [lo, hi]."""
    t = thresholds.astype(np.float64)
    nearest = np.round(t)
    t = np.where(np.abs(t - nearest) <= SNAP * np.maximum(1.0, np.abs(t)), nearest, t)
    rounded = np.where(strict, np.floor(t) + 1, np.ceil(t))
    return np.clip(rounded, lo - 1, hi + 1).astype(np.int64)


class RoundThresholds(RewritePattern):
    """Float thresholds on an integer input become integer (non-strict) thresholds."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.MultiThresholdOp, rewriter: PatternRewriter) -> None:
        if not is_int(op.x) or is_int(op.thresholds):
            return
        thresholds, x_range = const(op.thresholds), value_range(op.x)
        if thresholds is None or x_range is None:
            return
        if np.isnan(thresholds).any():
            raise StreamlineError(
                f"streamline: the multithreshold on {ssa_name(op.x)} has NaN thresholds "
                f"({int(np.isnan(thresholds).sum())} of {thresholds.size}): the model "
                "computes NaN there (an infinite or NaN parameter, e.g. in a "
                "BatchNormalization), which has no integer form"
            )
        strict = np.asarray(op.strictness(), dtype=bool)
        t_op = int_const(round_thresholds(thresholds, strict, *x_range), name="thresholds")
        mt = sl.MultiThresholdOp(
            op.x,
            t_op.result,
            op.result.type,
            out_scale=op.out_scale.value.data,
            out_bias=op.out_bias.value.data,
        )
        rewriter.replace(op, [t_op, mt])
