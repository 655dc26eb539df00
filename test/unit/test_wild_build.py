"""Models from the wild (test/models/wild, issue 12) through every level: `qnn-build --csim`
on several frames, each compared by the build with qonnx's `execute_onnx` on the original
model; and the models that are refused, refused in one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

QNN_BUILD = str(Path(sys.executable).parent / "qnn-build")
WILD = Path(__file__).resolve().parents[1] / "models" / "wild"

BUILDS = [
    "qkeras_softmax",
    "float_tail_argmax",
    "float_tail_exp",
    "espcn_d2s",
    "espcn_d2s_int",
    "segment_int_out",
    "espcn_resize",
    "per_channel_po2",
    "grouped_conv",
    "conv1d_maxpool",
    "finn_bipolar_topk",
    "channels_last",
    "concat_mixed",
]
"""The fixtures that compile; each one's C simulation must equal qonnx."""


def wild_frames(tmp_path: Path, name: str, count: int = 4) -> Path:
    """The fixture's sample input and `count - 1` random frames on the same grid range."""
    x0 = np.load(WILD / f"{name}.in.npy")
    rng = np.random.default_rng(12)
    lo, hi = float(x0.min()), float(x0.max())
    others = rng.uniform(lo, hi, size=(count - 1, *x0.shape[1:])).astype(np.float32)
    path = tmp_path / f"{name}.frames.npy"
    np.save(path, np.concatenate([x0, others]))
    return path


def qnn_build(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [QNN_BUILD, *(str(a) for a in args)], capture_output=True, text=True, timeout=600
    )


@pytest.mark.parametrize("name", BUILDS)
def test_builds_and_csim_equals_qonnx(tmp_path: Path, name: str):
    out = tmp_path / "out"
    result = qnn_build(WILD / f"{name}.onnx", "-o", out, "--csim", wild_frames(tmp_path, name))
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "report/csim.json").read_text())["summary"]
    assert summary["frames"] == 4
    assert summary["agree"] is True
    assert summary["argmax_agreement"] == 4


FOLDED = {
    "espcn_resize": {"Upsample_0": {"PE": 2}, "MVAU_0": {"PE": 4}},
    "espcn_d2s_mid": {"DepthToSpace_0": {"PE": 2}, "MVAU_0": {"PE": 8}},
    "split_slice": {
        "DuplicateStreams_0": {"PE": 8},
        "Slice_0": {"PE": 4},
        "Slice_1": {"PE": 2},
        "Concat_0": {"SIMD": 4},
        "Slice_2": {"PE": 8},
        "Slice_3": {"PE": 4},
    },
}
"""Foldings giving the upsample, depth-to-space and slice layers (Resize, DepthToSpace,
Split, Slice) several lanes."""


@pytest.mark.parametrize("name", sorted(FOLDED))
def test_layout_layers_folded_equal_qonnx(tmp_path: Path, name: str):
    folding = tmp_path / "folding.json"
    folding.write_text(json.dumps({"Defaults": {}, **FOLDED[name]}))
    out = tmp_path / "out"
    frames = wild_frames(tmp_path, name)
    result = qnn_build(WILD / f"{name}.onnx", "-o", out, "--folding", folding, "--csim", frames)
    assert result.returncode == 0, result.stderr
    applied = json.loads((out / "report/folding.json").read_text())
    assert all(applied[layer] | params == applied[layer] for layer, params in FOLDED[name].items())
    summary = json.loads((out / "report/csim.json").read_text())["summary"]
    assert summary["agree"] is True and summary["frames"] == 4


def test_a_model_without_activation_quantizers_is_refused_with_what_to_do(tmp_path: Path):
    out = tmp_path / "out"
    result = qnn_build(WILD / "no_act_quant.onnx", "-o", out)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("qnn-build: error: streamline: the model has no activation quantizer")
    assert "annotate the graph input with an integer finn_datatype" in last
    assert not out.exists()


def test_a_host_op_between_integer_tensors_is_refused_by_name(tmp_path: Path):
    out = tmp_path / "out"
    result = qnn_build(WILD / "sub_between_int.onnx", "-o", out)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert "float quant.sub on %Quant_" in last
    assert "it has no integer form and runs only on the host" in last
    assert not out.exists()


def test_per_channel_activation_scales_without_integer_form_are_refused(tmp_path: Path):
    out = tmp_path / "out"
    result = qnn_build(WILD.parent / "per_channel.onnx", "-o", out)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert "a per-channel activation scale into a conv/matmul" in last
    assert "no exact integer form exists; use a per-tensor or power-of-two" in last
    assert not out.exists()
