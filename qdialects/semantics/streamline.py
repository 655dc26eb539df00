"""Reference semantics of the `streamline` dialect (numpy).

Integer tensors are int64 arrays and compute exactly; float results are computed in
float64 and returned as float32, as their `f32` types say.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls
from xdsl.ir import SSAValue

from qdialects import streamline as sl
from qdialects.semantics import host_ops, kernels
from qdialects.utils import ints


def as_result(value: SSAValue, array: np.ndarray) -> np.ndarray:
    """`array` held as the value's type says: int64 for integer tensors, else float32."""
    return host_ops.result(array, sl.is_integer_tensor(value))


_wide = host_ops.wide
multithreshold = host_ops.multithreshold


def windows_nhwc(
    x: np.ndarray,
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    pads: tuple[int, ...],
    dilation: tuple[int, ...],
    pad_value: float,
) -> np.ndarray:
    """All windows of an NHWC tensor: shape `N x OH x OW x KH x KW x C`."""
    top, left, bottom, right = pads
    padded = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=pad_value)
    span_h = dilation[0] * (kernel[0] - 1) + 1
    span_w = dilation[1] * (kernel[1] - 1) + 1
    view = sliding_window_view(padded, (span_h, span_w), axis=(1, 2))
    view = view[:, :: stride[0], :: stride[1], :, :: dilation[0], :: dilation[1]]
    return view.transpose(0, 1, 2, 4, 5, 3)


def _window_args(op: sl.WindowOp) -> tuple[tuple[int, ...], ...]:
    return ints(op.kernel), ints(op.stride), ints(op.pads), op.dilation()


@register_impls
class StreamlineFunctions(InterpreterFunctions):
    """One `@impl` per streamline op; each implements exactly its op's docstring."""

    @impl(sl.MultiThresholdOp)
    def run_multithreshold(
        self, interpreter: Interpreter, op: sl.MultiThresholdOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x, thresholds = args
        y = multithreshold(
            x, thresholds, op.strictness(), op.out_scale.value.data, op.out_bias.value.data
        )
        return (as_result(op.result, y),)

    @impl(sl.MatMulOp)
    def run_matmul(
        self, interpreter: Interpreter, op: sl.MatMulOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x, w = (_wide(a) for a in args)
        return (as_result(op.result, np.matmul(x, w)),)

    @impl(sl.XnorPopcountOp)
    def run_xnor_popcount(
        self, interpreter: Interpreter, op: sl.XnorPopcountOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x, w = args
        k = w.shape[0]
        # For ±1 vectors, Σ [x == w] = (Σ x·w + K) / 2.
        products = np.matmul(np.asarray(x, np.int64), np.asarray(w, np.int64))
        return (as_result(op.result, (products + k) // 2),)

    @impl(sl.DepthwiseMatMulOp)
    def run_dw_matmul(
        self, interpreter: Interpreter, op: sl.DepthwiseMatMulOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x, w = (_wide(a) for a in args)
        k, c = w.shape
        columns = x.reshape(*x.shape[:-1], k, c)
        return (as_result(op.result, (columns * w).sum(axis=-2)),)

    @impl(sl.MulOp)
    def run_mul(
        self, interpreter: Interpreter, op: sl.MulOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (as_result(op.result, host_ops.mul(*args)),)

    @impl(sl.AddOp)
    def run_add(
        self, interpreter: Interpreter, op: sl.AddOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (as_result(op.result, host_ops.add(*args)),)

    @impl(sl.Im2ColOp)
    def run_im2col(
        self, interpreter: Interpreter, op: sl.Im2ColOp, args: tuple[Any, ...]
    ) -> PythonValues:
        (x,) = args
        windows = windows_nhwc(x, *_window_args(op), pad_value=0)
        n, oh, ow = windows.shape[:3]
        return (as_result(op.result, windows.reshape(n, oh, ow, -1)),)

    @impl(sl.MaxPoolOp)
    def run_maxpool(
        self, interpreter: Interpreter, op: sl.MaxPoolOp, args: tuple[Any, ...]
    ) -> PythonValues:
        (x,) = args
        lowest = np.iinfo(np.int64).min if x.dtype == np.int64 else -np.inf
        windows = windows_nhwc(x, *_window_args(op), pad_value=lowest)
        return (as_result(op.result, windows.max(axis=(3, 4))),)

    @impl(sl.SumPoolOp)
    def run_sum_pool(
        self, interpreter: Interpreter, op: sl.SumPoolOp, args: tuple[Any, ...]
    ) -> PythonValues:
        (x,) = args
        windows = windows_nhwc(_wide(x), *_window_args(op), pad_value=0)
        return (as_result(op.result, windows.sum(axis=(3, 4))),)

    @impl(sl.GlobalSumOp)
    def run_global_sum(
        self, interpreter: Interpreter, op: sl.GlobalSumOp, args: tuple[Any, ...]
    ) -> PythonValues:
        (x,) = args
        return (as_result(op.result, _wide(x).sum(axis=(1, 2), keepdims=True)),)

    @impl(sl.ReshapeOp)
    def run_reshape(
        self, interpreter: Interpreter, op: sl.ReshapeOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (host_ops.reshape(args[0], sl.shape_of(op.result)),)

    @impl(sl.TransposeOp)
    def run_transpose(
        self, interpreter: Interpreter, op: sl.TransposeOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (host_ops.transpose(args[0], ints(op.perm)),)

    @impl(sl.UpsampleOp)
    def run_upsample(
        self, interpreter: Interpreter, op: sl.UpsampleOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (kernels.upsample_nearest(args[0], ints(op.scales)),)

    @impl(sl.DepthToSpaceOp)
    def run_depth_to_space(
        self, interpreter: Interpreter, op: sl.DepthToSpaceOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (kernels.depth_to_space_nhwc(args[0], op.blocksize.value.data, op.mode.data),)

    @impl(sl.SliceOp)
    def run_slice(
        self, interpreter: Interpreter, op: sl.SliceOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (np.ascontiguousarray(args[0][op.ranges()]),)

    @impl(sl.ConcatOp)
    def run_concat(
        self, interpreter: Interpreter, op: sl.ConcatOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (host_ops.concat(args, op.axis.value.data),)

    @impl(sl.TopKOp)
    def run_topk(
        self, interpreter: Interpreter, op: sl.TopKOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return host_ops.topk(args[0], op.k.value.data)
