"""The HLS backend: C++ emission (`emit`), C simulation (`csim`, `csim_partition`), TCL
scripts (`emit_tcl`) and reports.

    import backend_hls
    backend_hls.emit(module, "out")           # out/hls/..., out/csim/...
    y = backend_hls.csim("out", x)            # model outputs, comparable with qonnx
    ints = backend_hls.csim_partition("out", [a])   # the partition's integer outputs

`backend_hls.csim` is the function: the module of the same name is
`sys.modules["backend_hls.csim"]` (`from backend_hls.csim import ...` works as usual).

The three functions are loaded on first use, so importing a light submodule
(`backend_hls.boards`) does not load the emitter and the dialects.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backend_hls.csim import csim, csim_partition
    from backend_hls.emit_cpp import emit

__all__ = ["csim", "csim_partition", "emit"]

_FUNCTIONS = {
    "csim": "backend_hls.csim",
    "csim_partition": "backend_hls.csim",
    "emit": "backend_hls.emit_cpp",
}


class _Package(types.ModuleType):
    """This package: its functions load on first use and stay functions when the module
    of the same name (`backend_hls.csim`) is imported (the import system then sets the
    package's attribute to the module)."""

    def __getattr__(self, name: str) -> Any:
        module = _FUNCTIONS.get(name)
        if module is None:
            raise AttributeError(f"module 'backend_hls' has no attribute {name!r}")
        function = getattr(importlib.import_module(module), name)
        super().__setattr__(name, function)
        return function

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTIONS and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
