"""TCL emission: the Vitis HLS script of every layer and the Vivado block design.

Given a module with one `dataflow.partition`:

* `hls/<layer>_hls.tcl` (one per HLS kernel, `kernel_layers`): a Vitis HLS
  script that synthesizes `hls/<layer>.cpp` (top function `<layer>`, the qnn template
  library on the include path, the layer's `params/<layer>.h`) for `part` at
  `clock_ns`, with FINN's synthesis settings (flushable pipelines, module prefixes,
  no deadlock detection), and exports it as the IP `<vendor>:<library>:<layer>:<version>`
  into `hls/project_<layer>/sol1/impl/ip`; `hls/qnn_dma_hls.tcl` does the same for the
  DMA IP `qnn_dma` of `hls/dma.cpp` (`emit_cpp.dma`), which the Zynq shell
  (`backend_hls.shell`) puts in front of the accelerator.
* `vivado/stitch.tcl`: a Vivado script that creates a project for `part`, puts every
  layer's IP directory on the IP repository path, builds a block design `<name>` with
  one IP cell per kernel, one `axis_data_fifo` per `dataflow.fifo` (FIFO_DEPTH: the
  depth rounded up to a power of two, at least 16, the IP's legal values), an AXI-stream
  net per stream (through `dataflow.reshape`s, which are wires), the partition's input
  streams as slave ports `s_axis_<i>` and its output streams as master ports `m_axis_<i>`,
  a clock port `ap_clk` (FREQ_HZ from `clock_ns`) and an active-low reset `ap_rst_n`
  wired to every cell; validates and saves it, makes and imports the HDL wrapper and
  packages the design as the IP `<vendor>:<library>:<name>:<version>` into
  `vivado/ip`.

Both run from any working directory: they locate the tree from `[info script]`, so
the output directory's path never appears in them. Every word derived from the model
or the options goes through `tcl_word`, which quotes it so that Tcl reads back exactly
that string (no substitution, no command or word splitting); identifiers are also
sanitized (`qdialects.dataflow.naming.sanitize`), so they are plain Vivado object names
(no glob characters in `get_bd_*` queries). Free text (display names, descriptions) always follows a fixed
prefix, so it can never be read as a command option.

`backend_hls/tcl_standins.tcl` runs these scripts under plain `tclsh` with stand-ins for
the Vivado/Vitis commands that record what they are asked; `backend_hls.tcl_check`
checks the record (a dry run).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import IO

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import BlockArgument, Operation, OpResult, SSAValue
from xdsl.utils.exceptions import DiagnosticException
from xdsl.utils.target import Target

from backend_hls.emit_cpp.dma import DMA_TOP
from backend_hls.naming import CLOCK_PIN, RESET_PIN, has_params, kernel_layers, params_header
from passes.defaults import DEFAULT_CLOCK_NS, DEFAULT_PART
from qdialects.dataflow import naming
from qdialects.dataflow.ops import FIFOOp, PartitionOp, ReshapeOp, YieldOp, require_partition
from qdialects.dataflow.types import StreamType

DEFAULT_NAME = "qnn_accel"
DEFAULT_VENDOR = "qnn"
DEFAULT_LIBRARY = "hls"
DEFAULT_VERSION = "1.0"
SOLUTION = "sol1"
AXIS_VLNV = "xilinx.com:interface:axis_rtl:1.0"
FIFO_VLNV = "xilinx.com:ip:axis_data_fifo:2.0"
FIFO_PINS = {"in": "S_AXIS", "out": "M_AXIS", "clk": "s_axis_aclk", "rst": "s_axis_aresetn"}
"""The `axis_data_fifo` pins the stitched design uses."""
FIFO_MIN_DEPTH, FIFO_MAX_DEPTH = 16, 32768
FIFO_MEMORY_TYPES = {
    "auto": "auto",
    "block": "block",
    "distributed": "distributed",
    "ultra": "ultra",
}
HLS_DIRECTIVES = (
    "set_param hls.enable_hidden_option_error false",
    "config_compile -disable_unroll_code_size_check -pipeline_style flp",
    "config_rtl -module_auto_prefix",
    "config_rtl -deadlock_detection none",
)
"""Settings before `csynth_design` (FINN's defaults, without its m_axi option: the
kernels have AXI-stream ports only)."""


class TclEmitError(DiagnosticException):
    """The module cannot be emitted as TCL (one-line message)."""


# --------------------------------------------------------------------------- quoting

_BARE = re.compile(r"[A-Za-z0-9_.:/+][A-Za-z0-9_.:/+-]*")


def tcl_word(text: str) -> str:
    """`text` as one Tcl word that evaluates to exactly `text`.

    Plain words (letters, digits, `_ . : / + -`, not starting with `-`) stay bare;
    anything else is double-quoted with every character Tcl could substitute or split on
    backslash-escaped and every non-printable or non-ASCII character written as `\\uXXXX`
    (characters beyond the BMP as a UTF-16 surrogate pair, what Tcl 8.6 stores), so the
    script is pure ASCII and reads the same in any system encoding."""
    if _BARE.fullmatch(text):
        return text
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '\\"$[]{};':
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    out.append('"')
    return "".join(out)


def tcl_list(words: list[str]) -> str:
    """`[list w1 w2 ...]` with every word quoted."""
    return "[list " + " ".join(tcl_word(w) for w in words) + "]" if words else "[list]"


def _command(*words: str) -> str:
    """A command line from words that are already Tcl (quoted or substitutions)."""
    return " ".join(words)


# --------------------------------------------------------------------------- options


_VLNV_PART = re.compile(r"[A-Za-z0-9_.-]+")
_VERSION = re.compile(r"[0-9]+(\.[0-9]+)*")


@dataclass(frozen=True)
class TclOptions:
    """What the scripts are emitted for.

    `name` is the model/design name: sanitized, it names the block design, its wrapper
    and the packaged IP; as given, it appears in display names and descriptions."""

    part: str = DEFAULT_PART
    clock_ns: float | int = DEFAULT_CLOCK_NS
    name: str = DEFAULT_NAME
    vendor: str = DEFAULT_VENDOR
    library: str = DEFAULT_LIBRARY
    version: str = DEFAULT_VERSION

    def check(self) -> None:
        if not (isinstance(self.clock_ns, int | float) and math.isfinite(self.clock_ns)):
            raise TclEmitError(f"clock-ns must be a number, got {self.clock_ns!r}")
        if self.clock_ns <= 0:
            raise TclEmitError(f"clock-ns must be positive, got {self.clock_ns}")
        if not self.part or any(c.isspace() or not c.isprintable() for c in self.part):
            raise TclEmitError(f"part must be a non-empty word, got {self.part!r}")
        for what, value in (("vendor", self.vendor), ("library", self.library)):
            if not _VLNV_PART.fullmatch(value):
                raise TclEmitError(
                    f"{what} must be letters, digits, '_', '.' or '-' (it is part of a VLNV), "
                    f"got {value!r}"
                )
        if not _VERSION.fullmatch(self.version):
            raise TclEmitError(f"version must look like 1.0, got {self.version!r}")

    @property
    def design(self) -> str:
        """The block design / packaged IP name."""
        return naming.sanitize(self.name, DEFAULT_NAME)

    @property
    def freq_hz(self) -> int:
        return round(1e9 / self.clock_ns)

    @property
    def clock(self) -> str:
        """The clock period as Vitis HLS reads it (no trailing `.0`)."""
        return f"{self.clock_ns:g}"

    def vlnv(self, name: str) -> str:
        return f"{self.vendor}:{self.library}:{name}:{self.version}"


# --------------------------------------------------------------------------- the graph


@dataclass(frozen=True)
class Endpoint:
    """One end of an AXI-stream net: a cell's interface pin or an external port."""

    cell: str | None  # None for an external port
    pin: str  # the pin, or the port's name

    def ref(self) -> str:
        if self.cell is None:
            return f"[get_bd_intf_ports {tcl_word(self.pin)}]"
        return f"[get_bd_intf_pins {tcl_word(f'{self.cell}/{self.pin}')}]"


