"""The acceptance sweep of the RTL backend (slow: `pytest -m slow test/unit/test_rtl_models.py`;
a Verilator build of a shared model takes 30-240 s here).

Every shared model (../shared/models; skipped where absent, as on a fresh clone) and the
residual, depthwise-separable, Trunc average pool and bipolar fixtures (test/models) at
two foldings through `tools.build.build` with `--rtlsim` on the sample input and 4 random
images: every frame agrees with qonnx, the measured cycles per frame are within 5 % of
the estimate, and the emitted tree lints clean with `verilator --lint-only -Wall`.
`benchmarks/run.py --rtlsim` prints the same sweep as a table with build and run times.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rtlsim_bench import HEADER, build_row, format_row, sweep_models
from test_rtl_lint import lint_tree

SWEEP = sweep_models()


@pytest.mark.slow
@pytest.mark.parametrize(("model", "fps"), SWEEP, ids=[f"{m.stem}-{f:.0f}" for m, f in SWEEP])
def test_model_rtlsim(model: Path, fps: float, tmp_path: Path) -> None:
    if not model.is_file():
        pytest.skip(f"no {model}")
    row = build_row(model, fps, tmp_path / "out")
    print(f"\n{HEADER}\n{format_row(row)}")  # the benchmark's figures (pytest -s)
    summary = row["summary"]
    assert summary["agree"], summary
    assert summary["agreeing_frames"] == summary["frames"] == 5
    assert summary["cycles_within_tolerance"], summary
    assert lint_tree(tmp_path / "out" / "rtl") == ""
