"""The pooling layers of the `dataflow` dialect: `dataflow.maxpool` (FINN's
StreamingMaxPool, window = stride), `dataflow.pool` (max or sum over SWG windows) and
`dataflow.global_acc_pool`. Conventions: `qdialects.dataflow.ops`."""

from __future__ import annotations

import math
from collections.abc import Sequence

from xdsl.dialects.builtin import (
    DenseArrayBase,
    IntegerAttr,
    IntegerType,
    StringAttr,
)
from xdsl.ir import SSAValue
from xdsl.irdl import (
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
)

from qdialects.dataflow import estimates as est
from qdialects.dataflow.estimates import Resources
from qdialects.dataflow.layer import (
    Layer,
    _i64,
    _int,
    _pair,
    _require_choice,
    _require_divides,
    _require_fits,
    _require_frame,
    _require_lanes,
    _require_same_element,
    _require_standard,
    _window_out,
    stream_type,
)
from qdialects.dataflow.limits import POOL_MODES
from qdialects.dataflow.types import StreamType
from qdialects.utils import (
    i64_array,
    ints,
    require,
)


class _PoolLayer(Layer):
    x = operand_def(StreamType)
    kernel = prop_def(DenseArrayBase)
    stride = prop_def(DenseArrayBase)
    pe = prop_def(IntegerAttr[IntegerType])
    result = result_def(StreamType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def out_dims(self) -> tuple[int, int]:
        h, w, _ = stream_type(self.x).shape
        kh, kw = ints(self.kernel)
        sh, sw = ints(self.stride)
        return _window_out(h, kh, sh), _window_out(w, kw, sw)

    def window_checks(self) -> None:
        x = stream_type(self.x)
        out = stream_type(self.result)
        require(len(x.shape) == 3, f"{self.name}: input frame must be H x W x C")
        _pair(self, self.kernel, "kernel")
        _pair(self, self.stride, "stride")
        pe = _int(self.pe)
        _require_divides(self, pe, "pe", x.shape[2], "the channels")
        _require_standard(self, x, "input")
        _require_standard(self, out, "output")
        _require_lanes(self, x, pe, "input", "pe")
        _require_lanes(self, out, pe, "output", "pe")
        oh, ow = self.out_dims()
        require(oh >= 1 and ow >= 1, f"{self.name}: the window does not fit the input")
        _require_frame(self, out, (oh, ow, x.shape[2]), "output")

    def cycles_per_frame(self) -> int:
        """The library's window engine: `IFMh·IFMw·C/PE + OFMh·OFMw·KH·KW·C/PE`."""
        h, w, c = stream_type(self.x).shape
        kh, kw = ints(self.kernel)
        sh, sw = ints(self.stride)
        return est.swg_cycles(
            h, w, c, (kh, kw), (sh, sw), (1, 1), self.out_dims(), _int(self.pe), overlapped=False
        )

    def estimates(self) -> Resources:
        """A line buffer of KH rows (`est.swg_buffer`), PE lane reducers and 300 LUTs of
        control."""
        x = stream_type(self.x)
        _, w, c = x.shape
        bits = stream_type(self.result).element.bitwidth
        buffer = est.swg_buffer(ints(self.kernel)[0], w, c, _int(self.pe), x.element.bitwidth)
        reducers = _int(self.pe) * bits
        return Resources(lut=est.swg_luts(buffer) + reducers, bram18=buffer.bram18)


@irdl_op_definition
class MaxPoolOp(_PoolLayer):
    """Max pooling without padding.

    Logical: input frame `(H, W, C)`, output `(OH, OW, C)` with `OH = (H - KH) / SH + 1`:
    `y[oy, ox, c] = max_{ky, kx} x[oy*SH + ky, ox*SW + kx, c]`. (A padded max pool is an
    `fm_padding` before it when 0 is the smallest input value, e.g. unsigned inputs.)
    Physical: `pe` lanes in and out, standard order. Invariants: PE | C, the window fits,
    same element type.
    """

    name = "dataflow.maxpool"

    def __init__(
        self,
        x: SSAValue,
        result_type: StreamType,
        *,
        kernel: Sequence[int],
        stride: Sequence[int],
        pe: int,
    ):
        super().__init__(
            operands=[x],
            result_types=[result_type],
            properties={"kernel": i64_array(kernel), "stride": i64_array(stride), "pe": _i64(pe)},
        )

    def verify_(self) -> None:
        self.window_checks()
        _require_same_element(self, stream_type(self.x), stream_type(self.result))


@irdl_op_definition
class PoolOp(_PoolLayer):
    """Window pooling without padding, `mode` "max" or "sum".

    Logical: input frame `(H, W, C)`, output `(OH, OW, C)`; "max": the window maximum
    (as `dataflow.maxpool`, shift 0); "sum": `y = floor(Σ_window x / 2^shift)`
    (arithmetic shift right). The converter maps `streamline.sum_pool` to shift 0 and
    leaves the division by the window size to the thresholds that follow (streamlining
    has absorbed the average pool's `1/k²` into them); shift > 0 is for power-of-two
    average pools that feed no thresholds (a QONNX Trunc after the sum).
    Physical: `pe` lanes in and out, standard order. Invariants: PE | C, the window fits,
    mode max keeps the element type, mode sum's output datatype holds
    `floor([K·min, K·max] / 2^shift)` (K = KH·KW).
    """

    name = "dataflow.pool"
    mode = prop_def(StringAttr)
    shift = prop_def(IntegerAttr[IntegerType], default_value=_i64(0))

    def __init__(
        self,
        x: SSAValue,
        result_type: StreamType,
        *,
        kernel: Sequence[int],
        stride: Sequence[int],
        pe: int,
        mode: str,
        shift: int = 0,
    ):
        super().__init__(
            operands=[x],
            result_types=[result_type],
            properties={
                "kernel": i64_array(kernel),
                "stride": i64_array(stride),
                "pe": _i64(pe),
                "mode": StringAttr(mode),
                "shift": _i64(shift),
            },
        )

    def output_range(self) -> tuple[int, int]:
        lo, hi = stream_type(self.x).element.value_range
        size = math.prod(ints(self.kernel))
        shift = _int(self.shift)
        return (size * lo) >> shift, (size * hi) >> shift

    def verify_(self) -> None:
        self.window_checks()
        _require_choice(self, self.mode, POOL_MODES, "mode")
        shift = _int(self.shift)
        require(0 <= shift < 64, f"{self.name}: shift must be in [0, 63], got {shift}")
        x, out = stream_type(self.x), stream_type(self.result)
        if self.mode.data == "max":
            require(shift == 0, f"{self.name}: shift applies to mode sum only")
            _require_same_element(self, x, out)
            return
        _require_fits(self, out.element, *self.output_range(), "output datatype")


@irdl_op_definition
class GlobalAccPoolOp(Layer):
    """Global accumulation pooling: the per-channel sum over all pixels.

    Logical: input frame `(H, W, C)`, output `(1, 1, C)`: `y[0, 0, c] = Σ_{i,j} x[i, j, c]`
    (`streamline.global_sum`). Physical: `pe` lanes in and out, standard order; the
    output is emitted while the last pixel streams in. Invariants: PE | C, the output
    datatype holds `H·W·[min, max]`.
    """

    name = "dataflow.global_acc_pool"
    x = operand_def(StreamType)
    pe = prop_def(IntegerAttr[IntegerType])
    result = result_def(StreamType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, result_type: StreamType, *, pe: int):
        super().__init__(operands=[x], result_types=[result_type], properties={"pe": _i64(pe)})

    def verify_(self) -> None:
        x, out = stream_type(self.x), stream_type(self.result)
        require(len(x.shape) == 3, f"{self.name}: input frame must be H x W x C")
        h, w, c = x.shape
        pe = _int(self.pe)
        _require_divides(self, pe, "pe", c, "the channels")
        _require_standard(self, x, "input")
        _require_standard(self, out, "output")
        _require_lanes(self, x, pe, "input", "pe")
        _require_lanes(self, out, pe, "output", "pe")
        _require_frame(self, out, (1, 1, c), "output")
        lo, hi = x.element.value_range
        _require_fits(self, out.element, min(0, h * w * lo), max(0, h * w * hi), "output datatype")

    def cycles_per_frame(self) -> int:
        return stream_type(self.x).words_per_frame()

    def estimates(self) -> Resources:
        """PE accumulators and a C-entry accumulator memory of the output width."""
        x, out = stream_type(self.x), stream_type(self.result)
        pe, bits = _int(self.pe), out.element.bitwidth
        acc = est.memory(x.shape[2] // pe, pe * bits)
        return acc + Resources(lut=est.elementwise_luts(pe, bits))
