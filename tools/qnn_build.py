"""`qnn-build`: the whole flow, from a QONNX model to an HLS/Vivado project with reports.

    qnn-build model.onnx -o OUT [--target-fps N] [--clock-ns T] [--part P]
              [--folding cfg.json] [--csim X.npy] [--hls-include DIR] [--force] [--quiet]
    qnn-build --example digits_mlp_w2a2 -o OUT [--csim [X.npy]]
    qnn-build --list-examples

Stages (one progress line each on stderr, `[k/n] stage  detail  0.12 s`):

 1. import                 `frontend.import_qonnx`
 2. streamline             `lower-quant-to-streamline,streamline`
 3. convert-to-dataflow    `convert-to-dataflow`
 4. folding                `set-folding{target-fps=N clock-ns=T}`, or with `--folding cfg.json`
                           `apply-folding{config=cfg.json}` (FINN's folding format)
 5. hardware               `minimize-bit-width,insert-dwc,insert-fifos,size-fifos`
 6. emit                   `backend_hls.emit` (the HLS C++ tree) and `backend_hls.emit_tcl`
                           (per-layer Vitis HLS scripts, `vivado/stitch.tcl`) for `--part`
                           at `--clock-ns`
 7. report                 `report/estimates.json` (`-t estimates`), `report/folding.json`
                           (`-t folding-json`), `report/index.html` (`backend_hls.report`)
 8. csim (with `--csim`)   `backend_hls.csim`: the batch through the C simulation, frame by
                           frame against qonnx's `execute_onnx` on the original model

Output tree (ARCHITECTURE §6):

    OUT/hls/...                 the HLS C++ project (kernels, top, params, lib) and the
                                per-layer Vitis HLS scripts <layer>_hls.tcl
    OUT/vivado/stitch.tcl       the Vivado block design
    OUT/csim/...                the C simulation (with --csim)
    OUT/report/estimates.json   per-layer cycles and resources, network totals
    OUT/report/folding.json     the folding, FINN's folding-configuration keys
    OUT/report/index.html       self-contained report (table, charts, dataflow graph)
    OUT/report/csim.json        per-frame agreement (with --csim)
    OUT/report/build-info.json  versions, command line, stage times (the only file that
                                differs between two builds of the same inputs)
    OUT/ir/<k>-<stage>.mlir     the module after stages 1-5

Defaults: `--target-fps 10000` (FINN's CNV-class targets are 1k-10k fps, an MLP reaches
far more; 10k keeps small networks cheap and large ones honest), `--clock-ns 10`
(100 MHz), `--part xc7z020clg400-1` (Pynq-Z1).

Atomicity: the tree is built in a temporary directory beside OUT and renamed to OUT at
the end. Any failure prints one line `qnn-build: error: ...` (after the progress lines of
the stages that finished), exits 1 and leaves no OUT (an existing OUT is untouched). An
existing OUT must be an empty directory unless `--force` is given, which replaces it
(never a directory holding the model or an input, nor the working directory or one of
its parents). One exception: when the C simulation runs but disagrees with qonnx
(max relative difference above 1e-5 of the reference's largest magnitude, or any (tie-aware) argmax
difference), OUT *is* written — it is a valid project and `report/csim.json` records the
disagreement — and qnn-build exits 1.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import math
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from backend_hls.targets import sibling_directory
from tools.errors import (
    UserError,
    _user_errors,
    describe,
    one_line,
    refuse_directory,
    run_cli,
)

TOOL = "qnn-build"
DEFAULT_TARGET_FPS = 10000.0
DEFAULT_CLOCK_NS = 10.0
DEFAULT_PART = "xc7z020clg400-1"
CSIM_RTOL = 1e-5
"""A C-simulation frame agrees with qonnx when every element is within `CSIM_RTOL` times
the reference frame's largest magnitude (plus `CSIM_ATOL`) and the argmax is equal."""
CSIM_ATOL = 1e-6
TRACEBACK_VARIABLE = "QNN_BUILD_TRACEBACK"
"""Set (to anything) to let an internal error's traceback through instead of one line."""
HARDWARE_PASSES = ("minimize-bit-width", "insert-dwc", "insert-fifos", "size-fifos")


