"""Helpers shared by the dialects: numpy <-> dense attributes, shapes, verifier checks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import cast

import numpy as np
from xdsl.dialects.builtin import (
    AnyFloat,
    BytesAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    Float32Type,
    Float64Type,
    IntegerType,
    TensorType,
    f32,
    f64,
    i8,
    i16,
    i32,
    i64,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.utils.exceptions import VerifyException

MAX_TENSOR_ELEMENTS = 2**31 - 1
"""The most elements a tensor may have: the parser and the importer refuse larger
shapes as absurd (one line) before anything allocates them."""

_NUMPY_OF_ELEMENT: dict[Attribute, type[np.generic]] = {
    f32: np.float32,
    f64: np.float64,
    i8: np.int8,
    i16: np.int16,
    i32: np.int32,
    i64: np.int64,
}


def storage_element_type(values: np.ndarray) -> Attribute:
    """The builtin element type that stores `values` compactly and exactly.

    Floats are stored as f32 (QONNX computes in float32); integer-valued arrays as the
    narrowest of i8/i16/i32/i64 that holds them.
    """
    if values.dtype.kind == "f":
        return f64 if values.dtype == np.float64 else f32
    lo, hi = (int(values.min()), int(values.max())) if values.size else (0, 0)
    for element, dtype in ((i8, np.int8), (i16, np.int16), (i32, np.int32)):
        info = np.iinfo(dtype)
        if info.min <= lo and hi <= info.max:
            return element
    return i64


def dense_from_numpy(
    values: np.ndarray, element: Attribute | None = None
) -> DenseIntOrFPElementsAttr:
    """A dense attribute built from the array's raw bytes (never from a Python list)."""
    element = element or storage_element_type(values)
    dtype = _NUMPY_OF_ELEMENT[element]
    data = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    type_ = TensorType(element, list(values.shape))
    return DenseIntOrFPElementsAttr(type_, BytesAttr(data.tobytes()))  # pyright: ignore[reportArgumentType]


def storage_size(attr: DenseIntOrFPElementsAttr) -> int | None:
    """The bytes a dense attribute of its type holds (None for an element type numpy
    has no dtype for). xDSL's parser accepts a hex literal of any length that yields
    enough elements, e.g. 5 bytes for a `tensor<1xf32>`."""
    dtype = _NUMPY_OF_ELEMENT.get(attr.get_element_type())
    if dtype is None:
        return None
    return math.prod(attr.get_shape()) * np.dtype(dtype).itemsize


def numpy_from_dense(attr: DenseIntOrFPElementsAttr) -> np.ndarray:
    """The array a dense attribute holds, with its shape (float32/float64 or int64)."""
    element = attr.get_element_type()
    dtype = _NUMPY_OF_ELEMENT.get(element)
    if dtype is None:
        raise VerifyException(f"unsupported dense element type {element}")
    values = np.frombuffer(attr.data.data, dtype=np.dtype(dtype).newbyteorder("<"))
    shape = attr.get_shape()
    values = values.reshape(shape) if shape else values.reshape(())
    if isinstance(element, IntegerType):
        return values.astype(np.int64)
    return values.astype(dtype)


def i64_array(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, list(values))


def ints(array: DenseArrayBase) -> tuple[int, ...]:
    """The values of an integer array property (`array<i64: ...>`)."""
    return tuple(int(v) for v in cast(DenseArrayBase[IntegerType], array).get_values())


def shape_of(value: SSAValue | Attribute) -> tuple[int, ...]:
    """The static shape of a ranked tensor value or type."""
    type_ = value.type if isinstance(value, SSAValue) else value
    if not isinstance(type_, TensorType):
        raise VerifyException(f"expected a ranked tensor, got {type_}")
    return tuple(type_.get_shape())


def is_float_tensor(type_: Attribute) -> bool:
    return isinstance(type_, TensorType) and isinstance(type_.element_type, AnyFloat)


def is_f32_tensor(type_: Attribute) -> bool:
    return isinstance(type_, TensorType) and isinstance(type_.element_type, Float32Type)


def is_f64(type_: Attribute) -> bool:
    return isinstance(type_, Float64Type)


