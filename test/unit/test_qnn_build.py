"""`qnn-build` run as the real console script: the whole flow into an output tree, the C
simulation against qonnx, determinism, and the error discipline (one error line after the
progress lines of the finished stages, exit 1, no OUT and no temporary directory left)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
QNN_BUILD = str(Path(sys.executable).parent / "qnn-build")
TFC = MODELS_DIR / "tfc_like_ts.onnx"
STAGE_LINE = re.compile(r"^\[\d+/\d+\] \S+ .* \d+\.\d\d s$")


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [QNN_BUILD, *(str(a) for a in args)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=cwd,
    )


def assert_build_error(result: subprocess.CompletedProcess[str], out: Path | None) -> str:
    """Exit 1, no traceback, progress lines only before exactly one error line (the last),
    and neither OUT nor a temporary build directory beside it."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines, "no error message"
    assert lines[-1].startswith("qnn-build: error: "), result.stderr
    for line in lines[:-1]:
        assert STAGE_LINE.match(line), line
    if out is not None:
        assert not out.exists()
        leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
        assert leftovers == []
    return lines[-1].removeprefix("qnn-build: error: ")


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def frames(tmp_path: Path, model: str, count: int, seed: int = 0) -> Path:
    """`count` frames: the fixture's sample input and random ones in its range."""
    x0 = np.load(MODELS_DIR / f"{model}.in.npy")
    rng = np.random.default_rng(seed)
    lo, hi = float(x0.min()), float(x0.max())
    others = rng.uniform(lo, hi, size=(count - 1, *x0.shape[1:])).astype(np.float32)
    batch = np.concatenate([x0, others])
    path = tmp_path / f"{model}.frames.npy"
    np.save(path, batch)
    return path


# --------------------------------------------------------------------------- builds


@pytest.fixture(scope="module")
def tfc_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    tmp = tmp_path_factory.mktemp("tfc")
    out = tmp / "out"
    x = frames(tmp, "tfc_like_ts", 6)
    result = run(TFC, "-o", out, "--csim", x, "--csim-out", tmp / "y" / "Y.npy")
    return out, result


def test_csim_out_saves_what_the_c_simulation_computed(tfc_build):
    import backend_hls

    out, result = tfc_build
    assert result.returncode == 0, result.stderr
    saved = np.load(out.parent / "y" / "Y.npy")
    assert saved.shape == (6, 10)
    x = np.load(out.parent / "tfc_like_ts.frames.npy")
    np.testing.assert_array_equal(saved, backend_hls.csim(out, x))
    rows = json.loads((out / "report/csim.json").read_text())["frames"]
    assert [r["argmax_csim"] for r in rows] == [int(np.argmax(y)) for y in saved]


def test_tfc_builds_with_csim(tfc_build):
    out, result = tfc_build
    assert result.returncode == 0, result.stderr
    stages = result.stderr.splitlines()
    names = [line.split()[1] for line in stages if STAGE_LINE.match(line)]
    assert names == [
        "import",
        "streamline",
        "convert-to-dataflow",
        "folding",
        "hardware",
        "emit",
        "report",
        "csim",
    ]
    assert all(line.startswith("[") and "/8]" in line for line in stages[:8])
    # the output tree of tools/qnn_build.py's docstring
    for relative in (
        "vivado/stitch.tcl",
        "report/estimates.json",
        "report/folding.json",
        "report/index.html",
        "report/csim.json",
        "report/build-info.json",
        "ir/1-import.mlir",
        "ir/2-streamline.mlir",
        "ir/3-dataflow.mlir",
        "ir/4-folding.mlir",
        "ir/5-hardware.mlir",
    ):
        assert (out / relative).is_file(), relative
    assert list((out / "hls").glob("*_hls.tcl"))
    assert list((out / "hls").rglob("*.cpp"))
    assert (out / "csim").is_dir()
    assert "dataflow.partition" in (out / "ir/5-hardware.mlir").read_text()
    assert "dataflow.fifo" in (out / "ir/5-hardware.mlir").read_text()
    # reports
    estimates = json.loads((out / "report/estimates.json").read_text())
    names = [layer["name"] for layer in estimates["layers"]]
    assert estimates["network"]["estimated_fps"] >= 10000  # the default target
    folding = json.loads((out / "report/folding.json").read_text())
    assert "Defaults" in folding
    assert {"PE", "SIMD"} <= set(folding["MVAU_0"])
    html = (out / "report/index.html").read_text()
    for name in names:
        assert f">{name}<" in html
    assert "C simulation vs qonnx" in html
    # the C simulation agrees with qonnx on every frame
    csim = json.loads((out / "report/csim.json").read_text())
    assert csim["summary"]["frames"] == 6
    assert csim["summary"]["agree"] is True
    assert csim["summary"]["argmax_agreement"] == 6
    assert len(csim["frames"]) == 6
    assert "6/6 frames agree with qonnx" in result.stdout
    info = json.loads((out / "report/build-info.json").read_text())
    assert info["versions"]["xdsl"] == "0.74.0"
    assert set(info["seconds"]) == set(names_of_stages()) | {"csim"}


