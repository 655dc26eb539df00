"""`insert-fifos{depth=N}`: a `dataflow.fifo` on every stream between two layers of a
partition, and on the partition's inputs and outputs (FINN's InsertFIFO).

A FIFO goes after every stream *producer* — a block argument (a partition input) or a
layer result — that has users, with all of its users reading the FIFO instead (the
yield included: a stream leaving the partition gets its output FIFO). Not after:

* a FIFO (no FIFO after a FIFO), nor a value any FIFO already reads (no FIFO before a
  FIFO): running the pass twice changes nothing;
* a `dataflow.reshape` result: a reshape is a zero-cost view of the same word sequence,
  so the FIFO before it also serves the layer after it (one FIFO per hardware edge).

Depth defaults to 2 (FINN's minimum `inFIFODepths`/`outFIFODepths`), ram_style "auto";
`size-fifos` sets the depths the design needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass

from passes.errors import QnnPassError
from passes.levels import Level, require_level
from qdialects import dataflow as df


def _wants_fifo(value: SSAValue) -> bool:
    if not isinstance(value.type, df.StreamType) or not value.uses:
        return False
    if isinstance(value.owner, df.FIFOOp | df.ReshapeOp):
        return False
    return not any(isinstance(use.operation, df.FIFOOp) for use in value.uses)


def insert_fifos(partition: df.PartitionOp, depth: int, ram_style: str = "auto") -> int:
    """Insert the FIFOs of one partition; return how many."""
    block: Block = partition.block
    producers: list[SSAValue] = list(block.args)
    for op in block.ops:
        producers.extend(op.results)
    count = 0
    anchor: dict[Operation | Block, Operation] = {}  # keep FIFOs in result order
    for value in producers:
        if not _wants_fifo(value):
            continue
        users = list(value.uses)
        fifo = df.FIFOOp(value, depth=depth, ram_style=ram_style)
        if value.name_hint:
            fifo.result.name_hint = f"{value.name_hint}_fifo"
        owner = value.owner
        if owner in anchor:
            block.insert_op_after(fifo, anchor[owner])
        elif isinstance(owner, Block):
            first = block.first_op
            assert first is not None  # the yield at least
            block.insert_op_before(fifo, first)
        else:
            block.insert_op_after(fifo, owner)
        anchor[owner] = fifo
        for use in users:
            use.operation.operands[use.index] = fifo.result
        count += 1
    return count


@dataclass(frozen=True)
class InsertFIFOsPass(ModulePass):
    """A `dataflow.fifo{depth, ram_style "auto"}` on every edge of every partition
    (between layers, after each input, before each output); idempotent."""

    name = "insert-fifos"

    depth: int = 2
    """Depth of every inserted FIFO, in stream words (>= 1)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.depth < 1:
            raise QnnPassError(f"insert-fifos: depth must be >= 1, got {self.depth}")
        require_level(op, self.name, Level.DATAFLOW)
        for partition in [o for o in op.walk() if isinstance(o, df.PartitionOp)]:
            insert_fifos(partition, self.depth)
