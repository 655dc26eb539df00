"""The `streamline` dialect: integer arithmetic in NHWC, with the float affine that
streamlining moves and absorbs.

Tensors are channels-last (`N x H x W x C`, or `N x C` after flattening). An element type
is either a QONNX datatype (`!quant.int<4>`, `!quant.bipolar`, ...: exact integers) or `f32`
(a float still to be absorbed). Streamlining (`passes/streamline`) rewrites until only the
graph's edges are float: the first `streamline.multithreshold` turns the float input into
integers and a final `streamline.mul`/`streamline.add` turns integers back into the float
output. Constants are `quant.constant`s (integer-typed for weights and rounded thresholds,
f64 for scales and float thresholds).

Integer ops compute exactly (in int64); float results are computed in float64 and held as
float32. Each op's docstring is its semantics; `qdialects.semantics.streamline` implements it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import (
    AnyFloat,
    DenseArrayBase,
    IntegerAttr,
    IntegerType,
    StringAttr,
    TensorType,
    i64,
)
from xdsl.ir import Attribute, Dialect, Operation, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.traits import Pure

from qdialects.quant import constant_value, matmul_shape, window_output_size
from qdialects.types import BipolarType, element_datatype
from qdialects.utils import (
    broadcast_shape,
    concatenated_shape,
    depth_to_space_shape,
    i64_array,
    ints,
    permuted_shape,
    require,
    require_i64_indices,
    require_shape,
    require_view,
    shape_of,
    sliced_shape,
    topk_shape,
    upsampled_shape,
)


def is_integer_tensor(value: SSAValue | Attribute) -> bool:
    """Whether a value (or type) is a tensor of a QONNX integer datatype."""
    return element_datatype(value.type if isinstance(value, SSAValue) else value) is not None


def is_float_tensor(value: SSAValue | Attribute) -> bool:
    type_ = value.type if isinstance(value, SSAValue) else value
    return isinstance(type_, TensorType) and isinstance(type_.element_type, AnyFloat)


def value_range(value: SSAValue) -> tuple[int, int] | None:
    """The integer range of a value's elements: exact for constants, from the datatype
    otherwise; None for float values."""
    array = constant_value(value)
    datatype = element_datatype(value.type)
    if datatype is None:
        return None
    if array is not None and array.size:
        return int(array.min()), int(array.max())
    return datatype.value_range


def _require_element(op: Operation, value: SSAValue, what: str) -> None:
    require(
        is_integer_tensor(value) or is_float_tensor(value),
        f"{op.name}: {what} must be a tensor of a QONNX datatype or of floats, got {value.type}",
    )


def _require_result(op: Operation, expected_shape: Sequence[int], integer: bool | None) -> None:
    result = op.results[0]
    require_shape(op.name, shape_of(result), expected_shape)
    if integer is None:
        return
    require(
        is_integer_tensor(result) == integer,
        f"{op.name}: result must be {'an integer' if integer else 'a float'} tensor "
        f"(an integer one exactly when every operand is), got {result.type}",
    )


def _require_fits(op: Operation, lo: int, hi: int) -> None:
    datatype = element_datatype(op.results[0].type)
    assert datatype is not None
    require(
        datatype.min_value <= lo and hi <= datatype.max_value,
        f"{op.name}: result datatype {datatype} cannot hold the range [{lo}, {hi}]",
    )


def _require_same_element(op: Operation, value: SSAValue) -> None:
    x_type, r_type = value.type, op.results[0].type
    assert isinstance(x_type, TensorType) and isinstance(r_type, TensorType)
    require(
        x_type.element_type == r_type.element_type,
        f"{op.name}: element type changes from {x_type.element_type} to {r_type.element_type}",
    )


class StreamlineOp(IRDLOperation):
    """Base of the streamline ops: properties print in the attribute dictionary."""

    irdl_options = (ParsePropInAttrDict(),)
    traits = traits_def(Pure())


# --------------------------------------------------------------------------- thresholds


@irdl_op_definition
class MultiThresholdOp(StreamlineOp):
    """Counts the thresholds each element reaches:
    `y = out_scale * Σ_i cmp_i(x, T[c, i]) + out_bias`, with `c` the last (channel) axis,
    `cmp_i(x, t) = x > t` when `strict[i]` is 1 and `x >= t` otherwise (`strict` absent
    means all 0). `T` is `C x N` or `1 x N` (shared). Float thresholds (f64) take a float or
    an integer input; rounded integer thresholds take an integer input. The result's
    QONNX datatype must hold every possible output. Strictness is how exact rounding of
    ties (round-half-even, HALF_DOWN, CEIL, ...) survives absorption: rounding the
    thresholds for an integer input turns `x > t` into `x >= floor(t) + 1`.
    """

    name = "streamline.multithreshold"
    x = operand_def(TensorType)
    thresholds = operand_def(TensorType)
    out_scale = prop_def(IntegerAttr[IntegerType])
    out_bias = prop_def(IntegerAttr[IntegerType])
    strict = opt_prop_def(DenseArrayBase)
    result = result_def(TensorType)
    assembly_format = "$x `,` $thresholds attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        x: SSAValue,
        thresholds: SSAValue,
        result_type: Attribute,
        *,
        out_scale: int = 1,
        out_bias: int = 0,
        strict: Sequence[int] | None = None,
    ):
        properties: dict[str, Attribute] = {
            "out_scale": IntegerAttr(out_scale, i64),
            "out_bias": IntegerAttr(out_bias, i64),
        }
        if strict is not None and any(strict):
            properties["strict"] = i64_array(strict)
        super().__init__(
            operands=[x, thresholds], properties=properties, result_types=[result_type]
        )

    @property
    def num_thresholds(self) -> int:
        return shape_of(self.thresholds)[1]

    def strictness(self) -> tuple[int, ...]:
        return ints(self.strict) if self.strict is not None else (0,) * self.num_thresholds

    def output_range(self) -> tuple[int, int]:
        scale, bias = self.out_scale.value.data, self.out_bias.value.data
        ends = (bias, bias + scale * self.num_thresholds)
        return min(ends), max(ends)

    def verify_(self) -> None:
        _require_element(self, self.x, "input")
        x_shape, t_shape = shape_of(self.x), shape_of(self.thresholds)
        require(len(x_shape) >= 1, "streamline.multithreshold: input must have a channel axis")
        require(len(t_shape) == 2, "streamline.multithreshold: thresholds must be C x N")
        require(
            t_shape[0] in (1, x_shape[-1]),
            f"streamline.multithreshold: {t_shape[0]} threshold rows for {x_shape[-1]} channels",
        )
        if is_integer_tensor(self.thresholds):
            require(
                is_integer_tensor(self.x),
                "streamline.multithreshold: integer thresholds need an integer input",
            )
        if self.strict is not None:
            strict = ints(self.strict)
            require(
                len(strict) == t_shape[1] and set(strict) <= {0, 1},
                f"streamline.multithreshold: strict must be {t_shape[1]} values of 0 or 1",
            )
        _require_result(self, x_shape, integer=True)
        datatype = element_datatype(self.result.type)
        if isinstance(datatype, BipolarType):
            require(
                self.output_range() == (-1, 1) and self.num_thresholds == 1,
                "streamline.multithreshold: a bipolar result needs one threshold, "
                "out_scale 2 and out_bias -1",
            )
            return
        _require_fits(self, *self.output_range())


# --------------------------------------------------------------------------- arithmetic


def matmul_range(x_range: tuple[int, int], weights: np.ndarray) -> tuple[int, int]:
    """The exact range of `Σ_k w[k, m] * x[k]` over all x in x_range, over all columns m."""
    lo_x, hi_x = x_range
    # w * x is least at x = lo_x for w >= 0 and at x = hi_x for w < 0 (lo_x <= hi_x):
    # per column, lo_x * (sum of positive w) + hi_x * (sum of negative w), and vice versa
    dtype = np.int64 if weights.dtype.kind in "iub" else None
    positive = np.where(weights > 0, weights, 0).sum(axis=0, dtype=dtype)
    negative = weights.sum(axis=0, dtype=dtype) - positive
    low = lo_x * positive + hi_x * negative
    high = hi_x * positive + lo_x * negative
    return int(low.min()), int(high.max())


class ProductOp(StreamlineOp):
    """Base of the products of an activation `x` with a weight matrix `w`."""

    x = operand_def(TensorType)
    w = operand_def(TensorType)
    result = result_def(TensorType)
    assembly_format = "$x `,` $w attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, w: SSAValue, result_type: Attribute):
        super().__init__(operands=[x, w], result_types=[result_type])

    def _require_weight_matrix(self, what: str) -> tuple[int, int]:
        w_shape = shape_of(self.w)
        require(len(w_shape) == 2, f"{self.name}: weights must be {what}")
        return w_shape[0], w_shape[1]

    def _verify_exact_product(self, expected_shape: Sequence[int]) -> None:
        """Float or integer operands; an integer result must hold every possible sum
        (checked exactly when `w` is a constant)."""
        _require_element(self, self.x, "input")
        _require_element(self, self.w, "weight")
        integer = is_integer_tensor(self.x) and is_integer_tensor(self.w)
        _require_result(self, expected_shape, integer)
        weights, x_range = constant_value(self.w), value_range(self.x)
        if integer and weights is not None and x_range is not None:
            _require_fits(self, *matmul_range(x_range, weights))


@irdl_op_definition
class MatMulOp(ProductOp):
    """Matrix product `y[..., m] = Σ_k x[..., k] * w[k, m]` (numpy.matmul). Exact when both
    operands are integer; then the result datatype must hold every possible sum (checked
    exactly when `w` is a constant)."""

    name = "streamline.matmul"

    def verify_(self) -> None:
        self._require_weight_matrix("K x M")
        self._verify_exact_product(matmul_shape(shape_of(self.x), shape_of(self.w)))


@irdl_op_definition
class XnorPopcountOp(ProductOp):
    """Binary matrix product: `y[..., m] = Σ_k [x[..., k] == w[k, m]]`, the number of
    agreeing signs, for bipolar `x` and `w`. (The bipolar product `Σ x·w` is `2y - K`.)"""

    name = "streamline.xnor_popcount"

    def verify_(self) -> None:
        for what, value in (("input", self.x), ("weight", self.w)):
            require(
                isinstance(element_datatype(value.type), BipolarType),
                f"streamline.xnor_popcount: {what} must be bipolar, got {value.type}",
            )
        k, _ = self._require_weight_matrix("K x M")
        _require_result(self, matmul_shape(shape_of(self.x), shape_of(self.w)), integer=True)
        _require_fits(self, 0, k)


@irdl_op_definition
class DepthwiseMatMulOp(ProductOp):
    """Depthwise product over im2col columns: `y[..., c] = Σ_k w[k, c] * x[..., k*C + c]`
    for `x` of last axis `K*C` (the `streamline.im2col` order) and `w` of shape `K x C`."""

    name = "streamline.dw_matmul"

    def verify_(self) -> None:
        x_shape = shape_of(self.x)
        k, c = self._require_weight_matrix("K x C")
        require(
            x_shape[-1] == k * c,
            f"streamline.dw_matmul: input has {x_shape[-1]} columns, weights need {k} x {c}",
        )
        self._verify_exact_product((*x_shape[:-1], c))


class AffineOp(StreamlineOp):
    """Base of the broadcasting binary arithmetic ops."""

    x = operand_def(TensorType)
    y = operand_def(TensorType)
    result = result_def(TensorType)
    assembly_format = "$x `,` $y attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, y: SSAValue, result_type: Attribute):
        super().__init__(operands=[x, y], result_types=[result_type])

    def integer_range(self, a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
        raise NotImplementedError

    def verify_(self) -> None:
        _require_element(self, self.x, "lhs")
        _require_element(self, self.y, "rhs")
        integer = is_integer_tensor(self.x) and is_integer_tensor(self.y)
        _require_result(self, broadcast_shape(shape_of(self.x), shape_of(self.y)), integer)
        a, b = value_range(self.x), value_range(self.y)
        if integer and a is not None and b is not None:
            _require_fits(self, *self.integer_range(a, b))


@irdl_op_definition
class MulOp(AffineOp):
    """`x * y` with numpy broadcasting (typically y a scalar or per-channel constant)."""

    name = "streamline.mul"

    def integer_range(self, a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
        products = [p * q for p in a for q in b]
        return min(products), max(products)


@irdl_op_definition
class AddOp(AffineOp):
    """`x + y` with numpy broadcasting: a bias, or a residual join of two streams."""

    name = "streamline.add"

    def integer_range(self, a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
        return a[0] + b[0], a[1] + b[1]


# --------------------------------------------------------------------------- windows


def window_shape(
    in_shape: Sequence[int],
    kernel: Sequence[int],
    stride: Sequence[int],
    pads: Sequence[int],
    dilation: Sequence[int] = (1, 1),
) -> tuple[int, int]:
    """Output (OH, OW) of a 2-D window over NHWC; pads are [top, left, bottom, right]."""
    return (
        window_output_size(in_shape[1], kernel[0], stride[0], pads[0], pads[2], dilation[0], False),
        window_output_size(in_shape[2], kernel[1], stride[1], pads[1], pads[3], dilation[1], False),
    )


class WindowOp(StreamlineOp):
    """Base of the 2-D sliding-window ops over NHWC tensors."""

    x = operand_def(TensorType)
    kernel = prop_def(DenseArrayBase)
    stride = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def dilation(self) -> tuple[int, ...]:
        return (1, 1)

    def window_checks(self) -> tuple[int, int]:
        _require_element(self, self.x, "input")
        x_shape = shape_of(self.x)
        require(len(x_shape) == 4, f"{self.name}: input must be N x H x W x C")
        kernel, stride, pads = ints(self.kernel), ints(self.stride), ints(self.pads)
        require(len(kernel) == 2 and min(kernel) >= 1, f"{self.name}: kernel must be 2 sizes >= 1")
        require(len(stride) == 2 and min(stride) >= 1, f"{self.name}: stride must be 2 values >= 1")
        require(len(pads) == 4 and min(pads) >= 0, f"{self.name}: pads must be 4 values >= 0")
        dilation = self.dilation()
        require(
            len(dilation) == 2 and min(dilation) >= 1,
            f"{self.name}: dilation must be 2 values >= 1",
        )
        out_h, out_w = window_shape(x_shape, kernel, stride, pads, dilation)
        require(out_h >= 1 and out_w >= 1, f"{self.name}: the window does not fit the input")
        return out_h, out_w


@irdl_op_definition
class Im2ColOp(WindowOp):
    """Sliding-window columns of an NHWC tensor zero-padded by `pads`
    ([top, left, bottom, right]): `y[n, oy, ox, (ky*KW + kx)*C + c] =
    xpad[n, oy*SH + ky*DH, ox*SW + kx*DW, c]`. Zero is in every datatype's range except
    bipolar, so a bipolar input may not be padded."""

    name = "streamline.im2col"
    window_dilation = prop_def(DenseArrayBase, prop_name="dilation")

    def dilation(self) -> tuple[int, ...]:
        return ints(self.window_dilation)

    def verify_(self) -> None:
        out_h, out_w = self.window_checks()
        n, _, _, c = shape_of(self.x)
        kh, kw = ints(self.kernel)
        require(
            not (isinstance(element_datatype(self.x.type), BipolarType) and any(ints(self.pads))),
            "streamline.im2col: a bipolar input cannot be zero-padded",
        )
        _require_result(self, (n, out_h, out_w, kh * kw * c), integer=None)
        _require_same_element(self, self.x)


@irdl_op_definition
class MaxPoolOp(WindowOp):
    """The maximum of each window of an NHWC tensor; padded positions never win."""

    name = "streamline.maxpool"

    def verify_(self) -> None:
        out_h, out_w = self.window_checks()
        n, _, _, c = shape_of(self.x)
        _require_result(self, (n, out_h, out_w, c), integer=None)
        _require_same_element(self, self.x)


@irdl_op_definition
class SumPoolOp(WindowOp):
    """The sum of each window of an NHWC tensor (padding adds zeros). An average pool is
    this followed by a `streamline.mul` by 1/window size."""

    name = "streamline.sum_pool"

    def verify_(self) -> None:
        out_h, out_w = self.window_checks()
        n, _, _, c = shape_of(self.x)
        integer = is_integer_tensor(self.x)
        _require_result(self, (n, out_h, out_w, c), integer=integer)
        x_range = value_range(self.x)
        if integer and x_range is not None:
            size = math.prod(ints(self.kernel))
            _require_fits(self, min(0, size * x_range[0]), max(0, size * x_range[1]))


@irdl_op_definition
class GlobalSumOp(StreamlineOp):
    """The per-channel sum over all pixels: `N x H x W x C -> N x 1 x 1 x C`."""

    name = "streamline.global_sum"
    x = operand_def(TensorType)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        _require_element(self, self.x, "input")
        x_shape = shape_of(self.x)
        require(len(x_shape) == 4, "streamline.global_sum: input must be N x H x W x C")
        integer = is_integer_tensor(self.x)
        _require_result(self, (x_shape[0], 1, 1, x_shape[3]), integer=integer)
        x_range = value_range(self.x)
        if integer and x_range is not None:
            pixels = x_shape[1] * x_shape[2]
            _require_fits(self, min(0, pixels * x_range[0]), max(0, pixels * x_range[1]))


# --------------------------------------------------------------------------- data movement


@irdl_op_definition
class ReshapeOp(StreamlineOp):
    """The same elements in row-major order, viewed with the result's shape."""

    name = "streamline.reshape"
    x = operand_def(TensorType)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, result_type: Attribute):
        super().__init__(operands=[x], result_types=[result_type])

    def verify_(self) -> None:
        require_view(self.name, shape_of(self.x), shape_of(self.result))
        _require_same_element(self, self.x)


