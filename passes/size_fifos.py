"""`size-fifos`: each `dataflow.fifo`'s depth from a cycle model of the layers around it.

Every FIFO gets `depth = max(2, burst, pause fill, join)` words (recomputed from
scratch, so the pass is idempotent; 2 is FINN's minimum). The terms come from one
description of each layer as the `backend_hls/lib` kernels (and the RTL layers) behave;
in steady state every layer keeps the partition's pace, `T` = the slowest layer's
cycles per frame:

**need.** For an output word `k` of a layer (per frame, 1-based), `need_i(k)` is the
number of words of input stream `i` it must have read before it can write word `k`:

| layer | need(k) |
|---|---|
| mvau | `ceil(k / NF) · SF` — a whole vector (SF = MW/SIMD words) before each of its NF = MH/PE output words |
| vvau | `k · K/SIMD` — the kernel words of a channel fold, then one output word |
| swg, maxpool, pool | whole input rows: `min(H, oy·SH + (KH-1)·DH + 1) · W·C/lanes`, `oy` the output row of word k (line buffer, rows read before each output row) |
| fm_padding, concat | how many of the first k output words come from that input |
| global_acc_pool | `in_words - C/PE + k` (emitted while the last pixel streams in) |
| label_select | the whole frame |
| upsample | the word itself in the first copy of an input row (a pixel's later copies: the whole pixel), the whole input row in the other SH - 1 copies |
| slice | the input word it keeps |
| depth_to_space | the whole input row its output row comes from |
| dwc | `ceil(k · in_words / out_words)` |
| others (fifo, reshape, thresholding, channelwise, add_streams, duplicate_streams) | `k` |

Needs compose along paths: `need` of a value `v` in words of an earlier value `u`
(`need_from`) is the composition of the layers' needs on the way (the maximum over the
inputs of a join on the way).

**join** (the deadlock and latency term). A join (`add_streams`, `concat`) reads its
inputs in lockstep; when they come from one split (a `duplicate_streams`: every word
goes to all branches at once), the split can only push a word when every branch can
take it. Let `u` be the branches' nearest common ancestor stream and `E_i(k)` the words
of `u` that branch `i` needs for the join's k-th output word, `E(k) = max_i E_i(k)`. To
let the join produce word k the split must push `E(k)` words, of which branch `i`'s
layers have taken only `E_i(k)` (it can deliver word k and then waits); the rest must
sit on branch `i`: it must hold `max_k (E(k) - E_i(k)) + 1` words (the +1: the word the
join is waiting to pair). The split's output slice holds `SPLIT_SLICE_WORDS` of them
(the RTL `duplicate_streams`), branch `i`'s first FIFO after the split the rest: the
**deadlock** part, the least depth that never deadlocks (one word less and the split,
the branch and the join wait on each other). For a residual block this is the latency
of the long branch in words of the shortcut — e.g. a 3x3 conv on the long branch must
read `(KH-1)·DH + 1` rows and a whole im2col vector before its first output pixel.
To keep the rate, the FIFO also holds the words the split pushes (at `u`'s rate)
during the difference between the longest branch's pipeline latency and branch `i`'s
(`pipeline_cycles` summed along the path), plus the words of `u`, arriving at the pace
`T`, that the split pushes while branch `i`'s word k waits for the other branches'
(`_word_times`: each word of a value leaves when the words it needs on each input have,
plus its layer's lag, never before the word ahead of it; the lag (`row_period`) of a
window layer that alternates: its output row, which its consumers pace over
`T / rows` cycles, before it reads the next rows; of an overlapped SWG: word j of an
output row leaves j·T/out_words after the rows it needs; of an FM padding: its padding
between frames, written without reading), beyond the deadlock part, at least the
words of the split's slice
(so an HLS split, which holds none, still gets the whole term): the **latency** part,
at most what fills one frame with the deadlock part (measured in RTL simulation: the
residual fixture at 1,000 fps ran at 1.73x its estimate with the pipeline latency
alone; with the lags of its two SWGs added to the largest need gap, 327 words, at
its estimate, and so with their lags per word, 271 (255 suffice, 247 give +9 %);
without its SWGs' lags 60,900 cycles per frame, +65 %).
A branch that cannot deadlock gets a deadlock part of 1 and its latency part when
that exceeds 2 words. (Both are converted
into the FIFO's own words by the ratio of words per frame when it does not carry
`u`'s words.)

**burst** (the throughput term). Some consumers pause reading while they work: the MVAU
for `(NF-1)·SF` cycles after each vector (the other neuron folds re-use its buffer), a
window layer for the `OW·KH·KW·C/lanes` cycles of each output row, label_select for
its k output words, upsample for the repeated copies at the end of each input row.
The SWG (`dataflow.swg`) is *overlapped*: its line buffer holds SH rows beyond its
window's R (`SWGOp.buffer_rows`), so it reads the next rows while it writes, only
`read_beside` words beside a frame's last output row (`B` rows but the rest of the
frame; SH beside any other). The pools alternate (a buffer of R rows). A
producer emitting `r` words per cycle on average (`out_words / cycles_per_frame`, limited
by the rates of its own inputs; 1 for a partition input):
* when the consumer is not the slower one on average (`r <= in_words / cycles_per_frame`
  of the consumer), the producer must not stall during the pause: it fills
  `ceil(r · pause)` words meanwhile, but for the `read_beside` words the consumer
  takes;
* otherwise the consumer must not wait for its burst: an MVAU reads its SF-word vector
  back to back after each pause, of which only `r · SF` arrive meanwhile, so the rest,
  `ceil(SF · (1 - r)) + BURST_SLACK` words, must already wait in the FIFO (measured in
  RTL simulation: without it the MVAU's first fold runs at the producer's pace and the
  pair is up to 60 % slower than the slower of the two); a window layer (SWG, pools)
  reads the R·RW words of a frame's first rows back to back before its first output
  row (an overlapped SWG those but the rows it read beside the previous frame's last
  output row, `_overlapped_burst`: what its frame takes beyond its output rows), a
  depth_to_space its input row (`burst_words`). Other layers read at their own pace: 0.
A layer that alternates reading and writing (pools, depth_to_space, upsample,
FM padding: `written_in_pause`) writes its words of a pause at the pace of its
consumers, `written · T / out_words` cycles, during which its producer, at the pace
`T` too, must not stall: `ceil(min(r, words / T) · that) + BURST_SLACK`; and a window
layer reads its first rows of a frame back to back even when it is not the slower
one: `ceil(burst · (1 - r)) + BURST_SLACK` (measured with the alternating SWG:
depthwise_sep at 1,000 fps ran 7.5 % above its estimate with 2-deep FIFOs around its
SWGs, and at 100,000 fps 10 % with a 2-deep FIFO before its padding). An overlapped
SWG has no such pause: it reads at the pace while it writes, and what its producer
makes beyond that in a frame is the next frame's first window, which the burst holds.
Capped at one frame of the stream.

**pause fill** (the producer's side). A window layer or a depth_to_space writes
nothing while it reads its burst (`output_pause`); its consumers, running at the
partition's pace (`words / cycles_per_frame` of the partition), would starve unless the
FIFO after it holds what they take meanwhile, `ceil(words / T · pause)`, and the
burst its consumer reads back to back (an MVAU's vector) + BURST_SLACK, capped at one
frame.

FIFOs are found as `insert-fifos` places them (after a producer, reshapes looked
through); a join whose branch has no FIFO where one is needed is an error naming it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, i64
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass

from passes.errors import QnnPassError
from passes.levels import Level, require_level
from passes.mac_timing import pipeline_cycles as mac_pipeline_cycles
from qdialects import dataflow as df
from qdialects.dataflow.estimates import WindowSchedule
from qdialects.utils import ints

MIN_DEPTH = 2
BURST_SLACK = 2
"""Words beyond a buffered burst: the consumer's pipeline takes the first words of the
next burst a cycle or two before its pause ends."""
SPLIT_SLICE_WORDS = 2
"""Words a `duplicate_streams` output holds in its `qnn_skid` slice (RTL)."""
LAYER_PIPELINE_CYCLES = 3
"""`pipeline_cycles` of the layers other than MVAU/VVAU, FIFO and reshape."""


# --------------------------------------------------------------------------- need


def _words(value: SSAValue) -> int:
    return df.stream_type(value).words_per_frame()


def _from_mask(mask: np.ndarray) -> np.ndarray:
    """need(k) for an output word sequence where `mask[j]` says word j comes from the
    input (0-based): the cumulative count, with need(0) = 0 in front."""
    return np.concatenate([[0], np.cumsum(mask.astype(np.int64))])


def _window_need(op: df.SWGOp | df.MaxPoolOp | df.PoolOp, out_words: int) -> np.ndarray:
    x = df.stream_type(op.x)
    h, w, c = x.shape
    row_words = w * c // x.lanes
    kh = ints(op.kernel)[0]
    sh = ints(op.stride)[0]
    dh = ints(op.dilation)[0] if isinstance(op, df.SWGOp) else 1
    rows_out = df.stream_type(op.result).shape[0]
    per_row = out_words // rows_out
    k = np.arange(1, out_words + 1)
    oy = (k - 1) // per_row
    need = np.minimum(h, oy * sh + (kh - 1) * dh + 1) * row_words
    return np.concatenate([[0], need])


def _padding_need(op: df.FMPaddingOp) -> np.ndarray:
    top, left, bottom, right = ints(op.pads)
    h, w, c = df.stream_type(op.x).shape
    folds = c // df.stream_type(op.x).lanes
    real = np.zeros((h + top + bottom, w + left + right, folds), dtype=bool)
    real[top : top + h, left : left + w, :] = True
    return _from_mask(real.reshape(-1))


def _concat_need(op: df.ConcatOp, index: int) -> np.ndarray:
    simd = op.simd.value.data
    folds = [df.stream_type(v).shape[-1] // simd for v in op.inputs]
    pixels = _words(op.result) // sum(folds)
    pattern = np.concatenate([np.full(f, i == index) for i, f in enumerate(folds)])
    return _from_mask(np.tile(pattern, pixels))


def _upsample_need(op: df.UpsampleOp) -> np.ndarray:
    """The first copy of an input row is written as its words arrive (a pixel's later
    copies after the whole pixel); the other SH - 1 copies after the whole row."""
    h, w, c = df.stream_type(op.x).shape
    folds = c // df.stream_type(op.x).lanes
    sh, sw = op.scales()
    oh, ow, fold = np.meshgrid(
        np.arange(h * sh), np.arange(w * sw), np.arange(folds), indexing="ij"
    )
    ih, iw = oh // sh, ow // sw
    pixel_start = (ih * w + iw) * folds
    need = np.where(ow % sw == 0, pixel_start + fold + 1, pixel_start + folds)
    need = np.where(oh % sh == 0, need, (ih + 1) * w * folds)
    return np.concatenate([[0], np.maximum.accumulate(need.reshape(-1))])


def _slice_need(op: df.SliceOp) -> np.ndarray:
    """Output word k is the k-th input word the slice keeps."""
    x = df.stream_type(op.x)
    words = np.arange(x.words_per_frame()).reshape(*x.shape[:-1], x.shape[-1] // x.lanes)
    *outer, (c_start, c_end, c_step) = op.ranges()
    folds = slice(c_start // x.lanes, c_end // x.lanes, c_step)  # step 1 when lanes > 1
    index = (*(slice(b, e, s) for b, e, s in outer), folds)
    return np.concatenate([[0], words[index].reshape(-1) + 1])


def layer_need(op: Operation, index: int) -> np.ndarray:
    """`need` of stream operand `index` of `op` for its (first) stream result, as an array
    over k = 0..out_words (need(0) = 0). See the module docstring."""
    stream_operands = [v for v in op.operands if isinstance(v.type, df.StreamType)]
    x = stream_operands[index]
    out = next(r for r in op.results if isinstance(r.type, df.StreamType))
    in_words, out_words = _words(x), _words(out)
    k = np.arange(out_words + 1, dtype=np.int64)
    if isinstance(op, df.MVAUOp):
        mw, mh = op.matrix_shape()
        sf, nf = mw // op.simd_value, mh // op.pe_value
        return -(-k // nf) * sf
    if isinstance(op, df.VVAUOp):
        kernel, _ = op.kernel_channels()
        return k * (kernel // op.simd_value)
    if isinstance(op, df.SWGOp | df.MaxPoolOp | df.PoolOp):
        return _window_need(op, out_words)
    if isinstance(op, df.FMPaddingOp):
        return _padding_need(op)
    if isinstance(op, df.ConcatOp):
        return _concat_need(op, index)
    if isinstance(op, df.GlobalAccPoolOp):
        return np.where(k == 0, 0, in_words - out_words + k)
    if isinstance(op, df.LabelSelectOp):
        return np.where(k == 0, 0, in_words)
    if isinstance(op, df.UpsampleOp):
        return _upsample_need(op)
    if isinstance(op, df.SliceOp):
        return _slice_need(op)
    if isinstance(op, df.DepthToSpaceOp):  # the b output rows of an input row after it
        rows = -(-k // (out_words // df.stream_type(op.result).shape[0])) - 1
        return np.where(
            k == 0, 0, (rows // op.block + 1) * (in_words // df.stream_type(op.x).shape[0])
        )
    if isinstance(op, df.DWCOp):
        return -(-k * in_words // out_words)
    return np.minimum(k, in_words)


def pause_cycles(op: Operation) -> int:
    """The longest stretch in which `op` reads none of its input while producing (an
    overlapped SWG: an output row, in which it reads only its `read_beside` words)."""
    if isinstance(op, df.MVAUOp):
        mw, mh = op.matrix_shape()
        return (mh // op.pe_value - 1) * (mw // op.simd_value)
    if isinstance(op, df.SWGOp | df.MaxPoolOp | df.PoolOp):
        x, out = df.stream_type(op.x), df.stream_type(op.result)
        kh, kw = ints(op.kernel)
        return out.shape[1] * kh * kw * (x.shape[2] // x.lanes)  # one output row
    if isinstance(op, df.LabelSelectOp):
        return _words(op.result)
    if isinstance(op, df.UpsampleOp):
        x, out = df.stream_type(op.x), df.stream_type(op.result)
        sh, sw = op.scales()
        folds = x.shape[2] // x.lanes
        return (sw - 1) * folds + (sh - 1) * out.shape[1] * folds  # the end of an input row
    if isinstance(op, df.DepthToSpaceOp):
        return _words(op.result) // df.stream_type(op.x).shape[0]  # writing the rows of one
    if isinstance(op, df.FMPaddingOp):
        return _padding_pause(op)
    return 0


def _padding_pause(op: df.FMPaddingOp) -> int:
    """An FM padding's longest run of padding words: a frame's bottom rows, the next
    frame's top rows and the right and left columns around them."""
    top, left, bottom, right = ints(op.pads)
    x = df.stream_type(op.x)
    folds = x.shape[2] // x.lanes
    return ((top + bottom) * (x.shape[1] + left + right) + left + right) * folds


