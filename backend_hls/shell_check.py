"""Dry run of `vivado/shell.tcl` (`backend_hls.shell`) under the stand-ins, checked
against what the accelerator's IPs have, not against what the shell emitter meant.

`Interfaces` lists the AXI interfaces the shell must wire and where they come from:

* `hls_interfaces(out)` reads them from the emitted tree: the DMA IP's from `hls/dma.cpp`
  (its `HLS INTERFACE` pragmas and which stream each DMA function writes or reads: an
  AXI4-Lite slave `s_axi_<bundle>`, an AXI4 master `m_axi_<bundle>` with the address
  space `Data_m_axi_<bundle>`, AXI-streams by their port names), the stitched IP's from
  the dry run of `vivado/stitch.tcl` (its external stream ports and their modes), and the
  register bytes from `csim/io.json`;
* `rtl_interfaces(out)` reads the RTL shell's (`vivado/shell_rtl.tcl`) from the ports of
  `rtl_axi/qnn_axi_top.sv`.

`ShellDesign.problems(expected, board, name)` then lists what is wrong: an interface
never connected or connected twice, a stream net that is not master -> slave, an
AXI4-Lite slave without an address in the PS's space (or a window smaller than its
registers, or overlapping another), an AXI4 master whose address space does not reach
the PS's DDR, a SmartConnect whose port counts do not match its nets, a clock or reset
pin not driven by the PS's fabric clock / the synchronized reset, the wrong board part or
processing system, steps out of order, a bitstream or `.hwh` not copied to
`deploy/bitfile/<name>.bit|.hwh`.

`python -m backend_hls.shell_check OUT` checks every shell script of a tree (the board
from the script's part and board part) and prints the problems (exit status 1 if any).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from backend_hls.boards import BOARDS, Board, ShellError, shell_board
from backend_hls.shell import MEMORY_BUS, PS_CELL, RESET_CELL, SMARTCONNECT_VLNV
from backend_hls.tcl_check import BlockDesign, DryRunError, Record, dry_run

CLOCK_PINS = {SMARTCONNECT_VLNV: "aclk", "xilinx.com:ip:proc_sys_reset:5.0": "slowest_sync_clk"}
RESET_PINS = {SMARTCONNECT_VLNV: "aresetn"}
STEPS = [
    "validate_bd_design",
    "save_bd_design",
    "make_wrapper",
    "launch_runs synth_1",
    "wait_on_run synth_1",
    "launch_runs impl_1 write_bitstream",
    "wait_on_run impl_1",
]


@dataclass
class Interfaces:
    """The accelerator's interfaces the shell must wire (`CELL/PIN` names)."""

    stream_masters: set[str] = field(default_factory=set)
    stream_slaves: set[str] = field(default_factory=set)
    lite_slaves: dict[str, tuple[str, int]] = field(default_factory=dict)  # pin -> segment, bytes
    masters: dict[str, str] = field(default_factory=dict)  # pin -> address space
    clocks: set[str] = field(default_factory=set)
    resets: set[str] = field(default_factory=set)


_PRAGMA = re.compile(r"HLS INTERFACE (m_axi|axis|s_axilite) port=\w+(?:.*bundle=(\w+))?")
_READ = re.compile(r"qnn_dma_read\d+\(\w+, (\w+), frames\);")
_WRITE = re.compile(r"qnn_dma_write\d+\((\w+), \w+, frames\);")


def dma_interfaces(source: str, cell: str, register_bytes: int) -> Interfaces:
    """The interfaces Vitis HLS makes of `hls/dma.cpp`'s top (module docstring)."""
    found = Interfaces(clocks={f"{cell}/ap_clk"}, resets={f"{cell}/ap_rst_n"})
    body = source[source.index("void qnn_dma(") :]
    for kind, bundle in _PRAGMA.findall(body):
        if kind == "m_axi":
            found.masters[f"{cell}/m_axi_{bundle}"] = f"{cell}/Data_m_axi_{bundle}"
        elif kind == "s_axilite":
            pin = f"{cell}/s_axi_{bundle}"
            found.lite_slaves[pin] = (f"{pin}/Reg", register_bytes)
    found.stream_masters = {f"{cell}/{port}" for port in _READ.findall(body)}
    found.stream_slaves = {f"{cell}/{port}" for port in _WRITE.findall(body)}
    return found


