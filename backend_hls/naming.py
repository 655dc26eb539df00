"""The HLS backend's names of a layer's files, IP pins and kernels; the layer and port
names themselves are `qdialects.dataflow.naming`'s.

The C++ top function `<layer>` in `hls/<layer>.cpp` (`emit_cpp`) becomes the Vitis HLS
IP `<vendor>:<library>:<layer>:1.0` (`emit_tcl`) whose AXI-stream interfaces are named
after the C++ stream arguments (`port_names`), and `vivado/stitch.tcl` connects exactly
those pins.

* `CLOCK_PIN` / `RESET_PIN`: `ap_clk` / `ap_rst_n` (active low), the block-level
  `ap_ctrl_none` kernel's only other pins.
* `kernel_layers(partition)`: the layers that are HLS kernels, i.e. everything except
  `dataflow.fifo` (an `axis_data_fifo` in the stitched design, an `hls::stream` depth in
  C simulation) and `dataflow.reshape` (a view: the same words on the same wires).
* `params_header(name)`: `params/<layer>.h`, relative to `hls/`, for layers with
  weight/threshold/parameter tensors (`has_params(layer)`).
"""

from __future__ import annotations

from xdsl.ir import Operation

from qdialects.dataflow.ops import FIFOOp, Layer, PartitionOp, ReshapeOp
from qdialects.dataflow.types import StreamType

CLOCK_PIN = "ap_clk"
RESET_PIN = "ap_rst_n"


def is_kernel(layer: Operation) -> bool:
    """Whether a layer is an HLS kernel (`hls/<layer>.cpp`, one Vivado IP)."""
    return isinstance(layer, Layer) and not isinstance(layer, FIFOOp | ReshapeOp)


def kernel_layers(partition: PartitionOp) -> list[Layer]:
    """The partition's HLS kernels, in program order."""
    return [op for op in partition.layers() if is_kernel(op)]


def has_params(layer: Operation) -> bool:
    """Whether a layer has constant tensor operands (weights, thresholds, parameters),
    which the C++ emitter writes to `params_header(name)`."""
    return any(not isinstance(v.type, StreamType) for v in layer.operands)


def params_header(name: str) -> str:
    """The parameter header of layer `name`, relative to the `hls/` directory."""
    return f"params/{name}.h"
