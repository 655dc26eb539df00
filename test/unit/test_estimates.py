"""The estimate models against values computed by hand from FINN's formulas, and the
sparsity model of fully unfolded MVAUs."""

from __future__ import annotations

import numpy as np
import pytest

from qdialects.dataflow import FIFOOp, MVAUOp, SWGOp, ThresholdingOp
from qdialects.dataflow import estimates as est
from qdialects.dataflow.estimates import Resources
from qdialects.ir import parse_module


def _only(module, kind):
    return next(op for op in module.walk() if isinstance(op, kind))


# --------------------------------------------------------------------------- memories


@pytest.mark.parametrize(
    ("depth", "width", "expected"),
    [
        (20000, 1, 2),  # ⌈20000/16384⌉
        (9000, 2, 2),  # ⌈9000/8192⌉
        (5000, 3, 2),  # ⌈5000/4096⌉·⌈3/4⌉
        (3000, 8, 2),  # ⌈3000/2048⌉·⌈8/9⌉
        (100, 16, 1),  # ⌈100/1024⌉·⌈16/18⌉
        (1024, 64, 4),  # ω > 512: ⌈1024/1024⌉·⌈64/18⌉
        (256, 64, 2),  # ⌈256/512⌉·⌈64/36⌉
        (0, 64, 0),
    ],
)
def test_memory_bram18_width_bands(depth: int, width: int, expected: int) -> None:
    assert est.memory_bram18(depth, width) == expected


def test_memory_styles() -> None:
    assert est.memory_uram(8192, 100) == 2 * 2
    assert est.memory_luts(100, 8) == 8 * 2
    assert est.memory(16, 8) == Resources(lut=8)  # 128 bits: LUTRAM under "auto"
    assert est.memory(4096, 8) == Resources(bram18=2)
    assert est.memory(16, 8, "block") == Resources(bram18=1)


# --------------------------------------------------------------------------- MVAU


def test_mvau_weight_memory_by_hand() -> None:
    # MW = MH = 64, PE = 16, SIMD = 8, 2-bit weights: ω = 4096/128 = 32 words of 256 bits.
    memory = est.weight_memory
    assert memory(64, 64, 16, 8, 2) == Resources(bram18=1 * 8)  # ⌈32/512⌉·⌈256/36⌉
    # embedded weights with WMEM = 32 <= 128 are LUTs: c2 = PE·SIMD·W·⌈32/64⌉ = 256
    assert memory(64, 64, 16, 8, 2, "internal_embedded") == Resources(lut=256)
    assert memory(64, 64, 16, 8, 2, "internal_decoupled", "distributed") == Resources(lut=256)
    assert memory(64, 64, 16, 8, 2, "external") == Resources()
    assert memory(64, 64, 16, 8, 2, "internal_decoupled", "ultra") == Resources(uram=4)  # ⌈256/72⌉
    # MW = 784, MH = 64, PE = SIMD = 1, 1-bit weights: ω = 50176, width 1: ⌈50176/16384⌉
    assert memory(784, 64, 1, 1, 1) == Resources(bram18=4)
    assert est.mvau_dsp(16, 8, 2, 2, "dsp") == 16 * 8 * 1
    assert est.mvau_dsp(16, 8, 2, 2) == 0


def test_mvau_luts_by_hand() -> None:
    # W = A = 2, SIMD = 8: multipliers 8·(2⌈4/6⌉-1)·4 = 32, adder tree 4·(2·8-1) = 60,
    # accumulator 9 bits: 300 + 1.1·16·(32 + 60 + 9) = 2077.6 -> 2077 (FINN's value: its
    # data-type bound is ⌈9 + log2(1 + 2^-9) + 1⌉ = 11 >= 9, so it also takes 9 bits).
    assert est.mac_luts(8, 2, 2) == 92
    assert est.mvau_luts(64, 64, 16, 8, 2, 2, 9) == 2077
    # 3 thresholds of 9 bits, TMEM = 4: storage 3·9·⌈4/64⌉ = 27, comparators 27:
    # 300 + 1.1·16·(101 + 54) = 3028
    assert est.mvau_luts(64, 64, 16, 8, 2, 2, 9, 3) == 3028


def test_vvau_is_the_mvau_with_mw_k_mh_c_by_hand() -> None:
    # C = 32, K = 9, PE = 4: (C·K)/(PE·SIMD)·pixels
    assert est.mvau_cycles(9, 32, 4, 1, 16 * 16) == 32 * 9 // 4 * 256
    # ω = 32·9/4 = 72 words of 4·1·4 = 16 bits: ⌈72/1024⌉·⌈16/18⌉
    assert est.weight_memory(9, 32, 4, 1, 4) == Resources(bram18=1)
    # SIMD = 1, W = A = 4: mult (2⌈8/6⌉-1)·8 = 24, adder 8·1 = 8, acc 10:
    # 300 + 1.1·4·42 = 484.8 -> 484
    assert est.mvau_luts(9, 32, 4, 1, 4, 4, 10) == 484