def hls_interfaces(out: str | os.PathLike[str]) -> Interfaces:
    """Every interface of the HLS shell's cells `qnn_dma` and `accel` (module docstring)."""
    root = Path(out)
    spec = json.loads((root / "csim" / "io.json").read_text())
    found = dma_interfaces(
        (root / "hls" / "dma.cpp").read_text(), spec["dma"]["top"], spec["dma"]["registers"]["size"]
    )
    stitched = BlockDesign.from_record(dry_run(root / "vivado" / "stitch.tcl", "vivado"))
    for port, mode in stitched.intf_ports.items():
        (found.stream_slaves if mode == "Slave" else found.stream_masters).add(f"accel/{port}")
    found.clocks.add("accel/ap_clk")
    found.resets.add("accel/ap_rst_n")
    return found


_MASTER = re.compile(r"output logic \[63:0\] m_axi_(\w+)_A[RW]ADDR")


def rtl_interfaces(out: str | os.PathLike[str], cell: str = "qnn_dma") -> Interfaces:
    """Every interface of the RTL shell's module-reference cell, read from the ports of
    `rtl_axi/qnn_axi_top.sv` as Vivado infers them: `s_axi_control_*` an AXI4-Lite slave
    (segment `reg0`), each `m_axi_<x>_*` an AXI4 master (address space `m_axi_<x>`)."""
    root = Path(out)
    source = (root / "rtl_axi" / "qnn_axi_top.sv").read_text()
    size = json.loads((root / "csim" / "io.json").read_text())["dma"]["registers"]["size"]
    found = Interfaces(clocks={f"{cell}/ap_clk"}, resets={f"{cell}/ap_rst_n"})
    if "s_axi_control_AWADDR" in source:
        found.lite_slaves[f"{cell}/s_axi_control"] = (f"{cell}/s_axi_control/reg0", size)
    for name in _MASTER.findall(source):
        found.masters[f"{cell}/m_axi_{name}"] = f"{cell}/m_axi_{name}"
    return found


