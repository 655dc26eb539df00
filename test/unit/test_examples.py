"""The trained examples that ship with qnn (frontend/examples, made by train_digits.py).

Every example imports, lowers through `lower-quant-to-streamline,streamline`, and the
integer-only module predicts exactly what qonnx's reference execution predicts on the whole
digits test split; the accuracies recorded in NAME.json are the ones recomputed here.

Needs only numpy, onnx and qonnx (no torch).
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto

from frontend import import_qonnx
from frontend.examples import (
    EXAMPLES,
    ExampleError,
    example,
    load_test_split,
    metrics,
    predict,
    sample_input,
)
from passes.pipeline import run_pipeline
from qdialects.semantics import make_interpreter

NAMES = sorted(EXAMPLES)


def _batched(proto: onnx.ModelProto, n: int) -> onnx.ModelProto:
    """The model with batch `n` instead of 1 (shapes re-inferred), so qonnx executes the
    whole split in one call; every example is batch-agnostic (Flatten, not Reshape)."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.transformation.infer_shapes import InferShapes

    work = copy.deepcopy(proto)
    for info in (*work.graph.input, *work.graph.output):
        info.type.tensor_type.shape.dim[0].dim_value = n
    del work.graph.value_info[:]
    return ModelWrapper(work).transform(InferShapes()).model


def _reference_logits(path: Path, x: np.ndarray) -> np.ndarray:
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx

    model = ModelWrapper(_batched(onnx.load(str(path)), len(x)))
    iname, oname = model.graph.input[0].name, model.graph.output[0].name
    return execute_onnx(model, {iname: x})[oname]


@pytest.fixture(scope="module")
def split() -> tuple[np.ndarray, np.ndarray]:
    return load_test_split()


def test_test_split(split):
    x, y = split
    assert x.dtype == np.float32 and x.shape[1:] == (1, 8, 8) and x.min() >= 0 and x.max() <= 1
    assert y.dtype == np.int64 and y.shape == (len(x),)
    assert set(np.unique(y)) == set(range(10))


def test_unknown_example_names_the_available_ones():
    with pytest.raises(ExampleError, match="available examples: digits_cnn_w2a2, digits_mlp_w2a2"):
        example("digits_resnet")


def test_predict_breaks_float_ties_towards_the_lowest_class():
    tie = np.array([[0.5, 1.9748904, 1.9748906, -3.0]], dtype=np.float32)
    assert predict(tie).tolist() == [1]
    assert predict(tie[:, ::-1]).tolist() == [1]
    assert predict(np.array([[0.0, 1.0, 1.5]])).tolist() == [2]


@pytest.mark.parametrize("name", NAMES)
def test_example_files(name: str, split):
    path = example(name)
    assert path.stat().st_size < 300 * 1024, "examples must stay small"
    proto = onnx.load(str(path), load_external_data=False)
    assert all(i.data_location != TensorProto.EXTERNAL for i in proto.graph.initializer)
    x = np.load(sample_input(name))
    assert x.dtype == np.float32 and x.shape == (1, 1, 8, 8)
    np.testing.assert_array_equal(x, split[0][:1])
    recorded = metrics(name)
    assert recorded["test_samples"] == len(split[1])
    # bit-exact quantization: the exported model predicts exactly what PyTorch predicted
    assert recorded["pytorch_accuracy"] == recorded["qonnx_accuracy"]
    assert recorded["agreement"] == 1.0


@pytest.mark.parametrize("name", NAMES)
def test_example_streamlined_predicts_like_qonnx(name: str, split):
    x, y = split
    reference = predict(_reference_logits(example(name), x))
    assert float(np.mean(reference == y)) == metrics(name)["qonnx_accuracy"]

    module = import_qonnx(example(name))
    run_pipeline(module, "lower-quant-to-streamline,streamline")
    interpreter = make_interpreter(module)
    main = interpreter.get_op_for_symbol("main")
    logits = np.concatenate(
        [np.asarray(interpreter.call_op(main, (x[i : i + 1],))[0]) for i in range(len(x))]
    )
    ours = predict(logits)
    mismatches = np.flatnonzero(ours != reference)
    assert mismatches.size == 0, f"{name}: predictions differ from qonnx on samples {mismatches}"
