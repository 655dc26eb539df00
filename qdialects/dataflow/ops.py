"""The `dataflow` dialect's operations: FINN's streaming hardware layers.

A `dataflow.partition` holds the accelerator: its operands are the integer tensors
entering it (batch first, `N x ...`), its region's block arguments are the streams those
tensors become (one frame per image), and its `dataflow.yield` gives the streams leaving
it, which become its integer tensor results. Inside, every op is a hardware layer that
consumes and produces `!dataflow.stream`s (see `qdialects.dataflow.types` for the word
order). Weights, thresholds and per-channel parameters are integer `quant.constant`
tensors.

Each op's docstring states its semantics on the logical frame tensor (what
`qdialects.semantics.dataflow` computes, on the whole batch at once) and the physical
stream order it implies; the verifier checks every invariant the HLS kernels of
`backend_hls/lib` rely on. Every layer also implements the `Layer` interface: cycles
per frame, stream widths, and a resource estimate (`qdialects.dataflow.estimates`).

Conventions common to the layers:
* `pe`/`simd` are the folding factors; they always equal the `lanes` of the streams the
  op's docstring names, so a stream type alone tells the word width.
* Thresholds: `out = out_scale * Σ_i [acc >= T[c, i]] + out_bias` (non-strict; the
  converter turns streamline's strict thresholds `x > t` into `x >= t + 1`, exact for
  integers). `T` is `C x N` or `1 x N` (shared by all channels), N >= 1. A bipolar
  output needs N = 1, out_scale 2, out_bias -1 (the HLS kernels then store the count
  as the bipolar bit). The HLS library implements out_scale = 1 (and the bipolar case).

The dialect's ops by family: the compute layers (MVAU, VVAU, SWG, FM padding,
thresholding) are defined here; `partition` holds the partition and its yield, `pooling`
the pooling layers, `movement` the data-movement layers, `layer` the bases and the
verifier checks they share. This module gathers them all (`LAYERS`), so
`qdialects.dataflow.ops` names every op.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NotRequired, TypedDict, Unpack

import numpy as np
from xdsl.dialects.builtin import (
    BoolAttr,
    DenseArrayBase,
    IntegerAttr,
    IntegerType,
    StringAttr,
    TensorType,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.irdl import (
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    prop_def,
    result_def,
)

from qdialects.dataflow import estimates as est
from qdialects.dataflow.estimates import Resources
from qdialects.dataflow.layer import (
    DataflowOp,
    Layer,
    _constant,
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
from qdialects.dataflow.limits import MEM_MODES, RAM_STYLES, RES_TYPES
from qdialects.dataflow.movement import (
    AddStreamsOp,
    ChannelwiseOp,
    ConcatOp,
    DepthToSpaceOp,
    DuplicateStreamsOp,
    DWCOp,
    FIFOOp,
    LabelSelectOp,
    ReshapeOp,
    SliceOp,
    UpsampleOp,
)
from qdialects.dataflow.partition import (
    PartitionError,
    PartitionOp,
    YieldOp,
    find_partition,
    require_partition,
)
from qdialects.dataflow.pooling import GlobalAccPoolOp, MaxPoolOp, PoolOp
from qdialects.dataflow.types import StreamType
from qdialects.quant import constant_value
from qdialects.streamline import matmul_range
from qdialects.types import BipolarType, QDataType, element_datatype
from qdialects.utils import (
    i64_array,
    ints,
    require,
    shape_of,
)

# --------------------------------------------------------------------------- MVAU / VVAU


def _threshold_checks(
    op: Operation,
    thresholds: SSAValue,
    channels: int,
    out: StreamType,
    out_scale: int,
    out_bias: int,
    threshold_dtype: QDataType | None,
) -> int:
    """Check a `C x N`/`1 x N` threshold constant and the output datatype; return N."""
    array, _ = _constant(op, thresholds, "thresholds", 2)
    rows, n = array.shape
    require(
        rows in (1, channels),
        f"{op.name}: {rows} threshold rows for {channels} channels (expected {channels} or 1)",
    )
    require(n >= 1, f"{op.name}: thresholds must have at least one column")
    if threshold_dtype is not None and array.size:
        _require_fits(
            op,
            threshold_dtype,
            int(array.min()),
            int(array.max()),
            "threshold datatype (acc_dtype)",
        )
    _require_activation(op, out, n, out_scale, out_bias)
    return n


def _require_activation(op: Operation, out: StreamType, n: int, scale: int, bias: int) -> None:
    if isinstance(out.element, BipolarType):
        require(
            n == 1 and scale == 2 and bias == -1,
            f"{op.name}: a bipolar output needs one threshold, out_scale 2 and out_bias -1",
        )
        return
    ends = (bias, bias + scale * n)
    _require_fits(op, out.element, min(ends), max(ends), "output datatype")


class MacProperties(TypedDict):
    """The properties of `dataflow.mvau` and `dataflow.vvau` as Python values; the optional
    ones default to out_scale 1, out_bias 0, mem_mode "internal_decoupled", ram_style
    "auto" and (MVAU only: a VVAU with it fails verification) binary_xnor False."""

    simd: int
    pe: int
    acc_dtype: QDataType
    out_scale: NotRequired[int]
    out_bias: NotRequired[int]
    mem_mode: NotRequired[str]
    ram_style: NotRequired[str]
    binary_xnor: NotRequired[bool]


class _MacLayer(Layer):
    """What the MVAU and VVAU share: properties, operands, the accumulator and output
    checks, and the cost model (a VVAU with weights `K x C` costs what an MVAU with
    `MW x MH = K x C` does, FINN-R)."""

    simd = prop_def(IntegerAttr[IntegerType])
    pe = prop_def(IntegerAttr[IntegerType])
    out_bias = prop_def(IntegerAttr[IntegerType], default_value=_i64(0))
    out_scale = prop_def(IntegerAttr[IntegerType], default_value=_i64(1))
    acc_dtype = prop_def(QDataType)
    mem_mode = prop_def(StringAttr, default_value=StringAttr("internal_decoupled"))
    ram_style = prop_def(StringAttr, default_value=StringAttr("auto"))
    res_type = prop_def(StringAttr, default_value=StringAttr("lut"))
    """What the products are built from (`limits.RES_TYPES`): "lut" (shift-and-add logic)
    or "dsp" (DSP slices); the estimates' DSP count and the RTL follow it, the HLS kernel
    leaves the choice to Vitis HLS (its `BIND_OP` pragma is the counterpart)."""

    x = operand_def(StreamType)
    weights = operand_def(TensorType)
    thresholds = opt_operand_def(TensorType)
    result = result_def(StreamType)
    assembly_format = (
        "$x `,` $weights (`,` $thresholds^)? attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self,
        x: SSAValue,
        weights: SSAValue,
        thresholds: SSAValue | None,
        result_type: StreamType,
        **properties: Unpack[MacProperties],
    ):
        attributes: dict[str, Attribute] = {
            "simd": _i64(properties["simd"]),
            "pe": _i64(properties["pe"]),
            "acc_dtype": properties["acc_dtype"],
        }
        if "binary_xnor" in properties:
            attributes["binary_xnor"] = BoolAttr.from_bool(properties["binary_xnor"])
        attributes |= {
            "out_scale": _i64(properties.get("out_scale", 1)),
            "out_bias": _i64(properties.get("out_bias", 0)),
            "mem_mode": StringAttr(properties.get("mem_mode", "internal_decoupled")),
            "ram_style": StringAttr(properties.get("ram_style", "auto")),
        }
        super().__init__(
            operands=[x, weights, [] if thresholds is None else [thresholds]],
            result_types=[result_type],
            properties=attributes,
        )

    @property
    def simd_value(self) -> int:
        return _int(self.simd)

    @property
    def pe_value(self) -> int:
        return _int(self.pe)

    @property
    def accumulator(self) -> QDataType:
        return self.acc_dtype

    def weight_array(self) -> np.ndarray:
        array = constant_value(self.weights)
        assert array is not None
        return array

    def weight_dtype(self) -> QDataType:
        datatype = element_datatype(self.weights.type)
        assert datatype is not None
        return datatype

    def threshold_array(self) -> np.ndarray | None:
        return None if self.thresholds is None else constant_value(self.thresholds)

    def num_thresholds(self) -> int:
        return 0 if self.thresholds is None else shape_of(self.thresholds)[1]

    def activation(self) -> tuple[int, int]:
        return _int(self.out_scale), _int(self.out_bias)

    def vectors(self) -> int:
        """Input vectors per frame (the VVAU's pixels): the product of the leading axes."""
        return math.prod(stream_type(self.x).shape[:-1])

    def accumulator_range(self) -> tuple[int, int]:
        """The exact range of the accumulator over all inputs of the input datatype."""
        return matmul_range(stream_type(self.x).element.value_range, self.weight_array())

    def _common_checks(self, channels: int) -> None:
        _require_choice(self, self.mem_mode, MEM_MODES, "mem_mode")
        _require_choice(self, self.ram_style, RAM_STYLES, "ram_style")
        _require_choice(self, self.res_type, RES_TYPES, "res_type")
        out = stream_type(self.result)
        _require_standard(self, out, "output")
        _require_lanes(self, out, self.pe_value, "output", "pe")
        _require_divides(self, self.pe_value, "pe", channels, "the output channels")
        if self.thresholds is None:
            require(
                self.activation() == (1, 0),
                f"{self.name}: out_scale/out_bias need thresholds",
            )

    def _verify_output(self, x: StreamType, channels: int) -> None:
        """The output frame is `(..., channels)`; `acc_dtype` holds the accumulator's range;
        the output datatype holds the accumulator (no thresholds) or the thresholds'
        count."""
        out = stream_type(self.result)
        _require_frame(self, out, (*x.shape[:-1], channels), "output")
        lo, hi = self.accumulator_range()
        _require_fits(self, self.acc_dtype, lo, hi, "acc_dtype")
        if self.thresholds is None:
            _require_fits(self, out.element, lo, hi, "output datatype")
        else:
            scale, bias = self.activation()
            _threshold_checks(self, self.thresholds, channels, out, scale, bias, self.acc_dtype)

    def cycles_per_frame(self) -> int:
        rows, cols = shape_of(self.weights)
        return est.mvau_cycles(rows, cols, self.pe_value, self.simd_value, self.vectors())

    def estimates(self) -> Resources:
        """FINN-R's MVAU model (`est.mvau_luts`, `est.weight_memory`, `est.mvau_dsp`) on
        the weights' `rows x cols` (MVAU: MW x MH; VVAU: K x C)."""
        rows, cols = shape_of(self.weights)
        w_bits = self.weight_dtype().bitwidth
        a_bits = stream_type(self.x).element.bitwidth
        pe, simd, n = self.pe_value, self.simd_value, self.num_thresholds()
        mode, style = self.mem_mode.data, self.ram_style.data
        memory = est.weight_memory(rows, cols, pe, simd, w_bits, mode, style)
        datapath = est.mvau_luts(rows, cols, pe, simd, w_bits, a_bits, self.acc_dtype.bitwidth, n)
        return Resources(
            lut=datapath + memory.lut,
            bram18=memory.bram18,
            uram=memory.uram,
            dsp=est.mvau_dsp(pe, simd, w_bits, a_bits, self.res_type.data),
        )


@irdl_op_definition
class MVAUOp(_MacLayer):
    """Matrix-vector-activation unit (FINN's MVAU): a matrix product, optionally followed by
    thresholds.

    Logical: input frame `(..., MW)`, weights `MW x MH` (integer constant), output frame
    `(..., MH)`. For every vector `x` (every index of the leading axes):
    `acc[m] = Σ_k x[k] * W[k, m]`, or with `binary_xnor` (bipolar `x` and `W`)
    `acc[m] = Σ_k [x[k] == W[k, m]]` (XNOR-popcount, = (Σ x·w + MW) / 2). Without
    thresholds `out = acc` (out_scale 1, out_bias 0); with thresholds (`MH x N` or
    `1 x N`) `out[m] = out_scale * Σ_i [acc[m] >= T[m, i]] + out_bias`.

    Physical: the input stream has `simd` lanes (word j of a vector = `x[j*SIMD ..]`),
    the output stream `pe` lanes (word n = `out[n*PE ..]`); each vector is read once and
    re-used for the MH/PE output folds: `(MH/PE)·(MW/SIMD)` cycles per vector. Weights are
    stored PE-interleaved: PE p holds rows `h = n*PE + p` (lib README).

    Invariants: SIMD | MW, PE | MH; `acc_dtype` holds the exact range of `acc` over all
    inputs of the input datatype (computed from the constant weights) and every
    threshold; without thresholds the output datatype holds that range; with thresholds
    it holds `[out_bias, out_bias + out_scale·N]`. `binary_xnor` is set exactly when
    input and weights are both bipolar (the HLS kernel picks XNOR mode from the types).
    """

    name = "dataflow.mvau"
    binary_xnor = prop_def(BoolAttr, default_value=BoolAttr.from_bool(False))

    @property
    def is_xnor(self) -> bool:
        return bool(self.binary_xnor.value.data)

    def matrix_shape(self) -> tuple[int, int]:
        """(MW, MH)."""
        mw, mh = shape_of(self.weights)
        return mw, mh

    def accumulator_range(self) -> tuple[int, int]:
        """The exact range of the accumulator over all inputs of the input datatype
        (XNOR-popcount: `[0, MW]`)."""
        if self.is_xnor:
            return 0, shape_of(self.weights)[0]
        return super().accumulator_range()

    def verify_(self) -> None:
        x = stream_type(self.x)
        weights, w_dtype = _constant(self, self.weights, "weights", 2)
        mw, mh = weights.shape
        _require_standard(self, x, "input")
        require(
            x.shape[-1] == mw,
            f"{self.name}: input frame {list(x.shape)} has {x.shape[-1]} columns, weights "
            f"are {mw} x {mh}",
        )
        _require_lanes(self, x, self.simd_value, "input", "simd")
        _require_divides(self, self.simd_value, "simd", mw, "MW")
        self._common_checks(mh)
        both_bipolar = isinstance(x.element, BipolarType) and isinstance(w_dtype, BipolarType)
        require(
            self.is_xnor == both_bipolar,
            f"{self.name}: binary_xnor must be set exactly when input and weights are bipolar",
        )
        self._verify_output(x, mh)

    def is_fully_unfolded(self) -> bool:
        mw, mh = self.matrix_shape()
        return self.simd_value == mw and self.pe_value == mh

    def estimates(self) -> Resources:
        """The folded MVAU's FINN-R model (`_MacLayer.estimates`); a fully unfolded layer
        has its weights in logic: `est.unfolded_mvau_luts` on the count of non-zero
        weights, no memory."""
        if not self.is_fully_unfolded():
            return super().estimates()
        _, mh = self.matrix_shape()
        w_bits = self.weight_dtype().bitwidth
        a_bits = stream_type(self.x).element.bitwidth
        weights = self.weight_array()
        nonzero = int(np.count_nonzero(weights)) if not self.is_xnor else weights.size
        n = self.num_thresholds()
        return Resources(
            lut=est.unfolded_mvau_luts(nonzero, mh, w_bits, a_bits, self.acc_dtype.bitwidth, n)
        )


@irdl_op_definition
class VVAUOp(_MacLayer):
    """Vector-vector-activation unit (FINN's VVAU): a depthwise product over im2col
    columns, optionally followed by thresholds.

    Logical: input frame `(..., K*C)` in im2col order (element `k*C + c` = channel c at
    kernel position k), weights `K x C` (integer constant), output frame `(..., C)`:
    `acc[c] = Σ_k W[k, c] * x[k*C + c]` (`streamline.dw_matmul`), then `out = acc` or the
    thresholds (`C x N` or `1 x N`) as in `dataflow.mvau`.

    Physical: the input stream is in depthwise order with kernel K and `simd` kernel
    positions per word (`!dataflow.stream<..., lanes PE*SIMD, depthwise K [simd S]>`:
    for each channel fold, the kernel folds; lane `s*PE + p` = kernel position
    `kf*SIMD + s` of channel `cf*PE + p`), which `dataflow.swg {depthwise}` produces for
    SIMD = 1 (the HLS library implements SIMD = 1). Output: `pe` lanes in channel order.
    `(C·K)/(PE·SIMD)` cycles per pixel. Weights are PE-interleaved: PE p holds channels
    `c = cf*PE + p`.

    Invariants: PE | C, SIMD | K; accumulator and output ranges as in `dataflow.mvau`;
    input and weights are not both bipolar (the HLS kernel would use XNOR mode).
    """

    name = "dataflow.vvau"

    def kernel_channels(self) -> tuple[int, int]:
        """(K, C)."""
        k, c = shape_of(self.weights)
        return k, c

    def verify_(self) -> None:
        x = stream_type(self.x)
        weights, w_dtype = _constant(self, self.weights, "weights", 2)
        k, c = weights.shape
        require(
            x.shape[-1] == k * c,
            f"{self.name}: input frame {list(x.shape)} has {x.shape[-1]} columns, weights "
            f"need {k} x {c}",
        )
        pe, simd = self.pe_value, self.simd_value
        _require_divides(self, simd, "simd", k, "the kernel size K")
        self._common_checks(c)
        require(
            x.depthwise_kernel == k and x.depthwise_simd == simd,
            f"{self.name}: the input stream must be in depthwise order with kernel {k} and "
            f"simd {simd}",
        )
        _require_lanes(self, x, pe * simd, "input", "pe*simd")
        require(
            not (isinstance(x.element, BipolarType) and isinstance(w_dtype, BipolarType)),
            f"{self.name}: bipolar inputs with bipolar weights are not supported",
        )
        self._verify_output(x, c)


# --------------------------------------------------------------------------- windows


@irdl_op_definition
class SWGOp(Layer):
    """Sliding-window generator (im2col without padding).

    Logical: input frame `(H, W, C)`, output frame `(OH, OW, KH*KW*C)` with
    `OH = (H - ((KH-1)*DH + 1)) / SH + 1` (likewise OW) and
    `y[oy, ox, (ky*KW + kx)*C + c] = x[oy*SH + ky*DH, ox*SW + kx*DW, c]`
    (`streamline.im2col` without pads) — in both orders.

    Physical: input `simd` lanes in standard order. Output `simd` lanes, per output pixel
    (row-major): standard order — for (ky, kx) row-major, for channel folds, one word
    (the output stream is in standard order); `depthwise` — for channel folds, for
    (ky, kx), one word (the output stream is `depthwise KH*KW`, what `dataflow.vvau`
    reads). `parallel_window` (FINN's name): one word per output pixel holding the whole
    window, `KH*KW*C` lanes in standard order (the im2col row, what a `dataflow.mvau` with
    SIMD = MW reads), one output pixel per cycle.

    Timing: a line buffer of `(KH-1)*DH + 1 + SH` input rows; the next rows are read while
    the current output row is written, also across frames: per output row about
    `max(output words of the row, SH·IFMw·C/SIMD)` cycles (`cycles_per_frame`).

    Invariants: SIMD | C, the window fits the input, same element type in and out;
    `parallel_window` needs SIMD = C and the standard order.
    """

    name = "dataflow.swg"
    x = operand_def(StreamType)
    kernel = prop_def(DenseArrayBase)
    stride = prop_def(DenseArrayBase)
    dilation = prop_def(DenseArrayBase)
    simd = prop_def(IntegerAttr[IntegerType])
    depthwise = prop_def(BoolAttr, default_value=BoolAttr.from_bool(False))
    parallel_window = prop_def(BoolAttr, default_value=BoolAttr.from_bool(False))
    ram_style = prop_def(StringAttr, default_value=StringAttr("auto"))
    result = result_def(StreamType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        x: SSAValue,
        result_type: StreamType,
        *,
        kernel: Sequence[int],
        stride: Sequence[int],
        dilation: Sequence[int] = (1, 1),
        simd: int,
        depthwise: bool = False,
        parallel_window: bool = False,
        ram_style: str = "auto",
    ):
        super().__init__(
            operands=[x],
            result_types=[result_type],
            properties={
                "kernel": i64_array(kernel),
                "stride": i64_array(stride),
                "dilation": i64_array(dilation),
                "simd": _i64(simd),
                "depthwise": BoolAttr.from_bool(depthwise),
                "parallel_window": BoolAttr.from_bool(parallel_window),
                "ram_style": StringAttr(ram_style),
            },
        )

    @property
    def is_depthwise(self) -> bool:
        return bool(self.depthwise.value.data)

    @property
    def is_parallel_window(self) -> bool:
        return bool(self.parallel_window.value.data)

    def output_lanes(self) -> int:
        """SIMD, or with `parallel_window` the whole window `KH*KW*C`."""
        kh, kw = ints(self.kernel)
        return kh * kw * self.ifm_dims()[2] if self.is_parallel_window else _int(self.simd)

    def ifm_dims(self) -> tuple[int, int, int]:
        """(IFM_H, IFM_W, C)."""
        h, w, c = stream_type(self.x).shape
        return h, w, c

    def ofm_dims(self) -> tuple[int, int]:
        h, w, _ = self.ifm_dims()
        kh, kw = ints(self.kernel)
        sh, sw = ints(self.stride)
        dh, dw = ints(self.dilation)
        return _window_out(h, kh, sh, dh), _window_out(w, kw, sw, dw)

    def verify_(self) -> None:
        x = stream_type(self.x)
        require(len(x.shape) == 3, f"{self.name}: input frame must be H x W x C")
        _require_standard(self, x, "input")
        kh, kw = _pair(self, self.kernel, "kernel")
        _pair(self, self.stride, "stride")
        _pair(self, self.dilation, "dilation")
        _require_choice(self, self.ram_style, RAM_STYLES, "ram_style")
        h, w, c = x.shape
        simd = _int(self.simd)
        _require_divides(self, simd, "simd", c, "the channels")
        _require_lanes(self, x, simd, "input", "simd")
        oh, ow = self.ofm_dims()
        require(oh >= 1 and ow >= 1, f"{self.name}: the window does not fit the {h}x{w} input")
        out = stream_type(self.result)
        _require_frame(self, out, (oh, ow, kh * kw * c), "output")
        _require_same_element(self, x, out)
        if self.is_parallel_window:
            require(
                not self.is_depthwise,
                f"{self.name}: parallel_window needs the standard order, not depthwise",
            )
            require(simd == c, f"{self.name}: parallel_window needs simd = C = {c}, got {simd}")
            _require_lanes(self, out, kh * kw * c, "output", "KH*KW*C (parallel_window)")
        else:
            _require_lanes(self, out, simd, "output", "simd")
        if self.is_depthwise:
            require(
                out.depthwise_kernel == kh * kw and out.depthwise_simd == 1,
                f"{self.name}: a depthwise SWG's output stream must be `depthwise {kh * kw}`",
            )
        else:
            _require_standard(self, out, "output")

    def buffer_rows(self) -> int:
        """The line buffer's rows: a window's `(KH-1)*DH + 1` plus SH (FINN's K + stride)."""
        kh, dh, sh = ints(self.kernel)[0], ints(self.dilation)[0], ints(self.stride)[0]
        return (kh - 1) * dh + 1 + sh

    def window_columns(self) -> int:
        """The input columns one window spans: `(KW-1)*DW + 1`."""
        return (ints(self.kernel)[1] - 1) * ints(self.dilation)[1] + 1

    def schedule(self) -> est.WindowSchedule:
        """The library kernel's line-buffer schedule (`est.WindowSchedule`)."""
        h, w, c = self.ifm_dims()
        kh, kw = ints(self.kernel)
        oh, ow = self.ofm_dims()
        folds = c // _int(self.simd)
        row_cycles = ow if self.is_parallel_window else ow * kh * kw * folds
        rows = (kh - 1) * ints(self.dilation)[0] + 1
        stride = ints(self.stride)[0]
        return est.WindowSchedule(h, w * folds, rows, stride, oh, row_cycles, self.buffer_rows())

    def cycles_per_frame(self) -> int:
        """The steady state of the library kernel's schedule, exact
        (`est.WindowSchedule.cycles_per_frame`): about `max(input words, output words)`
        per frame, plus the rows the next frame needs before its first output row that
        did not fit beside the last window."""
        return self.schedule().cycles_per_frame()

    def estimates(self) -> Resources:
        """300 LUTs of address logic plus the line buffer (`est.swg_buffer`); with
        `parallel_window` the buffer is split into rows by window columns
        (`est.parallel_window_buffer`) and selecting each window word from the rows
        costs `est.parallel_window_luts`."""
        _, w, c = self.ifm_dims()
        bits = stream_type(self.x).element.bitwidth
        rows = self.buffer_rows()
        if not self.is_parallel_window:
            buffer = est.swg_buffer(rows, w, c, _int(self.simd), bits, self.ram_style.data)
            return Resources(lut=est.swg_luts(buffer), bram18=buffer.bram18, uram=buffer.uram)
        kh, kw = ints(self.kernel)
        buffer = est.parallel_window_buffer(
            rows, self.window_columns(), w, c * bits, self.ram_style.data
        )
        select = est.parallel_window_luts(rows, kh * kw * c * bits)
        return Resources(lut=est.swg_luts(buffer) + select, bram18=buffer.bram18, uram=buffer.uram)


@irdl_op_definition
class FMPaddingOp(Layer):
    """Zero padding of a feature map.

    Logical: input frame `(H, W, C)`, `pads = [top, left, bottom, right]`, output frame
    `(H + top + bottom, W + left + right, C)`: `y[i + top, j + left, c] = x[i, j, c]`, 0
    elsewhere. Physical: `simd` lanes in and out, standard order; one output word per
    cycle. Invariants: SIMD | C, pads >= 0, same element type, not bipolar (0 is not a
    bipolar value; the kernel's zero bits would mean -1).
    """

    name = "dataflow.fm_padding"
    x = operand_def(StreamType)
    pads = prop_def(DenseArrayBase)
    simd = prop_def(IntegerAttr[IntegerType])
    result = result_def(StreamType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, result_type: StreamType, *, pads: Sequence[int], simd: int):
        super().__init__(
            operands=[x],
            result_types=[result_type],
            properties={"pads": i64_array(pads), "simd": _i64(simd)},
        )

    def verify_(self) -> None:
        x = stream_type(self.x)
        out = stream_type(self.result)
        require(len(x.shape) == 3, f"{self.name}: input frame must be H x W x C")
        pads = ints(self.pads)
        require(
            len(pads) == 4 and min(pads) >= 0,
            f"{self.name}: pads must be 4 values >= 0 (top, left, bottom, right)",
        )
        top, left, bottom, right = pads
        h, w, c = x.shape
        simd = _int(self.simd)
        _require_divides(self, simd, "simd", c, "the channels")
        _require_standard(self, x, "input")
        _require_standard(self, out, "output")
        _require_lanes(self, x, simd, "input", "simd")
        _require_lanes(self, out, simd, "output", "simd")
        _require_frame(self, out, (h + top + bottom, w + left + right, c), "output")
        _require_same_element(self, x, out)
        require(
            not isinstance(x.element, BipolarType),
            f"{self.name}: a bipolar stream cannot be zero-padded",
        )

    def cycles_per_frame(self) -> int:
        return stream_type(self.result).words_per_frame()


# --------------------------------------------------------------------------- thresholds


@irdl_op_definition
class ThresholdingOp(Layer):
    """Standalone multi-thresholding.

    Logical: input frame `(..., C)`, thresholds `C x N` or `1 x N` (integer constant),
    `out[..., c] = out_scale * Σ_i [x[..., c] >= T[c, i]] + out_bias`, frame unchanged.
    Physical: `pe` lanes in and out, standard order; thresholds PE-interleaved
    (`thresholds[p][n][i] = T[n*PE + p][i]`). Cycles: `pixels·C/PE`.
    Invariants: PE | C; the output datatype holds `[out_bias, out_bias + out_scale·N]`
    (bipolar: N = 1, out_scale 2, out_bias -1).
    """

    name = "dataflow.thresholding"
    x = operand_def(StreamType)
    thresholds = operand_def(TensorType)
    pe = prop_def(IntegerAttr[IntegerType])
    out_bias = prop_def(IntegerAttr[IntegerType], default_value=_i64(0))
    out_scale = prop_def(IntegerAttr[IntegerType], default_value=_i64(1))
    result = result_def(StreamType)
    assembly_format = "$x `,` $thresholds attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        x: SSAValue,
        thresholds: SSAValue,
        result_type: StreamType,
        *,
        pe: int,
        out_scale: int = 1,
        out_bias: int = 0,
    ):
        super().__init__(
            operands=[x, thresholds],
            result_types=[result_type],
            properties={"pe": _i64(pe), "out_scale": _i64(out_scale), "out_bias": _i64(out_bias)},
        )

    def num_thresholds(self) -> int:
        return shape_of(self.thresholds)[1]

    def verify_(self) -> None:
        x = stream_type(self.x)
        out = stream_type(self.result)
        pe = _int(self.pe)
        channels = x.shape[-1]
        _require_divides(self, pe, "pe", channels, "the channels")
        _require_standard(self, x, "input")
        _require_standard(self, out, "output")
        _require_lanes(self, x, pe, "input", "pe")
        _require_lanes(self, out, pe, "output", "pe")
        _require_frame(self, out, x.shape, "output")
        _threshold_checks(
            self, self.thresholds, channels, out, _int(self.out_scale), _int(self.out_bias), None
        )

    def estimates(self) -> Resources:
        """`est.thresholding_luts` / `est.thresholding_bram18`."""
        x = stream_type(self.x)
        t_dtype = element_datatype(self.thresholds.type)
        assert t_dtype is not None
        c, pe, n = x.shape[-1], _int(self.pe), self.num_thresholds()
        return Resources(
            lut=est.thresholding_luts(c, pe, x.element.bitwidth, n, t_dtype.bitwidth),
            bram18=est.thresholding_bram18(c, pe, n, t_dtype.bitwidth),
        )


