"""`--verify-each`: execute the module after every pass and compare with before it.

Every level of qnn is executable (`qdialects.semantics.execute`), so a pass that changes
what the module computes is caught at that pass. `VerifyEach` is a `PassPipeline`
callback: before the first pass it runs the entry function on the verification inputs
and keeps the results; after each pass it runs it again and compares with the results
kept from before the pass (the module before pass k+1 is the module after pass k, so
each pass costs one execution per sample and no copy of the module). The first
divergence raises a `VerificationError` with a one-line message:

    verify-each: pass 'streamline' (#2 in the pipeline) changed result #0 on random
    sample 1 of 4: at index (0, 3), 0.25 before, 0.75 after (3 of 10 elements differ)

(one line; wrapped here). Used by `qnn-opt --verify-each` and by
`passes.pipeline.run_pipeline(module, spec, verify_each=VerifyEach(...))`.

Inputs: the given arrays (one per argument of the entry function, checked like
`qnn-run --input`), or `samples` random input sets drawn with a fixed seed:
- float arguments: uniform in [0, 1), the range of the image-like inputs (pixels / 255)
  the Brevitas models are trained on;
- QONNX datatype arguments (`!quant.int<4>`, `!quant.bipolar`, ...): uniform over the
  datatype's values; builtin integer arguments: uniform over the type's range.

Comparison of each result, before vs after the pass:
- the number of results, each result's shape and numpy dtype must be equal;
- integer results must be equal exactly;
- float results may differ by `atol + rtol * scale` per element, with `rtol = 1e-5`,
  `atol = 1e-6` and `scale` the largest magnitude of the result before the pass. The
  scale is per result, not per element: reassociated float sums differ by a few ulps
  of their largest terms, so an element near zero in a result of magnitude 100 may
  legitimately move by ~1e-4. NaN equals NaN; infinities must match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects.builtin import AnyFloat, IntegerType, ModuleOp, Signedness, TensorType
from xdsl.dialects.func import FuncOp
from xdsl.ir import Attribute
from xdsl.passes import ModulePass

from qdialects.semantics.inputs import (
    ExecutionError,
    argument_labels,
    check_input,
    entry_function,
    non_finite,
)
from qdialects.types import BipolarType, QDataType

RTOL = 1e-5
"""Relative tolerance for float results, relative to the result's largest magnitude."""
ATOL = 1e-6
"""Absolute tolerance for float results."""
DEFAULT_SAMPLES = 4
"""How many random input sets are drawn when no inputs are given."""
SEED = 0
"""Seed of the random input sets (fixed: a failure reproduces)."""


class VerificationError(Exception):
    """A pass changed what the module computes, or the module could not be executed on
    the verification inputs (one-line message)."""


def random_inputs(function: FuncOp, samples: int, seed: int = SEED) -> list[list[np.ndarray]]:
    """`samples` random input sets for `function` (one array per argument, each set
    drawn in turn from one generator seeded with `seed`)."""
    rng = np.random.default_rng(seed)
    types = function.function_type.inputs.data
    return [[_random_array(rng, type_, i) for i, type_ in enumerate(types)] for _ in range(samples)]


def _random_array(rng: np.random.Generator, type_: Attribute, index: int) -> np.ndarray:
    if not isinstance(type_, TensorType):
        raise VerificationError(
            f"verify-each: argument #{index} has type {type_}; only tensor arguments are supported"
        )
    shape = tuple(type_.get_shape())
    element = type_.element_type
    if isinstance(element, AnyFloat):
        return rng.random(shape, dtype=np.float32)
    if isinstance(element, BipolarType):
        return 2 * rng.integers(0, 1, shape, dtype=np.int64, endpoint=True) - 1
    if isinstance(element, QDataType):
        lo, hi = element.min_value, element.max_value
    elif isinstance(element, IntegerType):
        width = min(element.width.data, 64)
        if element.signedness.data == Signedness.UNSIGNED:
            lo, hi = 0, (1 << min(width, 63)) - 1
        else:
            lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    else:
        raise VerificationError(
            f"verify-each: argument #{index} has unsupported element type {element}"
        )
    return rng.integers(lo, hi, shape, dtype=np.int64, endpoint=True)


def first_difference(before: np.ndarray, after: np.ndarray) -> str | None:
    """None if `after` matches `before` (see the module docstring for the tolerance);
    otherwise what differs, e.g. `at index (0, 3), 0.25 before, 0.75 after (3 of 10
    elements differ)`."""
    if before.dtype != after.dtype:
        return f"dtype {before.dtype} before, {after.dtype} after"
    if before.shape != after.shape:
        return f"shape {before.shape} before, {after.shape} after"
    if before.dtype.kind == "f":
        finite = np.isfinite(before) & np.isfinite(after)
        scale = float(np.max(np.abs(before[finite]), initial=0.0))
        tolerance = ATOL + RTOL * scale
        with np.errstate(invalid="ignore", over="ignore"):
            close = np.abs(after.astype(np.float64) - before.astype(np.float64)) <= tolerance
        same = (before == after) | (np.isnan(before) & np.isnan(after)) | (finite & close)
    else:
        same = before == after
    if bool(np.all(same)):
        return None
    flat = int(np.argmin(same.reshape(-1)))
    index = tuple(int(i) for i in np.unravel_index(flat, before.shape))
    count = int(same.size - np.count_nonzero(same))
    return (
        f"at index {index}, {_value(before.reshape(-1)[flat])} before, "
        f"{_value(after.reshape(-1)[flat])} after ({count} of {same.size} elements differ)"
    )


