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
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.traits import HasParent, IsTerminator, Pure
from xdsl.utils.exceptions import DiagnosticException

from qdialects.dataflow import estimates as est
from qdialects.dataflow.estimates import Resources
from qdialects.dataflow.limits import MEM_MODES, POOL_MODES, RAM_STYLES, RES_TYPES
from qdialects.dataflow.types import StreamType
from qdialects.quant import constant_value
from qdialects.streamline import matmul_range
from qdialects.types import BipolarType, QDataType, element_datatype
from qdialects.utils import (
    depth_to_space_shape,
    i64_array,
    ints,
    require,
    shape_of,
    sliced_shape,
)

CHANNELWISE_OPS = ("add", "mul")


# --------------------------------------------------------------------------- helpers


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


# --------------------------------------------------------------------------- partition


@irdl_op_definition
class PartitionOp(DataflowOp):
    """The accelerator: a region of streaming layers between integer tensors.

    Operands are the integer tensors entering the accelerator (`N x frame`, batch
    first); the single block's arguments are their streams (argument i carries operand
    i's frames: same frame shape and element type); `dataflow.yield` gives the streams
    leaving it, result i being the `N x frame` tensor of yielded stream i. Every operand
    and result has the same batch size N.

    Semantics: the region runs once on the whole batch. A stream value is the int64
    array `N x frame` (the tensor itself); converting between a tensor and its stream is
    the identity on the logical values (the stream's lanes and order only describe the
    hardware transfer).
    """

    name = "dataflow.partition"
    inputs = var_operand_def(TensorType)
    outputs = var_result_def(TensorType)
    body = region_def("single_block")
    assembly_format = "`(` $inputs `)` attr-dict `:` functional-type($inputs, $outputs) $body"

    def __init__(
        self,
        inputs: Sequence[SSAValue],
        result_types: Sequence[Attribute],
        body: Region | Block,
    ):
        region = body if isinstance(body, Region) else Region(body)
        super().__init__(operands=[inputs], result_types=[result_types], regions=[region])

    @property
    def block(self) -> Block:
        return self.body.block

    def layers(self) -> list[Layer]:
        """The hardware layers of the partition, in program order."""
        return [op for op in self.block.ops if isinstance(op, Layer)]

    def cycles_per_frame(self) -> int:
        """The slowest layer's cycles per frame (the pipeline's initiation interval)."""
        return max((layer.cycles_per_frame() for layer in self.layers()), default=0)

    def estimates(self) -> Resources:
        """The sum of the layers' estimates."""
        total = Resources()
        for layer in self.layers():
            total = total + layer.estimates()
        return total

    def verify_(self) -> None:
        args = self.block.args
        require(
            len(args) == len(self.inputs),
            f"dataflow.partition: {len(self.inputs)} operands but {len(args)} block arguments",
        )
        batches: set[int] = set()

        def check(tensor: Attribute, stream: Attribute, what: str) -> None:
            require(
                isinstance(stream, StreamType),
                f"dataflow.partition: {what} must be a !dataflow.stream, got {stream}",
            )
            assert isinstance(stream, StreamType)
            shape = shape_of(tensor)
            require(
                len(shape) >= 2,
                f"dataflow.partition: {what} tensor must be N x frame, got {list(shape)}",
            )
            require(
                shape[1:] == stream.shape,
                f"dataflow.partition: {what} stream frame {list(stream.shape)} does not match "
                f"the tensor shape {list(shape)}",
            )
            require(
                element_datatype(tensor) == stream.element,
                f"dataflow.partition: {what} stream element {stream.element} does not match "
                f"the tensor's {tensor}",
            )
            batches.add(shape[0])

        for i, (value, arg) in enumerate(zip(self.inputs, args, strict=True)):
            check(value.type, arg.type, f"input {i}")
        terminator = self.block.last_op
        require(
            isinstance(terminator, YieldOp),
            "dataflow.partition: the body must end with dataflow.yield",
        )
        assert isinstance(terminator, YieldOp)
        require(
            len(terminator.values) == len(self.outputs),
            f"dataflow.partition: {len(self.outputs)} results but {len(terminator.values)} "
            f"yielded streams",
        )
        for i, (result, value) in enumerate(zip(self.outputs, terminator.values, strict=True)):
            check(result.type, value.type, f"output {i}")
        require(
            len(batches) <= 1,
            f"dataflow.partition: operands and results disagree on the batch size "
            f"{sorted(batches)}",
        )
        self._verify_single_readers()

    def _verify_single_readers(self) -> None:
        """Every stream of the body (block argument, layer result) has exactly one reader:
        a hardware stream has one source and one sink, so fan-out goes through
        `dataflow.duplicate_streams`."""
        streams: list[tuple[SSAValue, str]] = [
            (arg, f"input {i}") for i, arg in enumerate(self.block.args)
        ]
        for op in self.block.ops:
            streams += [
                (result, f"{op.name} result {i}")
                for i, result in enumerate(op.results)
                if isinstance(result.type, StreamType)
            ]
        for stream, what in streams:
            readers = sum(1 for _ in stream.uses)
            require(
                readers == 1,
                f"dataflow.partition: the stream of {what} has {readers} readers; a stream "
                f"needs exactly one (fan-out goes through dataflow.duplicate_streams)",
            )


