"""The multiply-accumulate pipeline shared by `dataflow.mvau` and `dataflow.vvau`.

A layer's issue logic (counters, input word, weight address) feeds `MacPipeline`:
  issue   the layer's counters pick the input word and the weight address
          (`MacIssue`; a word enters when `fire` is high, which needs `enable`)
  stage 1 registered input word and weight word (the weight ROM's read register),
          first/last/fold flags
  stage 2 per PE: the products of its lanes (or XNOR matches) summed in the
          accumulator width
  stage 3 per PE: acc = first ? dot : acc + dot; valid after the last word of a dot
          product
  stage 4 per PE: thresholds of the output fold (or the accumulator truncated to the
          output width)
  then a `qnn_skid` slice drives the output stream.
All stages advance together on `enable` = stage 4 empty or the slice ready; the slice's
TREADY is a register, so no combinational path crosses the layer. Arithmetic is modulo
2^acc_bits (exact: the accumulator datatype holds every sum).

Thresholds are a ROM of C/PE words of PE·N lanes of the accumulator's width
(`datapath.threshold_words`), read with stage 2's fold so the word is there in stage 4.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xdsl.ir import SSAValue

from passes.convert_dataflow_to_hw.datapath import (
    activation_output,
    decode,
    lanes,
    threshold_count,
    threshold_words,
    value_bits,
)
from passes.convert_dataflow_to_hw.interface import HwDesign, StreamModule, rom_read, skid
from passes.convert_dataflow_to_hw.netlist import Netlist, width_of
from qdialects import dataflow as df
from qdialects.dataflow.ops import stream_type
from qdialects.types import BipolarType, QDataType

LaneGroups = Callable[
    [list[SSAValue], list[SSAValue], int], list[tuple[list[SSAValue], list[SSAValue]]]
]
"""`groups(x_lanes, w_lanes, pe)`: per PE the input lanes and weight lanes it multiplies."""


@dataclass
class MacIssue:
    """What the layer's issue logic gives the pipeline in the cycle a word enters."""

    fire: SSAValue
    """A word enters stage 1 (must imply `MacPipeline.enable`)."""
    x_word: SSAValue
    address: SSAValue
    """The weight word's index."""
    first: SSAValue
    """The word starts a dot product."""
    last: SSAValue
    """The word ends a dot product (an output word follows)."""
    fold: SSAValue
    """The output word's index among the layer's C/PE output folds."""


class MacPipeline:
    """Stages 1-4 and the output slice of a MVAU/VVAU module (module docstring).

    Create it first: the issue logic needs `enable`; then call `finish`."""

    def __init__(self, m: StreamModule):
        self.m = m
        net = m.netlist
        self._v4, self._v4_next = net.register(1, reset_value=0)
        self._slice_ready, self._slice_ready_next = net.forward(1)
        self.enable = net.or_(net.not_(self._v4), self._slice_ready)

    def finish(
        self,
        design: HwDesign,
        layer: df.MVAUOp | df.VVAUOp,
        issue: MacIssue,
        weights: list[int],
        groups: LaneGroups,
        in_ready: SSAValue,
    ) -> str:
        """Build the stages after `issue` with the weight ROM `weights` (words of PE·SIMD
        lanes) and return the finished module's symbol."""
        m, net, enable = self.m, self.m.netlist, self.enable
        pe, simd = layer.pe_value, layer.simd_value
        acc_bits = layer.accumulator.bitwidth
        w_bits = pe * simd * layer.weight_dtype().bitwidth

        # Stage 1.
        v1 = net.reg(issue.fire, enable, reset_value=0)
        x1 = net.reg(issue.x_word, enable)
        w1 = rom_read(
            design, m, "weights", weights, w_bits, issue.address, enable, layer.ram_style.data
        )
        first1, last1 = net.reg(issue.first, enable), net.reg(issue.last, enable)
        fold1 = net.reg(issue.fold, enable)

        # Stage 2.
        x_lanes = lanes(net, x1, stream_type(layer.x).lanes)
        pairs = groups(x_lanes, lanes(net, w1, pe * simd), pe)
        d2 = [net.reg(_dot(net, xs, ws, layer, acc_bits), enable) for xs, ws in pairs]
        v2 = net.reg(v1, enable, reset_value=0)
        first2, last2 = net.reg(first1, enable), net.reg(last1, enable)
        fold2 = net.reg(fold1, enable)

        # Stage 3.
        accs = []
        for d in d2:
            acc, acc_next = net.register(acc_bits)
            summed = net.mux(first2, d, net.add(acc, d))
            net.drive(acc_next, net.mux(net.and_(enable, v2), summed, acc))
            accs.append(acc)
        v3 = net.reg(net.and_(v2, last2), enable, reset_value=0)

        # Stage 4.
        out_lanes = _activate(design, m, layer, accs, fold2, enable)
        out4 = net.reg(net.concat(out_lanes), enable)
        net.drive(self._v4_next, net.mux(enable, v3, self._v4))

        out = skid(design, m, out4, self._v4, m.out_ready[0])
        net.drive(self._slice_ready_next, out.ready)
        return design.add(m.finish([in_ready], [out.data], [out.valid]))