# --------------------------------------------------------------------------- graph


@dataclass
class _Graph:
    """The stream values of a partition in program order, with memoised ancestry."""

    block: Block
    frame_cycles: int = 0
    """The partition's cycles per frame: the pace every layer keeps in steady state."""
    order: dict[SSAValue, int] = field(default_factory=dict[SSAValue, int])
    _ancestors: dict[SSAValue, frozenset[SSAValue]] = field(
        default_factory=dict[SSAValue, frozenset[SSAValue]]
    )
    _need: dict[tuple[SSAValue, SSAValue], np.ndarray | None] = field(
        default_factory=dict[tuple[SSAValue, SSAValue], np.ndarray | None]
    )
    times: dict[tuple[SSAValue, SSAValue], np.ndarray] = field(
        default_factory=dict[tuple[SSAValue, SSAValue], np.ndarray]
    )
    """`_word_times` of (u, v), memoised."""

    def __post_init__(self) -> None:
        position = 0
        for arg in self.block.args:
            self.order[arg] = position
            position += 1
        for op in self.block.ops:
            for r in op.results:
                self.order[r] = position
                position += 1

    @staticmethod
    def inputs(value: SSAValue) -> list[SSAValue]:
        owner = value.owner
        if isinstance(owner, Block):
            return []
        return [v for v in owner.operands if isinstance(v.type, df.StreamType)]

    def ancestors(self, value: SSAValue) -> frozenset[SSAValue]:
        """`value` and every stream it is computed from."""
        cached = self._ancestors.get(value)
        if cached is None:
            result = {value}
            for v in self.inputs(value):
                result |= self.ancestors(v)
            cached = self._ancestors[value] = frozenset(result)
        return cached

    def need_from(self, u: SSAValue, v: SSAValue) -> np.ndarray | None:
        """Words of `u` needed for the first k words of `v` (k = 0..words(v)), or None
        when `v` does not depend on `u`."""
        key = (u, v)
        if key in self._need:
            return self._need[key]
        result: np.ndarray | None = None
        if v is u:
            result = np.arange(_words(v) + 1, dtype=np.int64)
        elif u in self.ancestors(v):
            owner = v.owner
            assert isinstance(owner, Operation)
            for i, x in enumerate(self.inputs(v)):
                upstream = self.need_from(u, x)
                if upstream is None:
                    continue
                through = upstream[layer_need(owner, i)]
                result = through if result is None else np.maximum(result, through)
        self._need[key] = result
        return result


