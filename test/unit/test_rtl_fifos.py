"""FIFO depths in RTL simulation: the depths of `size-fifos` never deadlock a residual
join and keep the estimated rate; the short branch's FIFO one word shallower than the
deadlock part of the join term deadlocks, and the simulation ends with one line naming
the stalled stream; a FIFO of depth 1 passes a word every cycle.

The design (two Verilator builds): a partition input through a FIFO of depth 1, split
by `duplicate_streams` into an MVAU (NF = 1, so it reads a whole SF-word vector before
its output word) and a bare shortcut, joined again by `add_streams`; `insert-dwc`,
`insert-fifos` and `size-fifos` complete it. Its bottleneck is one input word per cycle,
so a FIFO at half rate would double the cycles per frame.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, i64

import backend_rtl
from backend_rtl.rtlsim import RtlsimError, rtlsim
from passes.convert_dataflow_to_hw import LOWERINGS
from passes.pipeline import run_pipeline
from passes.size_fifos import SPLIT_SLICE_WORDS, JoinTerm, partition_join_terms
from qdialects import dataflow as df
from qdialects.ir import parse_module
from qdialects.semantics import execute

if df.DuplicateStreamsOp not in LOWERINGS:
    pytest.skip(
        "needs the RTL of duplicate/add streams (branch rtl-layers)", allow_module_level=True
    )

VECTORS, MW, LANES = 16, 8, 2
FRAMES = 4


def residual_text(seed: int = 0) -> str:
    """x (VECTORS x MW int3, LANES lanes) -> duplicate -> [MVAU MW x MW int2 weights,
    SIMD = LANES, PE = MW] + [shortcut] -> add_streams."""
    rng = np.random.default_rng(seed)
    w = rng.integers(-2, 2, size=(MW, MW)).tolist()
    x = f"!dataflow.stream<{VECTORS}x{MW}x!quant.int<3>, lanes {LANES}>"
    m = f"!dataflow.stream<{VECTORS}x{MW}x!quant.int<8>, lanes {MW}>"
    m2 = f"!dataflow.stream<{VECTORS}x{MW}x!quant.int<8>, lanes {LANES}>"
    s = f"!dataflow.stream<{VECTORS}x{MW}x!quant.int<9>, lanes {LANES}>"
    tensor_in = f"tensor<1x{VECTORS}x{MW}x!quant.int<3>>"
    tensor_out = f"tensor<1x{VECTORS}x{MW}x!quant.int<9>>"
    return f"""
func.func @main(%a : {tensor_in}) -> {tensor_out} {{
  %w = quant.constant dense<{w}> : tensor<{MW}x{MW}xi64> -> tensor<{MW}x{MW}x!quant.int<2>>
  %r = dataflow.partition(%a) : ({tensor_in}) -> {tensor_out} {{
  ^bb0(%x : {x}):
    %u:2 = dataflow.duplicate_streams %x {{pe = {LANES} : i64}} : ({x}) -> ({x}, {x})
    %m = dataflow.mvau %u#0, %w {{simd = {LANES} : i64, pe = {MW} : i64, acc_dtype = !quant.int<8>}} : ({x}, tensor<{MW}x{MW}x!quant.int<2>>) -> {m}
    %d = dataflow.dwc %m : ({m}) -> {m2}
    %s = dataflow.add_streams %d, %u#1 {{pe = {LANES} : i64}} : ({m2}, {x}) -> {s}
    dataflow.yield %s : {s}
  }}
  func.return %r : {tensor_out}
}}
"""


def fifos(module: ModuleOp) -> tuple[df.FIFOOp, df.FIFOOp]:
    """The partition input's FIFO and the shortcut's FIFO (the one between the split
    and the join)."""
    partition = next(op for op in module.walk() if isinstance(op, df.PartitionOp))
    ops = [op for op in partition.layers() if isinstance(op, df.FIFOOp)]
    head = next(op for op in ops if isinstance(op.x.owner, type(partition.block)))
    shortcut = next(
        op
        for op in ops
        if isinstance(op.x.owner, df.DuplicateStreamsOp)
        and any(isinstance(use.operation, df.AddStreamsOp) for use in op.result.uses)
    )
    return head, shortcut


def design(shallower: bool) -> tuple[ModuleOp, JoinTerm]:
    """The hardware module with the head FIFO at depth 1 and the shortcut FIFO at the
    depth `size-fifos` gives it (`shallower`: one word below the deadlock part of its
    join term); the join term."""
    module = parse_module(residual_text())
    module.verify()
    run_pipeline(module, "insert-dwc,insert-fifos,size-fifos")
    head, shortcut = fifos(module)
    term = partition_join_terms(df.require_partition(module, "test"))[shortcut]
    assert shortcut.depth.value.data == term.depth
    head.depth = IntegerAttr(1, i64)
    if shallower:
        shortcut.depth = IntegerAttr(term.deadlock - 1, i64)
    module.verify()
    return module, term


def frames(module: ModuleOp, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(-4, 4, size=(FRAMES, VECTORS, MW))]


@pytest.fixture(scope="module")
def sized(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleOp, Path, Path, JoinTerm]:
    module, term = design(shallower=False)
    rtl = tmp_path_factory.mktemp("sized") / "rtl"
    backend_rtl.emit(module, rtl)
    return module, rtl, rtl.parent / "work", term


def test_join_term_counts_the_split_slice_and_the_long_branch_latency(sized) -> None:
    _, _, _, term = sized
    # The MVAU needs a whole SF = MW/LANES word vector before its first output word: the
    # shortcut must hold SF - 1 words beyond the join's word k, +1 for the word waiting
    # at the join, 2 of them in the duplicate's output slice; and the words pushed
    # during the MVAU branch's latency.
    assert term.deadlock == MW // LANES - SPLIT_SLICE_WORDS
    assert term.latency > 0


def test_size_fifos_depths_agree_under_backpressure(sized) -> None:
    module, rtl, work, _ = sized
    inputs = frames(module, 1)
    expected = np.concatenate([execute(module, [x[None]])[0] for x in inputs[0]])
    result = rtlsim(rtl, inputs, work_dir=work, seed=3, gap_percent=30, stall_percent=30)
    np.testing.assert_array_equal(result.outputs[0], expected)


def test_depth_one_fifo_keeps_the_estimated_rate(sized) -> None:
    module, rtl, work, _ = sized
    result = rtlsim(rtl, frames(module, 2), work_dir=work)
    assert result.estimated_cycles_per_frame == VECTORS * MW // LANES
    assert result.cycles_per_frame is not None
    assert abs(result.cycles_per_frame / result.estimated_cycles_per_frame - 1) <= 0.05, result


def test_shortcut_one_word_shallower_deadlocks_naming_the_stream(tmp_path: Path) -> None:
    module, term = design(shallower=True)
    backend_rtl.emit(module, tmp_path / "rtl")
    _, shortcut = fifos(module)
    assert shortcut.depth.value.data == term.deadlock - 1
    with pytest.raises(RtlsimError, match=r"^rtlsim: deadlock after \d+ idle cycles") as error:
        rtlsim(tmp_path / "rtl", frames(module, 4), work_dir=tmp_path / "work")
    assert "stalled " in str(error.value) and "\n" not in str(error.value)
    assert "DuplicateStreams_0" in str(error.value)
