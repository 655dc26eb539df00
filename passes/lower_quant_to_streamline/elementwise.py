"""Elementwise patterns: add/sub/mul/div with a constant operand, add of two tensors, and
inference batch normalization as `streamline.mul` / `streamline.add`."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import TensorType, f32
from xdsl.ir import SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from passes.lower_quant_to_streamline.builder import (
    Emitter,
    as_float,
    compact,
    fail,
    lowered_vector,
    nhwc_constant,
)
from passes.lower_quant_to_streamline.constants import fold_constant
from qdialects import quant
from qdialects import streamline as sl
from qdialects.utils import shape_of


def _float_operand(value: SSAValue) -> np.ndarray | None:
    array = fold_constant(value)
    if array is None:
        return None
    with np.errstate(invalid="ignore"):  # a signaling NaN becomes a quiet one silently
        return np.asarray(array, dtype=np.float64)


class LowerBinary(RewritePattern):
    """`quant.add/sub/mul/div` with one constant operand: `add(c)`, `add(-c)`, `mul(c)`,
    `mul(1/c)` (f64 constants laid out for NHWC; `c - x` is `add(mul(x, -1), c)`; adding
    0 or multiplying by 1 is dropped). Add of two non-constants of the same shape:
    `streamline.add`. Any other op of two non-constants stays as it is: it runs on the
    host (a float tail such as `exp(x - reduce_max(x))`), and the `streamline` check
    refuses it by name when it lies between integer tensors."""

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
            same_shapes = shape_of(op.lhs) == shape_of(op.rhs) == out_shape
            if not isinstance(op, quant.AddOp) or not same_shapes:
                return  # a host op (HOST_BINARY_OP_NAMES), refused if between integers
            lhs = emit.to_nhwc(op.lhs) if four_d else op.lhs
            rhs = emit.to_nhwc(op.rhs) if four_d else op.rhs
            result = emit.binary(sl.AddOp, lhs, rhs)
            result = as_float(emit, result, TensorType(f32, list(shape_of(result))))
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
            result = as_float(emit, result, TensorType(f32, list(shape_of(result))))
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
            a_c, b_c = lowered_vector(a, 4), lowered_vector(b, 4)
        else:
            x = op.x
            per_channel = (1, a.size) + (1,) * (rank - 2)
            a_c = compact(a.reshape(per_channel))
            b_c = compact(b.reshape(per_channel))
        result = emit.bias(emit.mul(x, a_c), b_c)
        result = as_float(emit, result, TensorType(f32, list(shape_of(result))))
        if rank == 4:
            result = emit.to_nchw(result)
        emit.replace(rewriter, [result])
