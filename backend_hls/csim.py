"""C simulation of an emitted HLS tree (`backend_hls.emit`) with g++.

    outputs = csim(out_dir, x)                 # float model inputs -> float model outputs
    ints = csim_partition(out_dir, [a])        # the partition's integer inputs -> outputs

`csim` runs the host side of the model with the reference semantics and the partition
as compiled C++:

1. `@pre` of `csim/host.mlir` (the ops of `@main` before the partition: the float input
   quantization, `passes.split_host`) on every frame, with `qdialects.semantics`;
2. the partition's integer inputs are packed into stream words (`backend_hls.packing`),
   the testbench (`csim/build.sh`; builds are cached by content, see `build`) streams
   the frames through `top()`, split over a few processes running in parallel
   (`default_jobs`), and the output words are unpacked;
3. `@post` (the ops after the partition: the output affine) on every frame.

We split `@main` at emit time rather than swapping the partition's interpreter function
for one that calls the binary: the host module is small (no weights), and the binary
runs once on the whole batch instead of once per frame. Either way no semantics are
duplicated: the host functions run with the same interpreter as everything else.

Frames: the model's `@main` takes one frame (batch 1, e.g. `1x1x28x28`). `x` is either
`N x` that shape (`N x 1 x 1 x 28 x 28`, what `qnn-build` passes) or the frames along
the batch axis (`N x 1 x 28 x 28`). The result stacks the frames' results along the
batch axis (`N x 10` for a `1x10` output); with several outputs, a tuple.

Errors: `CsimError` (one line) for a failed build, a crashing or complaining testbench
(a stream read while empty or left with data is a hardware deadlock in the making), or
inputs of the wrong shape.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from xdsl.utils.exceptions import DiagnosticException

from backend_hls import toolchain
from backend_hls.emit_cpp import CXXFLAGS, PCH_FLAGS
from backend_hls.packing import lane_codes, lane_values, pack_words, unpack_words, word_bytes
from qdialects.types import QDataType


class CsimError(DiagnosticException):
    """The C simulation could not be built or run (one-line message)."""


STAMP = "csim/build.stamp"
JOBS_ENV = "QNN_CSIM_JOBS"
"""Environment variable: the number of testbench processes a batch is split over."""


@functools.cache
def _datatype(text: str) -> QDataType:
    """The datatype printed as `text` (`!quant.int<8>`)."""
    from xdsl.dialects.builtin import TensorType

    from qdialects.ir import parse_module
    from qdialects.types import element_datatype

    module = parse_module(f"func.func private @f(tensor<1x{text}>)")
    func = next(iter(module.ops))
    type_ = func.function_type.inputs.data[0]  # type: ignore[attr-defined]
    assert isinstance(type_, TensorType)
    datatype = element_datatype(type_)
    assert datatype is not None
    return datatype


def _io(out_dir: Path) -> dict[str, Any]:
    path = out_dir / "csim" / "io.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise CsimError(
            f"{out_dir}: no csim/io.json (emit the tree with backend_hls.emit)"
        ) from None


def build_key(out_dir: str | os.PathLike[str], hls_include: str, cxx: str) -> str:
    """The content key of a tree's C simulation build: SHA-256 of the compiler's identity,
    the simulation headers' contents and every source the build reads (`csim/build.sh`,
    `csim/*.cpp`, `hls/**/*.{cpp,h}` by relative path and content). Identical trees in
    different directories have the same key."""
    out = Path(out_dir)
    digest = hashlib.sha256()
    digest.update(toolchain.compiler_identity(cxx).encode() + b"\0")
    digest.update(toolchain.header_digest(hls_include).encode() + b"\0")
    sources = [out / "csim" / "build.sh", *sorted((out / "csim").glob("*.cpp"))]
    sources += sorted(p for p in (out / "hls").rglob("*") if p.suffix in (".cpp", ".h"))
    for path in sources:
        digest.update(path.relative_to(out).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def build(
    out_dir: str | os.PathLike[str], hls_include: str | os.PathLike[str] | None = None
) -> tuple[Path, float]:
    """Build `csim/testbench` and return it with the g++ seconds (0 when nothing compiled).

    Builds are cached by content (`build_key`) in `toolchain.cache_dir()/csim`: a tree
    whose key is cached (built before here or in any identical tree) gets the cached
    binary instead of a compile; `csim/build.stamp` records the key the tree's binary was
    built from. Concurrent builds of one key wait for each other (a lock per key), and
    binaries are renamed into place, so no build sees another's half-written file."""
    out = Path(out_dir)
    include = str(hls_include) if hls_include is not None else str(toolchain.find_ap_types_dir())
    cxx = toolchain.find_cxx()
    script = out / "csim" / "build.sh"
    if not script.is_file():
        raise CsimError(f"{out}: no csim/build.sh (emit the tree with backend_hls.emit)")
    key = build_key(out, include, cxx)
    binary = out / "csim" / "testbench"
    stamp_path = out / STAMP
    if binary.is_file() and stamp_path.is_file() and stamp_path.read_text() == key:
        return binary, 0.0
    stamp_path.unlink(missing_ok=True)
    cache = toolchain.cache_dir() / "csim"
    cached = cache / f"{key}.testbench"
    seconds = 0.0
    with toolchain.locked(cache / f"{key}.lock"):
        if cached.is_file():
            toolchain.install(cached, binary)
        else:
            seconds = _compile(out, script, include, cxx)
            toolchain.install(binary, cached)
    stamp_path.write_text(key)
    return binary, seconds


