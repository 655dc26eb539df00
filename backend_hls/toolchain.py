"""Locating the Xilinx simulation headers and compiling C++ (HLS C simulation) with g++.

The project's HLS template library (``backend_hls/lib/qnn``) is compiled for C simulation
against the Xilinx ``ap_int.h`` / ``hls_stream.h`` headers shipped in the ``hls4ml`` package.
Those headers are used in place (``-isystem``), never copied.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import importlib.util
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

#: Directory holding the project's HLS template library (``#include <qnn/qnn.h>``).
LIB_DIR = Path(__file__).resolve().parent / "lib"

#: Flags every C-simulation build uses.
BASE_CXXFLAGS: tuple[str, ...] = ("-std=c++14", "-Wall", "-Wextra", "-Werror")


#: Environment variable naming qnn's cache directory (default: the user's cache directory).
CACHE_ENV = "QNN_CACHE_DIR"


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


def cache_dir() -> Path:
    """qnn's cache directory: ``$QNN_CACHE_DIR``, else ``$XDG_CACHE_HOME/qnn``, else
    ``~/.cache/qnn`` (not created here)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "qnn"


@functools.cache
def compiler_identity(cxx: str) -> str:
    """The resolved path and ``--version`` banner of the compiler ``cxx`` (part of a build's
    cache key: another compiler or version builds another binary)."""
    path = shutil.which(cxx) or cxx
    proc = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    return f"{os.path.realpath(path)}\n{proc.stdout.strip()}"


@functools.cache
def header_digest(include_dir: str) -> str:
    """SHA-256 of every file under ``include_dir`` (relative paths and contents): the
    simulation headers a build compiles against, by content rather than by location."""
    digest = hashlib.sha256()
    root = Path(include_dir)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (created if missing) while the block runs:
    concurrent builds of the same cache entry wait for each other instead of racing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def cached_build(
    kind: str, key: str, binary: Path, stamp: Path, build: Callable[[], float]
) -> tuple[Path, float]:
    """The executable `binary` for the content key `key`, and the seconds spent building it
    (0.0 when it came from a cache). `binary` is kept when `stamp` holds `key`; else it is
    taken from ``cache_dir()/kind`` when a build of `key` is there (built here or
    anywhere else), else `build()` writes it (returning its seconds) and it is cached.
    Concurrent builds of one key wait for each other (a lock per key); files are
    installed atomically, so no build sees another's half-written file."""
    if binary.is_file() and stamp.is_file() and stamp.read_text() == key:
        return binary, 0.0
    stamp.unlink(missing_ok=True)
    cache = cache_dir() / kind
    cached = cache / f"{key}.{binary.name}"
    seconds = 0.0
    with locked(cache / f"{key}.lock"):
        if cached.is_file():
            install(cached, binary)
        else:
            seconds = build()
            install(binary, cached)
    stamp.write_text(key)
    return binary, seconds


def install(src: Path, dst: Path) -> None:
    """Place a copy of the file ``src`` at ``dst`` atomically (a hard link where possible,
    else a copy, renamed into place): a reader never sees a half-written file."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copy2(src, tmp)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
