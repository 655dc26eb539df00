"""`minimize-bit-width`: the tightest datatypes for accumulators, weights, thresholds and the
streams that carry accumulated values (FINN's MinimizeAccumulatorWidth and
MinimizeWeightBitWidth, made exact).

Every range below is computed from datatypes and constants only (never from data), so
the function is unchanged for every input the partition's input types allow.

* **Accumulators** (`dataflow.mvau`, `dataflow.vvau`): per output channel `m` the exact
  extremes over all inputs of the input stream's datatype `[x_lo, x_hi]` are
  `lo[m] = Σ_k min(w[k,m]·x_lo, w[k,m]·x_hi)` and `hi[m] = Σ_k max(...)` (each term is
  chosen independently, so both ends are attained); XNOR layers count agreements,
  `[0, MW]`. `acc_dtype` becomes the tightest `!quant.int`/`!quant.uint` of
  `[min lo, max hi]` and, with thresholds, of the thresholds too (the verifier requires
  the thresholds to fit the accumulator type, as the HLS kernels compare in it).
* **Thresholds** (fused, or a standalone `dataflow.thresholding` whose "accumulator" is
  its input stream): the comparison is `acc >= t`, so for `acc` in `[lo, hi]` every
  `t <= lo` counts always and every `t > hi` never. Each threshold row is clipped to
  `[lo, hi + 1]` of its channel (of all channels for a shared `1 x N` row): no count
  changes. (FINN clips to `[acc_min, acc_max]`, which makes a threshold above the range
  count at `acc = acc_max`; `lo - 1` as the lower end would also be exact, but can cost a
  sign bit.) A threshold column that counts always (or never) in every channel is
  dropped; an always-counting column adds `out_scale` to `out_bias` (kept: at least one
  column, and the single column of a bipolar output). Thresholds are then retyped
  tightest.
* **Weights**: retyped to the tightest datatype of their values when that is narrower
  (`!quant.int<8>` weights in [-3, 3] become `!quant.int<3>`); bipolar, binary and
  ternary weights keep their type unless a narrower integer type holds them (never for
  bipolar). XNOR layers are left alone apart from their accumulator and thresholds.
* **Streams**: the values a layer computes exactly from its input types — an MVAU/VVAU
  without thresholds (the accumulator: its output type becomes `acc_dtype`), a sum pool,
  a global accumulation pool, a residual `add_streams`, a `channelwise` op — get the
  tightest type of their exact range. Layers that pass values through unchanged
  (fifo, dwc, reshape, duplicate_streams, swg, fm_padding, max pools, concat) force
  one type on all their streams; such a group is retyped only when every value entering
  it is one of the computed ones, to the tightest type of the union of their ranges,
  and only when that is narrower. Narrower inputs narrow the next layers' ranges, so
  this runs to a fixpoint in program order. A narrowed stream leaving the partition
  narrows the partition's result (and the function's result type when it is returned);
  when the result feeds an op outside that keeps its integer type, the stream is left
  as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, TensorType, i64
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import BlockArgument, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter

from passes.levels import Level, require_level
from passes.streamline.common import int_const
from qdialects import dataflow as df
from qdialects.quant import ConstantOp, constant_value
from qdialects.types import (
    BipolarType,
    QDataType,
    datatype_of_values,
    element_datatype,
    smallest_datatype,
)
from qdialects.utils import is_float_tensor

# --------------------------------------------------------------------------- ranges


def channel_ranges(x_range: tuple[int, int], weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per output column `m`, the exact extremes of `Σ_k w[k, m]·x[k]` over all `x` with
    elements in `x_range` (a `K x M` weight matrix: MVAU `MW x MH`, VVAU `K x C`)."""
    lo_x, hi_x = x_range
    w = weights.astype(np.int64)
    low = np.minimum(w * lo_x, w * hi_x).sum(axis=0)
    high = np.maximum(w * lo_x, w * hi_x).sum(axis=0)
    return low, high


def accumulator_ranges(op: df.MVAUOp | df.VVAUOp) -> tuple[np.ndarray, np.ndarray]:
    """Per output channel, the exact accumulator extremes of an MVAU/VVAU."""
    weights = op.weight_array()
    if isinstance(op, df.MVAUOp) and op.is_xnor:
        mw, mh = weights.shape
        return np.zeros(mh, dtype=np.int64), np.full(mh, mw, dtype=np.int64)
    return channel_ranges(df.stream_type(op.x).element.value_range, weights)


def accumulator_dtype(lo: int, hi: int, thresholds: np.ndarray | None) -> QDataType:
    """The tightest datatype of `[lo, hi]` and the thresholds."""
    if thresholds is not None and thresholds.size:
        lo, hi = min(lo, int(thresholds.min())), max(hi, int(thresholds.max()))
    return smallest_datatype(lo, hi)


def narrower(new: QDataType, old: QDataType) -> bool:
    return new.bitwidth < old.bitwidth


# --------------------------------------------------------------------------- thresholds


