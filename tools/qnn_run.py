"""`qnn-run`: execute a module with the reference semantics.

    qnn-run model.onnx --input x.npy                  # prints a summary of each result
    qnn-run module.mlir --input x.npy --output y.npy  # saves the result
    qnn-run model.onnx --input frames.npy             # a batch: N x the input shape

FILE is `.mlir` (any qnn level) or `.onnx` (imported first). One `--input` per argument
of the entry function (`main`), in order; each must have the argument's shape and a
matching dtype (float for float tensors, integer for integer tensors), or be a batch of
N frames like `qnn-build --csim` takes (N x the argument's shape, or N x its shape
without the batch axis of 1): the frames run one by one, and each result is their
results along a first axis of N (the form of the input: `N x 10` for `N x 64` frames of
a `1x64` argument with a `1x10` result). User errors print
one line, `qnn-run: error: ...`, and exit 1 without writing the output file.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import numpy as np
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.dialects.func import FuncOp

from qdialects.semantics.inputs import argument_labels, check_input, entry_function
from tools.errors import AtomicFile, UserError, refuse_directory, run_cli

SUMMARY_VALUES = 8
"""How many leading values the summary prints per result."""


def load_module(path: str) -> ModuleOp:
    """An `.onnx` file imported, or an `.mlir` file parsed; verified either way."""
    from frontend import import_qonnx
    from qdialects.ir import parse_module

    refuse_directory(path)
    file = Path(path)
    if file.suffix == ".onnx":
        return import_qonnx(file)
    if file.suffix != ".mlir":
        raise UserError(f"{path}: unrecognized file extension (expected .mlir or .onnx)")
    with open(file, encoding="utf-8", errors="replace") as stream:  # OSError is a user error
        text = stream.read()
    module = parse_module(text, name=path)
    module.verify()
    return module


def load_input(path: str) -> np.ndarray:
    with open(path, "rb") as stream:  # OSError (missing file, ...) is a user error
        magic = stream.read(6)
    if magic != b"\x93NUMPY":
        raise UserError(f"{path}: not a .npy file")
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, EOFError) as error:
        raise UserError(f"{path}: unreadable .npy file ({error})") from None


def summary(index: int, result: np.ndarray, frames: int | None = None) -> str:
    """`result 0: shape (1, 10) float32, argmax 3, values [...]`; for a batch of `frames`
    frames (along the first axis) `..., 5 frames, argmax per frame [3, 1, ...], ...`."""
    parts = [f"result {index}: shape {result.shape} {result.dtype}"]
    if frames is not None:
        parts.append(f"{frames} frames")
        if result.ndim == 2 and result.shape[1] > 1:
            parts.append(f"argmax per frame {_listed(np.argmax(result, axis=1))}")
    elif result.ndim == 2 and result.shape[0] == 1 and result.size > 1:
        parts.append(f"argmax {int(np.argmax(result))}")
    parts.append(f"values {_listed(result, precision=6)}")
    return ", ".join(parts)


def _listed(values: np.ndarray, precision: int | None = None) -> str:
    """The first SUMMARY_VALUES values of `values`, `[a, b, ...]`."""
    flat = values.flatten()[:SUMMARY_VALUES]
    shown = np.array2string(flat, precision=precision, separator=", ", max_line_width=10_000)
    more = ", ..." if values.size > SUMMARY_VALUES else ""
    return f"{shown[:-1]}{more}]"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UserError(f"{message} (see --help)")


def _arguments(args: Sequence[str] | None) -> argparse.Namespace:
    parser = _Parser(
        prog="qnn-run", description="Execute a qnn module (.mlir) or QONNX model (.onnx)."
    )
    parser.add_argument("input_file", help="the .mlir module or .onnx model")
    parser.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="X.npy",
        help="an input array, one per function argument, in order; or a batch of N frames "
        "(N x the argument's shape, or N x its shape without the batch axis of 1, as "
        "qnn-build --csim takes), run one by one, the results stacked along a first axis "
        "of N",
    )
    parser.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="Y.npy",
        help="save the results (one per function result, in order) instead of printing them",
    )
    parser.add_argument("--entry", default="main", help="the function to run (default: main)")
    return parser.parse_args(args)


def batch_frames(x: np.ndarray, shape: Sequence[int]) -> np.ndarray | None:
    """`x` as `N x shape` if it is a batch for an argument of `shape` (as `qnn-build
    --csim` takes one): `N x shape`, or `N x shape[1:]` when the first axis of `shape` is
    the batch axis (1). None if `x` has `shape` itself or matches neither form."""
    shape = tuple(shape)
    if x.shape == shape:
        return None
    if x.shape[1:] == shape:
        return x
    if shape and shape[0] == 1 and x.ndim == len(shape) and x.shape[1:] == shape[1:]:
        return x.reshape(x.shape[0], *shape)
    return None


def _batch(
    function: FuncOp, paths: Sequence[str], arrays: Sequence[np.ndarray]
) -> list[list[np.ndarray]] | None:
    """The frames of a batched run (one input list per frame), or None when every input
    has its argument's shape (one run)."""
    arg_types = function.function_type.inputs.data
    batches = [
        batch_frames(x, t.get_shape()) if isinstance(t, TensorType) else None
        for x, t in zip(arrays, arg_types, strict=True)
    ]
    if all(b is None for b in batches):
        return None
    counts = {path: (1 if b is None else len(b)) for path, b in zip(paths, batches, strict=True)}
    if any(b is None for b in batches) or len(set(counts.values())) != 1:
        shown = ", ".join(f"{path} {n}" for path, n in counts.items())
        raise UserError(f"the --input batches must have the same number of frames, got {shown}")
    frames = [b for b in batches if b is not None]
    labels = argument_labels(function)
    return [
        [
            check_input(label, batch[i], type_, f"{path}, frame {i}")
            for label, batch, type_, path in zip(labels, frames, arg_types, paths, strict=True)
        ]
        for i in range(len(frames[0]))
    ]


