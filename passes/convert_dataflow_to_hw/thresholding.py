"""RTL of `dataflow.thresholding`: standalone multi-thresholding, PE lanes per cycle.

Input word n of a pixel holds channels n*PE .. n*PE+PE-1. The threshold ROM holds C/PE
words (`datapath.threshold_words`: lane p*N + i = T[n*PE + p, i]) in a signed compare
type that holds every input value and every threshold, so one signed compare per
threshold is exact. Pipeline (`StallPipeline`):
  issue   channel-fold counter n, input word        (fire = enable and input valid)
  stage 1 registered input word, threshold word n
  stage 2 per lane and threshold: x >= T (a bit)
  stage 3 per lane `out_scale * Σ bits + out_bias` in the output lane
  then the output slice. One word per cycle: `pixels·C/PE` cycles per frame.
"""

from __future__ import annotations

from xdsl.ir import SSAValue

from passes.convert_dataflow_to_hw.datapath import (
    activation_output,
    decode,
    lanes,
    signed_type,
    threshold_words,
)
from passes.convert_dataflow_to_hw.interface import HwDesign, StreamModule
from passes.convert_dataflow_to_hw.netlist import Netlist
from passes.convert_dataflow_to_hw.pipeline import StallPipeline
from qdialects import dataflow as df
from qdialects.dataflow.ops import stream_type
from qdialects.quant import constant_value


def _count(net: Netlist, hits: list[SSAValue]) -> SSAValue:
    """The number of set bits among `hits`."""
    bits = max(1, len(hits).bit_length())
    return net.add(*(net.resize(h, bits, False) for h in hits))


def lower_thresholding(layer: df.ThresholdingOp, name: str, design: HwDesign) -> str:
    x_stream, out_stream = stream_type(layer.x), stream_type(layer.result)
    table = constant_value(layer.thresholds)
    assert table is not None
    channels, pe, n = x_stream.shape[-1], layer.pe.value.data, layer.num_thresholds()
    x_type = x_stream.element
    lo = min(x_type.min_value, int(table.min()), -1)
    hi = max(x_type.max_value, int(table.max()), 1)
    compare = signed_type(lo, hi)

    m = StreamModule(name, [x_stream.word_width()], [out_stream.word_width()])
    net = m.netlist
    pipe = StallPipeline(design, m)
    words = threshold_words(table, channels, pe, compare)
    v1, x1, t1 = pipe.take_with_table("thresholds", words, pe * n * compare.bitwidth)

    t_lanes = lanes(net, t1, pe * n)
    hits = [
        net.icmp("sge", decode(net, lane, x_type, compare.bitwidth), t_lanes[p * n + i])
        for p, lane in enumerate(lanes(net, x1, pe))
        for i in range(n)
    ]
    v2, h2 = pipe.valid(v1), pipe.stage(net.concat(hits))

    scale, bias = layer.out_scale.value.data, layer.out_bias.value.data
    hit_bits = lanes(net, h2, pe * n)
    out_lanes = [
        activation_output(net, _count(net, hit_bits[p * n : (p + 1) * n]), scale, bias,
                          out_stream.element)
        for p in range(pe)
    ]  # fmt: skip
    out = pipe.output(net.concat(out_lanes), v2)
    return design.add(m.finish([pipe.enable], [out.data], [out.valid]))
