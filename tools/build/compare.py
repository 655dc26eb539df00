"""A simulation checked against qonnx: the build's input frames, qonnx's reference
outputs, and the per-frame agreement `report/csim.json` (the C simulation) and
`report/rtlsim.json` (the RTL simulation) record.

A frame agrees when every element is within `CSIM_RTOL` times the reference frame's
largest magnitude (plus `CSIM_ATOL`) and the tie-aware argmax is equal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tools.errors import UserError

CSIM_RTOL = 1e-5
CSIM_ATOL = 1e-6


@dataclass(frozen=True)
class Simulation:
    """Which simulation a comparison is of: `key` names its report (`report/<key>.json`)
    and its argmax column (`argmax_<key>`), `title` its messages."""

    key: str
    title: str


CSIM_LABEL = Simulation("csim", "C simulation")
RTLSIM_LABEL = Simulation("rtlsim", "RTL simulation")


def model_input_shape(model: Path) -> tuple[str, tuple[int, ...]]:
    """The name and shape of the model's single graph input (initializers excluded)."""
    import onnx

    proto = onnx.load(str(model), load_external_data=False)
    initializers = {init.name for init in proto.graph.initializer}
    inputs = [i for i in proto.graph.input if i.name not in initializers]
    if len(inputs) != 1:
        raise UserError(f"simulation needs a model with one input, {model} has {len(inputs)}")
    dims = inputs[0].type.tensor_type.shape.dim
    shape = tuple(d.dim_value if d.HasField("dim_value") else 1 for d in dims)
    return inputs[0].name, shape


def load_frames(source: Path | np.ndarray, model: Path) -> np.ndarray:
    """The frames of `source` (a `.npy` file or an array) as an array `N x model input
    shape` (each frame batch 1): `source` holds either `N x shape[1:]` (first axis =
    frames) or `N x shape`."""
    from tools.qnn_run import load_input

    x = source if isinstance(source, np.ndarray) else load_input(str(source))
    _, shape = model_input_shape(model)
    if not np.issubdtype(x.dtype, np.floating):
        raise UserError(f"{source_name(source)}: expected a float array, got {x.dtype}")
    frame = shape[1:] if shape and shape[0] == 1 else shape
    if x.shape == tuple(shape) and shape and shape[0] == 1:
        frames = x.reshape(1, *shape)
    elif x.ndim == len(frame) + 1 and x.shape[1:] == tuple(frame):
        frames = x.reshape(x.shape[0], 1, *frame)
    elif x.ndim == len(shape) + 1 and x.shape[1:] == tuple(shape):
        frames = x
    else:
        raise UserError(
            f"{source_name(source)}: shape {list(x.shape)} does not match the model input "
            f"{list(shape)} (expected N x {list(frame)}, or {list(shape)})"
        )
    if frames.shape[0] < 1:
        raise UserError(f"{source_name(source)}: no frames")
    return np.ascontiguousarray(frames, dtype=np.float32)


def source_name(source: Path | np.ndarray) -> str:
    """How errors and `report/csim.json` name the frames' source."""
    return "the input array" if isinstance(source, np.ndarray) else str(source)


REFERENCE_BATCH = 64
"""Frames per qonnx call of `qonnx_reference` (a call costs ~20 ms of qonnx overhead)."""


