"""RTL of `dataflow.mvau`: a folded matrix-vector unit with optional thresholds.

With SF = MW/SIMD and NF = MH/PE, each input vector takes NF·SF cycles: output fold
`nf` (0..NF-1) walks the SF input words `sf`; during fold 0 the words come from the input
stream and are also written to a buffer of SF words (`qnn_ram`, or one register when
SF = 1) that the other folds read back. The weight table is a constant array of NF·SF
words (address `nf*SF + sf`), each holding PE groups of SIMD lanes: group p, lane s =
W[sf*SIMD + s, nf*PE + p]; thresholds are a constant array of NF words of PE·N lanes of
the accumulator's width (T[nf*PE + p, i] at lane p*N + i), sorted per channel.

Pipeline (all stages advance together on `enable`):
  issue   counters, input word, weight word            (fire = enable and input ready)
  stage 1 registered input/weight words, first/last/nf flags
  stage 2 per PE: the SIMD products (or XNOR matches) summed, in the accumulator width
  stage 3 per PE: acc = first ? dot : acc + dot; valid after the last input word
  stage 4 per PE: thresholds (or the accumulator truncated to the output width)
  then a `qnn_skid` slice drives the output stream.
`enable` = stage 4 empty or the slice ready; the slice's TREADY is a register, so no
combinational path crosses the layer. Arithmetic is modulo 2^acc_bits (exact, because
the accumulator datatype holds every sum).
"""

from __future__ import annotations

import numpy as np
from xdsl.ir import SSAValue

from passes.convert_dataflow_to_hw.datapath import (
    activation_output,
    decode,
    encode,
    lanes,
    pack_words,
    threshold_count,
    value_bits,
)
from passes.convert_dataflow_to_hw.interface import (
    CLOCK,
    HwDesign,
    StreamModule,
    rom_read,
    skid,
)
from passes.convert_dataflow_to_hw.netlist import Netlist, width_of
from qdialects import dataflow as df
from qdialects.dataflow.ops import stream_type
from qdialects.types import QDataType


