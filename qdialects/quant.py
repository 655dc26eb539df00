"""The `quant` dialect: the QONNX graph as Brevitas exported it, op for op.

Every tensor at this level is a float tensor (`tensor<...xf32>`) in ONNX's NCHW layout;
the QONNX quantizers (`quant.quant`, `quant.bipolar_quant`, `quant.trunc`,
`quant.multithreshold`) say which of them hold quantized values. Each op's docstring gives
its exact semantics; `qdialects.semantics.quant` implements exactly that text.
Attributes resolved from ONNX initializers (shapes, pads, axes) are properties, so every
shape in the module is static and checked by the verifiers.

One cohesive module although it is over 800 lines: the dialect is one table, an IRDL op
per ONNX op type the importer takes (each a docstring and a verifier of a few dozen
lines), grouped by section (quantizers, linear algebra, pooling, data movement, float
tails, layout ops) over the shape checks they share at the top.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import (
    BoolAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    Float32Type,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
    TensorType,
)
from xdsl.ir import Attribute, Dialect, Operation, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import ConstantLike, Pure
from xdsl.utils.exceptions import VerifyException

from qdialects.ir import print_dense
from qdialects.types import DATATYPES, QDataType
from qdialects.utils import (
    broadcast_shape,
    concatenated_shape,
    depth_to_space_shape,
    ints,
    numpy_from_dense,
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

ROUNDING_MODES = ("ROUND", "CEIL", "FLOOR", "UP", "DOWN", "HALF_UP", "HALF_DOWN")
"""QONNX rounding modes: ROUND is half-to-even (np.round), DOWN rounds toward zero (np.fix),
UP away from zero, HALF_UP/HALF_DOWN round halves away from/toward zero."""


def constant_value(value: SSAValue) -> np.ndarray | None:
    """The array held by `value` when a `quant.constant` defines it, else None."""
    owner = value.owner
    if isinstance(owner, ConstantOp):
        return owner.numpy()
    return None


def _tensor_type(value: SSAValue) -> TensorType[Attribute]:
    type_ = value.type
    require(isinstance(type_, TensorType), f"expected a ranked tensor, got {type_}")
    assert isinstance(type_, TensorType)
    return type_  # pyright: ignore[reportUnknownVariableType]


def _require_shape(op: Operation, actual: Sequence[int], expected: Sequence[int]) -> None:
    require_shape(op.name, actual, expected)


def _op_checked(op: Operation, check, *args):
    """`check(*args)`, with the op's name in front of any VerifyException it raises."""
    try:
        return check(*args)
    except VerifyException as error:
        raise VerifyException(f"{op.name}: {error}") from error


def _require_constant(op: Operation, value: SSAValue, what: str, check, reason: str) -> None:
    """When `value` is a constant, require `check(array)`; dynamic values are checked at runtime."""
    array = constant_value(value)
    if array is not None and not check(array):
        raise VerifyException(f"{op.name}: {what} {reason}, got {array.flatten()[:8].tolist()}")


class QuantDialectOp(IRDLOperation):
    """Base of the quant ops: properties print in the attribute dictionary; ops are pure."""

    irdl_options = (ParsePropInAttrDict(),)
    traits = traits_def(Pure())


@irdl_op_definition
class ConstantOp(QuantDialectOp):
    """A constant tensor, used for weights, scales and every other initializer.

    `value` holds the data as raw little-endian bytes (printed as hex when large). The
    result has the value's shape. Its element type is either the value's own element type
    or, for integer data, a QONNX datatype (`!quant.int<4>` ...) that every element fits.
    """

    name = "quant.constant"
    value = prop_def(DenseIntOrFPElementsAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure(), ConstantLike())

    def __init__(self, value: DenseIntOrFPElementsAttr, result_type: Attribute | None = None):
        super().__init__(properties={"value": value}, result_types=[result_type or value.type])

    def print(self, printer: Printer) -> None:
        """`quant.constant dense<...> : tensor<...>`, then `-> type` when the result type
        differs from the value's (a QONNX datatype)."""
        printer.print_string(" ")
        print_dense(printer, self.value)  # xDSL's own printer is slow for large weights
        if self.result.type != self.value.type:
            printer.print_string(" -> ")
            printer.print_attribute(self.result.type)
        printer.print_op_attributes(self.attributes)

    @classmethod
    def parse(cls, parser: Parser) -> ConstantOp:
        pos = parser.pos
        value = parser.parse_attribute()
        if not isinstance(value, DenseIntOrFPElementsAttr):
            parser.raise_error("expected a dense elements attribute", pos, parser.pos)
        result_type = parser.parse_type() if parser.parse_optional_punctuation("->") else None
        op = cls(value, result_type)
        op.attributes = parser.parse_optional_attr_dict()
        return op

    def numpy(self) -> np.ndarray:
        return numpy_from_dense(self.value)

    def verify_(self) -> None:
        result_type = _tensor_type(self.result)
        require(
            tuple(result_type.get_shape()) == tuple(self.value.get_shape()),
            f"quant.constant: result shape {tuple(result_type.get_shape())} differs from the "
            f"value's {tuple(self.value.get_shape())}",
        )
        element = result_type.element_type
        if not isinstance(element, QDataType):
            require(
                element == self.value.get_element_type(),
                f"quant.constant: result element type {element} differs from the value's "
                f"{self.value.get_element_type()}",
            )
            return
        require(
            isinstance(self.value.get_element_type(), IntegerType),
            "quant.constant: a QONNX-typed constant must hold integer data",
        )
        require(
            element.allows(self.numpy()),
            f"quant.constant: values do not fit {element}",
        )


