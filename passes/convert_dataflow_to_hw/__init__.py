"""`convert-dataflow-to-hw`: the folded `dataflow.partition` as `hw`/`comb`/`seq` modules.

For every `dataflow.partition` the pass appends to the top-level module one `hw.module`
per layer (named after `qdialects.dataflow.naming.layer_names`: `MVAU_0`, ...), the
`hw.module.extern` declarations of the primitive modules they use
(`interface.HwDesign.primitive`), and the top module `@qnn_top` that instantiates every
layer in program order and connects their AXI streams (`interface` docstring for the
ports; a `dataflow.reshape` is a plain connection). The partition itself stays in place:
it is the reference semantics of the hardware, and host code around it is unchanged.
`-t verilog` (`backend_rtl`) exports the `hw` modules as SystemVerilog.

A layer without an RTL implementation (see `LOWERINGS`) is a `RtlLoweringError` naming
it, raised before anything is added. Adding a layer: docs/rtl.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass

from passes.convert_dataflow_to_hw.channelwise import channelwise_refusal, lower_channelwise
from passes.convert_dataflow_to_hw.interface import (
    HwDesign,
    RtlLoweringError,
    StreamModule,
    stream_instance,
)
from passes.convert_dataflow_to_hw.label_select import lower_label_select
from passes.convert_dataflow_to_hw.layout import (
    lower_depth_to_space,
    lower_slice,
    lower_upsample,
)
from passes.convert_dataflow_to_hw.mvau import lower_mvau
from passes.convert_dataflow_to_hw.netlist import Feedback
from passes.convert_dataflow_to_hw.padding import lower_fm_padding
from passes.convert_dataflow_to_hw.pool import lower_global_acc_pool, lower_pool
from passes.convert_dataflow_to_hw.streams import lower_dwc, lower_fifo
from passes.convert_dataflow_to_hw.streams_multi import (
    lower_add_streams,
    lower_concat,
    lower_duplicate_streams,
)
from passes.convert_dataflow_to_hw.swg import lower_swg
from passes.convert_dataflow_to_hw.thresholding import lower_thresholding
from passes.convert_dataflow_to_hw.vvau import lower_vvau
from passes.levels import Level, require_level
from qdialects import dataflow as df
from qdialects.dataflow.naming import layer_names

TOP = "qnn_top"
"""The symbol of the partition's top module."""

Lowering = Callable[[Any, str, HwDesign], str]
"""`lower(layer, name, design) -> symbol`: builds the layer's module (or declares a
primitive) with the stream ports of `interface.stream_ports` and returns its symbol."""

LOWERINGS: dict[type[Operation], Lowering] = {
    df.MVAUOp: lower_mvau,
    df.FIFOOp: lower_fifo,
    df.DWCOp: lower_dwc,
    df.VVAUOp: lower_vvau,
    df.SWGOp: lower_swg,
    df.FMPaddingOp: lower_fm_padding,
    df.ThresholdingOp: lower_thresholding,
    df.ChannelwiseOp: lower_channelwise,
    df.AddStreamsOp: lower_add_streams,
    df.DuplicateStreamsOp: lower_duplicate_streams,
    df.ConcatOp: lower_concat,
    df.LabelSelectOp: lower_label_select,
    df.GlobalAccPoolOp: lower_global_acc_pool,
    df.PoolOp: lower_pool,
    df.MaxPoolOp: lower_pool,
    df.UpsampleOp: lower_upsample,
    df.SliceOp: lower_slice,
    df.DepthToSpaceOp: lower_depth_to_space,
}
"""Layer op -> its RTL lowering. `dataflow.reshape` is a connection (no module)."""

REFUSALS: dict[type[Operation], Callable[[Any], str | None]] = {
    df.ChannelwiseOp: channelwise_refusal,
}
"""Layer op -> why its lowering cannot build this instance (None: it can)."""


def check_supported(partition: df.PartitionOp) -> None:
    """A `RtlLoweringError` naming the first layer the RTL backend cannot build: a layer
    kind without a lowering, or an instance its lowering refuses (`REFUSALS`)."""
    names = layer_names(partition)
    for layer in partition.layers():
        if isinstance(layer, df.ReshapeOp):
            continue
        if type(layer) not in LOWERINGS:
            reason = "the RTL backend has no implementation of this layer yet"
        else:
            refusal = REFUSALS.get(type(layer))
            reason = refusal(layer) if refusal else None
        if reason is not None:
            raise RtlLoweringError(f"{names[layer]} ({layer.name}): {reason}")


