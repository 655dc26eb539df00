"""RTL of the stream plumbing layers: `dataflow.fifo` (`qnn_fifo`) and `dataflow.dwc`
(`qnn_dwc`), each one parameterization of a primitive module."""

from __future__ import annotations

from passes.convert_dataflow_to_hw.interface import HwDesign
from qdialects import dataflow as df


def lower_fifo(layer: df.FIFOOp, name: str, design: HwDesign) -> str:
    """A FIFO of `depth` words of the stream's word width."""
    (width,) = layer.input_widths()
    depth = layer.depth.value.data
    return design.primitive("qnn_fifo", {"WIDTH": width, "DEPTH": depth}, [width], [width])


def lower_dwc(layer: df.DWCOp, name: str, design: HwDesign) -> str:
    """The frame's bit string re-cut from the input to the output word width."""
    (in_width,), (out_width,) = layer.input_widths(), layer.output_widths()
    return design.primitive(
        "qnn_dwc", {"IN_W": in_width, "OUT_W": out_width}, [in_width], [out_width]
    )