# --------------------------------------------------------------------------- quantizers


def _quantizer_checks(op: Operation, x: SSAValue, params: dict[str, SSAValue]) -> None:
    x_shape = shape_of(x)
    for what, value in params.items():
        require(
            _op_checked(op, broadcast_shape, x_shape, shape_of(value)) == x_shape,
            f"{op.name}: {what} of shape {shape_of(value)} does not broadcast to the input "
            f"{x_shape}",
        )
    _require_shape(op, shape_of(op.results[0]), x_shape)


def _check_rounding_mode(op: Operation, mode: StringAttr) -> None:
    require(
        mode.data.upper() in ROUNDING_MODES,
        f"{op.name}: unknown rounding mode {mode.data!r} (expected one of "
        f"{', '.join(ROUNDING_MODES)})",
    )


def _positive(array: np.ndarray) -> bool:
    return bool(np.all(array > 0) and np.all(np.isfinite(array)))


def _valid_bitwidth(array: np.ndarray) -> bool:
    return bool(np.all(array >= 1) and np.all(np.round(array) == array))


@irdl_op_definition
class QuantOp(QuantDialectOp):
    """QONNX `Quant`: uniform integer quantization, returned dequantized.

    With `q = x / scale + zeropt` (broadcast), the integer is
    `i = rounding_mode(clip(q, min, max))` — clamp first, then round — and the result is
    `(i - zeropt) * scale`. For bitwidth b:
    `min = signed ? (narrow ? -2^(b-1)+1 : -2^(b-1)) : 0`,
    `max = signed ? 2^(b-1)-1 : (narrow ? 2^b-2 : 2^b-1)`.
    A signed quantizer of bitwidth 1 is bipolar: `i = q >= 0 ? 1 : -1` (no clamp or
    rounding; the result is still `(i - zeropt) * scale`).
    Computed in float32 in exactly this order, like qonnx's `int_quant`.
    Invariants: scale > 0, bitwidth an integer >= 1, known rounding mode, parameters
    broadcast to the input, result shaped like the input.
    """

    name = "quant.quant"
    x = operand_def(TensorType)
    scale = operand_def(TensorType)
    zeropt = operand_def(TensorType)
    bitwidth = operand_def(TensorType)
    signed = prop_def(BoolAttr)
    narrow = prop_def(BoolAttr)
    rounding_mode = prop_def(StringAttr)
    result = result_def(TensorType)
    assembly_format = (
        "$x `scale` $scale `zeropt` $zeropt `bitwidth` $bitwidth attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(
        self,
        x: SSAValue,
        scale: SSAValue,
        zeropt: SSAValue,
        bitwidth: SSAValue,
        *,
        signed: bool,
        narrow: bool,
        rounding_mode: str = "ROUND",
    ):
        super().__init__(
            operands=[x, scale, zeropt, bitwidth],
            properties={
                "signed": BoolAttr.from_bool(signed),
                "narrow": BoolAttr.from_bool(narrow),
                "rounding_mode": StringAttr(rounding_mode),
            },
            result_types=[x.type],
        )

    def verify_(self) -> None:
        _check_rounding_mode(self, self.rounding_mode)
        _quantizer_checks(
            self, self.x, {"scale": self.scale, "zeropt": self.zeropt, "bitwidth": self.bitwidth}
        )
        _require_constant(self, self.scale, "scale", _positive, "must be positive")
        _require_constant(
            self, self.bitwidth, "bitwidth", _valid_bitwidth, "must be an integer >= 1"
        )
        _require_constant(
            self, self.zeropt, "zeropt", lambda z: bool(np.all(np.isfinite(z))), "must be finite"
        )


@irdl_op_definition
class BipolarQuantOp(QuantDialectOp):
    """QONNX `BipolarQuant`: `result = (x >= 0 ? 1 : -1) * scale`. Invariant: scale > 0."""

    name = "quant.bipolar_quant"
    x = operand_def(TensorType)
    scale = operand_def(TensorType)
    result = result_def(TensorType)
    assembly_format = "$x `scale` $scale attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, scale: SSAValue):
        super().__init__(operands=[x, scale], result_types=[x.type])

    def verify_(self) -> None:
        _quantizer_checks(self, self.x, {"scale": self.scale})
        _require_constant(self, self.scale, "scale", _positive, "must be positive")


