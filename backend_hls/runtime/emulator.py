"""A `Device` that is a simulation of the accelerator: the C simulation
(`csim/testbench`, `backend_hls.emit_cpp.dma`) or the Verilator model of the RTL behind its
DMAs (`rtl_axi/testbench`, `backend_rtl.axi_shell`, run in `cwd`). Registers and DMA
buffers live here, and setting ap_start runs the testbench on them (`testbench REGS.bin
MEM.bin`), which decodes the registers as the IP does, runs the DMAs and the accelerator
and writes the output buffers and ap_done/ap_idle back.

Buffers get addresses from `BASE` on, 4 KiB aligned (as the board's contiguous memory
allocator gives them), so a register holding a wrong address fails in the testbench.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .accelerator import AP_IDLE, AP_START, DeviceError

BASE = 0x1000_0000
ALIGN = 4096


def ensure_testbench(csim_dir: Path) -> Path:
    """`csim_dir/testbench`, built with `csim_dir/build.sh` (g++) when missing."""
    binary = csim_dir / "testbench"
    if binary.is_file():
        return binary
    script = csim_dir / "build.sh"
    if not script.is_file():
        raise DeviceError(f"{csim_dir}: no build.sh (is this an OUT/csim directory of qnn-build?)")
    proc = subprocess.run(["sh", str(script)], capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not binary.is_file():
        output = (proc.stdout + proc.stderr).strip().splitlines()
        first = next((line for line in output if "error" in line), output[0] if output else "")
        raise DeviceError(f"building {csim_dir.name}/testbench failed: {first}")
    return binary


class EmulatedDevice:
    """Registers and memory of one accelerator whose hardware is the C simulation."""

    def __init__(
        self,
        testbench: str | os.PathLike[str],
        register_bytes: int,
        ctrl: int = 0,
        *,
        cwd: Path | None = None,
    ):
        self.testbench = Path(testbench)
        self.cwd = cwd
        self.registers = np.zeros(register_bytes, dtype=np.uint8)
        self.ctrl = ctrl
        self.buffers: dict[int, np.ndarray] = {}  # address -> bytes
        self.next_address = BASE
        self.run_seconds = 0.0
        self._write32(ctrl, AP_IDLE)

    def _write32(self, offset: int, value: int) -> None:
        self.registers[offset : offset + 4] = np.frombuffer(
            int(value & 0xFFFFFFFF).to_bytes(4, "little"), dtype=np.uint8
        )

    def read(self, offset: int) -> int:
        return int.from_bytes(self.registers[offset : offset + 4].tobytes(), "little")

    def write(self, offset: int, value: int) -> None:
        if offset % 4 or not 0 <= offset < self.registers.size:
            raise DeviceError(f"register offset {offset:#x} is outside the register block")
        self._write32(offset, value)
        if offset == self.ctrl and value & AP_START:
            self._run()

    def allocate(self, nbytes: int) -> np.ndarray:
        buffer = np.zeros(nbytes, dtype=np.uint8)
        self.buffers[self.next_address] = buffer
        self.next_address += -(-nbytes // ALIGN) * ALIGN
        return buffer

    def address(self, buffer: np.ndarray) -> int:
        for address, held in self.buffers.items():
            if held is buffer:
                return address
        raise DeviceError("not a buffer of this device")

    def to_device(self, buffer: np.ndarray) -> None:
        """Nothing to flush: the testbench reads the buffers when it starts."""

    def from_device(self, buffer: np.ndarray) -> None:
        """Nothing to invalidate: the run wrote the buffers back."""

    def free(self, buffer: np.ndarray) -> None:
        self.buffers.pop(self.address(buffer))

    def _run(self) -> None:
        with tempfile.TemporaryDirectory(prefix="qnn-emulator-") as tmp:
            regs, memory = Path(tmp) / "regs.bin", Path(tmp) / "mem.bin"
            self.registers.tofile(regs)
            with memory.open("wb") as f:
                for address, buffer in self.buffers.items():
                    f.write(address.to_bytes(8, "little") + buffer.size.to_bytes(8, "little"))
                    f.write(buffer.tobytes())
            proc = subprocess.run(
                [str(self.testbench), str(regs), str(memory)],
                cwd=self.cwd,
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                lines = (proc.stderr or proc.stdout).strip().splitlines()
                raise DeviceError(
                    f"the simulation failed (exit {proc.returncode}): "
                    f"{lines[0] if lines else 'no output'}"
                )
            warnings = [line for line in proc.stdout.splitlines() if "WARNING" in line]
            if warnings:
                raise DeviceError(f"the simulation misbehaved: {warnings[0]}")
            self.run_seconds = next(
                (
                    float(line.split(" in ")[1].split()[0])
                    for line in proc.stdout.splitlines()
                    if line.startswith("qnn-csim:")
                ),
                0.0,
            )
            self.registers[:] = np.fromfile(regs, dtype=np.uint8)
            self._read_back(np.fromfile(memory, dtype=np.uint8))

    def _read_back(self, image: np.ndarray) -> None:
        at = 0
        for address, buffer in self.buffers.items():
            header = image[at : at + 16].tobytes()
            if int.from_bytes(header[:8], "little") != address:
                raise DeviceError("the C simulation returned a different memory image")
            buffer[:] = image[at + 16 : at + 16 + buffer.size]
            at += 16 + buffer.size
