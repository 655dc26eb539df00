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
  `memory_libmap` keeps a ROM in logic while its cost (bits/64) is below that of the
  RAMB18s (129 each) it would take: 18 Kib each, and at least one per 36 bits of width,
  so a wide shallow ROM (a CNV layer's with PE·SIMD·W bits per word) stays in logic far
  beyond 8 Kib (`rom_resources`). Random weights in logic cost about one LUT per
  `WEIGHT_BITS_PER_LUT` bits; thresholds (sorted, correlated values) compress to about
  one LUT per `THRESHOLD_BITS_PER_LUT` bits; a ROM several block RAM tiles deep
  multiplexes their outputs;
* RAMs (`qnn_ram`/`qnn_bram`: FIFO words, the MVAU input buffer, the window engines'
  line buffers): LUTRAM while its cost (8 per RAM64M/RAM32M column, less for a column
  partly used, plus the multiplexer between tiles) is below the RAMB18s' (`ram_resources`,
  `lutram_cost`); LUTRAM is RAM32M (32 x 6 bits) or RAM64M (64 x 3 bits) columns at 4
  LUTs each (`lutram_luts`); FIFOs of two words of fewer than `FIFO_FF_MAX_WIDTH` bits
  stay in flip-flops;
* datapaths and control: per-kind constants fitted to Yosys on the shared models
  (`benchmarks/synth_calibration.py` prints the fit; docs/design.md the remaining error).

Layer kinds without a model here (thresholding, channelwise, padding, sum and global
pools, label select and the join layers) fall back to the FINN-like estimate
(`rtl_estimate` returns it with `model: "finn"`), so the report always has a number and
says which.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qdialects import dataflow as df
from qdialects.dataflow.estimates import Resources
from qdialects.dataflow.naming import layer_names
from qdialects.dataflow.ops import stream_type
from qdialects.quant import constant_value
from qdialects.utils import ints

ROM_BITS_PER_COST = 64
"""Yosys's cost of a ROM in logic is its bits / 64 (measured: 8192 x 1 stays in logic,
16384 x 1 takes a RAMB18)."""
BRAM18_COST = 129
BRAM18_BITS = 18432
"""Bits Yosys packs per RAMB18 on the shared models (it uses the parity bits)."""
BRAM18_MAX_WIDTH = 36
BRAM18_TILE_WIDTH = 18
"""The width of a RAMB18 tile of a deep ROM (1024 x 18)."""
LUTRAM_COST = 8
"""Yosys's cost of one RAM64M/RAM32M; a column holding fewer bits than its width costs
1 + 7 x the fraction it uses, a multiplexer bit between tiles 1/2."""
TILE_MUX_LUTS = 4
WEIGHT_BITS_PER_LUT = 15
THRESHOLD_BITS_PER_LUT = 32
FIFO_FF_MAX_WIDTH = 12
MAC_CONTROL_LUTS = 40
"""Counters, flags and the skid slice of an MVAU/VVAU."""
WINDOW_LUTS = 95
"""Counters, address arithmetic and the skid slice of a window engine (SWG, pools)."""
REDUCER_LUTS = 15
STREAM_LUTS = 10
"""Handshake, count and flags of a one-stage stream layer."""
PADDING_LUTS = 23


@dataclass(frozen=True)
class RtlEstimate:
    """An RTL estimate and the model it came from (`rtl` or `finn`)."""

    resources: Resources
    model: str

    def as_dict(self) -> dict[str, object]:
        return {**self.resources.as_dict(), "model": self.model}


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def block_rams(depth: int, width: int) -> int:
    """RAMB18s of a `depth x width` memory: its bits at `BRAM18_BITS` each, and at least
    one per `BRAM18_MAX_WIDTH` bits of width (the widest port)."""
    return max(ceil_div(depth * width, BRAM18_BITS), ceil_div(width, BRAM18_MAX_WIDTH))


