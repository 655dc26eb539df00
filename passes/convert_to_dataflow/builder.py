"""The partition builder of `convert-to-dataflow`: streams of the region's tensors
(forked with `dataflow.duplicate_streams` when a tensor has several consumers), constants
cloned into the partition, the conversion of thresholds, and the pass's errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects.builtin import NameLoc, TensorType
from xdsl.ir import Block, Operation, SSAValue

from passes.errors import ConversionError
from qdialects import dataflow as df
from qdialects import streamline as sl
from qdialects.quant import ConstantOp, constant_value
from qdialects.types import BipolarType, QDataType, element_datatype
from qdialects.utils import dense_from_numpy, shape_of

MEM_MODE = "internal_embedded"
RAM_STYLE = "auto"
LANES = 1
"""Initial folding: one lane on every stream (PE = SIMD = 1)."""


# --------------------------------------------------------------------------- errors


def is_const(value: SSAValue) -> bool:
    return isinstance(value.owner, ConstantOp)


def is_int(value: SSAValue) -> bool:
    return sl.is_integer_tensor(value)


def label(op: Operation) -> str:
    """`streamline.transpose 'Transpose_0' (%x_t)`: the op, its ONNX node name when the
    importer kept one (`NameLoc`), and its first result's name."""
    parts = [op.name]
    if isinstance(op.location, NameLoc) and op.location.desc.data:
        parts.append(f"'{op.location.desc.data}'")
    if op.results and op.results[0].name_hint:
        parts.append(f"(%{op.results[0].name_hint})")
    return " ".join(parts)


def fail(op: Operation, reason: str) -> ConversionError:
    return ConversionError(f"convert-to-dataflow: {label(op)}: {reason}")


# --------------------------------------------------------------------------- builder


def stream_of(value: SSAValue, depthwise: int = 0) -> df.StreamType:
    """The one-lane stream carrying the frames of an `N x frame` integer tensor."""
    datatype = element_datatype(value.type)
    assert datatype is not None
    return df.StreamType(shape_of(value)[1:], datatype, LANES, depthwise_kernel=depthwise)


def frame_type(shape: Sequence[int], datatype: QDataType) -> df.StreamType:
    return df.StreamType(tuple(shape), datatype, LANES)


@dataclass
class Builder:
    """Builds the partition's body: maps each region tensor to the stream(s) carrying
    it, forking a tensor with several consumers, and clones constants into the body."""

    block: Block
    region: set[Operation]
    fused: set[Operation] = field(default_factory=set)
    streams: dict[SSAValue, list[SSAValue]] = field(default_factory=dict)
    constants: dict[SSAValue, SSAValue] = field(default_factory=dict)
    outputs: list[SSAValue] = field(default_factory=list)

    def add(self, op: Operation) -> Operation:
        self.block.add_op(op)
        return op

    def define(self, value: SSAValue, stream: SSAValue, *, is_input: bool = False) -> None:
        """`stream` carries `value`; fork it when `value` has several consumers: one per
        use by a region op, plus the host when a region result is also used outside."""
        if not stream.name_hint:
            stream.name_hint = value.name_hint
        outside = not is_input and any(use.operation not in self.region for use in value.uses)
        n = sum(1 for use in value.uses if use.operation in self.region) + int(outside)
        if n <= 1:
            self.streams[value] = [stream]
        else:
            fork = self.add(df.DuplicateStreamsOp(stream, n, pe=LANES))
            self.streams[value] = list(fork.results)
        if outside:
            self.outputs.append(value)

    def stream(self, value: SSAValue, user: Operation) -> SSAValue:
        """The next unused stream carrying `value` (one per consumer)."""
        available = self.streams.get(value)
        if not available:
            raise fail(user, f"operand {name_of(value)} is not a stream of the partition")
        return available.pop(0)

    def const(self, value: SSAValue) -> SSAValue:
        """The partition's copy of the constant `value`."""
        if value not in self.constants:
            owner = value.owner
            assert isinstance(owner, ConstantOp)
            clone = self.add(owner.clone())
            clone.results[0].name_hint = value.name_hint
            self.constants[value] = clone.results[0]
        return self.constants[value]

    def new_const(self, array: np.ndarray, datatype: QDataType, name: str | None) -> SSAValue:
        values = np.asarray(array, dtype=np.int64)
        op = self.add(ConstantOp(dense_from_numpy(values), TensorType(datatype, values.shape)))
        op.results[0].name_hint = name
        return op.results[0]


def name_of(value: SSAValue) -> str:
    return f"%{value.name_hint}" if value.name_hint else "a value"


# --------------------------------------------------------------------------- helpers


def datatype_of(op: Operation, value: SSAValue) -> QDataType:
    datatype = element_datatype(value.type)
    if datatype is None:
        raise fail(op, f"{name_of(value)} of type {value.type} is not an integer tensor")
    return datatype


def int_constant(op: Operation, value: SSAValue, what: str) -> np.ndarray:
    array = constant_value(value)
    if array is None or not is_const(value):
        raise fail(op, f"its {what} {name_of(value)}: not a constant")
    if not is_int(value):
        raise fail(op, f"its {what} {name_of(value)}: not integer ({value.type})")
    return array.astype(np.int64)


def dataflow_thresholds(mt: sl.MultiThresholdOp, lo: int, hi: int) -> np.ndarray:
    """`mt`'s thresholds as non-strict integer thresholds for inputs in [lo, hi]:
    strict `x > t` is `x >= t + 1`; each row clipped to [lo, hi + 1] and sorted."""
    thresholds = int_constant(mt, mt.thresholds, "thresholds")
    if thresholds.shape[1] == 0:
        raise fail(mt, "it has no thresholds (a constant output has no dataflow layer)")
    thresholds = thresholds + np.asarray(mt.strictness(), dtype=np.int64)[None, :]
    return np.sort(np.clip(thresholds, lo, hi + 1), axis=1)


def activation(mt: sl.MultiThresholdOp) -> tuple[int, int]:
    return mt.out_scale.value.data, mt.out_bias.value.data


def fusable_threshold(op: Operation, region: set[Operation]) -> sl.MultiThresholdOp | None:
    """The multithreshold to fuse into a MAC layer: the only user of its result, as the
    thresholded input, with integer constant thresholds."""
    result = op.results[0]
    if not result.has_one_use():
        return None
    use = result.first_use
    assert use is not None
    user = use.operation
    if (
        not isinstance(user, sl.MultiThresholdOp)
        or user not in region
        or use.index != 0
        or not is_const(user.thresholds)
        or not is_int(user.thresholds)
    ):
        return None
    return user


def _check_padding(op: Operation, datatype: QDataType, pads: Sequence[int]) -> None:
    if any(pads) and isinstance(datatype, BipolarType):
        raise fail(op, "a bipolar stream cannot be zero-padded")


def pad(b: Builder, op: Operation, x: SSAValue, pads: Sequence[int]) -> SSAValue:
    """`x` zero-padded by `pads` ([top, left, bottom, right]) when any is non-zero."""
    if not any(pads):
        return x
    stream = df.stream_type(x)
    _check_padding(op, stream.element, pads)
    top, left, bottom, right = pads
    h, w, c = stream.shape
    out = frame_type((h + top + bottom, w + left + right, c), stream.element)
    return b.add(df.FMPaddingOp(x, out, pads=pads, simd=LANES)).results[0]
