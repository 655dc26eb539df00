"""What every RTL layer shares: the AXI-stream port convention, the builder of a layer's
`hw.module`, the primitive modules (`backend_rtl/primitives/*.sv`) and the error for a
layer the RTL backend cannot build.

**Ports.** Every layer module, primitive and the partition's top module has the clock
`ap_clk : !seq.clock`, the synchronous active-low reset `ap_rst_n : i1`, and per stream
the AXI-stream triple of `qdialects.dataflow.naming.port_names` (`in0_V`, ..., `out0_V`, ...):
`<port>_TDATA : i<word width>`, `<port>_TVALID : i1` in the stream's direction and
`<port>_TREADY : i1` against it. A word moves in a cycle where TVALID and TREADY are both
high. A word of L lanes of B bits holds lane i at bits [i*B, (i+1)*B) (the stream word
layout of `backend_hls/lib/README.md`); bipolar lanes are one bit, 0 for -1, 1 for +1.

**Primitives** are hand-written SystemVerilog modules with parameters (`qnn_fifo`,
`qnn_skid`, `qnn_dwc`, `qnn_ram`, `qnn_bram`, `qnn_rom`). xDSL's `hw.instance` has no parameters, so each
parameterization is an `hw.module.extern` named `<primitive>_<P1>_<P2>...` carrying the
discardable attributes `qnn.primitive` (the .sv module) and `qnn.parameters` (a
dictionary of integers); the Verilog exporter writes a wrapper module of that name that
instantiates the primitive with those parameters. A `qnn_rom` extern (`rom`) also
carries its contents (`qnn.rom`), which the exporter writes to `<name>.mem` beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from xdsl.dialects import hw
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    StringAttr,
    i1,
    i64,
)
from xdsl.dialects.seq import ClockType
from xdsl.ir import Attribute, Block, Region, SSAValue
from xdsl.utils.exceptions import DiagnosticException

from passes.convert_dataflow_to_hw.netlist import Netlist, index_width, width_of

CLOCK = "ap_clk"
RESET = "ap_rst_n"
PRIMITIVE_ATTR = "qnn.primitive"
PARAMETERS_ATTR = "qnn.parameters"
ROM_ATTR = "qnn.rom"
"""On a `qnn_rom` extern: its words, one lower-case hexadecimal number per line."""
ROM_STYLE_ATTR = "qnn.rom_style"
"""On a `qnn_rom` extern: the Yosys/Vivado `ram_style` of its memory (`ROM_STYLES`)."""
ROM_STYLES = {"auto": "auto", "block": "block", "distributed": "logic", "ultra": "ultra"}
"""A layer's `ram_style` (`limits.RAM_STYLES`) -> the `ram_style` attribute of its ROM:
block RAM, or for "distributed" LUTs (a read-only memory is logic: ECP5's distributed
RAM cells need a write port), "auto" leaves the choice to the synthesis tool."""


class RtlLoweringError(DiagnosticException):
    """A layer or folding the RTL backend cannot build (one line naming the layer)."""


def _port(name: str, type_: Attribute, direction: hw.Direction) -> hw.ModulePort:
    return hw.ModulePort(StringAttr(name), type_, hw.DirectionAttr(direction))  # type: ignore[arg-type]


def stream_ports(inputs: Sequence[int], outputs: Sequence[int]) -> list[hw.ModulePort]:
    """The ports of a module with input streams of word widths `inputs` and output
    streams of widths `outputs` (module docstring): clock, reset, then for each input
    stream its TDATA and TVALID, for each output stream its TREADY, then the outputs:
    each input stream's TREADY, each output stream's TDATA and TVALID."""
    inp, out = hw.Direction.INPUT, hw.Direction.OUTPUT
    ports = [_port(CLOCK, ClockType(), inp), _port(RESET, i1, inp)]
    for i, width in enumerate(inputs):
        ports += [
            _port(f"in{i}_V_TDATA", IntegerType(width), inp),
            _port(f"in{i}_V_TVALID", i1, inp),
        ]
    ports += [_port(f"out{j}_V_TREADY", i1, inp) for j in range(len(outputs))]
    ports += [_port(f"in{i}_V_TREADY", i1, out) for i in range(len(inputs))]
    for j, width in enumerate(outputs):
        ports += [
            _port(f"out{j}_V_TDATA", IntegerType(width), out),
            _port(f"out{j}_V_TVALID", i1, out),
        ]
    return ports


@dataclass
class Stream:
    """The three wires of one AXI stream inside a module."""

    data: SSAValue
    valid: SSAValue
    ready: SSAValue


class StreamModule:
    """Builds an `hw.module` with the stream ports of `stream_ports`.

    `inputs[i]` gives input stream i's TDATA/TVALID (block arguments) and `out_ready[j]`
    output stream j's TREADY; `finish` takes the values driven on the output ports."""

    def __init__(self, name: str, inputs: Sequence[int], outputs: Sequence[int]):
        self.name = name
        self.ports = stream_ports(inputs, outputs)
        in_types = [p.type for p in self.ports if p.dir.data == hw.Direction.INPUT]
        self.block = Block(arg_types=in_types)
        args = list(self.block.args)
        clock, reset_n = args[0], args[1]
        self.netlist = Netlist(self.block, clock, None)
        self.netlist.reset = self.netlist.not_(reset_n)
        self.reset_n = reset_n
        self.input_data = args[2 : 2 + 2 * len(inputs) : 2]
        self.input_valid = args[3 : 3 + 2 * len(inputs) : 2]
        self.out_ready = args[2 + 2 * len(inputs) :]

    def finish(
        self,
        in_ready: Sequence[SSAValue],
        out_data: Sequence[SSAValue],
        out_valid: Sequence[SSAValue],
    ) -> hw.HWModuleOp:
        outputs: list[SSAValue] = list(in_ready)
        for data, valid in zip(out_data, out_valid, strict=True):
            outputs += [data, valid]
        self.block.add_op(hw.OutputOp(outputs))
        return hw.HWModuleOp(
            StringAttr(self.name), hw.ModuleType(ArrayAttr(self.ports)), Region(self.block)
        )


