"""A small builder of `hw`/`comb`/`seq` netlists inside one `hw.module`.

Values are `SSAValue`s of signless integer types (`iN`, two's complement when a caller
treats them as signed) or the module's `!seq.clock`. Every helper appends ops to the
module's block and returns the result. An `hw.module` body is a graph region, so a
register may be used before its next value is known: `register()` returns its output
and a `Feedback` to `drive()` once the next value has been built.

Bit order: `concat` takes its values least significant first (CIRCT's `comb.concat`
and `hw.array_create` take the most significant first; the helpers reverse for it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.dialects import comb, hw, seq
from xdsl.dialects.builtin import IntegerAttr, IntegerType, SymbolRefAttr, i32
from xdsl.ir import Block, Operation, SSAValue


def width_of(value: SSAValue) -> int:
    """The bit width of an integer value."""
    type_ = value.type
    assert isinstance(type_, IntegerType), type_
    return type_.width.data


def index_width(size: int) -> int:
    """CIRCT's index width for `size` entries (ceil(log2(size)), at least 1 bit)."""
    return max(1, math.ceil(math.log2(size))) if size > 1 else 1


@dataclass
class Feedback:
    """A value used before it is built (`Netlist.forward`); `Netlist.drive` gives it."""

    placeholder: hw.ConstantOp
    driven: SSAValue | None = None


