"""The stages of a build, in order; each is one function of the build's state.

A stage reads `state.options`, works on `state.module` and writes its files under
`state.out`; it returns the detail of its progress line (`3 layers, 4 FIFOs`). `STAGES`
lists them; a stage whose `when` is false for the options is skipped. Adding one: see
"Adding a build stage" in docs/design.md.

"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

import backend_hls
from backend_fpga.report_html import pnr_section, synth_section
from backend_hls.emit_tcl import TclOptions, emit_tcl
from backend_hls.estimates_target import estimates_report, part_report
from backend_hls.report import render_html
from frontend import import_qonnx
from passes.apply_folding import ApplyFoldingPass
from passes.dataflow_folding import write_folding_json
from passes.defaults import DEFAULT_MAX_UTILIZATION
from passes.lower_quant_to_streamline import require_activation_quantizer
from passes.pipeline import run_pipeline
from passes.pipelines import HARDWARE, STREAMLINE
from passes.set_folding import SetFoldingPass
from qdialects import make_context
from qdialects.dataflow import FIFOOp, find_partition, require_partition
from qdialects.dataflow.estimates import Resources
from qdialects.ir import write_module
from tools.build.options import BuildOptions
from tools.errors import UserError

if TYPE_CHECKING:
    from backend_hls.boards import Board

# What only some builds need (the shell, the simulations, synthesis, the bitstream) is
# imported by its stage: a default build does not load it.


@dataclass
class BuildState:
    """One build in progress: the options, the tree being written and what the stages
    produced so far."""

    model: Path
    out: Path
    options: BuildOptions
    frames: np.ndarray | None = None
    """The C simulation's input frames (loaded before the first stage)."""
    module: ModuleOp | None = None
    estimates: dict[str, Any] | None = None
    csim_report: dict[str, Any] | None = None
    csim_stats: dict[str, float] = field(default_factory=dict)
    rtlsim_frames: np.ndarray | None = None
    """The RTL simulation's input frames (loaded before the first stage)."""
    rtlsim_report: dict[str, Any] | None = None
    rtlsim_stats: dict[str, float] = field(default_factory=dict)
    synth_report: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    pnr_report: dict[str, Any] | None = None
    ir_count: int = 0
    ready: ModuleOp | None = None
    """What the `hardware` pipeline makes of the folded module, when set-folding made it
    while fitting the part (a build without a target frame rate or a folding file): the
    hardware stage takes it instead of running the pipeline again."""

    @property
    def mod(self) -> ModuleOp:
        assert self.module is not None, "the import stage runs first"
        return self.module

    def dump_ir(self, stage: str) -> None:
        """`OUT/ir/<k>-<stage>.mlir`: the module after the k-th stage that dumps it."""
        self.ir_count += 1
        path = self.out / "ir" / f"{self.ir_count}-{stage}.mlir"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as stream:
            write_module(self.mod, stream)
            stream.write("\n")

    def write_text(self, relative: str, text: str) -> None:
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def write_json(self, relative: str, data: Any) -> None:
        self.write_text(relative, json.dumps(data, indent=2, sort_keys=False) + "\n")


@dataclass(frozen=True)
class Stage:
    """A named step of the build; `run` returns its progress detail."""

    name: str
    run: Callable[[BuildState], str]
    when: Callable[[BuildOptions], bool] = lambda _options: True


def stages(options: BuildOptions) -> list[Stage]:
    """The stages a build with `options` runs, in order."""
    return [stage for stage in STAGES if stage.when(options)]


# --------------------------------------------------------------------------- helpers


def _layer_count(module: ModuleOp) -> int:
    return len(require_partition(module, "qnn-build").layers())


def _op_count(module: ModuleOp) -> str:
    return plural(sum(1 for _ in module.walk()) - 1, "op")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def thousands(n: float) -> str:
    return f"{n:,.0f}"


def _run_pipeline(state: BuildState, spec: str | Sequence[ModulePass]) -> None:
    """`spec` on the module, verified once at the end: the stage's input was verified at
    the end of the stage before it (the importer verifies what it builds)."""
    run_pipeline(state.mod, spec, verified_input=True, verify_between=False)