def rom_resources(depth: int, width: int, bits_per_lut: int) -> Resources:
    """A `qnn_rom` of `depth x width` bits: in logic (one LUT per `bits_per_lut` bits)
    while Yosys's logic cost (bits / `ROM_BITS_PER_COST`) is below the cost of the
    RAMB18s it needs (`block_rams`; a wide shallow ROM needs many), else block RAM. A ROM
    deeper than one tile multiplexes its tiles' outputs: 1 LUT per output bit for up to
    4 tiles or a power-of-two depth, else `TILE_MUX_LUTS`."""
    bits = depth * width
    if bits == 0:
        return Resources()
    brams = block_rams(depth, width)
    if bits < ROM_BITS_PER_COST * BRAM18_COST * brams:
        return Resources(lut=ceil_div(bits, bits_per_lut))
    tiles = ceil_div(brams, ceil_div(width, BRAM18_TILE_WIDTH))
    if tiles == 1:
        return Resources(bram18=brams)
    power_of_two = depth & (depth - 1) == 0
    per_bit = 1 if tiles <= 4 or power_of_two else TILE_MUX_LUTS
    return Resources(lut=width * per_bit, bram18=brams)


def lutram_tiles(depth: int) -> list[int]:
    """The depths of the LUTRAM tiles of a memory `depth` words deep: RAM64M (64 words)
    tiles, the last one a RAM32M when 32 words are enough."""
    if depth <= 32:
        return [32]
    tiles = [64] * (depth // 64)
    rest = depth % 64
    if rest:
        tiles.append(32 if rest <= 32 else 64)
    return tiles


def lutram_cost(depth: int, width: int) -> float:
    """Yosys's cost of a `depth x width` memory in LUTRAM (`LUTRAM_COST`)."""
    tiles = lutram_tiles(depth)
    cost = 0.0
    for tile in tiles:
        per_column = 6 if tile == 32 else 3
        full, rest = divmod(width, per_column)
        cost += LUTRAM_COST * full + (1 + (LUTRAM_COST - 1) * rest / per_column if rest else 0)
    return cost + 0.5 * (len(tiles) - 1) * width


def lutram_luts(depth: int, width: int) -> int:
    """LUTs of a `depth x width` simple-dual-port LUTRAM: its RAM32M (32 x 6) and RAM64M
    (64 x 3) columns at 4 LUTs each, and per tile beyond one, 2 LUTs of write decoding
    and read multiplexing."""
    if depth <= 1 or width <= 0:
        return 0
    tiles = lutram_tiles(depth)
    columns = sum(ceil_div(width, 6 if tile == 32 else 3) for tile in tiles)
    return 4 * columns + (2 * len(tiles) if len(tiles) > 1 else 0)


def ram_resources(depth: int, width: int) -> Resources:
    """A RAM of `depth x width` bits (FIFO words, line buffers, the MVAU input buffer):
    LUTRAM while its cost (`lutram_cost`) is below the RAMB18s' (`block_rams`), else
    block RAM."""
    if depth <= 1 or width <= 0:
        return Resources()
    brams = block_rams(depth, width)
    if lutram_cost(depth, width) < BRAM18_COST * brams:
        return Resources(lut=lutram_luts(depth, width))
    return Resources(bram18=brams)


def address_bits(depth: int) -> int:
    return max(1, math.ceil(math.log2(depth))) if depth > 1 else 1


def fifo_estimate(depth: int, width: int) -> Resources:
    """`qnn_fifo`: pointers and count (`4 + ⌊4.5·AW⌋` LUTs, AW address bits) and the
    words (`ram_resources`; in block RAM with a `width`-bit output register and mux), or
    for two narrow words flip-flops with a `width`-bit output mux."""
    control = 4 + 9 * address_bits(depth) // 2
    if depth <= 2 and width < FIFO_FF_MAX_WIDTH:
        return Resources(lut=control + width)
    words = ram_resources(depth, width)
    return Resources(lut=control + (width if words.bram18 else 0)) + words


def window_estimate(depth: int, width: int) -> Resources:
    """A window engine (`swg.window_module`: the SWG, and the pools' front): counters and
    address arithmetic, the read word registered and multiplexed (2 LUTs per bit), and
    its line buffer of `depth` words (`ram_resources`)."""
    return Resources(lut=WINDOW_LUTS + 2 * width) + ram_resources(depth, width)


def dwc_estimate(in_width: int, out_width: int) -> Resources:
    """`qnn_dwc`: a buffer of IN_W + OUT_W + max(IN_W, OUT_W) bits that the input word
    enters at a variable offset; per buffer bit 1.5 LUTs, plus 0.5 per halving of the
    word (log2(IN_W / OUT_W): the shifter's stages), plus a count."""
    if in_width == out_width:
        return Resources()
    buffer = in_width + out_width + max(in_width, out_width)
    halvings = math.log2(max(1.0, in_width / out_width))
    return Resources(lut=STREAM_LUTS + math.ceil(buffer * (3 + halvings) / 2))


def varying_bits(table: np.ndarray | None, channels: int, pe: int, bits: int) -> int:
    """Bits of a threshold ROM word (C/PE words of PE·N lanes of `bits`-bit two's
    complement codes, each channel's N thresholds sorted) that differ between the
    words: Yosys drops a data bit that is constant over the whole ROM before it places
    the ROM, and thresholds span a small part of the accumulator's range. 0 without a
    table."""
    if table is None:
        return 0
    t = np.sort(np.asarray(table, dtype=np.int64), axis=1)
    t = np.broadcast_to(t, (channels, t.shape[1]))
    codes = t.reshape(channels // pe, -1) & ((1 << bits) - 1)
    planes = (codes[:, :, None] >> np.arange(bits)) & 1
    return int(np.count_nonzero(planes.min(axis=0) != planes.max(axis=0)))


def lane_luts(weight_bits: int, input_bits: int, xnor: bool) -> int:
    """One product lane feeding the adder tree: an XNOR and its popcount share (2), or a
    shift-and-add product (`res_type = "lut"`) and its share of the adder tree,
    (W + 1)·(A + 1) + 2 LUTs (fitted: 7-12 per lane at W = A = 2, 20-26 at A = 8)."""
    if xnor:
        return 2
    return (weight_bits + 1) * (input_bits + 1) + 2


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
    per_pe = acc_bits + n * ceil_div(acc_bits, 2)
    datapath = MAC_CONTROL_LUTS + pe * per_pe
    if in_luts:
        datapath += lanes * lane_luts(w_bits, a_bits, xnor)
    weights = rom_resources(rows * cols // lanes, lanes * w_bits, WEIGHT_BITS_PER_LUT)
    width = varying_bits(layer.threshold_array(), cols, pe, acc_bits)
    thresholds = rom_resources(cols // pe, width, THRESHOLD_BITS_PER_LUT)
    buffer = Resources()
    if isinstance(layer, df.MVAUOp) and cols // pe > 1:
        buffer = ram_resources(rows // simd, x_stream.word_width())
    dsp = 0 if in_luts else lanes
    return Resources(lut=datapath, dsp=dsp) + weights + thresholds + buffer


def select_luts(options: int) -> int:
    """LUTs per bit of a multiplexer over `options` inputs selected by comparing an index
    (`swg._select`) as Yosys maps it: none for one input, one LUT6 up to 4, 3 up to 8
    (fitted: a 5:1 select measured 2.9 LUTs per bit), a tree of those beyond."""
    if options <= 1:
        return 0
    if options <= 4:
        return 1
    if options <= 8:
        return 3
    groups = ceil_div(options, 8)
    return 3 * groups + select_luts(groups)


def parallel_window_estimate(
    kernel: tuple[int, int], rows: int, columns: int, ifm_w: int, word_bits: int, turning: bool
) -> Resources:
    """A parallel-window SWG (`swg.parallel_window_module`): the window engine's control,
    `rows`·`columns` memories of ⌈IFM_W/columns⌉ pixel words (`ram_resources` each), per
    window row and bank a `rows`:1 select of the pixel word, per window bit a
    `columns`:1 select when the window's first column turns through the banks
    (`turning`: SW not a multiple of CW) and one LUT in the slice (`select_luts`)."""
    kh, kw = kernel
    banks = ram_resources(ceil_div(ifm_w, columns), word_bits).scaled(rows * columns)
    window_bits = kh * kw * word_bits
    row_select = kh * columns * word_bits * select_luts(rows)
    column_select = window_bits * select_luts(columns) if turning else 0
    return Resources(lut=WINDOW_LUTS + window_bits + row_select + column_select) + banks


def swg_estimate(layer: df.SWGOp) -> Resources:
    """An SWG: its window engine over its ring of (KH - 1)·DH + 1 + SH rows
    (`SWGOp.buffer_rows`) of IFM_W·C/SIMD words; a parallel window's ring split into
    banks (`parallel_window_estimate`)."""
    x_stream = stream_type(layer.x)
    _, width, channels = layer.ifm_dims()
    if layer.is_parallel_window:
        kh, kw = ints(layer.kernel)
        columns = layer.window_columns()
        turning = ints(layer.stride)[1] % columns != 0
        return parallel_window_estimate(
            (kh, kw), layer.buffer_rows(), columns, width, x_stream.word_width(), turning
        )
    depth = layer.buffer_rows() * width * (channels // x_stream.lanes)
    return window_estimate(depth, x_stream.word_width())


def pool_estimate(layer: df.MaxPoolOp | df.PoolOp) -> Resources:
    """A pool: its window engine over KH rows (`window_estimate`) and the reducer (a
    position counter, per lane a comparator and the running maximum, or an adder)."""
    x_stream = stream_type(layer.x)
    _, width, channels = x_stream.shape
    rows = ints(layer.kernel)[0]
    word = x_stream.word_width()
    depth = rows * width * (channels // layer.pe.value.data)
    return window_estimate(depth, word) + Resources(lut=REDUCER_LUTS + 2 * word)


def thresholding_estimate(layer: df.ThresholdingOp) -> Resources:
    """Standalone thresholding: a stream pipeline, per lane N comparators of the input's
    B bits (B/3 LUTs each beside their carry chain) and the C/PE-word threshold ROM of
    its varying bits (`varying_bits`)."""
    x_stream = stream_type(layer.x)
    pe, n, bits = layer.pe.value.data, layer.num_thresholds(), x_stream.element.bitwidth
    channels = x_stream.shape[-1]
    width = varying_bits(constant_value(layer.thresholds), channels, pe, bits)
    rom = rom_resources(channels // pe, width, THRESHOLD_BITS_PER_LUT)
    return Resources(lut=STREAM_LUTS + ceil_div(pe * n * bits, 3)) + rom


def global_pool_estimate(layer: df.GlobalAccPoolOp) -> Resources:
    """Global accumulation pool: counters, per output bit an adder bit and the read
    multiplexer, the C/PE running sums in LUTRAM (or one register)."""
    out = stream_type(layer.result)
    folds = out.shape[-1] // layer.pe.value.data
    sums = ram_resources(folds, out.word_width())
    return Resources(lut=2 * STREAM_LUTS + 2 * out.word_width()) + sums


def stream_estimate(layer: df.Layer) -> Resources | None:
    """The one-word stream layers (padding, add, duplicate): a counter or a handshake
    join and 2 LUTs per bit of the widest word (its mux and skid slice); padding adds
    its row and column counters. None for other kinds."""
    if isinstance(layer, df.FMPaddingOp):
        return Resources(lut=PADDING_LUTS + 2 * max(layer.input_widths()))
    if isinstance(layer, df.AddStreamsOp | df.DuplicateStreamsOp):
        widest = max(*layer.input_widths(), *layer.output_widths())
        return Resources(lut=STREAM_LUTS - 2 + 2 * widest)
    return None


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
    if isinstance(layer, df.SWGOp):
        return RtlEstimate(swg_estimate(layer), "rtl")
    if isinstance(layer, df.MaxPoolOp | df.PoolOp):
        return RtlEstimate(pool_estimate(layer), "rtl")
    if isinstance(layer, df.ThresholdingOp):
        return RtlEstimate(thresholding_estimate(layer), "rtl")
    if isinstance(layer, df.GlobalAccPoolOp):
        return RtlEstimate(global_pool_estimate(layer), "rtl")
    stream = stream_estimate(layer)
    if stream is not None:
        return RtlEstimate(stream, "rtl")
    return RtlEstimate(layer.estimates(), "finn")


def rtl_estimates(partition: df.PartitionOp) -> dict[str, dict[str, object]]:
    """`rtl_estimate` of every layer of `partition`, by layer name."""
    return {
        name: rtl_estimate(layer).as_dict()
        for layer, name in layer_names(partition).items()
        if isinstance(layer, df.Layer)
    }
