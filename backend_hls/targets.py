"""Every qnn emission target by its `-t` name (lazy loaders, as xDSL's universe expects).

A target that writes a tree of files (an HLS project) subclasses `TreeTarget`: `qnn-opt
-t NAME -o DIR` writes the tree into DIR (built in a temporary directory and renamed on
success), and without `-o` its `emit` prints a listing of what it would write.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.utils.target import Target


def _vitis_tcl() -> type[Target]:
    from backend_hls.emit_tcl import VitisTclTarget

    return VitisTclTarget


def _vivado_tcl() -> type[Target]:
    from backend_hls.emit_tcl import VivadoTclTarget

    return VivadoTclTarget


def _estimates() -> type[Target]:
    from backend_hls.estimates_target import EstimatesTarget

    return EstimatesTarget


def _folding_json() -> type[Target]:
    from backend_hls.estimates_target import FoldingJsonTarget

    return FoldingJsonTarget


QNN_TARGETS: dict[str, Callable[[], type[Target]]] = {
    "vitis-tcl": _vitis_tcl,
    "vivado-tcl": _vivado_tcl,
    "estimates": _estimates,
    "folding-json": _folding_json,
}
"""Target name -> a loader returning the target class."""
