"""`qnn-opt --help`: qnn's passes, targets and options first, xDSL's after them.

xDSL's driver lists its 130-odd passes and all its options in one block; a qnn user looks for
the passes of the flow. `QnnOptMain.register_all_arguments` therefore adds, in this
order: a section listing qnn's passes (in the order of the flow, with their options and
defaults), the named pipelines, the targets, the qnn-opt options (FILE, -p, -t, -o and
--verify-each, routed there from xDSL's own registration by `RoutedArguments`), then
xDSL's other options.
xDSL's own passes and targets are listed by `--help-all`.
"""

from __future__ import annotations

import argparse
import dataclasses
import textwrap
from collections.abc import Callable, Iterable, Mapping
from typing import Any

PASS_HELP = {
    "lower-quant-to-streamline": "quant -> streamline: integer weights, quantizers as "
    "thresholds, NHWC",
    "streamline": "move and absorb the float scales until the body is integer-only",
    "convert-to-dataflow": "streamline -> dataflow: the integer region becomes one "
    "dataflow.partition of layers",
    "set-folding": "choose each layer's PE/SIMD for a target frame rate",
    "apply-folding": "set PE/SIMD (and FIFO depths) from a FINN folding JSON",
    "minimize-bit-width": "the narrowest exact accumulator, weight and threshold datatypes",
    "insert-dwc": "data-width converters where stream widths differ",
    "insert-fifos": "a FIFO on every edge of every partition",
    "size-fifos": "FIFO depths from the cycle model",
    "convert-dataflow-to-hw": "dataflow -> hw: every layer of the partition as CIRCT "
    "hw/comb/seq modules (for -t verilog)",
    "split-host": "the host side only: @pre and @post around the partition",
}
"""One line per qnn pass for --help, in the order of the flow (a pass missing here is
listed after them with its docstring's first line)."""

TARGET_HELP = {
    "mlir": "the module as text (the default)",
    "hls-cpp": "the HLS C++ project (with -o DIR), else the list of its files",
    "vitis-tcl": "the per-layer Vitis HLS scripts",
    "vivado-tcl": "the Vivado block design that stitches the layers",
    "estimates": "cycles, frame rate and LUT/BRAM/DSP estimates as JSON",
    "folding-json": "the folding as a FINN folding configuration",
    "verilog": "the SystemVerilog of the hw modules (after convert-dataflow-to-hw)",
}
"""One line per target qnn-opt users need, in --help's order."""

ARGUMENT_HELP = {
    "input_file": (
        "FILE",
        "a QONNX model (.onnx, imported) or a qnn module (.mlir) at any "
        "level; default: .mlir on stdin",
    ),
    "-p": (
        "PIPELINE",
        "the passes to run, comma-separated, each with its options in braces "
        "(see the passes above)",
    ),
    "-t": ("TARGET", "emit this target instead of the module (see the targets above)"),
    "-o": ("OUT", "the output file (a directory for -t hls-cpp); written only on success"),
}
"""Metavar and help of the xDSL arguments that --help shows among qnn-opt's own."""

DESCRIPTION = """\
Read a QONNX model (.onnx) or a qnn module (.mlir) at any level of the flow, run passes on
it, and print the module or emit a target. For example:
  qnn-opt model.onnx -p quant-to-streamline -o streamlined.mlir
  qnn-opt streamlined.mlir -p 'convert-to-dataflow,set-folding{target-fps=1000}' -t estimates"""

_WIDTH = 92
_NAME = 27
"""Width of the name column of the pass and target lists."""


def _first_doc_line(cls: type) -> str:
    doc = (cls.__dict__.get("__doc__") or "").strip()
    if not doc or doc.startswith(f"{cls.__name__}("):  # a dataclass's generated one
        return ""
    return doc.splitlines()[0].replace("`", "")


