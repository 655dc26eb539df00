"""The build report: one self-contained HTML page (inline CSS and SVG, nothing fetched).

`render_html(estimates, module, info=..., csim=..., rtlsim=...)` returns the page as a string; every
function here is pure (no I/O), so the page is a function of its inputs and two builds of
the same model give byte-identical reports. The inputs:

* `estimates`: the report of `-t estimates` (`backend_hls.estimates_target.estimates_report`):
  `layers` in the partition's program order (name, op, PE, SIMD, cycles, LUT, BRAM_18K, URAM,
  DSP), `network` (estimated fps, latency, totals, bottleneck), `part` (the totals as
  shares of the part; a resource over the allowed share is shown in red) and, after
  `set-folding`, `folding` (target fps and cycles, notes);
* `module`: the dataflow module, for what the estimates do not carry: each layer's stream
  datatypes, lanes and word widths, and the graph (which layer feeds which);
* `info`: free-form facts shown in the header (model, part, clock, folding source);
* `csim`: the C-simulation report `qnn-build --csim` writes (`summary` + per-`frames` rows);
* `rtlsim`: the RTL-simulation report `qnn-build --rtlsim` writes (the same, plus the
  measured cycles per frame, latency and fps beside the estimates in its `summary`).

The page has the network totals, a per-layer table (name, op, PE, SIMD, cycles, LUT,
BRAM18, URAM, DSP, in/out datatypes), a bar chart of cycles and resources per layer
(`chart_svg`: one panel per quantity, the bottleneck and the target cycles marked) and the
dataflow graph (`graph_svg`: layers as boxes, streams as arrows labelled with their word
width, a layered layout — `graph_layout` — in which a stream skipping ranks, as around a
residual block, is routed through its own column of waypoints).

Modules: `common` (categories, colours, formats, the summary card), `graph` (the dataflow
graph, its layout and SVG), `chart` (the bar chart), `simulation` (the agreement with
qonnx of `--csim`/`--rtlsim`, the measured RTL cycles), `page` (`render_html`).
"""

from backend_hls.report.chart import chart_svg
from backend_hls.report.common import esc, fmt_int, short_dtype
from backend_hls.report.graph import dataflow_graph, graph_layout, graph_svg
from backend_hls.report.page import render_html

__all__ = [
    "chart_svg",
    "dataflow_graph",
    "esc",
    "fmt_int",
    "graph_layout",
    "graph_svg",
    "render_html",
    "short_dtype",
]
