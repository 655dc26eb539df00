"""The multiply-accumulate pipeline shared by `dataflow.mvau` and `dataflow.vvau`.

A layer's issue logic (counters, input word, weight address) feeds `MacPipeline`:
  issue     the layer's counters pick the input word and the weight address
            (`MacIssue`; a word enters when `fire` is high, which needs `enable`)
  read      registered input word and weight word (the weight ROM's read register),
            first/last/fold flags
  rom out   the weight word registered again (the ROM's output register: a block RAM's
            clock-to-output and the multiplexer between the block RAMs of a deep ROM
            get a cycle of their own instead of running into the dot product), the
            rest delayed with it
  dot       per PE: the products of its SIMD lanes (each offset to be non-negative:
            `_terms`), or XNOR matches, summed in the accumulator width by a balanced
            adder tree; when SIMD > 4 the tree is cut into two stages (`tree_split`:
            the first levels, registered, then the rest)
  acc       per PE: acc = (first ? -offsets : acc) + dot; valid after the last word of
            a dot product
  activate  per PE: thresholds of the output fold (or the accumulator truncated to the
            output width)
  then a `qnn_skid` slice drives the output stream.
All stages advance together on `enable` = the activate stage empty or the slice ready;
the slice's TREADY is a register, so no combinational path crosses the layer. A stage's
data registers (and the ROMs' read registers) load only when a valid word moves in, so
the products and sums of an empty stage do not change: Verilator skips the logic it
inlines into such a register's input (the adder trees; the products it makes table
look-ups of still run every cycle) while the register holds (measured on CNV-w2a2 at
3,000 fps: 28 % less simulation time), and the hardware saves the toggles for one AND
gate per stage.
Arithmetic is modulo 2^acc_bits (exact: the accumulator datatype holds every sum).
`passes.mac_timing.pipeline_cycles` counts the cycles from a word's issue to its output
word.

Thresholds are a ROM of C/PE words of PE·N lanes of the accumulator's width
(`datapath.threshold_words`), read with the fold of the stage before the last dot stage
and registered once more, so the word is in a register beside the accumulator.
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
from passes.mac_timing import tree_split
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
    words: int
    """Input words per dot product (`first` to `last`)."""


class MacPipeline:
    """The stages and the output slice of a MVAU/VVAU module (module docstring).

    Create it first: the issue logic needs `enable`; then call `finish`."""

    def __init__(self, m: StreamModule):
        self.m = m
        net = m.netlist
        self._valid_out, self._valid_out_next = net.register(1, reset_value=0)
        self._slice_ready, self._slice_ready_next = net.forward(1)
        self.enable = net.or_(net.not_(self._valid_out), self._slice_ready)

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

        # Read; rom out.
        w_read = rom_read(
            design, m, "weights", weights, w_bits, issue.address, issue.fire, layer.ram_style.data
        )
        read = _Stage(net, enable, issue.fire, issue.x_word, issue.first, issue.last, issue.fold)
        w_out = net.reg(w_read, read.advance)
        before_dot = read.next()

        # Dot (one or two stages).
        x_lanes = lanes(net, before_dot.x_word, stream_type(layer.x).lanes)
        pairs = groups(x_lanes, lanes(net, w_out, pe * simd), pe)
        offset = _product_offset(layer, acc_bits) * len(pairs[0][0])
        terms = [_terms(net, xs, ws, layer, acc_bits) for xs, ws in pairs]
        levels = tree_split(simd)
        if levels:
            load = before_dot.advance
            terms = [[net.reg(v, load) for v in tree_levels(net, t, levels)] for t in terms]
            before_dot = before_dot.next()
        dots = [net.reg(sum_tree(net, t), before_dot.advance) for t in terms]
        dot = before_dot.next()

        # Acc (a dot product starts from minus the offsets of its words' terms).
        start = net.const(-offset * issue.words, acc_bits)
        accs = []
        for d in dots:
            acc, acc_next = net.register(acc_bits)
            summed = net.add(net.mux(dot.first, start, acc), d)
            net.drive(acc_next, net.mux(dot.advance, summed, acc))
            accs.append(acc)
        acc_valid = net.reg(net.and_(dot.valid, dot.last), enable, reset_value=0)

        # Activate.
        out_lanes = _activate(design, m, layer, accs, before_dot, dot)
        out_word = net.reg(net.concat(out_lanes), net.and_(enable, acc_valid))
        net.drive(self._valid_out_next, net.mux(enable, acc_valid, self._valid_out))

        out = skid(design, m, out_word, self._valid_out, m.out_ready[0])
        net.drive(self._slice_ready_next, out.ready)
        return design.add(m.finish([in_ready], [out.data], [out.valid]))


class _Stage:
    """A word's valid bit, input word and flags in one stage. The valid bit is registered
    while `enable`; the data only when a word moves in (`enable` and the stage before
    valid), so a stage holding no word keeps its data and the logic computed from it does
    not change (a simulator skips it; the hardware saves the toggles)."""

    def __init__(self, net: Netlist, enable: SSAValue, *values: SSAValue):
        """The stage after the one holding `values` = (valid, x_word, first, last, fold)."""
        self.net, self.enable = net, enable
        valid, *rest = values
        self.valid = net.reg(valid, enable, reset_value=0)
        load = net.and_(enable, valid)
        self.x_word, self.first, self.last, self.fold = (net.reg(v, load) for v in rest)
        self.advance = net.and_(enable, self.valid)
        """This stage's word moves on: the data registers fed from it load."""

    def next(self) -> _Stage:
        """The following stage."""
        values = (self.valid, self.x_word, self.first, self.last, self.fold)
        return _Stage(self.net, self.enable, *values)


