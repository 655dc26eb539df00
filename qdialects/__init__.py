"""The qnn dialects: `quant` (QONNX level), `streamline` (integer level) and `dataflow`
(streaming hardware layers), with their QONNX datatypes and reference semantics."""

from __future__ import annotations

from collections.abc import Callable

from xdsl.context import Context
from xdsl.dialects.builtin import Builtin
from xdsl.dialects.func import Func
from xdsl.ir import Dialect

from qdialects import xdsl_fixes

xdsl_fixes.apply()


def _quant() -> Dialect:
    from qdialects.quant import Quant

    return Quant


def _streamline() -> Dialect:
    from qdialects.streamline import Streamline

    return Streamline


def _dataflow() -> Dialect:
    from qdialects.dataflow import Dataflow

    return Dataflow


QNN_DIALECTS: dict[str, Callable[[], Dialect]] = {
    "quant": _quant,
    "streamline": _streamline,
    "dataflow": _dataflow,
}
"""The project's own dialects by name, loaded lazily (as xDSL's universe expects)."""


def make_context() -> Context:
    """A context with builtin, func and every qnn dialect loaded."""
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(Func)
    for load in QNN_DIALECTS.values():
        ctx.load_dialect(load())
    return ctx
