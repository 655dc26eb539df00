"""QONNX models built with `onnx.helper` and numpy alone (no torch): a MobileNet-v1 and
the small building blocks the reliability tests use.

    from mobilenet import mobilenet_v1, save
    model = mobilenet_v1()                       # 224x224x3, width 1.0, w4a4, 1000 classes
    save(model, "mobilenet.onnx")
    x = sample_input(model)                      # one image in [0, 1], seeded

`QonnxBuilder` writes the graph Brevitas would export for a quantized CNN: an unsigned
8-bit input `Quant`, `Conv` (weights through a signed narrow `Quant` with per-output-channel
scales), `BatchNormalization`, `Relu`, unsigned activation `Quant`, `MaxPool`,
`GlobalAveragePool` + `Quant`, `Reshape` and `MatMul`. Every tensor, node and graph name goes
through `namer`, so a test can make each name hostile.

**BatchNorm statistics are plausible without running the network.** The builder tracks
the mean and variance of the activation entering each layer (a scalar pair: the quantized
ReLU of a unit Gaussian, computed on a large 1-D sample) and sets each channel's running
mean/variance to what the conv would produce on independent inputs of those moments
(`mean = mu * sum(w)`, `var = sigma^2 * sum(w^2)`). BN then normalizes each channel to about
N(beta, gamma^2) and the following 4-bit quantizer (scale chosen to cover that range) uses
most of its levels, so the thresholds are realistic rather than all clipped.

MobileNet-v1 (Howard et al. 2017, width 1.0): conv3x3/2 3->32, then 13 depthwise-separable
blocks (depthwise conv3x3 + BN + ReLU + quant, pointwise conv1x1 + BN + ReLU + quant) with
strides 1,2,1,2,1,2,1,1,1,1,1,2,1 and widths 64,128,128,256,256,512x6,1024,1024, a 7x7
global average pool and a 1024x1000 FC: 4.2 M weights.

Run as a script to write the model, a sample input and qonnx's output for it (a dev check:
qonnx's `execute_onnx` takes a while on 224x224):

    python test/models/mobilenet.py OUT_DIR [--width 1.0] [--size 224] [--qonnx]
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QONNX_DOMAIN = "qonnx.custom_op.general"
OPSET = 13

MOBILENET_V1_BLOCKS: tuple[tuple[int, int], ...] = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)
"""(pointwise output channels, depthwise stride) of MobileNet-v1's 13 blocks."""


def _plain(hint: str) -> str:
    return hint


def _relu_quant_moments(scale: float, bits: int, beta: float, gamma: float) -> tuple[float, float]:
    """Mean and variance of `quant(relu(N(beta, gamma^2)))` (unsigned, `bits`, `scale`),
    on a fixed sample: deterministic and cheap."""
    sample = np.random.default_rng(12345).standard_normal(200_000) * gamma + beta
    q = np.clip(np.round(np.maximum(sample, 0.0) / scale), 0, 2**bits - 1) * scale
    return float(q.mean()), float(q.var())