@dataclass
class HwDesign:
    """The hardware modules being built for one partition, appended to `module`.

    `primitive()` declares a primitive parameterization once and returns its symbol."""

    module: ModuleOp
    primitives: dict[str, hw.HWModuleExternOp] = field(default_factory=dict)

    def add(self, op: hw.HWModuleOp) -> str:
        self.module.body.block.add_op(op)
        return op.sym_name.data

    def primitive(
        self,
        primitive: str,
        parameters: dict[str, int],
        inputs: Sequence[int],
        outputs: Sequence[int],
    ) -> str:
        """The extern module of `primitive` (a stream module with the given word widths)
        with `parameters`, declared on first use."""
        name = "_".join([primitive, *(str(v) for v in parameters.values())])
        if name in self.primitives:
            return name
        return self.extern(name, primitive, parameters, stream_ports(inputs, outputs))

    def extern_ram(self, width: int, depth: int) -> str:
        """A `qnn_ram` of `depth` (>= 2) words of `width` bits."""
        return self._extern_memory("qnn_ram", width, depth, read_enable=False)

    def extern_bram(self, width: int, depth: int) -> str:
        """A `qnn_bram` (synchronous read) of `depth` words of `width` bits."""
        return self._extern_memory("qnn_bram", width, depth, read_enable=True)

    def _extern_memory(self, primitive: str, width: int, depth: int, *, read_enable: bool) -> str:
        """The simple dual-port memory `primitive` of `depth` words of `width` bits: a write
        port (`we`, `waddr`, `wdata`) and a read port (`en` when `read_enable`, `raddr`,
        `rdata`)."""
        inp, out = hw.Direction.INPUT, hw.Direction.OUTPUT
        address = IntegerType(index_width(depth))
        enable = [_port("en", i1, inp)] if read_enable else []
        ports = [
            _port(CLOCK, ClockType(), inp),
            _port("we", i1, inp),
            _port("waddr", address, inp),
            _port("wdata", IntegerType(width), inp),
            *enable,
            _port("raddr", address, inp),
            _port("rdata", IntegerType(width), out),
        ]
        return self.extern(
            f"{primitive}_{width}_{depth}", primitive, {"WIDTH": width, "DEPTH": depth}, ports
        )

    def rom(self, name: str, words: Sequence[int], width: int, style: str = "auto") -> str:
        """A `qnn_rom` extern named `name` holding `words` of `width` bits, its memory
        built as the `ram_style` `style` asks (`ROM_STYLES`)."""
        address = IntegerType(index_width(len(words)))
        inp, out = hw.Direction.INPUT, hw.Direction.OUTPUT
        ports = [
            _port(CLOCK, ClockType(), inp),
            _port("en", i1, inp),
            _port("raddr", address, inp),
            _port("rdata", IntegerType(width), out),
        ]
        symbol = self.extern(name, "qnn_rom", {"WIDTH": width, "DEPTH": len(words)}, ports)
        digits = max(1, (width + 3) // 4)
        contents = "\n".join(f"{w:0{digits}x}" for w in words)
        self.primitives[symbol].attributes[ROM_ATTR] = StringAttr(contents)
        self.primitives[symbol].attributes[ROM_STYLE_ATTR] = StringAttr(ROM_STYLES[style])
        return symbol

    def extern(
        self, name: str, primitive: str, parameters: dict[str, int], ports: list[hw.ModulePort]
    ) -> str:
        """Declare `name` as an extern parameterization of `primitive` with `ports`."""
        if name in self.primitives:
            return name
        op = hw.HWModuleExternOp(StringAttr(name), hw.ModuleType(ArrayAttr(ports)))
        op.attributes[PRIMITIVE_ATTR] = StringAttr(primitive)
        op.attributes[PARAMETERS_ATTR] = DictionaryAttr(
            {k: IntegerAttr(v, i64) for k, v in parameters.items()}
        )
        self.primitives[name] = op
        self.module.body.block.add_op(op)
        return name


BLOCK_RAM_SHAPES = ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1))
"""(depth, width) of an 18 Kb block RAM's read port (ECP5 DP16KD and 7-series RAMB18
alike), the deepest last."""


