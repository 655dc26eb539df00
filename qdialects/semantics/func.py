"""The semantics of the `func` ops a qnn module holds: a function runs its body on its
arguments, `func.return` ends it with its operands, `func.call` runs the callee.

qnn's own, so that executing a module does not import `xdsl.interpreters` (whose package
loads every interpreter xDSL has, the RISC-V ones included, for one class).
"""

from __future__ import annotations

from typing import Any

from xdsl.dialects import func
from xdsl.interpreter import (
    Interpreter,
    InterpreterFunctions,
    PythonValues,
    ReturnedValues,
    TerminatorValue,
    impl,
    impl_callable,
    impl_terminator,
    register_impls,
)


@register_impls
class FuncFunctions(InterpreterFunctions):
    """`func.func` (callable), `func.return` (terminator) and `func.call`."""

    @impl_callable(func.FuncOp)
    def run_function(
        self, interpreter: Interpreter, op: func.FuncOp, args: tuple[Any, ...]
    ) -> PythonValues:
        body = op.body.blocks.first
        if body is None or not body.ops:  # a declaration: the interpreter's externals
            return interpreter.call_external(op.sym_name.data, op, args)
        return interpreter.run_ssacfg_region(op.body, args, op.sym_name.data)

    @impl_terminator(func.ReturnOp)
    def run_return(
        self, interpreter: Interpreter, op: func.ReturnOp, args: tuple[Any, ...]
    ) -> tuple[TerminatorValue, PythonValues]:
        return ReturnedValues(args), ()

    @impl(func.CallOp)
    def run_call(
        self, interpreter: Interpreter, op: func.CallOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return interpreter.call_op(op.callee, args)
