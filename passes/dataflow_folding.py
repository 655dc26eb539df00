"""Folding of dataflow layers: names, PE/SIMD choices, `refold`, and width converters.

Shared by `set-folding`, `apply-folding`, `insert-dwc`, the `estimates`/`folding-json`
targets and the emitters.

**Layer names.** `layer_names(partition)` is `qdialects.dataflow.naming.layer_names`, the one
naming scheme the emitters, reports and folding files share: FINN-style per-type counters in
program order (`MVAU_0`, `MVAU_1`, `SWG_0`, `Thresholding_0`, `MaxPool_0`, `DWC_0`, ...),
or a layer's own `qnn.name` attribute. Per-type counters keep a compute layer's name when
width converters or FIFOs are inserted elsewhere. `finn_alias` maps FINN's node names
(`MVAU_hls_0`, `MatrixVectorActivation_0`, `ConvolutionInputGenerator_hls_1`, ...) to
these, so `apply-folding` also takes a FINN folding file whose layers come in the same order.

**Folding parameters.** Each layer kind has at most a `PE` and a `SIMD` (FINN's names),
stored in its `pe`/`simd` property, and each fixes the lanes of its streams (the
verifiers' invariants, `qdialects/dataflow/`):

| layer | PE | SIMD | input lanes | output lanes |
|---|---|---|---|---|
| mvau | divides MH | divides MW | SIMD | PE |
| vvau | divides C | divides K (1 after a `swg`) | PE·SIMD, depthwise K simd SIMD | PE |
| swg, fm_padding | | divides C | SIMD | SIMD (swg depthwise: `depthwise K`) |
| concat | | divides every input's C | SIMD | SIMD |
| thresholding, maxpool, pool, global_acc_pool, add_streams, duplicate_streams, channelwise, upsample | divides C | | PE | PE |
| depth_to_space | divides C/b² | | PE | PE |
| slice | divides C and the channel range's start and end (1 for a strided channel range) | | PE | PE |
| label_select | divides N | | PE | 1 |
| dwc, fifo, reshape | | | (follow their neighbours) | |

A standard-order `swg` has a third parameter, `parallel_window` (FINN's name, 0 or 1):
with 1 it needs SIMD = C and writes the whole window per word (`KH·KW·C` output lanes,
what an MVAU with SIMD = MW reads without a converter): one output pixel per cycle.

A depthwise `swg` and the `vvau` it feeds are folded together (FINN: the SWG's SIMD is the
VVAU's PE): setting either sets both, and a VVAU SIMD above 1 after an SWG is impossible
(the SWG emits one kernel position per word).

**Keeping the IR valid.** `refold` sets a layer's folding, retypes its results, and then
`reconcile` fixes every edge of the partition: a `dataflow.dwc` where a producer's lanes
differ from what its consumer reads, none where they agree, chains of converters merged
into one, FIFOs retyped to their (new) input type, reshapes following their producer's
lanes. With `adapt_inputs` a partition input read by one layer takes that layer's input
lanes (the host feeds the accelerator at the first layer's width) instead of getting a
converter; outputs always have their producer's lanes.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from xdsl.dialects.builtin import BoolAttr, IntegerAttr, ModuleOp, StringAttr, i64
from xdsl.ir import Block, BlockArgument, Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from passes.errors import FoldingError
from qdialects import dataflow as df
from qdialects.dataflow import naming
from qdialects.dataflow.estimates import Resources
from qdialects.dataflow.types import StreamType
from qdialects.types import QDataType
from qdialects.utils import ints

PE = "PE"
SIMD = "SIMD"
WINDOW = "parallel_window"
"""FINN's name for the whole-window-per-word mode of a (standard-order) SWG: 0 or 1."""