@irdl_op_definition
class TransposeOp(StreamlineOp):
    """`numpy.transpose(x, perm)`: `result.shape[i] = x.shape[perm[i]]`."""

    name = "streamline.transpose"
    x = operand_def(TensorType)
    perm = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        _require_result(self, permuted_shape(self.name, shape_of(self.x), ints(self.perm)), None)
        _require_same_element(self, self.x)


@irdl_op_definition
class UpsampleOp(StreamlineOp):
    """Nearest-neighbour upsampling by integer factors:
    `y[i_0, ..., i_k] = x[i_0 // s_0, ..., i_k // s_k]` with `s = scales` (one integer
    >= 1 per axis; NHWC for a feature map), so `y.shape[a] = x.shape[a] · s_a`. The
    element type is kept."""

    name = "streamline.upsample"
    x = operand_def(TensorType)
    scales = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        _require_result(self, upsampled_shape(self.name, shape_of(self.x), ints(self.scales)), None)
        _require_same_element(self, self.x)


@irdl_op_definition
class DepthToSpaceOp(StreamlineOp):
    """ONNX `DepthToSpace` on an N x H x W x C (NHWC) tensor with block size b: the result
    is N x H·b x W·b x C/b² with `y[n, h·b + i, w·b + j, c] = x[n, h, w, k]`,
    `k = (i·b + j)·C/b² + c` in `DCR` mode and `k = c·b² + i·b + j` in `CRD` mode. The
    element type is kept."""

    name = "streamline.depth_to_space"
    x = operand_def(TensorType)
    blocksize = prop_def(IntegerAttr[IntegerType])
    mode = prop_def(StringAttr)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        expected = depth_to_space_shape(
            self.name, shape_of(self.x), self.blocksize.value.data, self.mode.data
        )
        _require_result(self, expected, None)
        _require_same_element(self, self.x)


