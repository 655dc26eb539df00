"""SystemVerilog out of the `hw` modules of `convert-dataflow-to-hw`, through CIRCT's
ExportVerilog (the `circt` Python bindings; see docs/rtl.md for the version choice).

`emit(module, out_dir)` writes, into the existing empty directory `out_dir`:
* `<module>.sv` for every `hw.module` (`qnn_top.sv` and one per layer), exported by CIRCT
  after `lower-seq-to-sv` (without it ExportVerilog prints an error on stderr and returns
  empty text; an export without `module qnn_top` is an `RtlExportError`);
* `<extern>.sv` for every primitive parameterization: a wrapper module instantiating the
  primitive with its parameters, and `<extern>.mem` for a ROM's contents;
* the primitives themselves (`qnn_fifo.sv`, ...) copied from `backend_rtl/primitives`;
* `filelist.f`: every .sv file, primitives first, `qnn_top.sv` last;
* `manifest.json`: the top's streams (port, frame shape, datatype, lanes, word width,
  words per frame), the layer names and the estimated cycles per frame and latency
  (`rtlsim` reads it).

A module at the dataflow level is converted first (on a copy); one that already holds
`hw.module @qnn_top` is exported as it is (its partition still gives the manifest).
"""

from __future__ import annotations

import importlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from xdsl.context import Context
from xdsl.dialects import hw
from xdsl.dialects.builtin import DictionaryAttr, IntegerAttr, ModuleOp, StringAttr
from xdsl.utils.exceptions import DiagnosticException

from backend_hls.targets import TreeTarget
from passes.convert_dataflow_to_hw import (
    TOP,
    check_supported,
    lower_partition,
    stream_wires,
)
from passes.convert_dataflow_to_hw.interface import (
    PARAMETERS_ATTR,
    PRIMITIVE_ATTR,
    ROM_ATTR,
    ROM_STYLE_ATTR,
)
from qdialects import dataflow as df
from qdialects.types import BipolarType

PRIMITIVES_DIR = Path(__file__).parent / "primitives"
MANIFEST = "manifest.json"
FILELIST = "filelist.f"


class RtlExportError(DiagnosticException):
    """CIRCT could not export the design (one line)."""


def hardware_module(module: ModuleOp) -> tuple[ModuleOp, df.PartitionOp]:
    """`module` with the `hw` modules of its partition (converted on a copy if needed)
    and that partition. Raises `RtlLoweringError` (or `PartitionError` without exactly one
    partition) before converting anything."""
    found = df.require_partition(module, "verilog")
    if any(isinstance(op, hw.HWModuleOp) and op.sym_name.data == TOP for op in module.ops):
        return module, found
    check_supported(found)
    copy = module.clone()
    partition = df.require_partition(copy, "verilog")
    lower_partition(partition, copy)
    return copy, partition


def _hw_text(module: ModuleOp) -> str:
    """The `hw` modules as MLIR text for CIRCT (qnn's discardable attributes dropped)."""
    ops = []
    for op in module.ops:
        if isinstance(op, hw.HWModuleExternOp):
            op = op.clone()
            for name in (PRIMITIVE_ATTR, PARAMETERS_ATTR, ROM_ATTR, ROM_STYLE_ATTR):
                op.attributes.pop(name, None)
        if isinstance(op, hw.HWModuleOp | hw.HWModuleExternOp):
            ops.append(str(op))
    return "module {\n" + "\n".join(ops) + "\n}\n"


def export_verilog(text: str) -> str:
    """CIRCT's ExportVerilog of MLIR `text` (hw/comb/seq) after `lower-seq-to-sv`."""
    from circt.ir import Attribute, Context, Module
    from circt.passmanager import PassManager

    circt: Any = importlib.import_module("circt")  # its functions come from a C extension
    with Context() as ctx:
        circt.register_dialects(ctx)
        try:
            module = Module.parse(text)
            module.operation.attributes["circt.loweringOptions"] = Attribute.parse(
                '"locationInfoStyle=none,disallowLocalVariables"'
            )
            PassManager.parse("builtin.module(lower-seq-to-sv)").run(module.operation)
        except Exception as error:  # CIRCT raises plain Exceptions with MLIR diagnostics
            first = str(error).strip().splitlines()[0] if str(error).strip() else "failed"
            raise RtlExportError(f"verilog: CIRCT could not lower the design: {first}") from None
        out = io.StringIO()
        circt.export_verilog(module, out)
    verilog = out.getvalue()
    if f"module {TOP}" not in verilog:
        raise RtlExportError(
            "verilog: CIRCT's ExportVerilog returned no Verilog for the design (see its "
            "messages above)"
        )
    return verilog


def _split_modules(verilog: str) -> dict[str, str]:
    """ExportVerilog's single text cut into `module NAME ... endmodule` pieces."""
    pieces: dict[str, str] = {}
    current: list[str] = []
    name = None
    for line in verilog.splitlines(keepends=True):
        if line.startswith("module "):
            name = line.split()[1].rstrip("(;")
            current = []
        if name is not None:
            current.append(line)
        if line.startswith("endmodule") and name is not None:
            pieces[name] = "".join(current)
            name = None
    return pieces


def _parameters(op: hw.HWModuleExternOp) -> dict[str, int]:
    attr = op.attributes[PARAMETERS_ATTR]
    assert isinstance(attr, DictionaryAttr)
    values: dict[str, int] = {}
    for key, value in attr.data.items():
        assert isinstance(value, IntegerAttr)
        values[key] = value.value.data
    return values


