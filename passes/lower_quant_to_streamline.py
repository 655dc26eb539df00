"""`lower-quant-to-streamline`: the QONNX-level `quant` graph as integer NHWC `streamline` ops.

Design: every pattern replaces one quant op by streamline ops computing the same function
with the *same result type* (NCHW, f32). Layout changes are explicit and local: a 4-D op is
computed in NHWC between a `streamline.transpose` to NHWC (perm [0,2,3,1]) and one back
(perm [0,3,1,2]); a transpose whose input is the opposite transpose is never emitted (the
value before it is reused) and `ComposeTransposes` merges the rest, so after the walk the
transposes left are one at the graph input (float, at the edge) and one before each
flattening of a 4-D tensor (exact element order; the streamline pass absorbs it into the
next matmul's weights). Because each rewrite preserves types and function, the order the
walker visits ops in does not matter for correctness, and the function signature is the
imported one.

What each op becomes (see the pattern docstrings):
- weight quantizers (constant input) fold to an integer `quant.constant` typed with the
  quantizer's datatype times `streamline.mul` by the scale;
- activation quantizers become `streamline.multithreshold` (+ `add(-zeropt)`) + `mul(scale)`
  with exact tie handling (`passes.quantizer_thresholds`); `Relu` before an unsigned
  quantizer is dropped;
- MatMul/Gemm/Conv read their (folded) weights at compile time: the integer weight matrix
  in `K x M` layout goes into `streamline.matmul` / `dw_matmul` (after `im2col` for
  convolutions) and the weight scale, per output channel, becomes one `streamline.mul` by
  a row after it. When the activation is `mul(integer, scalar)` its scale joins that row,
  so the product is integer with the exact, tight accumulator datatype.

Every failure is a `passes.errors.LoweringError` with a one-line message naming the op
(`quant.relu %Relu_0_out0: ...`, the SSA name being the ONNX output tensor's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import (
    IntegerAttr,
    ModuleOp,
    NameLoc,
    TensorType,
    f32,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from passes.errors import LoweringError
from passes.quantizer_thresholds import (
    Staircase,
    TieParityError,
    bipolar_staircase,
    int_range,
    normalize_rounding_mode,
    quant_staircase,
    round_value,
    trunc_staircase,
)
from qdialects import quant
from qdialects import streamline as sl
from qdialects.semantics import kernels
from qdialects.types import (
    MAX_INT_BITS,
    BipolarType,
    QDataType,
    element_datatype,
    smallest_datatype,
)
from qdialects.utils import dense_from_numpy, i64_array, ints, shape_of

TO_NHWC = (0, 2, 3, 1)
TO_NCHW = (0, 3, 1, 2)
MAX_THRESHOLDS = 1 << 16
"""Most thresholds per channel an activation quantizer may need (a 16-bit quantizer)."""


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


# --------------------------------------------------------------------------- constants


def _element_array(value: SSAValue) -> np.ndarray | None:
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


@dataclass
class Weight:
    """A weight operand read at compile time: `ints * scale` (integer weights from a
    quantizer, `datatype` their QONNX type, `scale` broadcast to their shape) or `floats`."""

    ints: np.ndarray | None
    datatype: QDataType | None
    scale: np.ndarray | None
    floats: np.ndarray

    def output_channel_scale(self, axis: int) -> np.ndarray | None:
        """The scale as a vector along `axis` when it is constant along every other axis
        (per-tensor or per-output-channel); None otherwise."""
        assert self.scale is not None
        moved = np.moveaxis(self.scale, axis, 0).reshape(self.scale.shape[axis], -1)
        if not np.all(moved == moved[:, :1]):
            return None
        return moved[:, 0]


def _quantizer_params(op: quant.QuantOp) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    params = [_element_array(v) for v in (op.scale, op.zeropt, op.bitwidth)]
    if any(p is None for p in params):
        return None
    scale, zeropt, bitwidth = (np.asarray(p, dtype=np.float64) for p in params if p is not None)
    return scale, zeropt, bitwidth


def quantizer_datatype(signed: bool, narrow: bool, bitwidth: int) -> QDataType:
    """The tightest QONNX type of a quantizer's range: bipolar for signed 1 bit, else
    `int<b>`/`uint<b>` (narrow ranges keep their width: {-1, 0, 1} is `int<2>`)."""
    if signed and bitwidth == 1:
        return BipolarType()
    return width_datatype(signed, bitwidth)


def width_datatype(signed: bool, bitwidth: int) -> QDataType:
    """`!quant.int<bitwidth>` or `!quant.uint<bitwidth>`."""
    if signed:
        return smallest_datatype(-(1 << (bitwidth - 1)), (1 << (bitwidth - 1)) - 1)
    return smallest_datatype(0, (1 << bitwidth) - 1)


def read_weight(value: SSAValue, user: Operation) -> Weight | None:
    """`value` as a compile-time weight, or None when it is not computed from constants.

    Recognizes a float constant, a quantizer of a constant (folded here) and the
    `mul(integer constant, scale)` that `LowerQuant` folds a weight quantizer into.
    A weight quantizer with a non-zero zero-point is an error.
    """
    owner = value.owner
    if isinstance(owner, quant.QuantOp) and (x := _element_array(owner.x)) is not None:
        params = _quantizer_params(owner)
        if params is None:
            return None
        scale, zeropt, bitwidth = params
        if np.any(zeropt != 0):
            raise fail(owner, "weight quantizer with a non-zero zero-point is not supported")
        if np.any(np.isnan(x)):
            raise fail(owner, "weight quantizer of a constant holding NaN")
        check_bits(owner, bitwidth, "bitwidth")
        signed, narrow = bool(owner.signed.value.data), bool(owner.narrow.value.data)
        ints_ = kernels.quantize_int(
            x.astype(np.float32),
            scale.astype(np.float32),
            zeropt.astype(np.float32),
            bitwidth,
            signed=signed,
            narrow=narrow,
            mode=owner.rounding_mode.data,
        )
        datatype = quantizer_datatype(signed, narrow, int(bitwidth.max()))
        full_scale = np.broadcast_to(scale, x.shape).astype(np.float64)
        floats = fold_constant(value)
        assert floats is not None
        return Weight(ints_, datatype, full_scale, floats)
    if isinstance(owner, quant.BipolarQuantOp) and (x := _element_array(owner.x)) is not None:
        scale = _element_array(owner.scale)
        if scale is None:
            return None
        ints_ = np.where(x >= 0, 1, -1).astype(np.int64)
        floats = fold_constant(value)
        assert floats is not None
        full_scale = np.broadcast_to(scale.astype(np.float64), x.shape)
        return Weight(ints_, BipolarType(), full_scale, floats)
    if isinstance(owner, sl.MulOp):
        ints_ = _element_array(owner.x)
        datatype = element_datatype(owner.x.type)
        scale = _element_array(owner.y)
        if ints_ is not None and datatype is not None and scale is not None:
            floats = fold_constant(value)
            assert floats is not None
            full_scale = np.broadcast_to(scale.astype(np.float64), ints_.shape)
            return Weight(ints_, datatype, full_scale, floats)
    floats = fold_constant(value)
    if floats is None:
        return None
    if floats.dtype.kind != "f":
        datatype = element_datatype(value.type)
        return Weight(floats, datatype, np.ones(floats.shape), floats.astype(np.float32))
    return Weight(None, None, None, floats)


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
        return self.binary(sl.MulOp, x, self.constant(_compact(factor), hint="scale"))

    def scale(self, x: SSAValue, factor: np.ndarray | float) -> SSAValue:
        """`x * factor` as a float result, even for a factor of 1 (integer -> float)."""
        factor = np.asarray(factor, dtype=np.float64)
        return self.binary(sl.MulOp, x, self.constant(_compact(factor), hint="scale"))

    def bias(self, x: SSAValue, term: np.ndarray | float) -> SSAValue:
        """`x + term`: an integer constant when `term` is integer-valued and `x` integer,
        else f64; omitted when the term is exactly 0."""
        term = np.asarray(term, dtype=np.float64)
        if np.all(term == 0) and np.broadcast_shapes(shape_of(x), term.shape) == shape_of(x):
            return x
        term = _compact(term)
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


def _compact(array: np.ndarray) -> np.ndarray:
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
        scale = _element_array(owner.y)
        if scale is not None and scale.dtype.kind == "f":
            if scale.size == 1:
                return owner.x, scale.reshape(())
            if allow_vector and all(d == 1 for d in scale.shape[:-1]):
                return owner.x, scale
    return x, np.asarray(1.0)


# --------------------------------------------------------------------------- quantizers


def check_bits(op: Operation, bits: np.ndarray, what: str) -> None:
    """A bitwidth wider than the widest integer type (or infinite) is an error."""
    if not np.all(bits <= MAX_INT_BITS):
        raise fail(op, f"{what} {float(np.max(bits)):.15g} is more than {MAX_INT_BITS} bits")


MAX_THRESHOLDS = (1 << 16) - 1
"""The most thresholds per channel an activation quantizer lowers to (16 bits)."""


def check_levels(op: Operation, lo: int, hi: int) -> None:
    """A quantizer whose range needs more than `MAX_THRESHOLDS` thresholds is an error
    (a 64-bit activation would need 2^64 - 1)."""
    if hi - lo > MAX_THRESHOLDS:
        raise fail(
            op,
            f"the output range [{lo}, {hi}] needs {hi - lo} thresholds per channel "
            f"(at most {MAX_THRESHOLDS}: 16 bits)",
        )


def _activation_param(op: Operation, value: SSAValue, what: str) -> np.ndarray:
    array = _element_array(value)
    if array is None:
        raise fail(op, f"{what} must be a constant")
    return np.asarray(array, dtype=np.float64)


def _relu_input(x: SSAValue) -> SSAValue:
    """The input of a Relu that only feeds this quantizer, else `x`."""
    owner = x.owner
    if isinstance(owner, quant.ReluOp) and x.has_one_use():
        return owner.x
    return x


class LowerQuant(RewritePattern):
    """`quant.quant` / `quant.bipolar_quant`.

    Constant input (a weight): `quant.constant` of the integers, typed with the
    quantizer's datatype, times `streamline.mul` by the scale (zero-point must be 0).
    Otherwise: `streamline.multithreshold` (thresholds `(b_k - zeropt) * scale`, exact
    ties via `strict`; out_bias = min, result `!quant.int<b>`/`!quant.uint<b>`; bipolar:
    one threshold, out_scale 2, out_bias -1), `add(-zeropt)` when non-zero, `mul(scale)`.
    A Relu that only feeds an unsigned quantizer with zero-point 0 is dropped (the clamp
    at 0 subsumes it).
    """

    @op_type_rewrite_pattern
    def match_and_rewrite(
        self, op: quant.QuantOp | quant.BipolarQuantOp, rewriter: PatternRewriter
    ) -> None:
        emit = Emitter(op)
        if _element_array(op.x) is not None:
            weight = read_weight(op.results[0], op)
            if weight is None or weight.ints is None or weight.scale is None:
                raise fail(op, "quantizer parameters must be constants")
            ints_ = emit.constant(weight.ints, weight.datatype, hint="int")
            scale = _element_array(op.scale)
            assert scale is not None
            result = emit.scale(ints_, _compact(scale.astype(np.float64)))
            emit.replace(rewriter, [result])
            return

        x = op.x
        shape = shape_of(x)
        if isinstance(op, quant.BipolarQuantOp):
            scale = channel_vector(op, _activation_param(op, op.scale, "scale"), shape, "scale")
            zeropt = np.zeros(1)
            staircase = bipolar_staircase(scale, zeropt)
            datatype: QDataType = BipolarType()
        else:
            scale = _activation_param(op, op.scale, "scale")
            zeropt = _activation_param(op, op.zeropt, "zero-point")
            bitwidth = _activation_param(op, op.bitwidth, "bitwidth")
            if bitwidth.size != 1:
                raise fail(op, "a per-channel bitwidth on an activation is not supported")
            check_bits(op, bitwidth, "bitwidth")
            bits = int(bitwidth.reshape(-1)[0])
            signed, narrow = bool(op.signed.value.data), bool(op.narrow.value.data)
            scale = channel_vector(op, scale, shape, "scale")
            zeropt = channel_vector(op, zeropt, shape, "zero-point")
            try:
                mode = normalize_rounding_mode(op.rounding_mode.data)
            except ValueError as error:
                raise fail(op, str(error)) from None
            datatype = quantizer_datatype(signed, narrow, bits)
            if isinstance(datatype, BipolarType):
                staircase = bipolar_staircase(scale, zeropt)
            else:
                lo, hi = int_range(signed, narrow, bits)
                check_levels(op, lo, hi)
                staircase = quant_staircase(scale, zeropt, lo, hi, mode)
                if lo == 0 and np.all(zeropt == 0):
                    x = _relu_input(x)

        four_d = len(shape) == 4
        x = emit.to_nhwc(x) if four_d else x
        if isinstance(datatype, BipolarType):
            level = emit.multithreshold(x, staircase, datatype, out_scale=2, out_bias=-1)
        else:
            level = emit.multithreshold(x, staircase, datatype)
        rank = len(shape)
        level = emit.bias(level, _lowered_vector(-zeropt, rank))
        result = emit.scale(level, _lowered_vector(scale, rank))
        if four_d:
            result = emit.to_nchw(result)
        emit.replace(rewriter, [result])


def _lowered_vector(vector: np.ndarray, rank: int) -> np.ndarray:
    """A per-channel vector as a constant broadcasting on the last axis of a rank-`rank`
    tensor (a scalar when it has one element)."""
    vector = np.asarray(vector, dtype=np.float64).reshape(-1)
    if vector.size == 1:
        return vector.reshape(())
    return vector.reshape((1,) * (rank - 1) + (vector.size,))


def _nonnegative(value: SSAValue) -> bool:
    """Whether every element of a (lowered) value is provably >= 0."""
    datatype = element_datatype(value.type)
    if datatype is not None:
        return datatype.min_value >= 0
    owner = value.owner
    if isinstance(owner, quant.ConstantOp):
        return bool(np.all(owner.numpy() >= 0))
    if isinstance(owner, quant.ReluOp):
        return True
    if isinstance(
        owner,
        sl.MulOp
        | sl.AddOp
        | sl.SumPoolOp
        | sl.GlobalSumOp
        | sl.MaxPoolOp
        | sl.TransposeOp
        | sl.ReshapeOp
        | sl.Im2ColOp
        | sl.ConcatOp,
    ):
        return all(_nonnegative(v) for v in owner.operands)
    return False


class LowerTrunc(RewritePattern):
    """`quant.trunc` (v1 and v2): a monotone staircase of its input, so
    `streamline.multithreshold` (see `quantizer_thresholds.trunc_staircase`) then the
    output affine: v1 `(t - zeropt) * scale`, v2 `(t - zeropt/s) * out_scale`.
    v1 does not clamp: its levels are those its input range reaches, the range of
    `in_bitwidth` (unsigned when the input is provably non-negative, else the union of
    the signed and unsigned ranges); inputs outside that range are outside the op's
    contract and saturate."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: quant.TruncOp, rewriter: PatternRewriter) -> None:
        emit = Emitter(op)
        shape = shape_of(op.x)
        scale_a = _activation_param(op, op.scale, "scale")
        zeropt_a = _activation_param(op, op.zeropt, "zero-point")
        in_bits = _activation_param(op, op.in_bitwidth, "in_bitwidth")
        out_bits = _activation_param(op, op.out_bitwidth, "out_bitwidth")
        if in_bits.size != 1 or out_bits.size != 1:
            raise fail(op, "per-channel bitwidths are not supported")
        check_bits(op, in_bits, "in_bitwidth")
        check_bits(op, out_bits, "out_bitwidth")
        in_b, out_b = int(in_bits.reshape(-1)[0]), int(out_bits.reshape(-1)[0])
        try:
            mode = normalize_rounding_mode(op.rounding_mode.data)
        except ValueError as error:
            raise fail(op, str(error)) from None
        scale = channel_vector(op, scale_a, shape, "scale")
        zeropt = channel_vector(op, zeropt_a, shape, "zero-point")
        if op.out_scale is None:
            shift = np.asarray([in_b - out_b], dtype=np.float64)
            if _nonnegative(op.x):
                q_lo, q_hi = 0, (1 << in_b) - 1
            else:
                q_lo, q_hi = -(1 << (in_b - 1)), (1 << in_b) - 1
            lo = round_value(mode, q_lo / 2.0 ** shift[0])
            hi = round_value(mode, q_hi / 2.0 ** shift[0])
            datatype = smallest_datatype(lo, hi)
            out_zero = zeropt
            out_scale = scale
        else:
            out_scale_a = _activation_param(op, op.out_scale, "out_scale")
            out_scale = channel_vector(op, out_scale_a, shape, "out_scale")
            # the shift as qonnx computes it, in float32
            ratio = out_scale.astype(np.float32) / scale.astype(np.float32)
            shift = np.round(np.log2(ratio)).astype(np.float64)
            signed, narrow = bool(op.signed.value.data), bool(op.narrow.value.data)
            lo, hi = int_range(signed, narrow, out_b)
            datatype = width_datatype(signed, out_b)
            out_zero = zeropt / np.exp2(shift)
        check_levels(op, lo, hi)
        try:
            staircase = trunc_staircase(scale, zeropt, shift, lo, hi, mode)
        except TieParityError as error:
            raise fail(op, str(error)) from None
        four_d = len(shape) == 4
        x = emit.to_nhwc(op.x) if four_d else op.x
        level = emit.multithreshold(x, staircase, datatype)
        rank = len(shape)
        level = emit.bias(level, _lowered_vector(-out_zero, rank))
        result = emit.scale(level, _lowered_vector(out_scale, rank))
        if four_d:
            result = emit.to_nchw(result)
        emit.replace(rewriter, [result])


