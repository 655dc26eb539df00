"""`finn_datatype` quantization annotations (`BIPOLAR`, `INT2`, ...): graphs that went
through FINN's tools store integer weights as floats with such an annotation and no Quant
node; the importer reads each integer type as the quantizer that is the identity on it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from frontend.qonnx_import.proto import ModelProto


def finn_datatypes(model: ModelProto) -> dict[str, str]:
    """tensor name -> its `finn_datatype` annotation (`BIPOLAR`, `INT2`, ...)."""
    found: dict[str, str] = {}
    for annotation in model.graph.quantization_annotation:
        for entry in annotation.quant_parameter_tensor_names:
            if entry.key == "finn_datatype":
                found[annotation.tensor_name] = entry.value
    return found


@dataclass(frozen=True)
class DeclaredType:
    """An integer `finn_datatype` as the quantizer that is the identity on its values."""

    bits: int
    signed: bool
    narrow: bool = False

    @property
    def bipolar(self) -> bool:
        return self.signed and self.bits == 1

    def fits(self, array: np.ndarray) -> bool:
        if self.bipolar:
            return bool(np.all(np.abs(array) == 1))
        lo = -(1 << (self.bits - 1)) + self.narrow if self.signed else 0
        hi = (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1
        return bool(np.all((array == np.round(array)) & (array >= lo) & (array <= hi)))


def declared_type(name: str) -> DeclaredType | None:
    """The quantizer of an integer finn_datatype name; None for float and fixed-point
    types (FLOAT32, FIXED<...>, SCALEDINT<...>), which carry no integer promise."""
    fixed = {
        "BIPOLAR": DeclaredType(1, True),
        "BINARY": DeclaredType(1, False),
        "TERNARY": DeclaredType(2, True, narrow=True),
    }
    if name in fixed:
        return fixed[name]
    match = re.fullmatch(r"(U?)INT(\d+)", name)
    if match is None or not 1 <= int(match.group(2)) <= 64:
        return None
    return DeclaredType(int(match.group(2)), signed=not match.group(1))
