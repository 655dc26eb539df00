"""The deployment package `OUT/deploy/`: everything to copy to the board.

    deploy/driver.py          run a batch: python driver.py --input X.npy --output Y.npy
                              [--emulate[=csim|rtl]: on the C simulation of OUT, or the
                              Verilator model of OUT/rtl_axi, instead of the board]
    deploy/validate.py        accuracy and throughput on a dataset (.npy + labels .npy)
    deploy/host.py            the model's host side (@pre: input quantization and layout,
                              @post: output scaling, float tail) as numpy, generated here
    deploy/host_constants.npz its constants
    deploy/accel.json         the accelerator: stream formats, DMA bus, register map, the
                              model's input/output shapes (= csim/io.json + "model")
    deploy/qnn_runtime/       the runtime: packing (shared with the C simulation),
                              host_ops (shared with the reference interpreter),
                              accelerator (register protocol), board (PYNQ), emulator
                              (docs/deploy.md)
    deploy/bitfile/           the slot for <name>.bit and <name>.hwh (Vivado's outputs)

`host.py` calls `qnn_runtime.host_ops`, the very functions the reference interpreter runs
the host ops with; an op without such a function is an `EmitError` naming it.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Operation, SSAValue

from backend_hls.emit_cpp import EmitError, host_module
from qdialects import quant
from qdialects import streamline as sl
from qdialects.semantics import host_ops
from qdialects.utils import ints

RUNTIME_DIR = Path(__file__).resolve().with_name("runtime")
RUNTIME_FILES = (
    "__init__.py",
    "packing.py",
    "accelerator.py",
    "model.py",
    "emulator.py",
    "board.py",
    "cli.py",
)
SCRIPT = '''#!/usr/bin/env python3
"""{doc}"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from qnn_runtime.cli import {main}  # noqa: E402

if __name__ == "__main__":
    sys.exit({main}(Path(__file__).resolve().parent))
'''


class _HostWriter:
    """Python source of one host function, one statement per op."""

    def __init__(self, constants: dict[str, np.ndarray], interpreter: Any):
        self.names: dict[SSAValue, str] = {}
        self.lines: list[str] = []
        self.constants = constants
        self.interpreter = interpreter
        self.function_name = ""

    def name(self, value: SSAValue) -> str:
        if value not in self.names:
            self.names[value] = f"v{len(self.names)}"
        return self.names[value]

    def assign(self, op: Operation, expression: str) -> None:
        targets = ", ".join(self.name(r) for r in op.results)
        self.lines.append(f"    {targets} = {expression}")

    def function(self, func: FuncOp) -> str:
        self.function_name = func.sym_name.data
        args = ", ".join(self.name(a) for a in func.args)
        for op in func.body.block.ops:
            self.op(op)
        return f"def {func.sym_name.data}({args}):\n" + "\n".join(self.lines) + "\n"

    def op(self, op: Operation) -> None:
        if isinstance(op, ReturnOp):
            self.lines.append(f"    return [{', '.join(self.name(v) for v in op.operands)}]")
            return
        if isinstance(op, quant.ConstantOp):
            (value,) = self.interpreter.run_op(op, ())
            key = f"{self.function_name}_{self.name(op.result)}"
            self.constants[key] = np.asarray(value)
            self.assign(op, f'_C["{key}"]')
            return
        emit = _HOST_OPS.get(type(op))
        if emit is None:
            raise EmitError(
                f"host op {op.name} has no numpy form in the deployment package "
                "(qdialects.semantics.host_ops)"
            )
        args = [self.name(v) for v in op.operands]
        integer = bool(op.results) and sl.is_integer_tensor(op.results[0])
        self.assign(op, emit(op, args, integer))


def _typed(call: str, integer: bool) -> str:
    return f"ops.result({call}, {integer})"


_HOST_OPS: dict[type[Operation], Callable[[Any, list[str], bool], str]] = {
    sl.MultiThresholdOp: lambda op, a, i: _typed(
        f"ops.multithreshold({a[0]}, {a[1]}, {op.strictness()!r}, "
        f"{op.out_scale.value.data}, {op.out_bias.value.data})",
        i,
    ),
    sl.MulOp: lambda op, a, i: _typed(f"ops.mul({a[0]}, {a[1]})", i),
    sl.AddOp: lambda op, a, i: _typed(f"ops.add({a[0]}, {a[1]})", i),
    sl.ReshapeOp: lambda op, a, i: f"ops.reshape({a[0]}, {sl.shape_of(op.result)!r})",
    sl.TransposeOp: lambda op, a, i: f"ops.transpose({a[0]}, {ints(op.perm)!r})",
    sl.ConcatOp: lambda op, a, i: f"ops.concat([{', '.join(a)}], {op.axis.value.data})",
    sl.TopKOp: lambda op, a, i: f"ops.topk({a[0]}, {op.k.value.data})",
}
"""Each host op's call into `host_ops`, as the interpreter's `@impl` makes it."""


def _shapes(types: Any) -> list[list[int]]:
    shapes = []
    for type_ in types:
        assert isinstance(type_, TensorType)
        shapes.append(list(type_.get_shape()))
    return shapes


def host_source(host: ModuleOp, name: str) -> tuple[str, dict[str, np.ndarray]]:
    """`host.py` and its constants, from `host_module`'s (the `split-host` pass)."""
    from qdialects.semantics import make_interpreter

    interpreter = make_interpreter(host)
    constants: dict[str, np.ndarray] = {}
    functions = [
        _HostWriter(constants, interpreter).function(f) for f in host.ops if isinstance(f, FuncOp)
    ]
    header = f'''"""The host side of {name} around the accelerator, generated by qnn (backend_hls.emit_deploy)
from csim/host.mlir: `pre` (one frame of the model's inputs -> the accelerator's integer
inputs, then values `post` needs) and `post` (the accelerator's outputs, then those
values -> the model's outputs). Every op is a call of qnn_runtime.host_ops, the functions
the reference interpreter computes these ops with."""

