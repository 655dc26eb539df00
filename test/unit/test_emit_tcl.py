"""The emitted TCL runs under tclsh with recording stand-ins for Vivado / Vitis HLS
(`backend_hls/tcl_standins.tcl`), and the recorded block design is the partition.

For hand-written partitions and for the fixture models converted by
`lower-quant-to-streamline,streamline,convert-to-dataflow` (also with a FIFO on every
inner stream), every script is dry-run and the record checked: every connection joins
pins of created cells or created ports, each net joins exactly the producer and the
consumer of one stream of the IR (through reshapes), every layer has its cell, the
partition's inputs/outputs are the external ports, clock and reset reach every cell,
FIFO depths and widths match, every HLS script synthesizes and exports its own top into
a directory on the IP repository path. Hostile names (quotes, `$`, `[`, `;`, newlines,
`../`, unicode, Tcl keywords) parse and are recorded exactly as intended.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, StringAttr, i64
from xdsl.ir import SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from backend_hls.emit_cpp.dma import DMA_TOP
from backend_hls.emit_tcl import (
    FIFO_PINS,
    FIFO_VLNV,
    TclEmitError,
    TclOptions,
    emit_tcl,
    fifo_depth,
    input_port,
    output_port,
    tcl_word,
    tdata_bytes,
)
from backend_hls.naming import CLOCK_PIN, RESET_PIN, has_params, kernel_layers, params_header
from backend_hls.tcl_check import (
    BlockDesign,
    DryRunError,
    check_tree,
    dry_run,
    expected_pins,
)
from qdialects.dataflow import (
    FIFOOp,
    PartitionError,
    ReshapeOp,
    StreamType,
    YieldOp,
    naming,
    require_partition,
)
from qdialects.ir import parse_module

pytestmark = pytest.mark.skipif(shutil.which("tclsh") is None, reason="tclsh not installed")

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
MODELS = ("tfc_like_ts", "cnv_like", "residual", "depthwise_sep")

# --------------------------------------------------------------------------- fixtures

MLP = """
func.func @mlp(%x : tensor<2x8x!quant.uint<2>>) -> tensor<2x1x!quant.uint<2>> {
  %w = quant.constant dense<[[1, -1, 0, 1], [2, 1, 1, 0], [0, 0, 1, -2], [1, 1, 1, 1], [1, 0, 0, 0], [-1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]]> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %t = quant.constant dense<[[-2, 1, 4]]> : tensor<1x3xi8> -> tensor<1x3x!quant.int<7>>
  %w2 = quant.constant dense<[[1], [-1], [1], [1]]> : tensor<4x1xi8> -> tensor<4x1x!quant.int<2>>
  %r = dataflow.partition(%x) : (tensor<2x8x!quant.uint<2>>) -> tensor<2x1x!quant.uint<2>> {
  ^bb0(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>):
    %h = dataflow.mvau %s, %w, %t {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>, tensor<1x3x!quant.int<7>>) -> !dataflow.stream<4x!quant.uint<2>, lanes 2>
    %f = dataflow.fifo %h {depth = 100 : i64, ram_style = "distributed"} : (!dataflow.stream<4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x!quant.uint<2>, lanes 2>
    %d = dataflow.dwc %f : (!dataflow.stream<4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x!quant.uint<2>, lanes 1>
    %o = dataflow.mvau %d, %w2 {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>, tensor<4x1x!quant.int<2>>) -> !dataflow.stream<1x!quant.int<5>, lanes 1>
    %l = dataflow.label_select %o {k = 1 : i64, pe = 1 : i64} : (!dataflow.stream<1x!quant.int<5>, lanes 1>) -> !dataflow.stream<1x!quant.uint<2>, lanes 1>
    dataflow.yield %l : !dataflow.stream<1x!quant.uint<2>, lanes 1>
  }
  func.return %r : tensor<2x1x!quant.uint<2>>
}
"""

CONV = """
func.func @conv(%x : tensor<1x4x4x4x!quant.uint<2>>) -> tensor<1x1x1x4x!quant.uint<9>> {
  %wd = quant.constant dense<1> : tensor<9x4xi8> -> tensor<9x4x!quant.int<2>>
  %td = quant.constant dense<[[0, 2, 4]]> : tensor<1x3xi8> -> tensor<1x3x!quant.int<7>>
  %t = quant.constant dense<[[1, 2, 3], [1, 2, 3], [0, 1, 2], [0, 1, 2]]> : tensor<4x3xi8> -> tensor<4x3x!quant.int<3>>
  %p = quant.constant dense<[1, 2, 3, 4]> : tensor<4xi8> -> tensor<4x!quant.uint<3>>
  %r = dataflow.partition(%x) : (tensor<1x4x4x4x!quant.uint<2>>) -> tensor<1x1x1x4x!quant.uint<9>> {
  ^bb0(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>):
    %pad = dataflow.fm_padding %s {pads = array<i64: 1, 1, 1, 1>, simd = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<6x6x4x!quant.uint<2>, lanes 2>
    %win = dataflow.swg %pad {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64, depthwise = true} : (!dataflow.stream<6x6x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x4x36x!quant.uint<2>, lanes 2, depthwise 9>
    %dw = dataflow.vvau %win, %wd, %td {simd = 1 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<4x4x36x!quant.uint<2>, lanes 2, depthwise 9>, tensor<9x4x!quant.int<2>>, tensor<1x3x!quant.int<7>>) -> !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>
    %a, %b = dataflow.duplicate_streams %dw {pe = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>, !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>)
    %bf = dataflow.fifo %b {depth = 300 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>
    %sum = dataflow.add_streams %a, %bf {pe = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>, !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x4x4x!quant.uint<3>, lanes 2>
    %th = dataflow.thresholding %sum, %t {pe = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<3>, lanes 2>, tensor<4x3x!quant.int<3>>) -> !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>
    %mp = dataflow.maxpool %th {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pe = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>
    %ps = dataflow.pool %mp {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, pe = 2 : i64, mode = "sum", shift = 2 : i64} : (!dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<1x1x4x!quant.uint<2>, lanes 2>
    %cw = dataflow.channelwise %ps, %p {op = "mul", pe = 2 : i64} : (!dataflow.stream<1x1x4x!quant.uint<2>, lanes 2>, tensor<4x!quant.uint<3>>) -> !dataflow.stream<1x1x4x!quant.uint<5>, lanes 2>
    %flat = dataflow.reshape %cw : (!dataflow.stream<1x1x4x!quant.uint<5>, lanes 2>) -> !dataflow.stream<4x!quant.uint<5>, lanes 2>
    %f1, %f2 = dataflow.duplicate_streams %flat {pe = 2 : i64} : (!dataflow.stream<4x!quant.uint<5>, lanes 2>) -> (!dataflow.stream<4x!quant.uint<5>, lanes 2>, !dataflow.stream<4x!quant.uint<5>, lanes 2>)
    %cat = dataflow.concat %f1, %f2 {simd = 2 : i64} : (!dataflow.stream<4x!quant.uint<5>, lanes 2>, !dataflow.stream<4x!quant.uint<5>, lanes 2>) -> !dataflow.stream<8x!quant.uint<5>, lanes 2>
    %back = dataflow.reshape %cat : (!dataflow.stream<8x!quant.uint<5>, lanes 2>) -> !dataflow.stream<1x2x4x!quant.uint<5>, lanes 2>
    %g = dataflow.global_acc_pool %back {pe = 2 : i64} : (!dataflow.stream<1x2x4x!quant.uint<5>, lanes 2>) -> !dataflow.stream<1x1x4x!quant.uint<9>, lanes 2>
    dataflow.yield %g : !dataflow.stream<1x1x4x!quant.uint<9>, lanes 2>
  }
  func.return %r : tensor<1x1x1x4x!quant.uint<9>>
}
"""

# Two inputs, two outputs; one output leaves through a reshape.
MULTI_IO = """
func.func @multi(%x : tensor<1x4x!quant.uint<2>>, %y : tensor<1x4x!quant.uint<2>>) -> (tensor<1x8x!quant.uint<2>>, tensor<1x2x4x!quant.uint<2>>) {
  %r:2 = dataflow.partition(%x, %y) : (tensor<1x4x!quant.uint<2>>, tensor<1x4x!quant.uint<2>>) -> (tensor<1x8x!quant.uint<2>>, tensor<1x2x4x!quant.uint<2>>) {
  ^bb0(%a : !dataflow.stream<4x!quant.uint<2>, lanes 2>, %b : !dataflow.stream<4x!quant.uint<2>, lanes 2>):
    %c = dataflow.concat %a, %b {simd = 2 : i64} : (!dataflow.stream<4x!quant.uint<2>, lanes 2>, !dataflow.stream<4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<8x!quant.uint<2>, lanes 2>
    %d1, %d2 = dataflow.duplicate_streams %c {pe = 2 : i64} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>) -> (!dataflow.stream<8x!quant.uint<2>, lanes 2>, !dataflow.stream<8x!quant.uint<2>, lanes 2>)
    %e = dataflow.reshape %d2 : (!dataflow.stream<8x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x4x!quant.uint<2>, lanes 2>
    dataflow.yield %d1, %e : !dataflow.stream<8x!quant.uint<2>, lanes 2>, !dataflow.stream<2x4x!quant.uint<2>, lanes 2>
  }
  func.return %r#0, %r#1 : tensor<1x8x!quant.uint<2>>, tensor<1x2x4x!quant.uint<2>>
}
"""

HAND = {"mlp": MLP, "conv": CONV, "multi_io": MULTI_IO}


def converted(model: str) -> ModuleOp:
    try:
        from frontend import import_qonnx
        from passes.pipeline import run_pipeline
    except ImportError as error:  # pragma: no cover - depends on the tree's state
        pytest.skip(f"conversion not available: {error}")
    module = import_qonnx(MODELS_DIR / f"{model}.onnx")
    try:
        run_pipeline(module, "lower-quant-to-streamline,streamline,convert-to-dataflow")
    except ImportError as error:  # pragma: no cover
        pytest.skip(f"convert-to-dataflow not available: {error}")
    return module


def insert_fifos(module: ModuleOp) -> None:
    """A FIFO on every stream between two layers (what insert-fifos would add), of
    depths 2, 100, 5000, 2, ... (axis_data_fifo depths 16, 128, 8192)."""
    partition = require_partition(module, "test")
    depths = (2, 100, 5000)
    count = 0
    for op in list(partition.layers()):
        for result in op.results:
            if not isinstance(result.type, StreamType) or any(
                isinstance(use.operation, YieldOp) for use in result.uses
            ):
                continue
            uses = list(result.uses)
            fifo = FIFOOp(result, depth=depths[count % len(depths)])
            count += 1
            Rewriter.insert_op(fifo, InsertPoint.after(op))
            for use in uses:
                use.operation.operands[use.index] = fifo.result


def emit_tree(module: ModuleOp, out: Path, options: TclOptions | None = None) -> Path:
    for path, text in emit_tcl(module, options).items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="ascii")
    return out


# --------------------------------------------------------------------------- the check


def origin(value: SSAValue) -> SSAValue:
    """The stream a value carries, looking through reshapes (wires)."""
    while isinstance(value.owner, ReshapeOp):
        value = value.owner.x
    return value


def check_against_ir(module: ModuleOp, out: Path, options: TclOptions) -> BlockDesign:
    """Dry-run the tree in `out` and compare the record with the partition."""
    partition = require_partition(module, "test")
    names = naming.layer_names(partition)
    kernels = kernel_layers(partition)
    fifos = [op for op in partition.layers() if isinstance(op, FIFOOp)]
    intf = expected_pins({names[op]: naming.port_names(op) for op in kernels})
    intf |= {names[op]: {FIFO_PINS["in"], FIFO_PINS["out"]} for op in fifos}

    result = check_tree(out, intf)
    assert result.problems == []
    design = result.design

    # every layer has its cell, of the right IP; reshapes have none
    assert design.cells == {
        **{names[op]: options.vlnv(names[op]) for op in kernels},
        **{names[op]: FIFO_VLNV for op in fifos},
    }
    assert design.design == options.design and design.part == options.part

    # one HLS script per kernel, synthesizing and exporting its own top, and the DMA's
    assert set(result.hls) == {names[op] for op in kernels} | {DMA_TOP}
    dma = result.hls[DMA_TOP]
    assert [path for path, _ in dma.files] == [str(out.resolve() / "hls" / "dma.cpp")]
    hls_dir = out.resolve() / "hls"
    for op in kernels:
        name = names[op]
        run = result.hls[name]
        assert (run.top, run.synthesized, run.part) == (name, [name], options.part)
        assert float(run.clock_ns) == options.clock_ns
        files = [path for path, _ in run.files]
        expected = [str(hls_dir / f"{name}.cpp")]
        if has_params(op):
            expected.append(str(hls_dir / params_header(name)))
        assert files == expected
        assert f"-I{hls_dir / 'lib'}" in run.files[0][1].split()
        (export,) = run.exports
        assert export["vlnv"] == options.vlnv(name)
        assert export["ip_dir"] == str(hls_dir / f"project_{name}" / "sol1" / "impl" / "ip")

    # external ports: one slave per partition input, one master per output
    n_in, n_out = len(partition.block.args), len(partition.outputs)
    assert design.intf_ports == {
        **{input_port(i): "Slave" for i in range(n_in)},
        **{output_port(i): "Master" for i in range(n_out)},
    }
    for i, arg in enumerate(partition.block.args):
        assert isinstance(arg.type, StreamType)
        port = input_port(i)
        assert design.prop("intf_port", port, "CONFIG.TDATA_NUM_BYTES") == str(
            tdata_bytes(arg.type)
        )

    # every net joins the producer and the consumer of one IR stream
    def value_of(end: tuple[str, str], produced: bool) -> SSAValue:
        kind, name = end
        if kind == "intf_port":
            if produced:
                return partition.block.args[int(name.removeprefix("s_axis_"))]
            terminator = partition.block.last_op
            assert isinstance(terminator, YieldOp)
            return origin(terminator.values[int(name.removeprefix("m_axis_"))])
        cell, _, pin = name.partition("/")
        (op,) = [o for o, n in names.items() if n == cell]
        if isinstance(op, FIFOOp):
            assert pin == (FIFO_PINS["out"] if produced else FIFO_PINS["in"])
            return op.result if produced else origin(op.x)
        inputs, outputs = naming.port_names(op)
        if produced:
            streams = [r for r in op.results if isinstance(r.type, StreamType)]
            return streams[outputs.index(pin)]
        streams = [v for v in op.operands if isinstance(v.type, StreamType)]
        return origin(streams[inputs.index(pin)])

    joined = [(value_of(a, True), value_of(b, False)) for a, b in design.intf_nets]
    assert all(src is dst for src, dst in joined)
    produced = [v for v, _ in joined]
    inner = [
        r
        for op in partition.layers()
        if not isinstance(op, ReshapeOp)
        for r in op.results
        if isinstance(r.type, StreamType)
    ]
    assert sorted(map(id, produced)) == sorted(map(id, [*partition.block.args, *inner]))

    # clock at the right frequency, reset active low (reaching every cell: check_tree)
    assert design.ports[CLOCK_PIN] == ("I", "clk", str(options.freq_hz))
    assert design.ports[RESET_PIN][:2] == ("I", "rst")

    # FIFO depth and width
    for op in fifos:
        name = names[op]
        depth = int(design.prop("cell", name, "CONFIG.FIFO_DEPTH") or 0)
        assert depth == fifo_depth(op.depth.value.data) >= op.depth.value.data
        assert depth & (depth - 1) == 0
        (stream,) = op.input_streams()
        assert design.prop("cell", name, "CONFIG.TDATA_NUM_BYTES") == str(tdata_bytes(stream))

    # packaged as the design's IP
    assert design.package == {
        "root_dir": str(out.resolve() / "vivado" / "ip"),
        "vendor": options.vendor,
        "library": options.library,
        "module": options.design,
    }
    return design


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", sorted(HAND))
def test_hand_written(name: str, tmp_path: Path) -> None:
    module = parse_module(HAND[name])
    options = TclOptions()
    check_against_ir(module, emit_tree(module, tmp_path, options), options)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("fifos", [False, True], ids=["plain", "fifos"])
def test_converted_models(model: str, fifos: bool, tmp_path: Path) -> None:
    module = converted(model)
    if fifos:
        insert_fifos(module)
        module.verify()
    options = TclOptions(part="xcu250-figd2104-2L-e", clock_ns=3.3, name=model)
    design = check_against_ir(module, emit_tree(module, tmp_path, options), options)
    assert design.ports[CLOCK_PIN][2] == "303030303"


def test_scripts_run_from_any_directory(tmp_path: Path) -> None:
    """The scripts find the tree from `info script`, not the working directory."""
    module = parse_module(MLP)
    out = emit_tree(module, tmp_path / "out")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cwd = os.getcwd()
    try:
        os.chdir(elsewhere)
        result = check_tree(os.path.relpath(out, elsewhere))
    finally:
        os.chdir(cwd)
    assert result.problems == []
    assert all(run.project_dir.startswith(str(out.resolve())) for run in result.hls.values())


def test_defaults() -> None:
    module = parse_module(MLP)
    files = emit_tcl(module)
    assert list(files) == [
        "hls/MVAU_0_hls.tcl",
        "hls/DWC_0_hls.tcl",
        "hls/MVAU_1_hls.tcl",
        "hls/LabelSelect_0_hls.tcl",
        "hls/qnn_dma_hls.tcl",
        "vivado/stitch.tcl",
    ]
    assert (
        "set_part xc7z020clg400-1\ncreate_clock -period 10 -name default"
        in files["hls/MVAU_0_hls.tcl"]
    )
    assert "-freq_hz 100000000 ap_clk" in files["vivado/stitch.tcl"]


# --------------------------------------------------------------------------- hostile names

HOSTILE = [
    'a"b',
    "x$y",
    "$::env(HOME)",
    "[exec rm -rf /]",
    "a;b",
    "line\nbreak",
    "tab\there\r",
    "../../etc/passwd",
    "naïve-Überschicht 名前",
    "emoji 😀 here",
    "proc",
    "set",
    "if",
    "{unbalanced",
    "}",
    "back\\slash",
    "\\",
    "-force",
    "#comment",
    "{*}[list a b]",
    "",
    " ",
    "\x00nul\x7f",
]


def tcl_strings(script: str, tmp_path: Path) -> list[str]:
    """Run `script` (which sets `values` to a list) and return the values as Tcl holds
    them (read back through their code points, so no encoding is involved)."""
    path = tmp_path / "values.tcl"
    path.write_text(
        script
        + "\nforeach v $values {set u {}; foreach c [split $v {}] {lappend u [scan $c %c]};"
        + " puts $u}\n",
        encoding="ascii",
    )
    proc = subprocess.run(["tclsh", str(path)], capture_output=True, text=True, check=True)
    # Tcl 8.6 may hold a character beyond the BMP as a surrogate pair: join those
    return [
        "".join(chr(int(u)) for u in line.split())
        .encode("utf-16-le", "surrogatepass")
        .decode("utf-16-le")
        for line in proc.stdout.splitlines()
    ]


def test_tcl_word_round_trips(tmp_path: Path) -> None:
    script = "set values [list " + " ".join(tcl_word(s) for s in HOSTILE) + "]"
    assert script.isascii()
    assert tcl_strings(script, tmp_path) == HOSTILE


@pytest.mark.parametrize("text", HOSTILE)
def test_tcl_word_is_one_word(text: str, tmp_path: Path) -> None:
    """As a command argument, the word is one argument (no splitting, no substitution)."""
    script = f"set values [list {tcl_word(text)}]\nif {{[llength $values] != 1}} {{exit 3}}"
    assert tcl_strings(script, tmp_path) == [text]


def test_hostile_layer_and_model_names(tmp_path: Path) -> None:
    module = parse_module(CONV)
    partition = require_partition(module, "test")
    layers = partition.layers()
    for i, op in enumerate(layers):
        op.attributes[naming.NAME_ATTR] = StringAttr(HOSTILE[i % len(HOSTILE)])
    model = 'model "$x" [exit 1]; ../../é 😀\nproc'
    options = TclOptions(name=model, part='xc7z020$[exit]"{;}-1', clock_ns=7.5)
    out = emit_tree(module, tmp_path, options)
    for text in (
        (tmp_path / "vivado" / "stitch.tcl").read_text(),
        *(p.read_text() for p in (tmp_path / "hls").glob("*.tcl")),
    ):
        assert text.isascii()
    names = naming.layer_names(partition)
    assert len(set(names.values())) == len(layers)
    assert all(naming.is_safe_name(n) for n in names.values())
    assert "proc" in names.values() and "set" in names.values()  # Tcl keywords stay names
    design = check_against_ir(module, out, options)
    assert design.prop("core", "current", "display_name") == f"qnn accelerator {model}"
    assert (
        design.prop("core", "current", "description")
        == f"qnn dataflow accelerator of the model {model}"
    )
    assert options.design == "model_x_exit_1_proc"
    # the HLS scripts carry the raw model name in their display names, exactly
    hls = check_tree(out).hls
    assert {run.exports[0]["display_name"] for run in hls.values()} == {
        f"qnn {name} of {model}" for name in hls
    }


def test_layer_names() -> None:
    module = parse_module(CONV)
    partition = require_partition(module, "test")
    names = list(naming.layer_names(partition).values())
    assert names == [
        "FMPadding_0",
        "SWG_0",
        "VVAU_0",
        "DuplicateStreams_0",
        "FIFO_0",
        "AddStreams_0",
        "Thresholding_0",
        "MaxPool_0",
        "Pool_0",
        "Channelwise_0",
        "Reshape_0",
        "DuplicateStreams_1",
        "Concat_0",
        "Reshape_1",
        "GlobalAccPool_0",
    ]
    vvau = partition.layers()[2]
    assert naming.port_names(vvau) == (["in0_V"], ["out0_V"])
    dup = partition.layers()[3]
    assert naming.port_names(dup) == (["in0_V"], ["out0_V", "out1_V"])
    # a chosen name taking a generated one's place moves the generated one on
    partition.layers()[0].attributes[naming.NAME_ATTR] = StringAttr("swg_0")
    renamed = list(naming.layer_names(partition).values())
    assert renamed[:2] == ["swg_0", "SWG_1"]


def test_sanitize() -> None:
    assert naming.sanitize("MVAU_0") == "MVAU_0"
    assert naming.sanitize("a__b") == "a_b"
    assert naming.sanitize("int") == "L_int"
    assert naming.sanitize("Module") == "L_Module"
    assert naming.sanitize("9x") == "L_9x"
    assert naming.sanitize("ü") == "L"
    assert naming.sanitize("x" * 100) == "x" * naming.MAX_NAME
    for text in HOSTILE:
        assert naming.is_safe_name(naming.sanitize(text))


# --------------------------------------------------------------------------- the checker


def test_standins_fail_loudly(tmp_path: Path) -> None:
    module = parse_module(MLP)
    out = emit_tree(module, tmp_path)
    stitch = out / "vivado" / "stitch.tcl"
    original = stitch.read_text()

    def broken(old: str, new: str) -> Path:
        assert old in original
        path = out / "vivado" / f"broken{len(list(out.glob('vivado/broken*')))}.tcl"
        path.write_text(original.replace(old, new, 1))
        return path

    cases = {
        "unknown command": broken("validate_bd_design", "write_checkpoint x.dcp"),
        "launch_runs before make_wrapper": broken("validate_bd_design", "launch_runs impl_1"),
        "no cell DWC_0": broken("create_bd_cell -type ip -vlnv qnn:hls:DWC_0:1.0 DWC_0\n", ""),
        "not an object": broken("[get_bd_intf_pins DWC_0/out0_V]", "DWC_0/out0_V"),
        "already connected": broken("FIFO_0/M_AXIS]", "FIFO_0/S_AXIS]"),
        "no intf pin": broken("FIFO_0/M_AXIS]", "FIFO_0/M_AXIS_0]"),
        "before validate": broken("validate_bd_design\n", ""),
    }
    for message, path in cases.items():
        with pytest.raises(DryRunError, match=message):
            dry_run(path, "vivado")
    with pytest.raises(DryRunError, match="unknown command"):
        dry_run(out / "hls" / "MVAU_0_hls.tcl", "vivado")  # a Vitis script is no Vivado one
    hls = (out / "hls" / "MVAU_0_hls.tcl").read_text()
    early = out / "hls" / "early.tcl"
    early.write_text(hls.replace("csynth_design\n", ""))
    with pytest.raises(DryRunError, match="export_design before csynth_design"):
        dry_run(early, "vitis")


def test_checker_finds_problems(tmp_path: Path) -> None:
    """What the stand-ins accept but is wrong: caught by `BlockDesign.problems`."""
    module = parse_module(MLP)
    out = emit_tree(module, tmp_path)
    stitch = out / "vivado" / "stitch.tcl"
    original = stitch.read_text()
    partition = require_partition(module, "test")
    names = naming.layer_names(partition)
    intf = expected_pins({names[op]: naming.port_names(op) for op in kernel_layers(partition)})

    def problems(old: str, new: str) -> list[str]:
        assert old in original
        stitch.write_text(original.replace(old, new, 1))
        return BlockDesign.from_record(dry_run(stitch, "vivado")).problems(intf)

    assert problems("", "") == []
    assert problems("connect_bd_net [get_bd_ports ap_clk] [get_bd_pins DWC_0/ap_clk]\n", "") == [
        "ap_clk does not reach DWC_0/ap_clk"
    ]
    assert problems("CONFIG.POLARITY ACTIVE_LOW", "CONFIG.POLARITY ACTIVE_HIGH") == [
        "reset port ap_rst_n is not active low"
    ]
    dropped = (
        "connect_bd_intf_net [get_bd_intf_pins DWC_0/out0_V] [get_bd_intf_pins MVAU_1/in0_V]\n"
    )
    assert problems(dropped, "") == [
        "interface pin DWC_0/out0_V is not connected",
        "interface pin MVAU_1/in0_V is not connected",
    ]
    assert problems("MVAU_1/in0_V]", "MVAU_1/in1_V]")[0].startswith(
        "intf_pin MVAU_1/in1_V: MVAU_1 has no such interface"
    )
    assert problems("ipx::save_core [ipx::current_core]\n", "")[0].startswith("steps ")


def test_errors() -> None:
    with pytest.raises(PartitionError, match=r"no dataflow\.partition"):
        emit_tcl(parse_module("func.func @f() {\n  func.return\n}\n"))
    module = parse_module(MLP)
    with pytest.raises(TclEmitError, match="clock-ns must be positive"):
        emit_tcl(module, TclOptions(clock_ns=0))
    with pytest.raises(TclEmitError, match="vendor"):
        emit_tcl(module, TclOptions(vendor="a:b"))
    # a module with two partitions: the TCL emitter handles one
    twice = parse_module(MLP)
    first = require_partition(twice, "test")
    block = first.parent_block()
    assert block is not None
    block.insert_op_after(first.clone(), first)
    with pytest.raises(
        PartitionError, match=r"2 dataflow\.partitions; the TCL emitter handles one"
    ):
        emit_tcl(twice)
    deep = parse_module(MLP)
    big = require_partition(deep, "test").layers()[1]
    assert isinstance(big, FIFOOp)
    big.properties["depth"] = IntegerAttr(40000, i64)
    with pytest.raises(TclEmitError, match="exceeds axis_data_fifo"):
        emit_tcl(deep)


def test_qnn_opt_targets(tmp_path: Path) -> None:
    from tools.qnn_opt import main

    source = tmp_path / "mlp.mlir"
    source.write_text(MLP)
    for target, expect in (("vitis-tcl", "# ==== hls/MVAU_0_hls.tcl ===="), ("vivado-tcl", "")):
        out = tmp_path / f"{target}.tcl"
        main([str(source), "-t", f"{target}{{clock-ns=5 part=xc7z010clg400-1}}", "-o", str(out)])
        text = out.read_text()
        assert expect in text
        assert "xc7z010clg400-1" in text
    record = dry_run(tmp_path / "vivado-tcl.tcl", "vivado")
    assert ["create_bd_port", "I", "clk", "ap_clk", "200000000"] in record


def test_tcl_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from backend_hls.tcl_check import main

    out = emit_tree(parse_module(CONV), tmp_path)
    assert main([str(out)]) == 0
    assert capsys.readouterr().out.strip().endswith("streams: ok")
    stitch = out / "vivado" / "stitch.tcl"
    stitch.write_text(stitch.read_text().replace("CONFIG.POLARITY ACTIVE_LOW", "CONFIG.X 1"))
    assert main([str(out)]) == 1
    assert "reset port ap_rst_n is not active low" in capsys.readouterr().out
    stitch.write_text("create_bd_cell -type ip -vlnv a:b:c:1.0 c\n")
    assert main([str(out)]) == 1
    assert "create_bd_cell before create_bd_design" in capsys.readouterr().err
