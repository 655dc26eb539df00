#!/usr/bin/env python3
"""Generate the project's own QONNX test fixtures (small Brevitas networks).

Run from anywhere with the project venv (needs torch, brevitas, onnxoptimizer, qonnx):

    .venv/bin/python test/models/make_models.py            # all models
    .venv/bin/python test/models/make_models.py cnv_like   # only some

For each model NAME this writes, next to this script:
  NAME.onnx    QONNX model (exported with brevitas.export.export_qonnx, cleaned with
               qonnx.util.cleanup.cleanup_model, shapes inferred), self-contained (no .data)
  NAME.in.npy  one float32 input of batch 1 in the model's natural input range

Everything is seeded, so re-running reproduces the same weights and inputs (given the same
torch / brevitas versions).  Every model is checked: qonnx's execute_onnx on the sample
input must equal the PyTorch module's output (rtol 1e-4, atol 1e-5).

The `rounding_modes` model is not a Brevitas export (Brevitas only exports ROUND): it is
built directly with onnx.helper and checked against a numpy reference of the Quant
semantics (clip, then round, as `qdialects.quant` documents).
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from collections import Counter

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
RTOL, ATOL = 1e-4, 1e-5

warnings.filterwarnings("ignore")

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from brevitas.core.bit_width import BitWidthImplType  # noqa: E402
from brevitas.core.quant import QuantType  # noqa: E402
from brevitas.core.restrict_val import FloatToIntImplType, RestrictValueType  # noqa: E402
from brevitas.core.scaling import ScalingImplType  # noqa: E402
from brevitas.core.zero_point import ZeroZeroPoint  # noqa: E402
from brevitas.export import export_qonnx  # noqa: E402
from brevitas.inject import ExtendedInjector  # noqa: E402
from brevitas.nn import (  # noqa: E402
    QuantConv2d,
    QuantIdentity,
    QuantLinear,
    QuantReLU,
    TruncAdaptiveAvgPool2d,
    TruncAvgPool2d,
)
from brevitas.quant import (  # noqa: E402
    Int8ActPerTensorFloat,
    Uint8ActPerTensorFloat,
)
from brevitas.quant.solver import ActQuantSolver, WeightQuantSolver  # noqa: E402
from dependencies import value  # noqa: E402
from qonnx.core.modelwrapper import ModelWrapper  # noqa: E402
from qonnx.core.onnx_exec import execute_onnx  # noqa: E402
from qonnx.transformation.infer_shapes import InferShapes  # noqa: E402
from qonnx.util.cleanup import cleanup_model  # noqa: E402


# --------------------------------------------------------------------------------------
# bnn_pynq-style quantizers (copied from brevitas_examples/bnn_pynq/models/common.py):
# constant scales, narrow-range signed, ROUND.
# --------------------------------------------------------------------------------------
class CommonQuant(ExtendedInjector):
    bit_width_impl_type = BitWidthImplType.CONST
    scaling_impl_type = ScalingImplType.CONST
    restrict_scaling_type = RestrictValueType.FP
    zero_point_impl = ZeroZeroPoint
    float_to_int_impl_type = FloatToIntImplType.ROUND
    scaling_per_output_channel = False
    narrow_range = True
    signed = True

    @value
    def quant_type(bit_width):
        if bit_width is None:
            return QuantType.FP
        elif bit_width == 1:
            return QuantType.BINARY
        else:
            return QuantType.INT


class CommonWeightQuant(CommonQuant, WeightQuantSolver):
    scaling_const = 1.0


class CommonActQuant(CommonQuant, ActQuantSolver):
    min_val = -1.0
    max_val = 1.0


class TensorNorm(nn.Module):
    """bnn_pynq's TensorNorm: a scalar BatchNorm (exports to Sub/Div/Mul/Add)."""

    def __init__(self, eps=1e-4, momentum=0.1):
        super().__init__()
        self.eps = eps
        self.momentum = momentum
        self.weight = nn.Parameter(torch.ones(1))
        self.bias = nn.Parameter(torch.zeros(1))
        self.register_buffer("running_mean", torch.zeros(1))
        self.register_buffer("running_var", torch.ones(1))

    def forward(self, x):
        if self.training:
            mean = x.mean()
            unbias_var = x.var(unbiased=True)
            biased_var = x.var(unbiased=False)
            self.running_mean = (
                1 - self.momentum
            ) * self.running_mean + self.momentum * mean.detach()
            self.running_var = (
                1 - self.momentum
            ) * self.running_var + self.momentum * unbias_var.detach()
            inv_std = 1 / (biased_var + self.eps).pow(0.5)
            return (x - mean) * inv_std * self.weight + self.bias
        return (
            (x - self.running_mean) / (self.running_var + self.eps).pow(0.5)
        ) * self.weight + self.bias


def _uniform_init(module, lo=-1.0, hi=1.0):
    for m in module.modules():
        if isinstance(m, (QuantLinear, QuantConv2d)):
            nn.init.uniform_(m.weight.data, lo, hi)


