"""What the open tools need to know about a `--part`: the Yosys synthesis command of its
family and, for Lattice ECP5 parts, nextpnr-ecp5's device, package and speed grade.

    part_family("xc7z020clg400-1").synth_command   # "synth_xilinx -family xc7"
    ecp5_device("LFE5U-85F-6BG381C")               # Ecp5Device("85k", "CABGA381", 6)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xdsl.utils.exceptions import DiagnosticException


class PartError(DiagnosticException):
    """A part the open tools cannot target (one line naming the part)."""


@dataclass(frozen=True)
class Family:
    """An FPGA family as Yosys knows it."""

    name: str
    """`xc7`, `xcu`, `xcup` (Xilinx) or `ecp5` (Lattice)."""
    synth_command: str
    """The Yosys command that maps a design to this family's cells."""

    @property
    def is_xilinx(self) -> bool:
        return self.name.startswith("xc")


_XILINX = (
    (re.compile(r"^xc7[aksvz]"), "xc7"),
    (re.compile(r"^(xczu|xcau|xck26|xcvu\d+p|xcku\d+p|xcvp|xcve)"), "xcup"),
    (re.compile(r"^(xcku|xcvu)"), "xcu"),
)


def part_family(part: str) -> Family:
    """The family of `part` (a Xilinx part name such as `xc7z020clg400-1`, or a Lattice
    ECP5 part such as `LFE5U-85F-6BG381C`)."""
    lower = part.lower()
    if lower.startswith("lfe5"):
        ecp5_device(part)  # checks the name
        return Family("ecp5", "synth_ecp5")
    for pattern, name in _XILINX:
        if pattern.match(lower):
            return Family(name, f"synth_xilinx -family {name}")
    raise PartError(
        f"{part}: no open synthesis flow for this part (Xilinx 7-series/UltraScale(+) "
        "xc7.../xcku.../xczu..., or Lattice ECP5 LFE5U-25F/45F/85F-...)"
    )


@dataclass(frozen=True)
class Ecp5Device:
    """nextpnr-ecp5's view of an ECP5 part."""

    size: str
    """`25k`, `45k`, `85k`, `um-25k`, ... (nextpnr's `--<size>` flag)."""
    package: str
    """`CABGA381`, `CSFBGA285`, ..."""
    speed: int


_ECP5 = re.compile(r"^LFE5(U|UM|UM5G)-(12|25|45|85)F-([678])([A-Z]+)(\d+)[CI]?$")
_PACKAGES = {"BG": "CABGA", "MG": "CSFBGA", "TG": "TQFP"}


def ecp5_device(part: str) -> Ecp5Device:
    """Parse a Lattice ECP5 part name: `LFE5U-85F-6BG381C` is the 85k device, speed
    grade 6, package CABGA381 (the ULX3S board's part)."""
    match = _ECP5.match(part.upper())
    if match is None or match.group(4) not in _PACKAGES:
        raise PartError(
            f"{part}: not an ECP5 part name nextpnr knows (e.g. LFE5U-85F-6BG381C, "
            "LFE5U-25F-6BG256C, LFE5UM-45F-8MG285C)"
        )
    variant, size, speed, package, pins = match.groups()
    prefix = {"U": "", "UM": "um-", "UM5G": "um5g-"}[variant]
    return Ecp5Device(f"{prefix}{size}k", f"{_PACKAGES[package]}{pins}", int(speed))
