"""The ONNX protobuf messages without the `onnx` package, and the two conversions the
importer needs from it, for the models it reads every build.

`import onnx` costs about a second of CPU here (its `helper` imports `ml_dtypes`, whose
extension registers a dozen numpy types), more than the rest of a small build. The
messages live in `onnx/onnx_ml_pb2.py`, which needs nothing but protobuf: this module
runs that file on its own (under a private module name, so the `onnx` package is not
imported; when `onnx` is imported later, protobuf hands it the same message classes, so
`isinstance` and every `onnx` function keep working on them).

`to_array` and `attribute_value` are `onnx.numpy_helper.to_array` and
`onnx.helper.get_attribute_value`: natively for FLOAT and INT64 tensors in the file
(what a QONNX model's initializers hold) and every attribute type, through `onnx`
otherwise (the same result either way)."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

_ONNX_MESSAGES = "onnx.onnx_ml_pb2"


def _load_messages() -> ModuleType:
    """`onnx.onnx_ml_pb2`, without importing the `onnx` package when it is not loaded."""
    if _ONNX_MESSAGES in sys.modules:
        return sys.modules[_ONNX_MESSAGES]
    package = importlib.util.find_spec("onnx")
    if package is None or not package.submodule_search_locations:
        raise ModuleNotFoundError("No module named 'onnx'")
    source = Path(next(iter(package.submodule_search_locations))) / "onnx_ml_pb2.py"
    spec = importlib.util.spec_from_file_location("qnn_onnx_ml_pb2", source)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"cannot load {source}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if TYPE_CHECKING:
    from onnx.onnx_ml_pb2 import (
        AttributeProto,
        GraphProto,
        ModelProto,
        NodeProto,
        TensorProto,
        ValueInfoProto,
    )
else:
    _messages = _load_messages()
    AttributeProto = _messages.AttributeProto
    GraphProto = _messages.GraphProto
    ModelProto = _messages.ModelProto
    NodeProto = _messages.NodeProto
    TensorProto = _messages.TensorProto
    ValueInfoProto = _messages.ValueInfoProto

__all__ = [
    "AttributeProto",
    "GraphProto",
    "ModelProto",
    "NodeProto",
    "TensorProto",
    "ValueInfoProto",
    "attribute_value",
    "parse_model",
    "readable",
    "to_array",
]


def parse_model(data: bytes) -> ModelProto:
    """`onnx.load_model_from_string(data)`: the same message, the same DecodeError when
    protobuf stops before the end of `data`."""
    from google.protobuf.message import DecodeError

    model = ModelProto()
    decoded = model.ParseFromString(data)
    if decoded is not None and decoded != len(data):
        raise DecodeError(f"Protobuf decoding consumed too few bytes: {decoded} out of {len(data)}")
    return model


_NATIVE_TENSORS: dict[int, tuple[type[np.generic], str]] = {
    TensorProto.FLOAT: (np.float32, "float_data"),
    TensorProto.INT64: (np.int64, "int64_data"),
}
"""data type -> (numpy type, the repeated field holding the values without raw_data)."""


def readable(tensor: TensorProto) -> bool:
    """Whether `to_array` reads `tensor` natively: a FLOAT or INT64 tensor whose data is
    in the file (raw or in its typed field) and has as many values as its dims say (what
    onnx would refuse or fail to reshape goes through onnx, and its error)."""
    native = _NATIVE_TENSORS.get(tensor.data_type)
    if native is None or sys.byteorder != "little" or tensor.HasField("segment"):
        return False
    if tensor.HasField("data_location") and tensor.data_location == TensorProto.EXTERNAL:
        return False
    if any(d < 0 for d in tensor.dims):
        return False
    count = math.prod(tensor.dims)
    dtype, field = native
    if tensor.HasField("raw_data"):
        return len(tensor.raw_data) == count * np.dtype(dtype).itemsize
    return len(getattr(tensor, field)) == count


def to_array(tensor: TensorProto) -> np.ndarray:
    """`onnx.numpy_helper.to_array(tensor)`."""
    if not readable(tensor):
        from onnx import numpy_helper

        return numpy_helper.to_array(tensor)
    dtype, field = _NATIVE_TENSORS[tensor.data_type]
    if tensor.HasField("raw_data"):
        return np.frombuffer(tensor.raw_data, dtype=dtype).reshape(tensor.dims)
    return np.asarray(getattr(tensor, field), dtype=dtype).reshape(tensor.dims)


_SINGLE_ATTRIBUTES = {
    AttributeProto.FLOAT: "f",
    AttributeProto.INT: "i",
    AttributeProto.STRING: "s",
    AttributeProto.TENSOR: "t",
    AttributeProto.SPARSE_TENSOR: "sparse_tensor",
    AttributeProto.GRAPH: "g",
    AttributeProto.TYPE_PROTO: "tp",
}
_REPEATED_ATTRIBUTES = {
    AttributeProto.FLOATS: "floats",
    AttributeProto.INTS: "ints",
    AttributeProto.STRINGS: "strings",
    AttributeProto.TENSORS: "tensors",
    AttributeProto.SPARSE_TENSORS: "sparse_tensors",
    AttributeProto.GRAPHS: "graphs",
    AttributeProto.TYPE_PROTOS: "type_protos",
}


def attribute_value(attribute: AttributeProto) -> Any:
    """`onnx.helper.get_attribute_value(attribute)`: the field its type names (a list
    for the repeated types, None for UNDEFINED)."""
    if attribute.ref_attr_name:
        raise ValueError(f"Cannot get value of reference attribute: {attribute}")
    if attribute.type in _SINGLE_ATTRIBUTES:
        return getattr(attribute, _SINGLE_ATTRIBUTES[attribute.type])
    if attribute.type in _REPEATED_ATTRIBUTES:
        return list(getattr(attribute, _REPEATED_ATTRIBUTES[attribute.type]))
    if attribute.type == AttributeProto.UNDEFINED:
        return None
    raise ValueError(f"Unsupported ONNX attribute: {attribute}")