class StageUnavailable(UserError):
    """A stage whose pass, target or emitter is not in this version of qnn."""

    def __init__(self, stage: str):
        super().__init__(f"stage {stage} is not available yet")


class CsimMismatch(UserError):
    """The C simulation disagrees with qonnx (the tree is still written)."""


# --------------------------------------------------------------------------- options


@dataclass
class BuildOptions:
    model: Path
    out: Path
    target_fps: float = DEFAULT_TARGET_FPS
    clock_ns: float = DEFAULT_CLOCK_NS
    part: str = DEFAULT_PART
    folding: Path | None = None
    csim: Path | None = None
    hls_include: Path | None = None
    force: bool = False
    quiet: bool = False
    name: str | None = None
    command: list[str] = field(default_factory=list)

    @property
    def design_name(self) -> str:
        return self.name or self.model.stem


def list_examples() -> dict[str, Path]:
    """Shipped example models (`frontend.examples.EXAMPLES`) by name, those present."""
    try:
        from frontend.examples import EXAMPLES
    except ImportError:
        return {}
    return {name: path for name, path in sorted(EXAMPLES.items()) if path.is_file()}


def example_summary(name: str, path: Path) -> str:
    """`name  input 1x1x8x8  test accuracy 93.1 %` (what the example's JSON tells)."""
    parts = [name]
    sample = path.with_name(f"{name}.in.npy")
    if sample.is_file():
        try:
            shape = np.load(sample, mmap_mode="r").shape
            parts.append("input " + "x".join(str(d) for d in shape))
        except (OSError, ValueError):
            pass
    info = path.with_name(f"{name}.json")
    if info.is_file():
        try:
            data = json.loads(info.read_text())
            accuracy = data.get("qonnx_accuracy", data.get("pytorch_accuracy"))
            if isinstance(accuracy, int | float):
                scale = 100 if accuracy <= 1 else 1
                parts.append(f"test accuracy {accuracy * scale:.1f} %")
        except (OSError, ValueError, AttributeError):
            pass
    return "  ".join(parts)


# --------------------------------------------------------------------------- progress


class Progress:
    """One line per stage on stderr: `[k/n] stage  detail  0.12 s`. On a terminal the
    line appears when the stage starts and is completed in place."""

    def __init__(self, total: int, quiet: bool):
        self.total = total
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.index = 0

    def start(self, name: str) -> None:
        self.index += 1
        if self.tty and not self.quiet:
            sys.stderr.write(f"[{self.index}/{self.total}] {name} …")
            sys.stderr.flush()

    def done(self, name: str, detail: str, seconds: float) -> None:
        if self.quiet:
            return
        text = f"[{self.index}/{self.total}] {name:<20} {detail:<44} {seconds:6.2f} s"
        if self.tty:
            sys.stderr.write("\r\x1b[K" + text.rstrip() + "\n")
        else:
            sys.stderr.write(text.rstrip() + "\n")
        sys.stderr.flush()

    def failed(self) -> None:
        if self.tty and not self.quiet:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


# --------------------------------------------------------------------------- stages


def _load_pass(name: str) -> type[ModulePass]:
    from passes.registry import QNN_PASSES

    loader = QNN_PASSES.get(name)
    if loader is None:
        raise StageUnavailable(name)
    try:
        return loader()
    except ImportError:
        raise StageUnavailable(name) from None


def _passes(*names: str) -> list[ModulePass]:
    return [_load_pass(name)() for name in names]


def _run(module: ModuleOp, passes: Sequence[ModulePass]) -> None:
    from passes.pipeline import run_pipeline

    run_pipeline(module, passes)


def _partition(module: ModuleOp) -> Any:
    from qdialects.dataflow import PartitionOp

    partitions = [op for op in module.walk() if isinstance(op, PartitionOp)]
    return partitions[0] if len(partitions) == 1 else None


def _count_ops(module: ModuleOp) -> int:
    return sum(1 for _ in module.walk()) - 1


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _fmt_int(n: float) -> str:
    return f"{n:,.0f}"