class Netlist:
    """Appends combinational and sequential logic to `block` (see the module docstring).

    `clock` is the module's `!seq.clock`, `reset` its active-high synchronous reset
    (derive it from an active-low pin with `not_`)."""

    def __init__(self, block: Block, clock: SSAValue, reset: SSAValue | None = None):
        self.block = block
        self.clock = clock
        self.reset = reset
        self._constants: dict[tuple[int, int], SSAValue] = {}

    # ------------------------------------------------------------------ constants

    def _add(self, op: Operation) -> SSAValue:
        self.block.add_op(op)
        return op.results[0]

    def const(self, value: int, width: int) -> SSAValue:
        """`value` modulo 2^width as an `iwidth` constant."""
        key = (value & ((1 << width) - 1), width)
        if key not in self._constants:
            op = hw.ConstantOp(key[0], IntegerType(width), truncate_bits=True)
            self._constants[key] = self._add(op)
        return self._constants[key]

    def true(self) -> SSAValue:
        return self.const(1, 1)

    # ------------------------------------------------------------------ bit slicing

    def extract(self, value: SSAValue, low: int, width: int) -> SSAValue:
        if low == 0 and width == width_of(value):
            return value
        return self._add(comb.ExtractOp(value, IntegerAttr(low, i32), IntegerType(width)))

    def concat(self, values_lsb_first: Sequence[SSAValue]) -> SSAValue:
        if len(values_lsb_first) == 1:
            return values_lsb_first[0]
        total = sum(width_of(v) for v in values_lsb_first)
        return self._add(comb.ConcatOp(list(reversed(values_lsb_first)), IntegerType(total)))

    def resize(self, value: SSAValue, width: int, signed: bool) -> SSAValue:
        """`value` truncated, or extended by its sign bit (`signed`) or zeros."""
        have = width_of(value)
        if have >= width:
            return self.extract(value, 0, width)
        if signed:
            msb = self.extract(value, have - 1, 1)
            top = self._add(comb.ReplicateOp(msb, IntegerType(width - have)))
        else:
            top = self.const(0, width - have)
        return self.concat([value, top])

    # ------------------------------------------------------------------ arithmetic

    def add(self, *values: SSAValue) -> SSAValue:
        return values[0] if len(values) == 1 else self._add(comb.AddOp(list(values)))

    def mul(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._add(comb.MulOp([a, b]))

    def and_(self, *values: SSAValue) -> SSAValue:
        return values[0] if len(values) == 1 else self._add(comb.AndOp(list(values)))

    def or_(self, *values: SSAValue) -> SSAValue:
        return values[0] if len(values) == 1 else self._add(comb.OrOp(list(values)))

    def xor(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._add(comb.XorOp([a, b]))

    def not_(self, value: SSAValue) -> SSAValue:
        return self.xor(value, self.const(-1, width_of(value)))

    def icmp(self, predicate: str, a: SSAValue, b: SSAValue) -> SSAValue:
        """`comb.icmp` (`eq`, `ne`, `slt`, `sge`, `ult`, `uge`, ...): an i1."""
        return self._add(comb.ICmpOp(a, b, predicate))

    def eq_const(self, value: SSAValue, constant: int) -> SSAValue:
        return self.icmp("eq", value, self.const(constant, width_of(value)))

    def mux(self, condition: SSAValue, if_true: SSAValue, if_false: SSAValue) -> SSAValue:
        return self._add(comb.MuxOp(condition, if_true, if_false))

    # ------------------------------------------------------------------ tables

    def lookup(self, table: Sequence[int], index: SSAValue, width: int) -> SSAValue:
        """`table[index]` as a `width`-bit value for a constant `table` (`index` below its
        length): the most frequent entry, replaced by a multiplexer per other entry (a
        constant when every entry is equal)."""
        common = max(set(table), key=list(table).count)
        result = self.const(common, width)
        for i, entry in enumerate(table):
            if entry != common:
                result = self.mux(self.eq_const(index, i), self.const(entry, width), result)
        return result

    def mul_const(self, value: SSAValue, constant: int, width: int) -> SSAValue:
        """`value·constant` (unsigned) in `width` bits."""
        wide = self.resize(value, width, signed=False)
        if constant == 1:
            return wide
        return self.mul(wide, self.const(constant, width))

    # ------------------------------------------------------------------ registers

    def forward(self, width: int) -> tuple[SSAValue, Feedback]:
        """A `width`-bit value to use now and `drive` later (a placeholder that is never
        part of the module: `drive` replaces every use)."""
        placeholder = hw.ConstantOp(0, IntegerType(width))
        return placeholder.result, Feedback(placeholder)

    def register(self, width: int, reset_value: int | None = None) -> tuple[SSAValue, Feedback]:
        """A register of `width` bits (reset to `reset_value` when given); its input is
        set later with `drive`."""
        next_value, feedback = self.forward(width)
        reset = None
        if reset_value is not None:
            assert self.reset is not None, "a register with a reset value needs a reset"
            reset = (self.reset, self.const(reset_value, width))
        output = self._add(seq.CompRegOp(next_value, self.clock, reset))
        return output, feedback

    def drive(self, feedback: Feedback, value: SSAValue) -> None:
        feedback.placeholder.result.replace_all_uses_with(value)
        feedback.driven = value

    def reg(
        self, value: SSAValue, enable: SSAValue | None = None, reset_value: int | None = None
    ) -> SSAValue:
        """`value` delayed by one cycle; held while `enable` is low."""
        output, feedback = self.register(width_of(value), reset_value)
        self.drive(feedback, value if enable is None else self.mux(enable, value, output))
        return output

    def counter(self, limit: int, step: SSAValue) -> tuple[SSAValue, SSAValue]:
        """A counter over 0..limit-1 advancing when `step` is high: (value, value ==
        limit-1). A counter of limit 1 is the constant 0 and always last."""
        width = index_width(limit)
        if limit == 1:
            return self.const(0, width), self.true()
        value, feedback = self.register(width, reset_value=0)
        last = self.eq_const(value, limit - 1)
        following = self.mux(last, self.const(0, width), self.add(value, self.const(1, width)))
        self.drive(feedback, self.mux(step, following, value))
        return value, last

    def counters(self, limits: Sequence[int], step: SSAValue) -> list[tuple[SSAValue, SSAValue]]:
        """Nested counters, fastest first: counter i advances when `step` is high and
        every faster counter is at its last value. (value, last) per counter."""
        result: list[tuple[SSAValue, SSAValue]] = []
        for limit in limits:
            value, last = self.counter(limit, step)
            result.append((value, last))
            step = self.and_(step, last)
        return result

    # ------------------------------------------------------------------ hierarchy

    def instance(
        self,
        name: str,
        module: str,
        inputs: Sequence[tuple[str, SSAValue]],
        outputs: Sequence[tuple[str, int]],
    ) -> list[SSAValue]:
        """An `hw.instance` of `module`; `outputs` are (port, width) pairs."""
        op = hw.InstanceOp(
            name,
            SymbolRefAttr(module),
            list(inputs),
            [(port, IntegerType(width)) for port, width in outputs],
        )
        self.block.add_op(op)
        return list(op.results)
