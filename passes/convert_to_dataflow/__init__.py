"""`convert-to-dataflow`: the integer body of a streamlined function becomes one
`dataflow.partition` of stream-connected hardware layers.

Input: a `streamline`d module (integer-only body, float only at the edges). For every
`func.func` the *integer region* is found (`integer_region`): the ops computed from a
non-constant integer tensor that feed an integer tensor. Float edge ops stay outside: the
input's transpose/reshape and the first float-to-integer `streamline.multithreshold`
produce the partition's operands; the final float `streamline.mul`/`streamline.add`
consume its results, and so do the transposes and reshapes after the last integer layer
(the layout of a feature-map output is the host's job). Each region op is then converted, in program order, by one function
of `CONVERTERS`:

| streamline op                              | dataflow layer(s)                                |
|--------------------------------------------|--------------------------------------------------|
| matmul / xnor_popcount [+ multithreshold]  | mvau (thresholds fused, `binary_xnor` for XNOR)  |
| dw_matmul [+ multithreshold]               | vvau (its input: the depthwise swg)              |
| multithreshold (standalone)                | thresholding                                     |
| im2col                                     | [fm_padding +] swg (`depthwise` for a dw_matmul) |
| maxpool                                    | maxpool (kernel == stride, no pads) or           |
|                                            | [fm_padding +] pool {mode = "max"}               |
| sum_pool / global_sum                      | [fm_padding +] pool {mode = "sum"} / global_acc_pool |
| add of two streams                         | add_streams                                      |
| mul / add by an integer scalar/per-channel | channelwise                                      |
| topk (indices only)                        | label_select                                     |
| concat (channels) / reshape (batch kept)   | concat / reshape                                 |
| upsample (rows and columns of N x H x W x C) | upsample                                       |
| depth_to_space                             | depth_to_space                                   |
| slice (batch axis whole)                   | slice (a Split: duplicate_streams + one each)    |

A value used by several layers (or by a layer and the host) is forked with
`dataflow.duplicate_streams`. A multithreshold is fused into its matmul only when it is the
matmul's only user. Anything else inside the region (a transpose, a float op, a
non-constant weight, ...) is a `ConversionError` naming the op and why.

Thresholds: streamline's strict `x > t` becomes `x >= t + 1` (exact on integers), each
row is clipped to `[lo, hi + 1]` of the input's exact range (a threshold below every
input is always reached, one above every input never: the count is unchanged) and sorted
(the count `Σ_i [x >= T_i]` does not depend on the order). A MAC layer's thresholds are
typed with its `acc_dtype` (the matmul's result datatype, widened by a bit in the rare
case that `hi + 1` does not fit it).

Initial folding: PE = SIMD = 1 (every stream has one lane), `mem_mode =
"internal_embedded"`, `ram_style = "auto"`; `set-folding` changes them. Weight and
threshold constants are cloned into the partition so it is self-contained.

A `streamline.topk` whose indices (i64) leave the partition as a function result: the
result becomes a tensor of the label datatype (`!quant.uint<B>`, holding [0, N-1]); the
values are the same int64 numbers, so executing the module gives the same arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from passes.convert_to_dataflow.layers import CONVERTERS
from passes.convert_to_dataflow.partition import build_partition, integer_region
from passes.levels import Level, require_level

__all__ = ["CONVERTERS", "ConvertToDataflowPass", "build_partition", "integer_region"]


@dataclass(frozen=True)
class ConvertToDataflowPass(ModulePass):
    """Turn the integer region of every function into one `dataflow.partition` of
    streaming layers (PE = SIMD = 1); raises `ConversionError` on an op with no layer."""

    name = "convert-to-dataflow"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        require_level(op, self.name, Level.STREAMLINE)
        for function in [f for f in op.walk() if isinstance(f, func.FuncOp)]:
            if function.body.blocks:
                build_partition(function)
