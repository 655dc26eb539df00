"""The dataflow layers compute what the streamline ops they replace compute.

Each test builds a `streamline` function and a `dataflow.partition` function from the same
constants, runs both with the reference semantics on random integer data and compares.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pytest

from qdialects.dataflow import MVAUOp, PartitionOp, StreamType
from qdialects.ir import parse_module, print_module
from qdialects.semantics import execute

RNG = np.random.default_rng(1234)
BATCH = 3
MT = "{out_scale = 1 : i64, out_bias = 0 : i64}"


# --------------------------------------------------------------------------- IR text helpers


def tensor(shape: Sequence[int], dtype: str) -> str:
    return f"tensor<{'x'.join(map(str, shape))}x{dtype}>"


def stream(shape: Sequence[int], dtype: str, lanes: int, order: str = "") -> str:
    return f"!dataflow.stream<{'x'.join(map(str, shape))}x{dtype}, lanes {lanes}{order}>"


def const(name: str, array: np.ndarray, dtype: str) -> str:
    shape = "x".join(map(str, array.shape))
    return (
        f"  %{name} = quant.constant dense<{array.tolist()}> : tensor<{shape}xi64> -> "
        f"tensor<{shape}x{dtype}>"
    )


def streamline_fn(
    inputs: Sequence[str], result: str, body: Sequence[str], consts: Sequence[str] = ()
) -> str:
    args = ", ".join(f"%x{i} : {t}" for i, t in enumerate(inputs))
    lines = [f"func.func @main({args}) -> {result} {{", *consts, *body]
    lines += [f"  func.return %y : {result}", "}"]
    return "\n".join(lines)


def dataflow_fn(
    inputs: Sequence[tuple[str, str]],
    result: tuple[str, str],
    body: Sequence[str],
    consts: Sequence[str] = (),
) -> str:
    """`inputs`/`result`: (tensor type, stream type); block arguments are %s0, %s1...; the
    body must define %o."""
    args = ", ".join(f"%x{i} : {t}" for i, (t, _) in enumerate(inputs))
    operands = ", ".join(f"%x{i}" for i in range(len(inputs)))
    in_types = ", ".join(t for t, _ in inputs)
    block_args = ", ".join(f"%s{i} : {s}" for i, (_, s) in enumerate(inputs))
    lines = [
        f"func.func @main({args}) -> {result[0]} {{",
        *consts,
        f"  %r = dataflow.partition({operands}) : ({in_types}) -> {result[0]} {{",
        f"  ^bb0({block_args}):",
        *(f"  {line}" for line in body),
        f"    dataflow.yield %o : {result[1]}",
        "  }",
        f"  func.return %r : {result[0]}",
        "}",
    ]
    return "\n".join(lines)


def run(text: str, *inputs: np.ndarray) -> np.ndarray:
    module = parse_module(text)
    module.verify()
    # the printed module parses back to the same function
    again = parse_module(print_module(module))
    (result,) = execute(again, list(inputs))
    return result


def uniform(lo: int, hi: int, shape: Sequence[int]) -> np.ndarray:
    return RNG.integers(lo, hi + 1, size=tuple(shape), dtype=np.int64)


def sorted_thresholds(rows: int, n: int, lo: int, hi: int) -> np.ndarray:
    return np.sort(uniform(lo, hi, (rows, n)), axis=1)


# --------------------------------------------------------------------------- MVAU


@pytest.mark.parametrize(
    ("frame", "mh", "simd", "pe", "shared"),
    [((8,), 6, 2, 3, False), ((8,), 6, 8, 6, True), ((2, 3, 12), 4, 3, 1, False)],
)
@pytest.mark.parametrize("with_thresholds", [False, True])
def test_mvau_is_matmul_and_multithreshold(
    frame: tuple[int, ...], mh: int, simd: int, pe: int, shared: bool, with_thresholds: bool
) -> None:
    mw = frame[-1]
    x = uniform(0, 3, (BATCH, *frame))
    w = uniform(-4, 3, (mw, mh))
    t = sorted_thresholds(1 if shared else mh, 3, -20, 20)
    x_t, acc_t = tensor((BATCH, *frame), "!quant.uint<2>"), "!quant.int<10>"
    consts = [const("w", w, "!quant.int<3>"), const("t", t, "!quant.int<10>")]
    w_t, t_t = tensor(w.shape, "!quant.int<3>"), tensor(t.shape, "!quant.int<10>")
    acc_tensor = tensor((BATCH, *frame[:-1], mh), acc_t)
    out_dt = "!quant.uint<2>" if with_thresholds else acc_t
    out_tensor = tensor((BATCH, *frame[:-1], mh), out_dt)
    body = [f"  %a = streamline.matmul %x0, %w : ({x_t}, {w_t}) -> {acc_tensor}"]
    if with_thresholds:
        body.append(
            f"  %y = streamline.multithreshold %a, %t {MT} : ({acc_tensor}, {t_t}) -> {out_tensor}"
        )
    else:
        body = [body[0].replace("%a =", "%y =")]
    expected = run(streamline_fn([x_t], out_tensor, body, consts), x)

    s_in = stream(frame, "!quant.uint<2>", simd)
    s_out = stream((*frame[:-1], mh), out_dt, pe)
    thr = ", %t" if with_thresholds else ""
    thr_t = f", {t_t}" if with_thresholds else ""
    df_body = [
        f"  %o = dataflow.mvau %s0, %w{thr} {{simd = {simd} : i64, pe = {pe} : i64, "
        f"acc_dtype = {acc_t}}} : ({s_in}, {w_t}{thr_t}) -> {s_out}"
    ]
    actual = run(dataflow_fn([(x_t, s_in)], (out_tensor, s_out), df_body, consts), x)
    np.testing.assert_array_equal(actual, expected)


def test_mvau_xnor_is_xnor_popcount() -> None:
    mw, mh = 16, 4
    x = RNG.choice([-1, 1], size=(BATCH, mw)).astype(np.int64)
    w = RNG.choice([-1, 1], size=(mw, mh)).astype(np.int64)
    t = uniform(0, mw, (mh, 1))
    consts = [const("w", w, "!quant.bipolar"), const("t", t, "!quant.uint<5>")]
    x_t = tensor((BATCH, mw), "!quant.bipolar")
    w_t, t_t = tensor(w.shape, "!quant.bipolar"), tensor(t.shape, "!quant.uint<5>")
    acc = tensor((BATCH, mh), "!quant.uint<5>")
    out = tensor((BATCH, mh), "!quant.bipolar")
    body = [
        f"  %a = streamline.xnor_popcount %x0, %w : ({x_t}, {w_t}) -> {acc}",
        f"  %y = streamline.multithreshold %a, %t {{out_scale = 2 : i64, out_bias = -1 : i64}}"
        f" : ({acc}, {t_t}) -> {out}",
    ]
    expected = run(streamline_fn([x_t], out, body, consts), x)
    s_in, s_out = stream((mw,), "!quant.bipolar", 4), stream((mh,), "!quant.bipolar", 2)
    df_body = [
        "  %o = dataflow.mvau %s0, %w, %t {simd = 4 : i64, pe = 2 : i64, "
        "acc_dtype = !quant.uint<5>, binary_xnor = true, out_scale = 2 : i64, "
        f"out_bias = -1 : i64}} : ({s_in}, {w_t}, {t_t}) -> {s_out}"
    ]
    actual = run(dataflow_fn([(x_t, s_in)], (out, s_out), df_body, consts), x)
    np.testing.assert_array_equal(actual, expected)


def test_thresholding_is_multithreshold_with_strict_made_inclusive() -> None:
    """streamline's strict thresholds `x > t` become `x >= t + 1` for integer inputs."""
    c, n = 4, 3
    x = uniform(-8, 7, (BATCH, 2, 2, c))
    t = sorted_thresholds(c, n, -8, 7)
    strict = [1, 0, 1]
    x_t, out = tensor(x.shape, "!quant.int<4>"), tensor(x.shape, "!quant.int<3>")
    consts = [const("t", t, "!quant.int<5>"), const("ti", t + strict, "!quant.int<5>")]
    t_t = tensor(t.shape, "!quant.int<5>")
    body = [
        f"  %y = streamline.multithreshold %x0, %t {{out_scale = 1 : i64, out_bias = -2 : i64, "
        f"strict = array<i64: 1, 0, 1>}} : ({x_t}, {t_t}) -> {out}"
    ]
    expected = run(streamline_fn([x_t], out, body, consts), x)
    s_in, s_out = stream(x.shape[1:], "!quant.int<4>", 2), stream(x.shape[1:], "!quant.int<3>", 2)
    df_body = [
        f"  %o = dataflow.thresholding %s0, %ti {{pe = 2 : i64, out_bias = -2 : i64}} : "
        f"({s_in}, {t_t}) -> {s_out}"
    ]
    actual = run(dataflow_fn([(x_t, s_in)], (out, s_out), df_body, consts), x)
    np.testing.assert_array_equal(actual, expected)