def _consumers(value: SSAValue) -> list[df.Layer]:
    """The layers reading `value`, looking through reshapes."""
    result: list[df.Layer] = []
    for use in value.uses:
        user = use.operation
        if isinstance(user, df.ReshapeOp):
            result.extend(_consumers(user.result))
        elif isinstance(user, df.Layer):
            result.append(user)
    return result


def _rate(value: SSAValue) -> float:
    """Words per cycle the producer of `value` can emit on average: its own rate,
    limited by the rates of the streams it reads (a layer cannot outrun its inputs)."""
    owner = value.owner
    if isinstance(owner, df.FIFOOp | df.ReshapeOp):
        return _rate(owner.x) * _words(value) / _words(owner.x)
    if not isinstance(owner, df.Layer):
        return 1.0  # a partition input: the host streams a word per cycle
    cycles = owner.cycles_per_frame()
    rate = min(1.0, _words(value) / cycles) if cycles else 1.0
    for x in owner.operands:
        if isinstance(x.type, df.StreamType):
            rate = min(rate, _rate(x) * _words(value) / _words(x))
    return rate


def _row_words(op: df.SWGOp | df.MaxPoolOp | df.PoolOp | df.DepthToSpaceOp) -> int:
    """RW: the words of one input row."""
    x = df.stream_type(op.x)
    return x.shape[1] * x.shape[2] // x.lanes