def _randomize_bn(module, gen):
    """Give BatchNorm affine params non-trivial values (running stats come from calibration)."""
    for m in module.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            n = m.num_features
            m.weight.data = 0.5 + torch.rand(n, generator=gen)
            m.bias.data = 0.2 * torch.randn(n, generator=gen)


# --------------------------------------------------------------------------------------
# Networks
# --------------------------------------------------------------------------------------
class TFCLike(nn.Module):
    """bnn_pynq FC: 8x8 image -> 2x-1 -> 8-bit QuantIdentity -> (QuantLinear, BN1d, QuantIdentity)* -> TensorNorm."""

    def __init__(
        self, in_features=64, hidden=(32, 32), num_classes=10, w_bits=2, a_bits=2, in_bits=8
    ):
        super().__init__()
        layers = [QuantIdentity(act_quant=CommonActQuant, bit_width=in_bits)]
        for out_features in hidden:
            layers += [
                QuantLinear(
                    in_features,
                    out_features,
                    bias=False,
                    weight_bit_width=w_bits,
                    weight_quant=CommonWeightQuant,
                ),
                nn.BatchNorm1d(out_features),
                QuantIdentity(act_quant=CommonActQuant, bit_width=a_bits),
            ]
            in_features = out_features
        layers += [
            QuantLinear(
                in_features,
                num_classes,
                bias=False,
                weight_bit_width=w_bits,
                weight_quant=CommonWeightQuant,
            ),
            TensorNorm(),
        ]
        self.features = nn.ModuleList(layers)
        _uniform_init(self)

    def forward(self, x):
        # torch.flatten: TorchScript exports Flatten, dynamo exports Reshape (constant shape)
        x = torch.flatten(x, 1)
        x = 2.0 * x - torch.tensor([1.0], device=x.device)
        for mod in self.features:
            x = mod(x)
        return x


class CNVLike(nn.Module):
    """bnn_pynq CNV, shrunk: 3x16x16 -> 2x-1 -> 8-bit in quant -> conv3x3/BN/act x2, maxpool,
    conv3x3/BN/act x1, maxpool -> flatten -> FC/BN/act -> FC -> TensorNorm."""

    def __init__(self, w_bits=2, a_bits=2, in_bits=8, num_classes=10):
        super().__init__()
        self.conv_features = nn.ModuleList(
            [
                QuantIdentity(
                    act_quant=CommonActQuant,
                    bit_width=in_bits,
                    min_val=-1.0,
                    max_val=1.0 - 2.0 ** (-7),
                    narrow_range=False,
                    restrict_scaling_type=RestrictValueType.POWER_OF_TWO,
                ),
            ]
        )
        chans = [(3, 8, False), (8, 8, True), (8, 16, True)]
        for cin, cout, pool in chans:
            self.conv_features.append(
                QuantConv2d(
                    cin,
                    cout,
                    kernel_size=3,
                    bias=False,
                    weight_bit_width=w_bits,
                    weight_quant=CommonWeightQuant,
                )
            )
            self.conv_features.append(nn.BatchNorm2d(cout, eps=1e-4))
            self.conv_features.append(QuantIdentity(act_quant=CommonActQuant, bit_width=a_bits))
            if pool:
                self.conv_features.append(nn.MaxPool2d(kernel_size=2))
        # 16 -> 14 -> 12 -> pool 6 -> 4 -> pool 2
        self.linear_features = nn.ModuleList(
            [
                QuantLinear(
                    16 * 2 * 2,
                    16,
                    bias=False,
                    weight_bit_width=w_bits,
                    weight_quant=CommonWeightQuant,
                ),
                nn.BatchNorm1d(16, eps=1e-4),
                QuantIdentity(act_quant=CommonActQuant, bit_width=a_bits),
                QuantLinear(
                    16,
                    num_classes,
                    bias=False,
                    weight_bit_width=w_bits,
                    weight_quant=CommonWeightQuant,
                ),
                TensorNorm(),
            ]
        )
        _uniform_init(self)

    def forward(self, x):
        x = 2.0 * x - torch.tensor([1.0], device=x.device)
        for mod in self.conv_features:
            x = mod(x)
        x = x.view(x.shape[0], -1)
        for mod in self.linear_features:
            x = mod(x)
        return x


class SignedInput(nn.Module):
    """Signed 8-bit input quantizer (inputs in [-1, 1]) feeding an MLP with ReLU activations."""

    def __init__(self):
        super().__init__()
        self.inp = QuantIdentity(
            act_quant=Int8ActPerTensorFloat,
            bit_width=8,
            min_val=-1.0,
            max_val=1.0,
            scaling_impl_type=ScalingImplType.CONST,
            return_quant_tensor=True,
        )
        self.fc1 = QuantLinear(16, 16, bias=False, weight_bit_width=4)
        self.bn1 = nn.BatchNorm1d(16)
        self.act1 = QuantReLU(bit_width=4, return_quant_tensor=True)
        self.fc2 = QuantLinear(16, 8, bias=False, weight_bit_width=4)

    def forward(self, x):
        x = self.act1(self.bn1(self.fc1(self.inp(x))))
        return self.fc2(x)


