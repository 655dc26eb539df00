"""The RTL of the layout layers (upsample, slice, depth_to_space) and of DWCs between
word widths that do not divide each other.

One design (`layout_design`: an independent path per case from a partition input to a
partition output, random foldings and sizes) is converted, exported, linted with
`verilator --lint-only -Wall` and built once; it is simulated against `execute` of the
partition (the dataflow ops' numpy semantics) with random input gaps and output
backpressure, and without them, where every output's measured cycles per frame equal
the estimate of its layers. `-m slow`: the wild fixtures that use these layers
(espcn_resize, split_slice, espcn_d2s_mid, espcn_d2s_int) end to end.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rtl_designs import Body, Chain, Stream, divisors, partition_module
from test_rtl import MODELS_DIR, lint
from test_rtl_layers import (
    assert_bit_exact,
    assert_cycles_match_paths,
    emitted,
    run_model_end_to_end,
)

from qdialects.types import IntType


class LayoutChain(Chain):
    """`Chain` with the layout layers."""

    def upsample(self, sh: int, sw: int) -> None:
        h, w, c = self.current.shape
        out = self._stream("p", shape=(h * sh, w * sw, c))
        self._emit("dataflow.upsample", out, f"{{pe = {self.current.lanes} : i64}}")

    def slice(self, ranges: list[tuple[int, int, int]], pe: int) -> None:
        self.to_lanes(pe)
        shape = tuple(len(range(*r)) for r in ranges)
        starts, ends, steps = (", ".join(str(r[i]) for r in ranges) for i in range(3))
        attrs = (
            f"{{starts = array<i64: {starts}>, ends = array<i64: {ends}>, "
            f"steps = array<i64: {steps}>, pe = {pe} : i64}}"
        )
        self._emit("dataflow.slice", self._stream("c", shape=shape), attrs)

    def depth_to_space(self, block: int, mode: str, pe: int) -> None:
        self.to_lanes(pe)
        h, w, c = self.current.shape
        out = self._stream("t", shape=(h * block, w * block, c // (block * block)))
        self._emit("dataflow.depth_to_space", out, f'{{mode = "{mode}", pe = {pe} : i64}}')


def layout_design(seed: int) -> str:
    """Independent paths, random foldings (each layer at its input's lanes, or behind a
    DWC whose rate is at least the layer's):
    out0: upsample by SH x SW (1..3 each, not both 1);
    out1: a slice of rows/columns with steps and whole channel words (PE > 1), then a
          strided channel slice at PE 1;
    out2: depth_to_space DCR, b = 2, PE > 1;
    out3: depth_to_space CRD, b = 2, PE = 2 (lanes from different input words);
    out4: a slice of a 1-D frame;
    out5, out6: DWCs of non-dividing widths (12 -> 8 and 8 -> 12 bits), which move
          max(input words, output words) words in as many cycles."""
    rng = np.random.default_rng(seed)
    body = Body()
    sources: list[Stream] = []
    outputs: list[LayoutChain] = []

    def path(shape: tuple[int, ...], lanes: int) -> LayoutChain:
        source = Stream(f"x{len(sources)}", shape, IntType(4), lanes)
        sources.append(source)
        chain = LayoutChain(rng, source, body)
        outputs.append(chain)
        return chain

    sh, sw = [(1, 2), (2, 1), (2, 3), (3, 2)][int(rng.integers(4))]
    channels = int(rng.choice([2, 4]))
    path((2, 3, channels), int(rng.choice(divisors(channels)))).upsample(sh, sw)

    chain = path((5, 6, 8), int(rng.choice([1, 2, 4])))
    chain.slice([(1, 5, 2), (0, 5, 1), (2, 8, 1)], 2)
    chain.slice([(0, 2, 1), (1, 5, 3), (0, 6, 2)], 1)

    dcr = path((2, 3, 16), 2)
    dcr.depth_to_space(2, "DCR", int(rng.choice(divisors(4))))
    path((2, 2, 16), 2).depth_to_space(2, "CRD", 2)
    path((12,), 3).slice([(3, 12, 1)], 3)
    path((4, 6), 3).to_lanes(2)
    path((4, 6), 2).to_lanes(3)
    return partition_module(sources, [c.current for c in outputs], body)


@pytest.fixture(scope="module")
def design(tmp_path_factory: pytest.TempPathFactory):
    return emitted(layout_design(0), tmp_path_factory, "layout")


def test_layout_lint_clean(design) -> None:
    _, rtl, _ = design
    lint(rtl)


def test_layout_bit_exact_under_gaps_and_backpressure(design) -> None:
    assert_bit_exact(design, ((1, 30, 40), (2, 60, 20)))


def test_layout_cycles_equal_their_estimates(design) -> None:
    assert_cycles_match_paths(design)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["espcn_resize", "split_slice", "espcn_d2s_mid", "espcn_d2s_int"])
def test_wild_layout_fixture_end_to_end(name: str, tmp_path: Path) -> None:
    run_model_end_to_end(MODELS_DIR / "wild" / f"{name}.onnx", 10000, tmp_path)
