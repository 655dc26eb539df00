"""RTL of `dataflow.swg`: the sliding-window generator, with the HLS library's schedule.

The input is kept in a ring (`qnn_bram`) of B = (KH-1)·DH + 1 + SH rows of RW =
IFM_W·C/SIMD words (`SWGOp.buffer_rows`); the write address runs over the B·RW words
without ever being reset, so the rows of a frame sit wherever the previous frame left off.
A reader and a writer run concurrently under the row credits of
`backend_hls/lib/qnn/swg.h` (`detail::LineCredits`):

* **read** (TREADY): an input row may start while fewer than B rows are held (started by
  the reader, not released by the writer); then one word per cycle to the end of the row;
* **emit**: output row `oy` may start when the R = (KH-1)·DH + 1 rows from `oy·SH` on
  are complete; its OW·KH·KW·C/SIMD words are read from the buffer in the standard order
  (ox, ky, kx, cf; cf fastest) or the depthwise order (ox, cf, ky, kx). Finishing it
  releases SH rows (after a frame's last output row: the rest of the frame).

Two counts keep the credits: `avail` (complete rows not yet released, the writer's view,
released as the last word is issued) and `held` (the reader's view, released at the edge
where the buffer reads that word: the buffer reads before it writes, so the reader may
fill the freed slot at that edge and never overwrites a row the pipeline still has to
read). At full rate this is the HLS kernel's schedule cycle for cycle
(`SWGOp.cycles_per_frame`; the pools: `swg_cycles(..., overlapped=False)`).

Emit pipeline (all stages advance on `enable` = stage B empty or the slice ready):
  issue    the counters give the buffer address: the row of window row ky (the ring
           address of input row oy·SH, plus ky·DH rows modulo the buffer) +
           (ox·SW + kx·DW)·CF + cf, each part a register
  stage A  the address register
  stage B  the buffer's synchronous read register
  then a `qnn_skid` slice drives the output stream.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.ir import SSAValue

from passes.convert_dataflow_to_hw.interface import HwDesign, StreamModule, bram, skid
from passes.convert_dataflow_to_hw.netlist import Netlist, index_width, width_of
from qdialects import dataflow as df
from qdialects.dataflow.ops import stream_type
from qdialects.utils import ints


@dataclass(frozen=True)
class Geometry:
    """The sizes of one SWG (module docstring), all in words of the stream."""

    height: int
    folds: int
    """CF = C/SIMD."""
    row_words: int
    """RW = IFM_W·CF."""
    rows: int
    """B: the buffer's rows (the pools: R, reading and writing in turn)."""
    kernel: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    out: tuple[int, int]

    @property
    def depth(self) -> int:
        return self.rows * self.row_words

    @classmethod
    def of(cls, layer: df.SWGOp) -> Geometry:
        height, width, channels = layer.ifm_dims()
        kh, kw = ints(layer.kernel)
        sh, sw = ints(layer.stride)
        dh, dw = ints(layer.dilation)
        folds = channels // stream_type(layer.x).lanes
        return cls(
            height, folds, width * folds, layer.buffer_rows(), (kh, kw), (sh, sw), (dh, dw),
            layer.ofm_dims(),
        )  # fmt: skip

    @property
    def window_rows(self) -> int:
        """R = (KH-1)·DH + 1: the rows of one window."""
        return (self.kernel[0] - 1) * self.dilation[0] + 1

    @property
    def last_release(self) -> int:
        """Rows released after a frame's last output row."""
        return self.height - (self.out[0] - 1) * self.stride[0]


def _wrapping(net: Netlist, limit: int, step: SSAValue) -> tuple[SSAValue, SSAValue]:
    """A counter over 0..limit-1: (value, value after this cycle's step)."""
    width = index_width(limit)
    value, feedback = net.register(width, reset_value=0)
    if limit == 1:
        net.drive(feedback, value)
        return value, value
    following = net.mux(
        net.eq_const(value, limit - 1), net.const(0, width), net.add(value, net.const(1, width))
    )
    after = net.mux(step, following, value)
    net.drive(feedback, after)
    return value, after


