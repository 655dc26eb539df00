"""The final check of `streamline`: no float op may remain between integer tensors.

An op is *between integer tensors* when it has a float result, some operand is
(transitively) computed from a non-constant integer tensor, and the result (transitively)
feeds an op with an integer result. Float ops before the first integer tensor (the
input's scaling and the first multithreshold's float thresholds) and after the last one
(the output's scale and bias) are the graph's edges and stay. Anything else means a
pattern could not apply; the error names the first such op, its input and why.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue

from passes.errors import StreamlineError
from passes.streamline.common import (
    affine_parts,
    channel_vector,
    is_const,
    is_float,
    is_int,
    ssa_name,
)
from passes.streamline.move_affine import MAX_CHANNEL_RATIO
from passes.streamline.residual import join_scales
from qdialects import streamline as sl
from qdialects.utils import ints, shape_of


def _fmt(array: np.ndarray) -> str:
    flat = np.asarray(array, dtype=np.float64).reshape(-1)
    shown = ", ".join(f"{v:.6g}" for v in flat[:4])
    return f"[{shown}{', ...' if flat.size > 4 else ''}]" if flat.size > 1 else shown


def _consumer(op: Operation) -> Operation | None:
    users = [use.operation for r in op.results for use in r.uses]
    return users[0] if len(users) == 1 else None


def diagnose(op: Operation) -> str:
    """Why a float op could not be moved or absorbed (a best-effort explanation)."""
    consumer = _consumer(op)
    where = f"before {consumer.name}" if consumer is not None else "with several users"
    if isinstance(op, sl.AddOp) and not is_const(op.x) and not is_const(op.y):
        scales = join_scales(op.x, op.y)
        if scales is not None:
            (_, s1), (_, s2) = scales
            return (
                f"residual add of operands on scales {_fmt(s1)} and {_fmt(s2)}, "
                "whose ratio is not an integer"
            )
        return "residual add of operands that are not scaled integer tensors"
    parts = affine_parts(op)
    if parts is not None:
        x, c, _ = parts
        vector = channel_vector(c, len(shape_of(x)))
        is_add = isinstance(op, sl.AddOp)
        if is_add and isinstance(consumer, sl.Im2ColOp | sl.SumPoolOp) and any(ints(consumer.pads)):
            return f"an add does not commute with zero-padded {consumer.name}"
        if isinstance(op, sl.MulOp) and vector is not None and np.any(vector < 0):
            kind = "a negative per-channel" if np.any(vector > 0) else "a negative"
            return f"{kind} scale {_fmt(c)} could not be absorbed ({where})"
        if vector is None:
            return f"the constant of shape {c.shape} is not a scalar or per-channel ({where})"
        if (
            not is_add
            and isinstance(consumer, sl.MatMulOp)
            and consumer.x in op.results
            and vector.size > 1
        ):
            return (
                "a scale varying over the reduction axis of streamline.matmul cannot move "
                "past it (a per-channel activation scale into a conv/matmul): its values "
                f"are not small integer multiples of one base (at most {MAX_CHANNEL_RATIO}), "
                "so no exact integer form exists; use a per-tensor or power-of-two "
                "activation scale"
            )
        return f"could not be moved past or absorbed {where}"
    if isinstance(op, sl.MatMulOp | sl.DepthwiseMatMulOp | sl.XnorPopcountOp):
        if is_float(op.operands[1]):
            return "its weights are not integer"
        return "its input is not integer"
    if op.dialect_name() == "quant":
        return f"it has no integer form and runs only on the host ({where})"
    return f"no pattern removes it ({where})"


def float_ops_between_integers(module: ModuleOp) -> list[Operation]:
    """Every float op of the module lying between integer tensors, in program order."""
    ops = [op for op in module.walk() if not isinstance(op, ModuleOp)]
    from_int: set[SSAValue] = set()
    for op in ops:
        for region in op.regions:
            for block in region.blocks:
                from_int.update(a for a in block.args if is_int(a))
        if is_const(op.results[0]) if op.results else False:
            continue
        if any(is_int(r) for r in op.results) or any(v in from_int for v in op.operands):
            from_int.update(op.results)
    feeds_int: set[Operation] = set()
    for op in reversed(ops):
        if any(is_int(r) for r in op.results):
            feeds_int.add(op)
            continue
        if any(use.operation in feeds_int for r in op.results for use in r.uses):
            feeds_int.add(op)
    found = []
    for op in ops:
        if not op.results or not any(is_float(r) for r in op.results) or is_const(op.results[0]):
            continue
        if not any(v in from_int for v in op.operands):
            continue
        if any(use.operation in feeds_int for r in op.results for use in r.uses):
            found.append(op)
    return found


def check_integer_only(module: ModuleOp) -> None:
    """Raise a one-line `StreamlineError` on the first float op between integer tensors."""
    found = float_ops_between_integers(module)
    if not found:
        return
    # A host-only op or a join on two scales blocks the muls that feed it: report it.
    hosts = [f for f in found if f.dialect_name() == "quant"]
    joins = [f for f in found if isinstance(f, sl.AddOp) and not any(map(is_const, f.operands))]
    op = (hosts or joins or found)[0]
    dynamic = [v for v in op.operands if not is_const(v)]
    name = ", ".join(ssa_name(v) for v in dynamic) if dynamic else ssa_name(op.results[0])
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    raise StreamlineError(
        f"streamline: float {op.name} on {name} remains between integer tensors: "
        f"{diagnose(op)}{more}"
    )