def _apply_folding(config: Path, *, allow_unknown: bool = False) -> ApplyFoldingPass:
    return ApplyFoldingPass(config=str(config), allow_unknown=allow_unknown)


# --------------------------------------------------------------------------- stages


def stage_import(state: BuildState) -> str:
    """`frontend.import_qonnx`."""
    state.module = import_qonnx(state.model)
    state.dump_ir("import")
    return _op_count(state.mod)


def stage_streamline(state: BuildState) -> str:
    """The `quant-to-streamline` pipeline (a model with no activation quantizer is
    refused first, saying what to add)."""
    require_activation_quantizer(state.mod)
    _run_pipeline(state, STREAMLINE)
    state.dump_ir("streamline")
    return _op_count(state.mod)


def stage_dataflow(state: BuildState) -> str:
    """`convert-to-dataflow`; a model without an integer region stops the build."""
    _run_pipeline(state, "convert-to-dataflow")
    if find_partition(state.mod, "qnn-build") is None:
        raise UserError(
            "the model has no integer region to put into hardware (no dataflow.partition)"
        )
    state.dump_ir("dataflow")
    return plural(_layer_count(state.mod), "layer")


def stage_folding(state: BuildState) -> str:
    """`set-folding{target-fps clock-ns}`, or `apply-folding{config}` with a folding file."""
    options = state.options
    if options.folding is not None:
        # FIFO entries (a folding.json written by qnn-build has them) name layers that
        # exist only after insert-fifos: the hardware stage applies the file again
        _run_pipeline(state, [_apply_folding(options.folding, allow_unknown=True)])
    else:
        folding = SetFoldingPass(
            target_fps=options.target_fps, clock_ns=options.clock_ns, part=options.part
        )
        state.ready = folding.fold(make_context(), state.mod)
        state.mod.verify()
    state.dump_ir("folding")
    cycles = require_partition(state.mod, "qnn-build").cycles_per_frame()
    fps = 1e9 / (options.clock_ns * cycles) if cycles else 0.0
    if options.folding is not None:
        source = options.folding.name
    elif options.target_fps is None:
        source = f"as fast as fits {options.part}"
    else:
        source = "target " + thousands(options.target_fps)
    return f"{thousands(fps)} fps est. ({source})"


def stage_hardware(state: BuildState) -> str:
    """The `hardware` pipeline (or the module it made while set-folding fitted the part),
    then the folding file again (its FIFO entries); with `rtl`, a layer the RTL backend
    cannot build stops the build here."""
    if state.ready is not None:
        state.module, state.ready = state.ready, None
    else:
        _run_pipeline(state, HARDWARE)
    if state.options.folding is not None:
        # the whole configuration again, now that FIFOs exist: their depths (and
        # ram_style) override size-fifos', and a layer name that matches no layer at
        # all is an error here
        _run_pipeline(state, [_apply_folding(state.options.folding)])
    if state.options.wants_rtl:
        from passes.convert_dataflow_to_hw import check_supported

        check_supported(require_partition(state.mod, "qnn-build"))
    state.dump_ir("hardware")
    fit = _check_fit(state)
    fifos = sum(
        1 for op in require_partition(state.mod, "qnn-build").layers() if isinstance(op, FIFOOp)
    )
    return f"{plural(_layer_count(state.mod), 'layer')}, {plural(fifos, 'FIFO')}{fit}"


def _check_fit(state: BuildState) -> str:
    """The estimate against the part: a warning (or with `fit="strict"` a user error)
    when a resource is over the allowed share; the progress detail's suffix."""
    options = state.options
    total = sum(
        (layer.estimates() for layer in require_partition(state.mod, "qnn-build").layers()),
        Resources(),
    )
    report = part_report(total, options.part, DEFAULT_MAX_UTILIZATION)
    if report["fits"] is None:
        if options.fit == "strict":
            raise UserError(f"--fit strict: the resources of part {options.part} are unknown")
        return ""
    if report["fits"]:
        return ""
    share = f"{DEFAULT_MAX_UTILIZATION * 100:g} %"
    message = f"the estimate does not fit {options.part} (at most {share} of each resource): "
    message += ", ".join(report["over"])
    bigger = report.get("suggested_part")
    message += f"; a bigger part: {bigger}" if bigger else "; no known part is big enough"
    if options.fit == "strict":
        raise UserError(message)
    state.warnings.append(message)
    return ", does NOT fit"


