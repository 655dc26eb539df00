"""The build report (`backend_hls.report`): a self-contained HTML page with a row per
layer, the cycles/resources chart and the dataflow graph, rendered in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from xdsl.dialects.builtin import ModuleOp

from backend_hls.report import (
    chart_svg,
    dataflow_graph,
    graph_layout,
    graph_svg,
    render_html,
    short_dtype,
)
from qdialects.dataflow.ops import PartitionOp

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
HARDWARE = "minimize-bit-width,insert-dwc,insert-fifos,size-fifos"


def _available(name: str) -> bool:
    from passes.registry import QNN_PASSES

    try:
        QNN_PASSES[name]()
    except (KeyError, ImportError):
        return False
    return True


def dataflow_module(name: str, fps: int) -> tuple[ModuleOp, dict]:
    from backend_hls.estimates_target import estimates_report
    from frontend import import_qonnx
    from passes.pipeline import run_pipeline

    module = import_qonnx(MODELS_DIR / f"{name}.onnx")
    hardware = ",".join(p for p in HARDWARE.split(",") if _available(p))
    run_pipeline(
        module,
        f"lower-quant-to-streamline,streamline,convert-to-dataflow,"
        f"set-folding{{target-fps={fps}}},{hardware}",
    )
    return module, estimates_report(module, 10.0)


@pytest.fixture(scope="module")
def cnv() -> tuple[ModuleOp, dict]:
    return dataflow_module("cnv_like", 3000)


@pytest.fixture(scope="module")
def residual() -> tuple[ModuleOp, dict]:
    return dataflow_module("residual", 1000)


CSIM = {
    "summary": {
        "frames": 2,
        "agree": False,
        "mismatched_frames": 1,
        "first_mismatch": 1,
        "argmax_agreement": 1,
        "max_abs_diff": 0.5,
        "max_rel_diff": 0.25,
        "rtol": 1e-5,
    },
    "frames": [
        {
            "frame": 0,
            "agree": True,
            "max_abs_diff": 0.0,
            "max_rel_diff": 0.0,
            "argmax_reference": 3,
            "argmax_csim": 3,
        },
        {
            "frame": 1,
            "agree": False,
            "max_abs_diff": 0.5,
            "max_rel_diff": 0.25,
            "argmax_reference": 1,
            "argmax_csim": 7,
        },
    ],
}


def test_short_dtype():
    from qdialects.types import BipolarType, IntType, UIntType

    assert short_dtype(IntType(8)) == "int8"
    assert short_dtype(UIntType(2)) == "uint2"
    assert short_dtype(BipolarType()) == "bipolar"


@pytest.mark.parametrize("fixture", ["cnv", "residual"])
def test_html_has_every_layer_both_svgs_and_nothing_external(fixture, request):
    module, estimates = request.getfixturevalue(fixture)
    page = render_html(estimates, module, info={"model": fixture, "part": "xc7z020clg400-1"})
    assert page.startswith("<!DOCTYPE html>")
    layers = estimates["layers"]
    assert layers
    for layer in layers:
        # a table row, a chart row and a graph box per layer
        assert re.search(f'<tr( class="[a-z]+")? id="layer-{layer["name"]}"', page)
        assert page.count(f">{layer['name']}<") >= 1, layer["name"]  # table
        assert f">{layer['name']}</text>" in page or f">{layer['name']} · " in page  # graph
    assert page.count("<svg") == 2
    assert 'class="chart"' in page and 'class="graph"' in page
    # self-contained: no scripts, stylesheets, images or fonts fetched
    assert "<script" not in page and "<link" not in page and "<img" not in page
    assert "url(http" not in page and "@import" not in page
    assert re.findall(r"(?:src|href)=", page) == []
    urls = set(re.findall(r"https?://[^\"' )]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls
    # totals
    network = estimates["network"]
    assert f"{network['totals']['LUT']:,}" in page
    assert "C simulation" not in page


def test_html_is_deterministic(residual):
    module, estimates = residual
    assert render_html(estimates, module) == render_html(estimates, module)


def test_csim_section(residual):
    module, estimates = residual
    page = render_html(estimates, module, csim=CSIM)
    assert "C simulation vs qonnx" in page
    assert "DISAGREES" in page
    assert "1/2" in page


def test_chart_marks_the_bottleneck(cnv):
    _, estimates = cnv
    svg = chart_svg(estimates)
    assert svg.count('fill="#dc2626"') == 1  # one red bar: the bottleneck's cycles
    for layer in estimates["layers"]:
        shown = f">{layer['name']}</text>" in svg
        assert shown == (layer["op"] not in ("dataflow.fifo", "dataflow.reshape"))


def test_graph_edges_and_layout_of_a_residual_block(residual):
    module, estimates = residual
    partition = next(op for op in module.walk() if isinstance(op, PartitionOp))
    graph = graph_layout(dataflow_graph(estimates, partition))
    real = {k: n for k, n in graph.nodes.items() if not n.dummy}
    assert len(real) == len(partition.layers()) + len(partition.block.args) + 1
    # every stream is an edge: one per stream operand of a layer, plus the outputs
    streams = sum(
        1
        for layer in partition.layers()
        for operand in layer.operands
        if "dataflow.stream" in str(operand.type)
    )
    assert len(graph.edges) == streams + 1
    # topological: every edge goes down
    for edge in graph.edges:
        assert graph.nodes[edge.source].y < graph.nodes[edge.target].y
        assert edge.label.endswith(" b")
    # no two boxes overlap
    boxes = list(real.values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart_x = abs(a.x - b.x) >= (a.width + b.width) / 2
            apart_y = a.y + a.height <= b.y or b.y + b.height <= a.y
            assert apart_x or apart_y, (a.label, b.label)
    # the skip connection of the residual block runs through waypoints beside the
    # skipped layers, never through one of their boxes
    skip = max(graph.edges, key=lambda e: len(e.points))
    assert len(skip.points) > 2
    for x, y in skip.points[1:-1]:
        for box in boxes:
            inside_x = abs(x - box.x) < box.width / 2
            inside_y = box.y < y < box.y + box.height
            assert not (inside_x and inside_y), box.label
    svg = graph_svg(estimates, module)
    assert svg.count('class="edge"') == len(graph.edges)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/install adds it)")
def test_screenshot_in_headless_chromium(residual, tmp_path: Path):
    module, estimates = residual
    page = tmp_path / "index.html"
    page.write_text(render_html(estimates, module, info={"model": "residual"}, csim=CSIM))
    png = tmp_path / "shot.png"
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={png}",
        "--window-size=1400,1000",
        page.as_uri(),
    ]
    subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert png.is_file(), "chromium wrote no screenshot"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1400, 1000)
    # a rendered page, not a blank one: a real page compresses far worse than a flat image
    assert len(data) > 30_000
