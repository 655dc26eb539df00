"""Every qnn pass by its command-line name (kebab-case, matching the snake_case file)."""

from __future__ import annotations

from collections.abc import Callable

from xdsl.passes import ModulePass


def _streamline() -> type[ModulePass]:
    from passes.streamline import StreamlinePass

    return StreamlinePass


def _lower_quant_to_streamline() -> type[ModulePass]:
    from passes.lower_quant_to_streamline import LowerQuantToStreamlinePass

    return LowerQuantToStreamlinePass


def _convert_to_dataflow() -> type[ModulePass]:
    from passes.convert_to_dataflow import ConvertToDataflowPass

    return ConvertToDataflowPass


def _set_folding() -> type[ModulePass]:
    from passes.set_folding import SetFoldingPass

    return SetFoldingPass


def _apply_folding() -> type[ModulePass]:
    from passes.apply_folding import ApplyFoldingPass

    return ApplyFoldingPass


def _insert_dwc() -> type[ModulePass]:
    from passes.insert_dwc import InsertDWCPass

    return InsertDWCPass


def _minimize_bit_width() -> type[ModulePass]:
    from passes.minimize_bit_width import MinimizeBitWidthPass

    return MinimizeBitWidthPass


def _insert_fifos() -> type[ModulePass]:
    from passes.insert_fifos import InsertFIFOsPass

    return InsertFIFOsPass


def _split_host() -> type[ModulePass]:
    from passes.split_host import SplitHostPass

    return SplitHostPass


def _size_fifos() -> type[ModulePass]:
    from passes.size_fifos import SizeFIFOsPass

    return SizeFIFOsPass


def _convert_dataflow_to_hw() -> type[ModulePass]:
    from passes.convert_dataflow_to_hw import ConvertDataflowToHwPass

    return ConvertDataflowToHwPass


QNN_PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "streamline": _streamline,
    "lower-quant-to-streamline": _lower_quant_to_streamline,
    "convert-to-dataflow": _convert_to_dataflow,
    "convert-dataflow-to-hw": _convert_dataflow_to_hw,
    "set-folding": _set_folding,
    "apply-folding": _apply_folding,
    "insert-dwc": _insert_dwc,
    "minimize-bit-width": _minimize_bit_width,
    "insert-fifos": _insert_fifos,
    "size-fifos": _size_fifos,
    "split-host": _split_host,
}
"""Pass name -> a loader returning the pass class (lazy, as xDSL's universe expects)."""