@irdl_op_definition
class TruncOp(QuantDialectOp):
    """QONNX `Trunc`: drop least-significant bits of a quantized value (average pooling).

    Both versions start with `q = round_half_even(x / scale + zeropt)`.
    v1 (no `out_scale`): `t = rounding_mode(q / 2^(in_bitwidth - out_bitwidth))`,
    result `(t - zeropt) * scale`.
    v2 (with `out_scale`): `s = 2^round(log2(out_scale / scale))`,
    `t = rounding_mode(clip(q / s, min, max))` with min/max of `out_bitwidth` as in
    `quant.quant` (`signed`, `narrow`), result `(t - zeropt / s) * out_scale`.
    Invariants: scale > 0, out_scale > 0, bitwidths integers >= 1, known rounding mode.
    """

    name = "quant.trunc"
    x = operand_def(TensorType)
    scale = operand_def(TensorType)
    zeropt = operand_def(TensorType)
    in_bitwidth = operand_def(TensorType)
    out_bitwidth = operand_def(TensorType)
    out_scale = opt_operand_def(TensorType)
    rounding_mode = prop_def(StringAttr)
    signed = prop_def(BoolAttr, default_value=BoolAttr.from_bool(True))
    narrow = prop_def(BoolAttr, default_value=BoolAttr.from_bool(False))
    result = result_def(TensorType)
    assembly_format = (
        "$x `scale` $scale `zeropt` $zeropt `in_bitwidth` $in_bitwidth `out_bitwidth` "
        "$out_bitwidth (`out_scale` $out_scale^)? attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self,
        x: SSAValue,
        scale: SSAValue,
        zeropt: SSAValue,
        in_bitwidth: SSAValue,
        out_bitwidth: SSAValue,
        out_scale: SSAValue | None = None,
        *,
        rounding_mode: str = "FLOOR",
        signed: bool = True,
        narrow: bool = False,
    ):
        super().__init__(
            operands=[x, scale, zeropt, in_bitwidth, out_bitwidth, out_scale],
            properties={
                "rounding_mode": StringAttr(rounding_mode),
                "signed": BoolAttr.from_bool(signed),
                "narrow": BoolAttr.from_bool(narrow),
            },
            result_types=[x.type],
        )

    @property
    def version(self) -> int:
        return 1 if self.out_scale is None else 2

    def verify_(self) -> None:
        _check_rounding_mode(self, self.rounding_mode)
        params = {
            "scale": self.scale,
            "zeropt": self.zeropt,
            "in_bitwidth": self.in_bitwidth,
            "out_bitwidth": self.out_bitwidth,
        }
        if self.out_scale is not None:
            params["out_scale"] = self.out_scale
            _require_constant(self, self.out_scale, "out_scale", _positive, "must be positive")
        _quantizer_checks(self, self.x, params)
        _require_constant(self, self.scale, "scale", _positive, "must be positive")
        for what in ("in_bitwidth", "out_bitwidth"):
            _require_constant(self, params[what], what, _valid_bitwidth, "must be an integer >= 1")


DATA_LAYOUTS = ("NCHW", "NHWC", "NC")


@irdl_op_definition
class MultiThresholdOp(QuantDialectOp):
    """QONNX `MultiThreshold`: `y = out_scale * Σ_i [v >= T[c, i]] + out_bias`.

    `c` is the channel of each element of `v`: axis 1 for `NCHW`/`NC` layouts, the last
    axis for `NHWC`. `thresholds` is `C x N` (N thresholds per channel) or `1 x N` (shared
    by all channels); their order does not matter. `out_dtype` names the QONNX datatype of
    the integer count plus bias (e.g. `UINT2`, `INT4`, `BIPOLAR`), for information.
    On float tensors the sum is computed in float32 as `out_scale * count + out_bias`.
    Invariants: `NC` needs a 2-D input, `NHWC` a 4-D one (qonnx takes the channel axis
    from the layout string), `NCHW` any rank >= 2.
    """

    name = "quant.multithreshold"
    v = operand_def(TensorType)
    thresholds = operand_def(TensorType)
    out_scale = prop_def(FloatAttr[Float32Type])
    out_bias = prop_def(FloatAttr[Float32Type])
    out_dtype = prop_def(StringAttr)
    data_layout = prop_def(StringAttr)
    result = result_def(TensorType)
    assembly_format = "$v `,` $thresholds attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        v: SSAValue,
        thresholds: SSAValue,
        *,
        out_scale: float = 1.0,
        out_bias: float = 0.0,
        out_dtype: str = "",
        data_layout: str = "NCHW",
    ):
        super().__init__(
            operands=[v, thresholds],
            properties={
                "out_scale": FloatAttr(out_scale, 32),
                "out_bias": FloatAttr(out_bias, 32),
                "out_dtype": StringAttr(out_dtype),
                "data_layout": StringAttr(data_layout),
            },
            result_types=[v.type],
        )

    def channel_axis(self) -> int:
        return len(shape_of(self.v)) - 1 if self.data_layout.data == "NHWC" else 1

    def verify_(self) -> None:
        require(
            self.data_layout.data in DATA_LAYOUTS,
            f"quant.multithreshold: unknown data_layout {self.data_layout.data!r}",
        )
        v_shape, t_shape = shape_of(self.v), shape_of(self.thresholds)
        require(len(v_shape) >= 2, "quant.multithreshold: input must have a channel axis")
        layout = self.data_layout.data
        require(
            layout == "NCHW" or len(v_shape) == len(layout),
            f"quant.multithreshold: data_layout {layout} needs a {len(layout)}-D input, "
            f"got {len(v_shape)}-D",
        )
        require(len(t_shape) == 2, "quant.multithreshold: thresholds must be 2-D (C x N)")
        channels = v_shape[self.channel_axis()]
        require(
            t_shape[0] in (1, channels),
            f"quant.multithreshold: {t_shape[0]} threshold rows for {channels} channels",
        )
        _require_shape(self, shape_of(self.result), v_shape)


