"""The `dataflow` dialect: streaming hardware layers (FINN's vocabulary) connected by
`!dataflow.stream`s, inside a `dataflow.partition`.

`types.py` defines the stream type (frame shape, element datatype, lanes, word order),
`ops.py` every op (the compute layers are defined there; `partition.py`, `pooling.py`
and `movement.py` hold the others, `layer.py` their bases and shared checks), each with
its verifier and cost model. Reference semantics: `qdialects.semantics.dataflow`;
resource models: `qdialects.dataflow.estimates`.
"""

from xdsl.ir import Dialect

from qdialects.dataflow.ops import (
    LAYERS,
    AddStreamsOp,
    ChannelwiseOp,
    ConcatOp,
    DataflowOp,
    DepthToSpaceOp,
    DuplicateStreamsOp,
    DWCOp,
    FIFOOp,
    FMPaddingOp,
    GlobalAccPoolOp,
    LabelSelectOp,
    Layer,
    MaxPoolOp,
    MVAUOp,
    PartitionError,
    PartitionOp,
    PoolOp,
    ReshapeOp,
    SliceOp,
    SWGOp,
    ThresholdingOp,
    UpsampleOp,
    VVAUOp,
    YieldOp,
    find_partition,
    require_partition,
    stream_type,
)
from qdialects.dataflow.types import StreamType

Dataflow = Dialect("dataflow", [PartitionOp, YieldOp, *LAYERS], [StreamType])

__all__ = [
    "LAYERS",
    "AddStreamsOp",
    "ChannelwiseOp",
    "ConcatOp",
    "DWCOp",
    "Dataflow",
    "DataflowOp",
    "DepthToSpaceOp",
    "DuplicateStreamsOp",
    "FIFOOp",
    "FMPaddingOp",
    "GlobalAccPoolOp",
    "LabelSelectOp",
    "Layer",
    "MVAUOp",
    "MaxPoolOp",
    "PartitionError",
    "PartitionOp",
    "PoolOp",
    "ReshapeOp",
    "SWGOp",
    "SliceOp",
    "StreamType",
    "ThresholdingOp",
    "UpsampleOp",
    "VVAUOp",
    "YieldOp",
    "find_partition",
    "require_partition",
    "stream_type",
]
