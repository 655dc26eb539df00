"""The project's own QONNX fixtures (test/models/*.onnx, made by test/models/make_models.py)
load and execute in qonnx on their sample inputs.

Needs only onnx, qonnx and numpy (no torch / brevitas).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
MODEL_PATHS = sorted(MODELS_DIR.glob("*.onnx"))

# every fixture make_models.py produces; a missing file is a test failure, not a skip
EXPECTED = {
    "avgpool_trunc",
    "bipolar_mlp",
    "cnv_like",
    "cnv_like_dynamo",
    "conv_pad_stride",
    "depthwise_sep",
    "float_scales",
    "global_avgpool",
    "narrow_range",
    "per_channel",
    "residual",
    "rounding_modes",
    "signed_input",
    "tfc_like_dynamo",
    "tfc_like_ts",
}


def test_all_fixtures_present():
    assert {p.stem for p in MODEL_PATHS} >= EXPECTED


@pytest.mark.parametrize("path", MODEL_PATHS, ids=lambda p: p.stem)
def test_fixture_executes(path: Path):
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx

    assert path.stat().st_size < 300 * 1024, "fixtures must stay small"
    proto = onnx.load(str(path), load_external_data=False)
    for init in proto.graph.initializer:
        assert init.data_location != TensorProto.EXTERNAL, f"{init.name} is external data"
    ops = Counter(n.op_type for n in proto.graph.node)
    assert ops["Quant"] + ops["BipolarQuant"] > 0, ops

    in_path = path.with_name(path.stem + ".in.npy")
    assert in_path.exists(), f"missing {in_path.name}"
    x = np.load(in_path)
    assert x.dtype == np.float32
    assert x.shape[0] == 1

    model = ModelWrapper(proto)
    assert len(model.graph.input) == 1 and len(model.graph.output) == 1
    iname = model.graph.input[0].name
    oname = model.graph.output[0].name
    assert tuple(model.get_tensor_shape(iname)) == x.shape

    y = execute_onnx(model, {iname: x})[oname]
    assert y.shape[0] == x.shape[0]
    assert np.all(np.isfinite(y))
    out_shape = model.get_tensor_shape(oname)
    if out_shape is not None:
        assert tuple(out_shape) == y.shape
