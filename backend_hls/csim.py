"""C simulation of an emitted HLS tree (`backend_hls.emit`) with g++.

    outputs = csim(out_dir, x)                 # float model inputs -> float model outputs
    ints = csim_partition(out_dir, [a])        # the partition's integer inputs -> outputs

`csim` runs the host side of the model with the reference semantics and the partition
as compiled C++:

1. `@pre` of `csim/host.mlir` (the ops of `@main` before the partition: the float input
   quantization, `emit_cpp.split_host`) on every frame, with `qdialects.semantics`;
2. the partition's integer inputs are packed into stream words (`backend_hls.packing`),
   the testbench (`csim/build.sh`, built once per tree and reused while the include
   directory and compiler stay the same) streams all frames through `top()` in one
   process, and the output words are unpacked;
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
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from xdsl.utils.exceptions import DiagnosticException

from backend_hls import toolchain
from backend_hls.packing import lane_codes, lane_values, pack_words, unpack_words, word_bytes
from qdialects.types import QDataType


class CsimError(DiagnosticException):
    """The C simulation could not be built or run (one-line message)."""


STAMP = "csim/build.stamp"


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


def build(
    out_dir: str | os.PathLike[str], hls_include: str | os.PathLike[str] | None = None
) -> tuple[Path, float]:
    """Build `csim/testbench` (unless already built with the same include directory and
    compiler); returns the binary and the build's seconds (0 when reused)."""
    out = Path(out_dir)
    include = str(hls_include) if hls_include is not None else str(toolchain.find_ap_types_dir())
    cxx = toolchain.find_cxx()
    binary = out / "csim" / "testbench"
    stamp = f"{cxx}\n{include}\n"
    stamp_path = out / STAMP
    if binary.is_file() and stamp_path.is_file() and stamp_path.read_text() == stamp:
        return binary, 0.0
    script = out / "csim" / "build.sh"
    if not script.is_file():
        raise CsimError(f"{out}: no csim/build.sh (emit the tree with backend_hls.emit)")
    stamp_path.unlink(missing_ok=True)
    start = time.perf_counter()
    proc = subprocess.run(
        ["sh", str(script), include],
        capture_output=True,
        text=True,
        env={**os.environ, "CXX": cxx},
        check=False,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0 or not binary.is_file():
        output = (proc.stdout + proc.stderr).strip()
        first = next((line for line in output.splitlines() if "error" in line), output[:300])
        raise CsimError(f"C simulation build failed in {out / 'csim'}: {first}")
    stamp_path.write_text(stamp)
    return binary, seconds


def _frames_of(array: np.ndarray, frame: Sequence[int], what: str) -> np.ndarray:
    array = np.asarray(array)
    frame = tuple(frame)
    if array.shape[1:] == frame:
        return array
    raise CsimError(f"{what}: expected shape N x {list(frame)}, got {list(array.shape)}")


def csim_partition(
    out_dir: str | os.PathLike[str],
    inputs: np.ndarray | Sequence[np.ndarray],
    *,
    hls_include: str | os.PathLike[str] | None = None,
    stats: dict[str, float] | None = None,
) -> list[np.ndarray]:
    """The partition's integer outputs (`N x frame` int64 each) for its integer inputs
    (`N x frame` each, one array per partition operand), computed by the compiled C++.

    `stats` (optional) receives `build_seconds` and `run_seconds` (the testbench's own
    time for the `top()` calls) and `frames`."""
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
    with tempfile.TemporaryDirectory(prefix="qnn-csim-") as tmp:
        args = [str(binary), str(frames)]
        for i, (array, spec) in enumerate(zip(arrays, io["inputs"], strict=True)):
            datatype = _datatype(spec["datatype"])
            values = np.asarray(array, dtype=np.int64)
            if values.size and (
                values.min() < datatype.min_value or values.max() > datatype.max_value
            ):
                raise CsimError(f"partition input {i}: values do not fit {spec['datatype']}")
            lanes = values.reshape(-1, spec["lanes"])
            data = pack_words(lane_codes(lanes, datatype), spec["bits"])
            path = Path(tmp) / f"in{i}.bin"
            data.tofile(path)
            args.append(str(path))
        out_paths = [Path(tmp) / f"out{i}.bin" for i in range(len(io["outputs"]))]
        args += [str(p) for p in out_paths]
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
        run_seconds = 0.0
        for line in proc.stdout.splitlines():
            if line.startswith("qnn-csim:"):
                run_seconds = float(line.split(" in ")[1].split()[0])
        results = []
        for path, spec in zip(out_paths, io["outputs"], strict=True):
            datatype = _datatype(spec["datatype"])
            data = np.fromfile(path, dtype=np.uint8)
            words = frames * spec["words_per_frame"]
            data = data.reshape(words, word_bytes(spec["word_bits"]))
            codes = unpack_words(data, spec["lanes"], spec["bits"])
            results.append(lane_values(codes, datatype).reshape(frames, *spec["frame"]))
    if stats is not None:
        stats.update(build_seconds=build_seconds, run_seconds=run_seconds, frames=frames)
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
) -> np.ndarray | tuple[np.ndarray, ...]:
    """The model's outputs for a batch of float inputs (module docstring)."""
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
    partition_outputs = csim_partition(out, partition_inputs, hls_include=hls_include, stats=stats)
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
