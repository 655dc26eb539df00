"""`--verify-each` / `run_pipeline(..., verify_each=VerifyEach(...))`: the real flow passes
on fixture models, a pass that changes a weight is caught and named, and the CLI's
errors are one line with exit 1."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp
from xdsl.passes import ModulePass

from frontend import import_qonnx
from passes.pipeline import run_pipeline
from passes.verify_each import (
    VerificationError,
    VerifyEach,
    first_difference,
    random_inputs,
)
from qdialects.ir import parse_module
from qdialects.quant import ConstantOp
from qdialects.semantics import execute
from qdialects.streamline import MatMulOp
from qdialects.types import BipolarType, IntType, QDataType, UIntType
from qdialects.utils import dense_from_numpy

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
QNN_OPT = str(Path(sys.executable).parent / "qnn-opt")
FLOW = "lower-quant-to-streamline,streamline"
MODELS = ["tfc_like_ts", "cnv_like"]


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=300, check=False
    )


def user_error(result: subprocess.CompletedProcess[str]) -> str:
    """The one line of a qnn-opt user error (exit 1, nothing on stdout)."""
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("qnn-opt: error: "), lines[0]
    return lines[0].removeprefix("qnn-opt: error: ")


@dataclass(frozen=True)
class FlipWeightPass(ModulePass):
    """Test only, deliberately wrong: changes one element of the weights of the last
    `streamline.matmul` (to the datatype's max, or its min if it already is the max)."""

    name = "test-flip-weight"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        matmuls = [m for m in op.walk() if isinstance(m, MatMulOp)]
        constant = matmuls[-1].operands[1].owner
        assert isinstance(constant, ConstantOp)
        datatype = constant.result.type.element_type  # pyright: ignore[reportAttributeAccessIssue]
        assert isinstance(datatype, QDataType)
        weights = constant.numpy().copy()
        flat = weights.reshape(-1)
        flat[-1] = datatype.max_value if flat[-1] != datatype.max_value else datatype.min_value
        constant.properties["value"] = dense_from_numpy(weights, constant.value.get_element_type())


SMALL = """
func.func @main(%x: tensor<1x3x!quant.int<4>>) -> tensor<1x2x!quant.int<8>> {
  %w = quant.constant dense<[[1, -1], [0, 1], [1, 1]]> : tensor<3x2xi8> -> tensor<3x2x!quant.int<2>>
  %y = streamline.matmul %x, %w : (tensor<1x3x!quant.int<4>>, tensor<3x2x!quant.int<2>>) -> tensor<1x2x!quant.int<8>>
  func.return %y : tensor<1x2x!quant.int<8>>
}
"""


# (1) the real flow keeps the function, through the CLI and the API


@pytest.mark.parametrize("model", MODELS)
def test_cli_flow_passes(model: str, tmp_path: Path) -> None:
    onnx = MODELS_DIR / f"{model}.onnx"
    x = MODELS_DIR / f"{model}.in.npy"
    commands = [  # random samples, written to a file; the model's input, printed
        [QNN_OPT, onnx, "-p", FLOW, "--verify-each", "-o", tmp_path / "v.mlir"],
        [QNN_OPT, onnx, "-p", FLOW, "--verify-each", "--verify-input", x],
    ]
    processes = [  # concurrently: most of the time is interpreter start-up
        subprocess.Popen(
            [str(a) for a in c], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for c in commands
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert err == ""
    assert (tmp_path / "v.mlir").read_text() == outputs[1][0]


@pytest.mark.parametrize("model", MODELS)
def test_api_flow_passes(model: str) -> None:
    module = import_qonnx(MODELS_DIR / f"{model}.onnx")
    x = np.load(MODELS_DIR / f"{model}.in.npy")
    expected = execute(module, [x])
    run_pipeline(module, FLOW, verify_each=VerifyEach(samples=2))
    np.testing.assert_allclose(execute(module, [x])[0], expected[0], rtol=1e-5, atol=1e-6)

    again = import_qonnx(MODELS_DIR / f"{model}.onnx")
    run_pipeline(again, FLOW, verify_each=VerifyEach(inputs=[x]))
    assert str(again) == str(module)
    unchecked = run_pipeline(import_qonnx(MODELS_DIR / f"{model}.onnx"), FLOW)
    assert str(unchecked) == str(module)  # verifying changes nothing


# (2) a wrong pass is caught, named, and its first differing element reported


def test_wrong_pass_exact_message() -> None:
    module = parse_module(SMALL)
    x = np.array([[1, 2, 3]], dtype=np.int64)
    with pytest.raises(VerificationError) as caught:
        run_pipeline(module, [FlipWeightPass()], verify_each=VerifyEach(inputs=[x]))
    # w[2, 1] goes 1 -> -2: y[0, 1] = -1 + 2 + 3 = 4 before, -1 + 2 - 6 = -5 after.
    assert str(caught.value) == (
        "verify-each: pass 'test-flip-weight' (#1 in the pipeline) changed result #0 "
        "on the given inputs: at index (0, 1), 4 before, -5 after (1 of 2 elements differ)"
    )


def test_wrong_pass_in_real_flow_names_pass_and_values() -> None:
    module = import_qonnx(MODELS_DIR / "tfc_like_ts.onnx")
    run_pipeline(module, FLOW)
    before = module.clone()
    broken = module.clone()
    FlipWeightPass().apply(Context(), broken)
    function = next(op for op in before.walk() if isinstance(op, FuncOp))
    differing = []
    for sample, inputs in enumerate(random_inputs(function, 4)):
        a, b = execute(before, inputs)[0], execute(broken, inputs)[0]
        if not np.allclose(a, b, rtol=0, atol=1e-6):
            index = tuple(int(i) for i in np.argwhere(~np.isclose(a, b, rtol=0, atol=1e-6))[0])
            differing.append((sample, index, a[index], b[index]))
    assert differing, "the flipped weight should change some sample's output"
    sample, index, a, b = differing[0]

    with pytest.raises(VerificationError) as caught:
        run_pipeline(module, [FlipWeightPass()], verify_each=VerifyEach())
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("verify-each: pass 'test-flip-weight' (#1 in the pipeline)")
    assert f"changed result #0 on random sample {sample + 1} of 4 (seed 0)" in message
    assert f"at index {index}, {float(a):.9g} before, {float(b):.9g} after" in message


def test_position_counts_passes_before_the_wrong_one() -> None:
    from passes.pipeline import available_passes

    cse = available_passes()["cse"]()()
    module = parse_module(SMALL)
    with pytest.raises(VerificationError, match=r"pass 'test-flip-weight' \(#2 in the pipeline\)"):
        run_pipeline(module, [cse, FlipWeightPass()], verify_each=VerifyEach())


def test_first_difference_tolerance() -> None:
    big = np.array([100.0, 0.0], dtype=np.float32)
    # within atol + rtol * max|before| = 1e-6 + 1e-3
    assert first_difference(big, big + np.float32(5e-4)) is None
    assert first_difference(big, np.array([100.0, 2e-3], np.float32)) == (
        "at index (1,), 0 before, 0.00200000009 after (1 of 2 elements differ)"
    )
    ints = np.array([1, 2], dtype=np.int64)
    assert first_difference(ints, ints) is None
    assert first_difference(ints, np.array([1, 3])) is not None
    assert first_difference(ints, ints.astype(np.float32)) == "dtype int64 before, float32 after"
    assert first_difference(ints, ints.reshape(1, 2)) == "shape (2,) before, (1, 2) after"
    nan = np.array([np.nan], dtype=np.float32)
    assert first_difference(nan, nan) is None


def test_random_inputs_ranges() -> None:
    text = """
    func.func @main(%f: tensor<2x500xf32>, %i: tensor<500x!quant.int<3>>,
                    %u: tensor<500x!quant.uint<2>>, %b: tensor<500x!quant.bipolar>) -> tensor<2x500xf32> {
      func.return %f : tensor<2x500xf32>
    }"""
    function = next(op for op in parse_module(text).walk() if isinstance(op, FuncOp))
    (f, i, u, b), second = random_inputs(function, 2)
    assert f.dtype == np.float32 and f.shape == (2, 500)
    assert f.min() >= 0.0 and f.max() < 1.0
    assert set(np.unique(i)) == set(range(IntType(3).min_value, IntType(3).max_value + 1))
    assert set(np.unique(u)) == set(range(UIntType(2).max_value + 1))
    assert set(np.unique(b)) == {-1, 1} and BipolarType().allows(b)
    assert not np.array_equal(second[0], f)  # samples differ; the seed is fixed:
    assert np.array_equal(random_inputs(function, 2)[1][0], second[0])


# (3) CLI errors: one line, exit 1, no output file


def test_cli_wrong_input_shape(tmp_path: Path) -> None:
    bad = tmp_path / "x.npy"
    np.save(bad, np.zeros((1, 1, 4, 4), np.float32))
    out = tmp_path / "out.mlir"
    message = user_error(
        run(
            QNN_OPT,
            MODELS_DIR / "tfc_like_ts.onnx",
            "-p",
            FLOW,
            "--verify-each",
            "--verify-input",
            bad,
            "-o",
            out,
        )
    )
    assert message == (
        f"verify-each: argument #0 %global_in ({bad}): expected shape (1, 1, 8, 8) "
        "(tensor<1x1x8x8xf32>), got (1, 1, 4, 4)"
    )
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]


def qnn_opt_in_process(capsys: pytest.CaptureFixture[str], *args: str | Path) -> str:
    """Run `qnn-opt` in this process (no interpreter start-up); the error line of a user
    error, or "" on success."""
    from tools.qnn_opt import main

    try:
        main([str(a) for a in args])
    except SystemExit as exit_:
        captured = capsys.readouterr()
        assert exit_.code == 1 and captured.out == "", captured
        lines = captured.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("qnn-opt: error: "), captured.err
        return lines[0].removeprefix("qnn-opt: error: ")
    return ""


def test_cli_input_count_and_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small = tmp_path / "small.mlir"
    small.write_text(SMALL)
    x = tmp_path / "x.npy"
    np.save(x, np.array([[1, 2, 3]], dtype=np.int64))

    def error(*args: str | Path) -> str:
        return qnn_opt_in_process(capsys, small, *args)

    assert "takes 1 argument(s), got 2 verification input(s)" in error(
        "--verify-each", "--verify-input", x, "--verify-input", x
    )
    assert error("--verify-samples", "2") == "--verify-samples requires --verify-each (see --help)"
    assert error("--verify-input", x) == "--verify-input requires --verify-each (see --help)"
    assert "at least 1" in error("--verify-each", "--verify-samples", "0")
    assert "exclude each other" in error(
        "--verify-each", "--verify-samples", "2", "--verify-input", x
    )
    floats = tmp_path / "f.npy"
    np.save(floats, np.array([[0.5, 2, 3]], dtype=np.float32))
    assert "expected integers" in error("--verify-each", "--verify-input", floats)
    too_big = tmp_path / "big.npy"
    np.save(too_big, np.array([[1, 2, 30]], dtype=np.int64))
    assert "do not fit !quant.int<4>" in error("--verify-each", "--verify-input", too_big)
    assert error("--verify-each", "--verify-input", tmp_path / "missing.npy") == (
        f"{tmp_path / 'missing.npy'}: no such file or directory"
    )
    other = tmp_path / "other.mlir"
    other.write_text(SMALL.replace("@main", "@other"))
    assert qnn_opt_in_process(capsys, other, "-p", "cse", "--verify-each") == (
        "verify-each: the module has no function @main"
    )
    assert error("-p", "cse,canonicalize", "--verify-each", "--verify-input", x) == ""
    assert "streamline.matmul" in capsys.readouterr().out
