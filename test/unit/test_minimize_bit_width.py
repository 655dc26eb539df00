"""`minimize-bit-width` keeps every function and its accumulators are minimal.

* Every fixture model (imported, lowered, streamlined, converted to one partition) and
  every lit case of `test/filecheck/passes/minimize-bit-width.mlir` executes identically
  before and after the pass, on the sample input and random in-range inputs.
* Minimality (the acceptance test): for every MVAU/VVAU of the converted fixture models
  and of hand-built layers (unsigned, signed and bipolar inputs, XNOR, depthwise), the
  worst-case inputs are driven through the layer's own semantics: `x = x_max` where the
  weight is positive and `x_min` where it is negative (for the output channel attaining
  the maximum; the reverse for the minimum; for XNOR `x = ±w`). The accumulator equals
  the exact range end, fits `acc_dtype`, and no datatype one bit narrower (`int<n-1>`,
  `uint<n-1>`) holds it — or, with fused thresholds, holds the thresholds the
  accumulator type must also hold.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, Region

from passes.minimize_bit_width import MinimizeBitWidthPass, accumulator_ranges
from passes.pipeline import run_pipeline
from qdialects import dataflow as df
from qdialects import make_context
from qdialects.ir import parse_module
from qdialects.quant import ConstantOp, constant_value
from qdialects.semantics import execute
from qdialects.types import BipolarType, IntType, QDataType, UIntType, element_datatype

ROOT = Path(__file__).resolve().parents[1]
MODELS_DIR = ROOT / "models"
LIT_CASES = ROOT / "filecheck" / "passes" / "minimize-bit-width.mlir"
TO_DATAFLOW = "lower-quant-to-streamline,streamline,convert-to-dataflow"
CONVERTIBLE = sorted(p.stem for p in MODELS_DIR.glob("*.onnx") if p.stem != "per_channel")
MINIMALITY_MODELS = ["tfc_like_ts", "cnv_like", "depthwise_sep", "residual", "bipolar_mlp"]
RANDOM_INPUTS = 6


# --------------------------------------------------------------------------- helpers


def _converted(stem: str) -> ModuleOp:
    from frontend import import_qonnx

    module = import_qonnx(str(MODELS_DIR / f"{stem}.onnx"))
    return run_pipeline(module, TO_DATAFLOW)


def _model_inputs(stem: str) -> list[np.ndarray]:
    sample = np.load(MODELS_DIR / f"{stem}.in.npy")
    rng = np.random.default_rng(7)
    lo, hi = float(sample.min()), float(sample.max())
    return [sample] + [
        rng.uniform(lo, hi, size=sample.shape).astype(np.float32) for _ in range(RANDOM_INPUTS)
    ]


def _random_int(type_: TensorType, rng: np.random.Generator) -> np.ndarray:
    shape = tuple(type_.get_shape())
    datatype = element_datatype(type_)
    assert datatype is not None
    if isinstance(datatype, BipolarType):
        return rng.choice(np.array([-1, 1], dtype=np.int64), size=shape)
    return rng.integers(datatype.min_value, datatype.max_value + 1, size=shape, dtype=np.int64)


def _minimized(module: ModuleOp) -> ModuleOp:
    clone = module.clone()
    MinimizeBitWidthPass().apply(make_context(), clone)
    clone.verify()
    return clone


def _mac_layers(module: ModuleOp) -> list[df.MVAUOp | df.VVAUOp]:
    return [op for op in module.walk() if isinstance(op, df.MVAUOp | df.VVAUOp)]


def _narrower_types(datatype: QDataType) -> list[QDataType]:
    """Every int/uint datatype one bit narrower than `datatype`."""
    bits = datatype.bitwidth - 1
    if bits < 1:
        return []
    return [IntType(bits), UIntType(bits)]


def _fits(datatype: QDataType, lo: int, hi: int) -> bool:
    return datatype.min_value <= lo and hi <= datatype.max_value


def _accumulator_module(op: df.MVAUOp | df.VVAUOp) -> ModuleOp:
    """A function running `op`'s accumulator alone: same input stream and weights, no
    thresholds, the accumulator (typed `acc_dtype`) as the output."""
    x = df.stream_type(op.x)
    weights = op.weights.owner
    assert isinstance(weights, ConstantOp)
    w = weights.clone()
    out_shape = (*x.shape[:-1], shape_last(op))
    out = df.StreamType(out_shape, op.acc_dtype, op.pe_value)
    body = Block(arg_types=[x])
    if isinstance(op, df.MVAUOp):
        layer: df.MVAUOp | df.VVAUOp = df.MVAUOp(
            body.args[0], w.result, None, out, simd=op.simd_value, pe=op.pe_value,
            acc_dtype=op.acc_dtype, binary_xnor=op.is_xnor,
        )  # fmt: skip
    else:
        layer = df.VVAUOp(
            body.args[0], w.result, None, out, pe=op.pe_value, simd=op.simd_value,
            acc_dtype=op.acc_dtype,
        )  # fmt: skip
    body.add_ops([layer, df.YieldOp([layer.result])])
    in_tensor = TensorType(x.element, [1, *x.shape])
    out_tensor = TensorType(op.acc_dtype, [1, *out_shape])
    fbody = Block(arg_types=[in_tensor])
    partition = df.PartitionOp([fbody.args[0]], [out_tensor], Region(body))
    fbody.add_ops([w, partition, ReturnOp(partition.outputs[0])])
    func = FuncOp("main", ([in_tensor], [out_tensor]), Region(fbody))
    module = ModuleOp([func])
    module.verify()
    return module


def shape_last(op: df.MVAUOp | df.VVAUOp) -> int:
    return op.matrix_shape()[1] if isinstance(op, df.MVAUOp) else op.kernel_channels()[1]


def _worst_case_inputs(op: df.MVAUOp | df.VVAUOp) -> tuple[np.ndarray, np.ndarray, int, int]:
    """(x reaching the maximum, x reaching the minimum, the output channel of each):
    whole input frames (batch 1) with every vector set to the worst case."""
    x = df.stream_type(op.x)
    lo_x, hi_x = x.element.min_value, x.element.max_value
    w = op.weight_array()
    lo, hi = accumulator_ranges(op)
    m_hi, m_lo = int(np.argmax(hi)), int(np.argmin(lo))
    if isinstance(op, df.MVAUOp):
        if op.is_xnor:  # agree everywhere / disagree everywhere
            v_hi, v_lo = w[:, m_hi], -w[:, m_lo]
        else:
            v_hi = np.where(w[:, m_hi] > 0, hi_x, lo_x)
            v_lo = np.where(w[:, m_lo] > 0, lo_x, hi_x)
    else:  # VVAU: element k*C + c meets w[k, c] only, so every channel at once
        v_hi = np.where(w > 0, hi_x, lo_x).reshape(-1)
        v_lo = np.where(w > 0, lo_x, hi_x).reshape(-1)
    frame = (1, *x.shape)
    return (
        np.broadcast_to(v_hi, frame).astype(np.int64),
        np.broadcast_to(v_lo, frame).astype(np.int64),
        m_hi,
        m_lo,
    )


def check_minimal(op: df.MVAUOp | df.VVAUOp) -> None:
    lo, hi = accumulator_ranges(op)
    acc_lo, acc_hi = int(lo.min()), int(hi.max())
    module = _accumulator_module(op)
    x_hi, x_lo, m_hi, m_lo = _worst_case_inputs(op)
    (y_hi,) = execute(module, [x_hi])
    (y_lo,) = execute(module, [x_lo])
    # the worst cases reach the range ends exactly, and nothing leaves the range
    assert int(y_hi[..., m_hi].max()) == int(y_hi.max()) == acc_hi
    assert int(y_lo[..., m_lo].min()) == int(y_lo.min()) == acc_lo
    # ... and fit the accumulator type
    assert _fits(op.acc_dtype, acc_lo, acc_hi)
    thresholds = op.threshold_array()
    needed_lo, needed_hi = acc_lo, acc_hi
    if thresholds is not None:
        assert _fits(op.acc_dtype, int(thresholds.min()), int(thresholds.max()))
        # clipped thresholds never leave [lo, hi + 1] of their channel
        rows_lo = lo if thresholds.shape[0] > 1 else np.array([acc_lo])
        rows_hi = hi if thresholds.shape[0] > 1 else np.array([acc_hi])
        assert np.all(thresholds >= rows_lo[:, None])
        assert np.all(thresholds <= rows_hi[:, None] + 1)
        needed_lo = min(needed_lo, int(thresholds.min()))
        needed_hi = max(needed_hi, int(thresholds.max()))
    # one bit less cannot hold what the accumulator type must hold
    for narrower in _narrower_types(op.acc_dtype):
        assert not _fits(narrower, needed_lo, needed_hi), (op.acc_dtype, narrower)
    if thresholds is None:  # then the accumulator alone decides the width
        for narrower in _narrower_types(op.acc_dtype):
            assert not _fits(narrower, acc_lo, acc_hi)
            assert not (narrower.allows(y_hi) and narrower.allows(y_lo))


# --------------------------------------------------------------------------- before/after


@pytest.mark.parametrize("stem", CONVERTIBLE)
def test_model_unchanged(stem: str) -> None:
    module = _converted(stem)
    after = _minimized(module)
    for x in _model_inputs(stem):
        before_out, after_out = execute(module, [x]), execute(after, [x])
        for b, a in zip(before_out, after_out, strict=True):
            np.testing.assert_array_equal(b, a)


def _lit_cases() -> list[str]:
    return LIT_CASES.read_text().split("// -----")


@pytest.mark.parametrize("index", range(len(_lit_cases())))
def test_lit_case_unchanged(index: int) -> None:
    module = parse_module(_lit_cases()[index])
    after = _minimized(module)
    rng = np.random.default_rng(index)
    func = next(op for op in module.walk() if isinstance(op, FuncOp))
    for _ in range(20):
        inputs = [_random_int(t, rng) for t in func.function_type.inputs.data]  # pyright: ignore[reportArgumentType]
        entry = func.sym_name.data
        before_out = execute(module, inputs, entry)
        after_out = execute(after, inputs, entry)
        for b, a in zip(before_out, after_out, strict=True):
            np.testing.assert_array_equal(b, a)


# --------------------------------------------------------------------------- minimality


@pytest.mark.parametrize("stem", MINIMALITY_MODELS)
def test_model_accumulators_minimal(stem: str) -> None:
    module = _minimized(_converted(stem))
    layers = _mac_layers(module)
    assert layers
    for op in layers:
        check_minimal(op)


def _mvau_case(x_dtype: str, weights: np.ndarray, w_dtype: str, xnor: bool = False) -> str:
    mw, mh = weights.shape
    acc = "!quant.int<32>"
    out = acc
    xnor_attr = ", binary_xnor = true" if xnor else ""
    return f"""