def stage_emit(state: BuildState) -> str:
    """`backend_hls.emit` (the HLS C++ tree) and `backend_hls.emit_tcl` (per-layer Vitis
    HLS scripts, `vivado/stitch.tcl`) for the part at the clock."""
    backend_hls.emit(state.mod, state.out, state.options.hls_include)
    scripts = emit_tcl(state.mod, _tcl_options(state))
    for relative, text in scripts.items():
        state.write_text(relative, text)
    files = sum(
        1 for p in state.out.rglob("*") if p.is_file() and p.relative_to(state.out).parts[0] != "ir"
    )
    kernels = len(scripts) - 2  # stitch.tcl and the DMA's script
    return f"{plural(kernels, 'kernel')}, {plural(files, 'file')}"


def _tcl_options(state: BuildState) -> TclOptions:
    options = state.options
    return TclOptions(
        part=options.part, clock_ns=options.clock_ns, name=options.design_name(state.model)
    )


def stage_shell(state: BuildState) -> str:
    """With `--shell`/`--board`: `vivado/shell.tcl` (`backend_hls.shell`: the Zynq block
    design around the DMA IP and the accelerator, bitstream, .hwh) and `deploy/`
    (`backend_hls.emit_deploy`: driver, validate, host side, runtime)."""
    from backend_hls.boards import ShellError, shell_board
    from backend_hls.emit_cpp.dma import register_map
    from backend_hls.emit_deploy import write_deploy
    from backend_hls.shell import hls_accelerator, shell_script

    options = state.options
    try:
        board = shell_board(options.part, options.board)
    except ShellError as error:
        raise UserError(str(error)) from None
    partition = require_partition(state.mod, "qnn-build")
    n_in, n_out = len(partition.block.args), len(partition.outputs)
    accel = hls_accelerator(n_in, n_out, register_map(n_in, n_out).size, _tcl_options(state))
    name = options.design_name(state.model)
    state.write_text("vivado/shell.tcl", shell_script(accel, board, _tcl_options(state), name))
    files = write_deploy(state.mod, state.out, name)
    scripts = "vivado/shell.tcl"
    if options.wants_rtl:
        _write_rtl_shell(state, board, name)
        scripts += ", vivado/shell_rtl.tcl"
    return f"{board.name} ({board.ps}), {scripts}, {plural(len(files), 'deploy file')}"


def _write_rtl_shell(state: BuildState, board: Board, name: str) -> None:
    """`rtl_axi/` (`backend_rtl.axi_shell`: the RTL behind its DMAs, its testbench) and
    `vivado/shell_rtl.tcl` (the Zynq shell around it, from the RTL: no Vitis HLS)."""
    from backend_hls.shell import shell_script
    from backend_rtl.axi_shell import axi_files, rtl_accelerator
    from backend_rtl.export import FILELIST
    from backend_rtl.rtlsim import RtlsimError, find_verilator, read_manifest

    rtl = state.out / "rtl"
    try:
        verilator = find_verilator()
    except RtlsimError as error:
        raise UserError(str(error).removeprefix("rtlsim: ")) from None
    manifest = read_manifest(rtl)
    for file, text in axi_files(manifest, rtl, verilator).items():
        state.write_text(f"rtl_axi/{file}", text)
    accel = rtl_accelerator(manifest, (rtl / FILELIST).read_text().split())
    state.write_text("vivado/shell_rtl.tcl", shell_script(accel, board, _tcl_options(state), name))


def stage_report(state: BuildState) -> str:
    """`report/estimates.json` (`-t estimates`), `report/folding.json` (`-t
    folding-json`), `report/index.html` (`backend_hls.report`)."""
    state.estimates = estimates_report(state.mod, state.options.clock_ns, state.options.part)
    state.write_json("report/estimates.json", state.estimates)
    state.write_json("report/folding.json", write_folding_json(state.mod))
    _write_html(state)
    network = state.estimates.get("network") or {}
    totals = network.get("totals") or {}
    return (
        f"{thousands(network.get('estimated_fps') or 0)} fps, "
        f"{thousands(totals.get('LUT', 0))} LUT, {totals.get('BRAM_18K', 0)} BRAM18"
    )


