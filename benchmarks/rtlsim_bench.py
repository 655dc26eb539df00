"""RTL simulation benchmarks (`python benchmarks/run.py --rtlsim [MODEL ...]`).

For every shared model (../shared/models) at two foldings (`--target-fps` 1,000 and
10,000 for the MLPs, 1,000 and 3,000 for CNV) and the project's residual,
depthwise-separable, Trunc average pool and bipolar fixtures (test/models) at 1,000 and
100,000 fps, `tools.build.build` with `--rtlsim` on the sample input and 4 random images
(8-bit steps in [0, 1], as the samples), in process, with an empty Verilator cache (a
temporary `$QNN_CACHE_DIR`, so every design is built cold; the Verilator runtime's
objects, the same for every design, are compiled by the first build of the run and
reused by the others, as by every build after the first on a machine). One row each:

* `rtl s`: conversion to hw + CIRCT export (the `rtl` stage);
* `verilator s`: Verilator's build of the design and its testbench (`make -j 2`), wall
  and CPU seconds (the CPU time of Verilator, make and g++: on a loaded machine the wall
  time is a multiple of it);
* `s/frame`: the simulation of the compared run (random input gaps and backpressure)
  divided by its frames, wall and CPU: on 5 frames mostly the pipeline's fill (CNV-w2a2
  at 3,000 fps: the first frame's latency is 170,776 of its 301,883 cycles) and one-off
  costs (loading the ROM images);
* `steady`: the marginal CPU seconds per frame, the steady state: the same executable
  (the cached build) run again on the same inputs, seed, gaps and stalls with
  `STEADY_FRAMES` more random frames, the CPU seconds it takes beyond the compared run
  divided by `STEADY_FRAMES`;
* measured cycles per frame (full rate) beside the estimate, their difference, the
  latency measured / estimated, and the frames agreeing with qonnx.

The goal for CNV-w2a2 at 3,000 fps: Verilator build <= 60 s, <= 0.1 s per frame (steady).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from shared_models import SHARED_MODELS
from xdsl.dialects.builtin import ModuleOp

ROOT = Path(__file__).resolve().parent.parent

FIXTURES = ROOT / "test" / "models"
SWEEP: tuple[tuple[str, float], ...] = tuple(
    (name, fps)
    for name, fast in (
        ("tfc_w1a1", 10000),
        ("tfc_w1a2", 10000),
        ("tfc_w2a2", 10000),
        ("sfc_w2a2", 10000),
        ("lfc_w1a1", 10000),
        ("cnv_w1a1", 3000),
        ("cnv_w1a2", 3000),
        ("cnv_w2a2", 3000),
    )
    for fps in (1000, fast)
)
"""(shared model, target fps) of the acceptance sweep of issue 10."""
FIXTURE_SWEEP: tuple[tuple[str, float], ...] = tuple(
    (name, fps)
    for name in ("residual", "depthwise_sep", "avgpool_trunc", "bipolar_mlp")
    for fps in (1000, 100000)
)
"""(fixture in test/models, target fps): the layer kinds the MLPs and CNV do not have."""
RANDOM_FRAMES = 4
STEADY_FRAMES = 20
"""Frames added to the compared run's to measure the steady-state cost per frame."""


def sweep_frames(model: Path, count: int = RANDOM_FRAMES, seed: int = 0) -> np.ndarray:
    """The model's sample input and `count` random images on 8-bit steps in [0, 1]."""
    sample = np.load(model.with_name(f"{model.stem}.in.npy")).astype(np.float32)
    rng = np.random.default_rng(seed)
    others = rng.integers(0, 256, size=(count, *sample.shape[1:])) / 255.0
    return np.concatenate([sample, others.astype(np.float32)])


