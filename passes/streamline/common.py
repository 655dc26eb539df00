"""Helpers shared by the streamline pattern families: reading constant operands, building
constants and result types, and the shape rules (scalar / per-channel) the patterns use.

Every pattern replaces a value by one of exactly the same type, so the users of a
rewritten op never need re-typing; new integer ops inside a rewrite get the tightest
datatype of the exact range their verifier computes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import TensorType, f32
from xdsl.ir import Attribute, BlockArgument, Operation, OpResult, SSAValue

from qdialects import streamline as sl
from qdialects.quant import ConstantOp, constant_value
from qdialects.types import QDataType, element_datatype, smallest_datatype
from qdialects.utils import dense_from_numpy, shape_of

BIG = 1e300
"""A finite threshold no finite float input reaches (`inf` does not survive printing)."""


# --------------------------------------------------------------------------- constants


def const(value: SSAValue) -> np.ndarray | None:
    """The array a `quant.constant` operand holds (int64 or float), else None."""
    return constant_value(value)


def is_const(value: SSAValue) -> bool:
    return isinstance(value.owner, ConstantOp)


def is_int_const(value: SSAValue) -> bool:
    return is_const(value) and sl.is_integer_tensor(value)


def affine_parts(op: Operation) -> tuple[SSAValue, np.ndarray, SSAValue] | None:
    """For a `streamline.mul`/`streamline.add` with exactly one constant operand: the
    dynamic operand, the constant's array and the constant operand."""
    if not isinstance(op, sl.MulOp | sl.AddOp):
        return None
    x_const, y_const = const(op.x), const(op.y)
    if y_const is not None and x_const is None:
        return op.x, y_const, op.y
    if x_const is not None and y_const is None:
        return op.y, x_const, op.x
    return None


def producer_affine(
    value: SSAValue, kind: type[sl.MulOp] | type[sl.AddOp]
) -> tuple[sl.MulOp | sl.AddOp, SSAValue, np.ndarray] | None:
    """When `value` is the result of a `kind` op with one constant operand: (op, the
    dynamic operand, the constant array)."""
    owner = value.owner
    if not isinstance(owner, kind):
        return None
    parts = affine_parts(owner)
    if parts is None:
        return None
    return owner, parts[0], parts[1]


def named(op: ConstantOp, name: str | None) -> ConstantOp:
    """`op` with a name hint for its result (a rewrite otherwise names new constants after
    the value it replaces)."""
    if name is not None:
        op.result.name_hint = name
    return op


def float_const(array: np.ndarray, name: str | None = None) -> ConstantOp:
    """An f64 `quant.constant` (scales, biases, float thresholds)."""
    return named(ConstantOp(dense_from_numpy(np.asarray(array, dtype=np.float64))), name)


def int_const(
    array: np.ndarray, datatype: QDataType | None = None, name: str | None = None
) -> ConstantOp:
    """An integer `quant.constant` typed with `datatype` (default: the tightest one)."""
    values = np.asarray(array, dtype=np.int64)
    if datatype is None:
        datatype = (
            smallest_datatype(int(values.min()), int(values.max()))
            if values.size
            else smallest_datatype(0, 0)
        )
    dense = dense_from_numpy(values)
    return named(ConstantOp(dense, TensorType(datatype, list(values.shape))), name)