def names_of_stages() -> list[str]:
    return ["import", "streamline", "convert-to-dataflow", "folding", "hardware", "emit", "report"]


def test_builds_are_deterministic(tfc_build, tmp_path: Path):
    first, result = tfc_build
    assert result.returncode == 0, result.stderr
    second = tmp_path / "again"
    # the same inputs from another directory, another output path
    again = run(TFC, "-o", second, "--csim", frames(tmp_path, "tfc_like_ts", 6), "-q")
    assert again.returncode == 0, again.stderr
    assert again.stderr == ""
    a, b = tree(first), tree(second)
    a.pop("report/build-info.json")
    b.pop("report/build-info.json")
    assert sorted(a) == sorted(b)
    differing = [name for name in a if a[name] != b[name]]
    assert differing == []


def test_cnv_builds_with_csim(tmp_path: Path):
    out = tmp_path / "cnv"
    result = run(
        MODELS_DIR / "cnv_like.onnx",
        "-o",
        out,
        "--target-fps",
        "3000",
        "--csim",
        frames(tmp_path, "cnv_like", 3),
    )
    assert result.returncode == 0, result.stderr
    csim = json.loads((out / "report/csim.json").read_text())
    assert csim["summary"]["agree"] is True
    estimates = json.loads((out / "report/estimates.json").read_text())
    assert any(layer["op"] == "dataflow.swg" for layer in estimates["layers"])


def test_apply_folding_from_a_written_folding_json(tfc_build, tmp_path: Path):
    first, result = tfc_build
    assert result.returncode == 0, result.stderr
    out = tmp_path / "refolded"
    config = tmp_path / "folding.json"
    config.write_bytes((first / "report/folding.json").read_bytes())
    assert "FIFO_0" in json.loads(config.read_text())
    again = run(TFC, "-o", out, "--folding", config)
    assert again.returncode == 0, again.stderr
    # the same hardware: the emitted project and the folding are byte-identical (the IR
    # and estimates differ only by set-folding's record of its request)
    a, b = tree(first), tree(out)
    for build_product in ("csim/testbench", "csim/build.stamp"):
        a.pop(build_product)  # only the first build ran the C simulation
    same = [n for n in a if n.startswith(("hls/", "vivado/", "csim/"))]
    assert same and all(a[n] == b[n] for n in same)
    assert sorted(n for n in b if n.startswith(("hls/", "vivado/", "csim/"))) == sorted(same)
    assert a["report/folding.json"] == b["report/folding.json"]
    # a changed FIFO depth is applied after size-fifos
    entries = json.loads(config.read_text())
    entries["FIFO_1"]["depth"] = 77
    config.write_text(json.dumps(entries))
    deeper = tmp_path / "deeper"
    assert run(TFC, "-o", deeper, "--folding", config, "-q").returncode == 0
    assert json.loads((deeper / "report/folding.json").read_text())["FIFO_1"]["depth"] == 77


