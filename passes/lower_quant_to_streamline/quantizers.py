"""Quantizer patterns: `quant.quant` / `quant.bipolar_quant`, `quant.trunc` and QONNX
`MultiThreshold` become `streamline.multithreshold` + affine; `quant.relu` is only
accepted where a quantizer subsumes it."""

from __future__ import annotations

import numpy as np
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from passes.lower_quant_to_streamline.builder import (
    MAX_THRESHOLDS,
    Emitter,
    channel_vector,
    compact,
    fail,
    lowered_vector,
)
from passes.lower_quant_to_streamline.weights import (
    check_bits,
    quantizer_datatype,
    quantizer_params,
    read_weight,
    width_datatype,
)
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
from qdialects.quant import constant_value
from qdialects.types import BipolarType, QDataType, element_datatype, smallest_datatype
from qdialects.utils import shape_of


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
    array = constant_value(value)
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
        if constant_value(op.x) is not None:
            weight = read_weight(op.results[0], op)
            if weight is None or weight.ints is None or weight.scale is None:
                raise fail(op, "quantizer parameters must be constants")
            ints_ = emit.constant(weight.ints, weight.datatype, hint="int")
            scale = constant_value(op.scale)
            assert scale is not None
            result = emit.scale(ints_, compact(scale.astype(np.float64)))
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
        level = emit.bias(level, lowered_vector(-zeropt, rank))
        result = emit.scale(level, lowered_vector(scale, rank))
        if four_d:
            result = emit.to_nchw(result)
        emit.replace(rewriter, [result])


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
        level = emit.bias(level, lowered_vector(-out_zero, rank))
        result = emit.scale(level, lowered_vector(out_scale, rank))
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
        thresholds = constant_value(op.thresholds)
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
                params = quantizer_params(user)
                if (
                    params is not None
                    and not user.signed.value.data
                    and np.all(params[1] == 0)
                    and constant_value(user.x) is None
                ):
                    return  # LowerQuant drops it
        if not uses:
            rewriter.erase(op)
            return
        raise fail(op, "Relu not followed by an unsigned quantizer is not supported")