@dataclass
class QonnxBuilder:
    """Appends QONNX nodes; tracks the activation's shape (NCHW) and moments."""

    seed: int = 0
    namer: Callable[[str], str] = _plain
    act_bits: int = 4
    weight_bits: int = 4
    nodes: list[onnx.NodeProto] = field(default_factory=list)
    initializers: list[onnx.TensorProto] = field(default_factory=list)
    weights: int = 0
    _counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)
        self.shape: tuple[int, ...] = ()
        self.mean = 0.0
        self.var = 1.0

    # ------------------------------------------------------------------ names, tensors

    def fresh(self, hint: str) -> str:
        n = self._counts.get(hint, 0)
        self._counts[hint] = n + 1
        return self.namer(f"{hint}_{n}")

    def const(self, array: np.ndarray, hint: str) -> str:
        name = self.fresh(hint)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op_type: str, inputs: list[str], hint: str, **attrs) -> str:
        out = self.fresh(f"{hint}_out")
        domain = QONNX_DOMAIN if op_type in ("Quant", "Trunc", "BipolarQuant") else ""
        self.nodes.append(
            helper.make_node(
                op_type, inputs, [out], name=self.fresh(op_type), domain=domain, **attrs
            )
        )
        return out

    def quant(
        self,
        x: str,
        scale: float | np.ndarray,
        bits: int,
        *,
        signed: bool,
        narrow: bool = False,
        hint: str = "quant",
    ) -> str:
        return self.node(
            "Quant",
            [
                x,
                self.const(np.asarray(scale, np.float32), f"{hint}_scale"),
                self.const(np.zeros((), np.float32), f"{hint}_zeropt"),
                self.const(np.asarray(float(bits), np.float32), f"{hint}_bitwidth"),
            ],
            hint,
            signed=int(signed),
            narrow=int(narrow),
            rounding_mode="ROUND",
        )

    def quantized_weight(
        self, w: np.ndarray, bits: int, hint: str, channel_axis: int = 0
    ) -> tuple[str, np.ndarray]:
        """`w` through a signed narrow per-output-channel (`channel_axis`) quantizer;
        returns the Quant's output and the dequantized weights."""
        top = 2 ** (bits - 1) - 1
        axes = tuple(a for a in range(w.ndim) if a != channel_axis)
        peak = np.max(np.abs(w), axis=axes, keepdims=True)
        scale = (np.maximum(peak, 1e-8) / top).astype(np.float32)
        dequant = np.clip(np.round(w / scale), -top, top) * scale
        self.weights += w.size
        source = self.const(w.astype(np.float32), hint)
        out = self.quant(source, scale, bits, signed=True, narrow=True, hint=f"{hint}_quant")
        return out, dequant

    # ------------------------------------------------------------------ layers

    def input(self, shape: tuple[int, ...], name: str = "input") -> str:
        """The graph input (an image in [0, 1]) and its unsigned 8-bit quantizer."""
        self.input_name = self.namer(name)
        self.input_shape = shape
        self.shape = shape
        self.mean, self.var = 0.5, 1.0 / 12.0
        return self.quant(self.input_name, 1.0 / 255.0, 8, signed=False, hint="input_quant")

    def conv(
        self, x: str, out_channels: int, kernel: int, stride: int = 1, *, depthwise: bool = False
    ) -> str:
        n, c, h, w = self.shape
        pad = kernel // 2
        group = c if depthwise else 1
        per_group = 1 if depthwise else c
        fan_in = per_group * kernel * kernel
        weight = self.rng.standard_normal((out_channels, per_group, kernel, kernel))
        weight *= math.sqrt(2.0 / fan_in)
        wq, dequant = self.quantized_weight(weight, self.weight_bits, "conv_weight")
        out = self.node(
            "Conv",
            [x, wq],
            "conv",
            kernel_shape=[kernel, kernel],
            pads=[pad] * 4,
            strides=[stride, stride],
            dilations=[1, 1],
            group=group,
        )
        oh = (h + 2 * pad - kernel) // stride + 1
        ow = (w + 2 * pad - kernel) // stride + 1
        self.shape = (n, out_channels, oh, ow)
        flat = dequant.reshape(out_channels, -1)
        self.channel_mean = self.mean * flat.sum(axis=1)
        self.channel_var = self.var * (flat**2).sum(axis=1) + 1e-6
        return out

    def bn_relu_quant(self, x: str) -> str:
        """BatchNorm (statistics from the tracked moments), ReLU, unsigned quantizer."""
        c = self.shape[1]
        gamma = self.rng.uniform(0.6, 1.4, c).astype(np.float32)
        beta = self.rng.normal(0.3, 0.3, c).astype(np.float32)
        spread = self.rng.uniform(0.8, 1.25, c)  # running stats are estimates, not exact
        mean = (self.channel_mean * spread).astype(np.float32)
        var = (self.channel_var * spread).astype(np.float32)
        y = self.node(
            "BatchNormalization",
            [
                x,
                self.const(gamma, "bn_gamma"),
                self.const(beta, "bn_beta"),
                self.const(mean, "bn_mean"),
                self.const(var, "bn_var"),
            ],
            "bn",
            epsilon=1e-5,
        )
        y = self.node("Relu", [y], "relu")
        levels = 2**self.act_bits - 1
        scale = 3.0 / levels  # [0, 3]: ~3 sigma of N(0.3, 1)
        self.mean, self.var = _relu_quant_moments(scale, self.act_bits, 0.3, 1.0)
        return self.quant(y, scale, self.act_bits, signed=False, hint="act_quant")

    def maxpool(self, x: str, kernel: int = 2) -> str:
        n, c, h, w = self.shape
        self.shape = (n, c, h // kernel, w // kernel)
        return self.node(
            "MaxPool", [x], "maxpool", kernel_shape=[kernel, kernel], strides=[kernel, kernel]
        )

    def global_avgpool_quant(self, x: str) -> str:
        n, c, _, _ = self.shape
        self.shape = (n, c, 1, 1)
        y = self.node("GlobalAveragePool", [x], "avgpool")
        scale = 3.0 / (2**self.act_bits - 1)
        return self.quant(y, scale, self.act_bits, signed=False, hint="pool_quant")

    def flatten(self, x: str) -> str:
        n = self.shape[0]
        features = int(np.prod(self.shape[1:]))
        self.shape = (n, features)
        return self.node("Reshape", [x, self.const(np.array([n, -1], np.int64), "shape")], "flat")

    def matmul(self, x: str, outputs: int, bits: int | None = None) -> str:
        features = self.shape[1]
        weight = self.rng.standard_normal((features, outputs)) * math.sqrt(1.0 / features)
        wq, _ = self.quantized_weight(weight, bits or self.weight_bits, "fc_weight", 1)
        self.shape = (self.shape[0], outputs)
        return self.node("MatMul", [x, wq], "fc")

    # ------------------------------------------------------------------ model

    def model(self, output: str, graph_name: str = "qonnx_model") -> onnx.ModelProto:
        """The model with `output` renamed to the graph output (`namer("output")`)."""
        final = self.namer("output")
        for node in self.nodes:
            node.output[:] = [final if o == output else o for o in node.output]
        graph = helper.make_graph(
            self.nodes,
            self.namer(graph_name),
            [helper.make_tensor_value_info(self.input_name, TensorProto.FLOAT, self.input_shape)],
            [helper.make_tensor_value_info(final, TensorProto.FLOAT, self.shape)],
            initializer=self.initializers,
        )
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(QONNX_DOMAIN, 1)],
            producer_name="qnn test/models/mobilenet.py",
        )
        model.ir_version = 8
        return model


