"""Pooling patterns: max/average pooling and global average pooling (or a spatial mean) as
`streamline.maxpool` / `sum_pool` / `global_sum` (+ `mul` by the reciprocal window size),
pooling an `integer * scale` input as integers."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import TensorType, f32
from xdsl.ir import Attribute
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from passes.lower_quant_to_streamline.builder import (
    Emitter,
    as_float,
    compact,
    fail,
    integer_and_scale,
)
from qdialects import quant
from qdialects import streamline as sl
from qdialects.types import smallest_datatype
from qdialects.utils import i64_array, ints, shape_of


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
        result = emit.scale(pooled, compact(factor)) if xi is not x else emit.mul(pooled, factor)
        result = as_float(emit, result, TensorType(f32, out_shape))
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