def _write_html(state: BuildState) -> None:
    assert state.estimates is not None
    options = state.options
    info = {
        "model": options.design_name(state.model),
        "part": options.part,
        "clock_ns": options.clock_ns,
        "folding": options.folding_source(),
    }
    sections = [synth_section(state.synth_report)] if state.synth_report else []
    if state.pnr_report:
        sections.append(pnr_section(state.pnr_report))
    html = render_html(
        state.estimates,
        state.mod,
        info=info,
        csim=state.csim_report,
        rtlsim=state.rtlsim_report,
        sections=sections,
    )
    state.write_text("report/index.html", html)


def stage_csim(state: BuildState) -> str:
    """`backend_hls.csim` on the whole batch, each frame compared with qonnx's
    `execute_onnx` on the original model (`report/csim.json`, and the HTML again)."""
    from tools.build.compare import agreement_report, csim_frames

    assert state.frames is not None and state.options.csim is not None
    outputs = backend_hls.csim(
        state.out, state.frames, hls_include=state.options.hls_include, stats=state.csim_stats
    )
    got = csim_frames(outputs, len(state.frames))
    if state.options.csim_out is not None:
        save_array(state.options.csim_out, np.concatenate(got, axis=0))
    source = state.options.csim
    input_name = source.name if isinstance(source, Path) else None
    report = agreement_report(state.model, state.frames, got, input_name)
    state.csim_report = report
    state.write_json("report/csim.json", report)
    _write_html(state)  # again, with the agreement summary
    summary = report["summary"]
    verdict = "all agree" if summary["agree"] else f"{summary['mismatched_frames']} DIFFER"
    stats = state.csim_stats
    timing = ""
    if "build_seconds" in stats and "run_seconds" in stats:
        timing = f" (g++ {stats['build_seconds']:.1f} s, run {stats['run_seconds']:.2f} s)"
    return f"{plural(summary['frames'], 'frame')}, {verdict}{timing}"


def stage_rtl(state: BuildState) -> str:
    """`backend_rtl.emit`: the SystemVerilog tree `OUT/rtl` (one module per layer, the
    top module `qnn_top`, the primitives, `manifest.json`)."""
    from backend_rtl import emit

    files = emit(state.mod, state.out / "rtl")
    modules = sum(1 for name in files if name.endswith(".sv"))
    return f"{plural(modules, 'module')}, {plural(len(files), 'file')}"


def stage_rtlsim(state: BuildState) -> str:
    """Verilator on `OUT/rtl` (`tools.build.rtl.simulate`): every frame with random gaps
    and backpressure compared with qonnx's `execute_onnx`, cycles per frame and latency
    measured at full rate (`report/rtlsim.json`, `OUT/rtlsim/outputs.npy`, the HTML
    again)."""
    from backend_rtl.rtlsim import RtlsimError
    from tools.build import rtl

    frames, source = state.rtlsim_frames, state.options.rtlsim
    assert frames is not None and source is not None
    try:
        run = rtl.simulate(
            state.mod, frames, state.out / "rtl", state.out / "rtlsim", state.options.rtlsim_seed
        )
    except RtlsimError as error:  # its line starts with "rtlsim: ", as the stage's does
        raise UserError(str(error).removeprefix("rtlsim: ")) from error
    save_array(state.out / "rtlsim" / "outputs.npy", np.concatenate(run.got, axis=0))
    input_name = source.name if isinstance(source, Path) else None
    report = rtl.report(state.model, frames, run, input_name, state.options.clock_ns)
    state.rtlsim_report = report
    state.rtlsim_stats = rtl.stats(run)
    state.write_json("report/rtlsim.json", report)
    _write_html(state)  # again, with the measured figures
    summary = report["summary"]
    verdict = "all agree" if summary["agree"] else f"{summary['mismatched_frames']} DIFFER"
    measured = summary["cycles_per_frame"]
    cycles = f"{thousands(measured)}" if measured is not None else "?"
    return (
        f"{plural(summary['frames'], 'frame')}, {verdict}, {cycles} cycles/frame "
        f"(est. {thousands(summary['estimated_cycles_per_frame'])})"
    )