@dataclass
class ShellDesign:
    """What a shell script did (from its record)."""

    part: str = ""
    board_part: str | None = None
    cells: dict[str, str] = field(default_factory=dict)  # name -> VLNV or module:<name>
    automation: dict[str, dict[str, str]] = field(default_factory=dict)
    intf_nets: list[tuple[str, str]] = field(default_factory=list)
    nets: list[tuple[str, str]] = field(default_factory=list)
    properties: dict[tuple[str, str], str] = field(default_factory=dict)  # (cell, key)
    addresses: list[tuple[str, str, int | None, int | None]] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    copies: dict[str, str] = field(default_factory=dict)  # destination -> source
    sources: list[str] = field(default_factory=list)

    @classmethod
    def from_record(cls, record: Record) -> ShellDesign:
        design = cls()
        for entry in record:
            design._take(entry[0], entry[1:])
        return design

    def _take(self, cmd: str, args: list[str]) -> None:
        if cmd == "create_project":
            self.part = args[2]
        elif cmd == "set_property" and args[0] == "project" and args[2] == "board_part":
            self.board_part = args[3]
        elif cmd == "set_property" and args[0] == "cell":
            self.properties[(args[1], args[2])] = args[3]
        elif cmd == "create_bd_cell":
            self.cells[args[2]] = args[1] if args[0] == "ip" else f"module:{args[1]}"
        elif cmd == "apply_bd_automation":
            self.automation[args[0]] = dict(zip(args[2::2], args[3::2], strict=True))
        elif cmd in ("connect_bd_net", "connect_bd_intf_net"):
            (self.nets if cmd == "connect_bd_net" else self.intf_nets).append((args[1], args[3]))
        elif cmd == "assign_bd_address":
            offset, size = (int(v, 0) if v else None for v in args[2:4])
            self.addresses.append((args[0], args[1], offset, size))
        elif cmd in ("validate_bd_design", "save_bd_design", "make_wrapper"):
            self.steps.append(cmd)
        elif cmd in ("launch_runs", "wait_on_run"):
            self.steps.append(" ".join([cmd, *filter(None, args)]))
        elif cmd == "file_copy":
            self.copies[os.path.normpath(args[1])] = args[0]
        elif cmd == "add_files":
            self.sources.append(args[0])

    def driven(self, source: str) -> set[str]:
        return {b for a, b in self.nets if a == source}

    def problems(self, expected: Interfaces, board: Board, out: Path, name: str) -> list[str]:
        """What is wrong (module docstring); `out` is the tree, `name` the bitfile name."""
        found = self._platform_problems(board)
        found += self._stream_problems(expected)
        found += self._bus_problems(expected, board)
        found += self._clock_problems(expected, board)
        found += self._address_problems(expected, board)
        if self.steps != STEPS:
            found.append(f"steps {self.steps}, expected {STEPS}")
        bitfiles = out.resolve() / "deploy" / "bitfile"
        for suffix in (".bit", ".hwh"):
            if os.path.normpath(bitfiles / f"{name}{suffix}") not in self.copies:
                found.append(f"no {name}{suffix} copied into {bitfiles}")
        return found

    def _platform_problems(self, board: Board) -> list[str]:
        found: list[str] = []
        ps = board.processing_system
        if self.part != board.part:
            found.append(f"project part {self.part}, expected {board.part}")
        if self.board_part != board.board_part:
            found.append(f"board part {self.board_part}, expected {board.board_part}")
        if self.cells.get(PS_CELL) != ps.vlnv:
            found.append(f"cell {PS_CELL} is {self.cells.get(PS_CELL)}, expected {ps.vlnv}")
        preset = self.automation.get(PS_CELL, {}).get("apply_board_preset")
        if preset != ("1" if board.board_part else "0"):
            found.append(f"board preset {preset!r} for board part {board.board_part}")
        return found

    def _stream_problems(self, expected: Interfaces) -> list[str]:
        found: list[str] = []
        uses = Counter(end for net in self.intf_nets for end in net)
        wanted = expected.stream_masters | expected.stream_slaves
        wanted |= set(expected.lite_slaves) | set(expected.masters)
        found += [f"{pin} is not connected" for pin in sorted(wanted) if uses[pin] == 0]
        found += [f"{pin} is on {n} nets" for pin, n in uses.items() if n > 1]
        for a, b in self.intf_nets:
            if a in expected.stream_slaves or b in expected.stream_masters:
                found.append(f"stream net {a} -> {b} is not master -> slave")
            elif (a in expected.stream_masters) != (b in expected.stream_slaves):
                found.append(f"stream net {a} -> {b} joins a stream to something else")
        cells = {pin.split("/")[0] for pin in wanted}
        found += [f"cell {c} was never created" for c in sorted(cells) if c not in self.cells]
        return found

    def _bus_problems(self, expected: Interfaces, board: Board) -> list[str]:
        found: list[str] = []
        ps = board.processing_system
        for bus, pins in (
            ("control_bus", [p for p in expected.lite_slaves]),
            (MEMORY_BUS, [p for p in expected.masters]),
        ):
            used = [e for net in self.intf_nets for e in net if e.startswith(f"{bus}/")]
            counts = (
                sum(e.split("/")[1].startswith("S") for e in used),
                sum(e.split("/")[1].startswith("M") for e in used),
            )
            declared = tuple(
                int(self.properties.get((bus, f"CONFIG.NUM_{k}"), "0")) for k in ("SI", "MI")
            )
            if counts != declared:
                found.append(f"{bus} has {declared} SI/MI ports but uses {counts}")
            if (
                bus == MEMORY_BUS
                and pins
                and (f"{MEMORY_BUS}/M00_AXI", f"{PS_CELL}/{ps.slave}") not in self.intf_nets
            ):
                found.append(f"{MEMORY_BUS} does not reach {PS_CELL}/{ps.slave}")
        if pins := list(expected.lite_slaves):
            master = f"{PS_CELL}/{ps.master}"
            if not any(master in net for net in self.intf_nets):
                found.append(f"{master} (control) is not connected, {pins} unreachable")
        return found

    def _clock_problems(self, expected: Interfaces, board: Board) -> list[str]:
        ps = board.processing_system
        clocked = self.driven(f"{PS_CELL}/{ps.clock}")
        reset = self.driven(f"{RESET_CELL}/peripheral_aresetn")
        want_clocks = expected.clocks | {f"{PS_CELL}/{pin}" for pin in ps.bus_clocks}
        want_resets = set(expected.resets)
        for cell, vlnv in self.cells.items():
            if vlnv in CLOCK_PINS:
                want_clocks.add(f"{cell}/{CLOCK_PINS[vlnv]}")
            if vlnv in RESET_PINS:
                want_resets.add(f"{cell}/{RESET_PINS[vlnv]}")
        found = [f"{pin} gets no fabric clock" for pin in sorted(want_clocks - clocked)]
        found += [f"{pin} gets no synchronized reset" for pin in sorted(want_resets - reset)]
        if f"{RESET_CELL}/ext_reset_in" not in self.driven(f"{PS_CELL}/{ps.reset}"):
            found.append(f"{RESET_CELL}/ext_reset_in is not the PS's {ps.reset}")
        return found

    def _address_problems(self, expected: Interfaces, board: Board) -> list[str]:
        ps = board.processing_system
        found: list[str] = []
        data = f"{PS_CELL}/{ps.data_space}"
        windows: list[tuple[int, int, str]] = []
        for pin, (segment, size) in expected.lite_slaves.items():
            hits = [a for a in self.addresses if a[1] == segment]
            if len(hits) != 1 or hits[0][0] != data:
                found.append(f"{pin}: segment {segment} is not mapped once into {data}")
                continue
            _, _, offset, window = hits[0]
            if offset is None or window is None or window < size or offset % window:
                where = (
                    "unsized" if offset is None or window is None else f"{offset:#x}+{window:#x}"
                )
                found.append(f"{pin}: window {where} cannot hold {size} register bytes")
                continue
            windows.append((offset, window, pin))
        windows.sort()
        found += [
            f"{a[2]} and {b[2]} overlap"
            for a, b in itertools.pairwise(windows)
            if a[0] + a[1] > b[0]
        ]
        ddr = f"{PS_CELL}/{ps.ddr_segment}"
        for pin, space in expected.masters.items():
            if not any(a[0] == space and a[1] == ddr for a in self.addresses):
                found.append(f"{pin}: address space {space} does not reach {ddr}")
        return found


