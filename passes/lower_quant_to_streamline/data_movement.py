"""Data-movement patterns: reshape/flatten, transpose, concat, topk, identity and zero pad,
resize/slice/split/depth-to-space;
`ComposeTransposes` merges the transposes the other patterns leave next to each other."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import IntegerAttr, StringAttr, TensorType, f32, i64
from xdsl.ir import Attribute, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from passes.lower_quant_to_streamline.builder import TO_NHWC, Emitter, fail
from qdialects import quant
from qdialects import streamline as sl
from qdialects.utils import (
    depth_to_space_shape,
    i64_array,
    ints,
    shape_of,
    sliced_shape,
    upsampled_shape,
)


class LowerDataMovement(RewritePattern):
    """Reshape/Flatten -> `streamline.reshape` of the NCHW-ordered tensor (so a flattened
    NHWC tensor gets its transpose back to NCHW first); Transpose -> `streamline.transpose`;
    Concat -> `streamline.concat` (axis mapped to NHWC); TopK -> `streamline.topk` (last
    axis, or the channel axis of a 4-D tensor); Identity and zero Pad are forwarded."""

    @op_type_rewrite_pattern
    def match_and_rewrite(
        self,
        op: quant.ReshapeOp
        | quant.FlattenOp
        | quant.TransposeOp
        | quant.ConcatOp
        | quant.TopKOp
        | quant.IdentityOp
        | quant.PadOp,
        rewriter: PatternRewriter,
    ) -> None:
        emit = Emitter(op)
        if isinstance(op, quant.ReshapeOp | quant.FlattenOp):
            result = emit.reshape(op.x, shape_of(op.result))
            if result is op.x:
                rewriter.replace(op, [], [op.x])
                return
        elif isinstance(op, quant.TransposeOp):
            result = emit.transpose(op.x, ints(op.perm))
        elif isinstance(op, quant.IdentityOp):
            rewriter.replace(op, [], [op.x])
            return
        elif isinstance(op, quant.PadOp):
            if any(ints(op.pads)):
                raise fail(op, "Pad is not supported (only all-zero pads)")
            rewriter.replace(op, [], [op.x])
            return
        elif isinstance(op, quant.ConcatOp):
            shapes = [shape_of(v) for v in op.inputs]
            axis = op.axis.value.data
            types = {v.type for v in op.inputs}
            if len(types) > 1 and len({len(s) for s in shapes}) > 1:
                raise fail(op, "inputs of different ranks")
            if len(shapes[0]) == 4:
                inputs = [emit.to_nhwc(v) for v in op.inputs]
                axis = TO_NHWC.index(axis)
            else:
                inputs = list(op.inputs)
            out_shape = list(shape_of(inputs[0]))
            out_shape[axis] = sum(shape_of(v)[axis] for v in inputs)
            result = emit.add(
                sl.ConcatOp(
                    operands=[inputs],
                    properties={"axis": IntegerAttr(axis, i64)},
                    result_types=[TensorType(f32, out_shape)],
                ),
                "cat",
            )
            if len(shapes[0]) == 4:
                result = emit.to_nchw(result)
        else:
            assert isinstance(op, quant.TopKOp)
            shape = shape_of(op.x)
            axis = op.axis.value.data
            four_d = len(shape) == 4 and axis == 1
            if axis != len(shape) - 1 and not four_d:
                raise fail(op, f"TopK along axis {axis} (not the last axis) is not supported")
            x = emit.to_nhwc(op.x) if four_d else op.x
            out_shape = list(shape_of(x))
            out_shape[-1] = op.k.value.data
            topk = sl.TopKOp(
                operands=[x],
                properties={"k": IntegerAttr(op.k.value.data, i64)},
                result_types=[TensorType(f32, out_shape), TensorType(i64, out_shape)],
            )
            emit.add(topk, "topk")
            values, indices = topk.values, topk.indices
            if four_d:
                values, indices = emit.to_nchw(values), emit.to_nchw(indices)
            emit.replace(rewriter, [values, indices])
            return
        emit.replace(rewriter, [result])


def _nhwc_axes(values: Sequence[int], rank: int) -> list[int]:
    """Per-axis values of an NCHW tensor, for its NHWC form (other ranks unchanged)."""
    return [values[a] for a in TO_NHWC] if rank == 4 else list(values)


def _element(value: SSAValue) -> Attribute:
    value_type = value.type
    assert isinstance(value_type, TensorType)
    return value_type.element_type


def _slice(emit: Emitter, x: SSAValue, starts, ends, steps) -> SSAValue:
    """`streamline.slice` of `x` (in the lowered layout: ranges given for it)."""
    shape = sliced_shape("streamline.slice", shape_of(x), starts, ends, steps)
    op = sl.SliceOp(
        operands=[x],
        properties={
            "starts": i64_array(starts),
            "ends": i64_array(ends),
            "steps": i64_array(steps),
        },
        result_types=[TensorType(_element(x), list(shape))],
    )
    return emit.add(op, "slice")


class LowerResizeSliceSplit(RewritePattern):
    """Resize (nearest, integer scales) -> `streamline.upsample`; Slice ->
    `streamline.slice`; Split -> one `streamline.slice` per part; DepthToSpace ->
    `streamline.depth_to_space`; a 4-D tensor in NHWC (scales and ranges permuted
    accordingly)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(
        self,
        op: quant.ResizeOp | quant.SliceOp | quant.SplitOp | quant.DepthToSpaceOp,
        rewriter: PatternRewriter,
    ) -> None:
        emit = Emitter(op)
        rank = len(shape_of(op.x))
        x = emit.to_nhwc(op.x) if rank == 4 else op.x
        if isinstance(op, quant.DepthToSpaceOp):
            block, mode = op.blocksize.value.data, op.mode.data
            shape = depth_to_space_shape("streamline.depth_to_space", shape_of(x), block, mode)
            d2s = sl.DepthToSpaceOp(
                operands=[x],
                properties={"blocksize": IntegerAttr(block, i64), "mode": StringAttr(mode)},
                result_types=[TensorType(_element(x), list(shape))],
            )
            results = [emit.add(d2s, "d2s")]
        elif isinstance(op, quant.ResizeOp):
            scales = _nhwc_axes(ints(op.scales), rank)
            shape = upsampled_shape("streamline.upsample", shape_of(x), scales)
            upsample = sl.UpsampleOp(
                operands=[x],
                properties={"scales": i64_array(scales)},
                result_types=[TensorType(_element(x), list(shape))],
            )
            results = [emit.add(upsample, "up")]
        elif isinstance(op, quant.SliceOp):
            ranges = (ints(op.starts), ints(op.ends), ints(op.steps))
            results = [_slice(emit, x, *(_nhwc_axes(r, rank) for r in ranges))]
        else:
            results = []
            start = 0
            for size in ints(op.sizes):
                starts = [0] * rank
                ends = list(shape_of(op.x))
                starts[op.axis.value.data], ends[op.axis.value.data] = start, start + size
                start += size
                ranges = (starts, ends, [1] * rank)
                results.append(_slice(emit, x, *(_nhwc_axes(r, rank) for r in ranges)))
        if rank == 4:
            results = [emit.to_nchw(r) for r in results]
        emit.replace(rewriter, results)


class ComposeTransposes(RewritePattern):
    """`transpose(transpose(x, p), q)` is `transpose(x, p∘q)`, or `x` when that is the
    identity."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: sl.TransposeOp, rewriter: PatternRewriter) -> None:
        inner = op.x.owner
        perm = ints(op.perm)
        if perm == tuple(range(len(perm))):
            rewriter.replace(op, [], [op.x])
            return
        if not isinstance(inner, sl.TransposeOp):
            return
        composed = [ints(inner.perm)[p] for p in perm]
        if composed == list(range(len(perm))):
            rewriter.replace(op, [], [inner.x])
            return
        rewriter.replace(
            op,
            sl.TransposeOp(
                operands=[inner.x],
                properties={"perm": i64_array(composed)},
                result_types=[op.result.type],
            ),
        )