FINN_TYPES: dict[str, tuple[str, ...]] = {
    "MVAU": ("MVAU_hls", "MVAU_rtl", "MatrixVectorActivation", "StreamingFCLayer_Batch"),
    "VVAU": ("VVAU_hls", "VVAU_rtl", "VectorVectorActivation"),
    "SWG": (
        "ConvolutionInputGenerator_hls",
        "ConvolutionInputGenerator_rtl",
        "ConvolutionInputGenerator",
    ),
    "FMPadding": ("FMPadding_hls", "FMPadding_rtl", "FMPadding_Batch"),
    "Thresholding": ("Thresholding_hls", "Thresholding_rtl", "Thresholding_Batch"),
    "MaxPool": ("StreamingMaxPool_hls", "StreamingMaxPool_Batch", "StreamingMaxPool"),
    "Pool": ("Pool_hls", "Pool_Batch"),
    "GlobalAccPool": ("GlobalAccPool_hls", "GlobalAccPool_Batch"),
    "AddStreams": ("AddStreams_hls", "AddStreams_Batch"),
    "DuplicateStreams": ("DuplicateStreams_hls", "DuplicateStreams_Batch"),
    "Channelwise": ("ChannelwiseOp_hls", "ChannelwiseOp_Batch"),
    "LabelSelect": ("LabelSelect_hls", "LabelSelect_Batch"),
    "Concat": ("StreamingConcat_hls", "StreamingConcat"),
    "DWC": ("StreamingDataWidthConverter_hls", "StreamingDataWidthConverter_Batch"),
    "FIFO": ("StreamingFIFO_rtl", "StreamingFIFO"),
}
"""Our name prefix -> FINN's node types for the same layer (current and older names)."""

_FINN_NAME = re.compile(r"(?P<kind>[A-Za-z_]+?)_(?P<index>[0-9]+)")


def finn_alias(name: str) -> str | None:
    """Our layer name for FINN's node name `name` (`MVAU_hls_3` -> `MVAU_3`), else None."""
    match = _FINN_NAME.fullmatch(name)
    if match is None:
        return None
    for prefix, kinds in FINN_TYPES.items():
        if match["kind"] in kinds:
            return f"{prefix}_{match['index']}"
    return None


_PE_LAYERS = (
    df.MVAUOp,
    df.VVAUOp,
    df.ThresholdingOp,
    df.MaxPoolOp,
    df.PoolOp,
    df.GlobalAccPoolOp,
    df.AddStreamsOp,
    df.DuplicateStreamsOp,
    df.ChannelwiseOp,
    df.LabelSelectOp,
    df.UpsampleOp,
    df.DepthToSpaceOp,
    df.SliceOp,
)
_SIMD_LAYERS = (df.MVAUOp, df.VVAUOp, df.SWGOp, df.FMPaddingOp, df.ConcatOp)
_PASS_THROUGH = (df.DWCOp, df.FIFOOp, df.ReshapeOp)


# --------------------------------------------------------------------------- names


def layer_names(partition: df.PartitionOp) -> dict[df.Layer, str]:
    """Every layer of `partition` -> its name (`qdialects.dataflow.naming.layer_names`)."""
    return {
        layer: name
        for layer, name in naming.layer_names(partition).items()
        if isinstance(layer, df.Layer)
    }


def describe(layer: df.Layer, names: dict[df.Layer, str] | None = None) -> str:
    """`NAME (dataflow.op)` for messages."""
    partition = layer.parent_op()
    if names is None and isinstance(partition, df.PartitionOp):
        names = layer_names(partition)
    name = names.get(layer) if names else None
    return f"{name} ({layer.name})" if name else layer.name


# --------------------------------------------------------------------------- parameters


def _prop(layer: Operation, name: str) -> int:
    attr = layer.properties[name]
    assert isinstance(attr, IntegerAttr)
    return attr.value.data


@functools.cache
def _i64(value: int) -> IntegerAttr:
    return IntegerAttr(value, i64)


@functools.cache
def _stream(
    shape: tuple[int, ...], element: QDataType, lanes: int, kernel: int = 0, simd: int = 1
) -> StreamType:
    """A (cached: probing builds the same few types over and over) stream type."""
    return StreamType(shape, element, lanes, depthwise_kernel=kernel, depthwise_simd=simd)


def _set_prop(layer: Operation, name: str, value: int) -> None:
    layer.properties[name] = _i64(value)


def _has_window(layer: Operation) -> bool:
    return isinstance(layer, df.SWGOp) and not layer.is_depthwise


def has_param(layer: df.Layer, param: str) -> bool:
    if param == WINDOW:
        return _has_window(layer)
    return isinstance(layer, _PE_LAYERS if param == PE else _SIMD_LAYERS)


