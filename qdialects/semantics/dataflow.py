"""Reference semantics of the `dataflow` dialect (numpy).

A stream value is the int64 array `N x frame` of the whole batch: the logical tensor,
whatever the stream's lanes and word order (those describe the hardware transfer only).
A `dataflow.partition` runs its region once on its operands (a tensor and its stream are
the same array) and returns the yielded arrays. Each `@impl` implements its op's
docstring, with the streamline semantics' helpers where the computation is the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.interpreter import (
    Interpreter,
    InterpreterFunctions,
    PythonValues,
    ReturnedValues,
    TerminatorValue,
    impl,
    impl_terminator,
    register_impls,
)

from qdialects import dataflow as df
from qdialects.semantics.kernels import depth_to_space_nhwc, upsample_nearest
from qdialects.semantics.streamline import multithreshold, windows_nhwc
from qdialects.utils import ints


def _int64(value: Any) -> np.ndarray:
    return np.asarray(value, dtype=np.int64)


def _activate(op: df.MVAUOp | df.VVAUOp, acc: np.ndarray, thresholds: Any) -> np.ndarray:
    if op.thresholds is None:
        return acc
    scale, bias = op.activation()
    t = _int64(thresholds)
    return multithreshold(acc, t, (0,) * t.shape[1], scale, bias)


def _frame(value: Any, op_result: Any) -> np.ndarray:
    """`value` with the shape `N x frame` of the stream result `op_result`."""
    array = _int64(value)
    return array.reshape(array.shape[0], *df.stream_type(op_result).shape)


@register_impls
class DataflowFunctions(InterpreterFunctions):
    """One `@impl` per dataflow op; each implements exactly its op's docstring."""

    # ----------------------------------------------------------------------- structure

    @impl(df.PartitionOp)
    def run_partition(
        self, interpreter: Interpreter, op: df.PartitionOp, args: tuple[Any, ...]
    ) -> PythonValues:
        streams = tuple(_int64(a) for a in args)
        results = interpreter.run_ssacfg_region(op.body, streams, "dataflow.partition")
        return tuple(_int64(r) for r in results)

    @impl_terminator(df.YieldOp)
    def run_yield(
        self, interpreter: Interpreter, op: df.YieldOp, args: tuple[Any, ...]
    ) -> tuple[TerminatorValue, PythonValues]:
        return ReturnedValues(args), ()

    # ----------------------------------------------------------------------- compute

    @impl(df.MVAUOp)
    def run_mvau(
        self, interpreter: Interpreter, op: df.MVAUOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x, w = _int64(args[0]), _int64(args[1])
        acc = np.matmul(x, w)
        if op.is_xnor:
            acc = (acc + w.shape[0]) // 2  # Σ [x == w] for ±1 vectors
        thresholds = args[2] if op.thresholds is not None else None
        return (_activate(op, acc, thresholds),)

    @impl(df.VVAUOp)
    def run_vvau(
        self, interpreter: Interpreter, op: df.VVAUOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x, w = _int64(args[0]), _int64(args[1])
        k, c = w.shape
        acc = (x.reshape(*x.shape[:-1], k, c) * w).sum(axis=-2)
        thresholds = args[2] if op.thresholds is not None else None
        return (_activate(op, acc, thresholds),)

    @impl(df.ThresholdingOp)
    def run_thresholding(
        self, interpreter: Interpreter, op: df.ThresholdingOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x, t = _int64(args[0]), _int64(args[1])
        y = multithreshold(x, t, (0,) * t.shape[1], op.out_scale.value.data, op.out_bias.value.data)
        return (y,)

    @impl(df.ChannelwiseOp)
    def run_channelwise(
        self, interpreter: Interpreter, op: df.ChannelwiseOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x, p = _int64(args[0]), _int64(args[1])
        return (x + p if op.op.data == "add" else x * p,)

    @impl(df.AddStreamsOp)
    def run_add_streams(
        self, interpreter: Interpreter, op: df.AddStreamsOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (_int64(args[0]) + _int64(args[1]),)

    # ----------------------------------------------------------------------- windows

    @impl(df.SWGOp)
    def run_swg(
        self, interpreter: Interpreter, op: df.SWGOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = _int64(args[0])
        windows = windows_nhwc(
            x, ints(op.kernel), ints(op.stride), (0, 0, 0, 0), ints(op.dilation), pad_value=0
        )
        n, oh, ow = windows.shape[:3]
        return (np.ascontiguousarray(windows).reshape(n, oh, ow, -1),)

    @impl(df.FMPaddingOp)
    def run_fm_padding(
        self, interpreter: Interpreter, op: df.FMPaddingOp, args: tuple[Any, ...]
    ) -> PythonValues:
        top, left, bottom, right = ints(op.pads)
        x = _int64(args[0])
        return (np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0))),)

    @impl(df.MaxPoolOp)
    def run_maxpool(
        self, interpreter: Interpreter, op: df.MaxPoolOp, args: tuple[Any, ...]
    ) -> PythonValues:
        windows = windows_nhwc(
            _int64(args[0]), ints(op.kernel), ints(op.stride), (0, 0, 0, 0), (1, 1), 0
        )
        return (windows.max(axis=(3, 4)),)

    @impl(df.PoolOp)
    def run_pool(
        self, interpreter: Interpreter, op: df.PoolOp, args: tuple[Any, ...]
    ) -> PythonValues:
        windows = windows_nhwc(
            _int64(args[0]), ints(op.kernel), ints(op.stride), (0, 0, 0, 0), (1, 1), 0
        )
        if op.mode.data == "max":
            return (windows.max(axis=(3, 4)),)
        # An arithmetic right shift of int64 is floor division by 2^shift.
        return (np.right_shift(windows.sum(axis=(3, 4)), op.shift.value.data),)

    @impl(df.GlobalAccPoolOp)
    def run_global_acc_pool(
        self, interpreter: Interpreter, op: df.GlobalAccPoolOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (_int64(args[0]).sum(axis=(1, 2), keepdims=True),)

    # ----------------------------------------------------------------------- streams

    @impl(df.DuplicateStreamsOp)
    def run_duplicate_streams(
        self, interpreter: Interpreter, op: df.DuplicateStreamsOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = _int64(args[0])
        return tuple(x.copy() for _ in op.outputs)

    @impl(df.LabelSelectOp)
    def run_label_select(
        self, interpreter: Interpreter, op: df.LabelSelectOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = _int64(args[0])
        # A stable sort of -x keeps equal values in index order: ties -> lower index first.
        order = np.argsort(-x, axis=-1, kind="stable")[..., : op.k.value.data]
        return (order.astype(np.int64),)

    @impl(df.ConcatOp)
    def run_concat(
        self, interpreter: Interpreter, op: df.ConcatOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (np.concatenate([_int64(a) for a in args], axis=-1),)

    @impl(df.UpsampleOp)
    def run_upsample(
        self, interpreter: Interpreter, op: df.UpsampleOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (upsample_nearest(_int64(args[0]), (1, *op.scales(), 1)),)

    @impl(df.DepthToSpaceOp)
    def run_depth_to_space(
        self, interpreter: Interpreter, op: df.DepthToSpaceOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (depth_to_space_nhwc(_int64(args[0]), op.block, op.mode.data),)

    @impl(df.SliceOp)
    def run_slice(
        self, interpreter: Interpreter, op: df.SliceOp, args: tuple[Any, ...]
    ) -> PythonValues:
        index = tuple(slice(b, e, s) for b, e, s in op.ranges())
        return (np.ascontiguousarray(_int64(args[0])[(slice(None), *index)]),)

    @impl(df.DWCOp)
    def run_dwc(
        self, interpreter: Interpreter, op: df.DWCOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (_int64(args[0]),)

    @impl(df.FIFOOp)
    def run_fifo(
        self, interpreter: Interpreter, op: df.FIFOOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (_int64(args[0]),)

    @impl(df.ReshapeOp)
    def run_reshape(
        self, interpreter: Interpreter, op: df.ReshapeOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (_frame(args[0], op.result),)