def integral(array: np.ndarray, tolerance: float = 0.0) -> bool:
    """Whether every element is (within `tolerance` relative) an integer."""
    values = np.asarray(array, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        return False
    nearest = np.round(values)
    return bool(np.all(np.abs(values - nearest) <= tolerance * np.maximum(1.0, np.abs(values))))


def constant_like(array: np.ndarray, integer: bool, name: str | None = None) -> ConstantOp:
    """An integer constant when `integer` and the values are integers, else f64."""
    if integer and integral(array):
        return int_const(np.round(array).astype(np.int64), name=name)
    return float_const(array, name)


# --------------------------------------------------------------------------- types


def f32_type(shape: Sequence[int]) -> TensorType:
    return TensorType(f32, list(shape))


def int_type(shape: Sequence[int], lo: int, hi: int) -> TensorType:
    return TensorType(smallest_datatype(lo, hi), list(shape))


def same_element_type(value: SSAValue, shape: Sequence[int]) -> TensorType:
    type_ = value.type
    assert isinstance(type_, TensorType)
    return TensorType(type_.element_type, list(shape))


def value_range(value: SSAValue) -> tuple[int, int] | None:
    return sl.value_range(value)


def affine_type(kind: type[sl.MulOp] | type[sl.AddOp], x: SSAValue, y: SSAValue) -> Attribute:
    """The result type of `kind(x, y)`: the tightest datatype of the range its verifier
    computes when both are integer, else f32."""
    shape = np.broadcast_shapes(shape_of(x), shape_of(y))
    a, b = value_range(x), value_range(y)
    if a is None or b is None:
        return f32_type(shape)
    if kind is sl.MulOp:
        products = [p * q for p in a for q in b]
        return int_type(shape, min(products), max(products))
    return int_type(shape, a[0] + b[0], a[1] + b[1])


def matmul_type(x: SSAValue, w: SSAValue, shape: Sequence[int]) -> Attribute | None:
    """Result type of an (integer when possible) matmul/dw_matmul of `x` by constant `w`;
    None when `x` and `w` are integer but `w` is not a constant (range unknown)."""
    x_range, weights = value_range(x), const(w)
    if x_range is None or not sl.is_integer_tensor(w):
        return f32_type(shape)
    if weights is None:
        return None
    lo, hi = sl.matmul_range(x_range, weights)
    return int_type(shape, lo, hi)


def is_float(value: SSAValue) -> bool:
    return sl.is_float_tensor(value)


def is_int(value: SSAValue) -> bool:
    return sl.is_integer_tensor(value)


def datatype(value: SSAValue) -> QDataType | None:
    return element_datatype(value.type)


# --------------------------------------------------------------------------- shapes


def channel_vector(array: np.ndarray, rank: int) -> np.ndarray | None:
    """The constant as a 1-D per-channel vector (length 1 for a scalar) when it
    broadcasts over a rank-`rank` tensor along the last axis only; else None."""
    if array.ndim > rank:
        return None
    if array.ndim == 0:
        return array.reshape(1)
    if any(d != 1 for d in array.shape[:-1]):
        return None
    return array.reshape(-1)


def compress(full: np.ndarray) -> np.ndarray | None:
    """A full-size constant as a scalar or a last-axis vector, if it is one."""
    flat = full.reshape(-1, full.shape[-1]) if full.ndim else full.reshape(1, 1)
    if flat.size == 0:
        return None
    row = flat[0]
    if not np.all(flat == row):
        return None
    if np.all(row == row[0]):
        return np.asarray(row[0])
    return row


def vector_or_scalar(vector: np.ndarray) -> np.ndarray:
    """A per-channel vector stored as a scalar when all its entries are equal."""
    if vector.size >= 1 and np.all(vector == vector.reshape(-1)[0]):
        return np.asarray(vector.reshape(-1)[0])
    return vector


# --------------------------------------------------------------------------- IR


def single_use(value: SSAValue) -> bool:
    return value.has_one_use()


def ssa_name(value: SSAValue) -> str:
    """A readable name for a value in a diagnostic."""
    if value.name_hint:
        return f"%{value.name_hint}"
    if isinstance(value, BlockArgument):
        return f"%arg{value.index}"
    if isinstance(value, OpResult):
        block = value.op.parent_block()
        index = 0
        if block is not None:
            for index, op in enumerate(block.ops):  # noqa: B007
                if op is value.op:
                    break
        return f"%<{value.op.name} #{index}>"
    return "%<value>"


def recreate(op: Operation, operands: Sequence[SSAValue], result_types: Sequence[Attribute]):
    """A copy of `op` (same properties and attributes) on new operands and result types."""
    return type(op).create(
        operands=list(operands),
        result_types=list(result_types),
        properties=dict(op.properties),
        attributes=dict(op.attributes),
    )