def check_shell(
    out: str | os.PathLike[str],
    board: Board,
    name: str,
    expected: Interfaces,
    script: str = "shell.tcl",
) -> tuple[ShellDesign, list[str]]:
    """Dry-run `out/vivado/<script>` and list its problems against `expected`."""
    root = Path(out)
    design = ShellDesign.from_record(dry_run(root / "vivado" / script, "vivado"))
    return design, design.problems(expected, board, root, name)


def tree_board(design: ShellDesign) -> Board:
    """The board a shell script was emitted for, from its part and board part."""
    for board in BOARDS.values():
        if board.board_part is not None and board.board_part == design.board_part:
            return board
    return shell_board(design.part, None)


def main(argv: list[str] | None = None) -> int:
    """`python -m backend_hls.shell_check OUT`: dry-run and check every shell script of
    an emitted tree (`vivado/shell.tcl`, and `vivado/shell_rtl.tcl` when present)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m backend_hls.shell_check OUT_DIR", file=sys.stderr)
        return 2
    root = Path(args[0])
    name = json.loads((root / "deploy" / "accel.json").read_text())["model"]["name"]
    found = 0
    for script, interfaces in (("shell.tcl", hls_interfaces), ("shell_rtl.tcl", rtl_interfaces)):
        if not (root / "vivado" / script).is_file():
            continue
        try:
            record = dry_run(root / "vivado" / script, "vivado")
            design = ShellDesign.from_record(record)
            problems = design.problems(interfaces(root), tree_board(design), root, name)
        except (DryRunError, ShellError) as error:
            print(f"shell_check: error: {script}: {error}", file=sys.stderr)
            return 1
        for problem in problems:
            print(f"{script}: {problem}")
        print(
            f"{script}: {len(design.cells)} cells, {len(design.addresses)} address assignments: "
            + ("ok" if not problems else f"{len(problems)} problems")
        )
        found += len(problems)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
