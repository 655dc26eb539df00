"""Reliability of `qnn-build` (issue 7): hostile names, determinism, scale and limits.

* Hostile names: every tensor, node, graph, input and output name of a small QONNX CNN
  (and the model's file name) is made of quotes, newlines, `$`, `[`, `;`, `../`, `..\\`,
  unicode (emoji, RTL marks), control characters, very long names and C++/TCL/Verilog
  keywords. The build succeeds, its C simulation equals qonnx, the TCL dry-runs, and
  nothing is written outside OUT (parent directory, working directory, `TMPDIR` and `HOME`
  are snapshotted around the build).
* Determinism: two builds of one model (another OUT, another working directory, another
  `PYTHONHASHSEED`) are byte-identical except `report/build-info.json`
  (`test_qnn_build.test_builds_are_deterministic` covers tfc with --csim); the shared FINN
  networks (tfc_w2a2 by default, the others with `-m slow`) with the HLS, RTL, Zynq shell
  and deployment trees too.
* Scale: a MobileNet-v1 (224x224x3, width 1.0, 4.2 M 4-bit weights; `test/models/mobilenet.py`)
  goes through `qnn-build` within 300 s and 4 GiB of peak RSS (measured ~15 s, 0.3 GiB).
* Limits: a folding whose words are wider than AP_INT_MAX_W, a model whose thresholds are
  NaN, and thresholds that do not fit their datatype are refused in one line and never
  emitted.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import numpy as np
import onnx
import pytest
from onnx import numpy_helper
from shared_models import SHARED_MODELS

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
BIN = Path(sys.executable).parent
QNN_BUILD = str(BIN / "qnn-build")
QNN_OPT = str(BIN / "qnn-opt")
GIB = 2**30


def _load_models_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("qnn_test_mobilenet", MODELS_DIR / "mobilenet.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


mobilenet = _load_models_module()


def run(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 900,
    tool: str = QNN_BUILD,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool, *(str(a) for a in args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    """Every path under `directory` with its size and mtime (directories: size 0)."""
    found = {}
    for path in directory.rglob("*"):
        stat = path.lstat()
        found[str(path.relative_to(directory))] = (
            0 if path.is_dir() else stat.st_size,
            stat.st_mtime_ns,
        )
    return found


ONNXRUNTIME_FILES = {"tmp": {".ses"}, "home": {".cache"}}
"""What `import onnxruntime` (qonnx imports it) writes in every process: `$TMPDIR/.ses`
and `$HOME/.cache/Microsoft/DeveloperTools/.onnxruntime/` (its bundled telemetry SDK's
session file, device id and offline store). Not ours, and not avoidable short of not
importing onnxruntime; nothing else may appear."""


QNN_CACHE = "qnn"
"""qnn's own cache of compiled C simulations, `~/.cache/qnn` (`backend_hls.toolchain.cache_dir`):
the one place outside OUT a build may write, like ccache's."""


def assert_nothing_written(dirs: dict[str, Path]) -> None:
    """The working directory, HOME and TMPDIR of a build are still empty (but for
    onnxruntime's files, `ONNXRUNTIME_FILES`, and qnn's user cache, `QNN_CACHE`)."""
    for name in ("cwd", "tmp", "home"):
        left = {p.name for p in dirs[name].iterdir()} - ONNXRUNTIME_FILES.get(name, set())
        assert left == set(), (name, left)
    cache = dirs["home"] / ".cache"
    if not cache.exists():
        return
    assert {p.name for p in cache.iterdir()} <= {"Microsoft", QNN_CACHE}
    if (cache / "Microsoft").exists():
        assert [p.name for p in (cache / "Microsoft").iterdir()] == ["DeveloperTools"]


