"""Constant folding through the interpreter (`qdialects.semantics.fold`): a folded value is
what executing the module computes, and a value depending on an input does not fold."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.func import FuncOp, ReturnOp

from qdialects import quant
from qdialects import streamline as sl
from qdialects.ir import parse_module
from qdialects.semantics import execute
from qdialects.semantics.fold import fold_op, fold_value

TEXT = """
func.func @main(%x: tensor<1x2xf32>) -> (tensor<2x1xf32>, tensor<1x2xf32>) {
  %w = quant.constant dense<[[0.3, -0.8]]> : tensor<1x2xf32>
  %s = quant.constant dense<0.25> : tensor<f32>
  %z = quant.constant dense<0.0> : tensor<f32>
  %b = quant.constant dense<3.0> : tensor<f32>
  %q = quant.quant %w scale %s zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<1x2xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x2xf32>
  %t = streamline.transpose %q {perm = array<i64: 1, 0>} : (tensor<1x2xf32>) -> tensor<2x1xf32>
  %y = streamline.add %x, %q : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  func.return %t, %y : tensor<2x1xf32>, tensor<1x2xf32>
}
"""


def _returned():
    module = parse_module(TEXT)
    function = next(op for op in module.walk() if isinstance(op, FuncOp))
    ret = function.body.block.last_op
    assert isinstance(ret, ReturnOp)
    return module, ret.arguments


def test_folded_value_is_the_executed_value():
    module, (transposed, _) = _returned()
    folded = fold_value(transposed, (quant.QuantOp, sl.TransposeOp))
    expected = execute(module, [np.zeros((1, 2), np.float32)])[0]
    assert folded is not None and folded.dtype == np.float32
    np.testing.assert_array_equal(folded, expected)
    np.testing.assert_array_equal(folded, [[0.25], [-0.75]])


def test_only_the_given_ops_fold():
    _, (transposed, _) = _returned()
    assert fold_value(transposed, (sl.TransposeOp,)) is None


def test_a_value_computed_from_an_input_does_not_fold():
    _, (_, added) = _returned()
    assert fold_value(added, (quant.QuantOp, sl.AddOp)) is None
    owner = added.owner
    assert isinstance(owner, sl.AddOp)
    assert fold_op(owner) is None