class Build:
    """One build: the stages in order, writing into `tmp` (renamed to `options.out` by
    `commit`)."""

    def __init__(self, options: BuildOptions, tmp: Path):
        self.options = options
        self.tmp = tmp
        self.module: ModuleOp | None = None
        self.estimates: dict[str, Any] | None = None
        self.csim_report: dict[str, Any] | None = None
        self.times: dict[str, float] = {}
        self.ir_count = 0
        self.csim_error: str | None = None
        self.frames: np.ndarray | None = None
        self.csim_stats: dict[str, float] = {}
        if options.csim is not None:  # a bad input fails before the build starts
            self.frames = load_frames(options.csim, options.model)

    # ------------------------------------------------------------------ helpers

    @property
    def mod(self) -> ModuleOp:
        assert self.module is not None
        return self.module

    def dump_ir(self, stage: str) -> None:
        from qdialects.ir import print_module

        self.ir_count += 1
        path = self.tmp / "ir" / f"{self.ir_count}-{stage}.mlir"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(print_module(self.mod) + "\n", encoding="utf-8")

    def write_json(self, relative: str, data: Any) -> None:
        path = self.tmp / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")

    def layer_count(self) -> int:
        partition = _partition(self.mod)
        return len(partition.layers()) if partition is not None else 0

    # ------------------------------------------------------------------ stages

    def stages(self) -> list[tuple[str, Callable[[], str]]]:
        stages: list[tuple[str, Callable[[], str]]] = [
            ("import", self.stage_import),
            ("streamline", self.stage_streamline),
            ("convert-to-dataflow", self.stage_dataflow),
            ("folding", self.stage_folding),
            ("hardware", self.stage_hardware),
            ("emit", self.stage_emit),
            ("report", self.stage_report),
        ]
        if self.options.csim is not None:
            stages.append(("csim", self.stage_csim))
        return stages

    def stage_import(self) -> str:
        from frontend import import_qonnx

        self.module = import_qonnx(self.options.model)
        self.dump_ir("import")
        return f"{_plural(_count_ops(self.mod), 'op')}"

    def stage_streamline(self) -> str:
        _run(self.mod, _passes("lower-quant-to-streamline", "streamline"))
        self.dump_ir("streamline")
        return f"{_plural(_count_ops(self.mod), 'op')}"

    def stage_dataflow(self) -> str:
        _run(self.mod, _passes("convert-to-dataflow"))
        if _partition(self.mod) is None:
            raise UserError(
                "the model has no integer region to put into hardware (no dataflow.partition)"
            )
        self.dump_ir("dataflow")
        return _plural(self.layer_count(), "layer")

    def stage_folding(self) -> str:
        opts = self.options
        if opts.folding is not None:
            # FIFO entries (a folding.json written by qnn-build has them) name layers that
            # exist only after insert-fifos: the hardware stage applies the file again
            apply_folding: Any = _load_pass("apply-folding")
            folding = apply_folding(config=str(opts.folding), allow_unknown=True)
        else:
            set_folding: Any = _load_pass("set-folding")
            folding = set_folding(target_fps=opts.target_fps, clock_ns=opts.clock_ns)
        _run(self.mod, [folding])
        self.dump_ir("folding")
        cycles = _partition(self.mod).cycles_per_frame()
        fps = 1e9 / (opts.clock_ns * cycles) if cycles else 0.0
        source = (
            opts.folding.name if opts.folding is not None else "target " + _fmt_int(opts.target_fps)
        )
        return f"{_fmt_int(fps)} fps est. ({source})"

    def stage_hardware(self) -> str:
        passes = _passes(*HARDWARE_PASSES)
        if self.options.folding is not None:
            # the whole configuration again, now that FIFOs exist: their depths (and
            # ram_style) override size-fifos', and a layer name that matches no layer at
            # all is an error here
            apply_folding: Any = _load_pass("apply-folding")
            passes.append(apply_folding(config=str(self.options.folding)))
        _run(self.mod, passes)
        self.dump_ir("hardware")
        from qdialects.dataflow import FIFOOp

        fifos = sum(1 for op in _partition(self.mod).layers() if isinstance(op, FIFOOp))
        return f"{_plural(self.layer_count(), 'layer')}, {_plural(fifos, 'FIFO')}"

    def stage_emit(self) -> str:
        import backend_hls
        from backend_hls.emit_tcl import TclOptions, emit_tcl

        backend_hls.emit(self.mod, self.tmp, self.options.hls_include)
        tcl_options = TclOptions(
            part=self.options.part, clock_ns=self.options.clock_ns, name=self.options.design_name
        )
        scripts = emit_tcl(self.mod, tcl_options)
        for relative, text in scripts.items():
            path = self.tmp / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        files = sum(
            1
            for p in self.tmp.rglob("*")
            if p.is_file() and p.relative_to(self.tmp).parts[0] != "ir"
        )
        kernels = len(scripts) - 1
        return f"{_plural(kernels, 'kernel')}, {_plural(files, 'file')}"

    def stage_report(self) -> str:
        try:
            from backend_hls.estimates_target import estimates_report
            from passes.dataflow_folding import write_folding_json
        except ImportError:
            raise StageUnavailable("report") from None
        self.estimates = estimates_report(self.mod, self.options.clock_ns)
        self.write_json("report/estimates.json", self.estimates)
        self.write_json("report/folding.json", write_folding_json(self.mod))
        self.write_html()
        network = self.estimates.get("network") or {}
        totals = network.get("totals") or {}
        return (
            f"{_fmt_int(network.get('estimated_fps') or 0)} fps, "
            f"{_fmt_int(totals.get('LUT', 0))} LUT, {totals.get('BRAM_18K', 0)} BRAM18"
        )

    def write_html(self) -> None:
        from backend_hls.report import render_html

        assert self.estimates is not None
        info = {
            "model": self.options.design_name,
            "part": self.options.part,
            "clock_ns": self.options.clock_ns,
            "folding": (
                f"apply-folding {self.options.folding.name}"
                if self.options.folding is not None
                else f"set-folding target-fps={self.options.target_fps:g}"
            ),
        }
        html = render_html(self.estimates, self.mod, info=info, csim=self.csim_report)
        path = self.tmp / "report" / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")

    def stage_csim(self) -> str:
        assert self.frames is not None
        report = run_csim(self, self.frames)
        self.csim_report = report
        self.write_json("report/csim.json", report)
        self.write_html()  # again, with the agreement summary
        summary = report["summary"]
        if not summary["agree"]:
            self.csim_error = (
                f"C simulation disagrees with qonnx on {summary['mismatched_frames']} of "
                f"{summary['frames']} frames (first: frame {summary['first_mismatch']}); "
                f"see report/csim.json"
            )
        verdict = "all agree" if summary["agree"] else f"{summary['mismatched_frames']} DIFFER"
        stats = self.csim_stats
        timing = ""
        if "build_seconds" in stats and "run_seconds" in stats:
            timing = f" (g++ {stats['build_seconds']:.1f} s, run {stats['run_seconds']:.2f} s)"
        return f"{_plural(summary['frames'], 'frame')}, {verdict}{timing}"