@pytest.mark.parametrize(
    ("model", "fps"), [("residual", 100_000), ("depthwise_sep", 100_000), ("cnv_like", 100_000)]
)
def test_a_written_folding_rebuilds_the_same_design(model: str, fps: int, tmp_path: Path):
    """Width converters before FIFOs (residual at 100,000 fps has four): `--folding` with
    the build's own folding.json keeps each FIFO on the side of its converter where
    size-fifos sized it, so the rebuilt hardware IR and HLS tree are the same."""
    first, again = tmp_path / "first", tmp_path / "again"
    assert run(MODELS_DIR / f"{model}.onnx", "-o", first, "--target-fps", fps, "-q").returncode == 0
    config = first / "report/folding.json"
    assert run(MODELS_DIR / f"{model}.onnx", "-o", again, "--folding", config, "-q").returncode == 0
    request = re.compile(r" \{set_folding = \{[^}]*\}\}")  # set-folding's record of its target
    hardware = [request.sub("", (out / "ir/5-hardware.mlir").read_text()) for out in (first, again)]
    assert "dataflow.dwc" in hardware[0] and hardware[0] == hardware[1]
    a, b = tree(first / "hls"), tree(again / "hls")
    assert a == b


def test_force_replaces_and_empty_out_is_used(tfc_build, tmp_path: Path):
    first, result = tfc_build
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    out.mkdir()  # empty: used
    (tmp_path / "cfg.json").write_bytes((first / "report/folding.json").read_bytes())
    assert run(TFC, "-o", out, "--folding", tmp_path / "cfg.json", "-q").returncode == 0
    # non-empty without --force: refused, untouched
    marker = out / "report" / "index.html"
    before = tree(out)
    refused = run(TFC, "-o", out, "-q")
    message = assert_build_error(refused, None)
    assert "not empty" in message and "--force" in message
    assert tree(out) == before
    # with --force: replaced
    (out / "stale.txt").write_text("old")
    assert run(TFC, "-o", out, "--force", "-q", "--clock-ns", "5").returncode == 0
    assert not (out / "stale.txt").exists()
    assert marker.is_file()
    assert json.loads((out / "report/estimates.json").read_text())["clock_ns"] == 5.0


def test_csim_mismatch_writes_out_and_exits_1(tmp_path: Path, monkeypatch):
    """A disagreement is reported (csim.json, the HTML) and the tree is still written."""
    from tools import qnn_build
    from tools.build import compare

    out = tmp_path / "out"
    x = frames(tmp_path, "tfc_like_ts", 2)
    real = compare.qonnx_reference

    def skewed(model, batch):
        results = real(model, batch)
        results[1] = results[1] + 1.0  # frame 1 "differs"
        return results

    monkeypatch.setattr(compare, "qonnx_reference", skewed)
    with pytest.raises(SystemExit) as exit_info:
        qnn_build.main([str(TFC), "-o", str(out), "--csim", str(x), "-q"])
    assert exit_info.value.code == 1
    csim = json.loads((out / "report/csim.json").read_text())
    assert csim["summary"]["agree"] is False
    assert csim["summary"]["first_mismatch"] == 1
    assert [f["agree"] for f in csim["frames"]] == [True, False]
    assert "DISAGREES" in (out / "report/index.html").read_text()


# --------------------------------------------------------------------------- failures


def test_missing_model(tmp_path: Path):
    out = tmp_path / "out"
    message = assert_build_error(run(tmp_path / "nope.onnx", "-o", out), out)
    assert message == f"{tmp_path / 'nope.onnx'}: no such file"


def test_bad_folding_json(tmp_path: Path):
    out = tmp_path / "out"
    config = tmp_path / "bad.json"
    config.write_text("{not json")
    message = assert_build_error(run(TFC, "-o", out, "--folding", config), out)
    assert message.startswith("folding: ") and "not valid JSON" in message


def test_impossible_folding(tmp_path: Path):
    out = tmp_path / "out"
    config = tmp_path / "impossible.json"
    config.write_text(json.dumps({"Defaults": {}, "MVAU_0": {"PE": 7}}))
    result = run(TFC, "-o", out, "--folding", config)
    message = assert_build_error(result, out)
    assert "MVAU_0" in message and "PE = 7" in message
    assert len(result.stderr.splitlines()) == 4  # three finished stages, then the error


def test_unknown_layer_in_folding(tmp_path: Path):
    out = tmp_path / "out"
    config = tmp_path / "unknown.json"
    config.write_text(json.dumps({"Defaults": {}, "MVAU_9": {"PE": 1}}))
    message = assert_build_error(run(TFC, "-o", out, "--folding", config), out)
    assert message.startswith("hardware: ") and "MVAU_9" in message