def weight_words(layer: df.MVAUOp) -> list[int]:
    """The NF·SF weight words (module docstring)."""
    mw, mh = layer.matrix_shape()
    pe, simd = layer.pe_value, layer.simd_value
    w = np.asarray(layer.weight_array(), dtype=np.int64)
    table = w.reshape(mw // simd, simd, mh // pe, pe).transpose(2, 0, 3, 1)
    codes = encode(table.reshape(-1, pe * simd), layer.weight_dtype())
    return pack_words(codes, layer.weight_dtype().bitwidth)


def threshold_words(layer: df.MVAUOp) -> list[int]:
    """The NF threshold words (module docstring)."""
    thresholds = layer.threshold_array()
    assert thresholds is not None
    _, mh = layer.matrix_shape()
    pe = layer.pe_value
    t = np.sort(np.asarray(thresholds, dtype=np.int64), axis=1)
    t = np.broadcast_to(t, (mh, t.shape[1]))
    codes = encode(t.reshape(mh // pe, pe * t.shape[1]), layer.accumulator)
    return pack_words(codes, layer.accumulator.bitwidth)


def _dot(
    net: Netlist,
    x: list[SSAValue],
    w: list[SSAValue],
    layer: df.MVAUOp,
    acc_bits: int,
) -> SSAValue:
    """Σ_s x[s]·w[s] (or Σ_s [x[s] == w[s]] in XNOR mode) in acc_bits."""
    if layer.is_xnor:
        matches = [net.not_(net.xor(a, b)) for a, b in zip(x, w, strict=True)]
        return net.add(*(net.resize(m, acc_bits, False) for m in matches))
    x_dtype: QDataType = stream_type(layer.x).element
    w_dtype = layer.weight_dtype()
    bits = min(acc_bits, value_bits(x_dtype) + value_bits(w_dtype) + 1)
    products = [
        net.resize(
            net.mul(decode(net, a, x_dtype, bits), decode(net, b, w_dtype, bits)), acc_bits, True
        )
        for a, b in zip(x, w, strict=True)
    ]
    return net.add(*products)


def _input_word(
    design: HwDesign, m: StreamModule, sf: SSAValue, store: SSAValue, sf_count: int
) -> SSAValue:
    """The input word of this cycle's `sf` when the buffer is read (folds after 0)."""
    net = m.netlist
    data = m.input_data[0]
    if sf_count == 1:
        return net.reg(data, enable=store)
    width = width_of(data)
    ram = design.extern_ram(width, sf_count)
    (rdata,) = net.instance(
        "buffer",
        ram,
        [(CLOCK, net.clock), ("we", store), ("waddr", sf), ("wdata", data), ("raddr", sf)],
        [("rdata", width)],
    )
    return rdata


def lower_mvau(layer: df.MVAUOp, name: str, design: HwDesign) -> str:
    mw, mh = layer.matrix_shape()
    pe, simd = layer.pe_value, layer.simd_value
    sf_count, nf_count = mw // simd, mh // pe
    x_stream, out_stream = stream_type(layer.x), stream_type(layer.result)
    m = StreamModule(name, [x_stream.word_width()], [out_stream.word_width()])
    net = m.netlist
    acc_bits = layer.accumulator.bitwidth

    # The final stage's valid register decides whether the pipeline may advance.
    v4, v4_next = net.register(1, reset_value=0)
    slice_ready_wire, slice_ready_next = net.forward(1)
    enable = net.or_(net.not_(v4), slice_ready_wire)

    # Issue.
    fire_wire, fire_next = net.forward(1)
    sf, sf_last = net.counter(sf_count, fire_wire)
    nf, _ = net.counter(nf_count, net.and_(fire_wire, sf_last))
    address, _ = net.counter(nf_count * sf_count, fire_wire)
    need_input = net.eq_const(nf, 0) if nf_count > 1 else net.true()
    in_valid = m.input_valid[0]
    fire = net.and_(enable, net.mux(need_input, in_valid, net.true()))
    net.drive(fire_next, fire)
    in_ready = net.and_(enable, need_input)
    x_word = m.input_data[0]
    if nf_count > 1:
        stored = _input_word(design, m, sf, net.and_(fire, need_input), sf_count)
        x_word = net.mux(need_input, x_word, stored)
    w_bits = pe * simd * layer.weight_dtype().bitwidth

    # Stage 1 (the weight ROM's read register is part of it).
    v1 = net.reg(fire, enable, reset_value=0)
    x1 = net.reg(x_word, enable)
    w1 = rom_read(design, m, "weights", weight_words(layer), w_bits, address, enable)
    first1 = net.reg(net.eq_const(sf, 0), enable)
    last1, nf1 = net.reg(sf_last, enable), net.reg(nf, enable)

    # Stage 2.
    x_lanes = lanes(net, x1, simd)
    w_lanes = lanes(net, w1, pe * simd)
    dots = [
        _dot(net, x_lanes, w_lanes[p * simd : (p + 1) * simd], layer, acc_bits) for p in range(pe)
    ]
    d2 = [net.reg(d, enable) for d in dots]
    v2 = net.reg(v1, enable, reset_value=0)
    first2, last2, nf2 = net.reg(first1, enable), net.reg(last1, enable), net.reg(nf1, enable)

    # Stage 3.
    accs = []
    for d in d2:
        acc, acc_next = net.register(acc_bits)
        summed = net.mux(first2, d, net.add(acc, d))
        net.drive(acc_next, net.mux(net.and_(enable, v2), summed, acc))
        accs.append(acc)
    v3 = net.reg(net.and_(v2, last2), enable, reset_value=0)

    # Stage 4 (the threshold ROM is read with stage 2's fold, so its word is there).
    out_lanes = _activate(design, m, layer, accs, nf2, enable)
    out4 = net.reg(net.concat(out_lanes), enable)
    net.drive(v4_next, net.mux(enable, v3, v4))

    out = skid(design, m, out4, v4, m.out_ready[0])
    net.drive(slice_ready_next, out.ready)
    return design.add(m.finish([in_ready], [out.data], [out.valid]))


def _activate(
    design: HwDesign,
    m: StreamModule,
    layer: df.MVAUOp,
    accs: list[SSAValue],
    nf: SSAValue,
    enable: SSAValue,
) -> list[SSAValue]:
    """Per PE the output lane: the thresholds of output fold `nf` (read one cycle
    earlier), or the accumulator."""
    net = m.netlist
    out_dtype = stream_type(layer.result).element
    if layer.thresholds is None:
        return [net.resize(acc, out_dtype.bitwidth, layer.accumulator.signed) for acc in accs]
    n = layer.num_thresholds()
    acc_bits = layer.accumulator.bitwidth
    words = threshold_words(layer)
    word = rom_read(design, m, "thresholds", words, layer.pe_value * n * acc_bits, nf, enable)
    thresholds = lanes(net, word, layer.pe_value * n)
    scale, bias = layer.activation()
    return [
        activation_output(
            net,
            threshold_count(net, acc, thresholds[p * n : (p + 1) * n], layer.accumulator.signed),
            scale,
            bias,
            out_dtype,
        )
        for p, acc in enumerate(accs)
    ]