@dataclass
class Activation:
    """Thresholds `C x N` (or `1 x N`) with out_scale/out_bias."""

    thresholds: np.ndarray
    scale: int
    bias: int


def minimize_thresholds(
    act: Activation, lo: np.ndarray, hi: np.ndarray, bipolar_output: bool
) -> Activation:
    """Clip every row to its channel's `[lo, hi + 1]` and drop columns that count always or
    never in every channel (see the module docstring); `lo`/`hi` are per channel."""
    t = act.thresholds.astype(np.int64)
    if t.shape[0] == 1:
        lo_rows, hi_rows = np.array([lo.min()]), np.array([hi.max()])
    else:
        lo_rows, hi_rows = lo, hi
    t = np.clip(t, lo_rows[:, None], hi_rows[:, None] + 1)
    bias = act.bias
    if not bipolar_output:
        always: np.ndarray = np.all(t <= lo_rows[:, None], axis=0)
        never: np.ndarray = np.all(t > hi_rows[:, None], axis=0)
        keep = np.logical_not(np.logical_or(always, never))
        if not keep.any():  # keep one column: the output is constant either way
            keep[0] = True
        bias += act.scale * int(np.count_nonzero(np.logical_and(always, np.logical_not(keep))))
        t = t[:, keep]
    return Activation(t, act.scale, bias)


# --------------------------------------------------------------------------- IR helpers


def _replace_constant(op: Operation, index: int, values: np.ndarray, datatype: QDataType) -> None:
    """Make operand `index` of `op` a new constant (placed before the old one, which is
    erased when nothing else uses it)."""
    old = op.operands[index]
    new = int_const(values, datatype, name=old.name_hint)
    owner = old.owner
    assert isinstance(owner, ConstantOp)
    block = owner.parent_block()
    assert block is not None
    block.insert_op_before(new, owner)
    op.operands[index] = new.result
    if not owner.result.uses:
        owner.detach()
        owner.erase()


def _set_int(op: Operation, name: str, value: int) -> None:
    op.properties[name] = IntegerAttr(value, i64)


def _constant_dtype(value: SSAValue) -> QDataType:
    datatype = element_datatype(value.type)
    assert datatype is not None
    return datatype


