"""RTL of `dataflow.label_select`: the indices of the k largest of N values, per vector.

Two phases per vector, as the HLS kernel: **read** the N/PE input words, then **emit**
the k indices, one word each (N/PE + k cycles per vector, the op's estimate).

* Read: lane p of word j is value `v` with index `j*PE + p`. Lane p keeps its own list
  of the `L = min(k, N/PE)` largest values it has seen, sorted in descending order of
  value, each cell a (valid, value, index) register. A new value goes in front of every
  cell that is empty or holds a strictly smaller value (a value equal to a kept one goes
  behind it: it came later, so it has the higher index), and the cells from there on
  shift down by one. One compare per cell, all lanes in parallel: one word per cycle.
* Emit: each cycle the best of the PE list heads (valid; larger value; equal values:
  lower index) leaves through the output slice as its index, and its lane's list shifts
  up. The k largest overall are among the lanes' L largest, so k pops give them in
  order. After the k-th pop every cell is emptied and the next vector is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.ir import SSAValue

from passes.convert_dataflow_to_hw.datapath import decode, lanes, signed_type
from passes.convert_dataflow_to_hw.interface import HwDesign, StreamModule, skid
from passes.convert_dataflow_to_hw.netlist import Feedback, Netlist, index_width
from qdialects import dataflow as df
from qdialects.dataflow.ops import stream_type


@dataclass
class Entry:
    """A (valid, value, index) triple: a list cell or a candidate."""

    valid: SSAValue
    value: SSAValue
    index: SSAValue

    def select(self, net: Netlist, condition: SSAValue, other: Entry) -> Entry:
        """`self` where `condition` holds, else `other`."""
        return Entry(
            net.mux(condition, self.valid, other.valid),
            net.mux(condition, self.value, other.value),
            net.mux(condition, self.index, other.index),
        )


def _beats(net: Netlist, a: Entry, b: Entry) -> SSAValue:
    """Whether `a` comes before `b` in the output (valid; larger; tie: lower index)."""
    larger = net.icmp("sgt", a.value, b.value)
    tie = net.and_(net.icmp("eq", a.value, b.value), net.icmp("ult", a.index, b.index))
    return net.and_(a.valid, net.or_(net.not_(b.valid), larger, tie))


class _Cells:
    """One lane's list of `count` registered cells and the drivers of their inputs."""

    def __init__(self, net: Netlist, count: int, value_bits: int, index_bits: int):
        self.cells: list[Entry] = []
        self.feedback: list[tuple[Feedback, Feedback, Feedback]] = []
        for _ in range(count):
            valid, valid_next = net.register(1, reset_value=0)
            value, value_next = net.register(value_bits)
            index, index_next = net.register(index_bits)
            self.cells.append(Entry(valid, value, index))
            self.feedback.append((valid_next, value_next, index_next))

    def inserted(self, net: Netlist, new: Entry) -> list[Entry]:
        """The cells after inserting `new` (module docstring)."""
        behind = [
            net.or_(net.not_(cell.valid), net.icmp("sgt", new.value, cell.value))
            for cell in self.cells
        ]
        result = []
        for k, cell in enumerate(self.cells):
            placed = new.select(net, behind[k], cell)
            result.append(self.cells[k - 1].select(net, behind[k - 1], placed) if k else placed)
        return result

    def popped(self, net: Netlist) -> list[Entry]:
        """The cells after removing the head."""
        empty = Entry(net.const(0, 1), self.cells[0].value, self.cells[0].index)
        return [*self.cells[1:], empty]

    def drive(self, net: Netlist, cells: list[Entry]) -> None:
        for (valid, value, index), cell in zip(self.feedback, cells, strict=True):
            net.drive(valid, cell.valid)
            net.drive(value, cell.value)
            net.drive(index, cell.index)


def _best(net: Netlist, heads: list[tuple[Entry, SSAValue]]) -> tuple[Entry, SSAValue]:
    """The best head (`_beats`) and its lane number, by a tree of comparisons."""
    while len(heads) > 1:
        paired = []
        for (a, lane_a), (b, lane_b) in zip(heads[::2], heads[1::2], strict=False):
            first = _beats(net, a, b)
            paired.append((a.select(net, first, b), net.mux(first, lane_a, lane_b)))
        if len(heads) % 2:
            paired.append(heads[-1])
        heads = paired
    return heads[0]


def lower_label_select(layer: df.LabelSelectOp, name: str, design: HwDesign) -> str:
    x_stream, out_stream = stream_type(layer.x), stream_type(layer.result)
    n, k, pe = x_stream.shape[-1], layer.k.value.data, layer.pe.value.data
    words = n // pe
    value_type = signed_type(x_stream.element.min_value, x_stream.element.max_value)
    index_bits = max(1, (n - 1).bit_length())
    lane_bits = index_width(pe)
    m = StreamModule(name, [x_stream.word_width()], [out_stream.word_width()])
    net = m.netlist

    emitting, emitting_next = net.register(1, reset_value=0)
    reading = net.not_(emitting)
    fire = net.and_(reading, m.input_valid[0])
    _, word_last = net.counter(words, fire)
    base, base_next = net.register(index_bits, reset_value=0)
    following = net.add(base, net.const(pe, index_bits))
    net.drive(
        base_next, net.mux(fire, net.mux(word_last, net.const(0, index_bits), following), base)
    )

    slice_ready, slice_ready_next = net.forward(1)
    pop = net.and_(emitting, slice_ready)
    _, pop_last = net.counter(k, pop)
    net.drive(
        emitting_next,
        net.mux(
            net.and_(fire, word_last),
            net.true(),
            net.mux(net.and_(pop, pop_last), net.const(0, 1), emitting),
        ),
    )

    lists = [_Cells(net, min(k, words), value_type.bitwidth, index_bits) for _ in range(pe)]
    heads = [(cells.cells[0], net.const(p, lane_bits)) for p, cells in enumerate(lists)]
    best, best_lane = _best(net, heads)
    clear = net.and_(pop, pop_last)
    for p, (cells, lane) in enumerate(zip(lists, lanes(net, m.input_data[0], pe), strict=True)):
        new = Entry(
            net.true(),
            decode(net, lane, x_stream.element, value_type.bitwidth),
            net.add(base, net.const(p, index_bits)),
        )
        popped = net.and_(pop, net.eq_const(best_lane, p)) if pe > 1 else pop
        after = [
            Entry(net.and_(cell.valid, net.not_(clear)), cell.value, cell.index)
            for cell in _choose(net, popped, cells.popped(net), cells.cells)
        ]
        cells.drive(net, _choose(net, fire, cells.inserted(net, new), after))

    index = net.resize(best.index, out_stream.element.bitwidth, signed=False)
    out = skid(design, m, index, emitting, m.out_ready[0])
    net.drive(slice_ready_next, out.ready)
    return design.add(m.finish([reading], [out.data], [out.valid]))


def _choose(
    net: Netlist, condition: SSAValue, if_true: list[Entry], if_false: list[Entry]
) -> list[Entry]:
    return [a.select(net, condition, b) for a, b in zip(if_true, if_false, strict=True)]