# --------------------------------------------------------------------------- linear algebra


def _pads_ok(pads: Sequence[int], rank: int) -> bool:
    return len(pads) == 2 * rank and all(p >= 0 for p in pads)


def window_output_size(
    size: int, kernel: int, stride: int, pad_begin: int, pad_end: int, dilation: int, ceil: bool
) -> int:
    """Output length of a sliding window along one axis (ONNX Conv/Pool formula).

    `floor(span / stride) + 1` with `span = size + pads - dilation * (kernel - 1) - 1`;
    with `ceil` it is `ceil(span / stride) + 1`, less one when that last window would start
    in the end padding (onnxruntime and PyTorch drop such a window).
    """
    span = size + pad_begin + pad_end - dilation * (kernel - 1) - 1
    if not ceil:
        return span // stride + 1
    steps = -(-span // stride)
    if steps * stride >= size + pad_begin:
        steps -= 1
    return steps + 1


def _spatial_shape(
    in_spatial: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    pads: Sequence[int],
    dilations: Sequence[int],
    ceil: bool = False,
) -> list[int]:
    rank = len(in_spatial)
    return [
        window_output_size(
            in_spatial[i], kernel[i], strides[i], pads[i], pads[i + rank], dilations[i], ceil
        )
        for i in range(rank)
    ]


def _window_checks(op: Operation, rank: int, kernel, strides, pads, dilations) -> None:
    require(len(kernel) == rank, f"{op.name}: kernel rank {len(kernel)} != spatial rank {rank}")
    require(all(k >= 1 for k in kernel), f"{op.name}: kernel sizes must be >= 1")
    require(
        len(strides) == rank and all(s >= 1 for s in strides),
        f"{op.name}: strides must be {rank} integers >= 1",
    )
    require(
        len(dilations) == rank and all(d >= 1 for d in dilations),
        f"{op.name}: dilations must be {rank} integers >= 1",
    )
    require(_pads_ok(pads, rank), f"{op.name}: pads must be {2 * rank} integers >= 0")


@irdl_op_definition
class ConvOp(QuantDialectOp):
    """ONNX `Conv` (NCHW): grouped, strided, dilated, padded cross-correlation.

    `x: N x C x H x W`, `weight: M x C/group x kH x kW`, optional `bias: M`.
    `y[n, m, oy, ox] = bias[m] + Σ_{c, ky, kx} weight[m, c, ky, kx] *
    xpad[n, g*C/group + c, oy*sH + ky*dH, ox*sW + kx*dW]` with `g = m / (M/group)` and
    `xpad` zero-padded by `pads = [top, left, bottom, right]`.
    `group == C` with `C/group == 1` is a depthwise convolution.
    """

    name = "quant.conv"
    x = operand_def(TensorType)
    weight = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    strides = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    dilations = prop_def(DenseArrayBase)
    group = prop_def(IntegerAttr[IntegerType])
    result = result_def(TensorType)
    assembly_format = (
        "$x `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)"
    )

    def verify_(self) -> None:
        x_shape, w_shape = shape_of(self.x), shape_of(self.weight)
        require(len(x_shape) >= 3, "quant.conv: input must be N x C x spatial...")
        require(len(w_shape) == len(x_shape), "quant.conv: weight rank differs from the input's")
        group = self.group.value.data
        channels, out_channels = x_shape[1], w_shape[0]
        require(group >= 1, "quant.conv: group must be >= 1")
        require(
            channels % group == 0 and out_channels % group == 0,
            f"quant.conv: group {group} does not divide channels {channels} and {out_channels}",
        )
        require(
            w_shape[1] == channels // group,
            f"quant.conv: weight has {w_shape[1]} input channels, expected {channels // group}",
        )
        if self.bias is not None:
            require(
                shape_of(self.bias) == (out_channels,),
                f"quant.conv: bias must have shape ({out_channels},)",
            )
        rank = len(x_shape) - 2
        kernel = w_shape[2:]
        strides, pads, dilations = ints(self.strides), ints(self.pads), ints(self.dilations)
        _window_checks(self, rank, kernel, strides, pads, dilations)
        spatial = _spatial_shape(x_shape[2:], kernel, strides, pads, dilations)
        _require_shape(self, shape_of(self.result), [x_shape[0], out_channels, *spatial])

    @property
    def is_depthwise(self) -> bool:
        return self.group.value.data == shape_of(self.x)[1] and shape_of(self.weight)[1] == 1


@irdl_op_definition
class GemmOp(QuantDialectOp):
    """ONNX `Gemm`: `y = alpha * A' @ B' + beta * C` with `A' = transA ? A^T : A`,
    `B' = transB ? B^T : B`; `C` is optional (dynamo exports omit it) and broadcasts."""

    name = "quant.gemm"
    a = operand_def(TensorType)
    b = operand_def(TensorType)
    c = opt_operand_def(TensorType)
    alpha = prop_def(FloatAttr[Float32Type])
    beta = prop_def(FloatAttr[Float32Type])
    trans_a = prop_def(BoolAttr)
    trans_b = prop_def(BoolAttr)
    result = result_def(TensorType)
    assembly_format = "$a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        a_shape, b_shape = shape_of(self.a), shape_of(self.b)
        require(len(a_shape) == 2 and len(b_shape) == 2, "quant.gemm: A and B must be 2-D")
        m, k = a_shape[::-1] if self.trans_a.value.data else a_shape
        k2, n = b_shape[::-1] if self.trans_b.value.data else b_shape
        require(k == k2, f"quant.gemm: inner dimensions {k} and {k2} differ")
        if self.c is not None:
            require(
                _op_checked(self, broadcast_shape, (m, n), shape_of(self.c)) == (m, n),
                f"quant.gemm: C of shape {shape_of(self.c)} does not broadcast to {(m, n)}",
            )
        _require_shape(self, shape_of(self.result), (m, n))


def matmul_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """numpy.matmul's result shape for ranks >= 1, or a VerifyException."""
    if not a or not b:
        raise VerifyException(f"matmul operands must have rank >= 1, got {a} and {b}")
    a2 = (1, *a) if len(a) == 1 else a
    b2 = (*b, 1) if len(b) == 1 else b
    require(a2[-1] == b2[-2], f"matmul inner dimensions {a2[-1]} and {b2[-2]} differ")
    batch = broadcast_shape(a2[:-2], b2[:-2])
    shape = (*batch, a2[-2], b2[-1])
    if len(a) == 1:
        shape = shape[:-2] + shape[-1:]
    if len(b) == 1:
        shape = shape[:-1]
    return shape


@irdl_op_definition
class MatMulOp(QuantDialectOp):
    """ONNX `MatMul`: numpy matrix product with broadcast batch dimensions."""

    name = "quant.matmul"
    a = operand_def(TensorType)
    b = operand_def(TensorType)
    result = result_def(TensorType)
    assembly_format = "$a `,` $b attr-dict `:` functional-type(operands, results)"

    def __init__(self, a: SSAValue, b: SSAValue, result_type: Attribute):
        super().__init__(operands=[a, b], result_types=[result_type])

    def verify_(self) -> None:
        _require_shape(
            self,
            shape_of(self.result),
            _op_checked(self, matmul_shape, shape_of(self.a), shape_of(self.b)),
        )


class ElementwiseBinaryOp(QuantDialectOp):
    """Base of the broadcasting binary ops: the result has the broadcast shape."""

    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    assembly_format = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue, result_type: Attribute):
        super().__init__(operands=[lhs, rhs], result_types=[result_type])

    def verify_(self) -> None:
        expected = _op_checked(self, broadcast_shape, shape_of(self.lhs), shape_of(self.rhs))
        _require_shape(self, shape_of(self.result), expected)


