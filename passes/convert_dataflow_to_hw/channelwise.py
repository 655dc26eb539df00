"""RTL of `dataflow.channelwise`: `x + P[c]` or `x * P[c]` per channel, PE lanes per cycle.

The parameter ROM holds C/PE words of PE lanes (lane p of word n = P[n*PE + p], the
HLS library's PE-interleaved order) in the output lane width B: the verifier
guarantees that the output datatype holds every exact result, and sums and products
modulo 2^B only depend on their operands modulo 2^B, so B-bit arithmetic is exact.
Pipeline (`StallPipeline`): issue (channel-fold counter), stage 1 (input word and
parameter word), stage 2 (PE adders or multipliers), output slice: `pixels·C/PE` cycles
per frame.
"""

from __future__ import annotations

import numpy as np

from passes.convert_dataflow_to_hw.datapath import decode, encode, lanes, pack_words
from passes.convert_dataflow_to_hw.interface import HwDesign, StreamModule
from passes.convert_dataflow_to_hw.pipeline import StallPipeline
from qdialects import dataflow as df
from qdialects.dataflow.ops import stream_type
from qdialects.quant import constant_value
from qdialects.types import BipolarType


def parameter_words(layer: df.ChannelwiseOp, bits: int) -> list[int]:
    """The C/PE parameter words (module docstring), lanes of `bits` bits."""
    params = constant_value(layer.params)
    assert params is not None
    channels, pe = stream_type(layer.x).shape[-1], layer.pe.value.data
    p = np.broadcast_to(np.asarray(params, dtype=np.int64), (channels,))
    codes = encode(p.reshape(channels // pe, pe), stream_type(layer.result).element)
    return pack_words(codes, bits)


def channelwise_refusal(layer: df.ChannelwiseOp) -> str | None:
    """Why the RTL cannot build `layer` (`check_supported`), or None."""
    if isinstance(stream_type(layer.result).element, BipolarType):
        return "a bipolar output is not supported by the RTL backend"
    return None


def lower_channelwise(layer: df.ChannelwiseOp, name: str, design: HwDesign) -> str:
    x_stream, out_stream = stream_type(layer.x), stream_type(layer.result)
    pe = layer.pe.value.data
    bits = out_stream.element.bitwidth
    m = StreamModule(name, [x_stream.word_width()], [out_stream.word_width()])
    net = m.netlist
    pipe = StallPipeline(design, m)
    v1, x1, p1 = pipe.take_with_table("params", parameter_words(layer, bits), pe * bits)

    combine = net.add if layer.op.data == "add" else net.mul
    out_lanes = [
        combine(decode(net, x, x_stream.element, bits), p)
        for x, p in zip(lanes(net, x1, pe), lanes(net, p1, pe), strict=True)
    ]
    out = pipe.output(net.concat(out_lanes), v1)
    return design.add(m.finish([pipe.enable], [out.data], [out.valid]))
