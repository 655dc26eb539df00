"""RTL of `dataflow.fm_padding`: zero words around the frame, one output word per cycle.

Counters walk the output frame (channel folds `cf` fastest, then columns `x`, then rows
`y`); inside the input's rectangle the output word is the next input word, outside it is
the all-zero word and no input is taken. The word enters a `qnn_skid` slice directly:
a word moves when the slice's TREADY (a register) is high and, inside, the input is valid,
so no combinational path crosses the layer.
"""

from __future__ import annotations

from xdsl.ir import SSAValue

from passes.convert_dataflow_to_hw.interface import HwDesign, StreamModule, skid
from passes.convert_dataflow_to_hw.netlist import Netlist, width_of
from qdialects import dataflow as df
from qdialects.dataflow.ops import stream_type
from qdialects.utils import ints


def _within(net: Netlist, value: SSAValue, low: int, size: int, limit: int) -> SSAValue:
    """`low <= value < low + size` for a counter over 0..limit-1 (constant-folded ends)."""
    checks: list[SSAValue] = []
    if low > 0:
        checks.append(net.icmp("uge", value, net.const(low, width_of(value))))
    if low + size < limit:
        checks.append(net.icmp("ult", value, net.const(low + size, width_of(value))))
    return net.and_(*checks) if checks else net.true()


def lower_fm_padding(layer: df.FMPaddingOp, name: str, design: HwDesign) -> str:
    x, out = stream_type(layer.x), stream_type(layer.result)
    height, width, channels = x.shape
    out_h, out_w, _ = out.shape
    top, left, _, _ = ints(layer.pads)
    m = StreamModule(name, [x.word_width()], [out.word_width()])
    net = m.netlist

    fire_wire, fire_next = net.forward(1)
    _, cf_last = net.counter(channels // x.lanes, fire_wire)
    col, col_last = net.counter(out_w, net.and_(fire_wire, cf_last))
    row, _ = net.counter(out_h, net.and_(fire_wire, cf_last, col_last))
    inside = net.and_(_within(net, row, top, height, out_h), _within(net, col, left, width, out_w))
    valid = net.mux(inside, m.input_valid[0], net.true())
    data = net.mux(inside, m.input_data[0], net.const(0, x.word_width()))
    slice_ready, slice_ready_next = net.forward(1)
    net.drive(fire_next, net.and_(slice_ready, valid))
    result = skid(design, m, data, valid, m.out_ready[0])
    net.drive(slice_ready_next, result.ready)
    in_ready = net.and_(result.ready, inside)
    return design.add(m.finish([in_ready], [result.data], [result.valid]))
