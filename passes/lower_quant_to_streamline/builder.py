"""The emitter every pattern of `lower-quant-to-streamline` uses: `Emitter` collects the
`streamline` ops replacing one `quant` op (names, locations, layout transposes, typed
arithmetic, multithresholds); the helpers here lay constants out for the NHWC form and
read an `integer * scale` value; `fail` makes the one-line `LoweringError`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import NameLoc, TensorType, f32
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter

from passes.errors import LoweringError
from passes.quantizer_thresholds import Staircase
from qdialects import quant
from qdialects import streamline as sl
from qdialects.quant import constant_value
from qdialects.types import QDataType, smallest_datatype
from qdialects.utils import dense_from_numpy, i64_array, ints, shape_of

TO_NHWC = (0, 2, 3, 1)
TO_NCHW = (0, 3, 1, 2)
MAX_THRESHOLDS = (1 << 16) - 1
"""The most thresholds per channel an activation quantizer lowers to (16 bits)."""

# --------------------------------------------------------------------------- errors


def label(op: Operation) -> str:
    """`quant.relu 'Relu_0'`: the op and its ONNX node name (the importer keeps it as the
    op's `NameLoc`), else `quant.relu %Relu_0_out0`, the name of its first result (the
    ONNX output tensor's)."""
    if isinstance(op.location, NameLoc) and op.location.desc.data:
        return f"{op.name} '{op.location.desc.data}'"
    if op.results and op.results[0].name_hint:
        return f"{op.name} %{op.results[0].name_hint}"
    return op.name


def fail(op: Operation, reason: str) -> LoweringError:
    return LoweringError(f"{label(op)}: {reason}")


# --------------------------------------------------------------------------- emitting


class Emitter:
    """Collects the streamline ops that replace one quant op."""

    def __init__(self, op: Operation):
        self.op = op
        self.ops: list[Operation] = []
        self.base = op.results[0].name_hint if op.results and op.results[0].name_hint else None

    def add(self, op: Operation, hint: str) -> SSAValue:
        """Append `op`; its result is named `<replaced op's result>_<hint>` and it keeps
        the replaced op's location (the ONNX node)."""
        op.location = self.op.location
        self.ops.append(op)
        for result in op.results:
            if self.base:
                result.name_hint = f"{self.base}_{hint}"
        return op.results[0]

    def replace(self, rewriter: PatternRewriter, results: Sequence[SSAValue]) -> None:
        """Replace the op; new results take over the replaced results' names."""
        for old, new in zip(self.op.results, results, strict=True):
            if new.owner in self.ops and old.name_hint:
                new.name_hint = old.name_hint
        rewriter.replace(self.op, self.ops, list(results))

    def constant(
        self, array: np.ndarray, datatype: QDataType | None = None, hint: str = "c"
    ) -> SSAValue:
        """A `quant.constant`: f64 for float data, the QONNX `datatype` (default: the
        tightest) for integer data."""
        array = np.asarray(array)
        if array.dtype.kind == "f":
            op = quant.ConstantOp(dense_from_numpy(array.astype(np.float64)))
        else:
            values = array.astype(np.int64)
            lo, hi = (int(values.min()), int(values.max())) if values.size else (0, 0)
            datatype = datatype or smallest_datatype(lo, hi)
            op = quant.ConstantOp(
                dense_from_numpy(values), TensorType(datatype, list(values.shape))
            )
        return self.add(op, hint)

    # ------------------------------------------------------------------ data movement

    def transpose(self, x: SSAValue, perm: Sequence[int]) -> SSAValue:
        owner = x.owner
        if isinstance(owner, sl.TransposeOp):
            inner = ints(owner.perm)
            composed = [inner[p] for p in perm]
            if composed == list(range(len(perm))):
                return owner.x
        for use in x.uses:  # reuse an equal transpose already before the replaced op
            user = use.operation
            if (
                isinstance(user, sl.TransposeOp)
                and ints(user.perm) == tuple(perm)
                and (
                    any(user is emitted for emitted in self.ops)
                    or (user.parent is self.op.parent and user.is_before_in_block(self.op))
                )
            ):
                return user.result
        x_type = x.type
        assert isinstance(x_type, TensorType)
        shape = shape_of(x)
        result_type = TensorType(x_type.element_type, [shape[p] for p in perm])
        return self.add(
            sl.TransposeOp(
                operands=[x], properties={"perm": i64_array(perm)}, result_types=[result_type]
            ),
            "nhwc" if tuple(perm) == TO_NHWC else "t",
        )

    def to_nhwc(self, x: SSAValue) -> SSAValue:
        return self.transpose(x, TO_NHWC)

    def to_nchw(self, x: SSAValue) -> SSAValue:
        return self.transpose(x, TO_NCHW)

    def reshape(self, x: SSAValue, shape: Sequence[int]) -> SSAValue:
        """A reshape; through a transpose that only moves size-1 axes (same element
        order), the transpose's input is reshaped instead."""
        if tuple(shape_of(x)) == tuple(shape):
            return x
        owner = x.owner
        if isinstance(owner, sl.TransposeOp):
            inner_shape = shape_of(owner.x)
            order = [p for p in ints(owner.perm) if inner_shape[p] != 1]
            if order == sorted(order):
                x = owner.x
        x_type = x.type
        assert isinstance(x_type, TensorType)
        return self.add(sl.ReshapeOp(x, TensorType(x_type.element_type, list(shape))), "r")

    # ------------------------------------------------------------------ arithmetic

    def binary(self, kind: type[sl.AffineOp], x: SSAValue, y: SSAValue) -> SSAValue:
        shape = np.broadcast_shapes(shape_of(x), shape_of(y))
        a, b = sl.value_range(x), sl.value_range(y)
        if a is not None and b is not None:
            if kind is sl.MulOp:
                products = [p * q for p in a for q in b]
                lo, hi = min(products), max(products)
            else:
                lo, hi = a[0] + b[0], a[1] + b[1]
            result_type: Attribute = TensorType(smallest_datatype(lo, hi), list(shape))
        else:
            result_type = TensorType(f32, list(shape))
        return self.add(kind(x, y, result_type), "mul" if kind is sl.MulOp else "add")

    def mul(self, x: SSAValue, factor: np.ndarray | float) -> SSAValue:
        """`x * factor` (a float constant, f64), omitted when the factor is exactly 1."""
        factor = np.asarray(factor, dtype=np.float64)
        if (
            np.all(factor == 1)
            and not sl.is_integer_tensor(x)
            and np.broadcast_shapes(shape_of(x), factor.shape) == shape_of(x)
        ):
            return x
        return self.binary(sl.MulOp, x, self.constant(compact(factor), hint="scale"))

    def scale(self, x: SSAValue, factor: np.ndarray | float) -> SSAValue:
        """`x * factor` as a float result, even for a factor of 1 (integer -> float)."""
        factor = np.asarray(factor, dtype=np.float64)
        return self.binary(sl.MulOp, x, self.constant(compact(factor), hint="scale"))

    def bias(self, x: SSAValue, term: np.ndarray | float) -> SSAValue:
        """`x + term`: an integer constant when `term` is integer-valued and `x` integer,
        else f64; omitted when the term is exactly 0."""
        term = np.asarray(term, dtype=np.float64)
        if np.all(term == 0) and np.broadcast_shapes(shape_of(x), term.shape) == shape_of(x):
            return x
        term = compact(term)
        integer = np.all(np.round(term) == term) and np.all(np.abs(term) <= 2.0**62)
        if sl.is_integer_tensor(x) and integer:  # (a huge term would overflow int64)
            return self.binary(sl.AddOp, x, self.constant(term.astype(np.int64), hint="bias"))
        return self.binary(sl.AddOp, x, self.constant(term, hint="bias"))

    def multithreshold(
        self,
        x: SSAValue,
        staircase: Staircase,
        datatype: QDataType,
        *,
        out_scale: int = 1,
        out_bias: int | None = None,
    ) -> SSAValue:
        if staircase.thresholds.shape[1] > MAX_THRESHOLDS:
            raise fail(
                self.op,
                f"{staircase.thresholds.shape[1]} thresholds per channel exceed the "
                f"supported {MAX_THRESHOLDS}",
            )
        thresholds = self.constant(
            np.ascontiguousarray(staircase.thresholds, np.float64), hint="thr"
        )
        result_type = TensorType(datatype, list(shape_of(x)))
        op = sl.MultiThresholdOp(
            x,
            thresholds,
            result_type,
            out_scale=out_scale,
            out_bias=staircase.out_bias if out_bias is None else out_bias,
            strict=staircase.strict,
        )
        return self.add(op, "int")


def compact(array: np.ndarray) -> np.ndarray:
    """A constant with a single distinct value becomes a rank-0 scalar."""
    if array.size >= 1 and np.all(array == array.reshape(-1)[0]):
        return np.asarray(array.reshape(-1)[0], dtype=array.dtype)
    return array


def nhwc_constant(array: np.ndarray, rank: int) -> np.ndarray:
    """A constant broadcasting against an NCHW operand of `rank`, for the NHWC operand."""
    array = np.asarray(array)
    if array.size == 1:
        return array.reshape(())
    if rank != 4:
        return array
    full = array.reshape((1,) * (4 - array.ndim) + array.shape)
    return np.transpose(full, TO_NHWC)


def channel_vector(op: Operation, array: np.ndarray, x_shape: Sequence[int], what: str):
    """A quantizer parameter as a per-channel vector (length 1 or C) for the lowered
    layout (channels last: NHWC for 4-D, else the last axis), or an error."""
    array = np.asarray(array, dtype=np.float64)
    if array.size == 1:
        return array.reshape(1)
    rank = len(x_shape)
    full = array.reshape((1,) * (rank - array.ndim) + array.shape)
    if rank == 4:
        full = np.transpose(full, TO_NHWC)
    if any(d != 1 for d in full.shape[:-1]):
        raise fail(op, f"{what} of shape {array.shape} varies along a non-channel axis")
    return full.reshape(-1)


def integer_and_scale(x: SSAValue, *, allow_vector: bool = False) -> tuple[SSAValue, np.ndarray]:
    """`x` as `integer * scale` when it is a `streamline.mul` of an integer tensor by a
    constant (a scalar, or with `allow_vector` a channels-last vector); else `(x, 1)`."""
    owner = x.owner
    if isinstance(owner, sl.MulOp) and sl.is_integer_tensor(owner.x):
        scale = constant_value(owner.y)
        if scale is not None and scale.dtype.kind == "f":
            if scale.size == 1:
                return owner.x, scale.reshape(())
            if allow_vector and all(d == 1 for d in scale.shape[:-1]):
                return owner.x, scale
    return x, np.asarray(1.0)


def lowered_vector(vector: np.ndarray, rank: int) -> np.ndarray:
    """A per-channel vector as a constant broadcasting on the last axis of a rank-`rank`
    tensor (a scalar when it has one element)."""
    vector = np.asarray(vector, dtype=np.float64).reshape(-1)
    if vector.size == 1:
        return vector.reshape(())
    return vector.reshape((1,) * (rank - 1) + (vector.size,))


def as_float(emit: Emitter, value: SSAValue, type_: Attribute) -> SSAValue:
    """`value` as the float tensor the replaced op produced (a mul by 1 if integer)."""
    if value.type == type_:
        return value
    return emit.scale(value, 1.0)
