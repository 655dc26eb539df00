"""The C simulation's build cache and parallel frames (`backend_hls.csim`), with real g++
builds of a small emitted tree in a private cache directory."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp

import backend_hls
from backend_hls import toolchain
from backend_hls.csim import CsimError, build, default_jobs

MODEL = Path(__file__).resolve().parents[1] / "models" / "bipolar_mlp.onnx"
PIPELINE = (
    "lower-quant-to-streamline,streamline,convert-to-dataflow,set-folding{target-fps=1000},"
    "minimize-bit-width,insert-dwc,insert-fifos,size-fifos"
)

try:
    toolchain.find_ap_types_dir()
    toolchain.find_cxx()
except toolchain.ToolchainError as exc:  # pragma: no cover - depends on the machine
    pytest.skip(f"HLS C simulation unavailable: {exc}", allow_module_level=True)


@pytest.fixture(scope="module")
def module() -> ModuleOp:
    from frontend import import_qonnx
    from passes.pipeline import run_pipeline

    module = import_qonnx(MODEL)
    run_pipeline(module, PIPELINE)
    return module


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(toolchain.CACHE_ENV, str(directory))
    return directory / "csim"


def _trees(module: ModuleOp, root: Path, count: int) -> list[Path]:
    trees = [root / f"tree{i}" for i in range(count)]
    for tree in trees:
        backend_hls.emit(module, tree)
    return trees


def test_builds_are_cached_by_content(module: ModuleOp, tmp_path: Path, cache: Path) -> None:
    first, elsewhere = _trees(module, tmp_path, 2)
    binary, seconds = build(first)
    assert seconds > 0
    assert len(list(cache.glob("pch-*/csim_pch.h.gch"))) == 1  # the headers, precompiled
    assert build(first) == (binary, 0.0)  # the same tree again: nothing compiled
    copy, seconds = build(elsewhere)  # an identical tree elsewhere: the cached binary
    assert seconds == 0.0
    assert copy.read_bytes() == binary.read_bytes()
    kernel = next((elsewhere / "hls").glob("MVAU_*.cpp"))
    kernel.write_text(kernel.read_text() + "// another source, another build\n")
    assert build(elsewhere)[1] > 0
    assert len(list(cache.glob("*.testbench"))) == 2


def test_concurrent_builds_compile_once(module: ModuleOp, tmp_path: Path, cache: Path) -> None:
    trees = _trees(module, tmp_path, 3)
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(build, trees))
    assert sorted(seconds > 0 for _, seconds in results) == [False, False, True]
    binaries = {binary.read_bytes() for binary, _ in results}
    assert len(binaries) == 1
    assert len(list(cache.glob("*.testbench"))) == 1


def test_frames_split_over_processes(module: ModuleOp, tmp_path: Path, cache: Path) -> None:
    (tree,) = _trees(module, tmp_path, 1)
    sample = np.load(MODEL.with_suffix(".in.npy"))
    rng = np.random.default_rng(0)
    frames = sample[None] + rng.normal(0, 0.5, (7, *sample.shape)).astype(np.float32)
    one: dict[str, float] = {}
    three: dict[str, float] = {}
    alone = backend_hls.csim(tree, frames, jobs=1, stats=one)
    split = backend_hls.csim(tree, frames, jobs=3, stats=three)
    np.testing.assert_array_equal(split, alone)
    assert (one["jobs"], three["jobs"], three["frames"]) == (1, 3, 7)
    per_frame = [backend_hls.csim(tree, frames[i : i + 1], jobs=1) for i in range(7)]
    np.testing.assert_array_equal(np.concatenate(per_frame), alone)


def test_one_unit_on_one_core_two_halves_on_more(
    module: ModuleOp, tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """build.sh compiles csim.cpp (both halves as one unit) where nproc says one core and
    csim_a.cpp/csim_b.cpp in parallel otherwise (nproc follows OMP_NUM_THREADS); both
    testbenches compute the same words."""
    sample = np.load(MODEL.with_suffix(".in.npy"))
    frames = sample[None] + np.random.default_rng(1).normal(0, 0.5, (3, *sample.shape))
    outputs = {}
    for cores in ("1", "2"):
        monkeypatch.setenv("OMP_NUM_THREADS", cores)
        monkeypatch.setenv(toolchain.CACHE_ENV, str(tmp_path / f"cache{cores}"))
        (tree,) = _trees(module, tmp_path / cores, 1)
        outputs[cores] = backend_hls.csim(tree, frames.astype(np.float32), jobs=1)
        assert (tree / "csim/csim_a.o").is_file() == (cores == "2")
    np.testing.assert_array_equal(outputs["1"], outputs["2"])


def test_cache_dir_and_jobs_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(toolchain.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert toolchain.cache_dir() == Path("/somewhere/qnn")
    monkeypatch.setenv(toolchain.CACHE_ENV, "/elsewhere")
    assert toolchain.cache_dir() == Path("/elsewhere")
    monkeypatch.setenv("QNN_CSIM_JOBS", "3")
    assert default_jobs() == 3
    monkeypatch.setenv("QNN_CSIM_JOBS", "0")
    with pytest.raises(CsimError, match="QNN_CSIM_JOBS='0': expected a positive integer"):
        default_jobs()


def test_digits_cnn_test_split_agrees_with_qonnx(tmp_path: Path) -> None:
    """The whole 450-frame test split of the digits CNN example through `tools.build` with
    the C simulation: every frame agrees with qonnx, and `csim_out` holds the outputs."""
    from tools.build import BuildOptions, build

    examples = Path(__file__).resolve().parents[2] / "frontend" / "examples"
    x = np.load(examples / "digits_test.npz")["X"]
    saved = tmp_path / "y.npy"
    result = build(
        examples / "digits_cnn_w2a2.onnx", tmp_path / "out", BuildOptions(csim=x, csim_out=saved)
    )
    assert result.csim is not None
    assert result.csim["summary"]["frames"] == len(x) == 450
    assert result.csim_disagreement is None
    assert np.load(saved).shape == (450, 10)
