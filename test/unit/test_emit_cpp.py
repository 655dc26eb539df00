"""HLS C++ emission and C simulation (`backend_hls.emit`, `backend_hls.csim`).

Fixture models are converted (`lower-quant-to-streamline,streamline,convert-to-dataflow`)
at PE = SIMD = 1 and folded (`set-folding` + the hardware passes: width converters and
FIFOs), two MLPs also fully unfolded; a hand-written partition covers every layer kind
(concat, label_select, channelwise, sum pool with shift, standalone thresholds, several
outputs, FIFO on a port) and carries hostile layer names. Every tree is built once with
`-std=c++14 -O2 -Wall -Wextra -Werror` (the builds run in parallel) and then:

* the partition's outputs from the C simulation equal `execute` of the partition bit for
  bit (`csim_partition`);
* the model's outputs equal qonnx's `execute_onnx` (rtol 1e-5, same argmax) (`csim`).
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp

import backend_hls
from backend_hls import toolchain
from backend_hls.csim import CsimError, build
from backend_hls.emit_cpp import (
    EmitError,
    cpp_identifier,
    emit_files,
)
from backend_hls.naming import kernel_layers
from backend_hls.runtime.packing import hex_literals, lane_codes, pack_words, unpack_words
from qdialects import dataflow as df
from qdialects.dataflow import PartitionError, naming, require_partition
from qdialects.ir import parse_module
from qdialects.semantics import execute, make_interpreter
from qdialects.streamline import matmul_range
from qdialects.types import BipolarType, IntType, UIntType

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
MODELS = (
    "tfc_like_ts",
    "cnv_like",
    "depthwise_sep",
    "residual",
    "avgpool_trunc",
    "global_avgpool",
    "bipolar_mlp",
)
CONVERT = "lower-quant-to-streamline,streamline,convert-to-dataflow"
FOLD = "set-folding{target-fps=1000000},minimize-bit-width,insert-dwc,insert-fifos,size-fifos"
UNFOLDED = ("tfc_like_ts", "bipolar_mlp")
"""Their folded variant is fully unfolded (every MVAU PE = MH, SIMD = MW) instead."""
FOLDINGS = ("pe1", "folded")
FRAMES = 5

try:
    toolchain.find_ap_types_dir()
    toolchain.find_cxx()
    HAVE_TOOLCHAIN = True
except toolchain.ToolchainError:
    HAVE_TOOLCHAIN = False
needs_gxx = pytest.mark.skipif(not HAVE_TOOLCHAIN, reason="g++ or the ap_types headers missing")


# --------------------------------------------------------------------------- the zoo


def _dense(array: np.ndarray) -> str:
    return (
        "dense<" + np.array2string(array, separator=", ", threshold=10**6).replace("\n", "") + ">"
    )


def _constant(name: str, array: np.ndarray, datatype: str) -> str:
    shape = "x".join(map(str, array.shape))
    return (
        f"  %{name} = quant.constant {_dense(array)} : tensor<{shape}xi32> -> "
        f"tensor<{shape}x{datatype}>"
    )


def zoo_module(names: dict[str, str] | None = None) -> str:
    """A partition with every kind of layer (random constants, fixed seed); `names` maps
    an SSA name to a `qnn.name` for its layer."""
    rng = np.random.default_rng(7)
    names = names or {}
    wd = rng.integers(-2, 2, size=(9, 4))
    td = np.sort(rng.integers(-20, 20, size=(1, 3)), axis=1)
    t = np.sort(rng.integers(-1, 4, size=(4, 3)), axis=1)
    p = rng.integers(0, 8, size=(4,))
    wm = rng.integers(-4, 4, size=(4, 3))
    acc_lo, acc_hi = matmul_range((0, 511), wm)
    acc = IntType(max(int(acc_hi).bit_length(), int(-acc_lo - 1).bit_length()) + 1)

    def s(shape: str, element: str, lanes: int, extra: str = "") -> str:
        return f"!dataflow.stream<{shape}x!quant.{element}, lanes {lanes}{extra}>"

    def attrs(ssa: str, text: str) -> str:
        if ssa in names:
            text = (
                f'{text}, "qnn.name" = "{names[ssa]}"' if text else f'"qnn.name" = "{names[ssa]}"'
            )
        return "{" + text + "}" if text else ""

    x = s("4x4x4", "uint<2>", 2)
    lines = [
        "func.func @zoo(%x : tensor<3x4x4x4x!quant.uint<2>>) -> "
        f"(tensor<3x3x{acc}>, tensor<3x2x!quant.uint<2>>) {{",
        _constant("wd", wd, "!quant.int<2>"),
        _constant("td", td, "!quant.int<7>"),
        _constant("t", t, "!quant.int<3>"),
        _constant("p", p, "!quant.uint<3>"),
        _constant("wm", wm, "!quant.int<3>"),
        "  %r0, %r1 = dataflow.partition(%x) : (tensor<3x4x4x4x!quant.uint<2>>) -> "
        f"(tensor<3x3x{acc}>, tensor<3x2x!quant.uint<2>>) {{",
        f"  ^bb0(%s : {x}):",
        f"    %in = dataflow.fifo %s {attrs('in', 'depth = 4 : i64')} : ({x}) -> {x}",
    ]
    pad = s("6x6x4", "uint<2>", 2)
    win = s("4x4x36", "uint<2>", 2, ", depthwise 9")
    u2 = s("4x4x4", "uint<2>", 2)
    u3 = s("4x4x4", "uint<3>", 2)
    mp = s("2x2x4", "uint<2>", 2)
    ps = s("1x1x4", "uint<2>", 2)
    cw = s("1x1x4", "uint<5>", 2)
    flat = s("4", "uint<5>", 2)
    cat = s("8", "uint<5>", 2)
    back = s("1x2x4", "uint<5>", 2)
    g = s("1x1x4", "uint<9>", 2)
    g1 = s("4", "uint<9>", 2)
    g2 = s("4", "uint<9>", 1)
    mv = f"!dataflow.stream<3x{acc}, lanes 1>"
    ls = s("2", "uint<2>", 1)
    a = {
        "pad": attrs("pad", "pads = array<i64: 1, 1, 1, 1>, simd = 2 : i64"),
        "win": attrs(
            "win",
            "kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64, depthwise = true",
        ),
        "dw": attrs(
            "dw", 'simd = 1 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>, ram_style = "block"'
        ),
        "a": attrs("a", "pe = 2 : i64"),
        "sum": attrs("sum", "pe = 2 : i64"),
        "th": attrs("th", "pe = 2 : i64"),
        "mp": attrs("mp", "kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pe = 2 : i64"),
        "pm": attrs(
            "pm", 'kernel = array<i64: 1, 1>, stride = array<i64: 1, 1>, pe = 2 : i64, mode = "max"'
        ),
        "ps": attrs(
            "ps",
            'kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, pe = 2 : i64, mode = "sum", shift = 2 : i64',
        ),
        "cw": attrs("cw", 'op = "mul", pe = 2 : i64'),
        "flat": attrs("flat", ""),
        "f1": attrs("f1", "pe = 2 : i64"),
        "cat": attrs("cat", "simd = 2 : i64"),
        "g": attrs("g", "pe = 2 : i64"),
        "gf": attrs("gf", "depth = 8 : i64"),
        "g2": attrs("g2", ""),
        "mv": attrs("mv", f"simd = 1 : i64, pe = 1 : i64, acc_dtype = {acc}"),
    }
    lines += [
        f"    %pad = dataflow.fm_padding %in {a['pad']} : ({x}) -> {pad}",
        f"    %win = dataflow.swg %pad {a['win']} : ({pad}) -> {win}",
        f"    %dw = dataflow.vvau %win, %wd, %td {a['dw']} : ({win}, tensor<9x4x!quant.int<2>>, tensor<1x3x!quant.int<7>>) -> {u2}",
        f"    %a, %b = dataflow.duplicate_streams %dw {a['a']} : ({u2}) -> ({u2}, {u2})",
        f"    %sum = dataflow.add_streams %a, %b {a['sum']} : ({u2}, {u2}) -> {u3}",
        f"    %th = dataflow.thresholding %sum, %t {a['th']} : ({u3}, tensor<4x3x!quant.int<3>>) -> {u2}",
        f"    %mp = dataflow.maxpool %th {a['mp']} : ({u2}) -> {mp}",
        f"    %pm = dataflow.pool %mp {a['pm']} : ({mp}) -> {mp}",
        f"    %ps = dataflow.pool %pm {a['ps']} : ({mp}) -> {ps}",
        f"    %cw = dataflow.channelwise %ps, %p {a['cw']} : ({ps}, tensor<4x!quant.uint<3>>) -> {cw}",
        f"    %flat = dataflow.reshape %cw {a['flat']} : ({cw}) -> {flat}",
        f"    %f1, %f2 = dataflow.duplicate_streams %flat {a['f1']} : ({flat}) -> ({flat}, {flat})",
        f"    %cat = dataflow.concat %f1, %f2 {a['cat']} : ({flat}, {flat}) -> {cat}",
        f"    %back = dataflow.reshape %cat : ({cat}) -> {back}",
        f"    %g = dataflow.global_acc_pool %back {a['g']} : ({back}) -> {g}",
        f"    %g1 = dataflow.reshape %g : ({g}) -> {g1}",
        f"    %gf = dataflow.fifo %g1 {a['gf']} : ({g1}) -> {g1}",
        f"    %g2 = dataflow.dwc %gf {a['g2']} : ({g1}) -> {g2}",
        f"    %mv = dataflow.mvau %g2, %wm {a['mv']} : ({g2}, tensor<4x3x!quant.int<3>>) -> {mv}",
        f"    %o1, %o2 = dataflow.duplicate_streams %mv {{pe = 1 : i64}} : ({mv}) -> ({mv}, {mv})",
        f"    %ls = dataflow.label_select %o2 {attrs('ls', 'k = 2 : i64, pe = 1 : i64')} : ({mv}) -> {ls}",
        f"    %out = dataflow.fifo %ls {{depth = 2 : i64}} : ({ls}) -> {ls}",
        f"    dataflow.yield %o1, %out : {mv}, {ls}",
        "  }",
        f"  func.return %r0, %r1 : tensor<3x3x{acc}>, tensor<3x2x!quant.uint<2>>",
        "}",
    ]
    return "\n".join(lines) + "\n"


HOSTILE = {
    "in": "in0_V",  # the top function's port name
    "pad": "1st layer!",
    "win": "int",
    "dw": "top",
    "a": "MVAU_0",
    "sum": "MVAU_0",
    "th": "名前 with spaces",
    "mp": "a__b--c",
    "pm": "x" * 80,
    "ps": "weights",
    "cw": "namespace",
    "cat": "params",
    "g": "qnn",
    "mv": "main",
    "ls": "csim",
}


# --------------------------------------------------------------------------- trees


@dataclass
class Tree:
    name: str
    module: ModuleOp
    out: Path
    model: Path | None = None
    build_error: str | None = None


def _unfold(module: ModuleOp) -> None:
    from passes import dataflow_folding as fold

    partition = require_partition(module, "test")
    for layer in partition.layers():
        if isinstance(layer, df.MVAUOp):
            mw, mh = layer.matrix_shape()
            fold.refold(layer, pe=mh, simd=mw)


def _convert(model: str) -> tuple[ModuleOp, ModuleOp]:
    """The model at PE = SIMD = 1 and folded (fully unfolded for `UNFOLDED`)."""
    from frontend import import_qonnx
    from passes.pipeline import run_pipeline

    module = import_qonnx(MODELS_DIR / f"{model}.onnx")
    run_pipeline(module, CONVERT)
    folded = module.clone()
    if model in UNFOLDED:
        _unfold(folded)
        run_pipeline(folded, "minimize-bit-width,insert-fifos")
    else:
        run_pipeline(folded, FOLD)
    return module, folded


CASES = [(m, f) for m in MODELS for f in FOLDINGS]


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Tree]:
    """Every tree emitted, then built in parallel (one g++ per tree)."""
    if not HAVE_TOOLCHAIN:
        pytest.skip("g++ or the ap_types headers missing")
    root = tmp_path_factory.mktemp("emit_cpp")
    result: dict[str, Tree] = {}
    for model in MODELS:
        for folding, module in zip(FOLDINGS, _convert(model), strict=True):
            name = f"{model}-{folding}"
            out = root / name
            backend_hls.emit(module, out)
            result[name] = Tree(name, module, out, MODELS_DIR / f"{model}.onnx")
    zoo = parse_module(zoo_module(HOSTILE))
    zoo.verify()
    backend_hls.emit(zoo, root / "zoo")
    result["zoo"] = Tree("zoo", zoo, root / "zoo")

    def build_one(tree: Tree) -> None:
        try:
            build(tree.out)
        except CsimError as error:
            tree.build_error = str(error)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        list(pool.map(build_one, result.values()))
    return result


def _main_shape(module: ModuleOp) -> tuple[int, ...]:
    func = next(op for op in module.walk() if isinstance(op, FuncOp) and op.sym_name.data == "main")
    return tuple(func.function_type.inputs.data[0].get_shape())  # type: ignore[attr-defined]


def _inputs(tree: Tree) -> np.ndarray:
    assert tree.model is not None
    rng = np.random.default_rng(len(tree.model.stem))  # the same frames for both foldings
    return rng.random((FRAMES, *_main_shape(tree.module)), dtype=np.float32)


@functools.cache
def _qonnx(model: Path, frames_key: bytes, shape: tuple[int, ...]) -> np.ndarray:
    frames = np.frombuffer(frames_key, dtype=np.float32).reshape(shape)
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.util.cleanup import cleanup_model

    wrapper = cleanup_model(ModelWrapper(str(model)))
    name_in, name_out = wrapper.graph.input[0].name, wrapper.graph.output[0].name
    return np.concatenate(
        [np.asarray(execute_onnx(wrapper, {name_in: f})[name_out]) for f in frames]
    )


# --------------------------------------------------------------------------- models


@needs_gxx
@pytest.mark.parametrize("case", [f"{m}-{f}" for m, f in CASES])
def test_model(trees: dict[str, Tree], case: str) -> None:
    tree = trees[case]
    assert tree.build_error is None, tree.build_error
    frames = _inputs(tree)
    # the partition, bit for bit
    interpreter = make_interpreter(tree.module)
    partition = require_partition(tree.module, "test")
    host = make_interpreter(parse_module((tree.out / "csim/host.mlir").read_text()))
    pre = host.get_op_for_symbol("pre")
    ints = np.concatenate([np.asarray(host.call_op(pre, (f,))[0]) for f in frames])
    expected = [np.asarray(r) for r in interpreter.run_op(partition, (ints,))]
    stats: dict[str, float] = {}
    got = backend_hls.csim_partition(tree.out, [ints], stats=stats)
    assert stats["build_seconds"] == 0.0  # built once, by the fixture
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_array_equal(g, e)
    # the model, against qonnx
    assert tree.model is not None
    y = np.asarray(backend_hls.csim(tree.out, frames))
    reference = _qonnx(tree.model, frames.tobytes(), frames.shape)
    y = y.reshape(reference.shape)
    np.testing.assert_allclose(y, reference, rtol=1e-5, atol=1e-6 * float(np.abs(reference).max()))
    assert (y.reshape(FRAMES, -1).argmax(1) == reference.reshape(FRAMES, -1).argmax(1)).all()
    # the model's own semantics, frame by frame (the same numbers)
    own = np.concatenate([execute(tree.module, [f])[0] for f in frames])
    np.testing.assert_array_equal(y.reshape(own.shape), own)


@needs_gxx
def test_unfolded_weights_are_constants(trees: dict[str, Tree]) -> None:
    """A fully unfolded MVAU: PE single-word rows in a static const table, read at
    constant index 0, and no BIND_STORAGE (no memory)."""
    for model in UNFOLDED:
        tree = trees[f"{model}-folded"]
        for op, name in naming.layer_names(require_partition(tree.module, "test")).items():
            if not isinstance(op, df.MVAUOp):
                continue
            assert op.is_fully_unfolded()
            kernel = (tree.out / f"hls/{name}.cpp").read_text()
            params = (tree.out / f"hls/params/{name}.h").read_text()
            assert "fully unfolded" in kernel and "BIND_STORAGE" not in kernel
            _, mh = op.matrix_shape()
            assert re.search(rf"static const ap_uint<\d+> weights\[{mh}\]\[1\] =", params)


# --------------------------------------------------------------------------- the zoo


@needs_gxx
def test_zoo_bit_exact(trees: dict[str, Tree]) -> None:
    tree = trees["zoo"]
    assert tree.build_error is None, tree.build_error
    rng = np.random.default_rng(3)
    x = rng.integers(0, 4, size=(3, 4, 4, 4))
    expected = execute(tree.module, [x], entry="zoo")
    got = backend_hls.csim_partition(tree.out, x)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_array_equal(g, e)


@needs_gxx
def test_hostile_names(trees: dict[str, Tree]) -> None:
    """Layer names from hostile `qnn.name`s are safe, distinct identifiers and file
    names; the top's port and stream names avoid every layer name."""
    tree = trees["zoo"]
    names = naming.layer_names(require_partition(tree.module, "test"))
    values = list(names.values())
    assert len({v.lower() for v in values}) == len(values)
    for name in values:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name) and "__" not in name
    for op in kernel_layers(require_partition(tree.module, "test")):
        assert (tree.out / f"hls/{names[op]}.cpp").is_file()
    top = (tree.out / "hls/top.cpp").read_text()
    signature = re.search(r"void top\((.*)\)", top)
    assert signature is not None
    ports = re.findall(r"&(\w+)", signature.group(1))
    assert ports == ["in0_V_2", "out0_V", "out1_V"]  # a layer is named in0_V
    assert tree.build_error is None  # it compiled with -Wall -Wextra -Werror