def test_unsupported_model_fails_in_its_stage(tmp_path: Path):
    out = tmp_path / "out"
    message = assert_build_error(run(MODELS_DIR / "per_channel.onnx", "-o", out, "-q"), out)
    assert message.startswith("streamline: ")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--target-fps", "-5"], "--target-fps must be positive"),
        (["--target-fps", "0"], "--target-fps must be positive"),
        (["--clock-ns", "abc"], "--clock-ns must be a number"),
        (["--clock-ns", "inf"], "--clock-ns must be positive"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--folding", "cfg.json", "--target-fps", "100"], "exclude each other"),
        (["--folding", "missing.json"], "missing.json: no such file"),
        (["--csim", "missing.npy"], "missing.npy: no such file"),
        (["--csim"], "--csim needs an input"),
        (["--csim-out", "Y.npy"], "--csim-out needs --csim"),
        (["--part", ""], "--part must be a non-empty word"),
        (["--example", "nope"], "give either MODEL or --example"),
        (["--hls-include", "."], "no ap_int.h there"),
    ],
)
def test_bad_arguments(tmp_path: Path, args: list[str], expected: str):
    (tmp_path / "cfg.json").write_text("{}")
    out = tmp_path / "out"
    result = run(TFC, "-o", out, *args, cwd=tmp_path)
    message = assert_build_error(result, out)
    assert len(result.stderr.splitlines()) == 1
    assert expected in message


def test_bad_csim_input_fails_before_building(tmp_path: Path):
    out = tmp_path / "out"
    x = tmp_path / "x.npy"
    np.save(x, np.zeros((3, 5), np.float32))
    result = run(TFC, "-o", out, "--csim", x)
    message = assert_build_error(result, out)
    assert "does not match the model input [1, 1, 8, 8]" in message
    assert len(result.stderr.splitlines()) == 1
    not_npy = assert_build_error(run(TFC, "-o", out, "--csim", TFC), out)
    assert not_npy.endswith("not a .npy file")


def test_missing_output_and_model(tmp_path: Path):
    assert "missing -o OUT" in assert_build_error(run(TFC), None)
    assert "missing MODEL" in assert_build_error(run("-o", tmp_path / "out"), tmp_path / "out")


def test_unknown_example(tmp_path: Path):
    out = tmp_path / "out"
    result = subprocess.run(
        [QNN_BUILD, "--example", "nope", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "unknown example 'nope'" in assert_build_error(result, out)


def test_out_parent_missing_and_dangerous_outs(tmp_path: Path):
    message = assert_build_error(run(TFC, "-o", tmp_path / "a" / "b"), None)
    assert "does not exist" in message
    assert not (tmp_path / "a").exists()
    here = assert_build_error(run(TFC, "-o", ".", "--force", cwd=tmp_path), None)
    assert "working directory" in here
    # a directory holding the model is never replaced, even with --force
    models = tmp_path / "models"
    models.mkdir()
    model = models / "m.onnx"
    model.write_bytes(TFC.read_bytes())
    holding = assert_build_error(run(model, "-o", models, "--force"), None)
    assert "holding the model" in holding
    assert model.is_file()


def test_out_is_a_file(tmp_path: Path):
    out = tmp_path / "out"
    out.write_text("x")
    assert "not a directory" in assert_build_error(run(TFC, "-o", out), None)
    assert out.read_text() == "x"


def test_help_and_list_examples():
    result = run("--help")
    assert result.returncode == 0
    assert "--target-fps" in result.stdout and "--example" in result.stdout
    listed = run("--list-examples")
    assert listed.returncode == 0, listed.stderr
    for line in listed.stdout.splitlines():
        assert line.split()[0] in result.stdout  # every example is in --help too


LOADING_PROBE = """
import gc, os, sys
from tools.loading import compiler_loading
with compiler_loading():
    assert not gc.isenabled()
    import tools.build
frozen = gc.get_freeze_count()
print(gc.isenabled(), frozen > 50_000, os.environ["OPENBLAS_NUM_THREADS"])
with compiler_loading():  # loaded already: nothing changes
    assert gc.isenabled()
print(gc.get_freeze_count() == frozen)
"""


@pytest.mark.parametrize(("given", "threads"), [(None, "1"), ("2", "2")])
def test_the_compiler_loads_with_the_collector_paused_then_frozen(given: str | None, threads: str):
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    result = subprocess.run(
        [sys.executable, "-c", LOADING_PROBE], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.split() == ["True", "True", threads, "True"]
