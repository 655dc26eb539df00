"""RTL of `dataflow.mvau`: a folded matrix-vector unit with optional thresholds.

With SF = MW/SIMD and NF = MH/PE, each input vector takes NF·SF cycles: output fold
`nf` (0..NF-1) walks the SF input words `sf`; during fold 0 the words come from the input
stream and are also written to a buffer of SF words (`qnn_ram`, or one register when
SF = 1) that the other folds read back. The weight table is a ROM of NF·SF words
(address `nf*SF + sf`), each holding PE groups of SIMD lanes: group p, lane s =
W[sf*SIMD + s, nf*PE + p]; PE p multiplies the SIMD input lanes with its group. The
stages after the issue are `mac.MacPipeline`'s.
"""

from __future__ import annotations

import numpy as np
from xdsl.ir import SSAValue

from passes.convert_dataflow_to_hw.datapath import table_words
from passes.convert_dataflow_to_hw.interface import HwDesign, StreamModule, folded_memory
from passes.convert_dataflow_to_hw.mac import MacIssue, MacPipeline
from qdialects import dataflow as df
from qdialects.dataflow.ops import stream_type


def weight_words(layer: df.MVAUOp) -> list[int]:
    """The NF·SF weight words (module docstring)."""
    mw, mh = layer.matrix_shape()
    pe, simd = layer.pe_value, layer.simd_value
    w = np.asarray(layer.weight_array(), dtype=np.int64)
    table = w.reshape(mw // simd, simd, mh // pe, pe).transpose(2, 0, 3, 1)
    return table_words(table.reshape(-1, pe * simd), layer.weight_dtype())


def _shared_input(
    x_lanes: list[SSAValue], w_lanes: list[SSAValue], pe: int
) -> list[tuple[list[SSAValue], list[SSAValue]]]:
    """Every PE multiplies all SIMD input lanes with its own SIMD weight lanes."""
    simd = len(x_lanes)
    return [(x_lanes, w_lanes[p * simd : (p + 1) * simd]) for p in range(pe)]


def lower_mvau(layer: df.MVAUOp, name: str, design: HwDesign) -> str:
    mw, mh = layer.matrix_shape()
    pe, simd = layer.pe_value, layer.simd_value
    sf_count, nf_count = mw // simd, mh // pe
    x_stream, out_stream = stream_type(layer.x), stream_type(layer.result)
    m = StreamModule(name, [x_stream.word_width()], [out_stream.word_width()])
    net = m.netlist
    pipeline = MacPipeline(m)

    fire_wire, fire_next = net.forward(1)
    sf, sf_last = net.counter(sf_count, fire_wire)
    nf, _ = net.counter(nf_count, net.and_(fire_wire, sf_last))
    address, _ = net.counter(nf_count * sf_count, fire_wire)
    need_input = net.eq_const(nf, 0) if nf_count > 1 else net.true()
    fire = net.and_(pipeline.enable, net.mux(need_input, m.input_valid[0], net.true()))
    net.drive(fire_next, fire)
    x_word = m.input_data[0]
    if nf_count > 1:
        store = net.and_(fire, need_input)
        stored = folded_memory(design, net, "buffer", sf_count, sf, store, m.input_data[0])
        x_word = net.mux(need_input, x_word, stored)
    issue = MacIssue(fire, x_word, address, net.eq_const(sf, 0), sf_last, nf, sf_count)
    in_ready = net.and_(pipeline.enable, need_input)
    return pipeline.finish(design, layer, issue, weight_words(layer), _shared_input, in_ready)