def mobilenet_v1(
    *,
    size: int = 224,
    width: float = 1.0,
    classes: int = 1000,
    bits: int = 4,
    seed: int = 0,
    blocks: tuple[tuple[int, int], ...] = MOBILENET_V1_BLOCKS,
) -> onnx.ModelProto:
    """MobileNet-v1 as QONNX (module docstring): `bits`-bit weights and activations, an
    8-bit image input, random seeded weights."""
    b = QonnxBuilder(seed=seed, act_bits=bits, weight_bits=bits)

    def channels(c: int) -> int:
        return max(8, int(c * width))

    x = b.input((1, 3, size, size))
    x = b.bn_relu_quant(b.conv(x, channels(32), 3, 2))
    for out_channels, stride in blocks:
        x = b.bn_relu_quant(b.conv(x, b.shape[1], 3, stride, depthwise=True))
        x = b.bn_relu_quant(b.conv(x, channels(out_channels), 1))
    x = b.global_avgpool_quant(x)
    x = b.matmul(b.flatten(x), classes)
    model = b.model(x, "mobilenet_v1")
    model.doc_string = f"MobileNet-v1 width {width}, {size}x{size}, w{bits}a{bits}, seed {seed}"
    return model


def weight_count(model: onnx.ModelProto) -> int:
    """Weights of the model: elements of every initializer with more than one dimension."""
    return sum(int(np.prod(t.dims)) for t in model.graph.initializer if len(t.dims) > 1)


def sample_input(model: onnx.ModelProto, frames: int = 1, seed: int = 1) -> np.ndarray:
    """`frames` images in [0, 1] of the model's input shape (`frames x 1 x C x H x W`
    squeezed to `frames x C x H x W`)."""
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    rng = np.random.default_rng(seed)
    return rng.uniform(0.0, 1.0, size=(frames, *dims[1:])).astype(np.float32)


def save(model: onnx.ModelProto, path: str | Path) -> Path:
    path = Path(path)
    onnx.save(model, str(path))
    return path


def main(argv: list[str]) -> None:
    import argparse
    import time

    parser = argparse.ArgumentParser(description="Write a QONNX MobileNet-v1 (and check it).")
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--width", type=float, default=1.0)
    parser.add_argument("--qonnx", action="store_true", help="run qonnx's execute_onnx once")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    model = mobilenet_v1(size=args.size, width=args.width)
    onnx.checker.check_model(model)
    path = save(model, args.out / "mobilenet.onnx")
    x = sample_input(model)
    np.save(args.out / "mobilenet.in.npy", x)
    print(f"{path}: {weight_count(model):,} weights, {path.stat().st_size / 2**20:.1f} MiB")
    if args.qonnx:
        from qonnx.core.modelwrapper import ModelWrapper
        from qonnx.core.onnx_exec import execute_onnx
        from qonnx.util.cleanup import cleanup_model

        start = time.perf_counter()
        wrapper = cleanup_model(ModelWrapper(str(path)))
        y = execute_onnx(wrapper, {wrapper.graph.input[0].name: x})[wrapper.graph.output[0].name]
        np.save(args.out / "mobilenet.qonnx.npy", y)
        print(
            f"qonnx: output {list(y.shape)}, argmax {int(np.argmax(y))}, "
            f"{np.unique(y).size} distinct values, {time.perf_counter() - start:.1f} s"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
