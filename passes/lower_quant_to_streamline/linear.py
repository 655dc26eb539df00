"""Linear-algebra patterns: `quant.matmul`, `quant.gemm` and `quant.conv` with compile-time
weights become integer `streamline.matmul` / `dw_matmul` (after `im2col` for
convolutions) then one `mul` by the per-output-channel scale."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import TensorType, f32
from xdsl.ir import Attribute, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from passes.lower_quant_to_streamline.builder import (
    Emitter,
    as_float,
    compact,
    fail,
    integer_and_scale,
    lowered_vector,
)
from passes.lower_quant_to_streamline.constants import fold_constant
from passes.lower_quant_to_streamline.weights import Weight, read_weight
from qdialects import quant
from qdialects import streamline as sl
from qdialects.quant import constant_value
from qdialects.types import BipolarType, element_datatype, smallest_datatype
from qdialects.utils import i64_array, ints, shape_of


def _matmul_result(x: SSAValue, w: SSAValue, shape: Sequence[int]) -> Attribute:
    weights, x_range = constant_value(w), sl.value_range(x)
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
    factor = compact(np.asarray(factor, dtype=np.float64))
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
                result = emit.bias(result, compact(np.float64(np.float32(beta)) * c))
            else:
                c_value = op.c if beta == 1.0 else emit.mul(op.c, np.float64(np.float32(beta)))
                result = emit.binary(sl.AddOp, result, c_value)
        result = as_float(emit, result, op.result.type)
        emit.replace(rewriter, [result])


def block_diagonal(weight: Weight, group: int) -> Weight:
    """A grouped convolution's `M x C/g x kh x kw` weights as the dense `M x C x kh x kw`
    weights of the same convolution: output channel `o` of group `o // (M/g)` reads input
    channels `[g·C/g, (g+1)·C/g)`, every other weight is 0 (exact: one MVAU, zeros
    included)."""

    def spread(array: np.ndarray, fill: np.ndarray | None) -> np.ndarray:
        m, cg = array.shape[:2]
        full = np.zeros((m, cg * group, *array.shape[2:]), array.dtype)
        if fill is not None:
            full[...] = np.tile(fill, (1, group) + (1,) * (array.ndim - 2))
        per = m // group
        for g in range(group):
            full[g * per : (g + 1) * per, g * cg : (g + 1) * cg] = array[g * per : (g + 1) * per]
        return full

    return Weight(
        None if weight.ints is None else spread(weight.ints, None),
        weight.datatype,
        None if weight.scale is None else spread(weight.scale, weight.scale),
        spread(weight.floats, None),
    )


class LowerConv(RewritePattern):
    """`quant.conv` (2-D, NCHW) in NHWC: `streamline.im2col` (skipped for 1x1 kernels
    with stride 1 and no padding) then `streamline.matmul` with the weights reshaped
    `M x C x kh x kw -> (kh*kw*C) x M` (im2col's column order), or, depthwise,
    `streamline.dw_matmul` with `(kh*kw) x C`; then `mul` by the per-channel weight
    scale and `add` of the bias. Other grouped convolutions become the dense
    convolution with block-diagonal weights (`block_diagonal`)."""

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
        depthwise = group == channels and cg == 1 and group > 1 and m == channels
        if group != 1 and not depthwise:
            if isinstance(weight.datatype, BipolarType):
                raise fail(op, f"grouped bipolar convolution (group={group}) is not supported")
            weight, cg = block_diagonal(weight, group), channels
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
            result = emit.bias(result, lowered_vector(bias, 4))
        result = as_float(emit, result, TensorType(f32, list(shape_of(result))))
        result = emit.to_nchw(result)
        emit.replace(rewriter, [result])
