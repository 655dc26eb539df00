"""Text <-> IR: parse and print qnn modules, and print large constants quickly.

`parse_module(text)` and `print_module(module)` use a context with every qnn dialect
(`qdialects.make_context()`). Printing a module the parser produced gives the same text
back.
"""

from __future__ import annotations

import math
import re
from io import StringIO
from typing import TextIO

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    IntegerType,
    ModuleOp,
)
from xdsl.ir import Region
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.utils.exceptions import ParseError, VerifyException
from xdsl.utils.lexer import Input, Span

from qdialects.utils import MAX_TENSOR_ELEMENTS, storage_size

HEX_THRESHOLD = 100
"""xDSL prints a non-splat dense attribute with more elements than this as one hex string."""


def parse_module(
    text: str | bytes,
    ctx: Context | None = None,
    name: str = "<string>",
    *,
    implicit_module: bool = True,
) -> ModuleOp:
    """Parse a module (xDSL syntax; `bytes` must be UTF-8). Raises xDSL's `ParseError`
    (with line:column), also for input that is not UTF-8, for a shape with more than
    `MAX_TENSOR_ELEMENTS` elements, and for the values xDSL's attribute constructors
    reject with a ValueError or OverflowError (an integer out of its type's range, a float
    too large for f32) or the parser with an AssertionError (an unexpected token). An operand used before its definition and a dense attribute whose
    bytes do not match its type, which xDSL accepts, are a `VerifyException`."""
    from qdialects import make_context

    if isinstance(text, bytes):
        text = _decode(text, name)
    _check_tensor_sizes(text, name)
    parser = Parser(ctx or make_context(), text, name)
    try:
        module = parser.parse_module(implicit_module)
    except (ValueError, OverflowError) as error:
        message = next((s.strip() for s in str(error).splitlines() if s.strip()), "")
        raise ParseError(parser._current_token.span, message or type(error).__name__) from error
    except AssertionError as error:  # xDSL asserts a token's kind in places (complex literals)
        token = parser._current_token
        raise ParseError(token.span, f"unexpected '{token.text}'") from error
    _check_definitions_precede_uses(module)
    _check_dense_sizes(module)
    return module


def _check_dense_sizes(module: ModuleOp) -> None:
    """Raise a VerifyException for a dense attribute whose bytes do not match its type:
    xDSL's parser accepts a hex literal of any length that yields enough elements
    (`dense<"0x0000803F00"> : tensor<1xf32>`), and printing it then crashes."""
    for op in module.walk():
        for name, attr in [*op.properties.items(), *op.attributes.items()]:
            if not isinstance(attr, DenseIntOrFPElementsAttr):
                continue
            size = storage_size(attr)
            if size is not None and size != len(attr.data.data):
                raise VerifyException(
                    f"{op.name}: '{name}' holds {len(attr.data.data)} bytes of data for "
                    f"{attr.get_type()} ({size} bytes)"
                )


def _check_definitions_precede_uses(module: ModuleOp) -> None:
    """Raise a VerifyException for an operand defined after its use (or in a region the
    use is not nested in). xDSL's parser resolves such forward references and its
    verifier does not check dominance, so passes would meet values used before they
    exist. Regions with several blocks and graph regions (the module's, an `hw.module`
    body) are not checked between their blocks."""
    visible: set[int] = set()

    def visit(region: Region, strict: bool) -> None:
        scope = [v for block in region.blocks for v in block.args]
        if not strict or len(region.blocks) > 1:
            scope += [r for block in region.blocks for op in block.ops for r in op.results]
        added = [id(v) for v in scope if id(v) not in visible]
        visible.update(added)
        for block in region.blocks:
            for op in block.ops:
                for index, operand in enumerate(op.operands):
                    if id(operand) not in visible:
                        shown = f"%{operand.name_hint}" if operand.name_hint else f"#{index}"
                        raise VerifyException(
                            f"{op.name}: operand {shown} is used before its definition"
                        )
                for nested in op.regions:
                    visit(nested, op.name != "hw.module")
                fresh = [id(r) for r in op.results if id(r) not in visible]
                visible.update(fresh)
                added += fresh
        visible.difference_update(added)

    visit(module.body, False)


_STRING_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_SHAPED_TYPE = re.compile(r"\b(?:tensor|vector|memref)<((?:\d+x)+)")


def _check_tensor_sizes(text: str, name: str) -> None:
    """Refuse a shaped type with more than `MAX_TENSOR_ELEMENTS` elements: xDSL would
    expand a splat `dense<0> : tensor<65536x65536xf32>` into a 16 GiB buffer."""
    code = _STRING_LITERAL.sub(lambda m: " " * len(m.group()), text)  # positions kept
    for match in _SHAPED_TYPE.finditer(code):
        dims = [int(d) for d in match.group(1).split("x")[:-1]]
        if math.prod(dims) > MAX_TENSOR_ELEMENTS:
            span = Span(match.start(), match.end(1), Input(text, name))
            raise ParseError(
                span,
                f"shape {'x'.join(map(str, dims))} has {math.prod(dims)} elements "
                f"(more than {MAX_TENSOR_ELEMENTS})",
            )


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        text = data.decode("utf-8", errors="replace")
        start = len(data[: error.start].decode("utf-8", errors="replace"))
        span = Span(start, start + 1, Input(text, name))
        raise ParseError(span, f"invalid UTF-8 (byte {data[error.start]:#04x})") from None


def print_module(module: ModuleOp) -> str:
    """The module's text, as `qnn-opt` prints it (with a trailing newline)."""
    output = StringIO()
    write_module(module, output)
    return output.getvalue()


def write_module(module: ModuleOp, stream: TextIO) -> None:
    """Write `print_module`'s text to `stream` (without holding it in memory: a module's
    weights in hex are megabytes)."""
    Printer(stream=stream).print_op(module)
    stream.write("\n")


def print_dense(printer: Printer, value: DenseIntOrFPElementsAttr) -> None:
    """Print `value` exactly as xDSL does, without unpacking large tensors into Python.

    xDSL's own printer unpacks every element into a Python tuple twice (once to test for
    a splat, once for the values) before printing the raw bytes as hex: 0.7 s for the
    3 M weights of an LFC network. For large attributes this tests the splat with numpy
    and prints the bytes directly (~0.05 s).
    """
    dtype = _numpy_dtype(value)
    if len(value) <= HEX_THRESHOLD or dtype is None:
        printer.print_attribute(value)
        return
    raw = value.data.data
    array = np.frombuffer(raw, dtype=dtype)
    # xDSL compares Python values for the splat test (0.0 == -0.0, NaN != NaN): so does numpy.
    if bool(np.all(array == array[0])):
        printer.print_attribute(value)  # a splat prints one element: cheap enough
        return
    printer.print_string(f'dense<"0x{raw.hex().upper()}"> : ')
    printer.print_attribute(value.get_type())


def _numpy_dtype(value: DenseIntOrFPElementsAttr) -> np.dtype | None:
    element = value.get_element_type()
    if isinstance(element, IntegerType) and element.width.data in (8, 16, 32, 64):
        base: type[np.generic] = {8: np.int8, 16: np.int16, 32: np.int32, 64: np.int64}[
            element.width.data
        ]
    elif isinstance(element, Float16Type):
        base = np.float16
    elif isinstance(element, Float32Type):
        base = np.float32
    elif isinstance(element, Float64Type):
        base = np.float64
    else:
        return None
    return np.dtype(base).newbyteorder("<")
