"""The `streamline` pass preserves the function and leaves an integer-only body.

Every hand-written case of `test/filecheck/passes/streamline/*.mlir` and every fixture
model in `test/models/` (imported, then lowered with `lower-quant-to-streamline`) is
executed with the reference semantics before and after the pass, on its sample input and
on random in-range inputs: integer outputs must agree exactly, float outputs to rtol 1e-5
(and, for the models, on the argmax).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.dialects.func import FuncOp

from passes.errors import StreamlineError
from passes.streamline import StreamlinePass
from passes.streamline.check import float_ops_between_integers
from passes.streamline.round_thresholds import round_thresholds
from qdialects import make_context
from qdialects.ir import parse_module
from qdialects.semantics import execute
from qdialects.types import BipolarType, element_datatype

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = ROOT / "filecheck" / "passes" / "streamline"
MODELS_DIR = ROOT / "models"
RANDOM_INPUTS = 20

# hand-written cases the final check must reject, with a piece of the expected message
EXPECTED_ERRORS = {
    "incommensurate_residual": "scales 0.5 and 0.3",
    "add_before_padded_conv": "zero-padded streamline.im2col",
    "negative_scale_before_maxpool": "negative per-channel scale",
    "per_channel_activation_scale": "per-channel activation scale",
    "shared_accumulator_keeps_sign": "negative per-channel scale",
}
# The rounding case writes float noise around integers on purpose (0.9999999999999999,
# 3.0000000000000004): rounding snaps them to the integer they stand for, which is what
# the function means; the reference run uses those integers.
SNAPPED = {"0.9999999999999999": "1.0", "3.0000000000000004": "3.0"}
# fixture models that cannot be made integer-only, and why
MODEL_ERRORS = {
    # per-channel activation scales feed the next conv: the scale varies over the
    # reduction axis, so it can only go into the weights as floats
    "per_channel": "per-channel activation scale",
}


def _cases() -> list[tuple[str, str]]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.mlir")):
        for chunk in path.read_text().split("// -----"):
            module = parse_module(chunk)
            for op in module.body.block.ops:
                if isinstance(op, FuncOp):
                    cases.append((f"{path.stem}:{op.sym_name.data}", chunk))
    return cases


CASES = _cases()


def _random_input(type_: TensorType, rng: np.random.Generator, index: int) -> np.ndarray:
    shape = tuple(type_.get_shape())
    datatype = element_datatype(type_)
    if isinstance(datatype, BipolarType):
        return rng.choice(np.array([-1, 1], dtype=np.int64), size=shape)
    if datatype is not None:
        return rng.integers(datatype.min_value, datatype.max_value + 1, size=shape, dtype=np.int64)
    if index % 2:  # on a grid of 1/8: lands exactly on dyadic thresholds (ties)
        return (rng.integers(-32, 33, size=shape) / 8).astype(np.float32)
    return rng.uniform(-4, 4, size=shape).astype(np.float32)


def _assert_same(before: list[np.ndarray], after: list[np.ndarray], argmax: bool = False):
    assert len(before) == len(after)
    for b, a in zip(before, after, strict=True):
        assert a.shape == b.shape
        if b.dtype == np.int64 or a.dtype == np.int64:
            np.testing.assert_array_equal(a, b)
            continue
        scale = max(1.0, float(np.abs(b).max()))
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6 * scale)
        if argmax:
            assert np.argmax(a) == np.argmax(b)


def _functions(module: ModuleOp) -> list[FuncOp]:
    return [op for op in module.body.block.ops if isinstance(op, FuncOp)]


@pytest.mark.parametrize(("name", "text"), CASES, ids=[c[0] for c in CASES])
def test_case_preserves_function(name: str, text: str):
    reference = text
    if name == "round_thresholds:round":
        for noisy, exact in SNAPPED.items():
            reference = reference.replace(noisy, exact)
    before_module = parse_module(reference)
    after_module = parse_module(text)
    StreamlinePass(check=False).apply(make_context(), after_module)
    after_module.verify()
    rng = np.random.default_rng(0)
    for function in _functions(before_module):
        entry = function.sym_name.data
        for index in range(2 * RANDOM_INPUTS):
            inputs = [
                _random_input(arg.type, rng, index)  # pyright: ignore[reportArgumentType]
                for arg in function.body.block.args
            ]
            _assert_same(
                execute(before_module, inputs, entry), execute(after_module, inputs, entry)
            )


@pytest.mark.parametrize(("name", "text"), CASES, ids=[c[0] for c in CASES])
def test_case_final_check(name: str, text: str):
    module = parse_module(text)
    function = name.split(":")[1]
    if function in EXPECTED_ERRORS:
        with pytest.raises(StreamlineError, match=EXPECTED_ERRORS[function]):
            StreamlinePass().apply(make_context(), module)
        return
    StreamlinePass().apply(make_context(), module)
    assert float_ops_between_integers(module) == []


def test_round_thresholds_rules():
    t = np.array([[0.5, 1.0, 1.0, 2.00000001, 3.0000000000000004, -9.0, 9.0]])
    strict = np.array([0, 0, 1, 0, 1, 0, 0], dtype=bool)
    # ceil; exact; floor+1; 1e-8 off 2 is not noise: ceil -> 3; snapped 3 strict -> 4;
    # clipped to [min-1, max+1] = [-2, 6]
    np.testing.assert_array_equal(round_thresholds(t, strict, -1, 5), [[1, 1, 2, 3, 4, -2, 6]])


# --------------------------------------------------------------------------- models

MODEL_PATHS = sorted(MODELS_DIR.glob("*.onnx"))


def _lowered(path: Path) -> ModuleOp:
    lowering = pytest.importorskip("passes.lower_quant_to_streamline")
    from frontend import import_qonnx

    module = import_qonnx(str(path))
    lowering.LowerQuantToStreamlinePass().apply(make_context(), module)
    return module


def _model_inputs(path: Path) -> list[np.ndarray]:
    sample = np.load(path.with_suffix("").with_suffix(".in.npy"))
    lo, hi = float(sample.min()), float(sample.max())
    rng = np.random.default_rng(1)
    inputs = [sample]
    for index in range(RANDOM_INPUTS):
        x = rng.uniform(lo, hi, size=sample.shape)
        if index % 2:  # on the sample's 8-bit grid, as images are
            x = np.round(x * 255) / 255
        inputs.append(x.astype(np.float32))
    return inputs


@pytest.mark.parametrize("path", MODEL_PATHS, ids=lambda p: p.stem)
def test_model_streamlines(path: Path):
    module = _lowered(path)
    inputs = _model_inputs(path)
    before = [execute(module, [x]) for x in inputs]
    if path.stem in MODEL_ERRORS:
        with pytest.raises(StreamlineError, match=MODEL_ERRORS[path.stem]):
            StreamlinePass().apply(make_context(), module)
        return
    StreamlinePass().apply(make_context(), module)
    assert float_ops_between_integers(module) == []
    for x, expected in zip(inputs, before, strict=True):
        _assert_same(expected, execute(module, [x]), argmax=True)


@pytest.mark.parametrize("seed", range(40))
def test_absorb_and_round_exhaustive(seed: int):
    """mt(x * m + a) on every int<4> input: m per channel of either sign (zero included,
    one sign per op), dyadic values so that ties with the thresholds really occur."""
    rng = np.random.default_rng(seed)
    sign = 1 if seed % 2 else -1
    m = sign * rng.integers(0, 9, size=3) / 4
    a = rng.integers(-8, 9, size=3) / 8
    t = np.sort(rng.integers(-24, 25, size=(3, 4)) / 8, axis=1)
    strict = rng.integers(0, 2, size=4)

    def fmt(values: np.ndarray) -> str:
        return ", ".join(repr(float(e)) for e in np.ravel(values))

    rows = ", ".join(f"[{fmt(r)}]" for r in t)
    text = f"""
