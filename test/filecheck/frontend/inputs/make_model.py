"""Write a tiny QONNX model for the frontend lit tests: `make_model.py KIND OUT.onnx`.

KIND is `dynamo` (the dynamo export form: opset 18, Conv without kernel_shape, Reshape with
a constant shape, Gemm without C, BipolarQuant weights) or one of the broken variants
`unsupported` (an op qnn does not import), `bitwidth0`, `dynamic` (a symbolic batch dimension).
"""

from __future__ import annotations

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QONNX = "qonnx.custom_op.general"


def const(name: str, value) -> TensorProto:
    array = np.asarray(value)
    return numpy_helper.from_array(
        array.astype(np.float32) if array.dtype.kind == "f" else array, name
    )


def quant(x: str, y: str, prefix: str, bits: float, scale: float, signed: int, name: str):
    inits = [const(f"{prefix}_s", scale), const(f"{prefix}_z", 0.0), const(f"{prefix}_b", bits)]
    node = helper.make_node(
        "Quant",
        [x, *(t.name for t in inits)],
        [y],
        name=name,
        domain=QONNX,
        signed=signed,
        narrow=0,
        rounding_mode="ROUND",
    )
    return node, inits


def dynamo(bits: float = 8.0, batch: int | str = 1) -> onnx.ModelProto:
    rng = np.random.default_rng(0)
    nodes, inits = [], []
    q_in, p = quant("x", "xq", "in", bits, 1 / 128, 1, "/input_quant/Quant")
    nodes.append(q_in)
    inits += p
    q_w, p = quant("conv_w", "conv_wq", "cw", 4.0, 0.1, 1, "/conv/weight_quant/Quant")
    nodes.append(q_w)
    inits += [*p, const("conv_w", rng.normal(size=(4, 2, 3, 3)))]
    nodes.append(
        helper.make_node("Conv", ["xq", "conv_wq"], ["c"], name="/conv/Conv", pads=[1, 1, 1, 1])
    )
    nodes.append(helper.make_node("Relu", ["c"], ["r"], name="/relu/Relu"))
    q_a, p = quant("r", "rq", "act", 2.0, 0.5, 0, "/act/Quant")
    nodes.append(q_a)
    inits += [*p, const("shape", np.array([1, -1], np.int64))]
    nodes.append(helper.make_node("Reshape", ["rq", "shape"], ["flat"], name="/Reshape"))
    inits += [const("fc_w", rng.normal(size=(3, 64))), const("fc_s", 0.05)]
    nodes.append(
        helper.make_node(
            "BipolarQuant",
            ["fc_w", "fc_s"],
            ["fc_wq"],
            name="/fc/weight_quant/BipolarQuant",
            domain=QONNX,
        )
    )
    nodes.append(helper.make_node("Gemm", ["flat", "fc_wq"], ["y"], name="/fc/Gemm", transB=1))
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 2, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 3])],
        inits,
    )
    return helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 18), helper.make_opsetid(QONNX, 1)]
    )


def unsupported() -> onnx.ModelProto:
    model = dynamo()
    model.graph.node.append(helper.make_node("Erf", ["y"], ["p"], name="/head/Erf"))
    model.graph.output[0].name = "p"
    return model


def main() -> None:
    kind, out = sys.argv[1], sys.argv[2]
    models = {
        "dynamo": dynamo,
        "unsupported": unsupported,
        "bitwidth0": lambda: dynamo(bits=0.0),
        "dynamic": lambda: dynamo(batch="N"),
    }
    onnx.save(models[kind](), out)


if __name__ == "__main__":
    main()
