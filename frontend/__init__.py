"""Frontends: QONNX (ONNX with the QONNX quantizers, as Brevitas exports it) -> `quant`.

Every name is loaded on first use: importing `frontend` (or `frontend.examples`) imports
neither onnx nor torch; `import_qonnx` loads the QONNX importer (onnx, qonnx) and
`from_brevitas` (Brevitas module -> `quant`) torch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from frontend.brevitas import BrevitasExportError, from_brevitas
    from frontend.qonnx_import import QonnxImportError, import_qonnx, import_qonnx_bytes

__all__ = [
    "BrevitasExportError",
    "QonnxImportError",
    "from_brevitas",
    "import_qonnx",
    "import_qonnx_bytes",
]

_LAZY = {
    "from_brevitas": "frontend.brevitas",
    "BrevitasExportError": "frontend.brevitas",
    "QonnxImportError": "frontend.qonnx_import",
    "import_qonnx": "frontend.qonnx_import",
    "import_qonnx_bytes": "frontend.qonnx_import",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'frontend' has no attribute {name!r}")
