"""Compile-time benchmarks: one table row per model and stage, with time and peak memory.

    python benchmarks/run.py [MODEL.onnx ...] [--repeat N]
    python benchmarks/run.py --mobilenet [--size 224] [--width 1.0]
    python benchmarks/run.py --process

Without arguments it measures every model in ../shared/models (when present) and
test/models. Each stage runs `--repeat` times (default 3); the table shows the best time and
the peak Python heap (tracemalloc, numpy buffers included) of one more, traced run.
Later stages consume the previous stage's result, as the compiler does.

The backend stages run on the folded module: `emit` (`backend_hls.emit` of the HLS C++
tree into a temporary directory), `g++ build` (the C simulation's one g++ run; measured
once, no heap column: it is a subprocess) and `csim` (`CSIM_FRAMES` copies of the sample
through the compiled testbench, once; the note gives the testbench's frames per second,
the time of the `top()` calls alone).

`--csim` measures the C simulation instead (`benchmarks/csim_bench.py`: g++ with and
without the build cache, seconds and instructions per frame, compiler flags, the digits
CNN's test split end to end); `--csim-agreement` C-simulates 20 random frames of every
shared model and compares them with qonnx (a slow check; CI keeps the small models).

`--rtlsim` measures the RTL simulation instead (`benchmarks/rtlsim_bench.py`: Verilator
build and run time per frame, measured against estimated cycles per frame, agreement with
qonnx, for every shared model and the residual, depthwise-separable, Trunc average pool and
bipolar fixtures at two foldings; `MODEL` arguments filter by name).

`--process` measures whole `qnn-build` processes instead, as a user runs them (Python start
and imports included): `qnn-build --help`, TFC-w2a2 at 100,000 fps and CNV-w2a2 at 3,000 fps
to an emitted project, `PROCESS_RUNS` runs each after one warm-up run (with Python's bytecode
cache, as an installed qnn has it), the median wall time and the median CPU time (user +
system of the child; less sensitive to other load on the machine than the wall).

`--mobilenet` generates the MobileNet-v1 of `test/models/mobilenet.py` (224x224x3, width
1.0, 4.2 M 4-bit weights, seeded) into a temporary directory and measures the stages of
`qnn-build` once each, in process (wall time and the process's peak RSS so far: RSS rather
than the traced heap, because tracing a 4 M-weight build slows it several times), then
`qnn-build` end to end in a child process (wall time, the child's peak RSS, and the stage
times from its `report/build-info.json`).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from shared_models import SHARED_MODELS

from frontend import import_qonnx
from passes.pipeline import run_pipeline
from qdialects.ir import parse_module, print_module
from qdialects.semantics import execute

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Measurement:
    seconds: float
    peak_mib: float
    result: Any


def measure(stage: Callable[[], Any], repeat: int, trace: bool = True) -> Measurement:
    """Best wall time of `repeat` plain runs, then the peak heap of one traced run
    (tracing slows Python down several times, so it never overlaps the timed runs).
    Without `trace`, one run whose result is kept and no heap figure (NaN)."""
    seconds = float("inf")
    if not trace:
        start = time.perf_counter()
        result = stage()
        return Measurement(time.perf_counter() - start, math.nan, result)
    for _ in range(repeat):
        start = time.perf_counter()
        stage()
        seconds = min(seconds, time.perf_counter() - start)
    tracemalloc.start()
    result = stage()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Measurement(seconds, peak / 2**20, result)


def sample_input(model: Path, module_text: str) -> np.ndarray:
    sample = model.with_suffix(".in.npy")
    if sample.exists():
        return np.load(sample)
    raise FileNotFoundError(f"{sample} is missing")


def stages(model: Path) -> list[tuple[str, Callable[[dict[str, Any]], Any]]]:
    """(name, function of the results so far) for every measured compiler stage."""
    return [
        ("import", lambda r: import_qonnx(model)),
        ("print", lambda r: print_module(r["import"])),
        ("parse", lambda r: parse_module(r["print"])),
        ("execute quant", lambda r: execute(r["parse"], [sample_input(model, r["print"])])),
        (
            "streamline",
            lambda r: run_pipeline(
                parse_module(r["print"]), "lower-quant-to-streamline,streamline"
            ),
        ),
        (
            "execute streamline",
            lambda r: execute(r["streamline"], [sample_input(model, r["print"])]),
        ),
        # convert-to-dataflow on a copy of the streamlined module (the pass works in place)
        ("dataflow", lambda r: run_pipeline(r["streamline"].clone(), "convert-to-dataflow")),
        # set-folding (on a copy: it works in place) at FINN's CNV/TFC comparison target
        ("fold", lambda r: run_pipeline(r["dataflow"].clone(), "set-folding{target-fps=3000}")),
        ("emit", lambda r: _emit(r["fold"])),
        ("g++ build", lambda r: _build(r["emit"])),
        ("csim", lambda r: _csim(model, r["print"], r["emit"])),
    ]


SINGLE_RUN = frozenset({"g++ build", "csim"})
"""Stages measured once without heap tracing (they run g++ / the compiled testbench)."""
CSIM_FRAMES = 4
_TREES: list[tempfile.TemporaryDirectory[str]] = []


def _emit(module: Any) -> Path:
    import backend_hls

    tree = tempfile.TemporaryDirectory(prefix="qnn-bench-")
    _TREES.append(tree)
    backend_hls.emit(module, tree.name)
    return Path(tree.name)


def _build(tree: Path) -> Path:
    from backend_hls.csim import build

    build(tree)
    return tree


@dataclass
class Note:
    text: str


def _csim(model: Path, module_text: str, tree: Path) -> Note:
    import backend_hls

    x = sample_input(model, module_text).astype(np.float32)
    frames = np.repeat(x[None], CSIM_FRAMES, axis=0)
    stats: dict[str, float] = {}
    backend_hls.csim(tree, frames, stats=stats)
    fps = stats["frames"] / stats["run_seconds"] if stats["run_seconds"] else math.inf
    return Note(f"{fps:,.0f} fps ({int(stats['frames'])} frames in {stats['run_seconds']:.3f} s)")


def default_models() -> list[Path]:
    found = sorted(SHARED_MODELS.glob("*.onnx")) if SHARED_MODELS.is_dir() else []
    return found + sorted((ROOT / "test" / "models").glob("*.onnx"))


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_CHILD = textwrap.dedent(
    """
    import json, resource, subprocess, sys, time
    start = time.perf_counter()
    proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    print(json.dumps({"rc": proc.returncode, "stderr": proc.stderr,
                      "seconds": time.perf_counter() - start,
                      "peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
    """
)


def measure_child(command: list[str]) -> dict[str, Any]:
    """Wall time and peak RSS of `command` (measured by a fresh Python around it, so
    that RUSAGE_CHILDREN counts this command only)."""
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, *command], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout)


PROCESS_RUNS = 5


def process_commands(out: Path) -> list[tuple[str, list[str]]]:
    """(label, argv) of the whole-process measurements (`--process`)."""
    qnn_build = str(Path(sys.executable).parent / "qnn-build")
    builds = [("tfc_w2a2", "100000"), ("cnv_w2a2", "3000")]
    commands = [("qnn-build --help", [qnn_build, "--help"])]
    for name, fps in builds:
        model = SHARED_MODELS / f"{name}.onnx"
        if model.is_file():
            argv = [qnn_build, str(model), "-o", str(out), "--force", "-q", "--target-fps", fps]
            commands.append((f"qnn-build {name} --target-fps {fps}", argv))
    return commands


def process_environment() -> dict[str, str]:
    """The environment of the measured processes: this one's, but with Python's bytecode
    cache written and read (`PYTHONDONTWRITEBYTECODE` unset), as an installed qnn runs;
    compiling every module from source would add ~0.3 s of CPU to each run."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed_process(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of `argv`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True, env=process_environment())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def run_processes(runs: int) -> None:
    """The whole-process table (`--process`)."""
    print(f"{'command':<40} {'median wall s':>14} {'median CPU s':>13}  ({runs} runs)")
    with tempfile.TemporaryDirectory() as tmp:
        for label, argv in process_commands(Path(tmp) / "out"):
            timed_process(argv)  # warm-up: the bytecode cache and the file cache
            times = [timed_process(argv) for _ in range(runs)]
            wall = statistics.median(t[0] for t in times)
            cpu = statistics.median(t[1] for t in times)
            print(f"{label:<40} {wall:14.3f} {cpu:13.3f}")


def mobilenet_module() -> Any:
    path = ROOT / "test" / "models" / "mobilenet.py"
    spec = importlib.util.spec_from_file_location("qnn_test_mobilenet", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run_mobilenet(size: int, width: float) -> None:
    """The MobileNet-v1 rows (module docstring)."""
    import backend_hls
    from backend_hls.emit_tcl import TclOptions, emit_tcl
    from backend_hls.estimates_target import estimates_report
    from passes.dataflow_folding import write_folding_json
    from passes.defaults import DEFAULT_CLOCK_NS
    from passes.pipelines import HARDWARE, STREAMLINE

    mobilenet = mobilenet_module()
    label = f"mobilenet_v1_{size}_{width:g}"
    print(f"{'model':<22} {'stage':<20} {'seconds':>9} {'peak RSS MiB':>13}")

    def row(stage: str, seconds: float, peak: float, note: str = "") -> None:
        print(f"{label:<22} {stage:<20} {seconds:9.2f} {peak:13.0f}  {note}".rstrip(), flush=True)

    with tempfile.TemporaryDirectory(prefix="qnn-bench-") as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        model = mobilenet.mobilenet_v1(size=size, width=width)
        path = mobilenet.save(model, work / f"{label}.onnx")
        row(
            "generate",
            time.perf_counter() - start,
            _peak_rss_mib(),
            f"{mobilenet.weight_count(model):,} weights, {path.stat().st_size / 2**20:.1f} MiB",
        )
        del model

        state: dict[str, Any] = {}

        def emit() -> None:
            backend_hls.emit(state["module"], work / "out")
            for relative, text in emit_tcl(state["module"], TclOptions(name=label)).items():
                target = work / "out" / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)

        def report() -> None:
            json.dumps(estimates_report(state["module"], DEFAULT_CLOCK_NS))
            json.dumps(write_folding_json(state["module"]))

        steps: list[tuple[str, Callable[[], Any]]] = [
            ("import", lambda: state.__setitem__("module", import_qonnx(path))),
            ("print (IR dump)", lambda: print_module(state["module"])),
            ("streamline", lambda: run_pipeline(state["module"], STREAMLINE)),
            ("convert-to-dataflow", lambda: run_pipeline(state["module"], "convert-to-dataflow")),
            ("set-folding", lambda: run_pipeline(state["module"], "set-folding")),
            ("hardware", lambda: run_pipeline(state["module"], HARDWARE)),
            ("emit (C++ + TCL)", emit),
            ("estimates + folding", report),
        ]
        for name, step in steps:
            start = time.perf_counter()
            step()
            row(name, time.perf_counter() - start, _peak_rss_mib())

        out = work / "qnn-build-out"
        qnn_build = str(Path(sys.executable).parent / "qnn-build")
        m = measure_child([qnn_build, str(path), "-o", str(out), "-q"])
        if m["rc"] != 0:
            row("qnn-build", m["seconds"], m["peak_mib"], "FAILED: " + m["stderr"].strip()[:80])
            return
        info = json.loads((out / "report" / "build-info.json").read_text())
        stages = ", ".join(f"{k} {v:.1f}" for k, v in info["seconds"].items())
        row("qnn-build (child)", m["seconds"], m["peak_mib"], stages)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("models", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--mobilenet", action="store_true", help="measure a generated MobileNet-v1 instead"
    )
    parser.add_argument(
        "--process",
        action="store_true",
        help=f"median wall and CPU time of whole qnn-build processes ({PROCESS_RUNS} runs)",
    )
    parser.add_argument("--size", type=int, default=224, help="MobileNet input size")
    parser.add_argument("--width", type=float, default=1.0, help="MobileNet width multiplier")
    parser.add_argument(
        "--csim", action="store_true", help="measure the C simulation (benchmarks/csim_bench.py)"
    )
    parser.add_argument(
        "--csim-agreement",
        action="store_true",
        help="C-simulate 20 random frames of every shared model against qonnx",
    )
    parser.add_argument(
        "--rtlsim",
        action="store_true",
        help="Verilator build and run time, measured vs estimated cycles of the shared models "
        "and four fixtures (benchmarks/rtlsim_bench.py; MODELS filters by name)",
    )
    args = parser.parse_args()
    if args.rtlsim:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import rtlsim_bench

        rtlsim_bench.main([str(m) for m in args.models])
        return
    if args.csim or args.csim_agreement:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import csim_bench

        if args.csim:
            csim_bench.main(args.repeat)
        if args.csim_agreement:
            csim_bench.main_agreement()
        return
    if args.mobilenet:
        run_mobilenet(args.size, args.width)
        return
    if args.process:
        run_processes(PROCESS_RUNS)
        return
    models = args.models or default_models()
    print(f"{'model':<22} {'stage':<20} {'seconds':>9} {'peak MiB':>9}")
    for model in models:
        results: dict[str, Any] = {}
        for name, stage in stages(model):
            try:
                m = measure(
                    lambda stage=stage, results=results: stage(results),
                    args.repeat,
                    trace=name not in SINGLE_RUN,
                )
            except Exception as error:  # a stage a model does not support yet
                print(
                    f"{model.stem:<22} {name:<20} {'failed':>9}  {str(error).splitlines()[0][:60]}"
                )
                break
            results[name] = m.result
            note = f"  {m.result.text}" if isinstance(m.result, Note) else ""
            peak = "" if math.isnan(m.peak_mib) else f"{m.peak_mib:9.1f}"
            print(f"{model.stem:<22} {name:<20} {m.seconds:9.3f} {peak:>9}{note}")


if __name__ == "__main__":
    main()
