"""Fuzzing of the ONNX importer and the IR parser (`test/fuzz/qnn_fuzz.py`).

* A bounded, deterministic hypothesis run per target (`derandomize=True`): every mutated
  input compiles or fails with a one-line user error, within the time bound.
  `FUZZ_EXAMPLES=N` changes the number of examples per target (default `CI_EXAMPLES`);
  `test/fuzz/run.py --minutes 10` runs a random campaign.
* Regressions: the inputs the campaigns found, each with the fix's expectation.
* The command-line level: `qnn-opt` and `qnn-build` on mutated models print one line on
  stderr, exit 1 and write no output.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from onnx import helper, numpy_helper

FUZZ_DIR = Path(__file__).resolve().parents[1] / "fuzz"
sys.path.insert(0, str(FUZZ_DIR))

import qnn_fuzz  # noqa: E402  # pyright: ignore[reportMissingImports]

CI_EXAMPLES = 200
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", CI_EXAMPLES))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same examples on every run: CI is deterministic
    database=None,
    deadline=None,  # the harness bounds each example (qnn_fuzz.TIMEOUT)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ONNX_SEEDS = qnn_fuzz.onnx_seeds()
IR_SEEDS = qnn_fuzz.ir_seeds()


# --------------------------------------------------------------------------- fuzzing


@FUZZ_SETTINGS
@given(data=st.data())
def test_fuzz_onnx_import_and_pipeline(data: st.DataObject) -> None:
    mutated = qnn_fuzz.mutate_onnx(qnn_fuzz.HypothesisChooser(data), ONNX_SEEDS)
    note(mutated.describe())
    qnn_fuzz.check_onnx(mutated.data)


@FUZZ_SETTINGS
@given(data=st.data())
def test_fuzz_ir_parse_and_pipeline(data: st.DataObject) -> None:
    mutated = qnn_fuzz.mutate_ir(qnn_fuzz.HypothesisChooser(data), IR_SEEDS)
    note(mutated.describe())
    qnn_fuzz.check_ir(*mutated.data)


def test_seeds_compile() -> None:
    """Every seed passes unmutated (else the fuzzer would start from an error)."""
    for name, data in ONNX_SEEDS.items():
        assert qnn_fuzz.check_onnx(data).ok, name
    for name, (text, pipeline) in IR_SEEDS.items():
        assert qnn_fuzz.check_ir(text, pipeline).ok, name


def check_ir_error(text: str, pipeline: str = qnn_fuzz.ONNX_PIPELINE) -> str:
    """The one-line error `text` fails with (the property holds, else FuzzFailure)."""
    outcome = qnn_fuzz.check_ir(text, pipeline)
    assert not outcome.ok, "expected an error"
    return outcome.message


def tiny_model(domain: str = "qonnx.custom_op.general") -> onnx.ModelProto:
    """Quant -> MatMul (Quant weights) -> Quant: a small model that compiles."""
    inits = [
        numpy_helper.from_array(np.array(0.25, np.float32), "s"),
        numpy_helper.from_array(np.array(0.0, np.float32), "z"),
        numpy_helper.from_array(np.array(4.0, np.float32), "b"),
        numpy_helper.from_array(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3), "w"),
    ]
    quant = {"domain": domain, "signed": 1, "narrow": 0, "rounding_mode": "ROUND"}
    nodes = [
        helper.make_node("Quant", ["x", "s", "z", "b"], ["xq"], name="q_in", **quant),
        helper.make_node("Quant", ["w", "s", "z", "b"], ["wq"], name="q_w", **quant),
        helper.make_node("MatMul", ["xq", "wq"], ["m"], name="mm"),
        helper.make_node("Quant", ["m", "s", "z", "b"], ["y"], name="q_out", **quant),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 3])],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


# --------------------------------------------------------------------------- regressions


def test_unterminated_string_literal_is_a_quick_parse_error() -> None:
    # xDSL's lexer backtracked exponentially on an unterminated string (a hang).
    text = (
        "builtin.module {\n  %0 = quant.constant dense<1.0> : tensor<f32> "
        '{a = "' + "1, 0, " * 2000 + "}\n}\n"
    )
    message = check_ir_error(text)
    assert message.startswith("<string>:2:"), message
    assert message.endswith("End of file reached before closing string literal."), message


def test_attribute_values_xdsl_rejects_with_value_errors_are_parse_errors() -> None:
    # xDSL's attribute constructors raised ValueError/OverflowError out of the parser.
    out_of_range = "builtin.module {\n  %0 = quant.constant dense<256> : tensor<i8>\n}\n"
    assert "out of range for type i8" in check_ir_error(out_of_range)
    too_large = (
        "builtin.module {\n  %0 = quant.constant dense<1" + "0" * 40 + "> : tensor<f32>\n}\n"
    )
    assert "float too large" in check_ir_error(too_large)


def test_invalid_utf8_is_a_parse_error() -> None:
    from xdsl.utils.exceptions import ParseError

    from qdialects.ir import parse_module

    data = b'builtin.module {\n  %0 = quant.constant dense<1.0> : tensor<f32> loc("\xff")\n}\n'
    with pytest.raises(ParseError, match=r"invalid UTF-8 \(byte 0xff\)") as error:
        parse_module(data, name="x.mlir")
    assert str(error.value.span.get_location()) == "x.mlir:2:53"


def test_absurd_tensor_shape_is_a_parse_error_before_any_allocation() -> None:
    # A splat of tensor<65536x65536xf32> made xDSL allocate 16 GiB (MemoryError).
    text = "builtin.module {\n  %0 = quant.constant dense<0.0> : tensor<65536x65536xf32>\n}\n"
    assert check_ir_error(text) == (
        "<string>:2:36: shape 65536x65536 has 4294967296 elements (more than 2147483647)"
    )
    # The same text inside a string literal is not a type.
    text = 'builtin.module {\n  %0 = quant.constant dense<0.0> : tensor<f32> loc("tensor<65536x65536xf32>")\n}\n'
    assert qnn_fuzz.check_ir(text, "cse").ok


def test_operand_used_before_its_definition_is_a_verify_error() -> None:
    # xDSL resolves the forward reference and does not check dominance;
    # convert-to-dataflow then crashed erasing an op whose result was still used.
    text = (
        "builtin.module {\n"
        "  func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {\n"
        "    %y = quant.add %z, %x : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>\n"
        "    %z = quant.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>\n"
        "    func.return %y : tensor<1x4xf32>\n"
        "  }\n"
        "}\n"
    )
    assert check_ir_error(text) == "quant.add: operand %z is used before its definition"


def test_dense_hex_literal_of_the_wrong_length_is_a_verify_error() -> None:
    # xDSL accepted 5 bytes for a tensor<1xf32>; printing the module (print_dense's
    # np.frombuffer) and lower-quant-to-streamline (xDSL's unpack) then raised ValueError.
    text = 'builtin.module {\n  %0 = quant.constant dense<"0x0000803F00"> : tensor<1xf32>\n}\n'
    assert check_ir_error(text) == (
        "quant.constant: 'value' holds 5 bytes of data for tensor<1xf32> (4 bytes)"
    )


def test_matmul_with_a_scalar_operand_is_a_verify_error() -> None:
    # matmul_shape indexed the last axis of a rank-0 shape: IndexError at import/verify.
    text = (
        "builtin.module {\n"
        "  func.func @main(%x: tensor<f32>) -> tensor<4xf32> {\n"
        "    %w = quant.constant dense<1.0> : tensor<4x4xf32>\n"
        "    %y = quant.matmul %x, %w : (tensor<f32>, tensor<4x4xf32>) -> tensor<4xf32>\n"
        "    func.return %y : tensor<4xf32>\n"
        "  }\n"
        "}\n"
    )
    assert check_ir_error(text) == (
        "quant.matmul: matmul operands must have rank >= 1, got () and (4, 4)"
    )


def test_import_prints_nothing_while_qonnx_cleans_up() -> None:
    # qonnx warned (old-style domain, 'Output shapes disagree after node' with the node's
    # protobuf text) and onnxruntime logged shape-merge warnings on stderr during cleanup.
    assert qnn_fuzz.check_onnx(tiny_model(domain="finn").SerializeToString()).ok
    model = tiny_model()
    model.graph.node[2].input[0] = "s"  # MatMul(scalar, w): the shapes disagree in cleanup
    outcome = qnn_fuzz.check_onnx(model.SerializeToString())
    assert not outcome.ok and outcome.stage == "import"


def test_weight_holding_nan_is_a_lowering_error() -> None:
    # The weight quantizer turned NaN into int64's minimum: lower-quant-to-streamline
    # emitted a constant that fails its own verifier ('values do not fit !quant.int<4>').
    model = tiny_model()
    w = numpy_helper.to_array(model.graph.initializer[3]).copy()
    w[0, 0] = np.nan
    model.graph.initializer[3].CopyFrom(numpy_helper.from_array(w, "w"))
    outcome = qnn_fuzz.check_onnx(model.SerializeToString())
    assert outcome.message == "quant.quant 'q_w': weight quantizer of a constant holding NaN"


def test_malformed_complex_literal_is_a_parse_error() -> None:
    # xDSL's parser asserted the token after a complex literal's second part
    # (AssertionError: Unexpected token ..., expected MLIRTokenKind.R_PAREN).
    text = (
        "builtin.module {\n  %0 = quant.constant dense<(1.0, 2.0, 3.0)> : tensor<complex<f32>>\n}\n"
    )
    assert check_ir_error(text) == "<string>:2:38: unexpected ','"


def test_batchnorm_with_negative_variance_is_a_lowering_error() -> None:
    # sqrt(var + eps) of a negative variance warned 'invalid value encountered in sqrt'
    # on stderr and lowered to NaN scales.
    model = onnx.load(qnn_fuzz.MODELS / "signed_input.onnx")
    for i, tensor in enumerate(model.graph.initializer):
        if tensor.name == "BatchNormalization_0_param3":  # var
            var = -numpy_helper.to_array(tensor)
            model.graph.initializer[i].CopyFrom(numpy_helper.from_array(var, tensor.name))
    outcome = qnn_fuzz.check_onnx(model.SerializeToString())
    assert outcome.message.startswith(
        "quant.batchnorm 'BatchNormalization_0': var + epsilon must be positive, got -0."
    ), outcome.message


def test_huge_weight_quantizes_without_a_warning() -> None:
    # x / scale overflowing float32 printed 'RuntimeWarning: overflow encountered in
    # divide' on stderr; the quotient is clamped to the quantizer's range like infinity.
    model = tiny_model()
    w = numpy_helper.to_array(model.graph.initializer[3]).copy()
    w[0, 0] = 3e38
    model.graph.initializer[3].CopyFrom(numpy_helper.from_array(w, "w"))
    assert qnn_fuzz.check_onnx(model.SerializeToString()).ok


def test_import_error_naming_a_tensor_with_a_line_break_is_one_line() -> None:
    # The message quoted the name as is: two lines.
    model = tiny_model()
    model.graph.node[2].input[0] = "never\nproduced"
    outcome = qnn_fuzz.check_onnx(model.SerializeToString())
    assert outcome.message == r"MatMul node 'mm': tensor 'never\nproduced' is never produced"


def test_name_that_is_not_utf8_is_an_import_error() -> None:
    # protobuf returns such a string field as bytes: TypeError in the importer.
    model = tiny_model()
    model.graph.node[2].name = "Zm"
    data = model.SerializeToString().replace(b"Zm", b"\xcdm")
    outcome = qnn_fuzz.check_onnx(data)
    assert outcome.message == r"<stdin>: onnx.NodeProto.name is not UTF-8 text (b'\xcdm')"


def test_pass_error_naming_an_op_with_a_line_break_is_one_line() -> None:
    # The lowering quoted the op's location name as is: two lines.
    text = (
        "builtin.module {\n"
        "  func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {\n"
        "    %s = quant.constant dense<1.0> : tensor<4xf32>\n"
        "    %v = quant.constant dense<-1.0> : tensor<4xf32>\n"
        "    %y = quant.batchnorm %x, %s, %s, %s, %v {epsilon = 1.000000e-05 : f32} : (tensor<1x4xf32>,"
        " tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4xf32>"
        ' loc("bn\\nx")\n'
        "    func.return %y : tensor<1x4xf32>\n"
        "  }\n"
        "}\n"
    )
    assert check_ir_error(text).startswith(r"quant.batchnorm 'bn\nx': var + epsilon")


# --------------------------------------------------------------------------- command line

BIN = Path(sys.executable).parent


def _cli_cases(tmp: Path) -> dict[str, Path]:
    """Mutated inputs, each failing in a different place: file name -> path."""
    cases: dict[str, bytes] = {}
    cases["truncated.onnx"] = (qnn_fuzz.MODELS / "signed_input.onnx").read_bytes()[:3000]
    model = tiny_model()
    model.graph.node[1].op_type = "Foo"
    cases["unsupported.onnx"] = model.SerializeToString()
    model = tiny_model()
    model.graph.node[2].input[0] = "m"  # MatMul reads its own output: a cycle
    cases["cycle.onnx"] = model.SerializeToString()
    model = tiny_model()
    model.graph.node[2].name = "Zm"
    cases["not_utf8.onnx"] = model.SerializeToString().replace(b"Zm", b"\xcdm")
    model = tiny_model()
    w = numpy_helper.to_array(model.graph.initializer[3]).copy()
    w[0, 0] = np.nan
    model.graph.initializer[3].CopyFrom(numpy_helper.from_array(w, "w"))
    cases["nan_weight.onnx"] = model.SerializeToString()  # fails in streamline
    seed = (qnn_fuzz.CORPUS / "ir" / "signed_input.quant.mlir").read_text()
    cases["unterminated.mlir"] = seed.replace("ROUND", 'ROUND"', 1).encode()
    cases["not_utf8.mlir"] = seed.replace('"ROUND"', '"\xff"', 1).encode("latin-1")
    paths = {}
    for name, data in cases.items():
        (tmp / name).write_bytes(data)
        paths[name] = tmp / name
    return paths


def test_cli_one_line_errors_and_no_output_on_mutated_inputs(tmp_path: Path) -> None:
    """`qnn-opt bad -p ... -o out.mlir` and `qnn-build bad.onnx -o OUT` (quiet, and with
    progress lines for one case): exit 1, one error line on stderr, nothing written."""
    inputs = _cli_cases(tmp_path)
    runs: dict[tuple[str, str], tuple[list[str], Path]] = {}
    for name, path in inputs.items():
        out = tmp_path / f"{name}.out.mlir"
        command = [str(BIN / "qnn-opt"), str(path), "-p", qnn_fuzz.ONNX_PIPELINE, "-o", str(out)]
        runs[("qnn-opt", name)] = (command, out)
        if path.suffix == ".onnx":
            out = tmp_path / f"{name}.OUT"
            quiet = [] if name == "nan_weight.onnx" else ["-q"]
            command = [str(BIN / "qnn-build"), str(path), "-o", str(out), *quiet]
            runs[("qnn-build", name)] = (command, out)
    processes = {
        key: subprocess.Popen(
            command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for key, (command, _) in runs.items()
    }
    for (tool, name), process in processes.items():
        stdout, stderr = process.communicate(timeout=300)
        lines = stderr.splitlines()
        progress = [line for line in lines[:-1] if line.startswith("[")]
        assert process.returncode == 1, (tool, name, stderr)
        assert stdout == "", (tool, name, stdout)
        assert len(lines) == 1 + len(progress), (tool, name, stderr)
        assert lines[-1].startswith(f"{tool}: error: "), (tool, name, stderr)
        assert not runs[tool, name][1].exists(), (tool, name)
        if tool == "qnn-build" and name == "nan_weight.onnx":
            assert progress and lines[-1].startswith("qnn-build: error: streamline: "), stderr
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name not in inputs)
    assert leftovers == [], leftovers  # no temporary file or directory left behind


def test_onnxruntime_error_during_cleanup_prints_nothing() -> None:
    # qonnx folds constants with onnxruntime, which logged the failing kernel as an
    # error ('[E:onnxruntime:...] Non-zero status code ...') before the exception.
    model = tiny_model()
    model.graph.initializer.extend(
        [
            numpy_helper.from_array(np.ones(3, np.float32), "c"),
            numpy_helper.from_array(np.array([1, 2], np.int64), "shape"),
        ]
    )
    model.graph.node.extend(
        [
            helper.make_node("Reshape", ["c", "shape"], ["cr"], name="rs"),
            helper.make_node("Add", ["y", "cr"], ["y2"], name="add"),
        ]
    )
    model.graph.output[0].name = "y2"
    outcome = qnn_fuzz.check_onnx(model.SerializeToString())
    assert outcome.message.startswith("model 'tiny': qonnx cleanup failed: "), outcome.message


@pytest.mark.parametrize("bits", ["65.0", "2147483648.0", "0x7F800000"])
def test_quantizer_wider_than_64_bits_is_a_lowering_error(bits: str) -> None:
    # 2^31 bits: building the range [-(1 << (b - 1)), ...] and formatting it raised
    # ValueError (integer string conversion limit); 65 bits: ValueError from
    # smallest_datatype; both out of lower-quant-to-streamline.
    seed = (qnn_fuzz.CORPUS / "ir" / "signed_input.quant.mlir").read_text()
    for old in ("dense<8.000000e+00>", "dense<4.000000e+00>"):  # activation, weight
        text = seed.replace(old, f"dense<{bits}>", 1)
        message = check_ir_error(text)
        assert message.startswith("quant.quant %Quant_"), message
        assert message.endswith(" is more than 64 bits"), message


def test_activation_quantizer_needing_too_many_thresholds_is_a_lowering_error() -> None:
    # A 64-bit activation quantizer: np.arange over 2^64 levels raised 'ValueError:
    # Maximum allowed size exceeded' in quant_staircase.
    seed = (qnn_fuzz.CORPUS / "ir" / "signed_input.quant.mlir").read_text()
    text = seed.replace("dense<8.000000e+00>", "dense<64.0>", 1)  # the input quantizer
    assert check_ir_error(text) == (
        "quant.quant %Quant_0_out0: the output range [-9223372036854775808, "
        "9223372036854775807] needs 18446744073709551615 thresholds per channel "
        "(at most 65535: 16 bits)"
    )
    sixteen = seed.replace("dense<8.000000e+00>", "dense<16.0>", 1)
    assert qnn_fuzz.check_ir(sixteen, "lower-quant-to-streamline").ok


def test_signaling_nan_constant_lowers_without_a_warning() -> None:
    # Casting a float32 signaling NaN (0x7F800001) to float64 printed 'RuntimeWarning:
    # invalid value encountered in cast' from _float_operand.
    model = onnx.load(qnn_fuzz.MODELS / "signed_input.onnx")
    for i, tensor in enumerate(model.graph.initializer):
        if tensor.name == "BatchNormalization_0_param1":  # bias, a float operand
            bias = numpy_helper.to_array(tensor).copy()
            bias.view(np.uint32)[0] = 0x7F800001
            model.graph.initializer[i].CopyFrom(numpy_helper.from_array(bias, tensor.name))
    qnn_fuzz.check_onnx(model.SerializeToString())  # compiles or fails, silently


def test_division_by_a_zero_constant_lowers_without_a_warning() -> None:
    # Div(x, 0) lowers to mul(x, 1 / 0) = mul(x, inf), which printed 'RuntimeWarning:
    # divide by zero encountered in divide'.
    model = onnx.load(qnn_fuzz.MODELS / "tfc_like_dynamo.onnx")
    for node in model.graph.node:
        if node.op_type == "Div":
            node.input[1] = "Quant_5_param1"  # a zero-point: 0.0
    assert qnn_fuzz.check_onnx(model.SerializeToString()).ok


def test_string_attribute_that_is_not_utf8_is_an_import_error() -> None:
    # str_attr decoded it: UnicodeDecodeError.
    model = tiny_model()
    data = model.SerializeToString().replace(b"ROUND", b"\xffOUND", 1)
    assert qnn_fuzz.check_onnx(data).message == (
        r"Quant node 'q_in': attribute 'rounding_mode' = b'\xffOUND' is not UTF-8 text"
    )


def test_output_declared_with_another_element_type_is_an_import_error() -> None:
    # A graph output declared INT64 typed quant.quant's result i64; lowering then
    # returned f32 from a function declared to return i64 (invalid IR after the pass).
    model = tiny_model()
    model.graph.output[0].type.tensor_type.elem_type = onnx.TensorProto.INT64
    assert qnn_fuzz.check_onnx(model.SerializeToString()).message == (
        "Quant node 'q_out': output 'global_out' is declared i64, but the op computes f32"
    )


@pytest.mark.parametrize("zeropt", ["9223372036854775807.0", "1.0e30"])
def test_huge_activation_zero_point_lowers(zeropt: str) -> None:
    # The integer bias -zeropt overflowed int64: smallest_datatype raised 'ValueError:
    # range [...] needs more than 64 bits' in Emitter.constant. Such a term is a float bias.
    seed = (qnn_fuzz.CORPUS / "ir" / "signed_input.quant.mlir").read_text()
    old = "%Quant_0_param1 = quant.constant dense<0.000000e+00>"
    text = seed.replace(old, f"%Quant_0_param1 = quant.constant dense<{zeropt}>", 1)
    assert text != seed
    assert qnn_fuzz.check_ir(text, qnn_fuzz.ONNX_PIPELINE).ok
