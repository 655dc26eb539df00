"""The HTML report's synthesis section: per layer the resources Yosys synthesized beside
the estimate (`report/synth.json`, `backend_fpga.synth.synth_report`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend_hls.report import esc, fmt_int

COMPARED = (("LUT", ("LUT", "LUTRAM")), ("BRAM18", ("BRAM18",)), ("DSP", ("DSP48", "DSP")))
"""Estimate key -> the synthesized kinds it is compared with (an estimate's LUTs include
LUTs used as memory)."""


def compared(synthesized: Mapping[str, Any], estimated: Mapping[str, Any]) -> list[str]:
    """Table cells: for each compared resource, `synthesized / estimated`."""
    cells = []
    for key, kinds in COMPARED:
        got = sum(int(synthesized.get(k, 0)) for k in kinds)
        est = estimated.get(key)
        cells.append(f"<td class=n>{fmt_int(got)}</td><td class=n>{fmt_int(est)}</td>")
    return cells


def synth_section(report: Mapping[str, Any]) -> str:
    """`<section>` with one row per layer and the totals."""
    head = "".join(f"<th class=n>{k} synth</th><th class=n>{k} est.</th>" for k, _ in COMPARED)
    rows = []
    for row in report.get("layers") or []:
        synthesized = row.get("synthesized") or {}
        rows.append(
            f"<tr><td>{esc(row.get('name'))}</td><td>{esc(row.get('module'))}</td>"
            + "".join(compared(synthesized, row.get("estimated") or {}))
            + f"<td class=n>{fmt_int(synthesized.get('FF', 0))}</td></tr>"
        )
    totals = report.get("totals") or {}
    synthesized = totals.get("synthesized") or {}
    rows.append(
        "<tr><td><b>total</b></td><td>(with the top's glue)</td>"
        + "".join(compared(synthesized, totals.get("estimated") or {}))
        + f"<td class=n>{fmt_int(synthesized.get('FF', 0))}</td></tr>"
    )
    text = (
        f"<p>{esc(report.get('tool'))} <code>{esc(report.get('command'))}</code> for "
        f"{esc(report.get('part'))}, each layer on its own; LUT synth = logic LUTs + LUTs "
        "used as memory. Yosys's counts are not Vivado's.</p>"
    )
    table = (
        f"<table><tr><th>layer</th><th>module</th>{head}<th class=n>FF</th></tr>"
        + "".join(rows)
        + "</table>"
    )
    return f"<section><h2>Synthesized vs estimated</h2>{text}{table}</section>"