func.func @main(%x : tensor<1x3x{mw}x{x_dtype}>) -> tensor<1x3x{mh}x{out}> {{
  %w = quant.constant dense<{weights.tolist()}> : tensor<{mw}x{mh}xi64> -> tensor<{mw}x{mh}x{w_dtype}>
  %r = dataflow.partition(%x) : (tensor<1x3x{mw}x{x_dtype}>) -> tensor<1x3x{mh}x{out}> {{
  ^bb0(%s : !dataflow.stream<3x{mw}x{x_dtype}, lanes 1>):
    %o = dataflow.mvau %s, %w {{simd = 1 : i64, pe = 1 : i64, acc_dtype = {acc}{xnor_attr}}} : (!dataflow.stream<3x{mw}x{x_dtype}, lanes 1>, tensor<{mw}x{mh}x{w_dtype}>) -> !dataflow.stream<3x{mh}x{out}, lanes 1>
    dataflow.yield %o : !dataflow.stream<3x{mh}x{out}, lanes 1>
  }}
  func.return %r : tensor<1x3x{mh}x{out}>
}}"""


def _vvau_case(x_dtype: str, weights: np.ndarray, w_dtype: str) -> str:
    k, c = weights.shape
    acc = "!quant.int<32>"
    s_in = f"!dataflow.stream<2x2x{k * c}x{x_dtype}, lanes 1, depthwise {k}>"
    return f"""
