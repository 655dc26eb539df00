"""Reference semantics of the `quant` dialect (numpy; equal to qonnx's execution)."""

from __future__ import annotations

from typing import Any

from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls

from qdialects import quant


@register_impls
class QuantFunctions(InterpreterFunctions):
    """One `@impl` per quant op; each implements exactly its op's docstring."""

    @impl(quant.ConstantOp)
    def run_constant(
        self, interpreter: Interpreter, op: quant.ConstantOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (op.numpy(),)