def _options(cls: type) -> str:
    """`target-fps=1000 clock-ns=10 ...`: a pass's or target's options and defaults."""
    if not dataclasses.is_dataclass(cls):
        return ""
    shown = []
    for field in dataclasses.fields(cls):
        if not field.init or field.name == "name":
            continue
        value = field.default
        text = "..." if value in ("", None, dataclasses.MISSING) else str(value)
        shown.append(
            f"{field.name.replace('_', '-')}={text.lower() if isinstance(value, bool) else text}"
        )
    return " ".join(shown)


def _entry(name: str, text: str, options: str) -> list[str]:
    width = _WIDTH - _NAME
    lines = textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False) or [""]
    if options:
        lines += textwrap.wrap(
            f"{{{options}}}", width, break_on_hyphens=False, break_long_words=False
        )
    indent = " " * _NAME
    if len(name) >= _NAME:
        return [name, *(indent + line for line in lines)]
    return [f"{name:<{_NAME}}{lines[0]}", *(indent + line for line in lines[1:])]


def _ordered(names: Iterable[str], first: Iterable[str]) -> list[str]:
    available = list(names)
    leading = [n for n in first if n in available]
    return leading + [n for n in available if n not in leading]


def passes_section(passes: Mapping[str, Callable[[], type]]) -> str:
    """qnn's passes in the order of the flow, one entry each."""
    lines: list[str] = []
    for name in _ordered(passes, PASS_HELP):
        cls = passes[name]()
        lines += _entry(name, PASS_HELP.get(name) or _first_doc_line(cls), _options(cls))
    return "\n".join(lines)


def pipelines_section() -> str:
    """The named pipelines (`passes.pipelines`) and the passes each stands for."""
    from passes.pipelines import NAMED_PIPELINES

    lines: list[str] = []
    for name, cls in NAMED_PIPELINES.items():
        # a space after each comma lets the line wrap there; it is taken out again below
        entry = _entry(name, "= " + cls().passes().replace(",", ", "), _options(cls))
        lines += [line.replace(", ", ",") for line in entry]
    return "\n".join(lines)


def targets_section(targets: Mapping[str, Callable[[], type]]) -> str:
    """The default target (`mlir`, xDSL's) and qnn's targets, one entry each."""
    lines = _entry("mlir", TARGET_HELP["mlir"], "")  # its options are xDSL's --print-* flags
    for name in _ordered(targets, TARGET_HELP):
        cls = targets[name]()
        lines += _entry(name, TARGET_HELP.get(name) or _first_doc_line(cls), _options(cls))
    return "\n".join(lines)


def names_list(title: str, names: Iterable[str]) -> str:
    return f"{title}\n" + textwrap.fill(
        ", ".join(names),
        _WIDTH,
        initial_indent="  ",
        subsequent_indent="  ",
        break_on_hyphens=False,
    )


class RoutedArguments:
    """What xDSL's `register_all_arguments` adds its arguments to: FILE, -p, -t and -o go
    to qnn-opt's own group (with qnn's help text), every other argument to `rest`."""

    def __init__(self, own: argparse._ArgumentGroup, rest: argparse._ArgumentGroup):
        self.own = own
        self.rest = rest

    def add_argument(self, *names: str, **kwargs: Any) -> argparse.Action:
        if names[0] not in ARGUMENT_HELP:
            return self.rest.add_argument(*names, **kwargs)
        kwargs["metavar"], kwargs["help"] = ARGUMENT_HELP[names[0]]
        return self.own.add_argument(*names, **kwargs)


def help_all_action(extra: str) -> type[argparse.Action]:
    """An action printing the whole help, then `extra` (xDSL's passes and targets)."""

    class HelpAll(argparse.Action):
        def __init__(self, option_strings: list[str], dest: str, **kwargs: Any):
            kwargs.pop("nargs", None)
            super().__init__(option_strings, dest, nargs=0, **kwargs)

        def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
            parser.print_help()
            print(f"\n{extra}")
            parser.exit()

    return HelpAll
