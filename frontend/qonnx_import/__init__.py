"""Import a QONNX model (as Brevitas exports it) into the `quant` dialect.

`import_qonnx(path_or_model)` loads the model (with its external data), runs qonnx's
cleanup (shape inference, constant folding, unique names) unless the model is already in
the form the cleanup gives (a model qonnx's cleanup saved: `clean.is_clean`; then neither
onnx nor qonnx is imported, see `proto`) and builds one
`func.func @main` whose arguments and results are the graph's inputs and outputs.
Each ONNX node becomes one `quant` op; each initializer an op reads becomes a
`quant.constant` built from the tensor's raw bytes. ONNX inputs that are attributes in
the dialect (Reshape's shape, Pad's pads, TopK's k, ReduceMean's axes) must be constants
and are resolved here, as are the defaults ONNX leaves implicit (Conv's `kernel_shape`,
pads, strides, dilations). After shape inference every value has a static type.

Each op's location is `loc("<node name>")`, the ONNX node's name in the user's file (shown by
`qnn-opt --print-debuginfo`), so later passes can name the node in their errors.

Every problem with the input is a `QonnxImportError` whose message is one line naming
the file, node or tensor at fault.

Zero-points: `quant.quant` executes any zero-point, so the importer accepts non-zero
zero-points in general; the integer lowering, which needs zero-point 0, rejects them
there. The one case rejected here is a 1-bit `Quant` with a non-zero zero-point: for a
signed 1-bit quantizer QONNX ignores the zero-point (it is bipolar), so accepting one
would hide a model error, and the unsigned 1-bit case has no hardware mapping
(see `check_one_bit_zero_point`).

The package, by concern:
- `loading`: reading the file, checking it is a model, qonnx's cleanup and shape inference;
- `proto`: the ONNX protobuf messages without the onnx package, `to_array`, `attribute_value`;
- `clean`: whether qonnx's cleanup would leave a model unchanged (then it is skipped);
- `support`: which ops are imported, and `check_ops`, the refusal made before any
  expensive step;
- `layout`: graph rewrites into the layout the dialect takes (1-D as 2-D, channels-last
  nodes as channels-first);
- `graph`, `node`, `ops`: typed tensor lookups, what a node handler sees, and the
  handler of each ONNX op type;
- `datatypes`: `finn_datatype` annotations as the integer quantizers they promise;
- `importer`: the walk over the graph that builds `func.func @main`;
- `errors`: `QonnxImportError` and the node names its messages use.
"""

from __future__ import annotations

import os

from xdsl.dialects.builtin import ModuleOp

from frontend.qonnx_import.datatypes import declared_type
from frontend.qonnx_import.errors import QonnxImportError, one_line
from frontend.qonnx_import.importer import Importer
from frontend.qonnx_import.layout import channels_first, one_d_as_two_d
from frontend.qonnx_import.loading import (
    check_is_model,
    infer_shapes,
    load_model,
    prepare,
    qonnx_cleanup,
)
from frontend.qonnx_import.ops import check_one_bit_zero_point
from frontend.qonnx_import.proto import ModelProto, parse_model
from frontend.qonnx_import.support import check_ops

__all__ = [
    "QonnxImportError",
    "channels_first",
    "check_one_bit_zero_point",
    "check_ops",
    "declared_type",
    "import_qonnx",
    "import_qonnx_bytes",
    "one_d_as_two_d",
]


def import_qonnx(model: str | os.PathLike[str] | ModelProto, *, cleanup: bool = True) -> ModuleOp:
    """Import a QONNX model (a path or a `ModelProto`) as a `quant`-dialect module with
    one `func.func @main`. Raises `QonnxImportError` with a one-line message.

    `cleanup=False` skips qonnx's cleanup (only shapes are inferred): tensor names stay as
    in the file, but constant subgraphs are not folded."""
    if isinstance(model, ModelProto):
        where = f"model '{model.graph.name}'" if model.graph.name else "<model>"
        check_is_model(model, where)
        proto = model
    else:
        where = str(model)
        proto = load_model(model)
    work = prepare(proto, where)
    check_ops(work)
    work = qonnx_cleanup(work, where) if cleanup else infer_shapes(work, where)
    if channels_first(work) | one_d_as_two_d(work):
        work = infer_shapes(work, where)
    return Importer(work, where).run()


def import_qonnx_bytes(data: bytes, where: str = "<stdin>") -> ModuleOp:
    """Import a serialized model (no external data)."""
    try:
        model = parse_model(data)
    except Exception as error:
        raise QonnxImportError(
            f"{where}: not an ONNX model ({one_line(error) or type(error).__name__})"
        ) from error
    check_is_model(model, where)
    return import_qonnx(model)
