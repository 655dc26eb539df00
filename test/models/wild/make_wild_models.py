#!/usr/bin/env python3
"""Generate the "models from the wild" fixtures: QONNX graphs in the shapes that other
exporters and tools produce (QKeras/hls4ml, FINN's own tools, super-resolution and
radio nets, qonnx's channels-last conversion), built with `onnx.helper`.

Needs only onnx, qonnx and numpy (no torch):

    .venv/bin/python test/models/wild/make_wild_models.py            # all models
    .venv/bin/python test/models/wild/make_wild_models.py espcn_d2s  # only some

For each model NAME this writes, next to this script, `NAME.onnx` (shapes inferred by
qonnx) and `NAME.in.npy` (one float32 input of batch 1). Everything is seeded. Each model
is executed with qonnx's `execute_onnx` on its input and checked to contain the ops it is
named after. The table in README.md says what each one covers.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.core.onnx_exec import execute_onnx
from qonnx.transformation.infer_shapes import InferShapes

HERE = os.path.dirname(os.path.abspath(__file__))
QONNX_DOMAIN = "qonnx.custom_op.general"


class Graph:
    """A graph under construction: nodes and initializers, with unique names."""

    def __init__(self, name: str, rng: np.random.Generator):
        self.name = name
        self.rng = rng
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.annotations: dict[str, str] = {}
        self.counts: dict[str, int] = {}

    def fresh(self, base: str) -> str:
        self.counts[base] = self.counts.get(base, -1) + 1
        return f"{base}_{self.counts[base]}"

    def const(self, array: np.ndarray | float | Sequence[float], base: str = "c") -> str:
        name = self.fresh(base)
        array = np.asarray(array)
        if array.dtype.kind == "f":
            array = array.astype(np.float32)
        self.inits.append(numpy_helper.from_array(array, name))
        return name

    def node(self, op: str, inputs: Sequence[str], domain: str = "", **attrs) -> str:
        """Add a node with one output; return its name."""
        return self.multi(op, inputs, 1, domain, **attrs)[0]

    def multi(
        self, op: str, inputs: Sequence[str], outputs: int, domain: str = "", **attrs
    ) -> list[str]:
        """Add a node with `outputs` outputs; return their names."""
        name = self.fresh(op)
        outs = [f"{name}_out{i}" for i in range(outputs)]
        self.nodes.append(
            helper.make_node(op, list(inputs), outs, name=name, domain=domain, **attrs)
        )
        return outs

    def quant(self, x: str, scale, bits: int, signed: bool, narrow: bool = False) -> str:
        inputs = [
            x,
            self.const(scale, "scale"),
            self.const(0.0, "zeropt"),
            self.const(float(bits), "bits"),
        ]
        return self.node(
            "Quant",
            inputs,
            domain=QONNX_DOMAIN,
            signed=int(signed),
            narrow=int(narrow),
            rounding_mode="ROUND",
        )

    def weight(self, shape: Sequence[int], bits: int = 4, scale=None) -> str:
        """`Quant(W)` of random float weights, signed narrow, per-output-channel scale
        (axis 0 for conv weights, the last axis for matmul weights) unless given."""
        w = self.rng.normal(0, 0.5, size=shape).astype(np.float32)
        if scale is None:
            per_channel = self.rng.uniform(
                0.05, 0.2, size=shape[0] if len(shape) > 2 else shape[-1]
            )
            scale = (
                per_channel.reshape((-1,) + (1,) * (len(shape) - 1))
                if len(shape) > 2
                else per_channel
            )
        return self.quant(self.const(w, "w"), np.asarray(scale, dtype=np.float32), bits, True, True)

    def batchnorm(self, x: str, channels: int) -> str:
        gamma = self.rng.uniform(0.5, 1.5, channels)
        beta = self.rng.normal(0, 0.3, channels)
        mean = self.rng.normal(0, 0.5, channels)
        var = self.rng.uniform(0.5, 2.0, channels)
        return self.node(
            "BatchNormalization",
            [x, *(self.const(a, "bn") for a in (gamma, beta, mean, var))],
            epsilon=1e-5,
        )

    def model(self, inputs: dict[str, Sequence[int]], output: str, opset: int = 13) -> ModelWrapper:
        graph = helper.make_graph(
            self.nodes,
            self.name,
            [
                helper.make_tensor_value_info(n, TensorProto.FLOAT, list(s))
                for n, s in inputs.items()
            ],
            [helper.make_tensor_value_info(output, TensorProto.UNDEFINED, None)],
            initializer=self.inits,
        )
        proto = helper.make_model(
            graph,
            producer_name="qnn-make_wild_models",
            opset_imports=[helper.make_opsetid("", opset), helper.make_opsetid(QONNX_DOMAIN, 1)],
        )
        proto.ir_version = 8
        model = ModelWrapper(proto).transform(InferShapes())
        output_type = model.graph.output[0].type.tensor_type
        if output_type.elem_type == TensorProto.UNDEFINED:  # a Quant's output: not inferred
            output_type.elem_type = TensorProto.FLOAT
        for tensor, datatype in self.annotations.items():
            model.set_tensor_datatype(tensor, _datatype(datatype))
        return model


def _datatype(name: str):
    from qonnx.core.datatype import DataType

    return DataType[name]


def grid_input(
    rng: np.random.Generator, shape: Sequence[int], lo: float, hi: float, steps: int
) -> np.ndarray:
    return (lo + rng.integers(0, steps + 1, size=shape) * (hi - lo) / steps).astype(np.float32)


# --------------------------------------------------------------------------- the models


def qkeras_softmax(rng: np.random.Generator):
    """QKeras/hls4ml dense net: quantized_bits input, two Dense layers (MatMul + Add of a
    quantized bias), quantized_relu, and a float Softmax at the end."""
    g = Graph("qkeras_softmax", rng)
    t = g.quant("x", 2.0**-6, 8, True)
    t = g.node("MatMul", [t, g.weight((16, 32), 4, 2.0**-3)])
    t = g.node("Add", [t, g.quant(g.const(rng.normal(0, 0.5, 32), "b"), 2.0**-3, 8, True)])
    t = g.node("Relu", [t])
    t = g.quant(t, 2.0**-3, 4, False)
    t = g.node("MatMul", [t, g.weight((32, 10), 4, 2.0**-3)])
    t = g.node("Add", [t, g.quant(g.const(rng.normal(0, 0.5, 10), "b"), 2.0**-3, 8, True)])
    t = g.node("Softmax", [t], axis=-1)
    return g.model({"x": (1, 16)}, t), grid_input(rng, (1, 16), -1, 1, 128)


def _mlp_logits(g: Graph) -> str:
    t = g.quant("x", 2.0**-6, 8, True)
    t = g.node("MatMul", [t, g.weight((16, 24))])
    t = g.batchnorm(t, 24)
    t = g.node("Relu", [t])
    t = g.quant(t, 0.25, 3, False)
    return g.node("MatMul", [t, g.weight((24, 10))])


def float_tail_argmax(rng: np.random.Generator):
    """A classifier whose graph ends in Sigmoid then ArgMax (int64 label, keepdims)."""
    g = Graph("float_tail_argmax", rng)
    t = g.node("Sigmoid", [_mlp_logits(g)])
    t = g.node("ArgMax", [t], axis=1, keepdims=1)
    return g.model({"x": (1, 16)}, t), grid_input(rng, (1, 16), -1, 1, 128)


def float_tail_exp(rng: np.random.Generator):
    """A numerically stable exponential tail: `exp(x - ReduceMax(x))`."""
    g = Graph("float_tail_exp", rng)
    logits = _mlp_logits(g)
    peak = g.node("ReduceMax", [logits], axes=[1], keepdims=1)
    t = g.node("Exp", [g.node("Sub", [logits, peak])])
    return g.model({"x": (1, 16)}, t), grid_input(rng, (1, 16), -1, 1, 128)


def sub_between_int(rng: np.random.Generator):
    """A Sub of two quantized tensors feeding the next quantizer: between integer
    tensors, where a host op cannot run (refused by name)."""
    g = Graph("sub_between_int", rng)
    x = g.quant("x", 2.0**-6, 8, True)
    a = g.quant(g.node("MatMul", [x, g.weight((16, 16))]), 0.25, 4, True)
    b = g.quant(g.node("MatMul", [x, g.weight((16, 16))]), 0.25, 4, True)
    t = g.quant(g.node("Sub", [a, b]), 0.25, 4, True)
    t = g.node("MatMul", [t, g.weight((16, 4))])
    return g.model({"x": (1, 16)}, t), grid_input(rng, (1, 16), -1, 1, 128)


def _bipolar_matmul(g: Graph, x: str, shape: Sequence[int]) -> str:
    w = g.const(np.where(g.rng.random(shape) < 0.5, -1.0, 1.0), "w_bipolar")
    g.annotations[w] = "BIPOLAR"
    return g.node("MatMul", [x, w])


def _sign_threshold(g: Graph, x: str, channels: int) -> str:
    return g.node(
        "MultiThreshold",
        [x, g.const(np.zeros((channels, 1)), "thr")],
        domain=QONNX_DOMAIN,
        out_scale=2.0,
        out_bias=-1.0,
        out_dtype="BIPOLAR",
        data_layout="NC",
    )


def finn_bipolar_topk(rng: np.random.Generator):
    """A graph after FINN's own tools (tfc_w1a1-like): MultiThreshold activations, MatMul
    weights stored as float ±1 with a `BIPOLAR` finn_datatype annotation and no Quant,
    every BatchNormalization wrapped in Unsqueeze/Squeeze, and TopK (label select) at the
    end returning the index."""
    g = Graph("finn_bipolar_topk", rng)
    t = _sign_threshold(g, "x", 1)
    for k, m in ((64, 32), (32, 32)):
        t = _bipolar_matmul(g, t, (k, m))
        t = g.node("Unsqueeze", [t], axes=[2])
        t = g.batchnorm(t, m)
        t = g.node("Squeeze", [t], axes=[2])
        t = _sign_threshold(g, t, m)
    t = _bipolar_matmul(g, t, (32, 10))
    t = g.node("Mul", [t, g.const(0.25, "scale")])
    _, indices = g.multi("TopK", [t, g.const(np.array([1], dtype=np.int64), "k")], 2)
    model = g.model({"x": (1, 64)}, indices, opset=11)
    return model, grid_input(rng, (1, 64), -1, 1, 64)


def _conv(
    g: Graph,
    x: str,
    cin: int,
    cout: int,
    kernel: Sequence[int],
    group: int = 1,
    bias: bool = False,
    **attrs,
) -> str:
    """A Conv with every attribute written out, as the exporters do."""
    w = g.weight((cout, cin // group, *kernel))
    inputs = [x, w] + ([g.const(g.rng.normal(0, 0.3, cout), "bias")] if bias else [])
    window: dict[str, list[int]] = {
        "strides": [1] * len(kernel),
        "dilations": [1] * len(kernel),
        "pads": [0] * 2 * len(kernel),
    }
    return g.node("Conv", inputs, "", kernel_shape=list(kernel), group=group, **(window | attrs))


def espcn_d2s(rng: np.random.Generator):
    """ESPCN-like super-resolution: two convolutions with bias, the last one producing
    r^2 channels rearranged by DepthToSpace (sub-pixel convolution); the output is the
    upscaled feature map (no output quantizer)."""
    g = Graph("espcn_d2s", rng)
    t = g.quant("x", 2.0**-8, 9, False)
    t = _conv(g, t, 1, 8, (3, 3), bias=True, pads=[1, 1, 1, 1])
    t = g.quant(g.node("Relu", [t]), 0.125, 4, False)
    t = _conv(g, t, 8, 4, (3, 3), bias=True, pads=[1, 1, 1, 1])
    t = g.node("DepthToSpace", [t], blocksize=2, mode="CRD")
    return g.model({"x": (1, 1, 8, 8)}, t), grid_input(rng, (1, 1, 8, 8), 0, 1, 255)


def espcn_d2s_int(rng: np.random.Generator):
    """Sub-pixel convolution whose output is quantized before the DepthToSpace (DCR):
    the integer feature map leaves the accelerator, its NHWC to NCHW transpose and the
    DepthToSpace run on the host."""
    g = Graph("espcn_d2s_int", rng)
    t = g.quant("x", 2.0**-8, 9, False)
    t = _conv(g, t, 1, 8, (3, 3), bias=True, pads=[1, 1, 1, 1])
    t = g.quant(g.node("Relu", [t]), 0.125, 4, False)
    t = _conv(g, t, 8, 4, (3, 3), bias=True, pads=[1, 1, 1, 1])
    t = g.quant(t, 0.25, 8, True)
    t = g.node("DepthToSpace", [t], blocksize=2, mode="DCR")
    return g.model({"x": (1, 1, 8, 8)}, t), grid_input(rng, (1, 1, 8, 8), 0, 1, 255)


def espcn_d2s_mid(rng: np.random.Generator):
    """Sub-pixel convolution inside the integer part: a quantized conv output rearranged by
    DepthToSpace (CRD, as PyTorch's PixelShuffle exports) feeds another convolution, and an
    output quantizer follows the last DepthToSpace (DCR)."""
    g = Graph("espcn_d2s_mid", rng)
    t = g.quant("x", 2.0**-8, 9, False)
    t = _conv(g, t, 1, 8, (3, 3), bias=True, pads=[1, 1, 1, 1])
    t = g.quant(g.node("Relu", [t]), 0.125, 4, False)
    t = g.node("DepthToSpace", [t], blocksize=2, mode="CRD")
    t = _conv(g, t, 2, 8, (3, 3), pads=[1, 1, 1, 1])
    t = g.quant(g.node("Relu", [t]), 0.125, 4, False)
    t = g.node("DepthToSpace", [_conv(g, t, 8, 4, (1, 1))], blocksize=2, mode="DCR")
    t = g.quant(t, 2.0**-4, 8, True)
    return g.model({"x": (1, 1, 4, 4)}, t), grid_input(rng, (1, 1, 4, 4), 0, 1, 255)


def segment_int_out(rng: np.random.Generator):
    """A fully convolutional (segmentation-like) net whose output is the quantized
    feature map itself (N x C x H x W integers times a scale), reshaped to N x C x H·W."""
    g = Graph("segment_int_out", rng)
    t = g.quant("x", 2.0**-8, 9, False)
    t = _conv(g, t, 3, 6, (3, 3), pads=[1, 1, 1, 1])
    t = g.quant(g.node("Relu", [t]), 0.25, 3, False)
    t = _conv(g, t, 6, 3, (1, 1))
    t = g.quant(t, 0.5, 5, True)
    t = g.node("Reshape", [t, g.const(np.array([1, 3, 36], dtype=np.int64), "shape")])
    return g.model({"x": (1, 3, 6, 6)}, t), grid_input(rng, (1, 3, 6, 6), 0, 1, 255)


def espcn_resize(rng: np.random.Generator):
    """Super-resolution by resize-convolution: nearest-neighbour Resize (x2) of a
    quantized feature map between two convolutions; a feature-map output."""
    g = Graph("espcn_resize", rng)
    t = g.quant("x", 2.0**-8, 9, False)
    t = _conv(g, t, 1, 4, (3, 3), pads=[1, 1, 1, 1])
    t = g.quant(g.node("Relu", [t]), 0.125, 4, False)
    scales = g.const(np.array([1, 1, 2, 2], dtype=np.float32), "scales")
    t = g.node(
        "Resize",
        [t, "", scales],
        mode="nearest",
        nearest_mode="floor",
        coordinate_transformation_mode="asymmetric",
    )
    t = _conv(g, t, 4, 1, (3, 3), pads=[1, 1, 1, 1])
    return g.model({"x": (1, 1, 8, 8)}, t), grid_input(rng, (1, 1, 8, 8), 0, 1, 255)


def split_slice(rng: np.random.Generator):
    """Split and Slice inside the integer part: the channels split in two branches (one
    convolved, one passed on) and joined again, a spatial crop (Slice on H and W), a
    strided Slice of the rows, then a global average pool and a dense layer."""
    g = Graph("split_slice", rng)
    t = g.quant("x", 2.0**-8, 9, False)
    t = _conv(g, t, 3, 8, (3, 3), pads=[1, 1, 1, 1])
    t = g.quant(g.node("Relu", [t]), 0.25, 3, False)
    a, b = g.multi("Split", [t, g.const(np.array([4, 4], dtype=np.int64), "split")], 2, axis=1)
    a = g.quant(g.node("Relu", [_conv(g, a, 4, 4, (3, 3), pads=[1, 1, 1, 1])]), 0.25, 3, False)
    t = g.node("Concat", [b, a], axis=1)
    crop = [g.const(np.array(v, dtype=np.int64), "slice") for v in ([1, 1], [7, 7], [2, 3])]
    t = g.node("Slice", [t, *crop])
    t = _conv(g, t, 8, 4, (1, 1))
    t = g.quant(g.node("Relu", [t]), 0.25, 3, False)
    rows = [g.const(np.array(v, dtype=np.int64), "slice") for v in ([0], [6], [2], [2])]
    t = g.node("Slice", [t, *rows])
    t = g.node("Flatten", [g.node("GlobalAveragePool", [t])], axis=1)
    t = g.node("MatMul", [t, g.weight((4, 3))])
    return g.model({"x": (1, 3, 8, 8)}, t), grid_input(rng, (1, 3, 8, 8), 0, 1, 255)


def concat_mixed(rng: np.random.Generator):
    """Three branches quantized differently and joined by Concat: 4-bit unsigned at scale
    1/4, 2-bit unsigned at scale 1/2 and 3-bit signed at scale 1/4 (the concat takes the
    widest type that holds every branch), then a convolution over the joined channels."""
    g = Graph("concat_mixed", rng)
    x = g.quant("x", 2.0**-3, 6, True)
    a = _conv(g, x, 3, 4, (3, 3), pads=[1, 1, 1, 1])
    a = g.quant(g.node("Relu", [a]), 2.0**-2, 4, False)
    b = g.quant(g.node("Relu", [_conv(g, x, 3, 2, (1, 1))]), 2.0**-1, 2, False)
    c = g.quant(_conv(g, x, 3, 2, (1, 1)), 2.0**-2, 3, True)
    t = g.node("Concat", [a, b, c], axis=1)
    t = _conv(g, t, 8, 5, (3, 3))
    return g.model({"x": (1, 3, 6, 6)}, t), grid_input(rng, (1, 3, 6, 6), -4, 4, 64)


def conv1d_maxpool(rng: np.random.Generator):
    """A radio/time-series net: 1-D convolutions (3-D input N x C x L), BatchNorm1d,
    MaxPool1d, then flatten and a dense layer."""
    g = Graph("conv1d_maxpool", rng)
    t = g.quant("x", 2.0**-6, 8, True)
    t = _conv(g, t, 2, 8, (3,), pads=[1, 1])
    t = g.quant(g.node("Relu", [g.batchnorm(t, 8)]), 0.25, 3, False)
    t = g.node("MaxPool", [t], kernel_shape=[2], strides=[2])
    t = _conv(g, t, 8, 8, (3,))
    t = g.quant(g.node("Relu", [t]), 0.25, 3, False)
    t = g.node("Flatten", [t], axis=1)
    t = g.node("MatMul", [t, g.weight((8 * 14, 5))])
    return g.model({"x": (1, 2, 32)}, t), grid_input(rng, (1, 2, 32), -1, 1, 128)


def channels_last(rng: np.random.Generator):
    """A small CNN converted by qonnx's `ConvertToChannelsLastAndClean` (as hls4ml's flow
    does): Conv, BatchNormalization and MaxPool in the `qonnx.custom_op.channels_last`
    domain, NHWC tensors, a Transpose at the input and before the flatten."""
    from qonnx.transformation.channels_last import ConvertToChannelsLastAndClean

    g = Graph("channels_last", rng)
    t = g.quant("x", 2.0**-8, 9, False)
    t = _conv(g, t, 3, 8, (3, 3), pads=[1, 1, 1, 1])
    t = g.quant(g.node("Relu", [g.batchnorm(t, 8)]), 0.25, 3, False)
    t = g.node("MaxPool", [t], kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0])
    t = _conv(g, t, 8, 8, (3, 3))
    t = g.quant(g.node("Relu", [t]), 0.25, 3, False)
    t = g.node("Flatten", [t], axis=1)
    t = g.node("MatMul", [t, g.weight((8 * 2 * 2, 6))])
    model = g.model({"x": (1, 3, 8, 8)}, t)
    model = model.transform(ConvertToChannelsLastAndClean(make_input_channels_last=False))
    return model, grid_input(rng, (1, 3, 8, 8), 0, 1, 255)


def grouped_conv(rng: np.random.Generator):
    """A grouped (not depthwise) convolution: 8 -> 8 channels in 2 groups, then a
    grouped 1x1 convolution in 4 groups, a global average pool and a dense layer."""
    g = Graph("grouped_conv", rng)
    t = g.quant("x", 2.0**-8, 9, False)
    t = _conv(g, t, 2, 8, (3, 3), pads=[1, 1, 1, 1])
    t = g.quant(g.node("Relu", [t]), 0.25, 3, False)
    t = _conv(g, t, 8, 8, (3, 3), group=2, pads=[1, 1, 1, 1])
    t = g.quant(g.node("Relu", [t]), 0.25, 3, False)
    t = _conv(g, t, 8, 8, (1, 1), group=4)
    t = g.quant(g.node("Relu", [t]), 0.25, 3, False)
    t = g.node("Flatten", [t], axis=1)
    t = g.node("MatMul", [t, g.weight((8 * 6 * 6, 4))])
    return g.model({"x": (1, 2, 6, 6)}, t), grid_input(rng, (1, 2, 6, 6), 0, 1, 255)


def per_channel_po2(rng: np.random.Generator):
    """Per-channel power-of-two activation scales (Brevitas `scaling_per_output_channel`
    with `restrict_scaling_type=POWER_OF_TWO`) feeding a convolution and a dense layer."""
    g = Graph("per_channel_po2", rng)

    def po2_scales(channels: int) -> np.ndarray:
        return 2.0 ** -rng.integers(1, 5, size=(1, channels, 1, 1))

    t = g.quant("x", 2.0**-8, 9, False)
    t = _conv(g, t, 3, 8, (3, 3), pads=[1, 1, 1, 1])
    t = g.quant(g.node("Relu", [t]), po2_scales(8), 3, False)
    t = _conv(g, t, 8, 6, (3, 3))
    t = g.quant(g.node("Relu", [t]), po2_scales(6), 4, False)
    t = g.node("Flatten", [t], axis=1)
    t = g.node("MatMul", [t, g.weight((6 * 4 * 4, 5))])
    return g.model({"x": (1, 3, 6, 6)}, t), grid_input(rng, (1, 3, 6, 6), 0, 1, 255)


def no_act_quant(rng: np.random.Generator):
    """Only the weights are quantized: the float input reaches the first MatMul
    unquantized (no activation quantizer anywhere)."""
    g = Graph("no_act_quant", rng)
    t = g.node("MatMul", ["x", g.weight((16, 16))])
    t = g.node("Relu", [t])
    t = g.node("MatMul", [t, g.weight((16, 4))])
    return g.model({"x": (1, 16)}, t), grid_input(rng, (1, 16), -1, 1, 128)


MODELS: dict[str, tuple[Callable, set[str]]] = {
    "qkeras_softmax": (qkeras_softmax, {"Softmax", "Quant", "Add"}),
    "float_tail_argmax": (float_tail_argmax, {"Sigmoid", "ArgMax"}),
    "float_tail_exp": (float_tail_exp, {"ReduceMax", "Exp"}),
    "sub_between_int": (sub_between_int, {"Sub"}),
    "finn_bipolar_topk": (finn_bipolar_topk, {"MultiThreshold", "Unsqueeze", "Squeeze", "TopK"}),
    "espcn_d2s": (espcn_d2s, {"DepthToSpace", "Conv"}),
    "espcn_d2s_int": (espcn_d2s_int, {"DepthToSpace", "Quant"}),
    "espcn_d2s_mid": (espcn_d2s_mid, {"DepthToSpace", "Quant"}),
    "segment_int_out": (segment_int_out, {"Conv", "Reshape"}),
    "espcn_resize": (espcn_resize, {"Resize", "Conv"}),
    "split_slice": (split_slice, {"Split", "Slice", "Concat"}),
    "concat_mixed": (concat_mixed, {"Concat", "Quant"}),
    "conv1d_maxpool": (conv1d_maxpool, {"Conv", "MaxPool", "Flatten"}),
    "channels_last": (channels_last, {"Conv", "MaxPool", "BatchNormalization", "Transpose"}),
    "grouped_conv": (grouped_conv, {"Conv"}),
    "per_channel_po2": (per_channel_po2, {"Conv", "Quant"}),
    "no_act_quant": (no_act_quant, {"MatMul"}),
}
"""name -> (builder, the op types the saved model must contain)."""


def main(names: Sequence[str]) -> None:
    for name in names or MODELS:
        build, required = MODELS[name]
        model, x = build(np.random.default_rng(_seed(name)))
        ops = {n.op_type for n in model.graph.node}
        missing = required - ops
        assert not missing, f"{name}: missing {missing} (has {sorted(ops)})"
        y = execute_onnx(model, {model.graph.input[0].name: x})[model.graph.output[0].name]
        assert np.all(np.isfinite(y)), name
        model.save(os.path.join(HERE, name + ".onnx"))
        np.save(os.path.join(HERE, name + ".in.npy"), x)
        print(f"{name}: {x.shape} -> {y.shape} {y.dtype}, ops {sorted(ops)}")


def _seed(name: str) -> int:
    return sum(ord(c) * 31**i for i, c in enumerate(name)) % 2**32


if __name__ == "__main__":
    main(sys.argv[1:])
