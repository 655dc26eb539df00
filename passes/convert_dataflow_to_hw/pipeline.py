"""A stall-together pipeline ending in an output slice: the shape of the streaming layers
that take at most one word per cycle and produce at most one word per cycle.

`StallPipeline(design, m)` gives `enable`: high when the final stage is empty or the
output slice (`interface.skid`) can take its word. Every stage register is loaded only
while `enable` is high (`stage`, `valid`), so a stall freezes all stages together and
no word is lost; the slice's TREADY is a register, so no combinational path runs from
the layer's output TREADY to its input TREADY. A layer fires (takes an input word) in a
cycle with `enable` and its inputs valid, sends the word through its stages with a
valid bit, and ends with `output(data, valid)`, which registers the final stage and
returns the slice's output stream.
"""

from __future__ import annotations

from xdsl.ir import SSAValue

from passes.convert_dataflow_to_hw.interface import (
    HwDesign,
    Stream,
    StreamModule,
    rom_read,
    skid,
)


class StallPipeline:
    """The module docstring."""

    def __init__(self, design: HwDesign, module: StreamModule):
        self.design = design
        self.module = module
        net = self.net = module.netlist
        self._valid_out, self._valid_out_next = net.register(1, reset_value=0)
        self._slice_ready, self._slice_ready_next = net.forward(1)
        self.enable = net.or_(net.not_(self._valid_out), self._slice_ready)

    def stage(self, value: SSAValue) -> SSAValue:
        """`value` registered while the pipeline advances."""
        return self.net.reg(value, self.enable)

    def valid(self, value: SSAValue) -> SSAValue:
        """A stage's valid bit (reset to 0)."""
        return self.net.reg(value, self.enable, reset_value=0)

    def take_with_table(
        self, table: str, words: list[int], width: int
    ) -> tuple[SSAValue, SSAValue, SSAValue]:
        """The first stage of a per-channel layer: input 0 is taken when it is valid
        and the pipeline advances, a counter walks the `len(words)` channel folds, and
        the stage holds (valid, input word, word `fold` of the ROM `table` of `words`
        of `width` bits)."""
        net, m = self.net, self.module
        fire = net.and_(self.enable, m.input_valid[0])
        fold, _ = net.counter(len(words), fire)
        word = rom_read(self.design, m, table, words, width, fold, self.enable)
        return self.valid(fire), self.stage(m.input_data[0]), word

    def output(self, data: SSAValue, valid: SSAValue, port: int = 0) -> Stream:
        """The final stage (`data` and its `valid` registered) through a `qnn_skid` slice
        to output stream `port`; returns the slice's output stream."""
        net = self.net
        data_out = self.stage(data)
        net.drive(self._valid_out_next, net.mux(self.enable, valid, self._valid_out))
        out = skid(self.design, self.module, data_out, self._valid_out, self.module.out_ready[port])
        net.drive(self._slice_ready_next, out.ready)
        return out
