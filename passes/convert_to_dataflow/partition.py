"""The integer region of a function and the `dataflow.partition` that replaces it."""

from __future__ import annotations

from xdsl.dialects import func
from xdsl.dialects.builtin import FunctionType, TensorType
from xdsl.ir import Block, Operation, SSAValue

from passes.convert_to_dataflow.builder import Builder, fail, is_const, is_int, name_of, stream_of
from passes.convert_to_dataflow.layers import convert_op
from qdialects import dataflow as df
from qdialects import streamline as sl
from qdialects.quant import ConstantOp
from qdialects.utils import shape_of

# --------------------------------------------------------------------------- region


def integer_region(block: Block) -> list[Operation]:
    """The ops of `block` between integer tensors, in program order: an op is in the
    region when some operand is (transitively) computed from a non-constant integer
    tensor and some result is an integer tensor or (transitively) feeds one, except the
    trailing layout ops (`_without_trailing_layout`). The region is convex: an op between
    two region ops is itself computed from an integer tensor and feeds one."""
    ops = [op for op in block.ops if not isinstance(op, ConstantOp)]
    from_int: set[SSAValue] = {a for a in block.args if is_int(a)}
    for op in ops:
        if any(is_int(r) for r in op.results) or any(v in from_int for v in op.operands):
            from_int.update(op.results)
    feeds_int: set[Operation] = set()
    for op in reversed(ops):
        if any(is_int(r) for r in op.results) or any(
            use.operation in feeds_int for r in op.results for use in r.uses
        ):
            feeds_int.add(op)
    region = [
        op
        for op in ops
        if op in feeds_int and any(v in from_int and not is_const(v) for v in op.operands)
    ]
    return _without_trailing_layout(region)


LAYOUT_OPS = (sl.TransposeOp, sl.ReshapeOp)
"""The ops that only rearrange a tensor's elements."""


def _without_trailing_layout(region: list[Operation]) -> list[Operation]:
    """`region` less its trailing layout ops: a transpose or reshape none of whose users
    is in the region (it feeds only the function's results or host ops, e.g. the NHWC to
    NCHW transpose of a feature-map output) moves out to the host, and so does the one
    before it, and so on. The region stays convex: only its sinks are removed."""
    kept = set(region)
    for op in reversed(region):
        users = {use.operation for r in op.results for use in r.uses}
        if isinstance(op, LAYOUT_OPS) and not users & kept:
            kept.discard(op)
    return [op for op in region if op in kept]


# --------------------------------------------------------------------------- partition


def _outside_result_type(value: SSAValue, stream: SSAValue) -> TensorType:
    frame = df.stream_type(stream)
    return TensorType(frame.element, [shape_of(value)[0], *frame.shape])


def build_partition(function: func.FuncOp) -> df.PartitionOp | None:
    """Replace the integer region of `function` by one `dataflow.partition`; None when
    the function has no integer region."""
    block = function.body.block
    ordered = integer_region(block)
    if not ordered:
        return None
    region = set(ordered)
    inputs: list[SSAValue] = []
    for op in ordered:
        for value in op.operands:
            if (
                value not in inputs
                and not is_const(value)
                and (not isinstance(value.owner, Operation) or value.owner not in region)
            ):
                inputs.append(value)
    for value in inputs:
        if not is_int(value) or len(shape_of(value)) < 2:
            user = next(u.operation for u in value.uses if u.operation in region)
            reason = f"its operand {name_of(value)} ({value.type}) is not an N x ... integer tensor"
            raise fail(user, reason)
    body = Block(arg_types=[stream_of(v) for v in inputs])
    b = Builder(body, region)
    for value, arg in zip(inputs, body.args, strict=True):
        b.define(value, arg, is_input=True)
    for op in ordered:
        convert_op(b, op)
    yielded = [b.stream(v, ordered[-1]) for v in b.outputs]
    body.add_op(df.YieldOp(yielded))
    result_types = [_outside_result_type(v, s) for v, s in zip(b.outputs, yielded, strict=True)]
    partition = df.PartitionOp(inputs, result_types, body)
    _place(block, ordered, partition)
    for value, result in zip(b.outputs, partition.outputs, strict=True):
        result.name_hint = value.name_hint
        if result.type != value.type:
            _retype_function_result(function, value, result)
        value.replace_all_uses_with(result)
    constants = {v.owner for op in ordered for v in op.operands if isinstance(v.owner, ConstantOp)}
    for op in reversed(ordered):
        block.erase_op(op)
    for owner in constants:
        if isinstance(owner, ConstantOp) and not owner.result.uses:
            block.erase_op(owner)
    return partition


def _place(block: Block, ordered: list[Operation], partition: df.PartitionOp) -> None:
    """Insert `partition` after the last region op; ops outside the region that come
    earlier but depend on region results move after it (keeping their order)."""
    last = ordered[-1]
    region = set(ordered)
    depends: set[SSAValue] = set()
    moving: list[Operation] = []
    started = False
    for op in block.ops:
        if op is ordered[0]:
            started = True
        if op is last:
            break
        if op in region:
            depends.update(op.results)
        elif started and any(v in depends for v in op.operands):
            depends.update(op.results)
            moving.append(op)
    block.insert_op_after(partition, last)
    anchor: Operation = partition
    for op in moving:
        op.detach()
        block.insert_op_after(op, anchor)
        anchor = op


def _retype_function_result(function: func.FuncOp, value: SSAValue, result: SSAValue) -> None:
    """A label-select result (a QONNX datatype tensor) replacing i64 indices: only as
    function results, whose types change accordingly."""
    owner = value.owner
    assert isinstance(owner, Operation)
    users = [use.operation for use in value.uses]
    if not all(isinstance(u, func.ReturnOp) for u in users):
        reason = "its indices feed host ops (only function results can take the label datatype)"
        raise fail(owner, reason)
    outputs = list(function.function_type.outputs.data)
    for user in users:
        for i, operand in enumerate(user.operands):
            if operand is value:
                outputs[i] = result.type
    function.function_type = FunctionType.from_lists(
        list(function.function_type.inputs.data), outputs
    )
