"""The report's shared vocabulary: layer categories and their colours, HTML escaping,
number and datatype formats, stream labels, and a summary card."""

from __future__ import annotations

import html
import re

from qdialects.dataflow.types import StreamType

CATEGORIES: dict[str, tuple[str, str, str]] = {
    # op suffix -> (category, fill, stroke)
    "mvau": ("compute", "#dbeafe", "#2563eb"),
    "vvau": ("compute", "#dbeafe", "#2563eb"),
    "swg": ("window", "#dcfce7", "#16a34a"),
    "fm_padding": ("window", "#dcfce7", "#16a34a"),
    "thresholding": ("elementwise", "#fef3c7", "#d97706"),
    "channelwise": ("elementwise", "#fef3c7", "#d97706"),
    "maxpool": ("pool", "#fce7f3", "#db2777"),
    "pool": ("pool", "#fce7f3", "#db2777"),
    "global_acc_pool": ("pool", "#fce7f3", "#db2777"),
    "add_streams": ("join / fork", "#ede9fe", "#7c3aed"),
    "duplicate_streams": ("join / fork", "#ede9fe", "#7c3aed"),
    "concat": ("join / fork", "#ede9fe", "#7c3aed"),
    "label_select": ("output", "#ffedd5", "#ea580c"),
    "dwc": ("plumbing", "#f1f5f9", "#64748b"),
    "fifo": ("plumbing", "#f1f5f9", "#64748b"),
    "reshape": ("plumbing", "#f1f5f9", "#64748b"),
}
_DEFAULT_STYLE = ("other", "#f8fafc", "#475569")
DASH = "\N{EN DASH}"
TIMES = "\N{MULTIPLICATION SIGN}"
RESOURCE_KEYS = (("LUT", "LUT"), ("BRAM_18K", "BRAM18"), ("URAM", "URAM"), ("DSP", "DSP"))


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def short_op(op: str) -> str:
    """`dataflow.mvau` -> `mvau`."""
    return op.removeprefix("dataflow.")


def style_of(op: str) -> tuple[str, str, str]:
    return CATEGORIES.get(short_op(op), _DEFAULT_STYLE)


def short_dtype(datatype: object) -> str:
    """`!quant.int<8>` -> `int8`, `!quant.bipolar` -> `bipolar`."""
    text = str(datatype).removeprefix("!").removeprefix("quant.")
    match = re.fullmatch(r"(u?int)<(\d+)>", text)
    return f"{match.group(1)}{match.group(2)}" if match else text


def fmt_int(value: object) -> str:
    if value is None:
        return DASH
    if isinstance(value, int | float):
        return f"{value:,.0f}"
    return str(value)


def fmt_num(value: float | None, digits: int = 3) -> str:
    if value is None:
        return DASH
    return f"{value:.{digits}g}"


def stream_label(stream: StreamType) -> str:
    return f"{stream.word_width()} b"


def stream_title(stream: StreamType) -> str:
    shape = "x".join(str(d) for d in stream.shape)
    return (
        f"{shape} {short_dtype(stream.element)}, {stream.lanes} lanes, "
        f"{stream.word_width()} bits/word, {stream.words_per_frame()} words/frame"
    )


def card(key: str, value: str, sub: str = "", cls: str = "") -> str:
    klass = f' class="v {cls}"' if cls else ' class="v"'
    sub_html = f'<div class="s">{sub}</div>' if sub else ""
    return f'<div class="card"><div class="k">{esc(key)}</div><div{klass}>{value}</div>{sub_html}</div>'


def percent(fraction: float | None) -> str:
    return DASH if fraction is None else f"{100 * fraction:+.1f} %"
