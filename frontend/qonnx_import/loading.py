"""Reading a QONNX file and preparing it for the importer: the checks that it is a
model with static input shapes, Constant nodes as initializers, each node's own name kept
across qonnx's cleanup, and the cleanup (or shape inference only) itself, silenced."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from frontend.qonnx_import.clean import is_clean, mark_qonnx_domains
from frontend.qonnx_import.errors import ORIGINAL_NAME, QonnxImportError, one_line
from frontend.qonnx_import.proto import (
    GraphProto,
    ModelProto,
    TensorProto,
    ValueInfoProto,
    parse_model,
)
from frontend.qonnx_import.support import ONNX_DOMAINS, first_unsupported, unsupported_message

_SAME_INPUTS = "qnn-same-inputs:"
"""Second doc_string line of a node reading one tensor twice (`Add(r, r)`): `i=j` pairs.
qonnx's tensor renaming only renames a tensor's first occurrence in a node's inputs, so
the importer restores the repeats after cleanup (`_restore_repeated_inputs`)."""


def _restore_repeated_inputs(model: ModelProto) -> None:
    for node in model.graph.node:
        _, _, rest = node.doc_string.partition("\n")
        if not rest.startswith(_SAME_INPUTS):
            continue
        for pair in rest.removeprefix(_SAME_INPUTS).split(","):
            i, j = (int(k) for k in pair.split("="))
            node.input[i] = node.input[j]


def load_model(path: str | os.PathLike[str]) -> ModelProto:
    file = Path(path)
    if not file.exists():
        raise QonnxImportError(f"{file}: no such file or directory")
    if file.is_dir():
        raise QonnxImportError(f"{file}: is a directory, not an ONNX file")
    try:
        model = _read(file)
    except Exception as error:
        raise QonnxImportError(
            f"{file}: not an ONNX model ({one_line(error) or type(error).__name__})"
        ) from error
    check_is_model(model, str(file))
    if not _uses_external_data(model.graph):
        return model
    import onnx

    try:
        onnx.load_external_data_for_model(model, str(file.parent))
    except Exception as error:
        raise QonnxImportError(f"{file}: cannot load external data ({one_line(error)})") from error
    return model


def _read(file: Path) -> ModelProto:
    """`onnx.load(file, load_external_data=False)`; a `.onnx` file without the onnx
    package (`proto`), other suffixes (text and JSON formats) through it."""
    if file.suffix == ".onnx":
        with open(str(file), "rb") as stream:
            return parse_model(stream.read())
    import onnx

    return onnx.load(str(file), load_external_data=False)


def _uses_external_data(graph: GraphProto) -> bool:
    """Whether a tensor of `graph` (an initializer or an attribute's, subgraphs included)
    keeps its data in another file."""
    tensors = [*graph.initializer]
    graphs: list[GraphProto] = []
    for node in graph.node:
        for attribute in node.attribute:
            tensors.extend(attribute.tensors)
            graphs.extend(attribute.graphs)
            if attribute.HasField("t"):
                tensors.append(attribute.t)
            if attribute.HasField("g"):
                graphs.append(attribute.g)
    return any(t.data_location == TensorProto.EXTERNAL for t in tensors) or any(
        _uses_external_data(g) for g in graphs
    )


def check_is_model(model: ModelProto, where: str) -> None:
    # A protobuf decoder accepts many byte strings; a real model has an IR version and
    # at least a graph output.
    if model.ir_version <= 0 or not model.HasField("graph") or not model.graph.output:
        raise QonnxImportError(f"{where}: not an ONNX model (no IR version or graph)")
    _check_strings(model, where)


def _check_strings(message: Message, where: str) -> None:
    """Refuse a string field that is not UTF-8: protobuf's upb runtime returns it as
    `bytes` (a node named b'\\xcdatMul_1'), which no name handling expects."""
    for field_, value in message.ListFields():
        values = value if field_.is_repeated else [value]
        if field_.type == FieldDescriptor.TYPE_STRING:
            for text in values:
                if isinstance(text, bytes):
                    raise QonnxImportError(
                        f"{where}: {field_.full_name} is not UTF-8 text ({text[:40]!r})"
                    )
        elif field_.type == FieldDescriptor.TYPE_MESSAGE:
            for nested in values:
                _check_strings(nested, where)


def _constants_to_initializers(model: ModelProto) -> None:
    """Turn `Constant` nodes into initializers (the dynamo exporter emits some)."""
    kept = []
    for node in model.graph.node:
        if node.op_type == "Constant" and node.domain in ONNX_DOMAINS:
            attrs = {a.name: a for a in node.attribute}
            if "value" in attrs:
                tensor = TensorProto()
                tensor.CopyFrom(attrs["value"].t)
                tensor.name = node.output[0]
                model.graph.initializer.append(tensor)
                continue
        kept.append(node)
    if len(kept) != len(model.graph.node):
        del model.graph.node[:]
        model.graph.node.extend(kept)


def prepare(model: ModelProto, where: str) -> ModelProto:
    """A copy of `model` with Constant nodes as initializers and each node's own name
    remembered (unnamed nodes are called `#<index>`); static input shapes checked."""
    work = ModelProto()
    work.CopyFrom(model)
    _constants_to_initializers(work)
    for index, node in enumerate(work.graph.node):
        node.doc_string = ORIGINAL_NAME + (node.name or f"#{index}")
        repeats = [
            f"{i}={list(node.input).index(name)}"
            for i, name in enumerate(node.input)
            if name and list(node.input).index(name) != i
        ]
        if repeats:
            node.doc_string += "\n" + _SAME_INPUTS + ",".join(repeats)
    initializers = {t.name for t in work.graph.initializer}
    for info in work.graph.input:
        if info.name not in initializers:
            _check_static_input(info, where)
    return work


def _check_static_input(info: ValueInfoProto, where: str) -> None:
    tensor_type = info.type.tensor_type
    if not info.type.HasField("tensor_type") or not tensor_type.HasField("shape"):
        raise QonnxImportError(f"{where}: graph input '{info.name}' has an unknown shape")
    dims = tensor_type.shape.dim
    if all(d.HasField("dim_value") and d.dim_value > 0 for d in dims):
        return
    shown = [str(d.dim_value) if d.HasField("dim_value") else (d.dim_param or "?") for d in dims]
    raise QonnxImportError(
        f"{where}: graph input '{info.name}' has a dynamic shape [{', '.join(shown)}]; "
        "export the model with static shapes (batch size 1)"
    )


def qonnx_cleanup(work: ModelProto, where: str) -> ModelProto:
    """qonnx cleanup: shape inference, constant folding, unique node and tensor names;
    `work` itself (its Quant nodes in qonnx's domain) when the cleanup would not change
    it (`clean.is_clean`: a model qonnx's cleanup saved)."""
    mark_qonnx_domains(work)
    if is_clean(work):
        return work
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.util.cleanup import cleanup_model

    try:
        with _quiet():
            cleaned = cleanup_model(ModelWrapper(work)).model
    except Exception as error:
        raise _cleanup_error(work, where, error) from error
    _restore_repeated_inputs(cleaned)
    return cleaned


def infer_shapes(work: ModelProto, where: str) -> ModelProto:
    """qonnx shape inference only (names kept)."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.transformation.infer_shapes import InferShapes

    try:
        with _quiet():
            return ModelWrapper(work).transform(InferShapes()).model
    except Exception as error:
        raise _cleanup_error(work, where, error) from error


@contextmanager
def _quiet() -> Iterator[None]:
    """No output from qonnx and onnxruntime: qonnx warns (UserWarning: 'Output shapes
    disagree after node ...' with the node's protobuf text, 'old-style domain attributes
    were converted') and onnxruntime logs shape-merge warnings to stderr while cleanup
    folds constants. The importer reports what matters in its own one-line errors."""
    import onnxruntime

    onnxruntime.set_default_logger_severity(4)  # fatal only: errors surface as exceptions
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _cleanup_error(work: ModelProto, where: str, error: Exception) -> QonnxImportError:
    unsupported = first_unsupported(work.graph.node)
    if unsupported is not None:
        return QonnxImportError(unsupported_message(unsupported))
    return QonnxImportError(
        f"{where}: qonnx cleanup failed: {one_line(error) or type(error).__name__}"
    )