def _stack(per_frame: list[list[np.ndarray]], flat: bool) -> list[np.ndarray]:
    """One array per result with the frames along the first axis: concatenated when the
    batch came without the batch axis (`flat`) and each result has it, else stacked."""
    stacked = []
    for results in zip(*per_frame, strict=True):
        join = flat and all(r.ndim and r.shape[0] == 1 for r in results)
        stacked.append(np.concatenate(results) if join else np.stack(results))
    return stacked


def _main(args: Sequence[str] | None) -> None:
    from qdialects.semantics import execute

    options = _arguments(args)
    module = load_module(options.input_file)
    function = entry_function(module, options.entry)
    arg_types = function.function_type.inputs.data
    if len(options.input) != len(arg_types):
        raise UserError(
            f"@{options.entry} takes {len(arg_types)} input(s), got {len(options.input)} --input"
        )
    result_count = len(function.function_type.outputs.data)
    if options.output and len(options.output) != result_count:
        raise UserError(
            f"@{options.entry} has {result_count} result(s), got {len(options.output)} --output"
        )
    arrays = [load_input(path) for path in options.input]
    frames = _batch(function, options.input, arrays)
    if frames is None:
        inputs = [
            check_input(label, x, type_, path)
            for label, x, type_, path in zip(
                argument_labels(function), arrays, arg_types, options.input, strict=True
            )
        ]
        results = execute(module, inputs, entry=options.entry)
    else:
        flat = any(
            isinstance(t, TensorType) and x.ndim == t.get_num_dims()
            for x, t in zip(arrays, arg_types, strict=True)
        )
        per_frame = [execute(module, inputs, entry=options.entry) for inputs in frames]
        results = _stack(per_frame, flat)
    if not options.output:
        for index, result in enumerate(results):
            print(summary(index, result, None if frames is None else len(frames)))
        return
    files = [AtomicFile(path, "wb") for path in options.output]
    try:
        for file, result in zip(files, results, strict=True):
            np.save(file.stream, result)
    except BaseException:
        for file in files:
            file.discard()
        raise
    for file in files:
        file.commit()


def main(args: Sequence[str] | None = None) -> None:
    run_cli("qnn-run", lambda: _main(args))


if __name__ == "__main__":
    main()