def build_row(model: Path, fps: float, out: Path) -> dict[str, Any]:
    """`build` with `--rtlsim` into `out`; the figures of one table row."""
    from tools.build import BuildOptions, build

    options = BuildOptions(target_fps=fps, rtlsim=sweep_frames(model))
    result = build(model, out, options)
    assert result.rtlsim is not None
    summary = result.rtlsim["summary"]
    info = json.loads((out / "report/build-info.json").read_text())
    stats = info["rtlsim"]
    frames = RANDOM_FRAMES + 1
    longer = longer_run_cpu_seconds(result.module, model, out, options.rtlsim_seed)
    return {
        "model": model.stem,
        "fps": fps,
        "layers": len(result.estimates.get("layers") or []),
        "rtl_seconds": result.seconds["rtl"],
        "verilator_seconds": stats["build_seconds"],
        "verilator_cpu_seconds": stats["build_cpu_seconds"],
        "seconds_per_frame": stats["seconds_per_frame"],
        "cpu_seconds_per_frame": stats["cpu_seconds_per_frame"],
        "steady_cpu_seconds_per_frame": (longer - frames * stats["cpu_seconds_per_frame"])
        / STEADY_FRAMES,
        "summary": summary,
    }


def longer_run_cpu_seconds(module: ModuleOp, model: Path, out: Path, seed: int) -> float:
    """CPU seconds of the compared run of the build in `out` with `STEADY_FRAMES` more
    random frames (the executable from the rtlsim cache: not built again)."""
    from backend_rtl.rtlsim import HostModel, rtlsim
    from tools.build.rtl import GAP_PERCENT, STALL_PERCENT

    frames = sweep_frames(model, RANDOM_FRAMES + STEADY_FRAMES)
    inputs = HostModel(module).partition_inputs([frames])
    run = rtlsim(
        out / "rtl",
        inputs,
        work_dir=out / "rtlsim",
        seed=seed,
        gap_percent=GAP_PERCENT,
        stall_percent=STALL_PERCENT,
    )
    assert run.build_seconds == 0, "the executable was built again"
    return run.run_cpu_seconds


def format_row(row: dict[str, Any]) -> str:
    s = row["summary"]
    measured = s["cycles_per_frame"]
    deviation = s["cycles_per_frame_deviation"]
    return (
        f"{row['model']:<13} {row['fps']:>7,.0f} {row['layers']:>6} {row['rtl_seconds']:>6.1f} "
        f"{row['verilator_seconds']:>7.1f} / {row['verilator_cpu_seconds']:<6.1f} "
        f"{row['seconds_per_frame']:>6.3f} / {row['cpu_seconds_per_frame']:<6.3f} "
        f"{row['steady_cpu_seconds_per_frame']:>6.3f} "
        f"{'-' if measured is None else f'{measured:,.0f}':>10} "
        f"{s['estimated_cycles_per_frame']:>10,} "
        f"{'-' if deviation is None else f'{100 * deviation:+.1f} %':>8} "
        f"{s['latency_cycles']:>9,} / {s['estimated_latency_cycles']:<9,} "
        f"{s['agreeing_frames']}/{s['frames']}"
    )


HEADER = (
    f"{'model':<13} {'fps':>7} {'layers':>6} {'rtl s':>6} {'verilator s wall/cpu':>16} "
    f"{'s/frame wall/cpu':>15} {'steady':>6} "
    f"{'cycles':>10} {'estimate':>10} {'diff':>8} {'latency meas / est':>21} agree"
)


def main(models: Sequence[str] = ()) -> None:
    """Print the table for the sweep (only the models named in `models`, if any)."""
    from tools.errors import UserError

    wanted = {Path(m).stem for m in models}
    print(HEADER)
    with tempfile.TemporaryDirectory(prefix="qnn-rtlsim-bench-") as scratch:
        os.environ["QNN_CACHE_DIR"] = str(Path(scratch) / "cache")  # every build cold
        for model, fps in sweep_models():
            if wanted and model.stem not in wanted:
                continue
            if not model.is_file():
                print(f"{model.stem:<13} {fps:>7,.0f}  skipped: no {model}", flush=True)
                continue
            out = Path(scratch) / f"{model.stem}-{fps:.0f}"
            try:
                print(format_row(build_row(model, fps, out)), flush=True)
            except UserError as error:
                print(f"{model.stem:<13} {fps:>7,.0f}  failed: {error}", flush=True)


def sweep_models() -> list[tuple[Path, float]]:
    """(model file, target fps) of the whole sweep: the shared models, then the fixtures."""
    return [(SHARED_MODELS / f"{n}.onnx", f) for n, f in SWEEP] + [
        (FIXTURES / f"{n}.onnx", f) for n, f in FIXTURE_SWEEP
    ]


if __name__ == "__main__":
    main(sys.argv[1:])
