"""Absorb constant adds and muls into the thresholds of the multithreshold they feed.

With `cmp_i` the per-index comparison (`>=`, or `>` where `strict[i]`):
- `mt(x + a)`: `cmp_i(x + a, t) = cmp_i(x, t - a)`: thresholds `T - a` (a scalar or per
  channel; integer thresholds stay integer when a is an integer constant).
- `mt(x * m)`, every m > 0: `cmp_i(m x, t) = cmp_i(x, t / m)`: thresholds `T / m`.
- every m < 0: `[m x >= t] = [x <= t/m] = 1 - [x > t/m]` (and `[m x > t] = 1 - [x >= t/m]`):
  thresholds `T / m` with every index's strictness flipped, and the count becomes
  `N - count`, so `out_scale -> -out_scale`, `out_bias -> out_bias + out_scale * N`.
- m == 0 in a channel: that channel compares the constant 0, so each of its thresholds is
  replaced by one every finite input reaches (`-BIG`) or none does (`+BIG`) (rounding
  later clips them to the input's range).
Mixed-sign m are left to `sign.PushSignIntoWeights` (or reported by the final check).
"""

from __future__ import annotations

import numpy as np
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from passes.streamline.common import (
    BIG,
    affine_parts,
    channel_vector,
    const,
    constant_like,
    float_const,
    is_int,
)
from qdialects import streamline as sl
from qdialects.utils import shape_of


def _absorbable(op: sl.MultiThresholdOp, kind: type[sl.MulOp] | type[sl.AddOp]):
    """(x, per-channel column of the constant, thresholds) when `op`'s input is a `kind`
    op by a scalar/per-channel constant, with constant thresholds."""
    source = op.x.owner
    if not isinstance(source, kind):
        return None
    parts = affine_parts(source)
    thresholds = const(op.thresholds)
    if parts is None or thresholds is None:
        return None
    x, c, c_value = parts
    if shape_of(x) != shape_of(op.x):
        return None
    vector = channel_vector(c, len(shape_of(op.x)))
    if vector is None or vector.size not in (1, shape_of(op.x)[-1]):
        return None
    return x, vector.reshape(-1, 1), thresholds, c_value


class AbsorbAddIntoThresholds(RewritePattern):
    """`mt(x + a, T) -> mt(x, T - a)`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.MultiThresholdOp, rewriter: PatternRewriter) -> None:
        found = _absorbable(op, sl.AddOp)
        if found is None:
            return
        x, a, thresholds, a_value = found
        integer = is_int(op.thresholds) and is_int(a_value)
        if integer:
            new = thresholds - a.astype(np.int64)
        else:
            new = thresholds.astype(np.float64) - a.astype(np.float64)
        t_op = constant_like(new, integer, "thresholds")
        mt = sl.MultiThresholdOp(
            x,
            t_op.result,
            op.result.type,
            out_scale=op.out_scale.value.data,
            out_bias=op.out_bias.value.data,
            strict=op.strictness(),
        )
        rewriter.replace(op, [t_op, mt])


class AbsorbMulIntoThresholds(RewritePattern):
    """`mt(x * m, T) -> mt(x, T / m)` for m all positive, all negative (flipping the
    comparisons and the count) or zero in some channels; never for mixed signs."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.MultiThresholdOp, rewriter: PatternRewriter) -> None:
        found = _absorbable(op, sl.MulOp)
        if found is None:
            return
        x, m, thresholds, _ = found
        m = m.astype(np.float64)
        negative = bool(np.any(m < 0))
        if negative and bool(np.any(m > 0)):
            return
        t = thresholds.astype(np.float64)
        strict = np.asarray(op.strictness(), dtype=bool)
        zero = m == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            new = t / np.where(zero, 1.0, m)
        if np.any(zero):
            reached = np.where(strict, t < 0, t <= 0)  # cmp_i(0, t)
            # after a flip the count is N - count': reach exactly what 0 did not
            always = ~reached if negative else reached
            constant = np.where(always, -BIG, BIG)
            new = np.where(zero, constant, new)
        scale, bias = op.out_scale.value.data, op.out_bias.value.data
        if negative:
            strict = ~strict
            scale, bias = -scale, bias + scale * op.num_thresholds
        t_op = float_const(new, "thresholds")
        mt = sl.MultiThresholdOp(
            x,
            t_op.result,
            op.result.type,
            out_scale=scale,
            out_bias=bias,
            strict=[int(s) for s in strict],
        )
        rewriter.replace(op, [t_op, mt])