@irdl_op_definition
class AddOp(ElementwiseBinaryOp):
    """ONNX `Add`: `lhs + rhs` with numpy broadcasting."""

    name = "quant.add"


@irdl_op_definition
class SubOp(ElementwiseBinaryOp):
    """ONNX `Sub`: `lhs - rhs` with numpy broadcasting."""

    name = "quant.sub"


@irdl_op_definition
class MulOp(ElementwiseBinaryOp):
    """ONNX `Mul`: `lhs * rhs` with numpy broadcasting."""

    name = "quant.mul"


@irdl_op_definition
class DivOp(ElementwiseBinaryOp):
    """ONNX `Div`: `lhs / rhs` with numpy broadcasting (float division)."""

    name = "quant.div"


@irdl_op_definition
class BatchNormOp(QuantDialectOp):
    """ONNX `BatchNormalization` in inference mode, channel axis 1:
    `y = scale[c] * (x - mean[c]) / sqrt(var[c] + epsilon) + bias[c]`, computed in float32
    as onnxruntime does (bit-exact): `y = x * a[c] + b[c]` with
    `a = scale * (1 / sqrt(var + epsilon))` and `b = bias - mean * a` (the Mul + Add that
    streamlining turns it into)."""

    name = "quant.batchnorm"
    x = operand_def(TensorType)
    scale = operand_def(TensorType)
    bias = operand_def(TensorType)
    mean = operand_def(TensorType)
    var = operand_def(TensorType)
    epsilon = prop_def(FloatAttr[Float32Type])
    result = result_def(TensorType)
    assembly_format = "$x `,` $scale `,` $bias `,` $mean `,` $var attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        x_shape = shape_of(self.x)
        require(len(x_shape) >= 2, "quant.batchnorm: input must have a channel axis")
        for what in ("scale", "bias", "mean", "var"):
            require(
                shape_of(getattr(self, what)) == (x_shape[1],),
                f"quant.batchnorm: {what} must have shape ({x_shape[1]},)",
            )
        require(self.epsilon.value.data >= 0, "quant.batchnorm: epsilon must be >= 0")
        _require_shape(self, shape_of(self.result), x_shape)