def _update_activation(
    op: df.MVAUOp | df.VVAUOp | df.ThresholdingOp, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """Minimize `op`'s thresholds for accumulator ranges `lo`/`hi`; returns them."""
    assert op.thresholds is not None
    thresholds = constant_value(op.thresholds)
    assert thresholds is not None
    scale, bias = op.out_scale.value.data, op.out_bias.value.data
    bipolar = isinstance(df.stream_type(op.result).element, BipolarType)
    act = minimize_thresholds(Activation(thresholds, scale, bias), lo, hi, bipolar)
    t_dtype = datatype_of_values(act.thresholds)
    old_dtype = _constant_dtype(op.thresholds)
    same = act.thresholds.shape == thresholds.shape and np.array_equal(act.thresholds, thresholds)
    if not same or narrower(t_dtype, old_dtype):
        _replace_constant(op, op.operands.index(op.thresholds), act.thresholds, t_dtype)
    if act.bias != bias:
        _set_int(op, "out_bias", act.bias)
    return act.thresholds


def minimize_mac(op: df.MVAUOp | df.VVAUOp) -> None:
    """Weights, thresholds and `acc_dtype` of one MVAU/VVAU (its input type is final)."""
    xnor = isinstance(op, df.MVAUOp) and op.is_xnor
    if not xnor:
        weights, w_dtype = op.weight_array(), op.weight_dtype()
        tight = datatype_of_values(weights)
        if not isinstance(w_dtype, BipolarType) and narrower(tight, w_dtype):
            _replace_constant(op, op.operands.index(op.weights), weights, tight)
    lo, hi = accumulator_ranges(op)
    thresholds = _update_activation(op, lo, hi) if op.thresholds is not None else None
    op.acc_dtype = accumulator_dtype(int(lo.min()), int(hi.max()), thresholds)


def minimize_thresholding(op: df.ThresholdingOp) -> None:
    x = df.stream_type(op.x)
    channels = x.shape[-1]
    lo_x, hi_x = x.element.value_range
    _update_activation(op, np.full(channels, lo_x), np.full(channels, hi_x))


# --------------------------------------------------------------------------- streams

PASS_THROUGH = (
    df.FIFOOp,
    df.DWCOp,
    df.ReshapeOp,
    df.DuplicateStreamsOp,
    df.SWGOp,
    df.FMPaddingOp,
    df.MaxPoolOp,
    df.ConcatOp,
)
"""Layers whose stream operands and results all carry one element type."""


def _is_pass_through(op: Operation) -> bool:
    if isinstance(op, df.PoolOp):
        return op.mode.data == "max"
    return isinstance(op, PASS_THROUGH)


def computed_range(value: SSAValue) -> tuple[int, int] | None:
    """The exact range of a stream a layer computes from its input types, or None when
    the value is not such a stream (a partition input, an activation, a label index,
    a pass-through result)."""
    op = value.owner
    if isinstance(op, df.MVAUOp | df.VVAUOp):
        if op.thresholds is not None:
            return None
        lo, hi = accumulator_ranges(op)
        return int(lo.min()), int(hi.max())
    if isinstance(op, df.GlobalAccPoolOp):
        h, w, _ = df.stream_type(op.x).shape
        lo, hi = df.stream_type(op.x).element.value_range
        return h * w * lo, h * w * hi
    if isinstance(op, df.PoolOp) and op.mode.data == "sum":
        return op.output_range()
    if isinstance(op, df.AddStreamsOp):
        a, b = df.stream_type(op.a).element, df.stream_type(op.b).element
        return a.min_value + b.min_value, a.max_value + b.max_value
    if isinstance(op, df.ChannelwiseOp):
        params = constant_value(op.params)
        return None if params is None else op.output_range(params)
    return None


class _Groups:
    """Union-find over the stream values of a partition."""

    def __init__(self) -> None:
        self.parent: dict[SSAValue, SSAValue] = {}

    def find(self, v: SSAValue) -> SSAValue:
        self.parent.setdefault(v, v)
        while self.parent[v] is not v:
            self.parent[v] = self.parent[self.parent[v]]
            v = self.parent[v]
        return v

    def union(self, a: SSAValue, b: SSAValue) -> None:
        self.parent[self.find(a)] = self.find(b)


def _result_users_accept(partition: df.PartitionOp, index: int) -> bool:
    """Whether partition result `index` may change its integer element type: every user
    returns it or computes only float results from it."""
    for use in partition.outputs[index].uses:
        user = use.operation
        if isinstance(user, ReturnOp):
            continue
        if user.results and all(is_float_tensor(r.type) for r in user.results):
            continue
        return False
    return True


def _retype_partition_result(partition: df.PartitionOp, index: int, element: QDataType) -> None:
    result = partition.outputs[index]
    old = result.type
    assert isinstance(old, TensorType)
    new = Rewriter.replace_value_with_new_type(result, TensorType(element, old.get_shape()))
    for use in list(new.uses):
        if isinstance(use.operation, ReturnOp):
            func = use.operation.parent_op()
            if isinstance(func, FuncOp):
                func.update_function_type()


def narrow_streams(partition: df.PartitionOp) -> bool:
    """One sweep of the stream retyping (module docstring); True if anything changed."""
    block = partition.block
    groups = _Groups()
    values: list[SSAValue] = list(block.args)
    for op in block.ops:
        values.extend(r for r in op.results if isinstance(r.type, df.StreamType))
        if _is_pass_through(op):
            streams = [v for v in (*op.operands, *op.results) if isinstance(v.type, df.StreamType)]
            for v in streams[1:]:
                groups.union(streams[0], v)
    terminator = block.last_op
    assert isinstance(terminator, df.YieldOp)
    pinned: set[SSAValue] = set()
    for i, v in enumerate(terminator.values):
        if not _result_users_accept(partition, i):
            pinned.add(groups.find(v))

    fixed: set[SSAValue] = set(pinned)
    ranges: dict[SSAValue, list[tuple[int, int]]] = {}
    for v in values:
        root = groups.find(v)
        owner = v.owner
        if isinstance(owner, Operation) and _is_pass_through(owner):
            continue
        r = None if isinstance(v, BlockArgument) else computed_range(v)
        if r is None:
            fixed.add(root)
        else:
            ranges.setdefault(root, []).append(r)

    changed = False
    for root, sources in ranges.items():
        if root in fixed:
            continue
        old = df.stream_type(root).element
        new = smallest_datatype(min(r[0] for r in sources), max(r[1] for r in sources))
        if not narrower(new, old):
            continue
        members = [v for v in values if groups.find(v) is root]
        for v in members:
            stream = df.stream_type(v)
            Rewriter.replace_value_with_new_type(v, stream.with_element(new))
        changed = True
    if changed:
        for i, v in enumerate(terminator.values):
            element = df.stream_type(v).element
            if element_datatype(partition.outputs[i].type) != element:
                _retype_partition_result(partition, i, element)
    return changed


def minimize_partition(partition: df.PartitionOp) -> None:
    while narrow_streams(partition):
        pass
    for op in list(partition.block.ops):
        if isinstance(op, df.MVAUOp | df.VVAUOp):
            minimize_mac(op)
        elif isinstance(op, df.ThresholdingOp):
            minimize_thresholding(op)


@dataclass(frozen=True)
class MinimizeBitWidthPass(ModulePass):
    """Tightest accumulator, weight, threshold and accumulated-stream datatypes (exact)."""

    name = "minimize-bit-width"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        require_level(op, self.name, Level.DATAFLOW)
        for partition in [o for o in op.walk() if isinstance(o, df.PartitionOp)]:
            minimize_partition(partition)
