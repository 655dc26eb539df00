#!/usr/bin/env python3
"""Train the shipped examples: small quantized networks on scikit-learn's digits data set.

    .venv/bin/python frontend/examples/train_digits.py            # all examples
    .venv/bin/python frontend/examples/train_digits.py digits_mlp_w2a2

Needs the `models` extra (torch, brevitas, onnxoptimizer, scikit-learn); no download:
`sklearn.datasets.load_digits` ships with scikit-learn (1797 8x8 grey images, 10 classes,
pixels 0..16). The input is pixels/16 in [0, 1], shape (1, 1, 8, 8) per sample, quantized
to unsigned 8 bits by the first layer. Split: `train_test_split(test_size=0.25,
random_state=0, stratify=y)` -> 1347 training and 450 test images.

Examples (2-bit weights, 2-bit activations, BatchNorm before every activation):
  digits_mlp_w2a2  TFC-style MLP 64 -> 64 -> 64 -> 10 (QuantLinear, BatchNorm1d, QuantReLU)
  digits_cnn_w2a2  conv3x3(8) -> conv3x3(16) -> maxpool 2 -> FC 10 on the 8x8x1 image

For each example NAME this writes, next to this script:
  NAME.onnx     QONNX (export_qonnx, TorchScript path, qonnx cleanup_model + InferShapes),
                self-contained (no .data file)
  NAME.in.npy   the first test image, float32, shape (1, 1, 8, 8)
  NAME.json     {"pytorch_accuracy", "qonnx_accuracy", "test_samples", "agreement", ...}:
                test-split accuracy of the PyTorch module (eval mode) and of qonnx's
                execute_onnx reference execution of NAME.onnx
and, once for all examples, digits_test.npz (X: float32 (450, 1, 8, 8), y: int64 (450,)).

Everything is seeded (torch, numpy, the split; one CPU thread), so a re-run reproduces the
files given the same torch / brevitas versions. The script fails if the exported model's
predictions on the test split differ from the PyTorch module's.

Predictions are `frontend.examples.predict`, a tie-aware argmax: the logits are integers
times one scale, and exact ties between classes are common at 2 bits; a plain argmax would
break them by float rounding noise, which differs between PyTorch and onnxruntime.
"""

# The training script needs torch/brevitas/scikit-learn, which CI's type check does not have.
# pyright: reportMissingImports=false

from __future__ import annotations

import json
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx

warnings.filterwarnings("ignore")

import brevitas  # noqa: E402
import torch  # noqa: E402
from brevitas.core.scaling import ScalingImplType  # noqa: E402
from brevitas.export import export_qonnx  # noqa: E402
from brevitas.nn import QuantConv2d, QuantIdentity, QuantLinear, QuantReLU  # noqa: E402
from brevitas.quant import Uint8ActPerTensorFloat  # noqa: E402
from qonnx.core.modelwrapper import ModelWrapper  # noqa: E402
from qonnx.core.onnx_exec import execute_onnx  # noqa: E402
from qonnx.transformation.infer_shapes import InferShapes  # noqa: E402
from qonnx.util.cleanup import cleanup_model  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from torch import nn  # noqa: E402

from frontend.examples import predict  # noqa: E402

HERE = Path(__file__).resolve().parent
SEED = 0
W_BITS = 2
A_BITS = 2
IN_BITS = 8