def _terms(
    net: Netlist,
    x: list[SSAValue],
    w: list[SSAValue],
    layer: df.MVAUOp | df.VVAUOp,
    acc_bits: int,
) -> list[SSAValue]:
    """The terms of Σ_s x[s]·w[s] (or of Σ_s [x[s] == w[s]] in XNOR mode) in acc_bits,
    each plus `_product_offset`: a product of `bits` < acc_bits bits with its sign bit
    inverted (x·w + 2^(bits-1) modulo 2^bits, never negative) and zero-extended, instead
    of sign-extended; the accumulator starts from minus the offsets
    (`MacPipeline.finish`). The hardware is no bigger (an inverter absorbed into a LUT;
    the adders' upper inputs are zeros instead of copies of the sign), and the product is
    used once, so Verilator inlines it into the sum, which it computes only when the dot
    stage loads, instead of tabulating it every cycle. Measured on CNV-w2a2 at 3,000 fps
    (under load): simulation 1.00 -> 0.82 CPU s for 5 frames, make 39 -> 28 CPU s; Yosys
    synth_xilinx LUTs of MVAU_0 / MVAU_5 / MVAU_6 2,161 -> 1,985, 317 -> 316, 176 -> 155,
    CARRY4 and flip-flops the same."""
    if isinstance(layer, df.MVAUOp) and layer.is_xnor:
        matches = [net.not_(net.xor(a, b)) for a, b in zip(x, w, strict=True)]
        return [net.resize(m, acc_bits, False) for m in matches]
    x_dtype: QDataType = stream_type(layer.x).element
    w_dtype = layer.weight_dtype()
    bits = _product_bits(layer, acc_bits)
    offset = _product_offset(layer, acc_bits)
    in_luts = layer.res_type.data == "lut"
    products = []
    for a, b in zip(x, w, strict=True):
        x_value = decode(net, a, x_dtype, bits)
        if in_luts:
            product = shift_add_product(net, x_value, b, w_dtype)
        else:
            product = net.mul(x_value, decode(net, b, w_dtype, bits))
        if offset:
            product = net.xor(product, net.const(offset, bits))
        products.append(net.resize(product, acc_bits, False))
    return products


def _product_bits(layer: df.MVAUOp | df.VVAUOp, acc_bits: int) -> int:
    """Bits of a product x·w (two's complement): enough for every value, at most acc_bits."""
    x_dtype: QDataType = stream_type(layer.x).element
    return min(acc_bits, value_bits(x_dtype) + value_bits(layer.weight_dtype()) + 1)


def _product_offset(layer: df.MVAUOp | df.VVAUOp, acc_bits: int) -> int:
    """What `_terms` adds to each term: 2^(bits-1) for a product narrower than the
    accumulator, else 0 (XNOR matches, or products as wide as the accumulator)."""
    if isinstance(layer, df.MVAUOp) and layer.is_xnor:
        return 0
    bits = _product_bits(layer, acc_bits)
    return 1 << (bits - 1) if bits < acc_bits else 0


def tree_levels(net: Netlist, values: list[SSAValue], levels: int) -> list[SSAValue]:
    """`levels` levels of a balanced adder tree over `values` (equal widths, modulo
    2^width): each level adds neighbours pairwise (an odd last value passes)."""
    for _ in range(levels):
        if len(values) == 1:
            break
        pairs = [net.add(a, b) for a, b in zip(values[0::2], values[1::2], strict=False)]
        values = pairs + values[len(values) - len(values) % 2 :]
    return values


def sum_tree(net: Netlist, values: list[SSAValue]) -> SSAValue:
    """The sum of `values` by a balanced tree of two-input adders: ceil(log2(n)) adders
    deep instead of the n-1 of a chain."""
    return tree_levels(net, values, len(values))[0]


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
    before_dot: _Stage,
    dot: _Stage,
) -> list[SSAValue]:
    """Per PE the output lane: the accumulator against the thresholds of the output fold
    of `before_dot`'s word (the ROM is read as that word moves into `dot`, its word
    registered as it moves on into the accumulator, beside which it then is), or the
    accumulator truncated."""
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
    fold = before_dot.fold
    word = rom_read(design, m, "thresholds", words, pe * n * acc_bits, fold, before_dot.advance)
    table = lanes(net, net.reg(word, dot.advance), pe * n)
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