# --------------------------------------------------------------------------- csim


def model_input_shape(model: Path) -> tuple[str, tuple[int, ...]]:
    """The name and shape of the model's single graph input (initializers excluded)."""
    import onnx

    proto = onnx.load(str(model), load_external_data=False)
    initializers = {init.name for init in proto.graph.initializer}
    inputs = [i for i in proto.graph.input if i.name not in initializers]
    if len(inputs) != 1:
        raise UserError(f"--csim needs a model with one input, {model} has {len(inputs)}")
    dims = inputs[0].type.tensor_type.shape.dim
    shape = tuple(d.dim_value if d.HasField("dim_value") else 1 for d in dims)
    return inputs[0].name, shape


def load_frames(path: Path, model: Path) -> np.ndarray:
    """The frames of `path` as an array `N x model input shape` (each frame batch 1):
    `path` holds either `N x shape[1:]` (first axis = frames) or `N x shape`."""
    from tools.qnn_run import load_input

    x = load_input(str(path))
    _, shape = model_input_shape(model)
    if not np.issubdtype(x.dtype, np.floating):
        raise UserError(f"{path}: expected a float array, got {x.dtype}")
    frame = shape[1:] if shape and shape[0] == 1 else shape
    if x.shape == tuple(shape) and shape and shape[0] == 1:
        frames = x.reshape(1, *shape)
    elif x.ndim == len(frame) + 1 and x.shape[1:] == tuple(frame):
        frames = x.reshape(x.shape[0], 1, *frame)
    elif x.ndim == len(shape) + 1 and x.shape[1:] == tuple(shape):
        frames = x
    else:
        raise UserError(
            f"{path}: shape {list(x.shape)} does not match the model input "
            f"{list(shape)} (expected N x {list(frame)}, or {list(shape)})"
        )
    if frames.shape[0] < 1:
        raise UserError(f"{path}: no frames")
    return np.ascontiguousarray(frames, dtype=np.float32)


