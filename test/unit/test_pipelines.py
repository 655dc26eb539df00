"""Named pipelines (`passes.pipelines`): how a name expands inside a pipeline string, that
the expansion parses back to the same options, that the defaults are the build's, and
where `run_pipeline` verifies the module."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import ReturnOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import VerifyException

from passes.defaults import DEFAULT_CLOCK_NS, DEFAULT_PART
from passes.pipeline import PipelineError, parse_pipeline, run_pipeline
from passes.pipelines import (
    HARDWARE,
    NAMED_PIPELINES,
    QUANT_TO_HARDWARE,
    STREAMLINE,
    QuantToHardware,
    expand_pipelines,
)
from passes.set_folding import SetFoldingPass
from passes.verify_each import VerifyEach
from qdialects.ir import parse_module
from tools.build import BuildOptions


def pass_names(spec: str) -> list[str]:
    return [p.name for p in parse_pipeline(spec).passes]


def test_names_expand_to_their_passes():
    assert pass_names(STREAMLINE) == ["lower-quant-to-streamline", "streamline"]
    assert pass_names(HARDWARE) == [
        "minimize-bit-width",
        "insert-dwc",
        "insert-fifos",
        "size-fifos",
    ]
    assert pass_names(QUANT_TO_HARDWARE) == [
        "lower-quant-to-streamline",
        "streamline",
        "convert-to-dataflow",
        "set-folding",
        "minimize-bit-width",
        "insert-dwc",
        "insert-fifos",
        "size-fifos",
    ]
    assert list(NAMED_PIPELINES) == [STREAMLINE, HARDWARE, QUANT_TO_HARDWARE]


def test_other_elements_are_kept_verbatim():
    spec = 'cse,apply-folding{config="a,b {x}.json" allow-unknown=true},canonicalize'
    assert expand_pipelines(spec) == spec
    assert expand_pipelines(f"cse,{HARDWARE},cse") == (
        "cse,minimize-bit-width,insert-dwc,insert-fifos,size-fifos,cse"
    )
    assert expand_pipelines("") == ""


@pytest.mark.parametrize(
    ("text", "fps", "clock"),
    [
        ("target-fps=3000 clock-ns=5", 3000, 5),
        ("target-fps=2.5e4 clock-ns=7.5", 2.5e4, 7.5),
        ("target-fps=1.0e+20 clock-ns=0.001", 1e20, 1e-3),
        ("clock-ns=3", None, 3),  # no target: the fastest folding that fits the part
    ],
)
def test_options_reach_set_folding_exactly(text: str, fps: float, clock: float):
    folding = parse_pipeline(f"{QUANT_TO_HARDWARE}{{{text}}}").passes[3]
    assert isinstance(folding, SetFoldingPass)
    assert (folding.target_fps, folding.clock_ns) == (fps, clock)
    # the expansion of a pipeline built in Python parses back to the same values
    again = parse_pipeline(QuantToHardware(target_fps=fps, clock_ns=clock).passes()).passes[3]
    assert again == folding


def test_defaults_are_the_builds():
    folding = parse_pipeline(QUANT_TO_HARDWARE).passes[3]
    assert isinstance(folding, SetFoldingPass)
    defaults = (None, DEFAULT_CLOCK_NS, DEFAULT_PART)
    assert (folding.target_fps, folding.clock_ns, folding.part) == defaults
    assert SetFoldingPass() == folding
    options = BuildOptions()
    assert (options.target_fps, options.clock_ns, options.part) == defaults
    assert options.fit == "warn"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (f"{HARDWARE}{{depth=3}}", 'Provided arguments ["depth"] not found'),
        (f"{QUANT_TO_HARDWARE}{{target-fps=fast}}", "invalid pass pipeline"),
        ("quant-to-hardwar", "(did you mean 'quant-to-hardware'?)"),
        (f"{HARDWARE}{{", "invalid pass pipeline"),
    ],
)
def test_bad_uses_are_one_line_errors(spec: str, message: str):
    with pytest.raises(PipelineError) as error:
        parse_pipeline(spec)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


@dataclass(frozen=True)
class AddStrayReturn(ModulePass):
    """Makes the module invalid: a `func.return` outside any function."""

    name = "add-stray-return"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        op.body.block.add_op(ReturnOp())


@dataclass(frozen=True)
class RemoveStrayReturns(ModulePass):
    """Makes it valid again."""

    name = "remove-stray-returns"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for stray in [o for o in op.body.block.ops if isinstance(o, ReturnOp)]:
            stray.detach()
            stray.erase()


STRAY = r"'func\.return' expects parent op 'func\.func'"
"""The verifier's message about the stray `func.return`."""


def test_the_module_is_verified_between_passes_by_default():
    with pytest.raises(VerifyException, match=STRAY):
        run_pipeline(ModuleOp([]), [AddStrayReturn(), RemoveStrayReturns()])


def test_without_verify_between_only_the_ends_are_verified():
    module = ModuleOp([])
    run_pipeline(module, [AddStrayReturn(), RemoveStrayReturns()], verify_between=False)
    assert not list(module.body.block.ops)
    with pytest.raises(VerifyException, match=STRAY):
        run_pipeline(ModuleOp([]), [RemoveStrayReturns(), AddStrayReturn()], verify_between=False)
    invalid = ModuleOp([ReturnOp()])
    with pytest.raises(VerifyException, match=STRAY):  # the input, unless verified
        run_pipeline(invalid, [RemoveStrayReturns()], verify_between=False)
    run_pipeline(invalid, [RemoveStrayReturns()], verified_input=True, verify_between=False)


def test_verify_each_still_verifies_between_passes():
    module = parse_module(
        "func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
        "  func.return %x : tensor<2xf32>\n"
        "}\n"
    )
    with pytest.raises(VerifyException, match=STRAY):
        run_pipeline(
            module,
            [AddStrayReturn(), RemoveStrayReturns()],
            verify_each=VerifyEach(),
            verify_between=False,
        )
