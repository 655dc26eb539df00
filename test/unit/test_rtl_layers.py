"""The RTL of the non-MVAU layers: thresholding, channelwise, add/duplicate streams,
concat, label select, global accumulation pooling and pools; and an MVAU whose weight
ROM is sliced.

One design (`rtl_designs.layers_design`: one independent path per layer kind from a
partition input to a partition output, random foldings, datatypes and constants) is
converted, exported, linted with `verilator --lint-only -Wall` and built once; it is
simulated against `execute` of the partition (the dataflow ops' numpy semantics) with
random input gaps and output backpressure, and without them, where every output's
measured cycles per frame match the estimate of the layers on its path within 5 %.
End to end, `rtlsim_model` runs fixture models whose partitions use these layers
(host code included) against the reference semantics of the whole model: in the
default run FINN's bipolar MLP with a TopK (XNOR MVAUs and a label select).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rtl_designs import layers_design
from test_rtl import MODELS_DIR, lint, partition_inputs
from xdsl.ir import SSAValue

import backend_rtl
from backend_rtl.rtlsim import rtlsim
from passes.pipeline import run_pipeline
from qdialects import dataflow as df
from qdialects.ir import parse_module
from qdialects.semantics import execute


def emitted(text: str, tmp_path_factory: pytest.TempPathFactory, name: str):
    """(module, rtl dir, work dir) of the partition `text`, verified and exported."""
    module = parse_module(text)
    module.verify()
    rtl = tmp_path_factory.mktemp(name) / "rtl"
    backend_rtl.emit(module, rtl)
    return module, rtl, rtl.parent / "work"


@pytest.fixture(scope="module")
def design(tmp_path_factory: pytest.TempPathFactory):
    return emitted(layers_design(0), tmp_path_factory, "layers")


def path_estimate(value: SSAValue) -> int:
    """The slowest layer's cycles per frame among those `value` depends on."""
    owner = value.owner
    if not isinstance(owner, df.Layer):
        return 0
    upstream = [path_estimate(v) for v in owner.operands if isinstance(v.type, df.StreamType)]
    return max([owner.cycles_per_frame(), *upstream])


def test_layers_lint_clean(design) -> None:
    _, rtl, _ = design
    lint(rtl)


def assert_bit_exact(design, runs: tuple[tuple[int, int, int], ...]) -> None:
    """Every output of the built `design` equals `execute` on random inputs, for each
    (seed, input gap %, output stall %) of `runs`."""
    module, rtl, work = design
    inputs = partition_inputs(module, 7)
    expected = execute(module, inputs)
    for seed, gap, stall in runs:
        result = rtlsim(rtl, inputs, work_dir=work, seed=seed, gap_percent=gap, stall_percent=stall)
        for j, (got, want) in enumerate(zip(result.outputs, expected, strict=True)):
            np.testing.assert_array_equal(got, want, err_msg=f"output {j}, seed {seed}")


def assert_cycles_match_paths(design) -> None:
    """Without gaps or stalls, every output's measured cycles per frame are within 5 %
    of the slowest layer on its path."""
    module, rtl, work = design
    result = rtlsim(rtl, partition_inputs(module, 8), work_dir=work)
    partition = df.require_partition(module, "test")
    terminator = partition.block.last_op
    assert isinstance(terminator, df.YieldOp)
    estimates = [path_estimate(v) for v in terminator.values]
    measured = [(e[-1] - e[0]) / (len(e) - 1) for e in result.output_frame_ends]
    for j, (got, want) in enumerate(zip(measured, estimates, strict=True)):
        assert abs(got - want) <= 0.05 * want, f"output {j}: {got} cycles, estimate {want}"


def test_layers_are_bit_exact_under_gaps_and_backpressure(design) -> None:
    assert_bit_exact(design, ((1, 30, 40), (2, 70, 10), (3, 0, 0)))


def test_layers_cycles_match_their_estimates(design) -> None:
    assert_cycles_match_paths(design)


def run_model_end_to_end(model: Path, fps: int, tmp_path: Path) -> None:
    """`model` through the hardware passes at `fps`, exported, linted and simulated
    frame by frame (its sample and 3 random inputs, with input gaps and output
    backpressure) against the reference semantics."""
    from frontend import import_qonnx

    module = import_qonnx(model)
    run_pipeline(
        module,
        "lower-quant-to-streamline,streamline,convert-to-dataflow,"
        f"set-folding{{target-fps={fps}}},minimize-bit-width,insert-dwc,insert-fifos,size-fifos",
    )
    rtl, work = tmp_path / "rtl", tmp_path / "work"
    backend_rtl.emit(module, rtl)
    lint(rtl)
    sample = np.load(model.with_suffix(".in.npy"))
    rng = np.random.default_rng(3)
    x = np.concatenate([sample, rng.uniform(-1, 1, size=(3, *sample.shape[1:])).astype(np.float32)])
    expected = np.concatenate([execute(module, [x[k : k + 1]])[0] for k in range(len(x))])
    outputs, _ = backend_rtl.rtlsim_model(
        module, rtl, [x], work_dir=work, gap_percent=20, stall_percent=20
    )
    np.testing.assert_array_equal(outputs[0], expected)


def test_bipolar_topk_end_to_end(tmp_path: Path) -> None:
    run_model_end_to_end(MODELS_DIR / "wild" / "finn_bipolar_topk.onnx", 300000, tmp_path)
