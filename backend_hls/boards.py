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
class ProcessingSystem:
    """A Zynq processing system as the shell (`backend_hls.shell`) wires it: its IP and
    board-automation rule, the settings enabling its general purpose master `master` (the
    control port, at `control_base` in its address space `data_space`) and its
    high-performance slave `slave` (the memory port, whose DDR segment is
    `ddr_segment`), the fabric clock/reset outputs, the clock inputs of those two ports,
    and the property setting the fabric clock in MHz."""

    name: str
    vlnv: str
    rule: str
    enable: tuple[str, ...]
    clock_property: str
    master: str
    slave: str
    clock: str
    reset: str
    bus_clocks: tuple[str, ...]
    data_space: str
    ddr_segment: str
    control_base: int


PROCESSING_SYSTEMS = {
    "zynq7": ProcessingSystem(
        name="Zynq-7000 processing_system7",
        vlnv="xilinx.com:ip:processing_system7:5.5",
        rule="xilinx.com:bd_rule:processing_system7",
        enable=("CONFIG.PCW_USE_M_AXI_GP0", "1", "CONFIG.PCW_USE_S_AXI_HP0", "1"),
        clock_property="CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ",
        master="M_AXI_GP0",
        slave="S_AXI_HP0",
        clock="FCLK_CLK0",
        reset="FCLK_RESET0_N",
        bus_clocks=("M_AXI_GP0_ACLK", "S_AXI_HP0_ACLK"),
        data_space="Data",
        ddr_segment="S_AXI_HP0/HP0_DDR_LOWOCM",
        control_base=0x43C0_0000,
    ),
    "zynqmp": ProcessingSystem(
        name="Zynq UltraScale+ zynq_ultra_ps_e",
        vlnv="xilinx.com:ip:zynq_ultra_ps_e:3.5",
        rule="xilinx.com:bd_rule:zynq_ultra_ps_e",
        enable=(
            *("CONFIG.PSU__USE__M_AXI_GP0", "1", "CONFIG.PSU__USE__M_AXI_GP1", "0"),
            *("CONFIG.PSU__USE__S_AXI_GP2", "1"),
        ),
        clock_property="CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ",
        master="M_AXI_HPM0_FPD",
        slave="S_AXI_HP0_FPD",
        clock="pl_clk0",
        reset="pl_resetn0",
        bus_clocks=("maxihpm0_fpd_aclk", "saxihp0_fpd_aclk"),
        data_space="Data",
        ddr_segment="SAXIGP2/HP0_DDR_LOW",
        control_base=0xA000_0000,
    ),
}


@dataclass(frozen=True)
class Board:
    """A board (or a bare part): its part, Vivado board part (None: no preset) and
    processing system kind (`PROCESSING_SYSTEMS`)."""

    name: str
    part: str
    board_part: str | None
    ps: str  # "zynq7" | "zynqmp"

    @property
    def processing_system(self) -> ProcessingSystem:
        return PROCESSING_SYSTEMS[self.ps]


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