def _value(value: np.generic) -> str:
    if isinstance(value, np.floating):
        return f"{float(value):.9g}"
    return str(value.item())


@dataclass
class VerifyEach:
    """A `PassPipeline` callback that checks each pass preserves the module's function.

    `inputs`: one array per argument of `entry` (checked like `qnn-run --input`; `names`
    label them in messages, e.g. their file names); without them, `samples` random input
    sets drawn with `seed`.

        pipeline = PassPipeline(passes, VerifyEach())
    """

    inputs: Sequence[np.ndarray] | None = None
    samples: int = DEFAULT_SAMPLES
    seed: int = SEED
    entry: str = "main"
    names: Sequence[str] | None = None

    _input_sets: list[list[np.ndarray]] = field(default_factory=list, init=False)
    _reference: list[list[np.ndarray]] = field(default_factory=list, init=False)
    _position: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.samples < 1:
            raise VerificationError(f"verify-each: samples must be at least 1, got {self.samples}")
        if self.names is not None and (self.inputs is None or len(self.names) != len(self.inputs)):
            raise ValueError("VerifyEach: `names` must name each of `inputs`")

    def __call__(
        self, previous: ModulePass | None, module: ModuleOp, _next: ModulePass | None
    ) -> None:
        if previous is None:  # before the first pass: a new run
            self._position = 0
            self._input_sets = self._prepare_inputs(module)
            self._reference = [
                self._execute(module, inputs, sample, "the module before the first pass")
                for sample, inputs in enumerate(self._input_sets)
            ]
            return
        self._position += 1
        what = f"pass '{previous.name}' (#{self._position} in the pipeline)"
        for sample, inputs in enumerate(self._input_sets):
            results = self._execute(module, inputs, sample, f"the module after {what}")
            reference = self._reference[sample]
            if len(results) != len(reference):
                raise VerificationError(
                    f"verify-each: {what} changed the number of results from "
                    f"{len(reference)} to {len(results)}"
                )
            for index, (before, after) in enumerate(zip(reference, results, strict=True)):
                difference = first_difference(before, after)
                if difference is not None:
                    raise VerificationError(
                        f"verify-each: {what} changed result #{index} "
                        f"on {self._sample_name(sample)}: {difference}"
                        f"{self._non_finite(inputs)}"
                    )
            self._reference[sample] = results

    def _prepare_inputs(self, module: ModuleOp) -> list[list[np.ndarray]]:
        try:
            function = entry_function(module, self.entry)
        except ExecutionError as error:
            raise VerificationError(f"verify-each: {error}") from None
        if self.inputs is None:
            return random_inputs(function, self.samples, self.seed)
        arg_types = function.function_type.inputs.data
        if len(self.inputs) != len(arg_types):
            raise VerificationError(
                f"verify-each: @{self.entry} takes {len(arg_types)} argument(s), "
                f"got {len(self.inputs)} verification input(s)"
            )
        names = self.names or [f"verification input {i}" for i in range(len(self.inputs))]
        try:
            return [
                [
                    check_input(label, np.asarray(array), type_, name)
                    for label, array, type_, name in zip(
                        argument_labels(function), self.inputs, arg_types, names, strict=True
                    )
                ]
            ]
        except ExecutionError as error:
            raise VerificationError(f"verify-each: {error}") from None

    def _non_finite(self, inputs: list[np.ndarray]) -> str:
        """`; x.npy holds 1 NaN (...), which ...` for inputs with NaN or Inf, else ''."""
        names = self.names or [f"input {i}" for i in range(len(inputs))]
        for name, array in zip(names, inputs, strict=True):
            found = non_finite(array)
            if found is not None:
                return f"; {name} holds {found}, which quantized integers cannot represent"
        return ""

    def _sample_name(self, sample: int) -> str:
        if self.inputs is not None:
            names = self.names or ["the given inputs"]
            return ", ".join(names)
        return f"random sample {sample + 1} of {len(self._input_sets)} (seed {self.seed})"

    def _execute(
        self, module: ModuleOp, inputs: list[np.ndarray], sample: int, what: str
    ) -> list[np.ndarray]:
        from qdialects.semantics import execute

        try:
            return execute(module, inputs, entry=self.entry)
        except Exception as error:  # any failure to execute is what verify-each reports
            first = next((line.strip() for line in str(error).splitlines() if line.strip()), "")
            reason = f"{type(error).__name__}: {first}" if first else type(error).__name__
            raise VerificationError(
                f"verify-each: {what} does not execute on {self._sample_name(sample)}: {reason}"
            ) from error