def assert_one_line_error(result: subprocess.CompletedProcess[str], out: Path) -> str:
    """Exit 1, one error line (after progress lines with -q: nothing else), no OUT and no
    temporary directory beside it."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("qnn-build: error: "), result.stderr
    assert not out.exists()
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")] == []
    return lines[0].removeprefix("qnn-build: error: ")


# --------------------------------------------------------------------------- hostile names

HOSTILE = [
    "a\"b'c",
    "line\nbreak\r\n",
    "$HOME ${x} $(rm -rf /)",
    "[exec rm -rf /]",
    "a;b; ls",
    "../../../etc/passwd",
    "..\\..\\windows\\system32",
    "ünï😀\u202eRTL\u200f",
    "ctl\x01\x07\x1b[31m\x7f\t",
    "L" * 5000,
    "class",
    "int",
    "proc",
    "set",
    "module",
    "top",
    "main",
    " ",
    "{*}{",
    "\\",
    "#include <x>",
    "*/ /*",
    "//",
    "%s%n",
    "`x`",
    "MVAU_0",
    "global_in",
    "-o",
    "endmodule",
    "std::",
]
"""Names that would break an emitter that pastes them into C++, TCL, Verilog, a shell
command or a path. Uniqueness is kept by a `#<n>` suffix once the list is used up."""

HOSTILE_FILE_NAME = 'we"ird $[x];..\\ 😀\u202e class\nproc.onnx'


def hostile_model(path: Path) -> Path:
    """A CNN (input Quant, Conv, BN, ReLU, Quant, MaxPool, Reshape, MatMul) whose every
    name is hostile; a 4-frame input beside it (`x.npy`)."""
    counter = itertools.count()

    def namer(hint: str) -> str:
        i = next(counter)
        return HOSTILE[i % len(HOSTILE)] + (f"#{i}" if i >= len(HOSTILE) else "")

    b = mobilenet.QonnxBuilder(seed=3, namer=namer, act_bits=2, weight_bits=3)
    x = b.input((1, 3, 8, 8), "main")
    x = b.bn_relu_quant(b.conv(x, 8, 3))
    x = b.maxpool(x)
    x = b.matmul(b.flatten(x), 10)
    model = b.model(x, 'proc set {x} "\n" module top')
    onnx.checker.check_model(model)
    names = [n.name for n in model.graph.node] + [t.name for t in model.graph.initializer]
    assert len(set(names)) == len(names) and any("\n" in n for n in names)
    mobilenet.save(model, path)
    np.save(path.parent / "x.npy", mobilenet.sample_input(model, 4))
    return path


@pytest.fixture
def sandbox(tmp_path: Path) -> dict[str, Path]:
    """Separate directories for the model and OUT (`work`), the working directory, TMPDIR
    and HOME of a build."""
    dirs = {name: tmp_path / name for name in ("work", "cwd", "tmp", "home")}
    for d in dirs.values():
        d.mkdir()
    return dirs


def test_hostile_names_build_csim_and_tcl(sandbox: dict[str, Path]):
    work = sandbox["work"]
    model = hostile_model(work / HOSTILE_FILE_NAME)
    out = work / "out"
    before = snapshot(work)
    env = {"TMPDIR": str(sandbox["tmp"]), "HOME": str(sandbox["home"])}
    result = run(model, "-o", out, "--csim", work / "x.npy", cwd=sandbox["cwd"], env=env)
    assert result.returncode == 0, result.stderr
    assert "4/4 frames agree with qonnx" in result.stdout
    csim = json.loads((out / "report/csim.json").read_text())
    assert csim["summary"]["agree"] and csim["summary"]["argmax_agreement"] == 4
    assert csim["summary"]["max_rel_diff"] <= 1e-5

    # nothing written outside OUT
    after = snapshot(work)
    assert {k: v for k, v in after.items() if k != "out" and not k.startswith("out/")} == before
    assert_nothing_written(sandbox)
    # every path under OUT is a plain file or directory inside OUT, with a plain name
    root = out.resolve()
    for path in out.rglob("*"):
        assert not path.is_symlink(), path
        assert path.resolve().is_relative_to(root), path
        relative = str(path.relative_to(out))
        assert relative.isascii() and relative.isprintable(), relative
        assert not set(relative) & set("\"'$[];\\ `{}*%#<>"), relative

    # the TCL dry-runs under tclsh with the stand-ins
    check = subprocess.run(
        [sys.executable, "-m", "backend_hls.tcl_check", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.rstrip().endswith("ok")

    # no hostile text reached code: C++, TCL and build scripts are ASCII and free of the
    # payloads (the report and build-info may quote the command line, escaped)
    for relative, data in tree(out).items():
        if not relative.endswith((".cpp", ".h", ".tcl", ".sh", ".mlir")):
            continue
        text = data.decode("ascii")  # raises on any non-ASCII byte
        for payload in ("rm -rf", "passwd", "system32", "$HOME", "[exec", "\x1b", "\u202e"):
            assert payload not in text, (relative, payload)


@pytest.mark.parametrize(
    "file_name",
    [
        HOSTILE_FILE_NAME,
        "-o.onnx",
        "..onnx.onnx",
        "$(touch pwned).onnx",
        "class.onnx",
        "😀" * 40 + ".onnx",
    ],
)
def test_hostile_model_file_names(sandbox: dict[str, Path], file_name: str):
    work = sandbox["work"]
    model = work / file_name
    model.write_bytes((MODELS_DIR / "tfc_like_ts.onnx").read_bytes())
    out = work / "out"
    env = {"TMPDIR": str(sandbox["tmp"]), "HOME": str(sandbox["home"])}
    # `--` so that a name starting with '-' is the model, as in any POSIX tool
    result = run("-o", out, "-q", "--", model, cwd=sandbox["cwd"], env=env)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in work.iterdir()) == sorted([file_name, "out"])
    assert_nothing_written(sandbox)
    stitch = (out / "vivado/stitch.tcl").read_text(encoding="ascii")
    assert "pwned" not in stitch.replace("touch_pwned", "")
    check = subprocess.run(
        [sys.executable, "-m", "backend_hls.tcl_check", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


# --------------------------------------------------------------------------- determinism


def build_twice(tmp_path: Path, model: Path, *options: str) -> dict[str, bytes]:
    """Builds `model` twice (other OUT and working directory, another PYTHONHASHSEED),
    asserts the two trees hold the same files with the same bytes except
    report/build-info.json, and returns the first tree without it."""
    trees = []
    for seed in ("0", "4242"):
        run_dir = tmp_path / f"run{seed}"
        (run_dir / "cwd").mkdir(parents=True)
        out = run_dir / f"out-{seed}"
        result = run(
            model.resolve(),
            "-o",
            out,
            "-q",
            *options,
            cwd=run_dir / "cwd",
            env={"PYTHONHASHSEED": seed},
        )
        assert result.returncode == 0, result.stderr
        trees.append(tree(out))
    a, b = trees
    info = json.loads(a.pop("report/build-info.json"))
    b.pop("report/build-info.json")
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []
    assert set(info["seconds"]) >= {"import", "emit"}
    return a


@pytest.mark.parametrize("model", ["cnv_like", "residual", "depthwise_sep", "hostile"])
def test_builds_are_byte_identical(tmp_path: Path, model: str):
    """Two builds (other OUT and working directory, another PYTHONHASHSEED) give the same
    bytes everywhere except report/build-info.json."""
    if model == "hostile":
        (tmp_path / "m").mkdir()
        path = hostile_model(tmp_path / "m" / "hostile.onnx")
    else:
        path = MODELS_DIR / f"{model}.onnx"
    files = build_twice(tmp_path, path, "--target-fps", "3000")
    assert {"hls/top.cpp", "vivado/stitch.tcl", "report/index.html"} <= set(files)


"""The FINN reference networks this project is measured on (absent on a fresh clone)."""


@pytest.mark.parametrize(
    "name",
    [
        "tfc_w2a2",
        *(
            pytest.param(name, marks=pytest.mark.slow)
            for name in (
                "tfc_w1a1",
                "tfc_w1a2",
                "sfc_w2a2",
                "lfc_w1a1",
                "cnv_w1a1",
                "cnv_w1a2",
                "cnv_w2a2",
            )
        ),
    ],
)
def test_shared_models_rebuild_byte_identical(tmp_path: Path, name: str):
    """A shared model built twice with every tree a build can write without running a
    tool (HLS, RTL, the Zynq shells and the deployment package): the same bytes but for
    report/build-info.json."""
    model = SHARED_MODELS / f"{name}.onnx"
    if not model.is_file():
        pytest.skip(f"no {model}")
    files = build_twice(tmp_path, model, "--target-fps", "3000", "--board", "pynq-z1", "--rtl")
    trees = {path.split("/")[0] for path in files}
    assert trees >= {"hls", "rtl", "rtl_axi", "vivado", "deploy", "csim", "report", "ir"}
    assert {"vivado/shell.tcl", "vivado/shell_rtl.tcl", "deploy/driver.py"} <= set(files)


# --------------------------------------------------------------------------- scale

MOBILENET_TIMEOUT = 300.0
MOBILENET_MAX_RSS = 4 * GIB

_MEASURE = textwrap.dedent(
    """
    import json, resource, subprocess, sys, time
    start = time.perf_counter()
    proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({"rc": proc.returncode, "stderr": proc.stderr, "seconds": seconds,
                      "peak_rss": peak}))
    """
)


def measured(*command: str | Path, timeout: float) -> dict:
    """Run `command` in a fresh Python that reports its wall time and peak RSS
    (`getrusage(RUSAGE_CHILDREN)` there counts only this command)."""
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, *(str(c) for c in command)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return json.loads(proc.stdout)


def test_mobilenet_v1_builds_in_bounded_time_and_memory(tmp_path: Path):
    model = mobilenet.mobilenet_v1()
    assert 4_100_000 < mobilenet.weight_count(model) < 4_300_000
    path = mobilenet.save(model, tmp_path / "mobilenet_v1.onnx")
    out = tmp_path / "out"
    m = measured(QNN_BUILD, path, "-o", out, timeout=MOBILENET_TIMEOUT)
    assert m["rc"] == 0, m["stderr"]
    assert m["seconds"] < MOBILENET_TIMEOUT
    assert m["peak_rss"] < MOBILENET_MAX_RSS, f"{m['peak_rss'] / GIB:.2f} GiB"
    estimates = json.loads((out / "report/estimates.json").read_text())
    ops = [layer["op"] for layer in estimates["layers"]]
    assert ops.count("dataflow.vvau") == 13  # the depthwise convs
    assert ops.count("dataflow.mvau") == 15  # first conv, 13 pointwise convs, the FC
    assert (out / "hls/top.cpp").is_file()
    # 4.2 M weights need more block RAM than the xc7z020 has even at PE = SIMD = 1: the
    # build folds that slowest way and says which part would hold it
    (warning,) = [line for line in m["stderr"].splitlines() if "warning" in line]
    assert warning.startswith("qnn-build: warning: the estimate does not fit xc7z020"), warning
    assert "BRAM18" in warning and "; a bigger part: xc" in warning
    assert estimates["part"]["fits"] is False and estimates["part"]["suggested_part"]
    sys.stderr.write(
        f"MobileNet-v1: qnn-build {m['seconds']:.1f} s, peak RSS {m['peak_rss'] / GIB:.2f} GiB\n"
    )


def test_mobilenet_builder_is_valid_qonnx(tmp_path: Path):
    """A reduced MobileNet (same builder, 32x32, width 0.25, 3 blocks) runs in qonnx and
    its streamlined form equals qonnx on an input (the full-size check is a dev run:
    `python test/models/mobilenet.py DIR --qonnx`)."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.util.cleanup import cleanup_model

    from frontend import import_qonnx
    from passes.pipeline import run_pipeline
    from qdialects.semantics import execute

    model = mobilenet.mobilenet_v1(size=32, width=0.25, blocks=mobilenet.MOBILENET_V1_BLOCKS[:3])
    onnx.checker.check_model(model)
    path = mobilenet.save(model, tmp_path / "small.onnx")
    x = mobilenet.sample_input(model)
    wrapper = cleanup_model(ModelWrapper(str(path)))
    expected = execute_onnx(wrapper, {wrapper.graph.input[0].name: x})[wrapper.graph.output[0].name]
    module = import_qonnx(path)
    run_pipeline(module, "lower-quant-to-streamline,streamline")
    (got,) = execute(module, [x])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6 * np.abs(expected).max())
    # BN statistics are plausible: the activations use several quantizer levels
    assert len(np.unique(expected)) > 50


