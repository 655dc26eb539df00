"""How fast an unsupported model is refused (`python benchmarks/refusal_bench.py [--repeat N]`).

The model: a quantized 3x3 convolution on a 1x3x512x512 input followed by a GELU written
with `Erf` and by a vendor-domain op, neither of which qnn imports. The importer checks the
ops before qonnx's cleanup (`frontend.qonnx_import.check_ops`), whose shape inference and
constant folding alone take tens of seconds on a graph this size, so every tool should
refuse the model in one line within about 2 s: Python's start-up and imports, loading the
file, and the check.

Prints one table: per tool, the median wall and CPU time of `--repeat` whole-process runs
(on a loaded machine the CPU time is the figure to compare with 2 s), the exit status and
the error line.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

BIN = Path(sys.executable).parent
SIDE = 512


def unsupported_model(side: int = SIDE) -> onnx.ModelProto:
    """Quant -> Conv -> GELU (`Erf`) -> a vendor op, on a 1 x 3 x side x side input."""
    scalars = {"scale": 0.125, "zero": 0.0, "bits": 4.0}
    inits = [numpy_helper.from_array(np.array(v, np.float32), n) for n, v in scalars.items()]
    weight = np.random.default_rng(0).integers(-4, 4, (8, 3, 3, 3)).astype(np.float32)
    inits.append(numpy_helper.from_array(weight, "w"))
    inits.append(numpy_helper.from_array(np.array(2**-0.5, np.float32), "inv_sqrt2"))
    quant = {
        "domain": "qonnx.custom_op.general",
        "signed": 1,
        "narrow": 0,
        "rounding_mode": "ROUND",
    }
    nodes = [
        helper.make_node("Quant", ["x", "scale", "zero", "bits"], ["q"], name="quant", **quant),
        helper.make_node("Conv", ["q", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Mul", ["c", "inv_sqrt2"], ["s"], name="gelu_scale"),
        helper.make_node("Erf", ["s"], ["e"], name="gelu_erf"),
        helper.make_node("Mul", ["c", "e"], ["g"], name="gelu_mul"),
        helper.make_node("Denoise", ["g"], ["y"], name="denoise", domain="vendor.ops"),
    ]
    graph = helper.make_graph(
        nodes,
        "unsupported_512",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, side, side])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        inits,
    )
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("vendor.ops", 1)],
    )


def tool_commands(model: Path, work: Path) -> dict[str, list[str]]:
    """The refusal in each tool, after `import onnx` (which imports ml_dtypes: 1.1 s of CPU
    in ml_dtypes 0.7.0, hence the pin below 0.7 in pyproject.toml) and qnn-opt on a missing
    file: the start-up and imports every run pays, to subtract."""
    return {
        "python -c 'import onnx'": [sys.executable, "-c", "import onnx"],
        "qnn-opt MISSING (start-up)": [str(BIN / "qnn-opt"), str(work / "missing.onnx")],
        "qnn-opt MODEL": [str(BIN / "qnn-opt"), str(model)],
        "qnn-run MODEL --input X": [
            str(BIN / "qnn-run"),
            str(model),
            "--input",
            str(work / "x.npy"),
        ],
        "qnn-build MODEL -o OUT": [str(BIN / "qnn-build"), str(model), "-o", str(work / "out")],
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], repeat: int) -> tuple[float, float, int, str]:
    """Median wall and CPU seconds of `repeat` runs (CPU time is what a loaded machine
    does not stretch), the last exit status and the last stderr line."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), _children_cpu()
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - cpu)
    assert result is not None
    lines = result.stderr.strip().splitlines()
    last = lines[-1] if lines else ""
    return statistics.median(walls), statistics.median(cpus), result.returncode, last


def main() -> None:
    parser = argparse.ArgumentParser(description="How fast an unsupported model is refused.")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        model = work / "unsupported_512.onnx"
        onnx.save(unsupported_model(), str(model))
        np.save(work / "x.npy", np.zeros((1, 3, SIDE, SIDE), np.float32))
        print(f"refusal of a {SIDE}x{SIDE} model with unsupported ops, median of {args.repeat}")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"onnx {version('onnx')}, ml_dtypes {version('ml_dtypes')}")
        print(f"{'tool':<26} {'wall s':>7} {'CPU s':>6} {'exit':>5}  error line")
        for name, command in tool_commands(model, work).items():
            wall, cpu, status, line = measure(command, args.repeat)
            print(f"{name:<26} {wall:>7.2f} {cpu:>6.2f} {status:>5}  {line}")


if __name__ == "__main__":
    main()