class NarrowRange(nn.Module):
    """narrow_range=True on signed weights, signed activations and an unsigned activation
    (unsigned narrow: max 2^b-2), plus narrow_range=False signed weights and unsigned acts."""

    def __init__(self):
        super().__init__()
        # signed narrow input quant: [-7, 7] at 4 bits
        self.inp = QuantIdentity(bit_width=4, narrow_range=True, return_quant_tensor=True)
        self.fc1 = QuantLinear(16, 16, bias=False, weight_bit_width=3, weight_narrow_range=True)
        self.bn1 = nn.BatchNorm1d(16)
        # unsigned narrow: [0, 14] at 4 bits
        self.act1 = QuantReLU(bit_width=4, narrow_range=True, return_quant_tensor=True)
        self.fc2 = QuantLinear(16, 16, bias=False, weight_bit_width=3, weight_narrow_range=False)
        self.bn2 = nn.BatchNorm1d(16)
        # unsigned, not narrow: [0, 15]
        self.act2 = QuantReLU(bit_width=4, narrow_range=False, return_quant_tensor=True)
        self.fc3 = QuantLinear(16, 16, bias=False, weight_bit_width=3, weight_narrow_range=True)
        self.bn3 = nn.BatchNorm1d(16)
        # signed narrow activation: [-3, 3] at 3 bits
        self.act3 = QuantIdentity(bit_width=3, narrow_range=True, return_quant_tensor=True)
        self.fc4 = QuantLinear(16, 4, bias=False, weight_bit_width=3, weight_narrow_range=True)

    def forward(self, x):
        x = self.inp(x)
        x = self.act1(self.bn1(self.fc1(x)))
        x = self.act2(self.bn2(self.fc2(x)))
        x = self.act3(self.bn3(self.fc3(x)))
        return self.fc4(x)


class PerChannel(nn.Module):
    """Per-output-channel weight scales on convs and FC, per-channel activation scales."""

    def __init__(self):
        super().__init__()
        self.inp = QuantIdentity(
            act_quant=Uint8ActPerTensorFloat,
            bit_width=8,
            max_val=1.0,
            scaling_impl_type=ScalingImplType.CONST,
            return_quant_tensor=True,
        )
        self.conv1 = QuantConv2d(
            3, 8, 3, bias=False, weight_bit_width=4, weight_scaling_per_output_channel=True
        )
        self.bn1 = nn.BatchNorm2d(8)
        self.act1 = QuantReLU(
            bit_width=4,
            scaling_per_output_channel=True,
            per_channel_broadcastable_shape=(1, 8, 1, 1),
            scaling_stats_permute_dims=(1, 0, 2, 3),
            return_quant_tensor=True,
        )
        self.conv2 = QuantConv2d(
            8, 8, 3, bias=False, weight_bit_width=4, weight_scaling_per_output_channel=True
        )
        self.bn2 = nn.BatchNorm2d(8)
        self.act2 = QuantIdentity(
            bit_width=4,
            scaling_per_output_channel=True,
            per_channel_broadcastable_shape=(1, 8, 1, 1),
            scaling_stats_permute_dims=(1, 0, 2, 3),
            return_quant_tensor=True,
        )
        self.fc = QuantLinear(
            8 * 4 * 4, 10, bias=False, weight_bit_width=4, weight_scaling_per_output_channel=True
        )

    def forward(self, x):
        x = self.inp(x)
        x = self.act1(self.bn1(self.conv1(x)))
        x = self.act2(self.bn2(self.conv2(x)))
        x = x.reshape(x.shape[0], -1)
        return self.fc(x)


class FloatScales(nn.Module):
    """Brevitas default float (non power-of-two) scales everywhere; FC layers with float bias."""

    def __init__(self):
        super().__init__()
        self.inp = QuantIdentity(act_quant=Int8ActPerTensorFloat, return_quant_tensor=True)
        self.conv = QuantConv2d(2, 6, 3, padding=1, bias=True, weight_bit_width=5)
        self.act1 = QuantReLU(bit_width=5, return_quant_tensor=True)
        self.fc1 = QuantLinear(6 * 6 * 6, 12, bias=True, weight_bit_width=5)
        self.act2 = QuantIdentity(bit_width=6, return_quant_tensor=True)
        self.fc2 = QuantLinear(12, 5, bias=True, weight_bit_width=5)

    def forward(self, x):
        x = self.act1(self.conv(self.inp(x)))
        x = x.reshape(x.shape[0], -1)
        x = self.act2(self.fc1(x))
        return self.fc2(x)


