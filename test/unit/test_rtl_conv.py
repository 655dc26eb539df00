"""The RTL of the convolution path: FM padding, the sliding-window generator (standard
and depthwise order, stride, dilation, SIMD folding, parallel window) and the VVAU.

CI builds these designs with Verilator (a build takes 20-80 s here):
* a random conv chain (`rtl_conv_designs.conv_chain`: padding -> SWG -> MVAU ->
  padding -> depthwise SWG -> VVAU -> depthwise SWG -> VVAU, random foldings, strides,
  dilations, weights and thresholds) with a frame-deep FIFO after every layer: linted
  with `verilator --lint-only -Wall`, bit-exact against `execute` of the partition under
  random input gaps and output backpressure, and at full rate its cycles per frame
  within 5 % of the slowest layer's estimate;
* the sliding-window generators alone (`rtl_conv_designs.swg_design`: one path per
  window shape, reading overlapped with writing), bit-exact under gaps and backpressure
  and at full rate exactly the estimate's cycles per frame (`WindowSchedule`), frame
  after frame;
* the parallel-window SWGs alone (`rtl_conv_designs.parallel_window_design`: turning
  and non-turning banks, dilation, banks one pixel deep, one window row or column, 5x5),
  checked as the SWGs above, and
  a chain padding -> parallel window -> DWC -> MVAU -> parallel window -> MVAU with
  SIMD = MW (`parallel_window_chain`, random foldings), checked as the conv chain;
* the depthwise-separable fixture end to end (`rtlsim_model`: host code + simulated
  partition) against the reference semantics of the whole model.
More seeds and the shared CNV models run with `pytest -m slow`.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from rtl_conv_designs import (
    conv_chain,
    parallel_window_chain,
    parallel_window_design,
    swg_design,
    with_frame_fifos,
)
from test_rtl import MODELS_DIR, lint, partition_inputs

import backend_rtl
from backend_rtl.rtlsim import RtlsimResult, rtlsim
from passes.pipeline import run_pipeline
from qdialects import dataflow as df
from qdialects.ir import parse_module
from qdialects.semantics import execute


def _build_chain(design: str, root: Path) -> tuple[object, Path, Path]:
    module = parse_module(design)
    run_pipeline(module, "insert-fifos")
    with_frame_fifos(module)
    module.verify()
    rtl = root / "rtl"
    backend_rtl.emit(module, rtl)
    lint(rtl)
    return module, rtl, root / "work"


def _check_chain(module, rtl: Path, work: Path) -> None:
    inputs = partition_inputs(module, 11)
    expected = execute(module, inputs)
    for seed, gap, stall in ((1, 30, 40), (2, 60, 20)):
        result = rtlsim(rtl, inputs, work_dir=work, seed=seed, gap_percent=gap, stall_percent=stall)
        for got, want in zip(result.outputs, expected, strict=True):
            np.testing.assert_array_equal(got, want)
    full_rate = rtlsim(rtl, inputs, work_dir=work)
    for got, want in zip(full_rate.outputs, expected, strict=True):
        np.testing.assert_array_equal(got, want)
    assert full_rate.cycles_per_frame is not None
    estimate = full_rate.estimated_cycles_per_frame
    assert abs(full_rate.cycles_per_frame - estimate) <= 0.05 * estimate, full_rate


def test_conv_chain(tmp_path: Path) -> None:
    _check_chain(*_build_chain(conv_chain(11), tmp_path))


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 4, 8])
def test_more_conv_chains(seed: int, tmp_path: Path) -> None:
    _check_chain(*_build_chain(conv_chain(seed), tmp_path))


def test_parallel_window_chain(tmp_path: Path) -> None:
    _check_chain(*_build_chain(parallel_window_chain(1), tmp_path))


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 2, 3])
def test_more_parallel_window_chains(seed: int, tmp_path: Path) -> None:
    _check_chain(*_build_chain(parallel_window_chain(seed), tmp_path))


def _check_swgs(design: str, root: Path) -> None:
    """The SWGs of `design` (one per path from an input to an output) bit-exact under
    random gaps and backpressure, and at full rate every frame exactly its SWG's
    estimated cycles apart."""
    module = parse_module(design)
    module.verify()
    rtl = root / "rtl"
    backend_rtl.emit(module, rtl)
    lint(rtl)
    inputs = partition_inputs(module, 8)
    expected = execute(module, inputs)
    for seed, gap, stall in ((1, 40, 40), (0, 0, 0)):
        result = rtlsim(
            rtl, inputs, work_dir=root / "work", seed=seed, gap_percent=gap, stall_percent=stall
        )
        for got, want in zip(result.outputs, expected, strict=True):
            np.testing.assert_array_equal(got, want)
    terminator = df.require_partition(module, "test").block.last_op
    assert isinstance(terminator, df.YieldOp)
    for value, ends in zip(terminator.values, result.output_frame_ends, strict=True):
        swg = value.owner
        assert isinstance(swg, df.SWGOp)
        intervals = {later - earlier for earlier, later in pairwise(ends)}
        assert intervals == {swg.cycles_per_frame()}, (swg, intervals)


def test_swg_cycles_equal_the_estimate(tmp_path: Path) -> None:
    _check_swgs(swg_design(0), tmp_path)


def test_parallel_window_cycles_equal_the_estimate(tmp_path: Path) -> None:
    _check_swgs(parallel_window_design(0), tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_more_parallel_windows(seed: int, tmp_path: Path) -> None:
    _check_swgs(parallel_window_design(seed), tmp_path)


def _end_to_end(path: Path, fps: int, tmp_path: Path, extra_frames: int) -> RtlsimResult:
    from frontend import import_qonnx

    module = import_qonnx(path)
    run_pipeline(module, f"quant-to-hardware{{target-fps={fps}}}")
    backend_rtl.emit(module, tmp_path / "rtl")
    lint(tmp_path / "rtl")
    sample = np.load(path.with_suffix(".in.npy"))
    rng = np.random.default_rng(3)
    noise = rng.uniform(-1, 1, size=(extra_frames, *sample.shape[1:])).astype(np.float32)
    x = np.concatenate([sample, noise])
    outputs, result = backend_rtl.rtlsim_model(
        module, tmp_path / "rtl", [x], work_dir=tmp_path / "work", gap_percent=20, stall_percent=20
    )
    expected = np.concatenate([execute(module, [x[k : k + 1]])[0] for k in range(len(x))])
    np.testing.assert_array_equal(outputs[0], expected)
    assert result.latency > 0
    return result


def test_depthwise_separable_end_to_end(tmp_path: Path) -> None:
    _end_to_end(MODELS_DIR / "depthwise_sep.onnx", 100000, tmp_path, 3)


@pytest.mark.slow
def test_conv_pad_stride_end_to_end(tmp_path: Path) -> None:
    _end_to_end(MODELS_DIR / "conv_pad_stride.onnx", 100000, tmp_path, 3)