def params(layer: df.Layer) -> dict[str, int]:
    """The layer's folding parameters and their values (`{"PE": 4, "SIMD": 8}`, `{}`)."""
    result: dict[str, int] = {}
    if isinstance(layer, _PE_LAYERS):
        result[PE] = _prop(layer, "pe")
    if isinstance(layer, _SIMD_LAYERS):
        result[SIMD] = _prop(layer, "simd")
    if isinstance(layer, df.SWGOp) and _has_window(layer):
        result[WINDOW] = int(layer.is_parallel_window)
    return result


def _channels(layer: df.Layer) -> int:
    return df.stream_type(layer.operands[0]).shape[-1]


def param_bounds(layer: df.Layer) -> dict[str, tuple[int, str]]:
    """Per parameter, the number it must divide and what that number is (for messages)."""
    if isinstance(layer, df.MVAUOp):
        mw, mh = layer.matrix_shape()
        return {PE: (mh, "MH"), SIMD: (mw, "MW")}
    if isinstance(layer, df.VVAUOp):
        k, c = layer.kernel_channels()
        return {PE: (c, "the channels C"), SIMD: (k, "the kernel size K")}
    if isinstance(layer, df.ConcatOp):
        channels = [df.stream_type(v).shape[-1] for v in layer.inputs]
        return {SIMD: (math.gcd(*channels), f"the input channels {channels}")}
    if isinstance(layer, df.LabelSelectOp):
        return {PE: (_channels(layer), "the number of labels")}
    if isinstance(layer, df.DepthToSpaceOp):
        return {PE: (df.stream_type(layer.result).shape[-1], "the output channels C/b²")}
    if isinstance(layer, df.SliceOp):
        return {PE: (layer.max_pe(), "the gcd of the channels and the channel range's ends")}
    if isinstance(layer, _SIMD_LAYERS):
        return {SIMD: (_channels(layer), "the channels C")}
    if isinstance(layer, _PE_LAYERS):
        return {PE: (_channels(layer), "the channels C")}
    return {}