class DepthwiseSep(nn.Module):
    """Depthwise 3x3 conv (groups=channels, padding=1) followed by 1x1 pointwise conv."""

    def __init__(self, c=4):
        super().__init__()
        self.inp = QuantIdentity(
            act_quant=Uint8ActPerTensorFloat,
            bit_width=8,
            max_val=1.0,
            scaling_impl_type=ScalingImplType.CONST,
            return_quant_tensor=True,
        )
        self.conv0 = QuantConv2d(3, c, 3, padding=1, bias=False, weight_bit_width=4)
        self.bn0 = nn.BatchNorm2d(c)
        self.act0 = QuantReLU(bit_width=4, return_quant_tensor=True)
        self.dw = QuantConv2d(c, c, 3, padding=1, groups=c, bias=False, weight_bit_width=4)
        self.bn1 = nn.BatchNorm2d(c)
        self.act1 = QuantReLU(bit_width=4, return_quant_tensor=True)
        self.pw = QuantConv2d(c, 2 * c, 1, bias=False, weight_bit_width=4)
        self.bn2 = nn.BatchNorm2d(2 * c)
        self.act2 = QuantReLU(bit_width=4, return_quant_tensor=True)
        self.fc = QuantLinear(2 * c * 8 * 8, 10, bias=False, weight_bit_width=4)

    def forward(self, x):
        x = self.act0(self.bn0(self.conv0(self.inp(x))))
        x = self.act1(self.bn1(self.dw(x)))
        x = self.act2(self.bn2(self.pw(x)))
        x = x.reshape(x.shape[0], -1)
        return self.fc(x)


class AvgPoolTrunc(nn.Module):
    """QuantReLU (QuantTensor out) -> TruncAvgPool2d 2x2 (exports AveragePool + Trunc)."""

    def __init__(self):
        super().__init__()
        self.inp = QuantIdentity(
            act_quant=Uint8ActPerTensorFloat,
            bit_width=8,
            max_val=1.0,
            scaling_impl_type=ScalingImplType.CONST,
            return_quant_tensor=True,
        )
        self.conv = QuantConv2d(3, 8, 3, padding=1, bias=False, weight_bit_width=4)
        self.bn = nn.BatchNorm2d(8)
        self.act = QuantReLU(bit_width=4, return_quant_tensor=True)
        self.pool = TruncAvgPool2d(kernel_size=2, stride=2, bit_width=4, return_quant_tensor=True)
        self.fc = QuantLinear(8 * 4 * 4, 10, bias=False, weight_bit_width=4)

    def forward(self, x):
        x = self.act(self.bn(self.conv(self.inp(x))))
        x = self.pool(x)
        x = x.reshape(x.shape[0], -1)
        return self.fc(x)


class Residual(nn.Module):
    """Stem conv -> shared QuantReLU; basic block whose second conv output goes through the
    same shared QuantReLU instance, so both operands of the Add share one quantizer."""

    def __init__(self, c=8):
        super().__init__()
        self.inp = QuantIdentity(
            act_quant=Uint8ActPerTensorFloat,
            bit_width=8,
            max_val=1.0,
            scaling_impl_type=ScalingImplType.CONST,
            return_quant_tensor=True,
        )
        self.stem = QuantConv2d(3, c, 3, padding=1, bias=False, weight_bit_width=4)
        self.bn0 = nn.BatchNorm2d(c)
        self.shared = QuantReLU(bit_width=4, return_quant_tensor=True)
        self.conv1 = QuantConv2d(c, c, 3, padding=1, bias=False, weight_bit_width=4)
        self.bn1 = nn.BatchNorm2d(c)
        self.relu1 = QuantReLU(bit_width=4, return_quant_tensor=True)
        self.conv2 = QuantConv2d(c, c, 3, padding=1, bias=False, weight_bit_width=4)
        self.bn2 = nn.BatchNorm2d(c)
        self.relu_out = QuantReLU(bit_width=4, return_quant_tensor=True)
        self.pool = nn.MaxPool2d(2)
        self.fc = QuantLinear(c * 4 * 4, 10, bias=False, weight_bit_width=4)

    def forward(self, x):
        x = self.shared(self.bn0(self.stem(self.inp(x))))
        out = self.relu1(self.bn1(self.conv1(x)))
        out = self.shared(self.bn2(self.conv2(out)))
        out = self.relu_out(out + x)
        out = self.pool(out)
        out = out.reshape(out.shape[0], -1)
        return self.fc(out)


class GlobalAvgPool(nn.Module):
    """conv/BN/QuantReLU -> TruncAdaptiveAvgPool2d(1) (global average, + Trunc) -> FC."""

    def __init__(self):
        super().__init__()
        self.inp = QuantIdentity(
            act_quant=Uint8ActPerTensorFloat,
            bit_width=8,
            max_val=1.0,
            scaling_impl_type=ScalingImplType.CONST,
            return_quant_tensor=True,
        )
        self.conv = QuantConv2d(3, 8, 3, padding=1, bias=False, weight_bit_width=4)
        self.bn = nn.BatchNorm2d(8)
        self.act = QuantReLU(bit_width=4, return_quant_tensor=True)
        self.gap = TruncAdaptiveAvgPool2d(output_size=1, bit_width=6, return_quant_tensor=True)
        self.fc = QuantLinear(8, 10, bias=False, weight_bit_width=4)

    def forward(self, x):
        x = self.act(self.bn(self.conv(self.inp(x))))
        x = self.gap(x)
        x = x.reshape(x.shape[0], -1)
        return self.fc(x)


