"""The bases of the `dataflow` ops and the checks their verifiers share.

`DataflowOp` is every dataflow op's base; `Layer` is the interface of a streaming layer
(cycles per frame, stream widths, resource estimate) that folding, FIFO sizing and the
reports use. The underscore helpers are the verifier checks the op modules of this
package (`ops`, `partition`, `pooling`, `movement`) share, each failing with one line
naming the op.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import (
    DenseArrayBase,
    IntegerAttr,
    StringAttr,
    i64,
)
from xdsl.ir import Operation, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    traits_def,
)
from xdsl.traits import Pure

from qdialects.dataflow import estimates as est
from qdialects.dataflow.estimates import Resources
from qdialects.dataflow.types import StreamType
from qdialects.quant import constant_value
from qdialects.types import QDataType, element_datatype
from qdialects.utils import (
    ints,
    require,
)


def _int(attr: IntegerAttr) -> int:
    return attr.value.data


def _i64(value: int) -> IntegerAttr:
    return IntegerAttr(value, i64)


def stream_type(value: SSAValue) -> StreamType:
    """The stream type of a value (verifiers have checked it is one)."""
    type_ = value.type
    assert isinstance(type_, StreamType)
    return type_


def _fits(datatype: QDataType, lo: int, hi: int) -> bool:
    return datatype.min_value <= lo and hi <= datatype.max_value


def _require_fits(op: Operation, datatype: QDataType, lo: int, hi: int, what: str) -> None:
    require(
        _fits(datatype, lo, hi),
        f"{op.name}: {what} {datatype} cannot hold the range [{lo}, {hi}]",
    )


def _require_lanes(op: Operation, stream: StreamType, lanes: int, what: str, name: str) -> None:
    require(
        stream.lanes == lanes,
        f"{op.name}: {what} stream has {stream.lanes} lanes, {name} is {lanes}",
    )


def _require_standard(op: Operation, stream: StreamType, what: str) -> None:
    require(not stream.is_depthwise, f"{op.name}: {what} stream must be in standard order")


def _require_frame(op: Operation, stream: StreamType, shape: Sequence[int], what: str) -> None:
    require(
        stream.shape == tuple(shape),
        f"{op.name}: {what} frame {list(stream.shape)} does not match the expected {list(shape)}",
    )


def _require_same_element(op: Operation, a: StreamType, b: StreamType) -> None:
    require(
        a.element == b.element,
        f"{op.name}: element type changes from {a.element} to {b.element}",
    )


def _require_positive(op: Operation, value: int, name: str) -> None:
    require(value >= 1, f"{op.name}: {name} must be >= 1, got {value}")


def _require_divides(op: Operation, a: int, a_name: str, b: int, b_name: str) -> None:
    require(
        a >= 1 and b % a == 0,
        f"{op.name}: {a_name} ({a}) must divide {b_name} ({b})",
    )


def _require_choice(op: Operation, attr: StringAttr, choices: Sequence[str], name: str) -> None:
    require(
        attr.data in choices,
        f"{op.name}: {name} must be one of {', '.join(choices)}, got {attr.data!r}",
    )


def _constant(op: Operation, value: SSAValue, what: str, rank: int) -> tuple[np.ndarray, QDataType]:
    """The array of an integer `quant.constant` operand of the given rank, and its datatype."""
    datatype = element_datatype(value.type)
    require(
        datatype is not None,
        f"{op.name}: {what} must be a tensor of a QONNX datatype, got {value.type}",
    )
    array = constant_value(value)
    require(array is not None, f"{op.name}: {what} must be a quant.constant")
    assert array is not None and datatype is not None
    require(
        array.ndim == rank,
        f"{op.name}: {what} must have rank {rank}, got shape {list(array.shape)}",
    )
    return array, datatype


def _window_out(size: int, kernel: int, stride: int, dilation: int = 1) -> int:
    span = dilation * (kernel - 1) + 1
    return (size - span) // stride + 1 if size >= span else 0


def _pair(op: Operation, attr: DenseArrayBase, name: str) -> tuple[int, int]:
    values = ints(attr)
    require(
        len(values) == 2 and min(values) >= 1,
        f"{op.name}: {name} must be 2 values >= 1, got {list(values)}",
    )
    return values[0], values[1]


# --------------------------------------------------------------------------- bases


class DataflowOp(IRDLOperation):
    """Base of the dataflow ops: properties print in the attribute dictionary."""

    irdl_options = (ParsePropInAttrDict(),)


class Layer(DataflowOp):
    """A streaming hardware layer: the interface the folding, FIFO-sizing and reporting
    passes use.

    * `cycles_per_frame()`: clock cycles to process one frame once the pipeline is full
      (the layer's initiation interval in frames);
    * `input_widths()` / `output_widths()`: bits per word of each stream operand/result;
    * `estimates()`: a `Resources` (LUT, BRAM18, URAM, DSP) from `qdialects.dataflow.estimates`.
    """

    traits = traits_def(Pure())

    def input_streams(self) -> list[StreamType]:
        return [t for t in (o.type for o in self.operands) if isinstance(t, StreamType)]

    def output_streams(self) -> list[StreamType]:
        return [t for t in (r.type for r in self.results) if isinstance(t, StreamType)]

    def input_widths(self) -> tuple[int, ...]:
        return tuple(t.word_width() for t in self.input_streams())

    def output_widths(self) -> tuple[int, ...]:
        return tuple(t.word_width() for t in self.output_streams())

    def cycles_per_frame(self) -> int:
        """Default: one word per cycle on the busiest stream."""
        return max(t.words_per_frame() for t in self.input_streams() + self.output_streams())

    def estimates(self) -> Resources:
        """Default: a small streaming elementwise layer over the output word."""
        width = max(self.output_widths() or (0,))
        return Resources(lut=est.elementwise_luts(1, width))
