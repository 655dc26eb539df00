"""`insert-fifos` and `size-fifos` on the converted fixture models.

* insert-fifos: every hardware edge (reshapes looked through), every partition input and
  output has exactly one FIFO; a second run changes nothing; results are unchanged.
* size-fifos: the residual model's shortcut FIFO holds the long branch's latency in
  shortcut words (3 input rows of 8x8x8: the two padded 3x3 convs must read that much
  before their first output pixel), the FIFOs' resources show in the estimates, and
  results are unchanged; an overlapped SWG's terms agree with its line-buffer schedule
  (the words it reads with no output word are what its frame takes beyond its output
  rows), a pool's stay those of a layer that alternates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import SSAValue

from passes.pipeline import run_pipeline
from passes.size_fifos import (
    SPLIT_SLICE_WORDS,
    burst_words,
    layer_need,
    output_pause,
    partition_join_terms,
    read_beside,
    written_in_pause,
)
from qdialects import dataflow as df
from qdialects.ir import print_module
from qdialects.semantics import execute

ROOT = Path(__file__).resolve().parents[1]
MODELS_DIR = ROOT / "models"
TO_DATAFLOW = "lower-quant-to-streamline,streamline,convert-to-dataflow"
CONVERTIBLE = sorted(p.stem for p in MODELS_DIR.glob("*.onnx") if p.stem != "per_channel")


def _converted(stem: str) -> ModuleOp:
    from frontend import import_qonnx

    return run_pipeline(import_qonnx(str(MODELS_DIR / f"{stem}.onnx")), TO_DATAFLOW)


def _partition(module: ModuleOp) -> df.PartitionOp:
    return df.require_partition(module, "test")


def _fifo_count_on(value: SSAValue) -> int:
    """FIFOs between `value`'s producer and its next non-FIFO, non-reshape users."""
    count = 0
    for use in value.uses:
        user = use.operation
        if isinstance(user, df.FIFOOp):
            count += 1 + _fifo_count_on(user.result)
        elif isinstance(user, df.ReshapeOp):
            count += _fifo_count_on(user.result)
    return count


@pytest.mark.parametrize("stem", CONVERTIBLE)
def test_insert_fifos(stem: str) -> None:
    module = _converted(stem)
    sample = np.load(MODELS_DIR / f"{stem}.in.npy")
    before = execute(module, [sample])
    run_pipeline(module, "insert-fifos")
    partition = _partition(module)
    producers = list(partition.block.args) + [
        r
        for op in partition.block.ops
        if not isinstance(op, df.FIFOOp | df.ReshapeOp)
        for r in op.results
        if isinstance(r.type, df.StreamType)
    ]
    for value in producers:
        assert _fifo_count_on(value) == 1, value
    text = print_module(module)
    run_pipeline(module, "insert-fifos")
    assert print_module(module) == text
    for b, a in zip(before, execute(module, [sample]), strict=True):
        np.testing.assert_array_equal(b, a)


def test_residual_shortcut_fifo() -> None:
    module = _converted("residual")
    sample = np.load(MODELS_DIR / "residual.in.npy")
    before = execute(module, [sample])
    run_pipeline(module, "minimize-bit-width,insert-fifos")
    small = _partition(module).estimates()
    run_pipeline(module, "size-fifos")
    partition = _partition(module)
    (add,) = [op for op in partition.block.ops if isinstance(op, df.AddStreamsOp)]
    (dup,) = [op for op in partition.block.ops if isinstance(op, df.DuplicateStreamsOp)]
    shortcut = [v.owner for v in (add.a, add.b) if isinstance(v.owner, df.FIFOOp)]
    shortcut = [f for f in shortcut if isinstance(f, df.FIFOOp) and f.x.owner is dup]
    assert len(shortcut) == 1
    h, w, c = df.stream_type(dup.x).shape
    assert (h, w, c) == (8, 8, 8)
    term = partition_join_terms(partition)[shortcut[0]]
    # rows 0..2 before the first output, 2 words of them in the duplicate's output slice
    assert term.deadlock == 3 * w * c - SPLIT_SLICE_WORDS
    # the second SWG starts an output row when the first has written the last row it
    # needs, at the partition's pace: one row (w * c words of the shortcut) later; its
    # own row's words leave as the join pairs them (measured in Verilator at 1,000 fps:
    # 255 words keep the estimate, 247 do not)
    assert w * c <= term.latency < 2 * w * c
    assert shortcut[0].depth.value.data == term.depth
    others = [
        op.depth.value.data
        for op in partition.block.ops
        if isinstance(op, df.FIFOOp) and op is not shortcut[0]
    ]
    assert max(others) < term.depth
    big = partition.estimates()
    assert (big.lut, big.bram18) > (small.lut, small.bram18)
    for b, a in zip(before, execute(module, [sample]), strict=True):
        np.testing.assert_array_equal(b, a)
    text = print_module(module)
    run_pipeline(module, "size-fifos")
    assert print_module(module) == text


@pytest.mark.parametrize("stem", ["cnv_like", "depthwise_sep", "tfc_like_ts", "global_avgpool"])
def test_needs_are_monotone_and_bounded(stem: str) -> None:
    """Every layer's need is non-decreasing, starts at 0 and reads at most one frame."""
    module = _converted(stem)
    for op in _partition(module).layers():
        inputs = op.input_streams()
        for i, stream in enumerate(inputs):
            need = layer_need(op, i)
            assert need[0] == 0
            assert np.all(np.diff(need) >= 0)
            assert need[-1] <= stream.words_per_frame()
            assert need[-1] == stream.words_per_frame() or isinstance(op, df.SWGOp | df.PoolOp)


@pytest.mark.parametrize("stem", ["cnv_like", "conv_pad_stride", "avgpool_trunc"])
def test_overlapped_swg_terms_follow_its_schedule(stem: str) -> None:
    """An SWG's buffer holds SH rows beyond its window, so it reads while it writes: no
    words are written in a pause of reading, it reads at least a row beside each output
    row, and its read with no output word (the next frame's first window but the rows
    read beside the last output row) is exactly what its frame takes beyond its output
    rows at one row per `row_cycles` (these SWGs all write more than they read). A pool
    (a line buffer of the window's rows) still alternates: its first window's R rows are
    read back to back, and it writes an output row without reading."""
    windows = [
        op
        for op in _partition(_converted(stem)).layers()
        if isinstance(op, df.SWGOp | df.PoolOp | df.MaxPoolOp)
    ]
    assert any(isinstance(op, df.SWGOp) for op in windows)
    for op in windows:
        if not isinstance(op, df.SWGOp):
            out = df.stream_type(op.result)
            assert written_in_pause(op) == out.words_per_frame() // out.shape[0] > 0
            assert read_beside(op) == 0
            continue
        s = op.schedule()
        assert s.row_cycles >= s.stride * s.row_words, op  # writes more than it reads
        assert written_in_pause(op) == 0
        assert s.row_words <= read_beside(op) <= s.stride * s.row_words
        assert burst_words(op) == output_pause(op) < s.rows * s.row_words
        assert burst_words(op) == op.cycles_per_frame() - s.out_rows * s.row_cycles
