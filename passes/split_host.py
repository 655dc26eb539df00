"""`split-host`: the host side of a model, without its accelerator.

Input: a module whose one `dataflow.partition` sits directly in the body of a `func.func`
(what `convert-to-dataflow` builds). Output: a module of two functions cloned from that
function, and nothing else (the partition and its weights are gone):

- `@pre(<the function's arguments>)` holds the ops before the partition (the float input
  quantization) and returns the partition's operands, then the values defined before the
  partition that ops after it use;
- `@post(<the partition's results>, <those crossing values>)` holds the ops after the
  partition (the output affine) and returns what the function returned. A crossing value
  made by an op without operands and regions (a constant) is not passed: the op is cloned
  into `@post` instead.

So `@post(accelerator(@pre(x)...), ...)` computes what the function computes on `x`: the
HLS C simulation (`backend_hls.csim`) runs `@pre` and `@post` with the reference semantics
around the compiled partition (the hls-cpp target writes this module as `csim/host.mlir`).
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import FunctionType, ModuleOp
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass

from passes.errors import HostSplitError
from passes.levels import Level, require_level
from qdialects import dataflow as df


def _crossing_values(
    defined_before: Container[SSAValue], post_ops: list[Operation]
) -> tuple[list[SSAValue], list[Operation]]:
    """The values defined before the partition that ops after it use: those `@pre` passes
    to `@post`, and the constant ops `@post` re-creates instead."""
    crossing: list[SSAValue] = []
    cloned_into_post: list[Operation] = []
    for op in post_ops:
        for operand in op.operands:
            if operand not in defined_before or operand in crossing:
                continue
            owner = operand.owner
            if isinstance(owner, Operation) and not owner.operands and not owner.regions:
                if owner not in cloned_into_post:
                    cloned_into_post.append(owner)
                continue
            crossing.append(operand)
    return crossing, cloned_into_post


def _function(
    name: str, inputs: list[SSAValue], ops: list[Operation], results: list[SSAValue] | None
) -> FuncOp:
    """A function taking `inputs` (values of the original function), running clones of
    `ops` and returning `results` (None: the last of `ops` is a `func.return`)."""
    block = Block(arg_types=[v.type for v in inputs])
    mapping: dict[SSAValue, SSAValue] = dict(zip(inputs, block.args, strict=True))
    for op in ops:
        block.add_op(op.clone(value_mapper=mapping))
    if results is not None:
        block.add_op(ReturnOp(*(mapping[v] for v in results)))
    returned = block.last_op
    assert isinstance(returned, ReturnOp)
    return FuncOp(
        name,
        FunctionType.from_lists([v.type for v in inputs], [v.type for v in returned.operands]),
        Region(block),
    )


def host_functions(partition: df.PartitionOp) -> tuple[FuncOp, FuncOp]:
    """`@pre` and `@post` of the function holding `partition` (see the module docstring)."""
    func = partition.parent_op()
    if not isinstance(func, FuncOp) or partition.parent_block() is not func.body.block:
        raise HostSplitError("the dataflow.partition must sit directly in a func.func")
    ops = list(func.body.block.ops)
    k = ops.index(partition)
    pre_ops, post_ops = ops[:k], ops[k + 1 :]
    defined_before = set(func.args) | {r for op in pre_ops for r in op.results}
    crossing, cloned_into_post = _crossing_values(defined_before, post_ops)
    pre = _function("pre", list(func.args), pre_ops, [*partition.inputs, *crossing])
    post_inputs = [*partition.outputs, *crossing]
    post = _function("post", post_inputs, [*cloned_into_post, *post_ops], None)
    return pre, post


@dataclass(frozen=True)
class SplitHostPass(ModulePass):
    """Replace the module's contents by `@pre` and `@post`, the host side of the function
    holding its one `dataflow.partition` (see the module docstring)."""

    name = "split-host"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        require_level(op, self.name, Level.DATAFLOW)
        pre, post = host_functions(df.require_partition(op, self.name))
        for top_level in list(op.body.block.ops):
            top_level.detach()
            top_level.erase()
        op.body.block.add_ops([pre, post])
