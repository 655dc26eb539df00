"""`lower-quant-to-streamline`: the QONNX-level `quant` graph as integer NHWC `streamline` ops.

Design: every pattern replaces one quant op by streamline ops computing the same function
with the *same result type* (NCHW, f32). Layout changes are explicit and local: a 4-D op is
computed in NHWC between a `streamline.transpose` to NHWC (perm [0,2,3,1]) and one back
(perm [0,3,1,2]); a transpose whose input is the opposite transpose is never emitted (the
value before it is reused) and `ComposeTransposes` merges the rest, so after the walk the
transposes left are one at the graph input (float, at the edge) and one before each
flattening of a 4-D tensor (exact element order; the streamline pass absorbs it into the
next matmul's weights). Because each rewrite preserves types and function, the order the
walker visits ops in does not matter for correctness, and the function signature is the
imported one.

What each op becomes (see the pattern docstrings):
- weight quantizers (constant input) fold to an integer `quant.constant` typed with the
  quantizer's datatype times `streamline.mul` by the scale;
- activation quantizers become `streamline.multithreshold` (+ `add(-zeropt)`) + `mul(scale)`
  with exact tie handling (`passes.quantizer_thresholds`); `Relu` before an unsigned
  quantizer is dropped;
- MatMul/Gemm/Conv read their (folded) weights at compile time: the integer weight matrix
  in `K x M` layout goes into `streamline.matmul` / `dw_matmul` (after `im2col` for
  convolutions) and the weight scale, per output channel, becomes one `streamline.mul` by
  a row after it. When the activation is `mul(integer, scalar)` its scale joins that row,
  so the product is integer with the exact, tight accumulator datatype.

Every failure is a `passes.errors.LoweringError` with a one-line message naming the op
(`quant.relu %Relu_0_out0: ...`, the SSA name being the ONNX output tensor's).

Modules: `builder` (the `Emitter` and layout helpers), `constants` (compile-time
evaluation), `weights` (weights read at compile time), then one module per pattern
family: `quantizers`, `linear`, `elementwise`, `pooling`, `data_movement`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriteWalker,
    RewritePattern,
)

from passes.errors import LoweringError
from passes.levels import Level, require_level
from passes.lower_quant_to_streamline.builder import fail
from passes.lower_quant_to_streamline.data_movement import (
    ComposeTransposes,
    LowerDataMovement,
    LowerResizeSliceSplit,
)
from passes.lower_quant_to_streamline.elementwise import LowerBatchNorm, LowerBinary
from passes.lower_quant_to_streamline.linear import LowerConv, LowerGemm, LowerMatMul
from passes.lower_quant_to_streamline.pooling import LowerGlobalPool, LowerPool
from passes.lower_quant_to_streamline.quantizers import (
    CheckRelu,
    LowerMultiThreshold,
    LowerQuant,
    LowerTrunc,
)
from qdialects import quant

LOWERING_PATTERNS: tuple[RewritePattern, ...] = (
    LowerQuant(),
    LowerTrunc(),
    LowerMultiThreshold(),
    CheckRelu(),
    LowerMatMul(),
    LowerGemm(),
    LowerConv(),
    LowerBinary(),
    LowerBatchNorm(),
    LowerPool(),
    LowerGlobalPool(),
    LowerDataMovement(),
    LowerResizeSliceSplit(),
    ComposeTransposes(),
)


ACTIVATION_QUANTIZERS = (quant.QuantOp, quant.BipolarQuantOp, quant.TruncOp, quant.MultiThresholdOp)


def require_activation_quantizer(module: ModuleOp) -> None:
    """A whole model (the quant module qnn-build imported) in which no quantizer reads a
    computed tensor has nothing to run as integers: a one-line `LoweringError` saying
    what to add. (The pass itself also lowers float-only functions.)"""
    quantizers = [op for op in module.walk() if isinstance(op, ACTIVATION_QUANTIZERS)]
    if any(not isinstance(q.operands[0].owner, quant.ConstantOp) for q in quantizers):
        return
    raise LoweringError(
        "the model has no activation quantizer (no Quant, BipolarQuant, Trunc or "
        "MultiThreshold on a computed tensor), so no part of it runs on integers: quantize "
        "the input and the activations (Brevitas QuantIdentity/QuantReLU, QKeras "
        "quantized_bits/quantized_relu), or annotate the graph input with an integer "
        "finn_datatype"
    )


@dataclass(frozen=True)
class LowerQuantToStreamlinePass(ModulePass):
    """Rewrite a whole `quant` module into the `streamline` dialect (see the module
    docstring); raises `LoweringError` for anything it cannot lower exactly."""

    name = "lower-quant-to-streamline"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        require_level(op, self.name, Level.QUANT)
        PatternRewriteWalker(GreedyRewritePatternApplier(list(LOWERING_PATTERNS))).rewrite_module(
            op
        )
        for inner in op.walk():
            if inner.dialect_name() != "quant" or inner.name in quant.HOST_OP_NAMES:
                continue
            if inner.name in quant.HOST_BINARY_OP_NAMES:
                continue
            if not isinstance(inner, quant.ConstantOp):
                raise fail(inner, "no lowering to the streamline dialect")