@irdl_op_definition
class SliceOp(StreamlineOp):
    """`y = x[starts[0]:ends[0]:steps[0], ...]` (numpy basic slicing, one range per axis:
    steps >= 1, 0 <= start <= end <= the axis length). The element type is kept."""

    name = "streamline.slice"
    x = operand_def(TensorType)
    starts = prop_def(DenseArrayBase)
    ends = prop_def(DenseArrayBase)
    steps = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def ranges(self) -> tuple[slice, ...]:
        """The numpy index of the slice."""
        bounds = zip(ints(self.starts), ints(self.ends), ints(self.steps), strict=True)
        return tuple(slice(b, e, s) for b, e, s in bounds)

    def verify_(self) -> None:
        ranges = (ints(self.starts), ints(self.ends), ints(self.steps))
        _require_result(self, sliced_shape(self.name, shape_of(self.x), *ranges), None)
        _require_same_element(self, self.x)


@irdl_op_definition
class ConcatOp(StreamlineOp):
    """The inputs joined along `axis`; all inputs share the result's element type."""

    name = "streamline.concat"
    inputs = var_operand_def(TensorType)
    axis = prop_def(IntegerAttr[IntegerType])
    result = result_def(TensorType)
    assembly_format = "$inputs attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        shapes = [shape_of(v) for v in self.inputs]
        expected = concatenated_shape(self.name, shapes, self.axis.value.data)
        _require_result(self, expected, integer=None)
        for value in self.inputs:
            _require_same_element(self, value)


@irdl_op_definition
class TopKOp(StreamlineOp):
    """The `k` largest values along the last axis in descending order, and their indices
    (`tensor<...xi64>`); equal values keep the lower index first."""

    name = "streamline.topk"
    x = operand_def(TensorType)
    k = prop_def(IntegerAttr[IntegerType])
    values = result_def(TensorType)
    indices = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        x_shape = shape_of(self.x)
        expected = topk_shape(self.name, x_shape, len(x_shape) - 1, self.k.value.data)
        require_shape(self.name, shape_of(self.values), expected)
        require_shape(self.name, shape_of(self.indices), expected)
        require_i64_indices(self.name, self.indices.type)


Streamline = Dialect(
    "streamline",
    [
        MultiThresholdOp,
        MatMulOp,
        XnorPopcountOp,
        DepthwiseMatMulOp,
        MulOp,
        AddOp,
        Im2ColOp,
        MaxPoolOp,
        SumPoolOp,
        GlobalSumOp,
        ReshapeOp,
        TransposeOp,
        UpsampleOp,
        DepthToSpaceOp,
        SliceOp,
        ConcatOp,
        TopKOp,
    ],
)