def _offset(net: Netlist, width: int, step: SSAValue, wrap: SSAValue, stride: int) -> SSAValue:
    """index·stride of a counter that advances on `step` and returns to 0 on `wrap`."""
    value, feedback = net.register(width, reset_value=0)
    following = net.mux(wrap, net.const(0, width), net.add(value, net.const(stride, width)))
    net.drive(feedback, net.mux(step, following, value))
    return value


def _nested(
    net: Netlist, limits: list[tuple[str, int]], step: SSAValue
) -> dict[str, tuple[SSAValue, SSAValue, SSAValue]]:
    """Counters nested fastest first: name -> (value, last, step)."""
    counters = {}
    for name, limit in limits:
        value, last = net.counter(limit, step)
        counters[name] = (value, last, step)
        step = net.and_(step, last)
    return counters


def swg_refusal(layer: df.SWGOp) -> str | None:
    """Why this SWG has no RTL: a parallel window (one word per window) is HLS-only."""
    if layer.is_parallel_window:
        return (
            "parallel_window = 1 has no RTL implementation yet (fold it with parallel_window = 0)"
        )
    return None


def lower_swg(layer: df.SWGOp, name: str, design: HwDesign) -> str:
    width = stream_type(layer.x).word_width()
    return window_module(design, name, Geometry.of(layer), layer.is_depthwise, width)


def window_module(design: HwDesign, name: str, g: Geometry, depthwise: bool, width: int) -> str:
    """The module `name` of a sliding-window generator of geometry `g` on words of
    `width` bits (module docstring; `depthwise`: the depthwise visiting order). The
    pools use it as their window engine with a buffer of R rows, as the HLS library's
    pools do (reading and writing then alternate)."""
    m = StreamModule(name, [width], [width])
    net = m.netlist
    aw = index_width(g.depth)
    (kh, kw), (sh, sw), dw = g.kernel, g.stride, g.dilation[1]
    out_h, out_w = g.out

    # Pipeline control.
    vb, vb_next = net.register(1, reset_value=0)
    slice_ready, slice_ready_next = net.forward(1)
    enable = net.or_(net.not_(vb), slice_ready)

    # Row credits (module docstring), signed: a frame's last release may run ahead of
    # the reader.
    cw = index_width(max(g.rows, g.height) + 1) + 2
    held, held_next = net.register(cw, reset_value=0)
    avail, avail_next = net.register(cw, reset_value=0)

    # Writer: the visiting counters, fastest first.
    busy, busy_next = net.register(1, reset_value=0)
    may_start = net.icmp("sge", avail, net.const(g.window_rows, cw))
    emit = net.and_(net.or_(busy, may_start), enable)
    order = ["kx", "ky", "cf"] if depthwise else ["cf", "kx", "ky"]
    limits = {"cf": g.folds, "kx": kw, "ky": kh}
    c = _nested(net, [(k, limits[k]) for k in order] + [("ox", out_w)], emit)
    emit_end = net.and_(c["ox"][2], c["ox"][1])
    net.drive(busy_next, net.mux(emit, net.not_(emit_end), busy))
    _, oy_last = net.counter(out_h, emit_end)

    # Releases: at once for the writer; for the reader at the clock edge where the
    # buffer reads the row's last word (the flag travels with the address register): the
    # buffer reads before it writes, so the reader may write a freed slot at that edge.
    released = net.mux(oy_last, net.const(g.last_release, cw), net.const(sh, cw))
    pending = net.reg(emit_end, enable, reset_value=0)
    pending_rows = net.reg(released, enable)
    held_now = _less(net, held, net.and_(pending, enable), pending_rows)

    # Reader.
    write_early, write_next = net.forward(1)
    col, col_last = net.counter(g.row_words, write_early)
    in_row = net.not_(net.eq_const(col, 0))
    may_read = net.or_(in_row, net.icmp("slt", held_now, net.const(g.rows, cw)))
    write = net.and_(may_read, m.input_valid[0])
    net.drive(write_next, write)
    waddr, _ = _wrapping(net, g.depth, write)
    row_done = net.and_(write, col_last)
    net.drive(held_next, _plus(net, held_now, net.and_(write, net.not_(in_row))))
    net.drive(avail_next, _plus(net, _less(net, avail, emit_end, released), row_done))

    # The buffer address of the visited word.
    base = _ring_base(net, g, aw, emit_end, oy_last)
    kx_offset = _offset(net, aw, c["kx"][2], c["kx"][1], dw * g.folds)
    ox_offset = _offset(net, aw, c["ox"][2], c["ox"][1], sw * g.folds)
    row = _window_row(net, g, base, c["ky"])
    cf = net.resize(c["cf"][0], aw, signed=False)
    address = net.reg(net.add(row, ox_offset, kx_offset, cf), enable)
    va = net.reg(emit, enable, reset_value=0)

    data = bram(design, m, g.depth, (write, waddr, m.input_data[0]), address, enable)
    net.drive(vb_next, net.mux(enable, va, vb))
    out = skid(design, m, data, vb, m.out_ready[0])
    net.drive(slice_ready_next, out.ready)
    return design.add(m.finish([may_read], [out.data], [out.valid]))