class LowerMultiThreshold(RewritePattern):
    """QONNX `MultiThreshold` (thresholds `C x N`, non-strict): `streamline.multithreshold`
    then `mul(out_scale)`, `add(out_bias)`; integer out_scale/out_bias stay on the
    multithreshold. NCHW 4-D inputs are thresholded in NHWC."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: quant.MultiThresholdOp, rewriter: PatternRewriter) -> None:
        emit = Emitter(op)
        thresholds = _element_array(op.thresholds)
        if thresholds is None:
            raise fail(op, "thresholds must be a constant")
        shape = shape_of(op.v)
        layout = op.data_layout.data
        nchw_4d = len(shape) == 4 and layout == "NCHW"
        if len(shape) not in (2, 4) and thresholds.shape[0] != 1:
            raise fail(op, f"per-channel thresholds on a {len(shape)}-D input are not supported")
        count = thresholds.shape[1]
        out_scale, out_bias = op.out_scale.value.data, op.out_bias.value.data
        integral = float(out_scale).is_integer() and float(out_bias).is_integer()
        staircase = Staircase(thresholds.astype(np.float64), (0,) * count, 0, 0, count)
        x = emit.to_nhwc(op.v) if nchw_4d else op.v
        if integral and out_scale != 0:
            s, b = int(out_scale), int(out_bias)
            lo, hi = min(b, b + s * count), max(b, b + s * count)
            datatype: QDataType = (
                BipolarType() if (s, b, count) == (2, -1, 1) else smallest_datatype(lo, hi)
            )
            result = emit.multithreshold(x, staircase, datatype, out_scale=s, out_bias=b)
            result = emit.scale(result, 1.0)
        else:
            level = emit.multithreshold(x, staircase, smallest_datatype(0, count))
            result = emit.scale(level, out_scale)
            result = emit.bias(result, out_bias)
        if nchw_4d:
            result = emit.to_nchw(result)
        emit.replace(rewriter, [result])


class CheckRelu(RewritePattern):
    """`quant.relu` is only supported where `LowerQuant` drops it: as the only input of
    an unsigned quantizer with zero-point 0. Anything else is an error."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: quant.ReluOp, rewriter: PatternRewriter) -> None:
        uses = list(op.result.uses)
        if len(uses) == 1:
            user = uses[0].operation
            if isinstance(user, quant.QuantOp) and uses[0].index == 0:
                params = _quantizer_params(user)
                if (
                    params is not None
                    and not user.signed.value.data
                    and np.all(params[1] == 0)
                    and _element_array(user.x) is None
                ):
                    return  # LowerQuant drops it
        if not uses:
            rewriter.erase_op(op)
            return
        raise fail(op, "Relu not followed by an unsigned quantizer is not supported")


