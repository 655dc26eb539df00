"""Property tests: the `quant` dialect's reference semantics equal qonnx and onnxruntime.

Every test builds a one-op `func.func @main` module (generic op syntax, operands as
function arguments), runs it with `qdialects.semantics.execute`, and compares with
qonnx's own numpy functions (QONNX ops, bit-exact) or with onnxruntime running a
one-node ONNX model (standard ops, rtol 1e-5 / atol 1e-6). Data for products and sums
is drawn from a grid of multiples of 1/16, on which float32 arithmetic is exact in any
order, so the comparison does not depend on summation order.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper
from qonnx.custom_op.general.bipolar_quant import binary_quant
from qonnx.custom_op.general.intquant import int_quant
from qonnx.custom_op.general.multithreshold import multithreshold
from qonnx.custom_op.general.trunc import trunc_v1, trunc_v2
from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.dialects.func import Func
from xdsl.parser import Parser

from qdialects.quant import ROUNDING_MODES, Quant
from qdialects.semantics import execute, kernels

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ONNX_SETTINGS = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
RTOL, ATOL = 1e-5, 1e-6

# --------------------------------------------------------------------------- harness


@functools.cache
def _context() -> Context:
    ctx = Context()
    for dialect in (Builtin, Func, Quant):
        ctx.load_dialect(dialect)
    return ctx


def tensor_type(shape: Sequence[int], element: str = "f32") -> str:
    return f"tensor<{''.join(f'{d}x' for d in shape)}{element}>"


def _element(array: np.ndarray) -> str:
    return "i64" if array.dtype.kind in "iu" else "f32"


def build_module(
    op: str, inputs: Sequence[np.ndarray], props: str, result_types: Sequence[str]
) -> ModuleOp:
    """`func.func @main(args) { %r = "op"(args) <{props}> ; return %r }`, parsed and verified."""
    arg_types = [tensor_type(a.shape, _element(a)) for a in inputs]
    args = ", ".join(f"%a{i}: {t}" for i, t in enumerate(arg_types))
    operands = ", ".join(f"%a{i}" for i in range(len(inputs)))
    results = ", ".join(result_types)
    n = len(result_types)
    name = "%r" if n == 1 else f"%r:{n}"
    values = "%r" if n == 1 else ", ".join(f"%r#{i}" for i in range(n))
    prop_dict = f" <{{{props}}}>" if props else ""
    text = (
        f"func.func @main({args}) -> ({results}) {{\n"
        f'  {name} = "{op}"({operands}){prop_dict} : ({", ".join(arg_types)}) -> ({results})\n'
        f"  func.return {values} : {results}\n"
        f"}}\n"
    )
    module = Parser(_context(), text).parse_module()
    module.verify()
    return module


def run_op(
    op: str,
    inputs: Sequence[np.ndarray],
    props: str = "",
    result_types: Sequence[str] | None = None,
) -> list[np.ndarray]:
    if result_types is None:
        result_types = [tensor_type(inputs[0].shape, _element(inputs[0]))]
    return execute(build_module(op, inputs, props, result_types), list(inputs))


def b(flag: bool) -> str:
    return "true" if flag else "false"


def arr(values: Sequence[int]) -> str:
    return f"array<i64: {', '.join(str(int(v)) for v in values)}>" if values else "array<i64>"


def f32(value: float) -> str:
    return f"{float(np.float32(value))!r} : f32"


_ONNX_TYPES = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int64): TensorProto.INT64}


def run_onnx(
    op_type: str,
    inputs: Sequence[np.ndarray],
    attrs: dict | None = None,
    initializers: Sequence[np.ndarray] = (),
    n_outputs: int = 1,
    opset: int = 13,
    input_names: Sequence[str] | None = None,
) -> list[np.ndarray]:
    """onnxruntime's result of a one-node model: `inputs` are graph inputs, then
    `initializers` follow them as node inputs (an empty name skips an optional input)."""
    names = list(input_names) if input_names else [f"x{i}" for i in range(len(inputs))]
    graph_inputs = [
        helper.make_tensor_value_info(n, _ONNX_TYPES[a.dtype], a.shape)
        for n, a in zip(names, inputs, strict=True)
    ]
    inits = [onnx.numpy_helper.from_array(a, f"c{i}") for i, a in enumerate(initializers)]
    node_inputs = [*names, *(t.name for t in inits)]
    outputs = [f"y{i}" for i in range(n_outputs)]
    node = helper.make_node(op_type, node_inputs, outputs, **(attrs or {}))
    graph = helper.make_graph(
        [node],
        "g",
        graph_inputs,
        [helper.make_empty_tensor_value_info(o) for o in outputs],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    return session.run(None, dict(zip(names, inputs, strict=True)))


def assert_close(actual: np.ndarray, expected: np.ndarray) -> None:
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)


# --------------------------------------------------------------------------- data


def grid(rng: np.random.Generator, shape: Sequence[int], bound: int = 32) -> np.ndarray:
    """Multiples of 1/16 in [-bound/16, bound/16]: exact float32 sums of products."""
    return np.asarray(rng.integers(-bound, bound + 1, size=tuple(shape)) / 16, dtype=np.float32)


def mixed(rng: np.random.Generator, shape: Sequence[int], span: float = 8.0) -> np.ndarray:
    """Arbitrary floats, with many exact halves and quarters to hit rounding ties."""
    values = rng.uniform(-span, span, size=tuple(shape))
    ties = np.round(values * 4) / 4
    return np.asarray(np.where(rng.random(size=tuple(shape)) < 0.5, ties, values), np.float32)


seeds = st.integers(0, 2**32 - 1)


# --------------------------------------------------------------------------- QONNX ops


@st.composite
def quant_params(draw, channels: int):
    """(scale, zeropt) shapes for x of shape (2, C, 3): per tensor or per channel."""
    per_channel = draw(st.booleans())
    shape = (1, channels, 1) if per_channel else draw(st.sampled_from([(), (1,), (1, 1, 1)]))
    return shape


@SETTINGS
@given(
    seed=seeds,
    channels=st.integers(1, 4),
    mode=st.sampled_from(ROUNDING_MODES),
    signed=st.booleans(),
    narrow=st.booleans(),
    bitwidth=st.integers(1, 8),
    data=st.data(),
)
def test_quant_matches_qonnx(seed, channels, mode, signed, narrow, bitwidth, data):
    rng = np.random.default_rng(seed)
    scale_shape = data.draw(quant_params(channels))
    zero_shape = data.draw(quant_params(channels))
    x = mixed(rng, (2, channels, 3), span=2.0 ** (bitwidth + 1))
    power_of_two = data.draw(st.booleans())
    if power_of_two:
        scale = (2.0 ** rng.integers(-3, 3, size=scale_shape)).astype(np.float32)
    else:
        scale = rng.uniform(0.05, 3.0, size=scale_shape).astype(np.float32)
    zero_bound = 0 if signed else 2
    zeropt = rng.integers(-zero_bound, zero_bound + 1, size=zero_shape).astype(np.float32)
    bits = np.array(bitwidth, dtype=np.float32)
    props = f'signed = {b(signed)}, narrow = {b(narrow)}, rounding_mode = "{mode}"'
    (ours,) = run_op("quant.quant", [x, scale, zeropt, bits], props)
    expected = int_quant(x, scale, zeropt, bits, signed, narrow, mode)
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours, expected)


@SETTINGS
@given(seed=seeds, per_channel=st.booleans())
def test_bipolar_quant_matches_qonnx(seed, per_channel):
    rng = np.random.default_rng(seed)
    x = mixed(rng, (3, 4), span=2.0)
    x[0, 0] = 0.0
    scale = rng.uniform(0.05, 3.0, size=(1, 4) if per_channel else ()).astype(np.float32)
    (ours,) = run_op("quant.bipolar_quant", [x, scale])
    np.testing.assert_array_equal(ours, binary_quant(x, scale))


@SETTINGS
@given(
    seed=seeds,
    mode=st.sampled_from(ROUNDING_MODES),
    in_bits=st.integers(2, 16),
    drop=st.integers(0, 8),
    per_channel=st.booleans(),
)
def test_trunc_v1_matches_qonnx(seed, mode, in_bits, drop, per_channel):
    rng = np.random.default_rng(seed)
    out_bits = max(1, in_bits - drop)
    scale = rng.uniform(0.01, 2.0, size=(1, 3, 1, 1) if per_channel else ()).astype(np.float32)
    ints = rng.integers(-(2 ** (in_bits - 1)), 2 ** (in_bits - 1), size=(1, 3, 2, 2))
    x = (ints * scale).astype(np.float32)
    zeropt = np.zeros((), np.float32)
    in_bw, out_bw = np.float32(in_bits), np.float32(out_bits)
    args = [x, scale, zeropt, np.array(in_bw), np.array(out_bw)]
    (ours,) = run_op("quant.trunc", args, f'rounding_mode = "{mode}"')
    expected = trunc_v1(x, scale, zeropt, np.array(in_bw), np.array(out_bw), mode)
    np.testing.assert_array_equal(ours, expected)


@SETTINGS
@given(
    seed=seeds,
    mode=st.sampled_from(ROUNDING_MODES),
    in_bits=st.integers(2, 16),
    out_bits=st.integers(1, 8),
    shift=st.integers(0, 8),
    signed=st.booleans(),
    narrow=st.booleans(),
    exact_power=st.booleans(),
)
def test_trunc_v2_matches_qonnx(seed, mode, in_bits, out_bits, shift, signed, narrow, exact_power):
    rng = np.random.default_rng(seed)
    scale = np.float32(rng.uniform(0.01, 2.0))
    ratio = 2.0**shift if exact_power else 2.0**shift * rng.uniform(0.75, 1.4)
    out_scale = np.array(scale * ratio, dtype=np.float32)
    lo = -(2 ** (in_bits - 1)) if signed else 0
    ints = rng.integers(lo, lo + 2**in_bits, size=(1, 2, 3, 3))
    x = (ints * scale).astype(np.float32)
    scale_a, zeropt = np.array(scale), np.zeros((), np.float32)
    in_bw, out_bw = np.array(np.float32(in_bits)), np.array(np.float32(out_bits))
    props = f'rounding_mode = "{mode}", signed = {b(signed)}, narrow = {b(narrow)}'
    (ours,) = run_op("quant.trunc", [x, scale_a, zeropt, in_bw, out_bw, out_scale], props)
    expected = trunc_v2(
        x, scale_a, zeropt, in_bw, int(narrow), int(signed), out_scale, out_bw, mode
    )
    np.testing.assert_array_equal(ours, expected)


LAYOUT_SHAPES = {"NCHW": (2, 3, 4, 2), "NHWC": (2, 4, 2, 3), "NC": (5, 3)}


@SETTINGS
@given(
    seed=seeds,
    layout=st.sampled_from(sorted(LAYOUT_SHAPES)),
    steps=st.integers(1, 15),
    shared=st.booleans(),
    out_scale=st.sampled_from([1.0, 2.0, 0.5, -1.0, 0.3]),
    out_bias=st.sampled_from([0.0, -1.0, -8.0, 0.25]),
)
def test_multithreshold_matches_qonnx(seed, layout, steps, shared, out_scale, out_bias):
    rng = np.random.default_rng(seed)
    shape = LAYOUT_SHAPES[layout]
    channels = shape[-1] if layout == "NHWC" else shape[1]
    v = grid(rng, shape, bound=64)
    thresholds = np.sort(grid(rng, (1 if shared else channels, steps), bound=64), axis=1)
    props = (
        f"out_scale = {f32(out_scale)}, out_bias = {f32(out_bias)}, "
        f'out_dtype = "UINT4", data_layout = "{layout}"'
    )
    (ours,) = run_op("quant.multithreshold", [v, thresholds], props)
    expected = multithreshold(
        v,
        thresholds,
        np.float32(out_scale).item(),
        np.float32(out_bias).item(),
        channels_last=layout == "NHWC",
    )
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours, expected)


# --------------------------------------------------------------------------- ONNX ops


def _conv_case(draw, rank: int):
    group = draw(st.integers(1, 3))
    depthwise = draw(st.booleans())
    cg = 1 if depthwise else draw(st.integers(1, 3))
    mg = draw(st.integers(1, 2))
    kernel = [draw(st.integers(1, 3)) for _ in range(rank)]
    strides = [draw(st.integers(1, 3)) for _ in range(rank)]
    dilations = [draw(st.integers(1, 2)) for _ in range(rank)]
    pads = [draw(st.integers(0, 2)) for _ in range(2 * rank)]
    sizes = []
    for i in range(rank):
        extent = (kernel[i] - 1) * dilations[i] + 1
        low = max(1, extent - pads[i] - pads[i + rank])
        sizes.append(draw(st.integers(low, low + 5)))
    return group, cg, mg, kernel, strides, dilations, pads, sizes


@ONNX_SETTINGS
@given(seed=seeds, rank=st.sampled_from([2, 2, 1]), with_bias=st.booleans(), data=st.data())
def test_conv_matches_onnxruntime(seed, rank, with_bias, data):
    group, cg, mg, kernel, strides, dilations, pads, sizes = _conv_case(data.draw, rank)
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3))
    x = grid(rng, (n, group * cg, *sizes))
    w = grid(rng, (group * mg, cg, *kernel))
    inputs = [x, w] + ([grid(rng, (group * mg,))] if with_bias else [])
    attrs = dict(kernel_shape=kernel, strides=strides, dilations=dilations, pads=pads, group=group)
    (expected,) = run_onnx("Conv", inputs, attrs)
    props = (
        f"strides = {arr(strides)}, pads = {arr(pads)}, dilations = {arr(dilations)}, "
        f"group = {group} : i64"
    )
    (ours,) = run_op("quant.conv", inputs, props, [tensor_type(expected.shape)])
    assert_close(ours, expected)


@ONNX_SETTINGS
@given(
    seed=seeds,
    m=st.integers(1, 5),
    k=st.integers(1, 6),
    n=st.integers(1, 5),
    trans_a=st.booleans(),
    trans_b=st.booleans(),
    alpha=st.sampled_from([1.0, 0.5, 2.0, -1.5]),
    beta=st.sampled_from([1.0, 0.25, -2.0]),
    c_kind=st.sampled_from(["none", "scalar", "row", "col", "full"]),
)
def test_gemm_matches_onnxruntime(seed, m, k, n, trans_a, trans_b, alpha, beta, c_kind):
    rng = np.random.default_rng(seed)
    a = grid(rng, (k, m) if trans_a else (m, k))
    b_ = grid(rng, (n, k) if trans_b else (k, n))
    c_shape = {"none": None, "scalar": (), "row": (n,), "col": (m, 1), "full": (m, n)}[c_kind]
    inputs = [a, b_] + ([] if c_shape is None else [grid(rng, c_shape)])
    attrs = dict(alpha=alpha, beta=beta, transA=int(trans_a), transB=int(trans_b))
    (expected,) = run_onnx("Gemm", inputs, attrs)
    props = (
        f"alpha = {f32(alpha)}, beta = {f32(beta)}, trans_a = {b(trans_a)}, trans_b = {b(trans_b)}"
    )
    (ours,) = run_op("quant.gemm", inputs, props, [tensor_type(expected.shape)])
    assert_close(ours, expected)


MATMUL_SHAPES = [
    ((3, 4), (4, 5)),
    ((1, 7), (7, 2)),
    ((2, 3, 4), (4, 5)),
    ((2, 1, 3, 4), (3, 4, 2)),
    ((4,), (4, 3)),
    ((3, 4), (4,)),
    ((5,), (5,)),
]


@ONNX_SETTINGS
@given(seed=seeds, shapes=st.sampled_from(MATMUL_SHAPES))
def test_matmul_matches_onnxruntime(seed, shapes):
    rng = np.random.default_rng(seed)
    inputs = [grid(rng, shapes[0]), grid(rng, shapes[1])]
    (expected,) = run_onnx("MatMul", inputs)
    (ours,) = run_op("quant.matmul", inputs, "", [tensor_type(expected.shape)])
    assert_close(ours, expected)


@st.composite
def broadcast_shapes(draw):
    full = draw(st.lists(st.integers(1, 4), min_size=0, max_size=4))
    other = [d if draw(st.booleans()) else 1 for d in full]
    other = other[draw(st.integers(0, len(other))) :]
    return (full, other) if draw(st.booleans()) else (other, full)


@ONNX_SETTINGS
@given(
    seed=seeds,
    op=st.sampled_from(["Add", "Sub", "Mul", "Div"]),
    shapes=broadcast_shapes(),
)
def test_elementwise_matches_onnxruntime(seed, op, shapes):
    rng = np.random.default_rng(seed)
    lhs = mixed(rng, shapes[0])
    rhs = mixed(rng, shapes[1])
    if op == "Div":
        magnitude = rng.uniform(0.25, 4.0, size=rhs.shape)
        rhs = np.asarray(np.where(rhs < 0, -magnitude, magnitude), np.float32)
    (expected,) = run_onnx(op, [lhs, rhs])
    (ours,) = run_op(f"quant.{op.lower()}", [lhs, rhs], "", [tensor_type(expected.shape)])
    assert_close(ours, expected)


@ONNX_SETTINGS
@given(
    seed=seeds,
    shape=st.sampled_from([(2, 3, 4, 5), (1, 4), (3, 2, 6), (1, 16, 3, 3)]),
    epsilon=st.sampled_from([1e-5, 1e-3, 0.0]),
)
def test_batchnorm_matches_onnxruntime(seed, shape, epsilon):
    rng = np.random.default_rng(seed)
    channels = shape[1]
    x = rng.normal(size=shape).astype(np.float32)
    scale, bias, mean = (rng.normal(size=channels).astype(np.float32) for _ in range(3))
    var = rng.uniform(0.05, 2.0, size=channels).astype(np.float32)
    inputs = [x, scale, bias, mean, var]
    (expected,) = run_onnx("BatchNormalization", inputs, dict(epsilon=epsilon))
    (ours,) = run_op("quant.batchnorm", inputs, f"epsilon = {f32(epsilon)}")
    assert_close(ours, expected)


@ONNX_SETTINGS
@given(seed=seeds, op=st.sampled_from(["Relu", "Identity"]))
def test_unary_matches_onnxruntime(seed, op):
    rng = np.random.default_rng(seed)
    x = mixed(rng, (2, 3, 4))
    (expected,) = run_onnx(op, [x])
    (ours,) = run_op(f"quant.{op.lower()}", [x])
    np.testing.assert_array_equal(ours, expected)


@st.composite
def pool_cases(draw, dilated: bool):
    rank = draw(st.sampled_from([2, 2, 1]))
    kernel = [draw(st.integers(1, 3)) for _ in range(rank)]
    strides = [draw(st.integers(1, 3)) for _ in range(rank)]
    dilations = [draw(st.integers(1, 2)) if dilated else 1 for _ in range(rank)]
    # onnxruntime requires every pad to be smaller than the kernel.
    pads = [draw(st.integers(0, kernel[i % rank] - 1)) for i in range(2 * rank)]
    sizes = []
    for i in range(rank):
        extent = (kernel[i] - 1) * dilations[i] + 1
        sizes.append(draw(st.integers(max(1, extent - pads[i] - pads[i + rank]), extent + 6)))
    return kernel, strides, dilations, pads, sizes


@ONNX_SETTINGS
@given(seed=seeds, case=pool_cases(dilated=True), ceil_mode=st.booleans())
def test_maxpool_matches_onnxruntime(seed, case, ceil_mode):
    kernel, strides, dilations, pads, sizes = case
    x = mixed(np.random.default_rng(seed), (2, 3, *sizes))
    attrs = dict(
        kernel_shape=kernel,
        strides=strides,
        pads=pads,
        dilations=dilations,
        ceil_mode=int(ceil_mode),
    )
    (expected,) = run_onnx("MaxPool", [x], attrs)
    props = (
        f"kernel_shape = {arr(kernel)}, strides = {arr(strides)}, pads = {arr(pads)}, "
        f"dilations = {arr(dilations)}, ceil_mode = {b(ceil_mode)}"
    )
    (ours,) = run_op("quant.maxpool", [x], props, [tensor_type(expected.shape)])
    np.testing.assert_array_equal(ours, expected)


@ONNX_SETTINGS
@given(
    seed=seeds,
    case=pool_cases(dilated=False),
    ceil_mode=st.booleans(),
    count_include_pad=st.booleans(),
)
def test_avgpool_matches_onnxruntime(seed, case, ceil_mode, count_include_pad):
    kernel, strides, _, pads, sizes = case
    x = mixed(np.random.default_rng(seed), (2, 3, *sizes))
    attrs = dict(
        kernel_shape=kernel,
        strides=strides,
        pads=pads,
        ceil_mode=int(ceil_mode),
        count_include_pad=int(count_include_pad),
    )
    (expected,) = run_onnx("AveragePool", [x], attrs)
    props = (
        f"kernel_shape = {arr(kernel)}, strides = {arr(strides)}, pads = {arr(pads)}, "
        f"ceil_mode = {b(ceil_mode)}, count_include_pad = {b(count_include_pad)}"
    )
    (ours,) = run_op("quant.avgpool", [x], props, [tensor_type(expected.shape)])
    assert_close(ours, expected)


@ONNX_SETTINGS
@given(seed=seeds, shape=st.sampled_from([(1, 3, 4, 4), (2, 5, 3, 7), (2, 4, 9), (1, 2, 1, 1)]))
def test_global_avgpool_matches_onnxruntime(seed, shape):
    x = mixed(np.random.default_rng(seed), shape)
    (expected,) = run_onnx("GlobalAveragePool", [x])
    (ours,) = run_op("quant.global_avgpool", [x], "", [tensor_type(expected.shape)])
    assert_close(ours, expected)


@ONNX_SETTINGS
@given(
    seed=seeds,
    shape=st.lists(st.integers(1, 5), min_size=1, max_size=4),
    keepdims=st.booleans(),
    data=st.data(),
)
def test_reduce_mean_matches_onnxruntime(seed, shape, keepdims, data):
    axes = sorted(data.draw(st.sets(st.integers(0, len(shape) - 1), min_size=1)))
    x = mixed(np.random.default_rng(seed), shape)
    (expected,) = run_onnx("ReduceMean", [x], dict(axes=axes, keepdims=int(keepdims)))
    props = f"axes = {arr(axes)}, keepdims = {b(keepdims)}"
    (ours,) = run_op("quant.reduce_mean", [x], props, [tensor_type(expected.shape)])
    assert_close(ours, expected)


@ONNX_SETTINGS
@given(seed=seeds, shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), data=st.data())
def test_reshape_matches_onnxruntime(seed, shape, data):
    total = math.prod(shape)
    first = data.draw(st.sampled_from([d for d in range(1, total + 1) if total % d == 0]))
    target = np.array(data.draw(st.sampled_from([[total], [first, total // first], [1, -1]])))
    x = mixed(np.random.default_rng(seed), shape)
    (expected,) = run_onnx("Reshape", [x], initializers=[target.astype(np.int64)])
    (ours,) = run_op("quant.reshape", [x], "", [tensor_type(expected.shape)])
    np.testing.assert_array_equal(ours, expected)


@ONNX_SETTINGS
@given(seed=seeds, shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), data=st.data())
def test_flatten_matches_onnxruntime(seed, shape, data):
    axis = data.draw(st.integers(0, len(shape)))
    x = mixed(np.random.default_rng(seed), shape)
    (expected,) = run_onnx("Flatten", [x], dict(axis=axis))
    (ours,) = run_op("quant.flatten", [x], f"axis = {axis} : i64", [tensor_type(expected.shape)])
    np.testing.assert_array_equal(ours, expected)


@ONNX_SETTINGS
@given(seed=seeds, shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), data=st.data())
def test_transpose_matches_onnxruntime(seed, shape, data):
    perm = data.draw(st.permutations(range(len(shape))))
    x = mixed(np.random.default_rng(seed), shape)
    (expected,) = run_onnx("Transpose", [x], dict(perm=perm))
    (ours,) = run_op("quant.transpose", [x], f"perm = {arr(perm)}", [tensor_type(expected.shape)])
    np.testing.assert_array_equal(ours, expected)


@ONNX_SETTINGS
@given(
    seed=seeds,
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=4),
    count=st.integers(1, 3),
    data=st.data(),
)
def test_concat_matches_onnxruntime(seed, shape, count, data):
    axis = data.draw(st.integers(0, len(shape) - 1))
    rng = np.random.default_rng(seed)
    inputs = []
    for _ in range(count):
        part = list(shape)
        part[axis] = data.draw(st.integers(1, 3))
        inputs.append(mixed(rng, part))
    (expected,) = run_onnx("Concat", inputs, dict(axis=axis))
    (ours,) = run_op("quant.concat", inputs, f"axis = {axis} : i64", [tensor_type(expected.shape)])
    np.testing.assert_array_equal(ours, expected)


@ONNX_SETTINGS
@given(
    seed=seeds,
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=4),
    value=st.sampled_from([0.0, -1.5, 3.0]),
    data=st.data(),
)
def test_pad_matches_onnxruntime(seed, shape, value, data):
    pads = data.draw(st.lists(st.integers(0, 2), min_size=2 * len(shape), max_size=2 * len(shape)))
    x = mixed(np.random.default_rng(seed), shape)
    inits = [np.array(pads, dtype=np.int64), np.array(value, dtype=np.float32)]
    (expected,) = run_onnx("Pad", [x], dict(mode="constant"), initializers=inits)
    props = f"pads = {arr(pads)}, value = {f32(value)}"
    (ours,) = run_op("quant.pad", [x], props, [tensor_type(expected.shape)])
    np.testing.assert_array_equal(ours, expected)


@ONNX_SETTINGS
@given(seed=seeds, shape=st.lists(st.integers(1, 6), min_size=1, max_size=3), data=st.data())
def test_topk_matches_onnxruntime(seed, shape, data):
    axis = data.draw(st.integers(0, len(shape) - 1))
    k = data.draw(st.integers(1, shape[axis]))
    rng = np.random.default_rng(seed)
    # Few distinct values: many ties, which must keep the lower index first.
    x = (rng.integers(-3, 4, size=shape) / 2).astype(np.float32)
    values, indices = run_onnx(
        "TopK", [x], dict(axis=axis), initializers=[np.array([k], np.int64)], n_outputs=2
    )
    result_types = [tensor_type(values.shape), tensor_type(indices.shape, "i64")]
    ours = run_op("quant.topk", [x], f"k = {k} : i64, axis = {axis} : i64", result_types)
    np.testing.assert_array_equal(ours[0], values)
    assert ours[1].dtype == np.int64
    np.testing.assert_array_equal(ours[1], indices)


# --------------------------------------------------------------------------- fixed cases


def test_quant_constant_operands_and_integer_constant():
    """Parameters as `quant.constant`s (checked by the verifiers) and an integer-typed
    weight constant, which float ops read as float32."""
    text = """
    func.func @main(%x: tensor<1x4xf32>) -> (tensor<1x4xf32>, tensor<1x2xf32>) {
      %s = quant.constant dense<0.5> : tensor<f32>
      %z = quant.constant dense<0.0> : tensor<f32>
      %b = quant.constant dense<3.0> : tensor<f32>
      %w = quant.constant dense<[[1, -2], [3, 0], [-4, 1], [2, 2]]> : tensor<4x2xi8> -> tensor<4x2x!quant.int<3>>
      %q = quant.quant %x scale %s zeropt %z bitwidth %b {signed = true, narrow = true, rounding_mode = "HALF_UP"} : (tensor<1x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4xf32>
      %y = quant.matmul %q, %w : (tensor<1x4xf32>, tensor<4x2x!quant.int<3>>) -> tensor<1x2xf32>
      func.return %q, %y : tensor<1x4xf32>, tensor<1x2xf32>
    }
    """
    module = Parser(_context(), text).parse_module()
    module.verify()
    x = np.array([[0.25, -5.0, 1.2, 0.74]], np.float32)
    q, y = execute(module, [x])
    np.testing.assert_array_equal(q, [[0.5, -1.5, 1.0, 0.5]])
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, q @ np.array([[1, -2], [3, 0], [-4, 1], [2, 2]], np.float32))


@pytest.mark.parametrize("mode", ROUNDING_MODES)
def test_rounding_modes_on_ties(mode):
    """Each mode on the halves -2.5..2.5 (scale 1, 8-bit signed: no clamping)."""
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -0.4, 0.6], np.float32)
    expected = {
        "ROUND": [-2, -2, -0, 0, 2, 2, -0, 1],
        "CEIL": [-2, -1, -0, 1, 2, 3, -0, 1],
        "FLOOR": [-3, -2, -1, 0, 1, 2, -1, 0],
        "UP": [-3, -2, -1, 1, 2, 3, -1, 1],
        "DOWN": [-2, -1, -0, 0, 1, 2, -0, 0],
        "HALF_UP": [-3, -2, -1, 1, 2, 3, -0, 1],
        "HALF_DOWN": [-2, -1, -0, 0, 1, 2, -0, 1],
    }[mode]
    one, zero, bits = (np.array(v, np.float32) for v in (1.0, 0.0, 8.0))
    props = f'signed = true, narrow = false, rounding_mode = "{mode}"'
    (ours,) = run_op("quant.quant", [x, one, zero, bits], props)
    np.testing.assert_array_equal(ours, np.array(expected, np.float32))


def test_bipolar_quant_with_zeropt_follows_qonnx():
    """Signed 1-bit Quant compares `x / scale + zeropt` with 0 and keeps the zero point in
    the dequantization, exactly as qonnx's int_quant."""
    x = np.array([-1.0, -0.4, 0.0, 0.3, 2.0], np.float32)
    scale, zeropt, bits = (np.array(v, np.float32) for v in (0.5, 1.0, 1.0))
    props = 'signed = true, narrow = false, rounding_mode = "ROUND"'
    (ours,) = run_op("quant.quant", [x, scale, zeropt, bits], props)
    np.testing.assert_array_equal(ours, int_quant(x, scale, zeropt, bits, True, False, "ROUND"))
    np.testing.assert_array_equal(ours, [-1.0, 0.0, 0.0, 0.0, 0.0])


# --------------------------------------------------------------------------- kernels


@SETTINGS
@given(seed=seeds, data=st.data())
def test_im2col_nhwc_matmul_equals_conv(seed, data):
    """FINN's lowering: NHWC im2col (patches ordered ky, kx, c) times the weight matrix
    `W.transpose(2, 3, 1, 0).reshape(kH*kW*C, M)` equals the NCHW convolution."""
    _, cg, mg, kernel, strides, dilations, pads, sizes = _conv_case(data.draw, 2)
    rng = np.random.default_rng(seed)
    x = rng.integers(-4, 4, size=(2, cg, *sizes))
    w = rng.integers(-4, 4, size=(mg, cg, *kernel))
    expected = kernels.conv_nchw(x, w, None, strides, pads, dilations, 1)
    patches = kernels.im2col_nhwc(x.transpose(0, 2, 3, 1), kernel, strides, pads, dilations)
    matrix = w.transpose(2, 3, 1, 0).reshape(-1, mg)
    np.testing.assert_array_equal((patches @ matrix).transpose(0, 3, 1, 2), expected)


@SETTINGS
@given(
    seed=seeds,
    mode=st.sampled_from(ROUNDING_MODES),
    signed=st.booleans(),
    narrow=st.booleans(),
    bitwidth=st.integers(1, 8),
)
def test_int_quant_integers_fit_their_range(seed, mode, signed, narrow, bitwidth):
    rng = np.random.default_rng(seed)
    x = mixed(rng, (4, 5), span=2.0**bitwidth)
    scale = rng.uniform(0.1, 2.0, size=(4, 1)).astype(np.float32)
    zeropt = np.zeros((), np.float32)
    ints, y = kernels.int_quant(x, scale, zeropt, bitwidth, signed, narrow, mode)
    assert ints.dtype == np.int64
    lo, hi = (-1, 1) if signed and bitwidth == 1 else kernels.int_range(signed, narrow, bitwidth)
    assert ints.min() >= lo and ints.max() <= hi
    np.testing.assert_array_equal(ints.astype(np.float32) * scale, y)
    np.testing.assert_array_equal(
        kernels.quantize_int(x, scale, zeropt, bitwidth, signed, narrow, mode), ints
    )


@SETTINGS
@given(seed=seeds, channel_axis=st.sampled_from([1, -1, 0]), shared=st.booleans())
def test_multithreshold_kernel_on_integers(seed, channel_axis, shared):
    """Integer inputs and thresholds count exactly like the broadcast definition."""
    rng = np.random.default_rng(seed)
    v = rng.integers(-20, 20, size=(3, 4, 5))
    channels = v.shape[channel_axis]
    thresholds = rng.integers(-20, 20, size=(1 if shared else channels, 6))
    counts = kernels.multithreshold(v, thresholds, channel_axis)
    moved = np.moveaxis(v, channel_axis, -1)[..., None]
    table = thresholds if not shared else np.broadcast_to(thresholds, (channels, 6))
    expected = np.moveaxis((moved >= table).sum(axis=-1), -1, channel_axis)
    assert counts.dtype == np.int64
    np.testing.assert_array_equal(counts, expected)
