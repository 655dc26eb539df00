"""Run pass pipelines from Python with the same strings `qnn-opt -p` takes.

    from passes.pipeline import run_pipeline
    run_pipeline(module, "canonicalize,cse")      # xDSL syntax: comma-separated, {k=v} options
    run_pipeline(module, "quant-to-streamline")   # a named pipeline (`passes.pipelines`)
    run_pipeline(module, "streamline", verify_each=VerifyEach())   # like qnn-opt --verify-each
    run_pipeline(module, [MyPass()])              # pass instances instead of a string
    run_pipeline(module, "hardware", verify_between=False)  # verified once, after the last pass

Every qnn pass (`passes.registry.QNN_PASSES`), every xDSL pass and every named pipeline
(`passes.pipelines.NAMED_PIPELINES`) is available.
`verify_each` (a `passes.verify_each.VerifyEach`) executes the module after every pass and
raises `VerificationError` at the first pass that changes its results.
"""

from __future__ import annotations

import ast
import difflib
import functools
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass, PassPipeline, PassPipelineCallbackType
from xdsl.utils.exceptions import ArgSpecParseError

from passes.pipelines import NAMED_PIPELINES, expand_pipelines
from passes.registry import QNN_PASSES

if TYPE_CHECKING:  # executing a module (xDSL's interpreter) is loaded by who verifies each pass
    from passes.verify_each import VerifyEach


@functools.cache
def _installed_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """xDSL's passes and those of the installed `xdsl.universe` plugins: found once per
    process (the search reads every installed distribution's entry points)."""
    from xdsl.universe import Universe

    return Universe.get_multiverse().all_passes


class PipelineError(Exception):
    """A pipeline string names an unknown pass or is malformed (one-line message)."""


def available_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Pass name -> loader: xDSL's passes (and plugins), then qnn's own."""
    passes = dict(_installed_passes())
    passes.update(QNN_PASSES)
    return passes


def parse_pipeline(
    spec: str,
    *,
    verify: bool = True,
    verify_each: VerifyEach | None = None,
    verified_input: bool = False,
    verify_between: bool = True,
) -> PassPipeline:
    """The pipeline `spec` describes; with `verify`, the module is verified before the
    first pass (unless `verified_input`) and after every pass (only after the last one
    without `verify_between`); with `verify_each`, it is then also executed and compared
    after every pass (see `passes.verify_each`)."""
    try:
        return PassPipeline.parse_spec(
            available_passes(),
            expand_pipelines(spec),
            pipeline_callback(
                verify=verify,
                verify_each=verify_each,
                verified_input=verified_input,
                verify_between=verify_between,
            ),
        )
    except (ArgSpecParseError, ValueError) as error:
        raise pipeline_error(error, spec) from None


def _verifier(*, before: bool, between: bool) -> PassPipelineCallbackType:
    """A callback verifying the module after the last pass, before the first with
    `before` and between passes with `between`."""

    def check(previous: ModulePass | None, module: ModuleOp, next_: ModulePass | None) -> None:
        if previous is None:
            wanted = before
        elif next_ is None:
            wanted = True
        else:
            wanted = between
        if wanted:
            module.verify()

    return check


def pipeline_callback(
    *,
    verify: bool = True,
    verify_each: VerifyEach | None = None,
    first: PassPipelineCallbackType | None = None,
    verified_input: bool = False,
    verify_between: bool = True,
) -> PassPipelineCallbackType | None:
    """One `PassPipeline` callback that runs `first` (e.g. `qnn-opt`'s own: verification,
    --print-between-passes, --time-passes), then verifies the module (with `verify`; not
    before the first pass with `verified_input`; between passes only with
    `verify_between` or `verify_each`, whose executions need a valid module), then runs
    `verify_each`; None if there is nothing to run."""
    between = verify_between or verify_each is not None
    check = _verifier(before=not verified_input, between=between) if verify else None
    callbacks = [c for c in (first, check, verify_each) if c is not None]
    if not callbacks:
        return None
    if len(callbacks) == 1:
        return callbacks[0]

    def callback(previous: ModulePass | None, module: ModuleOp, next_: ModulePass | None) -> None:
        for c in callbacks:
            c(previous, module, next_)

    return callback


def pipeline_error(error: BaseException, spec: str) -> PipelineError:
    """A one-line `PipelineError` for xDSL's errors about a pipeline string."""
    text = str(error)
    unknown = re.fullmatch(r"Unrecognized passes: (\[.*\])", text.strip())
    if unknown is not None:
        names: list[str] = ast.literal_eval(unknown.group(1))
        listed = ", ".join(repr(n) for n in names)
        return PipelineError(f"unknown pass {listed} in pipeline {spec!r}{_suggestions(names)}")
    lines = [line.strip(" ^") for line in text.splitlines() if line.strip(" ^")]
    return PipelineError(f"invalid pass pipeline {spec!r}: {lines[-1] if lines else text}")


def _suggestions(unknown: Sequence[str]) -> str:
    """` (did you mean 'streamline'?)` for the unknown pass names that resemble a known
    one (qnn's or xDSL's) or a named pipeline, or ""."""
    known = [*available_passes(), *NAMED_PIPELINES]
    matches = {n: difflib.get_close_matches(n, known, n=1) for n in unknown}
    found = {n: m[0] for n, m in matches.items() if m}
    if not found:
        return ""
    if len(unknown) == 1:
        return f" (did you mean {next(iter(found.values()))!r}?)"
    return " (did you mean " + ", ".join(f"{m!r} for {n!r}" for n, m in found.items()) + "?)"


def run_pipeline(
    module: ModuleOp,
    spec: str | Sequence[ModulePass],
    ctx: Context | None = None,
    *,
    verify: bool = True,
    verify_each: VerifyEach | None = None,
    verified_input: bool = False,
    verify_between: bool = True,
) -> ModuleOp:
    """Apply the passes of `spec` (a pipeline string or pass instances) to `module` in
    place and return it, verifying the module after every pass (after the last one only
    without `verify_between`: `qnn-build` verifies at its stage boundaries) and before
    the first unless `verified_input` (the caller verified it, e.g. the previous pipeline
    did). With `verify_each`, verify after every pass and raise `VerificationError` at
    the first pass that changes the module's results."""
    from qdialects import make_context

    flags = {
        "verify": verify,
        "verify_each": verify_each,
        "verified_input": verified_input,
        "verify_between": verify_between,
    }
    if isinstance(spec, str):
        pipeline = parse_pipeline(spec, **flags)
    else:
        pipeline = PassPipeline(tuple(spec), pipeline_callback(**flags))
    pipeline.apply(ctx or make_context(), module)
    return module