def _dot(
    net: Netlist,
    x: list[SSAValue],
    w: list[SSAValue],
    layer: df.MVAUOp | df.VVAUOp,
    acc_bits: int,
) -> SSAValue:
    """Σ_s x[s]·w[s] (or Σ_s [x[s] == w[s]] in XNOR mode) in acc_bits."""
    if isinstance(layer, df.MVAUOp) and layer.is_xnor:
        matches = [net.not_(net.xor(a, b)) for a, b in zip(x, w, strict=True)]
        return net.add(*(net.resize(m, acc_bits, False) for m in matches))
    x_dtype: QDataType = stream_type(layer.x).element
    w_dtype = layer.weight_dtype()
    bits = min(acc_bits, value_bits(x_dtype) + value_bits(w_dtype) + 1)
    in_luts = layer.res_type.data == "lut"
    products = []
    for a, b in zip(x, w, strict=True):
        x_value = decode(net, a, x_dtype, bits)
        if in_luts:
            product = shift_add_product(net, x_value, b, w_dtype)
        else:
            product = net.mul(x_value, decode(net, b, w_dtype, bits))
        products.append(net.resize(product, acc_bits, True))
    return net.add(*products)


def shift_add_product(net: Netlist, x: SSAValue, w: SSAValue, w_dtype: QDataType) -> SSAValue:
    """`x · w` modulo 2^width(x) for a weight lane `w` of `w_dtype`, as a sum of copies of
    `x` shifted by each weight bit's position and selected by that bit (the sign bit's copy
    subtracted), so that synthesis builds it from LUTs and carry chains, never a DSP
    (`res_type = "lut"`). A bipolar weight selects `x` or `-x`."""
    bits = width_of(x)
    if isinstance(w_dtype, BipolarType):
        return net.mux(w, x, _negate(net, x))
    terms = []
    for i in range(min(w_dtype.bitwidth, bits)):
        shifted = x if i == 0 else net.concat([net.const(0, i), net.extract(x, 0, bits - i)])
        selected = net.and_(shifted, net.resize(net.extract(w, i, 1), bits, signed=True))
        sign_bit = w_dtype.signed and i == w_dtype.bitwidth - 1
        terms.append(_negate(net, selected) if sign_bit else selected)
    return net.add(*terms)


def _negate(net: Netlist, value: SSAValue) -> SSAValue:
    return net.add(net.not_(value), net.const(1, width_of(value)))


def _activate(
    design: HwDesign,
    m: StreamModule,
    layer: df.MVAUOp | df.VVAUOp,
    accs: list[SSAValue],
    fold: SSAValue,
    enable: SSAValue,
) -> list[SSAValue]:
    """Per PE the output lane: the thresholds of output fold `fold` (read one cycle
    earlier), or the accumulator."""
    net = m.netlist
    out_dtype = stream_type(layer.result).element
    thresholds = layer.threshold_array()
    if thresholds is None:
        return [net.resize(acc, out_dtype.bitwidth, layer.accumulator.signed) for acc in accs]
    n = layer.num_thresholds()
    pe = layer.pe_value
    acc_bits = layer.accumulator.bitwidth
    channels = stream_type(layer.result).shape[-1]
    words = threshold_words(thresholds, channels, pe, layer.accumulator)
    word = rom_read(design, m, "thresholds", words, pe * n * acc_bits, fold, enable)
    table = lanes(net, word, pe * n)
    scale, bias = layer.activation()
    return [
        activation_output(
            net,
            threshold_count(net, acc, table[p * n : (p + 1) * n], layer.accumulator.signed),
            scale,
            bias,
            out_dtype,
        )
        for p, acc in enumerate(accs)
    ]