def digits_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, X_test, y_train, y_test); X float32 (N, 1, 8, 8) in [0, 1], y int64."""
    pixels, labels = load_digits(return_X_y=True)  # (1797, 64) row-major 8x8, 0..16
    x = (np.asarray(pixels) / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    y = np.asarray(labels).astype(np.int64)
    parts = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    x_train, x_test, y_train, y_test = (np.asarray(p) for p in parts)
    return x_train, x_test, y_train, y_test


def input_quant() -> QuantIdentity:
    """Unsigned 8-bit input in [0, 1] (constant scale 1/255)."""
    return QuantIdentity(
        act_quant=Uint8ActPerTensorFloat,
        bit_width=IN_BITS,
        max_val=1.0,
        scaling_impl_type=ScalingImplType.CONST,
        return_quant_tensor=True,
    )


def relu(bits: int = A_BITS) -> QuantReLU:
    return QuantReLU(bit_width=bits, return_quant_tensor=True)


class DigitsMLP(nn.Module):
    """TFC-style: 8-bit input -> (QuantLinear 2-bit, BatchNorm1d, QuantReLU 2-bit) x2 ->
    QuantLinear 2-bit -> 10 float logits."""

    def __init__(self, hidden: tuple[int, ...] = (64, 64)):
        super().__init__()
        self.inp = input_quant()
        layers: list[nn.Module] = []
        width = 64
        for out in hidden:
            layers += [
                QuantLinear(width, out, bias=False, weight_bit_width=W_BITS),
                nn.BatchNorm1d(out),
                relu(),
            ]
            width = out
        self.hidden = nn.Sequential(*layers)
        self.fc = QuantLinear(width, 10, bias=False, weight_bit_width=W_BITS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.flatten(x, 1)  # TorchScript exports Flatten
        return self.fc(self.hidden(self.inp(x)))


class DigitsCNN(nn.Module):
    """8-bit input -> conv3x3(8)/BN/ReLU -> conv3x3(16)/BN/ReLU -> maxpool 2 -> FC 10.
    8x8 -> 6x6 -> 4x4 -> 2x2; all 2-bit weights and activations."""

    def __init__(self):
        super().__init__()
        self.inp = input_quant()
        self.conv1 = QuantConv2d(1, 8, 3, bias=False, weight_bit_width=W_BITS)
        self.bn1 = nn.BatchNorm2d(8)
        self.act1 = relu()
        self.conv2 = QuantConv2d(8, 16, 3, bias=False, weight_bit_width=W_BITS)
        self.bn2 = nn.BatchNorm2d(16)
        self.act2 = relu()
        self.pool = nn.MaxPool2d(2)
        self.fc = QuantLinear(16 * 2 * 2, 10, bias=False, weight_bit_width=W_BITS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act1(self.bn1(self.conv1(self.inp(x))))
        x = self.act2(self.bn2(self.conv2(x)))
        x = self.pool(x)
        return self.fc(torch.flatten(x, 1))


# name -> (builder, epochs, learning rate)
EXAMPLES: dict[str, tuple[Callable[[], nn.Module], int, float]] = {
    "digits_mlp_w2a2": (DigitsMLP, 40, 0.01),
    "digits_cnn_w2a2": (DigitsCNN, 40, 0.01),
}


def _value(y: object) -> torch.Tensor:
    """A QuantTensor's float value, or the tensor itself."""
    return y.value if hasattr(y, "value") else y  # type: ignore[attr-defined]


def train(
    module: nn.Module, x: np.ndarray, y: np.ndarray, epochs: int, lr: float, batch: int = 64
) -> None:
    """Adam on cross-entropy, shuffled mini-batches from a seeded generator."""
    gen = torch.Generator().manual_seed(SEED)
    xs, ys = torch.from_numpy(x), torch.from_numpy(y)
    optimizer = torch.optim.Adam(module.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs)
    loss_fn = nn.CrossEntropyLoss()
    module.train()
    for epoch in range(epochs):
        order = torch.randperm(len(xs), generator=gen)
        total = 0.0
        for start in range(0, len(xs), batch):
            idx = order[start : start + batch]
            optimizer.zero_grad()
            loss = loss_fn(_value(module(xs[idx])), ys[idx])
            loss.backward()
            optimizer.step()
            total += float(loss) * len(idx)
        scheduler.step()
        if epoch % 10 == 9 or epoch == epochs - 1:
            print(f"  epoch {epoch + 1:3d}  loss {total / len(xs):.4f}")
    module.eval()


