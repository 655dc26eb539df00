"""A whole model around the accelerator: the host functions before and after it, frame
by frame, and the accelerator on the whole batch. The C simulation (`backend_hls.csim`,
with the reference interpreter as host) and the board driver (`cli`, with `host.py`)
both run models with `run_model`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

HostFunction = Callable[..., Sequence[np.ndarray]]
"""One frame's arrays in, a list of arrays out (`pre` or `post`)."""
Partition = Callable[[list[np.ndarray]], list[np.ndarray]]
"""The accelerator: integer frames `N x frame` per input in, per output out."""


class InputError(ValueError):
    """Inputs of the wrong number, shape or dtype (a one-line message)."""


def batched_inputs(
    arrays: Sequence[np.ndarray], shapes: Sequence[Sequence[int]]
) -> list[np.ndarray]:
    """Each model input as `N x shape`: given `N x shape`, or `N x shape[1:]` when the
    shape's batch axis is 1. All inputs must have the same N."""
    if len(arrays) != len(shapes):
        raise InputError(f"the model has {len(shapes)} inputs, got {len(arrays)} arrays")
    batched = []
    for i, (array, shape) in enumerate(zip(arrays, shapes, strict=True)):
        array = np.asarray(array)
        shape = tuple(shape)
        if array.shape[1:] == shape:
            batched.append(array)
        elif shape and shape[0] == 1 and array.shape[1:] == shape[1:]:
            batched.append(array.reshape(array.shape[0], *shape))
        else:
            raise InputError(
                f"input {i}: expected N x {list(shape)} (or N x {list(shape[1:])}), "
                f"got {list(array.shape)}"
            )
    if any(a.shape[0] != batched[0].shape[0] for a in batched):
        raise InputError("the inputs disagree on the number of frames")
    return batched


def run_model(
    pre: HostFunction,
    post: HostFunction,
    partition: Partition,
    batched: Sequence[np.ndarray],
    n_partition: int,
) -> list[np.ndarray]:
    """The model's outputs for `batched` inputs (`batched_inputs`), stacked along the
    batch axis (`N x 10` for a `1 x 10` output). `pre` returns the partition's
    `n_partition` inputs then the values `post` takes after the partition's outputs."""
    frames = batched[0].shape[0]
    pre_results = [[np.asarray(r) for r in pre(*(a[n] for a in batched))] for n in range(frames)]
    partition_inputs = [
        np.concatenate([pre_results[n][i] for n in range(frames)], axis=0)
        for i in range(n_partition)
    ]
    partition_outputs = partition(partition_inputs)
    results: list[list[np.ndarray]] = []
    for n in range(frames):
        args = [o[n : n + 1] for o in partition_outputs] + pre_results[n][n_partition:]
        results.append([np.asarray(r) for r in post(*args)])
    stacked = []
    for k in range(len(results[0])):
        per_frame = [results[n][k] for n in range(frames)]
        if per_frame[0].ndim >= 1 and per_frame[0].shape[0] == 1:
            stacked.append(np.concatenate(per_frame, axis=0))
        else:
            stacked.append(np.stack(per_frame, axis=0))
    return stacked