class ConvPadStride(nn.Module):
    """Stride-2, padding-1 convs on a non-square 2x10x12 input."""

    def __init__(self):
        super().__init__()
        self.inp = QuantIdentity(
            act_quant=Uint8ActPerTensorFloat,
            bit_width=8,
            max_val=1.0,
            scaling_impl_type=ScalingImplType.CONST,
            return_quant_tensor=True,
        )
        self.conv1 = QuantConv2d(2, 4, 3, stride=2, padding=1, bias=False, weight_bit_width=4)
        self.bn1 = nn.BatchNorm2d(4)
        self.act1 = QuantReLU(bit_width=4, return_quant_tensor=True)
        # 10x12 -> 5x6
        self.conv2 = QuantConv2d(4, 6, 3, stride=2, padding=1, bias=False, weight_bit_width=4)
        self.bn2 = nn.BatchNorm2d(6)
        self.act2 = QuantReLU(bit_width=4, return_quant_tensor=True)
        # 5x6 -> 3x3
        self.fc = QuantLinear(6 * 3 * 3, 10, bias=False, weight_bit_width=4)

    def forward(self, x):
        x = self.act1(self.bn1(self.conv1(self.inp(x))))
        x = self.act2(self.bn2(self.conv2(x)))
        x = x.reshape(x.shape[0], -1)
        return self.fc(x)


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------
def image_input(rng, shape):
    """Image in [0, 1] on 8-bit steps (like the shared reference models)."""
    return (rng.integers(0, 256, size=shape) / 255.0).astype(np.float32)


def signed_input(rng, shape):
    return rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)


def gaussian_input(rng, shape):
    return rng.standard_normal(size=shape).astype(np.float32)


# --------------------------------------------------------------------------------------
# Export / check helpers
# --------------------------------------------------------------------------------------
def calibrate(module, make_batch, n_batches=8, batch=32):
    """Run a few random batches in train mode (BN running stats, activation scale stats),
    then switch to eval."""
    module.train()
    with torch.no_grad():
        for _ in range(n_batches):
            module(torch.from_numpy(make_batch(batch)))
    module.eval()
    return module