func.func @main(%x: tensor<16x3x!quant.int<4>>) -> tensor<16x3x!quant.int<3>> {{
  %m = quant.constant dense<[{fmt(m)}]> : tensor<3xf64>
  %xm = streamline.mul %x, %m : (tensor<16x3x!quant.int<4>>, tensor<3xf64>) -> tensor<16x3xf32>
  %a = quant.constant dense<[{fmt(a)}]> : tensor<3xf64>
  %xa = streamline.add %xm, %a : (tensor<16x3xf32>, tensor<3xf64>) -> tensor<16x3xf32>
  %t = quant.constant dense<[{rows}]> : tensor<3x4xf64>
  %q = streamline.multithreshold %xa, %t {{out_scale = 1 : i64, out_bias = -2 : i64,
      strict = array<i64: {", ".join(map(str, strict))}>}}
      : (tensor<16x3xf32>, tensor<3x4xf64>) -> tensor<16x3x!quant.int<3>>
  func.return %q : tensor<16x3x!quant.int<3>>
}}
"""
    x = np.repeat(np.arange(-8, 8, dtype=np.int64)[:, None], 3, axis=1)
    before = execute(parse_module(text), [x])
    module = parse_module(text)
    StreamlinePass().apply(make_context(), module)
    ops = [op.name for op in module.walk()]
    assert "streamline.mul" not in ops and "streamline.add" not in ops
    _assert_same(before, execute(module, [x]))
