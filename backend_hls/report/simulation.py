"""The report's simulation parts: a simulation's agreement with qonnx as a summary card
and as a section (`report/csim.json`, `report/rtlsim.json`), and the RTL simulation's
measured cycles, fps and latency beside the estimates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend_hls.report.common import DASH, card, esc, fmt_int, fmt_num, percent


def agreement_card(title: str, report: Mapping[str, Any]) -> str:
    summary = report.get("summary") or {}
    frames = summary.get("frames", 0)
    agree = frames - summary.get("mismatched_frames", 0)
    return card(
        title,
        f"{agree}/{frames}",
        esc(f"frames agree with qonnx · argmax {summary.get('argmax_agreement')}/{frames}"),
        "ok" if summary.get("agree") else "bad",
    )


def simulation_section(
    csim: Mapping[str, Any], key: str = "csim", title: str = "C simulation", extra: str = ""
) -> str:
    """The agreement of a simulation (`report/<key>.json`) with qonnx; `extra` goes
    between the summary and the per-frame table."""
    summary = csim.get("summary") or {}
    frames = list(csim.get("frames") or [])
    verdict = "agrees" if summary.get("agree") else "DISAGREES"
    cls = "ok" if summary.get("agree") else "bad"
    text = (
        f'<p>The {title} <b class="{cls}">{verdict}</b> with qonnx\'s <code>execute_onnx</code> '
        f"on the original model: {summary.get('frames', 0) - summary.get('mismatched_frames', 0)}"
        f" of {summary.get('frames', 0)} frames within rtol {fmt_num(summary.get('rtol'))} "
        f"(of each frame's largest magnitude), argmax equal on {summary.get('argmax_agreement')}"
        f" of {summary.get('frames', 0)}; largest |difference| "
        f"{fmt_num(summary.get('max_abs_diff'))}, largest relative difference "
        f"{fmt_num(summary.get('max_rel_diff'))}.</p>"
    )
    shown = frames[:64]
    rows = []
    for r in shown:
        mark = '<span class="ok">yes</span>' if r.get("agree") else '<span class="bad">no</span>'
        rows.append(
            f"<tr><td class=n>{r.get('frame')}</td><td>{mark}</td>"
            f"<td class=n>{fmt_num(r.get('max_abs_diff'))}</td>"
            f"<td class=n>{fmt_num(r.get('max_rel_diff'))}</td>"
            f"<td class=n>{esc(r.get('argmax_reference', DASH))}</td>"
            f"<td class=n>{esc(r.get(f'argmax_{key}', DASH))}</td></tr>"
        )
    more = (
        f'<p class="notes">first {len(shown)} of {len(frames)} frames shown; all are in '
        f"report/{key}.json</p>"
        if len(frames) > len(shown)
        else ""
    )
    table = (
        "<table><tr><th class=n>frame</th><th>agrees</th><th class=n>max |diff|</th>"
        "<th class=n>max rel diff</th><th class=n>argmax qonnx</th>"
        f"<th class=n>argmax {key}</th></tr>" + "".join(rows) + "</table>"
    )
    return f"<section><h2>{title} vs qonnx</h2>{text}{extra}{table}{more}</section>"


def rtlsim_section(rtlsim: Mapping[str, Any]) -> str:
    """The RTL simulation: measured cycles per frame, fps and latency beside the
    estimates, then its agreement with qonnx."""
    summary = rtlsim.get("summary") or {}
    rows = [
        (
            "cycles per frame (II)",
            fmt_int(summary.get("cycles_per_frame")),
            fmt_int(summary.get("estimated_cycles_per_frame")),
            percent(summary.get("cycles_per_frame_deviation")),
        ),
        (
            "frames per second",
            fmt_int(summary.get("fps")),
            fmt_int(summary.get("estimated_fps")),
            "",
        ),
        (
            "latency (cycles)",
            fmt_int(summary.get("latency_cycles")),
            fmt_int(summary.get("estimated_latency_cycles")),
            "",
        ),
    ]
    body = "".join(
        f"<tr><td>{esc(what)}</td><td class=n>{measured}</td><td class=n>{estimated}</td>"
        f"<td class=n>{esc(deviation)}</td></tr>"
        for what, measured, estimated, deviation in rows
    )
    table = (
        "<table><tr><th></th><th class=n>measured</th><th class=n>estimated</th>"
        f"<th class=n>difference</th></tr>{body}</table>"
    )
    note = (
        f'<p class="notes">Measured in Verilator at full rate over '
        f"{summary.get('timing_frames')} frames (steady state: between the ends of the middle "
        "and the last frame, as the first frames fill the FIFOs); the compared run streams every frame with "
        f"{summary.get('random_gap_percent')} % random input gaps and "
        f"{summary.get('random_stall_percent')} % random output backpressure. Estimated "
        "latency: the sum of the layers' cycles per frame.</p>"
    )
    return simulation_section(rtlsim, "rtlsim", "RTL simulation", table + note)