class UnaryOp(QuantDialectOp):
    """Base of shape-preserving unary ops."""

    x = operand_def(TensorType)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue):
        super().__init__(operands=[x], result_types=[x.type])

    def verify_(self) -> None:
        _require_shape(self, shape_of(self.result), shape_of(self.x))


@irdl_op_definition
class ReluOp(UnaryOp):
    """ONNX `Relu`: `max(x, 0)`."""

    name = "quant.relu"


@irdl_op_definition
class IdentityOp(UnaryOp):
    """ONNX `Identity`: the input, unchanged."""

    name = "quant.identity"


# --------------------------------------------------------------------------- pooling


class PoolOp(QuantDialectOp):
    """Base of the windowed pools over the spatial axes of an NCHW tensor."""

    x = operand_def(TensorType)
    kernel_shape = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    ceil_mode = prop_def(BoolAttr, default_value=BoolAttr.from_bool(False))
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def dilations(self) -> tuple[int, ...]:
        return (1,) * len(ints(self.kernel_shape))

    def verify_(self) -> None:
        x_shape = shape_of(self.x)
        require(len(x_shape) >= 3, f"{self.name}: input must be N x C x spatial...")
        kernel, strides, pads = ints(self.kernel_shape), ints(self.strides), ints(self.pads)
        dilations = self.dilations()
        _window_checks(self, len(x_shape) - 2, kernel, strides, pads, dilations)
        spatial = _spatial_shape(
            x_shape[2:], kernel, strides, pads, dilations, bool(self.ceil_mode.value.data)
        )
        _require_shape(self, shape_of(self.result), [*x_shape[:2], *spatial])


@irdl_op_definition
class MaxPoolOp(PoolOp):
    """ONNX `MaxPool`: the maximum of each window's in-bounds elements, starting from the
    lowest finite float (as onnxruntime does: a window of padding only, possible with
    dilations, yields -3.4028235e38). Output lengths as in `window_output_size`."""

    name = "quant.maxpool"
    pool_dilations = prop_def(DenseArrayBase, prop_name="dilations")

    def dilations(self) -> tuple[int, ...]:
        return ints(self.pool_dilations)


@irdl_op_definition
class AveragePoolOp(PoolOp):
    """ONNX `AveragePool`: the sum of each window divided by a count. With
    `count_include_pad` the count is the number of window positions inside the padded
    input `[-pad_begin, size + pad_end)` on every axis — the kernel size, except for a
    `ceil_mode` window that runs past the end padding; otherwise only the positions inside
    the input `[0, size)` count. Output lengths as in `window_output_size`."""

    name = "quant.avgpool"
    count_include_pad = prop_def(BoolAttr, default_value=BoolAttr.from_bool(False))


@irdl_op_definition
class GlobalAveragePoolOp(QuantDialectOp):
    """ONNX `GlobalAveragePool`: the mean over all spatial axes, kept as size-1 axes."""

    name = "quant.global_avgpool"
    x = operand_def(TensorType)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        x_shape = shape_of(self.x)
        require(len(x_shape) >= 3, "quant.global_avgpool: input must be N x C x spatial...")
        _require_shape(self, shape_of(self.result), [*x_shape[:2], *([1] * (len(x_shape) - 2))])


class ReductionOp(QuantDialectOp):
    """Base of the ONNX reductions over `axes` (non-negative, sorted, distinct); with
    `keepdims` reduced axes stay as size 1, else they are dropped."""

    x = operand_def(TensorType)
    axes = prop_def(DenseArrayBase)
    keepdims = prop_def(BoolAttr)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        x_shape = shape_of(self.x)
        axes = ints(self.axes)
        require(
            all(0 <= a < len(x_shape) for a in axes) and list(axes) == sorted(set(axes)),
            f"{self.name}: axes {list(axes)} must be sorted, distinct and in range",
        )
        keep = bool(self.keepdims.value.data)
        expected = [1 if i in axes else d for i, d in enumerate(x_shape) if keep or i not in axes]
        _require_shape(self, shape_of(self.result), expected)


@irdl_op_definition
class ReduceMeanOp(ReductionOp):
    """ONNX `ReduceMean`: the mean over `axes` (see `ReductionOp` for the shape)."""

    name = "quant.reduce_mean"


@irdl_op_definition
class ReduceMaxOp(ReductionOp):
    """ONNX `ReduceMax`: the maximum over `axes` (see `ReductionOp` for the shape); a
    host-side float op (it never becomes hardware)."""

    name = "quant.reduce_max"


# --------------------------------------------------------------------------- data movement


@irdl_op_definition
class ReshapeOp(QuantDialectOp):
    """ONNX `Reshape` with a constant shape (resolved at import): the same elements in
    row-major order, viewed with the result's shape."""

    name = "quant.reshape"
    x = operand_def(TensorType)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, result_type: Attribute):
        super().__init__(operands=[x], result_types=[result_type])

    def verify_(self) -> None:
        require_view(self.name, shape_of(self.x), shape_of(self.result))


