"""RTL of `dataflow.swg`: the sliding-window generator, with the HLS library's schedule.

The input is kept in a circular line buffer (`qnn_bram`) of R = (KH-1)·DH + 1 rows of
RW = IFM_W·C/SIMD words; the write address runs over the R·RW words without ever being
reset, so the rows of a frame sit wherever the previous frame left off. The layer
alternates two phases (never both at once, as in `backend_hls/lib/qnn/swg.h`):

* **read**: input words are written to the buffer (TREADY high) until the input row that
  output row `oy` needs last, `oy·SH + R - 1`, is complete; rows below the last window
  are read and written in the same way (and overwritten later);
* **emit**: the OW·KH·KW·C/SIMD words of output row `oy` are read from the buffer, in the
  standard order (ox, ky, kx, cf; cf fastest) or the depthwise order (ox, cf, ky, kx).

A frame thus takes IFM_H·RW + OH·OW·KH·KW·C/SIMD cycles (`SWGOp.cycles_per_frame`).

Emit pipeline (all stages advance on `enable` = stage B empty or the slice ready):
  issue    the counters give the buffer address: the row of window row ky (the write
           address at the start of the phase, which is input row oy·SH, plus ky·DH rows
           modulo the buffer) + (ox·SW + kx·DW)·CF + cf, each part a register
  stage A  the address register
  stage B  the buffer's synchronous read register
  then a `qnn_skid` slice drives the output stream.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.ir import SSAValue

from passes.convert_dataflow_to_hw.interface import HwDesign, StreamModule, bram, skid
from passes.convert_dataflow_to_hw.netlist import Netlist, index_width
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
    """R: the buffer's rows."""
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
            height, folds, width * folds, (kh - 1) * dh + 1, (kh, kw), (sh, sw), (dh, dw),
            layer.ofm_dims(),
        )  # fmt: skip


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


def lower_swg(layer: df.SWGOp, name: str, design: HwDesign) -> str:
    width = stream_type(layer.x).word_width()
    return window_module(design, name, Geometry.of(layer), layer.is_depthwise, width)


def window_module(design: HwDesign, name: str, g: Geometry, depthwise: bool, width: int) -> str:
    """The module `name` of a sliding-window generator of geometry `g` on words of
    `width` bits (module docstring; `depthwise`: the depthwise visiting order). The
    pools use it as their window engine, as the HLS library's pools do."""
    m = StreamModule(name, [width], [width])
    net = m.netlist
    aw = index_width(g.depth)
    (kh, kw), (sh, sw), dw = g.kernel, g.stride, g.dilation[1]
    out_h, out_w = g.out

    # Pipeline control.
    vb, vb_next = net.register(1, reset_value=0)
    slice_ready, slice_ready_next = net.forward(1)
    enable = net.or_(net.not_(vb), slice_ready)
    reading, reading_next = net.register(1, reset_value=1)

    # Read phase.
    write = net.and_(reading, m.input_valid[0])
    waddr, waddr_after = _wrapping(net, g.depth, write)
    _, col_last = net.counter(g.row_words, write)
    row_done = net.and_(write, col_last)
    irow, _ = net.counter(g.height, row_done)
    row_width = index_width(g.height)
    trigger, trigger_next = net.register(row_width, reset_value=g.rows - 1)
    to_emit = net.and_(row_done, net.icmp("eq", irow, trigger))

    # Emit phase: the visiting counters, fastest first.
    emit = net.and_(net.not_(reading), enable)
    order = ["kx", "ky", "cf"] if depthwise else ["cf", "kx", "ky"]
    limits = {"cf": g.folds, "kx": kw, "ky": kh}
    c = _nested(net, [(k, limits[k]) for k in order] + [("ox", out_w)], emit)
    emit_end = net.and_(c["ox"][2], c["ox"][1])
    _, oy_last = net.counter(out_h, emit_end)
    next_trigger = net.mux(
        oy_last, net.const(g.rows - 1, row_width), net.add(trigger, net.const(sh, row_width))
    )
    net.drive(trigger_next, net.mux(emit_end, next_trigger, trigger))
    net.drive(reading_next, net.mux(reading, net.not_(to_emit), emit_end))

    # The buffer address of the visited word.
    kx_offset = _offset(net, aw, c["kx"][2], c["kx"][1], dw * g.folds)
    ox_offset = _offset(net, aw, c["ox"][2], c["ox"][1], sw * g.folds)
    row = _window_row(net, g, aw, reading, waddr, waddr_after, c["ky"])
    cf = net.resize(c["cf"][0], aw, signed=False)
    address = net.reg(net.add(row, ox_offset, kx_offset, cf), enable)
    va = net.reg(emit, enable, reset_value=0)

    data = bram(design, m, g.depth, (write, waddr, m.input_data[0]), address, enable)
    net.drive(vb_next, net.mux(enable, va, vb))
    out = skid(design, m, data, vb, m.out_ready[0])
    net.drive(slice_ready_next, out.ready)
    return design.add(m.finish([reading], [out.data], [out.valid]))


def _window_row(
    net: Netlist,
    g: Geometry,
    aw: int,
    reading: SSAValue,
    waddr: SSAValue,
    waddr_after: SSAValue,
    ky: tuple[SSAValue, SSAValue, SSAValue],
) -> SSAValue:
    """The buffer address of window row ky's first word: while reading it follows the
    write address (at the end of the phase that is input row oy·SH); each ky step
    moves DH rows on, modulo the buffer; after the last ky it returns to the write
    address (constant while emitting)."""
    _, last, step = ky
    row, feedback = net.register(aw, reset_value=0)
    base = net.resize(waddr, aw, signed=False)
    jump = g.dilation[0] * g.row_words
    if jump < g.depth:
        wrapped = net.icmp("uge", row, net.const(g.depth - jump, aw))
        moved = net.mux(
            wrapped,
            net.add(row, net.const(jump - g.depth, aw)),
            net.add(row, net.const(jump, aw)),
        )
        advanced = net.mux(last, base, moved)
    else:
        advanced = base
    emitting = net.mux(step, advanced, row)
    net.drive(feedback, net.mux(reading, net.resize(waddr_after, aw, signed=False), emitting))
    return row
