"""Dry runs of the emitted TCL: run it under `tclsh` with stand-ins, check the record.

No Vivado or Vitis HLS is needed. `tcl_standins.tcl` defines a stand-in for every tool
command the scripts use; each checks its arguments and the call order, fails loudly on
misuse or on any unknown command, and records what it was asked (see its header).
Here:

* `dry_run(script, tool)` runs one script and returns the record (one list of strings
  per call), raising `DryRunError` with tclsh's message when the script fails;
* `HlsRun` / `BlockDesign` read the record of a Vitis HLS / Vivado script;
* `BlockDesign.problems()` lists what is wrong with a block design on its own: a
  connection whose end is no pin of a created cell nor a created port, an interface
  port or pin joined more than once or never, a cell without clock or reset, a reset
  that is not active low, a design not validated, saved, wrapped or packaged;
* `check_tree(out)` dry-runs every `hls/*_hls.tcl` and `vivado/stitch.tcl` of an
  emitted tree and adds the cross-checks: every HLS script synthesizes and exports its
  own top, every non-Xilinx cell is an IP that some HLS script exports into a directory
  on the project's IP repository path.

`python -m backend_hls.tcl_check OUT` prints the problems of a tree (exit status 1 if
any).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from backend_hls.naming import CLOCK_PIN, RESET_PIN

STANDINS = Path(__file__).resolve().with_name("tcl_standins.tcl")
"""The stand-ins script (`tclsh STANDINS vivado|vitis SCRIPT RECORD`)."""

Tool = Literal["vivado", "vitis"]
Record = list[list[str]]
Object = tuple[str, str]
"""(kind, name): kind is cell, pin, intf_pin, port, intf_port, project, fileset, core."""


CELL_CLOCK_RESET: dict[str, tuple[str, str]] = {
    "xilinx.com:ip:axis_data_fifo:2.0": ("s_axis_aclk", "s_axis_aresetn"),
}
"""Clock and reset pins of the Xilinx IPs used; HLS IPs have `ap_clk` / `ap_rst_n`."""


class DryRunError(RuntimeError):
    """A script failed under the stand-ins; the message is tclsh's error."""


def find_tclsh() -> str:
    tclsh = shutil.which(os.environ.get("TCLSH", "tclsh"))
    if tclsh is None:
        raise DryRunError("tclsh not found (install Tcl 8.6, or set TCLSH)")
    return tclsh


