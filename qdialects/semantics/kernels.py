"""Numpy kernels shared by the reference semantics of every qnn dialect.

The quant, streamline and dataflow interpreters all compute with these functions, so a
rounding mode, a clamp range or a convolution means the same thing at every level.
Float data is computed in float32 in the order qonnx (for its custom ops) and onnxruntime
(for standard ONNX ops) use; integer data is int64 and exact.

Layouts: `conv_nchw`, `max_pool` and `avg_pool` take NCHW tensors (any number of spatial
axes); `im2col_nhwc` takes NHWC and orders each patch (ky, kx, c), channel fastest,
as FINN's Im2Col does. `pads` are always ONNX-style: all begins, then all ends.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np

from qdialects.quant import window_output_size

RoundingFunction = Callable[[np.ndarray], np.ndarray]


# --------------------------------------------------------------------------- rounding


def _round_up(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.ceil(np.abs(x))


def _round_half_up(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _round_half_down(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.ceil(np.abs(x) - 0.5)


_ROUNDING: dict[str, RoundingFunction] = {
    "ROUND": np.round,
    "HALF_EVEN": np.round,
    "CEIL": np.ceil,
    "FLOOR": np.floor,
    "UP": _round_up,
    "DOWN": np.fix,
    "HALF_UP": _round_half_up,
    "HALF_DOWN": _round_half_down,
}


def round_mode(name: str) -> RoundingFunction:
    """The numpy function of a QONNX rounding mode (case-insensitive).

    ROUND/HALF_EVEN: half to even; CEIL; FLOOR; UP: away from zero; DOWN: toward zero;
    HALF_UP/HALF_DOWN: halves away from/toward zero (`sign(x) * floor(|x| + 0.5)` and
    `sign(x) * ceil(|x| - 0.5)`, evaluated in the input's precision as qonnx does).
    """
    try:
        return _ROUNDING[name.upper()]
    except KeyError:
        raise ValueError(f"unknown rounding mode {name!r}") from None


# --------------------------------------------------------------------------- quantizers


def int_range(signed: bool, narrow: bool, bitwidth: int) -> tuple[int, int]:
    """The clamp bounds (min, max) of a QONNX integer quantizer.

    `min = signed ? (narrow ? -2^(b-1)+1 : -2^(b-1)) : 0`,
    `max = signed ? 2^(b-1)-1 : (narrow ? 2^b-2 : 2^b-1)`.
    """
    if bitwidth < 1:
        raise ValueError(f"bitwidth must be >= 1, got {bitwidth}")
    if signed:
        return (-(1 << (bitwidth - 1)) + int(narrow), (1 << (bitwidth - 1)) - 1)
    return (0, (1 << bitwidth) - 1 - int(narrow))


def _int_bounds(
    signed: bool, narrow: bool, bitwidth: np.ndarray, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray]:
    """`int_range` elementwise over a (broadcastable) bitwidth array, in `dtype`."""
    b = np.asarray(bitwidth, dtype=np.float64)
    if signed:
        lo, hi = -(2.0 ** (b - 1)) + float(narrow), 2.0 ** (b - 1) - 1
    else:
        lo, hi = np.zeros_like(b), 2.0**b - 1 - float(narrow)
    return np.asarray(lo).astype(dtype), np.asarray(hi).astype(dtype)


def _clamp(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    y = np.where(y > hi, hi, y)
    return np.where(y < lo, lo, y)


def _float_dtype(*arrays: np.ndarray) -> np.dtype:
    return np.result_type(*(a.dtype for a in arrays), np.float32)


def _quantize(
    x: np.ndarray,
    scale: np.ndarray,
    zeropt: np.ndarray,
    bitwidth: np.ndarray,
    signed: bool,
    narrow: bool,
    mode: str,
) -> np.ndarray:
    """The integer part of `int_quant`, still a float array (of x's float dtype)."""
    x, scale, zeropt = (np.asarray(a) for a in (x, scale, zeropt))
    dtype = _float_dtype(x, scale, zeropt)
    with np.errstate(over="ignore"):  # a huge x / scale is clamped below, as infinity is
        q = x.astype(dtype) / scale.astype(dtype) + zeropt.astype(dtype)
    bitwidth = np.asarray(bitwidth)
    lo, hi = _int_bounds(signed, narrow, bitwidth, dtype)
    integer = round_mode(mode)(_clamp(q, lo, hi))
    if signed and np.any(bitwidth == 1):
        bipolar = np.where(q >= 0, dtype.type(1), dtype.type(-1))
        integer = np.where(bitwidth == 1, bipolar, integer)
    return np.asarray(integer, dtype=dtype)


def int_quant(
    x: np.ndarray,
    scale: np.ndarray,
    zeropt: np.ndarray,
    bitwidth: np.ndarray | int,
    signed: bool,
    narrow: bool,
    mode: str = "ROUND",
) -> tuple[np.ndarray, np.ndarray]:
    """QONNX `Quant`: returns `(ints, dequantized)`.

    `q = x / scale + zeropt`; `ints = mode(clip(q, min, max))` (clamp, then round) with the
    bounds of `int_range`; a signed bitwidth-1 quantizer is bipolar: `ints = q >= 0 ? 1 : -1`.
    `dequantized = (ints - zeropt) * scale`, computed in float32 like qonnx; `ints` is
    int64 (undefined where x is NaN).
    """
    q = _quantize(x, scale, zeropt, np.asarray(bitwidth), signed, narrow, mode)
    zeropt, scale = np.asarray(zeropt), np.asarray(scale)
    y = (q - zeropt.astype(q.dtype)) * scale.astype(q.dtype)
    with np.errstate(invalid="ignore"):
        return q.astype(np.int64), y


def quantize_int(
    x: np.ndarray,
    scale: np.ndarray,
    zeropt: np.ndarray,
    bitwidth: np.ndarray | int,
    signed: bool,
    narrow: bool,
    mode: str = "ROUND",
) -> np.ndarray:
    """The integers of `int_quant` (int64): what a weight quantizer folds to."""
    return int_quant(x, scale, zeropt, bitwidth, signed, narrow, mode)[0]


def bipolar_quant(x: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """QONNX `BipolarQuant`: `(x >= 0 ? 1 : -1) * scale`."""
    x, scale = np.asarray(x), np.asarray(scale)
    dtype = _float_dtype(x, scale)
    signs = np.where(x >= 0, dtype.type(1), dtype.type(-1))
    return signs * scale.astype(dtype)


def trunc(
    x: np.ndarray,
    scale: np.ndarray,
    zeropt: np.ndarray,
    in_bitwidth: np.ndarray,
    out_bitwidth: np.ndarray,
    mode: str = "FLOOR",
    out_scale: np.ndarray | None = None,
    signed: bool = True,
    narrow: bool = False,
) -> np.ndarray:
    """QONNX `Trunc`: v1 without `out_scale`, v2 with it (see `quant.trunc`).

    Both start with `q = round_half_even(x / scale + zeropt)`.
    v1: `t = mode(q / 2^(in_bitwidth - out_bitwidth))`, result `(t - zeropt) * scale`.
    v2: `s = 2^round(log2(out_scale / scale))`, `t = mode(clip(q / s, min, max))` with the
    `int_range` of (signed, narrow, out_bitwidth), result `(t - zeropt / s) * out_scale`.
    """
    x, scale, zeropt = (np.asarray(a) for a in (x, scale, zeropt))
    in_bitwidth, out_bitwidth = np.asarray(in_bitwidth), np.asarray(out_bitwidth)
    dtype = _float_dtype(x, scale, zeropt)
    scale, zeropt = scale.astype(dtype), zeropt.astype(dtype)
    q = np.round(x.astype(dtype) / scale + zeropt)
    rounding = round_mode(mode)
    if out_scale is None:
        shift = (in_bitwidth - out_bitwidth).astype(dtype)
        t = rounding(q / (dtype.type(2) ** shift))
        return np.asarray((t - zeropt) * scale, dtype=dtype)
    out_scale = np.asarray(out_scale).astype(dtype)
    step = dtype.type(2) ** np.round(np.log2(out_scale / scale))
    lo, hi = _int_bounds(signed, narrow, out_bitwidth, dtype)
    t = rounding(_clamp(q / step, lo, hi))
    return np.asarray((t - zeropt / step) * out_scale, dtype=dtype)


def multithreshold(v: np.ndarray, thresholds: np.ndarray, channel_axis: int = 1) -> np.ndarray:
    """The integer part of MultiThreshold: `Σ_i [v >= T[c, i]]` (int64, v's shape).

    `c` is the index of each element along `channel_axis`; `thresholds` is `C x N`, or
    `1 x N` for thresholds shared by all channels. Threshold order does not matter.
    """
    v, thresholds = np.asarray(v), np.asarray(thresholds)
    if thresholds.ndim != 2:
        raise ValueError(f"thresholds must be 2-D (C x N), got shape {thresholds.shape}")
    ordered = np.sort(thresholds, axis=1)
    if ordered.shape[0] == 1:
        # Counting thresholds <= v is a right-sided search in the sorted thresholds.
        return np.searchsorted(ordered[0], v, side="right").astype(np.int64)
    axis = channel_axis % v.ndim
    if v.shape[axis] != ordered.shape[0]:
        raise ValueError(
            f"{ordered.shape[0]} threshold rows for {v.shape[axis]} channels (axis {axis})"
        )
    moved = np.moveaxis(v, axis, 0)
    counts = np.empty(moved.shape, dtype=np.int64)
    for c in range(moved.shape[0]):
        counts[c] = np.searchsorted(ordered[c], moved[c], side="right")
    return np.moveaxis(counts, 0, axis)


# --------------------------------------------------------------------------- windows


def pad_constant(x: np.ndarray, pads: Sequence[int], value: float | int = 0) -> np.ndarray:
    """ONNX `Pad` (constant mode): `pads = [begin_0..begin_k, end_0..end_k]`, all >= 0."""
    rank = x.ndim
    if len(pads) != 2 * rank:
        raise ValueError(f"pads must have {2 * rank} entries, got {len(pads)}")
    widths = [(int(pads[i]), int(pads[i + rank])) for i in range(rank)]
    return np.pad(x, widths, mode="constant", constant_values=np.asarray(value, dtype=x.dtype))


def _output_shape(
    in_spatial: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    pads: Sequence[int],
    dilations: Sequence[int],
    ceil_mode: bool,
) -> list[int]:
    rank = len(in_spatial)
    return [
        window_output_size(
            in_spatial[i], kernel[i], strides[i], pads[i], pads[i + rank], dilations[i], ceil_mode
        )
        for i in range(rank)
    ]


def _padded(
    x: np.ndarray,
    first: int,
    kernel: Sequence[int],
    strides: Sequence[int],
    pads: Sequence[int],
    dilations: Sequence[int],
    out: Sequence[int],
    value: float | int,
) -> np.ndarray:
    """`x` padded on spatial axes `first..first+r`, with extra `value` at the ends when
    ceil_mode lets the last window run past the end padding."""
    rank = len(kernel)
    widths = [(0, 0)] * x.ndim
    for i in range(rank):
        size = x.shape[first + i]
        needed = (out[i] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1
        end = max(int(pads[rank + i]), needed - size - int(pads[i]))
        widths[first + i] = (int(pads[i]), end)
    if all(w == (0, 0) for w in widths):
        return x
    return np.pad(x, widths, mode="constant", constant_values=np.asarray(value, dtype=x.dtype))


def _window_slices(
    xpad: np.ndarray,
    first: int,
    kernel: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    out: Sequence[int],
) -> list[np.ndarray]:
    """For every kernel offset (row-major), the strided view of `xpad` it reads."""
    views = []
    for offset in itertools.product(*(range(k) for k in kernel)):
        index: list[slice] = [slice(None)] * xpad.ndim
        for i, k in enumerate(offset):
            start = k * dilations[i]
            index[first + i] = slice(start, start + (out[i] - 1) * strides[i] + 1, strides[i])
        views.append(xpad[tuple(index)])
    return views


def im2col_nchw(
    x: np.ndarray,
    kernel: Sequence[int],
    strides: Sequence[int],
    pads: Sequence[int],
    dilations: Sequence[int],
    pad_value: float | int = 0,
    ceil_mode: bool = False,
) -> np.ndarray:
    """Patches of an `N x C x S...` tensor as `N x C x prod(kernel) x O...` (kernel offsets
    row-major; `O` the output spatial shape)."""
    out = _output_shape(x.shape[2:], kernel, strides, pads, dilations, ceil_mode)
    xpad = _padded(x, 2, kernel, strides, pads, dilations, out, pad_value)
    return np.stack(_window_slices(xpad, 2, kernel, strides, dilations, out), axis=2)


def im2col_nhwc(
    x: np.ndarray,
    kernel: Sequence[int],
    strides: Sequence[int],
    pads: Sequence[int],
    dilations: Sequence[int],
    pad_value: float | int = 0,
) -> np.ndarray:
    """FINN's Im2Col: `N x H x W x C` to `N x OH x OW x (kH*kW*C)`, each patch ordered
    (ky, kx, c) with the channel fastest. Any number of spatial axes."""
    out = _output_shape(x.shape[1:-1], kernel, strides, pads, dilations, False)
    xpad = _padded(x, 1, kernel, strides, pads, dilations, out, pad_value)
    views = _window_slices(xpad, 1, kernel, strides, dilations, out)
    patches = np.stack(views, axis=-2)  # N x O... x prod(kernel) x C
    return patches.reshape(*patches.shape[:-2], -1)


def conv_nchw(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    strides: Sequence[int] | None = None,
    pads: Sequence[int] | None = None,
    dilations: Sequence[int] | None = None,
    group: int = 1,
) -> np.ndarray:
    """ONNX `Conv`: grouped, strided, dilated, zero-padded cross-correlation (NCHW) as
    im2col + one batched matrix product per group."""
    rank = x.ndim - 2
    strides = strides or [1] * rank
    pads = pads or [0] * (2 * rank)
    dilations = dilations or [1] * rank
    n, channels = x.shape[:2]
    out_channels, group_channels = weight.shape[:2]
    if channels != group_channels * group or out_channels % group:
        raise ValueError(f"conv: weight {weight.shape} does not fit input {x.shape}, group {group}")
    kernel = weight.shape[2:]
    cols = im2col_nchw(x, kernel, strides, pads, dilations)  # N x C x K x O...
    out = cols.shape[3:]
    cols = cols.reshape(n, group, group_channels * math.prod(kernel), math.prod(out))
    w = weight.reshape(group, out_channels // group, group_channels * math.prod(kernel))
    y = np.matmul(w[None].astype(cols.dtype, copy=False), cols)  # N x G x M/G x O
    y = y.reshape(n, out_channels, *out)
    if bias is not None:
        y = y + bias.astype(y.dtype, copy=False).reshape(-1, *([1] * rank))
    return y


def max_pool(
    x: np.ndarray,
    kernel: Sequence[int],
    strides: Sequence[int],
    pads: Sequence[int],
    dilations: Sequence[int] | None = None,
    ceil_mode: bool = False,
) -> np.ndarray:
    """ONNX `MaxPool` over the spatial axes of `N x C x S...`: padding never wins.

    As in onnxruntime, each maximum starts from the lowest finite value of the dtype, so a
    window holding only padding (possible with dilation) yields that value, never -inf.
    With ceil_mode the output length is `ceil(...) + 1`, less one when the last window
    would start in the end padding (onnxruntime and PyTorch drop that window).
    """
    dilations = dilations or [1] * len(kernel)
    info = np.finfo(x.dtype) if x.dtype.kind == "f" else np.iinfo(x.dtype)
    lowest = x.dtype.type(info.min)
    cols = im2col_nchw(x, kernel, strides, pads, dilations, lowest, ceil_mode)
    return np.maximum(cols.max(axis=2), lowest)


def avg_pool(
    x: np.ndarray,
    kernel: Sequence[int],
    strides: Sequence[int],
    pads: Sequence[int],
    ceil_mode: bool = False,
    count_include_pad: bool = False,
) -> np.ndarray:
    """ONNX `AveragePool` over the spatial axes of `N x C x S...` (float result).

    Each output is the window's sum divided by a count: with `count_include_pad`, the
    window's positions inside the padded input `[-pad_begin, size + pad_end)` (the kernel
    size, except for ceil_mode windows running past the end padding); otherwise its
    positions inside the input `[0, size)`. Output length as in `max_pool`.
    """
    rank = len(kernel)
    dilations = [1] * rank
    x = x if x.dtype.kind == "f" else x.astype(np.float32)
    cols = im2col_nchw(x, kernel, strides, pads, dilations, 0, ceil_mode)
    sums = cols.sum(axis=2)
    out = sums.shape[2:]
    count = np.ones((), dtype=np.int64)
    for i in range(rank):
        size, begin, end = x.shape[2 + i], pads[i], pads[rank + i]
        starts = np.arange(out[i]) * strides[i] - begin
        if count_include_pad:
            axis_count = np.minimum(starts + kernel[i], size + end) - starts
        else:
            axis_count = np.minimum(starts + kernel[i], size) - np.maximum(starts, 0)
        count = np.multiply.outer(count, axis_count)
    return sums / count.astype(sums.dtype)


def topk(x: np.ndarray, k: int, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """ONNX `TopK` (largest, sorted): the `k` largest values along `axis` in descending
    order and their int64 indices; equal values keep the lower index first."""
    keys = -x if x.dtype.kind == "f" else -(x.astype(np.int64))
    order = np.argsort(keys, axis=axis, kind="stable")
    indices = np.take(order, np.arange(k), axis=axis).astype(np.int64)
    return np.take_along_axis(x, indices, axis=axis), indices


def batchnorm(
    x: np.ndarray,
    scale: np.ndarray,
    bias: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
    epsilon: float,
) -> np.ndarray:
    """ONNX `BatchNormalization` (inference, channel axis 1) as onnxruntime computes it
    (bit-exact in float32): `x * a + b` with `a = scale * (1 / sqrt(var + epsilon))` and
    `b = bias - mean * a`."""
    dtype = x.dtype
    eps = dtype.type(epsilon)
    a = scale.astype(dtype) * (dtype.type(1) / np.sqrt(var.astype(dtype) + eps))
    b = bias.astype(dtype) - mean.astype(dtype) * a
    shape = (-1, *([1] * (x.ndim - 2)))
    return x * a.reshape(shape) + b.reshape(shape)


def depth_to_space(x: np.ndarray, block: int, mode: str) -> np.ndarray:
    """ONNX DepthToSpace of an N x C x H x W array (`quant.depth_to_space`)."""
    n, c, h, w = x.shape
    depth = c // (block * block)
    if mode == "DCR":
        blocks = x.reshape(n, block, block, depth, h, w).transpose(0, 3, 4, 1, 5, 2)
    else:
        blocks = x.reshape(n, depth, block, block, h, w).transpose(0, 1, 4, 2, 5, 3)
    return blocks.reshape(n, depth, h * block, w * block)


def depth_to_space_nhwc(x: np.ndarray, block: int, mode: str) -> np.ndarray:
    """`depth_to_space` of an N x H x W x C array, in NHWC (`streamline.depth_to_space`)."""
    nchw = depth_to_space(np.transpose(x, (0, 3, 1, 2)), block, mode)
    return np.ascontiguousarray(np.transpose(nchw, (0, 2, 3, 1)))


def upsample_nearest(x: np.ndarray, scales: Sequence[int]) -> np.ndarray:
    """`y[i] = x[i // scales]` on every axis (`quant.resize`)."""
    for axis, scale in enumerate(scales):
        if scale != 1:
            x = np.repeat(x, scale, axis=axis)
    return x
