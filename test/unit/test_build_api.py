"""The build as a library (`tools.build`): what `build` returns matches the tree it writes,
the stages are the named pipelines, a stage can be added, failures name their stage.

`test_qnn_build.py` runs the same library through the `qnn-build` command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frontend import import_qonnx
from passes.pipeline import run_pipeline
from passes.pipelines import QUANT_TO_HARDWARE
from qdialects.ir import print_module
from tools.build import STAGES, BuildError, BuildOptions, BuildResult, Stage, build
from tools.build import stages as stages_module
from tools.build.stages import BuildState
from tools.errors import UserError

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
TFC = MODELS_DIR / "tfc_like_ts.onnx"
STAGE_NAMES = ["import", "streamline", "convert-to-dataflow", "folding", "hardware", "emit"]


@pytest.fixture(scope="module")
def tfc(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    out = tmp_path_factory.mktemp("tfc") / "out"  # missing: created
    return build(TFC, out, BuildOptions(target_fps=20000, name="tfc-like"))


def test_the_result_is_what_the_tree_holds(tfc: BuildResult):
    out = tfc.out
    assert json.loads((out / "report/estimates.json").read_text()) == tfc.estimates
    assert tfc.estimates["network"]["estimated_fps"] >= 20000
    assert print_module(tfc.module) + "\n" == (out / "ir/5-hardware.mlir").read_text()
    assert list(tfc.seconds) == [*STAGE_NAMES, "report"]
    assert tfc.csim is None and tfc.csim_disagreement is None
    info = json.loads((tfc.reports / "build-info.json").read_text())
    assert (info["tool"], info["command"]) == ("tools.build", [])
    assert "tfc_like" in (out / "vivado/stitch.tcl").read_text()  # the name, sanitized


def test_the_stages_run_the_named_pipeline(tfc: BuildResult):
    """`qnn-opt model.onnx -p quant-to-hardware{...}` is the build's module after its
    hardware stage."""
    module = run_pipeline(import_qonnx(TFC), f"{QUANT_TO_HARDWARE}{{target-fps=20000}}")
    assert print_module(module) + "\n" == (tfc.out / "ir/5-hardware.mlir").read_text()


def test_a_build_without_target_runs_the_named_pipeline(tmp_path: Path):
    """Without a target frame rate, the hardware stage takes the module set-folding made
    ready while fitting the part: the same as running the `hardware` pipeline again."""
    result = build(TFC, tmp_path / "out", BuildOptions(name="tfc-like"))
    module = run_pipeline(import_qonnx(TFC), QUANT_TO_HARDWARE)
    assert print_module(module) + "\n" == (result.out / "ir/5-hardware.mlir").read_text()
    assert print_module(result.module) == print_module(module)


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple] = []

    def stage_started(self, index: int, total: int, stage: str) -> None:
        self.events.append(("start", index, total, stage))

    def stage_finished(self, stage: str, detail: str, seconds: float) -> None:
        assert seconds >= 0
        self.events.append(("done", stage, detail))


def test_a_new_stage_is_a_function_and_an_entry(tmp_path: Path, monkeypatch):
    """What docs/design.md describes for adding a stage (here the option is the name)."""

    def stage_layers(state: BuildState) -> str:
        assert state.estimates is not None  # the report stage ran before
        names = [layer["name"] for layer in state.estimates["layers"]]
        state.write_text("report/layers.txt", "\n".join(names) + "\n")
        return f"{len(names)} names"

    extra = Stage("layers", stage_layers, when=lambda options: options.name == "listed")
    monkeypatch.setattr(stages_module, "STAGES", (*STAGES, extra))
    recorder = Recorder()
    result = build(TFC, tmp_path / "out", BuildOptions(name="listed"), listener=recorder)
    assert (result.reports / "layers.txt").read_text().startswith("FIFO_0\nMVAU_0\n")
    total = sum(1 for s in STAGES if s.when(BuildOptions())) + 1  # and the new stage
    assert recorder.events[0] == ("start", 1, total, "import")
    assert recorder.events[-2] == ("start", total, total, "layers")
    assert recorder.events[-1][:2] == ("done", "layers")
    assert list(result.seconds)[-1] == "layers"
    plain = build(TFC, tmp_path / "plain", BuildOptions())
    assert "layers" not in plain.seconds and not (plain.reports / "layers.txt").exists()


def test_a_failure_names_its_stage(tmp_path: Path):
    with pytest.raises(BuildError) as error:
        build(MODELS_DIR / "per_channel.onnx", tmp_path / "out")
    assert error.value.stage == "streamline"
    assert str(error.value).startswith("streamline: ")
    assert error.value.__cause__ is not None  # the pass's own exception


def test_a_non_empty_out_is_refused(tmp_path: Path):
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(UserError, match="is not empty"):
        build(TFC, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
