"""Run pass pipelines from Python with the same strings `qnn-opt -p` takes.

    from passes.pipeline import run_pipeline
    run_pipeline(module, "canonicalize,cse")      # xDSL syntax: comma-separated, {k=v} options

Every qnn pass (`passes.registry.QNN_PASSES`) and every xDSL pass is available.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass, PassPipeline
from xdsl.utils.exceptions import ArgSpecParseError

from passes.registry import QNN_PASSES


class PipelineError(Exception):
    """A pipeline string names an unknown pass or is malformed (one-line message)."""


def available_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Pass name -> loader: xDSL's passes (and plugins), then qnn's own."""
    from xdsl.universe import Universe

    passes = dict(Universe.get_multiverse().all_passes)
    passes.update(QNN_PASSES)
    return passes


def parse_pipeline(spec: str, *, verify: bool = True) -> PassPipeline:
    """The pipeline `spec` describes; with `verify`, the module is verified before the
    first pass and after every pass."""

    def check(_previous: ModulePass | None, module: ModuleOp, _next: ModulePass | None) -> None:
        module.verify()

    try:
        return PassPipeline.parse_spec(available_passes(), spec, check if verify else None)
    except (ArgSpecParseError, ValueError) as error:
        raise pipeline_error(error, spec) from None


def pipeline_error(error: BaseException, spec: str) -> PipelineError:
    """A one-line `PipelineError` for xDSL's errors about a pipeline string."""
    text = str(error)
    unknown = re.fullmatch(r"Unrecognized passes: (\[.*\])", text.strip())
    if unknown is not None:
        names = ", ".join(repr(n) for n in ast.literal_eval(unknown.group(1)))
        return PipelineError(f"unknown pass {names} in pipeline {spec!r}")
    lines = [line.strip(" ^") for line in text.splitlines() if line.strip(" ^")]
    return PipelineError(f"invalid pass pipeline {spec!r}: {lines[-1] if lines else text}")


def run_pipeline(
    module: ModuleOp, spec: str, ctx: Context | None = None, *, verify: bool = True
) -> ModuleOp:
    """Apply the passes of `spec` to `module` in place and return it."""
    from qdialects import make_context

    parse_pipeline(spec, verify=verify).apply(ctx or make_context(), module)
    return module