# --------------------------------------------------------------------------- windows


@pytest.mark.parametrize(
    ("hw", "c", "kernel", "stride", "dilation", "pads", "simd", "depthwise"),
    [
        ((5, 5), 4, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 2, False),
        ((6, 7), 2, (3, 2), (2, 1), (1, 2), (0, 1, 2, 0), 1, False),
        ((4, 4), 4, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 4, True),
        ((5, 4), 3, (2, 2), (2, 2), (1, 1), (0, 0, 0, 0), 3, False),
    ],
)
def test_fm_padding_and_swg_are_im2col(
    hw: tuple[int, int],
    c: int,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    pads: tuple[int, int, int, int],
    simd: int,
    depthwise: bool,
) -> None:
    h, w = hw
    x = uniform(-2, 1, (BATCH, h, w, c))
    dt = "!quant.int<2>"
    top, left, bottom, right = pads
    ph, pw = h + top + bottom, w + left + right
    oh = (ph - (dilation[0] * (kernel[0] - 1) + 1)) // stride[0] + 1
    ow = (pw - (dilation[1] * (kernel[1] - 1) + 1)) // stride[1] + 1
    k = kernel[0] * kernel[1]
    x_t, out = tensor(x.shape, dt), tensor((BATCH, oh, ow, k * c), dt)
    arr = lambda v: f"array<i64: {', '.join(map(str, v))}>"  # noqa: E731
    body = [
        f"  %y = streamline.im2col %x0 {{kernel = {arr(kernel)}, stride = {arr(stride)}, "
        f"pads = {arr(pads)}, dilation = {arr(dilation)}}} : ({x_t}) -> {out}"
    ]
    expected = run(streamline_fn([x_t], out, body), x)

    s_in = stream((h, w, c), dt, simd)
    s_pad = stream((ph, pw, c), dt, simd)
    order = f", depthwise {k}" if depthwise else ""
    s_out = stream((oh, ow, k * c), dt, simd, order)
    flag = ", depthwise = true" if depthwise else ""
    df_body = [
        f"  %p = dataflow.fm_padding %s0 {{pads = {arr(pads)}, simd = {simd} : i64}} : "
        f"({s_in}) -> {s_pad}",
        f"  %o = dataflow.swg %p {{kernel = {arr(kernel)}, stride = {arr(stride)}, "
        f"dilation = {arr(dilation)}, simd = {simd} : i64{flag}}} : ({s_pad}) -> {s_out}",
    ]
    actual = run(dataflow_fn([(x_t, s_in)], (out, s_out), df_body), x)
    np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("with_thresholds", [False, True])
