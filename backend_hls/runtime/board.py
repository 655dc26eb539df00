"""The accelerator on a PYNQ board: the `Device` of `accelerator`, through PYNQ's
`Overlay` (the bitstream and its `.hwh`) and `allocate` (contiguous DMA buffers).

`pynq` is imported when a `PynqDevice` is made, so everything else here runs where PYNQ
is not installed (the emulation, the tests).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .accelerator import DeviceError


class PynqDevice:
    """The DMA IP `cell` of the overlay `bitfile` (its `.hwh` beside it)."""

    def __init__(self, bitfile: Path, cell: str):
        try:
            from pynq import Overlay, allocate  # type: ignore[import-not-found]
        except ImportError:
            raise DeviceError(
                "pynq is not installed: run on the board, or --emulate on the build machine"
            ) from None
        if not bitfile.is_file() or not bitfile.with_suffix(".hwh").is_file():
            raise DeviceError(f"{bitfile}: no bitstream and .hwh there (see bitfile/README.md)")
        self.overlay = Overlay(str(bitfile))
        self.ip = getattr(self.overlay, cell)
        self._allocate = allocate

    def write(self, offset: int, value: int) -> None:
        self.ip.write(offset, value)

    def read(self, offset: int) -> int:
        return int(self.ip.read(offset))

    def allocate(self, nbytes: int) -> Any:
        return self._allocate(shape=(nbytes,), dtype=np.uint8)

    def address(self, buffer: Any) -> int:
        return int(getattr(buffer, "physical_address", None) or buffer.device_address)

    def to_device(self, buffer: Any) -> None:
        buffer.flush()

    def from_device(self, buffer: Any) -> None:
        buffer.invalidate()

    def free(self, buffer: Any) -> None:
        buffer.freebuffer()