def burst_words(op: Operation) -> int:
    """The words `op` reads back to back, one per cycle, after each pause: an MVAU's
    input vector (SF words, read during its first neuron fold); a window layer's first
    rows of a frame (R·RW words, R = (KH-1)·DH + 1 rows, before its first output row;
    an overlapped SWG: `_overlapped_burst`); a depth_to_space's input row; 0 for a layer
    that reads at its own pace."""
    if isinstance(op, df.MVAUOp):
        mw, _ = op.matrix_shape()
        return mw // op.simd_value
    overlapped = _overlapped(op)
    if overlapped is not None:
        return _overlapped_burst(overlapped)
    if isinstance(op, df.SWGOp | df.MaxPoolOp | df.PoolOp):
        kh = ints(op.kernel)[0]
        dh = ints(op.dilation)[0] if isinstance(op, df.SWGOp) else 1
        rows = min(df.stream_type(op.x).shape[0], (kh - 1) * dh + 1)
        return rows * _row_words(op)
    if isinstance(op, df.DepthToSpaceOp):
        return _row_words(op)
    return 0


def _overlapped(op: Operation) -> WindowSchedule | None:
    """The line-buffer schedule of an SWG whose buffer holds rows beyond a window's
    (`SWGOp.buffer_rows`): it reads the next output row's rows while it writes the
    current one; None for the other layers (the pools read and write in turn)."""
    if not isinstance(op, df.SWGOp):
        return None
    schedule = op.schedule()
    return schedule if schedule.buffer_rows > schedule.rows else None


