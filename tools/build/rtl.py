"""The RTL simulation of a build checked against qonnx and against the cycle model.

`simulate` streams the build's frames through the Verilator model of `OUT/rtl` twice on
one build: every frame with random input gaps and output backpressure (the outputs that
are compared with qonnx), then `TIMING_FRAMES` frames at full rate (the measured cycles
per frame and latency, which random gaps would inflate). `report` is
`report/rtlsim.json`: the agreement rows of `tools.build.compare` and, in its summary,
the measured figures beside the estimates.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from backend_rtl.rtlsim import HostModel, RtlsimResult, rtlsim
from tools.build.compare import RTLSIM_LABEL, agreement_report, csim_frames

GAP_PERCENT = 25
"""Chance per cycle that an idle input of the checked run stays idle."""
STALL_PERCENT = 25
"""Chance per cycle that an output of the checked run sees TREADY low."""
TIMING_FRAMES = 8
"""Frames of the full-rate run (the build's frames, repeated when there are fewer); the
cycles per frame are measured over the last 4 (`rtlsim.steady_from`)."""
CYCLES_TOLERANCE = 0.05
"""The measured cycles per frame may differ from the estimate by this fraction."""


@dataclass
class RtlsimRun:
    """The two simulations of `simulate` and the model's outputs, one array per frame."""

    got: list[np.ndarray]
    checked: RtlsimResult
    timing: RtlsimResult


def simulate(
    module: ModuleOp, frames: np.ndarray, rtl_dir: Path, work_dir: Path, seed: int
) -> RtlsimRun:
    """Simulate `frames` (`N x` the model's input shape) on the tree `rtl_dir` of
    `module`'s partition, the host code of `module` around it (module docstring);
    the executable and `tb.cpp` stay in `work_dir`."""
    host = HostModel(module)
    inputs = [np.concatenate(list(frames))]
    partition_inputs = host.partition_inputs(inputs)
    checked = rtlsim(
        rtl_dir,
        partition_inputs,
        work_dir=work_dir,
        seed=seed,
        gap_percent=GAP_PERCENT,
        stall_percent=STALL_PERCENT,
    )
    picks = [k % len(frames) for k in range(TIMING_FRAMES)]
    timing = rtlsim(rtl_dir, [a[picks] for a in partition_inputs], work_dir=work_dir)
    outputs = host.outputs(inputs, checked.outputs)
    return RtlsimRun(csim_frames(outputs, len(frames), RTLSIM_LABEL), checked, timing)


def report(
    model: Path, frames: np.ndarray, run: RtlsimRun, input_name: str | None, clock_ns: float
) -> dict[str, Any]:
    """`report/rtlsim.json`: the agreement with qonnx (`compare.agreement_report`), with
    the measured cycles per frame, latency and frames per second beside the estimates in
    its summary."""
    result = agreement_report(model, frames, run.got, input_name, RTLSIM_LABEL)
    timing = run.timing
    measured = timing.cycles_per_frame
    estimated = timing.estimated_cycles_per_frame
    deviation = None if measured is None else (measured - estimated) / estimated
    summary = result["summary"]
    summary.update(
        {
            "agreeing_frames": summary["frames"] - summary["mismatched_frames"],
            "cycles_per_frame": measured,
            "estimated_cycles_per_frame": estimated,
            "cycles_per_frame_deviation": deviation,
            "cycles_tolerance": CYCLES_TOLERANCE,
            "cycles_within_tolerance": deviation is not None and abs(deviation) <= CYCLES_TOLERANCE,
            "latency_cycles": timing.latency,
            "estimated_latency_cycles": timing.estimated_latency,
            "clock_ns": clock_ns,
            "fps": None if not measured else 1e9 / (clock_ns * measured),
            "estimated_fps": 1e9 / (clock_ns * estimated),
            "timing_frames": len(timing.frame_ends),
            "random_gap_percent": GAP_PERCENT,
            "random_stall_percent": STALL_PERCENT,
            "cycles_per_frame_with_gaps": run.checked.cycles_per_frame,
        }
    )
    return result


def stats(run: RtlsimRun) -> dict[str, float]:
    """Verilator's build seconds (0 when the cached executable was used) and the two
    runs' seconds (`report/build-info.json`), wall and CPU time."""
    frames = len(run.got)
    return {
        "build_seconds": run.checked.build_seconds + run.timing.build_seconds,
        "build_cpu_seconds": run.checked.build_cpu_seconds + run.timing.build_cpu_seconds,
        "run_seconds": run.checked.run_seconds,
        "seconds_per_frame": run.checked.run_seconds / frames,
        "cpu_seconds_per_frame": run.checked.run_cpu_seconds / frames,
        "timing_run_seconds": run.timing.run_seconds,
    }