def test_swg_and_vvau_are_im2col_and_dw_matmul(with_thresholds: bool) -> None:
    h, w, c, kh, kw = 5, 5, 4, 3, 3
    k = kh * kw
    x = uniform(0, 3, (BATCH, h, w, c))
    weights = uniform(-2, 1, (k, c))
    t = sorted_thresholds(c, 3, -10, 10)
    consts = [const("w", weights, "!quant.int<2>"), const("t", t, "!quant.int<8>")]
    w_t, t_t = tensor(weights.shape, "!quant.int<2>"), tensor(t.shape, "!quant.int<8>")
    dt, acc_dt = "!quant.uint<2>", "!quant.int<8>"
    x_t = tensor(x.shape, dt)
    cols = tensor((BATCH, 3, 3, k * c), dt)
    acc = tensor((BATCH, 3, 3, c), acc_dt)
    out_dt = "!quant.uint<2>" if with_thresholds else acc_dt
    out = tensor((BATCH, 3, 3, c), out_dt)
    body = [
        f"  %c = streamline.im2col %x0 {{kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, "
        f"pads = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>}} : ({x_t}) -> {cols}",
        f"  %{'a' if with_thresholds else 'y'} = streamline.dw_matmul %c, %w : "
        f"({cols}, {w_t}) -> {acc}",
    ]
    if with_thresholds:
        body.append(f"  %y = streamline.multithreshold %a, %t {MT} : ({acc}, {t_t}) -> {out}")
    expected = run(streamline_fn([x_t], out, body, consts), x)

    s_in = stream((h, w, c), dt, 2)
    s_win = stream((3, 3, k * c), dt, 2, f", depthwise {k}")
    s_out = stream((3, 3, c), out_dt, 2)
    thr, thr_t = (", %t", f", {t_t}") if with_thresholds else ("", "")
    df_body = [
        f"  %win = dataflow.swg %s0 {{kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, "
        f"dilation = array<i64: 1, 1>, simd = 2 : i64, depthwise = true}} : ({s_in}) -> {s_win}",
        f"  %o = dataflow.vvau %win, %w{thr} {{pe = 2 : i64, simd = 1 : i64, "
        f"acc_dtype = {acc_dt}}} : ({s_win}, {w_t}{thr_t}) -> {s_out}",
    ]
    actual = run(dataflow_fn([(x_t, s_in)], (out, s_out), df_body, consts), x)
    np.testing.assert_array_equal(actual, expected)