def qonnx_reference(model: Path, frames: np.ndarray) -> list[np.ndarray]:
    """qonnx's `execute_onnx` on the original (cleaned-up) model, one frame at a time."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.util.cleanup import cleanup_model

    wrapper = cleanup_model(ModelWrapper(str(model)))
    name_in = wrapper.graph.input[0].name
    name_out = wrapper.graph.output[0].name
    return [np.asarray(execute_onnx(wrapper, {name_in: f})[name_out]) for f in frames]


def tie_aware_argmax(values: np.ndarray) -> int:
    """The lowest index whose value is within `CSIM_RTOL * (1 + max |value|)` of the
    maximum (`frontend.examples.predict`): quantized logits tie exactly, and equivalent
    float evaluation orders break such ties differently in the last bit."""
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    if flat.size == 0:
        return -1
    tolerance = CSIM_RTOL * (1.0 + float(np.max(np.abs(flat))))
    return int(np.argmax(flat >= np.max(flat) - tolerance))


def compare_frame(reference: np.ndarray, got: np.ndarray) -> dict[str, Any]:
    """Agreement of one frame: max abs/rel difference, argmax of each, verdict."""
    ref = np.asarray(reference, dtype=np.float64).reshape(-1)
    out = np.asarray(got, dtype=np.float64).reshape(-1)
    if ref.shape != out.shape:
        return {
            "agree": False,
            "reason": f"shape {list(np.shape(got))} instead of {list(np.shape(reference))}",
        }
    diff = np.abs(ref - out)
    scale = float(np.max(np.abs(ref))) if ref.size else 0.0
    max_abs = float(np.max(diff)) if diff.size else 0.0
    max_rel = max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else math.inf)
    arg_ref, arg_out = tie_aware_argmax(ref), tie_aware_argmax(out)
    agree = bool(np.all(diff <= CSIM_ATOL + CSIM_RTOL * scale)) and arg_ref == arg_out
    return {
        "agree": agree,
        "max_abs_diff": max_abs,
        "max_rel_diff": max_rel,
        "argmax_reference": arg_ref,
        "argmax_csim": arg_out,
    }


def run_csim(build: Build, frames: np.ndarray) -> dict[str, Any]:
    """C simulation of every frame (one `backend_hls.csim` call on the batch), compared
    with qonnx frame by frame."""
    import backend_hls

    options = build.options
    stats: dict[str, float] = {}
    outputs = backend_hls.csim(build.tmp, frames, hls_include=options.hls_include, stats=stats)
    build.csim_stats = stats
    got = _csim_frames(outputs, len(frames))
    reference = qonnx_reference(options.model, frames)
    rows = []
    for index, (ref, out) in enumerate(zip(reference, got, strict=True)):
        rows.append({"frame": index, **compare_frame(ref, out)})
    mismatched = [r["frame"] for r in rows if not r["agree"]]
    finite = [r for r in rows if "max_abs_diff" in r]
    summary = {
        "frames": len(rows),
        "agree": not mismatched,
        "mismatched_frames": len(mismatched),
        "first_mismatch": mismatched[0] if mismatched else None,
        "argmax_agreement": sum(
            1 for r in rows if r.get("argmax_reference") == r.get("argmax_csim")
        ),
        "max_abs_diff": max((r["max_abs_diff"] for r in finite), default=None),
        "max_rel_diff": max((r["max_rel_diff"] for r in finite), default=None),
        "rtol": CSIM_RTOL,
        "atol": CSIM_ATOL,
        "input": options.csim.name if options.csim is not None else None,
    }
    return {"summary": summary, "frames": rows}


def _csim_frames(outputs: Any, count: int) -> list[np.ndarray]:
    """The C simulation's result as one array per frame (batch 1 each)."""
    if isinstance(outputs, list | tuple):
        if len(outputs) != 1:
            raise UserError(f"csim: expected one model output, got {len(outputs)}")
        outputs = outputs[0]
    array = np.asarray(outputs)
    if array.shape[0] != count:
        raise UserError(f"csim: {array.shape[0]} result frames for {count} input frames")
    return [array[i : i + 1] for i in range(count)]