# --------------------------------------------------------------------------- limits


def test_folding_wider_than_ap_int_max_w_is_refused(tmp_path: Path):
    """A fully unfolded MVAU with MW * Wbits = 1100 * 4 > 4096 (`--folding`)."""
    b = mobilenet.QonnxBuilder(seed=1)
    x = b.matmul(b.input((1, 1100)), 4)
    model = mobilenet.save(b.model(x), tmp_path / "wide.onnx")
    config = tmp_path / "wide.json"
    config.write_text(json.dumps({"Defaults": {}, "MVAU_0": {"PE": 4, "SIMD": 1100}}))
    out = tmp_path / "out"
    message = assert_one_line_error(run(model, "-o", out, "--folding", config, "-q"), out)
    assert message.startswith("emit: MVAU_0: ")
    assert "exceed AP_INT_MAX_W = 4096" in message
    # the default folding of the same model is fine
    assert run(model, "-o", out, "-q").returncode == 0


def test_nan_thresholds_are_refused(tmp_path: Path):
    """A BatchNorm with a NaN scale makes the model compute NaN: no integer thresholds
    stand for that (they used to be cast to INT64_MIN and emitted)."""
    b = mobilenet.QonnxBuilder(seed=1, act_bits=2)
    x = b.bn_relu_quant(b.conv(b.input((1, 3, 8, 8)), 4, 3))
    model = b.model(b.matmul(b.flatten(x), 5))
    for init in model.graph.initializer:
        if init.name.startswith("bn_gamma"):
            gamma = numpy_helper.to_array(init).copy()
            gamma[3] = np.nan
            init.CopyFrom(numpy_helper.from_array(gamma, init.name))
    path = mobilenet.save(model, tmp_path / "nan.onnx")
    out = tmp_path / "out"
    message = assert_one_line_error(run(path, "-o", out, "-q"), out)
    assert message.startswith("streamline: ") and "NaN thresholds" in message