def broadcast_shape(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The numpy/ONNX multidirectional broadcast of shapes, or a VerifyException."""
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError as error:
        raise VerifyException(
            f"shapes {' and '.join(map(str, shapes))} do not broadcast"
        ) from error


def require(condition: bool, message: str) -> None:
    """Raise a VerifyException with `message` unless `condition` holds."""
    if not condition:
        raise VerifyException(message)


# --------------------------------------------------------------------------- shape rules
# Verifier rules shared by the data-movement ops of several dialects; each raises a
# VerifyException whose message starts with the op's name.


def require_shape(op_name: str, actual: Sequence[int], expected: Sequence[int]) -> None:
    """The result shape `actual` must be `expected`."""
    require(
        tuple(actual) == tuple(expected),
        f"{op_name}: result shape {tuple(actual)} does not match the expected {tuple(expected)}",
    )


def require_view(op_name: str, x_shape: Sequence[int], result_shape: Sequence[int]) -> None:
    """A reshape keeps the number of elements."""
    require(
        math.prod(x_shape) == math.prod(result_shape),
        f"{op_name}: cannot view {tuple(x_shape)} as {tuple(result_shape)}",
    )


def permuted_shape(op_name: str, x_shape: Sequence[int], perm: Sequence[int]) -> tuple[int, ...]:
    """The shape of `numpy.transpose(x, perm)`; `perm` must permute the axes."""
    require(
        sorted(perm) == list(range(len(x_shape))),
        f"{op_name}: perm {list(perm)} is not a permutation of the {len(x_shape)} axes",
    )
    return tuple(x_shape[p] for p in perm)


def upsampled_shape(op_name: str, x_shape: Sequence[int], scales: Sequence[int]) -> tuple[int, ...]:
    """The shape of `x` repeated `scales[a]` times along each axis a (one integer >= 1
    per axis)."""
    require(
        len(scales) == len(x_shape) and all(s >= 1 for s in scales),
        f"{op_name}: scales {list(scales)} must be {len(x_shape)} integers >= 1",
    )
    return tuple(d * s for d, s in zip(x_shape, scales, strict=True))


def depth_to_space_shape(
    op_name: str, x_shape: Sequence[int], block: int, mode: str
) -> tuple[int, ...]:
    """The N x H·b x W·b x C/b² shape of a depth-to-space of an N x H x W x C tensor;
    b >= 1, b² divides C, mode DCR or CRD."""
    require(len(x_shape) == 4, f"{op_name}: input must be N x H x W x C")
    require(mode in ("DCR", "CRD"), f"{op_name}: mode must be DCR or CRD")
    n, h, w, c = x_shape
    require(
        block >= 1 and c % (block * block) == 0,
        f"{op_name}: blocksize {block} squared must divide the {c} channels",
    )
    return (n, h * block, w * block, c // (block * block))


def sliced_shape(
    op_name: str,
    x_shape: Sequence[int],
    starts: Sequence[int],
    ends: Sequence[int],
    steps: Sequence[int],
) -> tuple[int, ...]:
    """The shape of `x[starts[0]:ends[0]:steps[0], ...]`: one range per axis, steps >= 1
    and 0 <= start <= end <= the axis length."""
    rank = len(x_shape)
    require(
        len(starts) == len(ends) == len(steps) == rank,
        f"{op_name}: starts, ends and steps must have {rank} entries",
    )
    ranges = list(zip(starts, ends, steps, strict=True))
    require(
        all(s >= 1 and 0 <= b <= e <= d for (b, e, s), d in zip(ranges, x_shape, strict=True)),
        f"{op_name}: ranges {list(starts)}:{list(ends)}:{list(steps)} out of {tuple(x_shape)}",
    )
    return tuple(-(-(e - b) // s) for b, e, s in ranges)


def concatenated_shape(op_name: str, shapes: Sequence[Sequence[int]], axis: int) -> tuple[int, ...]:
    """The shape of the inputs joined along `axis`; all other axes must agree."""
    require(len(shapes) >= 1, f"{op_name}: needs at least one input")
    require(0 <= axis < len(shapes[0]), f"{op_name}: axis {axis} out of range")
    for shape in shapes:
        require(
            len(shape) == len(shapes[0])
            and all(
                d == e for i, (d, e) in enumerate(zip(shape, shapes[0], strict=True)) if i != axis
            ),
            f"{op_name}: input shapes {[tuple(s) for s in shapes]} differ outside axis {axis}",
        )
    expected = list(shapes[0])
    expected[axis] = sum(s[axis] for s in shapes)
    return tuple(expected)


def topk_shape(op_name: str, x_shape: Sequence[int], axis: int, k: int) -> tuple[int, ...]:
    """The shape of the `k` largest values (and of their indices) along `axis`."""
    require(0 <= axis < len(x_shape), f"{op_name}: axis {axis} out of range")
    require(1 <= k <= x_shape[axis], f"{op_name}: k={k} must be in [1, {x_shape[axis]}]")
    expected = list(x_shape)
    expected[axis] = k
    return tuple(expected)


def require_i64_indices(op_name: str, type_: Attribute) -> None:
    require(
        isinstance(type_, TensorType) and type_.element_type == i64,
        f"{op_name}: indices must be i64",
    )
