"""`convert-to-dataflow` preserves the function and leaves one partition of layers.

Every fixture model in `test/models/` that streamlines (all but `per_channel`) goes
through `lower-quant-to-streamline,streamline,convert-to-dataflow`; the result must hold
exactly one `dataflow.partition` containing only dataflow layers and constants, leave no
integer op outside it, and compute what the streamlined module computes on the sample
input and 10 random inputs (integers exactly, floats to rtol 1e-5). The hand-written
cases of `test/filecheck/passes/convert-to-dataflow.mlir` that convert are executed
before and after the pass the same way; the others must raise `ConversionError`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp, ReturnOp

from frontend import import_qonnx
from passes.convert_to_dataflow import ConvertToDataflowPass
from passes.errors import ConversionError
from passes.pipeline import run_pipeline
from passes.verify_each import first_difference, random_inputs
from qdialects import dataflow as df
from qdialects import make_context
from qdialects import streamline as sl
from qdialects.ir import parse_module
from qdialects.quant import ConstantOp
from qdialects.semantics import execute

ROOT = Path(__file__).resolve().parents[1]
MODELS_DIR = ROOT / "models"
CASES_FILE = ROOT / "filecheck" / "passes" / "convert-to-dataflow.mlir"
RANDOM_INPUTS = 10
UNSTREAMLINABLE = {"per_channel"}

MODELS = sorted(p for p in MODELS_DIR.glob("*.onnx") if p.stem not in UNSTREAMLINABLE)


def _assert_same(before: list[np.ndarray], after: list[np.ndarray], what: str) -> None:
    assert len(before) == len(after), what
    for index, (b, a) in enumerate(zip(before, after, strict=True)):
        difference = first_difference(b, a)
        assert difference is None, f"{what}, result #{index}: {difference}"


def _input_sets(module: ModuleOp, entry: str, sample: np.ndarray | None) -> list[list[np.ndarray]]:
    function = next(
        op for op in module.walk() if isinstance(op, FuncOp) and op.sym_name.data == entry
    )
    sets = random_inputs(function, RANDOM_INPUTS, seed=1)
    if sample is None:  # hand-written cases: float inputs over [-4, 4), not only [0, 1)
        sets = [[8 * x - 4 if x.dtype.kind == "f" else x for x in s] for s in sets]
    return ([[sample]] if sample is not None else []) + sets


def _check_structure(module: ModuleOp) -> None:
    partitions = [op for op in module.walk() if isinstance(op, df.PartitionOp)]
    assert len(partitions) == 1
    (partition,) = partitions
    for op in partition.block.ops:
        assert isinstance(op, df.Layer | ConstantOp | df.YieldOp), op.name
    # Outside: only the float edges (no op computes an integer from a non-constant integer).
    for op in module.walk():
        if op.parent_op() is partition or isinstance(op, ConstantOp | ReturnOp):
            continue
        dynamic_int = [
            v
            for v in op.operands
            if sl.is_integer_tensor(v) and not isinstance(v.owner, ConstantOp)
        ]
        if dynamic_int and not isinstance(op, df.PartitionOp):
            assert not any(sl.is_integer_tensor(r) for r in op.results), op.name


@pytest.fixture(scope="module", params=MODELS, ids=[p.stem for p in MODELS])
def streamlined(request: pytest.FixtureRequest) -> tuple[Path, str]:
    from qdialects.ir import print_module

    model: Path = request.param
    module = import_qonnx(model)
    run_pipeline(module, "lower-quant-to-streamline,streamline")
    return model, print_module(module)


def test_model(streamlined: tuple[Path, str]) -> None:
    model, text = streamlined
    module = parse_module(text)
    inputs = _input_sets(module, "main", np.load(model.with_suffix(".in.npy")))
    before = [execute(module, x) for x in inputs]
    run_pipeline(module, "convert-to-dataflow")
    _check_structure(module)
    for i, (x, reference) in enumerate(zip(inputs, before, strict=True)):
        _assert_same(reference, execute(module, x), f"{model.stem} on input set {i}")


def test_pipeline_string_and_verify_each() -> None:
    """The full pipeline string with --verify-each semantics on the sample input."""
    from passes.verify_each import VerifyEach

    model = MODELS_DIR / "tfc_like_ts.onnx"
    module = import_qonnx(model)
    sample = np.load(model.with_suffix(".in.npy"))
    run_pipeline(
        module,
        "lower-quant-to-streamline,streamline,convert-to-dataflow",
        verify_each=VerifyEach(inputs=[sample]),
    )
    _check_structure(module)


# --------------------------------------------------------------------------- lit cases


def _cases() -> list[tuple[str, str]]:
    cases = []
    for chunk in CASES_FILE.read_text().split("// -----"):
        module = parse_module(chunk)
        for op in module.body.block.ops:
            if isinstance(op, FuncOp):
                cases.append((op.sym_name.data, chunk))
    return cases


CASES = _cases()
ERROR_CASES = {name for name, chunk in CASES if "// CHECK: convert-to-dataflow:" in chunk}


@pytest.mark.parametrize(("name", "text"), CASES, ids=[name for name, _ in CASES])
def test_case(name: str, text: str) -> None:
    module = parse_module(text)
    if name in ERROR_CASES:
        with pytest.raises(ConversionError, match=r"^convert-to-dataflow: streamline\."):
            ConvertToDataflowPass().apply(make_context(), module)
        return
    inputs = _input_sets(module, name, None)
    before = [execute(module, x, entry=name) for x in inputs]
    ConvertToDataflowPass().apply(make_context(), module)
    module.verify()
    for i, (x, reference) in enumerate(zip(inputs, before, strict=True)):
        _assert_same(reference, execute(module, x, entry=name), f"{name} on input set {i}")
