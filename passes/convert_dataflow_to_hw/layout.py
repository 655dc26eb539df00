"""RTL of the layout layers: `dataflow.upsample`, `dataflow.slice` and
`dataflow.depth_to_space`, with the schedules of `backend_hls/lib/qnn/layout.h`.

All three follow one pattern: counters walk the output (or, for the slice, the input)
frame in stream order, and each output word enters a `qnn_skid` slice directly; a word
moves when the slice's TREADY (a register) is high, so no combinational path crosses
the layer.

* **upsample**: counters over (fold f, copy j < SW, column x, row copy r < SH). The word
  of the first copy of a pixel in the first copy of its row (j = r = 0) is the next input
  word, written to a row buffer (`qnn_ram`, asynchronous read) at x·C/PE + f as it
  passes; every other word is read from there. One output word per cycle:
  `H·SH·W·SW·C/PE` cycles.
* **slice**: counters over the input's (row, column, fold); a word is kept when all three
  lie in their ranges (constant bit tables) and passes when the slice can take it; a
  dropped word is taken at once. One input word per cycle.
* **depth_to_space**: two phases that do not overlap, as in the HLS kernel: read one
  input row (W·C/PE words) into a row buffer, then write the b output rows it makes
  (counters over fold f, j < b, column x, i < b). Output lane p of the word (i, x, j, f)
  is channel k of input pixel x (`DCR`: k = (i·b + j)·D + f·PE + p, so the PE lanes are one
  input word; `CRD`: k = (f·PE + p)·b² + i·b + j). The word and lane of k come from
  constant tables over s = i·b + j; lanes that need different words of the row read
  their own copy of the buffer (`CRD` with PE > 1: PE copies). `(W·C/PE)·2` cycles per
  input row.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.ir import SSAValue

from passes.convert_dataflow_to_hw.interface import (
    HwDesign,
    Stream,
    StreamModule,
    folded_memory,
    skid,
)
from passes.convert_dataflow_to_hw.netlist import Feedback, Netlist, index_width, width_of
from qdialects import dataflow as df
from qdialects.dataflow.ops import stream_type


def _first(net: Netlist, counter: tuple[SSAValue, SSAValue], limit: int) -> SSAValue:
    """The counter is at 0 (always, for a counter of limit 1)."""
    return net.true() if limit == 1 else net.eq_const(counter[0], 0)


def _to_slice(
    design: HwDesign, m: StreamModule, data: SSAValue, valid: SSAValue, fire: Feedback
) -> Stream:
    """`data`/`valid` into the output slice; drives `fire` (a word enters the slice)."""
    net = m.netlist
    ready, ready_next = net.forward(1)
    net.drive(fire, net.and_(ready, valid))
    result = skid(design, m, data, valid, m.out_ready[0])
    net.drive(ready_next, result.ready)
    return result


def lower_upsample(layer: df.UpsampleOp, name: str, design: HwDesign) -> str:
    x = stream_type(layer.x)
    _, width, channels = x.shape
    sh, sw = layer.scales()
    folds = channels // x.lanes
    m = StreamModule(name, [x.word_width()], [x.word_width()])
    net = m.netlist
    fire, fire_next = net.forward(1)
    f, j, col, r = net.counters([folds, sw, width, sh], fire)
    from_input = net.and_(_first(net, j, sw), _first(net, r, sh))
    aw = index_width(width * folds)
    address = net.add(net.mul_const(col[0], folds, aw), net.resize(f[0], aw, signed=False))
    write = net.and_(fire, from_input)
    kept = folded_memory(design, net, "row", width * folds, address, write, m.input_data[0])
    data = net.mux(from_input, m.input_data[0], kept)
    valid = net.mux(from_input, m.input_valid[0], net.true())
    out = _to_slice(design, m, data, valid, fire_next)
    return design.add(m.finish([net.and_(out.ready, from_input)], [out.data], [out.valid]))


def _in_range(net: Netlist, counter: SSAValue, limit: int, axis: tuple[int, int, int]) -> SSAValue:
    """Whether index `counter` (0..limit-1) lies in the range (start, end, step)."""
    start, end, step = axis
    table = [int(start <= i < end and (i - start) % step == 0) for i in range(limit)]
    return net.lookup(table, counter, 1)


def lower_slice(layer: df.SliceOp, name: str, design: HwDesign) -> str:
    x = stream_type(layer.x)
    missing = 3 - len(x.shape)
    h, w, c = (1,) * missing + tuple(x.shape)
    (rows, cols, (c0, c1, cs)) = [(0, 1, 1)] * missing + layer.ranges()
    folds = c // x.lanes
    m = StreamModule(name, [x.word_width()], [x.word_width()])
    net = m.netlist
    taken, taken_next = net.forward(1)
    f, col, row = net.counters([folds, w, h], taken)
    channels = (c0 // x.lanes, c1 // x.lanes, cs)  # whole words when PE > 1
    keep = net.and_(
        _in_range(net, row[0], h, rows),
        _in_range(net, col[0], w, cols),
        _in_range(net, f[0], folds, channels),
    )
    out = skid(design, m, m.input_data[0], net.and_(m.input_valid[0], keep), m.out_ready[0])
    in_ready = net.or_(net.not_(keep), out.ready)
    net.drive(taken_next, net.and_(m.input_valid[0], in_ready))
    return design.add(m.finish([in_ready], [out.data], [out.valid]))


def _lane(
    net: Netlist, word: SSAValue, index: SSAValue, lanes: int, table: Sequence[int]
) -> SSAValue:
    """Lane `index` of `word` (`table` the constant values `index` takes)."""
    bits = width_of(word) // lanes
    if len(set(table)) == 1:
        return net.extract(word, table[0] * bits, bits)
    result = net.extract(word, 0, bits)
    for q in range(1, lanes):
        result = net.mux(net.eq_const(index, q), net.extract(word, q * bits, bits), result)
    return result


def lower_depth_to_space(layer: df.DepthToSpaceOp, name: str, design: HwDesign) -> str:
    x = stream_type(layer.x)
    _, width, channels = x.shape
    b, pe = layer.block, x.lanes
    row_words, out_folds = width * channels // pe, channels // (b * b * pe)
    crd = layer.mode.data == "CRD"
    m = StreamModule(name, [x.word_width()], [x.word_width()])
    net = m.netlist

    reading, reading_next = net.register(1, reset_value=1)
    write = net.and_(reading, m.input_valid[0])
    written, written_last = net.counter(row_words, write)
    fire, fire_next = net.forward(1)
    f, j, col, i = net.counters([out_folds, b, width, b], fire)
    emit_end = net.and_(fire, f[1], j[1], col[1], i[1])
    net.drive(reading_next, net.mux(reading, net.not_(net.and_(write, written_last)), emit_end))

    aw = index_width(row_words)
    sw = index_width(b * b)
    s = net.add(net.mul_const(i[0], b, sw), net.resize(j[0], sw, signed=False))
    fold_step = b * b if crd else 1
    base = net.add(net.mul_const(col[0], channels // pe, aw), net.mul_const(f[0], fold_step, aw))
    banks: dict[tuple[int, ...], SSAValue] = {}
    lanes: list[SSAValue] = []
    for p in range(pe):
        ks = [(p * b * b + t) if crd else (t * out_folds * pe + p) for t in range(b * b)]
        offsets, lane_table = tuple(k // pe for k in ks), [k % pe for k in ks]
        if offsets not in banks:
            address = net.add(base, net.lookup(offsets, s, aw))
            address = net.mux(reading, net.resize(written, aw, signed=False), address)
            banks[offsets] = folded_memory(
                design, net, f"row{len(banks)}", row_words, address, write, m.input_data[0]
            )
        lane_index = net.lookup(lane_table, s, index_width(pe))
        lanes.append(_lane(net, banks[offsets], lane_index, pe, lane_table))
    out = _to_slice(design, m, net.concat(lanes), net.not_(reading), fire_next)
    return design.add(m.finish([reading], [out.data], [out.valid]))