def _plus(net: Netlist, count: SSAValue, gained: SSAValue) -> SSAValue:
    """`count` plus one on `gained`."""
    return net.add(count, net.resize(gained, width_of(count), signed=False))


def _less(net: Netlist, count: SSAValue, lost: SSAValue, rows: SSAValue) -> SSAValue:
    """`count` minus `rows` on `lost`."""
    negated = net.add(net.not_(rows), net.const(1, width_of(rows)))
    return net.mux(lost, net.add(count, negated), count)


def _ring_add(net: Netlist, value: SSAValue, step: int, modulo: int) -> SSAValue:
    """`(value + step) mod modulo` for `value < modulo` and a constant `0 <= step <
    modulo`, in the width of `value`."""
    if step == 0:
        return value
    aw = width_of(value)
    wrapped = net.icmp("uge", value, net.const(modulo - step, aw))
    return net.mux(
        wrapped, net.add(value, net.const(step - modulo, aw)), net.add(value, net.const(step, aw))
    )


def _ring_base(
    net: Netlist, g: Geometry, aw: int, emit_end: SSAValue, oy_last: SSAValue
) -> tuple[SSAValue, SSAValue]:
    """The ring address of input row oy·SH (value, value after this cycle): it moves on
    by the released rows (modulo the buffer) at the end of each output row."""
    base, feedback = net.register(aw, reset_value=0)
    following = net.mux(
        oy_last,
        _ring_add(net, base, g.last_release % g.rows * g.row_words, g.depth),
        _ring_add(net, base, g.stride[0] % g.rows * g.row_words, g.depth),
    )
    after = net.mux(emit_end, following, base)
    net.drive(feedback, after)
    return base, after


def _window_row(
    net: Netlist,
    g: Geometry,
    base: tuple[SSAValue, SSAValue],
    ky: tuple[SSAValue, SSAValue, SSAValue],
) -> SSAValue:
    """The buffer address of window row ky's first word: each ky step moves DH rows on,
    modulo the buffer; after the last ky it returns to the ring base (the next output
    row's, at the end of a row)."""
    _, last, step = ky
    current, base_after = base
    row, feedback = net.register(width_of(current), reset_value=0)
    moved = _ring_add(net, row, g.dilation[0] * g.row_words % g.depth, g.depth)
    net.drive(feedback, net.mux(step, net.mux(last, base_after, moved), row))
    return row
