"""RTL of the pooling layers.

`dataflow.global_acc_pool`: per channel the sum over the frame's pixels. Word n of a
pixel holds channels n*PE ..; the running sums of the C/PE channel folds live in an
accumulator memory (`qnn_ram` of C/PE words of PE output lanes, or one register when
C/PE = 1), read asynchronously and written back in the same stage:
  issue   fold and pixel counters                     (fire = enable and input valid)
  stage 1 registered input word; sum = (first pixel ? 0 : acc[fold]) + x per lane,
          written back to acc[fold]; on the last pixel the sums are the output word
  then the output slice. The sums are taken modulo 2^B of the output lanes (exact: the
  verifier guarantees that the output datatype holds them). One input word per cycle,
  the output words leave while the last pixel streams in: H·W·C/PE cycles per frame.
"""

from __future__ import annotations

from passes.convert_dataflow_to_hw.datapath import decode, lanes
from passes.convert_dataflow_to_hw.interface import HwDesign, StreamModule, folded_memory
from passes.convert_dataflow_to_hw.pipeline import StallPipeline
from qdialects import dataflow as df
from qdialects.dataflow.ops import stream_type


def lower_global_acc_pool(layer: df.GlobalAccPoolOp, name: str, design: HwDesign) -> str:
    x_stream, out_stream = stream_type(layer.x), stream_type(layer.result)
    h, w, channels = x_stream.shape
    pe, bits = layer.pe.value.data, out_stream.element.bitwidth
    folds = channels // pe
    m = StreamModule(name, [x_stream.word_width()], [out_stream.word_width()])
    net = m.netlist
    pipe = StallPipeline(design, m)
    fire = net.and_(pipe.enable, m.input_valid[0])
    fold, fold_last = net.counter(folds, fire)
    pixel, pixel_last = net.counter(h * w, net.and_(fire, fold_last))

    v1, x1 = pipe.valid(fire), pipe.stage(m.input_data[0])
    fold1 = pipe.stage(fold)
    first1, last1 = pipe.stage(net.eq_const(pixel, 0)), pipe.stage(pixel_last)
    sums_wire, sums_next = net.forward(pe * bits)
    write = net.and_(pipe.enable, v1)
    stored = folded_memory(design, net, "accumulators", folds, fold1, write, sums_wire)
    previous = net.mux(first1, net.const(0, pe * bits), stored)
    sums = [
        net.add(acc, decode(net, x, x_stream.element, bits))
        for acc, x in zip(lanes(net, previous, pe), lanes(net, x1, pe), strict=True)
    ]
    word = net.concat(sums)
    net.drive(sums_next, word)
    out = pipe.output(word, net.and_(v1, last1))
    return design.add(m.finish([pipe.enable], [out.data], [out.valid]))