# --------------------------------------------------------------------------- pooling


@pytest.mark.parametrize(("kernel", "stride"), [((2, 2), (2, 2)), ((3, 2), (1, 2))])
def test_maxpool_and_pool_max_are_maxpool(kernel: tuple[int, int], stride: tuple[int, int]) -> None:
    h, w, c = 6, 6, 4
    x = uniform(-8, 7, (BATCH, h, w, c))
    oh, ow = (h - kernel[0]) // stride[0] + 1, (w - kernel[1]) // stride[1] + 1
    dt = "!quant.int<4>"
    x_t, out = tensor(x.shape, dt), tensor((BATCH, oh, ow, c), dt)
    props = f"kernel = array<i64: {kernel[0]}, {kernel[1]}>, stride = array<i64: {stride[0]}, {stride[1]}>"
    body = [
        f"  %y = streamline.maxpool %x0 {{{props}, pads = array<i64: 0, 0, 0, 0>}} : "
        f"({x_t}) -> {out}"
    ]
    expected = run(streamline_fn([x_t], out, body), x)
    s_in, s_out = stream((h, w, c), dt, 2), stream((oh, ow, c), dt, 2)
    for op in ("maxpool", "pool"):
        mode = ', mode = "max"' if op == "pool" else ""
        df_body = [
            f"  %o = dataflow.{op} %s0 {{{props}, pe = 2 : i64{mode}}} : ({s_in}) -> {s_out}"
        ]
        actual = run(dataflow_fn([(x_t, s_in)], (out, s_out), df_body), x)
        np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("shift", [0, 2])
