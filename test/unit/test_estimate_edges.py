"""Every estimate formula of `qdialects.dataflow.estimates` on both sides of each of its
band edges, and one whole network's estimate, all against numbers worked out by hand
from the formulas in the docstrings (never by calling the model under test)."""

from __future__ import annotations

import pytest

from backend_hls.estimates_target import estimates_report
from qdialects.dataflow import estimates as est
from qdialects.dataflow import require_partition
from qdialects.dataflow.estimates import Resources
from qdialects.ir import parse_module

# --------------------------------------------------------------------------- BRAM18 bands

# memory_bram18 at depths 512/513 and 1024/1025 for widths 1, 2, 4, 9, 18, 36, 37:
#   w = 1: ⌈ω/16384⌉   w = 2: ⌈ω/8192⌉   w <= 4: ⌈ω/4096⌉·⌈w/4⌉   w <= 9: ⌈ω/2048⌉·⌈w/9⌉
#   w <= 18 or ω > 512: ⌈ω/1024⌉·⌈w/18⌉   else: ⌈ω/512⌉·⌈w/36⌉
BRAM18_GRID = {
    # width: (512, 513, 1024, 1025)
    1: (1, 1, 1, 1),
    2: (1, 1, 1, 1),
    4: (1, 1, 1, 1),
    9: (1, 1, 1, 1),
    18: (1, 1, 1, 2),  # ⌈1025/1024⌉ = 2
    36: (1, 2, 2, 4),  # 512 x 36 is one RAMB18; deeper: 1K x 18 halves, ⌈36/18⌉ = 2 each
    37: (2, 3, 3, 6),  # ⌈37/36⌉ = 2 at 512; ⌈37/18⌉ = 3 per 1K deeper
}


@pytest.mark.parametrize("width", sorted(BRAM18_GRID))
@pytest.mark.parametrize("column", range(4))
def test_memory_bram18_depth_and_width_edges(width: int, column: int) -> None:
    depth = (512, 513, 1024, 1025)[column]
    assert est.memory_bram18(depth, width) == BRAM18_GRID[width][column]


@pytest.mark.parametrize(
    ("depth", "width", "expected"),
    [
        (512, 64, 2),  # ⌈512/512⌉·⌈64/36⌉: the 512 x 36 band
        (513, 64, 4),  # ω > 512: ⌈513/1024⌉·⌈64/18⌉
        (1024, 64, 4),
        (1025, 64, 8),  # ⌈1025/1024⌉·⌈64/18⌉
        (512, 19, 1),  # w > 18 at ω = 512: ⌈512/512⌉·⌈19/36⌉
        (1024, 19, 2),  # w > 18 at ω > 512: ⌈1024/1024⌉·⌈19/18⌉
        (2048, 9, 1),  # ⌈2048/2048⌉·⌈9/9⌉
        (2049, 9, 2),
        (2048, 10, 2),  # w = 10 is in the 1K x 18 band: ⌈2048/1024⌉·⌈10/18⌉
        (4096, 4, 1),  # ⌈4096/4096⌉·⌈4/4⌉
        (4097, 4, 2),
        (4096, 3, 1),
        (4096, 5, 2),  # w = 5 is in the 2K x 9 band: ⌈4096/2048⌉·⌈5/9⌉
        (8192, 2, 1),
        (8193, 2, 2),
        (8192, 3, 2),  # w = 3 is in the 4K x 4 band: ⌈8192/4096⌉·⌈3/4⌉
        (16384, 1, 1),
        (16385, 1, 2),
        (16384, 2, 2),  # ⌈16384/8192⌉
        (0, 64, 0),
        (64, 0, 0),
    ],
)
def test_memory_bram18_band_transitions(depth: int, width: int, expected: int) -> None:
    assert est.memory_bram18(depth, width) == expected


# --------------------------------------------------------------------------- other memories


def test_memory_uram_edges() -> None:
    # 4K x 72 per URAM
    assert est.memory_uram(4096, 72) == 1
    assert est.memory_uram(4097, 72) == 2
    assert est.memory_uram(4096, 73) == 2
    assert est.memory_uram(0, 72) == 0


def test_memory_luts_edges() -> None:
    # width · ⌈depth/64⌉
    assert est.memory_luts(64, 1) == 1
    assert est.memory_luts(65, 1) == 2
    assert est.memory_luts(64, 8) == 8
    assert est.memory_luts(65, 8) == 16