def _wrapper(op: hw.HWModuleExternOp) -> str:
    """The wrapper module of a primitive parameterization (interface docstring)."""
    name = op.sym_name.data
    primitive = op.attributes[PRIMITIVE_ATTR]
    assert isinstance(primitive, StringAttr)
    params = [f".{k}({v})" for k, v in _parameters(op).items()]
    if ROM_ATTR in op.attributes:
        params.append(f'.INIT_FILE("{name}.mem")')
    style = op.attributes.get(ROM_STYLE_ATTR)
    if isinstance(style, StringAttr):
        params.append(f'.STYLE("{style.data}")')
    ports = []
    for port in op.module_type.ports.data:
        direction = "input" if port.dir.data == hw.Direction.INPUT else "output"
        width = getattr(port.type, "width", None)
        bits = width.data if width is not None else 1
        range_ = f"[{bits - 1}:0] " if bits > 1 else ""
        ports.append((direction, range_, port.port_name.data))
    declarations = ",\n".join(f"    {d} logic {r}{n}" for d, r, n in ports)
    connections = ",\n".join(f"      .{n}({n})" for _, _, n in ports)
    return (
        f"// {name}: {primitive.data} with {', '.join(params)}\n"
        f"module {name} (\n{declarations}\n);\n"
        f"  {primitive.data} #(\n      {', '.join(params)}\n  ) inst (\n{connections}\n  );\n"
        "endmodule\n"
    )


def _stream_info(value: Any, port: str) -> dict[str, Any]:
    stream = df.stream_type(value)
    return {
        "port": port,
        "shape": list(stream.shape),
        "datatype": stream.element.qonnx_name(),
        "signed": stream.element.signed,
        "bipolar": isinstance(stream.element, BipolarType),
        "lanes": stream.lanes,
        "bits": stream.element.bitwidth,
        "width": stream.word_width(),
        "words_per_frame": stream.words_per_frame(),
        "depthwise_kernel": stream.depthwise_kernel,
        "depthwise_simd": stream.depthwise_simd,
    }


def manifest(partition: df.PartitionOp) -> dict[str, Any]:
    """The description of the top module `rtlsim` reads (module docstring)."""
    from qdialects.dataflow.naming import layer_names

    terminator = partition.block.last_op
    assert isinstance(terminator, df.YieldOp)
    layers = partition.layers()
    return {
        "top": TOP,
        "inputs": [_stream_info(a, f"in{i}_V") for i, a in enumerate(partition.block.args)],
        "outputs": [_stream_info(v, f"out{i}_V") for i, v in enumerate(terminator.values)],
        "layers": list(layer_names(partition).values()),
        "streams": stream_wires(partition),
        "estimated_cycles_per_frame": partition.cycles_per_frame(),
        "estimated_latency_cycles": sum(layer.cycles_per_frame() for layer in layers),
    }


def emit_files(module: ModuleOp) -> dict[str, str]:
    """The files of the SystemVerilog tree of `module` by name (module docstring)."""
    hw_module, partition = hardware_module(module)
    verilog = export_verilog(_hw_text(hw_module))
    files: dict[str, str] = {}
    used = sorted(
        {
            op.attributes[PRIMITIVE_ATTR].data  # type: ignore[union-attr]
            for op in hw_module.ops
            if isinstance(op, hw.HWModuleExternOp) and PRIMITIVE_ATTR in op.attributes
        }
    )
    for primitive in used:
        files[f"{primitive}.sv"] = (PRIMITIVES_DIR / f"{primitive}.sv").read_text()
    for op in hw_module.ops:
        if not isinstance(op, hw.HWModuleExternOp) or PRIMITIVE_ATTR not in op.attributes:
            continue
        files[f"{op.sym_name.data}.sv"] = _wrapper(op)
        rom = op.attributes.get(ROM_ATTR)
        if isinstance(rom, StringAttr):
            files[f"{op.sym_name.data}.mem"] = rom.data + "\n"
    pieces = _split_modules(verilog)
    for name, text in pieces.items():
        if name != TOP:
            files[f"{name}.sv"] = text
    files[f"{TOP}.sv"] = pieces[TOP]
    sources = [name for name in files if name.endswith(".sv")]
    files[FILELIST] = "".join(f"{name}\n" for name in sources)
    files[MANIFEST] = json.dumps(manifest(partition), indent=2) + "\n"
    return files


def emit(module: ModuleOp, out_dir: str | os.PathLike[str]) -> list[str]:
    """Write the SystemVerilog tree of `module` into `out_dir` (created if missing;
    module docstring); returns the written file names. Nothing is written when the
    conversion or the export fails."""
    files = emit_files(module)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    return list(files)


@dataclass(frozen=True)
class VerilogTarget(TreeTarget):
    """`-t verilog`: with `-o DIR` the SystemVerilog tree (`emit`); without, the list of
    files and `qnn_top.sv`."""

    name = "verilog"

    def emit_tree(self, ctx: Context, module: ModuleOp, out_dir: Path) -> None:
        emit(module, out_dir)

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        files = emit_files(module)
        output.write(f"// verilog: {len(files)} files (write them with -o DIR)\n")
        for name in files:
            output.write(f"//   {name}\n")
        output.write(f"// ==== {TOP}.sv ====\n")
        output.write(files[f"{TOP}.sv"])