def test_pool_sum_is_sum_pool_floor_shifted(shift: int) -> None:
    h, w, c = 4, 4, 2
    x = uniform(-8, 7, (BATCH, h, w, c))
    x_t = tensor(x.shape, "!quant.int<4>")
    sums = tensor((BATCH, 2, 2, c), "!quant.int<7>")
    props = "kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>"
    body = [
        f"  %y = streamline.sum_pool %x0 {{{props}, pads = array<i64: 0, 0, 0, 0>}} : "
        f"({x_t}) -> {sums}"
    ]
    summed = run(streamline_fn([x_t], sums, body), x)
    expected = np.floor(summed / 2**shift).astype(np.int64)
    out_dt = "!quant.int<7>" if shift == 0 else "!quant.int<5>"
    out = tensor((BATCH, 2, 2, c), out_dt)
    s_in, s_out = stream((h, w, c), "!quant.int<4>", 1), stream((2, 2, c), out_dt, 1)
    df_body = [
        f'  %o = dataflow.pool %s0 {{{props}, pe = 1 : i64, mode = "sum", shift = {shift} : i64}}'
        f" : ({s_in}) -> {s_out}"
    ]
    actual = run(dataflow_fn([(x_t, s_in)], (out, s_out), df_body), x)
    np.testing.assert_array_equal(actual, expected)


def test_global_acc_pool_is_global_sum() -> None:
    x = uniform(0, 15, (BATCH, 3, 5, 4))
    x_t, out = tensor(x.shape, "!quant.uint<4>"), tensor((BATCH, 1, 1, 4), "!quant.uint<8>")
    expected = run(
        streamline_fn([x_t], out, [f"  %y = streamline.global_sum %x0 : ({x_t}) -> {out}"]), x
    )
    s_in, s_out = stream((3, 5, 4), "!quant.uint<4>", 4), stream((1, 1, 4), "!quant.uint<8>", 4)
    df_body = [f"  %o = dataflow.global_acc_pool %s0 {{pe = 4 : i64}} : ({s_in}) -> {s_out}"]
    actual = run(dataflow_fn([(x_t, s_in)], (out, s_out), df_body), x)
    np.testing.assert_array_equal(actual, expected)


# --------------------------------------------------------------------------- elementwise


def test_duplicate_and_add_streams_are_add() -> None:
    x = uniform(-4, 3, (BATCH, 2, 6))
    x_t, out = tensor(x.shape, "!quant.int<3>"), tensor(x.shape, "!quant.int<4>")
    expected = run(
        streamline_fn([x_t], out, [f"  %y = streamline.add %x0, %x0 : ({x_t}, {x_t}) -> {out}"]),
        x,
    )
    s_in, s_out = stream((2, 6), "!quant.int<3>", 3), stream((2, 6), "!quant.int<4>", 3)
    df_body = [
        f"  %a, %b = dataflow.duplicate_streams %s0 {{pe = 3 : i64}} : ({s_in}) -> ({s_in}, {s_in})",
        f"  %o = dataflow.add_streams %a, %b {{pe = 3 : i64}} : ({s_in}, {s_in}) -> {s_out}",
    ]
    actual = run(dataflow_fn([(x_t, s_in)], (out, s_out), df_body), x)
    np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize(("op", "out_dt"), [("add", "!quant.int<5>"), ("mul", "!quant.int<7>")])