def print_csim_summary(report: dict[str, Any], stream: Any = None) -> None:
    """The per-frame agreement on stdout (every frame up to 20, then only mismatches)."""
    stream = stream or sys.stdout
    summary = report["summary"]
    rows = report["frames"]
    show = rows if len(rows) <= 20 else [r for r in rows if not r["agree"]][:20]
    if show:
        stream.write("frame  agree  max |diff|    max rel diff  argmax (qonnx / csim)\n")
    for r in show:
        if "max_abs_diff" not in r:
            stream.write(f"{r['frame']:>5}  no     {r.get('reason', '')}\n")
            continue
        stream.write(
            f"{r['frame']:>5}  {'yes' if r['agree'] else 'NO ':<5}  {r['max_abs_diff']:<12.3g}  "
            f"{r['max_rel_diff']:<12.3g}  {r['argmax_reference']} / {r['argmax_csim']}\n"
        )
    max_abs = summary["max_abs_diff"]
    max_rel = summary["max_rel_diff"]
    stream.write(
        f"csim: {summary['frames'] - summary['mismatched_frames']}/{summary['frames']} frames "
        f"agree with qonnx (rtol {summary['rtol']:g}), argmax "
        f"{summary['argmax_agreement']}/{summary['frames']}, max |diff| "
        f"{'n/a' if max_abs is None else f'{max_abs:.3g}'}, max rel diff "
        f"{'n/a' if max_rel is None else f'{max_rel:.3g}'}\n"
    )
    stream.flush()


# --------------------------------------------------------------------------- output


def _is_within(path: Path, directory: Path) -> bool:
    try:
        path.relative_to(directory)
    except ValueError:
        return False
    return True


def check_out(options: BuildOptions) -> None:
    """Refuse an OUT that cannot (or must not) be replaced, before building."""
    out = options.out
    parent = out.parent
    if not parent.is_dir():
        raise UserError(f"{out}: directory {parent} does not exist")
    if out.exists() or out.is_symlink():
        if not out.is_dir() or out.is_symlink():
            raise UserError(f"{out}: exists and is not a directory")
        if any(out.iterdir()) and not options.force:
            raise UserError(f"{out}: directory is not empty (use --force to replace it)")
    resolved = out.resolve()
    if _is_within(Path.cwd().resolve(), resolved):
        raise UserError(f"{out}: refusing to build into the working directory or a parent of it")
    for what, path in (
        ("the model", options.model),
        ("the folding configuration", options.folding),
        ("the --csim input", options.csim),
        ("the --hls-include directory", options.hls_include),
    ):
        if path is not None and _is_within(path.resolve(), resolved):
            raise UserError(f"{out}: refusing to replace a directory holding {what} ({path})")


def commit(tmp: Path, options: BuildOptions) -> None:
    """Rename the finished tree to OUT (replacing an empty OUT, or any OUT with --force)."""
    out = options.out
    old: Path | None = None
    if out.exists():
        check_out(options)
        if any(out.iterdir()):
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, old / out.name)
        else:
            out.rmdir()
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def build_info(options: BuildOptions, times: dict[str, float], started: float) -> dict[str, Any]:
    import subprocess

    compiler = None
    cxx = os.environ.get("CXX", "g++")
    if shutil.which(cxx):
        try:
            version = subprocess.run(
                [cxx, "--version"], capture_output=True, text=True, timeout=10, check=False
            )
            compiler = version.stdout.splitlines()[0] if version.stdout else None
        except (OSError, subprocess.SubprocessError):
            compiler = None
    return {
        "tool": TOOL,
        "command": options.command,
        "model": str(options.model),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "seconds": {k: round(v, 4) for k, v in times.items()},
        "total_seconds": round(sum(times.values()), 4),
        "versions": {
            "qnn": _version("qnn"),
            "xdsl": _version("xdsl"),
            "qonnx": _version("qonnx"),
            "onnx": _version("onnx"),
            "numpy": _version("numpy"),
            "python": platform.python_version(),
            "cxx": compiler,
        },
        "host": platform.platform(),
    }


