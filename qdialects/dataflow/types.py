"""`!dataflow.stream`: the type of a stream connecting two hardware layers.

A stream carries one *frame* per image: a tensor of `shape` (NHWC without the batch axis,
`H x W x C`, or `C` for vectors) whose elements are of a QONNX datatype. The frame travels
as a sequence of *words*; each word holds `lanes` elements, lane 0 at the least
significant bits (`backend_hls/lib/README.md`: lane i occupies bits [i*B, (i+1)*B)).

Physical order (which elements form word j):

* **standard** (the default): the frame in row-major order, cut into words of `lanes`
  consecutive elements. `lanes` divides the innermost dimension, so a word never straddles
  two pixels. Word `j` of a frame `f` holds `f.reshape(-1)[j*lanes : (j+1)*lanes]`.
* **depthwise K [simd S]**: the innermost axis is an im2col axis of `K * C` elements,
  element `k*C + c` being channel `c` at kernel position `k` (the `streamline.im2col`
  order). Per pixel the words run channel folds outer, kernel folds inner: for
  `cf < C/P`, for `kf < K/S`, one word of `lanes = S*P` lanes where lane `s*P + p` holds
  kernel position `kf*S + s` of channel `cf*P + p`. This is the order
  `dataflow.swg {depthwise}` produces (S = 1) and `dataflow.vvau` consumes.

The logical value (what the reference semantics compute with) is the frame tensor in
both orders; the order only says how the hardware moves it.

Syntax: `!dataflow.stream<8x8x16x!quant.uint<2>, lanes 4>`,
`!dataflow.stream<4x4x72x!quant.int<4>, lanes 8, depthwise 9>`,
`!dataflow.stream<4x4x72x!quant.int<4>, lanes 8, depthwise 9 simd 3>`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from xdsl.dialects.builtin import ArrayAttr, IntAttr
from xdsl.ir import Attribute, ParametrizedAttribute, TypeAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

from qdialects.types import QDataType


@irdl_attr_definition
class StreamType(ParametrizedAttribute, TypeAttribute):
    """A stream of frames of `shape` elements of `element`, `lanes` elements per word,
    in standard order (`dw_kernel` = 0) or depthwise order (kernel `dw_kernel`, `dw_simd`
    kernel positions per word). See the module docstring."""

    name = "dataflow.stream"

    frame: ArrayAttr[IntAttr]
    element: QDataType
    lane_count: IntAttr
    dw_kernel: IntAttr
    dw_simd: IntAttr

    def __init__(
        self,
        shape: Sequence[int],
        element: QDataType,
        lanes: int,
        *,
        depthwise_kernel: int = 0,
        depthwise_simd: int = 1,
    ):
        super().__init__(
            ArrayAttr([IntAttr(d) for d in shape]),
            element,
            IntAttr(lanes),
            IntAttr(depthwise_kernel),
            IntAttr(depthwise_simd),
        )

    # ------------------------------------------------------------------ accessors

    @property
    def shape(self) -> tuple[int, ...]:
        """The frame shape (no batch axis)."""
        return tuple(d.data for d in self.frame.data)

    @property
    def lanes(self) -> int:
        return self.lane_count.data

    @property
    def depthwise_kernel(self) -> int:
        """K of a depthwise-ordered stream, 0 for the standard order."""
        return self.dw_kernel.data

    @property
    def depthwise_simd(self) -> int:
        return self.dw_simd.data

    @property
    def is_depthwise(self) -> bool:
        return self.depthwise_kernel > 0

    @property
    def elements_per_frame(self) -> int:
        return math.prod(self.shape)

    def words_per_frame(self) -> int:
        """Stream words (transfers) per frame."""
        return self.elements_per_frame // self.lanes

    def word_width(self) -> int:
        """Bits per stream word: lanes times the element's bit width."""
        return self.lanes * self.element.bitwidth

    def with_lanes(self, lanes: int) -> StreamType:
        """The same frame in standard order with `lanes` lanes."""
        return StreamType(self.shape, self.element, lanes)

    def with_element(self, element: QDataType) -> StreamType:
        return StreamType(
            self.shape,
            element,
            self.lanes,
            depthwise_kernel=self.depthwise_kernel,
            depthwise_simd=self.depthwise_simd,
        )

    # ------------------------------------------------------------------ verification

    def verify(self) -> None:
        shape = self.shape
        if not shape or min(shape) < 1:
            raise VerifyException(
                f"!dataflow.stream: frame shape must be non-empty with positive sizes, got "
                f"{list(shape)}"
            )
        lanes = self.lanes
        if lanes < 1 or shape[-1] % lanes:
            raise VerifyException(
                f"!dataflow.stream: lanes {lanes} must divide the innermost dimension {shape[-1]}"
            )
        kernel, simd = self.depthwise_kernel, self.depthwise_simd
        if kernel < 0 or simd < 1:
            raise VerifyException("!dataflow.stream: depthwise kernel/simd out of range")
        if kernel == 0:
            if simd != 1:
                raise VerifyException("!dataflow.stream: simd needs a depthwise order")
            return
        if shape[-1] % kernel:
            raise VerifyException(
                f"!dataflow.stream: depthwise kernel {kernel} must divide the innermost "
                f"dimension {shape[-1]}"
            )
        channels = shape[-1] // kernel
        if kernel % simd or lanes % simd or channels % (lanes // simd):
            raise VerifyException(
                f"!dataflow.stream: depthwise order needs simd {simd} | kernel {kernel}, "
                f"simd | lanes {lanes} and lanes/simd | channels {channels}"
            )

    # ------------------------------------------------------------------ syntax

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string("<")
        for d in self.shape:
            printer.print_string(f"{d}x")
        printer.print_attribute(self.element)
        printer.print_string(f", lanes {self.lanes}")
        if self.is_depthwise:
            printer.print_string(f", depthwise {self.depthwise_kernel}")
            if self.depthwise_simd != 1:
                printer.print_string(f" simd {self.depthwise_simd}")
        printer.print_string(">")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list[Attribute]:
        with parser.in_angle_brackets():
            pos = parser.pos
            dims, element = parser.parse_ranked_shape()
            if not isinstance(element, QDataType):
                parser.raise_error(
                    f"!dataflow.stream: element must be a QONNX datatype, got {element}",
                    pos,
                    parser.pos,
                )
            parser.parse_punctuation(",")
            parser.parse_keyword("lanes")
            lanes = parser.parse_integer(allow_boolean=False, allow_negative=False)
            kernel, simd = 0, 1
            if parser.parse_optional_punctuation(","):
                parser.parse_keyword("depthwise")
                kernel = parser.parse_integer(allow_boolean=False, allow_negative=False)
                if parser.parse_optional_keyword("simd"):
                    simd = parser.parse_integer(allow_boolean=False, allow_negative=False)
        return [
            ArrayAttr([IntAttr(d) for d in dims]),
            element,
            IntAttr(lanes),
            IntAttr(kernel),
            IntAttr(simd),
        ]