def qonnx_reference(model: Path, frames: np.ndarray) -> list[np.ndarray]:
    """qonnx's `execute_onnx` on the original (cleaned-up) model, per frame: in batches of
    `REFERENCE_BATCH` frames (qonnx's `ChangeBatchSize`), or one frame at a time where the
    model does not take a batch that way (qonnx fails, or the result is not batched)."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.util.cleanup import cleanup_model

    wrapper = cleanup_model(ModelWrapper(str(model)))
    name_in = wrapper.graph.input[0].name
    name_out = wrapper.graph.output[0].name
    try:
        return _batched_reference(wrapper, frames, name_in, name_out)
    except Exception:  # any failure of the batched run falls back to one frame at a time
        return [np.asarray(execute_onnx(wrapper, {name_in: f})[name_out]) for f in frames]


def _batched_reference(
    wrapper: Any, frames: np.ndarray, name_in: str, name_out: str
) -> list[np.ndarray]:
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.change_batchsize import ChangeBatchSize
    from qonnx.util.cleanup import cleanup_model

    if len(frames) < 2 or frames.shape[1] != 1:
        raise ValueError("no batch")
    models: dict[int, Any] = {}
    results: list[np.ndarray] = []
    for start in range(0, len(frames), REFERENCE_BATCH):
        batch = frames[start : start + REFERENCE_BATCH]
        size = len(batch)
        if size not in models:
            models[size] = cleanup_model(wrapper.transform(ChangeBatchSize(size)))
        x = batch.reshape(size, *batch.shape[2:])
        out = np.asarray(execute_onnx(models[size], {name_in: x})[name_out])
        if out.shape[0] != size:
            raise ValueError("the result is not batched")
        results += [out[i : i + 1] for i in range(size)]
    return results


def tie_aware_argmax(values: np.ndarray) -> int:
    """The lowest index whose value is within `CSIM_RTOL * (1 + max |value|)` of the
    maximum (`frontend.examples.predict`): quantized logits tie exactly, and equivalent
    float evaluation orders break such ties differently in the last bit."""
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    if flat.size == 0:
        return -1
    tolerance = CSIM_RTOL * (1.0 + float(np.max(np.abs(flat))))
    return int(np.argmax(flat >= np.max(flat) - tolerance))


def compare_frame(
    reference: np.ndarray, got: np.ndarray, label: Simulation = CSIM_LABEL
) -> dict[str, Any]:
    """Agreement of one frame: max abs/rel difference, argmax of each, verdict."""
    ref = np.asarray(reference, dtype=np.float64).reshape(-1)
    out = np.asarray(got, dtype=np.float64).reshape(-1)
    if ref.shape != out.shape:
        return {
            "agree": False,
            "reason": f"shape {list(np.shape(got))} instead of {list(np.shape(reference))}",
        }
    diff = np.abs(ref - out)
    scale = float(np.max(np.abs(ref))) if ref.size else 0.0
    max_abs = float(np.max(diff)) if diff.size else 0.0
    max_rel = max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else math.inf)
    arg_ref, arg_out = tie_aware_argmax(ref), tie_aware_argmax(out)
    agree = bool(np.all(diff <= CSIM_ATOL + CSIM_RTOL * scale)) and arg_ref == arg_out
    return {
        "agree": agree,
        "max_abs_diff": max_abs,
        "max_rel_diff": max_rel,
        "argmax_reference": arg_ref,
        f"argmax_{label.key}": arg_out,
    }


def csim_frames(outputs: Any, count: int, label: Simulation = CSIM_LABEL) -> list[np.ndarray]:
    """A simulation's result as one array per frame (batch 1 each)."""
    if isinstance(outputs, list | tuple):
        if len(outputs) != 1:
            raise UserError(f"{label.key}: expected one model output, got {len(outputs)}")
        outputs = outputs[0]
    array = np.asarray(outputs)
    if array.shape[0] != count:
        raise UserError(f"{label.key}: {array.shape[0]} result frames for {count} input frames")
    return [array[i : i + 1] for i in range(count)]


def agreement_report(
    model: Path,
    frames: np.ndarray,
    got: list[np.ndarray],
    input_name: str | None,
    label: Simulation = CSIM_LABEL,
) -> dict[str, Any]:
    """`report/<label.key>.json`: every frame of `got` compared with qonnx on `model`."""
    from qdialects.semantics.inputs import non_finite  # not loaded by builds without one

    reference = qonnx_reference(model, frames)
    rows = []
    for index, (ref, out) in enumerate(zip(reference, got, strict=True)):
        row = {"frame": index, **compare_frame(ref, out, label)}
        found = non_finite(frames[index])
        if not row["agree"] and found is not None and "reason" not in row:
            row["reason"] = f"the input frame holds {found}"
        rows.append(row)
    mismatched = [r["frame"] for r in rows if not r["agree"]]
    finite = [r for r in rows if "max_abs_diff" in r]
    summary = {
        "frames": len(rows),
        "agree": not mismatched,
        "mismatched_frames": len(mismatched),
        "first_mismatch": mismatched[0] if mismatched else None,
        "argmax_agreement": sum(
            1 for r in rows if r.get("argmax_reference") == r.get(f"argmax_{label.key}")
        ),
        "max_abs_diff": max((r["max_abs_diff"] for r in finite), default=None),
        "max_rel_diff": max((r["max_rel_diff"] for r in finite), default=None),
        "rtol": CSIM_RTOL,
        "atol": CSIM_ATOL,
        "input": input_name,
    }
    return {"summary": summary, "frames": rows}


def disagreement(report: dict[str, Any], label: Simulation = CSIM_LABEL) -> str | None:
    """One line saying how the simulation disagrees with qonnx, None if it agrees."""
    summary = report["summary"]
    if summary["agree"]:
        return None
    first = summary["first_mismatch"]
    reason = report["frames"][first].get("reason", "")
    because = f", where {reason}" if reason.startswith("the input frame holds") else ""
    return (
        f"{label.title} disagrees with qonnx on {summary['mismatched_frames']} of "
        f"{summary['frames']} frames (first: frame {first}{because}); "
        f"see report/{label.key}.json"
    )