def _rows_ahead(s: WindowSchedule) -> int:
    """The rows an overlapped SWG may read while it writes a frame's last output row:
    the buffer's B rows but the rest of the frame, which that row releases (while it
    writes any other output row: SH, no fewer)."""
    return s.buffer_rows - (s.height - (s.out_rows - 1) * s.stride)


def _overlapped_burst(s: WindowSchedule) -> int:
    """The words an overlapped SWG reads with no output word: the R·RW words of a
    frame's first window but the rows read beside the previous frame's last output row
    (`_rows_ahead`, at most `row_cycles` words of them), or an output row's SH new rows
    beyond its `row_cycles` (a stride above the window)."""
    beside = min(_rows_ahead(s) * s.row_words, s.row_cycles)
    return max(s.rows * s.row_words - beside, s.stride * s.row_words - s.row_cycles, 0)


def read_beside(op: Operation) -> int:
    """The words a layer reads while it writes its `pause_cycles`: an overlapped SWG's
    `_rows_ahead` rows beside a frame's last output row (beside any other: SH rows, no
    fewer); 0 for the layers that read nothing meanwhile."""
    overlapped = _overlapped(op)
    return 0 if overlapped is None else _rows_ahead(overlapped) * overlapped.row_words


def output_pause(op: Operation) -> int:
    """The longest stretch in which `op` writes no output word while it reads: a window
    layer's or a depth_to_space's read phase, its burst at one word per cycle."""
    if isinstance(op, df.SWGOp | df.MaxPoolOp | df.PoolOp | df.DepthToSpaceOp):
        return burst_words(op)
    return 0


