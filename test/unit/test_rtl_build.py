"""`qnn-build --rtl` / `--rtlsim` (the `rtl` and `rtlsim` stages of `tools.build`).

One Verilator build (cached by content afterwards, so the other simulations of the same
design cost only their run): the small MLP fixture end to end through the command line,
every frame checked against qonnx, the measured cycles per frame within 5 % of the
estimate; a disagreement still writes OUT and exits 1; a layer the RTL backend cannot
build is one line naming it before anything is written. A second build: the conv fixture
at a folding with a parallel-window SWG, through `--rtlsim`.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from backend_hls.toolchain import CACHE_ENV
from backend_rtl.export import emit_files
from backend_rtl.rtlsim import HANDSHAKES_CONFIG, RUNTIME_OBJECTS, read_manifest, verilate
from backend_rtl.testbench import testbench as bench_source
from passes.convert_dataflow_to_hw import LOWERINGS
from tools.build import BuildOptions, build
from tools.build.compare import qonnx_reference
from tools.build.rtl import TIMING_FRAMES

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
QNN_BUILD = str(Path(sys.executable).parent / "qnn-build")
TFC = MODELS_DIR / "tfc_like_ts.onnx"
FPS = "100000"  # MVAU -> MVAU with bursts: the FIFO between needs size-fifos' burst term


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [QNN_BUILD, *(str(a) for a in args)], capture_output=True, text=True, check=False
    )


def tfc_frames(path: Path, count: int) -> Path:
    x0 = np.load(MODELS_DIR / "tfc_like_ts.in.npy")
    rng = np.random.default_rng(5)
    others = rng.uniform(-1, 1, size=(count - 1, *x0.shape[1:])).astype(np.float32)
    np.save(path, np.concatenate([x0, others]))
    return path


@pytest.fixture(scope="module")
def tfc(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    tmp = tmp_path_factory.mktemp("rtlsim")
    x = tfc_frames(tmp / "x.npy", 6)
    out = tmp / "out"
    return out, x, run(TFC, "-o", out, "--target-fps", FPS, "--rtlsim", x)


def test_rtlsim_agrees_with_qonnx_frame_by_frame(tfc) -> None:
    out, x, result = tfc
    assert result.returncode == 0, result.stderr
    assert "rtlsim: 6/6 frames agree with qonnx" in result.stdout
    report = json.loads((out / "report/rtlsim.json").read_text())
    summary = report["summary"]
    assert (summary["frames"], summary["agreeing_frames"], summary["agree"]) == (6, 6, True)
    assert [row["agree"] for row in report["frames"]] == [True] * 6
    outputs = np.load(out / "rtlsim/outputs.npy")
    reference = np.concatenate(qonnx_reference(TFC, np.load(x)[:, None]))
    assert outputs.shape == reference.shape == (6, 10)
    np.testing.assert_allclose(outputs, reference, rtol=1e-5, atol=1e-6)


def test_measured_cycles_match_the_estimate(tfc) -> None:
    out, _, result = tfc
    summary = json.loads((out / "report/rtlsim.json").read_text())["summary"]
    estimates = json.loads((out / "report/estimates.json").read_text())
    assert summary["estimated_cycles_per_frame"] == estimates["network"]["max_cycles"]
    assert summary["cycles_within_tolerance"], summary
    assert abs(summary["cycles_per_frame_deviation"]) <= 0.05
    assert 0 < summary["latency_cycles"] < 2 * summary["estimated_latency_cycles"]
    assert summary["timing_frames"] == TIMING_FRAMES == 8
    assert "cycles per frame (estimate" in result.stdout
    page = (out / "report/index.html").read_text()
    assert "RTL simulation vs qonnx" in page
    assert f"{summary['cycles_per_frame']:,.0f}" in page
    info = json.loads((out / "report/build-info.json").read_text())
    assert info["rtlsim"]["run_seconds"] > 0


def test_the_rtl_tree_is_the_emitted_design(tfc) -> None:
    """OUT/rtl holds exactly what `-t verilog` writes for the build's hardware module."""
    from qdialects.ir import parse_module

    out, _, _ = tfc
    module = parse_module((out / "ir/5-hardware.mlir").read_text())
    files = emit_files(module)
    assert sorted(p.name for p in (out / "rtl").iterdir()) == sorted(files)
    for name, text in files.items():
        assert (out / "rtl" / name).read_text() == text
    manifest = json.loads(files["manifest.json"])
    top = files["qnn_top.sv"]
    assert all(re.search(rf"^  \w+ {layer} \($", top, re.M) for layer in manifest["layers"])
    assert all(f"{layer}.sv" in files for layer in manifest["layers"] if "MVAU" in layer)


