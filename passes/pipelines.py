"""Named pipelines: the flow's pass sequences under one name each, shared by `qnn-build`
(`tools.build`), `qnn-opt -p` and Python (`passes.pipeline.run_pipeline`).

    qnn-opt model.onnx -p quant-to-streamline
    qnn-opt model.onnx -p 'quant-to-hardware{target-fps=3000}' -o df.mlir
    run_pipeline(module, f"{STREAMLINE},convert-to-dataflow")

| name (Python constant) | passes |
|---|---|
| `quant-to-streamline` (`STREAMLINE`) | `lower-quant-to-streamline,streamline` |
| `hardware` (`HARDWARE`) | `minimize-bit-width,insert-dwc,insert-fifos,size-fifos` |
| `quant-to-hardware{target-fps=F clock-ns=T part=P}` (`QUANT_TO_HARDWARE`) | `quant-to-streamline,convert-to-dataflow,set-folding{target-fps=F clock-ns=T part=P},hardware` (no `target-fps`: as fast as fits P) |

`quant-to-hardware` is what `qnn-build` runs between import and emission (with the same
defaults, `passes.defaults`): `qnn-opt model.onnx -p quant-to-hardware` prints the module
`qnn-build` writes to `OUT/ir/5-hardware.mlir`.

A name may appear anywhere a pass may, with or without options; wherever a pipeline string
is parsed (`passes.pipeline.parse_pipeline`, `qnn-opt -p`) it is replaced by its passes
(`expand_pipelines`), so `--verify-each` and `--print-between-passes` still see every pass.
Plain `xdsl-opt` knows the passes, not these names.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from xdsl.utils.arg_spec import (
    ArgSpecConvertible,
    PipelineLexer,
    SpecTokenKind,
    parse_pipeline,
)
from xdsl.utils.exceptions import ArgSpecParseError

from passes.defaults import DEFAULT_CLOCK_NS, DEFAULT_PART

STREAMLINE = "quant-to-streamline"
HARDWARE = "hardware"
QUANT_TO_HARDWARE = "quant-to-hardware"


@dataclass(frozen=True)
class NamedPipeline(ArgSpecConvertible):
    """A pipeline under a name; its dataclass fields are its `{option=value}` options,
    as a pass's are."""

    name: ClassVar[str]

    @abstractmethod
    def passes(self) -> str:
        """The pipeline string this name stands for (it may name other pipelines)."""


@dataclass(frozen=True)
class QuantToStreamline(NamedPipeline):
    """The quant level to integer-only streamline (float only at the graph's edges)."""

    name = STREAMLINE

    def passes(self) -> str:
        return "lower-quant-to-streamline,streamline"


@dataclass(frozen=True)
class Hardware(NamedPipeline):
    """A folded dataflow partition made ready to emit: narrowest accumulators, width
    converters, FIFOs on every edge, FIFO depths."""

    name = HARDWARE

    def passes(self) -> str:
        return "minimize-bit-width,insert-dwc,insert-fifos,size-fifos"


@dataclass(frozen=True)
class QuantToHardware(NamedPipeline):
    """The whole flow from the quant level to the dataflow module that is emitted, folded
    by `set-folding` for `target_fps` at `clock_ns`, or without `target_fps` as fast as
    fits `part`."""

    name = QUANT_TO_HARDWARE

    target_fps: int | float | None = None
    clock_ns: int | float = DEFAULT_CLOCK_NS
    part: str = DEFAULT_PART

    def passes(self) -> str:
        options = [] if self.target_fps is None else [f"target-fps={_number(self.target_fps)}"]
        options += [f"clock-ns={_number(self.clock_ns)}", f"part={self.part}"]
        folding = f"set-folding{{{' '.join(options)}}}"
        return f"{STREAMLINE},convert-to-dataflow,{folding},{HARDWARE}"


NAMED_PIPELINES: dict[str, type[NamedPipeline]] = {
    pipeline.name: pipeline for pipeline in (QuantToStreamline, Hardware, QuantToHardware)
}
"""Pipeline name -> its class, in the order of the module docstring's table."""


def _number(value: float) -> str:
    """`value` as the pipeline syntax reads it back (it takes `1.0e+20`, not `1e+20`)."""
    if isinstance(value, int) or not math.isfinite(value):
        return str(value)
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    if e and "." not in mantissa:
        return f"{mantissa}.0e{exponent}"
    return text


def _elements(spec: str) -> list[str]:
    """The comma-separated elements of a pipeline string, verbatim (commas inside an
    element's `{...}` options do not separate)."""
    lexer = PipelineLexer(spec)
    elements: list[str] = []
    start, depth = 0, 0
    while (token := lexer.lex()).kind is not SpecTokenKind.EOF:
        if token.kind is SpecTokenKind.L_BRACE:
            depth += 1
        elif token.kind is SpecTokenKind.R_BRACE:
            depth -= 1
        elif token.kind is SpecTokenKind.COMMA and depth == 0:
            elements.append(spec[start : token.span.start])
            start = token.span.end
    elements.append(spec[start:])
    return elements


def expand_pipelines(spec: str) -> str:
    """`spec` with every named pipeline replaced by its passes (recursively); everything
    else is kept as written, and a malformed element is left for the pipeline parser to
    report. Raises `ValueError` for an option the pipeline does not have."""
    if not spec.strip():
        return spec
    expanded: list[str] = []
    for element in _elements(spec):
        try:
            specs = list(parse_pipeline(element))
        except ArgSpecParseError:
            expanded.append(element)
            continue
        pipeline = NAMED_PIPELINES.get(specs[0].name) if len(specs) == 1 else None
        if pipeline is None:
            expanded.append(element)
        else:
            expanded.append(expand_pipelines(pipeline.from_spec(specs[0]).passes()))
    return ",".join(expanded)
