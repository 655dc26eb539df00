"""The data-movement layers of the `dataflow` dialect: layers that add, duplicate,
join, select, reorder or re-pack streams without a matrix or window computation
(add_streams, duplicate_streams, channelwise, label_select, concat, upsample,
depth_to_space, slice, dwc, fifo, reshape). Conventions: `qdialects.dataflow.ops`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import (
    DenseArrayBase,
    IntegerAttr,
    IntegerType,
    StringAttr,
    TensorType,
)
from xdsl.ir import SSAValue
from xdsl.irdl import (
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    var_operand_def,
    var_result_def,
)

from qdialects.dataflow import estimates as est
from qdialects.dataflow.estimates import Resources
from qdialects.dataflow.layer import (
    Layer,
    _constant,
    _i64,
    _int,
    _require_choice,
    _require_divides,
    _require_fits,
    _require_frame,
    _require_lanes,
    _require_positive,
    _require_same_element,
    _require_standard,
    stream_type,
)
from qdialects.dataflow.limits import RAM_STYLES
from qdialects.dataflow.types import StreamType
from qdialects.types import element_datatype
from qdialects.utils import (
    depth_to_space_shape,
    i64_array,
    ints,
    require,
    sliced_shape,
)

CHANNELWISE_OPS = ("add", "mul")


@irdl_op_definition
class AddStreamsOp(Layer):
    """Lane-wise sum of two streams (a residual join).

    Logical: `out = a + b` on frames of equal shape. Physical: `pe` lanes on all three
    streams, standard order, one word of each per cycle. Invariants: equal frames, PE
    lanes, the output datatype holds `[min_a + min_b, max_a + max_b]`.
    """

    name = "dataflow.add_streams"
    a = operand_def(StreamType)
    b = operand_def(StreamType)
    pe = prop_def(IntegerAttr[IntegerType])
    result = result_def(StreamType)
    assembly_format = "$a `,` $b attr-dict `:` functional-type(operands, results)"

    def __init__(self, a: SSAValue, b: SSAValue, result_type: StreamType, *, pe: int):
        super().__init__(operands=[a, b], result_types=[result_type], properties={"pe": _i64(pe)})

    def verify_(self) -> None:
        a, b, out = stream_type(self.a), stream_type(self.b), stream_type(self.result)
        pe = _int(self.pe)
        for what, s in (("lhs", a), ("rhs", b), ("output", out)):
            _require_standard(self, s, what)
            _require_lanes(self, s, pe, what, "pe")
            _require_frame(self, s, a.shape, what)
        _require_fits(
            self,
            out.element,
            a.element.min_value + b.element.min_value,
            a.element.max_value + b.element.max_value,
            "output datatype",
        )

    def estimates(self) -> Resources:
        out = stream_type(self.result)
        return Resources(lut=est.elementwise_luts(_int(self.pe), out.element.bitwidth))


@irdl_op_definition
class DuplicateStreamsOp(Layer):
    """Fan-out: every output is the input (`n` = the number of results, >= 2).

    Physical: each input word is written to every output; all streams have `pe` lanes and
    the input's type.
    """

    name = "dataflow.duplicate_streams"
    x = operand_def(StreamType)
    pe = prop_def(IntegerAttr[IntegerType])
    outputs = var_result_def(StreamType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, n: int, *, pe: int):
        super().__init__(operands=[x], result_types=[[x.type] * n], properties={"pe": _i64(pe)})

    def verify_(self) -> None:
        x = stream_type(self.x)
        require(len(self.outputs) >= 2, f"{self.name}: needs at least 2 outputs")
        _require_lanes(self, x, _int(self.pe), "input", "pe")
        for result in self.outputs:
            require(
                result.type == x,
                f"{self.name}: every output must have the input's type {x}, got {result.type}",
            )

    def estimates(self) -> Resources:
        return Resources(lut=est.elementwise_luts(1, len(self.outputs)))


@irdl_op_definition
class ChannelwiseOp(Layer):
    """A per-channel integer operation with constant parameters.

    Logical: input frame `(..., C)`, params `C` or `1` (integer constant, rank 1):
    `out[..., c] = x[..., c] + P[c]` ("add") or `x[..., c] * P[c]` ("mul").
    Physical: `pe` lanes in and out, standard order; params PE-interleaved
    (`params[p][n] = P[n*PE + p]`). Invariants: PE | C, the output datatype holds the
    exact range over the input datatype and the parameter values.
    """

    name = "dataflow.channelwise"
    x = operand_def(StreamType)
    params = operand_def(TensorType)
    op = prop_def(StringAttr)
    pe = prop_def(IntegerAttr[IntegerType])
    result = result_def(StreamType)
    assembly_format = "$x `,` $params attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, params: SSAValue, result_type: StreamType, *, op: str, pe: int):
        super().__init__(
            operands=[x, params],
            result_types=[result_type],
            properties={"op": StringAttr(op), "pe": _i64(pe)},
        )

    def output_range(self, params: np.ndarray) -> tuple[int, int]:
        lo, hi = stream_type(self.x).element.value_range
        p = params.astype(np.int64)
        if self.op.data == "add":
            return lo + int(p.min()), hi + int(p.max())
        products = np.concatenate([p * lo, p * hi])
        return int(products.min()), int(products.max())

    def verify_(self) -> None:
        x, out = stream_type(self.x), stream_type(self.result)
        _require_choice(self, self.op, CHANNELWISE_OPS, "op")
        params, _ = _constant(self, self.params, "params", 1)
        channels = x.shape[-1]
        require(
            params.shape[0] in (1, channels),
            f"{self.name}: {params.shape[0]} params for {channels} channels",
        )
        pe = _int(self.pe)
        _require_divides(self, pe, "pe", channels, "the channels")
        _require_standard(self, x, "input")
        _require_standard(self, out, "output")
        _require_lanes(self, x, pe, "input", "pe")
        _require_lanes(self, out, pe, "output", "pe")
        _require_frame(self, out, x.shape, "output")
        _require_fits(self, out.element, *self.output_range(params), "output datatype")

    def estimates(self) -> Resources:
        """PE adders (or multipliers, FINN-R's multiplier cost) and the parameter table."""
        x, out = stream_type(self.x), stream_type(self.result)
        p_dtype = element_datatype(self.params.type)
        assert p_dtype is not None
        pe, a, w = _int(self.pe), x.element.bitwidth, p_dtype.bitwidth
        per_lane = out.element.bitwidth
        if self.op.data == "mul":
            per_lane = (2 * est.ceil_div(a + w, 6) - 1) * (a + w)
        table = est.memory(x.shape[-1] // pe, pe * w)
        return table + Resources(lut=est.elementwise_luts(pe, per_lane))


@irdl_op_definition
class LabelSelectOp(Layer):
    """Top-k label selection: the indices of the k largest values.

    Logical: input frame `(..., N)`, output `(..., k)`: for each vector, the indices of
    its k largest values in descending order of value; equal values keep the lower index
    first (`streamline.topk`'s indices). Physical: the input has `pe` lanes; the output
    one lane (one index per word). Invariants: PE | N, 1 <= k <= N, the output datatype
    holds [0, N-1].
    """

    name = "dataflow.label_select"
    x = operand_def(StreamType)
    k = prop_def(IntegerAttr[IntegerType])
    pe = prop_def(IntegerAttr[IntegerType])
    result = result_def(StreamType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, result_type: StreamType, *, k: int, pe: int):
        super().__init__(
            operands=[x], result_types=[result_type], properties={"k": _i64(k), "pe": _i64(pe)}
        )

    def verify_(self) -> None:
        x, out = stream_type(self.x), stream_type(self.result)
        n, k, pe = x.shape[-1], _int(self.k), _int(self.pe)
        require(1 <= k <= n, f"{self.name}: k={k} must be in [1, {n}]")
        _require_divides(self, pe, "pe", n, "the number of labels")
        _require_standard(self, x, "input")
        _require_lanes(self, x, pe, "input", "pe")
        _require_lanes(self, out, 1, "output", "1")
        _require_frame(self, out, (*x.shape[:-1], k), "output")
        _require_fits(self, out.element, 0, n - 1, "output datatype")

    def cycles_per_frame(self) -> int:
        return stream_type(self.x).words_per_frame() + stream_type(self.result).words_per_frame()

    def estimates(self) -> Resources:
        """k registers of (value, index) and PE·k comparators."""
        x, out = stream_type(self.x), stream_type(self.result)
        bits = x.element.bitwidth + out.element.bitwidth
        return Resources(lut=est.elementwise_luts(_int(self.pe) * _int(self.k), bits, 2))


@irdl_op_definition
class ConcatOp(Layer):
    """Concatenation along the channel (innermost) axis.

    Logical: `out = concatenate(inputs, axis=-1)`. Physical: `simd` lanes on every stream,
    standard order; per pixel the words of input 0, then input 1, ... Invariants: the
    frames agree except in the channels, SIMD divides every input's channels, all
    elements are of the output's type.
    """

    name = "dataflow.concat"
    inputs = var_operand_def(StreamType)
    simd = prop_def(IntegerAttr[IntegerType])
    result = result_def(StreamType)
    assembly_format = "$inputs attr-dict `:` functional-type(operands, results)"

    def __init__(self, inputs: Sequence[SSAValue], result_type: StreamType, *, simd: int):
        super().__init__(
            operands=[inputs], result_types=[result_type], properties={"simd": _i64(simd)}
        )

    def verify_(self) -> None:
        require(len(self.inputs) >= 1, f"{self.name}: needs at least one input")
        out = stream_type(self.result)
        simd = _int(self.simd)
        streams = [stream_type(v) for v in self.inputs]
        channels = 0
        for i, s in enumerate(streams):
            what = f"input {i}"
            _require_standard(self, s, what)
            require(
                s.shape[:-1] == out.shape[:-1],
                f"{self.name}: {what} frame {list(s.shape)} does not match the output "
                f"{list(out.shape)} outside the channels",
            )
            _require_lanes(self, s, simd, what, "simd")
            _require_same_element(self, s, out)
            channels += s.shape[-1]
        _require_standard(self, out, "output")
        _require_lanes(self, out, simd, "output", "simd")
        _require_frame(self, out, (*out.shape[:-1], channels), "output")


@irdl_op_definition
class UpsampleOp(Layer):
    """Nearest-neighbour upsampling of a feature map by integer factors.

    Logical: input frame `(H, W, C)`, output `(H·SH, W·SW, C)`,
    `out[h, w, c] = x[h // SH, w // SW, c]` (the factors are the ratios of the frame
    sizes). Physical: `pe` lanes in and out, standard order; the kernel keeps one input
    row, writes each pixel's words as they arrive and repeats them SW times, then the row
    SH - 1 more times: one output word per cycle. Invariants: 3-D frames, the output's
    height and width multiples of the input's, same channels and element type, PE | C.
    """

    name = "dataflow.upsample"
    x = operand_def(StreamType)
    pe = prop_def(IntegerAttr[IntegerType])
    result = result_def(StreamType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, result_type: StreamType, *, pe: int):
        super().__init__(operands=[x], result_types=[result_type], properties={"pe": _i64(pe)})

    def scales(self) -> tuple[int, int]:
        """(SH, SW)."""
        x, out = stream_type(self.x), stream_type(self.result)
        return out.shape[0] // x.shape[0], out.shape[1] // x.shape[1]

    def verify_(self) -> None:
        x, out = stream_type(self.x), stream_type(self.result)
        require(
            len(x.shape) == 3 and len(out.shape) == 3,
            f"{self.name}: frames must be H x W x C, got {list(x.shape)} -> {list(out.shape)}",
        )
        _require_divides(self, x.shape[0], "the input height", out.shape[0], "the output height")
        _require_divides(self, x.shape[1], "the input width", out.shape[1], "the output width")
        _require_frame(self, out, (*out.shape[:2], x.shape[2]), "output")
        pe = _int(self.pe)
        _require_divides(self, pe, "pe", x.shape[2], "the channels")
        for stream, what in ((x, "input"), (out, "output")):
            _require_standard(self, stream, what)
            _require_lanes(self, stream, pe, what, "pe")
        _require_same_element(self, x, out)

    def estimates(self) -> Resources:
        """The row buffer (W·C/PE words of the input width) and the word multiplexing."""
        x = stream_type(self.x)
        (width,) = self.input_widths()
        row = est.memory(x.shape[1] * x.shape[2] // x.lanes, width)
        return row + Resources(lut=est.elementwise_luts(1, width))


@irdl_op_definition
class DepthToSpaceOp(Layer):
    """Depth to space (sub-pixel convolution's pixel shuffle) on a feature map.

    Logical: input frame `(H, W, C)`, output `(H·b, W·b, C/b²)` with
    `out[h·b + i, w·b + j, c] = x[h, w, k]`, `k = (i·b + j)·C/b² + c` (`DCR`) or
    `k = c·b² + i·b + j` (`CRD`); b is the ratio of the frame heights. Physical: `pe`
    lanes in and out, standard order; the kernel reads one input row (W·C/PE words),
    then writes the b output rows it makes: one word per cycle, the reading and writing
    of a row do not overlap. Invariants: 3-D frames, the output's height and width b
    times the input's, b² · its channels = the input's, PE | C/b², same element type.
    """

    name = "dataflow.depth_to_space"
    x = operand_def(StreamType)
    mode = prop_def(StringAttr)
    pe = prop_def(IntegerAttr[IntegerType])
    result = result_def(StreamType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, result_type: StreamType, *, mode: str, pe: int):
        properties = {"mode": StringAttr(mode), "pe": _i64(pe)}
        super().__init__(operands=[x], result_types=[result_type], properties=properties)

    @property
    def block(self) -> int:
        return stream_type(self.result).shape[0] // stream_type(self.x).shape[0]

    def verify_(self) -> None:
        x, out = stream_type(self.x), stream_type(self.result)
        require(
            len(x.shape) == 3 and len(out.shape) == 3 and x.shape[0] >= 1,
            f"{self.name}: frames must be H x W x C, got {list(x.shape)} -> {list(out.shape)}",
        )
        _require_choice(self, self.mode, ("DCR", "CRD"), "mode")
        block = self.block
        expected = depth_to_space_shape(self.name, (1, *x.shape), block, self.mode.data)[1:]
        _require_frame(self, out, expected, "output")
        pe = _int(self.pe)
        _require_divides(self, pe, "pe", out.shape[2], "the output channels")
        for stream, what in ((x, "input"), (out, "output")):
            _require_standard(self, stream, what)
            _require_lanes(self, stream, pe, what, "pe")
        _require_same_element(self, x, out)

    def cycles_per_frame(self) -> int:
        return stream_type(self.x).words_per_frame() + stream_type(self.result).words_per_frame()

    def estimates(self) -> Resources:
        """The row buffer (W·C elements) and the lane multiplexing."""
        x = stream_type(self.x)
        row = est.memory(x.shape[1] * x.shape[2], x.element.bitwidth)
        return row + Resources(lut=est.elementwise_luts(x.lanes, x.element.bitwidth))


@irdl_op_definition
class SliceOp(Layer):
    """A constant-range slice of the frame: the selected words pass, the others are read
    and dropped.

    Logical: `out = x[starts[0]:ends[0]:steps[0], ...]`, one range per frame axis
    (numpy basic slicing; steps >= 1, 0 <= start <= end <= the axis length).
    Physical: `pe` lanes in and out, standard order; one input word per cycle. With
    PE > 1 the channel (innermost) range must be whole words: step 1, PE dividing its
    start and end. Invariants: those, PE | C, the output frame is the slice's shape,
    same element type.
    """

    name = "dataflow.slice"
    x = operand_def(StreamType)
    starts = prop_def(DenseArrayBase)
    ends = prop_def(DenseArrayBase)
    steps = prop_def(DenseArrayBase)
    pe = prop_def(IntegerAttr[IntegerType])
    result = result_def(StreamType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        x: SSAValue,
        result_type: StreamType,
        *,
        starts: Sequence[int],
        ends: Sequence[int],
        steps: Sequence[int],
        pe: int,
    ):
        properties = {
            "starts": i64_array(starts),
            "ends": i64_array(ends),
            "steps": i64_array(steps),
            "pe": _i64(pe),
        }
        super().__init__(operands=[x], result_types=[result_type], properties=properties)

    def ranges(self) -> list[tuple[int, int, int]]:
        """(start, end, step) per frame axis."""
        return list(zip(ints(self.starts), ints(self.ends), ints(self.steps), strict=True))

    def max_pe(self) -> int:
        """The largest PE the channel range allows (every PE must divide it)."""
        channels = stream_type(self.x).shape[-1]
        start, end, step = self.ranges()[-1]
        return math.gcd(channels, start, end) if step == 1 else 1

    def verify_(self) -> None:
        x, out = stream_type(self.x), stream_type(self.result)
        ranges = (ints(self.starts), ints(self.ends), ints(self.steps))
        _require_frame(self, out, sliced_shape(self.name, x.shape, *ranges), "output")
        pe = _int(self.pe)
        _require_divides(self, pe, "pe", self.max_pe(), "the channel range's granularity")
        for stream, what in ((x, "input"), (out, "output")):
            _require_standard(self, stream, what)
            _require_lanes(self, stream, pe, what, "pe")
        _require_same_element(self, x, out)


@irdl_op_definition
class DWCOp(Layer):
    """Data-width converter: the same frame, re-cut into words of another lane count.

    Logical: identity. Physical: the frame's bit string (standard order, word 0 at the
    lowest bits) is re-sliced from `in lanes` to `out lanes` lanes per word; lanes keep
    their order. Cycles: max(input words, output words). Invariants: same frame and
    element type, both streams in standard order.
    """

    name = "dataflow.dwc"
    x = operand_def(StreamType)
    result = result_def(StreamType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, result_type: StreamType):
        super().__init__(operands=[x], result_types=[result_type])

    def verify_(self) -> None:
        x, out = stream_type(self.x), stream_type(self.result)
        _require_standard(self, x, "input")
        _require_standard(self, out, "output")
        _require_frame(self, out, x.shape, "output")
        _require_same_element(self, x, out)

    def estimates(self) -> Resources:
        (in_width,), (out_width,) = self.input_widths(), self.output_widths()
        return Resources(lut=est.dwc_luts(in_width, out_width))


@irdl_op_definition
class FIFOOp(Layer):
    """A stream FIFO of `depth` words. Logical: identity. Physical: the same stream type
    on both sides; `ram_style` chooses its memory. Cycles: 0 (it never limits
    throughput). Invariants: depth >= 1, same type in and out."""

    name = "dataflow.fifo"
    x = operand_def(StreamType)
    depth = prop_def(IntegerAttr[IntegerType])
    ram_style = prop_def(StringAttr, default_value=StringAttr("auto"))
    result = result_def(StreamType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, *, depth: int, ram_style: str = "auto"):
        super().__init__(
            operands=[x],
            result_types=[x.type],
            properties={"depth": _i64(depth), "ram_style": StringAttr(ram_style)},
        )

    def verify_(self) -> None:
        _require_positive(self, _int(self.depth), "depth")
        _require_choice(self, self.ram_style, RAM_STYLES, "ram_style")
        require(
            self.x.type == self.result.type,
            f"{self.name}: input type {self.x.type} differs from the output's {self.result.type}",
        )

    def cycles_per_frame(self) -> int:
        return 0

    def estimates(self) -> Resources:
        """`est.fifo_resources(depth, width, ram_style)`."""
        (width,) = self.input_widths()
        return est.fifo_resources(_int(self.depth), width, self.ram_style.data)


@irdl_op_definition
class ReshapeOp(Layer):
    """A zero-cost view: the same elements in row-major order with another frame shape.

    Logical: `out = x.reshape(out frame)`. Physical: the word sequence is unchanged (both
    streams in standard order with the same lanes, which divide both innermost
    dimensions). Invariants: equal element counts, element types and lanes.
    """

    name = "dataflow.reshape"
    x = operand_def(StreamType)
    result = result_def(StreamType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, result_type: StreamType):
        super().__init__(operands=[x], result_types=[result_type])

    def verify_(self) -> None:
        x, out = stream_type(self.x), stream_type(self.result)
        _require_standard(self, x, "input")
        _require_standard(self, out, "output")
        require(
            x.elements_per_frame == out.elements_per_frame,
            f"{self.name}: cannot view frame {list(x.shape)} as {list(out.shape)}",
        )
        _require_same_element(self, x, out)
        _require_lanes(self, out, x.lanes, "output", "the input's lanes")

    def cycles_per_frame(self) -> int:
        return 0

    def estimates(self) -> Resources:
        return Resources()