class PartitionError(DiagnosticException):
    """A module that does not have the one `dataflow.partition` a tool handles."""


def find_partition(module: Operation, user: str) -> PartitionOp | None:
    """The only `dataflow.partition` nested in `module`, None without one. `user` (the
    target, pass or report asking) handles one partition: more than one raises a
    `PartitionError` naming it."""
    partitions = [op for op in module.walk() if isinstance(op, PartitionOp)]
    if len(partitions) > 1:
        raise PartitionError(
            f"the module has {len(partitions)} dataflow.partitions; {user} handles one"
        )
    return partitions[0] if partitions else None


def require_partition(module: Operation, user: str) -> PartitionOp:
    """`find_partition`, with a module without a partition a `PartitionError` too."""
    partition = find_partition(module, user)
    if partition is None:
        raise PartitionError(
            f"no dataflow.partition in the module ({user} needs one; run convert-to-dataflow first)"
        )
    return partition


@irdl_op_definition
class YieldOp(DataflowOp):
    """Terminates a `dataflow.partition`: the streams leaving the accelerator."""

    name = "dataflow.yield"
    values = var_operand_def(StreamType)
    traits = traits_def(IsTerminator(), HasParent(PartitionOp))
    assembly_format = "($values^ `:` type($values))? attr-dict"

    def __init__(self, values: Sequence[SSAValue]):
        super().__init__(operands=[values])


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
    reads). Buffers `(KH-1)*DH + 1` input rows.

    Invariants: SIMD | C, the window fits the input, same element type in and out.
    """

    name = "dataflow.swg"
    x = operand_def(StreamType)
    kernel = prop_def(DenseArrayBase)
    stride = prop_def(DenseArrayBase)
    dilation = prop_def(DenseArrayBase)
    simd = prop_def(IntegerAttr[IntegerType])
    depthwise = prop_def(BoolAttr, default_value=BoolAttr.from_bool(False))
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
                "ram_style": StringAttr(ram_style),
            },
        )

    @property
    def is_depthwise(self) -> bool:
        return bool(self.depthwise.value.data)

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
        _require_lanes(self, out, simd, "output", "simd")
        if self.is_depthwise:
            require(
                out.depthwise_kernel == kh * kw and out.depthwise_simd == 1,
                f"{self.name}: a depthwise SWG's output stream must be `depthwise {kh * kw}`",
            )
        else:
            _require_standard(self, out, "output")

    def _buffer(self) -> Resources:
        _, w, c = self.ifm_dims()
        kh = ints(self.kernel)[0]
        dh = ints(self.dilation)[0]
        bits = stream_type(self.x).element.bitwidth
        rows = (kh - 1) * dh + 1
        return est.swg_buffer(rows, w, c, _int(self.simd), bits, self.ram_style.data)

    def cycles_per_frame(self) -> int:
        """The library's kernel (reading and writing do not overlap):
        `IFMh·IFMw·C/SIMD + OFMh·OFMw·KH·KW·C/SIMD`; FINN's overlapped SWG would take
        `est.swg_cycles(..., overlapped=True)`."""
        h, w, c = self.ifm_dims()
        kernel = ints(self.kernel)
        stride = ints(self.stride)
        dilation = ints(self.dilation)
        return est.swg_cycles(
            h, w, c, (kernel[0], kernel[1]), (stride[0], stride[1]),
            (dilation[0], dilation[1]), self.ofm_dims(), _int(self.simd), overlapped=False,
        )  # fmt: skip

    def estimates(self) -> Resources:
        """300 LUTs of address logic plus the line buffer (`est.swg_buffer`)."""
        buffer = self._buffer()
        return Resources(lut=est.swg_luts(buffer), bram18=buffer.bram18, uram=buffer.uram)


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


# --------------------------------------------------------------------------- pooling


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


# --------------------------------------------------------------------------- streams


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
