"""The importer skips qonnx's cleanup for a model already in the form the cleanup gives
(`frontend.qonnx_import.clean.is_clean`). The check must be exact: on every model the
project holds, a model passes it if and only if qonnx's cleanup returns it unchanged;
each way a model can differ from the cleanup's form fails it; and importing a clean
`.onnx` file (a build's import) loads neither onnx nor qonnx."""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper
from shared_models import SHARED_MODELS

from frontend import QonnxImportError, import_qonnx
from frontend.qonnx_import.clean import is_clean, mark_qonnx_domains
from frontend.qonnx_import.loading import load_model, prepare

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
FIXTURES = sorted(MODELS_DIR.glob("*.onnx"))
WILD = sorted((MODELS_DIR / "wild").glob("*.onnx"))
SHARED = sorted(SHARED_MODELS.glob("*.onnx"))


def prepared(path: Path) -> onnx.ModelProto:
    """The model as the importer hands it to the cleanup."""
    work = prepare(load_model(path), str(path))
    mark_qonnx_domains(work)
    return work


def qonnx_cleaned(work: onnx.ModelProto) -> onnx.ModelProto:
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.util.cleanup import cleanup_model

    copy = onnx.ModelProto()
    copy.CopyFrom(work)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cleanup_model(ModelWrapper(copy)).model


@pytest.mark.parametrize("path", FIXTURES + WILD + SHARED, ids=lambda p: p.stem)
def test_clean_exactly_when_qonnx_cleanup_changes_nothing(path: Path):
    work = prepared(path)
    assert is_clean(work) == (qonnx_cleaned(work) == work)


def test_fixtures_are_clean_and_wild_models_are_not():
    """Both paths are exercised: the fixtures (saved after qonnx's cleanup) skip it,
    the wild models (as exported) go through it."""
    assert all(is_clean(prepared(path)) for path in FIXTURES)
    assert not any(is_clean(prepared(path)) for path in WILD)


def _rename_node(graph: onnx.GraphProto) -> None:
    graph.node[1].name = "renamed"


def _rename_tensor(graph: onnx.GraphProto) -> None:
    old = graph.node[0].output[0]
    for info in graph.value_info:
        if info.name == old:
            info.name = "renamed"
    for node in graph.node:
        for names in (node.input, node.output):
            for i, name in enumerate(names):
                if name == old:
                    names[i] = "renamed"


def _drop_value_info(graph: onnx.GraphProto) -> None:
    del graph.value_info[0]


def _add_unused_initializer(graph: onnx.GraphProto) -> None:
    graph.initializer.append(numpy_helper.from_array(np.ones(2, np.float32), "x"))


def _move_a_constant_quantizer_late(graph: onnx.GraphProto) -> None:
    """The first node reading constants only, moved right before its first reader that
    is not right after it (a topological order, not SortGraph's)."""
    constants = {t.name for t in graph.initializer}
    nodes = list(graph.node)
    for index, node in enumerate(nodes):
        if not all(name in constants for name in node.input):
            continue
        reader = next(i for i, n in enumerate(nodes) if node.output[0] in n.input)
        if reader > index + 1:
            nodes.insert(reader - 1, nodes.pop(index))
            del graph.node[:]
            graph.node.extend(nodes)
            return
    raise AssertionError("no constant quantizer to move")


@pytest.mark.parametrize(
    "mutate",
    [
        _rename_node,
        _rename_tensor,
        _drop_value_info,
        _add_unused_initializer,
        _move_a_constant_quantizer_late,
    ],
)
def test_each_difference_from_the_cleanup_form_is_caught(
    mutate: Callable[[onnx.GraphProto], None],
):
    work = prepared(MODELS_DIR / "residual.onnx")
    mutate(work.graph)
    assert qonnx_cleaned(work) != work
    assert not is_clean(work)


def test_an_initializer_onnx_cannot_read_goes_through_the_cleanup(tmp_path: Path):
    """An initializer with fewer values than its dims say: not clean, so the import fails
    in qonnx's cleanup with its one-line error, as before the cleanup could be skipped."""
    work = prepared(MODELS_DIR / "residual.onnx")
    work.graph.initializer[0].dims.append(7)
    assert not is_clean(work)
    path = tmp_path / "broken.onnx"
    path.write_bytes(work.SerializeToString())
    with pytest.raises(QonnxImportError, match=r"broken\.onnx: qonnx cleanup failed: "):
        import_qonnx(path)


def test_importing_a_clean_model_loads_neither_onnx_nor_qonnx():
    script = (
        "import sys\n"
        "from frontend import import_qonnx\n"
        "import_qonnx(sys.argv[1])\n"
        "print([m for m in ('onnx', 'ml_dtypes', 'qonnx', 'onnxruntime') if m in sys.modules])\n"
    )
    model = str(MODELS_DIR / "cnv_like.onnx")
    result = subprocess.run(
        [sys.executable, "-c", script, model], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