def test_memory_auto_lutram_edge() -> None:
    # "auto": LUTRAM up to 2048 bits, BRAM above
    assert est.memory(256, 8) == Resources(lut=8 * 4)  # 2048 bits: 8·⌈256/64⌉
    assert est.memory(257, 8) == Resources(bram18=1)  # 2056 bits: ⌈257/2048⌉·⌈8/9⌉
    assert est.memory(16, 8, "block") == Resources(bram18=1)
    assert est.memory(4096, 8, "distributed") == Resources(lut=8 * 64)
    assert est.memory(4096, 8, "ultra") == Resources(uram=1)


# --------------------------------------------------------------------------- MVAU / VVAU


def test_weight_memory_embedded_depth_edge() -> None:
    # internal_embedded: depth <= 128 goes to LUTs (64 · ⌈128/64⌉), deeper to BRAM
    # (⌈129/512⌉·⌈64/36⌉); a 64-bit word is PE·SIMD·W = 1·1·64
    embedded = "internal_embedded"
    assert est.weight_memory(128, 1, 1, 1, 64, embedded) == Resources(lut=128)
    assert est.weight_memory(129, 1, 1, 1, 64, embedded) == Resources(bram18=2)
    assert est.weight_memory(129, 1, 1, 1, 64, embedded, "ultra") == Resources(bram18=2)


def test_weight_memory_styles_and_modes() -> None:
    # ω = 129 words of 64 bits
    decoupled = "internal_decoupled"
    assert est.weight_memory(129, 1, 1, 1, 64) == Resources(bram18=2)
    assert est.weight_memory(129, 1, 1, 1, 64, decoupled, "block") == Resources(bram18=2)
    assert est.weight_memory(129, 1, 1, 1, 64, decoupled, "distributed") == Resources(lut=64 * 3)
    assert est.weight_memory(129, 1, 1, 1, 64, decoupled, "ultra") == Resources(uram=1)
    assert est.weight_memory(129, 1, 1, 1, 64, "external") == Resources()
    # the word is PE·SIMD·W bits, ω = rows·cols/(PE·SIMD): 8 x 64 at PE = 4, SIMD = 2 is
    # 64 words of 16 bits: ⌈64/1024⌉·⌈16/18⌉
    assert est.weight_memory(8, 64, 4, 2, 2) == Resources(bram18=1)


def test_mac_luts_product_width_edge() -> None:
    # SIMD·(2⌈(W+A)/6⌉-1)·(W+A) + (W+A)·(2·SIMD-1)
    assert est.mac_luts(1, 3, 3) == 6 + 6  # W+A = 6: one LUT level
    assert est.mac_luts(1, 4, 3) == 21 + 7  # W+A = 7: ⌈7/6⌉ = 2 -> 3·7
    assert est.mac_luts(2, 3, 3) == 12 + 18


def test_mvau_luts_threshold_table_depth_edge() -> None:
    # MW = 1, W = A = 1, acc 4 bits, one threshold: mac 1·1·2 + 2·1 = 4, acc 4,
    # comparators 4, storage 1·4·⌈(MH/PE)/64⌉
    assert est.mvau_luts(1, 64, 1, 1, 1, 1, 4, 1) == 300 + 17  # 1.1·(4+4+4+4) = 17.6
    assert est.mvau_luts(1, 65, 1, 1, 1, 1, 4, 1) == 300 + 22  # 1.1·(4+4+4+8) = 22
    assert est.mvau_luts(1, 64, 1, 1, 1, 1, 4) == 300 + 8  # no thresholds: 1.1·8 = 8.8


def test_mvau_dsp_width_edge() -> None:
    # PE·SIMD·⌈(W+A)/48⌉ with res_type "dsp"
    assert est.mvau_dsp(2, 3, 24, 24, "dsp") == 6
    assert est.mvau_dsp(2, 3, 25, 24, "dsp") == 12
    assert est.mvau_dsp(2, 3, 25, 24) == 0


def test_unfolded_mvau_luts_weight_width_edge() -> None:
    # 300 + 1.1·(nnz·⌈W/2⌉·(W+A) + MH·(1+N)·acc)
    assert est.unfolded_mvau_luts(1, 1, 2, 2, 4) == 308  # 1.1·(1·1·4 + 4) = 8.8
    assert est.unfolded_mvau_luts(1, 1, 3, 2, 4) == 315  # 1.1·(1·2·5 + 4) = 15.4
    assert est.unfolded_mvau_luts(0, 1, 3, 2, 4, 1) == 308  # 1.1·(0 + 1·2·4) = 8.8


