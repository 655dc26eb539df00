"""The RTL backend: SystemVerilog through CIRCT (`emit`) and cycle-accurate simulation
with Verilator (`rtlsim`).

    import backend_rtl
    backend_rtl.emit(module, "out/rtl")              # the tree of backend_rtl.export
    result = backend_rtl.rtlsim("out/rtl", [frames])  # backend_rtl.rtlsim.RtlsimResult
    outputs, result = backend_rtl.rtlsim_model(module, "out/rtl", [x])  # host code too

The hardware itself comes from the `convert-dataflow-to-hw` pass; docs/rtl.md explains
the design and how to add a layer.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from xdsl.dialects.builtin import ModuleOp

    from backend_rtl.rtlsim import RtlsimResult

__all__ = ["emit", "rtlsim", "rtlsim_model"]


def emit(module: ModuleOp, out_dir: str | os.PathLike[str]) -> list[str]:
    """Write the SystemVerilog tree of `module` into `out_dir` (`backend_rtl.export.emit`)."""
    from backend_rtl.export import emit as _emit

    return _emit(module, out_dir)


def rtlsim(
    rtl_dir: str | os.PathLike[str], inputs: Sequence[np.ndarray], **options: object
) -> RtlsimResult:
    """Simulate the tree in `rtl_dir` on integer frames (`backend_rtl.rtlsim.rtlsim`)."""
    from backend_rtl.rtlsim import rtlsim as _rtlsim

    return _rtlsim(rtl_dir, inputs, **options)  # type: ignore[arg-type]


def rtlsim_model(
    module: ModuleOp,
    rtl_dir: str | os.PathLike[str],
    inputs: Sequence[np.ndarray],
    **options: object,
) -> tuple[list[np.ndarray], RtlsimResult]:
    """The model's outputs with its partition simulated (`backend_rtl.rtlsim.rtlsim_model`)."""
    from backend_rtl.rtlsim import rtlsim_model as _rtlsim_model

    return _rtlsim_model(module, rtl_dir, inputs, **options)  # type: ignore[arg-type]
