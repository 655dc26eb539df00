"""QONNX datatypes as xDSL type attributes.

These are the element types of integer tensors from the streamline level on:
`tensor<1x64x!quant.uint<2>>` is a tensor whose every element is an integer in [0, 3].
They are registered in the `quant` dialect, so they print as `!quant.<name>`.

| type                | values                  | bits |
|---------------------|-------------------------|------|
| `!quant.int<N>`     | [-2^(N-1), 2^(N-1)-1]   | N    |
| `!quant.uint<N>`    | [0, 2^N-1]              | N    |
| `!quant.bipolar`    | {-1, +1}                | 1    |
| `!quant.binary`     | {0, 1}                  | 1    |
| `!quant.ternary`    | {-1, 0, +1}             | 2    |
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np
from xdsl.dialects.builtin import IntAttr, TensorType
from xdsl.ir import Attribute, ParametrizedAttribute, TypeAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

MAX_INT_BITS = 64
"""Widest integer datatype the compiler represents (values are held in int64)."""


class QDataType(ParametrizedAttribute, TypeAttribute, ABC):
    """An integer-valued QONNX datatype: a closed range of integers with a bit width."""

    @property
    @abstractmethod
    def min_value(self) -> int: ...

    @property
    @abstractmethod
    def max_value(self) -> int: ...

    @property
    @abstractmethod
    def bitwidth(self) -> int: ...

    @property
    def signed(self) -> bool:
        return self.min_value < 0

    @property
    def value_range(self) -> tuple[int, int]:
        """`(min_value, max_value)`: the closed range of the datatype's integers."""
        return self.min_value, self.max_value

    def allows(self, values: np.ndarray) -> bool:
        """Whether every element of `values` is an integer this datatype can hold."""
        if values.size == 0:
            return True
        if not np.all(np.isfinite(values)) or not np.all(np.round(values) == values):
            return False
        return bool(values.min() >= self.min_value and values.max() <= self.max_value)

    def qonnx_name(self) -> str:
        """The name qonnx's `DataType` uses (`INT4`, `UINT2`, `BIPOLAR`, ...)."""
        return self.name.removeprefix("quant.").upper()


class _WidthType(QDataType):
    width: IntAttr

    def __init__(self, width: int | IntAttr):
        super().__init__(IntAttr(width) if isinstance(width, int) else width)

    @property
    def bitwidth(self) -> int:
        return self.width.data

    def verify(self) -> None:
        if not 1 <= self.width.data <= MAX_INT_BITS:
            raise VerifyException(
                f"!{self.name} width must be in [1, {MAX_INT_BITS}], got {self.width.data}"
            )

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<{self.width.data}>")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list[Attribute]:
        with parser.in_angle_brackets():
            width = parser.parse_integer(allow_boolean=False, allow_negative=False)
        return [IntAttr(width)]

    def qonnx_name(self) -> str:
        return f"{super().qonnx_name()}{self.bitwidth}"


@irdl_attr_definition
class IntType(_WidthType):
    """`!quant.int<N>`: signed two's-complement integers of N bits."""

    name = "quant.int"
    width: IntAttr  # re-declared: parameters only count for equality where declared

    def __init__(self, width: int | IntAttr):
        super().__init__(width)

    @property
    def min_value(self) -> int:
        return -(1 << (self.bitwidth - 1))

    @property
    def max_value(self) -> int:
        return (1 << (self.bitwidth - 1)) - 1


@irdl_attr_definition
class UIntType(_WidthType):
    """`!quant.uint<N>`: unsigned integers of N bits."""

    name = "quant.uint"
    width: IntAttr  # re-declared: parameters only count for equality where declared

    def __init__(self, width: int | IntAttr):
        super().__init__(width)

    @property
    def min_value(self) -> int:
        return 0

    @property
    def max_value(self) -> int:
        return (1 << self.bitwidth) - 1


class _FixedType(QDataType):
    RANGE: ClassVar[tuple[int, int, int]]

    @property
    def min_value(self) -> int:
        return self.RANGE[0]

    @property
    def max_value(self) -> int:
        return self.RANGE[1]

    @property
    def bitwidth(self) -> int:
        return self.RANGE[2]


@irdl_attr_definition
class BipolarType(_FixedType):
    """`!quant.bipolar`: the two values {-1, +1}, held in one bit (0 means -1)."""

    name = "quant.bipolar"
    RANGE = (-1, 1, 1)

    def allows(self, values: np.ndarray) -> bool:
        return bool(np.all((values == 1) | (values == -1)))


@irdl_attr_definition
class BinaryType(_FixedType):
    """`!quant.binary`: the two values {0, 1}."""

    name = "quant.binary"
    RANGE = (0, 1, 1)


@irdl_attr_definition
class TernaryType(_FixedType):
    """`!quant.ternary`: the three values {-1, 0, +1}, held in two bits."""

    name = "quant.ternary"
    RANGE = (-1, 1, 2)


DATATYPES: tuple[type[QDataType], ...] = (IntType, UIntType, BipolarType, BinaryType, TernaryType)


def smallest_datatype(lo: int, hi: int) -> QDataType:
    """The tightest `!quant.int`/`!quant.uint` holding every integer in [lo, hi].

    Unsigned when lo >= 0. Bipolar/binary/ternary are never chosen here: they describe
    quantizers, not ranges.
    """
    if lo > hi:
        raise ValueError(f"empty range [{lo}, {hi}]")
    if lo >= 0:
        return UIntType(max(1, int(hi).bit_length()))
    bits = max(int(hi).bit_length(), int(-lo - 1).bit_length()) + 1
    if bits > MAX_INT_BITS:
        raise ValueError(f"range [{lo}, {hi}] needs more than {MAX_INT_BITS} bits")
    return IntType(bits)


def datatype_of_values(values: np.ndarray) -> QDataType:
    """The tightest integer datatype holding every element of an integer-valued array."""
    if values.size == 0:
        return UIntType(1)
    return smallest_datatype(int(values.min()), int(values.max()))


def element_datatype(type_: Attribute) -> QDataType | None:
    """The QONNX datatype of a tensor type's elements, or None if they are not one."""
    if isinstance(type_, TensorType) and isinstance(type_.element_type, QDataType):
        return type_.element_type
    return None