def test_mvau_cycles() -> None:
    # (MH/PE)·(MW/SIMD)·vectors
    assert est.mvau_cycles(784, 64, 2, 49, 1) == 32 * 16
    assert est.mvau_cycles(9, 32, 4, 1, 256) == 8 * 9 * 256  # a VVAU: MW = K, MH = C


# --------------------------------------------------------------------------- SWG


@pytest.mark.parametrize(
    ("depth", "expected"),
    [
        # (K + stride) = 2 buffers of depth IFMw·C/SIMD, each ⌈36 bits / RAM width⌉ wide
        (512, 2 * 1),  # 512 x 36
        (513, 2 * 2),  # 1K x 18
        (1024, 2 * 2),
        (1025, 2 * 4),  # 2K x 9
        (2048, 2 * 4),
        (2049, 2 * 9),  # 4K x 4
        (4096, 2 * 9),
        (4097, 2 * 18),  # 8K x 2
        (8192, 2 * 18),
        (8193, 2 * 36),  # 16K x 1
    ],
)
def test_swg_bram18_finn_depth_bands(depth: int, expected: int) -> None:
    assert est.swg_bram18_finn(depth, 1, 1, 36, 1, 1) == expected


def test_swg_buffer_edges() -> None:
    # rows·IFMw·C/SIMD words of SIMD·bits: 2 rows of 64·2/2 words of 16 bits = 2048 bits
    assert est.swg_buffer(2, 64, 2, 2, 8) == Resources(lut=16 * 2)  # LUTRAM: 16·⌈128/64⌉
    # 3 rows: 192 words, 3072 bits -> BRAM: ⌈192/1024⌉·⌈16/18⌉
    assert est.swg_buffer(3, 64, 2, 2, 8) == Resources(bram18=1)
    assert est.swg_luts(Resources(bram18=1)) == 300


# --------------------------------------------------------------------------- window schedule


def _schedule(h, row_words, rows, stride, out_rows, row_cycles, buffer_rows):
    return est.WindowSchedule(h, row_words, rows, stride, out_rows, row_cycles, buffer_rows)


def test_window_schedule_alternates_with_a_window_of_rows() -> None:
    # B = R: read R rows, write a row, read SH rows, ...: H·RW + OH·WC per frame, exactly
    s = _schedule(7, 5, 3, 2, 3, 11, 3)
    assert [s.cycles(n) for n in (1, 2, 3)] == [7 * 5 + 3 * 11, 2 * 68, 3 * 68]
    assert s.cycles_per_frame() == 68 and s.fill() == 0


def test_window_schedule_write_bound_overlaps() -> None:
    # 32x32, 3x3, stride 1, 30 rows of 270 words, rows of 32 words, B = 4: the first frame
    # reads 3 rows (96) then writes 30·270 while reading; one more frame adds 30·270 plus
    # the 2 rows of the next frame that did not fit beside its last window (2·32)
    s = _schedule(32, 32, 3, 1, 30, 270, 4)
    assert s.cycles(1) == 96 + 30 * 270
    assert s.cycles_per_frame() == 30 * 270 + 2 * 32
    assert s.cycles(3) - s.cycles(2) == s.cycles(2) - s.cycles(1)


def test_window_schedule_read_bound_is_the_input() -> None:
    # the same layer with a whole window per word (30 cycles per output row): the reader
    # never waits, a frame is its 32·32 input words; the first frame ends with the last
    # output row, 30 cycles after the last input row
    s = _schedule(32, 32, 3, 1, 30, 30, 4)
    assert s.cycles_per_frame() == 32 * 32
    assert s.cycles(1) == 32 * 32 + 30


def test_window_schedule_releases_rows_below_the_last_window() -> None:
    # 8 rows, R = 3, SH = 2: output rows at 0, 2, 4 use rows 0..6; row 7 is never needed
    # but still read. One row per output row: 2 words; rows of 4 words; B = 5. Per frame
    # the reader's 8·4 = 32 words bound it (the writer's 3·2 hide behind them)
    s = _schedule(8, 4, 3, 2, 3, 2, 5)
    assert s.cycles_per_frame() == 32


def test_parallel_window_estimates() -> None:
    # 5 rows by 3 window columns of ⌈32/3⌉ = 11 words of 64 bits: 11·64 = 704 bits each,
    # LUTRAM 64·⌈11/64⌉ = 64 LUTs, 15 of them
    assert est.parallel_window_buffer(5, 3, 32, 64) == Resources(lut=15 * 64)
    # the same banks as block RAM: one RAMB18 each (11 x 64: ⌈11/512⌉·⌈64/36⌉ = 2)
    assert est.parallel_window_buffer(5, 3, 32, 64, "block") == Resources(bram18=15 * 2)
    # a 5:1 multiplexer per output bit: ⌈5/4⌉ = 2 LUTs
    assert est.parallel_window_luts(5, 576) == 1152