def rom_slice_width(depth: int, width: int, style: str) -> int:
    """Bits per ROM module: a ROM deeper than a block RAM's widest shape that may go into
    block RAM (`style` "auto" or "block") is cut into slices as wide as the block RAM
    shape holding its whole depth, so that each slice is one column of block RAMs and
    its data leaves them without the multiplexer that joins block RAMs cascaded in
    depth (on ECP5 that multiplexer after the block RAM's 5.6 ns clock-to-output kept
    the read stage from 100 MHz). One slice otherwise."""
    if style not in ("auto", "block") or depth <= BLOCK_RAM_SHAPES[0][0]:
        return width
    return next((w for d, w in BLOCK_RAM_SHAPES if depth <= d), 1)


def rom_read(
    design: HwDesign,
    layer: StreamModule,
    table: str,
    words: Sequence[int],
    width: int,
    address: SSAValue,
    enable: SSAValue,
    style: str = "auto",
) -> SSAValue:
    """A ROM `<layer>_<table>` of `words` built as `style` asks (a layer's `ram_style`),
    read synchronously: the returned value is `words[address]` one clock edge after a
    cycle with `enable` high (it holds otherwise). A deep ROM is several modules
    `<layer>_<table>_<i>` of `rom_slice_width` bits each, bits [i*w, (i+1)*w) of every
    word in slice i."""
    net = layer.netlist
    index = net.resize(address, index_width(len(words)), signed=False)
    slice_width = rom_slice_width(len(words), width, style)
    name = f"{layer.name}_{table}"
    slices = []
    for i, low in enumerate(range(0, width, slice_width)):
        bits = min(slice_width, width - low)
        part = [(w >> low) & ((1 << bits) - 1) for w in words]
        symbol = design.rom(name if bits == width else f"{name}_{i}", part, bits, style)
        instance = table if bits == width else f"{table}_{i}"
        inputs = [(CLOCK, net.clock), ("en", enable), ("raddr", index)]
        slices += net.instance(instance, symbol, inputs, [("rdata", bits)])
    return net.concat(slices)