# --------------------------------------------------------------------------- linear algebra


def _matmul_result(x: SSAValue, w: SSAValue, shape: Sequence[int]) -> Attribute:
    weights, x_range = _element_array(w), sl.value_range(x)
    if weights is not None and x_range is not None and sl.is_integer_tensor(w):
        lo, hi = sl.matmul_range(x_range, weights)
        return TensorType(smallest_datatype(min(lo, 0), max(hi, 0)), list(shape))
    return TensorType(f32, list(shape))


def emit_weighted(
    emit: Emitter,
    x: SSAValue,
    x_scale: np.ndarray,
    weight: Weight,
    matrix: np.ndarray,
    int_matrix: np.ndarray | None,
    column_scale: np.ndarray | None,
    kind: type[sl.MatMulOp] | type[sl.DepthwiseMatMulOp],
) -> SSAValue:
    """`(x * x_scale) @ W` for a compile-time weight W. With integer weights and a
    per-output-channel scale: the product with the integer matrix (integer, with the exact
    accumulator datatype, when `x` is integer), then one `mul` by `x_scale * column scale`.
    Otherwise the float matrix, then `mul(x_scale)`."""
    if int_matrix is not None and column_scale is not None:
        w = emit.constant(int_matrix, weight.datatype, hint="w")
        factor = x_scale * column_scale
    else:
        w = emit.constant(matrix.astype(np.float32), hint="w")
        factor = x_scale
    shape = _product_shape(kind, x, int_matrix if int_matrix is not None else matrix)
    product = emit.add(kind(x, w, _matmul_result(x, w, shape)), "acc")
    factor = _compact(np.asarray(factor, dtype=np.float64))
    if factor.size > 1:
        factor = factor.reshape((1,) * (len(shape) - 1) + (factor.size,))
    return (
        emit.scale(product, factor) if sl.is_integer_tensor(product) else emit.mul(product, factor)
    )


