"""RTL of the layers with several streams: `dataflow.add_streams` (a join),
`dataflow.duplicate_streams` (a fork) and `dataflow.concat`.

* add_streams: a word moves only in a cycle where both inputs are valid and the
  pipeline advances (each input's TREADY is `enable` and the other input's TVALID);
  the PE lane sums, in the output lane width (exact: the verifier guarantees that the
  output datatype holds every sum, and sums modulo 2^B depend on their operands modulo
  2^B), are registered and leave through the output slice. One word per cycle.
* duplicate_streams: every output has its own `qnn_skid` slice; the input is taken only
  in a cycle where every slice can take it (TREADY = the AND of the slices' TREADYs,
  which are registers), and then it enters every slice. One word per cycle.
* concat: per pixel, the C_i/SIMD words of input 0, then of input 1, ...: a counter over
  the words of one output pixel selects the input whose TREADY is `enable`; the word is
  registered and leaves through the output slice. One output word per cycle.
"""

from __future__ import annotations

from xdsl.ir import SSAValue

from passes.convert_dataflow_to_hw.datapath import decode, lanes
from passes.convert_dataflow_to_hw.interface import HwDesign, StreamModule, skid
from passes.convert_dataflow_to_hw.netlist import Netlist, index_width
from passes.convert_dataflow_to_hw.pipeline import StallPipeline
from qdialects import dataflow as df
from qdialects.dataflow.ops import stream_type


def lower_add_streams(layer: df.AddStreamsOp, name: str, design: HwDesign) -> str:
    a, b, out_stream = stream_type(layer.a), stream_type(layer.b), stream_type(layer.result)
    pe, bits = layer.pe.value.data, out_stream.element.bitwidth
    m = StreamModule(name, [a.word_width(), b.word_width()], [out_stream.word_width()])
    net = m.netlist
    pipe = StallPipeline(design, m)
    valid_a, valid_b = m.input_valid
    fire = net.and_(pipe.enable, valid_a, valid_b)
    sums = [
        net.add(decode(net, x, a.element, bits), decode(net, y, b.element, bits))
        for x, y in zip(
            lanes(net, m.input_data[0], pe), lanes(net, m.input_data[1], pe), strict=True
        )
    ]
    out = pipe.output(net.concat(sums), fire)
    ready = [net.and_(pipe.enable, valid_b), net.and_(pipe.enable, valid_a)]
    return design.add(m.finish(ready, [out.data], [out.valid]))


def lower_duplicate_streams(layer: df.DuplicateStreamsOp, name: str, design: HwDesign) -> str:
    (width,) = layer.input_widths()
    count = len(layer.outputs)
    m = StreamModule(name, [width], [width] * count)
    net = m.netlist
    readies = [net.forward(1) for _ in range(count)]
    all_ready = net.and_(*(ready for ready, _ in readies))
    offered = net.and_(m.input_valid[0], all_ready)
    outs = [
        skid(design, m, m.input_data[0], offered, m.out_ready[j], instance=f"skid{j}")
        for j in range(count)
    ]
    for (_, feedback), out in zip(readies, outs, strict=True):
        net.drive(feedback, out.ready)
    return design.add(m.finish([all_ready], [o.data for o in outs], [o.valid for o in outs]))


def _selects(net: Netlist, folds: list[int], position: SSAValue) -> list[SSAValue]:
    """Per input (`folds[i]` words per pixel), whether word `position` of a pixel is
    one of its words."""
    total, width = sum(folds), index_width(sum(folds))
    selects: list[SSAValue] = []
    start = 0
    for words in folds:
        end = start + words
        above = net.icmp("uge", position, net.const(start, width)) if start else net.true()
        below = net.icmp("ult", position, net.const(end, width)) if end < total else net.true()
        selects.append(net.and_(above, below))
        start = end
    return selects


def lower_concat(layer: df.ConcatOp, name: str, design: HwDesign) -> str:
    simd = layer.simd.value.data
    inputs = [stream_type(v) for v in layer.inputs]
    out_stream = stream_type(layer.result)
    m = StreamModule(name, [s.word_width() for s in inputs], [out_stream.word_width()])
    net = m.netlist
    pipe = StallPipeline(design, m)
    folds = [s.shape[-1] // simd for s in inputs]
    fire_wire, fire_next = net.forward(1)
    position, _ = net.counter(sum(folds), fire_wire)
    selects = _selects(net, folds, position)
    data, valid = m.input_data[0], net.and_(selects[0], m.input_valid[0])
    for select, word, in_valid in zip(
        selects[1:], m.input_data[1:], m.input_valid[1:], strict=True
    ):
        data = net.mux(select, word, data)
        valid = net.or_(valid, net.and_(select, in_valid))
    fire = net.and_(pipe.enable, valid)
    net.drive(fire_next, fire)
    out = pipe.output(data, fire)
    ready = [net.and_(pipe.enable, select) for select in selects]
    return design.add(m.finish(ready, [out.data], [out.valid]))