def pause_fill_depth(fifo: df.FIFOOp, frame_cycles: int) -> int:
    """The words `fifo`'s consumers take while its producer pauses its output
    (`output_pause`), at the pace the partition sustains (`words / frame_cycles`): the
    FIFO must hold them when the pause starts, or the consumers starve."""
    producer = fifo.x.owner
    pause = output_pause(producer) if isinstance(producer, Operation) else 0
    if not pause or not frame_cycles:
        return 0
    vector = max((burst_words(c) for c in _consumers(fifo.result)), default=0)
    return math.ceil(_words(fifo.result) / frame_cycles * pause) + vector + BURST_SLACK


def written_in_pause(op: Operation) -> int:
    """The words a layer that alternates reading and writing writes while it does not
    read: a window layer's output row, a depth_to_space's rows of one input row, an
    upsample's copies at the end of an input row; 0 for the other layers, an overlapped
    SWG among them: it reads its next rows while it writes, at the pace of the
    partition, and what its producer makes beyond them in a frame is the next frame's
    first window (`_overlapped_burst`), which the burst term holds."""
    out = df.stream_type(op.results[0]) if op.results else None
    if _overlapped(op) is not None:
        return 0
    if isinstance(op, df.SWGOp | df.MaxPoolOp | df.PoolOp) and out is not None:
        return out.words_per_frame() // out.shape[0]
    if isinstance(op, df.DepthToSpaceOp | df.UpsampleOp | df.FMPaddingOp):
        return pause_cycles(op)
    return 0


def _alternating_depth(fifo: df.FIFOOp, consumer: Operation, frame_cycles: int) -> int:
    """The FIFO in front of a layer that alternates reading and writing: it writes its
    `written_in_pause` words at the pace of the partition (its consumers take
    `words / frame_cycles` a cycle), meanwhile its producer, at the partition's pace
    too, must not stall; and a window layer's first rows of a frame (`burst_words`, an
    overlapped SWG's too) must be read back to back, of which the producer delivers
    `rate` a cycle."""
    written = written_in_pause(consumer)
    if not (written or _overlapped(consumer)) or not frame_cycles:
        return 0
    rate = _rate(fifo.x)
    paced = written * frame_cycles / _words(consumer.results[0])
    pace = min(rate, _words(fifo.result) / frame_cycles)
    fill = math.ceil(pace * paced) + BURST_SLACK if written else 0
    return max(fill, math.ceil(burst_words(consumer) * (1 - rate)) + BURST_SLACK)


def burst_depth(fifo: df.FIFOOp, frame_cycles: int) -> int:
    """The burst term of the module docstring."""
    rate = _rate(fifo.x)
    depth = 0
    for consumer in _consumers(fifo.result):
        pause = pause_cycles(consumer)
        cycles = consumer.cycles_per_frame()
        if not pause or not cycles:
            continue
        in_words = max(t.words_per_frame() for t in consumer.input_streams())
        if rate <= in_words / cycles:
            depth = max(depth, math.ceil(rate * pause) - read_beside(consumer))
        else:
            depth = max(depth, math.ceil(burst_words(consumer) * (1 - rate)) + BURST_SLACK)
        depth = max(depth, _alternating_depth(fifo, consumer, frame_cycles))
    return min(depth, _words(fifo.result))


def _first_fifo(graph: _Graph, u: SSAValue, target: SSAValue) -> df.FIFOOp | None:
    """The FIFO closest to `u` on the paths from `u` to `target` (not one `u` is)."""
    best: df.FIFOOp | None = None
    for v in graph.ancestors(target):
        owner = v.owner
        if v is u or not isinstance(owner, df.FIFOOp) or u not in graph.ancestors(owner.x):
            continue
        if best is None or graph.order[v] < graph.order[best.result]:
            best = owner
    return best


