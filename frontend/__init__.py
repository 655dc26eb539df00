"""Frontends: QONNX (ONNX with the QONNX quantizers, as Brevitas exports it) -> `quant`."""

from frontend.qonnx_import import QonnxImportError, import_qonnx, import_qonnx_bytes

__all__ = ["QonnxImportError", "import_qonnx", "import_qonnx_bytes"]
