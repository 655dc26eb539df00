"""What users expect of the three console scripts, run as real subprocesses: outputs with
the permissions of their umask, one message for a directory given as the model,
"did you mean" for a mistyped pass, one line for a pass given a model at the wrong level,
qnn-opt's --help, qnn-run's batches and a NaN named as the reason of a disagreement."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
BIN = Path(sys.executable).parent
QNN_OPT = str(BIN / "qnn-opt")
QNN_RUN = str(BIN / "qnn-run")
QNN_BUILD = str(BIN / "qnn-build")
TFC = MODELS_DIR / "tfc_like_ts.onnx"
UMASK = 0o027
"""Neither tempfile's 0600/0700 nor a hard-coded 0644/0755 gives what this umask gives."""


def run(*args: str | Path, umask: int = UMASK) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        preexec_fn=lambda: os.umask(umask),
    )


def error_line(result: subprocess.CompletedProcess[str], tool: str) -> str:
    """The message of the one line `<tool>: error: ...` a failing tool prints (exit 1)."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{tool}: error: "), line
    return line.removeprefix(f"{tool}: error: ")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --------------------------------------------------------------------------- umask


def test_qnn_opt_and_qnn_run_files_honour_the_umask(tmp_path: Path):
    assert run(QNN_OPT, TFC, "-o", tmp_path / "m.mlir").returncode == 0
    result = run(
        QNN_RUN,
        TFC,
        "--input",
        MODELS_DIR / "tfc_like_ts.in.npy",
        "--output",
        tmp_path / "y.npy",
    )
    assert result.returncode == 0, result.stderr
    assert mode(tmp_path / "m.mlir") == 0o666 & ~UMASK
    assert mode(tmp_path / "y.npy") == 0o666 & ~UMASK


def test_tree_targets_and_qnn_build_honour_the_umask(tmp_path: Path):
    pipeline = "lower-quant-to-streamline,streamline,convert-to-dataflow"
    tree = run(QNN_OPT, TFC, "-p", pipeline, "-t", "hls-cpp", "-o", tmp_path / "hls")
    assert tree.returncode == 0, tree.stderr
    build = run(QNN_BUILD, TFC, "-o", tmp_path / "out", "-q")
    assert build.returncode == 0, build.stderr
    for directory in (tmp_path / "hls", tmp_path / "out", tmp_path / "out" / "report"):
        assert mode(directory) == 0o777 & ~UMASK, directory
    assert mode(tmp_path / "out" / "report" / "estimates.json") == 0o666 & ~UMASK


# --------------------------------------------------------------------------- a directory as the model


@pytest.mark.parametrize("tool", [QNN_OPT, QNN_RUN, QNN_BUILD])
@pytest.mark.parametrize("name", ["model.onnx", "models"])
def test_a_directory_as_the_model_is_one_message_in_every_tool(
    tmp_path: Path, tool: str, name: str
):
    directory = tmp_path / name
    directory.mkdir()
    args: list[str | Path] = ["-o", tmp_path / "out"] if tool == QNN_BUILD else []
    message = error_line(run(tool, directory, *args), Path(tool).name)
    assert message == f"{directory}: is a directory, not a model file"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


# --------------------------------------------------------------------------- did you mean


@pytest.mark.parametrize(
    ("pipeline", "expected"),
    [
        (
            "streamlin",
            "unknown pass 'streamlin' in pipeline 'streamlin' (did you mean 'streamline'?)",
        ),
        (
            "setfolding{target-fps=1}",
            "unknown pass 'setfolding' in pipeline 'setfolding{target-fps=1}' "
            "(did you mean 'set-folding'?)",
        ),
        (
            "canonicalise",
            "unknown pass 'canonicalise' in pipeline 'canonicalise' (did you mean 'canonicalize'?)",
        ),
        (
            "convert-to-dataflo,insert-fifo",
            "unknown pass 'convert-to-dataflo', 'insert-fifo' in pipeline "
            "'convert-to-dataflo,insert-fifo' (did you mean 'convert-to-dataflow' for "
            "'convert-to-dataflo', 'insert-fifos' for 'insert-fifo'?)",
        ),
        ("cse,qqqqq", "unknown pass 'qqqqq' in pipeline 'cse,qqqqq'"),
    ],
)
def test_unknown_pass_suggests_the_closest_name(pipeline: str, expected: str):
    assert error_line(run(QNN_OPT, TFC, "-p", pipeline), "qnn-opt") == expected


# --------------------------------------------------------------------------- wrong level


@pytest.mark.parametrize(
    ("pipeline", "expected"),
    [
        ("streamline", "run lower-quant-to-streamline first"),
        ("convert-to-dataflow", "run lower-quant-to-streamline,streamline first"),
    ],
)
def test_a_pass_on_an_onnx_file_at_the_quant_level_says_what_to_run_first(
    tmp_path: Path, pipeline: str, expected: str
):
    out = tmp_path / "out.mlir"
    message = error_line(run(QNN_OPT, TFC, "-p", pipeline, "-o", out), "qnn-opt")
    assert message == (
        f"{pipeline}: the input is at the quant level (it holds quant.flatten); {expected}"
    )
    assert not out.exists()


# --------------------------------------------------------------------------- --help


def test_help_leads_with_qnn_passes_targets_and_options():
    from backend_hls.targets import QNN_TARGETS
    from backend_rtl.targets import RTL_TARGETS
    from passes.pipelines import NAMED_PIPELINES
    from passes.registry import QNN_PASSES

    result = run(QNN_OPT, "--help")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    sections = [
        "qnn passes (-p",
        "targets (-t",
        "qnn-opt options:",
        "--verify-each",
        "xDSL options:",
        "--print-between-passes",
    ]
    positions = [text.index(s) for s in sections]
    assert positions == sorted(positions), positions
    qnn_part = text[: text.index("qnn-opt options:")]
    for name in [*QNN_PASSES, *QNN_TARGETS, *RTL_TARGETS, *NAMED_PIPELINES]:
        assert f"\n  {name} " in qnn_part, name
    set_folding = qnn_part[qnn_part.index("\n  set-folding ") :]
    assert "{target-fps=" in set_folding.split("\n  apply-folding")[0]  # options and defaults
    assert "= lower-quant-to-streamline,streamline" in qnn_part  # what a pipeline stands for
    flow = ["lower-quant-to-streamline", "streamline ", "convert-to-dataflow", "set-folding"]
    assert [qnn_part.index(f"\n  {p}") for p in flow] == sorted(
        qnn_part.index(f"\n  {p}") for p in flow
    )
    # xDSL's own passes are behind --help-all
    assert "convert-scf-to-cf" not in text
    assert len(text.splitlines()) < 120  # qnn's part and xDSL's options: about one screen


def test_help_all_adds_xdsl_passes_and_targets():
    result = run(QNN_OPT, "--help-all")
    assert result.returncode == 0, result.stderr
    passes = result.stdout.index("xDSL passes (")
    assert result.stdout.index("qnn passes (-p") < passes
    assert "convert-scf-to-cf" in result.stdout[passes:]
    assert "riscv-asm" in result.stdout[result.stdout.index("xDSL targets (") :]


# --------------------------------------------------------------------------- batches, NaN

MLP = Path(__file__).resolve().parents[2] / "frontend" / "examples" / "digits_mlp_w2a2.onnx"


def digits(count: int) -> np.ndarray:
    data = np.load(MLP.with_name("digits_test.npz"))
    return data["X"][:count].astype(np.float32)  # N x 1x8x8: the model input is 1x1x8x8


@pytest.mark.parametrize("with_batch_axis", [False, True])
def test_qnn_run_takes_a_batch_like_csim(tmp_path: Path, with_batch_axis: bool):
    frames = digits(3)
    batch = frames[:, None] if with_batch_axis else frames
    np.save(tmp_path / "x.npy", batch)
    result = run(QNN_RUN, MLP, "--input", tmp_path / "x.npy", "--output", tmp_path / "y.npy")
    assert result.returncode == 0, result.stderr
    y = np.load(tmp_path / "y.npy")
    assert y.shape == ((3, 1, 10) if with_batch_axis else (3, 10))
    for i in range(3):
        np.save(tmp_path / "one.npy", frames[i : i + 1])
        single = run(QNN_RUN, MLP, "--input", tmp_path / "one.npy", "--output", tmp_path / "1.npy")
        assert single.returncode == 0, single.stderr
        np.testing.assert_array_equal(y[i].reshape(1, 10), np.load(tmp_path / "1.npy"))
    summary = run(QNN_RUN, MLP, "--input", tmp_path / "x.npy")
    assert summary.stdout.startswith(
        "result 0: shape (3, 1, 10) float32, 3 frames, values ["
        if with_batch_axis
        else "result 0: shape (3, 10) float32, 3 frames, argmax per frame ["
    ), summary.stdout


def test_nan_in_the_verification_input_is_named(tmp_path: Path):
    x = digits(1)
    x[0, 0, 2, 3] = np.nan
    np.save(tmp_path / "x.npy", x)
    message = error_line(
        run(
            QNN_OPT,
            MLP,
            "-p",
            "lower-quant-to-streamline",
            "--verify-each",
            "--verify-input",
            tmp_path / "x.npy",
        ),
        "qnn-opt",
    )
    assert message.endswith(
        f"; {tmp_path}/x.npy holds 1 NaN (the first at index (0, 0, 2, 3)), which quantized "
        "integers cannot represent"
    ), message


def test_nan_in_a_csim_frame_is_named_as_the_reason(tmp_path: Path):
    frames = digits(2)
    frames[1, 0, 0, 5] = np.inf
    frames[1, 0, 4, 4] = np.nan
    np.save(tmp_path / "x.npy", frames)
    result = run(QNN_BUILD, MLP, "-o", tmp_path / "out", "-q", "--csim", tmp_path / "x.npy")
    assert result.returncode == 1, result.stderr
    reason = "the input frame holds 1 NaN and 1 +Inf (the first at index (0, 0, 0, 5))"
    assert result.stderr.strip() == (
        "qnn-build: error: C simulation disagrees with qonnx on 1 of 2 frames "
        f"(first: frame 1, where {reason}); see report/csim.json"
    )
    assert "1  NO " in result.stdout and reason in result.stdout