@dataclass(frozen=True)
class JoinTerm:
    """The join term of one FIFO (module docstring), in the FIFO's words: `deadlock`
    is the smallest depth that does not deadlock, `latency` the words the split pushes
    meanwhile the longer branch's pipeline delays the join; the FIFO gets their sum."""

    deadlock: int
    latency: int

    @property
    def depth(self) -> int:
        return self.deadlock + self.latency


def pipeline_cycles(op: Operation) -> int:
    """Cycles from a layer's last needed input word to its output word in the RTL:
    the MAC layers' (`passes.mac_timing.pipeline_cycles`); a FIFO's fall-through; the
    other layers' register stage and slice (an upper bound: more buffering, never less)."""
    if isinstance(op, df.MVAUOp | df.VVAUOp):
        return mac_pipeline_cycles(op)
    if isinstance(op, df.FIFOOp | df.ReshapeOp):
        return 1 if isinstance(op, df.FIFOOp) else 0
    return LAYER_PIPELINE_CYCLES


def row_period(op: Operation, frame_cycles: int) -> int:
    """The cycles a layer that alternates reading and writing lags behind its need at
    the partition's pace: while a window layer writes an output row (a depth_to_space:
    the rows of one input row), paced by its consumers over `frame_cycles / rows`
    cycles, it reads nothing, so the rows the next one needs are read only after it;
    an FM padding reads nothing while it writes its longest run of padding words. An
    overlapped SWG lags as much: it reads the next rows while it writes, but the row it
    writes still leaves at its consumers' pace after the rows it needs were read."""
    if isinstance(op, df.SWGOp | df.MaxPoolOp | df.PoolOp):
        return frame_cycles // df.stream_type(op.result).shape[0]
    if isinstance(op, df.DepthToSpaceOp):
        return frame_cycles // df.stream_type(op.x).shape[0]
    if isinstance(op, df.FMPaddingOp):
        return _padding_pause(op)
    return 0


def _latency(graph: _Graph, u: SSAValue, v: SSAValue) -> int:
    """The longest sum of `pipeline_cycles` on a path from `u` to `v`."""
    owner = v.owner
    if v is u or not isinstance(owner, Operation):
        return 0
    paths = [_latency(graph, u, x) for x in graph.inputs(v) if u in graph.ancestors(x)]
    return pipeline_cycles(owner) + max(paths, default=0)


def _own_lag(op: Operation, frame_cycles: int) -> np.ndarray:
    """Per output word of `op` (k = 0..out_words), the cycles it leaves after the input
    words it needs at the partition's pace: an overlapped SWG starts an output row when
    its rows are read and writes it at its consumers' pace, so word j of a row leaves
    j·T/out_words cycles after the row's need; the other layers lag all their words by
    their `row_period`."""
    out_words = _words(op.results[0])
    if _overlapped(op) is None:
        return np.full(out_words + 1, row_period(op, frame_cycles), dtype=np.float64)
    per_row = out_words // df.stream_type(op.results[0]).shape[0]
    position = np.maximum(np.arange(out_words + 1) - 1, 0) % per_row
    return position * (frame_cycles / out_words)


def _word_times(graph: _Graph, u: SSAValue, v: SSAValue, paced: float) -> np.ndarray:
    """When each word of `v` (k = 0..words(v)) leaves, in cycles, with `u` arriving at
    `paced` words per cycle: the latest of the words it needs on each input plus the
    layer's own lag (`_own_lag`), never before the word ahead of it."""
    cached = graph.times.get((u, v))
    if cached is not None:
        return cached
    owner = v.owner
    if v is u or not isinstance(owner, Operation):
        result = np.arange(_words(v) + 1, dtype=np.float64) / paced
    else:
        times = [
            _word_times(graph, u, x, paced)[layer_need(owner, i)]
            for i, x in enumerate(graph.inputs(v))
            if u in graph.ancestors(x)
        ]
        lagged = np.maximum.reduce(times) + _own_lag(owner, graph.frame_cycles)
        result = np.maximum.accumulate(lagged)
    graph.times[(u, v)] = result
    return result


def _held(u: SSAValue) -> int:
    """Words the split's output slice holds on each branch besides its FIFO."""
    split = any(isinstance(use.operation, df.DuplicateStreamsOp) for use in u.uses)
    return SPLIT_SLICE_WORDS if split else 0


