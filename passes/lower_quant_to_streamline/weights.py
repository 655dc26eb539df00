"""Weights read at compile time: a quantizer of a constant (or the `mul(integer constant,
scale)` it is folded into) as integers, QONNX datatype and scale; the quantizer datatypes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.ir import Operation, SSAValue

from passes.lower_quant_to_streamline.builder import fail
from passes.lower_quant_to_streamline.constants import fold_constant
from qdialects import quant
from qdialects import streamline as sl
from qdialects.quant import constant_value
from qdialects.semantics import kernels
from qdialects.types import (
    MAX_INT_BITS,
    BipolarType,
    QDataType,
    element_datatype,
    smallest_datatype,
)


@dataclass
class Weight:
    """A weight operand read at compile time: `ints * scale` (integer weights from a
    quantizer, `datatype` their QONNX type, `scale` broadcast to their shape) or `floats`."""

    ints: np.ndarray | None
    datatype: QDataType | None
    scale: np.ndarray | None
    floats: np.ndarray

    def output_channel_scale(self, axis: int) -> np.ndarray | None:
        """The scale as a vector along `axis` when it is constant along every other axis
        (per-tensor or per-output-channel); None otherwise."""
        assert self.scale is not None
        moved = np.moveaxis(self.scale, axis, 0).reshape(self.scale.shape[axis], -1)
        if not np.all(moved == moved[:, :1]):
            return None
        return moved[:, 0]


def quantizer_params(op: quant.QuantOp) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    params = [constant_value(v) for v in (op.scale, op.zeropt, op.bitwidth)]
    if any(p is None for p in params):
        return None
    scale, zeropt, bitwidth = (np.asarray(p, dtype=np.float64) for p in params if p is not None)
    return scale, zeropt, bitwidth


def quantizer_datatype(signed: bool, narrow: bool, bitwidth: int) -> QDataType:
    """The tightest QONNX type of a quantizer's range: bipolar for signed 1 bit, else
    `int<b>`/`uint<b>` (narrow ranges keep their width: {-1, 0, 1} is `int<2>`)."""
    if signed and bitwidth == 1:
        return BipolarType()
    return width_datatype(signed, bitwidth)


def width_datatype(signed: bool, bitwidth: int) -> QDataType:
    """`!quant.int<bitwidth>` or `!quant.uint<bitwidth>`."""
    if signed:
        return smallest_datatype(-(1 << (bitwidth - 1)), (1 << (bitwidth - 1)) - 1)
    return smallest_datatype(0, (1 << bitwidth) - 1)


def read_weight(value: SSAValue, user: Operation) -> Weight | None:
    """`value` as a compile-time weight, or None when it is not computed from constants.

    Recognizes a float constant, a quantizer of a constant (folded here) and the
    `mul(integer constant, scale)` that `LowerQuant` folds a weight quantizer into.
    A weight quantizer with a non-zero zero-point is an error.
    """
    owner = value.owner
    if isinstance(owner, quant.QuantOp) and (x := constant_value(owner.x)) is not None:
        params = quantizer_params(owner)
        if params is None:
            return None
        scale, zeropt, bitwidth = params
        if np.any(zeropt != 0):
            raise fail(owner, "weight quantizer with a non-zero zero-point is not supported")
        if np.any(np.isnan(x)):
            raise fail(owner, "weight quantizer of a constant holding NaN")
        check_bits(owner, bitwidth, "bitwidth")
        signed, narrow = bool(owner.signed.value.data), bool(owner.narrow.value.data)
        ints_ = kernels.quantize_int(
            x.astype(np.float32),
            scale.astype(np.float32),
            zeropt.astype(np.float32),
            bitwidth,
            signed=signed,
            narrow=narrow,
            mode=owner.rounding_mode.data,
        )
        datatype = quantizer_datatype(signed, narrow, int(bitwidth.max()))
        full_scale = np.broadcast_to(scale, x.shape).astype(np.float64)
        floats = fold_constant(value)
        assert floats is not None
        return Weight(ints_, datatype, full_scale, floats)
    if isinstance(owner, quant.BipolarQuantOp) and (x := constant_value(owner.x)) is not None:
        scale = constant_value(owner.scale)
        if scale is None:
            return None
        ints_ = np.where(x >= 0, 1, -1).astype(np.int64)
        floats = fold_constant(value)
        assert floats is not None
        full_scale = np.broadcast_to(scale.astype(np.float64), x.shape)
        return Weight(ints_, BipolarType(), full_scale, floats)
    if isinstance(owner, sl.MulOp):
        ints_ = constant_value(owner.x)
        datatype = element_datatype(owner.x.type)
        scale = constant_value(owner.y)
        if ints_ is not None and datatype is not None and scale is not None:
            floats = fold_constant(value)
            assert floats is not None
            full_scale = np.broadcast_to(scale.astype(np.float64), ints_.shape)
            return Weight(ints_, datatype, full_scale, floats)
    floats = fold_constant(value)
    if floats is None:
        return None
    if floats.dtype.kind != "f":
        datatype = element_datatype(value.type)
        return Weight(floats, datatype, np.ones(floats.shape), floats.astype(np.float32))
    return Weight(None, None, None, floats)


def check_bits(op: Operation, bits: np.ndarray, what: str) -> None:
    """A bitwidth wider than the widest integer type (or infinite) is an error."""
    if not np.all(bits <= MAX_INT_BITS):
        raise fail(op, f"{what} {float(np.max(bits)):.15g} is more than {MAX_INT_BITS} bits")