def torch_logits(module: nn.Module, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return _value(module(torch.from_numpy(x))).numpy()


def tied_top(logits: np.ndarray) -> int:
    """How many samples have two or more classes tied for the top logit (predict's rule)."""
    top = logits.max(axis=1, keepdims=True)
    tol = 1e-5 * (1.0 + np.abs(logits).max(axis=1, keepdims=True))
    return int(np.sum(np.sum(logits >= top - tol, axis=1) > 1))


def export(module: nn.Module, x: np.ndarray) -> ModelWrapper:
    """export_qonnx (TorchScript path), self-contained, cleanup_model + InferShapes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "model.onnx")
        export_qonnx(module, torch.from_numpy(x), export_path=path, dynamo=False)
        proto = onnx.load(path, load_external_data=True)
    model = cleanup_model(ModelWrapper(proto))
    return model.transform(InferShapes())


def qonnx_predictions(model: ModelWrapper, x: np.ndarray) -> np.ndarray:
    """Reference execution, one sample at a time (the model's batch is 1)."""
    iname, oname = model.graph.input[0].name, model.graph.output[0].name
    logits = [execute_onnx(model, {iname: x[i : i + 1]})[oname] for i in range(len(x))]
    return predict(np.concatenate(logits))


def build(name: str, split: tuple[np.ndarray, ...]) -> dict[str, object]:
    builder, epochs, lr = EXAMPLES[name]
    x_train, x_test, y_train, y_test = split
    torch.manual_seed(SEED)
    start = time.perf_counter()
    module = builder()
    train(module, x_train, y_train, epochs, lr)
    train_seconds = time.perf_counter() - start

    logits = torch_logits(module, x_test)
    torch_pred = predict(logits)
    model = export(module, x_test[:1])
    start = time.perf_counter()
    qonnx_pred = qonnx_predictions(model, x_test)
    qonnx_seconds = time.perf_counter() - start

    result: dict[str, object] = {
        "pytorch_accuracy": float(np.mean(torch_pred == y_test)),
        "qonnx_accuracy": float(np.mean(qonnx_pred == y_test)),
        "test_samples": len(y_test),
        "agreement": float(np.mean(torch_pred == qonnx_pred)),
        "tied_top_logits": tied_top(logits),
        "train_samples": len(y_train),
        "epochs": epochs,
        "weight_bits": W_BITS,
        "activation_bits": A_BITS,
        "input_bits": IN_BITS,
        "seed": SEED,
        "torch": torch.__version__,
        "brevitas": brevitas.__version__,
    }
    onnx.save(model.model, str(HERE / f"{name}.onnx"))
    np.save(HERE / f"{name}.in.npy", x_test[:1])
    (HERE / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    size = (HERE / f"{name}.onnx").stat().st_size
    print(
        f"{name}: PyTorch {result['pytorch_accuracy']:.4f}, qonnx {result['qonnx_accuracy']:.4f}"
        f" on {len(y_test)} test images (agreement {result['agreement']:.4f}); "
        f"train {train_seconds:.1f} s, reference execution {qonnx_seconds:.1f} s, "
        f"{size / 1024:.1f} KB"
    )
    if not np.array_equal(torch_pred, qonnx_pred):
        raise SystemExit(f"{name}: PyTorch and qonnx predictions differ")
    return result


def main(argv: list[str]) -> int:
    names = argv[1:] or list(EXAMPLES)
    unknown = [n for n in names if n not in EXAMPLES]
    if unknown:
        print(f"unknown example(s) {', '.join(unknown)}; available: {', '.join(EXAMPLES)}")
        return 2
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    split = digits_split()
    _, x_test, _, y_test = split
    np.savez_compressed(HERE / "digits_test.npz", X=x_test, y=y_test)
    for name in names:
        build(name, split)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
