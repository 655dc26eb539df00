"""First-order resource and cycle models of the dataflow layers (FINN-R style).

Every function here is a plain function of numbers, so each can be checked by hand
against FINN's formulas (FINN-R: Blott et al., "FINN-R: An End-to-End Deep-Learning
Framework for Fast Exploration of Quantized Neural Networks", 2018, and FINN's
`bram_estimation`/`lut_estimation` methods). The `dataflow` ops
(`qdialects.dataflow`) call them from their `estimates()` and `cycles_per_frame()`.

Units: LUT (6-input LUTs), BRAM18 (18 Kib block RAMs; a BRAM36 is two), URAM (288 Kib
UltraRAMs), DSP (DSP48/58 slices). Memory "depth" is in words and "width" in bits.

Where these models differ from FINN's, the function says so; the differences follow
what this project's HLS library (`backend_hls/lib`) actually builds:

* threshold memories hold the real number of thresholds `N` per channel of the real
  threshold width (FINN's MVAU model assumes `2^B - 1` thresholds and counts them only
  for `ram_style_thresholds = "distributed"`; its Thresholding model ignores `N`);
* the accumulator width is the exact one of the layer (`acc_dtype`, derived from the
  constant weights), not FINN's datatype bound;
* a fully unfolded MVAU (PE = MH, SIMD = MW) has its weights as constants in logic:
  only non-zero weights cost LUTs and no memory (FINN counts every weight);
* the sliding-window generator's cycles are those of the library's line-buffer schedule
  (`WindowSchedule`, exact to the cycle): with `(KH-1)*DH+1+SH` rows (FINN's K + stride)
  it reads the next rows while it writes, also across frames; the pools keep `KH` rows
  and read and write in turn (`swg_cycles(..., overlapped=False)`).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from dataclasses import dataclass

CONTROL_LUTS = 300
"""FINN-R's constant c0: control logic of a compute layer (MVAU/VVAU/SWG)."""
MAC_LUT_FACTOR = 1.1
"""FINN-R's c1: the fitted overhead factor on the per-PE datapath."""
LUTRAM_DEPTH = 64
"""Words one LUT holds as distributed RAM (a 64x1 LUTRAM)."""
AUTO_LUTRAM_MAX_BITS = 2048
"""`ram_style = "auto"`: memories of at most this many bits (and FIFOs of depth <= 64)
are modelled as LUTRAM, larger ones as BRAM (Vivado's choice is similar for small
memories; FINN leaves "auto" to Vivado and estimates it as BRAM)."""


@dataclass(frozen=True)
class Resources:
    """An FPGA resource estimate."""

    lut: int = 0
    bram18: int = 0
    uram: int = 0
    dsp: int = 0

    def __add__(self, other: Resources) -> Resources:
        return Resources(
            self.lut + other.lut,
            self.bram18 + other.bram18,
            self.uram + other.uram,
            self.dsp + other.dsp,
        )

    def beyond(self, other: Resources) -> Resources:
        """What `self` holds beyond `other`, per resource (never negative)."""
        return Resources(
            max(0, self.lut - other.lut),
            max(0, self.bram18 - other.bram18),
            max(0, self.uram - other.uram),
            max(0, self.dsp - other.dsp),
        )

    def scaled(self, factor: int) -> Resources:
        return Resources(
            self.lut * factor, self.bram18 * factor, self.uram * factor, self.dsp * factor
        )

    def as_dict(self) -> dict[str, int]:
        """FINN-compatible keys (`LUT`, `BRAM_18K`, `URAM`, `DSP`)."""
        return {"LUT": self.lut, "BRAM_18K": self.bram18, "URAM": self.uram, "DSP": self.dsp}


def ceil_div(a: float, b: float) -> int:
    return math.ceil(a / b)


# --------------------------------------------------------------------------- memories


def memory_bram18(depth: float, width: int) -> int:
    """RAMB18s in simple-dual-port mode for a `depth x width` memory: FINN-R's width bands
    (UG573: a RAMB18 is 16K x 1, 8K x 2, 4K x 4, 2K x 9, 1K x 18 or 512 x 36).

    width 1: ⌈ω/16384⌉; 2: ⌈ω/8192⌉; ≤4: ⌈ω/4096⌉·⌈w/4⌉; ≤9: ⌈ω/2048⌉·⌈w/9⌉;
    ≤18 or ω>512: ⌈ω/1024⌉·⌈w/18⌉; else ⌈ω/512⌉·⌈w/36⌉ (ω = depth, w = width)."""
    if depth <= 0 or width <= 0:
        return 0
    if width == 1:
        return ceil_div(depth, 16384)
    if width == 2:
        return ceil_div(depth, 8192)
    if width <= 4:
        return ceil_div(depth, 4096) * ceil_div(width, 4)
    if width <= 9:
        return ceil_div(depth, 2048) * ceil_div(width, 9)
    if width <= 18 or depth > 512:
        return ceil_div(depth, 1024) * ceil_div(width, 18)
    return ceil_div(depth, 512) * ceil_div(width, 36)


