"""The real console scripts (`qnn-opt`, `qnn-run`) run as subprocesses: their output,
round trips, and the error discipline (one line on stderr, exit 1, no traceback, no
output file)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
BIN = Path(sys.executable).parent
QNN_OPT = str(BIN / "qnn-opt")
QNN_RUN = str(BIN / "qnn-run")
RUN_FIXTURES = ["tfc_like_ts", "tfc_like_dynamo", "cnv_like", "bipolar_mlp"]


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=300, check=False
    )


def assert_user_error(result: subprocess.CompletedProcess[str], tool: str) -> str:
    """Exit 1, nothing on stdout, exactly one line `<tool>: error: ...` on stderr."""
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{tool}: error: "), lines[0]
    return lines[0].removeprefix(f"{tool}: error: ")


@pytest.fixture
def tiny_onnx(tmp_path: Path) -> Path:
    """Quant -> MatMul: a two-op QONNX model."""
    w = np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)
    inits = [
        numpy_helper.from_array(np.array(0.25, np.float32), "s"),
        numpy_helper.from_array(np.array(0.0, np.float32), "z"),
        numpy_helper.from_array(np.array(4.0, np.float32), "b"),
        numpy_helper.from_array(w, "w"),
    ]
    nodes = [
        helper.make_node(
            "Quant",
            ["x", "s", "z", "b"],
            ["xq"],
            domain="qonnx.custom_op.general",
            signed=1,
            narrow=0,
            rounding_mode="ROUND",
        ),
        helper.make_node("MatMul", ["xq", "w"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])],
        inits,
    )
    proto = helper.make_model(
        graph,
        opset_imports=[
            helper.make_opsetid("", 13),
            helper.make_opsetid("qonnx.custom_op.general", 1),
        ],
    )
    path = tmp_path / "tiny.onnx"
    onnx.save(proto, path)
    return path


# --------------------------------------------------------------------------- qnn-opt


def test_qnn_opt_imports_onnx(tiny_onnx: Path):
    result = run(QNN_OPT, tiny_onnx)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "func.func @main(%global_in: tensor<1x4xf32>) -> tensor<1x3xf32>" in result.stdout
    assert "quant.quant %global_in scale" in result.stdout
    assert "quant.matmul" in result.stdout


@pytest.mark.parametrize("name", ["tfc_like_dynamo", "cnv_like"])
def test_qnn_opt_roundtrip(tmp_path: Path, name: str):
    first = run(QNN_OPT, MODELS_DIR / f"{name}.onnx")
    assert first.returncode == 0, first.stderr
    text = tmp_path / "m.mlir"
    text.write_text(first.stdout)
    second = run(QNN_OPT, text)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout


def test_qnn_opt_output_file_and_pipeline(tmp_path: Path, tiny_onnx: Path):
    out = tmp_path / "out.mlir"
    result = run(QNN_OPT, tiny_onnx, "-p", "cse", "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "quant.matmul" in out.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mlir", "tiny.onnx"]


MALFORMED = """func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = quant.relu %x : (tensor<2xf32>) -> tensor<2xf32>
  func.return %y tensor<2xf32>
}
"""

INVALID = """func.func @main(%x: tensor<2xf32>) -> tensor<3xf32> {
  %y = quant.relu %x : (tensor<2xf32>) -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
"""


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing", "{dir}/missing.onnx: no such file or directory"),
        ("not_onnx", "{dir}/bad.onnx: not an ONNX model ("),
        ("unsupported", "unsupported op Erf: Erf node 'head'"),
        ("malformed", "{dir}/bad.mlir:3:18: "),
        ("invalid", "quant.relu: result shape (3,) does not match the expected (2,)"),
        ("unknown_pass", "unknown pass 'no-such-pass' in pipeline 'no-such-pass'"),
        ("bad_pipeline", "invalid pass pipeline 'cse{{': "),
        ("bad_option", "unrecognized arguments: --no-such-option (see --help)"),
        ("extension", "{dir}/m.txt: Unrecognized file extension 'txt' (expected .mlir or .onnx)"),
    ],
)
def test_qnn_opt_user_errors(tmp_path: Path, tiny_onnx: Path, case: str, expected: str):
    out = tmp_path / "out.mlir"
    args: list[str | Path]
    if case == "missing":
        args = [tmp_path / "missing.onnx"]
    elif case == "not_onnx":
        (tmp_path / "bad.onnx").write_text("definitely not protobuf\n")
        args = [tmp_path / "bad.onnx"]
    elif case == "unsupported":
        graph = helper.make_graph(
            [helper.make_node("Erf", ["x"], ["y"], name="head")],
            "g",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        )
        onnx.save(helper.make_model(graph), tmp_path / "soft.onnx")
        args = [tmp_path / "soft.onnx"]
    elif case in ("malformed", "invalid"):
        (tmp_path / "bad.mlir").write_text(MALFORMED if case == "malformed" else INVALID)
        args = [tmp_path / "bad.mlir"]
    elif case == "unknown_pass":
        args = [tiny_onnx, "-p", "no-such-pass"]
    elif case == "bad_pipeline":
        args = [tiny_onnx, "-p", "cse{"]
    elif case == "bad_option":
        args = [tiny_onnx, "--no-such-option"]
    else:
        (tmp_path / "m.txt").write_text("")
        args = [tmp_path / "m.txt"]
    message = assert_user_error(run(QNN_OPT, *args, "-o", out), "qnn-opt")
    assert message.startswith(expected.format(dir=tmp_path)), message
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.mlir")]


def test_qnn_opt_verify_diagnostics_still_prints(tmp_path: Path):
    path = tmp_path / "invalid.mlir"
    path.write_text(INVALID)
    result = run(QNN_OPT, path, "--verify-diagnostics")
    assert result.returncode == 0
    assert "result shape (3,) does not match the expected (2,)" in result.stdout


# --------------------------------------------------------------------------- qnn-run


def qonnx_output(model: Path, x: np.ndarray) -> np.ndarray:
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx

    wrapper = ModelWrapper(str(model))
    name_in, name_out = wrapper.graph.input[0].name, wrapper.graph.output[0].name
    return execute_onnx(wrapper, {name_in: x})[name_out]


@pytest.mark.parametrize("name", RUN_FIXTURES)
def test_qnn_run_matches_qonnx(tmp_path: Path, name: str):
    model = MODELS_DIR / f"{name}.onnx"
    x_path = MODELS_DIR / f"{name}.in.npy"
    out = tmp_path / "y.npy"
    result = run(QNN_RUN, model, "--input", x_path, "--output", out)
    assert result.returncode == 0, result.stderr
    y = np.load(out)
    ref = qonnx_output(model, np.load(x_path))
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)
    assert np.argmax(y) == np.argmax(ref)


def test_qnn_run_summary_and_mlir_input(tmp_path: Path):
    name = "tfc_like_ts"
    x_path = MODELS_DIR / f"{name}.in.npy"
    ref = qonnx_output(MODELS_DIR / f"{name}.onnx", np.load(x_path))
    text = run(QNN_OPT, MODELS_DIR / f"{name}.onnx").stdout
    (tmp_path / "m.mlir").write_text(text)
    result = run(QNN_RUN, tmp_path / "m.mlir", "--input", x_path)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"result 0: shape (1, 10) float32, argmax {int(np.argmax(ref))}, ")


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "shape",
            "argument #0 %global_in ({dir}/x.npy): expected shape (1, 4) "
            "(tensor<1x4xf32>), got (1, 5)",
        ),
        (
            "dtype",
            "argument #0 %global_in ({dir}/x.npy): expected a float array for "
            "tensor<1x4xf32>, got dtype int64",
        ),
        ("count", "@main takes 1 input(s), got 0 --input"),
        ("not_npy", "{dir}/x.npy: not a .npy file"),
        ("missing_input", "{dir}/nope.npy: no such file or directory"),
        ("missing_model", "{dir}/nope.onnx: no such file or directory"),
    ],
)
def test_qnn_run_user_errors(tmp_path: Path, tiny_onnx: Path, case: str, expected: str):
    x = tmp_path / "x.npy"
    out = tmp_path / "y.npy"
    model: Path = tiny_onnx
    inputs: list[str | Path] = ["--input", x]
    if case == "shape":
        np.save(x, np.zeros((1, 5), np.float32))
    elif case == "dtype":
        np.save(x, np.zeros((1, 4), np.int64))
    elif case == "count":
        inputs = []
    elif case == "not_npy":
        x.write_text("1 2 3 4\n")
    elif case == "missing_input":
        inputs = ["--input", tmp_path / "nope.npy"]
    else:
        model = tmp_path / "nope.onnx"
        np.save(x, np.zeros((1, 4), np.float32))
    message = assert_user_error(run(QNN_RUN, model, *inputs, "--output", out), "qnn-run")
    assert message == expected.format(dir=tmp_path)
    assert not out.exists()
