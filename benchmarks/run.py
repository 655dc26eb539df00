"""Compile-time benchmarks: one table row per model and stage, with time and peak memory.

    python benchmarks/run.py [MODEL.onnx ...] [--repeat N]

Without arguments it measures every model in ../shared/models (when present) and
test/models. Each stage runs `--repeat` times (default 3); the table shows the best time and
the peak Python heap (tracemalloc, numpy buffers included) of one more, traced run.
Later stages consume the previous stage's result, as the compiler does.

The backend stages run on the folded module: `emit` (`backend_hls.emit` of the HLS C++
tree into a temporary directory), `g++ build` (the C simulation's one g++ run; measured
once, no heap column: it is a subprocess) and `csim` (`CSIM_FRAMES` copies of the sample
through the compiled testbench, once; the note gives the testbench's frames per second,
the time of the `top()` calls alone).
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

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
    shared = ROOT.parent / "shared" / "models"
    found = sorted(shared.glob("*.onnx")) if shared.is_dir() else []
    return found + sorted((ROOT / "test" / "models").glob("*.onnx"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
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
