"""`frontend.from_brevitas`: a Brevitas module exported and imported in one call executes
like the torch module.

Needs torch and brevitas (the `models` extra), so the whole file is skipped where they are
not installed — as in CI, which does not install torch; run it locally with the project
venv made with `pip install -e '.[models]'`.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("brevitas")

import torch
from brevitas.core.scaling import ScalingImplType
from brevitas.nn import QuantConv2d, QuantIdentity, QuantLinear, QuantReLU
from brevitas.quant import Uint8ActPerTensorFloat
from torch import nn

from frontend import BrevitasExportError, QonnxImportError, from_brevitas
from passes.pipeline import run_pipeline
from qdialects.semantics import execute

warnings.filterwarnings("ignore")


def _input_quant() -> QuantIdentity:
    return QuantIdentity(
        act_quant=Uint8ActPerTensorFloat,
        bit_width=8,
        max_val=1.0,
        scaling_impl_type=ScalingImplType.CONST,
        return_quant_tensor=True,
    )


class TinyMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = _input_quant()
        self.fc1 = QuantLinear(16, 12, bias=False, weight_bit_width=3)
        self.bn1 = nn.BatchNorm1d(12)
        self.act1 = QuantReLU(bit_width=3, return_quant_tensor=True)
        self.fc2 = QuantLinear(12, 5, bias=False, weight_bit_width=3)

    def forward(self, x):
        return self.fc2(self.act1(self.bn1(self.fc1(self.inp(torch.flatten(x, 1))))))


class TinyCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = _input_quant()
        self.conv = QuantConv2d(2, 4, 3, bias=False, weight_bit_width=3)
        self.bn = nn.BatchNorm2d(4)
        self.act = QuantReLU(bit_width=3, return_quant_tensor=True)
        self.pool = nn.MaxPool2d(2)
        self.fc = QuantLinear(4 * 2 * 2, 5, bias=False, weight_bit_width=3)

    def forward(self, x):
        x = self.pool(self.act(self.bn(self.conv(self.inp(x)))))
        return self.fc(torch.flatten(x, 1))


def _calibrated(module: nn.Module, shape: tuple[int, ...]) -> nn.Module:
    """Seeded weights, BatchNorm statistics and activation scales from a few random batches."""
    torch.manual_seed(0)
    module.train()
    with torch.no_grad():
        for _ in range(4):
            module(torch.rand(16, *shape[1:]))
    return module.eval()


def _torch_output(module: nn.Module, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        y = module(torch.from_numpy(x))
    return (y.value if hasattr(y, "value") else y).numpy()


@pytest.mark.parametrize(
    ("builder", "shape"), [(TinyMLP, (1, 1, 4, 4)), (TinyCNN, (1, 2, 6, 6))], ids=["mlp", "cnn"]
)
def test_from_brevitas_executes_like_torch(builder, shape):
    module = _calibrated(builder(), shape)
    rng = np.random.default_rng(0)
    xs = [(rng.integers(0, 256, size=shape) / 255.0).astype(np.float32) for _ in range(8)]
    imported = from_brevitas(module, torch.from_numpy(xs[0]))
    for x in xs:
        (y,) = execute(imported, [x])
        np.testing.assert_allclose(y, _torch_output(module, x), rtol=1e-5, atol=1e-5)
    # and the integer-only form still agrees
    run_pipeline(imported, "lower-quant-to-streamline,streamline")
    for x in xs:
        (y,) = execute(imported, [x])
        np.testing.assert_allclose(y, _torch_output(module, x), rtol=1e-4, atol=1e-4)


def test_from_brevitas_names_the_module_in_export_errors():
    module = _calibrated(TinyMLP(), (1, 1, 4, 4))
    with pytest.raises(
        BrevitasExportError, match=r"^from_brevitas: Brevitas could not export TinyMLP: "
    ) as info:
        from_brevitas(module, torch.rand(1, 3, 3, 3))  # wrong input shape for fc1
    assert "\n" not in str(info.value)
    assert isinstance(info.value, QonnxImportError)


def test_missing_brevitas_is_a_one_line_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "brevitas.export", None)  # import fails
    with pytest.raises(BrevitasExportError, match=r"pip install 'qnn\[models\]'$"):
        from_brevitas(TinyMLP(), torch.rand(1, 1, 4, 4))
