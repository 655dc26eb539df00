"""`verilator --lint-only -Wall` is clean on the SystemVerilog tree of every fixture model
the RTL backend builds (test/models, folded for 10,000 fps): the layer modules CIRCT
exports, the primitive wrappers and the hand-written primitives together. A fixture with
a layer the backend does not build yet is skipped with its one-line reason; the shared
models' trees are linted by the slow acceptance sweep (`test_rtl_models.py`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import backend_rtl
from backend_rtl.rtlsim import find_verilator
from frontend import import_qonnx
from passes.convert_dataflow_to_hw.interface import RtlLoweringError
from passes.pipeline import run_pipeline
from passes.pipelines import QUANT_TO_HARDWARE

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
FIXTURES = sorted(p.stem for p in MODELS_DIR.glob("*.onnx"))


def lint_tree(rtl: Path) -> str:
    """Verilator's warnings and errors on the tree in `rtl` ("" when clean)."""
    run = subprocess.run(
        [find_verilator(), "--lint-only", "-Wall", "--top-module", "qnn_top", "-f", "filelist.f"],
        cwd=rtl,
        capture_output=True,
        text=True,
        check=False,
    )
    problems = [ln for ln in run.stderr.splitlines() if ln.startswith(("%Warning", "%Error"))]
    if run.returncode != 0 and not problems:
        problems.append(f"exit status {run.returncode}: {run.stderr.strip()}")
    return "\n".join(problems)


@pytest.mark.parametrize("model", FIXTURES)
def test_fixture_tree_lints_clean(model: str, tmp_path: Path) -> None:
    try:
        module = import_qonnx(MODELS_DIR / f"{model}.onnx")
        run_pipeline(module, f"{QUANT_TO_HARDWARE}{{target-fps=10000}}")
    except Exception as error:  # a fixture the compiler itself refuses (per_channel, ...)
        pytest.skip(f"{model} does not reach the hardware level: {error}")
    try:
        backend_rtl.emit(module, tmp_path / "rtl")
    except RtlLoweringError as error:
        pytest.skip(str(error))
    assert lint_tree(tmp_path / "rtl") == ""
