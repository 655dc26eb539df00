"""The RTL backend: `convert-dataflow-to-hw`, SystemVerilog through CIRCT, Verilator.

Each design is converted, exported, linted with `verilator --lint-only -Wall` and built
once with Verilator (a build takes 10-60 s here, so CI simulates small designs; the
shared models are in `benchmarks/rtlsim_bench.py`), then simulated several times:
* random MVAU chains (random folding, datatypes, weights, thresholds; DWCs, a FIFO, an
  XNOR layer) against `execute` of the partition, with random input gaps and output
  backpressure, and without them, where the measured cycles per frame match the
  estimate within 5 %;
* two fixture MLPs end to end (`rtlsim_model`: host code + simulated partition) against
  the reference semantics of the whole model;
* an output that is never ready ends as a deadlock naming the stalled stream;
* a layer without an RTL implementation is one line naming it, and nothing is written.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from rtl_designs import mvau_chain, values
from xdsl.dialects.builtin import ModuleOp

import backend_rtl
from backend_rtl.export import RtlExportError, export_verilog
from backend_rtl.rtlsim import RtlsimError, RtlsimResult, find_verilator, rtlsim
from passes.convert_dataflow_to_hw.interface import RtlLoweringError
from passes.pipeline import run_pipeline
from qdialects.dataflow import require_partition
from qdialects.ir import parse_module
from qdialects.semantics import execute

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
FRAMES = 5


def lint(rtl: Path) -> None:
    run = subprocess.run(
        [find_verilator(), "--lint-only", "-Wall", "--top-module", "qnn_top", "-f", "filelist.f"],
        cwd=rtl,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0 and "%Warning" not in run.stderr, run.stderr


def partition_inputs(module: ModuleOp, seed: int) -> list[np.ndarray]:
    partition = require_partition(module, "test")
    rng = np.random.default_rng(seed)
    from qdialects.dataflow.ops import stream_type

    return [
        values(rng, stream_type(a).element, (FRAMES, *stream_type(a).shape))
        for a in partition.block.args
    ]


@pytest.fixture(scope="module", params=[0, 1])
def chain(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    module = parse_module(mvau_chain(request.param))
    module.verify()
    rtl = tmp_path_factory.mktemp(f"chain{request.param}") / "rtl"
    backend_rtl.emit(module, rtl)
    return module, rtl, rtl.parent / "work"


def test_chain_lints_clean(chain) -> None:
    _, rtl, _ = chain
    lint(rtl)


def test_chain_is_bit_exact_under_gaps_and_backpressure(chain) -> None:
    module, rtl, work = chain
    inputs = partition_inputs(module, 7)
    expected = execute(module, inputs)  # @main is the partition alone
    for seed, gap, stall in ((1, 30, 40), (2, 70, 10)):
        result = rtlsim(rtl, inputs, work_dir=work, seed=seed, gap_percent=gap, stall_percent=stall)
        for got, want in zip(result.outputs, expected, strict=True):
            np.testing.assert_array_equal(got, want)


def test_chain_cycles_match_the_estimate(chain) -> None:
    module, rtl, work = chain
    result = rtlsim(rtl, partition_inputs(module, 8), work_dir=work)
    assert result.cycles_per_frame is not None
    assert abs(result.cycles_per_frame - result.estimated_cycles_per_frame) <= 0.05 * max(
        result.estimated_cycles_per_frame, 20
    ), result


def test_output_never_ready_is_a_deadlock_naming_the_stream(chain) -> None:
    module, rtl, work = chain
    # the streams between layers too (their handshakes are the only public signals)
    between_layers = r"\w+\.out0_V -> \w+\.in0_V"
    with pytest.raises(
        RtlsimError,
        match=rf"deadlock after \d+ idle cycles .*stalled .*{between_layers}.*-> out0_V$",
    ):
        rtlsim(rtl, partition_inputs(module, 9), work_dir=work, stall_percent=100, stall_limit=200)


@pytest.mark.parametrize("model", ["tfc_like_ts", "bipolar_mlp"])
def test_mlp_end_to_end(model: str, tmp_path: Path) -> None:
    from frontend import import_qonnx

    module = import_qonnx(MODELS_DIR / f"{model}.onnx")
    run_pipeline(
        module,
        "lower-quant-to-streamline,streamline,convert-to-dataflow,"
        "set-folding{target-fps=300000},minimize-bit-width,insert-dwc,insert-fifos,size-fifos",
    )
    backend_rtl.emit(module, tmp_path / "rtl")
    lint(tmp_path / "rtl")
    sample = np.load(MODELS_DIR / f"{model}.in.npy")
    rng = np.random.default_rng(3)
    x = np.concatenate([sample, rng.uniform(-1, 1, size=(3, *sample.shape[1:])).astype(np.float32)])
    outputs, result = backend_rtl.rtlsim_model(
        module, tmp_path / "rtl", [x], work_dir=tmp_path / "work", gap_percent=20, stall_percent=20
    )
    expected = np.concatenate([execute(module, [x[k : k + 1]])[0] for k in range(len(x))])
    np.testing.assert_array_equal(outputs[0], expected)
    assert isinstance(result, RtlsimResult) and result.latency > 0


BIPOLAR_CHANNELWISE = """
func.func @main(%x : tensor<1x4x!quant.bipolar>) -> tensor<1x4x!quant.bipolar> {
  %p = quant.constant dense<[1, -1, 1, -1]> : tensor<4xi64> -> tensor<4x!quant.int<2>>
  %r = dataflow.partition(%x) : (tensor<1x4x!quant.bipolar>) -> tensor<1x4x!quant.bipolar> {
  ^bb0(%s : !dataflow.stream<4x!quant.bipolar, lanes 2>):
    %c = dataflow.channelwise %s, %p {op = "mul", pe = 2 : i64} : (!dataflow.stream<4x!quant.bipolar, lanes 2>, tensor<4x!quant.int<2>>) -> !dataflow.stream<4x!quant.bipolar, lanes 2>
    dataflow.yield %c : !dataflow.stream<4x!quant.bipolar, lanes 2>
  }
  func.return %r : tensor<1x4x!quant.bipolar>
}
"""
"""A layer kind the RTL has, in an instance its lowering refuses (a bipolar output)."""


def test_unsupported_layer_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    module = parse_module(BIPOLAR_CHANNELWISE)
    with pytest.raises(
        RtlLoweringError,
        match=r"^Channelwise_0 \(dataflow\.channelwise\): a bipolar output is not supported",
    ):
        backend_rtl.emit(module, tmp_path / "rtl")
    assert not (tmp_path / "rtl").exists()


def test_export_without_the_top_module_fails_with_one_line() -> None:
    text = "module {\n  hw.module @other(in %a : i1, out b : i1) {\n    hw.output %a : i1\n  }\n}\n"
    with pytest.raises(RtlExportError, match="returned no Verilog"):
        export_verilog(text)