def lower_partition(partition: df.PartitionOp, module: ModuleOp) -> None:
    """Append the layer modules and `@qnn_top` of `partition` to `module`."""
    check_supported(partition)
    names = layer_names(partition)
    design = HwDesign(module)
    block = partition.block
    top = StreamModule(
        TOP,
        [df.stream_type(a).word_width() for a in block.args],
        [df.stream_type(v).word_width() for v in _yielded(partition)],
    )
    net = top.netlist
    # Each stream: (TDATA, TVALID, the Feedback its consumer drives with its TREADY).
    streams: dict[SSAValue, tuple[SSAValue, SSAValue, Feedback]] = {}
    in_ready: list[Feedback] = []
    for arg, data, valid in zip(block.args, top.input_data, top.input_valid, strict=True):
        _, feedback = net.forward(1)
        streams[arg] = (data, valid, feedback)
        in_ready.append(feedback)
    for layer in partition.layers():
        if isinstance(layer, df.ReshapeOp):
            streams[layer.result] = streams[layer.x]
            continue
        symbol = LOWERINGS[type(layer)](layer, names[layer], design)
        inputs = [streams[v] for v in layer.operands if isinstance(v.type, df.StreamType)]
        outputs = [r for r in layer.results if isinstance(r.type, df.StreamType)]
        readies = [net.forward(1) for _ in outputs]
        taken, produced = stream_instance(
            net,
            names[layer],
            symbol,
            top.reset_n,
            [(data, valid) for data, valid, _ in inputs],
            [ready for ready, _ in readies],
            [df.stream_type(r).word_width() for r in outputs],
        )
        for (_, _, feedback), ready in zip(inputs, taken, strict=True):
            net.drive(feedback, ready)
        for result, (data, valid), (_, feedback) in zip(outputs, produced, readies, strict=True):
            streams[result] = (data, valid, feedback)
    out_data, out_valid = [], []
    for value, ready in zip(_yielded(partition), top.out_ready, strict=True):
        data, valid, feedback = streams[value]
        net.drive(feedback, ready)
        out_data.append(data)
        out_valid.append(valid)
    taken = [feedback.driven for feedback in in_ready]
    assert all(v is not None for v in taken), "every partition input has a consumer"
    design.add(top.finish(taken, out_data, out_valid))  # type: ignore[arg-type]


def stream_wires(partition: df.PartitionOp) -> list[dict[str, object]]:
    """Every stream of `@qnn_top`: `name` ("producer.port -> consumer.port") and where
    its TVALID and TREADY are driven, as `[instance, port]` (`instance` None for a port
    of `qnn_top` itself)."""
    names = layer_names(partition)
    producers: dict[SSAValue, tuple[str, list[str | None]]] = {}
    for i, arg in enumerate(partition.block.args):
        producers[arg] = (f"in{i}_V", [None, f"in{i}_V_TVALID"])
    wires: list[dict[str, object]] = []

    def consume(value: SSAValue, label: str, ready: list[str | None]) -> None:
        source, valid = producers[value]
        wires.append({"name": f"{source} -> {label}", "valid": valid, "ready": ready})

    for layer in partition.layers():
        if isinstance(layer, df.ReshapeOp):
            producers[layer.result] = producers[layer.x]
            continue
        name = names[layer]
        streams_in = [v for v in layer.operands if isinstance(v.type, df.StreamType)]
        for i, value in enumerate(streams_in):
            consume(value, f"{name}.in{i}_V", [name, f"in{i}_V_TREADY"])
        streams_out = [r for r in layer.results if isinstance(r.type, df.StreamType)]
        for j, result in enumerate(streams_out):
            producers[result] = (f"{name}.out{j}_V", [name, f"out{j}_V_TVALID"])
    for j, value in enumerate(_yielded(partition)):
        consume(value, f"out{j}_V", [None, f"out{j}_V_TREADY"])
    return wires


def _yielded(partition: df.PartitionOp) -> list[SSAValue]:
    terminator = partition.block.last_op
    assert isinstance(terminator, df.YieldOp)
    return list(terminator.values)


@dataclass(frozen=True)
class ConvertDataflowToHwPass(ModulePass):
    """The module docstring. Exactly one `dataflow.partition` is supported."""

    name = "convert-dataflow-to-hw"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        require_level(op, self.name, Level.DATAFLOW)
        lower_partition(df.require_partition(op, self.name), op)
