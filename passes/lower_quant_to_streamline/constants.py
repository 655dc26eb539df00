"""Compile-time constants of the lowering: the array a value always holds when it is
computed from constants only, folded through the reference semantics."""

from __future__ import annotations

import numpy as np
from xdsl.ir import SSAValue

from qdialects import quant
from qdialects import streamline as sl
from qdialects.semantics.fold import fold_value

FOLDED_OPS = (
    quant.QuantOp,
    quant.BipolarQuantOp,
    sl.MulOp,
    sl.AddOp,
    sl.ReshapeOp,
    sl.TransposeOp,
)
"""What a compile-time constant may be computed with: weight quantizers, and the streamline
mul/add/reshape/transpose this pass emits for them."""


def fold_constant(value: SSAValue) -> np.ndarray | None:
    """The array `value` always holds when it is computed from constants only through
    `FOLDED_OPS`, evaluated with the reference semantics; else None."""
    return fold_value(value, FOLDED_OPS)
