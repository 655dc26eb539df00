"""Checking the inputs of a module's entry function before executing it.

Shared by `qnn-run` and `--verify-each`, so both accept and reject the same arrays with
the same one-line messages (`ExecutionError`, a user error for the tools).
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import AnyFloat, IntegerType, ModuleOp, TensorType
from xdsl.dialects.func import FuncOp
from xdsl.ir import Attribute

from qdialects.types import QDataType


class ExecutionError(Exception):
    """A module could not be executed on the given inputs (wrong arity, shape, ...)."""


def entry_function(module: ModuleOp, name: str) -> FuncOp:
    for op in module.walk():
        if isinstance(op, FuncOp) and op.sym_name.data == name:
            return op
    raise ExecutionError(f"the module has no function @{name}")


def argument_labels(function: FuncOp) -> list[str]:
    """How messages name each argument: `#0 %global_in` (or `#0` without a name)."""
    return [
        f"#{i} %{arg.name_hint}" if arg.name_hint else f"#{i}"
        for i, arg in enumerate(function.args)
    ]


def _describe_type(type_: Attribute) -> str:
    if isinstance(type_, TensorType):
        shape = "x".join(str(d) for d in type_.get_shape())
        return f"tensor<{shape}{'x' if shape else ''}{type_.element_type}>"
    return str(type_)


def check_input(label: str, array: np.ndarray, type_: Attribute, source: str) -> np.ndarray:
    """`array` converted for the argument `label` of type `type_`, or a one-line ExecutionError."""
    index = f"{label} ({source})"
    if not isinstance(type_, TensorType):
        raise ExecutionError(
            f"argument {index} has type {type_}; only tensor arguments are supported"
        )
    expected = tuple(type_.get_shape())
    if array.shape != expected:
        raise ExecutionError(
            f"argument {index}: expected shape {expected} "
            f"({_describe_type(type_)}), got {array.shape}"
        )
    element = type_.element_type
    if isinstance(element, AnyFloat):
        if array.dtype.kind != "f":
            raise ExecutionError(
                f"argument {index}: expected a float array for "
                f"{_describe_type(type_)}, got dtype {array.dtype}"
            )
        return array.astype(np.float32)
    if isinstance(element, IntegerType | QDataType):
        if array.dtype.kind not in "iub" and not (
            array.dtype.kind == "f" and bool(np.all(np.round(array) == array))
        ):
            raise ExecutionError(
                f"argument {index}: expected integers for "
                f"{_describe_type(type_)}, got dtype {array.dtype}"
            )
        values = array.astype(np.int64)
        if isinstance(element, QDataType) and not element.allows(values):
            raise ExecutionError(
                f"argument {index}: values [{values.min()}, {values.max()}] do not fit {element}"
            )
        return values
    raise ExecutionError(f"argument {index} has unsupported element type {element}")


def non_finite(array: np.ndarray) -> str | None:
    """What is not finite in `array`, e.g. `2 NaN and 1 +Inf (the first at index (0, 3))`;
    None when every element is finite (always for integer arrays). Named as the likely
    reason when results disagree: quantized integers have no NaN or Inf, so the integer
    levels cannot carry them as the float reference does."""
    values = np.asarray(array)
    if values.dtype.kind not in "fc":
        return None
    bad = ~np.isfinite(values)
    if not bad.any():
        return None
    counts = [
        (int(np.count_nonzero(mask)), kind)
        for mask, kind in (
            (np.isnan(values), "NaN"),
            (np.isposinf(values), "+Inf"),
            (np.isneginf(values), "-Inf"),
        )
    ]
    listed = " and ".join(f"{n} {kind}" for n, kind in counts if n)
    first = tuple(int(i) for i in np.unravel_index(int(np.argmax(bad)), values.shape))
    return f"{listed} (the first at index {first})"