def test_the_verilator_runtime_is_compiled_once_and_reused(
    tfc, tmp_path: Path, monkeypatch
) -> None:
    """A first build leaves the Verilator runtime's objects in the cache; a second build
    (another obj_dir) is linked from copies of them."""
    out, _, _ = tfc
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    rtl = out / "rtl"
    bench, config = tmp_path / "tb.cpp", tmp_path / "handshakes.vlt"
    bench.write_text(bench_source(read_manifest(rtl)))
    config.write_text(HANDSHAKES_CONFIG)
    verilate(rtl, bench, tmp_path / "first", options=[str(config)])
    (folder,) = (tmp_path / "cache/rtlsim").glob("runtime-*")
    assert sorted(p.name for p in folder.iterdir()) == sorted(RUNTIME_OBJECTS)
    binary, _ = verilate(rtl, bench, tmp_path / "second", options=[str(config)])
    assert binary.is_file()
    for name in RUNTIME_OBJECTS:
        assert (tmp_path / "second" / name).read_bytes() == (folder / name).read_bytes()


def test_rtl_alone_writes_the_tree_without_simulating(tmp_path: Path) -> None:
    result = build(TFC, tmp_path / "out", BuildOptions(target_fps=float(FPS), rtl=True))
    assert "rtl" in result.seconds and "rtlsim" not in result.seconds
    assert (tmp_path / "out/rtl/qnn_top.sv").is_file()
    assert not (tmp_path / "out/rtlsim").exists() and result.rtlsim is None


def test_rtlsim_mismatch_writes_out_and_exits_1(tfc, tmp_path: Path, monkeypatch) -> None:
    """The same design (a cache hit) with qonnx's reference skewed on frame 2."""
    from tools import qnn_build
    from tools.build import compare

    _, x, _ = tfc
    real = compare.qonnx_reference

    def skewed(model, batch):
        results = real(model, batch)
        results[2] = results[2] + 1.0
        return results

    monkeypatch.setattr(compare, "qonnx_reference", skewed)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        qnn_build.main([str(TFC), "-o", str(out), "--target-fps", FPS, "--rtlsim", str(x), "-q"])
    assert exit_info.value.code == 1
    summary = json.loads((out / "report/rtlsim.json").read_text())["summary"]
    assert (summary["agree"], summary["first_mismatch"], summary["agreeing_frames"]) == (
        False,
        2,
        5,
    )
    assert "DISAGREES" in (out / "report/index.html").read_text()


UNSUPPORTED_CANDIDATES = ["cnv_like", "global_avgpool", "residual", "depthwise_sep"]


def _unsupported_layer_model() -> str | None:
    """A fixture whose partition holds a layer without an RTL lowering (None once every
    layer has one)."""
    from frontend import import_qonnx
    from passes.pipeline import run_pipeline
    from qdialects import dataflow as df

    for name in UNSUPPORTED_CANDIDATES:
        module = import_qonnx(MODELS_DIR / f"{name}.onnx")
        run_pipeline(module, "quant-to-streamline,convert-to-dataflow")
        partition = next(op for op in module.walk() if isinstance(op, df.PartitionOp))
        if any(
            type(op) not in LOWERINGS
            for op in partition.layers()
            if not isinstance(op, df.ReshapeOp)
        ):
            return name
    return None


def test_unsupported_layer_is_one_line_before_anything_is_written(tmp_path: Path) -> None:
    name = _unsupported_layer_model()
    if name is None:
        pytest.skip("every layer of the fixtures has an RTL lowering")
    out = tmp_path / "out"
    result = run(MODELS_DIR / f"{name}.onnx", "-o", out, "--rtl")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("qnn-build: error: hardware: "), result.stderr
    assert "the RTL backend has no implementation" in lines[-1]
    assert not any("] emit" in line for line in lines)  # stopped before emission
    assert not out.exists()


def test_parallel_window_through_rtlsim(tmp_path: Path) -> None:
    """conv_pad_stride at 1,000,000 fps: set-folding gives its first SWG a parallel window
    (the bottleneck: 168 cycles per frame), and `qnn-build --rtlsim` agrees with qonnx on
    every frame at exactly the estimated cycles per frame."""
    model = MODELS_DIR / "conv_pad_stride.onnx"
    x0 = np.load(model.with_suffix(".in.npy"))
    rng = np.random.default_rng(5)
    others = rng.uniform(0, 1, size=(3, *x0.shape[1:])).astype(np.float32)
    np.save(tmp_path / "x.npy", np.concatenate([x0, others]))
    out = tmp_path / "out"
    result = run(model, "-o", out, "--target-fps", "1000000", "--rtlsim", tmp_path / "x.npy")
    assert result.returncode == 0, result.stderr
    folding = json.loads((out / "report/folding.json").read_text())
    assert folding["SWG_0"]["parallel_window"] == 1
    summary = json.loads((out / "report/rtlsim.json").read_text())["summary"]
    assert (summary["frames"], summary["agreeing_frames"]) == (4, 4)
    assert summary["cycles_per_frame"] == summary["estimated_cycles_per_frame"] == 168
