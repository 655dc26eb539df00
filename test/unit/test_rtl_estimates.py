"""`backend_fpga.rtl_estimates`: the RTL backend's layers as Yosys maps them. The
constants are fitted to Yosys runs on the shared models (benchmarks/synth_calibration.py);
these tests pin the structural rules each one stands for."""

from __future__ import annotations

from backend_fpga.rtl_estimates import (
    LOGIC_ROM_MAX_BITS,
    TILE_MUX_LUTS,
    fifo_estimate,
    lutram_luts,
    rom_resources,
)
from qdialects.dataflow.estimates import Resources


def test_a_rom_stays_in_logic_up_to_one_ramb18s_cost() -> None:
    # 4096 x 2 (8 Kib): Yosys's FF mapping costs 128 < 129, one RAMB18
    assert rom_resources(4096, 2, 16) == Resources(lut=512)
    assert rom_resources(1, LOGIC_ROM_MAX_BITS + 1, 16).bram18 == 1


def test_a_deep_rom_tiles_block_rams_and_multiplexes_odd_depths() -> None:
    # measured: 8192 x 16 -> 8 RAMB18, 7168 x 56 -> 22 RAMB18
    assert rom_resources(8192, 16, 16) == Resources(lut=16, bram18=8)
    assert rom_resources(7168, 56, 16) == Resources(lut=56 * TILE_MUX_LUTS, bram18=22)


def test_lutram_is_ram32m_or_ram64m_columns() -> None:
    assert lutram_luts(2, 28) == 20  # 5 RAM32M, measured on qnn_fifo_28_2
    assert lutram_luts(56, 28) == 40  # 10 RAM64M columns, an MVAU input buffer
    assert lutram_luts(72, 2) == 8  # two RAM64M deep
    assert lutram_luts(1, 64) == 0


def test_a_fifo_of_two_narrow_words_stays_in_flip_flops() -> None:
    assert fifo_estimate(2, 8) == Resources(lut=8 + 8)
    assert fifo_estimate(2, 14) == Resources(lut=8 + 12)
