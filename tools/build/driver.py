"""`build`: run the stages in order into an output directory and return what they made."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from backend_hls.toolchain import CompileError, ToolchainError
from tools.build.options import BuildOptions, BuildResult
from tools.build.stages import BuildState, Stage, stages
from tools.errors import UserError, _user_errors, describe, one_line


class BuildError(UserError):
    """A stage failed on what it was given (the model, an option, a missing tool): one
    line, `<stage>: <reason>`; the original exception is the `__cause__`."""

    def __init__(self, stage: str, reason: str):
        super().__init__(f"{stage}: {reason}")
        self.stage = stage


class BuildListener(Protocol):
    """Told when each stage starts and finishes (`qnn-build` prints its progress lines)."""

    def stage_started(self, index: int, total: int, stage: str) -> None: ...

    def stage_finished(self, stage: str, detail: str, seconds: float) -> None: ...


def build(
    model: str | os.PathLike[str],
    out: str | os.PathLike[str],
    options: BuildOptions | None = None,
    *,
    listener: BuildListener | None = None,
    invocation: Sequence[str] = (),
) -> BuildResult:
    """Build the QONNX `model` into the directory `out` (created if missing; it must be
    empty): the HLS project, the TCL scripts, the reports, `ir/`, with `options.csim`
    the C simulation checked against qonnx, with `options.rtl` the RTL tree and with
    `options.rtlsim` its simulation checked against qonnx (a disagreement is in the
    result, not an exception).

    `invocation` is the command line `report/build-info.json` records. A user error
    raises `BuildError` naming the stage (or `UserError` for a bad `options.csim` or
    `options.rtlsim` input or a `options.shell` part without a Zynq processing system,
    before the first stage); anything else is a bug in qnn and keeps its traceback. A
    failed build leaves `out` partly written: `qnn-build` builds in a temporary
    directory and renames it."""
    model, out = Path(model), Path(out)
    options = options or BuildOptions()
    _prepare(out)
    started = time.time()
    state = BuildState(model, out, options)
    _check_inputs(state)
    plan = stages(options)
    seconds: dict[str, float] = {}
    for index, stage in enumerate(plan, start=1):
        if listener is not None:
            listener.stage_started(index, len(plan), stage.name)
        begin = time.perf_counter()
        detail = _run(stage, state)
        seconds[stage.name] = time.perf_counter() - begin
        if listener is not None:
            listener.stage_finished(stage.name, detail, seconds[stage.name])
    info = build_info(model, invocation, seconds, started)
    if state.csim_stats:
        info["csim"] = {k: round(float(v), 4) for k, v in state.csim_stats.items()}
    if state.rtlsim_stats:
        info["rtlsim"] = {k: round(float(v), 4) for k, v in state.rtlsim_stats.items()}
    state.write_json("report/build-info.json", info)
    assert state.estimates is not None, "the report stage always runs"
    return BuildResult(
        out=out,
        module=state.mod,
        estimates=state.estimates,
        csim=state.csim_report,
        warnings=list(state.warnings),
        seconds=seconds,
        csim_stats=dict(state.csim_stats),
        rtlsim=state.rtlsim_report,
        pnr=state.pnr_report,
    )


def _check_inputs(state: BuildState) -> None:
    """Load the simulations' input frames and check the shell's part, so that a bad
    input fails before the first stage."""
    options = state.options
    if options.csim is not None or options.rtlsim is not None:
        from tools.build.compare import load_frames

        if options.csim is not None:
            state.frames = load_frames(options.csim, state.model)
        if options.rtlsim is not None:
            state.rtlsim_frames = load_frames(options.rtlsim, state.model)
    if options.shell is not None:  # a part without a processing system
        from backend_hls.boards import ShellError, shell_board

        try:
            shell_board(options.part, options.board)
        except ShellError as error:
            raise UserError(str(error)) from None


def _prepare(out: Path) -> None:
    if out.is_dir() and any(out.iterdir()):
        raise UserError(f"{out}: directory is not empty")
    out.mkdir(exist_ok=True)


def _run(stage: Stage, state: BuildState) -> str:
    """Run one stage; a user error or a toolchain problem becomes a `BuildError`."""
    try:
        return stage.run(state)
    except _user_errors() as error:
        raise BuildError(stage.name, describe(error)) from error
    except ToolchainError as error:
        raise BuildError(stage.name, one_line(str(error))) from error
    except CompileError as error:
        diagnostics = [line for line in error.output.splitlines() if "error" in line]
        first = one_line(diagnostics[0] if diagnostics else error.output) or "no diagnostics"
        raise BuildError(stage.name, f"C++ compilation failed: {first}") from error


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _compiler() -> str | None:
    """The first line of `$CXX --version` (g++ by default), None if there is none."""
    cxx = os.environ.get("CXX", "g++")
    if not shutil.which(cxx):
        return None
    try:
        version = subprocess.run(
            [cxx, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return version.stdout.splitlines()[0] if version.stdout else None


def build_info(
    model: Path, invocation: Sequence[str], seconds: dict[str, float], started: float
) -> dict[str, Any]:
    """`report/build-info.json`: the command, versions and stage times (the only file
    that differs between two builds of the same inputs)."""
    return {
        "tool": invocation[0] if invocation else "tools.build",
        "command": list(invocation),
        "model": str(model),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "seconds": {k: round(v, 4) for k, v in seconds.items()},
        "total_seconds": round(sum(seconds.values()), 4),
        "versions": {
            "qnn": _version("qnn"),
            "xdsl": _version("xdsl"),
            "qonnx": _version("qonnx"),
            "onnx": _version("onnx"),
            "numpy": _version("numpy"),
            "python": platform.python_version(),
            "cxx": _compiler(),
        },
        "host": platform.platform(),
    }