def memory_uram(depth: float, width: int) -> int:
    """URAMs (4K x 72) for a `depth x width` memory."""
    if depth <= 0 or width <= 0:
        return 0
    return ceil_div(depth, 4096) * ceil_div(width, 72)


def memory_luts(depth: float, width: int) -> int:
    """LUTs of a `depth x width` distributed RAM (64 x 1 per LUT)."""
    if depth <= 0 or width <= 0:
        return 0
    return width * ceil_div(depth, LUTRAM_DEPTH)


def memory(depth: float, width: int, ram_style: str = "auto") -> Resources:
    """A memory in the given style; "auto" is LUTRAM up to `AUTO_LUTRAM_MAX_BITS` bits,
    BRAM above."""
    if ram_style == "ultra":
        return Resources(uram=memory_uram(depth, width))
    if ram_style == "distributed" or (
        ram_style == "auto" and depth * width <= AUTO_LUTRAM_MAX_BITS
    ):
        return Resources(lut=memory_luts(depth, width))
    return Resources(bram18=memory_bram18(depth, width))


def threshold_memory(channels: int, pe: int, num_thresholds: int, threshold_bits: int) -> Resources:
    """Threshold tables: the library partitions them completely along PE and the threshold
    index, so there are `pe * num_thresholds` memories of `channels/pe` words of
    `threshold_bits`, each placed by `memory(..., "auto")`. (FINN: `(2^B-1)·acc_bits·
    ⌈TMEM/64⌉` LUTs for distributed threshold memories only.)"""
    if num_thresholds == 0:
        return Resources()
    return memory(channels // pe, threshold_bits).scaled(pe * num_thresholds)


# --------------------------------------------------------------------------- MVAU / VVAU


def weight_memory_bram18(
    depth: int, width: int, mem_mode: str = "internal_decoupled", ram_style: str = "auto"
) -> int:
    """FINN's MVAU/VVAU weight BRAM: 0 for external weights, for decoupled weights in
    LUTRAM/URAM, and for embedded weights of depth <= 128 (HLS puts those in LUTs);
    `memory_bram18(depth, width)` otherwise."""
    if (
        mem_mode == "external"
        or (mem_mode == "internal_decoupled" and ram_style in ("distributed", "ultra"))
        or (mem_mode == "internal_embedded" and depth <= 128)
    ):
        return 0
    return memory_bram18(depth, width)


def weight_memory_uram(
    depth: int, width: int, mem_mode: str = "internal_decoupled", ram_style: str = "auto"
) -> int:
    """FINN's weight URAM: only decoupled weights with ram_style "ultra"."""
    if mem_mode != "internal_decoupled" or ram_style != "ultra":
        return 0
    return memory_uram(depth, width)


def weight_memory_luts(
    depth: int, width: int, mem_mode: str = "internal_decoupled", ram_style: str = "auto"
) -> int:
    """FINN-R's c2: weights in LUTRAM (decoupled + distributed, or embedded with depth
    <= 128): `width · ⌈depth/64⌉`."""
    if (mem_mode == "internal_decoupled" and ram_style == "distributed") or (
        mem_mode == "internal_embedded" and depth <= 128
    ):
        return memory_luts(depth, width)
    return 0


def weight_memory(
    rows: int,
    cols: int,
    pe: int,
    simd: int,
    weight_bits: int,
    mem_mode: str = "internal_decoupled",
    ram_style: str = "auto",
) -> Resources:
    """The weight memory of an MVAU (`rows x cols` = MW x MH) or a VVAU (K x C): FINN's
    ω = rows·cols/(PE·SIMD) words of PE·SIMD·W bits, as BRAM (`weight_memory_bram18`,
    FINN's `bram_estimation`), URAM (`weight_memory_uram`, `uram_estimation`) or LUTRAM
    (`weight_memory_luts`, FINN-R's c2)."""
    depth, width = rows * cols // (pe * simd), pe * simd * weight_bits
    return Resources(
        lut=weight_memory_luts(depth, width, mem_mode, ram_style),
        bram18=weight_memory_bram18(depth, width, mem_mode, ram_style),
        uram=weight_memory_uram(depth, width, mem_mode, ram_style),
    )


def mac_luts(simd: int, weight_bits: int, input_bits: int) -> int:
    """One PE's SIMD multipliers and adder tree (FINN-R): `SIMD·(2⌈(W+A)/6⌉-1)·(W+A) +
    (W+A)·(2·SIMD-1)`. For XNOR-popcount (W = A = 1) this is FINN's formula too."""
    wa = weight_bits + input_bits
    return simd * (2 * ceil_div(wa, 6) - 1) * wa + wa * (2 * simd - 1)


def mvau_luts(
    mw: int,
    mh: int,
    pe: int,
    simd: int,
    weight_bits: int,
    input_bits: int,
    acc_bits: int,
    num_thresholds: int = 0,
) -> int:
    """FINN-R's MVAU LUT model without the weight memory (c2, `weight_memory(...).lut`):
    `300 + 1.1·PE·(mult + adder tree + acc + thresholds + comparators)`, with
    mult + adder tree = `mac_luts(SIMD, W, A)`, acc = acc_bits, comparators
    `N·acc_bits` and threshold storage `N·acc_bits·⌈(MH/PE)/64⌉` (N thresholds per
    channel, held in LUTs). A VVAU is the MVAU with MW = K, MH = C.

    Differs from FINN: N is the layer's threshold count (FINN: 2^B-1, and only with
    distributed threshold memories; with its default "auto" FINN counts none), and
    acc_bits is exact (FINN: min(acc_dtype bits, its data-type bound))."""
    tmem = mh // pe
    thresholds = num_thresholds * acc_bits * ceil_div(tmem, LUTRAM_DEPTH) if num_thresholds else 0
    comparators = num_thresholds * acc_bits
    datapath = mac_luts(simd, weight_bits, input_bits) + acc_bits + thresholds + comparators
    return int(CONTROL_LUTS + MAC_LUT_FACTOR * pe * datapath)


def mvau_dsp(pe: int, simd: int, weight_bits: int, input_bits: int, res_type: str = "lut") -> int:
    """FINN's MVAU `dsp_estimation`: `PE·SIMD·⌈(W+A)/48⌉` when products go to DSPs
    (`res_type = "dsp"`), 0 for LUT products (FINN's default, and this project's)."""
    if res_type != "dsp":
        return 0
    return pe * simd * ceil_div(weight_bits + input_bits, 48)


def unfolded_mvau_luts(
    nonzero_weights: int,
    mh: int,
    weight_bits: int,
    input_bits: int,
    acc_bits: int,
    num_thresholds: int = 0,
) -> int:
    """A fully unfolded MVAU (PE = MH, SIMD = MW): every weight is a constant in logic.

    A zero weight costs nothing. A non-zero weight is a constant-coefficient multiplier
    feeding the adder tree: `⌈W/2⌉ - 1` shift-and-add adders (canonical signed digits:
    a W-bit constant has at most ⌈W/2⌉ non-zero digits) plus its adder-tree input, each
    `W + A` bits wide: `⌈W/2⌉·(W+A)` LUTs. Per output: the accumulator register
    (acc_bits) and N comparators against constant thresholds (`N·acc_bits`).
    Total: `300 + 1.1·(nnz·⌈W/2⌉·(W+A) + MH·(1 + N)·acc_bits)`; no BRAM.
    (FINN has no sparse model: it counts all MW·MH multipliers.)"""
    wa = weight_bits + input_bits
    per_weight = ceil_div(weight_bits, 2) * wa
    per_output = (1 + num_thresholds) * acc_bits
    return int(CONTROL_LUTS + MAC_LUT_FACTOR * (nonzero_weights * per_weight + mh * per_output))


def mvau_cycles(mw: int, mh: int, pe: int, simd: int, vectors: int) -> int:
    """`(MH/PE)·(MW/SIMD)·vectors` (FINN's `get_exp_cycles`); for a VVAU (MW = K, MH = C)
    that is FINN's `(C·K)/(PE·SIMD)·pixels`."""
    return (mh // pe) * (mw // simd) * vectors


# --------------------------------------------------------------------------- SWG


def swg_cycles(
    ifm_h: int,
    ifm_w: int,
    channels: int,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    ofm: tuple[int, int],
    simd: int,
    overlapped: bool = True,
) -> int:
    """Cycles per frame of the sliding-window generator.

    overlapped (FINN's `get_exp_cycles`, reading and writing concurrently):
    `IFMw·KH·DH·C/SIMD + OFMh·max(OFMw·KH·KW·C/SIMD, SW·IFMw·C/SIMD)`.
    not overlapped (this project's library: read the rows a window row needs, then emit
    it): `IFMh·IFMw·C/SIMD + OFMh·OFMw·KH·KW·C/SIMD`."""
    folds = channels // simd
    kh, kw = kernel
    oh, ow = ofm
    if not overlapped:
        return ifm_h * ifm_w * folds + oh * ow * kh * kw * folds
    write_block = ow * kh * kw * folds
    read_block = stride[1] * ifm_w * folds
    return ifm_w * kh * dilation[0] * folds + oh * max(write_block, read_block)


@dataclass(frozen=True)
class WindowSchedule:
    """The cycles of the library's line-buffered window engine (`backend_hls/lib/qnn/swg.h`,
    `detail::LineCredits`), computed row by row; equal to the kernel's loop iterations.

    A reader stores the input rows (`row_words` cycles each, one word per cycle) of every
    frame in order into a ring of `buffer_rows` slots; a writer spends `row_cycles` cycles
    on each of the `out_rows` output rows of a frame. In each cycle, with the state at its
    start: the reader may start a row when fewer than `buffer_rows` rows are held
    (started, not released); the writer may start output row `oy` when the `rows` input
    rows from `oy·stride` on are complete. Finishing an output row releases `stride` rows
    (the frame's last: the rest of the frame, `height - (out_rows-1)·stride`)."""

    height: int
    row_words: int
    rows: int
    stride: int
    out_rows: int
    row_cycles: int
    buffer_rows: int

    def cycles(self, frames: int) -> int:
        """Cycles for `frames` frames back to back (the kernel's return value)."""
        return _schedule_cycles(self, frames)

    def cycles_per_frame(self) -> int:
        """The steady state: what one more frame adds (`cycles(3) - cycles(2)`; the
        schedule repeats from the second frame on)."""
        return self.cycles(3) - self.cycles(2)

    def fill(self) -> int:
        """What the first frame takes beyond the steady state (the rows read before the
        first output row, and the rest of the ramp)."""
        return self.cycles(1) - self.cycles_per_frame()


@functools.cache
def _schedule_cycles(s: WindowSchedule, frames: int) -> int:
    released = [
        s.height - (s.out_rows - 1) * s.stride if j % s.out_rows == s.out_rows - 1 else s.stride
        for j in range(frames * s.out_rows)
    ]
    released_by = list(itertools.accumulate(released))  # after writer row j
    read_end: list[int] = []  # last cycle of each input row
    write_end: list[int] = []  # last cycle of each output row
    total_rows, total_out = frames * s.height, frames * s.out_rows
    while len(read_end) < total_rows or len(write_end) < total_out:
        progress = False
        n = len(read_end)
        if n < total_rows:
            # the reader holds n rows minus those released: it needs n - B + 1 released
            start = read_end[-1] + 1 if read_end else 0
            owed = n - s.buffer_rows + 1
            if owed > 0:
                j = bisect.bisect_left(released_by, owed)
                start = max(start, write_end[j] + 1) if j < len(write_end) else -1
            if start >= 0:
                read_end.append(start + s.row_words - 1)
                progress = True
        j = len(write_end)
        if j < total_out:
            last_row = (released_by[j - 1] if j else 0) + s.rows - 1
            if last_row < len(read_end):
                start = max(write_end[-1] + 1 if write_end else 0, read_end[last_row] + 1)
                write_end.append(start + s.row_cycles - 1)
                progress = True
        assert progress, "the line buffer holds fewer rows than a window"
    return max(read_end[-1], write_end[-1]) + 1


def swg_bram18_finn(
    ifm_w: int, channels: int, simd: int, input_bits: int, kernel: int, stride: int
) -> int:
    """FINN's 2-D HLS SWG `bram_estimation` (ram_style block/auto): `(K + stride)` line
    buffers of depth IFMw·C/SIMD, each of width SIMD·bits split by the depth's width band."""
    depth = ifm_w * channels / simd
    bands = ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2))
    ram_width = next((w for d, w in bands if depth <= d), 1)
    width_mul = ceil_div(simd * input_bits, ram_width)
    return (kernel + stride) * width_mul