def bram(
    design: HwDesign,
    layer: StreamModule,
    depth: int,
    write: tuple[SSAValue, SSAValue, SSAValue],
    address: SSAValue,
    enable: SSAValue,
    instance: str = "buffer",
) -> SSAValue:
    """A `qnn_bram` of `depth` words named `instance` in `layer`, written with
    `write` = (we, waddr, wdata) and read synchronously: the returned value is the word
    at `address` one clock edge after a cycle with `enable` high (it holds otherwise; a
    word written at that edge is not yet seen)."""
    net = layer.netlist
    we, waddr, wdata = write
    width = width_of(wdata)
    aw = index_width(depth)
    (data,) = net.instance(
        instance,
        design.extern_bram(width, depth),
        [
            (CLOCK, net.clock),
            ("we", we),
            ("waddr", net.resize(waddr, aw, signed=False)),
            ("wdata", wdata),
            ("en", enable),
            ("raddr", net.resize(address, aw, signed=False)),
        ],
        [("rdata", width)],
    )
    return data


def folded_memory(
    design: HwDesign,
    net: Netlist,
    instance: str,
    depth: int,
    address: SSAValue,
    write: SSAValue,
    value: SSAValue,
) -> SSAValue:
    """`depth` words of `value`'s width, word `address` read asynchronously (returned)
    and written with `value` at the clock edge where `write` is high: a `qnn_ram`
    named `instance`, or one register when `depth` is 1."""
    if depth == 1:
        return net.reg(value, enable=write)
    width = width_of(value)
    ram = design.extern_ram(width, depth)
    (rdata,) = net.instance(
        instance,
        ram,
        [
            (CLOCK, net.clock),
            ("we", write),
            ("waddr", address),
            ("wdata", value),
            ("raddr", address),
        ],
        [("rdata", width)],
    )
    return rdata


def stream_instance(
    net: Netlist,
    name: str,
    module: str,
    reset_n: SSAValue,
    inputs: Sequence[tuple[SSAValue, SSAValue]],
    out_ready: Sequence[SSAValue],
    out_widths: Sequence[int],
) -> tuple[list[SSAValue], list[tuple[SSAValue, SSAValue]]]:
    """An instance of a stream module (`stream_ports`) fed by `inputs` (TDATA, TVALID)
    and the output streams' TREADYs: (input TREADYs, output (TDATA, TVALID)s)."""
    ports: list[tuple[str, SSAValue]] = [(CLOCK, net.clock), (RESET, reset_n)]
    for i, (data, valid) in enumerate(inputs):
        ports += [(f"in{i}_V_TDATA", data), (f"in{i}_V_TVALID", valid)]
    ports += [(f"out{j}_V_TREADY", ready) for j, ready in enumerate(out_ready)]
    results: list[tuple[str, int]] = [(f"in{i}_V_TREADY", 1) for i in range(len(inputs))]
    for j, width in enumerate(out_widths):
        results += [(f"out{j}_V_TDATA", width), (f"out{j}_V_TVALID", 1)]
    values = net.instance(name, module, ports, results)
    in_ready = values[: len(inputs)]
    rest = values[len(inputs) :]
    return in_ready, [(rest[2 * j], rest[2 * j + 1]) for j in range(len(out_widths))]


def skid(
    design: HwDesign,
    layer: StreamModule,
    data: SSAValue,
    valid: SSAValue,
    ready: SSAValue,
    instance: str = "skid",
) -> Stream:
    """`data`/`valid` through a `qnn_skid` register slice (named `instance`) whose output
    side has TREADY `ready`; returns the slice's output stream and, as `Stream.ready`,
    its input TREADY."""
    width = width_of(data)
    module = design.primitive("qnn_skid", {"WIDTH": width}, [width], [width])
    (in_ready,), ((out_data, out_valid),) = stream_instance(
        layer.netlist, instance, module, layer.reset_n, [(data, valid)], [ready], [width]
    )
    return Stream(out_data, out_valid, in_ready)