@dataclass(frozen=True)
class Net:
    source: Endpoint
    sink: Endpoint
    stream: StreamType


def input_port(i: int) -> str:
    return f"s_axis_{i}"


def output_port(i: int) -> str:
    return f"m_axis_{i}"


def _stream_index(values: list[SSAValue], value: SSAValue, index: int) -> int:
    """The position of operand/result `index` among the stream-typed ones."""
    return sum(isinstance(v.type, StreamType) for v in values[:index])


class StreamGraph:
    """The partition's streams as nets between cells and ports (reshapes are wires)."""

    def __init__(self, partition: PartitionOp):
        self.partition = partition
        self.names = naming.layer_names(partition)
        self.kernels = kernel_layers(partition)
        self.fifos = [op for op in partition.layers() if isinstance(op, FIFOOp)]
        self.nets = self._nets()

    def _source(self, value: SSAValue) -> Endpoint:
        if isinstance(value, BlockArgument):
            return Endpoint(None, input_port(value.index))
        assert isinstance(value, OpResult)
        op = value.op
        if isinstance(op, ReshapeOp):
            return self._source(op.x)
        if isinstance(op, FIFOOp):
            return Endpoint(self.names[op], FIFO_PINS["out"])
        _, outputs = naming.port_names(op)
        return Endpoint(
            self.names[op], outputs[_stream_index(list(op.results), value, value.index)]
        )

    def _sinks(self, value: SSAValue) -> list[Endpoint]:
        sinks: list[Endpoint] = []
        for use in value.uses:
            op = use.operation
            if isinstance(op, ReshapeOp):
                sinks.extend(self._sinks(op.result))
            elif isinstance(op, YieldOp):
                sinks.append(Endpoint(None, output_port(use.index)))
            elif isinstance(op, FIFOOp):
                sinks.append(Endpoint(self.names[op], FIFO_PINS["in"]))
            else:
                inputs, _ = naming.port_names(op)
                sinks.append(
                    Endpoint(
                        self.names[op], inputs[_stream_index(list(op.operands), value, use.index)]
                    )
                )
        return sinks

    def _nets(self) -> list[Net]:
        sources: list[SSAValue] = list(self.partition.block.args)
        for op in self.partition.layers():
            if not isinstance(op, ReshapeOp):
                sources.extend(r for r in op.results if isinstance(r.type, StreamType))
        nets: list[Net] = []
        for value in sources:
            assert isinstance(value.type, StreamType)
            sinks = self._sinks(value)
            assert len(sinks) == 1, "the partition verifier allows one reader per stream"
            source = self._source(value)
            if source.cell is None and sinks[0].cell is None:
                raise TclEmitError(
                    f"partition input {source.pin} flows to output {sinks[0].pin} through no "
                    f"hardware layer; nothing to stitch"
                )
            nets.append(Net(source, sinks[0], value.type))
        return nets