@irdl_op_definition
class FlattenOp(QuantDialectOp):
    """ONNX `Flatten`: a 2-D view `prod(shape[:axis]) x prod(shape[axis:])`."""

    name = "quant.flatten"
    x = operand_def(TensorType)
    axis = prop_def(IntegerAttr[IntegerType])
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        x_shape = shape_of(self.x)
        axis = self.axis.value.data
        require(0 <= axis <= len(x_shape), f"quant.flatten: axis {axis} out of range")
        expected = (math.prod(x_shape[:axis]), math.prod(x_shape[axis:]))
        _require_shape(self, shape_of(self.result), expected)


@irdl_op_definition
class TransposeOp(QuantDialectOp):
    """ONNX `Transpose`: `result.shape[i] = x.shape[perm[i]]` (numpy.transpose)."""

    name = "quant.transpose"
    x = operand_def(TensorType)
    perm = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        expected = permuted_shape(self.name, shape_of(self.x), ints(self.perm))
        _require_shape(self, shape_of(self.result), expected)


@irdl_op_definition
class ConcatOp(QuantDialectOp):
    """ONNX `Concat`: the inputs joined along `axis` (non-negative); other axes must agree."""

    name = "quant.concat"
    inputs = var_operand_def(TensorType)
    axis = prop_def(IntegerAttr[IntegerType])
    result = result_def(TensorType)
    assembly_format = "$inputs attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        shapes = [shape_of(v) for v in self.inputs]
        expected = concatenated_shape(self.name, shapes, self.axis.value.data)
        _require_shape(self, shape_of(self.result), expected)


@irdl_op_definition
class PadOp(QuantDialectOp):
    """ONNX `Pad` in constant mode: `pads = [begin_0, ..., begin_k, end_0, ..., end_k]`
    elements of `value` are added before and after each axis."""

    name = "quant.pad"
    x = operand_def(TensorType)
    pads = prop_def(DenseArrayBase)
    value = prop_def(FloatAttr[Float32Type])
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        x_shape, pads = shape_of(self.x), ints(self.pads)
        require(
            _pads_ok(pads, len(x_shape)),
            f"quant.pad: pads must be {2 * len(x_shape)} integers >= 0",
        )
        rank = len(x_shape)
        expected = [d + pads[i] + pads[i + rank] for i, d in enumerate(x_shape)]
        _require_shape(self, shape_of(self.result), expected)


@irdl_op_definition
class TopKOp(QuantDialectOp):
    """ONNX `TopK` (largest, sorted) along `axis`: the `k` largest values in descending
    order and their indices (`tensor<...xi64>`); equal values keep the lower index first."""

    name = "quant.topk"
    x = operand_def(TensorType)
    k = prop_def(IntegerAttr[IntegerType])
    axis = prop_def(IntegerAttr[IntegerType])
    values = result_def(TensorType)
    indices = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        expected = topk_shape(self.name, shape_of(self.x), self.axis.value.data, self.k.value.data)
        _require_shape(self, shape_of(self.values), expected)
        _require_shape(self, shape_of(self.indices), expected)
        require_i64_indices(self.name, self.indices.type)


# --------------------------------------------------------------------------- float tails
# Ops a QONNX graph applies to the float result of the integer part (a final Softmax,
# ArgMax, Sigmoid, ...). They never become hardware: the lowering keeps them as they are,
# outside the integer region, and they run on the host (reference semantics and csim).

HOST_OP_NAMES = (
    "quant.softmax",
    "quant.argmax",
    "quant.sigmoid",
    "quant.exp",
    "quant.reduce_max",
)
"""The quant ops that `lower-quant-to-streamline` keeps as they are: they run on the host
(before or after the accelerator). One left between integer tensors is refused by the
`streamline` check, which names it."""

HOST_BINARY_OP_NAMES = ("quant.add", "quant.sub", "quant.mul", "quant.div")
"""The elementwise ops that run on the host when both operands are computed tensors
(broadcasting, or other than an add): `lower-quant-to-streamline` keeps those as they are."""


@irdl_op_definition
class SoftmaxOp(QuantDialectOp):
    """ONNX `Softmax` (opset 13) along `axis` (non-negative):
    `y = exp(x - max(x)) / sum(exp(x - max(x)))`, max and sum over `axis`, in float32."""

    name = "quant.softmax"
    x = operand_def(TensorType)
    axis = prop_def(IntegerAttr[IntegerType])
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        x_shape = shape_of(self.x)
        axis = self.axis.value.data
        require(0 <= axis < len(x_shape), f"quant.softmax: axis {axis} out of range")
        _require_shape(self, shape_of(self.result), x_shape)


@irdl_op_definition
class ArgMaxOp(QuantDialectOp):
    """ONNX `ArgMax` along `axis` (non-negative): the index (`i64`) of the largest
    element; of equal largest elements the first, or the last with `select_last_index`.
    With `keepdims` the axis stays as size 1, else it is dropped."""

    name = "quant.argmax"
    x = operand_def(TensorType)
    axis = prop_def(IntegerAttr[IntegerType])
    keepdims = prop_def(BoolAttr)
    select_last_index = prop_def(BoolAttr)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        x_shape = shape_of(self.x)
        axis = self.axis.value.data
        require(0 <= axis < len(x_shape), f"quant.argmax: axis {axis} out of range")
        expected = list(x_shape)
        if self.keepdims.value.data:
            expected[axis] = 1
        else:
            del expected[axis]
        _require_shape(self, shape_of(self.result), expected)
        require_i64_indices(self.name, self.result.type)