def swg_buffer(
    rows: int, ifm_w: int, channels: int, simd: int, input_bits: int, ram_style: str = "auto"
) -> Resources:
    """The library's SWG line buffer: `rows = (KH-1)·DH+1` input rows of IFMw·C/SIMD words
    of SIMD·bits, as one memory. (FINN models K + stride separate row buffers.)"""
    return memory(rows * ifm_w * channels // simd, simd * input_bits, ram_style)


def parallel_window_buffer(
    rows: int, columns: int, ifm_w: int, word_bits: int, ram_style: str = "auto"
) -> Resources:
    """The line buffer of a parallel-window SWG: one memory per row and window column
    (`rows·columns` memories of `⌈IFMw/columns⌉` pixel words of C·bits), so a whole
    window is read in one cycle (the HLS kernel's partitioning)."""
    bank = memory(ceil_div(ifm_w, columns), word_bits, ram_style)
    return Resources(
        lut=bank.lut * rows * columns,
        bram18=bank.bram18 * rows * columns,
        uram=bank.uram * rows * columns,
    )


def parallel_window_luts(rows: int, window_bits: int) -> int:
    """Selecting each bit of the window word from the buffer's rows: a `rows`:1
    multiplexer per bit, about one LUT6 per 4 inputs (`⌈rows/4⌉` per bit)."""
    return window_bits * ceil_div(rows, 4)


def swg_luts(buffer: Resources) -> int:
    """FINN's SWG LUTs: 300 (address generation and control) + the buffer's LUTRAM."""
    return CONTROL_LUTS + buffer.lut


# --------------------------------------------------------------------------- thresholding


def thresholding_luts(
    channels: int, pe: int, input_bits: int, num_thresholds: int, threshold_bits: int
) -> int:
    """Standalone thresholding: `N·A·PE` comparators plus the LUTRAM of the threshold
    tables (`threshold_memory`). (FINN: `A·PE + PE·A·⌈TMEM/64⌉`, one threshold per
    channel whatever N.)"""
    tables = threshold_memory(channels, pe, num_thresholds, threshold_bits)
    return num_thresholds * input_bits * pe + tables.lut


def thresholding_bram18(channels: int, pe: int, num_thresholds: int, threshold_bits: int) -> int:
    """BRAM of the threshold tables that `threshold_memory` places in block RAM."""
    return threshold_memory(channels, pe, num_thresholds, threshold_bits).bram18


# --------------------------------------------------------------------------- streams


def fifo_resources(depth: int, width: int, ram_style: str = "auto") -> Resources:
    """A stream FIFO of `depth` words of `width` bits.

    Depth <= 2: registers (no LUTs counted). Otherwise FINN's StreamingFIFO models:
    address logic `2·⌈log2 depth⌉` LUTs, plus by style: "block" → `memory_bram18`,
    "ultra" → `⌈depth/4096⌉·⌈width/72⌉` URAM, "distributed" → `⌈depth/32⌉·⌈width/2⌉`
    LUTs (SRL32 pairs). "auto": distributed for depth <= 64 or at most
    `AUTO_LUTRAM_MAX_BITS` bits, block otherwise (FINN leaves "auto" to Vivado)."""
    if depth <= 2 or width <= 0:
        return Resources()
    address = 2 * math.ceil(math.log2(depth))
    style = ram_style
    if style == "auto":
        style = "distributed" if depth <= 64 or depth * width <= AUTO_LUTRAM_MAX_BITS else "block"
    if style == "block":
        return Resources(lut=address, bram18=memory_bram18(depth, width))
    if style == "ultra":
        return Resources(lut=address, uram=memory_uram(depth, width))
    return Resources(lut=address + ceil_div(depth, 32) * ceil_div(width, 2))


def dwc_luts(in_width: int, out_width: int) -> int:
    """Data-width converter: an output-word register and lane multiplexers (≈ one LUT per
    output bit), a word counter, and when neither width divides the other a bit buffer of
    in+out bits with a shifter (≈ one LUT per buffered bit)."""
    if in_width == out_width:
        return 0
    big, small = max(in_width, out_width), min(in_width, out_width)
    counter = 2 * math.ceil(math.log2(max(2, ceil_div(big, small))))
    general = 0 if big % small == 0 else in_width + out_width
    return out_width + counter + general


def elementwise_luts(pe: int, bits: int, per_lane: int = 1) -> int:
    """A streaming elementwise layer: `per_lane·bits` LUTs for each of PE lanes plus ~50 LUTs
    of stream control."""
    return 50 + pe * bits * per_lane
