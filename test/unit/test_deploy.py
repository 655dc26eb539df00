"""The accelerator's DMAs and registers, the deployment package and its emulation
(`backend_hls.emit_cpp.dma`, `backend_hls.runtime`, `backend_hls.emit_deploy`).

The emulated driver runs `OUT/deploy/driver.py --emulate` as a user would: the same
driver code as on the board, against the C simulation of OUT through the register and
memory protocol, compared with qonnx. Every shared model: `-m slow`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from shared_models import SHARED_MODELS

from backend_hls.csim import build as csim_build
from backend_hls.emit_cpp.dma import register_map
from backend_hls.runtime.accelerator import Accelerator, DeviceError
from backend_hls.runtime.emulator import EmulatedDevice, ensure_testbench
from backend_hls.runtime.packing import (
    BUS_BYTES,
    LaneFormat,
    StreamFormat,
    pack_stream,
    unpack_stream,
)
from frontend.examples import example
from qdialects.types import BinaryType, BipolarType, IntType, TernaryType, UIntType
from tools.build import BuildOptions, build
from tools.build.compare import agreement_report, csim_frames, load_frames

DATATYPES = [IntType(3), UIntType(5), BipolarType(), BinaryType(), TernaryType(), IntType(64)]


@pytest.mark.parametrize("datatype", DATATYPES, ids=str)
def test_lane_format_is_the_datatype(datatype):
    parsed = LaneFormat.parse(str(datatype))
    assert (parsed.min_value, parsed.max_value, parsed.bitwidth) == (
        datatype.min_value,
        datatype.max_value,
        datatype.bitwidth,
    )


@pytest.mark.parametrize(
    ("text", "lanes", "frame"),
    [("!quant.int<3>", 5, (2, 5)), ("!quant.bipolar", 64, (128,)), ("!quant.uint<9>", 10, (30,))],
)
def test_dma_buffers_round_trip(text, lanes, frame):
    datatype = LaneFormat.parse(text)
    words = int(np.prod(frame)) // lanes
    fmt = StreamFormat(frame, lanes, datatype, text, words)
    rng = np.random.default_rng(0)
    values = rng.integers(datatype.min_value, datatype.max_value + 1, size=(3, *frame))
    if datatype.bitwidth == 1 and datatype.min_value == -1:
        values = np.where(values == 0, 1, values)
    buffer = pack_stream(values, fmt)
    assert buffer.size == fmt.buffer_bytes(3) and buffer.size % BUS_BYTES == 0
    assert (unpack_stream(buffer, fmt, 3) == values).all()
    with pytest.raises(ValueError, match="outside"):
        pack_stream(values + datatype.max_value + 1, fmt)


def test_a_stream_word_is_little_endian_bytes():
    fmt = StreamFormat((2,), 2, LaneFormat.parse("!quant.int<4>"), "!quant.int<4>", 1)
    buffer = pack_stream(np.array([[-1, 2]]), fmt)  # lane 0 = 0xf, lane 1 = 0x2
    assert buffer.tolist() == [0x2F, 0, 0, 0, 0, 0, 0, 0]


@pytest.fixture(scope="module")
def mlp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("deploy") / "mlp"
    model = example("digits_mlp_w2a2")
    x = np.load(model.with_name("digits_mlp_w2a2.in.npy"))
    result = build(model, out, BuildOptions(board="pynq-z1", shell="zynq", csim=x, name="mlp"))
    assert result.csim_disagreement is None
    return out


def _driver(out: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(out / "deploy" / "driver.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def _emulated_agrees(model: Path, out: Path, x: np.ndarray, tmp: Path) -> dict:
    np.save(tmp / "x.npy", x)
    proc = _driver(out, "--emulate", "--input", "x.npy", "--output", "y.npy", cwd=tmp)
    assert proc.returncode == 0, proc.stderr
    y = np.load(tmp / "y.npy")
    frames = load_frames(x, model)
    report = agreement_report(model, frames, csim_frames(y, len(frames)), "x.npy")
    assert report["summary"]["agree"], report["summary"]
    return report


@pytest.mark.parametrize("frames", [1, 16])
def test_the_emulated_driver_equals_qonnx(mlp: Path, tmp_path: Path, frames: int):
    digits = np.load(example("digits_mlp_w2a2").with_name("digits_test.npz"))["X"]
    _emulated_agrees(example("digits_mlp_w2a2"), mlp, digits[:frames].astype(np.float32), tmp_path)


def test_validate_prints_accuracy_and_throughput(mlp: Path, tmp_path: Path):
    digits = np.load(example("digits_mlp_w2a2").with_name("digits_test.npz"))
    np.save(tmp_path / "x.npy", digits["X"][:40].astype(np.float32))
    np.save(tmp_path / "labels.npy", digits["y"][:40])
    proc = subprocess.run(
        [
            *(sys.executable, str(mlp / "deploy/validate.py"), "--emulate"),
            *("--dataset", "x.npy", "--labels", "labels.npy", "--batch-size", "16"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "accuracy" in proc.stdout and "/40 = " in proc.stdout and "fps" in proc.stdout


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (
            np.zeros((2, 1, 8, 9), np.float32),
            "input 0: expected N x [1, 1, 8, 8] (or N x [1, 8, 8]), got [2, 1, 8, 9]",
        ),
        (np.zeros((2, 1, 8, 8), np.int64), "input 0: dtype int64, expected float32"),
    ],
)
def test_a_wrong_input_is_one_line(mlp: Path, tmp_path: Path, x: np.ndarray, message: str):
    np.save(tmp_path / "x.npy", x)
    proc = _driver(mlp, "--emulate", "--input", "x.npy", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [f"driver.py: error: {message}"]


def test_the_package_needs_only_numpy(mlp: Path, tmp_path: Path):
    """deploy/ imports neither qnn nor xDSL: it runs on a board with numpy (and pynq)."""
    code = (
        "import sys; sys.path.insert(0, 'deploy'); import qnn_runtime.cli, qnn_runtime.board;"
        "sys.path.insert(0, 'deploy'); import host;"
        "bad = [m for m in sys.modules if m.split('.')[0] in"
        " ('xdsl', 'qdialects', 'backend_hls', 'tools', 'passes', 'onnx', 'qonnx')];"
        "print(bad); sys.exit(bool(bad))"
    )
    proc = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, cwd=mlp, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    board = _driver(mlp, "--input", str(tmp_path / "none.npy"), cwd=tmp_path)
    assert board.returncode == 1 and "error:" in board.stderr


def _accelerator(out: Path) -> tuple[Accelerator, EmulatedDevice]:
    spec = json.loads((out / "csim/io.json").read_text())
    registers = spec["dma"]["registers"]
    testbench = ensure_testbench(out / "csim")
    device = EmulatedDevice(testbench, registers["size"], registers["ctrl"])
    return Accelerator(device, spec), device


def test_the_registers_are_what_the_testbench_decodes(mlp: Path):
    """A buffer address written one register off, or a frame count larger than the
    buffers, fails in the C simulation of the DMAs, not later on the board."""
    accelerator, device = _accelerator(mlp)
    frames = np.zeros((2, 64), dtype=np.int64)
    assert accelerator.run([frames])[0].shape == (2, 10)
    registers = accelerator.registers
    assert registers["inputs"] == [0x10] and registers["outputs"] == [0x1C]
    assert registers["frames"] == 0x28
    assert device.read(registers["ctrl"]) & 0x6 == 0x6  # done, idle

    accelerator.registers = {**registers, "outputs": [registers["outputs"][0] + 4]}
    with pytest.raises(DeviceError, match=r"output 0 buffer .* not inside an allocated buffer"):
        accelerator.run([frames])

    original_write = device.write

    def more_frames(offset: int, value: int) -> None:
        original_write(offset, value * 50 if offset == registers["frames"] else value)

    accelerator.registers = registers
    device.write = more_frames  # type: ignore[method-assign]
    with pytest.raises(DeviceError, match="not inside an allocated buffer"):
        accelerator.run([frames])


def test_the_emulation_runs_the_dma_top_itself(mlp: Path, tmp_path: Path):
    """The testbench calls the IP's top `qnn_dma`, not copies of its parts: a body
    without its write DMA leaves the output stream full and the run fails."""
    out = tmp_path / "mutant"
    shutil.copytree(mlp, out, ignore=shutil.ignore_patterns("testbench", "build.stamp"))
    dma = out / "hls" / "dma.cpp"
    call = "  qnn_dma_write0(s_axis_0, out0, frames);\n"
    assert dma.read_text().count(call) == 1
    dma.write_text(dma.read_text().replace(call, "  (void)out0;\n"))
    csim_build(out)  # precompiled header and content cache, as the build's C simulation
    accelerator, _ = _accelerator(out)
    with pytest.raises(DeviceError, match="output 0: qnn_dma left words in s_axis_0"):
        accelerator.run([np.zeros((2, 64), dtype=np.int64)])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(p.stem for p in SHARED_MODELS.glob("*.onnx")))
def test_every_shared_model_deploys(name: str, tmp_path: Path):
    model = SHARED_MODELS / f"{name}.onnx"
    x = np.load(SHARED_MODELS / f"{name}.in.npy")
    out = tmp_path / "out"
    result = build(model, out, BuildOptions(shell="zynq", csim=x))
    assert result.csim_disagreement is None
    rng = np.random.default_rng(1)
    _emulated_agrees(model, out, x, tmp_path)
    batch = rng.uniform(x.min(), x.max(), size=(16, *x.shape[1:])).astype(np.float32)
    _emulated_agrees(model, out, batch, tmp_path)


def test_the_documented_register_map_is_the_emitted_one():
    doc = (Path(__file__).parents[2] / "docs" / "deploy.md").read_text()
    regs = register_map(1, 1)
    (inp,), (out,) = regs.inputs, regs.outputs
    line = (
        f"For one input and one output: input buffer `{inp:#04x}`/`{inp + 4:#04x}`, output buffer "
        f"`{out:#04X}`/`{out + 4:#04x}`,\n`frames` `{regs.frames:#04x}`; the register block is "
        f"{regs.size} bytes."
    ).replace("0X", "0x")
    assert line in doc


@pytest.fixture(scope="module")
def mlp_rtl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("deploy_rtl") / "mlp"
    build(example("digits_mlp_w2a2"), out, BuildOptions(shell="zynq", rtl=True, name="mlp"))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("frames", [1, 16])
def test_the_emulated_driver_runs_the_rtl_behind_its_dmas(
    mlp_rtl: Path, tmp_path: Path, frames: int
):
    """On a build with RTL, `--emulate` is the Verilator model of the RTL top behind the
    RTL register block and DMAs (`backend_rtl.axi_shell`), through the same registers."""
    digits = np.load(example("digits_mlp_w2a2").with_name("digits_test.npz"))["X"]
    np.save(tmp_path / "x.npy", digits[:frames].astype(np.float32))
    proc = _driver(mlp_rtl, "--emulate", "--input", "x.npy", "--output", "y.npy", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "emulated (RTL simulation)" in proc.stdout
    _emulated_agrees(
        example("digits_mlp_w2a2"), mlp_rtl, digits[:frames].astype(np.float32), tmp_path
    )


@pytest.mark.slow
def test_the_rtl_registers_are_the_documented_ones(mlp_rtl: Path):
    spec = json.loads((mlp_rtl / "csim/io.json").read_text())
    registers = spec["dma"]["registers"]
    testbench = ensure_testbench(mlp_rtl / "rtl_axi")
    device = EmulatedDevice(testbench, registers["size"], registers["ctrl"], cwd=mlp_rtl / "rtl")
    accelerator = Accelerator(device, spec)
    frames = np.zeros((2, 64), dtype=np.int64)
    assert accelerator.run([frames])[0].shape == (2, 10)
    assert device.read(registers["ctrl"]) & 0x6 == 0x6  # done, idle read back over AXI4-Lite
    accelerator.registers = {**registers, "outputs": [registers["outputs"][0] + 4]}
    with pytest.raises(DeviceError, match=r"output 0 buffer access .* not inside an allocated"):
        accelerator.run([frames])


def test_rtl_emulation_without_rtl_is_one_line(mlp: Path, tmp_path: Path):
    np.save(tmp_path / "x.npy", np.zeros((1, 1, 8, 8), np.float32))
    proc = _driver(mlp, "--emulate=rtl", "--input", "x.npy", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"driver.py: error: {mlp}: no rtl_axi/ (build with --rtl --shell zynq)"
    ]