def dry_run(script: str | os.PathLike[str], tool: Tool, *, timeout: float = 60.0) -> Record:
    """Run `script` under the stand-ins of `tool`; return its record."""
    with tempfile.TemporaryDirectory(prefix="qnn-tcl-") as tmp:
        record_path = Path(tmp) / "record.jsonl"
        proc = subprocess.run(
            [find_tclsh(), str(STANDINS), tool, str(script), str(record_path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        lines = record_path.read_text().splitlines() if record_path.exists() else []
    if proc.returncode != 0:
        message = proc.stderr.strip().splitlines()
        raise DryRunError(message[0] if message else f"{script}: exit {proc.returncode}")
    record: Record = [json.loads(line) for line in lines]
    return record


def _calls(record: Record, name: str) -> list[list[str]]:
    return [entry[1:] for entry in record if entry[0] == name]


# --------------------------------------------------------------------------- Vitis HLS


@dataclass
class HlsRun:
    """What a Vitis HLS script did (from its record)."""

    project_dir: str = ""
    top: str = ""
    files: list[tuple[str, str]] = field(default_factory=list)  # (path, cflags)
    part: str = ""
    clock_ns: str = ""
    synthesized: list[str] = field(default_factory=list)  # tops csynth_design ran on
    exports: list[dict[str, str]] = field(default_factory=list)
    exited: bool = False

    @classmethod
    def from_record(cls, record: Record) -> HlsRun:
        run = cls()
        for entry in record:
            cmd, args = entry[0], entry[1:]
            if cmd == "open_project":
                run.project_dir = args[1]
            elif cmd == "set_top":
                run.top = args[0]
            elif cmd == "add_files":
                run.files.append((args[0], args[1]))
            elif cmd == "set_part":
                run.part = args[0]
            elif cmd == "create_clock":
                run.clock_ns = args[0]
            elif cmd == "csynth_design":
                run.synthesized.append(args[0])
            elif cmd == "export_design":
                keys = ("format", "vlnv", "ip_dir", "display_name", "description")
                run.exports.append(dict(zip(keys, args, strict=True)))
            elif cmd == "exit":
                run.exited = args[0] == "0"
        return run

    def problems(self, expected_top: str | None = None) -> list[str]:
        found: list[str] = []
        if expected_top is not None and self.top != expected_top:
            found.append(f"set_top {self.top!r}, expected {expected_top!r}")
        if self.synthesized != [self.top]:
            found.append(f"csynth_design ran on {self.synthesized}, expected [{self.top!r}]")
        if len(self.exports) != 1:
            found.append(f"{len(self.exports)} export_design calls, expected 1")
        for export in self.exports:
            if export["format"] != "ip_catalog":
                found.append(f"export_design -format {export['format']}, expected ip_catalog")
            if export["vlnv"].split(":")[2] != self.top:
                found.append(f"exported IP {export['vlnv']} is not named after the top {self.top}")
        if not self.exited:
            found.append("the script does not end with exit 0")
        return found


# --------------------------------------------------------------------------- Vivado


@dataclass
class BlockDesign:
    """The block design and packaging a Vivado script made (from its record)."""

    part: str = ""
    design: str = ""
    repo_paths: list[str] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)  # name -> VLNV
    ports: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # dir, type, freq
    intf_ports: dict[str, str] = field(default_factory=dict)  # name -> Master/Slave
    nets: list[tuple[Object, Object]] = field(default_factory=list)
    intf_nets: list[tuple[Object, Object]] = field(default_factory=list)
    properties: dict[tuple[Object, str], str] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)  # validate/save/wrapper/package, in order
    package: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_record(cls, record: Record) -> BlockDesign:
        bd = cls()
        for entry in record:
            cmd, args = entry[0], entry[1:]
            if cmd == "create_project":
                bd.part = args[2]
            elif cmd == "ip_repo_path":
                bd.repo_paths.append(args[0])
            elif cmd == "create_bd_design":
                bd.design = args[0]
            elif cmd == "create_bd_cell":
                bd.cells[args[2]] = args[1]
            elif cmd == "create_bd_port":
                bd.ports[args[2]] = (args[0], args[1], args[3])
            elif cmd == "create_bd_intf_port":
                bd.intf_ports[args[2]] = args[0]
            elif cmd in ("connect_bd_net", "connect_bd_intf_net"):
                a, b = (args[0], args[1]), (args[2], args[3])
                (bd.nets if cmd == "connect_bd_net" else bd.intf_nets).append((a, b))
            elif cmd == "set_property":
                bd.properties[((args[0], args[1]), args[2])] = args[3]
            elif cmd in ("validate_bd_design", "save_bd_design", "make_wrapper"):
                bd.steps.append(cmd)
            elif cmd == "ipx::package_project":
                bd.steps.append(cmd)
                keys = ("root_dir", "vendor", "library", "module")
                bd.package = dict(zip(keys, args, strict=True))
            elif cmd in ("ipx::save_core",):
                bd.steps.append(cmd)
        return bd

    def prop(self, kind: str, name: str, key: str) -> str | None:
        return self.properties.get(((kind, name), key))

    def cell_pins(self, kind: str) -> set[str]:
        """Every `CELL/PIN` of `kind` (pin or intf_pin) used in a connection."""
        nets = self.nets if kind == "pin" else self.intf_nets
        return {name for net in nets for k, name in net if k == kind}

    def _endpoint_problem(self, end: Object, intf_pins: dict[str, set[str]] | None) -> str | None:
        kind, name = end
        if kind in ("port", "intf_port"):
            known = self.ports if kind == "port" else self.intf_ports
            return None if name in known else f"{kind} {name} was never created"
        cell, _, pin = name.partition("/")
        if cell not in self.cells:
            return f"{kind} {name}: cell {cell} was never created"
        if intf_pins is None or cell not in intf_pins:
            return None
        if kind == "intf_pin" and pin not in intf_pins[cell]:
            return f"{kind} {name}: {cell} has no such interface (it has {sorted(intf_pins[cell])})"
        if (
            kind == "pin"
            and cell in intf_pins
            and pin not in CELL_CLOCK_RESET.get(self.cells[cell], (CLOCK_PIN, RESET_PIN))
        ):
            return f"{kind} {name}: {cell} has no such clock/reset pin"
        return None

    def problems(self, intf_pins: dict[str, set[str]] | None = None) -> list[str]:
        """What is wrong with the design (module docstring). `intf_pins`: cell -> its
        AXI-stream interface pins, for cells whose pins are known: then every connection
        must use one of them (or the cell's clock/reset) and each must be connected."""
        found: list[str] = []
        for a, b in self.nets + self.intf_nets:
            for end in (a, b):
                problem = self._endpoint_problem(end, intf_pins)
                if problem:
                    found.append(problem)
        uses = Counter(end for net in self.intf_nets for end in net)
        found += [f"{k} {n} is on {c} AXI-stream nets" for (k, n), c in uses.items() if c > 1]
        found += [
            f"interface port {name} is not connected"
            for name in self.intf_ports
            if ("intf_port", name) not in uses
        ]
        for cell, pins in (intf_pins or {}).items():
            if cell not in self.cells:
                found.append(f"cell {cell} was never created")
                continue
            found += [
                f"interface pin {cell}/{pin} is not connected"
                for pin in sorted(pins)
                if ("intf_pin", f"{cell}/{pin}") not in uses
            ]
        found += self._clock_reset_problems()
        expected = [
            "validate_bd_design",
            "save_bd_design",
            "make_wrapper",
            "ipx::package_project",
            "ipx::save_core",
        ]
        if self.steps != expected:
            found.append(f"steps {self.steps}, expected {expected}")
        if self.package and self.package["module"] != self.design:
            found.append(f"packaged module {self.package['module']} is not {self.design}")
        return found

    def _clock_reset_problems(self) -> list[str]:
        found: list[str] = []
        clocks = [n for n, (d, t, _) in self.ports.items() if d == "I" and t == "clk"]
        resets = [n for n, (d, t, _) in self.ports.items() if d == "I" and t == "rst"]
        if len(clocks) != 1 or len(resets) != 1:
            return [f"expected one clock and one reset port, got {clocks} and {resets}"]
        clock, reset = clocks[0], resets[0]
        if not self.ports[clock][2]:
            found.append(f"clock port {clock} has no frequency")
        if self.prop("port", reset, "CONFIG.POLARITY") != "ACTIVE_LOW":
            found.append(f"reset port {reset} is not active low")
        for index, port in enumerate((clock, reset)):
            reached = {b[1] for a, b in self.nets if a == ("port", port) and b[0] == "pin"}
            for cell, vlnv in self.cells.items():
                pin = CELL_CLOCK_RESET.get(vlnv, (CLOCK_PIN, RESET_PIN))[index]
                if f"{cell}/{pin}" not in reached:
                    found.append(f"{port} does not reach {cell}/{pin}")
        return found


# --------------------------------------------------------------------------- a tree


XILINX_VENDOR = "xilinx.com"


@dataclass
class TreeCheck:
    hls: dict[str, HlsRun]  # layer (script stem) -> run
    design: BlockDesign
    problems: list[str]


def check_tree(
    out: str | os.PathLike[str], intf_pins: dict[str, set[str]] | None = None
) -> TreeCheck:
    """Dry-run every script of an emitted tree; see the module docstring."""
    root = Path(out)
    problems: list[str] = []
    runs: dict[str, HlsRun] = {}
    for script in sorted((root / "hls").glob("*_hls.tcl")):
        layer = script.name.removesuffix("_hls.tcl")
        run = HlsRun.from_record(dry_run(script, "vitis"))
        runs[layer] = run
        problems += [f"{script.name}: {p}" for p in run.problems(expected_top=layer)]
    design = BlockDesign.from_record(dry_run(root / "vivado" / "stitch.tcl", "vivado"))
    problems += [f"stitch.tcl: {p}" for p in design.problems(intf_pins)]
    exported = {e["vlnv"]: e["ip_dir"] for run in runs.values() for e in run.exports}
    repo = {os.path.normpath(p) for p in design.repo_paths}
    for cell, vlnv in design.cells.items():
        if vlnv.split(":")[0] == XILINX_VENDOR:
            continue
        if vlnv not in exported:
            problems.append(f"stitch.tcl: cell {cell} is IP {vlnv}, which no HLS script exports")
        elif os.path.normpath(exported[vlnv]) not in repo:
            problems.append(
                f"stitch.tcl: IP {vlnv} is exported to {exported[vlnv]}, not on ip_repo_paths"
            )
    return TreeCheck(runs, design, problems)


def expected_pins(layers: dict[str, tuple[list[str], list[str]]]) -> dict[str, set[str]]:
    """cell -> interface pins, from each HLS cell's `naming.port_names`."""
    return {name: {*inputs, *outputs} for name, (inputs, outputs) in layers.items()}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m backend_hls.tcl_check OUT_DIR", file=sys.stderr)
        return 2
    try:
        result = check_tree(args[0])
    except DryRunError as error:
        print(f"tcl_check: error: {error}", file=sys.stderr)
        return 1
    for problem in result.problems:
        print(problem)
    print(
        f"{len(result.hls)} HLS scripts, {len(result.design.cells)} cells, "
        f"{len(result.design.intf_nets)} streams: "
        + ("ok" if not result.problems else f"{len(result.problems)} problems")
    )
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())