LAYERS: tuple[type[Layer], ...] = (
    MVAUOp,
    VVAUOp,
    SWGOp,
    FMPaddingOp,
    ThresholdingOp,
    MaxPoolOp,
    PoolOp,
    GlobalAccPoolOp,
    AddStreamsOp,
    DuplicateStreamsOp,
    ChannelwiseOp,
    LabelSelectOp,
    ConcatOp,
    UpsampleOp,
    DepthToSpaceOp,
    SliceOp,
    DWCOp,
    FIFOOp,
    ReshapeOp,
)
"""Every streaming layer op."""

__all__ = [
    "LAYERS",
    "AddStreamsOp",
    "ChannelwiseOp",
    "ConcatOp",
    "DWCOp",
    "DataflowOp",
    "DepthToSpaceOp",
    "DuplicateStreamsOp",
    "FIFOOp",
    "FMPaddingOp",
    "GlobalAccPoolOp",
    "LabelSelectOp",
    "Layer",
    "MVAUOp",
    "MacProperties",
    "MaxPoolOp",
    "PartitionError",
    "PartitionOp",
    "PoolOp",
    "ReshapeOp",
    "SWGOp",
    "SliceOp",
    "ThresholdingOp",
    "UpsampleOp",
    "VVAUOp",
    "YieldOp",
    "find_partition",
    "require_partition",
    "stream_type",
]
