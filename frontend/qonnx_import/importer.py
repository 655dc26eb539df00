"""The walk over the cleaned graph that builds one `func.func @main`: graph inputs as
arguments, each node through its handler (located at its name in the user's file and
verified), initializers as `quant.constant`s at their first use, annotated tensors through
their declared quantizers."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import ModuleOp, NameLoc, NoneAttr, StringAttr, f32
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.utils.exceptions import DiagnosticException

from frontend.qonnx_import.datatypes import declared_type, finn_datatypes
from frontend.qonnx_import.errors import QonnxImportError, one_line, original_name
from frontend.qonnx_import.graph import Graph, element_of_numpy, sanitize
from frontend.qonnx_import.node import Node
from frontend.qonnx_import.ops import HANDLERS, check_arity
from frontend.qonnx_import.proto import ModelProto
from frontend.qonnx_import.support import ONNX_DOMAINS, is_supported, unsupported_message
from qdialects import quant
from qdialects.utils import dense_from_numpy


def _opset(model: ModelProto) -> int:
    versions = [o.version for o in model.opset_import if o.domain in ONNX_DOMAINS]
    return max(versions, default=1)


class Importer:
    def __init__(self, model: ModelProto, where: str):
        self.graph = Graph(model, where)
        self.values: dict[str, SSAValue] = {}
        self.block = Block()
        self.names: set[str] = set()
        self.opset = _opset(model)
        self.annotations = finn_datatypes(model)

    def declared(
        self, value: SSAValue, tensor: str, array: np.ndarray | None, where: str
    ) -> SSAValue:
        """`value`, or the quantizer its integer `finn_datatype` annotation stands for
        (scale 1, zero-point 0: the identity on values of the type) when it has one. A
        constant whose values do not fit the type is an error."""
        annotation = self.annotations.get(tensor, "")
        declared = declared_type(annotation)
        if declared is None:
            return value
        if array is not None and not declared.fits(array):
            raise QonnxImportError(
                f"{where}: constant '{tensor}' is annotated {annotation}, but its "
                f"values {np.unique(array)[:6].tolist()} do not fit it"
            )
        one = self.scalar(1.0)
        if declared.bipolar:
            quantizer: Operation = quant.BipolarQuantOp(value, one)
        else:
            quantizer = quant.QuantOp(
                value,
                one,
                self.scalar(0.0),
                self.scalar(float(declared.bits)),
                signed=declared.signed,
                narrow=declared.narrow,
            )
        self.block.add_op(quantizer)
        self.name(quantizer.results[0], f"{tensor}_{annotation.lower()}")
        return quantizer.results[0]

    def scalar(self, number: float) -> SSAValue:
        constant = quant.ConstantOp(dense_from_numpy(np.asarray(number, dtype=np.float32)))
        self.block.add_op(constant)
        return constant.result

    def name(self, value: SSAValue, tensor: str) -> None:
        base = sanitize(tensor)
        name, index = base, 1
        while name in self.names:
            index += 1
            name = f"{base}_v{index}"
        self.names.add(name)
        value.name_hint = name

    def value(self, name: str, where: str) -> SSAValue:
        """The SSA value of tensor `name`, emitting a `quant.constant` for an initializer
        at its first use."""
        if name in self.values:
            return self.values[name]
        array = self.graph.constant(name)
        if array is None:
            raise QonnxImportError(f"{where}: tensor '{name}' is never produced")
        if array.dtype.kind == "f" and array.dtype != np.float32:
            array = array.astype(np.float32)
        element_of_numpy(array, name, where)
        constant = quant.ConstantOp(dense_from_numpy(array))
        self.block.add_op(constant)
        self.name(constant.result, name)
        self.values[name] = self.declared(constant.result, name, array, where)
        return self.values[name]

    def run(self) -> ModuleOp:
        graph = self.graph.model.graph
        where = self.graph.where
        input_types: list[Attribute] = []
        for info in graph.input:
            if info.name in self.graph.initializers:
                continue
            type_ = self.graph.tensor_type(info.name, f"{where}: graph input")
            if type_.element_type != f32:
                raise QonnxImportError(f"{where}: graph input '{info.name}' must be a float tensor")
            argument = self.block.insert_arg(type_, len(self.block.args))
            self.name(argument, info.name)
            self.values[info.name] = self.declared(argument, info.name, None, where)
            input_types.append(type_)

        for onnx_node in graph.node:
            if not is_supported(onnx_node):
                raise QonnxImportError(unsupported_message(onnx_node))
            node = Node(onnx_node, self)
            check_arity(node)
            op = HANDLERS[onnx_node.op_type](node)
            op.location = NameLoc(StringAttr(original_name(onnx_node)), NoneAttr())
            self.block.add_op(op)
            try:
                op.verify()
            except DiagnosticException as error:
                raise node.error(one_line(error)) from error
            for output, result in zip((o for o in onnx_node.output if o), op.results, strict=True):
                self.name(result, output)
                self.values[output] = result

        outputs = [self.value(o.name, f"{where}: graph output") for o in graph.output]
        self.block.add_op(ReturnOp(*outputs))
        function = FuncOp("main", (input_types, [v.type for v in outputs]), Region(self.block))
        module = ModuleOp([function])
        try:
            module.verify()
        except DiagnosticException as error:
            raise QonnxImportError(f"{where}: invalid module: {one_line(error)}") from error
        return module
