"""`dataflow.partition`, the accelerator region of streaming layers between integer
tensors, its terminator `dataflow.yield`, and the lookups of the one partition a module
holds (`find_partition`, `require_partition`)."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import (
    TensorType,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.irdl import (
    irdl_op_definition,
    region_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.traits import HasParent, IsTerminator
from xdsl.utils.exceptions import DiagnosticException

from qdialects.dataflow.estimates import Resources
from qdialects.dataflow.layer import (
    DataflowOp,
    Layer,
)
from qdialects.dataflow.types import StreamType
from qdialects.types import element_datatype
from qdialects.utils import (
    require,
    shape_of,
)


@irdl_op_definition
class PartitionOp(DataflowOp):
    """The accelerator: a region of streaming layers between integer tensors.

    Operands are the integer tensors entering the accelerator (`N x frame`, batch
    first); the single block's arguments are their streams (argument i carries operand
    i's frames: same frame shape and element type); `dataflow.yield` gives the streams
    leaving it, result i being the `N x frame` tensor of yielded stream i. Every operand
    and result has the same batch size N.

    Semantics: the region runs once on the whole batch. A stream value is the int64
    array `N x frame` (the tensor itself); converting between a tensor and its stream is
    the identity on the logical values (the stream's lanes and order only describe the
    hardware transfer).
    """

    name = "dataflow.partition"
    inputs = var_operand_def(TensorType)
    outputs = var_result_def(TensorType)
    body = region_def("single_block")
    assembly_format = "`(` $inputs `)` attr-dict `:` functional-type($inputs, $outputs) $body"

    def __init__(
        self,
        inputs: Sequence[SSAValue],
        result_types: Sequence[Attribute],
        body: Region | Block,
    ):
        region = body if isinstance(body, Region) else Region(body)
        super().__init__(operands=[inputs], result_types=[result_types], regions=[region])

    @property
    def block(self) -> Block:
        return self.body.block

    def layers(self) -> list[Layer]:
        """The hardware layers of the partition, in program order."""
        return [op for op in self.block.ops if isinstance(op, Layer)]

    def cycles_per_frame(self) -> int:
        """The slowest layer's cycles per frame (the pipeline's initiation interval)."""
        return max((layer.cycles_per_frame() for layer in self.layers()), default=0)

    def estimates(self) -> Resources:
        """The sum of the layers' estimates."""
        total = Resources()
        for layer in self.layers():
            total = total + layer.estimates()
        return total

    def verify_(self) -> None:
        args = self.block.args
        require(
            len(args) == len(self.inputs),
            f"dataflow.partition: {len(self.inputs)} operands but {len(args)} block arguments",
        )
        batches: set[int] = set()

        def check(tensor: Attribute, stream: Attribute, what: str) -> None:
            require(
                isinstance(stream, StreamType),
                f"dataflow.partition: {what} must be a !dataflow.stream, got {stream}",
            )
            assert isinstance(stream, StreamType)
            shape = shape_of(tensor)
            require(
                len(shape) >= 2,
                f"dataflow.partition: {what} tensor must be N x frame, got {list(shape)}",
            )
            require(
                shape[1:] == stream.shape,
                f"dataflow.partition: {what} stream frame {list(stream.shape)} does not match "
                f"the tensor shape {list(shape)}",
            )
            require(
                element_datatype(tensor) == stream.element,
                f"dataflow.partition: {what} stream element {stream.element} does not match "
                f"the tensor's {tensor}",
            )
            batches.add(shape[0])

        for i, (value, arg) in enumerate(zip(self.inputs, args, strict=True)):
            check(value.type, arg.type, f"input {i}")
        terminator = self.block.last_op
        require(
            isinstance(terminator, YieldOp),
            "dataflow.partition: the body must end with dataflow.yield",
        )
        assert isinstance(terminator, YieldOp)
        require(
            len(terminator.values) == len(self.outputs),
            f"dataflow.partition: {len(self.outputs)} results but {len(terminator.values)} "
            f"yielded streams",
        )
        for i, (result, value) in enumerate(zip(self.outputs, terminator.values, strict=True)):
            check(result.type, value.type, f"output {i}")
        require(
            len(batches) <= 1,
            f"dataflow.partition: operands and results disagree on the batch size "
            f"{sorted(batches)}",
        )
        self._verify_single_readers()

    def _verify_single_readers(self) -> None:
        """Every stream of the body (block argument, layer result) has exactly one reader:
        a hardware stream has one source and one sink, so fan-out goes through
        `dataflow.duplicate_streams`."""
        streams: list[tuple[SSAValue, str]] = [
            (arg, f"input {i}") for i, arg in enumerate(self.block.args)
        ]
        for op in self.block.ops:
            streams += [
                (result, f"{op.name} result {i}")
                for i, result in enumerate(op.results)
                if isinstance(result.type, StreamType)
            ]
        for stream, what in streams:
            readers = sum(1 for _ in stream.uses)
            require(
                readers == 1,
                f"dataflow.partition: the stream of {what} has {readers} readers; a stream "
                f"needs exactly one (fan-out goes through dataflow.duplicate_streams)",
            )


class PartitionError(DiagnosticException):
    """A module that does not have the one `dataflow.partition` a tool handles."""


def find_partition(module: Operation, user: str) -> PartitionOp | None:
    """The only `dataflow.partition` nested in `module`, None without one. `user` (the
    target, pass or report asking) handles one partition: more than one raises a
    `PartitionError` naming it."""
    partitions = [op for op in module.walk() if isinstance(op, PartitionOp)]
    if len(partitions) > 1:
        raise PartitionError(
            f"the module has {len(partitions)} dataflow.partitions; {user} handles one"
        )
    return partitions[0] if partitions else None


def require_partition(module: Operation, user: str) -> PartitionOp:
    """`find_partition`, with a module without a partition a `PartitionError` too."""
    partition = find_partition(module, user)
    if partition is None:
        raise PartitionError(
            f"no dataflow.partition in the module ({user} needs one; run convert-to-dataflow first)"
        )
    return partition


@irdl_op_definition
class YieldOp(DataflowOp):
    """Terminates a `dataflow.partition`: the streams leaving the accelerator."""

    name = "dataflow.yield"
    values = var_operand_def(StreamType)
    traits = traits_def(IsTerminator(), HasParent(PartitionOp))
    assembly_format = "($values^ `:` type($values))? attr-dict"

    def __init__(self, values: Sequence[SSAValue]):
        super().__init__(operands=[values])
