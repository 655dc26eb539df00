"""The HTML report's sections of the open FPGA tools: per layer the resources Yosys
synthesized beside the estimate (`report/synth.json`, `backend_fpga.synth.synth_report`);
place and route's Fmax and utilisation (`report/pnr.json`, `backend_fpga.pnr`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend_hls.report import esc, fmt_int

COMPARED = (("LUT", ("LUT", "LUTRAM")), ("BRAM18", ("BRAM18",)), ("DSP", ("DSP48", "DSP")))
"""Estimate key -> the synthesized kinds it is compared with (an estimate's LUTs include
LUTs used as memory)."""


def compared(
    synthesized: Mapping[str, Any], estimated: Mapping[str, Any], rtl: Mapping[str, Any]
) -> list[str]:
    """Table cells: for each compared resource, synthesized, the FINN-like estimate and
    the RTL estimate (`backend_fpga.rtl_estimates`; blank when absent)."""
    cells = []
    for key, kinds in COMPARED:
        got = sum(int(synthesized.get(k, 0)) for k in kinds)
        cells.append(
            f"<td class=n>{fmt_int(got)}</td><td class=n>{fmt_int(estimated.get(key))}</td>"
            f"<td class=n>{fmt_int(rtl.get(key)) if key in rtl else ''}</td>"
        )
    return cells


def synth_section(report: Mapping[str, Any]) -> str:
    """`<section>` with one row per layer and the totals."""
    head = "".join(
        f"<th class=n>{k} synth</th><th class=n>{k} est.</th><th class=n>{k} RTL est.</th>"
        for k, _ in COMPARED
    )
    rows = []
    for row in report.get("layers") or []:
        synthesized = row.get("synthesized") or {}
        rows.append(
            f"<tr><td>{esc(row.get('name'))}</td><td>{esc(row.get('module'))}</td>"
            + "".join(
                compared(synthesized, row.get("estimated") or {}, row.get("rtl_estimated") or {})
            )
            + f"<td class=n>{fmt_int(synthesized.get('FF', 0))}</td></tr>"
        )
    totals = report.get("totals") or {}
    synthesized = totals.get("synthesized") or {}
    rows.append(
        "<tr><td><b>total</b></td><td>(with the top's glue)</td>"
        + "".join(
            compared(synthesized, totals.get("estimated") or {}, totals.get("rtl_estimated") or {})
        )
        + f"<td class=n>{fmt_int(synthesized.get('FF', 0))}</td></tr>"
    )
    text = (
        f"<p>{esc(report.get('tool'))} <code>{esc(report.get('command'))}</code> for "
        f"{esc(report.get('part'))}, each layer on its own; LUT synth = logic LUTs + LUTs "
        "used as memory; est. = the FINN-like estimate, RTL est. = the estimate of the RTL "
        "backend's structure as Yosys maps it (backend_fpga/rtl_estimates.py). Yosys's "
        "counts are not Vivado's.</p>"
    )
    table = (
        f"<table><tr><th>layer</th><th>module</th>{head}<th class=n>FF</th></tr>"
        + "".join(rows)
        + "</table>"
    )
    return f"<section><h2>Synthesized vs estimated</h2>{text}{table}</section>"


def pnr_section(report: Mapping[str, Any]) -> str:
    """`<section>`: per clock the achieved Fmax against its target (a miss in bold:
    `Fmax X MHz < target Y MHz`), and the utilisation per resource
    (`report/pnr.json`, `backend_fpga.pnr.pnr_report`)."""
    clocks = []
    for clock in report.get("clocks") or []:
        fmax, target = clock.get("fmax_mhz"), clock.get("target_mhz")
        verdict = (
            "met"
            if clock.get("timing_met")
            else f"<b>Fmax {esc(fmax)} MHz &lt; target {esc(target)} MHz: timing not met</b>"
        )
        clocks.append(
            f"<tr><td>{esc(clock.get('clock'))}</td><td class=n>{esc(fmax)}</td>"
            f"<td class=n>{esc(target)}</td><td>{verdict}</td></tr>"
        )
    resources = report.get("resources") or {}
    rows = []
    for name, entry in (report.get("utilisation") or {}).items():
        used, available = int(entry.get("used", 0)), int(entry.get("available", 0))
        share = f"{100 * used / available:.1f} %" if available else ""
        rows.append(
            f"<tr><td>{esc(name)}</td><td>{esc(resources.get(name, ''))}</td>"
            f"<td class=n>{fmt_int(used)}</td><td class=n>{fmt_int(available)}</td>"
            f"<td class=n>{share}</td></tr>"
        )
    board = report.get("board") or {}
    text = (
        f"<p><code>{esc(report.get('bitstream'))}</code> for {esc(report.get('part'))} "
        f"(synth_ecp5, nextpnr-ecp5, ecppack). On the {esc(board.get('name'))} the "
        f"accelerator runs from the board's {esc(board.get('clock_mhz'))} MHz oscillator "
        "(no PLL).</p>"
    )
    timing = (
        "<table><tr><th>clock</th><th class=n>Fmax MHz</th><th class=n>target MHz</th>"
        "<th>timing</th></tr>" + "".join(clocks) + "</table>"
    )
    usage = (
        "<table><tr><th>resource</th><th>what</th><th class=n>used</th>"
        "<th class=n>available</th><th class=n>share</th></tr>" + "".join(rows) + "</table>"
    )
    return f"<section><h2>Place and route</h2>{text}{timing}{usage}</section>"