# --------------------------------------------------------------------------- thresholding


def test_thresholding_table_edge() -> None:
    # N·A·PE comparators + the tables (PE·N memories of C/PE words): 256 x 8 = 2048 bits
    # is LUTRAM (8·⌈256/64⌉ = 32 LUTs), 257 x 8 is a BRAM (⌈257/2048⌉·⌈8/9⌉)
    assert est.thresholding_luts(256, 1, 8, 1, 8) == 8 + 32
    assert est.thresholding_bram18(256, 1, 1, 8) == 0
    assert est.thresholding_luts(257, 1, 8, 1, 8) == 8
    assert est.thresholding_bram18(257, 1, 1, 8) == 1
    # PE = 2, N = 3: 6 tables of 128 x 8 bits (8·⌈128/64⌉ = 16 LUTs each), 3·8·2 comparators
    assert est.thresholding_luts(256, 2, 8, 3, 8) == 48 + 6 * 16
    assert est.thresholding_luts(256, 2, 8, 0, 8) == 0


# --------------------------------------------------------------------------- streams


def test_fifo_edges() -> None:
    assert est.fifo_resources(2, 64) == Resources()  # registers
    # address 2·⌈log2 depth⌉; distributed: ⌈depth/32⌉·⌈width/2⌉
    assert est.fifo_resources(3, 8) == Resources(lut=4 + 1 * 4)
    assert est.fifo_resources(32, 2, "distributed") == Resources(lut=10 + 1)
    assert est.fifo_resources(33, 2, "distributed") == Resources(lut=12 + 2)
    assert est.fifo_resources(32, 3, "distributed") == Resources(lut=10 + 2)
    # "auto": distributed up to depth 64 whatever the width ...
    assert est.fifo_resources(64, 64) == Resources(lut=12 + 2 * 32)
    # ... above it BRAM past 2048 bits: 65 x 64 -> ⌈65/512⌉·⌈64/36⌉
    assert est.fifo_resources(65, 64) == Resources(lut=14, bram18=2)
    assert est.fifo_resources(128, 16) == Resources(lut=14 + 4 * 8)  # 2048 bits
    assert est.fifo_resources(129, 16) == Resources(lut=16, bram18=1)  # 2064 bits
    # block at the 1K x 18 edge
    assert est.fifo_resources(1024, 18, "block") == Resources(lut=20, bram18=1)
    assert est.fifo_resources(1025, 18, "block") == Resources(lut=22, bram18=2)
    assert est.fifo_resources(4096, 72, "ultra") == Resources(lut=24, uram=1)
    assert est.fifo_resources(4097, 72, "ultra") == Resources(lut=26, uram=2)


def test_dwc_edges() -> None:
    # out bits + 2·⌈log2 max(2, ⌈big/small⌉)⌉ + (in + out when neither divides the other)
    assert est.dwc_luts(4, 4) == 0
    assert est.dwc_luts(4, 8) == 8 + 2
    assert est.dwc_luts(8, 4) == 4 + 2
    assert est.dwc_luts(4, 12) == 12 + 4
    assert est.dwc_luts(4, 20) == 20 + 6  # ⌈20/4⌉ = 5 words: 3-bit counter
    assert est.dwc_luts(8, 12) == 12 + 2 + 20


def test_elementwise_luts() -> None:
    assert est.elementwise_luts(2, 8) == 50 + 16
    assert est.elementwise_luts(2, 8, 2) == 50 + 32


# --------------------------------------------------------------------------- a network

