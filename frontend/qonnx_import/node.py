"""What a node handler sees: the ONNX node, typed access to its attributes and inputs,
and the importer's state (its values and the graph's types)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from xdsl.ir import Attribute, Operation, SSAValue

from frontend.qonnx_import.errors import QonnxImportError, node_label
from frontend.qonnx_import.proto import NodeProto, attribute_value

if TYPE_CHECKING:
    from frontend.qonnx_import.importer import Importer


@dataclass
class Node:
    """What a node handler sees: the node, its attributes and the importer's state."""

    node: NodeProto
    importer: Importer

    @property
    def label(self) -> str:
        return node_label(self.node)

    def error(self, message: str) -> QonnxImportError:
        return QonnxImportError(f"{self.label}: {message}")

    def attr(self, name: str, default: object = None) -> object:
        for attribute in self.node.attribute:
            if attribute.name == name:
                return attribute_value(attribute)
        return default

    def int_attr(self, name: str, default: int, allowed: Sequence[int] | None = None) -> int:
        value = self.attr(name, default)
        if not isinstance(value, int):
            raise self.error(f"attribute '{name}' must be an integer")
        if allowed is not None and value not in allowed:
            raise self.error(
                f"attribute '{name}' = {value} is out of range (expected one of "
                f"{', '.join(map(str, allowed))})"
            )
        return value

    def float_attr(self, name: str, default: float) -> float:
        value = self.attr(name, default)
        if not isinstance(value, float | int):
            raise self.error(f"attribute '{name}' must be a float")
        if not math.isfinite(value):
            raise self.error(f"attribute '{name}' = {value} must be finite")
        return float(value)

    def str_attr(self, name: str, default: str) -> str:
        value = self.attr(name, default)
        if isinstance(value, bytes):
            try:
                value = value.decode()
            except UnicodeDecodeError:
                raise self.error(f"attribute '{name}' = {value[:40]!r} is not UTF-8 text") from None
        if not isinstance(value, str):
            raise self.error(f"attribute '{name}' must be a string")
        return value

    def ints_attr(self, name: str) -> list[int] | None:
        value = self.attr(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
            raise self.error(f"attribute '{name}' must be a list of integers")
        return list(value)

    @property
    def inputs(self) -> list[str]:
        """Input names, without trailing empty (omitted optional) inputs."""
        names = list(self.node.input)
        while names and not names[-1]:
            names.pop()
        return names

    def has_input(self, index: int) -> bool:
        return index < len(self.node.input) and bool(self.node.input[index])

    def operand(self, index: int) -> SSAValue:
        if not self.has_input(index):
            raise self.error(f"missing input {index}")
        return self.importer.value(self.node.input[index], self.label)

    def optional_operand(self, index: int) -> SSAValue | None:
        return self.operand(index) if self.has_input(index) else None

    def constant_input(self, index: int, what: str) -> np.ndarray:
        """An input that is an attribute in the dialect: it must be an initializer."""
        if not self.has_input(index):
            raise self.error(f"missing input '{what}'")
        name = self.node.input[index]
        array = self.importer.graph.constant(name)
        if array is None:
            raise self.error(
                f"input '{what}' ('{name}') must be a constant, but it is computed in the graph"
            )
        return array

    def rank(self, index: int = 0) -> int:
        return len(self.input_shape(index))

    def input_shape(self, index: int = 0) -> tuple[int, ...]:
        name = self.node.input[index]
        return tuple(self.importer.graph.tensor_type(name, self.label).get_shape())

    def result_types(self, count: int = 1) -> list[Attribute]:
        outputs = [o for o in self.node.output if o]
        if len(outputs) != count:
            raise self.error(
                f"expected {count} output{'s' if count != 1 else ''}, got {len(outputs)}"
            )
        types = [self.importer.graph.tensor_type(o, self.label) for o in outputs]
        # The element type the op computes is its (first) input's; a graph output or
        # value_info declaring another one (INT64) would give the op a result type its
        # lowering does not produce. TopK's second output and ArgMax's hold int64 indices.
        expected = self.importer.graph.tensor_type(self.node.input[0], self.label).element_type
        for index, (name, type_) in enumerate(zip(outputs, types, strict=True)):
            indices = (self.node.op_type == "TopK" and index) or self.node.op_type == "ArgMax"
            if type_.element_type != expected and not indices:
                raise self.error(
                    f"output '{name}' is declared {type_.element_type}, but the op "
                    f"computes {expected}"
                )
        return list(types)

    def axis(self, value: int, rank: int, what: str = "axis", inclusive: bool = False) -> int:
        """`value` normalized to [0, rank) (or [0, rank] when `inclusive`, as Flatten's)."""
        upper = rank + 1 if inclusive else rank
        if not -rank <= value < upper:
            raise self.error(
                f"attribute '{what}' = {value} is out of range for a rank-{rank} input"
            )
        return value + rank if value < 0 else value


Handler = Callable[[Node], Operation]
