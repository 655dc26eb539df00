"""`passes.levels`: the level of a module is decided from the ops it holds, and every
level-bound pass refuses a module at another level (the messages are checked end to end
in test/filecheck/passes/levels.mlir)."""

from __future__ import annotations

from pathlib import Path

import pytest

from passes.errors import LevelError
from passes.levels import Level, module_level
from passes.pipeline import run_pipeline
from qdialects.ir import parse_module

FOLDING = Path(__file__).parents[1] / "filecheck" / "passes" / "inputs" / "mlp_folding.json"

NO_LEVEL = """func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %c = quant.constant dense<1.0> : tensor<f32>
  func.return %x : tensor<1x4xf32>
}
"""

STREAMLINE_AND_QUANT = """func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %s = quant.constant dense<0.5> : tensor<f64>
  %y = streamline.mul %x, %s : (tensor<1x4xf32>, tensor<f64>) -> tensor<1x4xf32>
  %r = quant.relu %y : (tensor<1x4xf32>) -> tensor<1x4xf32>
  func.return %r : tensor<1x4xf32>
}
"""

DATAFLOW_PASSES = [
    "set-folding",
    "insert-dwc",
    "minimize-bit-width",
    "insert-fifos",
    "size-fifos",
]


LEVEL_BOUND = ["lower-quant-to-streamline", "streamline", "convert-to-dataflow", "apply-folding"]


@pytest.mark.parametrize("name", [*LEVEL_BOUND, *DATAFLOW_PASSES])
def test_a_module_at_no_level_passes_every_pass(name: str):
    module = parse_module(NO_LEVEL)
    assert module_level(module) is None
    run_pipeline(module, f'{name}{{config="{FOLDING}"}}' if name == "apply-folding" else name)
    assert module_level(module) is None


def test_any_quant_op_but_a_constant_puts_the_module_at_the_quant_level():
    found = module_level(parse_module(STREAMLINE_AND_QUANT))
    assert found is not None
    level, witness = found
    assert level is Level.QUANT
    assert witness.name == "quant.relu"


PARTITION_PASSES = ["convert-dataflow-to-hw", "split-host"]
"""Dataflow-level passes that also need a partition (a module at no level is refused
with a PartitionError instead)."""


@pytest.mark.parametrize(
    "name", ["streamline", "convert-to-dataflow", *DATAFLOW_PASSES, *PARTITION_PASSES]
)
def test_quant_level_input_is_refused_by_every_later_pass(name: str):
    with pytest.raises(
        LevelError,
        match=rf"^{name}: the input is at the quant level \(it holds quant.relu\); run lower-quant-to-streamline",
    ):
        run_pipeline(parse_module(STREAMLINE_AND_QUANT), name)


RELU = "quant.relu %y : (tensor<1x4xf32>) -> tensor<1x4xf32>"

HOST_OPS = {
    "softmax": "quant.softmax %y {axis = 1 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>",
    "sub": "quant.sub %y, %s : (tensor<1x4xf32>, tensor<f64>) -> tensor<1x4xf32>",
}
"""Host ops in place of the relu: a float tail, and float arithmetic kept after the
integer part (lower-quant-to-streamline leaves both as quant ops)."""


@pytest.mark.parametrize("op", HOST_OPS.values(), ids=HOST_OPS.keys())
def test_host_ops_stay_quant_ops_at_every_level(op: str):
    assert RELU in STREAMLINE_AND_QUANT
    text = STREAMLINE_AND_QUANT.replace(RELU, op)
    found = module_level(parse_module(text))
    assert found is not None
    assert found[0] is Level.STREAMLINE