def describe_failure(error: Exception) -> str:
    """One line for an error that is not a user error: the toolchain's (missing g++ or
    headers, a C++ compile error: its first diagnostic) or an internal one."""
    from backend_hls.toolchain import CompileError, ToolchainError

    if isinstance(error, ToolchainError):
        return one_line(str(error))
    if isinstance(error, CompileError):
        diagnostics = [line for line in error.output.splitlines() if "error" in line]
        first = one_line(diagnostics[0] if diagnostics else error.output) or "no diagnostics"
        return f"C++ compilation failed: {first}"
    return (
        f"internal error: {type(error).__name__}: {one_line(str(error)) or 'no message'} "
        f"(set {TRACEBACK_VARIABLE}=1 for the traceback)"
    )


def build(options: BuildOptions) -> int:
    """Run the whole flow; returns the exit status (0, or 1 on a C-simulation mismatch
    after writing OUT). User errors raise (see `tools.errors`)."""
    check_out(options)
    started = time.time()
    tmp = sibling_directory(options.out)  # with the umask's permissions, unlike mkdtemp
    committed = False
    try:
        job = Build(options, tmp)  # checks the --csim input
        stages = job.stages()
        progress = Progress(len(stages), options.quiet)
        for name, stage in stages:
            progress.start(name)
            begin = time.perf_counter()
            try:
                detail = stage()
            except StageUnavailable:
                progress.failed()
                raise
            except _user_errors() as error:
                progress.failed()
                raise UserError(f"{name}: {describe(error)}") from None
            except Exception as error:
                progress.failed()
                if os.environ.get(TRACEBACK_VARIABLE):
                    raise
                raise UserError(f"{name}: {describe_failure(error)}") from None
            except BaseException:
                progress.failed()
                raise
            job.times[name] = time.perf_counter() - begin
            progress.done(name, detail, job.times[name])
        info = build_info(options, job.times, started)
        if job.csim_stats:
            info["csim"] = {k: round(float(v), 4) for k, v in job.csim_stats.items()}
        job.write_json("report/build-info.json", info)
        commit(tmp, options)
        committed = True
        if job.csim_report is not None:
            print_csim_summary(job.csim_report)
        if not options.quiet:
            total = sum(job.times.values())
            sys.stderr.write(f"{TOOL}: wrote {options.out} in {total:.2f} s\n")
        if job.csim_error is not None:
            raise CsimMismatch(job.csim_error)
        return 0
    finally:
        if not committed:
            shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- CLI


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UserError(f"{message} (see --help)")


def _positive(kind: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{kind} must be a number, got {text!r}") from None
        if not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"{kind} must be positive, got {text!r}")
        return value

    return parse


def _epilog() -> str:
    examples = list_examples()
    shipped = (
        "\n".join(f"  {example_summary(n, p)}" for n, p in examples.items())
        if examples
        else "  (none shipped in this installation)"
    )
    return (
        "shipped examples (--example NAME, --list-examples):\n"
        f"{shipped}\n\n"
        "Output: OUT/hls (HLS C++ and per-layer Vitis HLS TCL), OUT/vivado/stitch.tcl,\n"
        "OUT/csim, OUT/report (estimates.json, folding.json, index.html, csim.json,\n"
        "build-info.json), OUT/ir/<k>-<stage>.mlir. OUT is written only when the build\n"
        "succeeds; a C simulation that disagrees with qonnx still writes OUT and exits 1."
    )