from pathlib import Path

import numpy as np

from qnn_runtime import host_ops as ops

_C = np.load(Path(__file__).resolve().with_name("host_constants.npz"))


'''
    return header + "\n\n".join(functions), constants


def deploy_files(module: ModuleOp, io_spec: dict[str, Any], name: str) -> dict[str, bytes]:
    """Every file of `deploy/` (module docstring): relative path -> contents."""
    host = host_module(module)
    pre, post = (f for f in host.ops if isinstance(f, FuncOp))
    source, constants = host_source(host, name)
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **constants)
    spec = {
        **{k: v for k, v in io_spec.items() if k != "layers"},
        "model": {
            "name": name,
            "inputs": _shapes(pre.function_type.inputs.data),
            "outputs": _shapes(post.function_type.outputs.data),
        },
    }
    files: dict[str, bytes] = {
        "deploy/host.py": source.encode(),
        "deploy/host_constants.npz": buffer.getvalue(),
        "deploy/accel.json": (json.dumps(spec, indent=2) + "\n").encode(),
        "deploy/driver.py": SCRIPT.format(
            doc=f"Run {name} on the board (or --emulate); --help for the options.",
            main="driver_main",
        ).encode(),
        "deploy/validate.py": SCRIPT.format(
            doc=f"Accuracy and throughput of {name} on a dataset; --help for the options.",
            main="validate_main",
        ).encode(),
        "deploy/bitfile/README.md": (
            f"Put Vivado's `{name}.bit` and `{name}.hwh` here (`vivado -mode batch -source "
            f"vivado/shell.tcl` writes them into `OUT/deploy/bitfile/`).\n"
        ).encode(),
    }
    for file in RUNTIME_FILES:
        files[f"deploy/qnn_runtime/{file}"] = (RUNTIME_DIR / file).read_bytes()
    files["deploy/qnn_runtime/host_ops.py"] = Path(host_ops.__file__).read_bytes()
    return files


def write_deploy(module: ModuleOp, out_dir: str | Path, name: str) -> list[str]:
    """Write `deploy/` into the emitted tree `out_dir` (it reads `csim/io.json`)."""
    out = Path(out_dir)
    io_spec = json.loads((out / "csim" / "io.json").read_text(encoding="utf-8"))
    files = deploy_files(module, io_spec, name)
    shutil.rmtree(out / "deploy", ignore_errors=True)
    for relative, data in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for script in ("driver.py", "validate.py"):
        (out / "deploy" / script).chmod(0o755)
    return list(files)
