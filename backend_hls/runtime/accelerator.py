"""The accelerator's register and memory protocol, on any `Device`: the board (`board`,
PYNQ) or the C simulation (`emulator`).

A run of N frames: allocate one DMA buffer per partition input and output
(`packing.StreamFormat.buffer_bytes`), pack the input frames into theirs
(`packing.pack_stream`) and flush them to the device, write each buffer's address into
its register (low word, then high word), N into `frames`, set ap_start (bit 0 of
`ctrl`), poll ap_done (bit 1), then unpack the output buffers. The offsets come from
`accel.json` (`registers`, `backend_hls.emit_cpp.dma.register_map`, docs/deploy.md).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from .packing import StreamFormat, pack_stream, unpack_stream

AP_START, AP_DONE, AP_IDLE = 0x1, 0x2, 0x4


class DeviceError(RuntimeError):
    """The accelerator (or its simulation) failed; the message is one line."""


class Device(Protocol):
    """Register access and DMA memory of one accelerator instance."""

    def write(self, offset: int, value: int) -> None: ...

    def read(self, offset: int) -> int: ...

    def allocate(self, nbytes: int) -> Any:
        """A uint8 buffer (numpy-like) the DMAs can reach."""
        ...

    def address(self, buffer: Any) -> int:
        """The buffer's physical (bus) address."""
        ...

    def to_device(self, buffer: Any) -> None: ...

    def from_device(self, buffer: Any) -> None: ...

    def free(self, buffer: Any) -> None: ...


class Accelerator:
    """The partition behind its DMAs: integer frames in, integer frames out."""

    def __init__(self, device: Device, spec: dict[str, Any], *, timeout: float = 60.0):
        self.device = device
        self.inputs = [StreamFormat.from_json(entry) for entry in spec["inputs"]]
        self.outputs = [StreamFormat.from_json(entry) for entry in spec["outputs"]]
        self.registers: dict[str, Any] = spec["dma"]["registers"]
        self.timeout = timeout

    def _set_address(self, offset: int, address: int) -> None:
        self.device.write(offset, address & 0xFFFFFFFF)
        self.device.write(offset + 4, address >> 32)

    def _wait(self) -> None:
        deadline = time.monotonic() + self.timeout
        while not self.device.read(self.registers["ctrl"]) & AP_DONE:
            if time.monotonic() > deadline:
                raise DeviceError(f"the accelerator did not finish within {self.timeout:g} s")
            time.sleep(0.0001)

    def run(self, frames: Sequence[np.ndarray]) -> list[np.ndarray]:
        """One array per partition input (`N x frame`, integers of its datatype) -> one
        int64 array per partition output (`N x frame`)."""
        if len(frames) != len(self.inputs):
            raise DeviceError(f"the accelerator has {len(self.inputs)} inputs, got {len(frames)}")
        count = int(np.asarray(frames[0]).shape[0])
        buffers: list[Any] = []
        try:
            for k, (array, fmt) in enumerate(zip(frames, self.inputs, strict=True)):
                if np.asarray(array).shape[0] != count:
                    raise DeviceError("the accelerator inputs disagree on the number of frames")
                try:
                    packed = pack_stream(array, fmt)
                except ValueError as error:
                    raise DeviceError(f"accelerator input {k}: {error}") from None
                buffer = self.device.allocate(max(packed.size, 8))
                buffers.append(buffer)
                buffer[: packed.size] = packed
                self.device.to_device(buffer)
                self._set_address(self.registers["inputs"][k], self.device.address(buffer))
            outputs = []
            for k, fmt in enumerate(self.outputs):
                buffer = self.device.allocate(max(fmt.buffer_bytes(count), 8))
                buffers.append(buffer)
                outputs.append(buffer)
                self._set_address(self.registers["outputs"][k], self.device.address(buffer))
            self.device.write(self.registers["frames"], count)
            self.device.write(self.registers["ctrl"], AP_START)
            self._wait()
            results = []
            for buffer, fmt in zip(outputs, self.outputs, strict=True):
                self.device.from_device(buffer)
                results.append(unpack_stream(np.asarray(buffer), fmt, count))
            return results
        finally:
            for buffer in buffers:
                self.device.free(buffer)
