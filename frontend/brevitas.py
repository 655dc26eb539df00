"""Import a Brevitas module directly: export it to QONNX in a temporary directory, then
`import_qonnx` it.

    from frontend import from_brevitas
    module = from_brevitas(net.eval(), torch.rand(1, 1, 8, 8))

Needs the optional `models` extra (torch, brevitas, onnxoptimizer); importing `frontend`
itself never imports torch — only calling `from_brevitas` does.

Export path: the TorchScript exporter (`dynamo=False`) is the default. With torch 2.13,
Brevitas's `export_qonnx` otherwise uses the dynamo exporter, which the importer also reads
(opset 18, Gemm without C, Conv without `kernel_shape`, weights in an external `.data`
file), but it is ~10x slower (10-15 s against ~1 s for the test fixtures) and prints
warnings; the TorchScript form (opset 13, MatMul/Flatten) is what the shipped examples
and most fixtures use. Pass `dynamo=True` (and e.g. `optimize=True`) to choose the other.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from typing import TYPE_CHECKING, Any

import onnx
from xdsl.dialects.builtin import ModuleOp

from frontend.qonnx_import import QonnxImportError, import_qonnx

if TYPE_CHECKING:
    import torch  # pyright: ignore[reportMissingImports]  (optional: the `models` extra)

MISSING_DEPENDENCIES = "from_brevitas needs torch and brevitas: pip install 'qnn[models]'"


class BrevitasExportError(QonnxImportError):
    """torch/brevitas are missing or Brevitas could not export the module (one-line message)."""


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def export_brevitas(
    module: torch.nn.Module, example_input: torch.Tensor, **export_kwargs: Any
) -> onnx.ModelProto:
    """`module` exported with `brevitas.export.export_qonnx` as one self-contained
    `ModelProto` (external data pulled back in). `export_kwargs` go to `export_qonnx`;
    `dynamo` defaults to False (see the module docstring). The module is exported as it
    is: call `.eval()` first for inference behaviour (BatchNorm running statistics)."""
    try:
        from brevitas.export import export_qonnx  # pyright: ignore[reportMissingImports]
    except ImportError as error:
        raise BrevitasExportError(MISSING_DEPENDENCIES) from error
    export_kwargs.setdefault("dynamo", False)
    name = type(module).__name__
    with tempfile.TemporaryDirectory(prefix="qnn-brevitas-") as tmp:
        path = os.path.join(tmp, "model.onnx")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                export_qonnx(module, example_input, export_path=path, **export_kwargs)
            return onnx.load(path, load_external_data=True)
        except ImportError as error:  # e.g. onnxoptimizer, needed by the exporter
            raise BrevitasExportError(
                f"from_brevitas: exporting {name} needs a missing package "
                f"({_one_line(error)}): pip install 'qnn[models]'"
            ) from error
        except Exception as error:
            raise BrevitasExportError(
                f"from_brevitas: Brevitas could not export {name}: "
                f"{type(error).__name__}: {_one_line(error)}"
            ) from error


def from_brevitas(
    module: torch.nn.Module, example_input: torch.Tensor, **export_kwargs: Any
) -> ModuleOp:
    """Export a Brevitas `module` on `example_input` (which fixes the static input shape,
    batch included) to QONNX and import it as a `quant`-dialect module.

    Raises `BrevitasExportError` (a `QonnxImportError`) when torch/brevitas are missing or
    the export fails, and `QonnxImportError` when the exported model cannot be imported;
    both with a one-line message."""
    proto = export_brevitas(module, example_input, **export_kwargs)
    proto.graph.name = type(module).__name__  # errors then name "model '<class>'"
    return import_qonnx(proto)
