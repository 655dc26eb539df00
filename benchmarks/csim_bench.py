"""C simulation benchmarks (`python benchmarks/run.py --csim [--repeat N]`).

Prints one table of whole-process or whole-subprocess medians over `--repeat` runs:

* CNV-w2a2 (../shared/models) folded for 3,000 fps: the g++ build of its C simulation with
  no cache at all (the ap_int headers are precompiled first, once per compiler and
  library), with the precompiled headers cached, and a cache hit (another identical tree);
  the testbench's seconds per frame (its own `top()` time over `FRAMES` frames in one
  process) for the plain-integer kernels and for the synthesis bodies (`-DQNN_CSIM_FAST=0`,
  one frame); the instructions per frame from `valgrind --tool=callgrind` (a figure load
  does not change; the difference of runs of 2 and 1 frames); g++ seconds against seconds
  per frame for -O0, -O1, -O1 -ftree-vectorize and -O2 (no precompiled header);
* the digits CNN example: `qnn-build --example digits_cnn_w2a2 --csim` on its 450-frame
  test split (frontend/examples/digits_test.npz), whole process, with an empty cache and
  with a warm one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from shared_models import SHARED_MODELS

from backend_hls import toolchain
from backend_hls.csim import build, clean
from backend_hls.emit_cpp import CXXFLAGS
from backend_hls.runtime.accelerator import Accelerator
from backend_hls.runtime.emulator import EmulatedDevice

ROOT = Path(__file__).resolve().parent.parent
CNV = SHARED_MODELS / "cnv_w2a2.onnx"
DIGITS = ROOT / "frontend" / "examples" / "digits_test.npz"
FRAMES = 10
FLAG_SETS = (("-O0",), ("-O1",), ("-O1", "-ftree-vectorize"), ("-O2",))


def median_seconds(run: Callable[[], None], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def qnn_build(*args: str | Path, env: dict[str, str] | None = None) -> None:
    command = [sys.executable, "-m", "tools.qnn_build", *map(str, args), "--force", "-q"]
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)


def random_frames(tree: Path, count: int) -> np.ndarray:
    """`count` random frames of the partition's input, integers of its datatype."""
    spec = _io(tree)["inputs"][0]
    low = -(1 << (spec["bits"] - 1)) if spec["datatype"].startswith("!quant.int<") else 0
    rng = np.random.default_rng(0)
    return rng.integers(low, low + (1 << spec["bits"]), size=(count, *spec["frame"]))


def _io(tree: Path) -> dict[str, Any]:
    return json.loads((tree / "csim" / "io.json").read_text())


def _device_run(testbench: Path, tree: Path, count: int) -> EmulatedDevice:
    """`count` random frames through `testbench` as the board driver runs them."""
    io = _io(tree)
    registers = io["dma"]["registers"]
    device = EmulatedDevice(testbench, registers["size"], registers["ctrl"])
    Accelerator(device, io).run([random_frames(tree, count)])
    return device


def testbench_seconds(binary: Path, tree: Path, frames: int) -> float:
    """The testbench's own seconds for its `top()` calls, per frame."""
    return _device_run(binary, tree, frames).run_seconds / frames


def instructions(binary: Path, tree: Path, frames: int, tmp: Path) -> int | None:
    """Instructions of the testbench on `frames` frames (callgrind), None without valgrind."""
    if shutil.which("valgrind") is None:
        return None
    profile = tmp / "callgrind.out"
    wrapper = tmp / "callgrind.sh"
    wrapper.write_text(
        f'#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file={profile} {binary} "$@"\n'
    )
    wrapper.chmod(0o755)
    _device_run(wrapper, tree, frames)
    match = re.search(r"^(?:summary|totals): (\d+)", profile.read_text(), re.MULTILINE)
    return int(match.group(1)) if match else None


def compile_with(tree: Path, flags: tuple[str, ...], binary: Path) -> float:
    """Seconds of one g++ run of the tree's C simulation with `flags` (no precompiled
    header) instead of the -O level of `CXXFLAGS`."""
    base = [f for f in CXXFLAGS if not f.startswith("-O") and f != "-ftree-vectorize"]
    command = [toolchain.find_cxx(), *base, *flags, "-isystem", str(toolchain.find_ap_types_dir())]
    command += ["-I", str(tree / "hls" / "lib"), "-I", str(tree / "hls")]
    command += [str(tree / "csim" / "csim.cpp"), "-o", str(binary)]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def row(what: str, value: str, note: str = "") -> None:
    print(f"{what:<58} {value:>12}  {note}")


