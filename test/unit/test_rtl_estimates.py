"""`backend_fpga.rtl_estimates`: the RTL backend's layers as Yosys maps them. The
constants are fitted to Yosys runs on the shared models (benchmarks/synth_calibration.py);
these tests pin the structural rules each one stands for, on memories Yosys placed so."""

from __future__ import annotations

import numpy as np
import pytest

from backend_fpga.rtl_estimates import (
    TILE_MUX_LUTS,
    dwc_estimate,
    fifo_estimate,
    lutram_luts,
    parallel_window_estimate,
    ram_resources,
    rom_resources,
    varying_bits,
)
from qdialects.dataflow.estimates import Resources


def test_a_rom_stays_in_logic_up_to_one_ramb18s_cost() -> None:
    # 4096 x 2 (8 Kib): Yosys's logic cost 128 < 129, one RAMB18's
    assert rom_resources(4096, 2, 16) == Resources(lut=512)
    assert rom_resources(8192, 2, 16).bram18 == 1


def test_a_wide_shallow_rom_weighs_the_block_rams_its_width_needs() -> None:
    # cnv_w1a1's MVAU_1 (36 x 1024: 29 RAMB18 by width) and MVAU_2 (192 x 384: 11) stay
    # in logic; MVAU_3 (288 x 512: 15 RAMB18, one tile deep, no multiplexer) does not
    assert rom_resources(36, 1024, 15).bram18 == 0
    assert rom_resources(192, 384, 15).bram18 == 0
    assert rom_resources(288, 512, 15) == Resources(bram18=15)


def test_a_deep_rom_tiles_block_rams_and_multiplexes_them() -> None:
    # measured: 8192 x 16 -> 8 RAMB18, 7168 x 56 -> 22, 3072 x 96 -> 16 (three tiles deep)
    assert rom_resources(8192, 16, 16) == Resources(lut=16, bram18=8)
    assert rom_resources(7168, 56, 16) == Resources(lut=56 * TILE_MUX_LUTS, bram18=22)
    assert rom_resources(3072, 96, 16) == Resources(lut=96, bram18=16)


def test_lutram_is_ram32m_or_ram64m_columns() -> None:
    assert lutram_luts(2, 28) == 20  # 5 RAM32M, measured on qnn_fifo_28_2
    assert lutram_luts(56, 28) == 40  # 10 RAM64M columns, an MVAU input buffer
    assert lutram_luts(1920, 1) == 30 * 4 + 2 * 30  # SWG_4 of cnv_w1a1: 30 RAM64M
    assert lutram_luts(1, 64) == 0


@pytest.mark.parametrize(
    ("depth", "width", "block"),
    [
        (288, 8, False),  # cnv SWG_0: 15 RAM64M
        (360, 16, True),  # cnv SWG_1
        (1920, 1, False),  # cnv_w1a1 SWG_4: 30 RAM64M
        (1920, 2, True),  # cnv_w2a2 SWG_4
        (2304, 1, True),  # cnv_w1a1 SWG_5
        (347, 4, False),  # cnv_w1a1 FIFO_7
        (347, 8, True),  # cnv_w2a2 FIFO_6
        (80, 24, False),  # cnv_w2a2 FIFO_18: RAM64M and RAM32M tiles
        (128, 36, True),  # cnv_w2a2 FIFO_22
    ],
)
def test_a_ram_goes_to_lutram_while_it_costs_less_than_a_ramb18(
    depth: int, width: int, block: bool
) -> None:
    assert (ram_resources(depth, width).bram18 == 1) == block


def test_a_fifo_of_two_narrow_words_stays_in_flip_flops() -> None:
    assert fifo_estimate(2, 8) == Resources(lut=8 + 8)
    assert fifo_estimate(2, 14) == Resources(lut=8 + 12)


def test_a_threshold_rom_counts_only_the_bits_that_vary_between_its_words() -> None:
    # words [1, 2] and [3, 4] (8-bit lanes): 1 -> 3 flips bit 1, 2 -> 4 bits 1 and 2
    assert varying_bits(np.array([[2, 1], [4, 3]]), 2, 1, 8) == 3
    assert varying_bits(np.array([[-1, 1]]), 4, 1, 8) == 0  # one row shared: constant
    # PE = 2: words [0, 1] and [2, 3], bit 1 of each lane varies
    assert varying_bits(np.array([[0], [1], [2], [3]]), 4, 2, 4) == 2
    assert varying_bits(None, 4, 1, 8) == 0


DWC_YOSYS = [
    (8, 24, 101), (16, 32, 124), (4, 24, 82), (1, 24, 109), (2, 36, 145),
    (16, 8, 98), (32, 4, 223), (4, 1, 37), (64, 2, 537), (128, 8, 879),
]  # fmt: skip
"""(IN_W, OUT_W, LUT): qnn_dwc synthesized alone (synth_xilinx -family xc7)."""


@pytest.mark.parametrize(("in_width", "out_width", "yosys"), DWC_YOSYS)
def test_a_width_converter_is_within_25_percent_of_yosys(
    in_width: int, out_width: int, yosys: int
) -> None:
    assert abs(dwc_estimate(in_width, out_width).lut - yosys) <= 0.25 * yosys
    assert dwc_estimate(in_width, in_width) == Resources()


PARALLEL_WINDOW_YOSYS = [
    ((3, 3), 5, 3, 14, 16, True, 975),  # conv_pad_stride at 1,000,000 fps: SWG_0
    ((3, 3), 4, 3, 32, 24, True, 949),  # cnv_w2a2 at 50,000 fps: SWG_0
    ((3, 3), 4, 3, 30, 128, True, 4622),  # and SWG_1
    ((3, 3), 4, 3, 16, 24, True, 937),  # cnv_like at 100,000 fps: SWG_0
    ((3, 3), 4, 3, 14, 16, True, 669),  # and SWG_1
    ((3, 3), 4, 3, 6, 9, True, 416),  # parallel_window_design(0)
    ((3, 3), 4, 3, 7, 6, True, 295),  # parallel_window_design(1)
    ((2, 3), 5, 5, 11, 9, True, 744),  # dilated 2x3 at stride 2
    ((2, 3), 5, 5, 8, 2, True, 309),  # the same, banks in flip-flops
]  # fmt: skip
"""(kernel, rows, columns, IFM_W, word bits, turning, LUT + LUTRAM): parallel-window SWG
modules synthesized alone (synth_xilinx -family xc7). A small window whose banks need no
turning is overestimated more (parallel_window_design(0)'s 2x2 at stride 2, 4-bit pixels:
159 estimated, 118 measured): the control constant dominates it."""


@pytest.mark.parametrize(
    ("kernel", "rows", "columns", "ifm_w", "bits", "turning", "yosys"), PARALLEL_WINDOW_YOSYS
)
def test_a_parallel_window_is_within_10_percent_of_yosys(
    kernel: tuple[int, int],
    rows: int,
    columns: int,
    ifm_w: int,
    bits: int,
    turning: bool,
    yosys: int,
) -> None:
    estimate = parallel_window_estimate(kernel, rows, columns, ifm_w, bits, turning)
    assert estimate.bram18 == 0
    assert abs(estimate.lut - yosys) <= 0.10 * yosys
