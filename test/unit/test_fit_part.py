"""Fitting the part: the parts table, the default folding (the fastest whose estimate fits
85 % of the part) on every shared model, and `qnn-build`'s warning / `--fit strict` error
for a target that does not fit."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from shared_models import SHARED_MODELS

from backend_hls.estimates_target import estimates_report
from frontend import import_qonnx
from passes.pipeline import run_pipeline
from qdialects.dataflow.estimates import Resources
from qdialects.dataflow.parts import PARTS, find_part, overshoots, smallest_fitting

MODEL_NAMES = sorted(p.stem for p in SHARED_MODELS.glob("*.onnx"))
QNN_BUILD = str(Path(sys.executable).parent / "qnn-build")
XC7Z020 = find_part("xc7z020clg400-1")


def test_part_names_resolve_by_device_prefix():
    assert XC7Z020 is not None and (XC7Z020.lut, XC7Z020.bram18) == (53_200, 280)
    ulx3s = find_part("LFE5U-85F-6BG381C")
    assert ulx3s is not None and ulx3s.device == "LFE5U-85F"
    assert ulx3s.lut6 == 42_000  # 84k LUT4 as the estimates' LUT6
    assert find_part("XCZU7EV-ffvc1156-2-e") is not None
    assert find_part("xc7a35t") is None
    for device in ("xc7z020", "xc7z045", "xczu3eg", "xczu7ev", "xcu250", "xcu280"):
        assert find_part(device) is not None, device
    assert {p.device for p in PARTS} >= {"LFE5U-25F", "LFE5U-45F", "LFE5U-85F"}


def test_overshoot_names_the_resource_and_a_bigger_part():
    assert XC7Z020 is not None
    used = Resources(lut=129_608, bram18=100)
    (over,) = overshoots(used, XC7Z020, 0.85)
    assert over.describe() == "LUT 129,608 of 53,200 (244 %)"
    assert overshoots(Resources(lut=45_220), XC7Z020, 0.85) == []  # exactly 85 %
    assert overshoots(Resources(lut=45_221), XC7Z020, 0.85) != []
    bigger = smallest_fitting(used, 0.85, XC7Z020)
    assert bigger is not None and bigger.device == "xc7z045"
    assert smallest_fitting(Resources(bram18=10_000), 0.85, XC7Z020) is None


def _fold(model: Path, options: str = "") -> dict:
    module = import_qonnx(model)
    run_pipeline(module, f"quant-to-hardware{{{options}}}" if options else "quant-to-hardware")
    return estimates_report(module)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_default_folding_fits_the_xc7z020(name: str):
    """Without a target the estimate (DWCs and sized FIFOs included) fits 85 % of every
    resource of the default part."""
    report = _fold(SHARED_MODELS / f"{name}.onnx")
    part = report["part"]
    assert part["device"] == "xc7z020" and part["fits"] is True, part
    assert all(share <= 85 for share in part["utilization_percent"].values()), part
    assert "target_fps" not in report["folding"]


@pytest.mark.parametrize("name", ["tfc_w2a2", "cnv_w2a2"])
def test_default_folding_is_the_fastest_that_fits(name: str):
    """Asking for 1.5x the default folding's rate gives a design over the part (or one
    that cannot go faster)."""
    model = SHARED_MODELS / f"{name}.onnx"
    fitted = _fold(model)["network"]["estimated_fps"]
    faster = _fold(model, f"target-fps={1.5 * fitted:g}")
    assert faster["part"]["fits"] is False or faster["network"]["estimated_fps"] <= fitted


def test_an_ecp5_part_fits_by_its_lut6_capacity():
    report = _fold(SHARED_MODELS / "tfc_w2a2.onnx", "part=LFE5U-25F-6BG256C")
    assert report["part"]["device"] == "LFE5U-25F" and report["part"]["fits"] is True
    assert report["network"]["totals"]["LUT"] <= 0.85 * 12_000


def _build(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [QNN_BUILD, *(str(a) for a in args)], capture_output=True, text=True, timeout=600
    )


def test_a_target_over_the_part_warns_in_one_line_and_reddens_the_report(tmp_path: Path):
    out = tmp_path / "out"
    result = _build(SHARED_MODELS / "cnv_w2a2.onnx", "-o", out, "--target-fps", "10000")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, result.stderr
    assert re.fullmatch(
        r"qnn-build: warning: the estimate does not fit xc7z020clg400-1 \(at most 85 % of "
        r"each resource\): LUT [\d,]+ of 53,200 \(\d+ %\)(, BRAM18 [\d,]+ of 280 \(\d+ %\))?"
        r"; a bigger part: xc7z045",
        warnings[0],
    ), warnings[0]
    html = (out / "report/index.html").read_text()
    assert re.search(r'<div class="k">LUT</div><div class="v bad">', html)
    assert '<div class="k">DSP</div><div class="v">' in html


def test_fit_strict_refuses_a_target_over_the_part(tmp_path: Path):
    out = tmp_path / "out"
    args = ("-o", out, "--target-fps", "10000", "--fit", "strict")
    result = _build(SHARED_MODELS / "cnv_w2a2.onnx", *args)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("qnn-build: error: hardware: the estimate does not fit xc7z020"), last
    assert "LUT" in last and "a bigger part: xc7z045" in last
    assert not out.exists()
    unknown = _build(SHARED_MODELS / "tfc_w2a2.onnx", *args, "--part", "xc7a35t")
    assert unknown.returncode == 1
    assert unknown.stderr.splitlines()[-1].endswith("the resources of part xc7a35t are unknown")
    # without a target there is nothing to fit to
    unknown = _build(SHARED_MODELS / "tfc_w2a2.onnx", "-o", out, "--part", "xc7a35t")
    assert unknown.returncode == 1
    assert "the resources of part 'xc7a35t' are unknown" in unknown.stderr.splitlines()[-1]
