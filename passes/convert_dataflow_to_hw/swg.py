"""RTL of `dataflow.swg`: the sliding-window generator, with the HLS library's schedule
(standard and depthwise order, and the parallel window).

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

**Parallel window** (`parallel_window`, SIMD = C, so a word is a pixel): the same
credits, reader and writer with one output word per output pixel (the writer's only
counter is ox: OW cycles per output row, `SWGOp.cycles_per_frame`). The ring is split
as the HLS kernel partitions it: B·CW memories (`qnn_bram`, CW = (KW-1)·DW + 1 window
columns) of ⌈IFM_W/CW⌉ pixels, memory (i, j) holding the columns x ≡ j (mod CW) of ring
slot i at address x div CW, so the CW columns of a window lie in CW different banks and
every memory is read in the same cycle. With the window's first column ox·SW = q·CW + r,
bank j reads address q + [j < r] (issue: q and r are counters; stage A: the addresses);
at stage B window position (ky, kx) is memory ((base + ky·DH) mod B, (r + kx·DW) mod CW),
base the ring slot of input row oy·SH (both selects delayed with the addresses), and the
KH·KW pixels, position ky·KW + kx at bits [k·C·bits, (k+1)·C·bits), go to the slice:
the word of `backend_hls/lib/qnn/swg.h` `swg_parallel`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.ir import SSAValue

from passes.convert_dataflow_to_hw.interface import HwDesign, StreamModule, bram, skid
from passes.convert_dataflow_to_hw.netlist import Feedback, Netlist, index_width, width_of
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
    def window_columns(self) -> int:
        """CW = (KW-1)·DW + 1: the input columns of one window."""
        return (self.kernel[1] - 1) * self.dilation[1] + 1

    @property
    def bank_depth(self) -> int:
        """A parallel window's memories: ⌈IFM_W/CW⌉ pixel words each (CF = 1)."""
        return -(-self.row_words // self.window_columns)

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


def lower_swg(layer: df.SWGOp, name: str, design: HwDesign) -> str:
    width = stream_type(layer.x).word_width()
    g = Geometry.of(layer)
    if layer.is_parallel_window:
        return parallel_window_module(design, name, g, width)
    return window_module(design, name, g, layer.is_depthwise, width)


@dataclass
class _Schedule:
    """The row credits, the reader and the writer's visiting counters of a window
    engine (module docstring), shared by both datapaths."""

    enable: SSAValue
    """The emit pipeline advances (stage B empty or the slice ready)."""
    emit: SSAValue
    """The writer issues a word this cycle."""
    counters: dict[str, tuple[SSAValue, SSAValue, SSAValue]]
    """The visiting counters: name -> (value, last, step)."""
    emit_end: SSAValue
    """The word issued ends its output row."""
    oy_last: SSAValue
    """The output row is the frame's last."""
    write: SSAValue
    """The reader takes an input word this cycle."""
    col_last: SSAValue
    """The reader's word is the last of its row."""
    may_read: SSAValue
    """The input stream's TREADY."""
    vb: SSAValue
    """Stage B (the buffer's read register) holds a word."""
    vb_next: Feedback
    slice_ready: Feedback


def _schedule(
    net: Netlist, m: StreamModule, g: Geometry, order: list[tuple[str, int]]
) -> _Schedule:
    """The control of a window engine of geometry `g` whose writer visits the counters
    `order` (fastest first) within each output pixel."""
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
    c = _nested(net, [*order, ("ox", g.out[1])], emit)
    emit_end = net.and_(c["ox"][2], c["ox"][1])
    net.drive(busy_next, net.mux(emit, net.not_(emit_end), busy))
    _, oy_last = net.counter(g.out[0], emit_end)

    # Releases: at once for the writer; for the reader at the clock edge where the
    # buffer reads the row's last word (the flag travels with the address register): the
    # buffer reads before it writes, so the reader may write a freed slot at that edge.
    released = net.mux(oy_last, net.const(g.last_release, cw), net.const(g.stride[0], cw))
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
    row_done = net.and_(write, col_last)
    net.drive(held_next, _plus(net, held_now, net.and_(write, net.not_(in_row))))
    net.drive(avail_next, _plus(net, _less(net, avail, emit_end, released), row_done))
    return _Schedule(
        enable, emit, c, emit_end, oy_last, write, col_last, may_read, vb, vb_next,
        slice_ready_next,
    )  # fmt: skip


def _finish(design: HwDesign, m: StreamModule, s: _Schedule, data: SSAValue, va: SSAValue) -> str:
    """Stage B's valid bit follows stage A's (`va`); the read `data` leaves through a
    `qnn_skid` slice."""
    net = m.netlist
    net.drive(s.vb_next, net.mux(s.enable, va, s.vb))
    out = skid(design, m, data, s.vb, m.out_ready[0])
    net.drive(s.slice_ready, out.ready)
    return design.add(m.finish([s.may_read], [out.data], [out.valid]))


def window_module(design: HwDesign, name: str, g: Geometry, depthwise: bool, width: int) -> str:
    """The module `name` of a sliding-window generator of geometry `g` on words of
    `width` bits (module docstring; `depthwise`: the depthwise visiting order). The
    pools use it as their window engine with a buffer of R rows, as the HLS library's
    pools do (reading and writing then alternate)."""
    m = StreamModule(name, [width], [width])
    net = m.netlist
    aw = index_width(g.depth)
    (kh, kw), sw, dw = g.kernel, g.stride[1], g.dilation[1]
    order = ["kx", "ky", "cf"] if depthwise else ["cf", "kx", "ky"]
    limits = {"cf": g.folds, "kx": kw, "ky": kh}
    s = _schedule(net, m, g, [(k, limits[k]) for k in order])
    c = s.counters
    waddr, _ = _wrapping(net, g.depth, s.write)

    # The buffer address of the visited word.
    base = _ring_base(net, g, aw, g.row_words, s.emit_end, s.oy_last)
    kx_offset = _offset(net, aw, c["kx"][2], c["kx"][1], dw * g.folds)
    ox_offset = _offset(net, aw, c["ox"][2], c["ox"][1], sw * g.folds)
    row = _window_row(net, g, base, c["ky"])
    cf = net.resize(c["cf"][0], aw, signed=False)
    address = net.reg(net.add(row, ox_offset, kx_offset, cf), s.enable)
    va = net.reg(s.emit, s.enable, reset_value=0)

    data = bram(design, m, g.depth, (s.write, waddr, m.input_data[0]), address, s.enable)
    return _finish(design, m, s, data, va)


def parallel_window_module(design: HwDesign, name: str, g: Geometry, width: int) -> str:
    """The module `name` of a parallel-window SWG of geometry `g` (CF = 1) on pixel words
    of `width` bits (module docstring): one output word of KH·KW pixels per output pixel."""
    (kh, kw), dh, dw = g.kernel, g.dilation[0], g.dilation[1]
    m = StreamModule(name, [width], [width * kh * kw])
    net = m.netlist
    s = _schedule(net, m, g, [])
    columns = g.window_columns
    aw = index_width(g.bank_depth)

    # Reader: the slot, bank and bank address of the input pixel it takes.
    slot, _ = _wrapping(net, g.rows, net.and_(s.write, s.col_last))
    bank, waddr = _banked_column(net, columns, aw, s.write, s.col_last)

    # Writer: the window's first column ox·SW = q·CW + r; bank j holds the window's
    # column of group q when j >= r, of group q + 1 when j < r (r is 0 when SW is a
    # multiple of CW: no rotation).
    q, r = _column_split(net, columns, aw, g.stride[1], s.counters["ox"])
    addresses = [net.reg(_bank_address(net, q, r, j), s.enable) for j in range(columns)]
    va = net.reg(s.emit, s.enable, reset_value=0)
    base, _ = _ring_base(net, g, index_width(g.rows), 1, s.emit_end, s.oy_last)
    row_select = net.reg(net.reg(base, s.enable), s.enable)
    column_select = None if r is None else net.reg(net.reg(r, s.enable), s.enable)

    data = []
    for i in range(g.rows):
        in_slot = net.and_(s.write, net.eq_const(slot, i))
        data.append([
            bram(
                design, m, g.bank_depth,
                (net.and_(in_slot, net.eq_const(bank, j)), waddr, m.input_data[0]),
                addresses[j], s.enable, f"buffer_{i}_{j}",
            )
            for j in range(columns)
        ])  # fmt: skip
    pixels = []
    for ky in range(kh):
        row = [
            _select(net, row_select, [data[(b + ky * dh) % g.rows][j] for b in range(g.rows)])
            for j in range(columns)
        ]
        for kx in range(kw):
            rotated = [row[(c + kx * dw) % columns] for c in range(columns)]
            pixels.append(
                rotated[0] if column_select is None else _select(net, column_select, rotated)
            )
    return _finish(design, m, s, net.concat(pixels), va)


def _banked_column(
    net: Netlist, columns: int, aw: int, write: SSAValue, col_last: SSAValue
) -> tuple[SSAValue, SSAValue]:
    """The reader's column `col` of its row as (bank, address) = (col mod CW, col div
    CW): both advance on `write` and return to 0 after the row's last word."""
    address, address_next = net.register(aw, reset_value=0)
    if columns == 1:
        group_end = net.true()
        bank = net.const(0, 1)
    else:
        bank, bank_next = net.register(index_width(columns), reset_value=0)
        group_end = net.eq_const(bank, columns - 1)
        zero = net.const(0, width_of(bank))
        following = net.mux(
            net.or_(group_end, col_last), zero, net.add(bank, net.const(1, width_of(bank)))
        )
        net.drive(bank_next, net.mux(write, following, bank))
    moved = net.mux(group_end, net.add(address, net.const(1, aw)), address)
    following = net.mux(col_last, net.const(0, aw), moved)
    net.drive(address_next, net.mux(write, following, address))
    return bank, address


def _column_split(
    net: Netlist, columns: int, aw: int, stride: int, ox: tuple[SSAValue, SSAValue, SSAValue]
) -> tuple[SSAValue, SSAValue | None]:
    """(q, r) with ox·SW = q·CW + r for the writer's counter `ox`; r is None when it is
    always 0 (SW a multiple of CW)."""
    _, last, step = ox
    groups, rest = divmod(stride, columns)
    q, q_next = net.register(aw, reset_value=0)
    zero = net.const(0, aw)
    if rest == 0:
        net.drive(q_next, net.mux(step, net.mux(last, zero, net.add(q, net.const(groups, aw))), q))
        return q, None
    rw = index_width(2 * columns)
    r, r_next = net.register(rw, reset_value=0)
    moved = net.add(r, net.const(rest, rw))
    carry = net.icmp("uge", moved, net.const(columns, rw))
    r_after = net.mux(carry, net.add(moved, net.const(-columns % (1 << rw), rw)), moved)
    q_after = net.add(q, net.const(groups, aw), net.resize(carry, aw, signed=False))
    net.drive(r_next, net.mux(step, net.mux(last, net.const(0, rw), r_after), r))
    net.drive(q_next, net.mux(step, net.mux(last, zero, q_after), q))
    return q, r


def _bank_address(net: Netlist, q: SSAValue, r: SSAValue | None, bank: int) -> SSAValue:
    """The address bank `bank` reads: q, or q + 1 when `bank` < r."""
    if r is None:
        return q
    before = net.icmp("ult", net.const(bank, width_of(r)), r)
    return net.add(q, net.resize(before, width_of(q), signed=False))


def _select(net: Netlist, index: SSAValue, options: list[SSAValue]) -> SSAValue:
    """`options[index]` (`index` below their count) as a chain of multiplexers."""
    result = options[-1]
    for i in range(len(options) - 2, -1, -1):
        if options[i] is not result:
            result = net.mux(net.eq_const(index, i), options[i], result)
    return result


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
    net: Netlist, g: Geometry, aw: int, unit: int, emit_end: SSAValue, oy_last: SSAValue
) -> tuple[SSAValue, SSAValue]:
    """The ring address of input row oy·SH in `aw` bits, rows of `unit` words (value,
    value after this cycle): it moves on by the released rows (modulo the buffer) at the
    end of each output row."""
    base, feedback = net.register(aw, reset_value=0)
    modulo = g.rows * unit
    following = net.mux(
        oy_last,
        _ring_add(net, base, g.last_release % g.rows * unit, modulo),
        _ring_add(net, base, g.stride[0] % g.rows * unit, modulo),
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