def test_cpp_identifier() -> None:
    taken: set[str] = set()
    assert cpp_identifier("MVAU_0", taken) == "MVAU_0"
    assert cpp_identifier("mvau_0", taken) == "mvau_0_2"
    assert cpp_identifier("1 bad-name", taken) == "s_1_bad_name"
    assert cpp_identifier("int", taken) == "s_int"
    assert cpp_identifier("ap_uint", taken) == "s_ap_uint"
    assert cpp_identifier("size_t", taken) == "s_size_t"
    assert cpp_identifier("", taken) == "s"
    assert cpp_identifier("a__b", taken) == "a_b"
    assert len(cpp_identifier("y" * 200, taken)) <= naming.MAX_NAME


def test_header_clash_is_rejected() -> None:
    module = parse_module(zoo_module({"mv": "ap_uint"}))
    with pytest.raises(EmitError, match="collides with a name of the C"):
        emit_files(module)


@needs_gxx
def test_layer_files_compile_alone(trees: dict[str, Tree], tmp_path: Path) -> None:
    """Each kernel file is self-contained (what a per-layer Vitis HLS project compiles)."""
    tree = trees["zoo"]
    names = naming.layer_names(require_partition(tree.module, "test"))
    picked = [
        names[op]
        for op in require_partition(tree.module, "test").layers()
        if isinstance(op, df.VVAUOp | df.ConcatOp | df.MVAUOp)
    ]
    include = toolchain.find_ap_types_dir()

    def compile_one(name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [toolchain.find_cxx(), "-std=c++14", "-O2", "-Wall", "-Wextra", "-Werror",
             "-fsyntax-only", "-isystem", str(include), "-I", str(tree.out / "hls/lib"),
             "-I", str(tree.out / "hls"), str(tree.out / f"hls/{name}.cpp")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip

    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, proc in zip(picked, pool.map(compile_one, picked), strict=True):
            assert proc.returncode == 0, f"{name}: {proc.stderr[:2000]}"


# --------------------------------------------------------------------------- errors


def _mvau_module(attrs: str, out_type: str = "!quant.uint<2>", n: int = 3) -> str:
    return f"""
func.func @f(%x : tensor<1x4x!quant.uint<2>>) -> tensor<1x2x{out_type}> {{
  %w = quant.constant dense<[[1, -1], [1, 0], [0, 1], [1, 1]]> : tensor<4x2xi8> -> tensor<4x2x!quant.int<2>>
  %t = quant.constant dense<[[{", ".join(["0"] * n)}]]> : tensor<1x{n}xi8> -> tensor<1x{n}x!quant.int<5>>
  %r = dataflow.partition(%x) : (tensor<1x4x!quant.uint<2>>) -> tensor<1x2x{out_type}> {{
  ^bb0(%s : !dataflow.stream<4x!quant.uint<2>, lanes 1>):
    %o = dataflow.mvau %s, %w, %t {{simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>{attrs}}} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>, tensor<4x2x!quant.int<2>>, tensor<1x{n}x!quant.int<5>>) -> !dataflow.stream<2x{out_type}, lanes 1>
    dataflow.yield %o : !dataflow.stream<2x{out_type}, lanes 1>
  }}
  func.return %r : tensor<1x2x{out_type}>
}}
"""


def test_rejections() -> None:
    with pytest.raises(EmitError, match="out_scale 2 is not supported"):
        emit_files(parse_module(_mvau_module(", out_scale = 2 : i64", "!quant.uint<3>", 2)))
    with pytest.raises(PartitionError, match=r"no dataflow\.partition"):
        emit_files(parse_module("func.func @f() {\n  func.return\n}\n"))
    wide = parse_module(
        """
func.func @f(%x : tensor<1x520x!quant.uint<8>>) -> tensor<1x520x!quant.uint<8>> {
  %r = dataflow.partition(%x) : (tensor<1x520x!quant.uint<8>>) -> tensor<1x520x!quant.uint<8>> {
  ^bb0(%s : !dataflow.stream<520x!quant.uint<8>, lanes 520>):
    %o = dataflow.fifo %s {depth = 2 : i64} : (!dataflow.stream<520x!quant.uint<8>, lanes 520>) -> !dataflow.stream<520x!quant.uint<8>, lanes 520>
    dataflow.yield %o : !dataflow.stream<520x!quant.uint<8>, lanes 520>
  }
  func.return %r : tensor<1x520x!quant.uint<8>>
}
"""
    )
    with pytest.raises(EmitError, match="4160-bit stream words exceed AP_INT_MAX_W"):
        emit_files(wide)


def test_tree_target_refuses_foreign_directory(tmp_path: Path) -> None:
    from backend_hls.targets import TREE_MARKER, TreeOutputError, check_tree_output

    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(TreeOutputError, match="not written by qnn"):
        check_tree_output(tmp_path)
    (tmp_path / TREE_MARKER).write_text("hls-cpp\n")
    assert check_tree_output(tmp_path) == tmp_path


# --------------------------------------------------------------------------- packing


@pytest.mark.parametrize(
    ("lanes", "datatype"),
    [(3, IntType(8)), (40, IntType(2)), (1, BipolarType()), (100, UIntType(3)), (2, IntType(64))],
)
def test_packing_round_trip(lanes: int, datatype) -> None:
    rng = np.random.default_rng(lanes)
    if isinstance(datatype, BipolarType):
        values = rng.choice([-1, 1], size=(6, lanes))
    else:
        values = rng.integers(
            datatype.min_value, datatype.max_value, size=(6, lanes), endpoint=True
        )
    bits = datatype.bitwidth
    codes = lane_codes(values, datatype)
    words = pack_words(codes, bits)
    assert (unpack_words(words, lanes, bits) == codes).all()
    literals = hex_literals(words[None], lanes * bits, per_line=1000)[0].split(", ")
    for row, literal in zip(codes, literals, strict=True):
        expected = sum(int(c) << (i * bits) for i, c in enumerate(row))  # lane 0 at the LSB
        assert int(literal.strip('"'), 16) == expected


def test_packing_is_fast() -> None:
    """1.5 M 2-bit weights (CNV) pack and print in well under a second."""
    import time

    rng = np.random.default_rng(0)
    codes = lane_codes(rng.integers(-2, 2, size=(64, 23040, 1)), IntType(2))
    start = time.perf_counter()
    rows = hex_literals(pack_words(codes, 2), 2)
    assert time.perf_counter() - start < 2.0
    assert len(rows) == 64
