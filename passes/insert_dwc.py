"""`insert-dwc`: canonical data-width converters in every `dataflow.partition`.

One `dataflow.dwc` on every edge whose producer's stream has other lanes than its
consumer reads, none where they agree, and chains of converters merged into one (a
converter fed by a converter reads the first one's input; converters nobody reads are
erased). FIFOs take their input's type and reshapes their producer's lanes (or the largest
lanes dividing both frames, with a converter before them). Partition inputs and outputs
keep their lanes here (`set-folding`/`apply-folding` adapt the inputs instead).
A depthwise-order stream cannot be converted: such a mismatch is a `FoldingError`.
The rules live in `passes.dataflow_folding.reconcile`, which `refold` also runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from passes.dataflow_folding import reconcile
from passes.levels import Level, require_level
from qdialects import dataflow as df


@dataclass(frozen=True)
class InsertDWCPass(ModulePass):
    name = "insert-dwc"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        require_level(op, self.name, Level.DATAFLOW)
        for partition in [p for p in op.walk() if isinstance(p, df.PartitionOp)]:
            reconcile(partition, adapt_inputs=False)