func.func @main(%x : tensor<1x2x2x{k * c}x{x_dtype}>) -> tensor<1x2x2x{c}x{acc}> {{
  %w = quant.constant dense<{weights.tolist()}> : tensor<{k}x{c}xi64> -> tensor<{k}x{c}x{w_dtype}>
  %r = dataflow.partition(%x) : (tensor<1x2x2x{k * c}x{x_dtype}>) -> tensor<1x2x2x{c}x{acc}> {{
  ^bb0(%s : {s_in}):
    %o = dataflow.vvau %s, %w {{simd = 1 : i64, pe = 1 : i64, acc_dtype = {acc}}} : ({s_in}, tensor<{k}x{c}x{w_dtype}>) -> !dataflow.stream<2x2x{c}x{acc}, lanes 1>
    dataflow.yield %o : !dataflow.stream<2x2x{c}x{acc}, lanes 1>
  }}
  func.return %r : tensor<1x2x2x{c}x{acc}>
}}"""


RNG = np.random.default_rng(2024)
HAND_BUILT = {
    "unsigned_input": _mvau_case("!quant.uint<3>", RNG.integers(-5, 6, (12, 5)), "!quant.int<8>"),
    "signed_input": _mvau_case("!quant.int<4>", RNG.integers(-7, 8, (16, 4)), "!quant.int<8>"),
    "signed_input_positive_weights": _mvau_case(
        "!quant.int<4>", RNG.integers(0, 4, (9, 3)), "!quant.int<8>"
    ),
    "bipolar_input": _mvau_case("!quant.bipolar", RNG.integers(-3, 4, (10, 4)), "!quant.int<8>"),
    "bipolar_weights": _mvau_case("!quant.uint<2>", RNG.choice([-1, 1], (8, 3)), "!quant.bipolar"),
    "xnor": _mvau_case("!quant.bipolar", RNG.choice([-1, 1], (13, 3)), "!quant.bipolar", True),
    "power_of_two_edge": _mvau_case("!quant.uint<1>", np.full((8, 2), 16), "!quant.int<8>"),
    "depthwise_signed": _vvau_case("!quant.int<3>", RNG.integers(-4, 4, (9, 3)), "!quant.int<8>"),
    "depthwise_unsigned": _vvau_case(
        "!quant.uint<4>", RNG.integers(-2, 3, (4, 2)), "!quant.int<8>"
    ),
}


@pytest.mark.parametrize("name", sorted(HAND_BUILT))
def test_hand_built_accumulators_minimal(name: str) -> None:
    module = parse_module(HAND_BUILT[name])
    after = _minimized(module)
    (op,) = _mac_layers(after)
    check_minimal(op)
    assert op.acc_dtype.bitwidth < 32
    # the accumulator is the output: the stream narrowed with it, and the function holds
    assert df.stream_type(op.result).element == op.acc_dtype
    rng = np.random.default_rng(0)
    func = next(o for o in module.walk() if isinstance(o, FuncOp))
    for _ in range(10):
        x = _random_int(func.function_type.inputs.data[0], rng)  # pyright: ignore[reportArgumentType]
        np.testing.assert_array_equal(execute(module, [x])[0], execute(after, [x])[0])


def test_weights_retyped_to_their_values() -> None:
    module = _minimized(parse_module(HAND_BUILT["unsigned_input"]))
    (op,) = _mac_layers(module)
    w = op.weight_array()
    assert op.weight_dtype() == IntType(4) and int(w.min()) >= -8 and int(w.max()) <= 7
    bipolar = _minimized(parse_module(HAND_BUILT["bipolar_weights"]))
    (op,) = _mac_layers(bipolar)
    assert isinstance(op.weight_dtype(), BipolarType)
    assert constant_value(op.weights) is not None
