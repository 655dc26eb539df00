"""Trained example networks that ship with qnn (made by `train_digits.py`, see
docs/examples.md).

    from frontend.examples import EXAMPLES, example, load_test_split, predict
    module = import_qonnx(example("digits_mlp_w2a2"))

Each example NAME has, in this folder: NAME.onnx (QONNX, self-contained), NAME.in.npy (one
test image, float32, the model's input shape) and NAME.json (the test-split accuracies of
the PyTorch module and of qonnx's reference execution). `digits_test.npz` is the test split
of scikit-learn's digits data set all examples share (X: float32 (N, 1, 8, 8), y: int64).

Importing this package imports nothing beyond the standard library; its functions need
numpy (no torch).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

EXAMPLES_DIR = Path(__file__).resolve().parent

EXAMPLE_NAMES = ("digits_mlp_w2a2", "digits_cnn_w2a2")

EXAMPLES: dict[str, Path] = {name: EXAMPLES_DIR / f"{name}.onnx" for name in EXAMPLE_NAMES}
"""Example name -> its QONNX model."""

TEST_SPLIT = EXAMPLES_DIR / "digits_test.npz"


class ExampleError(LookupError):
    """An unknown example name or a missing example file (one-line message)."""


def example(name: str) -> Path:
    """The QONNX model of example `name`; `ExampleError` names the available examples."""
    path = EXAMPLES.get(name)
    if path is None:
        raise ExampleError(
            f"unknown example '{name}'; available examples: {', '.join(sorted(EXAMPLES))}"
        )
    if not path.exists():
        raise ExampleError(
            f"example '{name}' is missing its model {path} (re-run frontend/examples/train_digits.py)"
        )
    return path


def sample_input(name: str) -> Path:
    """NAME.in.npy: one test image in the model's input shape."""
    return example(name).with_suffix(".in.npy")


def metrics(name: str) -> dict[str, Any]:
    """NAME.json: the accuracies measured when the example was trained."""
    return json.loads(example(name).with_suffix(".json").read_text())


def load_test_split() -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of the digits test split: X float32 (N, 1, 8, 8) in [0, 1], y int64 (N,)."""
    import numpy as np

    with np.load(TEST_SPLIT) as data:
        return data["X"], data["y"]


def predict(logits: np.ndarray, rtol: float = 1e-5) -> np.ndarray:
    """Tie-aware argmax over the last axis: the lowest class index whose logit is within
    `rtol * (1 + max |logit|)` of the maximum.

    The examples' logits are integer sums times one scale, so with 2-bit weights and
    activations exact ties between classes are common; different but equivalent float
    evaluation orders (PyTorch, onnxruntime, the integer streamline form) then differ in the
    last bit, and a plain argmax would pick different classes for the same integers. The
    tolerance is far above float rounding and far below one step of the logits' grid."""
    import numpy as np

    logits = np.asarray(logits, dtype=np.float64)
    logits = logits.reshape(-1, logits.shape[-1])
    top = logits.max(axis=-1, keepdims=True)
    tol = rtol * (1.0 + np.abs(logits).max(axis=-1, keepdims=True))
    return np.argmax(logits >= top - tol, axis=-1)