PCH_HEADER = """\
// Precompiled for qnn's C simulation builds (backend_hls.csim): the template library with
// the Xilinx simulation headers, and the testbench's standard headers.
#include <qnn/qnn.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>
"""


def precompiled_header(out_dir: Path, hls_include: str, cxx: str) -> Path | None:
    """`PCH_HEADER` precompiled (`.gch` beside it) with the C simulation's flags against
    the tree's template library (`hls/lib`), cached by content in
    `toolchain.cache_dir()/csim/pch-KEY/`: parsing the ap_int headers is a third of a
    build. None when g++ cannot precompile it (the build then parses the headers)."""
    lib = out_dir / "hls" / "lib"
    flags = [*CXXFLAGS, *PCH_FLAGS]
    digest = hashlib.sha256()
    for part in (toolchain.compiler_identity(cxx), toolchain.header_digest(hls_include)):
        digest.update(part.encode() + b"\0")
    digest.update(" ".join(flags).encode() + b"\0" + PCH_HEADER.encode() + b"\0")
    for path in sorted((lib / "qnn").glob("*.h")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    key = digest.hexdigest()
    cache = toolchain.cache_dir() / "csim"
    header = cache / f"pch-{key}" / "csim_pch.h"
    gch = header.with_name("csim_pch.h.gch")
    with toolchain.locked(cache / f"pch-{key}.lock"):
        if gch.is_file():
            return header
        header.parent.mkdir(parents=True, exist_ok=True)
        header.write_text(PCH_HEADER)
        tmp = header.with_name(f".csim_pch.h.gch.{os.getpid()}")
        command = [cxx, *flags, "-isystem", hls_include, "-I", str(lib), "-x", "c++-header"]
        proc = subprocess.run(
            [*command, str(header), "-o", str(tmp)], capture_output=True, check=False
        )
        if proc.returncode != 0:
            tmp.unlink(missing_ok=True)
            return None
        os.replace(tmp, gch)
    return header


def _compile(out: Path, script: Path, include: str, cxx: str) -> float:
    """Run `csim/build.sh` with the precompiled header; returns the seconds of both."""
    (out / "csim" / "testbench").unlink(missing_ok=True)
    start = time.perf_counter()
    env = {**os.environ, "CXX": cxx}
    header = precompiled_header(out, include, cxx)
    if header is not None:
        env["QNN_CSIM_PCH"] = str(header)
    proc = subprocess.run(
        ["sh", str(script), include], capture_output=True, text=True, env=env, check=False
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0 or not (out / "csim" / "testbench").is_file():
        output = (proc.stdout + proc.stderr).strip()
        first = next((line for line in output.splitlines() if "error" in line), output[:300])
        raise CsimError(f"C simulation build failed in {out / 'csim'}: {first}")
    return seconds


def _frames_of(array: np.ndarray, frame: Sequence[int], what: str) -> np.ndarray:
    array = np.asarray(array)
    frame = tuple(frame)
    if array.shape[1:] == frame:
        return array
    raise CsimError(f"{what}: expected shape N x {list(frame)}, got {list(array.shape)}")


def default_jobs() -> int:
    """Testbench processes a batch is split over: `$QNN_CSIM_JOBS`, else the CPUs this
    process may run on."""
    value = os.environ.get(JOBS_ENV)
    if value:
        try:
            jobs = int(value)
        except ValueError:
            raise CsimError(f"{JOBS_ENV}={value!r}: expected a positive integer") from None
        if jobs < 1:
            raise CsimError(f"{JOBS_ENV}={value!r}: expected a positive integer")
        return jobs
    return len(os.sched_getaffinity(0))


def _packed_inputs(arrays: list[np.ndarray], specs: list[dict[str, Any]]) -> list[np.ndarray]:
    """Every partition input as stream words, one row of bytes per word."""
    packed = []
    for i, (array, spec) in enumerate(zip(arrays, specs, strict=True)):
        datatype = _datatype(spec["datatype"])
        values = np.asarray(array, dtype=np.int64)
        if values.size and (values.min() < datatype.min_value or values.max() > datatype.max_value):
            raise CsimError(f"partition input {i}: values do not fit {spec['datatype']}")
        lanes = values.reshape(-1, spec["lanes"])
        packed.append(pack_words(lane_codes(lanes, datatype), spec["bits"]))
    return packed


def _run_chunk(
    binary: Path, packed: list[np.ndarray], io: dict[str, Any], frames: range, tmp: Path
) -> tuple[list[np.ndarray], float]:
    """The testbench on `frames` (a slice of the batch; its files in `tmp`): the output
    stream words (one row of bytes per word, per output) and the seconds of its `top()`
    calls."""
    tmp.mkdir()
    args = [str(binary), str(len(frames))]
    for i, (words, spec) in enumerate(zip(packed, io["inputs"], strict=True)):
        per_frame = spec["words_per_frame"]
        path = tmp / f"in{i}.bin"
        words[frames.start * per_frame : frames.stop * per_frame].tofile(path)
        args.append(str(path))
    out_paths = [tmp / f"out{i}.bin" for i in range(len(io["outputs"]))]
    args += [str(path) for path in out_paths]
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        message = (proc.stderr or proc.stdout).strip().splitlines()
        raise CsimError(
            f"the C simulation failed (exit {proc.returncode}): "
            f"{message[0] if message else 'no output'}"
        )
    warnings = [line for line in proc.stdout.splitlines() if "WARNING" in line]
    if warnings:
        raise CsimError(f"the C simulation misbehaved: {warnings[0]}")
    seconds = 0.0
    for line in proc.stdout.splitlines():
        if line.startswith("qnn-csim:"):
            seconds = float(line.split(" in ")[1].split()[0])
    words = [
        np.fromfile(path, dtype=np.uint8).reshape(-1, word_bytes(spec["word_bits"]))
        for path, spec in zip(out_paths, io["outputs"], strict=True)
    ]
    return words, seconds


def csim_partition(
    out_dir: str | os.PathLike[str],
    inputs: np.ndarray | Sequence[np.ndarray],
    *,
    hls_include: str | os.PathLike[str] | None = None,
    stats: dict[str, float] | None = None,
    jobs: int | None = None,
) -> list[np.ndarray]:
    """The partition's integer outputs (`N x frame` int64 each) for its integer inputs
    (`N x frame` each, one array per partition operand), computed by the compiled C++.

    The frames are split over `jobs` testbench processes running in parallel (default
    `default_jobs()`, at most one per frame); each streams its frames through `top()`.
    `stats` (optional) receives `build_seconds`, `run_seconds` (the longest process's
    time for its `top()` calls), `frames` and `jobs`."""
    out = Path(out_dir)
    io = _io(out)
    arrays = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
    if len(arrays) != len(io["inputs"]):
        raise CsimError(f"the partition has {len(io['inputs'])} inputs, got {len(arrays)} arrays")
    arrays = [
        _frames_of(a, spec["frame"], f"partition input {i}")
        for i, (a, spec) in enumerate(zip(arrays, io["inputs"], strict=True))
    ]
    frames = arrays[0].shape[0]
    if any(a.shape[0] != frames for a in arrays):
        raise CsimError("the partition inputs disagree on the number of frames")
    packed = _packed_inputs(arrays, io["inputs"])
    binary, build_seconds = build(out, hls_include)
    count = max(1, min(jobs or default_jobs(), frames))
    bounds = [frames * j // count for j in range(count + 1)]
    chunks = [range(bounds[j], bounds[j + 1]) for j in range(count)]
    with (
        tempfile.TemporaryDirectory(prefix="qnn-csim-") as tmp,
        ThreadPoolExecutor(max_workers=count) as pool,
    ):
        runs = list(
            pool.map(
                lambda j: _run_chunk(binary, packed, io, chunks[j], Path(tmp) / str(j)),
                range(count),
            )
        )
    results = []
    for k, spec in enumerate(io["outputs"]):
        datatype = _datatype(spec["datatype"])
        data = np.concatenate([words[k] for words, _ in runs], axis=0)
        if data.shape[0] != frames * spec["words_per_frame"]:
            raise CsimError(f"the C simulation returned {data.shape[0]} words on output {k}")
        codes = unpack_words(data, spec["lanes"], spec["bits"])
        results.append(lane_values(codes, datatype).reshape(frames, *spec["frame"]))
    if stats is not None:
        run_seconds = max(seconds for _, seconds in runs)
        stats.update(
            build_seconds=build_seconds, run_seconds=run_seconds, frames=frames, jobs=count
        )
    return results


def _host(out_dir: Path):
    from qdialects.ir import parse_module
    from qdialects.semantics import make_interpreter

    try:
        text = (out_dir / "csim" / "host.mlir").read_text(encoding="utf-8")
    except OSError:
        raise CsimError(
            f"{out_dir}: no csim/host.mlir (emit the tree with backend_hls.emit)"
        ) from None
    module = parse_module(text)
    interpreter = make_interpreter(module)
    return interpreter, interpreter.get_op_for_symbol("pre"), interpreter.get_op_for_symbol("post")


def _arg_shapes(function: Any) -> list[tuple[int, ...]]:
    from xdsl.dialects.builtin import TensorType

    shapes = []
    for type_ in function.function_type.inputs.data:
        assert isinstance(type_, TensorType)
        shapes.append(tuple(type_.get_shape()))
    return shapes


def csim(
    out_dir: str | os.PathLike[str],
    inputs: np.ndarray | Sequence[np.ndarray],
    *,
    hls_include: str | os.PathLike[str] | None = None,
    stats: dict[str, float] | None = None,
    jobs: int | None = None,
) -> np.ndarray | tuple[np.ndarray, ...]:
    """The model's outputs for a batch of float inputs (module docstring); `stats` and
    `jobs` as in `csim_partition`."""
    out = Path(out_dir)
    interpreter, pre, post = _host(out)
    shapes = _arg_shapes(pre)
    arrays = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
    if len(arrays) != len(shapes):
        raise CsimError(f"the model has {len(shapes)} inputs, got {len(arrays)} arrays")
    batched: list[np.ndarray] = []
    for i, (array, shape) in enumerate(zip(arrays, shapes, strict=True)):
        array = np.asarray(array)
        if array.shape[1:] == shape:
            batched.append(array)
        elif shape and shape[0] == 1 and array.shape[1:] == shape[1:]:
            batched.append(array.reshape(array.shape[0], *shape))
        else:
            raise CsimError(
                f"input {i}: expected N x {list(shape)} (or N x {list(shape[1:])}), "
                f"got {list(array.shape)}"
            )
    frames = batched[0].shape[0]
    if any(a.shape[0] != frames for a in batched):
        raise CsimError("the inputs disagree on the number of frames")
    n_partition = len(_io(out)["inputs"])

    pre_results = [
        [np.asarray(r) for r in interpreter.call_op(pre, tuple(a[n] for a in batched))]
        for n in range(frames)
    ]
    partition_inputs = [
        np.concatenate([pre_results[n][i] for n in range(frames)], axis=0)
        for i in range(n_partition)
    ]
    partition_outputs = csim_partition(
        out, partition_inputs, hls_include=hls_include, stats=stats, jobs=jobs
    )
    results: list[list[np.ndarray]] = []
    for n in range(frames):
        args = [o[n : n + 1] for o in partition_outputs] + pre_results[n][n_partition:]
        results.append([np.asarray(r) for r in interpreter.call_op(post, tuple(args))])
    stacked = []
    for k in range(len(results[0])):
        per_frame = [results[n][k] for n in range(frames)]
        if per_frame[0].ndim >= 1 and per_frame[0].shape[0] == 1:
            stacked.append(np.concatenate(per_frame, axis=0))
        else:
            stacked.append(np.stack(per_frame, axis=0))
    return stacked[0] if len(stacked) == 1 else tuple(stacked)


def clean(out_dir: str | os.PathLike[str]) -> None:
    """Remove the C simulation build products of a tree."""
    out = Path(out_dir) / "csim"
    for name in ("testbench", "build.stamp"):
        (out / name).unlink(missing_ok=True)