def test_channelwise_is_add_or_mul(op: str, out_dt: str) -> None:
    x = uniform(-4, 3, (BATCH, 2, 2, 4))
    p = uniform(-3, 3, (4,))
    x_t, out = tensor(x.shape, "!quant.int<3>"), tensor(x.shape, out_dt)
    consts = [const("p", p, "!quant.int<3>")]
    p_t = tensor(p.shape, "!quant.int<3>")
    body = [f"  %y = streamline.{op} %x0, %p : ({x_t}, {p_t}) -> {out}"]
    expected = run(streamline_fn([x_t], out, body, consts), x)
    s_in, s_out = stream((2, 2, 4), "!quant.int<3>", 2), stream((2, 2, 4), out_dt, 2)
    df_body = [
        f'  %o = dataflow.channelwise %s0, %p {{op = "{op}", pe = 2 : i64}} : '
        f"({s_in}, {p_t}) -> {s_out}"
    ]
    actual = run(dataflow_fn([(x_t, s_in)], (out, s_out), df_body, consts), x)
    np.testing.assert_array_equal(actual, expected)


def test_label_select_is_topk_indices_with_ties_lower_first() -> None:
    n, k = 10, 3
    x = uniform(0, 3, (BATCH, n))  # many ties
    x_t = tensor(x.shape, "!quant.uint<2>")
    values, indices = tensor((BATCH, k), "!quant.uint<2>"), tensor((BATCH, k), "i64")
    text = (
        f"func.func @main(%x0 : {x_t}) -> {indices} {{\n"
        f"  %v, %y = streamline.topk %x0 {{k = {k} : i64}} : ({x_t}) -> ({values}, {indices})\n"
        f"  func.return %y : {indices}\n}}"
    )
    expected = run(text, x)
    out = tensor((BATCH, k), "!quant.uint<4>")
    s_in, s_out = stream((n,), "!quant.uint<2>", 5), stream((k,), "!quant.uint<4>", 1)
    df_body = [
        f"  %o = dataflow.label_select %s0 {{k = {k} : i64, pe = 5 : i64}} : ({s_in}) -> {s_out}"
    ]
    actual = run(dataflow_fn([(x_t, s_in)], (out, s_out), df_body), x)
    np.testing.assert_array_equal(actual, expected)
    for row, idx in zip(x, actual, strict=True):  # ties: the lower index comes first
        for a, b in itertools.pairwise(idx):
            assert row[a] > row[b] or (row[a] == row[b] and a < b)


def test_concat_reshape_dwc_fifo_are_concat_and_reshape() -> None:
    a = uniform(0, 3, (BATCH, 2, 2, 4))
    b = uniform(0, 3, (BATCH, 2, 2, 2))
    dt = "!quant.uint<2>"
    a_t, b_t = tensor(a.shape, dt), tensor(b.shape, dt)
    cat_t, out = tensor((BATCH, 2, 2, 6), dt), tensor((BATCH, 24), dt)
    body = [
        f"  %c = streamline.concat %x0, %x1 {{axis = 3 : i64}} : ({a_t}, {b_t}) -> {cat_t}",
        f"  %y = streamline.reshape %c : ({cat_t}) -> {out}",
    ]
    expected = run(streamline_fn([a_t, b_t], out, body), a, b)
    s_a, s_b = stream((2, 2, 4), dt, 2), stream((2, 2, 2), dt, 2)
    s_cat, s_flat = stream((2, 2, 6), dt, 2), stream((24,), dt, 2)
    s_wide = stream((24,), dt, 6)
    df_body = [
        f"  %c = dataflow.concat %s0, %s1 {{simd = 2 : i64}} : ({s_a}, {s_b}) -> {s_cat}",
        f"  %f = dataflow.fifo %c {{depth = 8 : i64}} : ({s_cat}) -> {s_cat}",
        f"  %r0 = dataflow.reshape %f : ({s_cat}) -> {s_flat}",
        f"  %w = dataflow.dwc %r0 : ({s_flat}) -> {s_wide}",
        f"  %o = dataflow.dwc %w : ({s_wide}) -> {s_flat}",
    ]
    actual = run(dataflow_fn([(a_t, s_a), (b_t, s_b)], (out, s_flat), df_body), a, b)
    np.testing.assert_array_equal(actual, expected)


# --------------------------------------------------------------------------- partition