def stage_synth(state: BuildState) -> str:
    """`backend_fpga.synth.synthesize`: every layer of `OUT/rtl` and the top's glue
    through Yosys for the part's family, in `jobs` processes or on the Ray cluster `ray`
    (`OUT/synth`: scripts and logs); `report/synth.json` and the HTML again, synthesized
    beside estimated."""
    from backend_fpga.executor import make_executor
    from backend_fpga.rtl_estimates import rtl_estimates
    from backend_fpga.synth import SynthOptions, synthesize

    options = state.options
    rtl = state.out / "rtl"
    synth_options = SynthOptions(options.part, options.jobs, options.synth_timeout)
    executor = make_executor(options.jobs, options.ray)
    partition = require_partition(state.mod, "qnn-build")
    report = synthesize(
        rtl,
        state.out / "synth",
        synth_options,
        state.estimates,
        executor,
        rtl_estimates(partition),
    )
    state.synth_report = report
    state.write_json("report/synth.json", report)
    _write_html(state)
    totals = report["totals"]["synthesized"]
    luts = totals.get("LUT", 0) + totals.get("LUTRAM", 0)
    return (
        f"{plural(len(report['layers']), 'layer')}: {thousands(luts)} LUT, "
        f"{totals.get('FF', 0)} FF, {totals.get('BRAM18', 0)} BRAM18, "
        f"{totals.get('DSP48', totals.get('DSP', 0))} DSP ({report['family']})"
    )


def stage_bitstream(state: BuildState) -> str:
    """`OUT/bitstream`: the UART top around `qnn_top`, its pins and host script
    (`backend_fpga.uart`), then `synth_ecp5`, nextpnr-ecp5 and ecppack
    (`backend_fpga.pnr`): `qnn_uart_top.bit`; `report/pnr.json` and the HTML again."""
    from backend_fpga.pnr import PnrOptions, bitstream
    from backend_fpga.uart import ULX3S, UartOptions, uart_files, write_files
    from backend_rtl.rtlsim import read_manifest

    options = state.options
    rtl, work = state.out / "rtl", state.out / "bitstream"
    uart = UartOptions(ULX3S, options.uart_baud)
    write_files(uart_files(read_manifest(rtl), uart), work)
    pnr = PnrOptions(options.part, options.clock_ns)
    report = bitstream(rtl, work, pnr, uart.board)
    state.pnr_report = report
    state.write_json("report/pnr.json", report)
    _write_html(state)
    used = report["utilisation"]
    clock = report["clocks"][0] if report["clocks"] else None
    fmax = "no clock" if clock is None else f"Fmax {clock['fmax_mhz']:g} MHz"
    verdict = "" if report["timing_met"] else f" < target {report['target_mhz']:g} MHz"
    return (
        f"{fmax}{verdict}, {used['TRELLIS_COMB']['used']:,} LUT4, "
        f"{used['TRELLIS_FF']['used']:,} FF, {used['DP16KD']['used']} DP16KD, "
        f"{used['MULT18X18D']['used']} MULT18 ({options.part})"
    )


def save_array(path: Path, array: np.ndarray) -> None:
    """`np.save` to `path` through a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.npy")
    try:
        np.save(tmp, array)
        os.replace(tmp, path)
    except OSError as error:
        raise UserError(
            f"{path}: cannot write the simulation's outputs ({error.strerror})"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


STAGES: tuple[Stage, ...] = (
    Stage("import", stage_import),
    Stage("streamline", stage_streamline),
    Stage("convert-to-dataflow", stage_dataflow),
    Stage("folding", stage_folding),
    Stage("hardware", stage_hardware),
    Stage("emit", stage_emit),
    Stage("rtl", stage_rtl, when=lambda options: options.wants_rtl),
    Stage("shell", stage_shell, when=lambda options: options.shell is not None),
    Stage("report", stage_report),
    Stage("csim", stage_csim, when=lambda options: options.csim is not None),
    Stage("rtlsim", stage_rtlsim, when=lambda options: options.rtlsim is not None),
    Stage("synth", stage_synth, when=lambda options: options.synth),
    Stage("bitstream", stage_bitstream, when=lambda options: options.bitstream),
)
"""Every stage, in the order they run."""
