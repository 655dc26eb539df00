"""Reference semantics: every op of every qnn dialect executes on numpy arrays.

This is xDSL's interpreter framework with one `InterpreterFunctions` class per dialect
(`qdialects.semantics.<dialect>`). `execute(module, inputs)` runs the module's `main`
function; values are numpy arrays (float32 for float tensors, int64 for integer tensors).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.interpreter import Interpreter, InterpreterFunctions

from qdialects.semantics.dataflow import DataflowFunctions
from qdialects.semantics.func import FuncFunctions
from qdialects.semantics.inputs import ExecutionError
from qdialects.semantics.quant import QuantFunctions
from qdialects.semantics.streamline import StreamlineFunctions

__all__ = ["SEMANTICS", "ExecutionError", "execute", "make_interpreter"]

SEMANTICS: tuple[type[InterpreterFunctions], ...] = (
    FuncFunctions,
    QuantFunctions,
    StreamlineFunctions,
    DataflowFunctions,
)
"""The interpreter functions of every dialect a qnn module may contain."""


def make_interpreter(module: ModuleOp) -> Interpreter:
    interpreter = Interpreter(module)
    for functions in SEMANTICS:
        interpreter.register_implementations(functions())
    return interpreter


def execute(
    module: ModuleOp, inputs: Sequence[np.ndarray], entry: str = "main"
) -> list[np.ndarray]:
    """Run `entry` on `inputs` with the reference semantics; return its results."""
    interpreter = make_interpreter(module)
    function = interpreter.get_op_for_symbol(entry)
    return [np.asarray(r) for r in interpreter.call_op(function, tuple(inputs))]
