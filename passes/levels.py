"""The level of the flow a module is at, decided from its IR, and the check every
level-bound pass makes before it runs.

A module is at the *quant* level while it holds a quant op other than `quant.constant`
and the host ops of `quant.HOST_OP_NAMES` and `quant.HOST_BINARY_OP_NAMES` (constants,
the float tails and the float arithmetic lower-quant-to-streamline keeps for the host
stay quant ops at every level), else at the *dataflow* level once it holds a dataflow op,
else at the *streamline* level when it holds a streamline op. A module with none of these
(a function that only returns its argument) is at no level, and every pass takes it.

A pass given a module at another level than its own would match none of its ops and
exit silently, as if it had succeeded. `require_level` makes that one line naming the
level the input is at and what to run first (or that the pass comes earlier in the flow):

    convert-to-dataflow: the input is at the quant level (it holds quant.quant); run
        lower-quant-to-streamline,streamline first
    streamline: the input is at the dataflow level (it holds dataflow.partition);
        streamline runs on streamline-level modules and has nothing to do here
"""

from __future__ import annotations

from enum import IntEnum

from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation

from passes.errors import LevelError
from qdialects import quant


class Level(IntEnum):
    """The levels of the flow, in the order the passes take a module through them."""

    QUANT = 0
    STREAMLINE = 1
    DATAFLOW = 2

    @property
    def label(self) -> str:
        return self.name.lower()


FLOW = ("lower-quant-to-streamline", "streamline", "convert-to-dataflow")
"""The passes that take a module from the quant level to the dataflow level, in order."""

_CONTINUES_AT = {Level.QUANT: 0, Level.STREAMLINE: 2, Level.DATAFLOW: 3}
"""Where in FLOW a module at each level continues (a streamline-level module is taken to
be streamlined already: `convert-to-dataflow` says so if it is not)."""


def _is_level_neutral(op: Operation) -> bool:
    """A quant op that stays at every level: a constant or a host op."""
    host_ops = quant.HOST_OP_NAMES + quant.HOST_BINARY_OP_NAMES
    return isinstance(op, quant.ConstantOp) or op.name in host_ops


def _op_level(op: Operation) -> Level | None:
    dialect = op.dialect_name()
    if dialect == "quant":
        return None if _is_level_neutral(op) else Level.QUANT
    if dialect == "streamline":
        return Level.STREAMLINE
    if dialect == "dataflow":
        return Level.DATAFLOW
    return None


def module_level(module: ModuleOp) -> tuple[Level, Operation] | None:
    """The level `module` is at and the first op that shows it, or None (no level)."""
    first: dict[Level, Operation] = {}
    for op in module.walk():
        level = _op_level(op)
        if level is Level.QUANT:
            return level, op
        if level is not None:
            first.setdefault(level, op)
    for level in (Level.DATAFLOW, Level.STREAMLINE):
        if level in first:
            return level, first[level]
    return None


def require_level(module: ModuleOp, pass_name: str, level: Level) -> None:
    """Raise `LevelError` unless `module` is at `level` (or at no level): `pass_name`
    would find nothing to do."""
    found = module_level(module)
    if found is None or found[0] is level:
        return
    actual, witness = found
    shown = f"{pass_name}: the input is at the {actual.label} level (it holds {witness.name})"
    if actual > level:
        raise LevelError(
            f"{shown}; {pass_name} runs on {level.label}-level modules and has nothing to do here"
        )
    end = FLOW.index(pass_name) if pass_name in FLOW else len(FLOW)
    raise LevelError(f"{shown}; run {','.join(FLOW[_CONTINUES_AT[actual] : end])} first")
