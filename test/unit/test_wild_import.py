"""Importing models from the wild (issue 12): the new ops against onnxruntime, finn_datatype
annotations, channels-last graphs, and the fast refusal of unsupported ops."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from frontend import QonnxImportError, import_qonnx
from qdialects import quant
from qdialects.semantics import execute

WILD = Path(__file__).resolve().parents[1] / "models" / "wild"
WILD_MODELS = sorted(WILD.glob("*.onnx"))


def single_node_model(
    op: str,
    in_shape: list[int],
    out_shapes: list[list[int] | None],
    inits: dict[str, np.ndarray] | None = None,
    inputs: list[str] | None = None,
    opset: int = 13,
    out_type: int = TensorProto.FLOAT,
    **attrs,
) -> onnx.ModelProto:
    outputs = [f"y{i}" for i in range(len(out_shapes))]
    node = helper.make_node(op, inputs or ["x"], outputs, name="the_node", **attrs)
    graph = helper.make_graph(
        [node],
        "single",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)],
        [
            helper.make_tensor_value_info(o, out_type, s)
            for o, s in zip(outputs, out_shapes, strict=True)
        ],
        [numpy_helper.from_array(a, n) for n, a in (inits or {}).items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def onnxruntime_outputs(proto: onnx.ModelProto, x: np.ndarray) -> list[np.ndarray]:
    import onnxruntime

    session = onnxruntime.InferenceSession(proto.SerializeToString())
    return [np.asarray(y) for y in session.run(None, {"x": x})]


def check_against_onnxruntime(proto: onnx.ModelProto, x: np.ndarray) -> list[np.ndarray]:
    expected = onnxruntime_outputs(proto, x)
    got = execute(import_qonnx(proto, cleanup=False), [x])
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.dtype == e.dtype and g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-7)
    return got


RNG = np.random.default_rng(12)
X4 = RNG.normal(size=(1, 8, 3, 4)).astype(np.float32)


@pytest.mark.parametrize(
    ("op", "out_shape", "attrs"),
    [
        ("Softmax", [1, 8, 3, 4], {"axis": 1}),
        ("Softmax", [1, 8, 3, 4], {}),
        ("Sigmoid", [1, 8, 3, 4], {}),
        ("Exp", [1, 8, 3, 4], {}),
        ("ReduceMax", [1, 1, 3, 1], {"axes": [1, -1]}),
        ("ReduceMax", [3], {"axes": [0, 1, 3], "keepdims": 0}),
        ("DepthToSpace", [1, 2, 6, 8], {"blocksize": 2, "mode": "DCR"}),
        ("DepthToSpace", [1, 2, 6, 8], {"blocksize": 2, "mode": "CRD"}),
    ],
)
def test_float_and_layout_ops_equal_onnxruntime(op, out_shape, attrs):
    check_against_onnxruntime(single_node_model(op, [1, 8, 3, 4], [out_shape], **attrs), X4)


@pytest.mark.parametrize(("keepdims", "last"), [(1, 0), (0, 0), (1, 1)])
def test_argmax_ties_and_keepdims(keepdims, last):
    x = np.array([[[1, 3, 3, 0], [2, 2, 1, 2]]], dtype=np.float32)
    shape = [1, 2, 1] if keepdims else [1, 2]
    proto = single_node_model(
        "ArgMax", [1, 2, 4], [shape], out_type=TensorProto.INT64,
        axis=-1, keepdims=keepdims, select_last_index=last,
    )  # fmt: skip
    (y,) = check_against_onnxruntime(proto, x)
    assert y.dtype == np.int64


@pytest.mark.parametrize(
    ("transform", "rounding"),
    [
        ("asymmetric", "floor"),
        ("half_pixel", "round_prefer_floor"),
        ("pytorch_half_pixel", "round_prefer_ceil"),
    ],
)
def test_resize_nearest_integer_scales(transform, rounding):
    scales = np.array([1, 1, 2, 3], dtype=np.float32)
    proto = single_node_model(
        "Resize", [1, 8, 3, 4], [[1, 8, 6, 12]], {"scales": scales}, ["x", "", "scales"],
        mode="nearest", coordinate_transformation_mode=transform, nearest_mode=rounding,
    )  # fmt: skip
    check_against_onnxruntime(proto, X4)
    assert any(isinstance(op, quant.ResizeOp) for op in import_qonnx(proto).walk())


def test_resize_that_does_not_repeat_elements_is_refused():
    scales = np.array([1, 1, 2, 2], dtype=np.float32)
    proto = single_node_model(
        "Resize", [1, 8, 3, 4], [[1, 8, 6, 8]], {"scales": scales}, ["x", "", "scales"],
        mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="ceil",
    )  # fmt: skip
    with pytest.raises(QonnxImportError, match=r"Resize node 'the_node': .*does not repeat each"):
        import_qonnx(proto)


def test_slice_with_negative_and_clamped_ranges():
    inits = {
        "starts": np.array([1, -3], dtype=np.int64),
        "ends": np.array([100, -1], dtype=np.int64),
        "axes": np.array([1, 3], dtype=np.int64),
        "steps": np.array([2, 1], dtype=np.int64),
    }
    proto = single_node_model(
        "Slice", [1, 8, 3, 4], [[1, 4, 3, 2]], inits, ["x", "starts", "ends", "axes", "steps"]
    )
    check_against_onnxruntime(proto, X4)


def test_split_into_unequal_parts():
    proto = single_node_model(
        "Split", [1, 8, 3, 4], [[1, 3, 3, 4], [1, 5, 3, 4]],
        {"split": np.array([3, 5], dtype=np.int64)}, ["x", "split"], axis=1,
    )  # fmt: skip
    check_against_onnxruntime(proto, X4)


@pytest.mark.parametrize("opset", [11, 13])
def test_squeeze_and_unsqueeze_are_reshapes(opset):
    if opset < 13:
        proto = single_node_model("Unsqueeze", [1, 8], [[1, 8, 1]], opset=opset, axes=[2])
    else:
        axes = {"axes": np.array([2], dtype=np.int64)}
        proto = single_node_model("Unsqueeze", [1, 8], [[1, 8, 1]], axes, ["x", "axes"])
    module = import_qonnx(proto)
    assert [op.name for op in module.walk() if op.name.startswith("quant.")][-1] == "quant.reshape"
    check_against_onnxruntime(proto, X4.reshape(1, -1)[:, :8].copy())


def test_one_d_conv_and_pool_get_a_unit_height():
    w = RNG.normal(size=(4, 8, 3)).astype(np.float32)
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[3], pads=[2, 1], strides=[2]),
        helper.make_node("AveragePool", ["c"], ["y"], kernel_shape=[2], strides=[1]),
    ]
    graph = helper.make_graph(
        nodes,
        "one_d",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 9])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 4])],
        [numpy_helper.from_array(w, "w")],
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    x = RNG.normal(size=(1, 8, 9)).astype(np.float32)
    module = import_qonnx(proto)
    (conv,) = [op for op in module.walk() if isinstance(op, quant.ConvOp)]
    assert conv.x.type.get_shape() == (1, 8, 1, 9)  # pyright: ignore[reportAttributeAccessIssue]
    (y,) = execute(module, [x])
    np.testing.assert_allclose(y, onnxruntime_outputs(proto, x)[0], rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------- annotations


def annotated_matmul(weights: np.ndarray, datatype: str) -> onnx.ModelProto:
    proto = single_node_model(
        "MatMul", [1, weights.shape[0]], [[1, weights.shape[1]]], {"w": weights}, ["x", "w"]
    )
    annotation = onnx.TensorAnnotation(tensor_name="w")
    entry = annotation.quant_parameter_tensor_names.add()
    entry.key, entry.value = "finn_datatype", datatype
    proto.graph.quantization_annotation.append(annotation)
    return proto


@pytest.mark.parametrize(
    ("datatype", "values", "op"),
    [
        ("BIPOLAR", [-1.0, 1.0], quant.BipolarQuantOp),
        ("INT2", [-2.0, -1.0, 0.0, 1.0], quant.QuantOp),
        ("UINT3", [0.0, 7.0, 3.0], quant.QuantOp),
        ("TERNARY", [-1.0, 0.0, 1.0], quant.QuantOp),
        ("BINARY", [0.0, 1.0], quant.QuantOp),
    ],
)
def test_annotated_weights_become_identity_quantizers(datatype, values, op):
    weights = RNG.choice(np.array(values, dtype=np.float32), size=(6, 4))
    proto = annotated_matmul(weights, datatype)
    module = import_qonnx(proto)
    quantizers = [o for o in module.walk() if isinstance(o, quant.QuantOp | quant.BipolarQuantOp)]
    assert [type(q) for q in quantizers] == [op]
    x = RNG.normal(size=(1, 6)).astype(np.float32)
    np.testing.assert_allclose(execute(module, [x])[0], x @ weights, rtol=1e-6)


def test_annotated_weights_that_do_not_fit_are_refused():
    proto = annotated_matmul(np.array([[0.5, 1.0]], dtype=np.float32), "INT2")
    with pytest.raises(
        QonnxImportError,
        match=r"^MatMul node 'the_node': constant '\w+' is annotated INT2, but its values \[0.5, 1.0\] do not fit it$",
    ):
        import_qonnx(proto)


def test_float_annotations_change_nothing():
    module = import_qonnx(annotated_matmul(np.ones((2, 2), dtype=np.float32), "FLOAT32"))
    assert not any(isinstance(o, quant.QuantOp) for o in module.walk())


# --------------------------------------------------------------------------- fail fast


def unsupported_model(side: int) -> onnx.ModelProto:
    nodes = [
        helper.make_node("Relu", ["x"], ["a"], name="relu"),
        helper.make_node("Cos", ["a"], ["b"], name="cos_0"),
        helper.make_node("Cos", ["b"], ["c"], name="cos_1"),
        helper.make_node("Floor", ["c"], ["d"], name="floor"),
        helper.make_node("Shape", ["d"], ["s"], name="shape"),
        helper.make_node("Cast", ["s"], ["sf"], name="cast", to=TensorProto.FLOAT),
        helper.make_node("Thing", ["d"], ["y"], name="thing", domain="vendor.ops"),
    ]
    graph = helper.make_graph(
        nodes,
        "big",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, side, side])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def test_unsupported_ops_are_all_listed_in_one_line_before_cleanup(tmp_path, monkeypatch):
    """The ops are checked before qonnx's cleanup (which alone takes tens of seconds on a
    512x512 graph) runs at all; the time a refusal takes is measured by
    benchmarks/refusal_bench.py."""
    import qonnx.util.cleanup

    class CleanupRan(BaseException):
        """Not an Exception: the importer's handler of cleanup failures lets it through."""

    def cleanup_ran(*_args, **_kwargs):
        raise CleanupRan("qonnx's cleanup ran before the ops were checked")

    monkeypatch.setattr(qonnx.util.cleanup, "cleanup_model", cleanup_ran)
    path = tmp_path / "big.onnx"
    onnx.save(unsupported_model(512), str(path))
    with pytest.raises(QonnxImportError) as error:
        import_qonnx(path)
    message = str(error.value)
    assert "\n" not in message
    assert message == (
        "unsupported ops: Cos (nodes 'cos_0', 'cos_1'), Floor (node 'floor'), "
        "Thing (domain 'vendor.ops') (node 'thing')"
    )


# --------------------------------------------------------------------------- whole models


def qonnx_output(path: Path, x: np.ndarray) -> np.ndarray:
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx

    model = ModelWrapper(str(path))
    return execute_onnx(model, {model.graph.input[0].name: x})[model.graph.output[0].name]


def test_every_wild_fixture_is_present():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_wild_models", WILD / "make_wild_models.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert {p.stem for p in WILD_MODELS} == set(script.MODELS)


@pytest.mark.parametrize("path", WILD_MODELS, ids=lambda p: p.stem)
def test_quant_level_equals_qonnx(path: Path):
    x = np.load(path.with_name(path.stem + ".in.npy"))
    expected = qonnx_output(path, x)
    (got,) = execute(import_qonnx(path), [x])
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