def test_thresholds_outside_their_type_are_never_emitted(tmp_path: Path):
    """The hardware IR of a build with one threshold table retyped too narrow (as a
    hand edit or a buggy pass would leave it) is refused by the verifier in one line,
    and `-t hls-cpp -o` writes nothing."""
    built = tmp_path / "built"
    assert run(MODELS_DIR / "tfc_like_ts.onnx", "-o", built, "-q").returncode == 0
    text = (built / "ir/5-hardware.mlir").read_text()
    # the first MVAU's thresholds, `tensor<32x2x!quant.int<10>>` with values in
    # [-269, 217], retyped `!quant.int<4>` (in the constant and in the MVAU's signature)
    found = re.search(
        r"%thresholds\S* = quant\.constant .*-> (tensor<\d+x\d+x!quant\.int<\d+>>)", text
    )
    assert found is not None
    wide = found.group(1)
    narrow = re.sub(r"int<\d+>", "int<4>", wide)
    broken = tmp_path / "broken.mlir"
    broken.write_text(text.replace(wide, narrow))
    out = tmp_path / "hls"
    result = run(broken, "-t", "hls-cpp", "-o", out, tool=QNN_OPT)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, result.stderr
    assert "fit" in errors[0] or "range" in errors[0], errors[0]
    assert not out.exists()