def export(module, x: np.ndarray, dynamo: bool) -> ModelWrapper:
    """Export with export_qonnx, make self-contained, cleanup + InferShapes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.onnx")
        kwargs = {"dynamo": dynamo}
        if dynamo:
            kwargs["optimize"] = True
            kwargs["verbose"] = False
        export_qonnx(module, torch.from_numpy(x), export_path=path, **kwargs)
        # load_external_data=True pulls any .data file back into the proto
        proto = onnx.load(path, load_external_data=True)
    for init in proto.graph.initializer:
        assert init.data_location != TensorProto.EXTERNAL, init.name
    model = ModelWrapper(proto)
    model = cleanup_model(model)
    model = model.transform(InferShapes())
    return model


def op_counts(model) -> Counter:
    graph = model.graph if hasattr(model, "graph") else model
    return Counter(n.op_type for n in graph.node)


def fmt_counts(c: Counter) -> str:
    return " ".join(f"{k}:{v}" for k, v in sorted(c.items()))


def run_qonnx(model: ModelWrapper, x: np.ndarray) -> np.ndarray:
    iname = model.graph.input[0].name
    oname = model.graph.output[0].name
    return execute_onnx(model, {iname: x})[oname]


def quant_scales(model: ModelWrapper):
    """All Quant/BipolarQuant scale initializer values (flattened) by node name."""
    out = {}
    for n in model.graph.node:
        if n.op_type in ("Quant", "BipolarQuant"):
            s = model.get_initializer(n.input[1])
            if s is not None:
                out[n.name] = np.asarray(s).ravel()
    return out


def is_pow2(v) -> bool:
    v = np.abs(np.asarray(v, dtype=np.float64))
    return bool(np.all(np.isclose(np.exp2(np.round(np.log2(v))), v, rtol=0, atol=0)))


def save(name, model: ModelWrapper, x: np.ndarray):
    onnx_path = os.path.join(HERE, f"{name}.onnx")
    onnx.save(model.model, onnx_path)  # no external data: small models, one file
    np.save(os.path.join(HERE, f"{name}.in.npy"), x)
    return os.path.getsize(onnx_path)


# --------------------------------------------------------------------------------------
# Feature checks: make sure each model really contains what its name promises
# --------------------------------------------------------------------------------------
def _attr(node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def check_tfc_ts(m):
    c = op_counts(m)
    assert c["MatMul"] == 3 and c["Gemm"] == 0, c
    assert c["Flatten"] == 1, c
    assert c["BatchNormalization"] == 2, c


def check_tfc_dynamo(m):
    c = op_counts(m)
    assert c["Gemm"] == 3 and c["MatMul"] == 0, c
    for n in m.graph.node:
        if n.op_type == "Gemm":
            assert len(n.input) == 2, "Gemm should have no bias input"
        if n.op_type == "Reshape":
            assert m.get_initializer(n.input[1]) is not None, "Reshape shape should be constant"


def check_cnv(m):
    c = op_counts(m)
    assert c["Conv"] == 3 and c["MaxPool"] == 2 and c["MatMul"] + c["Gemm"] == 2, c


def check_signed_input(m):
    first = m.find_consumer(m.graph.input[0].name)
    assert first.op_type == "Quant" and _attr(first, "signed") == 1, first


def check_narrow(m):
    kinds = set()
    for n in m.graph.node:
        if n.op_type == "Quant":
            kinds.add((_attr(n, "signed"), _attr(n, "narrow")))
    # signed narrow, unsigned narrow, unsigned not narrow, signed not narrow (weights)
    assert {(1, 1), (0, 1), (0, 0), (1, 0)} <= kinds, kinds


def check_per_channel(m):
    per_ch = [k for k, s in quant_scales(m).items() if s.size > 1]
    acts = [
        n.name
        for n in m.graph.node
        if n.op_type == "Quant" and m.get_initializer(n.input[0]) is None
    ]
    assert len(per_ch) >= 5, per_ch  # 3 weights + 2 activations
    assert any(a in per_ch for a in acts), (acts, per_ch)
    for k in per_ch:
        assert len(np.unique(quant_scales(m)[k])) > 1, f"{k}: per-channel scales all equal"


def check_float_scales(m):
    scales = quant_scales(m)
    acts = [
        n.name
        for n in m.graph.node
        if n.op_type == "Quant" and m.get_initializer(n.input[0]) is None
    ]
    bad = [k for k, s in scales.items() if is_pow2(s)]
    assert not bad, f"power-of-two scales: {bad}"
    assert len(acts) >= 3, acts


def check_depthwise(m):
    convs = [n for n in m.graph.node if n.op_type == "Conv"]
    groups = [_attr(n, "group", 1) for n in convs]
    assert 4 in groups, groups
    dw = convs[groups.index(4)]
    assert list(_attr(dw, "pads")) == [1, 1, 1, 1], _attr(dw, "pads")
    pw = convs[groups.index(4) + 1]
    assert list(_attr(pw, "kernel_shape")) == [1, 1], pw


def check_avgpool_trunc(m):
    c = op_counts(m)
    assert c["Trunc"] == 1 and c["AveragePool"] == 1, c


def check_residual(m):
    c = op_counts(m)
    assert c["Add"] == 1, c
    add = next(n for n in m.graph.node if n.op_type == "Add")
    prods = [m.find_producer(i) for i in add.input]
    assert all(p is not None and p.op_type == "Quant" for p in prods), prods
    s0, s1 = (m.get_initializer(p.input[1]) for p in prods)
    assert np.array_equal(s0, s1), (s0, s1)


def check_gap(m):
    c = op_counts(m)
    assert c["GlobalAveragePool"] + c["ReduceMean"] + c["AveragePool"] == 1, c
    assert c["Trunc"] == 1, c


def check_bipolar(m):
    c = op_counts(m)
    assert c["BipolarQuant"] >= 6, c


def check_conv_pad_stride(m):
    for n in m.graph.node:
        if n.op_type == "Conv":
            assert list(_attr(n, "strides")) == [2, 2], n
            assert list(_attr(n, "pads")) == [1, 1, 1, 1], n
    assert list(m.get_tensor_shape(m.graph.input[0].name)) == [1, 2, 10, 12]


# --------------------------------------------------------------------------------------
# rounding_modes: hand-built QONNX graph with all seven rounding modes
# --------------------------------------------------------------------------------------
ROUNDING_MODES = ["ROUND", "CEIL", "FLOOR", "UP", "DOWN", "HALF_UP", "HALF_DOWN"]


def _np_round(mode, x):
    return {
        "ROUND": np.round,
        "CEIL": np.ceil,
        "FLOOR": np.floor,
        "UP": lambda v: np.sign(v) * np.ceil(np.abs(v)),
        "DOWN": np.fix,
        "HALF_UP": lambda v: np.sign(v) * np.floor(np.abs(v) + 0.5),
        "HALF_DOWN": lambda v: np.sign(v) * np.ceil(np.abs(v) - 0.5),
    }[mode](x)


def ref_quant(x, scale, zeropt, bits, signed, narrow, mode):
    """Reference Quant semantics (`qdialects.quant`): clamp, then round."""
    q = x / scale + zeropt
    if signed:
        lo = -(2 ** (bits - 1)) + (1 if narrow else 0)
        hi = 2 ** (bits - 1) - 1
    else:
        lo = 0
        hi = 2**bits - (2 if narrow else 1)
    q = _np_round(mode, np.clip(q, lo, hi))
    return ((q - zeropt) * scale).astype(np.float32)


def make_rounding_modes(rng):
    """x[1,16] -> Quant(ROUND) -> MatMul(Quant(CEIL)(W1)) -> Quant(FLOOR) -> MatMul(Quant(UP)(W2))
    -> Quant(HALF_UP) -> MatMul(Quant(DOWN)(W3)) -> Quant(HALF_DOWN) -> y[1,4].

    Weights and the sample input are drawn on quarter-step grids of their quantizer's scale
    (so there are exact .5 ties and non-ties) until, at every Quant node, the sample
    distinguishes the node's rounding mode from each of the six other modes."""

    def build(w1, w2, w3):
        nodes, inits = [], []

        def const(name, arr):
            inits.append(numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name))
            return name

        def quant(name, inp, scale, bits, signed, narrow, mode, zeropt=0.0):
            out = name + "_out"
            nodes.append(
                helper.make_node(
                    "Quant",
                    [
                        inp,
                        const(name + "_scale", scale),
                        const(name + "_zeropt", zeropt),
                        const(name + "_bitwidth", bits),
                    ],
                    [out],
                    name=name,
                    domain="qonnx.custom_op.general",
                    signed=int(signed),
                    narrow=int(narrow),
                    rounding_mode=mode,
                )
            )
            return out

        def matmul(name, a, b):
            out = name + "_out"
            nodes.append(helper.make_node("MatMul", [a, b], [out], name=name))
            return out

        t = quant("q_in", "x", 1.0 / 64, 8, True, False, "ROUND")
        qw1 = quant("q_w1", const("w1", w1), 0.25, 4, True, True, "CEIL")
        t = matmul("mm1", t, qw1)
        t = quant("q_a1", t, 1.0 / 32, 6, True, False, "FLOOR")
        qw2 = quant("q_w2", const("w2", w2), 0.125, 4, True, False, "UP")
        t = matmul("mm2", t, qw2)
        t = quant("q_a2", t, 1.0 / 64, 8, True, False, "HALF_UP")
        qw3 = quant("q_w3", const("w3", w3), 0.5, 3, True, True, "DOWN")
        t = matmul("mm3", t, qw3)
        t = quant("q_out", t, 1.0 / 16, 8, True, True, "HALF_DOWN")
        graph = helper.make_graph(
            nodes,
            "rounding_modes",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16])],
            [helper.make_tensor_value_info(t, TensorProto.FLOAT, [1, 4])],
            initializer=inits,
        )
        proto = helper.make_model(
            graph,
            producer_name="qnn-make_models",
            opset_imports=[
                helper.make_opsetid("", 20),
                helper.make_opsetid("qonnx.custom_op.general", 2),
            ],
        )
        proto.ir_version = 9  # same as the Brevitas exports
        model = ModelWrapper(proto)
        model = cleanup_model(model)
        return model.transform(InferShapes())

    def reference(x):
        a = ref_quant(x, 1 / 64, 0, 8, True, False, "ROUND")
        a = a @ ref_quant(w1, 0.25, 0, 4, True, True, "CEIL")
        a = ref_quant(a, 1 / 32, 0, 6, True, False, "FLOOR")
        a = a @ ref_quant(w2, 0.125, 0, 4, True, False, "UP")
        a = ref_quant(a, 1 / 64, 0, 8, True, False, "HALF_UP")
        a = a @ ref_quant(w3, 0.5, 0, 3, True, True, "DOWN")
        return ref_quant(a, 1 / 16, 0, 8, True, True, "HALF_DOWN")

    def draw_x():
        return (rng.integers(-240, 241, size=(1, 16)) / 256.0).astype(np.float32)

    for _ in range(1000):  # weights: quarter steps of the weight scale
        w1 = rng.integers(-28, 29, size=(16, 8)) / 4.0 * 0.25
        w2 = rng.integers(-28, 29, size=(8, 8)) / 4.0 * 0.125
        w3 = rng.integers(-12, 13, size=(8, 4)) / 4.0 * 0.5
        model = build(w1, w2, w3)
        sens = rounding_modes_sensitivity(model, draw_x())
        wq = [
            n.name
            for n in model.graph.node
            if n.op_type == "Quant" and model.get_initializer(n.input[0]) is not None
        ]
        assert len(wq) == 3, wq
        if all(sens[k][1] > 0 for k in wq):
            break
    else:
        raise RuntimeError("no weights distinguishing all rounding modes found")
    for _ in range(10000):
        x = draw_x()
        if all(d > 0 for (_, d, _) in rounding_modes_sensitivity(model, x).values()):
            break
    else:
        raise RuntimeError("no input distinguishing all rounding modes found")
    return model, x, reference


