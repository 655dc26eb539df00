"""RTL of `dataflow.vvau`: a folded depthwise (vector-vector) unit with optional
thresholds.

With KF = K/SIMD and CF = C/PE, an output pixel takes CF·KF input words (the
depthwise order: channel folds `cf` outer, kernel folds `kf` inner; lane s*PE + p holds
kernel position kf*SIMD + s of channel cf*PE + p) and gives CF output words, one after
the KF words of each channel fold. Every input word is used once, so there is no input
buffer: a word enters whenever the pipeline advances. The weight table is a ROM of
CF·KF words (address `cf*KF + kf`) laid out like the input word: lane s*PE + p =
W[kf*SIMD + s, cf*PE + p]; PE p multiplies lanes p, PE + p, ... of both. The stages
after the issue are `mac.MacPipeline`'s.
"""

from __future__ import annotations

import numpy as np
from xdsl.ir import SSAValue

from passes.convert_dataflow_to_hw.datapath import table_words
from passes.convert_dataflow_to_hw.interface import HwDesign, StreamModule
from passes.convert_dataflow_to_hw.mac import MacIssue, MacPipeline
from qdialects import dataflow as df
from qdialects.dataflow.ops import stream_type


def weight_words(layer: df.VVAUOp) -> list[int]:
    """The CF·KF weight words (module docstring)."""
    k, c = layer.kernel_channels()
    pe, simd = layer.pe_value, layer.simd_value
    w = np.asarray(layer.weight_array(), dtype=np.int64)
    table = w.reshape(k // simd, simd, c // pe, pe).transpose(2, 0, 1, 3)
    return table_words(table.reshape(-1, simd * pe), layer.weight_dtype())


def _per_channel(
    x_lanes: list[SSAValue], w_lanes: list[SSAValue], pe: int
) -> list[tuple[list[SSAValue], list[SSAValue]]]:
    """PE p multiplies the lanes s*PE + p of the input and weight words (its channel)."""
    return [(x_lanes[p::pe], w_lanes[p::pe]) for p in range(pe)]


def lower_vvau(layer: df.VVAUOp, name: str, design: HwDesign) -> str:
    k, c = layer.kernel_channels()
    pe, simd = layer.pe_value, layer.simd_value
    kf_count, cf_count = k // simd, c // pe
    x_stream, out_stream = stream_type(layer.x), stream_type(layer.result)
    m = StreamModule(name, [x_stream.word_width()], [out_stream.word_width()])
    net = m.netlist
    pipeline = MacPipeline(m)

    fire = net.and_(pipeline.enable, m.input_valid[0])
    kf, kf_last = net.counter(kf_count, fire)
    cf, _ = net.counter(cf_count, net.and_(fire, kf_last))
    address, _ = net.counter(cf_count * kf_count, fire)
    issue = MacIssue(fire, m.input_data[0], address, net.eq_const(kf, 0), kf_last, cf, kf_count)
    return pipeline.finish(design, layer, issue, weight_words(layer), _per_channel, pipeline.enable)
