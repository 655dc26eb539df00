"""The HLS backend: C++ emission (`emit`), C simulation (`csim`, `csim_partition`), TCL
scripts (`emit_tcl`) and reports.

    import backend_hls
    backend_hls.emit(module, "out")           # out/hls/..., out/csim/...
    y = backend_hls.csim("out", x)            # model outputs, comparable with qonnx
    ints = backend_hls.csim_partition("out", [a])   # the partition's integer outputs

`backend_hls.csim` is the function: the module of the same name is
`sys.modules["backend_hls.csim"]` (`from backend_hls.csim import ...` works as usual).
"""

from backend_hls.csim import csim, csim_partition
from backend_hls.emit_cpp import emit

__all__ = ["csim", "csim_partition", "emit"]
