"""C simulation of an emitted HLS tree (`backend_hls.emit`) with g++.

    outputs = csim(out_dir, x)                 # float model inputs -> float model outputs
    ints = csim_partition(out_dir, [a])        # the partition's integer inputs -> outputs

`csim` runs the host side of the model with the reference semantics and the partition
as compiled C++:

1. `@pre` of `csim/host.mlir` (the ops of `@main` before the partition: the float input
   quantization, `passes.split_host`) on every frame, with `qdialects.semantics`;
2. the partition's integer inputs go through the accelerator's DMAs exactly as the
   board driver sends them (`backend_hls.runtime`: packed into DMA buffers by
   `runtime.packing`, buffer addresses and the frame count written to the registers,
   ap_start, ap_done), with the testbench (`csim/build.sh`; builds are cached by
   content, see `build`) as the hardware: it runs the DMA IP's processes and `top()`;
   the batch is split over a few such runs in parallel (`default_jobs`);
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

import hashlib
import json
import os
import subprocess
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from xdsl.utils.exceptions import DiagnosticException

from backend_hls import toolchain
from backend_hls.emit_cpp import CXXFLAGS, PCH_FLAGS
from backend_hls.emit_cpp.testbench import OBJECTS
from backend_hls.runtime.accelerator import Accelerator, DeviceError
from backend_hls.runtime.emulator import EmulatedDevice
from backend_hls.runtime.model import InputError, batched_inputs, run_model


class CsimError(DiagnosticException):
    """The C simulation could not be built or run (one-line message)."""


STAMP = "csim/build.stamp"
JOBS_ENV = "QNN_CSIM_JOBS"
"""Environment variable: the number of testbench processes a batch is split over."""


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
    return toolchain.cached_build(
        "csim",
        key,
        out / "csim" / "testbench",
        out / STAMP,
        lambda: _compile(out, script, include, cxx),
    )


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


def _run_chunk(
    binary: Path, io: dict[str, Any], arrays: list[np.ndarray], frames: range
) -> tuple[list[np.ndarray], float]:
    """The frames `frames` of the batch through the testbench as the board driver runs
    them (`runtime.accelerator`, on `runtime.emulator`): the partition's integer
    outputs and the seconds of the accelerator run."""
    registers = io["dma"]["registers"]
    device = EmulatedDevice(binary, registers["size"], registers["ctrl"])
    try:
        outputs = Accelerator(device, io).run([a[frames.start : frames.stop] for a in arrays])
    except DeviceError as error:
        raise CsimError(str(error)) from None
    return outputs, device.run_seconds


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
    binary, build_seconds = build(out, hls_include)
    count = max(1, min(jobs or default_jobs(), frames))
    bounds = [frames * j // count for j in range(count + 1)]
    chunks = [range(bounds[j], bounds[j + 1]) for j in range(count)]
    with ThreadPoolExecutor(max_workers=count) as pool:
        runs = list(pool.map(lambda chunk: _run_chunk(binary, io, arrays, chunk), chunks))
    results = [
        np.concatenate([outputs[k] for outputs, _ in runs], axis=0)
        for k in range(len(io["outputs"]))
    ]
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
    arrays = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
    try:
        batched = batched_inputs(arrays, _arg_shapes(pre))
    except InputError as error:
        raise CsimError(str(error)) from None
    stacked = run_model(
        lambda *args: interpreter.call_op(pre, args),
        lambda *args: interpreter.call_op(post, args),
        lambda ints: csim_partition(out, ints, hls_include=hls_include, stats=stats, jobs=jobs),
        batched,
        len(_io(out)["inputs"]),
    )
    return stacked[0] if len(stacked) == 1 else tuple(stacked)


def clean(out_dir: str | os.PathLike[str]) -> None:
    """Remove the C simulation build products of a tree."""
    out = Path(out_dir) / "csim"
    for name in ("testbench", "build.stamp", *OBJECTS):
        (out / name).unlink(missing_ok=True)
