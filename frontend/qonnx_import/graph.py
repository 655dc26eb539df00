"""The cleaned ONNX graph as the importer reads it: constants as arrays, the static
tensor type of every value, and readable SSA names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects.builtin import TensorType, f32, i64
from xdsl.ir import Attribute

from frontend.qonnx_import.errors import QonnxImportError
from frontend.qonnx_import.proto import ModelProto, TensorProto, ValueInfoProto, to_array

_ELEMENT_TYPES: dict[int, Attribute] = {
    TensorProto.FLOAT: f32,
    TensorProto.INT64: i64,
}


def sanitize(name: str) -> str:
    """A readable SSA name: [A-Za-z0-9_], not starting with a digit, without a trailing
    `_<digits>` (xDSL treats that as a uniquing suffix and drops it)."""
    text = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")
    text = re.sub(r"_+", "_", text)
    if not text:
        return "v"
    if text[0].isdigit():
        text = "v" + text
    return re.sub(r"_(\d+)$", r"\1", text)


@dataclass
class Graph:
    """The cleaned ONNX graph with fast lookups by tensor name."""

    model: ModelProto
    where: str
    initializers: dict[str, TensorProto] = field(default_factory=dict)
    value_infos: dict[str, ValueInfoProto] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        graph = self.model.graph
        self.initializers = {t.name: t for t in graph.initializer}
        for info in [*graph.value_info, *graph.input, *graph.output]:
            self.value_infos[info.name] = info

    def constant(self, name: str) -> np.ndarray | None:
        if name not in self.initializers:
            return None
        if name not in self.arrays:
            self.arrays[name] = to_array(self.initializers[name])
        return self.arrays[name]

    def tensor_type(self, name: str, what: str) -> TensorType[Attribute]:
        """The static tensor type shape inference gave `name`."""
        array = self.constant(name)
        if array is not None:
            return TensorType(element_of_numpy(array, name, what), list(array.shape))
        info = self.value_infos.get(name)
        if info is None or not info.type.HasField("tensor_type"):
            raise QonnxImportError(f"{what}: tensor '{name}' has no inferred type")
        tensor_type = info.type.tensor_type
        element = _ELEMENT_TYPES.get(tensor_type.elem_type)
        if element is None:
            elem = TensorProto.DataType.Name(tensor_type.elem_type)
            raise QonnxImportError(
                f"{what}: tensor '{name}' has element type {elem} (only FLOAT is supported)"
            )
        if not tensor_type.HasField("shape"):
            raise QonnxImportError(f"{what}: tensor '{name}' has an unknown shape")
        dims: list[int] = []
        for dim in tensor_type.shape.dim:
            if not dim.HasField("dim_value") or dim.dim_value <= 0:
                shown = [
                    str(d.dim_value) if d.HasField("dim_value") else (d.dim_param or "?")
                    for d in tensor_type.shape.dim
                ]
                raise QonnxImportError(
                    f"{what}: tensor '{name}' has a dynamic shape [{', '.join(shown)}]; "
                    "export the model with static shapes (batch size 1)"
                )
            dims.append(dim.dim_value)
        return TensorType(element, dims)


def element_of_numpy(array: np.ndarray, name: str, what: str) -> Attribute:
    if array.dtype.kind == "f":
        return f32
    if array.dtype == np.int64:
        return i64
    raise QonnxImportError(
        f"{what}: constant '{name}' has element type {array.dtype} (only float is supported)"
    )