def _product_shape(kind: type, x: SSAValue, matrix: np.ndarray) -> tuple[int, ...]:
    if kind is sl.DepthwiseMatMulOp:
        return (*shape_of(x)[:-1], matrix.shape[1])
    return quant.matmul_shape(shape_of(x), matrix.shape)


def _weight_matrix(
    weight: Weight, transpose: bool
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """(float K x M, integer K x M or None, column scale or None) of a 2-D weight."""
    floats = weight.floats.T if transpose else weight.floats
    if weight.ints is None:
        return floats, None, None
    column_scale = weight.output_channel_scale(0 if transpose else 1)
    if column_scale is None:
        return floats, None, None
    ints_ = weight.ints.T if transpose else weight.ints
    return floats, np.ascontiguousarray(ints_), column_scale


class LowerMatMul(RewritePattern):
    """`quant.matmul(x, W)` with a compile-time W (K x M): `streamline.matmul` with the
    integer weights, then `mul` by the per-column scale. A non-constant 2-D right operand
    gives a float `streamline.matmul`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: quant.MatMulOp, rewriter: PatternRewriter) -> None:
        emit = Emitter(op)
        if read_weight(op.a, op) is not None and read_weight(op.b, op) is None:
            raise fail(op, "a constant left operand with a non-constant right one is not supported")
        weight = read_weight(op.b, op)
        if weight is None:
            if len(shape_of(op.b)) != 2:
                raise fail(op, "a non-constant right operand must be 2-D")
            result = emit.add(sl.MatMulOp(op.a, op.b, op.result.type), "acc")
        else:
            if weight.floats.ndim != 2:
                raise fail(op, f"weights of shape {weight.floats.shape} are not a K x M matrix")
            matrix, int_matrix, column_scale = _weight_matrix(weight, transpose=False)
            xi, x_scale = integer_and_scale(op.a)
            result = emit_weighted(
                emit, xi, x_scale, weight, matrix, int_matrix, column_scale, sl.MatMulOp
            )
        emit.replace(rewriter, [result])


class LowerGemm(RewritePattern):
    """`quant.gemm`: `alpha * A' @ B' + beta * C` as `streamline.matmul` with B' folded to
    `K x M` at compile time (alpha joins the column scale), then `add(beta * C)`.
    A transposed A must be a constant, which it cannot be next to a constant B."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: quant.GemmOp, rewriter: PatternRewriter) -> None:
        emit = Emitter(op)
        if op.trans_a.value.data:
            raise fail(op, "transA on a non-constant A is not supported")
        weight = read_weight(op.b, op)
        if weight is None:
            raise fail(op, "B must be a compile-time constant (weights)")
        alpha, beta = op.alpha.value.data, op.beta.value.data
        matrix, int_matrix, column_scale = _weight_matrix(weight, bool(op.trans_b.value.data))
        if column_scale is not None:
            column_scale = column_scale * np.float64(np.float32(alpha))
        else:
            matrix = matrix * np.float32(alpha)
        xi, x_scale = integer_and_scale(op.a)
        result = emit_weighted(
            emit, xi, x_scale, weight, matrix, int_matrix, column_scale, sl.MatMulOp
        )
        if op.c is not None:
            c = fold_constant(op.c)
            if c is not None:
                result = emit.bias(result, _compact(np.float64(np.float32(beta)) * c))
            else:
                c_value = op.c if beta == 1.0 else emit.mul(op.c, np.float64(np.float32(beta)))
                result = emit.binary(sl.AddOp, result, c_value)
        result = _as_float(emit, result, op.result.type)
        emit.replace(rewriter, [result])


def _as_float(emit: Emitter, value: SSAValue, type_: Attribute) -> SSAValue:
    """`value` as the float tensor the replaced op produced (a mul by 1 if integer)."""
    if value.type == type_:
        return value
    return emit.scale(value, 1.0)


class LowerConv(RewritePattern):
    """`quant.conv` (2-D, NCHW) in NHWC: `streamline.im2col` (skipped for 1x1 kernels
    with stride 1 and no padding) then `streamline.matmul` with the weights reshaped
    `M x C x kh x kw -> (kh*kw*C) x M` (im2col's column order), or, depthwise,
    `streamline.dw_matmul` with `(kh*kw) x C`; then `mul` by the per-channel weight
    scale and `add` of the bias."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: quant.ConvOp, rewriter: PatternRewriter) -> None:
        emit = Emitter(op)
        x_shape = shape_of(op.x)
        if len(x_shape) != 4:
            raise fail(op, f"only 2-D convolutions are supported, got a {len(x_shape)}-D input")
        weight = read_weight(op.weight, op)
        if weight is None:
            raise fail(op, "weights must be a compile-time constant")
        m, cg, kh, kw = weight.floats.shape
        channels, group = x_shape[1], op.group.value.data
        depthwise = group == channels and cg == 1 and group > 1
        if group != 1 and not (depthwise and m == channels):
            raise fail(
                op, f"grouped convolution (group={group}) other than depthwise is not supported"
            )
        strides, pads, dilations = ints(op.strides), ints(op.pads), ints(op.dilations)
        x = emit.to_nhwc(op.x)
        pads_nhwc = (pads[0], pads[1], pads[2], pads[3])  # ONNX [top, left, bottom, right]
        needs_im2col = (kh, kw) != (1, 1) or any(s != 1 for s in strides) or any(pads)
        x, x_scale = integer_and_scale(x)
        if needs_im2col and any(pads) and isinstance(element_datatype(x.type), BipolarType):
            x, x_scale = emit.to_nhwc(op.x), np.asarray(1.0)  # bipolar cannot be zero-padded
        if needs_im2col:
            out_h, out_w = sl.window_shape(shape_of(x), (kh, kw), strides, pads_nhwc, dilations)
            x_type = x.type
            assert isinstance(x_type, TensorType)
            cols_type = TensorType(
                x_type.element_type, [x_shape[0], out_h, out_w, kh * kw * channels]
            )
            x = emit.add(
                sl.Im2ColOp(
                    operands=[x],
                    properties={
                        "kernel": i64_array((kh, kw)),
                        "stride": i64_array(strides),
                        "pads": i64_array(pads_nhwc),
                        "dilation": i64_array(dilations),
                    },
                    result_types=[cols_type],
                ),
                "cols",
            )
        if depthwise:
            floats = np.transpose(weight.floats[:, 0], (1, 2, 0)).reshape(kh * kw, m)
            int_matrix, column_scale = None, None
            if weight.ints is not None and (scale := weight.output_channel_scale(0)) is not None:
                int_matrix = np.transpose(weight.ints[:, 0], (1, 2, 0)).reshape(kh * kw, m)
                column_scale = scale
            kind: type[sl.MatMulOp] | type[sl.DepthwiseMatMulOp] = sl.DepthwiseMatMulOp
        else:
            floats = np.transpose(weight.floats, (2, 3, 1, 0)).reshape(kh * kw * cg, m)
            int_matrix, column_scale = None, None
            if weight.ints is not None and (scale := weight.output_channel_scale(0)) is not None:
                int_matrix = np.transpose(weight.ints, (2, 3, 1, 0)).reshape(kh * kw * cg, m)
                column_scale = scale
            kind = sl.MatMulOp
        if int_matrix is not None:
            int_matrix = np.ascontiguousarray(int_matrix)
        result = emit_weighted(emit, x, x_scale, weight, floats, int_matrix, column_scale, kind)
        if op.bias is not None:
            bias = fold_constant(op.bias)
            if bias is None:
                raise fail(op, "the bias must be a compile-time constant")
            result = emit.bias(result, _lowered_vector(bias, 4))
        result = _as_float(emit, result, TensorType(f32, list(shape_of(result))))
        result = emit.to_nchw(result)
        emit.replace(rewriter, [result])


# --------------------------------------------------------------------------- elementwise


def _float_operand(value: SSAValue) -> np.ndarray | None:
    array = fold_constant(value)
    if array is None:
        return None
    with np.errstate(invalid="ignore"):  # a signaling NaN becomes a quiet one silently
        return np.asarray(array, dtype=np.float64)


class LowerBinary(RewritePattern):
    """`quant.add/sub/mul/div` with one constant operand: `add(c)`, `add(-c)`, `mul(c)`,
    `mul(1/c)` (f64 constants laid out for NHWC; `c - x` is `add(mul(x, -1), c)`; adding
    0 or multiplying by 1 is dropped). Add of two non-constants: `streamline.add`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(
        self, op: quant.AddOp | quant.SubOp | quant.MulOp | quant.DivOp, rewriter: PatternRewriter
    ) -> None:
        emit = Emitter(op)
        lhs_c, rhs_c = _float_operand(op.lhs), _float_operand(op.rhs)
        out_shape = shape_of(op.result)
        rank = len(out_shape)
        four_d = rank == 4
        if lhs_c is not None and rhs_c is not None:
            raise fail(op, "both operands are constants (constant folding should remove this op)")
        if lhs_c is None and rhs_c is None:
            if not isinstance(op, quant.AddOp):
                raise fail(
                    op,
                    f"{op.name.removeprefix('quant.')} of two non-constant tensors is not supported",
                )
            if shape_of(op.lhs) != out_shape or shape_of(op.rhs) != out_shape:
                raise fail(op, "broadcasting add of two non-constant tensors is not supported")
            lhs = emit.to_nhwc(op.lhs) if four_d else op.lhs
            rhs = emit.to_nhwc(op.rhs) if four_d else op.rhs
            result = emit.binary(sl.AddOp, lhs, rhs)
            result = _as_float(emit, result, TensorType(f32, list(shape_of(result))))
        else:
            x, c = (op.rhs, lhs_c) if lhs_c is not None else (op.lhs, rhs_c)
            assert c is not None
            if shape_of(x) != out_shape:
                raise fail(op, "the constant operand must not broadcast the tensor operand")
            if isinstance(op, quant.DivOp) and lhs_c is not None:
                raise fail(op, "division by a non-constant tensor is not supported")
            x = emit.to_nhwc(x) if four_d else x
            c = nhwc_constant(c, rank)
            if isinstance(op, quant.AddOp):
                result = emit.bias(x, c)
            elif isinstance(op, quant.SubOp):
                result = emit.bias(emit.mul(x, -1.0), c) if lhs_c is not None else emit.bias(x, -c)
            elif isinstance(op, quant.MulOp):
                result = emit.mul(x, c)
            else:
                with np.errstate(divide="ignore"):  # x / 0 = x * inf
                    result = emit.mul(x, 1.0 / c)
            result = _as_float(emit, result, TensorType(f32, list(shape_of(result))))
        if four_d:
            result = emit.to_nchw(result)
        emit.replace(rewriter, [result])


class LowerBatchNorm(RewritePattern):
    """`quant.batchnorm` (inference): `mul(a)` then `add(b)` per channel (the last axis
    in NHWC), `a = scale / sqrt(var + eps)`, `b = bias - mean * a`, in float64."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: quant.BatchNormOp, rewriter: PatternRewriter) -> None:
        emit = Emitter(op)
        params = [_float_operand(v) for v in (op.scale, op.bias, op.mean, op.var)]
        if any(p is None for p in params):
            raise fail(op, "scale, bias, mean and var must be constants")
        scale, bias, mean, var = (p for p in params if p is not None)
        eps = np.float64(np.float32(op.epsilon.value.data))
        if not np.all(var + eps > 0):
            raise fail(op, f"var + epsilon must be positive, got {float(np.min(var + eps)):g}")
        a = scale / np.sqrt(var + eps)
        b = bias - mean * a
        shape = shape_of(op.x)
        rank = len(shape)
        if rank == 4:
            x = emit.to_nhwc(op.x)
            a_c, b_c = _lowered_vector(a, 4), _lowered_vector(b, 4)
        else:
            x = op.x
            per_channel = (1, a.size) + (1,) * (rank - 2)
            a_c = _compact(a.reshape(per_channel))
            b_c = _compact(b.reshape(per_channel))
        result = emit.bias(emit.mul(x, a_c), b_c)
        result = _as_float(emit, result, TensorType(f32, list(shape_of(result))))
        if rank == 4:
            result = emit.to_nchw(result)
        emit.replace(rewriter, [result])


# --------------------------------------------------------------------------- pooling


def _window_props(kernel, strides, pads) -> dict[str, Attribute]:
    return {
        "kernel": i64_array(kernel),
        "stride": i64_array(strides),
        "pads": i64_array(pads),
    }


class LowerPool(RewritePattern):
    """`quant.maxpool` -> `streamline.maxpool` (NHWC); `quant.avgpool` ->
    `streamline.sum_pool` + `mul(1/(kh*kw))` (padding only with count_include_pad).
    An input `mul(integer, positive per-channel scale)` is pooled as integers."""

    @op_type_rewrite_pattern
    def match_and_rewrite(
        self, op: quant.MaxPoolOp | quant.AveragePoolOp, rewriter: PatternRewriter
    ) -> None:
        emit = Emitter(op)
        x_shape = shape_of(op.x)
        if len(x_shape) != 4:
            raise fail(op, f"only 2-D pooling is supported, got a {len(x_shape)}-D input")
        if op.ceil_mode.value.data:
            raise fail(op, "ceil_mode is not supported")
        kernel, strides, pads = ints(op.kernel_shape), ints(op.strides), ints(op.pads)
        if any(d != 1 for d in op.dilations()):
            raise fail(op, "dilations other than 1 are not supported")
        is_max = isinstance(op, quant.MaxPoolOp)
        if (
            not is_max and any(pads) and not op.count_include_pad.value.data  # pyright: ignore[reportAttributeAccessIssue]
        ):
            raise fail(op, "padding without count_include_pad is not supported")
        x = emit.to_nhwc(op.x)
        xi, scale = integer_and_scale(x, allow_vector=True)
        if is_max and not np.all(scale > 0):
            xi, scale = x, np.asarray(1.0)
        source_type = xi.type
        assert isinstance(source_type, TensorType)
        out_h, out_w = sl.window_shape(shape_of(xi), kernel, strides, pads)
        out_shape = [x_shape[0], out_h, out_w, x_shape[1]]
        props = _window_props(kernel, strides, pads)
        if is_max:
            pooled = emit.add(
                sl.MaxPoolOp(
                    operands=[xi],
                    properties=props,
                    result_types=[TensorType(source_type.element_type, out_shape)],
                ),
                "pool",
            )
            factor = scale
        else:
            size = kernel[0] * kernel[1]
            x_range = sl.value_range(xi)
            element: Attribute = (
                smallest_datatype(min(0, size * x_range[0]), max(0, size * x_range[1]))
                if x_range is not None
                else f32
            )
            pooled = emit.add(
                sl.SumPoolOp(
                    operands=[xi], properties=props, result_types=[TensorType(element, out_shape)]
                ),
                "sum",
            )
            factor = scale / size
        result = emit.scale(pooled, _compact(factor)) if xi is not x else emit.mul(pooled, factor)
        result = _as_float(emit, result, TensorType(f32, out_shape))
        emit.replace(rewriter, [emit.to_nchw(result)])


class LowerGlobalPool(RewritePattern):
    """`quant.global_avgpool`, and `quant.reduce_mean` over the spatial axes (2, 3) of a
    4-D tensor: `streamline.global_sum` + `mul(1/(H*W))`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(
        self, op: quant.GlobalAveragePoolOp | quant.ReduceMeanOp, rewriter: PatternRewriter
    ) -> None:
        emit = Emitter(op)
        x_shape = shape_of(op.x)
        if len(x_shape) != 4:
            raise fail(op, f"only 4-D inputs are supported, got {len(x_shape)}-D")
        keep = True
        if isinstance(op, quant.ReduceMeanOp):
            if ints(op.axes) != (2, 3):
                raise fail(op, f"mean over axes {list(ints(op.axes))} (not the spatial axes)")
            keep = bool(op.keepdims.value.data)
        x = emit.to_nhwc(op.x)
        xi, scale = integer_and_scale(x, allow_vector=True)
        pixels = x_shape[2] * x_shape[3]
        x_range = sl.value_range(xi)
        element: Attribute = (
            smallest_datatype(min(0, pixels * x_range[0]), max(0, pixels * x_range[1]))
            if x_range is not None
            else f32
        )
        n, c = x_shape[0], x_shape[1]
        total = emit.add(
            sl.GlobalSumOp(operands=[xi], result_types=[TensorType(element, [n, 1, 1, c])]),
            "sum",
        )
        result = emit.scale(total, scale / pixels)
        result = emit.to_nchw(result) if keep else emit.reshape(result, (n, c))
        emit.replace(rewriter, [result])


# --------------------------------------------------------------------------- data movement


class LowerDataMovement(RewritePattern):
    """Reshape/Flatten -> `streamline.reshape` of the NCHW-ordered tensor (so a flattened
    NHWC tensor gets its transpose back to NCHW first); Transpose -> `streamline.transpose`;
    Concat -> `streamline.concat` (axis mapped to NHWC); TopK -> `streamline.topk` (last
    axis, or the channel axis of a 4-D tensor); Identity and zero Pad are forwarded."""

    @op_type_rewrite_pattern
    def match_and_rewrite(
        self,
        op: quant.ReshapeOp
        | quant.FlattenOp
        | quant.TransposeOp
        | quant.ConcatOp
        | quant.TopKOp
        | quant.IdentityOp
        | quant.PadOp,
        rewriter: PatternRewriter,
    ) -> None:
        emit = Emitter(op)
        if isinstance(op, quant.ReshapeOp | quant.FlattenOp):
            result = emit.reshape(op.x, shape_of(op.result))
            if result is op.x:
                rewriter.replace(op, [], [op.x])
                return
        elif isinstance(op, quant.TransposeOp):
            result = emit.transpose(op.x, ints(op.perm))
        elif isinstance(op, quant.IdentityOp):
            rewriter.replace(op, [], [op.x])
            return
        elif isinstance(op, quant.PadOp):
            if any(ints(op.pads)):
                raise fail(op, "Pad is not supported (only all-zero pads)")
            rewriter.replace(op, [], [op.x])
            return
        elif isinstance(op, quant.ConcatOp):
            shapes = [shape_of(v) for v in op.inputs]
            axis = op.axis.value.data
            types = {v.type for v in op.inputs}
            if len(types) > 1 and len({len(s) for s in shapes}) > 1:
                raise fail(op, "inputs of different ranks")
            if len(shapes[0]) == 4:
                inputs = [emit.to_nhwc(v) for v in op.inputs]
                axis = TO_NHWC.index(axis)
            else:
                inputs = list(op.inputs)
            out_shape = list(shape_of(inputs[0]))
            out_shape[axis] = sum(shape_of(v)[axis] for v in inputs)
            result = emit.add(
                sl.ConcatOp(
                    operands=[inputs],
                    properties={"axis": IntegerAttr(axis, i64)},
                    result_types=[TensorType(f32, out_shape)],
                ),
                "cat",
            )
            if len(shapes[0]) == 4:
                result = emit.to_nchw(result)
        else:
            assert isinstance(op, quant.TopKOp)
            shape = shape_of(op.x)
            axis = op.axis.value.data
            four_d = len(shape) == 4 and axis == 1
            if axis != len(shape) - 1 and not four_d:
                raise fail(op, f"TopK along axis {axis} (not the last axis) is not supported")
            x = emit.to_nhwc(op.x) if four_d else op.x
            out_shape = list(shape_of(x))
            out_shape[-1] = op.k.value.data
            topk = sl.TopKOp(
                operands=[x],
                properties={"k": IntegerAttr(op.k.value.data, i64)},
                result_types=[TensorType(f32, out_shape), TensorType(i64, out_shape)],
            )
            emit.add(topk, "topk")
            values, indices = topk.values, topk.indices
            if four_d:
                values, indices = emit.to_nchw(values), emit.to_nchw(indices)
            emit.replace(rewriter, [values, indices])
            return
        emit.replace(rewriter, [result])


class ComposeTransposes(RewritePattern):
    """`transpose(transpose(x, p), q)` is `transpose(x, p∘q)`, or `x` when that is the
    identity."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.TransposeOp, rewriter: PatternRewriter) -> None:
        inner = op.x.owner
        perm = ints(op.perm)
        if perm == tuple(range(len(perm))):
            rewriter.replace(op, [], [op.x])
            return
        if not isinstance(inner, sl.TransposeOp):
            return
        composed = [ints(inner.perm)[p] for p in perm]
        if composed == list(range(len(perm))):
            rewriter.replace(op, [], [inner.x])
            return
        rewriter.replace(
            op,
            sl.TransposeOp(
                operands=[inner.x],
                properties={"perm": i64_array(composed)},
                result_types=[op.result.type],
            ),
        )


LOWERING_PATTERNS: tuple[RewritePattern, ...] = (
    LowerQuant(),
    LowerTrunc(),
    LowerMultiThreshold(),
    CheckRelu(),
    LowerMatMul(),
    LowerGemm(),
    LowerConv(),
    LowerBinary(),
    LowerBatchNorm(),
    LowerPool(),
    LowerGlobalPool(),
    LowerDataMovement(),
    ComposeTransposes(),
)


@dataclass(frozen=True)
class LowerQuantToStreamline(ModulePass):
    """Rewrite a whole `quant` module into the `streamline` dialect (see the module
    docstring); raises `LoweringError` for anything it cannot lower exactly."""

    name = "lower-quant-to-streamline"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(GreedyRewritePatternApplier(list(LOWERING_PATTERNS))).rewrite_module(
            op
        )
        for inner in op.walk():
            if inner.dialect_name() == "quant" and not isinstance(inner, quant.ConstantOp):
                raise fail(inner, "no lowering to the streamline dialect")
