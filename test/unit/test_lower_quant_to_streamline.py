"""`lower-quant-to-streamline`: exact threshold math (brute force against qonnx), exact
lowering of hand-written quantizers on tie-dense inputs, and every fixture model executed
before and after the pass."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from qonnx.custom_op.general.intquant import int_quant
from qonnx.custom_op.general.trunc import trunc_v1, trunc_v2
from xdsl.utils.exceptions import DiagnosticException

from passes.errors import LoweringError, QnnPassError, StreamlineError
from passes.lower_quant_to_streamline import LowerQuantToStreamlinePass
from passes.quantizer_thresholds import (
    ROUNDING_MODES,
    bipolar_staircase,
    int_range,
    normalize_rounding_mode,
    quant_staircase,
    round_value,
    trunc_staircase,
)
from qdialects import make_context, quant
from qdialects import streamline as sl
from qdialects.ir import parse_module
from qdialects.semantics import execute

MODELS = sorted((Path(__file__).resolve().parents[1] / "models").glob("*.onnx"))
GRID = np.arange(-48 * 8, 48 * 8 + 1) / 8.0
"""v = x / scale on a grid of eighths: every tie (k + 1/2) and the values around it."""


def lower(module):
    LowerQuantToStreamlinePass().apply(make_context(), module)
    module.verify()
    return module


# --------------------------------------------------------------------------- thresholds


@pytest.mark.parametrize("mode", [*ROUNDING_MODES, "round", "half_even"])
@pytest.mark.parametrize("signed", [True, False])
@pytest.mark.parametrize("narrow", [True, False])
def test_quant_staircase_matches_qonnx(mode: str, signed: bool, narrow: bool):
    for bits in (2, 3, 5):
        lo, hi = int_range(signed, narrow, bits)
        for scale in (1.0, 0.25, 0.375):
            for zeropt in (0.0, 1.0, -3.0, 0.5):
                x = GRID * scale
                expected = int_quant(
                    x, np.float64(scale), np.float64(zeropt), np.float64(bits), signed, narrow, mode
                )
                ints = np.round(expected / scale + zeropt)
                staircase = quant_staircase(np.array([scale]), np.array([zeropt]), lo, hi, mode)
                np.testing.assert_array_equal(staircase.evaluate(x), ints)


def test_quant_staircase_per_channel():
    scale, zeropt = np.array([0.5, 0.25, 1.0]), np.array([0.0, 1.0, -1.0])
    staircase = quant_staircase(scale, zeropt, -4, 3, "ROUND")
    assert staircase.thresholds.shape == (3, 7)
    x = GRID[:, None] * scale
    expected = int_quant(x, scale, zeropt, np.float64(3), True, False, "ROUND")
    np.testing.assert_array_equal(staircase.evaluate(x), np.round(expected / scale + zeropt))


def test_bipolar_staircase():
    x = GRID * 0.5
    expected = int_quant(x, np.float64(0.5), np.float64(0.0), np.float64(1), True, False, "ROUND")
    staircase = bipolar_staircase(np.array([0.5]), np.array([0.0]))
    levels = 2 * (staircase.evaluate(x) - staircase.out_bias) + staircase.out_bias
    np.testing.assert_array_equal(levels, np.round(expected / 0.5))


@pytest.mark.parametrize("mode", ROUNDING_MODES)
def test_trunc_v1_staircase_matches_qonnx(mode: str):
    scale, in_bits = 0.5, 6
    q = np.arange(-(1 << (in_bits - 1)), 1 << in_bits)  # signed and unsigned input ranges
    for shift in (-1, 0, 1, 2, 3):
        for zeropt in (0.0, 2.0):
            # x at every integer q and at the ties and quarters between them (within range)
            x = (
                np.concatenate(
                    [
                        q - zeropt,
                        q[:-1] - zeropt + 0.5,
                        q[:-1] - zeropt + 0.25,
                        q[1:] - zeropt - 0.5,
                    ]
                )
                * scale
            )
            expected = trunc_v1(
                x,
                np.float64(scale),
                np.float64(zeropt),
                np.float64(in_bits),
                np.float64(in_bits - shift),
                mode,
            )
            lo = round_value(mode, q.min() / 2.0**shift)
            hi = round_value(mode, q.max() / 2.0**shift)
            staircase = trunc_staircase(
                np.array([scale]), np.array([zeropt]), np.array([shift]), lo, hi, mode
            )
            np.testing.assert_array_equal(
                staircase.evaluate(x), np.round(expected / scale + zeropt)
            )


@pytest.mark.parametrize("mode", ROUNDING_MODES)
@pytest.mark.parametrize("signed", [True, False])
@pytest.mark.parametrize("narrow", [True, False])
def test_trunc_v2_staircase_matches_qonnx(mode: str, signed: bool, narrow: bool):
    scale, out_bits = 0.5, 3
    q = np.arange(-200, 200)
    x_base = np.concatenate([q, q + 0.5, q + 0.25])
    lo, hi = int_range(signed, narrow, out_bits)
    for shift in (0, 1, 2, 3):
        for zeropt in (0.0, 4.0):
            x = (x_base - zeropt) * scale
            out_scale = scale * 2.0**shift
            expected = trunc_v2(
                x,
                np.float64(scale),
                np.float64(zeropt),
                np.float64(8),
                narrow,
                signed,
                np.float64(out_scale),
                np.float64(out_bits),
                mode,
            )
            staircase = trunc_staircase(
                np.array([scale]), np.array([zeropt]), np.array([shift]), lo, hi, mode
            )
            levels = np.round(expected / out_scale + zeropt / 2.0**shift)
            np.testing.assert_array_equal(staircase.evaluate(x), levels)


def test_rounding_mode_names():
    assert normalize_rounding_mode("round") == "ROUND"
    assert normalize_rounding_mode("half_even") == "ROUND"
    with pytest.raises(ValueError):
        normalize_rounding_mode("nearest")


# --------------------------------------------------------------------------- the pass, exactly

QUANT_2D = """
func.func @main(%x: tensor<1x3xf32>) -> tensor<1x3xf32> {{
  %s = quant.constant dense<[[0.5, 0.25, 0.375]]> : tensor<1x3xf32>
  %z = quant.constant dense<{zeropt}> : tensor<f32>
  %b = quant.constant dense<{bits}.0> : tensor<f32>
  %q = quant.quant %x scale %s zeropt %z bitwidth %b {{signed = {signed}, narrow = {narrow}, rounding_mode = "{mode}"}} : (tensor<1x3xf32>, tensor<1x3xf32>, tensor<f32>, tensor<f32>) -> tensor<1x3xf32>
  func.return %q : tensor<1x3xf32>
}}
"""


def _run_both(text: str, inputs: list[np.ndarray]) -> None:
    module = parse_module(text)
    lowered = lower(module.clone())
    assert not any(
        op.dialect_name() == "quant" and not isinstance(op, quant.ConstantOp)
        for op in lowered.walk()
    )
    for x in inputs:
        expected = execute(module, [x])[0]
        actual = execute(lowered, [x])[0]
        np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("mode", ROUNDING_MODES)
@pytest.mark.parametrize(
    ("signed", "narrow", "bits"), [(True, True, 3), (True, False, 1), (False, False, 2)]
)
@pytest.mark.parametrize("zeropt", ["0.0", "1.0"])
def test_activation_quantizer_exact_on_ties(mode, signed, narrow, bits, zeropt):
    text = QUANT_2D.format(
        zeropt=zeropt,
        bits=bits,
        signed=str(signed).lower(),
        narrow=str(narrow).lower(),
        mode=mode.lower(),
    )
    scale = np.array([[0.5, 0.25, 0.375]], dtype=np.float32)
    grid = (GRID[:160, None] * scale).astype(np.float32)
    _run_both(text, [row[None, :] for row in grid[::3]])


NCHW_PER_CHANNEL = """
func.func @main(%x: tensor<1x2x2x2xf32>) -> tensor<1x8xf32> {
  %s = quant.constant dense<[[[[0.5]], [[0.25]]]]> : tensor<1x2x1x1xf32>
  %z = quant.constant dense<0.0> : tensor<f32>
  %b = quant.constant dense<4.0> : tensor<f32>
  %r = quant.relu %x : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %q = quant.quant %r scale %s zeropt %z bitwidth %b {signed = false, narrow = false, rounding_mode = "HALF_DOWN"} : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>, tensor<f32>, tensor<f32>) -> tensor<1x2x2x2xf32>
  %f = quant.flatten %q {axis = 1 : i64} : (tensor<1x2x2x2xf32>) -> tensor<1x8xf32>
  func.return %f : tensor<1x8xf32>
}
"""


def test_nchw_per_channel_quantizer_and_flatten_exact():
    rng = np.random.default_rng(1)
    inputs = [(rng.integers(-8, 40, (1, 2, 2, 2)) / 8.0).astype(np.float32) for _ in range(30)]
    _run_both(NCHW_PER_CHANNEL, inputs)


TRUNC = """
func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {{
  %s = quant.constant dense<0.25> : tensor<f32>
  %z = quant.constant dense<0.0> : tensor<f32>
  %ib = quant.constant dense<6.0> : tensor<f32>
  %ob = quant.constant dense<3.0> : tensor<f32>
  %os = quant.constant dense<{out_scale}> : tensor<f32>
  %t = quant.trunc %x scale %s zeropt %z in_bitwidth %ib out_bitwidth %ob {operand} {{rounding_mode = "{mode}", signed = {signed}, narrow = false}} : (tensor<1x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>{extra}) -> tensor<1x4xf32>
  func.return %t : tensor<1x4xf32>
}}
"""


@pytest.mark.parametrize("mode", ROUNDING_MODES)
@pytest.mark.parametrize("version", [1, 2])
def test_trunc_exact_on_ties(mode: str, version: int):
    text = TRUNC.format(
        out_scale="1.0",
        operand="out_scale %os" if version == 2 else "",
        extra=", tensor<f32>" if version == 2 else "",
        mode=mode,
        signed="true",
    )
    # q = x / 0.25 in the signed 6-bit range, on quarters of q (ties of q included)
    q = np.arange(-32 * 4, 31 * 4 + 1) / 4.0
    x = (q * 0.25).astype(np.float32)
    _run_both(text, [x[i : i + 4][None, :] for i in range(0, x.size - 4, 4)])


MISC = """
func.func @main(%x: tensor<1x2x3x3xf32>, %y: tensor<1x6xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x4x3x3xf32>, tensor<1x1x3x3xf32>, tensor<1x1x3x3xi64>, tensor<1x3xf32>, tensor<1x6xf32>) {
  %t = quant.constant dense<[[0.1, 0.7, 1.3], [-0.2, 0.0, 0.5], [0.3, 0.4, 0.5]]> : tensor<3x3xf32>
  %m = quant.multithreshold %x, %t {out_scale = 0.5 : f32, out_bias = -0.25 : f32, out_dtype = "", data_layout = "NHWC"} : (tensor<1x2x3x3xf32>, tensor<3x3xf32>) -> tensor<1x2x3x3xf32>
  %c1 = quant.constant dense<1.5> : tensor<f32>
  %s = quant.sub %c1, %m : (tensor<f32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %cat = quant.concat %s, %x {axis = 1 : i64} : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x4x3x3xf32>
  %v, %i = quant.topk %cat {k = 1 : i64, axis = 1 : i64} : (tensor<1x4x3x3xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x1x3x3xi64>)
  %w = quant.constant dense<[[0.5, -1.0, 2.0], [1.0, 0.25, -0.5], [0.0, 1.0, 1.0], [2.0, 2.0, -2.0], [0.5, 0.5, 0.5], [1.0, -1.0, 1.0]]> : tensor<6x3xf32>
  %ws = quant.constant dense<[[0.5], [0.25], [1.0], [0.5], [0.5], [2.0]]> : tensor<6x1xf32>
  %z = quant.constant dense<0.0> : tensor<f32>
  %b = quant.constant dense<3.0> : tensor<f32>
  %wq = quant.quant %w scale %ws zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<6x3xf32>, tensor<6x1xf32>, tensor<f32>, tensor<f32>) -> tensor<6x3xf32>
  %cc = quant.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  %g = quant.gemm %y, %wq, %cc {alpha = 0.5 : f32, beta = 2.0 : f32, trans_a = false, trans_b = false} : (tensor<1x6xf32>, tensor<6x3xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  %d = quant.constant dense<[[2.0, 4.0, 8.0, 0.5, 0.25, 1.0]]> : tensor<1x6xf32>
  %q = quant.div %y, %d : (tensor<1x6xf32>, tensor<1x6xf32>) -> tensor<1x6xf32>
  func.return %s, %cat, %v, %i, %g, %q : tensor<1x2x3x3xf32>, tensor<1x4x3x3xf32>, tensor<1x1x3x3xf32>, tensor<1x1x3x3xi64>, tensor<1x3xf32>, tensor<1x6xf32>
}
"""


def test_misc_ops_match():
    """NHWC-layout MultiThreshold with float out_scale/out_bias, constant - tensor, 4-D
    Concat and channel TopK, Gemm with alpha/beta and a per-input-channel weight scale
    (float weights), Div by a per-element constant."""
    module = parse_module(MISC)
    lowered = lower(module.clone())
    rng = np.random.default_rng(0)
    for _ in range(20):
        x = rng.uniform(-1, 2, (1, 2, 3, 3)).astype(np.float32)
        y = rng.uniform(-2, 2, (1, 6)).astype(np.float32)
        for expected, actual in zip(execute(module, [x, y]), execute(lowered, [x, y]), strict=True):
            np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-6)


# --------------------------------------------------------------------------- errors


def test_errors_are_one_line_diagnostics():
    assert issubclass(LoweringError, QnnPassError)
    assert issubclass(StreamlineError, QnnPassError)
    assert issubclass(QnnPassError, DiagnosticException)
    module = parse_module(
        """
func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %r = quant.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
  func.return %r : tensor<1x4xf32>
}
"""
    )
    with pytest.raises(LoweringError) as info:
        lower(module)
    message = str(info.value)
    assert "\n" not in message
    assert message == "quant.relu %r: Relu not followed by an unsigned quantizer is not supported"


# --------------------------------------------------------------------------- fixture models


def _close(expected: np.ndarray, actual: np.ndarray) -> None:
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6 * scale)
    if expected.ndim == 2 and expected.shape[1] > 1:
        top = np.sort(expected, axis=1)
        distinct = (top[:, -1] - top[:, -2]) > 1e-5 * scale
        same = expected.argmax(axis=1) == actual.argmax(axis=1)
        assert np.all(same | ~distinct)


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_fixture_model_lowers_exactly(path: Path):
    from frontend import import_qonnx

    module = import_qonnx(path)
    lowered = lower(module.clone())
    ops = [op for op in lowered.walk() if op.dialect_name() in ("quant", "streamline")]
    assert all(isinstance(op, quant.ConstantOp) or op.dialect_name() == "streamline" for op in ops)
    # every matmul whose operands are integers has an exact integer accumulator
    assert any(
        isinstance(op, sl.MatMulOp | sl.DepthwiseMatMulOp) and sl.is_integer_tensor(op.results[0])
        for op in ops
    )
    sample = np.load(path.with_name(path.stem + ".in.npy"))
    rng = np.random.default_rng(0)
    inputs = [sample] + [
        rng.uniform(sample.min(), sample.max(), sample.shape).astype(np.float32) for _ in range(20)
    ]
    for x in inputs:
        _close(execute(module, [x])[0], execute(lowered, [x])[0])