def check_rounding_modes(m):
    modes = sorted(
        _attr(n, "rounding_mode").decode()
        if isinstance(_attr(n, "rounding_mode"), bytes)
        else _attr(n, "rounding_mode")
        for n in m.graph.node
        if n.op_type == "Quant"
    )
    assert modes == sorted(ROUNDING_MODES), modes


def rounding_modes_sensitivity(m, x):
    """Per Quant node: (mode, d, ties) where d is the minimum over the six
    other rounding modes of the number of elements that would round differently, and ties
    the number of exact .5 ties among the node's inputs (x/scale)."""
    ctx = execute_onnx(m, {m.graph.input[0].name: x}, return_full_exec_context=True)
    out = {}
    for n in m.graph.node:
        if n.op_type != "Quant":
            continue
        v = ctx[n.input[0]] / ctx[n.input[1]]
        bits = float(ctx[n.input[3]])
        signed, narrow = _attr(n, "signed"), _attr(n, "narrow")
        lo = -(2 ** (bits - 1)) + narrow if signed else 0
        hi = 2 ** (bits - 1) - 1 if signed else 2**bits - 1 - narrow
        v = np.clip(v, lo, hi)
        mode = _attr(n, "rounding_mode")
        mode = mode.decode() if isinstance(mode, bytes) else mode
        mine = _np_round(mode, v)
        d = min(int(np.sum(_np_round(o, v) != mine)) for o in ROUNDING_MODES if o != mode)
        ties = int(np.sum(np.abs(v - np.floor(v) - 0.5) == 0))
        out[n.name] = (mode, d, ties)
    return out