def cnv(repeat: int, tmp: Path) -> None:
    env = {**os.environ, toolchain.CACHE_ENV: str(tmp / "cache")}
    os.environ[toolchain.CACHE_ENV] = env[toolchain.CACHE_ENV]
    trees = [tmp / "cnv_a", tmp / "cnv_b"]
    for tree in trees:
        qnn_build(CNV, "-o", tree, "--target-fps", "3000", env=env)

    def cold() -> None:
        shutil.rmtree(tmp / "cache", ignore_errors=True)
        clean(trees[0])
        build(trees[0])

    def warm() -> None:
        for cached in (tmp / "cache" / "csim").glob("*.testbench"):
            cached.unlink()
        clean(trees[0])
        build(trees[0])

    def hit() -> None:
        clean(trees[1])
        build(trees[1])

    row(
        "CNV-w2a2 3000 fps: g++, empty cache (incl. precompiling)",
        f"{median_seconds(cold, 1):.2f} s",
    )
    row(
        "CNV-w2a2 3000 fps: g++, precompiled headers cached",
        f"{median_seconds(warm, repeat):.2f} s",
    )
    row("CNV-w2a2 3000 fps: identical tree, cache hit", f"{median_seconds(hit, repeat):.3f} s")
    binary = trees[0] / "csim" / "testbench"
    per_frame = statistics.median(
        testbench_seconds(binary, trees[0], FRAMES) for _ in range(repeat)
    )
    row(
        "CNV-w2a2: seconds per frame (plain-integer kernels)",
        f"{per_frame:.4f} s",
        f"10,000 frames on 2 processes: {per_frame * 10000 / 2 / 60:.1f} min",
    )
    two, one = instructions(binary, trees[0], 2, tmp), instructions(binary, trees[0], 1, tmp)
    if two is not None and one is not None:
        row("CNV-w2a2: instructions per frame (callgrind)", f"{(two - one) / 1e6:.0f} M")
    synthesis = tmp / "synthesis_form"
    compile_with(trees[0], ("-O1", "-ftree-vectorize", "-DQNN_CSIM_FAST=0"), synthesis)
    row(
        "CNV-w2a2: seconds per frame (synthesis bodies)",
        f"{testbench_seconds(synthesis, trees[0], 1):.3f} s",
    )
    for flags in FLAG_SETS:
        binary = tmp / "flags"
        seconds = statistics.median(compile_with(trees[0], flags, binary) for _ in range(repeat))
        frame = testbench_seconds(binary, trees[0], FRAMES)
        row(
            f"CNV-w2a2: g++ {' '.join(flags)} (no pch) / s per frame",
            f"{seconds:.2f} s",
            f"{frame:.4f} s per frame",
        )


def digits(repeat: int, tmp: Path) -> None:
    x = tmp / "digits_X.npy"
    np.save(x, np.load(DIGITS)["X"])
    cache = tmp / "digits_cache"
    env = {**os.environ, toolchain.CACHE_ENV: str(cache)}

    def run() -> None:
        qnn_build("--example", "digits_cnn_w2a2", "-o", tmp / "digits", "--csim", x, env=env)

    def cold() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        run()

    row(
        "digits CNN, 450 test frames, qnn-build --csim: empty cache",
        f"{median_seconds(cold, repeat):.2f} s",
    )
    row(
        "digits CNN, 450 test frames, qnn-build --csim: warm cache",
        f"{median_seconds(run, repeat):.2f} s",
    )


def main(repeat: int) -> None:
    print(f"{'C simulation (medians of whole runs)':<58} {'value':>12}")
    with tempfile.TemporaryDirectory(prefix="qnn-csim-bench-") as name:
        tmp = Path(name)
        if CNV.is_file():
            cnv(repeat, tmp)
        digits(repeat, tmp)


AGREEMENT_FRAMES = 20


def agreement(tmp: Path) -> None:
    """qnn-build --csim on `AGREEMENT_FRAMES` random frames of every shared model (uniform in
    the range of the model's sample input, the sample itself first), against qonnx."""
    import json

    print(
        f"{'shared model (20 random frames)':<24} {'agree':>7} {'argmax':>7} {'g++ s':>7} "
        f"{'s/frame':>8}"
    )
    rng = np.random.default_rng(0)
    for model in sorted(SHARED_MODELS.glob("*.onnx")):
        sample = np.load(model.with_suffix(".in.npy"))
        lo, hi = float(sample.min()), float(sample.max())
        others = rng.uniform(lo, hi, (AGREEMENT_FRAMES - 1, *sample.shape[1:]))
        x = tmp / f"{model.stem}.npy"
        np.save(x, np.concatenate([sample, others.astype(np.float32)]))
        out = tmp / model.stem
        command = [sys.executable, "-m", "tools.qnn_build", str(model), "-o", str(out)]
        subprocess.run(
            [*command, "--csim", str(x), "--force", "-q"],
            cwd=ROOT,
            check=False,
            capture_output=True,
        )
        summary = json.loads((out / "report" / "csim.json").read_text())["summary"]
        stats = json.loads((out / "report" / "build-info.json").read_text()).get("csim", {})
        frames = summary["frames"]
        print(
            f"{model.stem:<24} {frames - summary['mismatched_frames']:>4}/{frames:<2} "
            f"{summary['argmax_agreement']:>4}/{frames:<2} {stats.get('build_seconds', 0):7.2f} "
            f"{stats.get('run_seconds', 0) / frames:8.4f}"
        )


def main_agreement() -> None:
    with tempfile.TemporaryDirectory(prefix="qnn-csim-agreement-") as name:
        agreement(Path(name))
