"""The RTL backend's emission targets by `-t` name (lazy loaders, as xDSL's universe
expects); the tools register them beside `backend_hls.targets.QNN_TARGETS`."""

from __future__ import annotations

from collections.abc import Callable

from xdsl.utils.target import Target


def _verilog() -> type[Target]:
    from backend_rtl.export import VerilogTarget

    return VerilogTarget


RTL_TARGETS: dict[str, Callable[[], type[Target]]] = {"verilog": _verilog}
"""Target name -> a loader returning the target class."""