def test_partition_round_trip_two_layer_mlp() -> None:
    """A two-layer MLP as streamline and as a partition: the partition prints and parses
    back to the same text, runs to the same result, and reports its cycles and estimates."""
    w1 = uniform(-2, 1, (16, 8))
    t1 = sorted_thresholds(8, 3, -6, 6)
    w2 = uniform(-2, 1, (8, 4))
    x = uniform(0, 3, (BATCH, 16))
    consts = [
        const("w1", w1, "!quant.int<2>"),
        const("t1", t1, "!quant.int<7>"),
        const("w2", w2, "!quant.int<2>"),
    ]
    x_t = tensor(x.shape, "!quant.uint<2>")
    w1_t, t1_t, w2_t = (
        tensor(w1.shape, "!quant.int<2>"),
        tensor(t1.shape, "!quant.int<7>"),
        tensor(w2.shape, "!quant.int<2>"),
    )
    a1, h1 = tensor((BATCH, 8), "!quant.int<7>"), tensor((BATCH, 8), "!quant.uint<2>")
    out = tensor((BATCH, 4), "!quant.int<7>")
    body = [
        f"  %a = streamline.matmul %x0, %w1 : ({x_t}, {w1_t}) -> {a1}",
        f"  %h = streamline.multithreshold %a, %t1 {MT} : ({a1}, {t1_t}) -> {h1}",
        f"  %y = streamline.matmul %h, %w2 : ({h1}, {w2_t}) -> {out}",
    ]
    expected = run(streamline_fn([x_t], out, body, consts), x)
    s_in, s_h = stream((16,), "!quant.uint<2>", 4), stream((8,), "!quant.uint<2>", 2)
    s_out = stream((4,), "!quant.int<7>", 1)
    df_body = [
        f"  %h = dataflow.mvau %s0, %w1, %t1 {{simd = 4 : i64, pe = 2 : i64, "
        f"acc_dtype = !quant.int<7>}} : ({s_in}, {w1_t}, {t1_t}) -> {s_h}",
        f"  %f = dataflow.fifo %h {{depth = 4 : i64}} : ({s_h}) -> {s_h}",
        f"  %o = dataflow.mvau %f, %w2 {{simd = 2 : i64, pe = 1 : i64, "
        f"acc_dtype = !quant.int<7>}} : ({s_h}, {w2_t}) -> {s_out}",
    ]
    text = dataflow_fn([(x_t, s_in)], (out, s_out), df_body, consts)
    module = parse_module(text)
    printed = print_module(module)
    assert print_module(parse_module(printed)) == printed
    (actual,) = execute(parse_module(printed), [x])
    np.testing.assert_array_equal(actual, expected)

    partition = next(op for op in module.walk() if isinstance(op, PartitionOp))
    layers = partition.layers()
    assert [layer.name for layer in layers] == ["dataflow.mvau", "dataflow.fifo", "dataflow.mvau"]
    first = layers[0]
    assert isinstance(first, MVAUOp)
    assert first.cycles_per_frame() == (8 // 2) * (16 // 4)
    assert first.input_widths() == (4 * 2,) and first.output_widths() == (2 * 2,)
    assert partition.cycles_per_frame() == max(16, (4 // 1) * (8 // 2))
    total = partition.estimates()
    assert total.lut == sum(layer.estimates().lut for layer in layers)


def test_stream_type_words_and_width() -> None:
    from qdialects.types import IntType, UIntType

    s = StreamType((8, 8, 16), UIntType(2), 4)
    assert s.words_per_frame() == 8 * 8 * 16 // 4
    assert s.word_width() == 8
    assert s.with_lanes(16).word_width() == 32
    d = StreamType((3, 3, 72), IntType(4), 8, depthwise_kernel=9)
    assert d.is_depthwise and d.words_per_frame() == 3 * 3 * 9
    assert StreamType((4,), UIntType(2), 2) != StreamType((4,), UIntType(3), 2)
