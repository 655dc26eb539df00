"""The HLS backend: C++ emission (`emit`), C simulation (`csim`, `csim_partition`), TCL
scripts (`emit_tcl`), resource estimates and reports.

    import backend_hls
    backend_hls.emit(module, "out")           # out/hls/..., out/csim/...
    y = backend_hls.csim("out", x)            # model outputs, comparable with qonnx
    ints = backend_hls.csim_partition("out", [a])   # the partition's integer outputs

The functions import their modules lazily: `qdialects.dataflow` imports
`backend_hls.estimates`, so this package must not import the dialects at import time.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from xdsl.dialects.builtin import ModuleOp

__all__ = ["csim", "csim_partition", "emit"]


def emit(
    module: ModuleOp,
    out_dir: str | os.PathLike[str],
    hls_include: str | os.PathLike[str] | None = None,
) -> list[str]:
    """Write the HLS C++ tree of `module` into `out_dir` (`backend_hls.emit_cpp.emit`)."""
    from backend_hls.emit_cpp import emit as _emit

    return _emit(module, out_dir, hls_include)


def csim(
    out_dir: str | os.PathLike[str],
    inputs: np.ndarray | Sequence[np.ndarray],
    *,
    hls_include: str | os.PathLike[str] | None = None,
    stats: dict[str, float] | None = None,
) -> np.ndarray | tuple[np.ndarray, ...]:
    """The model's outputs for a batch of float inputs (`backend_hls.csim.csim`)."""
    from backend_hls.csim import csim as _csim

    return _csim(out_dir, inputs, hls_include=hls_include, stats=stats)


def csim_partition(
    out_dir: str | os.PathLike[str],
    inputs: np.ndarray | Sequence[np.ndarray],
    *,
    hls_include: str | os.PathLike[str] | None = None,
    stats: dict[str, float] | None = None,
) -> list[np.ndarray]:
    """The partition's integer outputs (`backend_hls.csim.csim_partition`)."""
    from backend_hls.csim import csim_partition as _csim_partition

    return _csim_partition(out_dir, inputs, hls_include=hls_include, stats=stats)