# --------------------------------------------------------------------------------------
# Model table
# --------------------------------------------------------------------------------------
def _bipolar_mlp():
    return TFCLike(in_features=64, hidden=(32, 32), num_classes=10, w_bits=1, a_bits=1, in_bits=1)


# name -> (builder, input shape, input generator, dynamo, feature check, calib input gen)
MODELS = {
    "tfc_like_ts": (lambda: TFCLike(), (1, 1, 8, 8), image_input, False, check_tfc_ts),
    "tfc_like_dynamo": (lambda: TFCLike(), (1, 1, 8, 8), image_input, True, check_tfc_dynamo),
    "cnv_like": (lambda: CNVLike(), (1, 3, 16, 16), image_input, False, check_cnv),
    "cnv_like_dynamo": (lambda: CNVLike(), (1, 3, 16, 16), image_input, True, check_cnv),
    "signed_input": (lambda: SignedInput(), (1, 16), signed_input, False, check_signed_input),
    "narrow_range": (lambda: NarrowRange(), (1, 16), signed_input, False, check_narrow),
    "per_channel": (lambda: PerChannel(), (1, 3, 8, 8), image_input, False, check_per_channel),
    "rounding_modes": (None, (1, 16), None, False, check_rounding_modes),
    "float_scales": (
        lambda: FloatScales(),
        (1, 2, 6, 6),
        gaussian_input,
        False,
        check_float_scales,
    ),
    "depthwise_sep": (lambda: DepthwiseSep(), (1, 3, 8, 8), image_input, False, check_depthwise),
    "avgpool_trunc": (
        lambda: AvgPoolTrunc(),
        (1, 3, 8, 8),
        image_input,
        False,
        check_avgpool_trunc,
    ),
    "residual": (lambda: Residual(), (1, 3, 8, 8), image_input, False, check_residual),
    "global_avgpool": (lambda: GlobalAvgPool(), (1, 3, 8, 8), image_input, False, check_gap),
    "bipolar_mlp": (_bipolar_mlp, (1, 1, 8, 8), image_input, False, check_bipolar),
    "conv_pad_stride": (
        lambda: ConvPadStride(),
        (1, 2, 10, 12),
        image_input,
        False,
        check_conv_pad_stride,
    ),
}


def seed_for(name: str) -> int:
    return sum((i + 1) * ord(ch) for i, ch in enumerate(name)) % (2**31)


def perturb_per_channel_scales(module, gen):
    """Learned per-channel activation scales start out identical; spread them so the
    exported per-channel scale vectors really differ per channel."""
    for mod in module.modules():
        if isinstance(mod, (QuantReLU, QuantIdentity)):
            for pname, p in mod.named_parameters():
                if p.numel() > 1 and "scaling" in pname:
                    p.data = p.data * (0.6 + 0.8 * torch.rand(p.shape, generator=gen))


def build_one(name):
    builder, shape, gen_in, dynamo, check = MODELS[name]
    seed = seed_for(name)
    rng = np.random.default_rng(seed)
    if builder is None:  # rounding_modes
        model, x, reference = make_rounding_modes(rng)
        check(model)
        y = run_qonnx(model, x)
        y_ref = reference(x)
        np.testing.assert_allclose(y, y_ref, rtol=RTOL, atol=ATOL)
        sens = rounding_modes_sensitivity(model, x)
        print(
            "  rounding_modes sample: "
            + ", ".join(f"{mode}: min-diff {d}, ties {t}" for mode, d, t in sens.values())
        )
        size = save(name, model, x)
        return model, size, float(np.max(np.abs(y - y_ref))), sens
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    module = builder()
    _randomize_bn(module, gen)
    if name == "per_channel":
        perturb_per_channel_scales(module, gen)
    calibrate(module, lambda b: gen_in(rng, (b, *shape[1:])))
    x = gen_in(rng, shape)
    with torch.no_grad():
        y_torch = module(torch.from_numpy(x))
    y_torch = y_torch.value if hasattr(y_torch, "value") else y_torch
    y_torch = y_torch.detach().numpy()
    model = export(module, x, dynamo)
    check(model)
    y = run_qonnx(model, x)
    np.testing.assert_allclose(y, y_torch, rtol=RTOL, atol=ATOL, err_msg=name)
    size = save(name, model, x)
    assert size < 300 * 1024, f"{name}.onnx is {size} bytes"
    return model, size, float(np.max(np.abs(y - y_torch))), None


def main(argv):
    names = argv[1:] or list(MODELS)
    failed = []
    for name in names:
        try:
            model, size, err, _ = build_one(name)
        except Exception as e:  # keep going, report at the end
            failed.append(name)
            print(f"FAIL {name}: {type(e).__name__}: {e}")
            continue
        inshape = model.get_tensor_shape(model.graph.input[0].name)
        print(
            f"ok   {name:16s} in={tuple(inshape)} {size / 1024:6.1f} KB maxerr={err:.2e}  "
            f"{fmt_counts(op_counts(model))}"
        )
    if failed:
        print("FAILED:", ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
