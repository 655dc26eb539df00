"""`qnn-build M -o OUT --sweep-fps 1000,3000,...`: one build per target frame rate, on an
executor (`backend_fpga.executor`: local processes or a Ray cluster), and the Pareto
report over them.

    summary = sweep("model.onnx", "out", [1000, 3000], BuildOptions(synth=True), executor)

Every point is a self-contained `SweepPoint` (the model's bytes, the options with any
simulation input as an array): a worker builds it into a fresh directory and returns
the tree as a gzipped tar with the point's figures (`point_figures`), so a worker on
another machine needs no shared filesystem. The trees land in `OUT/sweep/<fps>/` (the
same tree `qnn-build --target-fps <fps>` writes), the report in `OUT/report/pareto.json`
and `OUT/report/pareto.html` (`backend_fpga.sweep`). A point's synthesis runs inside
its worker, one Yosys process at a time: the points are what runs in parallel.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from backend_fpga.executor import Executor
from backend_fpga.sweep import pareto_report, render_pareto_html
from tools.build.compare import load_frames
from tools.build.driver import BuildError, build
from tools.build.options import BuildOptions
from tools.errors import UserError


@dataclass(frozen=True)
class SweepPoint:
    """One build of the sweep, self-contained: the model (its file name and bytes) and
    the options (`target_fps` set; simulation inputs as arrays)."""

    model_name: str
    model: bytes
    options: BuildOptions


@dataclass(frozen=True)
class PointResult:
    """A built point: its figures and its tree (a gzipped tar)."""

    target_fps: float
    figures: dict[str, Any]
    tree: bytes


def point_dir(fps: float) -> str:
    """`sweep/<fps>` (`3000`, or `2500.5` for a fractional target)."""
    return f"sweep/{fps:g}"


def build_point(point: SweepPoint) -> PointResult:
    """Build one point in a fresh directory (the executors' task)."""
    with tempfile.TemporaryDirectory(prefix="qnn-sweep-") as tmp:
        model = Path(tmp) / point.model_name
        model.write_bytes(point.model)
        out = Path(tmp) / "out"
        try:
            result = build(model, out, point.options)
        except UserError as error:
            raise UserError(f"sweep point {point.options.target_fps:g} fps: {error}") from None
        synth = _optional_json(out / "report" / "synth.json")
        figures = point_figures(result.estimates, synth, _optional_json(out / "report/pnr.json"))
        return PointResult(point.options.target_fps, figures, _tar(out))


def point_figures(
    estimates: dict[str, Any], synth: dict[str, Any] | None, pnr: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the Pareto report keeps of a point: the estimated frame rate and resources,
    when synthesized Yosys's totals, and with `--bitstream` the Fmax place and route
    achieved (the slowest clock of `report/pnr.json`)."""
    network = estimates.get("network") or {}
    folding = estimates.get("folding") or {}
    figures: dict[str, Any] = {
        "estimated_fps": network.get("estimated_fps"),
        "target_met": folding.get("target_met"),
        "estimated": network.get("totals") or {},
    }
    if synth is not None:
        figures["synthesized"] = synth["totals"]["synthesized"]
        figures["family"] = synth["family"]
    fmax = [c.get("fmax_mhz") for c in (pnr or {}).get("clocks", [])]
    if any(f is not None for f in fmax):
        figures["fmax_mhz"] = min(f for f in fmax if f is not None)
    return figures


def sweep(
    model: str | os.PathLike[str],
    out: str | os.PathLike[str],
    targets: Sequence[float],
    options: BuildOptions,
    executor: Executor,
) -> dict[str, Any]:
    """Build `model` once per target frame rate into `out` (which must be empty or
    missing; the caller makes it atomic) and write the Pareto report; returns it."""
    model, out = Path(model), Path(out)
    base = _shippable(model, options)
    points = [
        SweepPoint(model.name, model.read_bytes(), dataclasses.replace(base, target_fps=fps))
        for fps in targets
    ]
    results = executor.map(build_point, points)
    for result in results:
        _untar(result.tree, out / point_dir(result.target_fps))
    report = pareto_report(
        model.stem,
        [(r.target_fps, point_dir(r.target_fps), r.figures) for r in results],
        executor.description,
    )
    reports = out / "report"
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "pareto.json").write_text(_dump(report), encoding="utf-8")
    (reports / "pareto.html").write_text(render_pareto_html(report), encoding="utf-8")
    return report


def _shippable(model: Path, options: BuildOptions) -> BuildOptions:
    """`options` for a worker: simulation inputs loaded into arrays (checked here, before
    any point runs), the synthesis serial inside the point, no folding file."""
    if options.folding is not None:
        raise BuildError("sweep", "--sweep-fps sets the folding of every point: no --folding")
    csim, rtlsim = options.csim, options.rtlsim
    return dataclasses.replace(
        options,
        csim=None if csim is None else _frames(csim, model),
        rtlsim=None if rtlsim is None else _frames(rtlsim, model),
        csim_out=None,
        jobs=1,
        ray=None,
    )


def _frames(source: Path | np.ndarray, model: Path) -> np.ndarray:
    return np.asarray(load_frames(source, model))


def _tar(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(directory, arcname=".")
    return buffer.getvalue()


def _untar(data: bytes, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(directory, filter="data")


def _optional_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2) + "\n"