def test_cycles_by_hand() -> None:
    assert est.mvau_cycles(64, 64, 16, 8, 1) == 4 * 8
    assert est.mvau_cycles(576, 64, 4, 16, 14 * 14) == 16 * 36 * 196
    # FINN's SWG: 32x32x3 input, 3x3 kernel, stride 1, SIMD 3, OFM 30x30:
    # 32·3·1·1 + 30·max(30·9·1, 1·32·1) = 96 + 8100
    args = (32, 32, 3, (3, 3), (1, 1), (1, 1), (30, 30), 3)
    assert est.swg_cycles(*args) == 96 + 30 * 270
    # the library's non-overlapped kernel: 32·32 + 30·30·9
    assert est.swg_cycles(*args, overlapped=False) == 1024 + 8100


def test_swg_buffers_by_hand() -> None:
    # FINN: depth 32·64/8 = 256 <= 512 -> 36-bit wide RAMs, ⌈16/36⌉ = 1, (3 + 1) buffers
    assert est.swg_bram18_finn(32, 64, 8, 2, 3, 1) == 4
    # ours: 3 rows of 32·64/8 = 256 words of 16 bits = 768 words: ⌈768/1024⌉·⌈16/18⌉
    assert est.swg_buffer(3, 32, 64, 8, 2, "block") == Resources(bram18=1)
    assert est.swg_luts(Resources(lut=40)) == 340


def test_thresholding_by_hand() -> None:
    # C = 64, PE = 4, 3 thresholds of 8 bits: 12 tables of 16 x 8 bits in LUTRAM (8 LUTs
    # each) = 96, comparators 3·8·4 = 96.
    assert est.thresholding_luts(64, 4, 8, 3, 8) == 192
    assert est.thresholding_bram18(64, 4, 3, 8) == 0
    # C = 4096, PE = 1: tables of 4096 x 8 bits go to BRAM: ⌈4096/2048⌉·⌈8/9⌉ = 2 each
    assert est.thresholding_bram18(4096, 1, 3, 8) == 3 * 2


def test_fifo_by_hand() -> None:
    # block: ⌈1024/1024⌉·⌈32/18⌉ = 2 BRAM18, address 2·log2(1024) = 20 LUTs
    assert est.fifo_resources(1024, 32, "block") == Resources(lut=20, bram18=2)
    # distributed: 2·8 + ⌈256/32⌉·⌈8/2⌉ = 16 + 32
    assert est.fifo_resources(256, 8, "distributed") == Resources(lut=48)
    assert est.fifo_resources(8192, 100, "ultra") == Resources(lut=26, uram=4)
    assert est.fifo_resources(32, 64) == Resources(lut=10 + 1 * 32)  # auto: shallow -> SRL
    assert est.fifo_resources(4096, 32) == Resources(lut=24, bram18=8)  # auto: deep -> BRAM
    assert est.fifo_resources(2, 64) == Resources()


def test_dwc_by_hand() -> None:
    assert est.dwc_luts(8, 8) == 0
    assert est.dwc_luts(8, 24) == 24 + 2 * 2  # gather 3 words: 2-bit counter
    assert est.dwc_luts(12, 8) == 8 + 2 * 1 + 20  # general case: 20-bit buffer


def test_resources_sum_and_finn_keys() -> None:
    total = Resources(1, 2, 3, 4) + Resources(10, 20, 30, 40)
    assert total == Resources(11, 22, 33, 44)
    assert total.as_dict() == {"LUT": 11, "BRAM_18K": 22, "URAM": 33, "DSP": 44}


# --------------------------------------------------------------------------- ops


def _mvau_module(weights: np.ndarray, simd: int, pe: int, mem_mode: str = "internal_decoupled"):
    mw, mh = weights.shape
    return parse_module(
        f"""
func.func @f(%s : !dataflow.stream<{mw}x!quant.uint<2>, lanes {simd}>) {{
  %w = quant.constant dense<{weights.tolist()}> : tensor<{mw}x{mh}xi64> -> tensor<{mw}x{mh}x!quant.int<2>>
  %o = dataflow.mvau %s, %w {{simd = {simd} : i64, pe = {pe} : i64, acc_dtype = !quant.int<12>, mem_mode = "{mem_mode}"}} : (!dataflow.stream<{mw}x!quant.uint<2>, lanes {simd}>, tensor<{mw}x{mh}x!quant.int<2>>) -> !dataflow.stream<{mh}x!quant.int<12>, lanes {pe}>
  func.return
}}"""
    )