# --------------------------------------------------------------------------- scripts


def fifo_depth(depth: int) -> int:
    """The `axis_data_fifo` FIFO_DEPTH for a `dataflow.fifo` of `depth` words."""
    rounded = max(FIFO_MIN_DEPTH, 1 << max(depth - 1, 0).bit_length())
    if rounded > FIFO_MAX_DEPTH:
        raise TclEmitError(f"FIFO depth {depth} exceeds axis_data_fifo's maximum {FIFO_MAX_DEPTH}")
    return rounded


def tdata_bytes(stream: StreamType) -> int:
    """AXI-stream TDATA bytes of a stream: Vitis HLS pads the word to whole bytes."""
    return max(1, -(-stream.word_width() // 8))


def hls_script(layer: Operation, name: str, options: TclOptions) -> str:
    """The Vitis HLS script of one kernel (see the module docstring)."""
    headers = [params_header(name).split("/")] if has_params(layer) else []
    return _hls_script(name, f"{name}.cpp", headers, f"layer {name} ({layer.name})", options)


def dma_script(options: TclOptions) -> str:
    """`hls/qnn_dma_hls.tcl`: the DMA IP `qnn_dma` of `hls/dma.cpp` (`emit_cpp.dma`)."""
    return _hls_script(DMA_TOP, "dma.cpp", [], "DMA and control registers", options)


def _hls_script(
    name: str, source: str, headers: list[list[str]], what: str, options: TclOptions
) -> str:
    """Synthesize `hls/<source>` (top `name`, with the `headers`, each a path under `hls/`
    as its parts) and export it as the IP `name`."""
    project = f"project_{name}"
    lines = [
        f"# Vitis HLS: synthesize qnn {what} and export it as the IP",
        f"# {options.vlnv(name)}. Run from anywhere: vitis_hls -f {name}_hls.tcl",
        "set qnn_hls_dir [file dirname [file normalize [info script]]]",
        "if {[regexp {[\\s\"'\\\\]} $qnn_hls_dir]} {",
        '    error "qnn: the HLS directory path must not contain whitespace, quotes or '
        'backslashes (it goes into -cflags): $qnn_hls_dir"',
        "}",
        "cd $qnn_hls_dir",
        _command("open_project", "-reset", tcl_word(project)),
        _command("set_top", tcl_word(name)),
        _command(
            "add_files",
            f"[file join $qnn_hls_dir {tcl_word(source)}]",
            "-cflags",
            '"-std=c++14 -I[file join $qnn_hls_dir lib] -I$qnn_hls_dir"',
        ),
    ]
    lines += [
        _command("add_files", "[file join $qnn_hls_dir " + " ".join(map(tcl_word, h)) + "]")
        for h in headers
    ]
    lines += [
        _command("open_solution", "-reset", tcl_word(SOLUTION), "-flow_target", "vivado"),
        _command("set_part", tcl_word(options.part)),
        _command("create_clock", "-period", tcl_word(options.clock), "-name", "default"),
        *HLS_DIRECTIVES,
        "csynth_design",
        _command(
            "export_design",
            "-format ip_catalog",
            "-ipname",
            tcl_word(name),
            "-vendor",
            tcl_word(options.vendor),
            "-library",
            tcl_word(options.library),
            "-version",
            tcl_word(options.version),
            "-display_name",
            tcl_word(f"qnn {name} of {options.name}"),
            "-description",
            tcl_word(f"qnn {what} of the model {options.name}"),
        ),
        "exit",
    ]
    return "\n".join(lines) + "\n"


def hls_scripts(partition: PartitionOp, options: TclOptions) -> dict[str, str]:
    """`hls/<layer>_hls.tcl` -> script, for every kernel in program order, then
    `hls/qnn_dma_hls.tcl`."""
    options.check()
    names = naming.layer_names(partition)
    scripts = {
        f"hls/{names[op]}_hls.tcl": hls_script(op, names[op], options)
        for op in kernel_layers(partition)
    }
    scripts[f"hls/{DMA_TOP}_hls.tcl"] = dma_script(options)
    return scripts


def stitch_script(partition: PartitionOp, options: TclOptions) -> str:
    """`vivado/stitch.tcl` (see the module docstring)."""
    options.check()
    graph = StreamGraph(partition)
    design = options.design
    clk, rst = CLOCK_PIN, RESET_PIN
    n_in, n_out = len(partition.block.args), len(partition.outputs)
    ports_in = [input_port(i) for i in range(n_in)]
    ports_out = [output_port(i) for i in range(n_out)]
    lines = [
        f"# Vivado: stitch the qnn layers of {design} into one block design and package it",
        f"# as the IP {options.vlnv(design)}. Run the hls/*_hls.tcl scripts first;",
        "# then, from anywhere: vivado -mode batch -source stitch.tcl",
        "set qnn_vivado_dir [file dirname [file normalize [info script]]]",
        "set qnn_hls_dir [file join [file dirname $qnn_vivado_dir] hls]",
        _command(
            "create_project",
            "-force",
            tcl_word(design),
            "[file join $qnn_vivado_dir project]",
            "-part",
            tcl_word(options.part),
        ),
        "set_property ip_repo_paths [list \\",
    ]
    for op in graph.kernels:
        name = graph.names[op]
        path = " ".join(tcl_word(p) for p in (f"project_{name}", SOLUTION, "impl", "ip"))
        lines.append(f"    [file join $qnn_hls_dir {path}] \\")
    lines += [
        "] [current_project]",
        "update_ip_catalog -rebuild",
        _command("create_bd_design", tcl_word(design)),
        "",
        "# one cell per layer",
    ]
    for op in partition.layers():
        if isinstance(op, ReshapeOp):
            continue
        name = graph.names[op]
        if isinstance(op, FIFOOp):
            (stream,) = op.input_streams()
            lines += [
                _command(
                    "create_bd_cell", "-type ip", "-vlnv", tcl_word(FIFO_VLNV), tcl_word(name)
                ),
                _command(
                    "set_property",
                    "-dict",
                    tcl_list(
                        [
                            "CONFIG.FIFO_DEPTH",
                            str(fifo_depth(op.depth.value.data)),
                            "CONFIG.TDATA_NUM_BYTES",
                            str(tdata_bytes(stream)),
                            "CONFIG.FIFO_MEMORY_TYPE",
                            FIFO_MEMORY_TYPES[op.ram_style.data],
                        ]
                    ),
                    f"[get_bd_cells {tcl_word(name)}]",
                ),
            ]
        else:
            lines.append(
                _command(
                    "create_bd_cell",
                    "-type ip",
                    "-vlnv",
                    tcl_word(options.vlnv(name)),
                    tcl_word(name),
                )
            )
    lines += [
        "",
        "# clock and active-low reset, to every cell",
        _command(
            "create_bd_port", "-dir I", "-type clk", "-freq_hz", str(options.freq_hz), tcl_word(clk)
        ),
        _command("create_bd_port", "-dir I", "-type rst", tcl_word(rst)),
        _command(
            "set_property", "CONFIG.POLARITY", "ACTIVE_LOW", f"[get_bd_ports {tcl_word(rst)}]"
        ),
        _command(
            "set_property",
            "-dict",
            tcl_list(
                [
                    "CONFIG.ASSOCIATED_RESET",
                    rst,
                    "CONFIG.ASSOCIATED_BUSIF",
                    ":".join(ports_in + ports_out),
                ]
            ),
            f"[get_bd_ports {tcl_word(clk)}]",
        ),
    ]
    for op in partition.layers():
        if isinstance(op, ReshapeOp):
            continue
        name = graph.names[op]
        pins = (FIFO_PINS["clk"], FIFO_PINS["rst"]) if isinstance(op, FIFOOp) else (clk, rst)
        for port, pin in zip((clk, rst), pins, strict=True):
            lines.append(
                _command(
                    "connect_bd_net",
                    f"[get_bd_ports {tcl_word(port)}]",
                    f"[get_bd_pins {tcl_word(f'{name}/{pin}')}]",
                )
            )
    lines += ["", "# the partition's streams as external AXI-stream ports"]
    for i, port in enumerate(ports_in):
        stream = partition.block.args[i].type
        assert isinstance(stream, StreamType)
        lines += [
            _command("create_bd_intf_port", "-mode Slave", "-vlnv", AXIS_VLNV, tcl_word(port)),
            _command(
                "set_property",
                "-dict",
                tcl_list(
                    [
                        "CONFIG.TDATA_NUM_BYTES",
                        str(tdata_bytes(stream)),
                        "CONFIG.HAS_TKEEP",
                        "0",
                        "CONFIG.HAS_TLAST",
                        "0",
                        "CONFIG.HAS_TREADY",
                        "1",
                        "CONFIG.HAS_TSTRB",
                        "0",
                        "CONFIG.TUSER_WIDTH",
                        "0",
                        "CONFIG.TID_WIDTH",
                        "0",
                        "CONFIG.TDEST_WIDTH",
                        "0",
                        "CONFIG.FREQ_HZ",
                        str(options.freq_hz),
                    ]
                ),
                f"[get_bd_intf_ports {tcl_word(port)}]",
            ),
        ]
    for port in ports_out:
        lines += [
            _command("create_bd_intf_port", "-mode Master", "-vlnv", AXIS_VLNV, tcl_word(port)),
            _command(
                "set_property",
                "CONFIG.FREQ_HZ",
                str(options.freq_hz),
                f"[get_bd_intf_ports {tcl_word(port)}]",
            ),
        ]
    lines += ["", "# one AXI-stream net per stream"]
    for net in graph.nets:
        lines.append(_command("connect_bd_intf_net", net.source.ref(), net.sink.ref()))
    root = "[file join $qnn_vivado_dir ip]"
    core = "[ipx::current_core]"
    lines += [
        "",
        "validate_bd_design",
        "save_bd_design",
        _command(
            "make_wrapper", "-files", f"[get_files {tcl_word(design + '.bd')}]", "-top", "-import"
        ),
        _command("set_property", "top", tcl_word(design + "_wrapper"), "[current_fileset]"),
        "update_compile_order -fileset sources_1",
        _command(
            "ipx::package_project",
            "-root_dir",
            root,
            "-vendor",
            tcl_word(options.vendor),
            "-library",
            tcl_word(options.library),
            "-taxonomy",
            "/UserIP",
            "-module",
            tcl_word(design),
            "-import_files",
        ),
        _command("set_property", "name", tcl_word(design), core),
        _command("set_property", "version", tcl_word(options.version), core),
        _command("set_property", "display_name", tcl_word(f"qnn accelerator {options.name}"), core),
        _command(
            "set_property",
            "description",
            tcl_word(f"qnn dataflow accelerator of the model {options.name}"),
            core,
        ),
        _command("ipx::create_xgui_files", core),
        _command("ipx::update_checksums", core),
        _command("ipx::save_core", core),
        "close_project",
    ]
    return "\n".join(lines) + "\n"


def emit_tcl(module: ModuleOp, options: TclOptions | None = None) -> dict[str, str]:
    """Every TCL script of the module: relative path -> text (`hls/…_hls.tcl`,
    `vivado/stitch.tcl`)."""
    options = options or TclOptions()
    partition = require_partition(module, "the TCL emitter")
    files = hls_scripts(partition, options)
    files["vivado/stitch.tcl"] = stitch_script(partition, options)
    return files


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class _TclTarget(Target):
    part: str = DEFAULT_PART
    clock_ns: float | int = DEFAULT_CLOCK_NS
    model: str = DEFAULT_NAME
    vendor: str = DEFAULT_VENDOR
    library: str = DEFAULT_LIBRARY
    version: str = DEFAULT_VERSION

    @property
    def options(self) -> TclOptions:
        return TclOptions(
            part=self.part,
            clock_ns=float(self.clock_ns),
            name=self.model,
            vendor=self.vendor,
            library=self.library,
            version=str(self.version),
        )


@dataclass(frozen=True)
class VitisTclTarget(_TclTarget):
    """`-t vitis-tcl{part=… clock-ns=…}`: the per-layer Vitis HLS scripts, concatenated
    with a `# ==== hls/<layer>_hls.tcl ====` line before each."""

    name = "vitis-tcl"

    def files(self, module: ModuleOp) -> dict[str, str]:
        return hls_scripts(require_partition(module, "the TCL emitter"), self.options)

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        for path, text in self.files(module).items():
            output.write(f"# ==== {path} ====\n{text}")


@dataclass(frozen=True)
class VivadoTclTarget(_TclTarget):
    """`-t vivado-tcl{part=… clock-ns=… model=…}`: `vivado/stitch.tcl`."""

    name = "vivado-tcl"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        output.write(stitch_script(require_partition(module, "the TCL emitter"), self.options))
