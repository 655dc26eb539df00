"""Compile-time constants of the lowering: the array a value always holds when it is
computed from constants only."""

from __future__ import annotations

import numpy as np
from xdsl.ir import SSAValue

from qdialects import quant
from qdialects import streamline as sl
from qdialects.semantics import kernels
from qdialects.utils import ints, shape_of


def element_array(value: SSAValue) -> np.ndarray | None:
    owner = value.owner
    if isinstance(owner, quant.ConstantOp):
        return owner.numpy()
    return None


def fold_constant(value: SSAValue) -> np.ndarray | None:
    """The array `value` always holds when it is computed from constants only (quant
    constants, weight quantizers, and the streamline mul/add/reshape/transpose this pass
    emits for them), evaluated with the reference semantics; else None."""
    owner = value.owner
    if isinstance(owner, quant.ConstantOp):
        return owner.numpy()
    if isinstance(owner, quant.QuantOp | quant.BipolarQuantOp | sl.MulOp | sl.AddOp):
        args = [fold_constant(v) for v in owner.operands]
        if any(a is None for a in args):
            return None
        arrays = [a for a in args if a is not None]
        if isinstance(owner, quant.QuantOp):
            x, scale, zeropt, bitwidth = (np.asarray(a, dtype=np.float32) for a in arrays)
            return kernels.int_quant(
                x,
                scale,
                zeropt,
                bitwidth,
                signed=bool(owner.signed.value.data),
                narrow=bool(owner.narrow.value.data),
                mode=owner.rounding_mode.data,
            )[1]
        if isinstance(owner, quant.BipolarQuantOp):
            x, scale = (np.asarray(a, dtype=np.float32) for a in arrays)
            return kernels.bipolar_quant(x, scale)
        a, b = (a if a.dtype == np.int64 else a.astype(np.float64) for a in arrays)
        result = a * b if isinstance(owner, sl.MulOp) else a + b
        return result if sl.is_integer_tensor(owner.results[0]) else result.astype(np.float32)
    if isinstance(owner, sl.ReshapeOp | sl.TransposeOp):
        inner = fold_constant(owner.operands[0])
        if inner is None:
            return None
        if isinstance(owner, sl.ReshapeOp):
            return inner.reshape(shape_of(owner.result))
        return np.transpose(inner, ints(owner.perm))
    return None
