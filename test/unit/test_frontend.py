"""The QONNX importer: tiny onnx.helper models for every op form both Brevitas export
paths produce, the project's fixtures, and every user error (one line, naming the node)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp

from frontend import QonnxImportError, import_qonnx
from frontend.qonnx_import.graph import sanitize
from qdialects import quant
from qdialects.ir import parse_module, print_module

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
FIXTURES = sorted(MODELS_DIR.glob("*.onnx"))
QONNX = "qonnx.custom_op.general"


# --------------------------------------------------------------------------- model helpers


def const(name: str, value: np.ndarray | float | list[int]) -> TensorProto:
    array = np.asarray(value)
    if array.dtype.kind == "f":
        array = array.astype(np.float32)
    return numpy_helper.from_array(array, name)


def quant_node(
    x: str,
    y: str,
    prefix: str,
    *,
    bits: float = 4.0,
    scale: float = 0.5,
    zeropt: float = 0.0,
    name: str | None = None,
    **attrs: object,
):
    """A Quant node and its three parameter initializers."""
    inits = [
        const(f"{prefix}_scale", scale),
        const(f"{prefix}_zeropt", zeropt),
        const(f"{prefix}_bits", bits),
    ]
    node = helper.make_node(
        "Quant",
        [x, f"{prefix}_scale", f"{prefix}_zeropt", f"{prefix}_bits"],
        [y],
        name=name or f"{prefix}_quant",
        domain=QONNX,
        **{"signed": 1, "narrow": 0, "rounding_mode": "ROUND", **attrs},
    )
    return node, inits


def model(nodes, inputs, outputs, inits=(), opset: int = 13) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "test",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outputs],
        list(inits),
    )
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", opset), helper.make_opsetid(QONNX, 1)],
    )


def ops_of(module: ModuleOp) -> list[str]:
    return [op.name for op in module.walk() if op.name.startswith("quant.")]


def body_ops(module: ModuleOp, cls: type) -> list:
    return [op for op in module.walk() if isinstance(op, cls)]


def qonnx_reference(proto: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.util.cleanup import cleanup_model

    wrapper = cleanup_model(ModelWrapper(proto))
    graph = wrapper.graph
    return execute_onnx(wrapper, {graph.input[0].name: x})[graph.output[0].name]


def run(module: ModuleOp, x: np.ndarray) -> np.ndarray:
    from qdialects.semantics import execute

    (y,) = execute(module, [x])
    return y


def roundtrips(module: ModuleOp) -> None:
    text = print_module(module)
    assert print_module(parse_module(text)) == text


# --------------------------------------------------------------------------- the two export paths


def mlp(path: str) -> onnx.ModelProto:
    """A 2-layer quantized MLP in the TorchScript form (Flatten + MatMul, opset 13) or the
    dynamo form (Reshape with a constant shape + Gemm without C, opset 18)."""
    rng = np.random.default_rng(0)
    w1 = rng.normal(size=(16, 8)).astype(np.float32)
    w2 = rng.normal(size=(8, 4)).astype(np.float32)
    nodes, inits = [], []
    for node, params in (
        quant_node("x", "xq", "in", bits=8.0, scale=1 / 64),
        quant_node("w1", "w1q", "w1", bits=2.0, scale=0.5, narrow=1),
        quant_node("w2", "w2q", "w2", bits=2.0, scale=0.5, narrow=1),
    ):
        nodes.append(node)
        inits += params
    if path == "torchscript":
        inits += [const("w1", w1), const("w2", w2)]
        nodes += [
            helper.make_node("Flatten", ["xq"], ["flat"], name="/flatten/Flatten", axis=1),
            helper.make_node("MatMul", ["flat", "w1q"], ["h"], name="/fc1/MatMul"),
        ]
        opset = 13
    else:
        inits += [const("w1", w1.T.copy()), const("w2", w2), const("shape", [1, -1])]
        nodes += [
            helper.make_node("Reshape", ["xq", "shape"], ["flat"], name="view"),
            helper.make_node("Gemm", ["flat", "w1q"], ["h"], name="linear", transB=1),
        ]
        opset = 18
    act, params = quant_node("hr", "hq", "act", bits=2.0, scale=0.25, signed=0)
    inits += params
    nodes += [helper.make_node("Relu", ["h"], ["hr"], name="relu"), act]
    nodes.append(
        helper.make_node("MatMul", ["hq", "w2q"], ["y"], name="fc2")
        if path == "torchscript"
        else helper.make_node("Gemm", ["hq", "w2q"], ["y"], name="fc2")
    )
    return model(nodes, [("x", [1, 1, 4, 4])], [("y", [1, 4])], inits, opset)


@pytest.mark.parametrize("path", ["torchscript", "dynamo"])
def test_both_export_paths_import(path: str):
    proto = mlp(path)
    module = import_qonnx(proto)
    module.verify()
    names = ops_of(module)
    if path == "torchscript":
        assert "quant.flatten" in names and names.count("quant.matmul") == 2
    else:
        assert "quant.reshape" in names and names.count("quant.gemm") == 2
        for gemm in body_ops(module, quant.GemmOp):
            assert gemm.c is None  # dynamo's Gemm has no C input
    (function,) = body_ops(module, FuncOp)
    assert str(function.function_type) == "(tensor<1x1x4x4xf32>) -> tensor<1x4xf32>"
    roundtrips(module)
    x = np.random.default_rng(1).uniform(-1, 1, size=(1, 1, 4, 4)).astype(np.float32)
    y = run(module, x)
    ref = qonnx_reference(proto, x)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)


def test_weights_are_built_from_raw_bytes():
    w = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    proto = model(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        [("x", [1, 3])],
        [("y", [1, 4])],
        [const("w", w)],
    )
    module = import_qonnx(proto)
    (constant,) = body_ops(module, quant.ConstantOp)
    assert constant.value.data.data == w.tobytes()
    np.testing.assert_array_equal(constant.numpy(), w)


def test_gemm_with_bias_and_attributes():
    proto = model(
        [helper.make_node("Gemm", ["x", "w", "b"], ["y"], alpha=0.5, beta=2.0, transB=1)],
        [("x", [2, 3])],
        [("y", [2, 4])],
        [const("w", np.ones((4, 3))), const("b", np.arange(4.0))],
    )
    module = import_qonnx(proto)
    (gemm,) = body_ops(module, quant.GemmOp)
    assert gemm.c is not None
    assert gemm.alpha.value.data == 0.5 and gemm.beta.value.data == 2.0
    assert gemm.trans_b.value.data and not gemm.trans_a.value.data
    x = np.ones((2, 3), np.float32)
    np.testing.assert_allclose(run(module, x), 0.5 * 3 + 2 * np.arange(4.0)[None].repeat(2, 0))


# --------------------------------------------------------------------------- conv and pools


def conv_model(*, kernel_shape: bool, opset: int = 13, **attrs: object) -> onnx.ModelProto:
    w = np.random.default_rng(2).normal(size=(4, 2, 3, 3)).astype(np.float32)
    extra = {"kernel_shape": [3, 3]} if kernel_shape else {}
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv", **extra, **attrs)
    padded = attrs.get("pads") == [1, 1, 1, 1] or attrs.get("auto_pad") == "SAME_UPPER"
    out_hw = 8 if padded else 6
    return model(
        [node],
        [("x", [1, 2, 8, 8])],
        [("y", [1, 4, out_hw, out_hw])],
        [const("w", w), const("b", np.arange(4.0))],
        opset,
    )


@pytest.mark.parametrize("kernel_shape", [True, False], ids=["with_kernel_shape", "dynamo"])
def test_conv_defaults(kernel_shape: bool):
    module = import_qonnx(conv_model(kernel_shape=kernel_shape, opset=18))
    (conv,) = body_ops(module, quant.ConvOp)
    text = print_module(module)
    assert "strides = array<i64: 1, 1>" in text
    assert "pads = array<i64: 0, 0, 0, 0>" in text
    assert "dilations = array<i64: 1, 1>" in text
    assert conv.group.value.data == 1 and conv.bias is not None
    x = np.random.default_rng(3).normal(size=(1, 2, 8, 8)).astype(np.float32)
    ref = qonnx_reference(conv_model(kernel_shape=True), x)
    np.testing.assert_allclose(run(module, x), ref, rtol=1e-5, atol=1e-5)


def test_conv_pads_and_auto_pad():
    module = import_qonnx(conv_model(kernel_shape=True, pads=[1, 1, 1, 1]))
    assert "pads = array<i64: 1, 1, 1, 1>" in print_module(module)
    module = import_qonnx(conv_model(kernel_shape=False, auto_pad="SAME_UPPER"))
    assert "pads = array<i64: 1, 1, 1, 1>" in print_module(module)


def test_conv_kernel_shape_must_match_weights():
    proto = conv_model(kernel_shape=True)
    proto.graph.node[0].attribute[0].ints[:] = [5, 5]
    with pytest.raises(QonnxImportError, match=r"Conv node 'conv': attribute 'kernel_shape'"):
        import_qonnx(proto)


def test_pools_and_layout_ops():
    nodes = [
        helper.make_node("MaxPool", ["x"], ["m"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("AveragePool", ["m"], ["a"], kernel_shape=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("GlobalAveragePool", ["a"], ["g"]),
        helper.make_node("Transpose", ["g"], ["t"], perm=[0, 2, 3, 1]),
        helper.make_node("Flatten", ["t"], ["f"], axis=-1),
        helper.make_node("Identity", ["f"], ["i"]),
        helper.make_node("Concat", ["f", "i"], ["y"], axis=-1),
    ]
    proto = model(nodes, [("x", [1, 3, 8, 8])], [("y", [1, 6])])
    module = import_qonnx(proto)
    assert ops_of(module) == [
        "quant.maxpool",
        "quant.avgpool",
        "quant.global_avgpool",
        "quant.transpose",
        "quant.flatten",
        "quant.identity",
        "quant.concat",
    ]
    (flatten,) = body_ops(module, quant.FlattenOp)
    assert flatten.axis.value.data == 3  # negative axes are normalized
    (concat,) = body_ops(module, quant.ConcatOp)
    assert concat.axis.value.data == 1
    roundtrips(module)
    x = np.random.default_rng(4).normal(size=(1, 3, 8, 8)).astype(np.float32)
    np.testing.assert_allclose(run(module, x), qonnx_reference(proto, x), rtol=1e-5, atol=1e-6)


def test_elementwise_and_batchnorm():
    c = 3
    inits = [
        const("s", np.full((1, c, 1, 1), 2.0)),
        const("gamma", np.linspace(0.5, 1.5, c)),
        const("beta", np.linspace(-1, 1, c)),
        const("mean", np.linspace(0.1, 0.3, c)),
        const("var", np.linspace(1, 2, c)),
    ]
    nodes = [
        helper.make_node("Sub", ["x", "s"], ["a"]),
        helper.make_node("Div", ["a", "s"], ["b"]),
        helper.make_node("Mul", ["b", "s"], ["c"]),
        helper.make_node("Add", ["c", "x"], ["d"]),
        helper.make_node(
            "BatchNormalization", ["d", "gamma", "beta", "mean", "var"], ["y"], epsilon=1e-3
        ),
    ]
    proto = model(nodes, [("x", [1, c, 2, 2])], [("y", [1, c, 2, 2])], inits)
    module = import_qonnx(proto)
    assert [n for n in ops_of(module) if n != "quant.constant"] == [
        "quant.sub",
        "quant.div",
        "quant.mul",
        "quant.add",
        "quant.batchnorm",
    ]
    x = np.random.default_rng(5).normal(size=(1, c, 2, 2)).astype(np.float32)
    np.testing.assert_allclose(run(module, x), qonnx_reference(proto, x), rtol=1e-5, atol=1e-6)


def test_node_reading_one_tensor_twice():
    # qonnx's cleanup renames only the first occurrence of a tensor in a node's inputs;
    # the importer restores the repeat.
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("Add", ["r", "r"], ["a"], name="add"),
        helper.make_node("Concat", ["a", "r", "a"], ["y"], name="cat", axis=1),
    ]
    proto = model(nodes, [("x", [1, 2])], [("y", [1, 6])])
    module = import_qonnx(proto)
    (add,) = body_ops(module, quant.AddOp)
    assert add.lhs is add.rhs
    x = np.array([[-1.0, 2.0]], np.float32)
    np.testing.assert_array_equal(run(module, x), [[0, 4, 0, 2, 0, 4]])


# --------------------------------------------------------------------------- constant inputs


def test_opset18_constant_inputs_become_properties():
    nodes = [
        helper.make_node("Pad", ["x", "pads", "cv"], ["p"], mode="constant"),
        helper.make_node("ReduceMean", ["p", "axes"], ["r"], keepdims=0),
        helper.make_node("TopK", ["r", "k"], ["y", "idx"], axis=-1),
    ]
    inits = [
        const("pads", [0, 0, 1, 2, 0, 0, 1, 0]),
        const("cv", 0.5),
        const("axes", [-1]),
        const("k", [2]),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 3, 4])],
        [
            helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 2]),
        ],
        inits,
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    module = import_qonnx(proto)
    (pad,) = body_ops(module, quant.PadOp)
    assert list(pad.pads.get_values()) == [0, 0, 1, 2, 0, 0, 1, 0]
    assert pad.value.value.data == 0.5
    (mean,) = body_ops(module, quant.ReduceMeanOp)
    assert list(mean.axes.get_values()) == [3]
    (topk,) = body_ops(module, quant.TopKOp)
    assert topk.k.value.data == 2 and topk.axis.value.data == 2
    assert not body_ops(module, quant.ConstantOp)  # resolved, not emitted


def test_reshape_shape_is_resolved_from_the_constant():
    proto = model(
        [helper.make_node("Reshape", ["x", "shape"], ["y"], name="view")],
        [("x", [1, 2, 3, 4])],
        [("y", [1, 24])],
        [const("shape", [1, -1])],
        opset=18,
    )
    module = import_qonnx(proto)
    (reshape,) = body_ops(module, quant.ReshapeOp)
    assert str(reshape.result.type) == "tensor<1x24xf32>"


# --------------------------------------------------------------------------- quantizers


def test_quantizers_keep_their_attributes():
    q, inits = quant_node("x", "a", "q", bits=3.0, signed=0, narrow=1, rounding_mode="floor")
    b = helper.make_node("BipolarQuant", ["a", "bscale"], ["y"], domain=QONNX)
    proto = model([q, b], [("x", [1, 4])], [("y", [1, 4])], [*inits, const("bscale", 0.25)])
    module = import_qonnx(proto)
    (qop,) = body_ops(module, quant.QuantOp)
    assert not qop.signed.value.data and qop.narrow.value.data
    assert qop.rounding_mode.data == "FLOOR"  # normalized to upper case
    assert len(body_ops(module, quant.BipolarQuantOp)) == 1
    x = np.linspace(-2, 2, 4, dtype=np.float32)[None]
    np.testing.assert_allclose(run(module, x), qonnx_reference(proto, x))


def test_nonzero_zero_point_is_accepted_on_multibit_quant():
    q, inits = quant_node("x", "y", "q", bits=4.0, zeropt=2.0, signed=0)
    module = import_qonnx(model([q], [("x", [1, 4])], [("y", [1, 4])], inits))
    assert len(body_ops(module, quant.QuantOp)) == 1


# --------------------------------------------------------------------------- names


def test_ssa_names_are_sanitized_and_unique():
    assert sanitize("/features/features.0/Conv_output_0") == "features_features_0_Conv_output0"
    assert sanitize("0weird") == "v0weird"
    assert sanitize("???") == "v"
    nodes = [
        helper.make_node("Relu", ["in.put"], ["a/b"]),
        helper.make_node("Relu", ["a/b"], ["a.b"]),
    ]
    proto = model(nodes, [("in.put", [1, 2])], [("a.b", [1, 2])])
    text = print_module(import_qonnx(proto, cleanup=False))
    assert "%in_put: tensor<1x2xf32>" in text
    assert "%a_b = quant.relu %in_put" in text
    assert "%a_b_v2 = quant.relu %a_b" in text


def test_fixture_names_are_readable():
    text = print_module(import_qonnx(MODELS_DIR / "tfc_like_ts.onnx"))
    assert "func.func @main(%global_in:" in text
    assert "%MatMul_0_out0 = quant.matmul" in text


# --------------------------------------------------------------------------- fixtures


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_imports_and_roundtrips(path: Path):
    module = import_qonnx(path)
    module.verify()
    roundtrips(module)


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_runs_like_qonnx(path: Path):
    """The sample input and random inputs in its range execute as in qonnx."""
    module = import_qonnx(path)
    proto = onnx.load(str(path))
    sample = np.load(path.with_suffix("").with_suffix(".in.npy"))
    rng = np.random.default_rng(7)
    randoms = [
        rng.uniform(sample.min(), sample.max(), sample.shape).astype(np.float32) for _ in range(5)
    ]
    for x in [sample, *randoms]:
        ref = qonnx_reference(proto, x)
        y = run(module, x)
        np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)
        top2 = np.sort(ref.ravel())[-2:]
        if top2[1] - top2[0] > 1e-6:  # an exact tie may break either way
            assert np.argmax(y) == np.argmax(ref)


def test_external_data_is_loaded(tmp_path: Path):
    w = np.random.default_rng(6).normal(size=(64, 64)).astype(np.float32)
    proto = model(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        [("x", [1, 64])],
        [("y", [1, 64])],
        [const("w", w)],
    )
    onnx.save(
        proto, tmp_path / "m.onnx", save_as_external_data=True, location="m.data", size_threshold=0
    )
    assert (tmp_path / "m.data").exists()
    (constant,) = body_ops(import_qonnx(tmp_path / "m.onnx"), quant.ConstantOp)
    np.testing.assert_array_equal(constant.numpy(), w)


# --------------------------------------------------------------------------- errors


def error_of(source) -> str:
    with pytest.raises(QonnxImportError) as info:
        import_qonnx(source)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_missing_file(tmp_path: Path):
    assert (
        error_of(tmp_path / "nope.onnx") == f"{tmp_path / 'nope.onnx'}: no such file or directory"
    )


def test_not_an_onnx_file(tmp_path: Path):
    path = tmp_path / "bad.onnx"
    path.write_text("this is not a protobuf\n")
    assert error_of(path).startswith(f"{path}: not an ONNX model")


def test_missing_external_data(tmp_path: Path):
    proto = model(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        [("x", [1, 8])],
        [("y", [1, 8])],
        [const("w", np.ones((8, 8)))],
    )
    onnx.save(
        proto, tmp_path / "m.onnx", save_as_external_data=True, location="m.data", size_threshold=0
    )
    (tmp_path / "m.data").unlink()
    assert "cannot load external data" in error_of(tmp_path / "m.onnx")


def test_unsupported_op_names_type_and_node():
    proto = model(
        [helper.make_node("Erf", ["x"], ["y"], name="/head/Erf")],
        [("x", [1, 4])],
        [("y", [1, 4])],
    )
    assert error_of(proto) == "unsupported op Erf: Erf node '/head/Erf'"


def test_unsupported_custom_domain():
    proto = model(
        [helper.make_node("Relu", ["x"], ["y"], name="r", domain="my.domain")],
        [("x", [1, 4])],
        [("y", [1, 4])],
    )
    assert error_of(proto) == "unsupported op Relu (domain 'my.domain'): Relu node 'r'"


def test_wrong_input_count():
    node = helper.make_node("Quant", ["x", "s"], ["y"], name="q", domain=QONNX)
    message = error_of(model([node], [("x", [1, 4])], [("y", [1, 4])], [const("s", 1.0)]))
    assert message == "Quant node 'q': expected 4 inputs, got 2"


def test_dynamic_shape():
    proto = model([helper.make_node("Relu", ["x"], ["y"])], [("x", ["N", 4])], [("y", ["N", 4])])
    message = error_of(proto)
    assert message == (
        "model 'test': graph input 'x' has a dynamic shape [N, 4]; export the model with "
        "static shapes (batch size 1)"
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"bits": 0.0}, "bitwidth must be an integer >= 1"),
        ({"bits": 2.5}, "bitwidth must be an integer >= 1"),
        ({"scale": 0.0}, "scale must be positive"),
        ({"scale": -1.0}, "scale must be positive"),
        ({"bits": 1.0, "zeropt": 1.0}, "1-bit quantizer with a non-zero zero-point"),
        ({"signed": 2}, "attribute 'signed' = 2 is out of range"),
        ({"rounding_mode": "NEAREST"}, "attribute 'rounding_mode' = 'NEAREST'"),
    ],
)
def test_bad_quantizer(params: dict, expected: str):
    q, inits = quant_node("x", "y", "act", name="/act/Quant", **params)
    message = error_of(model([q], [("x", [1, 4])], [("y", [1, 4])], inits))
    assert message.startswith("Quant node '/act/Quant': ")
    assert expected in message


def test_bipolar_zero_scale():
    node = helper.make_node("BipolarQuant", ["x", "s"], ["y"], name="bq", domain=QONNX)
    message = error_of(model([node], [("x", [1, 4])], [("y", [1, 4])], [const("s", 0.0)]))
    assert message.startswith("BipolarQuant node 'bq': ") and "scale must be positive" in message


def test_non_constant_reshape_shape():
    nodes = [
        helper.make_node("TopK", ["v", "k"], ["top", "shape"], name="topk", axis=0),
        helper.make_node("Reshape", ["x", "shape"], ["y"], name="view"),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4]),
            helper.make_tensor_value_info("v", TensorProto.FLOAT, [4]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 1])],
        [const("k", [2])],
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    assert error_of(proto) == (
        "Reshape node 'view': input 'shape' ('TopK_0_out1') must be a constant, but it is "
        "computed in the graph"
    )


def test_attribute_out_of_range():
    proto = model(
        [helper.make_node("Flatten", ["x"], ["y"], name="flat", axis=5)],
        [("x", [1, 2, 3])],
        [("y", [1, 6])],
    )
    assert error_of(proto) == (
        "Flatten node 'flat': attribute 'axis' = 5 is out of range for a rank-3 input"
    )


def test_unknown_data_layout():
    node = helper.make_node(
        "MultiThreshold", ["x", "t"], ["y"], name="mt", domain=QONNX, data_layout="NWHC"
    )
    proto = model([node], [("x", [1, 4])], [("y", [1, 4])], [const("t", np.zeros((4, 3)))])
    assert error_of(proto) == (
        "MultiThreshold node 'mt': attribute 'data_layout' = 'NWHC' is not one of NCHW, NHWC, NC"
    )
