"""The boards and shells `qnn-build --shell/--board` knows.

A board fixes the part, Vivado's board part (its preset PS configuration: DDR, clocks,
MIO) and the processing system: `zynq7` (Zynq-7000, `processing_system7`) or `zynqmp`
(Zynq UltraScale+, `zynq_ultra_ps_e`). With `--shell zynq` and only `--part`, the
processing system follows from the part's family and no board preset is applied.
"""

from __future__ import annotations

from dataclasses import dataclass

SHELLS = ("zynq",)


@dataclass(frozen=True)
class Board:
    name: str
    part: str
    board_part: str | None
    ps: str  # "zynq7" | "zynqmp"


BOARDS: dict[str, Board] = {
    "pynq-z1": Board(
        "pynq-z1", "xc7z020clg400-1", "www.digilentinc.com:pynq-z1:part0:1.0", "zynq7"
    ),
    "pynq-z2": Board("pynq-z2", "xc7z020clg400-1", "tul.com.tw:pynq-z2:part0:1.0", "zynq7"),
    "zcu104": Board("zcu104", "xczu7ev-ffvc1156-2-e", "xilinx.com:zcu104:part0:1.1", "zynqmp"),
}


class ShellError(ValueError):
    """A shell that cannot be built for the part or board (one line)."""


def shell_board(part: str, board: str | None) -> Board:
    """The board of `--board`, else a bare board for `part` (its PS from the family)."""
    if board is not None:
        if board not in BOARDS:
            raise ShellError(f"unknown board {board!r} (known: {', '.join(BOARDS)})")
        chosen = BOARDS[board]
        if part != chosen.part:
            raise ShellError(f"--board {board} has part {chosen.part}, not {part}")
        return chosen
    lowered = part.lower()
    if lowered.startswith("xc7z"):
        return Board(part, part, None, "zynq7")
    if lowered.startswith(("xczu", "xck26")):
        return Board(part, part, None, "zynqmp")
    raise ShellError(f"--shell zynq needs a Zynq part (xc7z..., xczu...), got {part}")
