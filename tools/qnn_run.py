"""`qnn-run`: execute a module with the reference semantics.

    qnn-run model.onnx --input x.npy                  # prints a summary of each result
    qnn-run module.mlir --input x.npy --output y.npy  # saves the result

FILE is `.mlir` (any qnn level) or `.onnx` (imported first). One `--input` per argument
of the entry function (`main`), in order; each must have the argument's shape and a
matching dtype (float for float tensors, integer for integer tensors). User errors print
one line, `qnn-run: error: ...`, and exit 1 without writing the output file.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import numpy as np
from xdsl.dialects.builtin import ModuleOp

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


def summary(index: int, result: np.ndarray) -> str:
    """`result 0: shape (1, 10) float32, argmax 3, values [...]`"""
    parts = [f"result {index}: shape {result.shape} {result.dtype}"]
    if result.ndim == 2 and result.shape[0] == 1 and result.size > 1:
        parts.append(f"argmax {int(np.argmax(result))}")
    flat = result.flatten()[:SUMMARY_VALUES]
    shown = np.array2string(flat, precision=6, separator=", ", max_line_width=10_000)
    more = ", ..." if result.size > SUMMARY_VALUES else ""
    parts.append(f"values {shown[:-1]}{more}]")
    return ", ".join(parts)


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
        help="an input array, one per function argument, in order",
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
    inputs = [
        check_input(label, load_input(path), type_, path)
        for label, path, type_ in zip(
            argument_labels(function), options.input, arg_types, strict=True
        )
    ]
    result_count = len(function.function_type.outputs.data)
    if options.output and len(options.output) != result_count:
        raise UserError(
            f"@{options.entry} has {result_count} result(s), got {len(options.output)} --output"
        )
    results = execute(module, inputs, entry=options.entry)
    if not options.output:
        for index, result in enumerate(results):
            print(summary(index, result))
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
