"""Constant folding through the reference semantics, as xDSL's `constant-fold-interp` does.

An op whose operands are constants is evaluated by its dialect's interpreter
implementation (`qdialects.semantics.<dialect>`), so a folded constant holds exactly what
executing the module computes, in the numpy dtype of the result type (int64 for integer
and QONNX-datatype tensors, float32 for f32, float64 for f64). The passes that fold
(`lower-quant-to-streamline` reading weights, `streamline`'s `FoldConstantOps`) use these
functions and no arithmetic of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.interpreter import Interpreter
from xdsl.ir import Operation, OpResult, SSAValue

from qdialects import quant
from qdialects.semantics import make_interpreter


@cache
def _interpreter() -> Interpreter:
    """One interpreter with every dialect's implementations; evaluating a single op does
    not read the module it was made for."""
    return make_interpreter(ModuleOp([]))


def evaluate(op: Operation, args: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    """The results of `op` applied to the operand values `args` (its `@impl`)."""
    return tuple(np.asarray(result) for result in _interpreter().run_op(op, tuple(args)))


def fold_value(value: SSAValue, through: tuple[type[Operation], ...]) -> np.ndarray | None:
    """The array `value` always holds when it is computed from `quant.constant`s only, through
    ops of the types `through`, each evaluated by `evaluate`; else None."""
    if not isinstance(value, OpResult):
        return None
    owner = value.op
    if isinstance(owner, quant.ConstantOp):
        return evaluate(owner, ())[0]
    if not isinstance(owner, through):
        return None
    args: list[np.ndarray] = []
    for operand in owner.operands:
        array = fold_value(operand, through)
        if array is None:
            return None
        args.append(array)
    return evaluate(owner, args)[value.index]


def fold_op(op: Operation) -> tuple[np.ndarray, ...] | None:
    """The results of `op` when every operand is a `quant.constant`, else None."""
    args: list[np.ndarray] = []
    for operand in op.operands:
        array = fold_value(operand, ())
        if array is None:
            return None
        args.append(array)
    return evaluate(op, args)