@irdl_op_definition
class SigmoidOp(UnaryOp):
    """ONNX `Sigmoid`: `1 / (1 + exp(-x))` in float32."""

    name = "quant.sigmoid"


@irdl_op_definition
class ExpOp(UnaryOp):
    """ONNX `Exp`: `exp(x)` in float32."""

    name = "quant.exp"


# --------------------------------------------------------------------------- layout ops


@irdl_op_definition
class DepthToSpaceOp(QuantDialectOp):
    """ONNX `DepthToSpace` on an N x C x H x W tensor with block size b: the result is
    N x C/b² x H·b x W·b with `y[n, c, h·b + i, w·b + j] = x[n, k, h, w]` where
    `k = (i·b + j)·C/b² + c` in `DCR` mode and `k = c·b² + i·b + j` in `CRD` mode.
    Invariants: b >= 1, b² divides C, mode is DCR or CRD."""

    name = "quant.depth_to_space"
    x = operand_def(TensorType)
    blocksize = prop_def(IntegerAttr[IntegerType])
    mode = prop_def(StringAttr)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        x_shape = shape_of(self.x)
        require(len(x_shape) == 4, "quant.depth_to_space: input must be N x C x H x W")
        n, c, h, w = x_shape
        _, out_h, out_w, out_c = depth_to_space_shape(
            self.name, (n, h, w, c), self.blocksize.value.data, self.mode.data
        )
        _require_shape(self, shape_of(self.result), (n, out_c, out_h, out_w))


@irdl_op_definition
class ResizeOp(QuantDialectOp):
    """Nearest-neighbour upsampling by integer factors (ONNX `Resize` in `nearest` mode
    and `Upsample`, whose coordinate rules the importer checks reduce to this):
    `y[i_0, ..., i_k] = x[i_0 // s_0, ..., i_k // s_k]`, `s = scales` (one integer >= 1
    per axis), so `y.shape[a] = x.shape[a] · s_a`."""

    name = "quant.resize"
    x = operand_def(TensorType)
    scales = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        expected = upsampled_shape(self.name, shape_of(self.x), ints(self.scales))
        _require_shape(self, shape_of(self.result), expected)


@irdl_op_definition
class SliceOp(QuantDialectOp):
    """ONNX `Slice` with constant ranges (resolved at import, one entry per axis):
    `y = x[starts[0]:ends[0]:steps[0], ...]` (numpy basic slicing; steps >= 1, and
    0 <= starts <= ends <= the axis length)."""

    name = "quant.slice"
    x = operand_def(TensorType)
    starts = prop_def(DenseArrayBase)
    ends = prop_def(DenseArrayBase)
    steps = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        ranges = (ints(self.starts), ints(self.ends), ints(self.steps))
        expected = sliced_shape(self.name, shape_of(self.x), *ranges)
        _require_shape(self, shape_of(self.result), expected)


@irdl_op_definition
class SplitOp(QuantDialectOp):
    """ONNX `Split`: consecutive parts of `x` along `axis` (non-negative), part i of
    `sizes[i]` elements; the sizes add up to the axis length."""

    name = "quant.split"
    x = operand_def(TensorType)
    axis = prop_def(IntegerAttr[IntegerType])
    sizes = prop_def(DenseArrayBase)
    outputs = var_result_def(TensorType)
    assembly_format = "$x attr-dict `:` functional-type(operands, results)"

    def verify_(self) -> None:
        x_shape = shape_of(self.x)
        axis, sizes = self.axis.value.data, ints(self.sizes)
        require(0 <= axis < len(x_shape), f"quant.split: axis {axis} out of range")
        require(
            len(sizes) == len(self.outputs) and all(s >= 1 for s in sizes),
            f"quant.split: {len(sizes)} sizes for {len(self.outputs)} results",
        )
        require(
            sum(sizes) == x_shape[axis],
            f"quant.split: sizes {list(sizes)} do not add up to {x_shape[axis]}",
        )
        for size, output in zip(sizes, self.outputs, strict=True):
            expected = list(x_shape)
            expected[axis] = size
            _require_shape(self, shape_of(output), expected)


Quant = Dialect(
    "quant",
    [
        ConstantOp,
        QuantOp,
        BipolarQuantOp,
        TruncOp,
        MultiThresholdOp,
        ConvOp,
        GemmOp,
        MatMulOp,
        AddOp,
        SubOp,
        MulOp,
        DivOp,
        BatchNormOp,
        ReluOp,
        IdentityOp,
        MaxPoolOp,
        AveragePoolOp,
        GlobalAveragePoolOp,
        ReduceMeanOp,
        ReduceMaxOp,
        SoftmaxOp,
        ArgMaxOp,
        SigmoidOp,
        ExpOp,
        DepthToSpaceOp,
        ResizeOp,
        SliceOp,
        SplitOp,
        ReshapeOp,
        FlattenOp,
        TransposeOp,
        ConcatOp,
        PadOp,
        TopKOp,
    ],
    list(DATATYPES),
)
