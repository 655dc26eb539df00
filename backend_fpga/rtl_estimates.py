"""Resource estimates of the RTL backend's layers as Yosys maps them (`synth_xilinx`),
shown beside the FINN-like estimate (`qdialects.dataflow.estimates`) and Yosys's counts in
`report/synth.json` (`rtl_estimated`).

Why a second estimate: the FINN-like one models FINN's HLS layers (a 300-LUT control
constant per compute layer, memories placed by FINN's width bands); the RTL backend
builds the same layers differently (a few counters and a skid slice instead of an HLS
state machine, ROMs whose placement Yosys chooses by cost) and the HLS estimate must stay
comparable with FINN's. `rtl_estimate(layer)` models what the RTL lowering
(`passes/convert_dataflow_to_hw`) instantiates:

* ROMs (`qnn_rom`, registered read: MVAU/VVAU weights and thresholds): Yosys's
  `memory_libmap` keeps a ROM in logic while its cost (bits/64) is below a RAMB18's
  (129), i.e. up to `LOGIC_ROM_MAX_BITS`; larger ones go to block RAM, tiled at about
  18 Kib per RAMB18 (`rom_resources`). Random weights in logic cost about one LUT per
  `WEIGHT_BITS_PER_LUT` bits; thresholds (sorted, correlated values) compress to about
  one LUT per `THRESHOLD_BITS_PER_LUT` bits;
* RAMs with an asynchronous read (`qnn_ram`: the MVAU input buffer, FIFOs) go to LUTRAM:
  RAM32M (32 x 6 bits) or RAM64M (64 x 3 bits) at 4 LUTs each (`lutram_luts`);
  FIFOs of two words of fewer than `FIFO_FF_MAX_WIDTH` bits stay in flip-flops;
* datapaths and control: per-kind constants fitted to Yosys on the shared models
  (`benchmarks/synth_calibration.py` prints the fit; docs/design.md the remaining error).

Layer kinds without a model here (the window, pooling, elementwise and join layers) fall
back to the FINN-like estimate (`rtl_estimate` returns it with `model: "finn"`), so the
report always has a number and says which.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qdialects import dataflow as df
from qdialects.dataflow.estimates import Resources
from qdialects.dataflow.naming import layer_names
from qdialects.dataflow.ops import stream_type

LOGIC_ROM_MAX_BITS = 8256
"""Yosys keeps a ROM in logic while bits/64 < 129 (a RAMB18's cost)."""
BRAM18_BITS = 18432
"""Bits Yosys packs per RAMB18 on the shared models (it uses the parity bits)."""
TILE_MUX_LUTS = 4
WEIGHT_BITS_PER_LUT = 15
THRESHOLD_BITS_PER_LUT = 64
FIFO_FF_MAX_WIDTH = 12
MAC_CONTROL_LUTS = 40
"""Counters, flags and the skid slice of an MVAU/VVAU."""


@dataclass(frozen=True)
class RtlEstimate:
    """An RTL estimate and the model it came from (`rtl` or `finn`)."""

    resources: Resources
    model: str

    def as_dict(self) -> dict[str, object]:
        return {**self.resources.as_dict(), "model": self.model}


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def rom_resources(depth: int, width: int, bits_per_lut: int) -> Resources:
    """A `qnn_rom` of `depth x width` bits: in logic up to `LOGIC_ROM_MAX_BITS` (one LUT
    per `bits_per_lut` bits), else block RAM; a depth that is not a power of two is
    tiled from block RAMs of several depths whose outputs a multiplexer selects
    (`TILE_MUX_LUTS` per output bit, else 1)."""
    bits = depth * width
    if bits == 0:
        return Resources()
    if bits <= LOGIC_ROM_MAX_BITS:
        return Resources(lut=ceil_div(bits, bits_per_lut))
    power_of_two = depth & (depth - 1) == 0
    mux = width * (1 if power_of_two else TILE_MUX_LUTS)
    return Resources(lut=mux, bram18=ceil_div(bits, BRAM18_BITS))


def lutram_luts(depth: int, width: int) -> int:
    """LUTs of a `depth x width` simple-dual-port LUTRAM: RAM32M (32 x 6) up to depth 32,
    else RAM64M (64 x 3) columns, 4 LUTs each."""
    if depth <= 1 or width <= 0:
        return 0
    if depth <= 32:
        return 4 * ceil_div(width, 6)
    return 4 * ceil_div(depth, 64) * ceil_div(width, 3)


def address_bits(depth: int) -> int:
    return max(1, math.ceil(math.log2(depth))) if depth > 1 else 1


def fifo_estimate(depth: int, width: int) -> Resources:
    """`qnn_fifo`: pointers and count (`4 + ⌊4.5·AW⌋` LUTs, AW address bits), the words
    in LUTRAM, or for two narrow words in flip-flops with a `width`-bit output mux."""
    control = 4 + 9 * address_bits(depth) // 2
    if depth <= 2 and width < FIFO_FF_MAX_WIDTH:
        return Resources(lut=control + width)
    return Resources(lut=control + lutram_luts(depth, width))


def dwc_estimate(in_width: int, out_width: int) -> Resources:
    """`qnn_dwc`: both words registered and multiplexed plus a counter."""
    if in_width == out_width:
        return Resources()
    return Resources(lut=in_width + out_width + 16)


def lane_luts(weight_bits: int, input_bits: int, xnor: bool) -> int:
    """One product lane feeding the adder tree: an XNOR and its popcount share (2), or a
    shift-and-add product (`res_type = "lut"`): W terms of A + W bits, about half a LUT
    per bit after ABC."""
    if xnor:
        return 2
    return ceil_div(weight_bits * (input_bits + weight_bits), 2) + 1


def mac_estimate(layer: df.MVAUOp | df.VVAUOp) -> Resources:
    """An MVAU or VVAU: control, per PE its lanes, accumulator and comparators, the
    weight and threshold ROMs (`rom_resources`) and the MVAU's input buffer (LUTRAM)."""
    rows, cols = layer.matrix_shape() if isinstance(layer, df.MVAUOp) else layer.kernel_channels()
    pe, simd = layer.pe_value, layer.simd_value
    w_bits = layer.weight_dtype().bitwidth
    x_stream = stream_type(layer.x)
    a_bits = x_stream.element.bitwidth
    acc_bits = layer.accumulator.bitwidth
    n = layer.num_thresholds()
    xnor = isinstance(layer, df.MVAUOp) and layer.is_xnor
    in_luts = layer.res_type.data == "lut" or xnor
    lanes = pe * simd
    per_pe = acc_bits * (1 + n)
    datapath = MAC_CONTROL_LUTS + pe * per_pe
    if in_luts:
        datapath += lanes * lane_luts(w_bits, a_bits, xnor)
    weights = rom_resources(rows * cols // lanes, lanes * w_bits, WEIGHT_BITS_PER_LUT)
    thresholds = rom_resources(cols // pe, pe * n * acc_bits, THRESHOLD_BITS_PER_LUT)
    buffer = 0
    if isinstance(layer, df.MVAUOp) and cols // pe > 1:
        buffer = lutram_luts(rows // simd, x_stream.word_width())
    dsp = 0 if in_luts else lanes
    return Resources(lut=datapath + buffer, dsp=dsp) + weights + thresholds


def rtl_estimate(layer: df.Layer) -> RtlEstimate:
    """The RTL estimate of `layer` (module docstring)."""
    if isinstance(layer, df.MVAUOp | df.VVAUOp):
        return RtlEstimate(mac_estimate(layer), "rtl")
    if isinstance(layer, df.FIFOOp):
        (width,) = layer.input_widths()
        return RtlEstimate(fifo_estimate(int(layer.depth.value.data), width), "rtl")
    if isinstance(layer, df.DWCOp):
        (in_width,), (out_width,) = layer.input_widths(), layer.output_widths()
        return RtlEstimate(dwc_estimate(in_width, out_width), "rtl")
    return RtlEstimate(layer.estimates(), "finn")


def rtl_estimates(partition: df.PartitionOp) -> dict[str, dict[str, object]]:
    """`rtl_estimate` of every layer of `partition`, by layer name."""
    return {
        name: rtl_estimate(layer).as_dict()
        for layer, name in layer_names(partition).items()
        if isinstance(layer, df.Layer)
    }