def _paced_rate(graph: _Graph, u: SSAValue) -> float:
    """Words of `u` per cycle in steady state: its producer's rate, at most the
    partition's pace."""
    if not graph.frame_cycles:
        return _rate(u)
    return min(_rate(u), _words(u) / graph.frame_cycles)


def join_terms(graph: _Graph, join: Operation) -> dict[df.FIFOOp, JoinTerm]:
    """The join term for the branches of `join` (module docstring)."""
    inputs = graph.inputs(join.results[0])
    if len(inputs) < 2:
        return {}
    common = frozenset.intersection(*(graph.ancestors(v) for v in inputs))
    if not common:
        return {}  # independent partition inputs: nothing is split
    u = max(common, key=lambda v: graph.order[v])
    needs: list[np.ndarray] = []
    for i, x in enumerate(inputs):
        upstream = graph.need_from(u, x)
        assert upstream is not None
        needs.append(upstream[layer_need(join, i)])
    most = np.maximum.reduce(needs)
    latencies = [_latency(graph, u, x) for x in inputs]
    paced = _paced_rate(graph, u)
    times = [_word_times(graph, u, x, paced)[layer_need(join, i)] for i, x in enumerate(inputs)]
    latest = np.maximum.reduce(times)
    terms: dict[df.FIFOOp, JoinTerm] = {}
    for x, need, latency, time in zip(inputs, needs, latencies, times, strict=True):
        held = _held(u)
        words = int((most - need).max()) + 1 - held
        waits = math.ceil(float(paced * (latest - time).max())) + 1 - held  # words pushed meanwhile
        lag = math.ceil(_rate(u) * (max(latencies) - latency)) + max(0, waits - max(words, 0))
        if words <= 0 and lag <= MIN_DEPTH:
            continue
        fifo = _first_fifo(graph, u, x)
        if fifo is None and words <= 0:
            continue  # only the rate would suffer
        if fifo is None:
            raise QnnPassError(
                f"size-fifos: {join.name} needs a FIFO of {words} words on the branch from "
                f"{u.name_hint or 'its split'}, but that branch has none (run insert-fifos first)"
            )
        ratio = _words(fifo.result) / _words(u)
        lag = max(held, lag) if words > 0 else lag
        deadlock = max(1, math.ceil(words * ratio))
        latency = min(math.ceil(lag * ratio), max(0, _words(fifo.result) - deadlock))
        term = JoinTerm(deadlock, latency)  # one frame holds every word the split pushes
        if fifo not in terms or term.depth > terms[fifo].depth:
            terms[fifo] = term
    return terms


def partition_join_terms(partition: df.PartitionOp) -> dict[df.FIFOOp, JoinTerm]:
    """The largest join term of each FIFO of `partition` that one has."""
    graph = _Graph(partition.block, partition.cycles_per_frame())
    terms: dict[df.FIFOOp, JoinTerm] = {}
    for op in partition.block.ops:
        if isinstance(op, df.AddStreamsOp | df.ConcatOp):
            for fifo, term in join_terms(graph, op).items():
                if fifo not in terms or term.depth > terms[fifo].depth:
                    terms[fifo] = term
    return terms


def fifo_depths(partition: df.PartitionOp) -> dict[df.FIFOOp, int]:
    """The depth of every FIFO of `partition` under the model."""
    cycles = partition.cycles_per_frame()
    depths = {
        op: max(
            MIN_DEPTH, burst_depth(op, cycles), min(pause_fill_depth(op, cycles), _words(op.result))
        )
        for op in partition.block.ops
        if isinstance(op, df.FIFOOp)
    }
    for fifo, term in partition_join_terms(partition).items():
        depths[fifo] = max(depths[fifo], term.depth)
    return depths


def size_fifos(partitions: Sequence[df.PartitionOp]) -> None:
    for partition in partitions:
        for fifo, depth in fifo_depths(partition).items():
            fifo.depth = IntegerAttr(depth, i64)


@dataclass(frozen=True)
class SizeFIFOsPass(ModulePass):
    """Set every FIFO's depth from the cycle model (module docstring)."""

    name = "size-fifos"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        require_level(op, self.name, Level.DATAFLOW)
        size_fifos([o for o in op.walk() if isinstance(o, df.PartitionOp)])