def test_folded_mvau_op_uses_the_finn_models() -> None:
    rng = np.random.default_rng(0)
    weights = rng.integers(-2, 2, size=(64, 32))
    module = _mvau_module(weights, simd=8, pe=4)
    module.verify()
    op = _only(module, MVAUOp)
    assert op.estimates() == Resources(lut=est.mvau_luts(64, 32, 4, 8, 2, 2, 12)) + (
        est.weight_memory(64, 32, 4, 8, 2)
    )
    assert op.cycles_per_frame() == (32 // 4) * (64 // 8)
    assert op.input_widths() == (16,) and op.output_widths() == (48,)


def test_unfolded_mvau_estimate_shrinks_with_pruned_weights() -> None:
    """PE = MH, SIMD = MW: weights are constants in logic, only non-zeros cost LUTs."""
    rng = np.random.default_rng(1)
    mw, mh = 16, 8
    weights = rng.choice([-2, -1, 1], size=(mw, mh))
    order = rng.permutation(mw * mh)
    luts = []
    for zeros in (0, 32, 64, 96, 128):
        pruned = weights.copy().reshape(-1)
        pruned[order[:zeros]] = 0
        module = _mvau_module(pruned.reshape(mw, mh), simd=mw, pe=mh)
        module.verify()
        resources = _only(module, MVAUOp).estimates()
        assert resources.bram18 == 0 and resources.uram == 0
        nonzero = mw * mh - zeros
        assert resources.lut == est.unfolded_mvau_luts(nonzero, mh, 2, 2, 12)
        luts.append(resources.lut)
    assert luts == sorted(luts, reverse=True) and len(set(luts)) == len(luts)
    # by hand: 128 non-zero 2-bit weights, 2-bit inputs: 300 + 1.1·(128·1·4 + 8·12)
    assert luts[0] == int(300 + 1.1 * (128 * 4 + 8 * 12))
    # a folded layer's estimate does not see the zeros
    dense_folded = _only(_mvau_module(weights, simd=4, pe=2), MVAUOp).estimates()
    sparse = weights.copy()
    sparse[:8] = 0
    sparse_folded = _only(_mvau_module(sparse, simd=4, pe=2), MVAUOp).estimates()
    assert dense_folded == sparse_folded


def test_swg_thresholding_fifo_ops() -> None:
    module = parse_module(
        """
func.func @f(%s : !dataflow.stream<32x32x4x!quant.uint<2>, lanes 2>, %v : !dataflow.stream<16x!quant.int<8>, lanes 4>) {
  %o = dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64} : (!dataflow.stream<32x32x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<30x30x36x!quant.uint<2>, lanes 2>
  %t = quant.constant dense<[[-5, 0, 5]]> : tensor<1x3xi64> -> tensor<1x3x!quant.int<4>>
  %h = dataflow.thresholding %v, %t {pe = 4 : i64} : (!dataflow.stream<16x!quant.int<8>, lanes 4>, tensor<1x3x!quant.int<4>>) -> !dataflow.stream<16x!quant.uint<2>, lanes 4>
  %f = dataflow.fifo %o {depth = 1024 : i64, ram_style = "block"} : (!dataflow.stream<30x30x36x!quant.uint<2>, lanes 2>) -> !dataflow.stream<30x30x36x!quant.uint<2>, lanes 2>
  func.return
}"""
    )
    module.verify()
    swg = _only(module, SWGOp)
    # overlapped: 30 output rows of 30·9·2 = 540 words, while the 64 words of the next
    # input row are read; after the frame's last output row the next frame's rows 1 and 2
    # (a buffer of 3 + 1 rows had room for row 0 only): 30·540 + 2·64
    assert swg.cycles_per_frame() == 30 * 540 + 2 * 64
    # 4 rows of 32·4/2 = 64 words of 4 bits = 1024 bits: LUTRAM, 4·⌈256/64⌉ = 16 LUTs
    assert swg.estimates() == Resources(lut=300 + 16)
    thresholding = _only(module, ThresholdingOp)
    assert thresholding.cycles_per_frame() == 4
    assert thresholding.estimates() == Resources(lut=est.thresholding_luts(16, 4, 8, 3, 4))
    fifo = _only(module, FIFOOp)
    assert fifo.cycles_per_frame() == 0
    # 1024 words of 4 bits: ⌈1024/4096⌉·⌈4/4⌉ BRAM18, 20 address LUTs
    assert fifo.estimates() == Resources(lut=20, bram18=1)
