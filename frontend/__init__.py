"""Frontends: QONNX (ONNX with the QONNX quantizers, as Brevitas exports it) -> `quant`.

`from_brevitas` (Brevitas module -> `quant`) is loaded on first use, so importing
`frontend` never imports torch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from frontend.qonnx_import import QonnxImportError, import_qonnx, import_qonnx_bytes

if TYPE_CHECKING:
    from frontend.brevitas import BrevitasExportError, from_brevitas

__all__ = [
    "BrevitasExportError",
    "QonnxImportError",
    "from_brevitas",
    "import_qonnx",
    "import_qonnx_bytes",
]

_LAZY = {"from_brevitas", "BrevitasExportError"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from frontend import brevitas

        return getattr(brevitas, name)
    raise AttributeError(f"module 'frontend' has no attribute {name!r}")
