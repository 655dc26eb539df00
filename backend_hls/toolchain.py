"""Locating the Xilinx simulation headers and compiling C++ (HLS C simulation) with g++.

The project's HLS template library (``backend_hls/lib/qnn``) is compiled for C simulation
against the Xilinx ``ap_int.h`` / ``hls_stream.h`` headers shipped in the ``hls4ml`` package.
Those headers are used in place (``-isystem``), never copied.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

#: Directory holding the project's HLS template library (``#include <qnn/qnn.h>``).
LIB_DIR = Path(__file__).resolve().parent / "lib"

#: Flags every C-simulation build uses.
BASE_CXXFLAGS: tuple[str, ...] = ("-std=c++14", "-Wall", "-Wextra", "-Werror")


class ToolchainError(RuntimeError):
    """A required tool or header set is missing."""


class CompileError(RuntimeError):
    """The C++ compiler failed; ``output`` holds its diagnostics."""

    def __init__(self, command: Sequence[str], output: str) -> None:
        self.command = list(command)
        self.output = output
        super().__init__(f"C++ compilation failed: {' '.join(self.command)}\n{output}")


def find_ap_types_dir() -> Path:
    """Return the directory with the Xilinx simulation headers (``ap_int.h``, ``hls_stream.h``).

    ``QNN_AP_TYPES_DIR`` overrides the lookup; otherwise the headers of the installed ``hls4ml``
    package (``hls4ml/templates/vivado/ap_types``) are used.
    """
    override = os.environ.get("QNN_AP_TYPES_DIR")
    candidates: list[Path] = []
    if override:
        candidates.append(Path(override))
    else:
        spec = importlib.util.find_spec("hls4ml")
        if spec is None or not spec.submodule_search_locations:
            raise ToolchainError(
                "the Xilinx simulation headers were not found: install the test dependency "
                "`pip install hls4ml==1.3.0` (or set QNN_AP_TYPES_DIR)"
            )
        for loc in spec.submodule_search_locations:
            candidates.append(Path(loc) / "templates" / "vivado" / "ap_types")
    for cand in candidates:
        if (cand / "ap_int.h").is_file() and (cand / "hls_stream.h").is_file():
            return cand
    raise ToolchainError(
        "ap_int.h / hls_stream.h not found in " + ", ".join(str(c) for c in candidates)
    )


def find_cxx() -> str:
    """Return the C++ compiler to use (``$CXX`` or ``g++``)."""
    cxx = os.environ.get("CXX", "g++")
    if shutil.which(cxx) is None:
        raise ToolchainError(f"C++ compiler {cxx!r} not found on PATH")
    return cxx


def compile_cpp(
    sources: Sequence[str | os.PathLike[str]],
    out_binary: str | os.PathLike[str],
    include_dirs: Sequence[str | os.PathLike[str]] = (),
    extra_flags: Sequence[str] = (),
    *,
    with_qnn_lib: bool = True,
    optimize: str = "-O1",
    timeout: float | None = 600.0,
) -> Path:
    """Compile and link ``sources`` into ``out_binary`` with the project's C-simulation flags.

    The Xilinx headers are added with ``-isystem`` and the qnn template library (unless
    ``with_qnn_lib`` is false) with ``-I``, before ``include_dirs``. Raises ``CompileError`` with
    the compiler output on failure.
    """
    out = Path(out_binary)
    cmd: list[str] = [find_cxx(), *BASE_CXXFLAGS, optimize]
    cmd += ["-isystem", str(find_ap_types_dir())]
    if with_qnn_lib:
        cmd += ["-I", str(LIB_DIR)]
    for inc in include_dirs:
        cmd += ["-I", str(inc)]
    cmd += list(extra_flags)
    cmd += [str(s) for s in sources]
    cmd += ["-o", str(out)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise CompileError(cmd, f"timed out after {timeout} s") from exc
    if proc.returncode != 0:
        raise CompileError(cmd, proc.stdout + proc.stderr)
    return out