def divisors(n: int) -> list[int]:
    """The divisors of n in increasing order."""
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return small + [n // d for d in reversed(small) if d * d != n]


def choices(layer: df.Layer) -> dict[str, list[int]]:
    """Every value each folding parameter of `layer` can take."""
    result = {param: divisors(bound) for param, (bound, _) in param_bounds(layer).items()}
    if isinstance(layer, df.VVAUOp) and depthwise_producer(layer) is not None:
        result[SIMD] = [1]
    if _has_window(layer):
        result[WINDOW] = [0, 1]
    return result


def check_window(
    layer: df.Layer, window: int, simd: int, names: dict[df.Layer, str] | None = None
) -> None:
    """Raise `FoldingError` unless `layer` can take `parallel_window = window` at SIMD
    `simd`."""
    if not _has_window(layer):
        raise FoldingError(
            f"{describe(layer, names)} has no {WINDOW} (only a standard-order dataflow.swg "
            f"has; cannot set it to {window})"
        )
    if window not in (0, 1):
        raise FoldingError(f"{describe(layer, names)}: {WINDOW} = {window} must be 0 or 1")
    channels = _channels(layer)
    if window and simd != channels:
        raise FoldingError(
            f"{describe(layer, names)}: {WINDOW} = 1 is impossible at SIMD = {simd}: it "
            f"needs SIMD = C = {channels}"
        )


def check(layer: df.Layer, param: str, value: int, names: dict[df.Layer, str] | None = None):
    """Raise `FoldingError` unless `layer` can take `param = value`."""
    bounds = param_bounds(layer)
    if param not in bounds:
        raise FoldingError(f"{describe(layer, names)} has no {param} (cannot set it to {value})")
    bound, what = bounds[param]
    if value < 1 or bound % value:
        raise FoldingError(
            f"{describe(layer, names)}: {param} = {value} is impossible: it must divide "
            f"{what} = {bound}"
        )
    if isinstance(layer, df.VVAUOp) and param == SIMD and value != 1:
        swg = depthwise_producer(layer)
        if swg is not None:
            raise FoldingError(
                f"{describe(layer, names)}: SIMD = {value} is impossible after "
                f"{describe(swg, names)}: a depthwise dataflow.swg emits one kernel position "
                f"per word (VVAU SIMD must be 1)"
            )


# --------------------------------------------------------------------------- coupling


def _through_fifos_up(value: SSAValue) -> Operation | Block:
    owner = value.owner
    while isinstance(owner, df.FIFOOp):
        owner = owner.x.owner
    return owner


def depthwise_producer(vvau: df.VVAUOp) -> df.SWGOp | None:
    """The depthwise `swg` feeding `vvau` (through FIFOs), if any."""
    owner = _through_fifos_up(vvau.x)
    if isinstance(owner, df.SWGOp) and owner.is_depthwise:
        return owner
    return None


def depthwise_consumers(swg: df.SWGOp) -> list[df.VVAUOp]:
    """The `vvau`s reading a depthwise `swg`'s stream (through FIFOs)."""
    found: list[df.VVAUOp] = []
    pending: list[SSAValue] = [swg.result]
    while pending:
        value = pending.pop()
        for use in value.uses:
            user = use.operation
            if isinstance(user, df.FIFOOp):
                pending.append(user.result)
            elif isinstance(user, df.VVAUOp):
                found.append(user)
    return found


# --------------------------------------------------------------------------- stream types


def input_type(layer: df.Layer, index: int) -> StreamType | None:
    """The stream type `layer` reads on operand `index` under its current folding (None
    for tensor operands and for DWC/FIFO/reshape, which take what they are given)."""
    value = layer.operands[index]
    current = value.type
    if not isinstance(current, StreamType) or isinstance(layer, _PASS_THROUGH):
        return None
    if isinstance(layer, df.VVAUOp):
        pe, simd = _prop(layer, "pe"), _prop(layer, "simd")
        k, _ = layer.kernel_channels()
        return _stream(current.shape, current.element, pe * simd, k, simd)
    lanes = _prop(layer, "simd") if isinstance(layer, _SIMD_LAYERS) else _prop(layer, "pe")
    return _stream(current.shape, current.element, lanes)


def output_type(layer: df.Layer, index: int) -> StreamType | None:
    """The stream type of result `index` of `layer` under its current folding (None for
    DWC/FIFO/reshape)."""
    current = layer.results[index].type
    if not isinstance(current, StreamType) or isinstance(layer, _PASS_THROUGH):
        return None
    if isinstance(layer, df.LabelSelectOp):
        lanes = 1
    elif isinstance(layer, _SIMD_LAYERS) and not isinstance(layer, df.MVAUOp | df.VVAUOp):
        lanes = _prop(layer, "simd")
    else:
        lanes = _prop(layer, "pe")
    if isinstance(layer, df.SWGOp) and layer.is_depthwise:
        kh, kw = ints(layer.kernel)
        return _stream(current.shape, current.element, lanes, kh * kw)
    if isinstance(layer, df.SWGOp):
        lanes = layer.output_lanes()
    return _stream(current.shape, current.element, lanes)


def _retype(value: SSAValue, new_type: StreamType) -> SSAValue:
    if value.type == new_type:
        return value
    return Rewriter.replace_value_with_new_type(value, new_type)


def _retype_results(layer: df.Layer) -> None:
    for i in range(len(layer.results)):
        new_type = output_type(layer, i)
        if new_type is not None:
            _retype(layer.results[i], new_type)


# --------------------------------------------------------------------------- refold


def _set_window(layer: Operation, window: int) -> None:
    layer.properties[WINDOW] = BoolAttr.from_bool(bool(window))


def set_params(
    layer: df.Layer,
    *,
    pe: int | None = None,
    simd: int | None = None,
    window: int | None = None,
    names: dict[df.Layer, str] | None = None,
) -> list[df.Layer]:
    """Check and set `layer`'s PE/SIMD/parallel_window (and its depthwise partner's) and
    retype their results; the partition's edges are left for `reconcile`. Returns the
    layers changed. A parallel-window SWG given a SIMD below C without `window` drops the
    parallel window."""
    changed: list[df.Layer] = [layer]
    for param, value in ((PE, pe), (SIMD, simd)):
        if value is not None:
            check(layer, param, value, names)
    if isinstance(layer, df.SWGOp) and (window is not None or layer.is_parallel_window):
        new_simd = simd if simd is not None else _prop(layer, "simd")
        if window is None:
            window = int(new_simd == _channels(layer))
        check_window(layer, window, new_simd, names)
        _set_window(layer, window)
    elif window is not None:
        check_window(layer, window, simd or 0, names)
    if pe is not None:
        _set_prop(layer, "pe", pe)
    if simd is not None:
        _set_prop(layer, "simd", simd)
    if isinstance(layer, df.VVAUOp) and pe is not None:
        swg = depthwise_producer(layer)
        if swg is not None:
            _set_prop(swg, "simd", pe)
            changed.append(swg)
    if isinstance(layer, df.SWGOp) and layer.is_depthwise and simd is not None:
        for vvau in depthwise_consumers(layer):
            _set_prop(vvau, "pe", simd)
            changed.append(vvau)
    for each in changed:
        _retype_results(each)
    return changed


def refold(
    layer: df.Layer,
    *,
    pe: int | None = None,
    simd: int | None = None,
    window: int | None = None,
    adapt_inputs: bool = True,
) -> None:
    """Set `layer`'s folding and keep its partition valid (see the module docstring).

    Raises `FoldingError` (one line naming the layer, the parameter and the value) when the
    layer has no such parameter or cannot take the value."""
    set_params(layer, pe=pe, simd=simd, window=window)
    partition = layer.parent_op()
    assert isinstance(partition, df.PartitionOp), "refold: the layer must be in a partition"
    reconcile(partition, adapt_inputs=adapt_inputs)


# --------------------------------------------------------------------------- reconcile


def _wanted_by_sole_reader(value: SSAValue) -> StreamType | None:
    """The type the only reader of `value` wants (looking through one converter)."""
    uses = list(value.uses)
    if len(uses) != 1:
        return None
    user, index = uses[0].operation, uses[0].index
    if isinstance(user, df.DWCOp):
        return _wanted_by_sole_reader(user.result)
    if isinstance(user, df.Layer):
        return input_type(user, index)
    return None


def _reshape_lanes(reshape: df.ReshapeOp, lanes: int) -> int:
    inner_in = df.stream_type(reshape.x).shape[-1]
    inner_out = df.stream_type(reshape.result).shape[-1]
    return math.gcd(lanes, inner_in, inner_out)


def _source(value: SSAValue) -> SSAValue:
    """`value` with converters stripped: the stream a DWC chain starts from."""
    while isinstance(value.owner, df.DWCOp):
        value = value.owner.x
    return value


def _connect(
    user: Operation, index: int, wanted: StreamType, names: dict[df.Layer, str] | None
) -> None:
    """Make operand `index` of `user` a stream of type `wanted`: directly from the source
    when it has that type, else through exactly one converter."""
    value = user.operands[index]
    source = _source(value)
    if source.type == wanted:
        user.operands[index] = source
        return
    src_type, here = source.type, value.type
    assert isinstance(src_type, StreamType)
    if src_type.is_depthwise or wanted.is_depthwise:
        who = describe(user, names) if isinstance(user, df.Layer) else user.name
        raise FoldingError(
            f"{who}: reads {wanted} but is fed {src_type}; a dataflow.dwc converts "
            f"standard-order streams only (fold the depthwise swg and its vvau together)"
        )
    if src_type.shape != wanted.shape or src_type.element != wanted.element:
        raise FoldingError(f"{user.name}: cannot convert {src_type} to {wanted}")
    owner = value.owner
    if here == wanted and isinstance(owner, df.DWCOp) and owner.x is source:
        return  # already one converter from the source
    if isinstance(owner, df.DWCOp) and len(list(value.uses)) == 1:
        owner.operands[0] = source  # merge the chain into this converter, retype it
        user.operands[index] = _retype(owner.result, wanted)
        return
    dwc = df.DWCOp(source, wanted)
    Rewriter.insert_op(dwc, InsertPoint.before(user))
    user.operands[index] = dwc.result


def _erase_dead_converters(block: Block) -> None:
    changed = True
    while changed:
        changed = False
        for op in list(block.ops):
            if isinstance(op, df.DWCOp) and not list(op.result.uses):
                Rewriter.erase_op(op)
                changed = True


def _converted_as_read(fifo: df.FIFOOp) -> bool:
    """Whether `fifo` sits after the one converter from its source that gives its only
    reader the stream it reads, as `insert-fifos` leaves it after `insert-dwc`. Such a
    FIFO stays where it is, so that a folding applied again to a sized design (qnn-build
    `--folding` with a build's own folding.json) leaves its FIFOs' widths, and so what
    their depths hold, as they were."""
    converter = fifo.x.owner
    if not isinstance(converter, df.DWCOp) or isinstance(converter.x.owner, df.DWCOp):
        return False
    uses = list(fifo.result.uses)
    if len(uses) != 1 or not isinstance(reader := uses[0].operation, df.Layer):
        return False
    wanted = input_type(reader, uses[0].index)
    return wanted == fifo.result.type == converter.result.type != converter.x.type


def reconcile(partition: df.PartitionOp, *, adapt_inputs: bool = False) -> None:
    """Canonical width converters in `partition`: one `dataflow.dwc` on every edge whose
    producer's stream type differs (in lanes) from what the consumer reads, none where they
    agree, chains merged; FIFOs take their input's type (one after the converter its
    reader needs stays there: `_converted_as_read`) and reshapes their producer's
    lanes (or the largest lanes dividing both frames). With `adapt_inputs`, a partition
    input read by a single layer takes that layer's input type instead of a converter.

    Raises `FoldingError` where a depthwise-order stream would need converting."""
    block = partition.block
    names = layer_names(partition)
    if adapt_inputs:
        for arg in block.args:
            wanted = _wanted_by_sole_reader(arg)
            current = arg.type
            if (
                wanted is not None
                and isinstance(current, StreamType)
                and current != wanted
                and (current.shape, current.element) == (wanted.shape, wanted.element)
            ):
                _retype(arg, wanted)
    for op in list(block.ops):
        if isinstance(op, df.DWCOp):
            continue  # converters are (re)placed by their readers
        if isinstance(op, df.FIFOOp):
            if not _converted_as_read(op):
                source = _source(op.x)
                op.operands[0] = source
                _retype(op.result, df.stream_type(source))
            continue
        if isinstance(op, df.ReshapeOp):
            source = df.stream_type(_source(op.x))
            lanes = _reshape_lanes(op, source.lanes)
            _connect(op, 0, source.with_lanes(lanes), names)
            _retype(op.result, df.stream_type(op.result).with_lanes(lanes))
            continue
        if isinstance(op, df.Layer):
            _retype_results(op)
            for index in range(len(op.operands)):
                wanted = input_type(op, index)
                if wanted is not None:
                    _connect(op, index, wanted, names)
            continue
        if isinstance(op, df.YieldOp):
            for index in range(len(op.operands)):
                op.operands[index] = _source(op.operands[index])
    _erase_dead_converters(block)


# --------------------------------------------------------------------------- probing


@dataclass
class Probe:
    """A detached copy of a layer (and its depthwise partner) whose folding can be
    changed freely to read off cycles and estimates; `release()` drops it."""

    layers: list[df.Layer]
    _block: Block

    @staticmethod
    def of(layer: df.Layer) -> Probe:
        """Copies of `layer` (and the depthwise swg feeding it) reading fresh block
        arguments: a layer's cycles and estimates depend only on its own folding and the
        types of its streams."""
        group: list[df.Layer] = [layer]
        if isinstance(layer, df.VVAUOp):
            swg = depthwise_producer(layer)
            if swg is not None:
                group.insert(0, swg)
        block = Block()
        copies: list[df.Layer] = []
        for op in group:
            mapping: dict[SSAValue, SSAValue] = {}
            for operand in op.operands:
                if isinstance(operand.type, StreamType) and operand not in mapping:
                    mapping[operand] = block.insert_arg(operand.type, len(block.args))
            copies.append(op.clone(value_mapper=mapping))
        return Probe(copies, block)

    def set(self, pe: int | None, simd: int | None, window: int | None = None) -> None:
        main = self.layers[-1]
        if pe is not None:
            _set_prop(main, "pe", pe)
        if simd is not None:
            _set_prop(main, "simd", simd)
        if window is not None:
            _set_window(main, window)
        if len(self.layers) > 1 and pe is not None:
            _set_prop(self.layers[0], "simd", pe)
        # The probe's values belong to it alone: retype them in place (no new SSA values,
        # no use lists to rewrite), which keeps probing a folding cheap.
        for layer in self.layers:
            for index, result in enumerate(layer.results):
                wanted = output_type(layer, index)
                if wanted is not None:
                    result._type = wanted  # pyright: ignore[reportPrivateUsage]
            for index, value in enumerate(layer.operands):
                wanted = input_type(layer, index)
                if wanted is not None and isinstance(value, BlockArgument):
                    value._type = wanted  # pyright: ignore[reportPrivateUsage]

    def cycles(self) -> int:
        return max(layer.cycles_per_frame() for layer in self.layers)

    def widest_word(self) -> int:
        """The widest stream or weight word (bits) of the probed folding."""
        widths = [
            w for layer in self.layers for w in (*layer.input_widths(), *layer.output_widths())
        ]
        widths += [
            (layer.simd.value.data) * layer.weight_dtype().bitwidth
            for layer in self.layers
            if isinstance(layer, df.MVAUOp)
        ]
        return max(widths, default=0)

    def estimates(self) -> Resources:
        total = Resources()
        for layer in self.layers:
            total = total + layer.estimates()
        return total

    def release(self) -> None:
        for layer in reversed(self.layers):
            layer.drop_all_references()


# --------------------------------------------------------------------------- JSON


FOLDING_KEYS = (PE, SIMD, WINDOW, "ram_style", "mem_mode", "depth")
"""Keys `apply-folding` understands (FINN's attribute names)."""

IGNORED_FINN_KEYS = frozenset(
    {
        "resType",
        "runtime_writeable_weights",
        "impl_style",
        "ram_style_thresholds",
        "inFIFODepths",
        "outFIFODepths",
        "preferred_impl_style",
    }
)
"""FINN folding keys with no counterpart here: accepted and ignored."""


def layer_config(layer: df.Layer) -> dict[str, int | str]:
    """The FINN-style folding entry of one layer: PE/SIMD, ram_style, mem_mode, depth."""
    entry: dict[str, int | str] = dict(params(layer))
    for key in ("ram_style", "mem_mode"):
        attr = layer.properties.get(key)
        if isinstance(attr, StringAttr):
            entry[key] = attr.data
    if isinstance(layer, df.FIFOOp):
        entry["depth"] = _prop(layer, "depth")
    return entry


def write_folding_json(module: ModuleOp) -> dict[str, dict[str, int | str]]:
    """The folding of the module's partition as FINN's folding configuration:
    `{"Defaults": {}, "<layer name>": {"PE": .., "SIMD": .., "ram_style": .., ...}}` for
    every layer with at least one setting (DWCs and reshapes have none)."""
    config: dict[str, dict[str, int | str]] = {"Defaults": {}}
    partition = df.find_partition(module, "folding-json")
    if partition is None:
        return config
    for layer, name in layer_names(partition).items():
        entry = layer_config(layer)
        if entry:
            config[name] = entry
    return config


def set_string(
    layer: df.Layer, key: str, value: object, allowed: Iterable[str], names: dict[df.Layer, str]
) -> None:
    """Set a string property (`ram_style`, `mem_mode`) after checking the value."""
    allowed = tuple(allowed)
    if key not in layer.properties and not has_property(layer, key):
        raise FoldingError(f"{describe(layer, names)} has no {key} (cannot set it to {value!r})")
    if not isinstance(value, str) or value not in allowed:
        raise FoldingError(
            f"{describe(layer, names)}: {key} = {value!r} is impossible: expected one of "
            f"{', '.join(allowed)}"
        )
    layer.properties[key] = StringAttr(value)


def has_property(layer: df.Layer, key: str) -> bool:
    """Whether the layer's op defines the property `key`."""
    return key in type(layer).get_irdl_definition().properties