def parse_arguments(args: Sequence[str] | None) -> BuildOptions | None:
    parser = _Parser(
        prog=TOOL,
        description="Compile a QONNX model into an FPGA dataflow accelerator: HLS C++, "
        "Vitis HLS and Vivado TCL, reports, and optionally a C simulation checked against qonnx.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("model", nargs="?", help="the QONNX model (.onnx); omit with --example")
    parser.add_argument("-o", "--output", metavar="OUT", help="the output directory")
    parser.add_argument(
        "--target-fps",
        type=_positive("--target-fps"),
        default=None,
        metavar="N",
        help=f"frames per second set-folding aims for (default {DEFAULT_TARGET_FPS:g})",
    )
    parser.add_argument(
        "--clock-ns",
        type=_positive("--clock-ns"),
        default=DEFAULT_CLOCK_NS,
        metavar="T",
        help=f"clock period in ns (default {DEFAULT_CLOCK_NS:g}, i.e. 100 MHz)",
    )
    parser.add_argument(
        "--part", default=DEFAULT_PART, metavar="P", help=f"FPGA part (default {DEFAULT_PART})"
    )
    parser.add_argument(
        "--folding",
        metavar="CFG.json",
        help="apply this FINN folding configuration instead of set-folding",
    )
    parser.add_argument(
        "--csim",
        nargs="?",
        const="",
        default=None,
        metavar="X.npy",
        help="C-simulate these inputs (N x the model's input shape without its batch axis, "
        "or exactly the model's input shape) and compare each frame with qonnx; with "
        "--example the value may be omitted (the example's sample input)",
    )
    parser.add_argument(
        "--example", metavar="NAME", help="build a shipped example model (see below)"
    )
    parser.add_argument(
        "--list-examples", action="store_true", help="list the shipped examples and exit"
    )
    parser.add_argument(
        "--hls-include",
        metavar="DIR",
        help="directory with the Xilinx simulation headers (ap_int.h, hls_stream.h) that "
        "--csim compiles against and OUT/csim/build.sh records (default: $QNN_AP_TYPES_DIR, "
        "else hls4ml's copy)",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace OUT if it exists and is not empty"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    ns = parser.parse_args(args)

    examples = list_examples()
    if ns.list_examples:
        for name, path in examples.items():
            print(example_summary(name, path))
        return None

    example_input: Path | None = None
    if ns.example is not None:
        if ns.model is not None:
            raise UserError("give either MODEL or --example, not both (see --help)")
        if ns.example not in examples:
            known = ", ".join(examples) or "none"
            raise UserError(f"unknown example {ns.example!r} (shipped: {known})")
        model = examples[ns.example]
        sample = model.with_name(f"{ns.example}.in.npy")
        example_input = sample if sample.is_file() else None
    elif ns.model is None:
        raise UserError("missing MODEL (or --example NAME) (see --help)")
    else:
        refuse_directory(ns.model)
        model = Path(ns.model)
    if ns.output is None:
        raise UserError("missing -o OUT (see --help)")
    if not model.is_file():
        raise UserError(f"{model}: no such file")
    if model.suffix != ".onnx":
        raise UserError(f"{model}: expected a .onnx model")
    if ns.folding is not None and ns.target_fps is not None:
        raise UserError("--folding and --target-fps exclude each other (see --help)")
    folding = Path(ns.folding) if ns.folding is not None else None
    if folding is not None and not folding.is_file():
        raise UserError(f"{folding}: no such file")
    csim: Path | None = None
    if ns.csim == "":
        if example_input is None:
            raise UserError("--csim needs an input X.npy (see --help)")
        csim = example_input
    elif ns.csim is not None:
        csim = Path(ns.csim)
        if not csim.is_file():
            raise UserError(f"{csim}: no such file")
    include: Path | None = None
    if ns.hls_include is not None:
        include = Path(ns.hls_include).resolve()
        for header in ("ap_int.h", "hls_stream.h"):
            if not (include / header).is_file():
                raise UserError(f"{ns.hls_include}: no {header} there (--hls-include)")
    if not ns.part or any(c.isspace() or not c.isprintable() for c in ns.part):
        raise UserError(f"--part must be a non-empty word, got {ns.part!r}")
    return BuildOptions(
        model=model,
        out=Path(ns.output),
        target_fps=ns.target_fps if ns.target_fps is not None else DEFAULT_TARGET_FPS,
        clock_ns=ns.clock_ns,
        part=ns.part,
        folding=folding,
        csim=csim,
        hls_include=include,
        force=ns.force,
        quiet=ns.quiet,
        name=_design_name(ns.example or model.stem),
        command=[TOOL, *(args if args is not None else sys.argv[1:])],
    )


def _design_name(stem: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", stem) or "model"


def _main(args: Sequence[str] | None) -> int:
    options = parse_arguments(args)
    if options is None:
        return 0
    return build(options)


def main(args: Sequence[str] | None = None) -> None:
    run_cli(TOOL, lambda: _main(args))


if __name__ == "__main__":
    main()