# 784 -> 64 -> 10 with a FIFO on the input, thresholds after the first layer, a width
# converter, and the top-1 label:
#   FIFO_0  depth 1025 x 98 bits (49 lanes of 2), block: 2·⌈log2 1025⌉ = 22 LUTs,
#           ⌈1025/1024⌉·⌈98/18⌉ = 12 BRAM18, 0 cycles
#   MVAU_0  MW 784, MH 64, PE 2, SIMD 49, W = A = 2, acc 12 bits, 3 thresholds:
#           weights ω = 50176/98 = 512 words of 196 bits: ⌈512/512⌉·⌈196/36⌉ = 6 BRAM18;
#           mac 49·1·4 + 4·97 = 584, thresholds 3·12·⌈32/64⌉ = 36, comparators 36:
#           300 + 1.1·2·(584 + 12 + 36 + 36) = 1769.6 -> 1769 LUTs; 32·16 = 512 cycles
#   DWC_0   4 -> 8 bits: 8 + 2 = 10 LUTs; 64/2 = 32 words in: 32 cycles
#   MVAU_1  MW 64, MH 10, PE 5, SIMD 4, W = A = 2, acc 8 bits: ω = 640/20 = 32 words of
#           40 bits: ⌈32/512⌉·⌈40/36⌉ = 2 BRAM18; mac 4·1·4 + 4·7 = 44:
#           300 + 1.1·5·(44 + 8) = 586 LUTs; 2·16 = 32 cycles
#   LabelSelect_0  PE 5, k 1, 8 + 4 bits: 50 + 5·12·2 = 170 LUTs; 2 + 1 = 3 cycles
NETWORK = """
func.func @net(%x : tensor<1x784x!quant.uint<2>>) -> tensor<1x1x!quant.uint<4>> {
  %w0 = quant.constant dense<1> : tensor<784x64xi8> -> tensor<784x64x!quant.int<2>>
  %t0 = quant.constant dense<[[1, 500, 1000]]> : tensor<1x3xi64> -> tensor<1x3x!quant.uint<12>>
  %w1 = quant.constant dense<1> : tensor<64x10xi8> -> tensor<64x10x!quant.int<2>>
  %r = dataflow.partition(%x) : (tensor<1x784x!quant.uint<2>>) -> tensor<1x1x!quant.uint<4>> {
  ^bb0(%s : !dataflow.stream<784x!quant.uint<2>, lanes 49>):
    %f = dataflow.fifo %s {depth = 1025 : i64, ram_style = "block"} : (!dataflow.stream<784x!quant.uint<2>, lanes 49>) -> !dataflow.stream<784x!quant.uint<2>, lanes 49>
    %h = dataflow.mvau %f, %w0, %t0 {simd = 49 : i64, pe = 2 : i64, acc_dtype = !quant.uint<12>} : (!dataflow.stream<784x!quant.uint<2>, lanes 49>, tensor<784x64x!quant.int<2>>, tensor<1x3x!quant.uint<12>>) -> !dataflow.stream<64x!quant.uint<2>, lanes 2>
    %d = dataflow.dwc %h : (!dataflow.stream<64x!quant.uint<2>, lanes 2>) -> !dataflow.stream<64x!quant.uint<2>, lanes 4>
    %o = dataflow.mvau %d, %w1 {simd = 4 : i64, pe = 5 : i64, acc_dtype = !quant.uint<8>} : (!dataflow.stream<64x!quant.uint<2>, lanes 4>, tensor<64x10x!quant.int<2>>) -> !dataflow.stream<10x!quant.uint<8>, lanes 5>
    %l = dataflow.label_select %o {k = 1 : i64, pe = 5 : i64} : (!dataflow.stream<10x!quant.uint<8>, lanes 5>) -> !dataflow.stream<1x!quant.uint<4>, lanes 1>
    dataflow.yield %l : !dataflow.stream<1x!quant.uint<4>, lanes 1>
  }
  func.return %r : tensor<1x1x!quant.uint<4>>
}
"""

NETWORK_LAYERS = [
    # name, cycles, LUT, BRAM18
    ("FIFO_0", 0, 22, 12),
    ("MVAU_0", 512, 1769, 6),
    ("DWC_0", 32, 10, 0),
    ("MVAU_1", 32, 586, 2),
    ("LabelSelect_0", 3, 170, 0),
]


def test_a_whole_network_estimate_by_hand() -> None:
    module = parse_module(NETWORK)
    module.verify()
    partition = require_partition(module, "test")
    assert partition.estimates() == Resources(lut=2557, bram18=20)
    assert partition.cycles_per_frame() == 512
    report = estimates_report(module, clock_ns=10.0)
    rows = [
        (layer["name"], layer["cycles"], layer["LUT"], layer["BRAM_18K"])
        for layer in report["layers"]
    ]
    assert rows == NETWORK_LAYERS
    assert all(layer["URAM"] == 0 and layer["DSP"] == 0 for layer in report["layers"])
    assert report["network"] == {
        "max_cycles": 512,
        "bottleneck": "MVAU_0",
        "estimated_fps": 195312.5,  # 1e9 / (10 ns · 512)
        "latency_cycles": 579,  # 0 + 512 + 32 + 32 + 3
        "latency_us": 5.79,
        "totals": {"LUT": 2557, "BRAM_18K": 20, "URAM": 0, "DSP": 0},
    }
